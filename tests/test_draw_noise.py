"""A raster digitizer's reading errors in the draws (reconstruct.draw_noise): calibration, line centre, roughness."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconstruct import draw_ipd, km_at, km_step_points, number_at_risk, reconstruct_ipd, simulate_arm
from reconstruct.draw_noise import DigitizerNoise, axis_fit_noise, trace_roughness
from reconstruct.errors import InputError, ReconstructionWarning

PIXEL = 0.5 / 400  # half a pixel of a 400-pixel survival axis
GRID = np.linspace(1.0, 30.0, 30)


def _figure(n, seed, *, every=6.0):
    """Two simulated arms on a 400-pixel survival grid, and their at-risk table."""
    curves, tables = [], []
    for k, arm in enumerate(("A", "B")):
        sim = simulate_arm(n, seed=seed * 10 + k, median=12.0 / 0.7**k, accrual=12.0, follow_up=24.0,
                           dropout_rate=0.01)
        t, s = km_step_points(sim.time, sim.event)
        curves.append(pd.DataFrame({"arm": arm, "time": t, "survival": np.round(s * 400) / 400}))
        at = np.arange(0.0, sim.time.max(), every)
        tables.append(pd.DataFrame({"arm": arm, "time": at, "n_risk": number_at_risk(sim.time, at)}))
    return pd.concat(curves, ignore_index=True), pd.concat(tables, ignore_index=True)


def _draws(curves, table, noise=None, *, n_draws=60, seed=5, time_precision=0.0, precision=PIXEL, n_patients=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReconstructionWarning)
        rec = reconstruct_ipd(curves, table, precision=precision, n_patients=n_patients)
        draws = draw_ipd(curves, table, reconstruction=rec, precision=precision, time_precision=time_precision,
                         n_draws=n_draws, seed=seed, noise=noise, n_patients=n_patients)
    return rec, draws


def _km_shift(rec, draws, arm):
    """Per draw, mean of KM(draw) - KM(reconstruction) over a time grid; shape (n_draws,)."""
    r = rec[arm]
    base = km_at(np.asarray(r.time), np.asarray(r.event), GRID)
    frame = draws.to_frame()
    rows = frame[frame["arm"] == arm]
    return np.array([np.mean(km_at(g["time"].to_numpy(), g["event"].to_numpy(), GRID) - base)
                     for _, g in rows.groupby("draw")])


def test_calibration_shift_moves_both_arms_together():
    """A shared shift of the survival axis moves the arms' curves together; per-arm offsets move them apart."""
    curves, table = _figure(300, 1)
    shared = DigitizerNoise(y_shift=0.02, arm_precision={"A": PIXEL, "B": PIXEL})
    rec, d = _draws(curves, table, shared)
    a, b = _km_shift(rec, d, "A"), _km_shift(rec, d, "B")
    assert np.std(a) > 0.004 and np.std(b) > 0.004  # the shift reaches the curves ...
    assert np.corrcoef(a, b)[0, 1] > 0.8  # ... of both arms alike
    apart = DigitizerNoise(arm_offset={"A": 0.02, "B": 0.02}, arm_precision={"A": PIXEL, "B": PIXEL})
    rec, d = _draws(curves, table, apart)
    a, b = _km_shift(rec, d, "A"), _km_shift(rec, d, "B")
    assert np.std(a) > 0.004 and abs(np.corrcoef(a, b)[0, 1]) < 0.4


def test_time_calibration_shift_is_shared_and_centred():
    """A shared time-axis shift moves event times of both arms alike and on average not at all."""
    curves, table = _figure(200, 2)
    rec, d = _draws(curves, table, DigitizerNoise(x_shift=0.4), time_precision=0.0)
    frame = d.to_frame()
    mean_t = frame[frame["event"] == 1].groupby(["draw", "arm"])["time"].mean().unstack()
    base = rec.to_frame().query("event == 1").groupby("arm")["time"].mean()
    moved = mean_t - base
    assert np.corrcoef(moved["A"], moved["B"])[0, 1] > 0.5  # (table times hold still: near them less)
    per_draw = moved.to_numpy().mean(axis=1)
    assert per_draw.std() > 0.1 and abs(per_draw.mean()) < 3 * per_draw.std() / np.sqrt(per_draw.size)


@pytest.mark.parametrize(("level_px", "time_precision"), [(8.0, 0.0), (1.0, 0.3)])
def test_reading_noise_does_not_bias_the_curve(level_px, time_precision):
    """Level or time noise far above the step spacing leaves the draws' KM centred on the reconstruction's.

    (A running minimum to restore monotonicity pulled every level down by 0.007 here, a running
    maximum of the warped times pushed every time later, lifting the curve by 0.007.)
    """
    curves, table = _figure(400, 3)
    noise = DigitizerNoise(arm_precision={"A": level_px * PIXEL, "B": level_px * PIXEL})
    rec, d = _draws(curves, table, noise, n_draws=100, time_precision=time_precision)
    for arm in ("A", "B"):
        assert abs(_km_shift(rec, d, arm).mean()) < 0.002, arm


