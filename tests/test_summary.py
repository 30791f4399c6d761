"""summarize_ipd against R (fixtures from tests/reference/summary.R), plus contracts and invariants.

Tolerances: closed-form estimators (KM, landmarks, medians, RMST, log-rank) rtol 1e-10, atol 1e-12;
the Cox model is fitted iteratively (statsmodels vs R's Newton-Raphson), rtol 1e-6.
"""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compare.survival.ipd_summary import TAU_RULE_DEFAULT, TAU_RULE_USER, IPDSummary, contrast_arms, summarize_ipd
from reconstruct.errors import ComparisonWarning, InputError
from tests.conftest import REFERENCE

REF = json.loads((REFERENCE / "summary_reference.json").read_text())
RECORDS = REF["records"]
SETS = REF["references"]  # data set -> reference arm
CLOSED = {"rtol": 1e-10, "atol": 1e-12}
COX = {"rtol": 1e-6}


def _num(values):
    """Fixture numbers as a float array; R's "NA" strings become NaN."""
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    return np.array([np.nan if isinstance(v, str) else float(v) for v in arr], dtype=float)


def _load(name):
    return pd.read_csv(REFERENCE / "data" / f"{name}.csv")


@pytest.fixture(scope="module")
def summaries():
    return {name: summarize_ipd(_load(name), reference=ref) for name, ref in SETS.items()}


def _arm_cases():
    for name in SETS:
        for arm in sorted(_load(name)["arm"].unique()):
            yield pytest.param(name, arm, id=f"{name}-{arm}")


def _contrast_cases():
    for name, ref in SETS.items():
        for arm in sorted(_load(name)["arm"].unique()):
            if arm != ref:
                yield pytest.param(name, arm, id=f"{name}-{arm}")


@pytest.mark.parametrize("name", list(SETS))
def test_tau_defaults_to_the_smallest_last_follow_up(summaries, name):
    summary = summaries[name]
    np.testing.assert_allclose(summary.tau, RECORDS[f"{name}/tau"]["values"]["tau"], rtol=0, atol=0)
    assert summary.tau_rule == TAU_RULE_DEFAULT
    assert summary.reference == SETS[name]
    assert summary.arms[0].arm == SETS[name]


@pytest.mark.parametrize(("name", "arm"), list(_arm_cases()))
def test_arm_statistics_match_survfit(summaries, name, arm):
    s = summaries[name][arm]
    counts = RECORDS[f"{name}/{arm}/counts"]["values"]
    assert (s.n, s.events, s.censored) == (counts["n"], counts["events"], counts["n"] - counts["events"])
    ref = RECORDS[f"{name}/{arm}/median"]["values"]
    np.testing.assert_allclose([s.median.time, s.median.conf_low, s.median.conf_high],
                               _num([ref["median"], ref["lower"], ref["upper"]]), equal_nan=True, **CLOSED)
    ref = RECORDS[f"{name}/{arm}/landmarks"]["values"]
    kept = s.landmarks.time <= s.last_follow_up  # R's summary(times=) drops landmarks after the last follow-up
    # after it, S(t) is NaN (flagged) while S > 0, and stays 0 once the curve reached 0
    after = s.landmarks.survival[~kept]
    assert np.all(np.isnan(after) == s.landmark_beyond_follow_up[~kept])
    assert np.all((after == 0) | np.isnan(after))
    assert not np.any(s.landmark_beyond_follow_up[kept])
    np.testing.assert_array_equal(s.landmarks.time[kept], _num(ref["time"]))
    for ours, theirs in (("survival", "surv"), ("std_err", "std_err"), ("conf_low", "lower"),
                         ("conf_high", "upper")):
        np.testing.assert_allclose(getattr(s.landmarks, ours)[kept], _num(ref[theirs]), equal_nan=True, **CLOSED)
    np.testing.assert_array_equal(s.landmarks.n_at_risk[kept], _num(ref["n_risk"]))
    ref = RECORDS[f"{name}/{arm}/rmean"]["values"]
    np.testing.assert_allclose([s.rmst.rmst, s.rmst.se], [ref["rmean"], ref["se"]], **CLOSED)


