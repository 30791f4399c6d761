"""The last resort of arm matching: the fit and the step counts agreeing (kmrecon.run_arms.match_by_agreement)."""

import dataclasses
from types import SimpleNamespace

import numpy as np

from reconstruct.arm_matching import ArmCurve, RiskRowInfo

_PDF013_CURVES = [  # (label, colour, times, survival, censor mark times) as digitized
    ('Nivolumab', (253, 133, 29),
     [0, 0.655, 0.982, 1.2, 7.527, 8.236, 9.109, 9.164, 10.964, 12.273, 12.545, 13.909, 15.164, 17.291, 18.491, 19.145, 21.436, 23.564, 23.782, 35.782],
     [1, 0.963, 0.944, 0.934, 0.909, 0.88, 0.857, 0.848, 0.819, 0.793, 0.785, 0.752, 0.715, 0.677, 0.642, 0.636, 0.565, 0.558, 0.484, 0.484],
     [1.745, 2.509, 3.927, 4.255, 4.582, 8.727, 12.545, 17.127, 17.564, 19.2, 19.855, 20.673, 25.418]),
    (None, (56, 165, 58),
     [0, 0.873, 1.091, 2.073, 2.291, 2.455, 2.673, 2.945, 3.327, 4.2, 4.582, 4.964, 6.764, 7.255, 8.018, 8.564, 9.327, 9.491, 10.036, 10.309, 10.691, 11.073, 19.8, 21, 21.491, 27.655, 31.527],
     [1, 0.975, 0.958, 0.925, 0.913, 0.898, 0.888, 0.873, 0.85, 0.832, 0.822, 0.802, 0.797, 0.774, 0.741, 0.718, 0.693, 0.658, 0.631, 0.621, 0.568, 0.532, 0.486, 0.443, 0.431, 0.345, 0.345],
     [3.382, 3.709, 5.427, 6.218, 6.6, 6.982, 13.418, 16.255, 21, 24.709, 28.473, 29.018, 30.109, 31.309]),
    ('Placebo', (45, 127, 184),
     [0, 1.2, 1.582, 2.236, 2.291, 3.164, 3.927, 4.636, 5.018, 5.782, 7.2, 7.309, 10.527, 11.236, 11.618, 12.218, 12.6, 13.309, 13.691, 14.182, 14.836, 24.709, 24.982, 34.255],
     [1, 0.972, 0.948, 0.899, 0.893, 0.864, 0.837, 0.808, 0.778, 0.748, 0.74, 0.685, 0.66, 0.651, 0.615, 0.582, 0.552, 0.519, 0.515, 0.478, 0.445, 0.301, 0.149, 0.149],
     [2.291, 3.109, 18.982, 20.945, 22.909, 23.564]),
]
_PDF013_ROWS = [  # (label, n at risk at 0, 6, ..., 36 months) as read
    ('Placebo', [41, 25, 18, 12, 3, 1, 0]),
    ('Nivolumab', [48, 35, 26, 16, 6, 1, 0]),
    ('Nivolumab Ipilimumab', [50, 31, 17, 14, 6, 2, 0]),
]
_PRECISION = 0.0024  # half a pixel of the survival axis
_TIME_PRECISION = 0.218  # two pixels of the time axis


def _pdf013():
    arms = [ArmCurve(label=lab, colour=c, time=np.asarray(t, float), survival=np.asarray(s, float))
            for lab, c, t, s, _ in _PDF013_CURVES]
    rows = [RiskRowInfo(label=lab, colour=None, time=np.arange(0.0, 37.0, 6.0), n_risk=np.asarray(n, np.int64))
            for lab, n in _PDF013_ROWS]
    marks = [np.asarray(m, float) for *_, m in _PDF013_CURVES]
    return arms, rows, marks


