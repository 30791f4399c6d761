"""Kaplan-Meier estimate with Greenwood standard errors and pointwise confidence intervals.

Each function reproduces a named R computation from ``survival`` 3.5 (checked against fixtures
written by ``tests/reference/survival.R``).

References
----------
.. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
   J Am Stat Assoc 1958;53:457-481.
.. [2] Greenwood M. The natural duration of cancer. Rep Public Health Med Subj 1926;33:1-26.
.. [3] Therneau TM. A Package for Survival Analysis in R. R package ``survival``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm
from sksurv.nonparametric import kaplan_meier_estimator

from reconstruct.validation import check_choice, check_probability, check_survival_data
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = ["KMEstimate", "kaplan_meier", "pointwise_conf_int", "as_km"]

ConfType = Literal["log-log", "log", "plain"]
CONF_TYPES: tuple[str, ...] = ("log-log", "log", "plain")
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _readonly(values: ArrayLike, dtype: Any) -> NDArray[Any]:
    arr = np.array(values, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


def pointwise_conf_int(
    survival: FloatArray, std_err: FloatArray, *, conf_level: float, conf_type: str
) -> tuple[FloatArray, FloatArray]:
    """Pointwise CI of S(t) from ``std_err`` = se(log S(t)); equals R ``survival:::survfit_confint``.

    Limits are NaN where R gives NA: at S = 0 (all types but "plain") and at S = 1 for "log-log".
    """
    z = norm.ppf(1.0 - (1.0 - conf_level) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = std_err * survival * z
            return np.maximum(survival - half, 0.0), np.minimum(survival + half, 1.0)
        if conf_type == "log":
            xx = np.where(survival == 0, np.nan, survival)
            return np.exp(np.log(xx) - z * std_err), np.minimum(np.exp(np.log(xx) + z * std_err), 1.0)
        xx = np.where((survival == 0) | (survival == 1), np.nan, survival)
        half = z * std_err / np.log(xx)
        loglog = np.log(-np.log(xx))
        return np.exp(-np.exp(loglog - half)), np.exp(-np.exp(loglog + half))


@dataclass(frozen=True, eq=False)
class KMEstimate(TableResult):
    """Kaplan-Meier estimate of the survival function with Greenwood pointwise CI.

    Rows are the distinct observed times (event or censoring), as in R ``survfit``; S(t) = 1 before
    the first row.

    Attributes
    ----------
    time : ndarray of shape (n_times,)
        Distinct observed times, ascending (the data's time unit).
    survival : ndarray of shape (n_times,)
        Right-continuous S(t) at ``time``; non-increasing, in [0, 1].
    n_at_risk, n_events, n_censored : ndarray of int, shape (n_times,)
        Number at risk just before ``time`` (time >= t), events and censorings at ``time``.
    std_err : ndarray of shape (n_times,)
        Standard error of log S(t) (Greenwood; R's ``std.err``); inf where S = 0.
    conf_low, conf_high : ndarray of shape (n_times,)
        Pointwise CI; NaN where R gives NA (S = 0, and S = 1 for "log-log").
    conf_level : float
    conf_type : {"log-log", "log", "plain"}
    method : str
        "kaplan-meier", or "stratified-average" for a pooled curve (:func:`compare.pooled_km`).
    """

    time: FloatArray
    survival: FloatArray
    n_at_risk: IntArray
    n_events: IntArray
    n_censored: IntArray
    std_err: FloatArray
    conf_low: FloatArray
    conf_high: FloatArray
    conf_level: float = 0.95
    conf_type: str = "log-log"
    method: str = "kaplan-meier"

    def __post_init__(self) -> None:
        for name in ("time", "survival", "std_err", "conf_low", "conf_high"):
            object.__setattr__(self, name, _readonly(getattr(self, name), np.float64))
        for name in ("n_at_risk", "n_events", "n_censored"):
            object.__setattr__(self, name, _readonly(getattr(self, name), np.int64))
        n = self.time.shape
        if self.time.ndim != 1 or any(getattr(self, f).shape != n for f in ("survival", "n_at_risk", "std_err")):
            raise InputError(f"KMEstimate arrays must be 1-dimensional of one length, got time of shape {n}")
        if np.any(np.diff(self.time) <= 0) or np.any(np.diff(self.survival) > 1e-12):
            raise InputError("KMEstimate must have increasing times and non-increasing survival, got otherwise")
        if np.any((self.survival < 0) | (self.survival > 1)):
            low, high = self.survival.min(), self.survival.max()
            raise InputError(f"survival must lie in [0, 1], got values from {low} to {high}")

    @property
    def n(self) -> int:
        """Number of subjects (at risk at the first time)."""
        return int(self.n_at_risk[0]) if self.n_at_risk.size else 0

    def _row_before(self, t: FloatArray) -> NDArray[np.intp]:
        # index of the last row with time <= t, -1 before the first row
        return np.searchsorted(self.time, t, side="right") - 1

    def survival_at(self, t: ArrayLike) -> FloatArray:
        """S(t) by step lookup (1 before the first time).

        Raises
        ------
        InputError
            For t beyond the last observed time while S > 0 there (S is unknown; sksurv's rule).
        """
        t_arr = np.atleast_1d(np.asarray(t, dtype=float))
        last = self.time[-1]
        if np.any(t_arr > last) and self.survival[-1] > 0:
            raise InputError(
                f"t must be <= the last observed time {last:g}, got {t_arr.max():g}; "
                "S(t) is not estimable after the end of follow-up"
            )
        idx = self._row_before(t_arr)
        return np.where(idx < 0, 1.0, self.survival[np.maximum(idx, 0)])

    def at_risk(self, times: ArrayLike) -> IntArray:
        """Number at risk at each time (subjects with time >= t), for number-at-risk tables."""
        t_arr = np.atleast_1d(np.asarray(times, dtype=float))
        idx = np.searchsorted(self.time, t_arr, side="left")
        padded = np.append(self.n_at_risk, 0)
        return padded[idx].astype(np.int64)

    def with_conf_int(self, *, conf_level: float = 0.95, conf_type: str = "log-log") -> KMEstimate:
        """The same estimate with the pointwise CI recomputed at another level or transform."""
        conf_level = check_probability(conf_level, name="conf_level")
        conf_type = check_choice(conf_type, name="conf_type", choices=CONF_TYPES)
        low, high = pointwise_conf_int(self.survival, self.std_err, conf_level=conf_level, conf_type=conf_type)
        return dataclasses.replace(self, conf_low=low, conf_high=high, conf_level=conf_level, conf_type=conf_type)

    def to_frame(self) -> pd.DataFrame:
        """One row per time: time, survival, n_at_risk, n_events, n_censored, std_err, conf_low, conf_high."""
        return pd.DataFrame({name: getattr(self, name) for name in _KM_ARRAYS})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (lists of numbers; NaN stays NaN, the writer turns it into null)."""
        record: dict[str, Any] = {name: getattr(self, name).tolist() for name in _KM_ARRAYS}
        record.update(conf_level=self.conf_level, conf_type=self.conf_type, method=self.method)
        return record

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> KMEstimate:
        """Inverse of :meth:`to_dict` (null read back as NaN)."""
        arrays = {
            name: np.array([np.nan if v is None else v for v in record[name]], dtype=float) for name in _KM_ARRAYS
        }
        return cls(**arrays, conf_level=record["conf_level"], conf_type=record["conf_type"], method=record["method"])


_KM_ARRAYS = ("time", "survival", "n_at_risk", "n_events", "n_censored", "std_err", "conf_low", "conf_high")


def kaplan_meier(
    time: ArrayLike, event: ArrayLike, *, conf_level: float = 0.95, conf_type: ConfType = "log-log"
) -> KMEstimate:
    """Kaplan-Meier estimate with Greenwood standard errors and a pointwise CI.

    Equals R ``survival::survfit(Surv(time, event) ~ 1, conf.type = conf_type, conf.int = conf_level)``
    (time, surv, n.risk, n.event, n.censor, std.err, lower, upper) [1]_ [2]_ [3]_.

    Parameters
    ----------
    time : array_like of shape (n,)
        Follow-up times, >= 0.
    event : array_like of shape (n,)
        1 for an event, 0 for censored.
    conf_level : float, optional
        Confidence level of the pointwise interval, in (0, 1).
    conf_type : {"log-log", "log", "plain"}, optional
        Transform of the interval (R ``conf.type``); default log-log, R's default is "log".

    Returns
    -------
    KMEstimate

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    >>> km.survival.round(3).tolist()
    [0.8, 0.6, 0.3, 0.3]
    """
    time_arr, event_arr = check_survival_data(time, event)
    conf_level = check_probability(conf_level, name="conf_level")
    conf_type = check_choice(conf_type, name="conf_type", choices=CONF_TYPES)
    times, survival = kaplan_meier_estimator(event_arr.astype(bool), time_arr)
    unique, inverse = np.unique(time_arr, return_inverse=True)
    n_events = np.bincount(inverse, weights=event_arr, minlength=unique.size).astype(np.int64)
    n_total = np.bincount(inverse, minlength=unique.size).astype(np.int64)
    n_at_risk = time_arr.size - np.concatenate(([0], np.cumsum(n_total)[:-1]))
    if not np.array_equal(times, unique):
        raise InputError(f"expected sksurv to return {unique.size} distinct times, got {times.size}")
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood: Var(log S) = sum d / (n (n - d)); sksurv does not return it
        terms = np.where(n_events > 0, n_events / (n_at_risk * (n_at_risk - n_events).astype(float)), 0.0)
        std_err = np.sqrt(np.cumsum(terms))
    low, high = pointwise_conf_int(survival, std_err, conf_level=conf_level, conf_type=conf_type)
    return KMEstimate(
        time=unique,
        survival=survival,
        n_at_risk=n_at_risk,
        n_events=n_events,
        n_censored=n_total - n_events,
        std_err=std_err,
        conf_low=low,
        conf_high=high,
        conf_level=conf_level,
        conf_type=conf_type,
    )


def as_km(
    data: KMEstimate | ArrayLike,
    event: ArrayLike | None,
    *,
    conf_level: float | None,
    conf_type: str | None,
) -> KMEstimate:
    """Return a KMEstimate from either an estimate or (time, event), with the CI asked for."""
    if isinstance(data, KMEstimate):
        if event is not None:
            raise InputError("event must be omitted when a KMEstimate is given, got an event array")
        if (conf_level is None or conf_level == data.conf_level) and (conf_type is None or conf_type == data.conf_type):
            return data
        return data.with_conf_int(
            conf_level=data.conf_level if conf_level is None else conf_level,
            conf_type=data.conf_type if conf_type is None else conf_type,
        )
    if event is None:
        raise InputError("event must be given with time, got None; or pass a KMEstimate")
    return kaplan_meier(data, event, conf_level=0.95 if conf_level is None else conf_level,
                        conf_type="log-log" if conf_type is None else conf_type)  # type: ignore[arg-type]
