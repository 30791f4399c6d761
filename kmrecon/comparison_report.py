"""``comparison.md`` and ``report.html`` of ``kmrecon compare``: readable tables, figures, warnings, provenance."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kmrecon.comparison_tables import human_markdown

__all__ = ["comparison_markdown", "write_comparison_html"]

_FIGURE_TITLES = {"forest_orr.png": "ORR forest plot", "forest_dcr.png": "DCR forest plot",
                  "forest_hr_os.png": "OS hazard ratios", "forest_hr_pfs.png": "PFS hazard ratios"}

CAVEAT = ("Read these numbers as hypothesis-generating: every contrast between arms of different trials is "
          "unanchored, and unlike contrasts (response criterion, PFS against TTP, population shares) are "
          "flagged in words, not adjusted for. Values flagged unverified must be checked against their source.")


def comparison_markdown(report: Any, name: str, tables: Mapping[str, Any], figures: Mapping[str, bytes],
                        warnings: Sequence[str], convention: str = "") -> str:
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
