"""``kmrecon run``'s arm matching: follow-up decides only where the reconstruction's fit prefers no other pairing."""

from __future__ import annotations

import pytest

import kmrecon.run_arms as run_arms
from reconstruct.errors import AmbiguousMatchError, ReconstructionError
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


def _rows_and_cleaned():
    import numpy as np

    from reconstruct.arm_matching import ArmCurve, RiskRowInfo

    t = np.linspace(0.0, 30.0, 61)
    arms = [ArmCurve(None, None, t, np.exp(-t / 10.0)), ArmCurve(None, None, t, np.exp(-t / 20.0))]
    rows = [RiskRowInfo("Placebo", None, np.arange(5) * 6.0, np.array([190, 125, 50, 35, 15])),
            RiskRowInfo("Nivolumab", None, np.arange(5) * 6.0, np.array([202, 140, 75, 40, 20]))]
    cleaned = [RiskRowInfo("Nivolumab", None, np.arange(5) * 6.0, np.array([202, 140, 75, 40, 20])),
               RiskRowInfo("Placebo", None, np.array([0.0, 6.0, 24.0]), np.array([190, 125, 15]))]
    return arms, rows, cleaned


@pytest.mark.parametrize(
    ("basis", "again", "raises"),
    [
        pytest.param("numbers", (1, 0), None, id="same-match-without-the-misreads"),
        pytest.param("numbers", (0, 1), r"numbers put rows \[1, 0\] on the curves .* rows \[0, 1\] without",
                     id="other-match-without-the-misreads"),
        pytest.param("fit", None, r"nothing decides without them; name", id="no-match-without-the-misreads"),
        # the reasons the match without them gives are the error's (jco_008 of the wild corpus)
        pytest.param("numbers", "why", r"nothing decides without them \(legend labels read for 1 of 2 curves; the "
                     r"step counts rate rows \[0, 1\] and \[1, 0\] about equally\); name", id="no-match-says-why"),
        pytest.param("label", (0, 1), None, id="printed-labels-decided"),
        # made because the numbers decided nothing, and flagged as unsettled: matching again would only fail
        pytest.param("legend order", None, None, id="legend-order-stays-flagged"),
    ],
)
def test_a_match_the_numbers_made_must_hold_without_the_cells_the_curves_set_aside(monkeypatch, basis, again,
                                                                                    raises):
    from reconstruct.arm_matching import ArmMatch

    arms, rows, cleaned = _rows_and_cleaned()

    def rematch(arms_, rows_, **_):
        assert [len(r.n_risk) for r in rows_] == [3, 5]  # the placebo row without the cells set aside
        if again is None:
            raise ReconstructionError("expected at-risk rows that can be told apart, got an ambiguous match")
        if again == "why":
            raise AmbiguousMatchError(("legend labels read for 1 of 2 curves",
                                       "the step counts rate rows [0, 1] and [1, 0] about equally"),
                                      "name the arms with --arm-names")
        return ArmMatch(rows=again, basis="numbers", detail=""), ""

    monkeypatch.setattr(run_arms, "match_by_fit", rematch)
    match = ArmMatch(rows=(1, 0), basis=basis, detail="")
    if raises is None:
        run_arms.recheck_match(match, arms, rows, cleaned, precision=0.002, method="steps", marks=None)
    else:
        with pytest.raises(ReconstructionError, match=raises):
            run_arms.recheck_match(match, arms, rows, cleaned, precision=0.002, method="steps", marks=None)
    full = [rows[1], rows[0]]  # nothing set aside by the curves: the match stands, nothing is matched again
    monkeypatch.setattr(run_arms, "match_by_fit", None)
    run_arms.recheck_match(match, arms, rows, full, precision=0.002, method="steps", marks=None)
