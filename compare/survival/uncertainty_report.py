"""Markdown lines for the reconstruction and total intervals of a run report (beside the classical CI)."""

from __future__ import annotations

import math

from compare.survival.ipd_summary import IPDSummary
from compare.survival.uncertainty import StatisticUncertainty, SummaryUncertainty, reading_status

__all__ = ["uncertainty_section", "UNCERTAINTY_CAVEAT"]

UNCERTAINTY_CAVEAT = (
    "- The patient data are **reconstructed** from a published Kaplan-Meier figure (Guyot et al. 2012 [1], "
    "refined), not the trial's data. The classical confidence intervals and p-values do not include "
    "digitization or reconstruction error; the **reconstruction** interval (spread over {draws} plausible IPD "
    "sets that fit the figure, the table and the censor marks) and the **total** interval (sampling and "
    "reconstruction combined by Rubin's rules) do. Quote the total interval. Check the fit figure before "
    "quoting a number.")


def _fmt(x: float, digits: int) -> str:
    return "NR" if not math.isfinite(x) else f"{x:.{digits}f}"


def _fixed(digits: int):
    return lambda x: _fmt(x, digits)


def _general(x: float) -> str:
    return "NR" if not math.isfinite(x) else f"{x:.3g}"


def _intervals(u: StatisticUncertainty | None, fmt) -> list[str]:
    """Reconstruction and total interval cells."""
    if u is None:
        return ["NE", "NE"]
    r = u.reconstruction
    recon = "NE" if r.draws == 0 else f"{fmt(r.conf_low)} to {fmt(r.conf_high)}"
    return [recon, f"{fmt(u.total_low)} to {fmt(u.total_high)}"]


def _cells(estimate: float, low: float, high: float, u: StatisticUncertainty | None, digits: int) -> list[str]:
    classical = f"{_fmt(estimate, digits)} ({_fmt(low, digits)} to {_fmt(high, digits)})"
    return [classical, *_intervals(u, _fixed(digits))]


def uncertainty_section(summary: IPDSummary, uncertainty: SummaryUncertainty | None, note: str = "") -> list[str]:
    """The report section: one row per statistic, classical CI beside the reconstruction and total intervals.

    Parameters
    ----------
    summary : IPDSummary
    uncertainty : SummaryUncertainty or None
        None gives a short section saying why there are no draws (``note``).
    note : str, optional

    Returns
    -------
    list of str
        Markdown lines.
    """
    lines = ["## Reconstruction uncertainty", ""]
    if uncertainty is None:
        return lines + [f"No reconstruction intervals: {note or 'no draws'}.", ""]
    level = f"{100 * summary.conf_level:g}%"
    unit = summary.time_unit
    header = ["Statistic", f"Estimate (classical {level} CI)", "Reconstruction interval (2.5-97.5%)",
              f"Total {level} interval"]
    rows = []
    for arm in summary.arms:
        u = uncertainty.arms[arm.arm]
        med = arm.median
        rows.append([f"{arm.arm}: median ({unit})", *_cells(med.time, med.conf_low, med.conf_high, u["median"], 2)])
        for side, limit, lu in zip(("lower", "upper"), (med.conf_low, med.conf_high), u["median_limits"], strict=True):
            rows.append([f"{arm.arm}: median, {side} CI limit", _fmt(limit, 2), *_intervals(lu, _fixed(2))])
        for j, t in enumerate(summary.landmarks):
            m = arm.landmarks
            rows.append([f"{arm.arm}: S({t:g})",
                         *_cells(m.survival[j], m.conf_low[j], m.conf_high[j], u["landmarks"][j], 3)])
        r = arm.rmst
        rows.append([f"{arm.arm}: RMST to {summary.tau:.2f}", *_cells(r.rmst, r.conf_low, r.conf_high, u["rmst"], 2)])
    for c in summary.contrasts:
        u = uncertainty.contrasts[c.arm]
        if c.hazard_ratio is not None:
            hr = c.hazard_ratio
            rows.append([f"{c.arm} vs {c.reference}: HR",
                         *_cells(hr.hazard_ratio, hr.conf_low, hr.conf_high, u["hazard_ratio"], 2)])
        d = c.rmst_difference
        rows.append([f"{c.arm} vs {c.reference}: RMST difference",
                     *_cells(d.difference, d.conf_low, d.conf_high, u["rmst_difference"], 2)])
        if c.logrank is not None:
            rows.append([f"{c.arm} vs {c.reference}: log-rank p", _general(c.logrank.p_value),
                         *_intervals(u["logrank_p"], _general)])
    lines += [f"Over {uncertainty.n_draws} plausible IPD sets drawn around the reconstruction (censorings placed "
              "at random within what the at-risk table, the step heights and the censor marks allow; digitization "
              "noise on step heights and times). Total: Rubin's rules (docs/uncertainty.md); for the log-rank p, the "
              "p-values at the ends of the total interval of the standardised statistic.", ""]
    reading = reading_status(uncertainty.parameters)
    if reading["status"] == "flagged":
        lines += [f"**Warning:** {reading['note'][0].upper()}{reading['note'][1:]}.", ""]
    lines += ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]
