"""Cells the OCR's detector missed, read from their ink (issue 12): a lone "1" or "0" at the end of a row.

On survminer_bw_008/017, survminer_classic_013, survminer_light_014 and others of the wild corpus the
detector found no text at a cell printed "1" (one narrow glyph) while the other row has that column.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_gaps import read_unread_cells

STEP_PX = 60.0


def _row(texts, with_gap=None):
    """A strip with one number per column (60 px apart, centred); the cells read, leaving out ``with_gap``."""
    gray = np.full((50, 80 + int(STEP_PX) * len(texts)), 255, np.uint8)
    cells = []
    for k, text in enumerate(texts):
        (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.7, 2)
        centre = 60 + int(STEP_PX) * k
        cv2.putText(gray, text, (centre - w // 2, 32), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2, cv2.LINE_AA)
        if k != with_gap:
            cells.append((TextBox(text, 0.99, 12, centre - w // 2 - 1, 40, centre + w // 2 + 1), int(text), 4.0 * k))
    return gray, cells


def _col(time):
    return 60.0 + STEP_PX * time / 4.0


def test_a_lone_one_the_detector_missed_is_read_from_its_ink():
    texts = ["33", "25", "17", "11", "8", "1", "0"]
    gray, cells = _row(texts, with_gap=5)
    found = read_unread_cells(gray, cells, [4.0 * k for k in range(len(texts))], _col, STEP_PX).found
    assert [(v, t) for _, v, t in found] == [(1, 20.0)]
    box = found[0][0]
    assert abs((box.col0 + box.col1) / 2 - _col(20.0)) <= 3  # the ink of the cell, on its column


def test_an_empty_column_or_a_count_that_would_rise_is_not_taken():
    texts = ["33", "25", "17", "11", "8", "1", "0"]
    gray, cells = _row(texts, with_gap=5)
    blank = gray.copy()
    blank[:, int(_col(20.0) - 20): int(_col(20.0) + 20)] = 255
    assert read_unread_cells(blank, cells, [4.0 * k for k in range(7)], _col, STEP_PX).found == ()
    # the same "1" between 8 and 9 would make the row rise: not taken
    rising = [(w, 9 if t == 24.0 else v, t) for w, v, t in cells]
    assert read_unread_cells(gray, rising, [4.0 * k for k in range(7)], _col, STEP_PX).found == ()


def test_only_the_table_columns_are_searched():
    texts = ["33", "25", "17", "11", "8", "1", "0"]
    gray, cells = _row(texts, with_gap=5)
    # no other row holds time 20: nothing is searched there
    columns = [4.0 * k for k in range(7) if k != 5]
    assert read_unread_cells(gray, cells, columns, _col, STEP_PX).found == ()


def test_a_last_column_no_row_holds_is_searched_up_to_the_panel_edge():
    """survminer_bw_018, plotnine_019: the detector missed the last column's lone "0" in every row."""
    from reconstruct.digitize.risk_gaps import with_unread_cells

    texts = ["33", "25", "17", "11", "8", "0"]
    gray, cells = _row(texts, with_gap=5)
    ordered = [(w, v) for w, v, _ in cells]
    table = [(w, t) for w, _, t in cells]  # the other row ends at time 16 as well
    # no edge given, or a panel ending left of the column's centre (_col(20) = 360): not searched
    for last_px, expected in ((None, []), (340.0, []), (_col(20.0) + 10, [(0, 20.0)])):
        times = {id(w): t for w, _, t in cells}
        params: dict = {}
        out = with_unread_cells(gray, list(ordered), times, table, params, "A", last_px=last_px)
        assert [(v, times[id(w)]) for w, v in out][len(cells):] == expected
        assert [(c["count"], c["time"]) for c in params.get("read_in_gap", [])] == expected
    # a blank column past the last one held reads nothing
    blank = gray.copy()
    blank[:, int(_col(20.0) - 25):] = 255
    times = {id(w): t for w, _, t in cells}
    assert with_unread_cells(blank, list(ordered), times, table, {}, "A", last_px=1e4) == ordered


