"""Step curves, censor glyphs and legend labels of a vector plot, and their calibration.

The second half of :mod:`reconstruct.vector.geometry` (which holds the types, the module overview and
the axes): given a :class:`~reconstruct.vector.geometry.PlotFrame`, pick the KM step curves, the
censor glyphs on them and the legend text naming them, then map everything to (time, survival).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from reconstruct.vector.geometry import _EPS, PlotFrame, VectorCurve, VectorMark, VectorPage, VectorPath, VectorPlot, _dedupe
from reconstruct.errors import DigitizationError

__all__ = ["extract_plot", "to_data"]

_GLYPH_TOL = 0.02  # page units: centres of the strokes of one glyph agree to the writer's rounding


def _step_direction(pts: NDArray[np.float64]) -> int:
    """+1 falling (rows grow), -1 rising, 0 not a monotone step polyline."""
    if len(pts) < 3:
        return 0
    d = np.diff(pts, axis=0)
    horiz = np.abs(d[:, 0]) <= _EPS
    vert = np.abs(d[:, 1]) <= _EPS
    if not np.all(horiz | vert) or not horiz.any() or not vert.any() or np.any(d[horiz, 1] < 0):
        return 0
    signs = np.sign(d[vert & ~horiz, 0])
    if np.all(signs > 0):
        return 1
    return -1 if np.all(signs < 0) else 0


def _step_like(pts: NDArray[np.float64]) -> bool:
    """Horizontal and vertical segments only, left to right, at least one of each (monotone or not)."""
    if len(pts) < 3:
        return False
    d = np.diff(pts, axis=0)
    horiz = np.abs(d[:, 0]) <= _EPS
    vert = np.abs(d[:, 1]) <= _EPS
    return bool(np.all(horiz | vert) and horiz.any() and vert.any() and np.all(d[horiz, 1] >= 0))


def _loose_step(pts: NDArray[np.float64], panel) -> bool:
    """A single horizontal (left to right) or vertical segment that may be a piece of a curve drawn
    one segment at a time: not a spine (a border-long line on the panel edge), not a tick (starting
    left of the y axis or reaching below the x axis)."""
    if len(pts) != 2:
        return False
    r0, c0, r1, c1 = panel
    d = pts[-1] - pts[0]
    if abs(d[0]) <= _EPS and d[1] > 0:
        spine = min(abs(pts[0, 0] - r0), abs(pts[0, 0] - r1)) <= 0.5 and d[1] >= 0.9 * (c1 - c0)
        return pts[0, 1] >= c0 - _EPS and not spine
    if abs(d[1]) <= _EPS:
        spine = min(abs(pts[0, 1] - c0), abs(pts[0, 1] - c1)) <= 0.5 and abs(d[0]) >= 0.5 * (r1 - r0)
        return pts[:, 0].max() <= r1 + _EPS and not spine
    return False


def _data_area(panel) -> tuple[float, float, float, float]:
    """Where curves may lie: the tick span, widened where axes usually run past their last tick
    (right and top by 15 % and 10 %, left and bottom by 2 %)."""
    r0, c0, r1, c1 = panel
    height, width = r1 - r0, c1 - c0
    return r0 - 0.1 * height, c0 - 0.02 * width, r1 + 0.02 * height, c1 + 0.15 * width


def _inside(pts, panel, tol) -> bool:
    r0, c0, r1, c1 = _data_area(panel)
    return bool(np.all((pts[:, 0] >= r0 - tol) & (pts[:, 0] <= r1 + tol) & (pts[:, 1] >= c0 - tol)
                       & (pts[:, 1] <= c1 + tol)))


def _chain(pieces: list[NDArray[np.float64]]) -> list[NDArray[np.float64]]:
    """Join pieces of one style whose end meets the next one's start (a curve drawn in segments)."""
    pieces = sorted(pieces, key=lambda p: (p[0, 1], p[0, 0]))
    out: list[list[NDArray[np.float64]]] = []
    ends: dict[tuple[int, int], list[int]] = defaultdict(list)  # end point on a _EPS grid -> chains ending there

    def cell(pt) -> tuple[int, int]:
        return int(np.floor(pt[0] / _EPS)), int(np.floor(pt[1] / _EPS))

    for p in pieces:
        r, c = cell(p[0])
        hit = None
        for key in ((r + i, c + j) for i in (-1, 0, 1) for j in (-1, 0, 1)):
            hit = next((k for k in ends.get(key, ()) if np.all(np.abs(out[k][-1][-1] - p[0]) <= _EPS)), None)
            if hit is not None:
                ends[key].remove(hit)
                break
        if hit is None:
            out.append([p])
            hit = len(out) - 1
        else:
            out[hit].append(p[1:])
        ends[cell(p[-1])].append(hit)
    return [_dedupe(np.concatenate(parts)) for parts in out]


