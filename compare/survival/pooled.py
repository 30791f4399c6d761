"""Pooled survival curves across arms of several trials: naive and stratified by trial.

References
----------
.. [1] Makuch RW. Adjusted survival curve estimation using covariates.
   J Chronic Dis 1982;35:437-443.
.. [2] Gail MH, Byar DP. Variance calculations for direct adjusted survival curves, with
   applications to testing for no treatment effect. Biom J 1986;28:587-599.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from compare.survival.km import CONF_TYPES, ConfType, KMEstimate, kaplan_meier, pointwise_conf_int
from reconstruct.validation import check_choice, check_probability, check_survival_data
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = ["PooledKM", "pooled_km"]


@dataclass(frozen=True, eq=False)
class PooledKM(TableResult):
    """A survival curve pooled over arms (usually one arm from each of several trials).

    Attributes
    ----------
    curve : KMEstimate
        The pooled curve. Naive: an ordinary Kaplan-Meier estimate (``method`` "kaplan-meier").
        Stratified: the size-weighted average of the per-arm curves (``method``
        "stratified-average"); counts are summed over arms and ``std_err`` is sd(S)/S.
    stratified : bool
    arms : tuple of str
        Arm names, in the order given.
    n_per_arm : ndarray of int, shape (n_arms,)
    weights : ndarray of shape (n_arms,)
        n_k / N (used by the stratified curve; reported for both).
    """

    curve: KMEstimate
    stratified: bool
    arms: tuple[str, ...]
    n_per_arm: NDArray[np.int64]
    weights: NDArray[np.float64]

    def __post_init__(self) -> None:
        for name, dtype in (("n_per_arm", np.int64), ("weights", np.float64)):
            arr = np.array(getattr(self, name), dtype=dtype, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)


def _step(km: KMEstimate, values: NDArray[np.float64], grid: NDArray[np.float64], before: float) -> NDArray[np.float64]:
    idx = np.searchsorted(km.time, grid, side="right") - 1
    return np.where(idx < 0, before, values[np.maximum(idx, 0)])


def _counts_at(km: KMEstimate, counts: NDArray[np.int64], grid: NDArray[np.float64]) -> NDArray[np.int64]:
    idx = np.searchsorted(km.time, grid, side="left")
    hit = (idx < km.time.size) & (km.time[np.minimum(idx, km.time.size - 1)] == grid)
    return np.where(hit, counts[np.minimum(idx, km.time.size - 1)], 0)


def _stratified(kms: list[KMEstimate], weights: NDArray[np.float64], conf_level: float, conf_type: str) -> KMEstimate:
    # direct-adjusted average (Makuch 1982) with Gail-Byar variance; no library provides it
    grid = np.unique(np.concatenate([km.time for km in kms]))
    grid = grid[grid <= min(km.time[-1] for km in kms)]
    survival = np.zeros(grid.size)
    variance = np.zeros(grid.size)
    for km, w in zip(kms, weights, strict=True):
        s_k = _step(km, km.survival, grid, 1.0)
        se_log_k = _step(km, km.std_err, grid, 0.0)
        survival += w * s_k
        with np.errstate(invalid="ignore"):
            variance += w**2 * np.where(s_k == 0, 0.0, (s_k * se_log_k) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        std_err = np.where(survival > 0, np.sqrt(variance) / survival, np.inf)
    low, high = pointwise_conf_int(survival, std_err, conf_level=conf_level, conf_type=conf_type)
    return KMEstimate(
        time=grid,
        survival=survival,
        n_at_risk=sum(km.at_risk(grid) for km in kms),
        n_events=sum(_counts_at(km, km.n_events, grid) for km in kms),
        n_censored=sum(_counts_at(km, km.n_censored, grid) for km in kms),
        std_err=std_err,
        conf_low=low,
        conf_high=high,
        conf_level=conf_level,
        conf_type=conf_type,
        method="stratified-average",
    )


def pooled_km(
    arms: Mapping[str, tuple[ArrayLike, ArrayLike]],
    *,
    stratified: bool,
    conf_level: float = 0.95,
    conf_type: ConfType = "log-log",
) -> PooledKM:
    """Pool IPD of several arms into one survival curve with a pointwise CI.

    Naive (``stratified=False``): the Kaplan-Meier estimate of the concatenated IPD, i.e. R
    ``survfit(Surv(time, event) ~ 1, data = rbind(...))``. It ignores between-trial differences.

    Stratified by trial (``stratified=True``): the direct-adjusted curve S(t) = sum_k w_k S_k(t) with
    w_k = n_k / N and S_k the arm's Kaplan-Meier estimate [1]_; variance sum_k w_k^2 Var(S_k(t)) with
    Greenwood's Var(S_k) [2]_; CI by ``conf_type`` on se(log S) = sd(S) / S. Defined on the union of
    observed times up to the shortest arm's last follow-up (beyond it some S_k is unknown). R has no
    single function for it; ``tests/reference/survival.R`` computes it from ``summary(survfit(...), times =)``.

    Parameters
    ----------
    arms : mapping of str to (time, event)
        IPD per arm (e.g. ``{"TRIPLET:HAIC": (t1, e1), "SHARP:sorafenib": (t2, e2)}``); at least two.
    stratified : bool
        Naive (False) or stratified by arm (True).
    conf_level : float, optional
    conf_type : {"log-log", "log", "plain"}, optional

    Returns
    -------
    PooledKM
    """
    if not isinstance(arms, Mapping) or len(arms) < 2:
        raise InputError(f"arms must map at least 2 arm names to (time, event), got {type(arms).__name__}")
    conf_level = check_probability(conf_level, name="conf_level")
    conf_type = check_choice(conf_type, name="conf_type", choices=CONF_TYPES)  # type: ignore[assignment]
    data = {str(name): check_survival_data(*pair) for name, pair in arms.items()}
    n_per_arm = np.array([t.size for t, _ in data.values()], dtype=np.int64)
    weights = n_per_arm / n_per_arm.sum()
    if stratified:
        kms = [kaplan_meier(t, e, conf_level=conf_level, conf_type=conf_type) for t, e in data.values()]
        curve = _stratified(kms, weights, conf_level, conf_type)
    else:
        time = np.concatenate([t for t, _ in data.values()])
        event = np.concatenate([e for _, e in data.values()])
        curve = kaplan_meier(time, event, conf_level=conf_level, conf_type=conf_type)
    return PooledKM(curve=curve, stratified=bool(stratified), arms=tuple(data), n_per_arm=n_per_arm, weights=weights)