def test_at_most_two_columns_past_the_last_held_are_searched():
    from reconstruct.digitize.risk_gaps import with_unread_cells

    texts = ["40", "33", "25", "17", "11", "8", "5", "2", "0"]
    gray, cells = _row(texts)
    cells = cells[:6]  # held to time 20; "5", "2", "0" at 24, 28, 32 missed in every row
    ordered = [(w, v) for w, v, _ in cells]
    times = {id(w): t for w, _, t in cells}
    out = with_unread_cells(gray, list(ordered), times, [(w, t) for w, _, t in cells], {}, "A", last_px=1e4)
    assert [(v, times[id(w)]) for w, v in out][len(cells):] == [(5, 24.0), (2, 28.0)]  # not the "0" at 32


def _wide(texts, columns=7):
    """:func:`_row` on a strip wide enough for ``columns`` columns (the last ones left blank)."""
    gray, cells = _row(texts)
    pad = np.full((gray.shape[0], 80 + int(STEP_PX) * columns - gray.shape[1]), 255, np.uint8)
    return np.hstack([gray, pad]), cells


def test_blank_cells_after_a_row_where_the_other_row_goes_on_are_zero():
    """rms::survplot (rms_003, rms_014): an arm with no one left at risk prints nothing in the later columns."""
    from reconstruct.digitize.risk_gaps import blank_trailing_cells

    texts = ["33", "25", "17", "11", "8"]
    gray, cells = _wide(texts)
    held = [4.0 * k for k in range(7)]  # the other row holds times 20 and 24 too
    zeros = blank_trailing_cells(gray, cells, held, _col, STEP_PX).cells
    assert [(v, t) for _, v, t in zeros] == [(0, 20.0), (0, 24.0)]
    # only the columns other rows hold: none past them
    assert blank_trailing_cells(gray, cells, held[:5], _col, STEP_PX).cells == ()


def test_ink_in_a_trailing_column_leaves_every_trailing_cell_unread():
    """A glyph the OCR did not read (or a curve over the row) is no blank: nothing is taken, not even the blank."""
    from reconstruct.digitize.risk_gaps import blank_trailing_cells

    gray, cells = _wide(["33", "25", "17", "11", "8", "7", "3"])
    gray[:, int(_col(20.0) - 20): int(_col(20.0) + 20)] = 255  # column 20 blank, the "3" at 24 not read
    held = [4.0 * k for k in range(7)]
    assert blank_trailing_cells(gray, cells[:5], held, _col, STEP_PX) is None
    # faint JPEG-like noise (under 40 grey levels) is still paper
    noisy, cells = _wide(["33", "25", "17", "11", "8"])
    noisy[:, 340:] = 225
    assert [t for _, _, t in blank_trailing_cells(noisy, cells, held, _col, STEP_PX).cells] == [20.0, 24.0]


def test_with_unread_cells_notes_the_blank_zeros():
    from reconstruct.digitize.risk_gaps import with_unread_cells

    gray, cells = _wide(["33", "25", "17", "11", "8"])
    ordered = [(w, v) for w, v, _ in cells]
    times = {id(w): t for w, _, t in cells}
    table = [(w, t) for w, _, t in cells] + [(TextBox("4", 0.99, 60, 355, 88, 365), 20.0)]
    params: dict = {}
    out = with_unread_cells(gray, list(ordered), times, table, params, "A")
    assert [(v, times[id(w)]) for w, v in out][len(cells):] == [(0, 20.0)]
    assert params["blank_as_zero"] == [{"row": "A", "time": 20.0, "why": "blank"}]
    assert "read_in_gap" not in params or params["read_in_gap"] == []


def test_a_time_zero_cell_the_detector_missed_is_read_from_its_ink():
    """7071 sas_008: the first cell of a row ("181") was not detected; the run took 174 from the next cell."""
    texts = ["181", "144", "105", "89", "68"]
    gray, cells = _row(texts, with_gap=0)
    found = read_unread_cells(gray, cells, [4.0 * k for k in range(len(texts))], _col, STEP_PX).found
    assert [(v, t) for _, v, t in found] == [(181, 0.0)]
    # a count under the next cell's (a label's digit, a misread) is no time-0 cell
    low, cells = _row(["18", "144", "105", "89", "68"], with_gap=0)
    assert read_unread_cells(low, cells, [4.0 * k for k in range(len(texts))], _col, STEP_PX).found == ()
    # only the table's first column is searched before the row's first cell
    assert read_unread_cells(gray, cells, [4.0 * k for k in range(1, len(texts))], _col, STEP_PX).found == ()


