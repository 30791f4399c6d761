"""Kaplan-Meier plots from vector drawings (PDF or SVG): exact step curves, ticks and censor glyphs.

The input is a :class:`VectorPage`, the drawing operations and text of one page, already read
by :mod:`reconstruct.vector.pdf` or :mod:`reconstruct.vector.svg`. Coordinates are page units (PDF points
or SVG user units) as ``(row, col)`` with the origin top-left, like pixels. Because the
curve is a path, its corners are the plotted numbers themselves: there is no tracing error.

* Axes: groups of tick segments with equal extents (or, for plots without tick marks, grid
  lines), each matched to the nearest numeric text beyond its outer end (tick labels: percent,
  negative, decimal-comma and thousands-comma labels, horizontal or rotated). Labels must be
  linear in position (log axes are not read).
* Curves: stroked, unfilled polylines whose segments are all horizontal or vertical and
  monotone (a KM step function); arms keep their stroke colour and dash pattern. Dashed
  pairs of the same colour bracketing a curve are confidence limits and dropped; filled
  polygons (bands) are never curves.
* Censor marks: small glyphs (a PDF XObject, an SVG ``<use>``, or segments sharing a
  centre such as the two strokes of a ``+``) lying on a curve; the glyph centre is the mark.
* Legend: a short horizontal stroke in an arm's style names the arm after the text beside it.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["VectorPath", "VectorText", "VectorPage", "PlotFrame", "VectorCurve", "VectorMark",
           "VectorPlot", "parse_tick_label", "find_plot_frames"]

_EPS = 1e-3  # page units: coordinate noise of PDF/SVG writers is ~1e-6; a real step is >> 1e-3
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)(e[+-]?\d+)?%?$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class VectorPath:
    """One drawn path.

    Attributes
    ----------
    subpaths : tuple of ndarray of shape (n_points, 2)
        Polylines ``(row, col)`` in page units, origin top-left (Bezier segments keep their end points).
    stroke, fill : str or None
        ``#rrggbb`` stroke and fill colours, ``None`` when not stroked / not filled.
    line_width : float
        Stroke width in page units.
    dash : str
        Dash pattern (``""`` for a solid line).
    unit : int
        Paths of one drawn object (PDF form XObject, SVG element) share a unit id.
    """

    subpaths: tuple[NDArray[np.float64], ...]
    stroke: str | None
    fill: str | None
    line_width: float
    dash: str
    unit: int

    def bbox(self) -> tuple[float, float, float, float]:
        """``(row0, col0, row1, col1)`` of all points."""
        return self._bbox

    @functools.cached_property
    def _bbox(self) -> tuple[float, float, float, float]:
        pts = np.concatenate(self.subpaths)
        return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())

    @functools.cached_property
    def simple(self) -> tuple[NDArray[np.float64], ...]:
        """The subpaths without repeated points and with collinear axis-aligned runs merged (computed once)."""
        return tuple(_dedupe(sub) for sub in self.subpaths)


@dataclass(frozen=True)
class VectorText:
    """One line of text: its string, bounding box ``(row0, col0, row1, col1)`` in page units and fill colour."""

    text: str
    row0: float
    col0: float
    row1: float
    col1: float
    colour: str | None = None

    @property
    def row(self) -> float:
        """Centre row."""
        return 0.5 * (self.row0 + self.row1)

    @property
    def col(self) -> float:
        """Centre column."""
        return 0.5 * (self.col0 + self.col1)

    @property
    def height(self) -> float:
        """Box height (about the font size)."""
        return max(self.row1 - self.row0, 1e-6)


@dataclass(frozen=True, eq=False)
class VectorPage:
    """All paths and text of one page; ``size`` is ``(n_rows, n_cols)`` in page units."""

    paths: tuple[VectorPath, ...]
    texts: tuple[VectorText, ...]
    size: tuple[float, float]


@dataclass(frozen=True, eq=False)
class PlotFrame:
    """Axes of one plot: panel bounds and the labelled ticks of both axes.

    Attributes
    ----------
    panel : tuple of float
        ``(row0, col0, row1, col1)``: data area, page units.
    bbox : tuple of float
        Panel plus tick labels (what a person would crop).
    x_tick_cols, x_values : ndarray of shape (n_x,)
        Columns of labelled x ticks and their values.
    y_tick_rows, y_values : ndarray of shape (n_y,)
        Rows of labelled y ticks and their values as printed (percent not yet divided).
    y_percent : bool
        True when the y labels are percentages.
    """

    panel: tuple[float, float, float, float]
    bbox: tuple[float, float, float, float]
    x_tick_cols: NDArray[np.float64]
    x_values: NDArray[np.float64]
    y_tick_rows: NDArray[np.float64]
    y_values: NDArray[np.float64]
    y_percent: bool


@dataclass(frozen=True, eq=False)
class VectorCurve:
    """A step curve: its corners ``(row, col)`` in page units and its style."""

    corners: NDArray[np.float64]
    stroke: str
    dash: str
    line_width: float
    label: str | None = None


@dataclass(frozen=True)
class VectorMark:
    """A censor glyph: centre ``(row, col)`` in page units, stroke colour, and its curve's index."""

    row: float
    col: float
    colour: str | None
    curve: int


