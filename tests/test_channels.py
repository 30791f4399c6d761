"""The fast per-pixel colour helpers and the in-place monotone DP give bit-identical results to the plain forms."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconstruct.digitize._channels import channel_norm, channel_spread, minus_colour, off_ray_norm
from reconstruct.digitize.curves import trace_monotone, window_sum


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(37, 53, 3), (200, 3), (1, 1, 3)])
def test_channel_helpers_equal_numpy_bitwise(dtype, shape):
    rng = np.random.default_rng(7)
    image = (rng.random(shape) * 510 - 255).astype(dtype)
    colour = (rng.random(3) * 255).astype(np.float32)
    diff = minus_colour(image, colour)
    assert diff.dtype == (image - colour).dtype
    np.testing.assert_array_equal(diff, image - colour)
    np.testing.assert_array_equal(channel_norm(diff), np.linalg.norm(diff, axis=-1))
    alpha = (rng.random(shape[:-1]) * 2).astype(dtype)
    plain = np.linalg.norm(diff - alpha[..., None] * colour, axis=-1)
    np.testing.assert_array_equal(off_ray_norm(diff, alpha, colour), plain)


def test_channel_helpers_on_strided_views():
    rng = np.random.default_rng(8)
    big = (rng.random((60, 80, 3)) * 255).astype(np.float32)
    view = big[5:40:2, 3:70:3]  # neither C- nor F-contiguous
    colour = np.float32([250.5, 249.25, 251.0])
    np.testing.assert_array_equal(minus_colour(view, colour), view - colour)
    np.testing.assert_array_equal(channel_norm(view), np.linalg.norm(view, axis=2))


def test_channel_spread_of_known_pixels():
    rgb = np.array([[[255, 0, 10], [7, 7, 7]], [[1, 200, 100], [0, 0, 255]]], np.uint8)
    np.testing.assert_array_equal(channel_spread(rgb), [[255, 0], [199, 255]])
    rng = np.random.default_rng(9)
    noise = rng.integers(0, 256, (31, 17, 3), dtype=np.uint8)
    np.testing.assert_array_equal(channel_spread(noise), noise.max(axis=2).astype(np.int16) - noise.min(axis=2))


def _reference_rows(score_map: np.ndarray, drop_penalty: float) -> np.ndarray:
    """The monotone-path DP written plainly: each column keeps its row or drops from the best row above."""
    n_rows, n_cols = score_map.shape
    score = score_map[:, 0].astype(np.float64)
    origin = np.zeros((n_cols, n_rows), np.int64)
    for c in range(1, n_cols):
        new = np.empty(n_rows)
        for r in range(n_rows):
            stay, best = score[r], -np.inf
            if r > 0:
                above = score[:r]
                k = int(np.flatnonzero(above == above.max())[-1])  # ties: the lowest of the best rows
                best = above[k] - drop_penalty
            origin[c, r] = k if best > stay else r
            new[r] = max(best, stay) + score_map[r, c]
        score = new
    rows = np.empty(n_cols, np.int64)
    rows[-1] = int(np.argmax(score))
    for c in range(n_cols - 1, 0, -1):
        rows[c - 1] = origin[c, rows[c]]
    return rows


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_rows=st.integers(2, 14), n_cols=st.integers(2, 20),
       penalty=st.sampled_from([0.0, 0.5, 1.0, 3.0]), levels=st.sampled_from([2, 5, 1000]))
def test_trace_monotone_matches_plain_dp(seed, n_rows, n_cols, penalty, levels):
    rng = np.random.default_rng(seed)
    weight = (rng.integers(0, levels, (n_rows, n_cols)) / (levels - 1)).astype(np.float32)  # few levels: many ties
    path = trace_monotone(weight, half_width=1, drop_penalty=penalty)
    np.testing.assert_array_equal(path.rows, _reference_rows(window_sum(weight, 1).astype(np.float32), penalty))
    assert np.all(np.diff(path.rows) >= 0)


def test_trace_monotone_follows_a_drawn_step_curve():
    weight = np.zeros((40, 60), np.float32)
    weight[9:12, :25] = 1.0  # a line 3 px thick: the window of half-width 1 peaks on its middle row
    weight[9:32, 25] = 1.0
    weight[29:32, 25:] = 1.0
    weight[5, 40:44] = 1.0  # a glyph above the curve cannot pull the monotone path back up
    path = trace_monotone(weight, half_width=1)
    assert path.rows[:24].tolist() == [10] * 24
    assert path.rows[26:].tolist() == [30] * 34
    assert (path.start, path.stop) == (0, 60)


def _plain_background_lab(lab: np.ndarray) -> np.ndarray:
    quant = (lab.reshape(-1, 3) // 4).astype(np.int64)
    code = quant[:, 0] * 4096 + quant[:, 1] * 64 + quant[:, 2]
    pick = code == np.argmax(np.bincount(code))
    return lab.reshape(-1, 3)[pick].mean(axis=0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 300), cols=st.integers(1, 300),
       share=st.floats(0.0, 1.0), levels=st.sampled_from([3, 40, 256]))
def test_background_lab_equals_the_plain_mean_bitwise(seed, rows, cols, share, levels):
    import cv2

    from reconstruct.digitize.curves import background_lab

    rng = np.random.default_rng(seed)
    rgb = np.full((rows, cols, 3), 255, np.uint8)
    noisy = rng.random((rows, cols)) < share
    rgb[noisy] = (rng.integers(0, levels, (int(noisy.sum()), 3)) * (255 // (levels - 1))).astype(np.uint8)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    got = background_lab(lab)
    want = _plain_background_lab(lab)
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("paper", [255, 235, 200])
def test_background_lab_of_a_large_panel_keeps_the_float32_running_sum(paper):
    # 200,000 background pixels: the float32 running sum drifts from the exact mean (as mean(axis=0) does)
    import cv2

    from reconstruct.digitize.curves import background_lab

    rng = np.random.default_rng(paper)
    rgb = np.full((400, 500, 3), paper, np.uint8)
    rgb[rng.random((400, 500)) < 0.05] = (200, 30, 30)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    got = background_lab(lab)
    np.testing.assert_array_equal(got, _plain_background_lab(lab))
    exact = lab.reshape(-1, 3)[np.all(rgb.reshape(-1, 3) == paper, axis=1)].astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(got, exact, atol=1.0)  # the drift stays under one Lab unit


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 5, 4097, 300_000])
def test_picked_mean_equals_numpy_bitwise(dtype, n):
    from reconstruct.digitize._channels import picked_mean

    rng = np.random.default_rng(n)
    pixels = (rng.random((n, 3)) * 255).astype(dtype)
    pixels[: n // 2] = np.array([250.5, 128.25, 127.0], dtype)  # long runs of one colour drift in float32
    pick = rng.random(n) < 0.9
    if n == 0 or n == 5:
        pick[:] = n == 5
    with warnings.catch_warnings():  # nothing picked: NumPy warns of an empty mean, and both give NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        got = picked_mean(pixels, pick)
        want = pixels[pick].mean(axis=0)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_background_rgb_equals_the_plain_mean_bitwise():
    import cv2

    from reconstruct.digitize.curves import background_lab, background_rgb

    rng = np.random.default_rng(3)
    rgb = np.full((300, 400, 3), 242, np.uint8)
    rgb += rng.integers(0, 4, rgb.shape, dtype=np.uint8)  # paper noise: the near-background pixels vary
    rgb[rng.random((300, 400)) < 0.1] = (30, 60, 200)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    bg = background_lab(lab)
    near = np.linalg.norm(lab - bg, axis=-1) < 6.0
    np.testing.assert_array_equal(background_rgb(rgb, lab, bg), rgb[near].astype(np.float32).mean(axis=0))


def _plain_line_thickness(weight: np.ndarray) -> int:
    """line_thickness (not stepped) in its first form: row-major edges of the padded mask, paired in order."""
    mask = weight >= 0.5
    padded = np.vstack([np.zeros((1, mask.shape[1]), bool), mask, np.zeros((1, mask.shape[1]), bool)])
    change = np.diff(padded.astype(np.int8), axis=0)
    starts, stops = np.nonzero(change == 1), np.nonzero(change == -1)
    if starts[0].size == 0:
        return 1
    return max(1, int(np.argmax(np.bincount(stops[0] - starts[0]))))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_rows=st.integers(1, 60), n_cols=st.integers(1, 60),
       share=st.floats(0.0, 1.0), stroke=st.integers(0, 6))
def test_line_thickness_equals_its_first_form(seed, n_rows, n_cols, share, stroke):
    from reconstruct.digitize.line_width import line_thickness

    rng = np.random.default_rng(seed)
    weight = (rng.random((n_rows, n_cols)) < share * 0.3).astype(np.float32)
    top = int(rng.integers(0, n_rows))
    weight[top: top + stroke, : int(rng.integers(0, n_cols + 1))] = 1.0  # a horizontal stroke
    weight[:, int(rng.integers(0, n_cols))] = rng.random(n_rows).astype(np.float32)  # a drop with holes
    assert line_thickness(weight) == _plain_line_thickness(weight)


def test_line_thickness_of_a_drawn_step_line():
    from reconstruct.digitize.line_width import line_thickness

    weight = np.zeros((80, 120), np.float32)
    weight[20:23, :60] = 1.0
    weight[20:51, 60:63] = 1.0
    weight[48:51, 60:] = 1.0
    assert line_thickness(weight) == 3
    assert line_thickness(np.zeros((5, 0), np.float32)) == line_thickness(np.zeros((0, 5), np.float32)) == 1


@pytest.mark.parametrize("seed", [3, 11])
def test_trace_monotone_matches_plain_dp_on_a_wide_map(seed):
    """The DP's per-column buffers (made once, not per column) give the plain DP's path over hundreds of columns."""
    rng = np.random.default_rng(seed)
    weight = (0.5 + rng.integers(0, 3, (40, 240)) / 4.0).astype(np.float32)  # own evidence everywhere, many ties
    rows = np.clip(np.cumsum(rng.random(240) < 0.05) * 3, 0, 39)
    weight[rows, np.arange(240)] = 3.0  # a falling step curve to follow
    path = trace_monotone(weight, half_width=1, drop_penalty=1.0)
    np.testing.assert_array_equal(path.rows, _reference_rows(window_sum(weight, 1).astype(np.float32), 1.0))