def test_pale_digits_need_a_paler_blank():
    """Digits printed in a light colour (30 grey levels under the paper): a cell as pale as them is not blank."""
    from reconstruct.digitize.risk_gaps import blank_trailing_cells

    gray, cells = _wide(["33", "25", "17", "11", "8", "4"])
    pale = np.where(gray < 255, 225, 255).astype(np.uint8)
    held = [4.0 * k for k in range(7)]
    assert blank_trailing_cells(pale, cells[:5], held, _col, STEP_PX) is None  # the "4" at 20 is pale, no blank
    blank = pale.copy()
    blank[:, int(_col(20.0) - 25):] = 255
    assert [t for _, _, t in blank_trailing_cells(blank, cells[:5], held, _col, STEP_PX).cells] == [20.0, 24.0]


def test_a_first_cell_read_from_its_ink_is_noted_apart_and_does_not_flag_its_row():
    from reconstruct.digitize.risk_gaps import with_unread_cells

    gray, cells = _row(["181", "144", "105", "89", "68"], with_gap=0)
    ordered = [(w, v) for w, v, _ in cells]
    times = {id(w): t for w, _, t in cells}
    table = [(w, t) for w, _, t in cells] + [(TextBox("200", 0.99, 60, 45, 88, 75), 0.0)]  # the other row's 0
    params: dict = {}
    out = with_unread_cells(gray, list(ordered), times, table, params, "A")
    assert [(v, times[id(w)]) for w, v in out][:1] == [(181, 0.0)]
    assert params["read_first_in_gap"] == [{"row": "A", "time": 0.0, "count": 181}]
    assert params.get("read_in_gap", []) == []  # the notes whose rows are flagged


def _blank_row_and_curve(curve_end: float, marks=None):
    """A row 40, 31, 25, 20, 15 at 0-16 months with blank cells read as 0 at 20 and 24, and its curve
    (exp(-t ln 2 / 12), no censoring) traced to ``curve_end``."""
    from reconstruct.arm_matching import ArmCurve, RiskRowInfo

    row = RiskRowInfo(label="B", colour=None, time=np.array([0.0, 4, 8, 12, 16, 20, 24]),
                      n_risk=np.array([40, 31, 25, 20, 15, 0, 0]), blank_zeros=(20.0, 24.0))
    t = np.linspace(0.0, curve_end, 200)
    curve = ArmCurve(label=None, colour=None, time=t, survival=np.exp(-t / 12.0 * np.log(2.0)),
                     censor_time=None if marks is None else np.asarray(marks, float))
    return row, curve


def _mend(row, curve):
    from kmrecon.run_table import mend_matched_rows
    from reconstruct.arm_matching import ArmMatch

    return mend_matched_rows([row], [row], [False], ArmMatch(rows=(0,), basis="single", detail=""), [curve],
                             [None], recheck=False, precision=0.001, method="guyot", marks=None, time_precision=0.5)


def test_blank_zeros_are_left_unread_when_the_curve_runs_past_them():
    """stata_002 with Group 2's "1" at 20 and 24 painted out: the curve runs to t=26, so 0 at 20 is wrong."""
    row, curve = _blank_row_and_curve(26.0)
    mended = _mend(row, curve)
    assert mended.read[0].time.tolist() == [0, 4, 8, 12, 16]  # the blank cells are not read
    assert mended.filled[0].n_risk.tolist()[:5] == [40, 31, 25, 20, 15]
    assert 0 not in mended.filled[0].n_risk.tolist()
    assert any("blank cells left unread: the curve runs on" in note for note in mended.gaps)
    # a censor mark past the first blank column (curve traced to 18 only) says the same (within 0.5 months)
    row, curve = _blank_row_and_curve(18.0, marks=[17.0, 20.6])
    assert _mend(row, curve).read[0].time.tolist() == [0, 4, 8, 12, 16]