@dataclass(frozen=True, eq=False)
class VectorPlot:
    """Curves and marks of one plot in page units, with its frame."""

    frame: PlotFrame
    curves: tuple[VectorCurve, ...]
    marks: tuple[VectorMark, ...]
    rising: bool
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- axes


def parse_tick_label(text: str) -> tuple[float, bool] | None:
    """Value of a numeric tick label and whether it is a percentage; ``None`` for other text."""
    s = text.strip().replace("\u2212", "-").replace("\u2013", "-").replace(" ", "")
    if not _NUMBER.match(s):
        return None
    percent = s.endswith("%")
    s = s.rstrip("%")
    whole, comma, frac = s.partition(",")
    if comma and "." not in s and "," not in frac:
        thousands = len(frac) == 3 and whole.lstrip("+-") not in ("", "0")
        s = whole + frac if thousands else f"{whole}.{frac}"  # "1,000" thousands; "0,5" decimal comma
    return float(s), percent


def _segments(page: VectorPage) -> list[tuple[NDArray[np.float64], VectorPath]]:
    """Single-segment stroked subpaths (candidate ticks)."""
    out = []
    for path in page.paths:
        if path.stroke is None:
            continue
        for pts in path.simple:
            if len(pts) == 2:
                out.append((pts, path))
    return out


def _tick_groups(page: VectorPage, vertical: bool) -> list[NDArray[np.float64]]:
    """Groups of axis-aligned segments with equal extents (tick marks, or grid lines when there are no
    ticks): ``(n, 3)`` rows of (position, lo, hi), tick groups before grid-line groups."""
    keyed: dict[tuple[float, float], list[float]] = defaultdict(list)
    along, across = (1, 0) if vertical else (0, 1)
    for pts, _ in _segments(page):
        if abs(pts[0, along] - pts[1, along]) > _EPS:
            continue
        lo, hi = sorted((pts[0, across], pts[1, across]))
        if hi - lo >= 0.5:
            keyed[(round(lo, 2), round(hi, 2))].append(pts[0, along])
    groups = [np.array([[p, lo, hi] for p in sorted(set(np.round(v, 6)))]) for (lo, hi), v in keyed.items()
              if len(v) >= 2]
    return sorted(groups, key=lambda g: g[0, 2] - g[0, 1])


def _label_ticks(group: NDArray[np.float64], texts: list[tuple[VectorText, float, bool]], vertical: bool):
    """Match each tick to the nearest numeric text beyond its outer end: (position, value, percent, text index)."""
    if not texts:
        return []
    box = np.array([(t.row0, t.col0, t.row1, t.col1) for t, _, _ in texts])
    height = np.maximum(box[:, 2] - box[:, 0], 1e-6)
    pos, lo, hi = group[:, 0:1], group[:, 1:2], group[:, 2:3]
    if vertical:  # x tick: label below, centred on the tick column
        off, gap = np.abs(0.5 * (box[:, 1] + box[:, 3]) - pos), box[:, 0] - hi
        near = off <= np.maximum(0.6 * (box[:, 3] - box[:, 1]), 0.5 * height)
    else:  # y tick: label left, centred on the tick row
        off, gap = np.abs(0.5 * (box[:, 0] + box[:, 2]) - pos), lo - box[:, 3]
        near = off <= 0.6 * height
    ok = near & (gap >= -0.5 * height) & (gap <= 2.5 * height)
    score = np.where(ok, gap + off, np.inf)
    matched = []
    for i, k in enumerate(np.argmin(score, axis=1)):
        if np.isfinite(score[i, k]):
            matched.append((float(group[i, 0]), texts[k][1], texts[k][2], int(k)))
    return matched


def _labelled_axes(page: VectorPage, texts, vertical: bool) -> list[tuple[NDArray[np.float64], float, tuple]]:
    """Labelled tick groups of one direction as (matched rows, axis position, (lo, hi, is_grid));
    each label is used once.

    The axis position is the panel edge the group marks: the inner end of short outward ticks,
    the label-side end of grid lines.
    """
    claimed: set[int] = set()
    out = []
    for group in _tick_groups(page, vertical):
        lo, hi = group[0, 1], group[0, 2]
        is_grid = hi - lo > 0.04 * max(page.size)
        axis = (hi if is_grid else lo) if vertical else (lo if is_grid else hi)
        for matched in _monotone_runs(_label_ticks(group, texts, vertical), vertical):
            if len(matched) < 2 or not _linear(matched) or sum(m[3] in claimed for m in matched) > len(matched) / 2:
                continue
            claimed.update(m[3] for m in matched)
            out.append((np.array([m[:3] for m in matched], dtype=float), float(axis), (float(lo), float(hi), is_grid)))
    return out


