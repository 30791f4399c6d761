"""``kmrecon run``'s arm matching: follow-up decides only where the reconstruction's fit prefers no other pairing."""

from __future__ import annotations

import pytest

import kmrecon.run_arms as run_arms
from reconstruct.errors import ReconstructionError
from tests.test_arm_matching import _tail_pair


def _scorer(costs):
    def make(arms, rows, **_):
        return lambda k, j: costs[k][j]
    return make


def test_follow_up_decides_when_the_fit_agrees(monkeypatch):
    short, long, row_short, row_long = _tail_pair()
    monkeypatch.setattr(run_arms, "pair_scorer", _scorer([[0.5, 0.2], [0.2, 0.5]]))  # prefers (1, 0) by 0.6
    match, note = run_arms.match_by_fit([short, long], [row_long, row_short], precision=0.002, method="guyot",
                                        marks=None)
    assert match.rows == (1, 0)
    assert "follow-up rules out curve 2 from row 2" in match.detail
    assert note == ""


def test_follow_up_against_the_fits_preference_is_an_ambiguity_error(monkeypatch):
    # The fit prefers the other pairing by 0.6, within its margin of 1: it cannot override follow-up, nor
    # can follow-up (counted on the trace) overrule it. Nothing decides: an error, not a guess.
    short, long, row_short, row_long = _tail_pair()
    monkeypatch.setattr(run_arms, "pair_scorer", _scorer([[0.2, 0.5], [0.5, 0.2]]))
    with pytest.raises(ReconstructionError, match=r"follow-up puts rows \[1, 0\] on the curves, but the recon"):
        run_arms.match_by_fit([short, long], [row_long, row_short], precision=0.002, method="guyot", marks=None)