def test_blank_zeros_are_kept_and_noted_when_the_curve_ends_before_them():
    """rms_014: the arm's curve ends at its last censoring before the first blank column."""
    row, curve = _blank_row_and_curve(18.0, marks=[17.0, 20.4])  # a mark within 0.5 of 20 is no run-on
    mended = _mend(row, curve)
    assert mended.read[0].time.tolist() == [0, 4, 8, 12, 16, 20, 24]
    assert mended.read[0].n_risk.tolist()[-2:] == [0, 0]
    assert mended.doubt == (False,)
    for t in (20, 24):
        said = f"at t={t} read as 0 (blank after the row's last number; its curve has ended)"
        assert any(said in note for note in mended.gaps)


def test_the_rows_carry_their_blank_zeros_by_index():
    """``blank_as_zero`` notes (with the row's index, as risk_table gives them) reach that row only."""
    from kmrecon.run_table import _table_rows
    from reconstruct.digitize.risk_table import RiskRow, RiskTable

    rows = tuple(RiskRow(label=lab, label_color=None, times=np.array([0.0, 4, 8]), n_risk=np.array(n),
                         confidence=0.99, row_px=10.0 * k) for k, (lab, n) in enumerate([("A", [9, 5, 2]),
                                                                                          ("B", [8, 1, 0])]))
    table = RiskTable(rows=rows, confidence=0.99,
                      parameters={"blank_as_zero": [{"row": "B", "time": 8.0, "index": 1}]})
    out = _table_rows(table, np.full((40, 40), 255, np.uint8), 1.0, [])
    assert [r.blank_zeros for r in out] == [(), (8.0,)]


def _halving_curve():
    """exp(-t ln 2 / 12) to 30 months: 100 at 0 leaves 79 at 4, 63 at 8, 50 at 12 (no censoring)."""
    from reconstruct.arm_matching import ArmCurve

    t = np.linspace(0.0, 30.0, 301)
    return ArmCurve(label=None, colour=None, time=t, survival=np.exp(-t / 12.0 * np.log(2.0)))


def _ink_row(first, ink=True):
    from reconstruct.arm_matching import RiskRowInfo

    return RiskRowInfo(label="A", colour=None, time=np.array([0.0, 4, 8, 12]), n_risk=np.array([first, 79, 63, 50]),
                       first_from_ink=ink)


def test_a_time_zero_cell_read_from_its_ink_is_held_to_the_curve_more_strictly():
    """An ink-read time-0 cell: under what 79 at 4 months and the curve imply (~99; 85, which the row's numbers
    alone allow), or over twice
    that (250; a cell read by the detector may hold up to 5 times), is set aside."""
    from reconstruct.table_gaps import set_aside_first_cell

    curve = _halving_curve()
    for first, kept_from_ink in ((100, True), (85, False), (250, False)):
        (out,), notes = set_aside_first_cell([_ink_row(first)], [curve], [False], from_ink=[True], precision=0.001,
                                             time_precision=0.1)
        assert bool(out.n_risk[0] == first) is kept_from_ink, first
        assert bool(notes) is not kept_from_ink
    # read by the text detector (not from its ink): kept as before
    for first in (85, 250):
        (out,), notes = set_aside_first_cell([_ink_row(first, ink=False)], [curve], [False], from_ink=[False],
                                             precision=0.001, time_precision=0.1)
        assert out.n_risk[0] == first and not notes
    # through the run: the cell set aside flags the arm and the curve fills it (79 / S(4-) = 99.5)
    from kmrecon.run_table import mend_matched_rows
    from reconstruct.arm_matching import ArmMatch

    row = _ink_row(85)
    mended = mend_matched_rows([row], [row], [False], ArmMatch(rows=(0,), basis="single", detail=""), [curve],
                               [None], recheck=False, precision=0.001, method="guyot", marks=None, time_precision=0.1)
    assert mended.doubt == (True,)
    assert abs(int(mended.filled[0].n_risk[0]) - 100) <= 1
    assert any("read from its ink as 85 is under" in note for note in mended.gaps)


