"""Reconstruction draws and the intervals built on them (reconstruct.draws, compare.survival.draw_stats, _uncertainty)."""

from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.stats import norm
from scipy.stats import t as student_t

from compare import cox_hr, kaplan_meier, landmark_survival, logrank_test, median_survival, rmst, summarize_ipd
from compare.survival.draw_stats import draw_cox_logrank, draw_km, draw_landmarks, draw_medians, draw_rmst
from compare.survival.uncertainty import annotate_summary_dict, logrank_total, summary_uncertainty
from reconstruct import draw_ipd, km_at, km_step_points, number_at_risk, reconstruct_ipd, simulate_arm
from reconstruct.errors import InputError, ReconstructionWarning

PIXEL = 0.5 / 400  # half a pixel of a 400-pixel survival axis


def _figure(n, seed, *, pixel=False, every=6.0, marks=False, hr=0.7):
    """Two simulated arms: curves (exact or on a 400-pixel grid), table, true IPD, optional marks."""
    curves, tables, truth, mark_rows = [], [], [], []
    for k, arm in enumerate(("A", "B")):
        sim = simulate_arm(n, seed=seed * 10 + k, median=12.0 / hr**k, accrual=12.0, follow_up=24.0,
                           dropout_rate=0.01)
        t, s = km_step_points(sim.time, sim.event)
        if pixel:
            s = np.round(s * 400) / 400
        curves.append(pd.DataFrame({"arm": arm, "time": t, "survival": s}))
        at = np.arange(0.0, sim.time.max(), every)
        tables.append(pd.DataFrame({"arm": arm, "time": at, "n_risk": number_at_risk(sim.time, at)}))
        truth.append(pd.DataFrame({"arm": arm, "time": sim.time, "event": sim.event}))
        mark_rows.append(pd.DataFrame({"arm": arm, "time": sim.time[sim.event == 0]}))
    marks_frame = pd.concat(mark_rows, ignore_index=True) if marks else None
    return pd.concat(curves, ignore_index=True), pd.concat(tables, ignore_index=True), \
        pd.concat(truth, ignore_index=True), marks_frame


def _draws(curves, table, *, precision, marks=None, n_draws=50, seed=3, time_precision=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReconstructionWarning)
        rec = reconstruct_ipd(curves, table, precision=precision, censor_marks=marks)
        draws = draw_ipd(curves, table, reconstruction=rec, precision=precision, censor_marks=marks,
                         n_draws=n_draws, seed=seed, time_precision=time_precision)
    return rec, draws


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False, float_format="%.17g").encode()).hexdigest()


# --------------------------------------------------------------------------- draws


def test_draws_reproducible_byte_for_byte():
    curves, table, _, _ = _figure(80, 1, pixel=True)
    _, a = _draws(curves, table, precision=PIXEL, seed=11)
    _, b = _draws(curves, table, precision=PIXEL, seed=11)
    _, c = _draws(curves, table, precision=PIXEL, seed=12)
    assert _digest(a.to_frame()) == _digest(b.to_frame())
    assert _digest(a.to_frame()) != _digest(c.to_frame())
    assert list(a.to_frame().columns) == ["draw", "arm", "time", "event"]


def test_draws_are_read_only_and_bounded():
    curves, table, _, _ = _figure(40, 2)
    _, d = _draws(curves, table, precision=1e-9, n_draws=5)
    with pytest.raises(ValueError, match="read-only"):
        d.time[0] = 1.0
    b = d.arm_bounds("A")
    assert b.shape == (6,)
    assert np.all(np.diff(b) == 40)
    with pytest.raises(KeyError):
        d.arm_bounds("C")


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_draws_reject_bad_counts(bad):
    curves, table, _, _ = _figure(20, 2)
    if bad == 2.5:
        with pytest.raises(InputError, match="seed must be an integer"):
            draw_ipd(curves, table, precision=1e-9, n_draws=3, seed=bad)
    else:
        with pytest.raises(InputError, match="n_draws must be"):
            draw_ipd(curves, table, precision=1e-9, n_draws=bad)


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(25, 200), seed=st.integers(0, 10_000), pixel=st.booleans(), marks=st.booleans(),
       every=st.sampled_from([3.0, 6.0, 12.0]))
