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
    if np.ptp(values) == 0:
        return None
    from scipy.stats import theilslopes

    # Theil-Sen, not least squares: one misread label ("42" read as "4") must not drag the others off the line.
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
    if np.ptp(values) == 0:
        return None
    slope = np.polyfit(px, values, 1)[0]
    return (px, values) if slope < 0 else None
