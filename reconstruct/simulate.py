"""Simulated trial data with known truth, for tests, benchmarks, the figure generator and the demo.

Everything here is seeded and labelled simulated; nothing here is estimated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reconstruct.validation import check_positive, check_survival_data

__all__ = ["SimulatedArm", "simulate_arm", "km_step_points", "number_at_risk"]


@dataclass(frozen=True, eq=False)
class SimulatedArm:
    """Individual patient data drawn from a Weibull model with uniform accrual and dropout.

    Attributes
    ----------
    time : ndarray of shape (n,)
        Observed time (event or censoring), in the time unit of ``scale``.
    event : ndarray of shape (n,)
        1 for an event, 0 for censored.
    seed : int
        Seed of :func:`numpy.random.default_rng` that produced the draw.
    """

    time: NDArray[np.float64]
    event: NDArray[np.int64]
    seed: int


def simulate_arm(
    n: int,
    *,
    seed: int,
    median: float = 12.0,
    shape: float = 1.0,
    accrual: float = 12.0,
    follow_up: float = 24.0,
    dropout_rate: float = 0.0,
    time_grid: float | None = None,
) -> SimulatedArm:
    """Simulate one arm: Weibull event times, administrative censoring and exponential dropout.

    Parameters
    ----------
    n : int
        Number of patients.
    seed : int
        Seed for :func:`numpy.random.default_rng`.
    median : float, default 12.0
        Median event time of the Weibull distribution (time units, e.g. months).
    shape : float, default 1.0
        Weibull shape (1 = exponential).
    accrual, follow_up : float
        Uniform accrual over ``accrual``; analysis at ``accrual + follow_up``.
        Heavy censoring follows from a short ``follow_up``.
    dropout_rate : float, default 0.0
        Rate of the exponential loss to follow-up (per time unit).
    time_grid : float, optional
        Round observed times up to this grid (e.g. 1/30 month = days) to create ties.

    Returns
    -------
    SimulatedArm
    """
    n = int(n)
    check_positive(n, name="n")
    rng = np.random.default_rng(seed)
    scale = median / np.log(2.0) ** (1.0 / shape)
    event_time = scale * rng.weibull(shape, size=n)
    admin = accrual + follow_up - rng.uniform(0.0, accrual, size=n)
    dropout = rng.exponential(1.0 / dropout_rate, size=n) if dropout_rate > 0 else np.full(n, np.inf)
    censor_time = np.minimum(admin, dropout)
    time = np.minimum(event_time, censor_time)
    event = (event_time <= censor_time).astype(np.int64)
    if time_grid is not None:
        time = np.ceil(time / time_grid) * time_grid
    return SimulatedArm(time=time, event=event, seed=seed)


def km_step_points(time: ArrayLike, event: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exact corner points of the Kaplan-Meier step function.

    Parameters
    ----------
    time, event : array_like of shape (n,)

    Returns
    -------
    step_time, step_survival : ndarray of shape (n_steps + 2,)
        ``(0, 1)``, then the survival just after each distinct event time,
        then the last observed time at the final survival (the curve's end).
    """
    time, event = check_survival_data(time, event)
    order = np.argsort(time, kind="stable")
    time, event = time[order], event[order]
    uniq, first = np.unique(time, return_index=True)
    deaths = np.add.reduceat(event, first)
    at_risk = time.size - first
    keep = deaths > 0
    surv = np.cumprod(1.0 - deaths[keep] / at_risk[keep])
    step_time = np.concatenate(([0.0], uniq[keep], [time[-1]]))
    step_surv = np.concatenate(([1.0], surv, [surv[-1] if surv.size else 1.0]))
    return step_time, step_surv


def number_at_risk(time: ArrayLike, at: ArrayLike) -> NDArray[np.int64]:
    """Number of patients with observed time >= each of ``at`` (the printed at-risk convention)."""
    sorted_time = np.sort(np.asarray(time, dtype=float))
    at = np.asarray(at, dtype=float)
    return (sorted_time.size - np.searchsorted(sorted_time, at, side="left")).astype(np.int64)