# pixel-quantised curves that broke the draws: a reconstruction one patient off the table, uniform censorings
# leaving too few at risk for a step, pinned multiples chosen independently of the previous one, and events
# by cumulative rounding overshooting where few are at risk
@example(n=84, seed=98, pixel=True, marks=False, every=12.0)
@example(n=83, seed=0, pixel=True, marks=False, every=12.0)
@example(n=148, seed=0, pixel=True, marks=False, every=6.0)
@example(n=25, seed=2291, pixel=True, marks=False, every=3.0)
@example(n=149, seed=164, pixel=True, marks=False, every=12.0)
@example(n=58, seed=5845, pixel=True, marks=False, every=6.0)
@example(n=155, seed=2925, pixel=True, marks=True, every=3.0)
@example(n=161, seed=161, pixel=True, marks=True, every=12.0)
def test_every_draw_fits_table_and_curve(n, seed, pixel, marks, every):
    """Property: each draw keeps n, the at-risk table exactly and the curve within the reconstruction's own fit."""
    curves, table, _, mark_frame = _figure(n, seed, pixel=pixel, every=every, marks=marks)
    precision = PIXEL if pixel else 1e-9
    rec, d = _draws(curves, table, precision=precision, marks=mark_frame, n_draws=20, seed=seed,
                    time_precision=0.0)
    frame = d.to_frame()
    for arm in ("A", "B"):
        rows, given_table, curve = frame[frame["arm"] == arm], table[table["arm"] == arm], curves[curves["arm"] == arm]
        km_fit = rec[arm].fidelity.km_max_abs_diff
        for _, g in rows.groupby("draw"):
            time, event = g["time"].to_numpy(), g["event"].to_numpy().astype(np.int64)
            assert len(g) == n
            at_risk = number_at_risk(time, given_table["time"].to_numpy())
            assert np.array_equal(at_risk, given_table["n_risk"].to_numpy())
            assert np.all(time >= 0)
            assert np.all(time <= curve["time"].max() + 1e-9)
            diff = np.abs(km_at(time, event, curve["time"].to_numpy()) - curve["survival"].to_numpy()).max()
            # exact input: the curve itself; pixel input: within the reconstruction's fit plus a few pixels
            assert diff <= km_fit + (1e-9 if not pixel else 8 * PIXEL + 1.0 / n)


def test_time_warp_keeps_table_and_ties():
    curves, table, _, _ = _figure(60, 4, pixel=True)
    _, d = _draws(curves, table, precision=PIXEL, n_draws=30, time_precision=0.3)
    frame = d.to_frame()
    for (arm, _), g in frame.groupby(["arm", "draw"]):
        t = table[table["arm"] == arm]
        assert np.array_equal(number_at_risk(g["time"].to_numpy(), t["time"].to_numpy()), t["n_risk"].to_numpy())


def test_exact_input_with_marks_collapses_to_the_truth():
    """Vector input with every censor mark: every draw is the true IPD's statistics (to float precision)."""
    curves, table, truth, marks = _figure(120, 5, marks=True)
    rec, d = _draws(curves, table, precision=1e-9, marks=marks, n_draws=30)
    summary = summarize_ipd(rec.to_frame(), landmarks=[12])
    u = summary_uncertainty(summary, d.to_frame())
    true = summarize_ipd(truth, landmarks=[12], tau=summary.tau)
    hr = u.contrasts["B"]["hazard_ratio"].reconstruction
    assert hr.draws == 30
    assert_allclose([hr.conf_low, hr.conf_high], true.contrasts[0].hazard_ratio.hazard_ratio, rtol=1e-6)
    for arm in ("A", "B"):
        med = u.arms[arm]["median"].reconstruction
        assert_allclose([med.conf_low, med.conf_high], true[arm].median.time, rtol=1e-6)
        width = u.arms[arm]["rmst"].reconstruction
        assert width.conf_high - width.conf_low < 1e-6 * summary[arm].rmst.rmst


def test_exact_input_without_marks_is_narrow():
    """Without marks only the censorings' places between steps are free: HR interval under 5% of the CI."""
    curves, table, truth, _ = _figure(150, 6)
    rec, d = _draws(curves, table, precision=1e-9, n_draws=100)
    summary = summarize_ipd(rec.to_frame(), landmarks=[12])
    u = summary_uncertainty(summary, d.to_frame())
    hr, classical = u.contrasts["B"]["hazard_ratio"], summary.contrasts[0].hazard_ratio
    assert np.log(hr.reconstruction.conf_high / hr.reconstruction.conf_low) < 0.05 * np.log(
        classical.conf_high / classical.conf_low)
    for arm in ("A", "B"):  # per-arm KM statistics do not depend on where censorings sit between steps
        med = u.arms[arm]["median"].reconstruction
        assert med.conf_high - med.conf_low < 1e-6
    true_hr = cox_hr(truth["time"], truth["event"], truth["arm"], reference="A").hazard_ratio
    assert hr.reconstruction.conf_low <= true_hr <= hr.reconstruction.conf_high