@pytest.mark.parametrize(("name", "arm"), list(_contrast_cases()))
def test_contrasts_match_coxph_survdiff_and_rmst_difference(summaries, name, arm):
    (contrast,) = [c for c in summaries[name].contrasts if c.arm == arm]
    assert contrast.reference == SETS[name]
    ref = RECORDS[f"{name}/{arm}/coxph"]["values"]
    hr = contrast.hazard_ratio
    np.testing.assert_allclose([hr.log_hr, hr.se, hr.hazard_ratio, hr.conf_low, hr.conf_high, hr.p_value],
                               [ref["coef"], ref["se"], ref["hr"], ref["lower"], ref["upper"], ref["p_wald"]], **COX)
    assert hr.ties == "efron"
    ref = RECORDS[f"{name}/{arm}/survdiff"]["values"]
    np.testing.assert_allclose([contrast.logrank.statistic, contrast.logrank.p_value], [ref["chisq"], ref["p"]],
                               **CLOSED)
    ref = RECORDS[f"{name}/{arm}/rmst_diff"]["values"]
    diff = contrast.rmst_difference
    np.testing.assert_allclose([diff.difference, diff.se, diff.conf_low, diff.conf_high, diff.p_value],
                               [ref["difference"], ref["se"], ref["lower"], ref["upper"], ref["p"]], **CLOSED)


@pytest.mark.parametrize("name", list(SETS))
def test_overall_logrank_matches_survdiff(summaries, name):
    ref = RECORDS[f"{name}/survdiff_all"]["values"]
    overall = summaries[name].logrank_all
    assert overall.df == ref["df"]
    np.testing.assert_allclose([overall.statistic, overall.p_value], [ref["chisq"], ref["p"]], **CLOSED)


def test_demo_numbers(summaries):
    """The demo's headline numbers (also printed by ``kmrecon demo``), pinned to R's values."""
    s = summaries["demo_reconstructed_ipd"]
    assert [a.arm for a in s.arms] == ["Control", "Experimental"]
    np.testing.assert_allclose(s["Control"].median.time, 7.640982, **CLOSED)
    np.testing.assert_allclose(s["Experimental"].median.time, 10.479477, **CLOSED)
    assert np.isnan(s["Experimental"].median.conf_high)
    np.testing.assert_allclose(s.contrasts[0].hazard_ratio.hazard_ratio, 0.6017109147002473, **COX)
    assert s["Control"].landmark_beyond_follow_up.tolist() == [False, False, True]  # 24 > 20.43 months


def test_three_arms_contrast_each_arm_with_the_reference(summaries):
    s = summaries["pooled3"]
    assert [(c.arm, c.reference) for c in s.contrasts] == [("trial2", "trial1"), ("trial3", "trial1")]
    assert s.logrank_all.df == 2
    assert len(s.contrasts_frame()) == 2


def test_reference_and_conf_level_change_the_contrast():
    ipd = _load("twoarm25")
    default = summarize_ipd(ipd)
    flipped = summarize_ipd(ipd, reference="treatment", conf_level=0.9)
    assert default.reference == "control"
    assert flipped.reference == "treatment"
    np.testing.assert_allclose(flipped.contrasts[0].hazard_ratio.log_hr, -default.contrasts[0].hazard_ratio.log_hr,
                               rtol=1e-6)
    np.testing.assert_allclose(flipped.contrasts[0].rmst_difference.difference,
                               -default.contrasts[0].rmst_difference.difference, **CLOSED)
    assert flipped.conf_level == 0.9
    assert flipped["control"].median.conf_level == 0.9
    width90 = flipped["control"].rmst.conf_high - flipped["control"].rmst.conf_low
    width95 = default["control"].rmst.conf_high - default["control"].rmst.conf_low
    assert width90 < width95


def test_user_tau_inside_and_beyond_follow_up():
    ipd = _load("twoarm25")  # control followed to 17, treatment to 24
    inside = summarize_ipd(ipd, tau=12)
    assert inside.tau == 12.0
    assert inside.tau_rule == TAU_RULE_USER
    assert all(a.rmst.tau == 12.0 for a in inside.arms)
    with pytest.warns(ComparisonWarning, match=r"tau = 20 exceeds the last follow-up of control \(17\)"):
        beyond = summarize_ipd(ipd, tau=20)
    assert beyond["control"].rmst.tau == 20.0


