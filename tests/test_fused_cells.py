"""JCO "n (events)" cells fused by the OCR (issue 12): the count read from the one reading that fits its row.

The words are what the OCR returned on small JCO tables of the wild corpus (jco_006, jco_011, jco_018):
"(" read as "1" ("26125)" for "26 (25)"), a ")" lost before the next count ("(103190" for "(103) 190"),
and events glued before the next count ("(0)261").
"""

from __future__ import annotations

import pytest

from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_tokens import split_fused_words


def _line(*cells: tuple[str, int, int]) -> list[TextBox]:
    return [TextBox(text, 0.95, 249, c0, 262, c1) for text, c0, c1 in cells]


def _read(words: list[TextBox]) -> list[tuple[str, int, int]]:
    return [(w.text, w.col0, w.col1) for w in split_fused_words(words)]


def test_an_open_parenthesis_read_as_one_is_cut_where_the_count_fits_the_row():
    # jco_006: "33 (18)  26 (25)  23 (28)  15 (34)  5 (38)  2 (39)  0 (39)"
    words = _line(("33(18)", 132, 158), ("26125)", 165, 191), ("23128)", 196, 222), ("15(34)", 228, 253),
                  ("5(38)", 261, 282), ("2139)", 292, 313), ("0(39)", 323, 345))
    got = _read(words)
    assert [t for t, _, _ in got] == ["33", "26", "23", "15", "5", "2", "0"]
    assert got[1][1:] == (165, 191)
    assert got[5][1:] == (292, 313)


def test_a_count_before_its_events_with_a_leading_one():
    # jco_018: "34 (5)  18 (7)  10 (7)": "1817)" is 18 (7), not the events "(1817)"
    got = _read(_line(("34(5)", 268, 290), ("1817)", 305, 327), ("10(7)", 342, 363)))
    assert [t for t, _, _ in got] == ["34", "18", "10"]


def test_two_cuts_that_both_fit_leave_the_word_unread():
    # "24117)" may be 24 (17) or 241 (7); between 300 and 6 both fit: nothing is guessed
    got = _read(_line(("300(2)", 200, 226), ("24117)", 304, 330), ("6(19)", 342, 364)))
    assert [t for t, _, _ in got] == ["300", "24117)", "6"]
    # between 36 and 6 only 24 does
    got = _read(_line(("36(26)", 267, 293), ("24117)", 304, 330), ("6(19)", 342, 364)))
    assert [t for t, _, _ in got] == ["36", "24", "6"]


def test_events_glued_after_a_count_stay_events():
    # "190 1159)": the "(159)" of 190 with its "(" read as "1", set against it: no cell of its own
    got = _read(_line(("190", 10, 38), ("1159)", 40, 60), ("150", 70, 95)))
    assert [t for t, _, _ in got] == ["190", "(1159)", "150"]


def test_a_lost_close_parenthesis_before_a_count():
    # jco_011 row B: "261 (103)  190 (167)  136 (211)  86 (237)" read "(0)261", "(103190", "(167136", "(211)86"
    words = _line(("373", 137, 161), ("(0)261", 164, 215), ("(103190", 218, 275), ("(167136", 278, 335),
                  ("(211)86", 338, 392))
    got = _read(words)
    assert [t for t, _, _ in got] == ["373", "261", "190", "136", "86"]
    # each count's box is its cell "n (events)": centred within 0.1 column step (61 px) of its column
    columns = {"261": 221, "190": 281, "136": 342, "86": 403}
    for text, c0, c1 in got[1:]:
        assert abs((c0 + c1) / 2 - columns[text]) <= 6.1, (text, c0, c1)


@pytest.mark.parametrize("text", ["(103190", "2139)"])
def test_a_fused_word_alone_is_not_guessed(text):
    (word,) = split_fused_words([TextBox(text, 0.9, 0, 218, 10, 275)])
    assert word.text == text


def test_events_read_with_a_letter_for_a_digit_stay_events():
    # jco_018 of the next 190: "... 24 (..)  6 (14)  0 (16)" read "6(1m)" and "0(1a)" at 4-5 px
    words = _line(("24", 304, 330), ("6(1m)", 342, 364), ("0(1a)", 377, 402))
    assert [t for t, _, _ in _read(words)] == ["24", "6", "0"]
    # a count glued to letters outside parentheses is still a name ("A1b"), not a cell
    assert [t for t, _, _ in _read(_line(("A1b", 10, 40)))] == ["A1b"]


def test_a_count_touching_the_count_before_it_stays_a_cell():
    """A '1n1' word touching a count is no "(n)" read with ones for parentheses: JCO tables print real counts
    like 191 close to the cell before (held-out jco_001 lost 7 of 16 cells when such words were joined)."""
    from reconstruct.digitize.risk_tokens import attach_event_counts

    words = _line(("Chemotherapy", 35, 72), ("211", 84, 97), ("191", 98, 110), ("(20)", 112, 130))
    assert [(w.text, w.col0, w.col1) for w in attach_event_counts(words)] == [
        ("Chemotherapy", 35, 72), ("211", 84, 97), ("191", 98, 130)]


def test_a_name_with_a_bracketed_unit_after_a_number_stays_a_name():
    # "(5mg)" is no events count (two letters): "Dose 1(5mg)" is a row label, not "Dose" and a cell "1"
    assert [t for t, _, _ in _read(_line(("Dose 1(5mg)", 10, 80)))] == ["Dose 1(5mg)"]
    # with one letter the bracket could be misread events ("6(1m)" stays the cell 6), but after a word with
    # letters it is taken as part of the name: "Dose 1(5m)" stays one label, not "Dose" and a cell "1"
    assert [t for t, _, _ in _read(_line(("Dose 1(5m)", 10, 80)))] == ["Dose 1(5m)"]
    # a word that is only a cell keeps its misread events; events in digits still split off after a label
    assert [t for t, _, _ in _read(_line(("6(1m)", 342, 364)))] == ["6"]
    assert [t for t, _, _ in _read(_line(("Arm 1(5)", 10, 80)))] == ["Arm", "1"]
