"""Plot panel, axis lines, tick marks and the pixel-to-data calibration of a KM figure.

Pixels are ``(row, col)``, origin top-left. The panel is found from its axis lines (dark
lines meeting at the lower-left corner) or, for ggplot2-style figures without axis lines,
from the filled grey panel. Tick marks are the short strokes touching an axis on its
outer (or, failing that, inner) side; the regularly spaced ones are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from reconstruct.digitize.axis_labels import (
    _ocr_ticks,
    _ocr_ticks_enlarged,
    _ocr_ticks_rotated,
    _plausible_survival_axis,
    read_x_tick_values,
    y_labels_on_step,
)
from reconstruct.digitize.axis_ticks import TICK_GREY, _grid_ticks, _major_ticks, regular_ticks, split_line_ink
from reconstruct.digitize.calibration_checks import check_full_axis
from reconstruct.errors import CalibrationError

__all__ = ["AxisCalibration", "PlotPanel", "find_panel", "panels", "regular_ticks", "calibrate_axes"]


@dataclass(frozen=True, eq=False)
class AxisCalibration:
    """Linear map between pixel positions along one axis and data values.

    ``value = slope * px + intercept``, fitted by least squares to tick positions and their values.

    Attributes
    ----------
    axis : {"x", "y"}
        ``"x"``: positions are columns; ``"y"``: positions are rows.
    px_positions : ndarray of shape (n_ticks,)
        Tick positions used (pixels).
    values : ndarray of shape (n_ticks,)
        Data values at those ticks (time for x; survival proportion for y).
    slope, intercept : float
    residual_px : float
        Largest distance (pixels) between a tick and its fitted position.
    source : str
        Where the tick values came from: "hint", "ocr", "assumed" (no y labels read: 0 to 1), or, flagged
        in a run's reading, "assumed over labels" (y labels read but misread: 0 to 1) and "voted" (x labels
        kept by the tick grid's vote, :func:`reconstruct.digitize.axis_labels.labels_on_grid`).
    """

    axis: Literal["x", "y"]
    px_positions: NDArray[np.float64]
    values: NDArray[np.float64]
    slope: float
    intercept: float
    residual_px: float
    source: str = "hint"

    @classmethod
    def from_ticks(
        cls, px_positions: ArrayLike, values: ArrayLike, *, axis: Literal["x", "y"], source: str = "hint"
    ) -> AxisCalibration:
        """Fit the calibration to at least two ticks with distinct positions and values.

        Raises
        ------
        CalibrationError
            Fewer than two ticks, or ticks that do not define a line.
        """
        px = np.asarray(px_positions, dtype=float).reshape(-1)
        val = np.asarray(values, dtype=float).reshape(-1)
        if px.size != val.size or px.size < 2 or np.ptp(px) < 1.0 or np.ptp(val) == 0.0:
            raise CalibrationError(
                f"expected at least two {axis} ticks with distinct positions and values, got positions "
                f"{np.round(px, 1).tolist()} and values {val.tolist()}"
            )
        slope, intercept = np.polyfit(px, val, 1)
        residual = float(np.max(np.abs((px * slope + intercept - val) / slope)))
        px.setflags(write=False)
        val.setflags(write=False)
        return cls(axis, px, val, float(slope), float(intercept), residual, source)

    def to_value(self, px: ArrayLike) -> NDArray[np.float64]:
        """Data values at pixel positions ``px``."""
        return np.asarray(px, dtype=float) * self.slope + self.intercept

    def to_px(self, value: ArrayLike) -> NDArray[np.float64]:
        """Pixel positions of data values ``value``."""
        return (np.asarray(value, dtype=float) - self.intercept) / self.slope

    def to_dict(self) -> dict[str, object]:
        """JSON-ready description."""
        return {
            "axis": self.axis, "px_positions": self.px_positions.tolist(), "values": self.values.tolist(),
            "slope": self.slope, "intercept": self.intercept, "residual_px": self.residual_px, "source": self.source,
        }


@dataclass(frozen=True, eq=False)
class PlotPanel:
    """The data area of a figure and its tick marks.

    Attributes
    ----------
    row0, col0, row1, col1 : int
        Inner bounds of the panel (exclusive ``row1``/``col1``), axis lines excluded.
    x_axis_row : float
        Row of the x-axis line (panel bottom edge when there is no line).
    y_axis_col : float
        Column of the y-axis line (panel left edge when there is no line).
    x_tick_cols : ndarray of shape (n_x_ticks,)
        Columns of the regularly spaced major x ticks, ascending.
    y_tick_rows : ndarray of shape (n_y_ticks,)
        Rows of the regularly spaced major y ticks, descending (bottom tick first).
    framed : bool
        True when found from axis lines, False when from a filled (ggplot2-style) panel.
    y_ticks_from_labels : bool
        True when the y ticks are the centres of the y tick labels (no tick mark or grid line was
        found): the labels must then be read, never assumed to run from 0 to 1.
    """

    row0: int
    col0: int
    row1: int
    col1: int
    x_axis_row: float
    y_axis_col: float
    x_tick_cols: NDArray[np.float64]
    y_tick_rows: NDArray[np.float64]
    framed: bool
    y_ticks_from_labels: bool = False


def _line_bands(mask: NDArray[np.uint8], *, horizontal: bool, min_len: int) -> list[tuple[int, int, int, int]]:
    """Long straight dark lines as ``(start, stop, lo, hi)``: rows (cols) start:stop, extent lo..hi."""
    bridge = np.ones((1, 7) if horizontal else (7, 1), np.uint8)  # curves drawn across an axis break it
    kernel = np.ones((1, min_len) if horizontal else (min_len, 1), np.uint8)
    opened = cv2.morphologyEx(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, bridge), cv2.MORPH_OPEN, kernel)
    profile = opened.any(axis=1 if horizontal else 0)
    bands = []
    index = np.flatnonzero(profile)
    if index.size == 0:
        return bands
    splits = np.flatnonzero(np.diff(index) > 1) + 1
    for group in np.split(index, splits):
        block = opened[group[0]: group[-1] + 1] if horizontal else opened[:, group[0]: group[-1] + 1]
        extent = np.flatnonzero(block.any(axis=0 if horizontal else 1))
        # one band per stretch: a plot's frame and a boxed risk table below it share their columns
        for run in np.split(extent, np.flatnonzero(np.diff(extent) > 1) + 1):
            if run[-1] + 1 - run[0] >= min_len:
                bands.append((int(group[0]), int(group[-1]) + 1, int(run[0]), int(run[-1]) + 1))
    return bands


def _panel_from_lines(dark: NDArray[np.uint8], *, tall: float = 0.25) -> tuple[int, int, int, int, float, float, int,
                                                                                int] | None:
    """The panel of the y axis and x axis lines meeting at its lower left; y axes of ``tall`` of the height or more."""
    rows, cols = dark.shape
    verticals = _line_bands(dark, horizontal=False, min_len=max(20, int(tall * rows)))
    horizontals = _line_bands(dark, horizontal=True, min_len=max(20, int(0.25 * cols)))
    # axes meeting at a corner first; then R-style axes drawn apart from each other
    for gap_col, gap_row in ((4, 6), (int(0.05 * cols) + 4, int(0.06 * rows) + 6)):
        found = _corner_panel(verticals, horizontals, gap_col, gap_row)
        if found is not None:
            return found
    return None


def _corner_panel(verticals, horizontals, gap_col: int, gap_row: int):
    """The panel whose y axis (leftmost) and x axis (lowest) meet within the given gaps."""
    for v_start, v_stop, v_lo, v_hi in sorted(verticals):
        lead = gap_col + 10 if gap_col > 4 else 4  # a y tick at 0 may extend the x axis to the left
        # a y label "0.0" printed against the x axis' end is glued onto it by the bridging: a horizontal that
        # crosses the vertical inside its extent may reach a label's width further left (else the rotated y
        # title, the leftmost vertical, took the x axis in the looser second pass)
        label_lead = gap_col + 10 if gap_col > 4 else 24
        corner = [h for h in horizontals
                  if (-lead <= h[2] - v_start or (-label_lead <= h[2] - v_start and v_lo < h[0] < v_hi))
                  and h[2] - v_start <= gap_col and v_lo + 0.5 * (v_hi - v_lo) <= h[0] <= v_hi + gap_row]
        if not corner:
            continue
        h_start, h_stop, h_lo, h_hi = max(corner, key=lambda h: h[0])  # the lowest: the x axis
        top = [h for h in horizontals if abs(h[2] - v_start) <= 4 and abs(h[1] - v_lo) <= 6 and abs(h[3] - h_hi) <= 4
               and h[0] < h_start]  # a frame's top edge spans the full width, unlike a flat curve at S = 1
        row0 = (top[0][1] if top else v_lo)
        right = [v for v in verticals if abs(v[1] - h_hi) <= 4 and abs(v[3] - h_stop) <= 6]
        col1 = right[-1][0] if right else h_hi
        x_axis, y_axis = (h_start + h_stop - 1) / 2.0, (v_start + v_stop - 1) / 2.0
        return row0, v_stop, min(h_start, v_hi), col1, x_axis, y_axis, h_stop, v_start - 1
    return None


def _panel_candidates(rgb: NDArray[np.uint8], gray: NDArray[np.uint8]):
    """Panels found by each finder in turn, as ``(bounds, framed)``; later finders run only when asked."""
    from reconstruct.digitize.panel_grid import panel_from_fill, panel_from_grid

    found = _panel_from_lines((gray < 110).astype(np.uint8))
    if found is not None:
        yield found, True
    else:  # the first panel found decides, as before; the later finders are tried only when its ticks fail
        found = panel_from_fill(rgb)
        if found is not None:
            yield found, False
        else:  # thin grey frames (ggplot2 theme_bw at small sizes) are lighter than black axes
            found = _panel_from_lines((gray < TICK_GREY).astype(np.uint8))
            yield from ([(found, True)] if found is not None else [])
            if found is None:
                found = panel_from_grid(gray)
                yield from ([(found, False)] if found is not None else [])
    # a blurred light frame: thin lines much darker than either side of them
    thin = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, np.ones((7, 7), np.uint8)) > 45
    found = _panel_from_lines(thin.astype(np.uint8))
    if found is not None:
        yield found, True
    # no line to be seen (theme_minimal in a small JPEG): the column of y labels and the row of x labels
    from reconstruct.digitize.panel_labels import panel_from_labels

    found = panel_from_labels(gray)
    if found is not None:
        yield found, False
    # a short plot over an at-risk table and a censoring plot: its y axis under a quarter of the figure's height
    found = _panel_from_lines((gray < 110).astype(np.uint8), tall=0.12)
    if found is not None:
        yield found, True


def _panel_ticks(gray, row0, col0, row1, col1, x_axis_row, y_axis_col, below_x, left_of_y):
    """Major x and y tick positions of a panel: tick marks, else grid lines, else (x) the labels' spacing."""
    dark = gray < TICK_GREY
    x_ticks = _major_ticks(dark, start=below_x, direction=1, lo=max(col0 - 8, 0), hi=col1 + 8, axis="x")
    if x_ticks.size < 2:
        x_ticks = _major_ticks(dark, start=row1 - 1, direction=-1, lo=col0, hi=col1, axis="x")
    y_ticks = _major_ticks(dark, start=left_of_y, direction=-1, lo=max(row0 - 8, 0), hi=row1 + 8, axis="y")
    if y_ticks.size >= 2 and np.ptp(y_ticks) < 0.6 * (row1 - row0):  # some ticks drawn between two pixel rows
        fuller = _major_ticks(dark | split_line_ink(gray, axis="y"), start=left_of_y, direction=-1,
                              lo=max(row0 - 8, 0), hi=row1 + 8, axis="y")
        if fuller.size > y_ticks.size and all(np.min(np.abs(fuller - t)) <= 1.5 for t in y_ticks):
            y_ticks = fuller
    if y_ticks.size < 2:
        y_ticks = _major_ticks(dark, start=col0, direction=1, lo=row0, hi=row1, axis="y")
    if x_ticks.size < 2:
        x_ticks = _grid_ticks(gray, row0, col0, row1, col1, axis="x")
    from reconstruct.digitize.panel_grid import label_grid_ticks
    from reconstruct.digitize.panel_labels import (
        fill_from_labels,
        gapped,
        label_column_ticks,
        label_row_ticks,
        snap_to_grid,
    )

    if x_ticks.size < 2:  # no tick marks, no vertical grid lines: the labels' own even spacing
        x_ticks = label_grid_ticks(gray, row=int(below_x) + 1, col0=col0, col1=col1)
    # ticks missed (small renders, tiny labels): the labels fill them in
    if x_ticks.size < 2 or gapped(x_ticks, col1 - col0):
        marks = x_ticks
        x_ticks = fill_from_labels(x_ticks, label_row_ticks(gray, row=int(below_x) + 1, col0=col0, col1=col1))
        if x_ticks is not marks:
            x_ticks = snap_to_grid(gray, x_ticks, bounds=(row0, col0, row1, col1), axis="x")
    if y_ticks.size < 2:
        y_ticks = _grid_ticks(gray, row0, col0, row1, col1, axis="y")
    from_labels = y_ticks.size < 2
    if from_labels:  # tick marks too faint to see (small renders): the labels' own even spacing
        y_ticks = snap_to_grid(gray, label_column_ticks(gray, col=int(left_of_y), row0=row0, row1=row1),
                               bounds=(row0, col0, row1, col1), axis="y")
    return x_ticks, y_ticks, from_labels