def _find_curves(page: VectorPage, panel, notes: list[str]) -> tuple[list[VectorCurve], bool]:
    width = panel[3] - panel[1]
    styles: dict[tuple[str, str, float], list[NDArray[np.float64]]] = defaultdict(list)
    a_r0, a_c0, a_r1, a_c1 = _data_area(panel)
    for path in page.paths:
        if path.stroke is None:
            continue
        b_r0, b_c0, b_r1, b_c1 = path.bbox()
        if b_r1 < a_r0 or b_r0 > a_r1 or b_c1 < a_c0 or b_c0 > a_c1:
            continue  # another plot's path (several plots on a page)
        for pts in path.simple:
            # single segments too: some writers draw a curve one segment at a time
            if len(pts) >= 2 and _inside(pts, panel, 0.0) and (_step_like(pts) or _loose_step(pts, panel)):
                styles[(path.stroke, path.dash, round(path.line_width, 3))].append(pts)
    curves, limits = [], []
    for (stroke, dash, lw), pieces in styles.items():
        for pts in _chain(pieces):
            if np.ptp(pts[:, 1]) >= 0.05 * width and _step_like(pts):
                # confidence limits need not be monotone; they are kept aside to recognise bands
                (curves if _step_direction(pts) != 0 else limits).append(VectorCurve(pts, stroke, dash, lw))
    if not curves:
        raise DigitizationError(
            "expected at least one stroked step curve inside the plot panel, got none; "
            "the figure may be an embedded image (use the image digitizer) or not a KM plot")
    directions = [_step_direction(c.corners) for c in curves]
    rising = sum(d < 0 for d in directions) > len(directions) / 2
    limits += [c for c, d in zip(curves, directions, strict=True) if (d < 0) != rising]
    curves = [c for c, d in zip(curves, directions, strict=True) if (d < 0) == rising]
    curves = _drop_confidence_limits(curves, limits, notes)
    return curves, rising


def _row_at(corners: NDArray[np.float64], cols: NDArray[np.float64]) -> NDArray[np.float64]:
    """Row of a step polyline at columns (right-continuous; NaN outside its span)."""
    c = corners[:, 1]
    idx = np.searchsorted(c, cols, side="right") - 1
    rows = corners[np.clip(idx, 0, len(c) - 1), 0]
    # at a vertical segment searchsorted lands on its lower end (the right limit)
    return np.where((cols < c[0] - _EPS) | (cols > c[-1] + _EPS), np.nan, rows)


def _drop_confidence_limits(
    curves: list[VectorCurve], limits: list[VectorCurve], notes: list[str]
) -> list[VectorCurve]:
    """Drop dashed lines of a solid curve's colour that bracket it, one above and one below
    (pointwise confidence limits). ``limits`` are step-like lines that are not monotone, which
    confidence limits may be; they count as partners but are never curves."""
    drop: set[int] = set()
    pool = curves + limits
    for k, main in enumerate(curves):
        if main.dash:
            continue
        above, below = [], []
        for j, other in enumerate(pool):
            if j == k or other.stroke != main.stroke or other.dash == main.dash or j in drop:
                continue
            grid = np.union1d(main.corners[:, 1], other.corners[:, 1])
            diff = _row_at(other.corners, grid) - _row_at(main.corners, grid)
            diff = diff[np.isfinite(diff)]
            if diff.size and np.all(diff <= _EPS):
                above.append(j)  # smaller rows are higher on the page
            elif diff.size and np.all(diff >= -_EPS):
                below.append(j)
        if above and below:
            drop.update((above[0], below[0]))
    dropped = [j for j in drop if j < len(curves)]
    if drop:
        notes.append(f"dropped {len(drop)} dashed confidence-limit line(s)")
    return [c for j, c in enumerate(curves) if j not in dropped]


# --------------------------------------------------------------------------- marks and legend


