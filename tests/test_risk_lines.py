"""Grouping OCR word boxes into text lines of an at-risk table (risk_table._group_lines); rms_009 of seed 7071."""

from __future__ import annotations

from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_table import _group_lines


def _rms_rows() -> list[TextBox]:
    """Two rows printed 12 px apart (20 px boxes): Control over Experimental, as the detector boxed them in
    rms_009 of the seed-7071 set, with "13" over "47" boxed as one "143" and the axis title over "12" ("12Mon")."""
    control = [("48", 368, 136, 387), ("46", 369, 186, 388), ("31", 368, 243, 386), ("5", 368, 479, 387),
               ("Control", 367, 562, 386)]
    experimental = [("175", 380, 132, 400), ("161", 380, 175, 400), ("143", 380, 234, 400), ("25", 379, 477, 400),
                    ("Experimental", 380, 560, 398)]
    both = [("12Mon", 364, 287, 403), ("143", 367, 416, 400)]  # a box over both rows
    return [TextBox(t, 0.99, r0, c0, r1, c0 + 12 * len(t)) for t, r0, c0, r1 in (*control, *experimental, *both)]


def test_a_box_over_two_close_rows_neither_joins_them_nor_counts_for_either():
    lines = _group_lines(_rms_rows())
    assert [[w.text for w in line] for line in lines] == [
        ["48", "46", "31", "5", "Control"],
        ["175", "161", "143", "25", "Experimental"],
    ]
    assert all(w.col0 != 416 for line in lines for w in line)  # the "143" over both rows is in neither


def test_a_tall_box_over_one_line_joins_it_and_one_over_none_is_a_line_of_its_own():
    words = [TextBox(t, 0.99, 100, 20 + 40 * k, 120, 40 + 40 * k) for k, t in enumerate(["Arm", "90", "70", "50"])]
    over_one = TextBox("(A)", 0.9, 94, 200, 126, 230)  # 32 px tall (1.6x) over this line's centre, row 110
    below = TextBox("Months", 0.9, 140, 60, 175, 140)  # 35 px tall, under the line
    lines = _group_lines([*words, over_one, below])
    assert [[w.text for w in line] for line in lines] == [["Arm", "90", "70", "50", "(A)"], ["Months"]]


def test_lines_without_tall_boxes_are_grouped_as_before():
    words = [TextBox(t, 0.99, r, 20 + 40 * k, r + 13, 40 + 40 * k) for r in (50, 70) for k, t in enumerate("987")]
    assert [[w.text for w in line] for line in _group_lines(words)] == [["9", "8", "7"], ["9", "8", "7"]]
