"""Small at-risk digits read again cropped to their ink (issue 12): 4-6 px digits in a detector's box twice their
height, cropped to the box, reach the recogniser at a third of its height and read unsure or wrong; an unsure
reading of the box crop is followed by one of the ink crop."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.risk_cells import INK_CROP_PX, _ink_crop, reread_cells


def _small_number(text: str, scale: float = 0.22) -> tuple[np.ndarray, tuple[int, int, int, int], int]:
    """``text`` drawn large (OpenCV Hershey duplex, 1.2), shrunk by ``scale`` (area) and blurred (sigma 0.7): ~6 px
    digits on white paper, with a box round them twice their height, as the detector gives; also the digits' ink
    height."""
    big = np.full((60, 40 * len(text)), 255, np.uint8)
    cv2.putText(big, text, (4, 40), cv2.FONT_HERSHEY_DUPLEX, 1.2, 0, 2, cv2.LINE_AA)
    small = cv2.GaussianBlur(cv2.resize(big, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), (0, 0), 0.7)
    gray = np.full((small.shape[0] + 30, small.shape[1] + 20), 255, np.uint8)
    gray[15: 15 + small.shape[0], 10: 10 + small.shape[1]] = small
    rows, cols = np.where(gray < 200)
    high = int(rows.max() - rows.min() + 1)
    box = (int(rows.min()) - high // 2, int(cols.min()) - 2, int(rows.max()) + 1 + high // 2, int(cols.max()) + 3)
    return gray, box, high


@pytest.mark.parametrize("text", ["89", "53"])
def test_six_pixel_digits_read_unsure_are_read_sure_cropped_to_their_ink(text):
    """Cropped to the box these read unsure ("09" 0.82, "53" 0.87: no count); to their ink, right at 0.99 or more."""
    gray, box, high = _small_number(text)
    assert high == 6
    (read,) = reread_cells(gray, [box])
    assert read is not None
    assert read[0] == int(text)
    assert read[1] >= 0.99


def test_digits_under_six_pixels_are_not_read_from_their_ink():
    """At 4-5 px a "9" and a "5" differ by a pixel: the ink crop reads them sure and wrong as the first reading does
    (7071 jco_006: "92" read "32", then "52" sure from its ink, which made its rows' match ambiguous)."""
    from reconstruct.digitize.risk_cells import LEGIBLE_DIGIT_PX

    gray, box, high = _small_number("89", scale=0.16)
    assert high < LEGIBLE_DIGIT_PX
    assert _ink_crop(gray, box, 255) is None


def test_the_ink_crop_scales_the_digits_and_leaves_larger_print_to_the_box_crop():
    gray, box, high = _small_number("47")
    crop = _ink_crop(gray, box, 255)
    assert crop is not None
    dark = np.where(crop < 128)[0]
    assert 20 <= dark.max() - dark.min() + 1 <= 30  # 5 px digits (Otsu's ink) scaled to 28 px; their cores 23
    assert 28 + 16 < crop.shape[0] <= 2 * 28 + 16  # 0.4 digit heights of paper above and below, 8 px border
    big, box, high = _small_number("47", scale=0.45)
    assert high >= INK_CROP_PX
    assert _ink_crop(big, box, 255) is None
    assert _ink_crop(np.full((40, 40), 255, np.uint8), (5, 5, 30, 30), 255) is None  # no ink


def test_a_sure_reading_of_the_box_crop_is_kept_and_an_unsure_ink_reading_leaves_the_first(monkeypatch):
    """The ink crop is read only after an unsure box crop, and taken only when it reads a count sure: it misreads
    small digits as the table's first reading does (mpl_default_018's "192", read "152" by both)."""
    from reconstruct.digitize import ocr, risk_cells

    gray, box, _ = _small_number("89")
    calls: list[int] = []

    def recognise(readings):
        def read(crops):
            calls.append(len(crops))
            return [readings.pop(0) for _ in crops]
        monkeypatch.setattr(ocr, "_recognise_crops", read)

    recognise([("192", 0.93)])
    assert risk_cells._read_closer(gray, [box]) == [("192", 0.93)]
    assert calls == [1]  # the ink crop not read
    calls.clear()
    recognise([("19", 0.62), ("152", 0.85)])  # both unsure: the box crop's reading stays
    assert risk_cells._read_closer(gray, [box]) == [("19", 0.62)]
    assert calls == [1, 1]
    recognise([("19", 0.62), ("192", 0.97)])
    assert risk_cells._read_closer(gray, [box]) == [("192", 0.97)]
