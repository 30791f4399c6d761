"""Reconstruction and total intervals for ``kmrecon compare``'s survival tables, from draws of reconstructed arms.

An arm whose IPD was reconstructed from a figure can come with draws of plausible IPD sets
(:func:`reconstruct.draw_ipd`). For every statistic of the comparison's IPD tables (median and its
Brookmeyer-Crowley limits, landmark survival, RMST; Cox HR, log-rank p and RMST difference against
the reference arm) this module adds, beside the classical CI, the **reconstruction interval** and the
**total interval** of :mod:`compare.survival.uncertainty` (same formulas as ``kmrecon run``).

How arms are combined:

* draws are paired by their number: draws of two arms of one figure share the figure's time warp,
  draws of arms of different figures are independent, so pairing by number is as good as any;
  with different numbers of draws the first ``min(M)`` of each are used;
* an arm without draws (real IPD, or reconstructed without them) is the same in every draw: its own
  statistics get no intervals (the row says why), and a contrast with it carries the reconstruction
  uncertainty of the other arm only.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from compare.survival.ipd_summary import summarize_ipd
from compare.survival.uncertainty import StatisticUncertainty, SummaryUncertainty, summary_uncertainty
from reconstruct.errors import ComparisonWarning

__all__ = ["EndpointUncertainty", "endpoint_uncertainty", "UNCERTAINTY_COLUMNS"]

UNCERTAINTY_COLUMNS = ("arm", "reference", "statistic", "estimate", "ci_low", "ci_high", "recon_low", "recon_high",
                       "draws", "total_low", "total_high", "note")


@dataclass(frozen=True, eq=False)
class EndpointUncertainty:
    """Intervals of one endpoint's IPD statistics.

    Attributes
    ----------
    endpoint : str
    n_draws : int
        Draws used (0 when no arm has draws).
    arms_with_draws : tuple of str
        ``"trial:arm"`` keys whose IPD came with draws.
    notes : mapping of str to str
        For every arm without draws, why (e.g. no draws file beside its IPD).
    uncertainty : SummaryUncertainty or None
        The intervals (None when no arm has draws).
    table : DataFrame
        Columns :data:`UNCERTAINTY_COLUMNS`, one row per statistic (empty when no arm has draws):
        the classical estimate and CI beside the reconstruction interval (``recon_low, recon_high``,
        over ``draws`` draws) and the total interval; NaN with a ``note`` where there is none.
    """

    endpoint: str
    n_draws: int
    arms_with_draws: tuple[str, ...]
    notes: Mapping[str, str] = field(default_factory=dict)
    uncertainty: SummaryUncertainty | None = None
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(UNCERTAINTY_COLUMNS)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: draws, arms with draws, notes and the table's rows (NaN as None)."""
        rows = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
                for r in self.table.to_dict("records")]
        return {"draws": self.n_draws, "arms_with_draws": list(self.arms_with_draws), "notes": dict(self.notes),
                "rows": rows}


def _combined_draws(data, draws, m):
    """One long frame ``draw, arm, time, event``: the first ``m`` draws of each arm, fixed arms repeated."""
    parts = []
    for key, (time, event) in data.items():
        frame = draws.get(key)
        if frame is not None:
            frame = frame[frame["draw"] < m]
            parts.append(pd.DataFrame({"draw": frame["draw"].to_numpy(dtype=np.int64), "arm": key,
                                       "time": frame["time"].to_numpy(dtype=float),
                                       "event": frame["event"].to_numpy(dtype=np.int64)}))
        else:
            parts.append(pd.DataFrame({"draw": np.repeat(np.arange(m, dtype=np.int64), len(time)), "arm": key,
                                       "time": np.tile(np.asarray(time, dtype=float), m),
                                       "event": np.tile(np.asarray(event, dtype=np.int64), m)}))
    return pd.concat(parts, ignore_index=True)


def _row(arm, reference, statistic, estimate, low, high, u: StatisticUncertainty | None, note: str) -> dict[str, Any]:
    nan = float("nan")
    if u is None:
        return dict(zip(UNCERTAINTY_COLUMNS, (arm, reference, statistic, estimate, low, high, nan, nan, 0, nan, nan,
                                              note), strict=True))
    r = u.reconstruction
    return dict(zip(UNCERTAINTY_COLUMNS, (arm, reference, statistic, estimate, low, high, r.conf_low, r.conf_high,
                                          r.draws, u.total_low, u.total_high, note), strict=True))


