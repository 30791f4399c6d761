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