def test_a_time_zero_cell_read_from_its_ink_gives_way_to_the_legend_n():
    """The legend prints n=102 and the ink read 100: the legend's n is taken (exact), the arm not flagged; a legend
    n under the next cell is no n for the row (its arm is flagged)."""
    from kmrecon.run_table import mend_matched_rows
    from reconstruct.arm_matching import ArmMatch

    def run(legend):
        row = _ink_row(100)
        return mend_matched_rows([row], [row], [False], ArmMatch(rows=(0,), basis="single", detail=""),
                                 [_halving_curve()], [legend], recheck=False, precision=0.001, method="guyot",
                                 marks=None, time_precision=0.1)

    mended = run(102)
    assert mended.filled[0].n_risk.tolist() == [102, 79, 63, 50]
    assert mended.doubt == (False,)
    assert any("read from its ink as 100 is not the legend's n=102" in note for note in mended.gaps)
    same = run(100)
    assert same.filled[0].n_risk.tolist() == [100, 79, 63, 50] and same.doubt == (False,)
    assert not any("legend" in note for note in same.gaps)
    low = run(60)
    assert low.doubt == (True,)
    assert abs(int(low.filled[0].n_risk[0]) - 100) <= 1  # from 79 at 4 months and the curve


def test_the_rows_know_a_time_zero_cell_read_from_its_ink():
    from kmrecon.run_table import _table_rows
    from reconstruct.digitize.risk_table import RiskRow, RiskTable

    rows = tuple(RiskRow(label=lab, label_color=None, times=np.array([0.0, 4, 8]), n_risk=np.array(n),
                         confidence=0.99, row_px=10.0 * k) for k, (lab, n) in enumerate([("A", [9, 5, 2]),
                                                                                          ("B", [8, 1, 0])]))
    table = RiskTable(rows=rows, confidence=0.99,
                      parameters={"read_first_in_gap": [{"row": "A", "time": 0.0, "count": 9, "index": 0}]})
    out = _table_rows(table, np.full((40, 40), 255, np.uint8), 1.0, [])
    assert [r.first_from_ink for r in out] == [True, False]


def test_a_curve_running_through_trailing_columns_leaves_them_blank():
    """7071 rms_002: the other arm's curve crosses the row after its last number; a line running out of the
    window (to the left of the column) is no digit, a digit beside it still is."""
    from reconstruct.digitize.risk_gaps import blank_trailing_cells

    gray, cells = _wide(["33", "25", "17", "11", "8"])
    held = [4.0 * k for k in range(7)]
    cv2.line(gray, (300, 27), (gray.shape[1] - 1, 27), 0, 2)  # a curve's flat stretch through the row
    cv2.line(gray, (440, 0), (440, 27), 0, 2)  # and its step, from above
    blanks = blank_trailing_cells(gray, cells, held, _col, STEP_PX)
    assert [(v, t) for _, v, t in blanks.cells] == [(0, 20.0), (0, 24.0)]
    # a dash of a dashed curve, short and flat, inside the window: no digit either
    dashed, cells = _wide(["33", "25", "17", "11", "8"])
    dashed[26:28, int(_col(20.0)) - 5: int(_col(20.0)) + 5] = 0
    assert [t for _, _, t in blank_trailing_cells(dashed, cells, held, _col, STEP_PX).cells] == [20.0, 24.0]
    # a "3" at 24 clear of the curve is a glyph: nothing is taken
    inked, cells = _wide(["33", "25", "17", "11", "8", "7", "3"])
    inked[:, int(_col(20.0) - 20): int(_col(20.0) + 20)] = 255
    cv2.line(inked, (300, 45), (inked.shape[1] - 1, 45), 0, 2)
    assert blank_trailing_cells(inked, cells[:5], held, _col, STEP_PX) is None


def _unsure(monkeypatch, text="0", score=0.45):
    """The recogniser reads every cropped glyph as ``text`` with ``score`` (a 5 px "0": 0.24-0.76 in the corpus)."""
    from reconstruct.digitize import risk_gaps

    monkeypatch.setattr(risk_gaps, "_read_closer", lambda gray, boxes: [(text, score)] * len(boxes))


