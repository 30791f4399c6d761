"""Property-based invariants (hypothesis) of cleaning, reconstruction and the CSV readers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconstruct import clean_curve, km_at, reconstruct_arm
from reconstruct.io import read_curves_csv
from reconstruct.errors import InputError, ReconstructionWarning

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def curves_with_tables(draw):
    """A valid non-increasing curve and a consistent (non-increasing) at-risk table."""
    k = draw(st.integers(2, 40))
    times = np.cumsum(draw(st.lists(st.floats(0.01, 5.0), min_size=k, max_size=k)))
    drops = np.array(draw(st.lists(st.floats(0.0, 0.2), min_size=k, max_size=k)))
    surv = np.clip(np.cumprod(1.0 - drops), 0.0, 1.0)
    n0 = draw(st.integers(1, 400))
    rows = draw(st.integers(1, 6))
    table_t = np.linspace(0.0, times[-1], rows + 1)[:-1] if rows > 1 else np.array([0.0])
    fractions = np.sort(np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=rows, max_size=rows))))[::-1]
    table_n = np.maximum.accumulate(np.floor(n0 * fractions)[::-1])[::-1].astype(int)
    table_n[0] = n0
    method = draw(st.sampled_from(["steps", "guyot"]))
    precision = draw(st.sampled_from([1e-9, 1e-4, 1e-3, 1e-2]))
    return np.r_[0.0, times], np.r_[1.0, surv], table_t, table_n, method, precision


@SETTINGS
@given(curves_with_tables())
def test_reconstruction_invariants(case):
    time, surv, table_t, table_n, method, precision = case
    with warnings.catch_warnings(record=True) as caught:  # random tables often contradict their curves
        warnings.simplefilter("always")
        rec = reconstruct_arm(time, surv, at_risk_time=table_t, at_risk=table_n, method=method, precision=precision)
    assert all(issubclass(w.category, ReconstructionWarning) for w in caught)
    assert rec.n_patients == table_n[0]  # reconstructed n equals the given n
    assert 0 <= rec.n_events <= rec.n_patients
    assert np.all(np.diff(rec.time) >= 0)
    assert np.all((rec.time >= 0) & (rec.time <= time[-1] + 1e-12))
    km = km_at(rec.time, rec.event, np.linspace(0, time[-1], 50))
    assert np.all(np.diff(km) <= 1e-15)  # the KM never increases
    assert np.all((km >= 0) & (km <= 1))


@SETTINGS
@given(
    st.lists(st.tuples(st.floats(-5, 50, allow_nan=False), st.floats(-0.2, 1.2, allow_nan=False)), min_size=1,
             max_size=60),
)
def test_clean_curve_output_is_valid_or_a_clear_error(points):
    t, s = np.array(points).T
    try:
        cleaned = clean_curve(t, s, max_rise=0.05)
    except InputError as exc:
        assert "expected" in str(exc)
        return
    assert cleaned.time[0] == 0 and cleaned.survival[0] == 1
    assert np.all(np.diff(cleaned.time) > 0)
    assert np.all(np.diff(cleaned.survival) <= 0)
    assert np.all((cleaned.survival >= 0) & (cleaned.survival <= 1))


@SETTINGS
@given(st.lists(st.text(alphabet="0123456789.,-eanif \"A", max_size=12), min_size=3, max_size=30))
def test_curve_reader_never_crashes_on_garbage(tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("fuzz") / "c.csv"
    body = "\n".join(",".join(cells[i : i + 3]) for i in range(0, len(cells), 3))
    path.write_text("arm,time,survival\n" + body + "\n")
    try:
        frame = read_curves_csv(path)
    except InputError as exc:
        assert str(exc).startswith(str(path))
        return
    assert isinstance(frame, pd.DataFrame)
    assert np.isfinite(frame[["time", "survival"]].to_numpy()).all()


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(-2, 60),
    n=st.integers(0, 60),
    p=st.floats(0.0, 1.0),
)
def test_binomial_and_geometric_log_pmfs_equal_scipy_stats(k, n, p):
    from scipy import stats

    from reconstruct.guyot import binom_logpmf, geometric_logpmf

    np.testing.assert_allclose(binom_logpmf(k, n, p), stats.binom.logpmf(k, n, p), rtol=1e-12, atol=1e-12)
    if p > 0:
        np.testing.assert_allclose(geometric_logpmf(k, p), stats.nbinom.logpmf(k, 1, p), rtol=1e-12, atol=1e-12)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    data=st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=60),
    at=st.lists(st.floats(-1.0, 45.0), min_size=1, max_size=20),
)
def test_km_at_equals_scikit_survival(data, at):
    from sksurv.nonparametric import kaplan_meier_estimator

    time = np.array([float(t) for t, _ in data])
    event = np.array([int(e) for _, e in data])
    x, y = kaplan_meier_estimator(event.astype(bool), time)
    at = np.asarray(at)
    idx = np.searchsorted(x, at, side="right") - 1
    expected = np.where(idx >= 0, y[np.clip(idx, 0, None)], 1.0)
    np.testing.assert_allclose(km_at(time, event, at), expected, rtol=0, atol=1e-12)
