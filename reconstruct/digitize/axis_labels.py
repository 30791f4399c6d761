"""Tick label values read by OCR for the axis calibration of :mod:`reconstruct.digitize.axes`.

Labels are read where the ticks are (:func:`reconstruct.digitize.ocr.read_tick_labels`), again from
an enlarged image for small figures, and, for y labels printed along the axis (base R), turned
upright. A robust line through the readings outvotes a misread label. Pixels are ``(row, col)``.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.calibration_checks import check_ticks_on_step
from reconstruct.errors import CalibrationError, XTickLabelError

_STRIP_SIZES = (1.0, 2.0, 3.0, 4.0)
"""Sizes the x label strip is read at when the first reading cannot calibrate (:func:`read_x_tick_values`)."""

_ENLARGE_MAX_PX = 900
"""Images larger than this (rows or columns) are not read enlarged: their labels are big enough, and OCR of an
enlarged copy costs."""


def _scaled(value, scale: float):
    """Pixel positions (pixel centres) of an image in one ``scale`` times its size."""
    return (np.asarray(value, float) + 0.5) * scale - 0.5


def _ocr_ticks(gray: NDArray[np.uint8], axis: Literal["x", "y"], ticks: NDArray[np.float64], axis_px: float,
               scale: float = 1.0):
    """Tick values read by OCR as ``(positions, values)``, or None when too few were read.

    ``gray`` may be ``scale`` times larger than the image ``ticks`` refer to (OCR reads the
    full-resolution labels of a shrunk figure).
    """
    try:
        from reconstruct.digitize.ocr import read_tick_labels
    except ImportError:
        return None

    pairs = read_tick_labels(gray, axis, _scaled(ticks, scale), axis_px=float(_scaled(axis_px, scale)))
    if len(pairs) < 2:
        return None
    px, values = (np.array(v, float) for v in zip(*pairs, strict=True))
    px = (px + 0.5) / scale - 0.5
    return _on_robust_line(px, values)


def _x_label_pairs(gray: NDArray[np.uint8], ticks: NDArray[np.float64], axis_row: float, scale: float,
                   enlarge: float = 1.0) -> list[tuple[float, float]]:
    """Every x tick label read as a number, as ``(tick position, value)`` pairs, none dropped.

    ``enlarge`` > 1 reads the strip of labels under the axis enlarged that many times (labels a few
    pixels tall); positions are returned in the coordinates of ``ticks``.
    """
    from reconstruct.digitize.ocr import read_tick_labels, x_label_band_px

    if enlarge != 1.0 and max(gray.shape) > _ENLARGE_MAX_PX:
        return []
    row = float(_scaled(axis_row, scale))
    band = x_label_band_px(gray.shape[0])
    top = max(int(round(row)) - 2, 0)
    strip = gray[top: int(round(row)) + band]
    if strip.shape[0] < 4:
        return []
    if enlarge != 1.0:
        strip = cv2.resize(strip, None, fx=enlarge, fy=enlarge, interpolation=cv2.INTER_CUBIC)
    pairs = read_tick_labels(strip, "x", _scaled(_scaled(ticks, scale), enlarge),
                             axis_px=float(_scaled(row - top, enlarge)), band_px=int(round(band * enlarge)))
    return [(float((p + 0.5) / enlarge / scale - 0.5), v) for p, v in pairs]


def labels_on_grid(pairs, ticks, *, share: float = 0.5, zero_px: float | None = None):
    """The tick labels that agree with the tick grid, as ``(positions, values)``, or None.

    Plotting software labels evenly spaced ticks with values ``a + k * d`` (tick ``k``) where the step ``d``
    is positive and ``a`` a multiple of it. Each two labels read at different ticks propose such a
    progression; the one most ticks agree with is kept when it leads every other by two ticks, at least
    three ticks agree and they are at least ``share`` of the ticks read. A label "0" agrees with every step
    and is not counted: read with their decimals lost, 0, 0.5, ..., 3 give 0, 5, 1, 15, 2, 25, 3, and one
    "20" misread at another size would otherwise make 0, 5, 10, ... win. Labels of the other ticks are
    taken for misreads ("0" read as "8", "15" as "18") and dropped. With ``zero_px`` (the panel's left
    edge) only progressions that put time 0 within half a step of it are proposed: Kaplan-Meier curves
    start at time 0 on the left of the panel. Pure arithmetic on a few numbers.

    Parameters
    ----------
    pairs : sequence of (float, float)
        ``(tick position, value)`` readings; a tick may have several (readings at several sizes).
    ticks : array_like
        The evenly spaced tick positions, ascending.
    share : float, default 0.5
    zero_px : float, optional
    """
    ticks = np.sort(np.asarray(ticks, dtype=float))
    if ticks.size < 3 or not len(pairs):
        return None
    step_px = float(np.median(np.diff(ticks)))
    at: dict[int, list[tuple[float, float]]] = {}
    for p, v in pairs:
        k = int(round((float(p) - ticks[0]) / step_px))
        if abs(float(p) - ticks[0] - k * step_px) <= 0.25 * step_px:
            at.setdefault(k, []).append((float(p), float(v)))
    readings = [(k, v) for k, items in at.items() for _, v in items]
    seen: dict[tuple[float, float], frozenset[int]] = {}
    for i, (k1, v1) in enumerate(readings):
        for k2, v2 in readings[i + 1:]:
            if k1 == k2 or v1 == v2:
                continue
            d = (v2 - v1) / (k2 - k1)
            a = v1 - k1 * d
            if d <= 0 or abs(a / d - round(a / d)) > 0.1:
                continue
            if zero_px is not None and abs(a + (zero_px - ticks[0]) / step_px * d) > 0.5 * d:
                continue  # time 0 (where the curves start) not at the panel's left edge
            key = (round(a / d), round(d, 6))
            if key not in seen:
                seen[key] = frozenset(k for k, v in readings
                                      if abs(v - (a + k * d)) <= 0.05 * d and abs(a + k * d) > 0.05 * d)
    if not seen:
        return None
    sizes = sorted((len(s) for s in seen.values()), reverse=True)
    best_key = max(seen, key=lambda key: len(seen[key]))
    support = seen[best_key]
    if len(support) < 3 or (len(sizes) > 1 and sizes[1] > sizes[0] - 2) or len(support) < share * len(at):
        return None
    first, d = best_key[0] * best_key[1], best_key[1]
    kept = sorted(support)
    px = np.array([np.mean([p for p, v in at[k] if abs(v - (first + k * d)) <= 0.05 * d]) for k in kept])
    values = np.array([next(v for _, v in at[k] if abs(v - (first + k * d)) <= 0.05 * d) for k in kept])
    return px, values


def _on_robust_line(px, values):
    """The readings on one robust line as ``(positions, values)``, or None when fewer than 60% (or 2) are.

    Theil-Sen, not least squares: one misread label ("42" read as "4", "0.4" as "1.0") must not drag the
    others off the line.
    """
    if np.ptp(values) == 0:
        return None
    from scipy.stats import theilslopes

    slope, intercept, _, _ = theilslopes(values, px, method="joint")
    good = np.abs(px * slope + intercept - values) <= 0.02 * np.ptp(values) + 1e-12
    if good.sum() < 2 or good.sum() < 0.6 * len(px):
        return None
    return px[good], values[good]


def _ocr_ticks_enlarged(gray, axis, ticks, axis_px, scale):
    """Second reading of small tick labels (figures 300-500 px wide) from a 3x enlarged image."""
    if scale != 1.0 or max(gray.shape) > _ENLARGE_MAX_PX:
        return None
    big = cv2.resize(gray, None, fx=3.0, fy=3.0, interpolation=cv2.INTER_CUBIC)
    return _ocr_ticks(big, axis, ticks, axis_px, 3.0)


def _plausible_survival_axis(read) -> bool:
    """True for y labels whose largest value is a survival axis top: 0.5-1 or 50-100 (percent)."""
    if read is None:
        return False
    top = float(np.max(read[1]))
    return bool(0.5 <= top <= 1.0001 or 50.0 <= top <= 100.01)


def y_labels_on_step(read, rows) -> bool:
    """False when two y labels put the ticks ``rows`` off the multiples of their step (one is misread).

    Two labels always fit a line, so one misread ("25%" read as "2", with "100%" right) passes every other
    check. The ticks must then sit on the labels' step (:func:`check_ticks_on_step`, from the pixels) and the
    labels' values, exact numbers, at multiples of the step they imply over the ticks between them: 0.4 and
    1.0 three ticks apart step by 0.2 (kept, whatever ticks lie beyond 0 to 1: SAS draws one at -0.2); 2 and
    100 step by 32.7, of which 2 is no multiple (dropped). Three or more labels on one line are consistent
    already and are not checked.
    """
    px, values = (np.asarray(v, dtype=float) for v in read)
    ticks = np.sort(np.asarray(rows, dtype=float))
    if values.size > 2 or ticks.size < 3 or np.ptp(px) == 0:
        return True
    try:
        check_ticks_on_step(values, px, ticks)
    except CalibrationError:
        return False
    k = int(round(abs(px[1] - px[0]) / float(np.median(np.diff(ticks)))))
    step = abs(values[1] - values[0]) / max(k, 1)
    return bool(k >= 1 and step > 0 and abs(values[0] / step - round(values[0] / step)) <= 0.01)


def _ocr_ticks_rotated(gray, rows, axis_col, scale):
    """y labels printed along the axis (base R's default ``las = 0``): read them turned upright."""
    from reconstruct.digitize.ocr import read_tick_labels

    col = int(round(float(_scaled(axis_col, scale))))
    band = gray[:, max(col - int(0.2 * gray.shape[1]), 0) : max(col - 1, 1)]
    if band.shape[1] < 8:
        return None
    # turned clockwise, (row, col) -> (col, n_rows - 1 - row): text read upwards becomes upright
    turned = np.ascontiguousarray(cv2.rotate(band, cv2.ROTATE_90_CLOCKWISE))
    ticks = _scaled(rows, scale)
    pairs = read_tick_labels(turned, "x", gray.shape[0] - 1 - ticks)
    if len(pairs) < 2:
        return None
    px, values = (np.array(v, float) for v in zip(*pairs, strict=True))
    px = ((gray.shape[0] - 1 - px) + 0.5) / scale - 0.5
    read = _on_robust_line(px, values)
    if read is None or np.ptp(read[1]) == 0:
        return None
    return read if np.polyfit(*read, 1)[0] < 0 else None


def pool_readings(first, second):
    """The labels two readings agree on, as ``(positions, values)`` on one line, or None.

    Each reading (``(positions, values)`` or None) may hold a misread label, and two labels always fit a
    line: pooled, the labels of both readings that lie on one robust line (Theil-Sen) through three or
    more ticks are kept, one value per tick (a tick read as two values on the line is dropped).
    """
    from scipy.stats import theilslopes

    parts = [r for r in (first, second) if r is not None]
    if not parts:
        return None
    px = np.concatenate([np.asarray(r[0], float) for r in parts])
    values = np.concatenate([np.asarray(r[1], float) for r in parts])
    if np.unique(np.round(px)).size < 3 or np.ptp(values) == 0:
        return None
    slope, intercept, _, _ = theilslopes(values, px, method="joint")
    on_line = np.abs(px * slope + intercept - values) <= 0.02 * np.ptp(values) + 1e-12
    ticks: dict[int, set[float]] = {}
    where: dict[int, float] = {}
    for p, v in zip(px[on_line], values[on_line], strict=True):
        ticks.setdefault(int(round(p)), set()).add(float(v))
        where[int(round(p))] = float(p)
    kept = sorted(k for k, vals in ticks.items() if len(vals) == 1)
    if len(kept) < 3:
        return None
    out = np.array([where[k] for k in kept]), np.array([next(iter(ticks[k])) for k in kept])
    return out if np.ptp(out[1]) > 0 else None


def read_x_tick_values(gray: NDArray[np.uint8], cols: NDArray[np.float64], axis_row: float, scale: float = 1.0,
                       *, zero_px: float | None = None, vote: bool = True):
    """The x tick labels at columns ``cols`` read by OCR, as ``(positions, values, source)``, checked.

    When under half the labels, or fewer than three, are read the labels are read again enlarged (small
    text), and the fuller of the two readings and their pool (:func:`pool_readings`) kept. When that
    reading cannot calibrate (too few labels, one value, two labels off the ticks' step) every label
    read at 1x to 4x is put to :func:`labels_on_grid` (``zero_px``: the panel's left edge), unless ``vote``
    is False. ``source`` is "ocr", or "voted" when the vote kept them (a reading to flag).

    Raises
    ------
    CalibrationError
        Fewer than two labels read; values falling from left to right (numbers of another line, such
        as an at-risk table printed over the labels); or two labels that put the ticks off their step
        (:func:`reconstruct.digitize.calibration_checks.check_ticks_on_step`); in the last cases only when
        no three labels agree with the tick grid (:class:`reconstruct.errors.XTickLabelError`: when ``vote``
        is False the vote may still calibrate them).
    """
    read = _ocr_ticks(gray, "x", cols, axis_row, scale)
    if read is None or 2 * len(read[0]) < cols.size or len(read[0]) < min(3, cols.size):
        larger = _ocr_ticks_enlarged(gray, "x", cols, axis_row, scale)
        pooled = pool_readings(read, larger)
        read = larger if larger is not None and (read is None or len(larger[0]) > len(read[0])) else read
        read = pooled if pooled is not None and len(pooled[0]) > (0 if read is None else len(read[0])) else read
    hint = "pass --x-range A B (values of the first and last labelled x tick)"
    if read is not None and np.ptp(read[1]) > 0 and np.polyfit(read[0], read[1], 1)[0] <= 0:
        raise CalibrationError(
            f"expected x tick labels rising from left to right, got {read[1].tolist()} at columns "
            f"{np.round(read[0], 1).tolist()}; {hint}"
        )
    problem = _unusable(read, cols, hint)
    if problem is None:
        return read[0], read[1], "ocr"
    if not vote:
        raise XTickLabelError(str(problem)) from problem
    # too few labels read, or misread ones: every reading at 1x and of the label strip enlarged 2x to 4x (each size
    # misreads other labels), pooled, kept only where three or more ticks agree on one progression of the tick grid
    pairs = [pair for size in _STRIP_SIZES for pair in _x_label_pairs(gray, cols, axis_row, scale, size)]
    voted = labels_on_grid(pairs, cols, zero_px=zero_px)
    if voted is None:
        raise XTickLabelError(str(problem)) from problem
    return voted[0], voted[1], "voted"


def _unusable(read, cols, hint: str) -> CalibrationError | None:
    """Why an x reading cannot calibrate (none, one value, off the ticks' step), or None when it can."""
    if read is None:
        return CalibrationError(f"expected readable x tick labels at {cols.size} ticks, got too few numbers; {hint}")
    if np.ptp(read[1]) == 0:
        return CalibrationError(f"expected x tick labels with different values, got {read[1].tolist()} at columns "
                                f"{np.round(read[0], 1).tolist()}; {hint}")
    try:
        check_ticks_on_step(read[1], read[0], cols)
    except CalibrationError as exc:
        return exc
    return None
