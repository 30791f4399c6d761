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
from reconstruct.errors import CalibrationError


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

    def up(value):
        return (np.asarray(value, float) + 0.5) * scale - 0.5

    pairs = read_tick_labels(gray, axis, up(ticks), axis_px=float(up(axis_px)))
    if len(pairs) < 2:
        return None
    px, values = (np.array(v, float) for v in zip(*pairs, strict=True))
    px = (px + 0.5) / scale - 0.5
    return _on_robust_line(px, values)


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
    if scale != 1.0 or max(gray.shape) > 900:
        return None
    big = cv2.resize(gray, None, fx=3.0, fy=3.0, interpolation=cv2.INTER_CUBIC)
    return _ocr_ticks(big, axis, ticks, axis_px, 3.0)


def _plausible_survival_axis(read) -> bool:
    """True for y labels whose largest value is a survival axis top: 0.5-1 or 50-100 (percent)."""
    if read is None:
        return False
    top = float(np.max(read[1]))
    return bool(0.5 <= top <= 1.0001 or 50.0 <= top <= 100.01)


def _ocr_ticks_rotated(gray, rows, axis_col, scale):
    """y labels printed along the axis (base R's default ``las = 0``): read them turned upright."""
    from reconstruct.digitize.ocr import read_tick_labels

    col = int(round((axis_col + 0.5) * scale - 0.5))
    band = gray[:, max(col - int(0.2 * gray.shape[1]), 0) : max(col - 1, 1)]
    if band.shape[1] < 8:
        return None
    # turned clockwise, (row, col) -> (col, n_rows - 1 - row): text read upwards becomes upright
    turned = np.ascontiguousarray(cv2.rotate(band, cv2.ROTATE_90_CLOCKWISE))
    ticks = (np.asarray(rows, float) + 0.5) * scale - 0.5
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


def read_x_tick_values(gray: NDArray[np.uint8], cols: NDArray[np.float64], axis_row: float, scale: float = 1.0):
    """The x tick labels at columns ``cols`` read by OCR, as ``(positions, values)``, checked.

    When under half the labels, or fewer than three, are read the labels are read again enlarged (small
    text), and the fuller of the two readings and their pool (:func:`pool_readings`) kept.

    Raises
    ------
    CalibrationError
        Fewer than two labels read; values falling from left to right (numbers of another line, such
        as an at-risk table printed over the labels); or two labels that put the ticks off their step
        (:func:`reconstruct.digitize.calibration_checks.check_ticks_on_step`).
    """
    read = _ocr_ticks(gray, "x", cols, axis_row, scale)
    if read is None or 2 * len(read[0]) < cols.size or len(read[0]) < min(3, cols.size):
        larger = _ocr_ticks_enlarged(gray, "x", cols, axis_row, scale)
        pooled = pool_readings(read, larger)
        read = larger if larger is not None and (read is None or len(larger[0]) > len(read[0])) else read
        read = pooled if pooled is not None and len(pooled[0]) > (0 if read is None else len(read[0])) else read
    hint = "pass --x-range A B (values of the first and last labelled x tick)"
    if read is None:
        raise CalibrationError(f"expected readable x tick labels at {cols.size} ticks, got too few numbers; {hint}")
    if np.polyfit(read[0], read[1], 1)[0] <= 0:
        raise CalibrationError(
            f"expected x tick labels rising from left to right, got {read[1].tolist()} at columns "
            f"{np.round(read[0], 1).tolist()}; {hint}"
        )
    check_ticks_on_step(read[1], read[0], cols)
    return read
