"""Words printed inside the plot panel (rms curve labels, rms and SAS numbers at risk; issue 12).

Masking a word's glyphs but not the curve under it, finding the lines of numbers at risk printed in the
panel on the x-tick grid, a row name printed after its numbers, SAS rows coloured by their digits, and
a trace whose tail rides on another arm's line after a bare drop.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.arm_shades import glyph_colour
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.panel_text import table_top, text_mask
from reconstruct.digitize.risk_table import _column_times, _split_line
from reconstruct.digitize.trace_check import bare_drop


def _ink(shape=(120, 200)):
    return np.zeros(shape, bool)


def test_text_mask_takes_a_words_glyphs_and_leaves_the_curve_under_it():
    ink = _ink()
    ink[60:62, :] = True  # a curve running right through the word
    ink[52:70, 50:53] = True  # glyph strokes of the word, touching the curve
    ink[52:70, 60:63] = True
    ink[52:58, 70:76] = True  # a lower-case letter, not touching anything
    box = TextBox("Arm", 0.99, 50, 46, 72, 80)
    mask = text_mask(np.zeros((1, 1), np.uint8), (0, 0, 120, 200), ink, boxes=[box])
    assert mask[52:58, 51].all() and mask[64:70, 61].all() and mask[56, 72]
    assert not mask[60:62, :45].any() and not mask[60:62, 82:].any()  # the curve outside the word
    assert not mask[60:62, 40:45].any()
    assert not mask[60, 54:59].any()  # between the strokes the curve's run is longer than 1.5 box heights
    assert not mask[:45].any() and not mask[75:].any()


def test_text_mask_keeps_the_thin_dashes_of_a_dashed_curve_along_the_box():
    ink = _ink()
    for col in range(0, 200, 12):  # dashes 6 px long, 2 px thick, running along the word's top
        ink[50:52, col: col + 6] = True
    ink[53:70, 100:103] = True  # one glyph stroke
    box = TextBox("Chemo", 0.99, 49, 90, 72, 140)
    mask = text_mask(np.zeros((1, 1), np.uint8), (0, 0, 120, 200), ink, boxes=[box])
    assert mask[55:68, 101].all()
    dash_cols = [c for c in range(90, 140) if ink[50, c]]
    assert dash_cols and not mask[50:52, dash_cols].any()


def test_text_mask_takes_the_part_of_a_word_the_panels_edge_cuts():
    ink = _ink()
    ink[117:120, 30:33] = True  # the top 3 rows of letters whose word runs below the panel
    ink[117:120, 40:44] = True
    box = TextBox("Lenvatinib", 0.99, 110, 25, 140, 90)
    mask = text_mask(np.zeros((1, 1), np.uint8), (0, 0, 120, 200), ink, boxes=[box])
    assert mask[117:120, 31].all() and mask[117:120, 42].all()


def test_text_mask_takes_the_stems_of_letters_the_panels_top_edge_cuts():
    # rms_013: a label printed at S = 1 runs over the panel's top; its stems, cut by the edge, are 17 px of a
    # 33 px box and are letters, not lines running on beyond the panel
    ink = _ink()
    ink[0:17, 10:12] = True  # an E's stem from the panel's edge down
    ink[7:9, 10:20] = True
    ink[15:17, 10:20] = True
    ink[4:17, 30:32] = True  # an l and a t reaching up to the edge
    ink[0:17, 40:42] = True
    ink[4:17, 50:58] = True  # a lower-case letter
    box = TextBox("Experimental", 0.99, -8, 8, 25, 60)
    mask = text_mask(np.zeros((1, 1), np.uint8), (0, 0, 120, 200), ink, boxes=[box])
    assert mask[0:17, 10].all() and mask[0:17, 40].all() and mask[8, 15] and mask[10, 31]


def test_text_mask_keeps_a_curves_drop_inside_a_loose_box_above_the_letters():
    # rms_003: OCR boxes the label 'Intensified' with 10 px to spare above its letters, where the dashed curve
    # ends with a drop and a dash; a solid curve running through the word joins its letters into one piece
    ink = _ink()
    ink[30:32, 100:112] = True  # the dashed curve's last dash of its level ...
    ink[32:39, 110:112] = True  # ... its drop, inside the box ...
    ink[38:40, 110:118] = True  # ... and a dash of its new level
    for col in range(40, 100, 8):  # letters of the word, 12 px high, rows 45 to 57
        ink[45:57, col: col + 4] = True
    for k, col in enumerate(range(36, 96, 20)):  # a solid curve stepping down through the word, joining its letters
        ink[52 + 2 * k: 54 + 2 * k, col: col + 20] = True
        ink[52 + 2 * k: 56 + 2 * k, col + 19: col + 20] = True
    box = TextBox("Intensified", 0.99, 34, 38, 60, 104)
    mask = text_mask(np.zeros((1, 1), np.uint8), (0, 0, 120, 200), ink, boxes=[box])
    assert mask[46:56, 41].all() and mask[46:56, 97].all()
    assert not mask[33:40, 110:112].any()


def test_text_mask_finds_glyphs_in_the_clear_ink_not_joined_to_a_dashed_curve_by_jpeg_noise():
    # rms_010: a JPEG's faint noise joins the dashes of a curve's last level, 3 px above a label, to its letters
    ink = _ink()
    for col in range(30, 120, 10):  # the dashed level, 2 px thick, across the top of the box
        ink[40:42, col: col + 6] = True
    for col in range(40, 100, 8):  # letters, rows 45 to 57
        ink[45:57, col: col + 4] = True
    noise = ink.copy()
    noise[42:45, 30:120:3] = True  # faint speckle between them, drawn but not clear
    box = TextBox("Lenvatinib", 0.99, 36, 38, 60, 104)
    joined = text_mask(np.zeros((1, 1), np.uint8), (0, 0, 120, 200), noise, boxes=[box])
    clear = text_mask(np.zeros((1, 1), np.uint8), (0, 0, 120, 200), noise, boxes=[box], core=ink)
    assert joined[40:42, 50:56].all()  # the speckle makes the dashes part of the letters ...
    assert not clear[40:42, 50:56].any() and clear[46:56, 41].all()  # ... the clear ink does not


def _word(text, row, col, height=14, width=20):
    return TextBox(text, 0.99, row, col - width // 2, row + height, col + width // 2)


TICK_COLS = [20.0, 80.0, 140.0, 200.0, 260.0]


def test_table_top_is_the_first_row_of_the_lines_of_numbers_on_the_ticks_at_the_panels_bottom():
    words = [_word(n, 400, c) for n, c in zip(["98", "49", "29", "16"], TICK_COLS, strict=False)]
    words += [_word(n, 420, c) for n, c in zip(["50", "24", "14", "6", "4"], TICK_COLS, strict=True)]
    words += [TextBox("Lenvatinib", 0.99, 420, 300, 434, 380), _word("0.4", 200, 10)]
    assert table_top(words, TICK_COLS, lowest_from=420.0) == 400


def test_table_top_needs_the_numbers_near_the_bottom_and_on_the_ticks():
    high = [_word(n, 100, c) for n, c in zip(["98", "49", "29"], TICK_COLS, strict=False)]
    assert table_top(high, TICK_COLS, lowest_from=420.0) is None
    off_grid = [_word(n, 430, c + 30) for n, c in zip(["98", "49", "29"], TICK_COLS, strict=False)]
    assert table_top(off_grid, TICK_COLS, lowest_from=420.0) is None
    one = [_word("98", 430, 20.0), TextBox("Sorafenib", 0.99, 430, 200, 444, 290)]
    assert table_top(one, TICK_COLS, lowest_from=420.0) is None  # one number is no row


def test_table_top_stops_at_a_gap_wider_than_two_lines():
    words = [_word(n, 300, c) for n, c in zip(["7", "5", "3"], TICK_COLS, strict=False)]  # far above
    words += [_word(n, 430, c) for n, c in zip(["50", "24", "14"], TICK_COLS, strict=False)]
    assert table_top(words, TICK_COLS, lowest_from=420.0) == 430


def test_a_row_name_after_its_numbers_is_the_last_phrase_not_a_curve_label_on_the_line():
    words = [_word(n, 100, c) for n, c in zip(["50", "24", "14"], [20, 80, 140], strict=True)]
    words += [TextBox("Sorafenib", 0.99, 96, 150, 118, 230),  # rms' curve label beside the curve's end
              TextBox("Lenvatinib", 0.99, 100, 330, 114, 400)]
    line = _split_line(words, 0.0, 300.0)
    assert [v for _, v in line.numbers] == [50, 24, 14]
    assert line.label_text == "Lenvatinib"


def test_glyph_colour_is_the_colour_of_coloured_digits_and_none_for_black():
    rgb = np.full((40, 120, 3), 255, np.uint8)
    cv2.putText(rgb, "56", (5, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (68, 90, 150), 2)
    cv2.putText(rgb, "44", (60, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    colour = glyph_colour(rgb, [(5, 0, 32, 50)])
    assert colour is not None and np.allclose(colour, (68, 90, 150), atol=12)
    assert glyph_colour(rgb, [(5, 55, 32, 110)]) is None
    assert glyph_colour(None, [(5, 0, 32, 50)]) is None


def _two_levels():
    """A drawn level at row 20 to column 60, nothing drawn below it, another line at row 70 from 60 on."""
    drawn = np.zeros((100, 200), bool)
    drawn[19:22, 0:61] = True
    drawn[69:72, 60:200] = True
    cols = np.array([0.0, 60.0, 199.0])
    rows = np.array([20.0, 70.0, 70.0])
    return drawn, cols, rows


def test_a_tail_on_another_arms_line_after_a_bare_drop_is_cut_however_long():
    drawn, cols, rows = _two_levels()
    own = np.zeros(200)
    own[:61] = 1.0  # the arm's own ink ends with its level; the tail rides on the other line
    cut_cols, cut_rows, height, _, _ = bare_drop(cols, rows, drawn, 1, own)
    assert cut_cols[-1] == pytest.approx(60.0) and cut_rows[-1] == pytest.approx(20.0) and height == 0.0
    kept_cols, _, kept_height, where, _ = bare_drop(cols, rows, drawn, 1)  # without own ink: a long tail stays
    assert kept_cols[-1] == pytest.approx(199.0) and kept_height == pytest.approx(50.0) and where == 60.0


def test_a_tail_in_the_arms_own_colour_after_a_bare_drop_stays_and_is_reported():
    drawn, cols, rows = _two_levels()
    own = np.ones(200)
    kept_cols, _, height, where, _ = bare_drop(cols, rows, drawn, 1, own)
    assert kept_cols[-1] == pytest.approx(199.0) and height == pytest.approx(50.0) and where == 60.0


def test_a_wide_number_off_the_alignment_goes_to_the_column_its_row_lacks():
    # rms_009: numbers sit right of their ticks; "143" is wider than "65" under the same tick at 0, so
    # under the right-edge alignment it lands 0.31 steps off the grid
    upper = [_word("143", 100, 69, width=15), _word("89", 100, 87, width=10), _word("68", 100, 113, width=10)]
    lower = [_word("65", 114, 65, width=10), _word("45", 114, 87, width=10), _word("33", 114, 113, width=10)]
    table = [_split_line(upper, 0.0, 200.0), _split_line(lower, 0.0, 200.0)]
    times = _column_times(table, None, lambda col: (col - 60.0) / 26.0 * 3.0, [0.0, 3.0, 6.0, 9.0])
    assert [times[id(w)] for w, _ in table[0].numbers] == [0.0, 3.0, 6.0]
    assert [times[id(w)] for w, _ in table[1].numbers] == [0.0, 3.0, 6.0]


def test_an_entry_off_the_grid_stays_off_when_its_row_already_has_the_column():
    upper = [_word("12", 100, 65, width=10), _word("9", 100, 75, width=10), _word("5", 100, 91, width=10)]
    lower = [_word("20", 114, 65, width=10), _word("15", 114, 91, width=10)]
    table = [_split_line(upper, 0.0, 200.0), _split_line(lower, 0.0, 200.0)]
    times = _column_times(table, None, lambda col: (col - 65.0) / 26.0 * 3.0, [0.0, 3.0, 6.0])
    assert [times[id(w)] for w, _ in table[0].numbers] == pytest.approx([0.0, 30.0 / 26.0, 3.0])


def test_an_assumed_unit_y_axis_is_fitted_to_its_end_ticks_when_a_tick_between_was_missed():
    # rms_009: six y ticks (1.0 to 0.0, 39 px apart), the one at 0.4 hidden under a curve; labels unread
    from reconstruct.digitize.axes import PlotPanel, calibrate_axes

    panel = PlotPanel(row0=17, col0=58, row1=212, col1=273, x_axis_row=219.0, y_axis_col=57.0,
                      x_tick_cols=np.array([65.0, 117.0, 168.0, 220.0, 272.0]),
                      y_tick_rows=np.array([211.0, 172.0, 133.0, 56.0, 17.0]), framed=True)
    notes: list[str] = []
    _, y_cal, unit = calibrate_axes(np.full((240, 300), 255, np.uint8), panel, x_range=(0, 24), notes=notes)
    assert unit == "proportion" and y_cal.source == "assumed" and notes
    assert y_cal.to_value([211.0, 133.0, 94.5, 17.0]) == pytest.approx([0.0, 0.4021, 0.6005, 1.0], abs=1e-3)


def test_table_top_takes_in_a_larger_word_printed_over_the_highest_line():
    # 7071 rms_008: a curve's name in larger print over the first row's cells; read from the numbers' top, its top
    # was cut off, it read as small as the numbers, and the row was taken for a header line
    words = [_word(n, 400, c) for n, c in zip(["69", "34"], TICK_COLS, strict=False)]
    words += [_word(n, 420, c) for n, c in zip(["54", "32", "22", "13"], TICK_COLS, strict=False)]
    words += [TextBox("Standard", 0.99, 389, 150, 415, 230)]  # 26 px high, its foot on the line's
    assert table_top(words, TICK_COLS, lowest_from=420.0) == 389
    # a word on the line below only (not over the highest line) leaves the top where it was
    words[-1] = TextBox("Standard", 0.99, 412, 150, 438, 230)
    assert table_top(words, TICK_COLS, lowest_from=420.0) == 400
    # a tall box over the line, its top more than a line height above the line's (a curve's stretch read as a word),
    # leaves it too; one within a line height is taken in
    words[-1] = TextBox("Standard", 0.99, 360, 150, 415, 230)
    assert table_top(words, TICK_COLS, lowest_from=420.0) == 400
    words[-1] = TextBox("Standard", 0.99, 388, 150, 415, 230)
    assert table_top(words, TICK_COLS, lowest_from=420.0) == 388
