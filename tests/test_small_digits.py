"""At-risk digits printed a few pixels high flag their row's arm (issue 12).

At 4-5 px a "9" and a "5", a "3" and a "1" differ by a pixel or two: the recogniser read sas_018's "235" as
"215" and "89" as "85", mpl_default_010's "319" as "315", each with a score of 0.99 and the same at every
enlargement tried (2-4x), and both figures' readings came out "ok". The run cannot read such digits better, so
it says so: the row is noted and its arm flagged. The rows below are drawn as bars of the digits' height at the
cell boxes the OCR gave on sas_018 (a 313 x 247 px figure).
"""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.digitize import risk_table
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_cells import digit_height_px

# sas_018's first table row as read (texts, scores and boxes of the OCR, strip rows moved to rows 10-19)
_CELLS = [("215", 24, 37), ("175", 58, 72), ("125", 92, 105), ("85", 129, 136), ("56", 161, 170), ("25", 197, 203),
          ("13", 230, 237), ("3", 263, 271), ("0", 296, 305)]


def _figure(glyph_px: int, ink: int = 0) -> np.ndarray:
    """A white figure, a panel above row 100, one row of glyphs ``glyph_px`` high (2 px wide strokes) at row 110."""
    img = np.full((160, 320), 255, np.uint8)
    for _, c0, c1 in _CELLS:
        for c in range(c0 + 1, c1 - 1, 4):
            img[110: 110 + glyph_px, c: c + 2] = ink
    return img


@pytest.mark.parametrize(("glyph_px", "ink"), [(4, 0), (5, 90), (9, 0), (12, 120)])
def test_digit_height_is_the_tallest_ink_in_each_cell(glyph_px, ink):
    img = _figure(glyph_px, ink)
    boxes = [(107, c0, 110 + glyph_px + 3, c1) for _, c0, c1 in _CELLS]
    assert digit_height_px(img, boxes) == pytest.approx(glyph_px, abs=0.01)


def test_digit_height_without_ink_is_infinite():
    assert digit_height_px(np.full((50, 50), 250, np.uint8), [(5, 5, 20, 20)]) == float("inf")


def _read(monkeypatch, glyph_px: int):
    img = _figure(glyph_px)
    words = [TextBox(t, 0.99, 8, c0, 8 + glyph_px + 6, c1) for t, c0, c1 in _CELLS]  # strip rows (below row 100)
    monkeypatch.setattr(risk_table, "_read_small_text", lambda gray: tuple(words))
    return risk_table.read_risk_table(img, panel_bbox=(10, 20, 100, 310),
                                      x_calibration=lambda col: (float(col) - 30.5) / 33.5 * 4.0,
                                      tick_values=[0, 4, 8, 12, 16, 20, 24, 28, 32])


def test_a_row_of_digits_under_six_px_is_noted(monkeypatch):
    table = _read(monkeypatch, 4)
    assert [list(r.n_risk) for r in table.rows] == [[215, 175, 125, 85, 56, 25, 13, 3, 0]]
    assert table.parameters["small_digits"] == [{"row": None, "index": 0, "px": 4.0}]


def test_a_row_of_legible_digits_is_not_noted(monkeypatch):
    table = _read(monkeypatch, 9)
    assert len(table.rows) == 1
    assert not table.parameters.get("small_digits")


def test_small_digits_flag_their_rows_arm():
    from kmrecon.run_table import _table_rows
    from reconstruct.digitize.risk_table import RiskRow, RiskTable

    def row(label, n):
        return RiskRow(label=label, label_color=None, times=np.arange(3) * 4.0, n_risk=np.asarray(n), confidence=0.9,
                       row_px=10.0, label_shade=None, cell_boxes=())

    table = RiskTable(rows=(row("Low risk", [215, 175, 125]), row("Intermediate", [321, 236, 170])), confidence=0.9,
                      parameters={"small_digits": [{"row": "Low risk", "index": 0, "px": 4.0}]})
    notes: list[str] = []
    rows = _table_rows(table, np.full((20, 20), 255, np.uint8), 1.0, notes)
    assert [r.read_alone for r in rows] == [True, False]
    assert any("row Low risk printed in digits 4 px high" in n and "flagged" in n for n in notes)