def test_fit_and_step_counts_agreeing_decide_what_the_legend_left_open():
    # pdf_013: the legend names the blue curve "Placebo" and the orange one "Nivolumab" (which may be "Nivolumab +
    # Ipilimumab" cut short); the green curve's label was not read. Of the two assignments left, the fit prefers
    # the true one by 0.94 tolerance units (needs 1 alone), the step counts by 2.3 (need 6 alone): together 1.3.
    from kmrecon.run_arms import match_by_agreement

    arms, rows, marks = _pdf013()
    found = match_by_agreement(arms, rows, precision=_PRECISION, method="steps", marks=marks,
                               time_precision=_TIME_PRECISION)
    assert found is not None
    match, note = found
    assert match.rows == (1, 2, 0)  # orange Nivolumab, green Nivolumab + Ipilimumab, blue Placebo
    assert match.basis == "pairs+fit+step counts" and not match.settled  # weak evidence: the run is flagged
    assert "label pairs curve 3 with row 1" in match.detail and "flagged" in note
    # and the run is flagged, with draws (which for a vector figure carry no reading) or without
    from kmrecon.run_draws import run_reading

    run = SimpleNamespace(match=match, arm_names=["Nivolumab", "Nivolumab Ipilimumab", "Placebo"], misread_arms=(),
                          swapped_tails=(), refit_arms=(),
                          digitized=SimpleNamespace(provenance={"source_kind": "vector"}), fit=(), draws=None)
    for draws in (None, SimpleNamespace(parameters={"noise": None})):
        reading = run_reading(run, draws)
        assert reading["status"] == "flagged" and set(reading["arms"]) == set(run.arm_names)
        assert "the arms may be swapped" in reading["arms"]["Placebo"]


def test_agreement_short_of_the_margin_decides_nothing(monkeypatch):
    # the same curves with no legend read and follow-up ruling nothing out: over all six assignments the fit
    # prefers the true one by 0.56 and the step counts by 2.3, together 0.94 of the margin either needs alone: no
    # match
    import reconstruct.arm_matching as arm_matching
    from kmrecon.run_arms import match_by_agreement

    arms, rows, marks = _pdf013()
    bare = [dataclasses.replace(a, label=None) for a in arms]
    # follow-up as read rules out the green curve's Placebo row (more marks after 24 months than the row has
    # patients then): among the four pairings left, fit and step counts agree by 1.32 of the margin, on the true one
    found = match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                               time_precision=_TIME_PRECISION)
    assert found is not None
    assert found[0].rows == (1, 2, 0)
    assert not found[0].settled
    assert found[0].detail.startswith("follow-up rules out the first row on the second curve; ")
    assert found[0].basis == "follow-up+fit+step counts"  # follow-up narrowed the field, no labels pinned it
    monkeypatch.setattr(arm_matching, "follow_up_exclusions", lambda arms, rows: np.zeros((3, 3), bool))
    assert match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None


