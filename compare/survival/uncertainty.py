"""Reconstruction and total intervals of an IPD summary, from draws of plausible IPD sets.

For a statistic ``theta`` of :func:`compare.summarize_ipd`, with the reconstruction's estimate
``theta_hat`` and its classical CI, and ``theta_1 .. theta_M`` the same statistic on ``M`` draws
(:func:`reconstruct.draw_ipd`):

* **reconstruction interval**: the 2.5 and 97.5 percentiles of ``theta_m`` (the draws where the
  statistic is estimable; their number is reported);
* **total interval**: Rubin's rules [1]_ on a scale ``g`` (log for the HR and the median,
  log(-log) for S(t), identity for RMST and its difference)::

      Q = mean g(theta_m)                      B = var g(theta_m)   (ddof 1)
      W = se_g(theta_hat)^2,  se_g = (g(conf_high) - g(conf_low)) / (2 z)
      T = W + (1 + 1/M) B                      nu = (M - 1) (1 + W / ((1 + 1/M) B))^2
      total = g^-1(Q -/+ t_nu sqrt(T))

  ``W`` is the within-set variance, read off the classical CI of the reconstruction (the draws'
  own standard errors barely differ from it). For the median, whose Brookmeyer-Crowley CI is not
  symmetric, ``se_g`` comes from the half of the CI that exists when the upper limit is not
  reached, and the total upper limit is then not reached either. ``docs/uncertainty.md`` has the
  formulas and the validation.

The median's Brookmeyer-Crowley limits and the log-rank p get both intervals too:

* **median limits**: Rubin's rules on the log scale over the draws' limits, with the median's own
  within variance ``W`` (a limit is the median moved by ``z se`` on the log-log survival scale; the
  sampling spread of that move is of lower order), so ``total = exp(Q -/+ t_nu sqrt(T))``;
* **log-rank p**: Rubin's rules on the signed standardised statistic ``z = (O - E) / sqrt(V)`` of the
  arm, whose sampling variance is 1 by construction (``W = 1``): the interval ``Q -/+ t_nu sqrt(T)``
  for the expectation of ``z`` is shown as two-sided p-values ``2 Phi(-|z|)`` (upper end 1 when it
  holds 0). It is the range of p-values a trial of this size gives at the effects the figure and the
  sampling allow, so it is wide even when the draws agree (then it is the sampling part alone).

References
----------
.. [1] Rubin DB. Multiple Imputation for Nonresponse in Surveys. Wiley, 1987.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import norm
from scipy.stats import t as student_t

from compare.survival.draw_stats import draw_contrast, draw_km, draw_landmarks, draw_medians, draw_rmst
from compare.survival.ipd_summary import IPDSummary
from reconstruct.draws import IPDDraws
from reconstruct.errors import InputError

__all__ = ["ReconstructionInterval", "StatisticUncertainty", "SummaryUncertainty", "summary_uncertainty",
           "annotate_summary_dict", "rubin_total", "logrank_total", "reading_status"]

_LOWER, _UPPER = 2.5, 97.5


@dataclass(frozen=True)
class ReconstructionInterval:
    """Percentile interval of a statistic over the draws.

    Attributes
    ----------
    conf_low, conf_high : float
        2.5 and 97.5 percentiles over the draws where the statistic is estimable (NaN if none).
    draws : int
        Number of such draws.
    """

    conf_low: float
    conf_high: float
    draws: int

    def to_dict(self) -> dict[str, Any]:
        """``{"conf_low", "conf_high", "draws"}``."""
        return {"conf_low": self.conf_low, "conf_high": self.conf_high, "draws": self.draws}


@dataclass(frozen=True)
class StatisticUncertainty:
    """Reconstruction and total interval of one statistic.

    Attributes
    ----------
    reconstruction : ReconstructionInterval
    total_low, total_high : float
        Total interval (sampling and reconstruction), Rubin's rules; NaN where not available.
    """

    reconstruction: ReconstructionInterval
    total_low: float
    total_high: float

    def to_dict(self) -> dict[str, Any]:
        """``{"reconstruction": {...}, "total": {"conf_low", "conf_high"}}``."""
        return {"reconstruction": self.reconstruction.to_dict(),
                "total": {"conf_low": self.total_low, "conf_high": self.total_high}}


@dataclass(frozen=True, eq=False)
class SummaryUncertainty:
    """Intervals for every statistic of an :class:`compare.IPDSummary` that has a CI.

    Attributes
    ----------
    n_draws : int
    arms : dict
        Arm name -> ``{"median": StatisticUncertainty, "median_limits": (StatisticUncertainty,
        StatisticUncertainty), "landmarks": tuple of StatisticUncertainty, "rmst": StatisticUncertainty}``
        (``median_limits``: the lower and upper Brookmeyer-Crowley limits).
    contrasts : dict
        Comparator arm -> ``{"hazard_ratio": StatisticUncertainty or None, "rmst_difference":
        StatisticUncertainty, "logrank_p": StatisticUncertainty}``.
    draws : dict
        The per-draw values behind the intervals (name -> ndarray of shape (n_draws,)), e.g.
        ``"median:A"``, ``"landmark:A:12"``, ``"rmst:A"``, ``"log_hr:B"``, ``"logrank_p:B"``.
    parameters : dict
        How the draws were made (seed, precisions), recorded in ``summary.json``.
    """

    n_draws: int
    arms: dict[str, dict[str, Any]]
    contrasts: dict[str, dict[str, Any]]
    draws: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)


def _percentiles(values: NDArray[np.float64]) -> ReconstructionInterval:
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        return ReconstructionInterval(float("nan"), float("nan"), 0)
    low, high = np.percentile(ok, [_LOWER, _UPPER])
    return ReconstructionInterval(float(low), float(high), int(ok.size))


def rubin_total(g_values: NDArray[np.float64], within: float, conf_level: float) -> tuple[float, float, float]:
    """Rubin's rules: the combined estimate, the total variance and the quantile of a total interval.

    Parameters
    ----------
    g_values : ndarray of shape (M,)
        The statistic on every draw, on its combination scale ``g`` (finite values only).
    within : float
        Within-set (sampling) variance ``W`` on the same scale.
    conf_level : float

    Returns
    -------
    center, total_var, quantile : float
        ``Q = mean g``, ``T = W + (1 + 1/M) B`` with ``B = var g`` (ddof 1), and ``t_{nu, 1 - alpha/2}``
        with ``nu = (M - 1) (1 + W / ((1 + 1/M) B))^2`` (the normal quantile when ``B`` or ``W`` is 0).
        The total interval is ``Q -/+ quantile sqrt(T)``.
    """
    m = g_values.size
    between = float(np.var(g_values, ddof=1))
    total = within + (1.0 + 1.0 / m) * between
    z = float(norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    if between > 0 and within > 0:
        nu = (m - 1) * (1.0 + within / ((1.0 + 1.0 / m) * between)) ** 2
        return float(np.mean(g_values)), total, float(student_t.ppf(1.0 - (1.0 - conf_level) / 2.0, nu))
    return float(np.mean(g_values)), total, z


def _finite_on(values: NDArray[np.float64], forward) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        g = forward(values[np.isfinite(values)])
    return g[np.isfinite(g)]


def _within_se(estimate, low, high, conf_level, forward, *, one_sided_high=False) -> tuple[float, float, float]:
    """Classical SE on the scale ``forward`` read off a CI, and the CI's two halves (NaN when not available)."""
    z = float(norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        g_est, g_low, g_high = (float(forward(np.float64(v))) for v in (estimate, low, high))
    nan = float("nan")
    if not (np.isfinite(g_est) and np.isfinite(g_low)):
        return nan, nan, nan
    below = abs(g_est - g_low)
    if np.isfinite(g_high):
        above = abs(g_high - g_est)
        return (below + above) / (2.0 * z), below, above
    if one_sided_high:
        return below / z, below, nan
    return nan, nan, nan


def _rubin(values, estimate, low, high, conf_level, forward, inverse, *, one_sided_high=False) -> tuple[float, float]:
    """Total interval by Rubin's rules on the scale ``forward`` (see the module docstring).

    Each half of the classical CI (on the scale g) is stretched by Rubin's factor
    ``t_nu sqrt(T) / (z sqrt(W))`` and placed around the mean of the draws, so a CI that is not
    symmetric on g (Brookmeyer-Crowley) keeps its shape and the total interval equals the classical
    one when the draws agree.
    """
    g = _finite_on(values, forward)
    se, below, above = _within_se(estimate, low, high, conf_level, forward, one_sided_high=one_sided_high)
    if g.size < 2 or not np.isfinite(se):
        return float("nan"), float("nan")
    z = float(norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    center, total, q = rubin_total(g, se**2, conf_level)
    if se > 0:
        stretch = q * np.sqrt(total) / (z * se)
    else:  # no sampling spread at all (e.g. S(t) = 1): the draws' spread alone
        below = above = q * np.sqrt(total)
        stretch = 1.0
    ends = [float(inverse(center - stretch * below)), float(inverse(center + stretch * above))]
    if forward is _loglog:  # log(-log S) decreases in S
        ends.reverse()
    return ends[0], ends[1]


def _limit_total(values, median, conf_level) -> tuple[float, float]:
    """Total interval of a Brookmeyer-Crowley limit: Rubin on the log scale with the median's own ``W``."""
    se = _within_se(median.time, median.conf_low, median.conf_high, conf_level, _log, one_sided_high=True)[0]
    g = _finite_on(values, _log)
    if g.size < 2 or not np.isfinite(se):
        return float("nan"), float("nan")
    center, total, q = rubin_total(g, se**2, conf_level)
    return float(np.exp(center - q * np.sqrt(total))), float(np.exp(center + q * np.sqrt(total)))


def _p_two_sided(z: float) -> float:
    return float(2.0 * norm.sf(abs(z)))


def logrank_total(z_values: NDArray[np.float64], conf_level: float) -> tuple[float, float]:
    """Total interval of a two-sided log-rank p from the signed standardised statistics of the draws.

    Rubin's rules on ``z = (O - E) / sqrt(V)`` with ``W = 1`` (the sampling variance of a standardised
    statistic); the interval ``Q -/+ t_nu sqrt(T)`` for the expectation of ``z`` is shown as p-values
    ``2 Phi(-|z|)``: low = p at the end further from 0, high = p at the nearer end, or 1 when the
    interval holds 0. NaN with fewer than two finite draws.

    Parameters
    ----------
    z_values : ndarray of shape (M,)
    conf_level : float

    Returns
    -------
    conf_low, conf_high : float
    """
    g = z_values[np.isfinite(z_values)]
    if g.size < 2:
        return float("nan"), float("nan")
    center, total, q = rubin_total(g, 1.0, conf_level)
    low, high = center - q * np.sqrt(total), center + q * np.sqrt(total)
    far, near = max(abs(low), abs(high)), (0.0 if low <= 0.0 <= high else min(abs(low), abs(high)))
    return _p_two_sided(far), _p_two_sided(near)


def _identity(x):
    return np.asarray(x, dtype=float)


def _loglog(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(-np.log(np.asarray(x, dtype=float)))


def _loglog_inv(x):
    return np.exp(-np.exp(x))


def _log(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.asarray(x, dtype=float))


def _arm_rows(frame_arm: NDArray[Any], draw, time, event, name):
    rows = frame_arm == name
    return draw[rows], time[rows], event[rows]


def summary_uncertainty(summary: IPDSummary, draws: pd.DataFrame | IPDDraws, *,
                        parameters: dict[str, Any] | None = None) -> SummaryUncertainty:
    """Reconstruction and total intervals of every statistic of ``summary`` over IPD ``draws``.

    Parameters
    ----------
    summary : IPDSummary
        The summary of the reconstruction itself (:func:`compare.summarize_ipd`); its landmarks,
        ``tau``, reference arm and level are used for every draw.
    draws : DataFrame or IPDDraws
        Long table ``draw, arm, time, event`` (:meth:`reconstruct.IPDDraws.to_frame`), or the
        :class:`reconstruct.IPDDraws` itself; draws numbered 0..M-1, every draw with every arm of the summary.
    parameters : dict, optional
        How the draws were made (default :attr:`reconstruct.IPDDraws.parameters` when ``draws`` is
        one), kept for the record.

    Returns
    -------
    SummaryUncertainty

    Raises
    ------
    InputError
        When ``draws`` lacks columns, or an arm of the summary.
    """
    if isinstance(draws, IPDDraws):
        parameters = draws.parameters if parameters is None else parameters
        draws = draws.to_frame()
    missing = [c for c in ("draw", "arm", "time", "event") if c not in getattr(draws, "columns", [])]
    if missing:
        raise InputError(f"draws must have columns draw, arm, time, event, got missing {missing}")
    draw = draws["draw"].to_numpy(dtype=np.int64)
    time = draws["time"].to_numpy(dtype=float)
    event = draws["event"].to_numpy(dtype=np.int64)
    arm_col = draws["arm"].astype(str).to_numpy()
    m = int(draw.max()) + 1 if draw.size else 0
    level = summary.conf_level
    names = [a.arm for a in summary.arms]
    absent = [a for a in names if not np.any(arm_col == a)]
    if m == 0 or absent:
        raise InputError(f"draws must hold every arm of the summary {names}, got none for {absent or names}")
    values: dict[str, NDArray[np.float64]] = {}
    arms: dict[str, dict[str, Any]] = {}
    rows_of = {}
    rmst_of = {}
    for s in summary.arms:
        d, t, e = _arm_rows(arm_col, draw, time, event, s.arm)
        rows_of[s.arm] = (d, t, e)
        km = draw_km(d, t, e, m, conf_level=level)
        med = draw_medians(km, m)
        marks = draw_landmarks(km, summary.landmarks, m)
        rm = draw_rmst(km, summary.tau, m)
        rmst_of[s.arm] = rm
        values[f"median:{s.arm}"] = med[:, 0]
        values[f"rmst:{s.arm}"] = rm
        landmark_u = []
        for j, lm in enumerate(summary.landmarks):
            values[f"landmark:{s.arm}:{lm:g}"] = marks[:, j]
            lm = s.landmarks
            lo, hi = _rubin(marks[:, j], lm.survival[j], lm.conf_low[j], lm.conf_high[j], level, _loglog,
                            _loglog_inv)
            landmark_u.append(StatisticUncertainty(_percentiles(marks[:, j]), lo, hi))
        med_lo, med_hi = _rubin(med[:, 0], s.median.time, s.median.conf_low, s.median.conf_high, level, _log, np.exp,
                                one_sided_high=True)
        rm_lo, rm_hi = _rubin(rm, s.rmst.rmst, s.rmst.conf_low, s.rmst.conf_high, level, _identity, _identity)
        arms[s.arm] = {
            "median": StatisticUncertainty(_percentiles(med[:, 0]), med_lo, med_hi),
            "median_limits": tuple(StatisticUncertainty(_percentiles(med[:, j]),
                                                        *_limit_total(med[:, j], s.median, level)) for j in (1, 2)),
            "landmarks": tuple(landmark_u),
            "rmst": StatisticUncertainty(_percentiles(rm), rm_lo, rm_hi),
        }
    contrasts: dict[str, dict[str, Any]] = {}
    for c in summary.contrasts:
        pair = draw_contrast(rows_of[c.reference], rows_of[c.arm], m)
        log_hr, lr_p = pair.log_hr, pair.logrank_p
        diff = rmst_of[c.arm] - rmst_of[c.reference]
        values[f"log_hr:{c.arm}"] = log_hr
        values[f"logrank_p:{c.arm}"] = lr_p
        values[f"logrank_z:{c.arm}"] = pair.logrank_z
        values[f"rmst_difference:{c.arm}"] = diff
        hr_u = None
        if c.hazard_ratio is not None:
            hr = np.exp(log_hr)
            h = c.hazard_ratio
            lo, hi = _rubin(hr, h.hazard_ratio, h.conf_low, h.conf_high, level, _log, np.exp)
            hr_u = StatisticUncertainty(_percentiles(hr), lo, hi)
        d = c.rmst_difference
        lo, hi = _rubin(diff, d.difference, d.conf_low, d.conf_high, level, _identity, _identity)
        contrasts[c.arm] = {"hazard_ratio": hr_u, "rmst_difference": StatisticUncertainty(_percentiles(diff), lo, hi),
                            "logrank_p": StatisticUncertainty(_percentiles(lr_p),
                                                              *logrank_total(pair.logrank_z, level))}
    return SummaryUncertainty(n_draws=m, arms=arms, contrasts=contrasts, draws=values,
                              parameters=dict(parameters or {}))


def _not_estimable(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _blank_not_estimable(record: dict[str, Any], n_draws: int) -> None:
    """An estimate reported NE (its CI is NaN, e.g. beyond where a curve leaves the figure) gets NE intervals too."""
    estimates = [e for arm in record["arms"] for e in (arm["median"], *arm["landmarks"], arm["rmst"])]
    estimates += [c["rmst_difference"] for c in record["contrasts"]]
    for estimate in estimates:
        if "reconstruction" in estimate and _not_estimable(estimate.get("conf_low")):
            estimate["reconstruction"] = {"conf_low": None, "conf_high": None, "draws": n_draws}
            estimate["total"] = {"conf_low": None, "conf_high": None}


def annotate_summary_dict(record: dict[str, Any], uncertainty: SummaryUncertainty) -> dict[str, Any]:
    """A copy of :meth:`IPDSummary.to_dict` output with ``reconstruction`` and ``total`` beside each CI.

    Parameters
    ----------
    record : dict
        ``IPDSummary.to_dict()``.
    uncertainty : SummaryUncertainty

    Returns
    -------
    dict
        The median, every landmark, the RMST, each contrast's ``hazard_ratio`` and
        ``rmst_difference`` gain ``reconstruction: {conf_low, conf_high, draws}`` and
        ``total: {conf_low, conf_high}``; the median's ``reconstruction`` and ``total`` also hold
        ``limits`` (the intervals of its two CI limits) and each ``logrank`` gains ``reconstruction``
        and ``total`` (of its p).
    """
    out = copy.deepcopy(record)
    for arm in out["arms"]:
        u = uncertainty.arms[arm["arm"]]
        arm["median"].update(u["median"].to_dict())
        low, high = u["median_limits"]
        arm["median"]["reconstruction"]["limits"] = {"conf_low": low.reconstruction.to_dict(),
                                                     "conf_high": high.reconstruction.to_dict()}
        arm["median"]["total"]["limits"] = {"conf_low": low.to_dict()["total"], "conf_high": high.to_dict()["total"]}
        for mark, mu in zip(arm["landmarks"], u["landmarks"], strict=True):
            mark.update(mu.to_dict())
        arm["rmst"].update(u["rmst"].to_dict())
    for contrast in out["contrasts"]:
        u = uncertainty.contrasts[contrast["arm"]]
        if contrast["hazard_ratio"] is not None and u["hazard_ratio"] is not None:
            contrast["hazard_ratio"].update(u["hazard_ratio"].to_dict())
        contrast["rmst_difference"].update(u["rmst_difference"].to_dict())
        if contrast["logrank"] is not None:
            contrast["logrank"].update(u["logrank_p"].to_dict())
    _blank_not_estimable(out, uncertainty.n_draws)
    out["uncertainty"] = {"draws": uncertainty.n_draws, "parameters": dict(uncertainty.parameters),
                          "method": "reconstruction: 2.5-97.5 percentiles over draws of plausible IPD; total: "
                                    "Rubin's rules (docs/uncertainty.md)"}
    if "reading" in uncertainty.parameters:  # a raster reading: flagged when it may be grossly off
        out["uncertainty"]["reading"] = reading_status(uncertainty.parameters)
    return out


def reading_status(parameters: dict[str, Any]) -> dict[str, Any]:
    """``{"status": "ok" | "flagged", "arms": {arm: evidence}, "note"}`` from the draws' ``parameters["reading"]``.

    "flagged": the figure's own evidence (untraced stretches, a fit close to the misfit gate, an arm
    assignment on weak evidence) says the reading may be grossly off, which the draws do not cover.
    """
    reading = dict(parameters.get("reading") or {})
    arms = dict(reading.get("arms") or {})
    flagged = reading.get("status") == "flagged" and bool(arms)
    note = ("the reading may be grossly off (" + "; ".join(f"{a}: {why}" for a, why in arms.items()) + "); the "
            "reconstruction interval may not cover such misreads: check overlay.png") if flagged else ""
    return {"status": "flagged" if flagged else "ok", "arms": arms, "note": note}
