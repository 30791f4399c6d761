"""The y axis through an at-risk table printed inside the plot frame (SAS; issue 12, sas_010, pdf_010).

The line runs through the cells of time 0: the OCR read "378" crossed by it as "3" and "8", and "37" as
"3:7" or not at all. The line is filled in from the pixels either side before the OCR, and the numbers it
split are joined again.
"""

from __future__ import annotations

import cv2
import numpy as np

from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_cells import erase_vertical_rules, join_across_rules


def _strip(with_line: bool = True):
    gray = np.full((60, 200), 255, np.uint8)
    for row, text in ((22, "378"), (48, "37")):
        cv2.putText(gray, text, (20, row), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    cv2.putText(gray, "188", (120, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    if with_line:
        gray[:, 31] = 0  # the y axis, 1 px wide, through the middle digit of "378" and between "3" and "7"
    return gray


def test_a_long_thin_vertical_line_is_filled_in_and_the_digits_kept():
    gray, clean = _strip(), _strip(with_line=False)
    out, cols = erase_vertical_rules(gray, 10.0)
    assert cols.tolist() == [31]
    assert np.mean(out[:, 31] > 200) >= 0.7  # most of the line gone
    # away from the line the strip is untouched; a digit's "1"-like strokes (one glyph tall) are no line
    np.testing.assert_array_equal(np.delete(out, 31, axis=1), np.delete(gray, 31, axis=1))
    assert np.abs(out.astype(int) - clean.astype(int))[:, 31].mean() < 60


def test_a_strip_without_long_lines_is_returned_as_is():
    clean = _strip(with_line=False)
    out, cols = erase_vertical_rules(clean, 10.0)
    assert out is clean
    assert cols.size == 0


def test_numbers_split_by_an_erased_line_are_joined():
    cols = np.array([31])
    words = [TextBox("3", 0.99, 10, 19, 24, 29), TextBox("78", 0.99, 10, 32, 24, 45),
             TextBox("188", 0.99, 10, 120, 24, 150), TextBox("3:7", 1.0, 36, 19, 50, 42)]
    got = [(w.text, w.col0, w.col1) for w in join_across_rules(words, cols)]
    assert got == [("378", 19, 45), ("188", 120, 150), ("37", 19, 42)]
    # no line between them: two numbers stay two
    assert [w.text for w in join_across_rules(words[:2], np.array([90]))] == ["3", "78"]
    assert [w.text for w in join_across_rules(words[:2], np.zeros(0, np.int64))] == ["3", "78"]


def test_a_line_beside_the_table_is_left_alone():
    # base_r_010: the sides of the plot frame run on below the panel, beside the table, through no text
    gray = _strip(with_line=False)
    gray[:, 5] = 0
    gray[:, 190] = 0
    out, cols = erase_vertical_rules(gray, 10.0)
    assert cols.size == 0
    assert out is gray
