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
