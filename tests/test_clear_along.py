"""_clear_along zeroes, around a traced path, the same pixels as the column-by-column loop it replaced."""

from __future__ import annotations

import numpy as np

from reconstruct.digitize import curves
from reconstruct.digitize.colour_paths import _clear_along


def _plain_clear(residual, path, reach):
    for c in range(path.start, path.stop):
        top = path.rows[max(c - reach, 0)]
        bottom = path.rows[min(c + reach, path.rows.size - 1)]
        residual[max(top - reach, 0): bottom + reach + 1, c] = 0.0


def test_clear_along_equals_the_column_loop():
    rng = np.random.default_rng(7)
    for _ in range(300):
        n_rows, n_cols = int(rng.integers(2, 50)), int(rng.integers(1, 60))
        rows = np.sort(rng.integers(0, n_rows, n_cols)).astype(np.int64)
        start = int(rng.integers(0, n_cols))
        stop = int(rng.integers(start, n_cols + 1))
        path = curves.TracedPath(rows, np.ones(n_cols), start, stop, 1.0, 1, False)
        reach = int(rng.integers(1, 6))
        got = rng.random((n_rows, n_cols)).astype(np.float32) + 0.5
        want = got.copy()
        _clear_along(got, path, reach)
        _plain_clear(want, path, reach)
        assert np.array_equal(got, want)


def test_clear_along_a_flat_path():
    residual = np.ones((10, 6), np.float32)
    _clear_along(residual, curves.TracedPath(np.full(6, 4), np.ones(6), 1, 5, 1.0, 1, False), 2)
    assert residual[:, [0, 5]].min() == 1.0  # columns outside start:stop untouched
    assert residual[2:7, 1:5].max() == 0.0  # rows 4 - 2 to 4 + 2 cleared
    assert residual[[0, 1, 7, 8, 9], 1:5].min() == 1.0
