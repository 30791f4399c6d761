"""Cross-trial comparison tables from a registry: binary endpoints, meta-analysis, hazard ratios.

:func:`build_comparison` is the one library call behind ``kmrecon compare``. It selects, per arm, the
value of each endpoint (preferring counts, then the requested criterion, then the primary data cut),
computes Clopper-Pearson CIs, contrasts against a reference arm, pools proportions by random-effects
meta-analysis, collects published hazard ratios and derives anchored (Bucher) indirect comparisons
through comparator arms shared by id (e.g. ``sorafenib``). Every table row carries the value's source
and registry flag and a ``comparability`` flag (see :mod:`compare.indirect.comparability`); unlike contrasts are
warned once (:class:`~reconstruct.errors.ComparisonWarning`) or refused.
Survival from IPD is added by :mod:`compare.indirect.survival_comparison`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from compare.response.proportions import ProportionComparison, ProportionEstimate, compare_proportions, response_rate
from compare.indirect.comparability import (
    ArmSelection,
    Comparability,
    PopulationThresholds,
    check_comparability,
    check_pool,
    enforce,
)
from compare.indirect.bucher import bucher, relabel
from compare.indirect.pooling import choose_pool
from compare.survival.hazard_ratio import HazardRatio
from compare.response.meta_analysis import MetaAnalysisResult, meta_proportions
from compare.registry.loader import BinaryRecord, HazardRatioRecord, Registry
from reconstruct.errors import InputError

__all__ = [
    "BinaryEndpointReport",
    "HazardRatioReport",
    "ComparisonReport",
    "build_comparison",
    "parse_arm_key",
    "frame_to_markdown",
]

BINARY = ("orr", "dcr")
SURVIVAL = ("pfs", "os")
ENDPOINTS = BINARY + SURVIVAL


@dataclass(frozen=True, eq=False)
class BinaryEndpointReport:
    """ORR or DCR across arms.

    Attributes
    ----------
    endpoint : str
    estimates : tuple of ProportionEstimate
        Arms with counts, in table order (label ``"trial:arm"``).
    selections : tuple of ArmSelection
        Same order as ``estimates``.
    flags : tuple of str
        Comparability flag of each estimate against the reference ("" for the reference itself).
    contrasts : tuple of ProportionComparison
        Reference against each other arm with counts.
    meta : MetaAnalysisResult or None
        Pooled estimate with the chosen measure/method over the pooled arms (None when fewer than 2).
    pool_check : Comparability or None
    table : DataFrame
        One row per arm (arms without counts included, without CI).
    meta_table : DataFrame
        Pooled estimate under every measure x method (PLO/PFT x DL/REML).
    """

    endpoint: str
    estimates: tuple[ProportionEstimate, ...]
    selections: tuple[ArmSelection, ...]
    flags: tuple[str, ...]
    contrasts: tuple[ProportionComparison, ...]
    meta: MetaAnalysisResult | None
    pool_check: Comparability | None
    table: pd.DataFrame
    meta_table: pd.DataFrame


@dataclass(frozen=True, eq=False)
class HazardRatioReport:
    """Published and indirect hazard ratios for one endpoint (OS, or PFS with TTP flagged).

    Attributes
    ----------
    endpoint : str
    published : tuple of HazardRatio
    published_flags : tuple of str
    indirect : tuple of HazardRatio
    indirect_flags : tuple of str
    table : DataFrame
        Published rows (``kind`` "published") then Bucher rows (``kind`` "indirect (Bucher)").
    """

    endpoint: str
    published: tuple[HazardRatio, ...]
    published_flags: tuple[str, ...]
    indirect: tuple[HazardRatio, ...]
    indirect_flags: tuple[str, ...]
    table: pd.DataFrame


@dataclass(frozen=True, eq=False)
class ComparisonReport:
    """Everything ``kmrecon compare`` writes: per-endpoint reports and the parameters used."""

    binary: tuple[BinaryEndpointReport, ...]
    hazard_ratios: tuple[HazardRatioReport, ...]
    survival: tuple[Any, ...]
    comparabilities: tuple[Comparability, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)


def parse_arm_key(registry: Registry, key: str) -> tuple[Any, Any]:
    """Resolve ``"trial:arm"`` to ``(Trial, Arm)``.

    Raises
    ------
    InputError
        For a key without ``:`` or an unknown trial or arm.
    """
    trial_id, sep, arm_id = str(key).partition(":")
    if not sep or not trial_id or not arm_id:
        raise InputError(f"expected TRIAL:ARM (e.g. double_ia_001:ia_triple), got {key!r}")
    trial = registry.trial(trial_id)
    return trial, trial.arm(arm_id)


def _pick_binary(records: Sequence[BinaryRecord], criterion: str) -> BinaryRecord | None:
    if not records:
        return None
    order = sorted(
        range(len(records)),
        key=lambda i: (not records[i].has_counts, records[i].criterion != criterion,
                       records[i].analysis != "primary", i),
    )
    return records[order[0]]


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _binary_report(
    registry: Registry,
    endpoint: str,
    arms: Sequence[tuple[Any, Any]],
    reference: tuple[Any, Any] | None,
    pool: Sequence[tuple[Any, Any]],
    *,
    criterion: str,
    measure: str,
    method: str,
    conf_level: float,
    thresholds: PopulationThresholds,
) -> tuple[BinaryEndpointReport, list[Comparability]]:
    rows, estimates, selections, flags, contrasts, checks = [], [], [], [], [], []
    ref_sel = None
    if reference is not None:
        rec = _pick_binary(reference[1].find_binary(endpoint), criterion)
        if rec is None or not rec.has_counts:
            raise InputError(f"expected {endpoint} counts x/n for the reference arm "
                             f"{reference[0].id}:{reference[1].id}, got none in the registry")
        ref_sel = ArmSelection(reference[0], reference[1], endpoint, rec.criterion, rec.analysis)
        ref_rec = rec
    for trial, arm in arms:
        rec = _pick_binary(arm.find_binary(endpoint), criterion)
        if rec is None:
            continue
        sel = ArmSelection(trial, arm, endpoint, rec.criterion, rec.analysis)
        is_ref = ref_sel is not None and sel.key == ref_sel.key
        row: dict[str, Any] = {
            "trial": trial.id, "arm": arm.id, "label": arm.label, "endpoint": endpoint, "criterion": rec.criterion,
            "analysis": rec.analysis, "x": rec.x, "n": rec.n, "pct_reported": rec.pct,
            "proportion": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"),
            "src": "+".join(rec.provenance.src), "value_flag": rec.provenance.flag,
        }
        contrast_cols = {"ref_minus_arm": float("nan"), "diff_ci_low": float("nan"), "diff_ci_high": float("nan"),
                         "ratio_ref_over_arm": float("nan"), "ratio_ci_low": float("nan"),
                         "ratio_ci_high": float("nan"), "fisher_p": float("nan")}
        flag, detail = ("reference", "") if is_ref else ("", "")
        if ref_sel is not None and not is_ref:
            check = check_comparability(ref_sel, sel, thresholds=thresholds)
            checks.append(check)
            flag, detail = check.flag, check.details
        if rec.has_counts:
            est = response_rate(rec.x, rec.n, conf_level=conf_level, label=sel.key)
            row.update(proportion=est.proportion, ci_low=est.ci[0], ci_high=est.ci[1])
            estimates.append(est)
            selections.append(sel)
            flags.append("" if is_ref else flag)
            if ref_sel is not None and not is_ref:
                c = compare_proportions(ref_rec.x, ref_rec.n, rec.x, rec.n, conf_level=conf_level,
                                        labels=(ref_sel.key, sel.key))
                contrasts.append(c)
                contrast_cols.update(ref_minus_arm=c.difference, diff_ci_low=c.difference_ci[0],
                                     diff_ci_high=c.difference_ci[1], ratio_ref_over_arm=c.ratio,
                                     ratio_ci_low=c.ratio_ci[0], ratio_ci_high=c.ratio_ci[1], fisher_p=c.p_value)
        elif not flag or flag == "reference":
            flag = flag or "no-counts"
        else:
            flag = f"{flag};no-counts"
        row.update(contrast_cols)
        row.update(comparability=flag, comparability_detail=detail)
        rows.append(row)
    table = pd.DataFrame(rows, columns=_BINARY_COLUMNS).astype({"x": "Int64", "n": "Int64"})

    pool_keys = {f"{t.id}:{a.id}" for t, a in pool}
    pooled = [(e, s) for e, s in zip(estimates, selections, strict=True) if s.key in pool_keys]
    meta, pool_check, meta_rows = None, None, []
    if len(pooled) >= 2:
        pool_check = check_pool([s for _, s in pooled], thresholds=thresholds, label=f"pooled {endpoint}")
        checks.append(pool_check)
        xs, ns, labels = [e.x for e, _ in pooled], [e.n for e, _ in pooled], [e.label for e, _ in pooled]
        for m_measure, m_method in itertools.product(("PLO", "PFT"), ("DL", "REML")):
            res = meta_proportions(xs, ns, measure=m_measure, method=m_method, conf_level=conf_level, labels=labels)
            if (m_measure, m_method) == (measure, method):
                meta = res
            meta_rows.append({
                "endpoint": endpoint, "measure": m_measure, "method": m_method, "k": res.k,
                "arms": ", ".join(labels), "proportion": res.proportion, "ci_low": res.proportion_ci[0],
                "ci_high": res.proportion_ci[1], "tau2": res.tau2, "i2_pct": res.i2, "q": res.q, "q_df": res.q_df,
                "q_p": res.q_p_value, "chosen": (m_measure, m_method) == (measure, method),
                "comparability": pool_check.flag, "comparability_detail": pool_check.details,
            })
    meta_table = pd.DataFrame(meta_rows, columns=_META_COLUMNS)
    report = BinaryEndpointReport(endpoint, tuple(estimates), tuple(selections), tuple(flags), tuple(contrasts),
                                  meta, pool_check, table, meta_table)
    return report, checks


_BINARY_COLUMNS = [
    "trial", "arm", "label", "endpoint", "criterion", "analysis", "x", "n", "pct_reported", "proportion", "ci_low",
    "ci_high", "src", "value_flag", "ref_minus_arm", "diff_ci_low", "diff_ci_high", "ratio_ref_over_arm",
    "ratio_ci_low", "ratio_ci_high", "fisher_p", "comparability", "comparability_detail",
]
_META_COLUMNS = [
    "endpoint", "measure", "method", "k", "arms", "proportion", "ci_low", "ci_high", "tau2", "i2_pct", "q", "q_df",
    "q_p", "chosen", "comparability", "comparability_detail",
]
_HR_COLUMNS = [
    "kind", "endpoint", "label", "trial", "arm", "comparator", "analysis", "hazard_ratio", "conf_low", "conf_high",
    "log_hr", "se", "p", "src", "value_flag", "comparability", "comparability_detail",
]


def _pick_hr(records: Sequence[HazardRatioRecord]) -> HazardRatioRecord:
    return sorted(records, key=lambda r: (r.analysis != "primary", records.index(r)))[0]


def _hr_report(
    registry: Registry,
    endpoint: str,
    arms: Sequence[tuple[Any, Any]],
    *,
    conf_level: float,
    thresholds: PopulationThresholds,
) -> tuple[HazardRatioReport, list[Comparability]]:
    wanted = (endpoint, "ttp") if endpoint == "pfs" else (endpoint,)
    rows, published, pub_flags, checks = [], [], [], []
    chosen: dict[tuple[str, str, str], tuple[Any, Any, HazardRatioRecord]] = {}
    for trial, arm in arms:
        for rec in arm.hazard_ratios:
            if rec.endpoint not in wanted or rec.value is None or rec.ci is None:
                continue
            label = f"{trial.id}: {arm.id} vs {rec.comparator} ({rec.endpoint}, {rec.analysis})"
            summary = HazardRatio.from_published(rec.value, rec.ci, conf_level=0.95, label=label)
            flag = "endpoint" if rec.endpoint != endpoint else ""
            detail = f"endpoint {rec.endpoint.upper()} reported, {endpoint.upper()} requested" if flag else ""
            published.append(summary)
            pub_flags.append(flag)
            rows.append({"kind": "published", "endpoint": rec.endpoint, "label": label, "trial": trial.id,
                         "arm": arm.id, "comparator": rec.comparator, "analysis": rec.analysis,
                         "hazard_ratio": summary.hazard_ratio, "conf_low": summary.conf_low,
                         "conf_high": summary.conf_high, "log_hr": summary.log_hr, "se": summary.se, "p": rec.p,
                         "src": "+".join(rec.provenance.src), "value_flag": rec.provenance.flag,
                         "comparability": flag, "comparability_detail": detail})
            key = (trial.id, arm.id, rec.comparator)
            if key not in chosen or _pick_hr([chosen[key][2], rec]) is rec:
                chosen[key] = (trial, arm, rec)
    indirect, ind_flags = [], []
    for (_ka, (ta, aa, ra)), (_kb, (tb, ab, rb)) in itertools.combinations(chosen.items(), 2):
        if ta.id == tb.id or ra.comparator != rb.comparator or aa.id == ab.id:
            continue
        label = f"{ta.id}:{aa.id} vs {tb.id}:{ab.id} via {ra.comparator} ({endpoint})"
        res = bucher(HazardRatio.from_published(ra.value, ra.ci, label=f"{ta.id}: {aa.id} vs {ra.comparator}"),
                     HazardRatio.from_published(rb.value, rb.ci, label=f"{tb.id}: {ab.id} vs {rb.comparator}"),
                     anchor=ra.comparator, conf_level=conf_level, label=label)
        check = check_comparability(ArmSelection(ta, aa, ra.endpoint, ra.criterion, ra.analysis),
                                    ArmSelection(tb, ab, rb.endpoint, rb.criterion, rb.analysis),
                                    thresholds=thresholds)
        # anchored through a shared comparator: the "unanchored" note does not apply
        kept = tuple(i for i in check.issues if i.kind != "unanchored")
        check = Comparability(label, kept)
        checks.append(check)
        indirect.append(res)
        ind_flags.append(check.flag)
        rows.append({"kind": "indirect (Bucher)", "endpoint": endpoint, "label": label, "trial": f"{ta.id}|{tb.id}",
                     "arm": f"{aa.id}|{ab.id}", "comparator": ra.comparator,
                     "analysis": f"{ra.analysis}|{rb.analysis}", "hazard_ratio": res.hazard_ratio,
                     "conf_low": res.conf_low, "conf_high": res.conf_high, "log_hr": res.log_hr, "se": res.se,
                     "p": f"{res.p_value:.3g}", "src": "+".join(ra.provenance.src + rb.provenance.src),
                     "value_flag": _weakest(ra.provenance.flag, rb.provenance.flag),
                     "comparability": check.flag, "comparability_detail": check.details})
    table = pd.DataFrame(rows, columns=_HR_COLUMNS)
    report = HazardRatioReport(endpoint, tuple(published), tuple(pub_flags), tuple(indirect), tuple(ind_flags), table)
    return report, checks


_FLAG_RANK = ("confirmed", "derived", "seed-only", "conflict", "unverified", "nf")


def _weakest(*flags: str) -> str:
    return max(flags, key=lambda f: _FLAG_RANK.index(f) if f in _FLAG_RANK else len(_FLAG_RANK))


def build_comparison(
    registry: Registry,
    *,
    endpoints: Sequence[str] = ENDPOINTS,
    reference: str | None = None,
    arms: Sequence[str] | None = None,
    pool: Sequence[str] | None = None,
    pool_class: str | None = None,
    criterion: str = "mRECIST",
    measure: str = "PLO",
    method: str = "REML",
    conf_level: float = 0.95,
    thresholds: PopulationThresholds | None = None,
    on_mismatch: str = "flag",
    ipd: Mapping[tuple[str, str, str], tuple[Any, Any]] | None = None,
    landmarks: Sequence[float] = (6.0, 12.0, 24.0),
) -> ComparisonReport:
    """Build every comparison table for a registry.

    Parameters
    ----------
    registry : Registry
    endpoints : sequence of {"orr", "dcr", "pfs", "os"}, optional
        Default all four.
    reference : str, optional
        ``"trial:arm"`` that every other arm is contrasted with (binary endpoints; IPD survival).
    arms : sequence of str, optional
        ``"trial:arm"`` keys to include (default every arm).
    pool : sequence of str, optional
        Arms pooled by the meta-analysis. Default: the arms of ``pool_class``, else those sharing the
        reference arm's ``treatment_class``, else none (:func:`compare.indirect.pooling.choose_pool`).
    pool_class : str, optional
        Treatment class (registry field ``treatment_class``) whose arms are pooled.
    criterion : {"mRECIST", "RECIST 1.1", "RECIST 1.0", "unknown"}, default "mRECIST"
        Preferred response criterion; arms without it use what they have and are flagged.
    measure : {"PLO", "PFT"}, default "PLO"
        Scale of the pooled estimate drawn in the forest plot (all four fits are tabled).
    method : {"DL", "REML"}, default "REML"
    conf_level : float, default 0.95
    thresholds : PopulationThresholds, optional
    on_mismatch : {"flag", "refuse"}, default "flag"
    ipd : mapping of (trial, arm, endpoint) to (time, event), optional
        IPD arrays for survival from IPD (:mod:`compare.indirect.survival_comparison`).
    landmarks : sequence of float, optional
        Landmark times (registry time unit) for IPD survival rates.

    Returns
    -------
    ComparisonReport

    Raises
    ------
    InputError
        For unknown endpoints/arms, a reference without counts, or unlike contrasts with
        ``on_mismatch="refuse"``.

    Warns
    -----
    ComparisonWarning
        Once, when any contrast is unlike and ``on_mismatch="flag"``.
    """
    bad = [e for e in endpoints if e not in ENDPOINTS]
    if bad or not endpoints:
        raise InputError(f"endpoints must be among {', '.join(ENDPOINTS)}, got {list(endpoints)!r}")
    if criterion not in ("mRECIST", "RECIST 1.1", "RECIST 1.0", "unknown"):
        raise InputError(f"criterion must be mRECIST, RECIST 1.1, RECIST 1.0 or unknown, got {criterion!r}")
    thresholds = thresholds or PopulationThresholds()
    selected = [parse_arm_key(registry, k) for k in arms] if arms else list(registry.iter_arms())
    ref = parse_arm_key(registry, reference) if reference else None
    if ref is not None and all(a.id != ref[1].id or t.id != ref[0].id for t, a in selected):
        selected.insert(0, ref)
    choice = choose_pool(selected, pool=[parse_arm_key(registry, k) for k in pool] if pool else None,
                         pool_class=pool_class, reference=ref)
    pooled = [parse_arm_key(registry, k) for k in choice.keys]
    binary, hrs, checks = [], [], []
    for endpoint in endpoints:
        if endpoint in BINARY:
            rep, found = _binary_report(registry, endpoint, selected, ref, pooled, criterion=criterion,
                                        measure=measure, method=method, conf_level=conf_level, thresholds=thresholds)
            binary.append(rep)
        else:
            rep, found = _hr_report(registry, endpoint, selected, conf_level=conf_level, thresholds=thresholds)
            hrs.append(rep)
        checks.extend(found)
    survival: list[Any] = []
    if ipd:
        from compare.indirect.survival_comparison import survival_reports

        survival, found = survival_reports(registry, ipd, endpoints=[e for e in endpoints if e in SURVIVAL],
                                           reference=ref, conf_level=conf_level, thresholds=thresholds,
                                           landmarks=landmarks, pool=choice.keys)
        checks.extend(found)
    enforce(checks, on_mismatch=on_mismatch, stacklevel=2)
    parameters = {"endpoints": list(endpoints), "reference": reference, "arms": list(arms) if arms else None,
                  "pool": list(choice.keys), "pool_rule": choice.rule, "pool_class": choice.treatment_class,
                  "pool_note": choice.note, "criterion": criterion, "measure": measure, "method": method,
                  "conf_level": conf_level, "thresholds": {"bclc_c": thresholds.bclc_c, "pvtt": thresholds.pvtt},
                  "on_mismatch": on_mismatch, "landmarks": list(landmarks), "time_unit": registry.time_unit}
    return ComparisonReport(tuple(binary), tuple(hrs), tuple(survival), tuple(checks), MappingProxyType(parameters))


def _cell(value: Any, digits: int) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        tiny_or_huge = abs(value) >= 1e4 or (value != 0 and abs(value) < 1e-3)
        return f"{value:.{digits}g}" if tiny_or_huge else f"{value:.{digits}f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def frame_to_markdown(frame: pd.DataFrame, *, digits: int = 3) -> str:
    """Render a DataFrame as a GitHub Markdown table (NaN and None as empty cells).

    Parameters
    ----------
    frame : DataFrame
    digits : int, default 3
        Decimals of float cells.

    Returns
    -------
    str
        Header, separator and one line per row, ending with a newline.
    """
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    sep = "|" + "|".join("---" for _ in frame.columns) + "|"
    lines = [header, sep]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v, digits) for v in row) + " |")
    return "\n".join(lines) + "\n"
