"""The error of a table with more or fewer rows than curves names the curves, the rows and the likely causes."""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.arm_matching import ArmCurve, RiskRowInfo, match_arms_to_rows
from reconstruct.errors import ReconstructionError


def _curve(colour) -> ArmCurve:
    return ArmCurve(label=None, colour=colour, time=np.array([0.0, 5.0, 10.0]), survival=np.array([1.0, 0.8, 0.6]))


def _row(label) -> RiskRowInfo:
    return RiskRowInfo(label=label, colour=None, time=np.array([0.0, 5.0]), n_risk=np.array([50, 40]))


def test_fewer_rows_than_curves_says_which_curve_is_a_paler_shade_of_another():
    # scan_009-like: a black arm, its ribbon's border traced in #9a9a9a, and a #767676 arm; two rows read
    arms = [_curve((19, 19, 19)), _curve((154, 154, 154)), _curve((118, 118, 118))]
    with pytest.raises(ReconstructionError) as caught:
        match_arms_to_rows(arms, [_row("Observation"), _row(None)])
    message = str(caught.value)
    assert message.startswith("expected one at-risk row per curve, got 2 row(s) for 3 curve(s): a curve left over may "
                              "be a confidence band's edge")
    assert "(curves: 1 #131313, " in message
    assert "2 #9a9a9a (a paler shade of curve 1)" in message
    assert "3 #767676 (a paler shade of curve 1)" in message
    assert "rows: 'Observation', row 2 unlabelled" in message
    assert message.endswith("pass the table with --at-risk")


def test_more_rows_than_curves_says_arms_may_share_a_line():
    arms = [_curve((31, 119, 180)), _curve(None)]
    with pytest.raises(ReconstructionError) as caught:
        match_arms_to_rows(arms, [_row("A"), _row("B"), _row("C")])
    message = str(caught.value)
    assert message.startswith("expected one at-risk row per curve, got 3 row(s) for 2 curve(s): two arms may be drawn "
                              "in one ink")
    assert "(curves: 1 #1f77b4, 2 no colour; rows: 'A', 'B', 'C')" in message
    # a blue and an orange: neither is a paler shade of the other
    orange = [_curve((31, 119, 180)), _curve((255, 127, 14))]
    with pytest.raises(ReconstructionError, match=r"curves: 1 #1f77b4, 2 #ff7f0e;"):
        match_arms_to_rows(orange, [_row("A")])