def _hinted_axes(page: VectorPage, hint, vertical: bool) -> list[tuple[NDArray[np.float64], float, tuple]]:
    """Unlabelled, evenly spaced tick groups of one direction, valued from a hint (the values of the
    first and last tick: left to right for x, bottom to top for y); for text drawn as outlines."""
    out = []
    first, last = float(hint[0]), float(hint[1])
    for group in _tick_groups(page, vertical):
        lo, hi = group[0, 1], group[0, 2]
        if hi - lo > 0.04 * max(page.size) or len(group) < 3:
            continue  # grid lines and pairs are too ambiguous without labels
        pos = np.sort(group[:, 0]) if vertical else np.sort(group[:, 0])[::-1]
        gaps = np.abs(np.diff(pos))
        if np.ptp(gaps) > 0.01 * gaps.mean():
            continue  # ticks are evenly spaced; censor marks of equal height are not
        values = np.linspace(first, last, len(pos))
        rows = np.column_stack([pos, values, np.zeros(len(pos))])
        out.append((rows, float(lo if vertical else hi), (float(lo), float(hi), False)))
    return out


def _shared_axes(page: VectorPage, labelled: list, vertical: bool) -> list[tuple[NDArray[np.float64], float, tuple]]:
    """Unlabelled tick groups whose ticks sit at exactly the positions of a labelled axis of the same
    direction (side-by-side panels sharing y, stacked panels sharing x): valued like that axis."""
    out = []
    taken = {(round(a, 3), round(e[0], 3), round(e[1], 3)) for _, a, e in labelled}
    for group in _tick_groups(page, vertical):
        lo, hi = group[0, 1], group[0, 2]
        if hi - lo > 0.04 * max(page.size):
            continue  # grid lines: too ambiguous without labels
        axis = lo if vertical else hi
        if (round(axis, 3), round(lo, 3), round(hi, 3)) in taken:
            continue
        positions = group[:, 0]
        for rows, other_axis, _ in labelled:
            if abs(other_axis - axis) < 1.0:
                continue  # the labelled axis itself (or a piece of it)
            near = np.abs(positions[:, None] - rows[None, :, 0]).min(axis=0) <= 0.01
            if near.all() and len(rows) >= 2:
                out.append((rows.copy(), float(axis), (float(lo), float(hi), False)))
                break
    return out


def _monotone_runs(matched: list, vertical: bool) -> list[list]:
    """Split aligned ticks into one run per axis: values rise left to right (x) or bottom to top (y),
    so side-by-side or stacked panels sharing tick extents come apart where the values restart."""
    matched = sorted(matched, key=lambda m: m[0])
    runs: list[list] = []
    for m in matched:
        if runs and (m[1] > runs[-1][-1][1] if vertical else m[1] < runs[-1][-1][1]):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def find_plot_frames(page: VectorPage, *, x_range=None, y_range=None) -> list[PlotFrame]:
    """Find every plot on a page from its labelled tick marks (or labelled grid lines).

    Parameters
    ----------
    page : VectorPage
    x_range, y_range : (float, float), optional
        Values of the first and last tick of each axis, used only when no plot has tick labels
        as text (labels drawn as outlines): then evenly spaced tick groups are valued from them.

    Returns
    -------
    list of PlotFrame
        One per pair of an x-tick group and a y-tick group meeting at a corner, each with at
        least two labelled ticks per axis and labels linear in position; top-to-bottom, left-to-right.
    """
    texts = [(t, *parsed) for t in page.texts if (parsed := parse_tick_label(t.text)) is not None]
    xs = _labelled_axes(page, texts, True)
    ys = _labelled_axes(page, texts, False)
    if (not xs or not ys) and x_range is not None and y_range is not None:
        xs, ys = xs or _hinted_axes(page, x_range, True), ys or _hinted_axes(page, y_range, False)
    # panels sharing an axis (matplotlib sharey/sharex) label it once: the others borrow its values
    xs = xs + _shared_axes(page, xs, True)
    ys = ys + _shared_axes(page, ys, False)
    frames, used_y = [], set()
    for xm, axis_row, x_extent in xs:
        best = None
        for k, (ym, axis_col, _) in enumerate(ys):
            if k in used_y:
                continue
            x_span, y_span = np.ptp(xm[:, 0]), np.ptp(ym[:, 0])
            # the axes meet at most about a tick spacing beyond the first ticks (autoscaled limits)
            x_reach = max(0.3 * x_span, 1.5 * x_span / (len(xm) - 1))
            y_reach = max(0.3 * y_span, 1.5 * y_span / (len(ym) - 1))
            dc = xm[:, 0].min() - axis_col
            dr = axis_row - ym[:, 0].max()
            if -0.05 * x_span - 1 <= dc <= x_reach and -0.05 * y_span - 1 <= dr <= y_reach:
                score = abs(dc) / x_span + abs(dr) / y_span
                if best is None or score < best[0]:
                    best = (score, k)
        if best is None:
            continue
        used_y.add(best[1])
        ym, axis_col, y_extent = ys[best[1]]
        frames.append(_make_frame(page, xm, ym, axis_row, axis_col, x_extent, y_extent))
    frames.sort(key=lambda f: (round(f.panel[0], 0), f.panel[1]))
    return frames