def test_a_lone_zero_read_unsure_after_the_last_cell_is_kept_apart(monkeypatch):
    """plotnine_019, nejm_011, scan_012: the last column's lone "0" reads "0" at 0.3-0.8, under SURE_SCORE."""
    _unsure(monkeypatch)
    gray, cells = _row(["33", "25", "17", "11", "8", "0"], with_gap=5)
    columns = [4.0 * k for k in range(6)]
    ink = read_unread_cells(gray, cells, columns, _col, STEP_PX)
    assert ink.found == ()  # not a cell by itself
    assert [(v, t) for _, v, t in ink.unsure_zeros] == [(0, 20.0)]
    # a gap before a cell read ("0" read where "8" is) is no zero, nor an unsure reading of another text
    gap, cells = _row(["33", "25", "17", "11", "8", "4"], with_gap=4)
    ink = read_unread_cells(gap, cells, columns, _col, STEP_PX)
    assert ink.found == ()
    assert ink.unsure_zeros == ()
    _unsure(monkeypatch, "a", 0.61)
    assert read_unread_cells(gray, _row(["33", "25", "17", "11", "8", "0"], with_gap=5)[1], columns, _col,
                             STEP_PX).unsure_zeros == ()


def test_with_unread_cells_gives_an_unsure_zero_as_a_blank_zero(monkeypatch):
    """The run keeps it only where the row's curve has ended (the check of blank zeros)."""
    from reconstruct.digitize.risk_gaps import with_unread_cells

    _unsure(monkeypatch, "0", 0.33)
    gray, cells = _row(["33", "25", "17", "11", "8", "0"], with_gap=5)
    ordered = [(w, v) for w, v, _ in cells]
    times = {id(w): t for w, _, t in cells}
    table = [(w, t) for w, _, t in cells] + [(TextBox("3", 0.99, 60, 355, 88, 365), 20.0)]  # the other row's 20
    params: dict = {}
    out = with_unread_cells(gray, list(ordered), times, table, params, "A")
    assert [(v, times[id(w)]) for w, v in out][len(cells):] == [(0, 20.0)]
    assert params["blank_as_zero"] == [{"row": "A", "time": 20.0, "why": "unsure"}]
    assert params.get("read_in_gap", []) == []


def _with_reads(monkeypatch, reads, texts):
    """with_unread_cells on a row printing ``texts`` whose first five cells were read, the other row holding
    20 and 24, the recogniser giving ``reads`` (text, score) to the glyphs it is shown, in column order."""
    from reconstruct.digitize import risk_gaps

    given = iter(reads)
    monkeypatch.setattr(risk_gaps, "_read_closer", lambda gray, boxes: [next(given) for _ in boxes])
    gray, cells = _row(texts)
    cells = cells[:5]
    ordered = [(w, v) for w, v, _ in cells]
    times = {id(w): t for w, _, t in cells}
    table = [(w, t) for w, _, t in cells] + [(TextBox("9", 0.99, 60, 355, 88, 365), 20.0),
                                             (TextBox("4", 0.99, 60, 415, 88, 425), 24.0)]
    params: dict = {}
    out = risk_gaps.with_unread_cells(gray, list(ordered), times, table, params, "A", index=0)
    return [(v, times[id(w)]) for w, v in out][5:], params


def test_a_zero_read_under_the_score_floor_is_no_zero(monkeypatch):
    """Review of 05dfff8: a "6" read "0" at 0.05 was taken as a blank 0 (no score floor)."""
    from reconstruct.digitize.risk_gaps import UNSURE_ZERO_FLOOR

    assert UNSURE_ZERO_FLOOR == pytest.approx(0.2)
    _unsure(monkeypatch, "0", 0.05)
    gray, cells = _row(["33", "25", "17", "11", "8", "6"], with_gap=5)
    assert read_unread_cells(gray, cells, [4.0 * k for k in range(6)], _col, STEP_PX).unsure_zeros == ()
    cells, params = _with_reads(monkeypatch, [("0", 0.05), ("", 0.2)], ["33", "25", "17", "11", "8", "6", "3"])
    assert cells == []
    assert params.get("blank_as_zero", []) == []