def test_arm_without_events_keeps_other_statistics():
    ipd = pd.DataFrame({"arm": ["A"] * 5 + ["B"] * 5, "time": [1, 2, 3, 4, 5, 1, 2, 3, 4, 5],
                        "event": [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]})
    with pytest.warns(ComparisonWarning, match="hazard ratio not estimable"):
        s = summarize_ipd(ipd)
    (contrast,) = s.contrasts
    assert contrast.hazard_ratio is None
    assert "no" in contrast.note
    assert np.isfinite(contrast.logrank.statistic)
    assert np.isnan(s.contrasts_frame()["hazard_ratio"].iloc[0])
    assert s.to_dict()["contrasts"][0]["hazard_ratio"] is None


def test_monotone_likelihood_gives_no_hazard_ratio():
    """All events of B after A's: the Cox MLE is infinite (R coxph warns and reports a huge HR)."""
    ipd = pd.DataFrame({"arm": ["A", "A", "B", "B"], "time": [1.0, 2.0, 3.0, 4.0], "event": [1, 1, 1, 1]})
    with pytest.warns(ComparisonWarning, match="monotone likelihood"):
        s = summarize_ipd(ipd)
    assert s.contrasts[0].hazard_ratio is None
    assert "monotone likelihood" in s.contrasts[0].note
    assert "HR 0" in s.contrasts[0].note  # B's events all come after A's follow-up: B's hazard is lower


def test_separated_arms_with_censoring_give_no_hazard_ratio():
    """Regression: PHReg stops at HR ~ 1e-12 (CI [0, inf]) for B's events after A's last follow-up."""
    ipd = pd.DataFrame({"arm": list("AAABBB"), "time": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                        "event": [1, 1, 0, 1, 1, 0]})
    with pytest.warns(ComparisonWarning, match="monotone likelihood"):
        s = summarize_ipd(ipd)
    assert s.contrasts[0].hazard_ratio is None
    assert np.isfinite(s.contrasts[0].logrank.statistic)
    with pytest.warns(ComparisonWarning, match=r"MLE at HR infinity"):
        flipped = summarize_ipd(ipd, reference="B")
    assert flipped.contrasts[0].hazard_ratio is None


def test_all_censored_keeps_n_km_and_rmst():
    """Regression: every patient censored used to abort with the log-rank InputError."""
    ipd = pd.DataFrame({"arm": ["A", "A", "B", "B"], "time": [1.0, 2.0, 1.0, 3.0], "event": [0, 0, 0, 0]})
    with pytest.warns(ComparisonWarning, match="log-rank test not estimable"):
        s = summarize_ipd(ipd)
    (contrast,) = s.contrasts
    assert contrast.hazard_ratio is None
    assert contrast.logrank is None
    assert s.logrank_all is None
    assert "all observations censored" in contrast.note
    assert [a.n for a in s.arms] == [2, 2]
    assert s["A"].rmst.rmst == pytest.approx(2.0)  # S = 1 up to tau = 2
    assert contrast.rmst_difference.difference == pytest.approx(0.0)
    row = s.contrasts_frame().iloc[0]
    assert np.isnan(row["logrank_chi2"])
    assert np.isnan(row["hazard_ratio"])
    assert s.to_dict()["contrasts"][0]["logrank"] is None


def test_contrast_arms_is_arm_vs_reference():
    """The shared contrast (summarize and compare): HR of the arm with the reference as denominator."""
    rng = np.random.default_rng(20240101)
    t_ref, t_arm = rng.exponential(10.0, 60), rng.exponential(20.0, 60)  # arm hazard half the reference's
    e = np.ones(60, dtype=int)
    c = contrast_arms("arm", (t_arm, e), "ref", (t_ref, e), tau=5.0)
    assert c.hazard_ratio.comparator == "arm"
    assert c.hazard_ratio.reference == "ref"
    assert c.hazard_ratio.hazard_ratio < 1
    assert c.rmst_difference.difference > 0  # RMST(arm) - RMST(ref)
    with pytest.raises(InputError, match="expected two different arms"):
        contrast_arms("a", (t_arm, e), "a", (t_ref, e), tau=5.0)