def _segment_distance(point: NDArray[np.float64], pts: NDArray[np.float64]) -> float:
    a, b = pts[:-1], pts[1:]
    ab = b - a
    length2 = np.maximum(np.sum(ab**2, axis=1), 1e-18)
    t = np.clip(np.sum((point - a) * ab, axis=1) / length2, 0.0, 1.0)
    return float(np.min(np.hypot(*(a + t[:, None] * ab - point).T)))


def _is_curve_piece(members: list[VectorPath], curves: list[VectorCurve]) -> bool:
    """Strokes in a curve's colour whose every vertex lies on that curve: part of a curve drawn
    segment by segment or one polyline per step (a glyph in another colour may lie along another
    arm's drop; a censor glyph always reaches off its curve)."""
    for path in members:
        own = [c for c in curves if c.stroke == path.stroke]
        if path.stroke is None or path.fill is not None:
            return False
        for sub in path.subpaths:
            if len(sub) < 2 or not any(all(_segment_distance(p, c.corners) <= _EPS for p in sub) for c in own):
                return False
    return True


_MARK_CHARS = {"+", "|", "\u2502", "\u00d7"}  # censor marks some writers draw as text (ggplot2 shape "+")


def _text_marks(page: VectorPage, panel, curves: list[VectorCurve]) -> list[VectorMark]:
    """Censor marks drawn as characters: centred on their point horizontally (the glyphs are symmetric
    in their advance); the mark's row is the curve's at that column (a font's ink centre is not known)."""
    a_r0, a_c0, a_r1, a_c1 = _data_area(panel)
    out = []
    for text in page.texts:
        if text.text not in _MARK_CHARS or not (a_c0 <= text.col <= a_c1 and a_r0 <= text.row <= a_r1):
            continue
        same = [k for k, c in enumerate(curves) if c.stroke == text.colour] or list(range(len(curves)))
        half = 0.5 * (text.col1 - text.col0)  # a mark at a curve's end may sit a rounding beyond it
        rows = {}
        for k in same:
            c = curves[k].corners
            # either side of a drop there; a glyph's ink (outlined text) is centred to within ~1% of its width
            reach = max(_GLYPH_TOL, 0.02 * (text.col1 - text.col0))
            cols = np.array([text.col - reach, text.col + reach])
            if c[0, 1] - half <= text.col <= c[-1, 1] + half:
                cols = np.clip(cols, c[0, 1], c[-1, 1])
            both = _row_at(c, cols)
            rows[k] = float(both[np.nanargmin(np.abs(both - text.row))]) if np.isfinite(both).any() else np.nan
        near = [k for k in same if np.isfinite(rows[k]) and abs(rows[k] - text.row) <= text.height]
        if near:
            k = min(near, key=lambda j: abs(rows[j] - text.row))
            out.append(VectorMark(rows[k], float(text.col), text.colour, k))
    return out


