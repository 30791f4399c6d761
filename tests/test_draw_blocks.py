"""block_events counts the censorings before each point from running counts: the same events as summing them."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reconstruct._draw_blocks import block_events


def _plain_block_events(n_start, loss, c_init, dfix, pts_t, drops, pool, *, tail_target=None, tail_share=None,
                        tail_floor=0, km0=None, passes=12):
    """block_events written plainly: each pass sums the first c candidates that lie before each point."""
    m, width = pool.shape
    start = np.ones(m) if km0 is None else np.asarray(km0, dtype=float)
    c = np.minimum(c_init, width).astype(np.int64)
    for _ in range(passes):
        c_before = np.array([[np.sum(pool[i, : c[i]] < t) for t in pts_t] for i in range(m)],
                            dtype=np.int64).reshape(m, pts_t.size)
        total = dfix.astype(np.int64).copy()
        km, curve = start.copy(), np.ones(m)
        d = np.zeros(drops.shape, dtype=np.int64)
        budget = loss if loss is not None else n_start
        for j in range(drops.shape[1]):
            at_risk = np.maximum(n_start - total - c_before[:, j], 0)
            curve *= 1.0 - drops[:, j]
            with np.errstate(divide="ignore", invalid="ignore"):
                gap = np.where(km > 0, 1.0 - curve / km, 0.0)
            dj = np.clip(np.floor(at_risk * gap + 0.5).astype(np.int64), 0,
                         np.minimum(at_risk, np.maximum(budget - total, 0)))
            km *= np.where(at_risk > 0, 1.0 - dj / np.maximum(at_risk, 1), 1.0)
            d[:, j] = dj
            total += dj
        if loss is not None:
            new_c = np.clip(loss - total, 0, width)
        elif tail_target is not None:
            new_c = np.clip(c + (total - tail_target), 0, np.minimum(n_start - total, width))
        elif tail_share is not None:
            share_c = np.floor(tail_share * (n_start - total) + 0.5).astype(np.int64)
            new_c = np.clip(np.maximum(share_c, tail_floor), 0, np.minimum(np.maximum(n_start - total, 0), width))
        else:
            new_c = np.clip(c, 0, np.maximum(n_start - total, 0))
        if np.array_equal(new_c, c):
            break
        c = new_c
    return d, total, c


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 9), k=st.integers(0, 7), width=st.integers(0, 12),
       mode=st.sampled_from(["loss", "target", "share", "none"]), ties=st.booleans())
def test_block_events_equals_the_plain_sums(seed, m, k, width, mode, ties):
    rng = np.random.default_rng(seed)
    n_start = rng.integers(0, 40, m)
    pts_t = np.sort(rng.integers(1, 9, k).astype(float) if ties else rng.uniform(0.0, 10.0, k))
    pool = rng.integers(0, 10, (m, width)).astype(float) if ties else rng.uniform(0.0, 10.0, (m, width))
    drops = rng.uniform(0.0, 0.3, (m, k)) * (rng.random((m, k)) < 0.7)
    c_init = rng.integers(0, width + 3, m)
    dfix = rng.integers(0, 3, m)
    kwargs = {"km0": rng.uniform(0.8, 1.2, m) if rng.random() < 0.5 else None}
    loss = rng.integers(0, 20, m) if mode == "loss" else None
    if mode == "target":
        kwargs["tail_target"] = rng.integers(0, 10, m)
    elif mode == "share":
        kwargs.update(tail_share=rng.random(m), tail_floor=int(rng.integers(0, 3)))
    fast = block_events(n_start, loss, c_init, dfix, pts_t, drops, pool, **kwargs)
    plain = _plain_block_events(n_start, loss, c_init, dfix, pts_t, drops, pool, **kwargs)
    for got, want in zip(fast, plain, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == np.int64


def test_block_events_counts_only_the_censorings_taken():
    # one draw, 10 at risk, 6 lost in the block, points at t = 5 and 8; of the candidates (1, 9, 2, 3) the first
    # two are its censorings: one (t = 1) before each point, not the three of the whole pool before t = 5
    pool = np.array([[1.0, 9.0, 2.0, 3.0]])
    d, total, c = block_events(np.array([10]), np.array([6]), np.array([2]), np.array([0]), np.array([5.0, 8.0]),
                               np.array([[0.2, 0.25]]), pool)
    # t = 5: 9 at risk, a 20% drop -> 2 events; t = 8: 10 - 2 - 1 = 7 at risk, 25% -> 2 events; 6 - 4 = 2 censored
    assert d.tolist() == [[2, 2]] and total.tolist() == [4] and c.tolist() == [2]
