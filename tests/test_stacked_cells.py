"""A count whose box spans two close rows is read again as two cells (issue 12).

rms_003 prints its two at-risk rows 12 px apart; the text detector joined the Standard row's "47" at 24 months to
the Intensified row's "57" under it in one box (rows 111-145, twice a cell's height) read "57", which went to the
upper row (a wrong cell) and left the lower one's cell out. The boxes below are the OCR's on that figure.
"""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.digitize import risk_cells
from reconstruct.digitize.ocr import TextBox

_UPPER = [TextBox(t, 1.0, 112, c, 132, c + 20) for t, c in [("460", 110), ("382", 142), ("328", 183), ("104", 312)]]
_LOWER = [TextBox(t, 1.0, 124, c, 144, c + 21) for t, c in [("494", 107), ("425", 146), ("370", 184), ("138", 313)]]
_STACKED = TextBox("57", 0.687, 111, 357, 145, 379)


def _split(monkeypatch, readings, words):
    seen = []

    def closer(gray, boxes):
        seen.extend(boxes)
        return readings[: len(boxes)]

    monkeypatch.setattr(risk_cells, "_read_closer", closer)
    return risk_cells.split_stacked_cells(np.full((200, 520), 255, np.uint8), words), seen


def test_a_box_over_two_rows_is_read_as_one_cell_of_each(monkeypatch):
    out, seen = _split(monkeypatch, [("47", 0.95), ("57", 0.98)], [*_UPPER, _STACKED, *_LOWER])
    assert seen == [(111, 357, 128, 379), (128, 357, 145, 379)]  # cut midway between the rows' centres 122 and 134
    cells = [(w.text, w.row0, w.row1) for w in out if w.col0 == 357]
    assert cells == [("47", 111, 128), ("57", 128, 145)]
    assert len(out) == len(_UPPER) + len(_LOWER) + 2


def test_an_unsure_half_is_left_out(monkeypatch):
    out, _ = _split(monkeypatch, [("47", 0.6), ("57", 0.98)], [*_UPPER, _STACKED, *_LOWER])
    assert [w.text for w in out if w.col0 == 357] == ["57"]


@pytest.mark.parametrize("words", [[*_UPPER, _STACKED], [_STACKED, *_LOWER]])
def test_a_tall_box_without_a_line_on_each_side_stays(monkeypatch, words):
    out, seen = _split(monkeypatch, [("47", 0.95), ("57", 0.98)], words)
    assert out == words
    assert seen == []


# Two rows of five columns (0-24 months) 12 px apart in the strip under the panel, as rms_003's; the detector
# joined the last column's two cells in one box (rows 11-45) read "57"
_COLS = (40, 100, 160, 220, 280)
_TOP = [TextBox(t, 0.99, 12, c, 32, c + 20) for t, c in zip(("460", "382", "328", "104"), _COLS, strict=False)]
_BOTTOM = [TextBox(t, 0.99, 24, c, 44, c + 20) for t, c in zip(("494", "425", "370", "138"), _COLS, strict=False)]
_JOINED = TextBox("57", 0.687, 11, 280, 45, 300)


def _read_table(monkeypatch, readings):
    from reconstruct.digitize import risk_table

    monkeypatch.setattr(risk_table, "_read_small_text", lambda gray: (*_TOP, _JOINED, *_BOTTOM))
    monkeypatch.setattr(risk_cells, "_read_closer", lambda gray, boxes: readings[: len(boxes)])
    return risk_table.read_risk_table(np.full((160, 320), 255, np.uint8), panel_bbox=(10, 20, 100, 310),
                                      x_calibration=lambda col: (float(col) - 49.5) / 60.0 * 6.0,
                                      tick_values=[0, 6, 12, 18, 24])


def test_cells_split_out_of_a_stacked_box_are_noted_with_their_rows(monkeypatch):
    table = _read_table(monkeypatch, [("47", 0.95), ("57", 0.98)])
    assert [list(r.n_risk) for r in table.rows] == [[460, 382, 328, 104, 47], [494, 425, 370, 138, 57]]
    assert table.parameters["read_stacked"] == [{"row": None, "index": 0, "time": 24.0, "count": 47},
                                                {"row": None, "index": 1, "time": 24.0, "count": 57}]


def test_a_table_without_stacked_boxes_notes_none(monkeypatch):
    from reconstruct.digitize import risk_table

    monkeypatch.setattr(risk_table, "_read_small_text", lambda gray: (*_TOP, *_BOTTOM))
    table = risk_table.read_risk_table(np.full((160, 320), 255, np.uint8), panel_bbox=(10, 20, 100, 310),
                                       x_calibration=lambda col: (float(col) - 49.5) / 60.0 * 6.0,
                                       tick_values=[0, 6, 12, 18, 24])
    assert len(table.rows) == 2
    assert "read_stacked" not in table.parameters


def test_a_row_with_a_cell_split_out_of_a_stacked_box_flags_its_arm():
    from kmrecon.run_table import _table_rows
    from reconstruct.digitize.risk_table import RiskRow, RiskTable

    def row(label, n):
        return RiskRow(label=label, label_color=None, times=np.arange(3) * 12.0, n_risk=np.asarray(n), confidence=0.9,
                       row_px=10.0, label_shade=None, cell_boxes=())

    table = RiskTable(rows=(row("Standard", [460, 328, 47]), row("Intensified", [494, 370, 138])), confidence=0.9,
                      parameters={"read_stacked": [{"row": "Standard", "index": 0, "time": 24.0, "count": 47}]})
    notes: list[str] = []
    rows = _table_rows(table, np.full((20, 20), 255, np.uint8), 1.0, notes)
    assert [r.read_alone for r in rows] == [True, False]
    assert notes == ["at-risk table: row Standard at t=24 read as two stacked cells: 47 (its box ran over the next "
                     "row's cell, cut between the rows and read again alone); its arm is flagged"]
