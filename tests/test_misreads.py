"""Misread axes and at-risk cells (issue 12): the panel corner behind a glued "0.0" label, a second reading
of the cells of an increasing at-risk row, and the panel tried next when the first one's x labels are unreadable.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconstruct.digitize import axes as _axes
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_cells import count_of, mend_row, reread_increasing


def test_corner_takes_the_axis_crossing_the_x_axis_not_the_rotated_title():
    # jco_010's bands: the rotated y title's baseline (col 50) is the leftmost vertical; the x axis (row 163)
    # reaches col 60 because the "0.0" label is glued to its end; the y axis (col 77) crosses it.
    verticals = [(50, 51, 27, 144), (77, 78, 8, 175)]
    horizontals = [(163, 164, 60, 315)]
    found = None
    for gaps in ((4, 6), (20, 19)):
        found = found or _axes._corner_panel(verticals, horizontals, *gaps)
    row0, col0, row1, col1, x_axis, y_axis = found[:6]
    assert y_axis == pytest.approx(77.0)
    assert (row0, col0, row1, col1) == (8, 78, 163, 315)


def test_corner_ignores_a_frame_edge_far_right_of_the_x_axis_start():
    # base R: the axes are drawn apart (x axis from col 71, y axis at col 57) and a box's right edge at 406
    # crosses the x axis; the looser second pass must still take the y axis, not the box's edge
    verticals = [(57, 58, 10, 286), (406, 407, 10, 286)]
    horizontals = [(9, 10, 59, 407), (285, 286, 71, 395)]
    assert _axes._corner_panel(verticals, horizontals, 4, 6) is None
    found = _axes._corner_panel(verticals, horizontals, 24, 28)
    assert found[5] == pytest.approx(57.0)


@pytest.mark.parametrize(("text", "count"), [("122 (0)", 122), ("I12", 112), ("[150", 150), ("0 (259)", 0),
                                             ("B61", None), ("0.5", None), ("", None), ("(12)", None)])
def test_count_of_a_cell_read_alone(text, count):
    assert count_of(text) == count


def test_mend_row_takes_the_one_mending_cell():
    assert mend_row([50, 91, 49, 25, 0], [150, 91, None, 25, 0]) == [150, 91, 49, 25, 0]
    # "149" for "49" (a stray stroke read as 1) would not mend the row: the cell keeps its first reading
    assert mend_row([50, 91, 49, 25], [150, 91, 149, 25]) == [150, 91, 49, 25]


def test_mend_row_refuses_what_the_second_reading_does_not_decide():
    # a second reading that does not mend the row, and two single cells that each would
    assert mend_row([132, 130, 20, 40, 0], [132, 130, 29, 40, 0]) is None
    assert mend_row([90, 95, 80], [99, 95, 80]) == [99, 95, 80]
    assert mend_row([90, 95, 80], [99, 85, 80]) is None
    assert mend_row([5, 9, 2], [None, None, None]) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 400), min_size=2, max_size=9),
       st.lists(st.one_of(st.none(), st.integers(0, 400)), min_size=9, max_size=9))
def test_mend_row_never_returns_an_increasing_row(first, second):
    mended = mend_row(first, second[: len(first)])
    if mended is not None:
        assert len(mended) == len(first)
        assert np.all(np.diff(mended) <= 0)
        assert all(m == f or m == s for m, f, s in zip(mended, first, second, strict=False))


def _cells_image(texts, scale=0.5):
    """White strip with each number printed by OpenCV's Hershey font; the box of each number."""
    gray = np.full((40, 60 * len(texts) + 20), 255, np.uint8)
    boxes = []
    for k, text in enumerate(texts):
        (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        col, row = 20 + 60 * k, 25
        cv2.putText(gray, text, (col, row), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 1, cv2.LINE_AA)
        boxes.append(TextBox(text, 0.95, row - h - 1, col - 1, row + base, col + w + 1))
    return gray, boxes


def test_reread_mends_a_first_digit_lost_by_the_first_reading():
    gray, boxes = _cells_image(["150", "91", "49", "25", "0"])
    first = [50, 91, 49, 25, 0]  # the "1" of 150 lost by the first reading
    mended = reread_increasing(gray, list(zip(boxes, first, strict=True)))
    assert mended is not None
    assert mended[0] == [150, 91, 49, 25, 0]
    assert 0.9 <= mended[1] <= 1.0


def test_reread_leaves_a_row_that_never_increases():
    gray, boxes = _cells_image(["150", "91", "49"])
    assert reread_increasing(gray, list(zip(boxes, [150, 91, 49], strict=True))) is None


def test_pool_readings_outvotes_a_label_misread_in_one_reading():
    from reconstruct.digitize.axis_labels import pool_readings

    cols = np.array([34.0, 67.7, 101.6, 135.0, 170.2])
    # first reading: two labels, "12" read as "11" (two labels always fit a line); second: three right ones
    first = (cols[[0, 2]], np.array([0.0, 11.0]))
    second = (cols[[0, 1, 3]], np.array([0.0, 6.0, 18.0]))
    px, values = pool_readings(first, second)
    np.testing.assert_allclose(px, cols[[0, 1, 3]])
    np.testing.assert_allclose(values, [0.0, 6.0, 18.0])


def test_pool_readings_needs_three_ticks_on_one_line():
    from reconstruct.digitize.axis_labels import pool_readings

    cols = np.array([34.0, 67.7, 101.6, 135.0])
    assert pool_readings((cols[[0, 1]], np.array([0.0, 6.0])), None) is None
    assert pool_readings((cols[[0, 1]], np.array([0.0, 6.0])), (cols[[0, 1]], np.array([0.0, 6.0]))) is None
    # the second reading's "11" at the tick of 12 is off the line: the first reading's 12 stands
    px, values = pool_readings((cols[[0, 1, 2]], np.array([0.0, 6.0, 12.0])),
                               (cols[[0, 2, 3]], np.array([0.0, 11.0, 18.0])))
    np.testing.assert_allclose(px, cols)
    np.testing.assert_allclose(values, [0.0, 6.0, 12.0, 18.0])


def test_the_next_panel_is_tried_when_the_first_panels_labels_cannot_be_read(monkeypatch):
    from reconstruct.digitize import figure
    from reconstruct.errors import CalibrationError

    tried = []

    def calibrate(gray, panel, *, notes, **how):
        tried.append(panel)
        if panel == "table box":
            raise CalibrationError("expected readable x tick labels at 3 ticks, got too few numbers")
        notes.append(f"calibrated {panel}")
        return ("x", "y", "proportion")

    monkeypatch.setattr(figure, "calibrate_axes", calibrate)
    monkeypatch.setattr(figure, "panels", lambda work: iter(["table box", "plot", "censoring plot"]))
    notes: list[str] = []
    panel, calibration = figure._calibrated_panel(None, None, notes=notes)
    assert (panel, calibration, tried, notes) == ("plot", ("x", "y", "proportion"), ["table box", "plot"],
                                                   ["calibrated plot"])
    # no panel calibrates: the first panel's error, after at most three panels; none of them is tried again with
    # the tick grid's vote unless its x labels alone failed (XTickLabelError)
    monkeypatch.setattr(figure, "panels", lambda work: iter(["table box"] * 5))
    tried.clear()
    with pytest.raises(CalibrationError, match="readable x tick labels"):
        figure._calibrated_panel(None, None, notes=notes)
    assert len(tried) == figure._PANEL_TRIES


def test_label_words_leave_out_a_rotated_title_and_three_row_tick_marks():
    from reconstruct.digitize.panel_labels import _words

    # survminer_minimal_011: "0.75" (two glyphs and a dot) beside the rotated y title, whose letters stack into a
    # column 60 rows tall, and "0.00" with its anti-aliased tick mark three rows high just right of it
    label = [[77, 26, 86, 32], [83, 33, 86, 35], [77, 36, 86, 42], [77, 43, 86, 49]]
    title = [[60, 7, 90, 18], [90, 7, 120, 18]]
    zero = [[262, 26, 271, 32], [268, 33, 271, 35], [262, 36, 271, 42], [262, 43, 271, 49], [265, 53, 268, 57]]
    words = _words(np.array(label + title + zero, dtype=np.int64)).tolist()
    assert [77, 26, 86, 49] in words  # the label alone, not joined to the title
    assert [262, 26, 271, 49] in words  # the label without its tick mark: right-aligned with the others
    assert not any(w[1] <= 18 for w in words)


@pytest.mark.parametrize(("text", "cell"), [("GO", True), ("s0", True), ("B1", True), ("60", False), ("O", False),
                                            ("Group", False), ("Arm", False), ("12345", False)])
def test_a_misread_cell_is_a_short_word_of_digits_and_digit_like_letters(text, cell):
    from reconstruct.digitize.risk_tokens import looks_like_cell

    assert looks_like_cell(text) is cell


def test_a_misread_cell_keeps_its_word_whole_and_its_row_its_numbers():
    # lancet_007: "60" read as "GO" between the row's numbers voided the row (taken for a legend's words)
    from reconstruct.digitize.risk_table import _split_line
    from reconstruct.digitize.risk_tokens import split_fused_words

    assert [w.text for w in split_fused_words([TextBox("s0", 0.6, 0, 60, 23, 76)])] == ["s0"]
    texts = ["95", "91", "78", "GO", "46", "32"]
    row = [TextBox(t, 0.9, 64, 66 + 30 * k, 75, 76 + 30 * k) for k, t in enumerate(texts)]
    line = _split_line([TextBox("Intermediate", 0.9, 64, 5, 75, 55), *row], 60.0, 260.0)
    assert [v for _, v in line.numbers] == [95, 91, 78, 46, 32]
    assert [w.text for w in line.doubtful] == ["GO"]
    assert line.label_text == "Intermediate"


def test_a_misread_cell_read_again_takes_its_number_or_is_left_unread():
    from reconstruct.digitize.risk_cells import reread_doubtful
    from reconstruct.digitize.risk_table import _split_line

    gray, boxes = _cells_image(["95", "91", "78", "60", "46"])
    misread = [dataclasses.replace(b, text="GO") if b.text == "60" else b for b in boxes]
    line = _split_line(misread, 0.0, float(gray.shape[1]))
    assert [v for _, v in line.numbers] == [95, 91, 78, 46]
    (again,), first = reread_doubtful(gray, [line], 0.0, float(gray.shape[1]))
    assert [v for _, v in sorted(again.numbers, key=lambda e: e[0].col0)] == [95, 91, 78, 60, 46]
    assert again.doubtful == ()
    # the cell taken is known by its first reading, for the notes and the arm's flag
    taken = [w for w, v in again.numbers if v == 60]
    assert len(taken) == 1
    assert first == {id(taken[0]): "GO"}
    # the same word over a blot: no sure reading, the cell is left out and the row keeps the others
    blotted = gray.copy()
    b = boxes[3]
    blotted[b.row0:b.row1, b.col0:b.col1] = 255
    cv2.circle(blotted, ((b.col0 + b.col1) // 2, (b.row0 + b.row1) // 2), 5, 0, -1)
    (left,), first = reread_doubtful(blotted, [line], 0.0, float(gray.shape[1]))
    assert first == {}
    assert [v for _, v in sorted(left.numbers, key=lambda e: e[0].col0)] == [95, 91, 78, 46]
    assert all(w.text != "GO" for w in left.words)


def test_a_label_of_digit_like_letters_set_against_the_first_number_stays_the_label():
    from reconstruct.digitize.risk_table import _split_line

    row = [TextBox(t, 0.9, 64, 100 + 40 * k, 75, 112 + 40 * k) for k, t in enumerate(["95", "78", "46", "32"])]
    line = _split_line([TextBox("B1", 0.9, 64, 80, 75, 92), *row], 60.0, 260.0)  # an arm "B1", inside the slack
    assert line.doubtful == ()
    assert line.label_text == "B1"
    cell = _split_line([TextBox("s0", 0.6, 64, 62, 75, 72), *row], 60.0, 260.0)  # one column before: a cell
    assert [w.text for w in cell.doubtful] == ["s0"]


def test_a_misread_label_along_the_y_axis_is_outvoted(monkeypatch):
    # base_r_013: base R's y labels printed along the axis, read turned upright, "0.4" read as "1.0". Fitted
    # by least squares the survival axis was off by 0.08 (residual 260 px); the robust line drops that label.
    from reconstruct.digitize import axis_labels, ocr

    rows = np.array([530.0, 433.48, 336.48, 239.52, 142.52, 46.0])
    read = [0.0, 0.2, 1.0, 0.6, 0.8, 1.0]
    gray = np.full((600, 700), 255, np.uint8)

    def labels(image, axis, ticks, **_):
        return list(zip(ticks, read, strict=True))

    monkeypatch.setattr(ocr, "read_tick_labels", labels)
    px, values = axis_labels._ocr_ticks_rotated(gray, rows, 120.0, 1.0)
    np.testing.assert_allclose(px, rows[[0, 1, 3, 4, 5]], atol=1e-9)
    np.testing.assert_array_equal(values, [0.0, 0.2, 0.6, 0.8, 1.0])


def test_x_label_word_stops_at_the_gap_before_the_next_label():
    # survminer_bw_014: ticks found at 0, 12, 24, 36 only, labels every 6; the window of the tick at column 165
    # held "6" (column 109) and "12" (162-169), read as "612", and the axis came out 600 months off
    from reconstruct.digitize.label_boxes import _label_word

    six = [333, 108, 339, 112]
    twelve = [[333, 162, 339, 165], [333, 166, 339, 169]]
    comps = np.array([six, *twelve], dtype=np.int64)
    word = _label_word(comps, "x", 165.0, comps)
    assert word[:, 1].min() == 162 and word[:, 3].max() == 169
    # a decimal label keeps its dot and digits (gaps of one pixel), and a speck does not anchor the word
    label = np.array([[10, 40, 16, 44], [15, 45, 16, 46], [10, 47, 16, 51], [10, 52, 16, 56]], dtype=np.int64)
    word = _label_word(label, "x", 47.0, label)
    assert (word[:, 1].min(), word[:, 3].max(), len(word)) == (40, 56, 4)


def test_a_curve_name_in_larger_print_after_an_rms_row_is_not_its_label():
    # 7071 rms_008: rms prints each row's name after its numbers; a curve's name printed along the curve over the row
    # (28 px high against the numbers' 21) joined the row's name: "Intensified Standard"
    from reconstruct.digitize.risk_table import _split_line

    row = [TextBox(t, 0.9, 429, 150 + 70 * k, 450, 170 + 70 * k) for k, t in enumerate(["69", "34", "15", "4"])]
    curve_name = TextBox("Intensified", 0.9, 425, 470, 453, 570)
    line = _split_line([*row, curve_name, TextBox("Standard", 0.9, 429, 610, 450, 670)], 140.0, 450.0)
    assert [v for _, v in line.numbers] == [69, 34, 15, 4]
    assert line.label_text == "Standard"
    # a name in the numbers' print stays part of the label; with only larger words after the row, they are its label
    same = TextBox("Intensified", 0.9, 429, 470, 450, 570)
    assert _split_line([*row, same, TextBox("Standard", 0.9, 429, 610, 450, 670)], 140.0, 450.0).label_text \
        == "Intensified Standard"
    assert _split_line([*row, curve_name], 140.0, 450.0).label_text == "Intensified"
