"""Tables a person reads, from a :class:`compare.indirect.comparison.ComparisonReport`.

One estimate per cell with its CI (``44.0 (24.4-65.1)``), differences with their CIs, registry and
comparability flags in words, and few columns so that a table fits a printed page. The wide CSVs
(``orr_arms.csv``...) keep every number for machines; these tables compute nothing new.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

__all__ = ["binary_table", "meta_sentence", "hazard_ratio_table", "ipd_table", "flag_words", "value_flag_words",
           "human_markdown"]

_VALUE_FLAGS = {
    "confirmed": "confirmed", "derived": "derived", "unverified": "unverified: check the source",
    "conflict": "sources conflict", "seed-only": "seed only", "nf": "not found",
}
_MEASURES = {"PLO": "logit", "PFT": "Freeman-Tukey"}
_DESCRIPTORS = {"pvtt": "PVTT", "bclc_c": "BCLC C"}


def _pct(value: float) -> str:
    return "" if value is None or not math.isfinite(value) else f"{100 * value:.1f}"


def _pct_ci(value: float, low: float, high: float) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{_pct(value)} ({_pct(low)}-{_pct(high)})"


def _diff_ci(value: float, low: float, high: float, scale: float = 100.0) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{scale * value:.1f} ({scale * low:.1f} to {scale * high:.1f})"


def _ratio_ci(value: float, low: float, high: float) -> str:
    if value is None or not math.isfinite(value):
        return "not estimable"
    return f"{value:.2f} ({low:.2f}-{high:.2f})"


def value_flag_words(flag: str) -> str:
    """A registry value flag (``unverified``...) in words; combined flags joined with ``, ``."""
    return ", ".join(_VALUE_FLAGS.get(f, f) for f in str(flag or "").split("+") if f)


def _descriptor(text: str) -> str:
    return re.sub(r"\b(pvtt|bclc_c)\b", lambda m: _DESCRIPTORS[m.group(1)], text)


def flag_words(flag: str, detail: str) -> str:
    """A comparability flag and its detail as a short phrase (``criterion mRECIST vs RECIST 1.1; unanchored``).

    Parameters
    ----------
    flag : str
        ``;``-joined kinds (``criterion;population;unanchored``), ``reference`` or empty.
    detail : str
        The ``comparability_detail`` text.

    Returns
    -------
    str
    """
    if not flag or flag == "reference":
        return ""
    parts: list[str] = []
    for part in [p.strip() for p in str(detail or "").split(";") if p.strip()]:
        if part.startswith("no shared randomized comparator"):
            continue
        if part.startswith("different trials"):
            parts.append("unanchored")
        elif part == "arms of different trials pooled":
            parts.append("arms of different trials")
        elif part.startswith("criteria pooled:"):
            parts.append("mixed criteria (" + part.split(":", 1)[1].strip() + ")")
        elif " share not recorded" in part:
            parts.append(_descriptor(part.split(" for ", 1)[0]))
        else:
            parts.append(_descriptor(re.sub(r"\s*\(spread > [^)]*\)", "", part)))
    if "no-counts" in flag.split(";"):
        parts.append("no counts reported")
    return "; ".join(dict.fromkeys(parts))


def _arm_name(trial: str, label: str) -> str:
    return f"{trial}: {label}"


def binary_table(rep: Any, reference: str | None, pool_class: str | None = None) -> pd.DataFrame:
    """ORR or DCR per arm: ``x/n``, ``% (95% CI)``, reference minus arm in points (95% CI), flags in words.

    Parameters
    ----------
    rep : BinaryEndpointReport
    reference : str or None
        ``"trial:arm"`` of the reference arm (for the column title).
    pool_class : str, optional
        Treatment class of the pooled arms, for the pooled row's name.

    Returns
    -------
    DataFrame
        String cells; the pooled estimate (if any) is the last row.
    """
    name = rep.endpoint.upper()
    ref_row = None
    t = rep.table
    if reference is not None:
        trial, _, arm = reference.partition(":")
        match = t[(t["trial"] == trial) & (t["arm"] == arm)]
        ref_row = match.iloc[0] if len(match) else None
    diff_title = (f"{ref_row['trial']} minus arm, points (95% CI)" if ref_row is not None
                  else "difference, points (95% CI)")
    level = "95% CI"
    rows = []
    pooled = set(rep.meta.labels) if rep.meta is not None else set()
    for r in t.itertuples(index=False):
        key = f"{r.trial}:{r.arm}"
        arm = _arm_name(r.trial, r.label) + (" (reference)" if r.comparability == "reference" else "")
        arm += " *" if key in pooled else ""
        counts = "" if pd.isna(r.x) or pd.isna(r.n) else f"{int(r.x)}/{int(r.n)}"
        rows.append({"arm": arm, "criterion": r.criterion, "x/n": counts,
                     f"{name} % ({level})": _pct_ci(r.proportion, r.ci_low, r.ci_high),
                     diff_title: _diff_ci(r.ref_minus_arm, r.diff_ci_low, r.diff_ci_high),
                     "registry flag": value_flag_words(r.value_flag),
                     "comparability": flag_words(r.comparability, r.comparability_detail)})
    if rep.meta is not None:
        m = rep.meta
        chosen = rep.meta_table[rep.meta_table["chosen"].astype(bool)].iloc[0]
        criteria = sorted({s.criterion for s in rep.selections if s.key in pooled})
        scale = _MEASURES.get(chosen["measure"], chosen["measure"])
        rows.append({"arm": f"**Pooled {pool_class or '*'} arms** (k = {m.k}, {scale}, "
                            f"{chosen['method']})",
                     "criterion": criteria[0] if len(criteria) == 1 else "mixed", "x/n": "",
                     f"{name} % ({level})": f"**{_pct_ci(m.proportion, *m.proportion_ci)}**; I2 {m.i2:.0f}%, "
                                            f"tau2 {m.tau2:.2f}",
                     diff_title: "", "registry flag": "",
                     "comparability": flag_words(rep.pool_check.flag, rep.pool_check.details)
                     if rep.pool_check is not None else ""})
    return pd.DataFrame(rows)


def meta_sentence(rep: Any) -> str:
    """One sentence giving the pooled estimate under the estimators not drawn (empty without a pool)."""
    if rep.meta_table.empty:
        return ""
    others = [f"{_MEASURES.get(r['measure'], r['measure'])}/{r['method']} "
              f"{_pct_ci(r['proportion'], r['ci_low'], r['ci_high'])}"
              for _, r in rep.meta_table.iterrows() if not bool(r["chosen"])]
    return f"The other estimators of the pooled {rep.endpoint.upper()}: " + ", ".join(others) + "."


def hazard_ratio_table(rep: Any) -> pd.DataFrame:
    """Published and anchored indirect (Bucher) hazard ratios: ``HR (95% CI)``, flags in words."""
    rows = []
    for r in rep.table.itertuples(index=False):
        if r.kind == "published":
            what = f"{r.trial}: {r.arm} vs {r.comparator}" + ("" if r.analysis == "primary" else f" ({r.analysis})")
        else:
            first, second = r.trial.split("|"), r.arm.split("|")
            what = f"{first[0]}: {second[0]} vs {first[1]}: {second[1]}, via {r.comparator}"
        rows.append({"comparison": what, "kind": "indirect (Bucher)" if r.kind != "published" else "published",
                     "endpoint": r.endpoint.upper(), "HR (95% CI)": _ratio_ci(r.hazard_ratio, r.conf_low, r.conf_high),
                     "registry flag": value_flag_words(r.value_flag),
                     "comparability": flag_words(r.comparability, r.comparability_detail)})
    return pd.DataFrame(rows)


def ipd_table(rep: Any) -> pd.DataFrame:
    """Survival from IPD per arm: n, events, median (95% CI), HR vs the reference (95% CI), flags in words."""
    contrasts = rep.contrast_table.set_index("arm") if not rep.contrast_table.empty else pd.DataFrame()
    rows = []
    for r in rep.table.to_dict("records"):
        c = contrasts.loc[r["arm"]] if r["arm"] in contrasts.index else None
        median = ("NR" if not math.isfinite(r["median"]) else f"{r['median']:.1f}") + (
            f" ({_num(r['median_ci_low'])}-{_num(r['median_ci_high'])})")
        rows.append({"arm": r["arm"] + (" (reference)" if r.get("comparability") == "reference" else ""),
                     "n": str(r["n"]), "events": str(r["events"]), "median (95% CI)": median,
                     "HR vs reference (95% CI)": "" if c is None else _ratio_ci(c["hr_arm_vs_ref"], c["hr_ci_low"],
                                                                               c["hr_ci_high"]),
                     "comparability": flag_words(r.get("comparability", ""), r.get("comparability_detail", ""))})
    return pd.DataFrame(rows)


def _num(value: float) -> str:
    return "NR" if value is None or not math.isfinite(value) else f"{value:.1f}"


def _markdown(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    lines = [header, "|" + "|".join("---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def human_markdown(report: Any) -> str:
    """The readable tables of a comparison as Markdown sections (ORR, DCR, hazard ratios, IPD survival).

    Parameters
    ----------
    report : ComparisonReport

    Returns
    -------
    str
    """
    params = report.parameters
    reference = params.get("reference")
    out = [f"{params.get('pool_note', '')}\n"] if params.get("pool_note") else []
    for rep in report.binary:
        if rep.table.empty:
            continue
        out.append(f"## {rep.endpoint.upper()}\n")
        out.append("Clopper-Pearson 95% CI per arm; difference from the reference with a Newcombe 95% CI; "
                   "* marks pooled arms.\n")
        out.append(_markdown(binary_table(rep, reference, params.get("pool_class"))))
        sentence = meta_sentence(rep)
        out.append(f"{sentence}\n" if sentence else "")
    for rep in report.hazard_ratios:
        if not rep.table.empty:
            out.append(f"## Hazard ratios, {rep.endpoint.upper()}\n")
            out.append(_markdown(hazard_ratio_table(rep)))
    for rep in report.survival:
        out.append(f"## {rep.endpoint.upper()} from IPD\n")
        out.append("HR of the arm vs the reference (Cox, Efron ties; HR < 1: lower hazard in the arm).\n")
        out.append(_markdown(ipd_table(rep)))
    return "\n".join(x for x in out if x)