def test_coverage_on_a_small_fixed_set():
    """Pixel-rounded figures: the reconstruction interval holds the true IPD's log HR and RMST in most cases."""
    hits, total = 0, 0
    for seed in range(8):
        curves, table, truth, _ = _figure(60 + 30 * seed, 100 + seed, pixel=True, every=[3.0, 6.0, 12.0][seed % 3])
        rec, d = _draws(curves, table, precision=PIXEL, n_draws=200, seed=seed, time_precision=0.5 * 36 / 600)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            summary = summarize_ipd(rec.to_frame(), landmarks=[12])
            true = summarize_ipd(truth, landmarks=[12], tau=summary.tau)
        u = summary_uncertainty(summary, d.to_frame())
        pairs = [(u.contrasts["B"]["hazard_ratio"].reconstruction, true.contrasts[0].hazard_ratio.hazard_ratio),
                 (u.arms["A"]["rmst"].reconstruction, true["A"].rmst.rmst)]
        for interval, value in pairs:
            total += 1
            hits += interval.conf_low - 1e-9 <= value <= interval.conf_high + 1e-9
    assert hits >= 14, f"covered {hits} of {total}"


# --------------------------------------------------------------------------- batched statistics


def test_batched_statistics_equal_the_single_set_functions():
    curves, table, _, _ = _figure(70, 7, pixel=True)
    _, d = _draws(curves, table, precision=PIXEL, n_draws=12, time_precision=0.05)
    frame = d.to_frame()
    parts = {}
    for arm in ("A", "B"):
        b = d.arm_bounds(arm)
        parts[arm] = (d.draw[b[0]:b[-1]], d.time[b[0]:b[-1]], d.event[b[0]:b[-1]])
    kms = {arm: draw_km(*parts[arm], 12) for arm in parts}
    log_hr, se, p = draw_cox_logrank(parts["A"], parts["B"], 12)
    for k, g in frame.groupby("draw"):
        for arm in ("A", "B"):
            rows = g[g["arm"] == arm]
            km = kaplan_meier(rows["time"], rows["event"])
            med = median_survival(km)
            assert_allclose(draw_medians(kms[arm], 12)[k], [med.time, med.conf_low, med.conf_high], rtol=1e-10)
            assert_allclose(draw_landmarks(kms[arm], [6, 12, 40], 12)[k],
                            landmark_survival(km, [6, 12, 40]).survival, rtol=1e-10)
            assert_allclose(draw_rmst(kms[arm], 20.0, 12)[k], rmst(km, tau=20.0).rmst, rtol=1e-10)
        hr = cox_hr(g["time"], g["event"], g["arm"], reference="A")
        assert_allclose([log_hr[k], se[k]], [hr.log_hr, hr.se], rtol=1e-6, atol=1e-8)  # statsmodels' tolerance
        assert_allclose(p[k], logrank_test(g["time"], g["event"], g["arm"]).p_value, rtol=1e-10)


# --------------------------------------------------------------------------- contract


def test_summary_json_contract_and_total_interval():
    curves, table, _, _ = _figure(90, 8, pixel=True)
    rec, d = _draws(curves, table, precision=PIXEL, n_draws=40)
    summary = summarize_ipd(rec.to_frame(), landmarks=[6, 12])
    u = summary_uncertainty(summary, d.to_frame(), parameters=d.parameters)
    record = json.loads(json.dumps(annotate_summary_dict(summary.to_dict(), u), default=float))
    for arm in record["arms"]:
        for item in [arm["median"], arm["rmst"], *arm["landmarks"]]:
            assert set(item["reconstruction"]) >= {"conf_low", "conf_high", "draws"}
            assert set(item["total"]) - {"limits"} == {"conf_low", "conf_high"}
        for side in ("conf_low", "conf_high"):
            assert set(arm["median"]["total"]["limits"][side]) == {"conf_low", "conf_high"}
    hr = record["contrasts"][0]["hazard_ratio"]
    assert hr["reconstruction"]["draws"] == 40
    # Rubin: the total interval is at least as wide as the classical one on the log scale (up to the centre shift)
    classical = np.log(hr["conf_high"] / hr["conf_low"])
    total = np.log(hr["total"]["conf_high"] / hr["total"]["conf_low"])
    assert total >= classical * (1 - 1e-9)
    assert record["uncertainty"]["parameters"]["seed"] == 3
    assert record["contrasts"][0]["logrank"]["reconstruction"]["draws"] == 40
    assert set(record["contrasts"][0]["logrank"]["total"]) == {"conf_low", "conf_high"}


