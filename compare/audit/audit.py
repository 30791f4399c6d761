"""Audit of a paper's reported statistics: are the published numbers internally consistent?

Input
-----
A trial registry file in the format of :mod:`compare.registry.loader` (one trial, or several: each is
audited), plus an optional top-level ``audit:`` mapping read here (the registry loader knows
nothing of it; it is removed before the registry is validated). See
:func:`compare.audit.types.parse_audit_options` for its fields: decimals as printed, the pointwise
CI transform behind Brookmeyer-Crowley intervals, extra reported proportions (adverse-event or
baseline rows) and totals their parts must add up to.

Checks (id: severity)
---------------------
* ``count-percentage-mismatch``: error -- x/n does not round to the printed percentage.
* ``percentage-impossible``: error -- no k/n rounds to the printed percentage.
* ``denominator-exceeds-n``: error -- a denominator larger than the arm.
* ``ci-method-mismatch``: error -- the stated method does not reproduce a reported proportion CI
  at its rounding (the methods that do, or the nearest, are named); ``ci-method-identified`` (note)
  and ``ci-method-unidentified`` (warning) when no method is stated; ``ci-method-unknown`` (note).
* ``ci-excludes-estimate`` / ``median-ci-excludes-estimate``: error.
* ``median-ci-symmetric``: warning (note without a stated method) -- median +/- 1.96 SE pattern.
* ``median-landmark-incompatible``, ``median-ci-landmark-incompatible``: error -- medians and
  their CIs against landmark rates (Brookmeyer-Crowley bound, see :mod:`compare.audit.survival_checks`).
* ``landmark-increasing``: error.
* ``endpoint-ordering``: warning -- e.g. an OS rate below the PFS rate.
* ``response-sum-mismatch``: error -- ORR != CR + PR, DCR != ORR + SD, best responses > 100%.
* ``subgroup-contradiction``: error -- a subgroup count that cannot sit inside the overall one.
* ``parts-sum-mismatch``: error -- ``audit.totals``.
* ``value-conflict``: warning -- the same quantity printed with different values.
* ``simon-design-mismatch``, ``simon-stage1-decision``, ``simon-incomplete``: see
  :func:`compare.audit.design_checks.check_simon_design`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compare.audit.proportion_checks import (
    check_conflicts,
    check_counts_and_percentages,
    check_extra_proportions,
    check_proportion_cis,
    check_response_sums,
    check_subgroups,
)
from compare.audit.design_checks import check_simon_design
from compare.audit.survival_checks import (
    check_endpoint_ordering,
    check_landmarks_monotone,
    check_median_cis,
    check_median_vs_landmarks,
)
from compare.audit.types import SEVERITIES, AuditFinding, AuditOptions, parse_audit_options
from compare.registry.loader import Registry, parse_registry
from reconstruct.io import provenance, read_yaml, sha256_file
from reconstruct.errors import InputError

__all__ = ["AuditInput", "AuditReport", "ARM_CHECKS", "load_audit_input", "audit_registry", "audit_file"]

AUDIT_FORMAT_VERSION = 1

ARM_CHECKS = (
    check_counts_and_percentages,
    check_proportion_cis,
    check_response_sums,
    check_subgroups,
    check_conflicts,
    check_median_cis,
    check_median_vs_landmarks,
    check_landmarks_monotone,
    check_endpoint_ordering,
)


@dataclass(frozen=True)
class AuditInput:
    """A validated audit input: the registry and the ``audit:`` options."""

    registry: Registry
    options: AuditOptions
    path: Path | None = None
    sha256: str | None = None


def load_audit_input(path: str | os.PathLike[str]) -> AuditInput:
    """Read an audit input YAML: a registry document with an optional ``audit:`` mapping.

    Raises
    ------
    InputError
        For a missing/unreadable file, invalid YAML, an invalid registry or ``audit:`` entry.
    """
    src = os.fspath(path)
    data = read_yaml(src, what="audit input YAML file")
    if not isinstance(data, Mapping):
        raise InputError(f"expected a YAML mapping at the top level, got {type(data).__name__}", source=src)
    data = dict(data)
    options = parse_audit_options(data.pop("audit", None), source=src)
    registry = parse_registry(data, source=src, base_dir=Path(src).resolve().parent)
    if options.trial is not None:
        registry.trial(options.trial)  # raises InputError naming the known ids
    _check_proportions_trial(registry, options, src)
    return AuditInput(registry, options, Path(src), sha256_file(src))


def _check_proportions_trial(registry: Registry, options: AuditOptions, source: str) -> None:
    """audit.proportions/totals belong to one trial: audit.trial must name it when the file holds several."""
    if options.trial is None and (options.proportions or options.totals) and len(registry.trials) > 1:
        ids = ", ".join(t.id for t in registry.trials)
        raise InputError(f"field 'audit.trial': expected the id of the trial that audit.proportions and "
                         f"audit.totals belong to, since the file holds {len(registry.trials)} trials ({ids}); "
                         "got none", source=source)


@dataclass(frozen=True)
class AuditReport:
    """All findings of an audit.

    Attributes
    ----------
    trials : tuple of str
        Trial ids audited.
    findings : tuple of AuditFinding
        In check order, per trial and arm.
    checks : tuple of str
        Names of the check functions run.
    source : str or None
        The input file.
    provenance : mapping
        :func:`reconstruct.io.provenance` record (inputs with hashes, parameters, command).
    """

    trials: tuple[str, ...]
    findings: tuple[AuditFinding, ...]
    checks: tuple[str, ...]
    source: str | None
    provenance: Mapping[str, Any]

    def counts(self) -> dict[str, int]:
        """Number of findings per severity (every severity present, zeros included)."""
        tally = Counter(f.severity for f in self.findings)
        return {s: tally.get(s, 0) for s in SEVERITIES}

    def by_id(self, finding_id: str) -> tuple[AuditFinding, ...]:
        """Findings of one check id."""
        return tuple(f for f in self.findings if f.id == finding_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: version, provenance, counts and findings."""
        return {
            "audit_format_version": AUDIT_FORMAT_VERSION,
            "trials": list(self.trials),
            "counts": self.counts(),
            "checks": list(self.checks),
            "findings": [f.to_dict() for f in self.findings],
            "provenance": dict(self.provenance),
        }

    def to_markdown(self) -> str:
        """The Markdown report: a summary line, then findings grouped by severity."""
        counts = self.counts()
        lines = [
            f"# Audit of reported statistics: {', '.join(self.trials)}",
            "",
            f"Input: `{self.source}`" if self.source else "Input: (in memory)",
            "",
            f"**{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes** "
            f"from {len(self.checks)} checks.",
            "",
        ]
        if not self.findings:
            lines += ["No findings: the reported numbers are consistent under every check.", ""]
        for severity in SEVERITIES:
            group = [f for f in self.findings if f.severity == severity]
            if not group:
                continue
            lines += [f"## {severity.capitalize()}s ({len(group)})", "", "| check | where | finding |", "|---|---|---|"]
            for f in group:
                where = "/".join(p for p in (f.trial, f.arm) if p) + f": {f.subject}"
                lines.append(f"| `{f.id}` | {_md(where)} | {_md(f.message)} |")
            lines.append("")
        lines += ["The numbers behind each finding are in the JSON report.", ""]
        return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def audit_registry(audit_input: AuditInput, *, command: str = "compare.audit_registry") -> AuditReport:
    """Run every check on every trial (or the one named in ``audit.trial``) of an audit input.

    Parameters
    ----------
    audit_input : AuditInput
        From :func:`load_audit_input`, or built from a parsed registry and options.
    command : str, optional
        Recorded in the provenance.

    Returns
    -------
    AuditReport
    """
    options = audit_input.options
    _check_proportions_trial(audit_input.registry, options,
                             "<audit>" if audit_input.path is None else os.fspath(audit_input.path))
    trials = [t for t in audit_input.registry.trials if options.trial is None or t.id == options.trial]
    findings: list[AuditFinding] = []
    for trial in trials:
        findings += check_simon_design(trial, options)
        for arm in trial.arms:
            for check in ARM_CHECKS:
                findings += check(trial, arm, options)
        findings += check_extra_proportions(trial, options)  # one trial when there are proportions (checked above)
    checks = ("check_simon_design",) + tuple(c.__name__ for c in ARM_CHECKS) + ("check_extra_proportions",)
    record = provenance(
        inputs={"audit_input": audit_input.path},
        parameters={
            "trial": options.trial,
            "percent_decimals": options.percent_decimals,
            "time_decimals": options.time_decimals,
            "survival_ci_transform": options.survival_ci_transform,
            "conf_level": options.conf_level,
        },
        command=command,
    )
    return AuditReport(
        trials=tuple(t.id for t in trials),
        findings=tuple(findings),
        checks=checks,
        source=None if audit_input.path is None else os.fspath(audit_input.path),
        provenance=record,
    )


def audit_file(path: str | os.PathLike[str], *, command: str = "compare.audit_file") -> AuditReport:
    """Load an audit input YAML and audit it (:func:`load_audit_input` then :func:`audit_registry`)."""
    return audit_registry(load_audit_input(path), command=command)
