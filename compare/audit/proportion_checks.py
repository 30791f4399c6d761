"""Audit checks on proportions: counts vs percentages, CI methods, sums of parts, subgroups, conflicts.

Every check is a pure function ``check_*(trial, arm, options) -> list[AuditFinding]``; clean
inputs give an empty list. Percentages are compared at their printed rounding: a value printed
with ``d`` decimals may be off by half a unit of the last decimal, ``0.5 * 10**-d``.
"""

from __future__ import annotations

from itertools import product

from compare.audit.types import AuditFinding, AuditOptions, ExtraProportion, fmt, half_unit
from compare.response.proportion_ci import counts_for_percentage, match_ci_methods, normalise_method
from compare.registry.loader import Arm, BinaryRecord, Trial
from reconstruct.errors import InputError

__all__ = [
    "check_counts_and_percentages",
    "check_proportion_cis",
    "check_response_sums",
    "check_subgroups",
    "check_conflicts",
    "check_extra_proportions",
]

_METHOD_LABEL = {
    "clopper-pearson": "Clopper-Pearson",
    "wald": "Wald",
    "wald-cc": "continuity-corrected Wald",
    "wilson": "Wilson",
    "wilson-cc": "continuity-corrected Wilson",
    "agresti-coull": "Agresti-Coull",
    "jeffreys": "Jeffreys",
    "mid-p": "mid-p",
}


def binary_subject(r: BinaryRecord) -> str:
    """Human name of a binary record, e.g. ``"orr (mRECIST, subgroup high_risk)"``."""
    extras = [r.criterion] + ([f"subgroup {r.subgroup}"] if r.subgroup else [])
    extras += [] if r.analysis == "primary" else [f"analysis {r.analysis}"]
    return f"{r.endpoint} ({', '.join(extras)})"


def _count_pct_finding(trial: Trial, arm_id: str, subject: str, x: int | None, n: int | None,
                       pct: float | None, options: AuditOptions) -> list[AuditFinding]:
    """Recompute x/n against the printed percentage; or, without x, find whether any k/n prints as pct."""
    if n is None or pct is None:
        return []
    d = options.pct_decimals(pct)
    fitting = counts_for_percentage(pct, n, decimals=d)
    if x is not None:
        recomputed = 100.0 * x / n
        if abs(recomputed - pct) <= half_unit(d):
            return []
        return [AuditFinding(
            "count-percentage-mismatch", "error", trial.id, arm_id, subject,
            f"{x}/{n} = {recomputed:.{d + 1}f}% does not round to the reported {fmt(pct, d)}%"
            + (f"; {fmt(pct, d)}% fits {' or '.join(f'{k}/{n}' for k in fitting)}" if fitting
               else f"; no count of {n} rounds to {fmt(pct, d)}%"),
            {"x": x, "n": n, "recomputed_pct": recomputed, "reported_pct": pct, "decimals": d,
             "counts_fitting_pct": list(fitting)},
        )]
    if fitting:
        return []
    nearest = sorted(range(n + 1), key=lambda k: abs(100.0 * k / n - pct))[:2]
    return [AuditFinding(
        "percentage-impossible", "error", trial.id, arm_id, subject,
        f"no count k/{n} rounds to the reported {fmt(pct, d)}% (nearest: "
        + ", ".join(f"{k}/{n} = {100.0 * k / n:.{d + 1}f}%" for k in nearest) + ")",
        {"n": n, "reported_pct": pct, "decimals": d, "nearest_counts": nearest},
    )]