def _find_marks(page: VectorPage, panel, curves: list[VectorCurve]) -> tuple[list[VectorMark], int]:
    size = 0.08 * min(panel[2] - panel[0], panel[3] - panel[1])
    units: dict[int, list[VectorPath]] = defaultdict(list)
    for path in page.paths:
        units[path.unit].append(path)
    glyphs: list[list] = []
    cells: dict[tuple, list[int]] = defaultdict(list)  # (colour, centre on a _GLYPH_TOL grid) -> glyphs
    a_r0, a_c0, a_r1, a_c1 = _data_area(panel)
    # outlines of a mark character ("+" read from glyph outlines) are placed by _text_marks, not here
    text_boxes = np.array([(t.row0, t.col0, t.row1, t.col1) for t in page.texts if t.text in _MARK_CHARS]
                          ).reshape(-1, 4)
    for members in units.values():
        # one glyph per drawn unit (XObject / <use>), or per subpath for inline drawing
        if len(members) >= 8:
            continue
        first = members[0].bbox()
        if text_boxes.size and np.any(np.all(np.abs(text_boxes - first) <= _GLYPH_TOL, axis=1)):
            continue
        if not (a_r0 - size <= first[0] <= a_r1 + size and a_c0 - size <= first[1] <= a_c1 + size):
            continue
        boxes = np.array([p.bbox() for p in members])
        r0, c0 = boxes[:, 0].min(), boxes[:, 1].min()
        r1, c1 = boxes[:, 2].max(), boxes[:, 3].max()
        if r1 - r0 > size or c1 - c0 > size or not (a_r0 - size <= r0 and r1 <= a_r1 + size
                                                     and a_c0 - size <= c0 and c1 <= a_c1 + size):
            continue
        if _is_curve_piece(members, curves):
            continue
        centre, extent = np.array([0.5 * (r0 + r1), 0.5 * (c0 + c1)]), np.array([r1 - r0, c1 - c0])
        colour = members[0].stroke or members[0].fill
        # strokes sharing a centre and colour (the two bars of an inline "+") are one glyph;
        # 0.02 units absorbs writers that round to 0.01 (R's pdf device)
        i, j = int(np.floor(centre[0] / _GLYPH_TOL)), int(np.floor(centre[1] / _GLYPH_TOL))
        same = [k for a in (-1, 0, 1) for b in (-1, 0, 1) for k in cells.get((colour, i + a, j + b), ())
                if np.all(np.abs(glyphs[k][0] - centre) <= _GLYPH_TOL)]
        if same:
            glyphs[same[0]][2] = np.maximum(glyphs[same[0]][2], extent)
        else:
            cells[(colour, i, j)].append(len(glyphs))
            glyphs.append([centre, colour, extent])
    tol = max(2.0 * max(c.line_width for c in curves), 0.5)
    marks, ambiguous, off_curve = [], [], 0
    for centre, colour, extent in glyphs:
        r0, _, _, c1 = _data_area(panel)
        if not (r0 <= centre[0] <= panel[2] + 10 * _EPS and panel[1] - 10 * _EPS <= centre[1] <= c1):
            continue  # marks lie right of the y axis and above the x axis
        same = [k for k, c in enumerate(curves) if c.stroke == colour] or list(range(len(curves)))
        near = [k for k in same if _segment_distance(centre, curves[k].corners) <= tol]
        if len(near) == 1:
            marks.append((VectorMark(float(centre[0]), float(centre[1]), colour, near[0]), extent))
        elif near:
            ambiguous.append((centre, colour, extent, near))
        else:
            off_curve += 1
    # a glyph on several coinciding curves goes to the curve whose other glyphs have its size
    for centre, colour, extent, near in ambiguous:
        sizes = {k: [e for m, e in marks if m.curve == k] for k in near}
        gap = [(float(np.abs(np.median(sizes[k], axis=0) - extent).sum()) if sizes[k] else np.inf, k) for k in near]
        marks.append((VectorMark(float(centre[0]), float(centre[1]), colour, min(gap)[1]), extent))
    marks = [m for m, _ in marks] + _text_marks(page, panel, curves)
    marks.sort(key=lambda m: (m.curve, m.col))
    return marks, off_curve


def _legend_labels(page: VectorPage, panel, curves: list[VectorCurve]) -> list[str | None]:
    width = panel[3] - panel[1]
    boxes = np.array([(t.row0, t.col0, t.row1, t.col1) for t in page.texts]).reshape(-1, 4)
    heights = np.maximum(boxes[:, 2] - boxes[:, 0], 1e-6)
    labels: list[str | None] = []
    for curve in curves:
        found = None
        for path in page.paths:
            if path.stroke != curve.stroke or path.dash != curve.dash:
                continue
            for pts in path.simple:
                if len(pts) == 2 and abs(pts[0, 0] - pts[1, 0]) <= _EPS and 0 < np.ptp(pts[:, 1]) < 0.2 * width:
                    right, row = pts[:, 1].max(), pts[0, 0]
                    if boxes.size == 0:
                        continue
                    close = ((np.abs(0.5 * (boxes[:, 0] + boxes[:, 2]) - row) <= 0.6 * heights)
                             & (boxes[:, 1] - right >= 0) & (boxes[:, 1] - right <= 3 * heights))
                    near = [page.texts[k] for k in np.flatnonzero(close)]
                    if near:  # the nearest text; of a line and its first word, the whole line
                        found = min(near, key=lambda t: (round(t.col0 - right, 3), -len(t.text))).text.strip()
        labels.append(found)
    if len(set(labels)) != len(labels):
        labels = [None] * len(labels)
    return labels


def extract_plot(page: VectorPage, frame: PlotFrame) -> VectorPlot:
    """Curves, censor marks and legend labels of one plot, in page units.

    Parameters
    ----------
    page : VectorPage
    frame : PlotFrame
        From :func:`find_plot_frames`.

    Returns
    -------
    VectorPlot

    Raises
    ------
    DigitizationError
        No step curve inside the panel.
    """
    notes: list[str] = []
    curves, rising = _find_curves(page, frame.panel, notes)
    marks, off_curve = _find_marks(page, frame.panel, curves)
    if off_curve:
        notes.append(f"ignored {off_curve} small glyph(s) not on any curve (legend or annotation)")
    labels = _legend_labels(page, frame.panel, curves)
    curves = [VectorCurve(c.corners, c.stroke, c.dash, c.line_width, lab)
              for c, lab in zip(curves, labels, strict=True)]
    return VectorPlot(frame, tuple(curves), tuple(marks), bool(rising), tuple(notes))


