"""A misread cell read again unsure is taken when both readings agree and the count fits its row (issue 12).

The readings are the OCR's on the wild corpus: jco_013 printed "135 (17)" read "13S", read again alone
"135(" at 0.845; lancet_007 "60" read "GO", read again "60" at 0.81. Below the sure score (0.9) either
reading alone leaves the cell unread.
"""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.digitize import risk_cells
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_table import _split_line


def _line(texts: list[str]) -> list[TextBox]:
    return [TextBox(t, 0.95, 334, 93 + 45 * k, 347, 106 + 45 * k) for k, t in enumerate(texts)]


def _reread(monkeypatch, texts, second):
    monkeypatch.setattr(risk_cells, "_read_closer", lambda gray, boxes: [second] * len(boxes))
    line = _split_line([TextBox("Arm B", 1.0, 334, 40, 347, 80), *_line(texts)], 85.0, 450.0)
    (again,), first = risk_cells.reread_doubtful(np.full((400, 500), 255, np.uint8), [line], 85.0, 450.0)
    return [v for _, v in sorted(again.numbers, key=lambda e: e[0].col0)], first


@pytest.mark.parametrize(
    ("texts", "second", "expected"),
    [
        pytest.param(["152", "150", "142", "140", "13S", "124", "19", "0"], ("135(", 0.845),
                     [152, 150, 142, 140, 135, 124, 19, 0], id="jco_013-13S"),
        pytest.param(["95", "91", "78", "GO", "46", "32"], ("60", 0.809), [95, 91, 78, 60, 46, 32], id="lancet_007-GO"),
        # the readings disagree ("GO" is 60, read again 80): left unread
        pytest.param(["95", "91", "78", "GO", "46", "32"], ("80", 0.809), [95, 91, 78, 46, 32], id="disagree"),
        # agree, but 160 does not fit between 78 and 46: left unread
        pytest.param(["95", "91", "78", "IGO", "46", "32"], ("160", 0.85), [95, 91, 78, 46, 32], id="off-the-row"),
        # agree but too unsure
        pytest.param(["95", "91", "78", "GO", "46", "32"], ("60", 0.4), [95, 91, 78, 46, 32], id="too-unsure"),
    ],
)
def test_two_unsure_readings_that_agree_and_fit_the_row_take_the_cell(monkeypatch, texts, second, expected):
    numbers, first = _reread(monkeypatch, texts, second)
    assert numbers == expected
    assert len(first) == (len(expected) == len(texts))  # a cell taken is noted with its first reading


def test_a_cell_before_the_first_number_is_not_taken_on_one_neighbour(monkeypatch):
    # "s0" one column before 46: the readings agree on 50, but only a right neighbour bounds it
    numbers, first = _reread(monkeypatch, ["s0", "46", "32", "20", "9"], ("50", 0.8))
    assert numbers == [46, 32, 20, 9]
    assert first == {}
    numbers, first = _reread(monkeypatch, ["s0", "46", "32", "20", "9"], ("50", 0.95))  # sure: taken as before
    assert numbers == [50, 46, 32, 20, 9]


def _increasing(monkeypatch, first, seconds):
    monkeypatch.setattr(risk_cells, "_read_closer", lambda gray, boxes: list(seconds))
    cells = [(TextBox(str(n), 0.9, 224, 81 + 35 * k, 237, 104 + 35 * k), n) for k, n in enumerate(first)]
    return risk_cells.reread_increasing(np.full((300, 450), 255, np.uint8), cells)