def check_counts_and_percentages(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """Binary endpoints and population shares: recompute x/n against pct; impossible percentages.

    Also flags a denominator larger than the arm's n (``denominator-exceeds-n``, error).
    """
    findings: list[AuditFinding] = []
    for r in arm.binary:
        findings += _count_pct_finding(trial, arm.id, binary_subject(r), r.x, r.n, r.pct, options)
        if r.n is not None and arm.n.value is not None and r.n > arm.n.value:
            findings.append(AuditFinding(
                "denominator-exceeds-n", "error", trial.id, arm.id, binary_subject(r),
                f"denominator {r.n} exceeds the arm's {arm.n.value} patients",
                {"n_record": r.n, "n_arm": arm.n.value},
            ))
    for share in arm.population:
        findings += _count_pct_finding(trial, arm.id, f"population {share.descriptor}", share.x, share.n,
                                       share.pct, options)
    return findings


def _stated_method(r: BinaryRecord, trial: Trial) -> str | None:
    return r.ci_method or trial.design.methods.get("proportion_ci")


def check_proportion_cis(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """Which CI methods reproduce each reported CI of x/n at its printed rounding.

    ``ci-method-mismatch`` (error): the stated method (the record's ``ci_method``, else the trial's
    ``design.methods.proportion_ci``) does not reproduce it. ``ci-method-identified`` (note) /
    ``ci-method-unidentified`` (warning): no method stated, and some / none reproduces it.
    ``ci-excludes-estimate`` (error): the printed percentage lies outside its CI.
    """
    findings: list[AuditFinding] = []
    for r in arm.binary:
        if r.ci_pct is None:
            continue
        lo, hi = r.ci_pct
        d = options.pct_decimals(lo, hi, r.pct)
        subject = binary_subject(r)
        estimate = r.pct if r.pct is not None else (None if r.proportion is None else 100.0 * r.proportion)
        if estimate is not None and not lo - half_unit(d) <= estimate <= hi + half_unit(d):
            findings.append(AuditFinding(
                "ci-excludes-estimate", "error", trial.id, arm.id, subject,
                f"the {fmt(estimate, d)}% estimate lies outside its reported CI {fmt(lo, d)}-{fmt(hi, d)}%",
                {"estimate_pct": estimate, "ci_pct": [lo, hi]},
            ))
        if not r.has_counts:
            continue
        match = match_ci_methods(r.x, r.n, lo, hi, decimals=d, conf_level=options.conf_level)
        stated_raw = _stated_method(r, trial)
        numbers = {
            "x": r.x, "n": r.n, "reported_ci_pct": [lo, hi], "decimals": d, "stated_method": stated_raw,
            "matching_methods": list(match.matching), "nearest_method": match.nearest,
            "intervals_pct": {m: list(v) for m, v in match.intervals.items()},
            "max_abs_difference_pct": dict(match.distance),
        }
        reproduced = (
            "reproduced by " + ", ".join(_METHOD_LABEL[m] for m in match.matching) if match.matching
            else "reproduced by none of the " + str(len(match.intervals)) + " methods"
        )
        near = match.intervals[match.nearest]
        nearest_text = (f"nearest: {_METHOD_LABEL[match.nearest]} {near[0]:.{d + 1}f}-{near[1]:.{d + 1}f}%, "
                        f"off by {match.distance[match.nearest]:.{d + 1}f}")
        ci_text = f"reported CI {fmt(lo, d)}-{fmt(hi, d)}% for {r.x}/{r.n}"
        if stated_raw is None:
            if match.matching:
                findings.append(AuditFinding("ci-method-identified", "note", trial.id, arm.id, subject,
                                             f"{ci_text}: no method stated; {reproduced}", numbers))
            else:
                findings.append(AuditFinding("ci-method-unidentified", "warning", trial.id, arm.id, subject,
                                             f"{ci_text}: no method stated and {reproduced} ({nearest_text})",
                                             numbers))
            continue
        try:
            stated = normalise_method(stated_raw)
        except InputError:
            findings.append(AuditFinding(
                "ci-method-unknown", "note", trial.id, arm.id, subject,
                f"stated CI method {stated_raw!r} is not one the audit knows; {ci_text} is {reproduced}", numbers))
            continue
        if stated in match.matching:
            continue
        own = match.intervals[stated]
        findings.append(AuditFinding(
            "ci-method-mismatch", "error", trial.id, arm.id, subject,
            f"{ci_text} is not the stated {_METHOD_LABEL[stated]} interval ({own[0]:.{d + 1}f}-{own[1]:.{d + 1}f}%); "
            f"{reproduced}" + ("" if match.matching else f" ({nearest_text})"),
            numbers,
        ))
    return findings


def _value_and_tolerance(r: BinaryRecord, options: AuditOptions) -> tuple[float, float] | None:
    """Percentage of a record (exact from counts, else as printed) and its rounding tolerance."""
    if r.has_counts:
        return 100.0 * r.x / r.n, 1e-9
    if r.pct is None:
        return None
    return r.pct, half_unit(options.pct_decimals(r.pct))


_SUMS = (
    ("orr", ("cr", "pr"), "ORR = CR + PR"),
    ("dcr", ("cr", "pr", "sd"), "DCR = CR + PR + SD"),
    ("dcr", ("orr", "sd"), "DCR = ORR + SD"),
)


def check_response_sums(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """Sub-endpoints against the overall ones: ORR = CR + PR, DCR = ORR + SD, CR + PR + SD + PD <= 100%.

    Compared per (criterion, subgroup, analysis) as percentages, exactly from counts or within the
    printed rounding. ``response-sum-mismatch`` (error).
    """
    findings: list[AuditFinding] = []
    groups = {(r.criterion, r.subgroup, r.analysis) for r in arm.binary}
    for criterion, subgroup, analysis in sorted(groups, key=str):
        recs: dict[str, tuple[float, float]] = {}
        for r in arm.binary:
            if (r.criterion, r.subgroup, r.analysis) == (criterion, subgroup, analysis):
                vt = _value_and_tolerance(r, options)
                if vt is not None and r.endpoint not in recs:
                    recs[r.endpoint] = vt
        label = criterion + (f", subgroup {subgroup}" if subgroup else "")
        checked: set[str] = set()
        for total, parts, rule in _SUMS:
            if total in checked or total not in recs or not all(p in recs for p in parts):
                continue
            checked.add(total)
            value, tol = recs[total]
            parts_sum = sum(recs[p][0] for p in parts)
            tol += sum(recs[p][1] for p in parts)
            if abs(value - parts_sum) > tol:
                findings.append(AuditFinding(
                    "response-sum-mismatch", "error", trial.id, arm.id, f"{total} ({label})",
                    f"{rule} fails: {total.upper()} {value:.1f}% vs "
                    f"{' + '.join(p.upper() for p in parts)} = {parts_sum:.1f}%",
                    {"total": total, "total_pct": value, "parts": {p: recs[p][0] for p in parts},
                     "parts_sum_pct": parts_sum, "tolerance_pct": tol},
                ))
        best = ("cr", "pr", "sd", "pd")
        if all(p in recs for p in best):
            covered = sum(recs[p][0] for p in best)
            tol = sum(recs[p][1] for p in best)
            if covered > 100.0 + tol:
                findings.append(AuditFinding(
                    "response-sum-mismatch", "error", trial.id, arm.id, f"best response ({label})",
                    f"CR + PR + SD + PD = {covered:.1f}% exceeds 100%",
                    {"parts": {p: recs[p][0] for p in best}, "sum_pct": covered, "tolerance_pct": tol},
                ))
    return findings


def _count_candidates(x: int | None, n: int | None, pct: float | None, options: AuditOptions) -> tuple[int, ...]:
    if x is not None:
        return (x,)
    if n is None or pct is None:
        return ()
    return counts_for_percentage(pct, n, decimals=options.pct_decimals(pct))


def check_subgroups(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """Subgroup rates against the overall rate of the same endpoint, criterion and analysis.

    With ``a`` responders of ``m`` in the subgroup and ``b`` of ``n`` overall, possible only if
    ``a <= b``, ``m <= n`` and ``b - a <= n - m`` (the rest of the arm holds the other responders).
    Counts missing from the record come from the printed percentage (every count that rounds to
    it); the subgroup size may come from the arm's population share of the same name.
    ``subgroup-contradiction`` (error).
    """
    findings: list[AuditFinding] = []
    for r in arm.binary:
        if r.subgroup is None:
            continue
        overall = [o for o in arm.binary if o.subgroup is None and o.endpoint == r.endpoint
                   and o.criterion == r.criterion and o.analysis == r.analysis]
        if not overall:
            continue
        o = overall[0]
        m = r.n
        if m is None:
            share = next((s for s in arm.population if s.descriptor == r.subgroup), None)
            m = None if share is None else share.x
        n = o.n if o.n is not None else arm.n.value
        sub = _count_candidates(r.x, m, r.pct, options)
        tot = _count_candidates(o.x, n, o.pct, options)
        if m is None or n is None or not sub or not tot:
            continue
        possible = m <= n and any(a <= b and b - a <= n - m for a, b in product(sub, tot))
        if not possible:
            findings.append(AuditFinding(
                "subgroup-contradiction", "error", trial.id, arm.id, binary_subject(r),
                f"subgroup {r.subgroup}: {'/'.join(map(str, sub))} of {m} cannot sit inside the overall "
                f"{'/'.join(map(str, tot))} of {n} (the other {n - m} patients would need "
                f"{min(tot) - max(sub)} responders)",
                {"subgroup_counts": list(sub), "subgroup_n": m, "overall_counts": list(tot), "overall_n": n},
            ))
    return findings


def _alt_pairs(arm: Arm):
    """Yield (subject, main value, main ci, alternative) for every record with alternatives."""
    for r in arm.binary:
        for alt in r.provenance.alternatives:
            yield binary_subject(r), r.pct, r.ci_pct, alt, "%"
    for r in arm.medians:
        crit = f" ({r.criterion})" if r.criterion else ""
        for alt in r.provenance.alternatives:
            yield f"{r.endpoint} median{crit}", r.value, r.ci, alt, ""
    for r in arm.landmarks:
        crit = f" ({r.criterion})" if r.criterion else ""
        for alt in r.provenance.alternatives:
            yield f"{r.endpoint} rate at {r.time:g}{crit}", r.pct, r.ci_pct, alt, "%"


def check_conflicts(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """The same quantity printed with different values (or CIs) in different places.

    Uses the registry's ``alternatives`` of each record, and records that repeat the same key
    (endpoint, criterion, subgroup, analysis, and time for landmarks) with different values.
    ``value-conflict`` (warning).
    """
    findings: list[AuditFinding] = []
    for subject, value, ci, alt, unit in _alt_pairs(arm):
        differs_value = alt.value is not None and value is not None and alt.value != value
        differs_ci = alt.ci is not None and ci is not None and tuple(alt.ci) != tuple(ci)
        if not (differs_value or differs_ci):
            continue
        where = alt.where or ", ".join(alt.src)
        parts = []
        if differs_value:
            parts.append(f"{value:g}{unit} here vs {alt.value:g}{unit} in {where}")
        if differs_ci:
            parts.append(f"CI {ci[0]:g}-{ci[1]:g} here vs {alt.ci[0]:g}-{alt.ci[1]:g} in {where}")
        findings.append(AuditFinding(
            "value-conflict", "warning", trial.id, arm.id, subject, "reported differently: " + "; ".join(parts),
            {"value": value, "ci": None if ci is None else list(ci), "alternative_value": alt.value,
             "alternative_ci": None if alt.ci is None else list(alt.ci), "where": where},
        ))
    seen: dict[tuple, tuple[str, float | None]] = {}
    for r in arm.landmarks:
        key = ("landmark", r.endpoint, r.criterion, r.analysis, r.time)
        subject = f"{r.endpoint} rate at {r.time:g} ({r.criterion or 'no criterion'})"
        findings += _repeat(seen, key, subject, r.pct, trial, arm)
    for r in arm.medians:
        findings += _repeat(seen, ("median", r.endpoint, r.criterion, r.analysis),
                            f"{r.endpoint} median ({r.criterion or 'no criterion'})", r.value, trial, arm)
    for r in arm.binary:
        findings += _repeat(seen, ("binary", r.endpoint, r.criterion, r.subgroup, r.analysis), binary_subject(r),
                            r.pct if r.pct is not None else r.proportion, trial, arm)
    return findings


def _repeat(seen: dict, key: tuple, subject: str, value: float | None, trial: Trial, arm: Arm) -> list[AuditFinding]:
    if key not in seen:
        seen[key] = (subject, value)
        return []
    first = seen[key][1]
    if first == value:
        return []
    return [AuditFinding("value-conflict", "warning", trial.id, arm.id, subject,
                         f"recorded twice with different values: {first} and {value}",
                         {"values": [first, value]})]


def check_extra_proportions(trial: Trial, options: AuditOptions) -> list[AuditFinding]:
    """The ``audit.proportions`` rows (count/percentage checks) and ``audit.totals`` (parts add up).

    Trial-level: the findings name the trial's arm when it has one arm, else no arm.

    ``parts-sum-mismatch`` (error): the parts' counts (a missing count taken from its printed
    percentage) cannot add up to the total's.
    """
    findings: list[AuditFinding] = []
    arm_id = trial.arms[0].id if len(trial.arms) == 1 else ""
    rows: dict[str, ExtraProportion] = {p.id: p for p in options.proportions}
    for p in options.proportions:
        subject = p.label + (f" [{p.where}]" if p.where else "")
        findings += _count_pct_finding(trial, arm_id, subject, p.x, p.n, p.pct, options)
    for t in options.totals:
        total = rows[t.total]
        totals = _count_candidates(total.x, total.n, total.pct, options)
        parts = [_count_candidates(rows[q].x, rows[q].n, rows[q].pct, options) for q in t.parts]
        if not totals or not all(parts):
            continue
        sums = {sum(c) for c in product(*parts)}
        if sums & set(totals):
            continue
        findings.append(AuditFinding(
            "parts-sum-mismatch", "error", trial.id, arm_id, total.label + (f" [{t.where}]" if t.where else ""),
            f"{' + '.join(rows[q].label for q in t.parts)} = {'/'.join(map(str, sorted(sums)))}, "
            f"but the total is {'/'.join(map(str, totals))}",
            {"total_counts": list(totals), "parts": {q: list(c) for q, c in zip(t.parts, parts, strict=False)},
             "possible_sums": sorted(sums)},
        ))
    return findings