def _rubin_by_hand(g, within, level=0.95):
    """Rubin's rules written out (independent of compare.survival.uncertainty)."""
    m, q_bar, b = g.size, g.mean(), g.var(ddof=1)
    t_var = within + (1 + 1 / m) * b
    nu = (m - 1) * (1 + within / ((1 + 1 / m) * b)) ** 2
    half = student_t.ppf(0.5 + level / 2, nu) * np.sqrt(t_var)
    return q_bar - half, q_bar + half


def test_median_limits_and_logrank_total_against_single_set_functions():
    curves, table, _, _ = _figure(80, 12, pixel=True)
    rec, d = _draws(curves, table, precision=PIXEL, n_draws=30)
    summary = summarize_ipd(rec.to_frame(), landmarks=[12])
    u = summary_uncertainty(summary, d)  # the IPDDraws itself
    assert u.parameters["seed"] == 3
    frame = d.to_frame()
    lows, highs, zs = [], [], []
    for _, g in frame.groupby("draw"):
        med = median_survival(kaplan_meier(g.loc[g["arm"] == "A", "time"], g.loc[g["arm"] == "A", "event"]))
        lows.append(med.conf_low)
        highs.append(med.conf_high)
        lr = logrank_test(g["time"], g["event"], g["arm"])
        b = lr.groups.index("B")
        zs.append(np.sign(lr.observed[b] - lr.expected[b]) * np.sqrt(lr.statistic))
    med = summary["A"].median
    z = norm.ppf(0.975)
    within = ((np.log(med.conf_high) - np.log(med.conf_low)) / (2 * z)) ** 2
    for values, got in ((lows, u.arms["A"]["median_limits"][0]), (highs, u.arms["A"]["median_limits"][1])):
        g = np.log(np.asarray(values))
        assert np.ptp(g) > 0  # the draws disagree: a real test of the between part
        assert_allclose([got.total_low, got.total_high], np.exp(_rubin_by_hand(g, within)), rtol=1e-9)
        assert_allclose([got.reconstruction.conf_low, got.reconstruction.conf_high],
                        np.percentile(values, [2.5, 97.5]), rtol=1e-9)
    lo, hi = _rubin_by_hand(np.asarray(zs), 1.0)
    p_far, p_near = 2 * norm.sf(max(abs(lo), abs(hi))), (1.0 if lo <= 0 <= hi else 2 * norm.sf(min(abs(lo), abs(hi))))
    got = u.contrasts["B"]["logrank_p"]
    assert_allclose([got.total_low, got.total_high], [p_far, p_near], rtol=1e-9)
    assert got.total_low <= summary.contrasts[0].logrank.p_value <= got.total_high


def test_logrank_total_without_reconstruction_spread_is_the_sampling_interval():
    # every draw gives z = 2.5: Q = 2.5, B = 0, T = 1, normal quantile: z in 2.5 -/+ 1.96
    low, high = logrank_total(np.full(50, 2.5), 0.95)
    assert_allclose([low, high], [2 * norm.sf(2.5 + 1.959963984540054), 2 * norm.sf(2.5 - 1.959963984540054)],
                    rtol=1e-12)
    low, high = logrank_total(np.r_[np.full(25, 0.4), np.full(25, -0.4)], 0.95)
    assert high == 1.0
    assert 0.0 < low < 0.05
    assert np.isnan(logrank_total(np.array([np.nan, 1.0]), 0.95)).all()


def test_total_equals_classical_when_draws_agree():
    curves, table, _, marks = _figure(60, 9, marks=True)
    rec, d = _draws(curves, table, precision=1e-9, marks=marks, n_draws=20)
    summary = summarize_ipd(rec.to_frame(), landmarks=[12])
    u = summary_uncertainty(summary, d.to_frame())
    rm = u.arms["A"]["rmst"]
    assert_allclose([rm.total_low, rm.total_high], [summary["A"].rmst.conf_low, summary["A"].rmst.conf_high],
                    rtol=1e-9)
    med = u.arms["A"]["median"]
    assert_allclose([med.total_low, med.total_high], [summary["A"].median.conf_low, summary["A"].median.conf_high],
                    rtol=1e-6)


