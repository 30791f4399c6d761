"""The memory of panel crops' Lab images: the same arrays as a fresh conversion, each crop's own."""

import cv2
import numpy as np
import pytest

from reconstruct.digitize.curves import background_lab
from reconstruct.digitize.panel_lab import forget_labs, lab_and_background


def _panel(seed: int) -> np.ndarray:
    """A white panel with a red and a blue step line and a little noise (uint8 RGB)."""
    rng = np.random.default_rng(seed)
    rgb = np.full((60, 90, 3), 255, np.uint8)
    rgb[10:12, 5:50] = (220, 30, 30)
    rgb[30:32, 20:85] = (30, 30, 220)
    noise = rng.random((60, 90)) < 0.02
    rgb[noise] = 128
    return rgb


def test_lab_and_background_equal_a_fresh_conversion_bit_for_bit():
    forget_labs()
    rgb = _panel(1)
    lab, bg = lab_and_background(rgb)
    fresh = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    np.testing.assert_array_equal(lab, fresh)
    np.testing.assert_array_equal(bg, background_lab(fresh))
    np.testing.assert_allclose(bg, [255.0, 128.0, 128.0], atol=0.0)  # white paper: L 255, a = b = 128 exactly
    with pytest.raises(ValueError):
        lab[0, 0, 0] = 0.0  # shared between callers: not writeable


def test_a_repeat_is_served_from_memory_and_changed_pixels_are_converted_again():
    forget_labs()
    rgb = _panel(2)
    lab, bg = lab_and_background(rgb)
    again, bg_again = lab_and_background(rgb.copy())  # same pixels, another array
    assert again is lab
    bg_again[0] = -1.0  # the background is the caller's own copy
    np.testing.assert_array_equal(lab_and_background(rgb)[1], bg)
    rgb[0:5, 0:5] = (0, 0, 0)  # the caller's array changed in place after the first call
    changed, _ = lab_and_background(rgb)
    assert changed is not lab
    np.testing.assert_array_equal(changed, cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32))
    other = _panel(3)[:, :80]  # another shape
    np.testing.assert_array_equal(lab_and_background(other)[0], cv2.cvtColor(other, cv2.COLOR_RGB2LAB).astype(np.float32))
