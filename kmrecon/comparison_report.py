"""``comparison.md`` and ``report.html`` of ``kmrecon compare``: readable tables, figures, warnings, provenance."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kmrecon.comparison_tables import human_markdown

__all__ = ["comparison_markdown", "write_comparison_html", "uncertainty_markdown", "uncertainty_lines"]

_FIGURE_TITLES = {"forest_orr.png": "ORR forest plot", "forest_dcr.png": "DCR forest plot",
                  "forest_hr_os.png": "OS hazard ratios", "forest_hr_pfs.png": "PFS hazard ratios"}

CAVEAT = ("Read these numbers as hypothesis-generating: every contrast between arms of different trials is "
          "unanchored, and unlike contrasts (response criterion, PFS against TTP, population shares) are "
          "flagged in words, not adjusted for. Values flagged unverified must be checked against their source.")


def _fmt(value: Any, statistic: str) -> str:
    if value is None or not math.isfinite(value):
        return "NR"
    if statistic == "log-rank p":
        return f"{value:.3g}"
    return f"{value:.3f}" if statistic.startswith("S(") else f"{value:.2f}"


def _interval(low: Any, high: Any, statistic: str) -> str:
    if not (math.isfinite(low) or math.isfinite(high)):
        return ""
    return f"{_fmt(low, statistic)} to {_fmt(high, statistic)}"


def uncertainty_lines(uncertainties: Sequence[Any]) -> list[str]:
    """One terminal line per endpoint: which arms have reconstruction intervals, and why the others do not."""
    lines = []
    for u in uncertainties:
        without = "; ".join(f"{k}: {note}" for k, note in u.notes.items())
        if not u.arms_with_draws:
            lines.append(f"{u.endpoint}: classical CIs only, no reconstruction intervals ({without})")
        else:
            lines.append(f"{u.endpoint}: reconstruction and total intervals from {u.n_draws} draws for "
                         f"{', '.join(u.arms_with_draws)}" + (f"; none for {without}" if without else ""))
    return lines


def uncertainty_markdown(uncertainties: Sequence[Any], conf_level: float = 0.95) -> str:
    """The comparison's section on reconstruction uncertainty: a table per endpoint, or why there is none.

    Parameters
    ----------
    uncertainties : sequence of EndpointUncertainty
    conf_level : float, optional

    Returns
    -------
    str
    """
    level = f"{100 * conf_level:g}%"
    out = []
    for u in uncertainties:
        out += [f"## {u.endpoint.upper()} from IPD: reconstruction uncertainty", ""]
        if not u.arms_with_draws:
            out += ["No reconstruction intervals: the classical CIs above do not include digitization or "
                    "reconstruction error. " + "; ".join(f"`{k}`: {n}" for k, n in u.notes.items()) + ".", ""]
            continue
        out += [f"Over {u.n_draws} plausible IPD sets per reconstructed arm (kmrecon reconstruct/run draws). "
                "Reconstruction interval: 2.5-97.5 percentiles over the draws; total: sampling and reconstruction "
                "combined by Rubin's rules (docs/uncertainty.md). Quote the total interval.", ""]
        if u.notes:
            out += ["Without draws (classical CI only): " + "; ".join(f"`{k}` ({n})" for k, n in u.notes.items())
                    + ".", ""]
        header = ["Arm", "Statistic", f"Estimate (classical {level} CI)", "Reconstruction interval",
                  f"Total {level} interval", "Note"]
        out += ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        for r in u.table.to_dict("records"):
            if not r["reference"] and r["arm"] in u.notes:
                continue
            stat = r["statistic"]
            ci = _interval(r["ci_low"], r["ci_high"], stat)
            arm = r["arm"] + (f" vs {r['reference']}" if r["reference"] else "")
            cells = [arm, stat, _fmt(r["estimate"], stat) + (f" ({ci})" if ci else ""),
                     _interval(r["recon_low"], r["recon_high"], stat) or "none",
                     _interval(r["total_low"], r["total_high"], stat) or "none", str(r["note"]).replace("|", "/")]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def comparison_markdown(report: Any, name: str, tables: Mapping[str, Any], figures: Mapping[str, bytes],
                        warnings: Sequence[str], convention: str = "", *,
                        uncertainties: Sequence[Any] = ()) -> str:
    """The comparison for a person: readable tables, the figures, warnings, and where the raw CSVs are.

    Parameters
    ----------
    report : ComparisonReport
    name : str
        Registry file name, for the title.
    tables : mapping of str to DataFrame
        The wide tables written as ``<name>.csv`` (listed, not repeated).
    figures : mapping of str to bytes
        PNG files written beside the report (shown as images).
    warnings : sequence of str
    convention : str, optional
        Extra paragraph (the IPD contrast convention).
    uncertainties : sequence of EndpointUncertainty, optional
        Reconstruction and total intervals of the IPD statistics (:func:`uncertainty_markdown`).

    Returns
    -------
    str
    """
    lines = [f"# Comparison of {name}", "", f"> {CAVEAT}", ""]
    if report.parameters.get("reference"):
        lines += [f"Reference arm: `{report.parameters['reference']}`.", ""]
    lines += [human_markdown(report), ""]
    if convention:
        lines += [convention, ""]
    if uncertainties:
        lines += [uncertainty_markdown(uncertainties, report.parameters.get("conf_level", 0.95)), ""]
    if figures:
        lines += ["## Figures", ""]
        for fig in figures:
            lines += [f"![{_FIGURE_TITLES.get(fig, fig.removesuffix('.png').replace('_', ' '))}]({fig})", ""]
    if warnings:
        lines += ["## Warnings", ""] + [f"- {' '.join(w.split())}" for w in warnings] + [""]
    lines += ["## Tables for machines", "",
              "Every number with its source key, registry flag and comparability detail, one wide CSV per table: "
              + ", ".join(f"`{t}.csv`" for t in tables) + ". Provenance: `comparison.json`.", ""]
    return "\n".join(lines)


def write_comparison_html(path: str | os.PathLike[str], markdown: str, record: Mapping[str, Any], *,
                          folder: str | os.PathLike[str], force: bool = False) -> Path:
    """Write ``report.html``: ``comparison.md`` with its figures inline, plus the provenance.

    Parameters
    ----------
    path : path-like
    markdown : str
        The text of ``comparison.md``.
    record : mapping
        The provenance record (``comparison.json``).
    folder : path-like
        Where the figures are.
    force : bool

    Returns
    -------
    Path
    """
    from kmrecon.html_report import provenance_html, write_markdown_html

    return write_markdown_html(path, markdown, title="kmrecon comparison", folder=folder,
                               extra=provenance_html(record), force=force)
