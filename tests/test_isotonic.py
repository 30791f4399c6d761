"""reconstruct.isotonic equals scipy.optimize.isotonic_regression (decreasing, weighted)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import isotonic_regression

from reconstruct.isotonic import isotonic_decreasing

_values = st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=80)


@settings(max_examples=300, deadline=None)
@given(y=_values, data=st.data())
def test_equals_scipy_on_random_input(y, data):
    w = data.draw(st.lists(st.floats(1e-3, 1e6), min_size=len(y), max_size=len(y)))
    expected = isotonic_regression(y, weights=w, increasing=False).x
    np.testing.assert_allclose(isotonic_decreasing(y, w), expected, rtol=1e-9, atol=1e-6)


def test_known_pooling():
    # (1, 3) pool to 2 with equal weights; with weight 3 on the 3 they pool to 2.5.
    np.testing.assert_allclose(isotonic_decreasing([5.0, 1.0, 3.0, 0.0]), [5.0, 2.0, 2.0, 0.0])
    np.testing.assert_allclose(isotonic_decreasing([5.0, 1.0, 3.0, 0.0], [1.0, 1.0, 3.0, 1.0]), [5.0, 2.5, 2.5, 0.0])
    # An increasing run pools to one weighted mean.
    np.testing.assert_allclose(isotonic_decreasing([1.0, 2.0, 3.0, 4.0]), [2.5] * 4)


def test_long_near_monotone_sequence_equals_scipy(rng):
    y = np.sort(rng.uniform(0, 5000, 7500))[::-1] + rng.normal(0, 3, 7500)
    w = rng.uniform(0.5, 2.0, 7500)
    np.testing.assert_allclose(isotonic_decreasing(y, w), isotonic_regression(y, weights=w, increasing=False).x,
                               rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize(("y", "w"), [([[1.0, 2.0]], None), ([1.0, 2.0], [1.0]), ([1.0, 2.0], [1.0, 0.0])])
def test_bad_shapes_and_weights_raise(y, w):
    with pytest.raises(ValueError, match="expected"):
        isotonic_decreasing(y, w)
