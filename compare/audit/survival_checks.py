"""Audit checks on medians, their CIs and landmark rates (Kaplan-Meier quantities).

Brookmeyer-Crowley bound
------------------------
Under Brookmeyer and Crowley (1982), as in R ``survival::quantile.survfit``, a time belongs to
the CI of the median when the pointwise CI of S(t) covers 0.5: the lower limit is the first time
the lower band drops to 0.5, the upper limit the first time the upper band does (bands taken as
non-increasing). Greenwood's variance of S(t) is never smaller than the binomial ``S(1-S)/n``
(the no-censoring value, with ``n`` patients at the start): censoring only shrinks the risk sets.
So from a published rate ``S(t)`` and the arm's ``n`` the narrowest possible pointwise CI follows,
and with it two certainties:

* if even the narrowest CI has its upper limit above 0.5, the upper band is above 0.5 at ``t``
  and the upper limit of the median CI must be later than ``t``;
* if even the narrowest CI has its lower limit at or below 0.5, the lower band is at or below 0.5
  at ``t`` and the lower limit of the median CI must be ``t`` or earlier.

The printed rate is moved by half a unit of its last decimal in the direction that weakens each
statement, and the pointwise CI transform is the stated one or, by default, each of plain, log
and log-log (R ``conf.type``), an incompatibility being reported only when all agree.

References
----------
1. Brookmeyer R, Crowley J. A confidence interval for the median survival time. Biometrics 1982;38:29-41.
2. Greenwood M. The natural duration of cancer. Rep Public Health Med Subj 1926;33:1-26.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

from compare.audit.types import AuditFinding, AuditOptions, fmt, half_unit
from compare.survival.km import pointwise_conf_int
from compare.registry.loader import Arm, LandmarkRecord, MedianRecord, Trial

__all__ = [
    "narrowest_survival_ci",
    "check_median_cis",
    "check_median_vs_landmarks",
    "check_landmarks_monotone",
    "check_endpoint_ordering",
]

# Endpoints whose KM starts with the whole arm (n patients at risk at time 0).
_WHOLE_ARM = ("os", "pfs", "ttp", "liver_pfs")
# Method names whose CI is symmetric by construction (median +/- z SE).
_SYMMETRIC_METHODS = ("wald", "normal", "se", "symmetric", "median +/- 1.96 se")


def narrowest_survival_ci(
    survival: float, n: int, *, conf_level: float = 0.95, transform: str = "plain"
) -> tuple[float, float]:
    """Narrowest pointwise CI of S(t) any censoring pattern allows: Greenwood variance at its binomial minimum.

    Parameters
    ----------
    survival : float
        S(t), a proportion in (0, 1).
    n : int
        Patients at risk at time 0.
    conf_level : float, default 0.95
    transform : {"plain", "log", "log-log"}
        As R ``survfit(conf.type = ...)``.

    Returns
    -------
    tuple of float
        (lower, upper) as proportions.

    Examples
    --------
    >>> lo, hi = narrowest_survival_ci(0.403, 25)
    >>> round(lo, 3), round(hi, 3)
    (0.211, 0.595)
    """
    s = np.array([survival], dtype=float)
    se_log = np.sqrt((1.0 - s) / (n * s))  # se(log S) = sqrt(var S) / S with var S = S(1-S)/n
    lower, upper = pointwise_conf_int(s, se_log, conf_level=conf_level, conf_type=transform)
    return float(lower[0]), float(upper[0])


def _subject(r: MedianRecord | LandmarkRecord, what: str) -> str:
    crit = f" ({r.criterion})" if r.criterion else ""
    extra = "" if r.analysis == "primary" else f" [analysis {r.analysis}]"
    return f"{r.endpoint} {what}{crit}{extra}"


def _stated_median_method(r: MedianRecord, trial: Trial) -> str | None:
    return r.ci_method or trial.design.methods.get("median_ci")


def check_median_cis(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """A median CI that excludes its estimate; a CI suspiciously symmetric about the median.

    ``median-ci-excludes-estimate`` (error), also for alternative printings of the same median.
    ``median-ci-symmetric`` (warning, or note when no method is stated): ``upper - median`` and
    ``median - lower`` agree within the rounding of three printed numbers (``2 * 10**-d``), which
    is what ``median +/- 1.96 SE`` produces; a Brookmeyer-Crowley CI is built from event times
    and is rarely symmetric. Skipped when the stated method is itself symmetric (e.g. "wald").
    """
    findings: list[AuditFinding] = []
    z = float(norm.ppf(1 - (1 - options.conf_level) / 2))
    for r in arm.medians:
        printings = [(r.value, r.ci, None)] + [(a.value, a.ci, a.where or ", ".join(a.src))
                                                for a in r.provenance.alternatives]
        for value, ci, where in printings:
            if value is None or ci is None:
                continue
            lo, hi = ci
            d = options.t_decimals(value, *(b for b in ci if b is not None))
            h = half_unit(d)
            if (lo is not None and value < lo - h) or (hi is not None and value > hi + h):
                findings.append(AuditFinding(
                    "median-ci-excludes-estimate", "error", trial.id, arm.id, _subject(r, "median"),
                    f"median {fmt(value, d)} lies outside its CI {fmt(lo, d)}-{fmt(hi, d)}"
                    + (f" (as printed in {where})" if where else ""),
                    {"median": value, "ci": [lo, hi], "where": where},
                ))
        if r.value is None or r.ci is None or None in r.ci:
            continue
        lo, hi = r.ci
        d = options.t_decimals(r.value, lo, hi)
        stated = _stated_median_method(r, trial)
        if stated is not None and stated.strip().lower() in _SYMMETRIC_METHODS:
            continue
        asymmetry = (hi - r.value) - (r.value - lo)
        tolerance = 2.0 * 10.0 ** (-d) + 1e-9
        if hi - lo < 10 * tolerance or abs(asymmetry) > tolerance or not lo <= r.value <= hi:
            continue
        severity = "note" if stated is None else "warning"
        findings.append(AuditFinding(
            "median-ci-symmetric", severity, trial.id, arm.id, _subject(r, "median"),
            f"CI {fmt(lo, d)}-{fmt(hi, d)} is symmetric about the median {fmt(r.value, d)} "
            f"(+{hi - r.value:.{d}f} / -{r.value - lo:.{d}f}), as median +/- {z:.2f} x SE "
            f"(SE = {(hi - lo) / (2 * z):.{d + 1}f}) would be"
            + (f"; the stated method is {stated}" if stated else ""),
            {"median": r.value, "ci": [lo, hi], "asymmetry": asymmetry, "tolerance": tolerance,
             "implied_se": (hi - lo) / (2 * z), "stated_method": stated},
        ))
    return findings


def _landmarks_for(arm: Arm, r: MedianRecord) -> list[LandmarkRecord]:
    return [m for m in arm.landmarks if m.endpoint == r.endpoint and m.criterion == r.criterion
            and m.analysis == r.analysis and m.pct is not None]


def _transforms(trial: Trial, options: AuditOptions) -> tuple[str, ...]:
    """The ``audit:`` transform, else the trial's stated ``methods.survival_ci`` when it names one, else all."""
    if options.survival_ci_transform != "any":
        return options.transforms()
    stated = str(trial.design.methods.get("survival_ci", "")).strip().lower().replace("_", "-")
    stated = {"linear": "plain", "loglog": "log-log", "log log": "log-log"}.get(stated, stated)
    return (stated,) if stated in ("plain", "log", "log-log") else options.transforms()


