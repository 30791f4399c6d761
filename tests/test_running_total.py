"""running_total (the Guyot solve's totals after a leading 0) is np.r_[0.0, np.cumsum(x)] bit for bit, dtype too."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reconstruct._guyot_rounding import running_total


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 40), elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_running_total_equals_r_of_floats(values):
    got, want = running_total(values), np.r_[0.0, np.cumsum(values)]
    assert got.dtype == want.dtype == np.float64
    assert np.array_equal(got, want)  # exact: the same cumsum, a 0 put in front


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(0, 10_000)))
def test_running_total_equals_r_of_integers(values):
    got, want = running_total(values), np.r_[0.0, np.cumsum(values)]
    assert got.dtype == want.dtype == np.float64
    assert np.array_equal(got, want)


def test_running_total_of_events():
    assert running_total(np.array([2.0, 0.0, 3.0])).tolist() == [0.0, 2.0, 2.0, 5.0]