def test_an_unsure_zero_before_a_column_with_ink_is_no_zero(monkeypatch):
    """Review of 05dfff8: "6" read "0" (0.45) at 20 and a "3" at 24 the recogniser could not read: 0 then a digit."""
    cells, params = _with_reads(monkeypatch, [("0", 0.45), ("", 0.2)], ["33", "25", "17", "11", "8", "6", "3"])
    assert cells == []
    assert params.get("blank_as_zero", []) == []
    # with every later column blank it is taken, noted as an unsure zero (its arm flagged by the run)
    cells, params = _with_reads(monkeypatch, [("0", 0.45)], ["33", "25", "17", "11", "8", "0"])
    assert cells == [(0, 20.0), (0, 24.0)]
    assert params["blank_as_zero"] == [{"row": "A", "time": 20.0, "why": "unsure", "index": 0},
                                       {"row": "A", "time": 24.0, "why": "blank", "index": 0}]


def test_a_line_through_a_digit_leaves_the_digit():
    """Review of 05dfff8: a 2 px curve through a "7" (and a "3") after the row's last number, a 1 px curve through
    small digits, and a step from above touching a "1" were taken as passing lines, the digits as blank."""
    from reconstruct.digitize.risk_gaps import blank_trailing_cells

    held = [4.0 * k for k in range(7)]
    gray, cells = _row(["33", "25", "17", "11", "8", "7", "3"])
    cv2.line(gray, (300, 25), (gray.shape[1] - 1, 25), 0, 2)
    assert blank_trailing_cells(gray, cells[:5], held, _col, STEP_PX) is None
    ones, cells = _row(["33", "25", "17", "11", "8", "1", "1"])
    ones = np.pad(ones, ((60, 60), (0, 40)), constant_values=255)
    cells = [(TextBox(w.text, w.confidence, w.row0 + 60, w.col0, w.row1 + 60, w.col1), v, t) for w, v, t in cells]
    for t in (20.0, 24.0):
        cv2.line(ones, (int(_col(t)), 0), (int(_col(t)), 80), 0, 1)
    assert blank_trailing_cells(ones, cells[:5], held, _col, STEP_PX) is None


def test_blank_cells_crossed_by_a_line_are_told_apart():
    """A blank granted only once a line through it was set aside is a guess: said, so that the run flags its arm."""
    from reconstruct.digitize.risk_gaps import blank_trailing_cells

    held = [4.0 * k for k in range(7)]
    gray, cells = _wide(["33", "25", "17", "11", "8"])
    assert blank_trailing_cells(gray, cells, held, _col, STEP_PX).crossed == ()
    cv2.line(gray, (300, 27), (gray.shape[1] - 1, 27), 0, 2)  # a flat stroke alone hides no digit
    assert blank_trailing_cells(gray, cells, held, _col, STEP_PX).crossed == ()
    cv2.line(gray, (440, 0), (440, 27), 0, 2)  # the curve's step down through the row, in column 24
    blanks = blank_trailing_cells(gray, cells, held, _col, STEP_PX)
    assert [t for _, _, t in blanks.cells] == [20.0, 24.0]
    assert blanks.crossed == (24.0,)


@pytest.mark.parametrize(("why", "flagged"), [("unsure", True), ("crossed", True), ("blank", False)])
def test_a_guessed_blank_zero_flags_its_arm(why, flagged):
    """Review of 05dfff8: a sure "0" read from its ink flagged its arm, an unsure one (a blank zero) did not."""
    from kmrecon.run_table import _table_rows
    from reconstruct.digitize.risk_table import RiskRow, RiskTable

    rows = tuple(RiskRow(label=lab, label_color=None, times=np.array([0.0, 4, 8]), n_risk=np.array(n),
                         confidence=0.99, row_px=10.0 * k) for k, (lab, n) in enumerate([("A", [9, 5, 2]),
                                                                                          ("B", [8, 1, 0])]))
    table = RiskTable(rows=rows, confidence=0.99,
                      parameters={"blank_as_zero": [{"row": "B", "time": 8.0, "why": why, "index": 1}]})
    out = _table_rows(table, np.full((40, 40), 255, np.uint8), 1.0, [])
    assert [r.read_alone for r in out] == [False, flagged]
    assert out[1].blank_why == (why,)


