"""Quantiles (median) with Brookmeyer-Crowley CIs, and survival at landmark times.

Ports of R ``survival`` 3.5 rules, checked against ``tests/reference/survival_reference.json``.

References
----------
.. [1] Brookmeyer R, Crowley J. A confidence interval for the median survival time.
   Biometrics 1982;38:29-41.
.. [2] Therneau TM. A Package for Survival Analysis in R. R package ``survival``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from compare.survival.km import ConfType, FloatArray, IntArray, KMEstimate, _readonly, as_km
from reconstruct.validation import check_choice, check_probability
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = [
    "SurvivalQuantile",
    "MedianEstimate",
    "LandmarkSurvival",
    "survival_quantile",
    "median_survival",
    "landmark_survival",
]

_TOL = float(np.sqrt(np.finfo(float).eps))  # R's quantile.survfit tolerance, sqrt(.Machine$double.eps)


@dataclass(frozen=True)
class SurvivalQuantile(TableResult):
    """A quantile of the event-time distribution with its Brookmeyer-Crowley CI.

    Attributes
    ----------
    probability : float
        p in (0, 1): the time at which S(t) falls to 1 - p (p = 0.5 is the median).
    time : float
        The quantile; NaN when S(t) never falls to 1 - p.
    conf_low, conf_high : float
        CI limits, NaN when not reached (R's NA); e.g. conf_high is NaN when the upper CI curve
        stays above 1 - p.
    conf_level : float
    conf_type : str
        Transform of the pointwise CI the limits come from.
    method : {"quantile", "print"}
        Which R rule resolved flat stretches (see :func:`survival_quantile`).
    """

    probability: float
    time: float
    conf_low: float
    conf_high: float
    conf_level: float
    conf_type: str
    method: str = "quantile"


MedianEstimate = SurvivalQuantile


def _duplicated(values: FloatArray) -> NDArray[np.bool_]:
    # R duplicated(): later repeats (NaN equal to NaN) are flagged
    return np.asarray(pd.Series(values).duplicated().to_numpy(), dtype=bool)


def _findq(x: FloatArray, y: FloatArray, p: float) -> float:
    """Port of R ``survival:::findq`` (x = c(0, time), y = c(0, 1 - curve)); R's algorithm, not in any library."""
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return float("nan")
    xmax = x[-1]
    keep = ~_duplicated(y)
    x, y = x[keep], y[keep]
    finite = ~np.isnan(y)
    positions = np.flatnonzero(finite)

    def approx_constant_right(shifted: FloatArray) -> float:
        # R approx(shifted, 1:n, p, method = "constant", f = 1) with NA pairs dropped
        xs = shifted[finite]
        if p < xs[0] or p > xs[-1]:
            return float("nan")
        return float(positions[np.searchsorted(xs, p, side="left")])

    i1 = approx_constant_right(y + _TOL)
    i2 = approx_constant_right(y - _TOL)
    pick = lambda i: float("nan") if np.isnan(i) else float(x[int(i)])  # noqa: E731
    quant = (pick(i1) + pick(i2)) / 2.0
    if not np.isnan(y[-1]) and abs(p - y[-1]) < _TOL:
        quant = (pick(i1) + xmax) / 2.0
    return quant


def _minmin(curve: FloatArray, time: FloatArray, level: float) -> float:
    """Port of the ``minmin`` helper of R ``survival:::survmean`` (the rule print.survfit uses)."""
    keep = ~np.isnan(curve) & (curve < level + _TOL)
    if not np.any(keep):
        return float("nan")
    x, y = time[keep], curve[keep]
    below = np.flatnonzero(y < y[0])
    if abs(y[0] - level) < _TOL and below.size:
        return float((x[0] + x[below[0]]) / 2.0)
    return float(x[0])


def survival_quantile(
    km: KMEstimate, p: float, *, method: Literal["quantile", "print"] = "quantile"
) -> SurvivalQuantile:
    """Quantile of the event-time distribution with the Brookmeyer-Crowley CI [1]_.

    The CI limits are where the lower and upper pointwise CI curves of ``km`` cross 1 - p.

    Parameters
    ----------
    km : KMEstimate
        The estimate; its ``conf_level``/``conf_type`` define the interval.
    p : float
        Probability in (0, 1); 0.5 gives the median.
    method : {"quantile", "print"}, optional
        "quantile" equals R ``quantile(survfit(...), probs = p, conf.int = TRUE)``: on a flat
        stretch at exactly 1 - p the midpoint of the stretch is returned (to the last follow-up time
        when the curve ends flat). "print" equals the median that R ``print(survfit(...))`` shows
        (``survival:::survmean``): same except a stretch ending at the last follow-up gives its start.

    Returns
    -------
    SurvivalQuantile
    """
    p = check_probability(p, name="p")
    method = check_choice(method, name="method", choices=("quantile", "print"))  # type: ignore[assignment]
    if method == "quantile":
        x = np.concatenate(([0.0], km.time))
        values = [_findq(x, np.concatenate(([0.0], 1.0 - c)), p) for c in (km.survival, km.conf_low, km.conf_high)]
    else:
        values = [_minmin(c, km.time, 1.0 - p) for c in (km.survival, km.conf_low, km.conf_high)]
    return SurvivalQuantile(
        probability=p, time=values[0], conf_low=values[1], conf_high=values[2],
        conf_level=km.conf_level, conf_type=km.conf_type, method=method,
    )


def median_survival(
    data: KMEstimate | ArrayLike,
    event: ArrayLike | None = None,
    *,
    conf_level: float | None = None,
    conf_type: ConfType | None = None,
    method: Literal["quantile", "print"] = "quantile",
) -> MedianEstimate:
    """Median survival time with the Brookmeyer-Crowley CI [1]_.

    Equals R ``quantile(survfit(Surv(time, event) ~ 1, conf.type = "log-log"), probs = 0.5)``
    (``method="quantile"``) or the median, LCL and UCL of ``print(survfit(...))`` (``method="print"``).

    Parameters
    ----------
    data : KMEstimate or array_like of shape (n,)
        An estimate, or follow-up times (then ``event`` is required).
    event : array_like of shape (n,), optional
        Event indicators when ``data`` are times.
    conf_level : float, optional
        Default: the estimate's level, or 0.95.
    conf_type : {"log-log", "log", "plain"}, optional
        Default: the estimate's type, or "log-log".
    method : {"quantile", "print"}, optional
        Rule for flat stretches; see :func:`survival_quantile`.

    Returns
    -------
    MedianEstimate
        ``time`` is NaN when S(t) stays above 0.5; ``conf_high`` is NaN when the upper CI does.
    """
    km = as_km(data, event, conf_level=conf_level, conf_type=conf_type)
    return survival_quantile(km, 0.5, method=method)


# --------------------------------------------------------------------------- landmarks


@dataclass(frozen=True, eq=False)
class LandmarkSurvival(TableResult):
    """S(t) at chosen landmark times with CI.

    Attributes
    ----------
    time : ndarray of shape (n_landmarks,)
    survival, std_err, conf_low, conf_high : ndarray of shape (n_landmarks,)
        ``std_err`` is the SE of S(t) itself (R ``summary`` scale); NaN beyond the last follow-up.
    n_at_risk : ndarray of int, shape (n_landmarks,)
        Subjects with time >= t.
    conf_level : float
    conf_type : str
    """

    time: FloatArray
    survival: FloatArray
    std_err: FloatArray
    conf_low: FloatArray
    conf_high: FloatArray
    n_at_risk: IntArray
    conf_level: float
    conf_type: str

    def __post_init__(self) -> None:
        for name in ("time", "survival", "std_err", "conf_low", "conf_high"):
            object.__setattr__(self, name, _readonly(getattr(self, name), np.float64))
        object.__setattr__(self, "n_at_risk", _readonly(self.n_at_risk, np.int64))

    def to_frame(self) -> pd.DataFrame:
        """One row per landmark time."""
        names = ("time", "survival", "std_err", "conf_low", "conf_high", "n_at_risk")
        return pd.DataFrame({name: getattr(self, name) for name in names})


def landmark_survival(km: KMEstimate, times: ArrayLike) -> LandmarkSurvival:
    """Survival at landmark times with the estimate's pointwise CI.

    Equals R ``summary(survfit(...), times = times)`` (surv, std.err, lower, upper, n.risk). Where R
    drops a time beyond the last follow-up, the row here holds NaN (n_at_risk 0), unless S reached 0.

    Parameters
    ----------
    km : KMEstimate
    times : array_like of shape (n_landmarks,)
        Landmark times, >= 0, in the estimate's time unit.

    Returns
    -------
    LandmarkSurvival
    """
    t_arr = np.atleast_1d(np.asarray(times, dtype=float))
    if t_arr.ndim != 1 or np.any(~np.isfinite(t_arr)) or np.any(t_arr < 0):
        raise InputError(f"times must be finite numbers >= 0, got {t_arr.tolist()!r}")
    idx = km._row_before(t_arr)
    before = idx < 0
    row = np.maximum(idx, 0)
    beyond = (t_arr > km.time[-1]) & (km.survival[-1] > 0)
    with np.errstate(invalid="ignore"):
        pick = {
            "survival": np.where(before, 1.0, km.survival[row]),
            "std_err": np.where(before, 0.0, km.std_err[row] * km.survival[row]),
            "conf_low": np.where(before, 1.0, km.conf_low[row]),
            "conf_high": np.where(before, 1.0, km.conf_high[row]),
        }
    pick = {name: np.where(beyond, np.nan, values) for name, values in pick.items()}
    return LandmarkSurvival(
        time=t_arr, n_at_risk=km.at_risk(t_arr), conf_level=km.conf_level, conf_type=km.conf_type, **pick
    )