def test_single_arm_has_no_contrasts():
    s = summarize_ipd(pd.DataFrame({"arm": ["A"] * 3, "time": [1.0, 2.0, 3.0], "event": [1, 0, 1]}))
    assert s.contrasts == ()
    assert s.logrank_all is None
    assert s.contrasts_frame().empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"reference": "Z"}, r"reference must be one of the arms \['control', 'treatment'\], got 'Z'",
                     id="reference"),
        pytest.param({"tau": -1}, r"tau must be a finite number > 0, got -1", id="tau"),
        pytest.param({"conf_level": 1.5}, r"conf_level must be a number in \(0, 1\)", id="conf_level"),
        pytest.param({"landmarks": [6, np.nan]}, r"landmarks must be finite times >= 0", id="landmarks"),
        pytest.param({"landmarks": ["six"]}, r"landmarks must be finite times >= 0, got \['six'\]",
                     id="landmarks-text"),
        pytest.param({"time_unit": "hours"}, r"time_unit must be one of 'days', 'weeks'", id="time_unit"),
    ],
)
def test_bad_parameters_raise_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        summarize_ipd(_load("twoarm25"), **kwargs)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        pytest.param(pd.DataFrame({"arm": ["A"], "time": [1.0]}), r"missing \['event'\]", id="column"),
        pytest.param(pd.DataFrame({"arm": ["A"], "time": [-1.0], "event": [1]}), r"time must be >= 0", id="time"),
        pytest.param(pd.DataFrame({"arm": ["A"], "time": [1.0], "event": [2]}), r"event must be 0", id="event"),
        pytest.param([1, 2], r"ipd must be a DataFrame", id="type"),
    ],
)
def test_bad_ipd_raises_input_error(frame, message):
    with pytest.raises(InputError, match=message):
        summarize_ipd(frame)


def test_result_contract(summaries):
    s = summaries["demo_reconstructed_ipd"]
    assert isinstance(s, IPDSummary)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.tau = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        s.arms[0].landmark_beyond_follow_up[0] = True
    with pytest.raises(KeyError, match="got 'nope'"):
        s["nope"]
    record = json.loads(json.dumps(s.to_dict(), allow_nan=True))
    assert record["time_unit"] == "months"
    assert record["tau_rule"] == TAU_RULE_DEFAULT
    assert [a["arm"] for a in record["arms"]] == ["Control", "Experimental"]
    assert record["arms"][0]["landmarks"][2]["beyond_follow_up"] is True
    assert list(s.to_frame()["arm"]) == ["Control", "Experimental"]
    frame = s.landmarks_frame()
    assert frame.shape[0] == 6
    assert frame["beyond_follow_up"].sum() == 2
    assert list(s.kms) == ["Control", "Experimental"]
    assert repr(s).startswith("IPDSummary(")


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**16),
    n_a=st.integers(4, 30),
    n_b=st.integers(4, 30),
)
def test_relabelling_rows_does_not_change_the_numbers(seed, n_a, n_b):
    """Row order is irrelevant, and swapping the reference inverts the HR and negates RMST differences."""
    rng = np.random.default_rng(seed)
    time = np.round(rng.exponential(10.0, n_a + n_b), 1) + 0.1
    event = np.ones(n_a + n_b, dtype=int)
    event[rng.random(n_a + n_b) < 0.3] = 0
    event[0] = event[n_a] = 1  # one event per arm at least
    ipd = pd.DataFrame({"arm": ["A"] * n_a + ["B"] * n_b, "time": time, "event": event})
    with warnings.catch_warnings():
        # complete separation (all of one arm's events first) leaves the HR undefined; tested above
        warnings.simplefilter("ignore", ComparisonWarning)
        s = summarize_ipd(ipd)
        shuffled = summarize_ipd(ipd.sample(frac=1.0, random_state=seed))
        swapped = summarize_ipd(ipd, reference="B")
    pd.testing.assert_frame_equal(s.to_frame(), shuffled.to_frame())
    assume(s.contrasts[0].hazard_ratio is not None)
    np.testing.assert_allclose(swapped.contrasts[0].hazard_ratio.log_hr, -s.contrasts[0].hazard_ratio.log_hr,
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(swapped.contrasts[0].rmst_difference.difference,
                               -s.contrasts[0].rmst_difference.difference, rtol=1e-10, atol=1e-12)
    assert all(0.0 <= a.rmst.rmst <= s.tau + 1e-12 for a in s.arms)