def test_an_unsure_zero_is_refused_where_the_curve_runs_to_the_axis_end():
    """Review of 05dfff8: a last-column "8" read "0" unsure, the curve cut by the panel's edge at 24 (or within a
    column step of it): the curve has not ended, the 0 is no reading. Ended at 18, the 0 is kept and said so."""
    from dataclasses import replace

    from kmrecon.run_table import mend_matched_rows
    from reconstruct.arm_matching import ArmMatch

    for end, kept in ((24.0, False), (21.0, False), (18.0, True)):
        row, curve = _blank_row_and_curve(end)
        row = replace(row, n_risk=np.array([40, 31, 25, 20, 15, 11, 0]), blank_zeros=(24.0,), blank_why=("unsure",))
        mended = mend_matched_rows([row], [row], [True], ArmMatch(rows=(0,), basis="single", detail=""), [curve],
                                   [None], recheck=False, precision=0.001, method="guyot", marks=None,
                                   time_precision=0.5, x_end=24.0)
        assert (24.0 in mended.read[0].time.tolist()) is kept, end
        said = "at t=24 read as 0 (a lone 0 read unsure after the row's last number; its curve has ended; its arm"
        assert any(said in note for note in mended.gaps) is kept
        assert mended.doubt == (True,)


def test_a_column_no_row_holds_between_held_columns_is_searched_on_the_grid():
    """8081 survminer_bw_003/005: a one-row table whose lone "1" (36 months) the detector missed; no other row
    holds that column, but the table's other columns lie on a 6-month grid, so it is a column and is read."""
    from reconstruct.digitize.risk_gaps import grid_columns, with_unread_cells

    gray, cells = _row(["33", "25", "17", "11", "8", "1", "0"], with_gap=5)
    ordered = [(w, v) for w, v, _ in cells]
    times = {id(w): t for w, _, t in cells}
    params: dict = {}
    out = with_unread_cells(gray, list(ordered), times, [(w, t) for w, _, t in cells], params, "A", index=0)
    assert [(v, times[id(w)]) for w, v in out] == [(33, 0.0), (25, 4.0), (17, 8.0), (11, 12.0), (8, 16.0),
                                                    (1, 20.0), (0, 24.0)]
    assert params["read_in_gap"] == [{"row": "A", "time": 20.0, "count": 1, "index": 0}]  # its arm is flagged
    # held times off one grid (within 0.05 steps) add no column
    assert grid_columns([0.0, 4.0, 8.0, 12.0, 16.0, 24.0], 4.0) == [0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0]
    assert grid_columns([0.0, 4.0, 9.0, 16.0], 4.0) == [0.0, 4.0, 9.0, 16.0]
    assert grid_columns([0.0, 4.1, 8.0, 16.0], 4.0) == [0.0, 4.1, 8.0, 12.0, 16.0]  # 0.025 steps off: on the grid


def test_columns_filled_in_leave_the_columns_past_the_last_as_they_were():
    """Two columns past the last held one are still searched when a column between them was filled in."""
    from reconstruct.digitize.risk_gaps import with_unread_cells

    gray, cells = _row(["40", "33", "25", "17", "11", "8", "5", "2", "0"])
    cells = [c for k, c in enumerate(cells[:6]) if k != 3]  # held 0-20 but 12; "5", "2", "0" missed in every row
    ordered = [(w, v) for w, v, _ in cells]
    times = {id(w): t for w, _, t in cells}
    out = with_unread_cells(gray, list(ordered), times, [(w, t) for w, _, t in cells], {}, "A", last_px=1e4)
    assert [(v, times[id(w)]) for w, v in out] == [(40, 0.0), (33, 4.0), (25, 8.0), (17, 12.0), (11, 16.0), (8, 20.0),
                                                    (5, 24.0), (2, 28.0)]