def _linear(matched) -> bool:
    m = np.array([(row[0], row[1]) for row in matched])
    if np.ptp(m[:, 0]) < 1.0 or np.ptp(m[:, 1]) == 0:
        return False
    slope, icpt = np.polyfit(m[:, 0], m[:, 1], 1)
    spacing = np.ptp(m[:, 0]) / max(len(m) - 1, 1)
    return bool(np.max(np.abs(m[:, 0] - (m[:, 1] - icpt) / slope)) <= 0.02 * spacing + 1e-6)


def _make_frame(page: VectorPage, xm, ym, axis_row: float, axis_col: float, x_extent, y_extent) -> PlotFrame:
    x_cols, y_rows = xm[:, 0], ym[:, 0]
    row0, col0, row1, col1 = float(y_rows.min()), axis_col, axis_row, float(x_cols.max())
    if x_extent[2]:  # vertical grid lines span the panel's height
        row0 = min(row0, x_extent[0])
    if y_extent[2]:
        col1 = max(col1, y_extent[1])
    # the panel rectangle (axes background or frame) when one is drawn, else the tick span
    for path in page.paths:
        r0, c0, r1, c1 = path.bbox()
        if (abs(c0 - axis_col) < 1.0 and abs(r1 - axis_row) < 1.0 and r0 <= row0 + 1.0 and c1 >= col1 - 1.0
                and c1 - c0 < 1.5 * (col1 - col0 + 1) + 50 and r1 - r0 < 1.5 * (row1 - row0 + 1) + 50):
            row0, col1 = min(row0, r0), max(col1, c1)
    percent = bool(np.any(ym[:, 2])) or float(np.max(ym[:, 1])) > 1.5
    def size(t: VectorText) -> float:  # the font size, also of rotated text
        return min(t.row1 - t.row0, t.col1 - t.col0) if len(t.text) > 1 else t.height

    label_boxes = [t for t in page.texts  # whole boxes near the panel: not a neighbouring panel's titles
                   if row0 - 20 <= t.row0 and t.row1 <= row1 + 4 * size(t) and col0 - 8 * size(t) <= t.col0
                   and t.col1 <= col1 + 20]
    b_r1 = max([row1] + [t.row1 for t in label_boxes if t.row > row1])
    b_c0 = min([col0] + [t.col0 for t in label_boxes if t.col < col0 and t.col1 >= col0 - 3 * size(t)])
    return PlotFrame(
        panel=(row0, col0, row1, col1),
        bbox=(row0 - 2.0, b_c0, b_r1, col1 + 2.0),
        x_tick_cols=x_cols.astype(float), x_values=xm[:, 1].astype(float),
        y_tick_rows=y_rows.astype(float), y_values=ym[:, 1].astype(float),
        y_percent=bool(percent),
    )


def _dedupe(pts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Drop repeated points and merge collinear axis-aligned runs."""
    if len(pts) < 2:
        return pts
    if len(pts) == 2:
        return pts if np.abs(pts[1] - pts[0]).max() > _EPS else pts[:1]
    keep = np.concatenate(([True], np.any(np.abs(np.diff(pts, axis=0)) > _EPS, axis=1)))
    pts = pts[keep]
    if len(pts) < 3:
        return pts
    d = np.diff(pts, axis=0)
    horiz = np.abs(d[:, 0]) <= _EPS
    vert = np.abs(d[:, 1]) <= _EPS
    same = (horiz[1:] & horiz[:-1] & (np.sign(d[1:, 1]) == np.sign(d[:-1, 1]))) | (
        vert[1:] & vert[:-1] & (np.sign(d[1:, 0]) == np.sign(d[:-1, 0])))
    return pts[np.concatenate(([True], ~same, [True]))]