def test_fit_and_step_counts_disagreeing_decide_nothing(monkeypatch):
    # step counts that put the green curve on the Nivolumab row and the orange one on the other, by 10
    # (more than they need alone): against the fit's choice, nothing decides
    import reconstruct._arm_fallback as fallback
    from kmrecon.run_arms import match_by_agreement

    monkeypatch.setattr(fallback, "step_count_costs",
                        lambda arms, rows: np.array([[9.0, 10.0, 0.0], [9.0, 0.0, 10.0], [0.0, 9.0, 9.0]]))
    arms, rows, marks = _pdf013()
    assert match_by_agreement(arms, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None


def _fake_fit(monkeypatch, totals, score):
    """choose_by_fit replaced by one whose totals over the assignments are given (others: infinite)."""
    import kmrecon.run_arms as run_arms
    from reconstruct.quality import MATCH_MARGIN

    total = lambda rows: totals.get(tuple(rows), np.inf)  # noqa: E731
    fit = SimpleNamespace(total=total, score=score, allows=lambda rows: total(rows) - score < MATCH_MARGIN)
    monkeypatch.setattr(run_arms, "choose_by_fit", lambda *args, **kwargs: fit)


def test_a_tie_in_the_step_counts_is_no_agreement(monkeypatch):
    # the fit prefers rows (1, 2, 0) by 1.5 tolerance units; the step counts score both assignments left 3.0, so
    # (1, 2, 0) comes first only by tuple order: not a preference, so no match by agreement
    import reconstruct._arm_fallback as fallback
    from kmrecon.run_arms import match_by_agreement

    _fake_fit(monkeypatch, {(1, 2, 0): 0.0, (2, 1, 0): 1.5}, score=0.0)
    monkeypatch.setattr(fallback, "step_count_costs",
                        lambda arms, rows: np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]]))
    arms, rows, marks = _pdf013()
    assert match_by_agreement(arms, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None


def test_an_assignment_the_fit_does_not_allow_is_no_agreement(monkeypatch):
    # among the two assignments left, the fit prefers (1, 2, 0) by 1.0 and the step counts by 2.3 (together 1.4 of
    # the margin), but an assignment the labels rule out fits 5 tolerance units better: the fit does not allow it
    from kmrecon.run_arms import match_by_agreement

    _fake_fit(monkeypatch, {(1, 2, 0): 5.0, (2, 1, 0): 6.0, (0, 1, 2): 0.0}, score=0.0)
    arms, rows, marks = _pdf013()
    assert match_by_agreement(arms, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None
    # the same margins with the fit allowing it: matched (unsettled)
    _fake_fit(monkeypatch, {(1, 2, 0): 0.0, (2, 1, 0): 1.0}, score=0.0)
    found = match_by_agreement(arms, rows, precision=_PRECISION, method="steps", marks=marks,
                               time_precision=_TIME_PRECISION)
    assert found is not None and found[0].rows == (1, 2, 0) and not found[0].settled


# lancet_006 of the wild corpus (red, green, blue curves; rows Sorafenib 211, Lenvatinib 71, HAIC 106 patients): the
# reconstruction's misfit of each curve with each row, the step counts' misfit, and follow-up (the green curve's
# last drop, 5/6 at 38 months, needs 6 patients left, which only the HAIC row has at 36 months)
_L006_FIT = np.array([[0.210, 0.163, 0.301], [0.359, 0.816, 0.120], [0.169, 0.397, 0.266]])
_L006_STEPS = np.array([[3.205, 7.766, 3.345], [5.412, 11.884, 4.647], [8.703, 32.893, 13.0]])
_L006_FOLLOW_UP = np.array([[False, False, False], [True, True, False], [False, False, False]])


def test_fit_and_step_counts_agree_among_the_pairings_follow_up_leaves(monkeypatch):
    # Over all six pairings the fit prefers the true one (1, 2, 0) by 0.28 tolerance units and the step counts by 2.8:
    # together 0.74 of the margin, no match. Follow-up leaves two pairings, (0, 2, 1) and (1, 2, 0); among them the
    # fit prefers the true one by 0.28 and the step counts by 19.6 (40.7 against 21.1): together 3.5, matched, flagged.
    import itertools

    import reconstruct._arm_fallback as fallback
    import reconstruct.arm_matching as arm_matching
    from kmrecon.run_arms import match_by_agreement

    totals = {p: float(sum(_L006_FIT[k, j] for k, j in enumerate(p))) for p in itertools.permutations(range(3))}
    _fake_fit(monkeypatch, totals, score=min(totals.values()))
    monkeypatch.setattr(fallback, "step_count_costs", lambda arms, rows: _L006_STEPS)
    monkeypatch.setattr(arm_matching, "numbers_costs", lambda arms, rows: np.zeros((3, 3)))
    arms, rows, marks = _pdf013()
    bare = [dataclasses.replace(a, label=None) for a in arms]
    monkeypatch.setattr(arm_matching, "follow_up_exclusions", lambda arms, rows: np.zeros((3, 3), bool))
    assert match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None
    monkeypatch.setattr(arm_matching, "follow_up_exclusions", lambda arms, rows: _L006_FOLLOW_UP)
    found = match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                               time_precision=_TIME_PRECISION)
    assert found is not None
    match, note = found
    assert match.rows == (1, 2, 0)
    assert not match.settled
    assert match.detail.startswith("follow-up rules out the first row on the second curve, the second row on the "
                                   "second curve; ")
    assert "step counts 21.1 against 40.7" in match.detail
    assert "together 3.55" in match.detail
    assert "flagged" in note


# rms_006 of the wild corpus (three grey curves; the true pairing is rows (1, 2, 0)): the reconstruction's misfit of
# each curve with each row, the step counts' misfit, the KM bound's excess, and follow-up from a bad trace ruling out
# the second curve with the third row, which the true pairing needs
_R006_FIT = np.array([[0.403, 0.266, 0.524], [0.395, 0.761, 2.381], [0.134, 1.187, 1.198]])
_R006_STEPS = np.array([[4.031, 1.139, 4.69], [8.059, 0.214, 1.461], [3.421, 9.638, 17.703]])
_R006_NUMBERS = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 9.76, 4.29]])
_R006_FOLLOW_UP = np.array([[False, False, False], [False, False, True], [False, False, False]])