def test_summary_uncertainty_rejects_missing_arm():
    curves, table, _, _ = _figure(30, 10)
    rec, d = _draws(curves, table, precision=1e-9, n_draws=3)
    summary = summarize_ipd(rec.to_frame())
    with pytest.raises(InputError, match="every arm"):
        summary_uncertainty(summary, d.to_frame().query("arm == 'A'"))


# --------------------------------------------------------------------------- command line


def test_reconstruct_command_writes_draws(tmp_path):
    from click.testing import CliRunner

    from kmrecon.commands.demo import demo_file
    from kmrecon.cli import main

    base = ["reconstruct", str(demo_file("curves.csv")), "--at-risk", str(demo_file("at_risk.csv"))]
    runner = CliRunner()
    result = runner.invoke(main, [*base, "-o", str(tmp_path / "ipd.csv"), "--draws", "7", "--seed", "4"])
    assert result.exit_code == 0, result.output
    draws = pd.read_csv(tmp_path / "ipd_draws.csv")
    assert list(draws.columns) == ["draw", "arm", "time", "event"]
    assert sorted(draws["draw"].unique()) == list(range(7))
    assert draws.groupby("draw").size().unique().tolist() == [75]
    sidecar = json.loads((tmp_path / "ipd.json").read_text())
    assert sidecar["draws"]["seed"] == 4
    off = runner.invoke(main, [*base, "-o", str(tmp_path / "off.csv"), "--draws", "0"])
    assert off.exit_code == 0, off.output
    assert not (tmp_path / "off_draws.csv").exists()
    assert "turned off" in json.loads((tmp_path / "off.json").read_text())["draws"]["note"]


@pytest.mark.slow
def test_run_command_reports_intervals(tmp_path):
    from click.testing import CliRunner

    from kmrecon.commands.demo import demo_file
    from kmrecon.cli import main

    result = CliRunner().invoke(main, ["run", str(demo_file("figure.png")), "-o", str(tmp_path / "out"),
                                       "--draws", "30"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "summary.json").read_text())["summary"]
    hr = record["contrasts"][0]["hazard_ratio"]
    assert hr["reconstruction"]["draws"] == 30
    assert hr["total"]["conf_low"] <= hr["hazard_ratio"] <= hr["total"]["conf_high"]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "## Reconstruction uncertainty" in report
    assert "Reconstruction interval (2.5-97.5%)" in report
    assert "median, lower CI limit" in report
    # the draws are written beside the IPD and named in run.json, where kmrecon compare finds them
    from kmrecon.compare_draws import find_draws

    run_record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run_record["draws"]["file"] == "ipd_draws.csv"
    assert run_record["draws"]["n_draws"] == 30
    assert find_draws(tmp_path / "out" / "ipd.csv") == (tmp_path / "out" / "ipd_draws.csv", "")
    draws = pd.read_csv(tmp_path / "out" / "ipd_draws.csv")
    ipd = pd.read_csv(tmp_path / "out" / "ipd.csv")
    assert (draws.groupby(["draw", "arm"]).size().unstack() == ipd.groupby("arm").size()).all().all()
    # --draws 0: no draws file, and run.json and the report say the draws were turned off
    off = CliRunner().invoke(main, ["run", str(demo_file("figure.png")), "-o", str(tmp_path / "off"), "--draws", "0"])
    assert off.exit_code == 0, off.output
    assert not (tmp_path / "off" / "ipd_draws.csv").exists()
    assert find_draws(tmp_path / "off" / "ipd.csv")[0] is None
    assert "turned off" in (tmp_path / "off" / "report.md").read_text()


def test_reconstruct_ipd_returns_its_draws():
    curves, table, _, _ = _figure(40, 13, pixel=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReconstructionWarning)
        off = reconstruct_ipd(curves, table, precision=PIXEL)
        on = reconstruct_ipd(curves, table, precision=PIXEL, draws=9, seed=2)
        again = draw_ipd(curves, table, reconstruction=off, precision=PIXEL, n_draws=9, seed=2)
    assert off.draws is None
    assert "turned off" in off.draws_note
    assert on.draws.n_draws == 9
    assert on.draws_note == ""
    frame = on.draws.to_frame()
    assert list(frame.columns) == ["draw", "arm", "time", "event"]
    assert _digest(frame) == _digest(again.to_frame())  # the same draws as draw_ipd on the same inputs
    assert on.to_frame().equals(off.to_frame())  # drawing does not change the reconstruction
    with pytest.raises(AttributeError):
        on.draws = None  # frozen
