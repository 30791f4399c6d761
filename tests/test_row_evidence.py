"""An at-risk row as evidence of follow-up: under two cells, rising or starting at 0 is none."""

from __future__ import annotations

import pytest

from reconstruct.row_evidence import first_zero, row_is_evidence


@pytest.mark.parametrize(("time", "n", "evidence", "zero"), [
    ([0, 6, 12, 18], [120, 80, 31, 0], True, 3),
    ([0, 6, 12, 18], [120, 80, 0, 0], True, 2),
    ([0, 6, 12], [120, 80, 31], True, None),
    ([0, 6, 12], [120, 130, 31], False, None),  # rising: a misread
    ([0, 6], [0, 0], False, None),  # starting at 0
    ([0], [120], False, None),  # one cell
])
def test_row_evidence_and_first_zero(time, n, evidence, zero):
    assert row_is_evidence(time, n) is evidence
    assert first_zero(time, n) == zero