def test_draws_with_noise_reproducible_byte_for_byte():
    curves, table = _figure(120, 4)
    noise = DigitizerNoise(y_shift=0.003, y_scale=0.01, x_shift=0.2, x_scale=0.01, x_pivot=15.0,
                           arm_offset={"A": 0.001, "B": 0.001}, arm_precision={"A": 0.004, "B": 0.003})

    def digest(seed):
        _, d = _draws(curves, table, noise, seed=seed, time_precision=0.05)
        return hashlib.sha256(d.to_frame().to_csv(index=False, float_format="%.17g").encode()).hexdigest()

    assert digest(7) == digest(7)
    assert digest(7) != digest(8)


def test_without_noise_the_draws_are_unchanged():
    """The reading errors come from their own random stream: without them every other draw stays the same."""
    curves, table = _figure(100, 5)
    _, plain = _draws(curves, table, None, time_precision=0.05)
    _, zero = _draws(curves, table, DigitizerNoise(), time_precision=0.05)
    assert plain.parameters["noise"] is None
    # zero sds: the same events per draw; times moved only by the time precision (the common shift is the ticks')
    def events(d):
        return d.to_frame().groupby(["draw", "arm"])["event"].agg(["sum", "size"]).to_numpy()

    assert np.array_equal(events(plain), events(zero))
    assert not np.array_equal(plain.time, zero.time)


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(25, 200), seed=st.integers(0, 5_000), every=st.sampled_from([3.0, 6.0, 12.0]),
       y_px=st.floats(0.0, 3.0), x_px=st.floats(0.0, 3.0), rough=st.floats(1.0, 6.0))
def test_every_noisy_draw_keeps_n_and_the_table(n, seed, every, y_px, x_px, rough):
    """Property: with any reading errors every draw keeps the arm's n and the table's numbers at risk."""
    curves, table = _figure(n, seed, every=every)
    pixel_t = 36.0 / 600
    noise = DigitizerNoise(y_shift=y_px * 2 * PIXEL, y_scale=0.005 * y_px, x_shift=x_px * pixel_t,
                           x_scale=0.002 * x_px, x_pivot=18.0, arm_offset={"A": y_px * PIXEL, "B": y_px * PIXEL},
                           arm_precision={"A": rough * PIXEL, "B": rough * PIXEL})
    _, d = _draws(curves, table, noise, n_draws=15, seed=seed, time_precision=pixel_t)
    frame = d.to_frame()
    for arm in ("A", "B"):
        given_table = table[table["arm"] == arm]
        for _, g in frame[frame["arm"] == arm].groupby("draw"):
            assert len(g) == n
            assert np.all(g["time"].to_numpy() >= 0)
            at_risk = number_at_risk(g["time"].to_numpy(), given_table["time"].to_numpy())
            assert np.array_equal(at_risk, given_table["n_risk"].to_numpy())


def test_axis_fit_noise_equals_least_squares_standard_errors():
    """The calibration's shift and scale sds are the OLS standard errors of the tick fit (statsmodels)."""
    px = np.array([40.0, 101.3, 159.2, 221.0, 280.4, 339.1])
    values = np.linspace(0.0, 1.0, 6)
    fit = sm.OLS(px, sm.add_constant(values)).fit()  # pixel position on value: the ticks' scatter is in pixels
    slope = 1.0 / fit.params[1]  # value per pixel
    shift, scale, pivot = axis_fit_noise(px, values, slope)
    sigma = np.sqrt(fit.scale)
    assert sigma > 0.5  # above the half-pixel floor, so the fit's own scatter decides
    centre = fit.get_prediction(np.array([[1.0, values.mean()]])).se_mean[0]  # px at the centroid
    assert shift == pytest.approx(centre * abs(slope), rel=0.02)
    assert scale == pytest.approx(fit.bse[1] / fit.params[1], rel=0.02)
    assert pivot == pytest.approx(0.5)
    # two ticks: half a pixel
    shift2, _, _ = axis_fit_noise([0.0, 300.0], [0.0, 1.0], 1 / 300)
    assert shift2 == pytest.approx(0.5 / np.sqrt(2) / 300)