def _fake_sources(monkeypatch, fit, steps, numbers, follow_up):
    import itertools

    import reconstruct._arm_fallback as fallback
    import reconstruct.arm_matching as arm_matching

    totals = {p: float(sum(fit[k, j] for k, j in enumerate(p))) for p in itertools.permutations(range(3))}
    _fake_fit(monkeypatch, totals, score=min(totals.values()))
    monkeypatch.setattr(fallback, "step_count_costs", lambda arms, rows: steps)
    monkeypatch.setattr(arm_matching, "numbers_costs", lambda arms, rows: numbers)
    monkeypatch.setattr(arm_matching, "follow_up_exclusions", lambda arms, rows: follow_up)


def test_follow_up_cannot_make_the_fit_and_step_counts_agree(monkeypatch):
    # Over all six pairings the fit prefers (2, 1, 0) (1.42 tolerance units against 1.86) and the step counts the
    # true (1, 2, 0) (6.02 against 8.33): no agreement. Follow-up rules the true one out; among the four left both
    # prefer the swap (2, 1, 0). That is no agreement either: each source's best is taken over all six.
    from kmrecon.run_arms import match_by_agreement

    _fake_sources(monkeypatch, _R006_FIT, _R006_STEPS, _R006_NUMBERS, _R006_FOLLOW_UP)
    arms, rows, marks = _pdf013()
    bare = [dataclasses.replace(a, label=None) for a in arms]
    assert match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None
    # follow-up keeping every pairing: still none (the two sources disagree)
    _fake_sources(monkeypatch, _R006_FIT, _R006_STEPS, _R006_NUMBERS, np.zeros((3, 3), bool))
    assert match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None


def test_the_km_bound_is_weighed_over_every_pairing_before_follow_up(monkeypatch):
    # lancet_006's fit, step counts and follow-up (the two pairings left both put the second curve on the third
    # row), with a KM bound that makes that pair cost 1 squared patient: among the pairings follow-up leaves the
    # bound cannot tell them apart, but a pairing it rules out keeps every row within its curve. The bound
    # speaks against the agreement: no match.
    from kmrecon.run_arms import match_by_agreement

    numbers = np.zeros((3, 3))
    numbers[1, 2] = 1.0
    _fake_sources(monkeypatch, _L006_FIT, _L006_STEPS, numbers, _L006_FOLLOW_UP)
    arms, rows, marks = _pdf013()
    bare = [dataclasses.replace(a, label=None) for a in arms]
    assert match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                              time_precision=_TIME_PRECISION) is None
    _fake_sources(monkeypatch, _L006_FIT, _L006_STEPS, np.zeros((3, 3)), _L006_FOLLOW_UP)
    found = match_by_agreement(bare, rows, precision=_PRECISION, method="steps", marks=marks,
                               time_precision=_TIME_PRECISION)
    assert found is not None
    assert found[0].rows == (1, 2, 0)


def test_an_ambiguity_error_says_when_no_assignment_fits():
    # lifelines_002 of the second development set: no assignment's reconstruction fits (every total infinite); the
    # error says so in plain words, not "inf against inf tolerance units"
    from kmrecon.run_arms import _with_fit
    from reconstruct.errors import AmbiguousMatchError

    err = AmbiguousMatchError(("legend labels read for 1 of 2 curves",
                               "the at-risk numbers and the step counts rate rows [0, 1] and [1, 0] about equally"),
                              "name the arms with --arm-names", ((0, 1), (1, 0)))
    nothing = SimpleNamespace(score=np.inf, total=lambda rows: np.inf)
    said = _with_fit(err, nothing, 2, 2)
    assert said.reasons == ("legend labels read for 1 of 2 curves",
                            "the at-risk numbers and the step counts rate rows [0, 1] and [1, 0] about equally, and "
                            "no assignment's reconstruction fits the curves")
    assert "inf" not in str(said)
    assert str(said).endswith("; name the arms with --arm-names")
    # a fit that rates the same two pairings alike joins the numbers and the step counts
    alike = SimpleNamespace(score=0.1, total=lambda rows: {(0, 1): 0.1, (1, 0): 0.15}[tuple(rows)])
    assert _with_fit(err, alike, 2, 2).reasons[1] == ("the at-risk numbers, the step counts and the fit rate rows "
                                                     "[0, 1] and [1, 0] about equally")
