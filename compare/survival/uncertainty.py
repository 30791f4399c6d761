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

The median's CI limits and the log-rank p get reconstruction intervals only (no sampling SE).

References
----------
.. [1] Rubin DB. Multiple Imputation for Nonresponse in Surveys. Wiley, 1987.
"""

from __future__ import annotations

import math

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import norm
from scipy.stats import t as student_t

from compare.survival.draw_stats import draw_cox_logrank, draw_km, draw_landmarks, draw_medians, draw_rmst
from compare.survival.ipd_summary import IPDSummary
from reconstruct.errors import InputError

__all__ = ["ReconstructionInterval", "StatisticUncertainty", "SummaryUncertainty", "summary_uncertainty",
           "annotate_summary_dict"]

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
        Arm name -> ``{"median": StatisticUncertainty, "median_limits": (ReconstructionInterval,
        ReconstructionInterval), "landmarks": tuple of StatisticUncertainty, "rmst": StatisticUncertainty}``.
    contrasts : dict
        Comparator arm -> ``{"hazard_ratio": StatisticUncertainty or None, "rmst_difference":
        StatisticUncertainty, "logrank_p": ReconstructionInterval}``.
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


def _rubin(values, estimate, low, high, conf_level, forward, inverse, *, one_sided_high=False) -> tuple[float, float]:
    """Total interval by Rubin's rules on the scale ``forward`` (see the module docstring).

    Each half of the classical CI (on the scale g) is stretched by Rubin's factor
    ``t_nu sqrt(T) / (z sqrt(W))`` and placed around the mean of the draws, so a CI that is not
    symmetric on g (Brookmeyer-Crowley) keeps its shape and the total interval equals the classical
    one when the draws agree.
    """
    z = float(norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = forward(values[np.isfinite(values)])
        g = g[np.isfinite(g)]
        g_est, g_low, g_high = (float(forward(np.float64(v))) for v in (estimate, low, high))
    if g.size < 2 or not (np.isfinite(g_est) and np.isfinite(g_low)):
        return float("nan"), float("nan")
    below = abs(g_est - g_low)
    if np.isfinite(g_high):
        above = abs(g_high - g_est)
        se = (below + above) / (2.0 * z)
    elif one_sided_high:
        above, se = float("nan"), below / z
    else:
        return float("nan"), float("nan")
    m = g.size
    within, between = se**2, float(np.var(g, ddof=1))
    total = within + (1.0 + 1.0 / m) * between
    if between > 0 and within > 0:
        nu = (m - 1) * (1.0 + within / ((1.0 + 1.0 / m) * between)) ** 2
        q = float(student_t.ppf(1.0 - (1.0 - conf_level) / 2.0, nu))
    else:
        q = z
    stretch = q * np.sqrt(total) / (z * se) if se > 0 else 0.0
    center = float(np.mean(g))
    if se == 0:  # no sampling spread at all (e.g. S(t) = 1): the draws' spread alone
        below = above = q * np.sqrt(total)
        stretch = 1.0
    ends = [float(inverse(center - stretch * below)), float(inverse(center + stretch * above))]
    if forward is _loglog:  # log(-log S) decreases in S
        ends.reverse()
    return ends[0], ends[1]


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


def summary_uncertainty(summary: IPDSummary, draws: pd.DataFrame, *,
                        parameters: dict[str, Any] | None = None) -> SummaryUncertainty:
    """Reconstruction and total intervals of every statistic of ``summary`` over IPD ``draws``.

    Parameters
    ----------
    summary : IPDSummary
        The summary of the reconstruction itself (:func:`compare.summarize_ipd`); its landmarks,
        ``tau``, reference arm and level are used for every draw.
    draws : DataFrame
        Long table ``draw, arm, time, event`` (:meth:`reconstruct.IPDDraws.to_frame`); draws
        numbered 0..M-1, every draw with every arm of the summary.
    parameters : dict, optional
        How the draws were made (e.g. :attr:`reconstruct.IPDDraws.parameters`), kept for the record.

    Returns
    -------
    SummaryUncertainty

    Raises
    ------
    InputError
        When ``draws`` lacks columns, or an arm of the summary.
    """
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
            "median_limits": (_percentiles(med[:, 1]), _percentiles(med[:, 2])),
            "landmarks": tuple(landmark_u),
            "rmst": StatisticUncertainty(_percentiles(rm), rm_lo, rm_hi),
        }
    contrasts: dict[str, dict[str, Any]] = {}
    for c in summary.contrasts:
        log_hr, _, lr_p = draw_cox_logrank(rows_of[c.reference], rows_of[c.arm], m)
        diff = rmst_of[c.arm] - rmst_of[c.reference]
        values[f"log_hr:{c.arm}"] = log_hr
        values[f"logrank_p:{c.arm}"] = lr_p
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
                            "logrank_p": _percentiles(lr_p)}
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
        ``total: {conf_low, conf_high}``; the median's also holds ``limits`` (the reconstruction
        intervals of its CI limits) and each ``logrank`` gains ``reconstruction`` (of its p).
    """
    out = copy.deepcopy(record)
    for arm in out["arms"]:
        u = uncertainty.arms[arm["arm"]]
        arm["median"].update(u["median"].to_dict())
        arm["median"]["reconstruction"]["limits"] = {"conf_low": u["median_limits"][0].to_dict(),
                                                     "conf_high": u["median_limits"][1].to_dict()}
        for mark, mu in zip(arm["landmarks"], u["landmarks"], strict=True):
            mark.update(mu.to_dict())
        arm["rmst"].update(u["rmst"].to_dict())
    for contrast in out["contrasts"]:
        u = uncertainty.contrasts[contrast["arm"]]
        if contrast["hazard_ratio"] is not None and u["hazard_ratio"] is not None:
            contrast["hazard_ratio"].update(u["hazard_ratio"].to_dict())
        contrast["rmst_difference"].update(u["rmst_difference"].to_dict())
        if contrast["logrank"] is not None:
            contrast["logrank"]["reconstruction"] = u["logrank_p"].to_dict()
    _blank_not_estimable(out, uncertainty.n_draws)
    out["uncertainty"] = {"draws": uncertainty.n_draws, "parameters": dict(uncertainty.parameters),
                          "method": "reconstruction: 2.5-97.5 percentiles over draws of plausible IPD; total: "
                                    "Rubin's rules (docs/uncertainty.md)"}
    return out