def test_trace_roughness_is_zero_for_an_exact_trace_and_grows_with_misreads():
    sim = simulate_arm(150, seed=9, median=12.0, accrual=12.0, follow_up=24.0)
    t, s = km_step_points(sim.time, sim.event)
    assert trace_roughness(t, s, sim.time, sim.event) == pytest.approx(0.0, abs=1e-12)
    bumped = s.copy()
    bumped[1:] += np.random.default_rng(0).normal(0.0, 0.01, s.size - 1)
    assert trace_roughness(t, bumped, sim.time, sim.event) == pytest.approx(0.01, rel=0.25)


def test_noise_rejects_negative_sds():
    with pytest.raises(InputError, match="y_shift"):
        DigitizerNoise(y_shift=-1.0)
    with pytest.raises(InputError, match="arm_precision"):
        DigitizerNoise(arm_precision={"A": float("nan")})


def test_a_lag_left_by_a_table_row_is_made_up_after_it():
    """A step read just before a table time whose row cannot hold its events: the draws catch up after the row.

    Twenty patients, events at 1, 2, 3, 4, two at 6.01, then 7, 8, ...; the figure puts the drop at
    6.01 at 5.99. The row at 6 (16 at risk) caps the first block at 4 events; the two left over must
    come at the next step, or every draw's KM stays a tenth above the curve to the end.
    """
    times = np.r_[1.0, 2.0, 3.0, 4.0, 6.01, 6.01, np.arange(7.0, 21.0)]
    t, s = km_step_points(times, np.ones(times.size))
    t = np.where(np.isclose(t, 6.01), 5.99, t)
    curves = pd.DataFrame({"arm": "A", "time": t, "survival": s})
    table = pd.DataFrame({"arm": "A", "time": [0.0, 6.0, 12.0], "n_risk": number_at_risk(times, [0.0, 6.0, 12.0])})
    _, d = _draws(curves, table, n_draws=20, precision=1e-3)
    grid = np.array([7.5, 9.5, 11.5])
    curve_at = s[np.searchsorted(t, grid, side="right") - 1]
    for _, g in d.to_frame().groupby("draw"):
        assert np.abs(km_at(g["time"].to_numpy(), g["event"].to_numpy(), grid) - curve_at).max() < 0.03


def test_a_hidden_last_drop_is_taken_by_about_half_the_draws():
    """A curve ending near zero: with ``end_drop`` 1/2 about half the draws end with the last patients' events."""
    times = np.r_[np.arange(1.0, 19.0), 20.0]  # 19 patients, the last one censored at 20: the curve ends at 1/19
    events = np.r_[np.ones(18), 0.0]
    t, s = km_step_points(times, events)
    curves = pd.DataFrame({"arm": "A", "time": t, "survival": s})
    table = pd.DataFrame({"arm": "A", "time": [0.0, 10.0], "n_risk": number_at_risk(times, [0.0, 10.0])})

    def ended_at_zero(p):
        _, d = _draws(curves, table, DigitizerNoise(end_drop={"A": p}, arm_precision={"A": 1e-3}), n_draws=100,
                      precision=1e-3)
        frame = d.to_frame().sort_values(["draw", "time", "event"], kind="stable")
        return frame.groupby("draw")["event"].last().to_numpy()

    assert ended_at_zero(0.0).sum() == 0
    assert ended_at_zero(1.0).sum() == 100
    assert 35 <= ended_at_zero(0.5).sum() <= 65
    with pytest.raises(InputError, match="end_drop"):
        DigitizerNoise(end_drop={"A": 1.5})


def test_raster_reading_breaks_ties_between_arms_but_not_within_one():
    """Steps of two arms read in the same pixel column: tied without reading errors, in random order with them."""
    frames = []
    for arm, drop in (("A", 0.05), ("B", 0.025)):
        t = np.r_[0.0, np.arange(1.0, 9.0)]
        s = np.r_[1.0, 1.0 - drop * np.arange(1, 9)]
        frames.append(pd.DataFrame({"arm": arm, "time": t, "survival": s}))
    curves = pd.concat(frames, ignore_index=True)

    def cross_ties(noise):
        _, d = _draws(curves, None, noise, n_draws=30, time_precision=0.05, precision=1e-3,
                      n_patients={"A": 40, "B": 80})
        frame = d.to_frame().query("event == 1")
        shared = [np.intersect1d(g.query("arm == 'A'")["time"], g.query("arm == 'B'")["time"]).size
                  for _, g in frame.groupby("draw")]
        within = [g["time"].duplicated().sum() for _, g in frame.query("arm == 'A'").groupby("draw")]
        return np.array(shared), np.array(within)

    shared, within_plain = cross_ties(None)
    assert np.all(shared == 8)  # every step time stays tied across the arms
    shared, within = cross_ties(DigitizerNoise())
    assert shared.max() == 0  # each arm's steps move on their own
    assert np.array_equal(within, within_plain) and within.min() > 0  # ties inside an arm stay