@pytest.mark.parametrize(
    ("first", "seconds", "expected"),
    [
        # jco_003: "6 (120)" read "61201", read again "6(20)" at 0.78: the events fused after the count
        pytest.param([46, 44, 39, 26, 20, 12, 61201, 3, 0],
                     [("46(01", 0.70), ("4(2)", 0.81), ("39(6)", 0.99), ("26(13)", 0.9), ("20<15)", 0.85),
                      ("12 (19)", 0.81), ("6(20)", 0.78), ("3(21)", 0.9), ("0(21)", 0.89)],
                     [46, 44, 39, 26, 20, 12, 6, 3, 0], id="jco_003-events-fused"),
        # base_r_000: "122" read "22", read again "i22" at 0.73: a digit lost
        pytest.param([22, 99, 68, 39, 25], [("i22", 0.73), ("99", 1.0), ("68", 1.0), ("39", 1.0), ("25", 1.0)],
                     [122, 99, 68, 39, 25], id="base_r_000-digit-lost"),
    ],
)
def test_an_unsure_second_reading_nested_in_the_first_mends_an_increasing_row(monkeypatch, first, seconds, expected):
    mended = _increasing(monkeypatch, first, seconds)
    assert mended is not None
    assert mended[0] == expected
    assert mended[1] == pytest.approx(min(s for (_, s), a, b in zip(seconds, first, expected, strict=False) if a != b))


@pytest.mark.parametrize(
    "seconds",
    [
        pytest.param([("i22", 0.45), ("99", 1.0), ("68", 1.0)], id="too-unsure"),
        pytest.param([("128", 0.73), ("99", 1.0), ("68", 1.0)], id="not-nested"),
    ],
)
def test_an_unsure_second_reading_that_does_not_agree_leaves_the_row(monkeypatch, seconds):
    assert _increasing(monkeypatch, [22, 99, 68], seconds) is None


def test_cells_taken_from_unsure_or_ink_readings_flag_their_rows_arm():
    # review of stop 28: a row mended by unsure closer readings (score 0.5-0.9), or given a cell read from its ink
    # where the detector found none, was only noted ("reread") or not at all, and its arm not flagged
    from kmrecon.run_table import _table_rows
    from reconstruct.digitize.risk_table import RiskRow, RiskTable

    def row(label, n):
        return RiskRow(label=label, label_color=None, times=np.arange(3) * 6.0, n_risk=np.asarray(n), confidence=0.9,
                       row_px=10.0, label_shade=None, cell_boxes=())

    params = {"reread": [{"row": "A", "index": 0, "time": 6.0, "first": 180, "second": 100}],
              "reread_unsure": [{"row": "B", "index": 1, "time": 12.0, "first": 180, "second": 18}],
              "read_in_gap": [{"row": "C", "index": 2, "time": 12.0, "count": 1}]}
    table = RiskTable(rows=(row("A", [200, 100, 50]), row("B", [200, 150, 18]), row("C", [9, 4, 1]),
                            row("D", [9, 4, 1])), confidence=0.9, parameters=params)
    notes: list[str] = []
    rows = _table_rows(table, np.full((20, 20), 255, np.uint8), 1.0, notes)
    assert [r.read_alone for r in rows] == [False, True, True, False]  # a sure closer reading flags nothing
    assert any("unsure: 18" in n and "flagged" in n for n in notes)
    assert any("row C at t=12 read from its ink: 1" in n and "flagged" in n for n in notes)


def test_a_mend_by_unsure_readings_has_its_unsure_score(monkeypatch):
    # the score returned is what risk_table routes on: under SURE_SCORE, the cells go to "reread_unsure"
    mended = _increasing(monkeypatch, [22, 99, 68, 39, 25],
                         [("i22", 0.73), ("99", 1.0), ("68", 1.0), ("39", 1.0), ("25", 1.0)])
    assert mended is not None and mended[1] == pytest.approx(0.73) and mended[1] < risk_cells.SURE_SCORE


def test_a_cell_read_with_a_percent_sign_is_read_again(monkeypatch):
    # survminer_classic_002 (digits 4 px high) printed "155" at t=12, read "15%" at 0.998: taken for 15, the row
    # 247 243 232 215 15 . 0 kept a wrong cell. A count has no percent sign: the cell is read again alone.
    from reconstruct.digitize.risk_table import as_count

    assert as_count("15%") is None
    assert as_count("155") == 155
    numbers, first = _reread(monkeypatch, ["247", "243", "232", "215", "15%", "0"], ("155", 0.97))
    assert numbers == [247, 243, 232, 215, 155, 0]
    assert list(first.values()) == ["15%"]
