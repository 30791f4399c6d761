"""A coloured line seen through several translucent ribbons overlapping (survminer ``conf.int = TRUE`` with three
arms, issue 12): it keeps (1 - a) of its contrast per ribbon, 0.34 under three of opacity 0.3. Synthetic panel
built here; pixel coordinates ``(row, col)``."""

from __future__ import annotations

import cv2
import numpy as np

from reconstruct.digitize.curves import LineColour
from reconstruct.digitize.shades import local_background, membership_under_ribbon

GREEN, RED, BLUE = (68, 175, 67), (232, 7, 6), (40, 90, 200)
WHITE = np.array([255.0, 255.0, 255.0], np.float32)


def _colour(rgb) -> LineColour:
    lab = cv2.cvtColor(np.array([[rgb]], np.uint8), cv2.COLOR_RGB2LAB).reshape(3)
    return LineColour(tuple(float(v) for v in lab), tuple(rgb), 1000)


def _panel(ribbons) -> np.ndarray:
    """A 3-pixel green line along rows 30-32; from column 60 on, ``ribbons`` of opacity 0.3 drawn over rows 5-60."""
    img = np.full((70, 140, 3), 255.0, np.float32)
    img[30:33, :] = GREEN
    for rgb in ribbons:
        img[5:61, 60:] = 0.7 * img[5:61, 60:] + 0.3 * np.float32(rgb)
    return np.round(img).astype(np.uint8)


def test_a_line_under_three_overlapping_ribbons_is_found():
    img = _panel([RED, GREEN, BLUE])
    weight = membership_under_ribbon(img, local_background(img, 3), WHITE, _colour(GREEN))
    # 0.7 ** 3 = 0.34 of its contrast left: under the 0.35 once asked for everywhere, so not found (was 0)
    assert np.abs(weight[30:33, 66:134] - 0.343).max() < 0.02
    assert weight[36:56, 66:134].max() == 0.0  # the ribbons themselves are no line


def test_a_faint_pixel_under_one_ribbon_is_still_no_line():
    # under a single ribbon (a field near the paper) a quarter of the line's contrast is a rim, as before
    img = _panel([RED])
    faint = np.round(0.25 * np.float32(GREEN) + 0.75 * img[45, 100].astype(np.float32)).astype(np.uint8)
    img[45:48, 66:134] = faint
    weight = membership_under_ribbon(img, local_background(img, 3), WHITE, _colour(GREEN))
    assert weight[45:48, 70:130].max() == 0.0
    assert weight[30:33, 70:130].min() > 0.6  # the line under one ribbon: 0.7 of its contrast
