"""Matching digitized arms to at-risk rows: label, colour, numbers, step counts, and refusing to guess."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from reconstruct import km_step_points, number_at_risk, simulate_arm
from reconstruct._arm_fallback import fallback_match, settled_part
from reconstruct.arm_matching import (
    ArmCurve,
    RiskRowInfo,
    follow_up_exclusions,
    match_arms_to_rows,
    numbers_costs,
    pinned_assignments,
)
from reconstruct.errors import AmbiguousMatchError, ReconstructionError

TIMES = np.arange(0.0, 30.0, 6.0)


def _arm(seed, median, n=120, label=None, colour=None):
    sim = simulate_arm(n, seed=seed, median=median, follow_up=24.0)
    t, s = km_step_points(sim.time, sim.event)
    times = TIMES[TIMES <= sim.time.max()]
    curve = ArmCurve(label=label, colour=colour, time=t, survival=s)
    return curve, times, number_at_risk(sim.time, times)


def _row(times, n, label=None, colour=None):
    return RiskRowInfo(label=label, colour=colour, time=times, n_risk=n)


def test_single_arm():
    curve, t, n = _arm(1, 10.0)
    assert match_arms_to_rows([curve], [_row(t, n)]).rows == (0,)


def test_labels_decide_even_when_rows_are_listed_in_another_order():
    a, ta, na = _arm(1, 6.0, label="Sorafenib")
    b, tb, nb = _arm(2, 14.0, label="HAIC + sorafenib")
    match = match_arms_to_rows([a, b], [_row(tb, nb, label="haic+sorafenib"), _row(ta, na, label="SORAFENIB")])
    assert match.rows == (1, 0)
    assert match.basis == "label"


def test_colours_decide_for_lighter_antialiased_label_text():
    # Curve colours, and the lighter tints that anti-aliased row labels of the same hue take.
    a, ta, na = _arm(1, 10.0, colour=(0, 73, 142))
    b, tb, nb = _arm(2, 10.5, colour=(238, 31, 29))
    rows = [_row(tb, nb, colour=(242, 71, 71)), _row(ta, na, colour=(89, 135, 179))]
    match = match_arms_to_rows([a, b], rows)
    assert match.rows == (1, 0)
    assert match.basis == "colour"


def test_near_hues_decide_when_each_label_matches_its_curve_closely():
    # NEJM red and orange are about 25 degrees of hue apart; the row labels are tints of each.
    a, ta, na = _arm(5, 10.0, colour=(186, 62, 42))
    b, tb, nb = _arm(5, 10.0, colour=(223, 135, 40))
    match = match_arms_to_rows([a, b], [_row(tb, nb, colour=(234, 174, 109)), _row(ta, na, colour=(206, 113, 100))])
    assert match.rows == (1, 0)
    assert match.basis == "colour"


def test_near_hues_with_labels_between_them_are_an_error():
    a, ta, na = _arm(5, 10.0, colour=(186, 62, 42))
    b, tb, nb = _arm(5, 10.0, colour=(223, 135, 40))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows([a, b], [_row(ta, na, colour=(210, 100, 45)), _row(tb, nb, colour=(212, 104, 44))])


def test_a_label_holding_two_row_names_pins_no_row():
    # Two lines of a tight legend read as one label ("Group 2 3") once paired the curve with "Group 2" by
    # containment (prism_007 of the wild corpus: two arms swapped at exit 0). Near-identical curves: only
    # the labels could decide, so with the garbled labels the match is the ambiguity error.
    a, ta, na = _arm(5, 10.0, label="Group 1")
    b, tb, nb = _arm(5, 10.0, label="Group 2 3")
    c, tc, nc = _arm(5, 10.0, label="Group Group 3 1")
    rows = [_row(ta, na, label="Group 1"), _row(tb, nb, label="Group 2"), _row(tc, nc, label="Group 3")]
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows([a, b, c], rows)
    # read apart, the same labels decide, and a name inside a longer one still pins its row
    b2 = ArmCurve(label="Group 3", colour=None, time=b.time, survival=b.survival)
    c2 = ArmCurve(label="Group 2 (n=76)", colour=None, time=c.time, survival=c.survival)
    match = match_arms_to_rows([a, b2, c2], rows)
    assert match.rows == (0, 2, 1)
    assert match.basis in ("label", "pairs")


def test_numbers_decide_when_one_pairing_needs_impossible_survivors():
    good, tg, ng = _arm(3, 30.0)
    poor, tp, np_ = _arm(4, 4.0)
    rows = [_row(tg, ng), _row(tp, np_)]
    match = match_arms_to_rows([poor, good], rows)
    assert match.rows == (1, 0)
    # follow-up (the good curve shows more patients leaving late than the poor row has) pins it first;
    # the KM bound alone decides too, by more than its margin of 4 squared patients
    assert match.basis == "pairs"
    assert "follow-up rules out curve 2 from row 2" in match.detail
    cost = numbers_costs([poor, good], rows)
    assert cost[0, 0] + cost[1, 1] - (cost[0, 1] + cost[1, 0]) > 4.0


def test_near_identical_arms_without_labels_or_colours_are_an_error():
    a, ta, na = _arm(5, 10.0)
    b, tb, nb = _arm(5, 10.0)  # the same draw twice: nothing can tell the rows apart
    # the error says why: nothing read to pair them, the numbers and the step counts fit both pairings alike
    with pytest.raises(ReconstructionError, match=r"ambiguous match: labels read for 0 of 2 at-risk rows and 0 of 2 "
                       r"curves, and the curves and the row labels are not all in colour; the at-risk numbers and "
                       r"the step counts rate rows \[0, 1\] and \[1, 0\] about equally; name the arms with "
                       r"--arm-names"):
        match_arms_to_rows([a, b], [_row(ta, na), _row(tb, nb)])


def test_grey_curves_do_not_match_on_colour():
    a, ta, na = _arm(5, 10.0, colour=(0, 0, 0))
    b, tb, nb = _arm(5, 10.0, colour=(128, 128, 128))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows([a, b], [_row(ta, na, colour=(0, 0, 0)), _row(tb, nb, colour=(128, 128, 128))])


def test_step_counts_decide_between_similar_curves_of_different_sizes():
    # Same hazard, 60 against 400 patients: both pairings satisfy the KM bound, but the small arm's
    # curve drops about 60 times, not the ~400 x -log S deaths the large row implies.
    small, ts, ns = _arm(6, 10.0, n=60)
    large, tl, nl = _arm(7, 10.0, n=400)
    rows, basis, _ = fallback_match([small, large], [_row(tl, nl), _row(ts, ns)])
    assert rows == (1, 0)
    assert basis == "step counts"


def test_row_count_must_equal_arm_count():
    a, ta, na = _arm(1, 10.0)
    b, _, _ = _arm(2, 12.0)
    with pytest.raises(ReconstructionError, match="got 1 row\\(s\\) for 2 curve\\(s\\)"):
        match_arms_to_rows([a, b], [_row(ta, na)])


def _tail_pair():
    """Two arms of one hazard whose follow-up ends apart (17 and 29 months), with their true at-risk rows."""
    t = np.arange(0.0, 36.0, 6.0)
    out = []
    for seed, follow_up in ((5, 17.0), (6, 29.0)):
        sim = simulate_arm(150, seed=seed, median=14.0, follow_up=follow_up)
        time, surv = km_step_points(sim.time, sim.event)
        out += [ArmCurve(label=None, colour=None, time=time, survival=surv), _row(t, number_at_risk(sim.time, t))]
    short, row_short, long, row_long = out
    return short, long, row_short, row_long


def test_follow_up_rules_out_a_curve_running_past_its_rows_last_patient():
    short, long, row_short, row_long = _tail_pair()
    assert long.time[-1] > 24.0 + 0.15 * 6.0
    excluded = follow_up_exclusions([short, long], [row_long, row_short])
    assert excluded.tolist() == [[False, False], [False, True]]
    match = match_arms_to_rows([short, long], [row_long, row_short])
    assert match.rows == (1, 0)
    assert "follow-up rules out curve 2 from row 2" in match.detail


def test_follow_up_counts_censor_marks_after_a_table_time():
    # Twelve censor marks after 24 months on the first curve: a row with 4 patients left then cannot be its row.
    time, surv = np.array([0.0, 5.0, 10.0, 15.0, 20.0, 30.0]), np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.6])
    t = np.arange(0.0, 30.0, 6.0)
    marks = np.linspace(24.5, 29.5, 12)
    a = ArmCurve(label=None, colour=None, time=time, survival=surv, censor_time=marks)
    b = ArmCurve(label=None, colour=None, time=time, survival=surv)
    rows = [_row(t, np.array([150, 110, 70, 40, 4])), _row(t, np.array([150, 110, 70, 40, 14]))]
    assert follow_up_exclusions([a, b], rows).tolist() == [[True, False], [False, False]]
    # 12 marks against 11 patients is within the slack of one patient (or a tenth of the count)
    assert not follow_up_exclusions([a, b], [rows[0], _row(t, np.array([150, 110, 70, 40, 11]))])[0, 1]
    # the same marks seen on both curves leave no complete pairing: they prove nothing
    b = ArmCurve(label=None, colour=None, time=time, survival=surv, censor_time=marks)
    rows[1] = _row(t, np.array([150, 110, 70, 40, 4]))
    assert not follow_up_exclusions([a, b], rows).any()


def test_follow_up_ignores_a_row_that_rises():
    short, long, row_short, _ = _tail_pair()
    risen = _row(row_short.time, np.array([150, 100, 60, 30, 0, 3]))  # a misread cell after the 0
    assert not follow_up_exclusions([short, long], [risen, row_short])[:, 0].any()


def test_follow_up_that_leaves_two_pairings_is_not_used():
    # One curve runs past the first row's last patient: that rules out 2 of 6 pairings of three arms, leaving
    # four for weaker evidence to pick among; follow-up only ever decides, so it pins nothing here.
    t = np.arange(0.0, 36.0, 6.0)
    time, surv = np.array([0.0, 6.0, 12.0, 18.0]), np.array([1.0, 0.8, 0.6, 0.5])
    long = ArmCurve(label=None, colour=None, time=np.r_[time, 29.0], survival=np.r_[surv, 0.5])
    short = ArmCurve(label=None, colour=None, time=np.r_[time, 20.0], survival=np.r_[surv, 0.5])
    rows = [_row(t, np.array([90, 70, 50, 30, 0, 0])), _row(t, np.array([90, 70, 50, 30, 8, 2])),
            _row(t, np.array([90, 70, 50, 30, 9, 3]))]
    assert follow_up_exclusions([long, short, short], rows)[:, 0].tolist() == [True, False, False]
    allowed, detail = pinned_assignments([long, short, short], rows)
    assert len(allowed) == 6
    assert detail == ""
    # a curve running to 32 months (past rows 1 and 2) and one to 26 (past row 1) leave one pairing: it decides
    longer = ArmCurve(label=None, colour=None, time=np.r_[time, 32.0], survival=np.r_[surv, 0.5])
    mid = ArmCurve(label=None, colour=None, time=np.r_[time, 26.0], survival=np.r_[surv, 0.5])
    rows[1] = _row(t, np.array([90, 70, 50, 30, 8, 0]))
    allowed, detail = pinned_assignments([longer, mid, short], rows)
    assert allowed == [(2, 1, 0)]
    assert detail.startswith("follow-up rules out curve 1 from row 1, curve 1 from row 2, curve 2 from row 1")


def test_ambiguity_error_names_the_curves_the_numbers_leave_open():
    # rms_006 of the wild corpus: the KM bound places the large arm, not the two arms of 31 and 30 patients;
    # the error says which curves are left to the user (the same draw twice cannot be told apart)
    a, ta, na = _arm(5, 10.0)
    b, tb, nb = _arm(5, 10.0)
    poor, tp, np_ = _arm(4, 4.0)
    rows = [_row(tp, np_, label="Poor"), _row(ta, na, label="A"), _row(tb, nb, label="B")]
    with pytest.raises(ReconstructionError, match=r"ambiguous match: .*; name the arms with --arm-names.*"
                       r"\(the numbers place the third curve on 'Poor'; the first and second curves fit "
                       r"'A', 'B' alike\)"):
        match_arms_to_rows([a, b, poor], rows)


def test_settled_part_keeps_the_rows_every_near_best_pairing_shares():
    # curve 0 must take row 2 (any other row costs 9 or more); curves 1 and 2 tie on rows 0 and 1
    cost = np.array([[9.0, 12.0, 0.0], [0.0, 0.0, 20.0], [0.0, 0.0, 20.0]])
    assert settled_part(cost, 4.0) == ({0: 2}, [1, 2])
    # with a margin wider than the 29 that giving curve 0 row 0 costs, nothing is settled
    assert settled_part(cost, 30.0) == ({}, [0, 1, 2])
    # only the allowed pairings count
    assert settled_part(cost, 4.0, allowed=[(2, 0, 1)]) == ({0: 2, 1: 0, 2: 1}, [])


def test_ambiguity_error_gives_at_most_two_plain_reasons():
    # lancet_006 of the wild corpus stopped with "an ambiguous match" and no reason; jco_008's reasons ran to 600
    # characters of internal terms. Two arms of one draw, 120 and 110 patients: the rows' numbers fit either curve,
    # the step counts prefer the true pairing by 2.17 of the 6 they need (the legend label "A" names neither row).
    a, ta, na = _arm(5, 10.0, label="A")
    b, tb, nb = _arm(5, 10.0, n=110, colour=(200, 30, 30))
    with pytest.raises(AmbiguousMatchError) as err:
        match_arms_to_rows([a, b], [_row(ta, na, label="X"), _row(tb, nb, label="Y")])
    assert err.value.reasons == ("the legend labels pair no row alone, and the curves and the row labels are not all "
                                 "in colour",
                                 "the at-risk numbers and the step counts rate rows [0, 1] and [1, 0] about equally")
    assert err.value.close == ((0, 1), (1, 0))  # the step counts' best first
    assert str(err.value) == ("expected at-risk rows that can be told apart by label, colour or numbers, got an "
                              f"ambiguous match: {'; '.join(err.value.reasons)}; name the arms with --arm-names in "
                              "curve order (see overlay.png) or give --at-risk with those names")
    # a legend label read for one curve of two, the other's missing: said as a count
    c, tc, nc = _arm(5, 10.0, n=110)
    with pytest.raises(AmbiguousMatchError) as err:
        match_arms_to_rows([dataclasses.replace(a, label="A"), dataclasses.replace(c, label=None),
                            dataclasses.replace(c, label=None)],
                           [_row(ta, na, label="X"), _row(tc, nc, label="Y"), _row(tc, nc, label="Z")])
    assert err.value.reasons[0].startswith("legend labels read for 1 of 3 curves")