def find_panel(rgb: NDArray[np.uint8]) -> PlotPanel:
    """Locate the plot panel, its axes and its major tick marks.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
        A straightened figure.

    Returns
    -------
    PlotPanel
        The first of :func:`panels`.

    Raises
    ------
    CalibrationError
        If no axis lines or filled panel are found, or fewer than two ticks on an axis.
    """
    return next(panels(rgb))


def panels(rgb: NDArray[np.uint8]) -> Iterator[PlotPanel]:
    """The plot panels the finders propose, best first, each with at least two ticks on each axis.

    A panel whose ticks bunch in a corner (:func:`_cramped`) comes last. The caller takes the next
    panel when the first one's tick labels cannot be read (a boxed at-risk table taken for the plot).

    Raises
    ------
    CalibrationError
        Before the first panel, when no finder proposes a panel with two ticks on each axis.
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    first = cramped = None
    given = 0
    for found, framed in _panel_candidates(rgb, gray):
        x_ticks, y_ticks, from_labels = _panel_ticks(gray, *found)
        if x_ticks.size >= 2 and y_ticks.size >= 2:
            panel = _plot_panel(found, framed, x_ticks, y_ticks, from_labels)
            if not _cramped(found, x_ticks, y_ticks):
                given += 1
                yield panel
            else:  # ticks bunched in a corner of the panel: a later finder may do better; else keep these
                cramped = cramped or panel
        first = first or (x_ticks.size, y_ticks.size)
    if cramped is not None:
        yield cramped
    elif first is None:
        raise CalibrationError(
            "expected a plot panel bounded by axis lines or a filled background, got neither; "
            "crop the image to one plot"
        )
    elif not given:
        raise CalibrationError(
            f"expected at least two regularly spaced tick marks on each axis, got {first[0]} on x and "
            f"{first[1]} on y; the figure may have no tick marks"
        )


def _plot_panel(found, framed: bool, x_ticks, y_ticks, from_labels: bool) -> PlotPanel:
    row0, col0, row1, col1, x_axis_row, y_axis_col = found[:6]
    return PlotPanel(row0, col0, row1, col1, float(x_axis_row), float(y_axis_col), x_ticks, y_ticks[::-1], framed,
                     from_labels)


def _cramped(found, x_ticks: NDArray[np.float64], y_ticks: NDArray[np.float64]) -> bool:
    """True when the ticks of an axis span under a third of the panel: strokes in a corner, not the axis' ticks.

    Plotting software spreads the major ticks over most of each axis; two "ticks" ten pixels apart in
    a panel two hundred high are grid-line ends or label strokes of a panel found wrongly.
    """
    row0, col0, row1, col1 = found[:4]
    return bool(np.ptp(x_ticks) < (col1 - col0) / 3.0 or np.ptp(y_ticks) < (row1 - row0) / 3.0)


def calibrate_axes(
    gray: NDArray[np.uint8],
    panel: PlotPanel,
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    notes: list[str] | None = None,
    ocr_gray: NDArray[np.uint8] | None = None,
    ocr_scale: float = 1.0,
    x_vote: bool = True,
) -> tuple[AxisCalibration, AxisCalibration, Literal["proportion", "percent"]]:
    """Calibrate both axes from the panel's ticks and hinted or OCR'd tick values.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The straightened figure.
    panel : PlotPanel
    x_range, y_range : (float, float), optional
        Values of the first and last labelled tick; the ticks between are evenly spaced.
        Without them the labels are read by :func:`reconstruct.digitize.ocr.read_tick_labels`;
        an unreadable y axis is assumed to run from 0 to 1 (a note is appended to ``notes``).
    notes : list of str, optional
        Receives the notes.
    ocr_gray : ndarray, optional
        A larger original of ``gray`` (``ocr_scale`` times its size) to read labels from.
    ocr_scale : float, default 1.0
    x_vote : bool, default True
        Let the tick grid outvote misread x labels when the reading cannot calibrate
        (:func:`reconstruct.digitize.axis_labels.read_x_tick_values`).

    Returns
    -------
    x_calibration, y_calibration : AxisCalibration
        y values as proportions.
    y_unit : {"proportion", "percent"}
        Percent when the top tick value exceeds 1.5.

    Raises
    ------
    CalibrationError
        No x hint and fewer than two x labels read; or no y hint, no y labels read and y ticks
        that do not span the panel (so that 0 to 1 cannot be assumed).
    """
    notes = notes if notes is not None else []
    if ocr_gray is None:
        ocr_gray, ocr_scale = gray, 1.0
    cols, rows = panel.x_tick_cols, panel.y_tick_rows
    if x_range is not None:
        x_cal = AxisCalibration.from_ticks(cols, np.linspace(*x_range, cols.size), axis="x", source="hint")
    else:
        x_px, x_values, x_source = read_x_tick_values(ocr_gray, cols, panel.x_axis_row, ocr_scale,
                                                      zero_px=panel.y_axis_col, vote=x_vote)
        x_cal = AxisCalibration.from_ticks(x_px, x_values, axis="x", source=x_source)
        if x_source == "voted":
            notes.append(f"x tick labels misread; kept the {x_values.size} on one step of the tick grid "
                         f"({', '.join(f'{v:g}' for v in x_values)}); pass --x-range A B if wrong")
    if y_range is not None:
        y_px, y_values, source = rows, np.linspace(*y_range, rows.size), "hint"
    else:
        read = _ocr_ticks(ocr_gray, "y", rows, panel.y_axis_col, ocr_scale)
        if read is None:
            read = _ocr_ticks_enlarged(ocr_gray, "y", rows, panel.y_axis_col, ocr_scale)
        if not _plausible_survival_axis(read) or (len(read[0]) < 3 <= rows.size):
            # few or implausible labels: perhaps printed along the axis (base R); keep the fuller reading
            turned = _ocr_ticks_rotated(ocr_gray, rows, panel.y_axis_col, ocr_scale)
            if _plausible_survival_axis(turned) and (not _plausible_survival_axis(read)
                                                     or len(turned[0]) > len(read[0])):
                read = turned
        plausible = _plausible_survival_axis(read)
        misread = plausible and not y_labels_on_step(read, rows)
        if misread or not plausible:
            read = None
        if read is None and panel.y_ticks_from_labels:
            raise CalibrationError(
                f"expected readable y tick labels at the {rows.size} labels found left of the panel, got too few "
                "numbers; pass --y-range A B (values of the first and last labelled y tick)"
            )
        if read is None:
            check_full_axis(panel)
            # the end ticks only: a tick mark missed in between (a curve over it) would skew an even spread
            # labels read but off their step: the 0 to 1 assumed over them is flagged ("assumed over labels")
            y_px, y_values = rows[[0, -1]], np.array([0.0, 1.0])
            source = "assumed over labels" if misread else "assumed"
            notes.append(("two y tick labels read off the ticks' step (one misread)" if misread else
                          "y tick labels not read") + "; assumed the y ticks run from 0 to 1 (or 0 to 100%); "
                         "pass --y-range A B if not")
        else:
            (y_px, y_values), source = read, "ocr"
    unit: Literal["proportion", "percent"] = "percent" if np.max(y_values) > 1.5 else "proportion"
    if unit == "percent":
        y_values = y_values / 100.0
    y_cal = AxisCalibration.from_ticks(y_px, y_values, axis="y", source=source)
    return x_cal, y_cal, unit