def _forced(s_pct: float, h: float, n: int, options: AuditOptions,
            transforms: tuple[str, ...]) -> tuple[bool, bool, dict]:
    """Whether t must be before the CI's upper limit / at or after its lower limit, for every transform."""
    s_low = min(max((s_pct - h) / 100.0, 1e-9), 1 - 1e-9)
    s_high = min(max((s_pct + h) / 100.0, 1e-9), 1 - 1e-9)
    upper_forced, lower_forced, bands = True, True, {}
    for transform in transforms:
        hi = narrowest_survival_ci(s_low, n, conf_level=options.conf_level, transform=transform)[1]
        lo = narrowest_survival_ci(s_high, n, conf_level=options.conf_level, transform=transform)[0]
        bands[transform] = [lo, hi]
        upper_forced &= bool(hi > 0.5)
        lower_forced &= bool(lo <= 0.5)
    return upper_forced, lower_forced, bands


def check_median_vs_landmarks(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """Medians and their CIs against the landmark rates of the same endpoint, criterion and analysis.

    ``median-landmark-incompatible`` (error): S(t) above 50% needs a median later than ``t``;
    below 50% (or a median not reached) one at or before ``t``.
    ``median-ci-landmark-incompatible`` (error): the Brookmeyer-Crowley bound of the module
    docstring, using the arm's ``n``; only for endpoints counted from time 0 for the whole arm
    (os, pfs, ttp, liver_pfs). The transform is ``audit.survival_ci_transform``, else the trial's
    ``design.methods.survival_ci`` when it is plain, log or log-log, else all three.
    """
    findings: list[AuditFinding] = []
    n = arm.n.value
    transforms = _transforms(trial, options)
    for r in arm.medians:
        for m in _landmarks_for(arm, r):
            h = half_unit(options.pct_decimals(m.pct))
            ht = half_unit(options.t_decimals(*(v for v in (r.value, m.time) if v is not None)))
            if r.value is None:
                if m.pct < 50.0 - h:
                    findings.append(AuditFinding(
                        "median-landmark-incompatible", "error", trial.id, arm.id, _subject(r, "median"),
                        f"median reported as not reached, but S({m.time:g}) = {m.pct:g}% is below 50%",
                        {"median": None, "time": m.time, "rate_pct": m.pct}))
                continue
            if (m.pct > 50.0 + h and r.value + ht < m.time) or (m.pct < 50.0 - h and r.value - ht > m.time):
                findings.append(AuditFinding(
                    "median-landmark-incompatible", "error", trial.id, arm.id, _subject(r, "median"),
                    f"median {r.value:g} is incompatible with S({m.time:g}) = {m.pct:g}%: the median must be "
                    + ("later" if m.pct > 50 else "no later") + f" than {m.time:g}",
                    {"median": r.value, "time": m.time, "rate_pct": m.pct}))
            if r.ci is None or n is None or r.endpoint not in _WHOLE_ARM:
                continue
            lo, hi = r.ci
            upper_forced, lower_forced, bands = _forced(m.pct, h, n, options, transforms)
            problems = []
            if upper_forced and hi is not None and hi + ht < m.time:
                problems.append(f"the upper limit must be later than {m.time:g}, got {hi:g}")
            if lower_forced and lo is not None and lo - ht > m.time:
                problems.append(f"the lower limit must be {m.time:g} or earlier, got {lo:g}")
            if problems:
                band_text = "; ".join(f"{k}: {100 * v[0]:.1f}-{100 * v[1]:.1f}%" for k, v in bands.items())
                findings.append(AuditFinding(
                    "median-ci-landmark-incompatible", "error", trial.id, arm.id, _subject(r, "median"),
                    f"CI {lo:g}-{hi:g} is incompatible with S({m.time:g}) = {m.pct:g}% in {n} patients: even "
                    f"without censoring the pointwise {100 * options.conf_level:g}% CI of S({m.time:g}) "
                    f"({band_text}) " + ("covers" if upper_forced and lower_forced else "reaches past")
                    + " 50%, so under Brookmeyer-Crowley " + " and ".join(problems),
                    {"median": r.value, "ci": [lo, hi], "time": m.time, "rate_pct": m.pct, "n": n,
                     "narrowest_pointwise_ci": bands, "transforms": list(transforms)},
                ))
    return findings


def check_landmarks_monotone(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """Landmark rates of one endpoint (criterion, analysis) that increase with time.

    A Kaplan-Meier curve never rises, so a later rate above an earlier one beyond the two
    printings' rounding is impossible. ``landmark-increasing`` (error).
    """
    findings: list[AuditFinding] = []
    keys = {(m.endpoint, m.criterion, m.analysis) for m in arm.landmarks}
    for key in sorted(keys, key=str):
        series = sorted((m for m in arm.landmarks
                         if (m.endpoint, m.criterion, m.analysis) == key and m.pct is not None),
                        key=lambda m: m.time)
        for a, b in zip(series, series[1:], strict=False):
            tol = half_unit(options.pct_decimals(a.pct)) + half_unit(options.pct_decimals(b.pct))
            if b.time > a.time and b.pct - a.pct > tol:
                findings.append(AuditFinding(
                    "landmark-increasing", "error", trial.id, arm.id, _subject(a, "rates"),
                    f"rate rises from {a.pct:g}% at {a.time:g} to {b.pct:g}% at {b.time:g}; "
                    "a Kaplan-Meier curve cannot increase",
                    {"times": [a.time, b.time], "rates_pct": [a.pct, b.pct]}))
    return findings


# (larger, smaller, reason): events of `smaller` include those of `larger`, so S_larger(t) >= S_smaller(t).
_ORDERINGS = (
    ("os", "pfs", "every death is a PFS event"),
    ("liver_pfs", "pfs", "liver-specific events are a subset of PFS events"),
    ("ttp", "pfs", "TTP counts progressions only, PFS also deaths"),
)


def _compatible_criterion(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def check_endpoint_ordering(trial: Trial, arm: Arm, options: AuditOptions) -> list[AuditFinding]:
    """Sub-endpoint rates and medians against the endpoint that contains their events.

    OS >= PFS, liver-specific PFS >= PFS and TTP >= PFS at every time (and for medians), compared
    within the printed rounding. ``endpoint-ordering`` (warning: Kaplan-Meier estimates under
    heavy or differential censoring can cross, so this is implausible rather than impossible).
    """
    findings: list[AuditFinding] = []
    for big, small, reason in _ORDERINGS:
        for a in (m for m in arm.landmarks if m.endpoint == big and m.pct is not None):
            for b in (m for m in arm.landmarks if m.endpoint == small and m.pct is not None):
                if a.time != b.time or a.analysis != b.analysis or not _compatible_criterion(a.criterion, b.criterion):
                    continue
                tol = half_unit(options.pct_decimals(a.pct)) + half_unit(options.pct_decimals(b.pct))
                if a.pct + tol < b.pct:
                    findings.append(AuditFinding(
                        "endpoint-ordering", "warning", trial.id, arm.id, _subject(a, f"rate at {a.time:g}"),
                        f"{big} rate {a.pct:g}% is below the {small} rate {b.pct:g}% at {a.time:g}, "
                        f"though {reason}",
                        {"larger_endpoint": big, "smaller_endpoint": small, "time": a.time,
                         "rates_pct": [a.pct, b.pct]}))
        for a in (m for m in arm.medians if m.endpoint == big and m.value is not None):
            for b in (m for m in arm.medians if m.endpoint == small and m.value is not None):
                if a.analysis != b.analysis or not _compatible_criterion(a.criterion, b.criterion):
                    continue
                tol = 2 * half_unit(options.t_decimals(a.value, b.value))
                if a.value + tol < b.value and not math.isclose(a.value, b.value):
                    findings.append(AuditFinding(
                        "endpoint-ordering", "warning", trial.id, arm.id, _subject(a, "median"),
                        f"{big} median {a.value:g} is shorter than the {small} median {b.value:g}, though {reason}",
                        {"larger_endpoint": big, "smaller_endpoint": small, "medians": [a.value, b.value]}))
    return findings