def _snap(values: NDArray[np.float64], targets: NDArray[np.float64], tol: float) -> NDArray[np.float64]:
    """Replace values within ``tol`` of a target by the target: a mark drawn at an event time or at a
    tick (an at-risk table time), or a curve starting at time 0, is that time exactly, not the
    writer's rounding of it (a patient censored 1e-11 before a table time changes the risk sets)."""
    values = np.asarray(values, float).copy()
    if values.size and targets.size:
        nearest = targets[np.abs(values[:, None] - targets[None, :]).argmin(axis=1)]
        close = np.abs(values - nearest) <= tol
        values[close] = nearest[close]
    return values


def _on_drop(m_time, m_surv, time, surv, tol):
    """A mark at a drop's time lying along the drop (R's ``plot.survfit`` puts it at the drop's middle
    when a censoring ties with an event) is a patient censored at that time: S after the drop."""
    m_surv = np.asarray(m_surv, float).copy()
    for j, t in enumerate(m_time):
        k = np.flatnonzero(time == t)
        if k.size and k[-1] > 0 and surv[k[-1]] - tol <= m_surv[j] <= surv[k[-1] - 1] + tol:
            m_surv[j] = surv[k[-1]]
    return m_surv


def to_data(plot: VectorPlot) -> dict[str, Any]:
    """Calibrate a plot: tick-fitted linear maps, then curves and marks in (time, survival).

    Returns
    -------
    dict
        ``x_cal``, ``y_cal`` (:class:`reconstruct.digitize.axes.AxisCalibration`, y as proportions),
        ``arms`` (list of dicts: label, colour, time, survival, censor_time, censor_survival,
        line_width, dash), ``y_unit``, ``curve_kind``.
    """
    from reconstruct.digitize.axes import AxisCalibration

    frame = plot.frame
    scale = 100.0 if frame.y_percent else 1.0
    x_cal = AxisCalibration.from_ticks(frame.x_tick_cols, frame.x_values, axis="x", source="vector")
    y_cal = AxisCalibration.from_ticks(frame.y_tick_rows, frame.y_values / scale, axis="y", source="vector")
    arms = []
    for k, curve in enumerate(plot.curves):
        time = x_cal.to_value(curve.corners[:, 1])
        value = y_cal.to_value(curve.corners[:, 0])
        marks = [m for m in plot.marks if m.curve == k]
        m_time = x_cal.to_value([m.col for m in marks]) if marks else np.empty(0)
        m_value = y_cal.to_value([m.row for m in marks]) if marks else np.empty(0)
        # the corners: start, the lower end of each vertical drop, and the end
        d = np.diff(curve.corners, axis=0)
        drops = np.flatnonzero(np.abs(d[:, 1]) <= _EPS) + 1
        idx = np.unique(np.concatenate(([0], drops, [len(time) - 1])))
        surv, m_surv = (1.0 - value, 1.0 - m_value) if plot.rising else (value, m_value)
        time, surv = time[idx], surv[idx]
        ticks = np.append(frame.x_values, 0.0)
        time = _snap(time, ticks, _GLYPH_TOL * abs(x_cal.slope))
        m_time = _snap(m_time, np.concatenate([time, ticks]), _GLYPH_TOL * abs(x_cal.slope))
        m_surv = _snap(m_surv, surv, _GLYPH_TOL * abs(y_cal.slope))
        m_surv = _on_drop(m_time, m_surv, time, surv, _GLYPH_TOL * abs(y_cal.slope))
        arms.append({"label": curve.label, "colour": curve.stroke, "time": time, "survival": surv,
                     "censor_time": np.asarray(m_time, float), "censor_survival": np.asarray(m_surv, float),
                     "line_width": curve.line_width, "dash": curve.dash})
    curve_kind: Literal["survival", "cumulative_incidence"] = "cumulative_incidence" if plot.rising else "survival"
    return {"x_cal": x_cal, "y_cal": y_cal, "arms": arms, "y_unit": "percent" if frame.y_percent else "proportion",
            "curve_kind": curve_kind}
