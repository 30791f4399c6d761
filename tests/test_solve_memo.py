"""A repeated arm solve is answered from memory: the same solution, and the caller's copy is its own."""

from __future__ import annotations

import numpy as np

from reconstruct import _solve_memo
from reconstruct.clean import clean_at_risk, clean_curve
from reconstruct.guyot import solve_guyot
from reconstruct.simulate import km_step_points, number_at_risk, simulate_arm


def _arm(seed: int):
    sim = simulate_arm(80, seed=seed, median=10.0, follow_up=20.0, dropout_rate=0.04)
    t, s = km_step_points(sim.time, sim.event)
    curve = clean_curve(t, s, name="arm")
    at = np.array([0.0, 5.0, 10.0])
    table = clean_at_risk(at, number_at_risk(sim.time, at), curve_end=float(curve.time[-1]), name="table")
    return curve, table


def test_memo_returns_the_solution_of_solve_guyot(monkeypatch):
    curve, table = _arm(3)
    options = {"total_events": None, "use_heights": True, "precision": 1e-3}
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return solve_guyot(*args, **kwargs)

    monkeypatch.setattr(_solve_memo, "solve_guyot", counted)
    monkeypatch.setattr(_solve_memo, "_STORE", type(_solve_memo._STORE)())
    direct = solve_guyot(curve.time, curve.survival, table.time, table.n_risk, **options)
    first = _solve_memo.solve_guyot_memo(curve.time, curve.survival, table.time, table.n_risk, **options)
    first.time[:] = -1.0  # the caller's copy: changing it must not reach the stored solution
    second = _solve_memo.solve_guyot_memo(curve.time.copy(), curve.survival.copy(), table.time, table.n_risk,
                                          **options)
    assert len(calls) == 1
    np.testing.assert_array_equal(second.time, direct.time)
    np.testing.assert_array_equal(second.event, direct.event)
    assert (second.iterations, second.converged) == (direct.iterations, direct.converged)
    assert direct.event.sum() > 10  # a real solve: events were reconstructed


def test_memo_tells_different_inputs_apart(monkeypatch):
    monkeypatch.setattr(_solve_memo, "_STORE", type(_solve_memo._STORE)())
    curve, table = _arm(4)
    plain = _solve_memo.solve_guyot_memo(curve.time, curve.survival, table.time, table.n_risk, total_events=None,
                                         use_heights=True, precision=1e-3)
    guyot = _solve_memo.solve_guyot_memo(curve.time, curve.survival, table.time, table.n_risk, total_events=None,
                                         use_heights=False, precision=1e-3)
    fewer = table.n_risk.copy()
    fewer[0] -= 5
    other = _solve_memo.solve_guyot_memo(curve.time, curve.survival, table.time, fewer, total_events=None,
                                         use_heights=True, precision=1e-3)
    assert len(_solve_memo._STORE) == 3
    assert plain.time.size == 80
    assert other.time.size == 75
    ref = solve_guyot(curve.time, curve.survival, table.time, table.n_risk, total_events=None, use_heights=False,
                      precision=1e-3)
    np.testing.assert_array_equal(guyot.event, ref.event)