def _table(summary, u: SummaryUncertainty, has_draws: set[str], notes: Mapping[str, str]) -> pd.DataFrame:
    nan = float("nan")
    rows = []
    for arm in summary.arms:
        own = arm.arm in has_draws
        note = "" if own else notes.get(arm.arm, "no draws")
        a = u.arms[arm.arm]

        def pick(x, own=own):
            return x if own else None

        med = arm.median
        rows.append(_row(arm.arm, "", "median", med.time, med.conf_low, med.conf_high, pick(a["median"]), note))
        rows.append(_row(arm.arm, "", "median lower CI limit", med.conf_low, nan, nan, pick(a["median_limits"][0]),
                         note))
        rows.append(_row(arm.arm, "", "median upper CI limit", med.conf_high, nan, nan, pick(a["median_limits"][1]),
                         note))
        for j, t in enumerate(summary.landmarks):
            lm = arm.landmarks
            rows.append(_row(arm.arm, "", f"S({t:g})", lm.survival[j], lm.conf_low[j], lm.conf_high[j],
                             pick(a["landmarks"][j]), note))
        r = arm.rmst
        rows.append(_row(arm.arm, "", f"RMST to {summary.tau:g}", r.rmst, r.conf_low, r.conf_high, pick(a["rmst"]),
                         note))
    for c in summary.contrasts:
        sides = [k for k in (c.arm, c.reference) if k in has_draws]
        if not sides:
            keep, note = False, "no draws for either arm"
        elif len(sides) == 1:
            fixed = c.reference if sides[0] == c.arm else c.arm
            keep, note = True, f"reconstruction uncertainty of {sides[0]} only; {fixed} has no draws"
        else:
            keep, note = True, ""
        cu = u.contrasts[c.arm]

        def pick(x, keep=keep):
            return x if keep else None

        hr = c.hazard_ratio
        if hr is not None:
            rows.append(_row(c.arm, c.reference, "HR", hr.hazard_ratio, hr.conf_low, hr.conf_high,
                             pick(cu["hazard_ratio"]), note))
        if c.logrank is not None:
            rows.append(_row(c.arm, c.reference, "log-rank p", c.logrank.p_value, nan, nan, pick(cu["logrank_p"]),
                             note))
        d = c.rmst_difference
        rows.append(_row(c.arm, c.reference, "RMST difference", d.difference, d.conf_low, d.conf_high,
                         pick(cu["rmst_difference"]), note))
    return pd.DataFrame(rows, columns=list(UNCERTAINTY_COLUMNS))


def endpoint_uncertainty(
    endpoint: str,
    data: Mapping[str, tuple[Any, Any]],
    draws: Mapping[str, pd.DataFrame | None],
    *,
    reference: str,
    tau: float,
    landmarks: Sequence[float],
    conf_level: float = 0.95,
    time_unit: str = "months",
    notes: Mapping[str, str] | None = None,
) -> EndpointUncertainty:
    """Reconstruction and total intervals of an endpoint's IPD statistics (see the module docstring).

    Parameters
    ----------
    endpoint : str
    data : mapping of str to (time, event)
        ``"trial:arm"`` -> the IPD used by the comparison tables.
    draws : mapping of str to DataFrame or None
        ``"trial:arm"`` -> that arm's draws, columns ``draw, time, event`` (draws numbered 0..M-1,
        each with the arm's number of patients); None or missing for an arm without draws.
    reference : str
        Key of the reference arm of the contrasts.
    tau : float
        RMST truncation time of the tables.
    landmarks : sequence of float
    conf_level : float, optional
    time_unit : str, optional
    notes : mapping of str to str, optional
        Why an arm has no draws (shown in its rows).

    Returns
    -------
    EndpointUncertainty
    """
    notes = {k: (notes or {}).get(k, "no draws") for k in data if draws.get(k) is None}
    has = tuple(k for k in data if draws.get(k) is not None)
    if not has:
        return EndpointUncertainty(endpoint, 0, (), notes)
    m = int(min(int(draws[k]["draw"].max()) + 1 for k in has))
    ipd = pd.concat([pd.DataFrame({"arm": k, "time": np.asarray(t, dtype=float), "event": np.asarray(e)})
                     for k, (t, e) in data.items()], ignore_index=True)
    with warnings.catch_warnings():
        # the comparison tables have already warned about these arms (no events, monotone likelihood)
        warnings.simplefilter("ignore", ComparisonWarning)
        summary = summarize_ipd(ipd, landmarks=landmarks, tau=tau, reference=reference, conf_level=conf_level,
                                time_unit=time_unit)
        u = summary_uncertainty(summary, _combined_draws(data, draws, m))
    return EndpointUncertainty(endpoint, m, has, notes, u, _table(summary, u, set(has), notes))
