"""Data types of the audit: findings, the optional ``audit:`` section of the input, and shared helpers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compare.response.proportion_ci import decimals_of
from reconstruct.validation import check_probability
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = ["SEVERITIES", "AuditFinding", "ExtraProportion", "PartsTotal", "AuditOptions", "parse_audit_options"]

SEVERITIES = ("error", "warning", "note")
SURVIVAL_CI_TRANSFORMS = ("plain", "log", "log-log")


@dataclass(frozen=True)
class AuditFinding(TableResult):
    """One problem found in the reported numbers.

    Attributes
    ----------
    id : str
        The check that fired, e.g. ``"ci-method-mismatch"`` (listed in the :mod:`compare.audit.audit` docstring).
    severity : str
        ``"error"`` (the numbers cannot all be right), ``"warning"`` (likely wrong or inconsistent
        with the stated method) or ``"note"`` (worth knowing; not an inconsistency).
    trial, arm : str
        Where the numbers belong (``arm`` is ``""`` for trial-level findings such as the design).
    subject : str
        The quantity, e.g. ``"orr (mRECIST)"`` or ``"os median"``.
    message : str
        One or two sentences with the numbers.
    numbers : mapping
        The numbers behind the finding (JSON-serialisable).
    """

    id: str
    severity: str
    trial: str
    arm: str
    subject: str
    message: str
    numbers: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise InputError(f"severity must be one of {', '.join(SEVERITIES)}, got {self.severity!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, as written to the JSON report."""
        return {
            "id": self.id,
            "severity": self.severity,
            "trial": self.trial,
            "arm": self.arm,
            "subject": self.subject,
            "message": self.message,
            "numbers": dict(self.numbers),
        }


@dataclass(frozen=True)
class ExtraProportion(TableResult):
    """A reported count with its percentage outside the registry's endpoints (e.g. an adverse-event row)."""

    id: str
    label: str
    x: int | None
    n: int
    pct: float | None
    where: str | None


@dataclass(frozen=True)
class PartsTotal(TableResult):
    """Parts whose counts must add up to a total (ids of :class:`ExtraProportion` entries)."""

    total: str
    parts: tuple[str, ...]
    where: str | None


@dataclass(frozen=True)
class AuditOptions(TableResult):
    """The optional top-level ``audit:`` mapping of an audit input (see :mod:`compare.audit.audit`).

    Attributes
    ----------
    trial : str or None
        Audit only this trial id (default: every trial in the file). Required when the file holds
        several trials and ``proportions`` or ``totals`` are given: they are checked against this trial.
    percent_decimals, time_decimals : int or None
        Decimals the paper prints percentages and times with; None infers them from the numbers
        (YAML drops trailing zeros, so inference can only under-count, which makes checks more lenient).
    survival_ci_transform : str
        ``"plain"``, ``"log"``, ``"log-log"`` or ``"any"`` (the default): the pointwise CI of S(t)
        behind the Brookmeyer-Crowley median CI. ``"any"`` reports an incompatibility only when it
        holds under all three.
    conf_level : float
        Confidence level of the reported intervals.
    proportions : tuple of ExtraProportion
    totals : tuple of PartsTotal
    """

    trial: str | None = None
    percent_decimals: int | None = None
    time_decimals: int | None = None
    survival_ci_transform: str = "any"
    conf_level: float = 0.95
    proportions: tuple[ExtraProportion, ...] = ()
    totals: tuple[PartsTotal, ...] = ()

    def pct_decimals(self, *values: float | None) -> int:
        """Decimals of printed percentages (the override, else inferred from ``values``)."""
        if self.percent_decimals is not None:
            return self.percent_decimals
        return decimals_of(*(v for v in values if v is not None))

    def t_decimals(self, *values: float | None) -> int:
        """Decimals of printed times (the override, else inferred from ``values``)."""
        if self.time_decimals is not None:
            return self.time_decimals
        return decimals_of(*(v for v in values if v is not None))

    def transforms(self) -> tuple[str, ...]:
        """Pointwise-CI transforms to consider."""
        return SURVIVAL_CI_TRANSFORMS if self.survival_ci_transform == "any" else (self.survival_ci_transform,)


def _fail(source: str, name: str, expected: str, got: Any) -> None:
    raise InputError(f"field 'audit.{name}': {expected}, got {got!r}", source=source)


def _int(raw: Any, source: str, name: str, *, minimum: int = 0, optional: bool = False) -> int | None:
    if raw is None and optional:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        _fail(source, name, f"expected a whole number >= {minimum}", raw)
    return int(raw)


def _keys(raw: Any, source: str, name: str, known: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if not isinstance(raw, Mapping):
        _fail(source, name, "expected a mapping", raw)
    for key in raw:
        if key not in known:
            _fail(source, name, f"expected only keys {', '.join(known)}", f"unknown key {key!r}")
    for key in required:
        if key not in raw:
            _fail(source, name, f"expected key {key!r}", sorted(map(str, raw)))
    return dict(raw)


def _parse_proportion(raw: Any, source: str, name: str) -> ExtraProportion:
    body = _keys(raw, source, name, ("id", "label", "x", "n", "pct", "where", "note"), ("id", "n"))
    n = _int(body["n"], source, f"{name}.n", minimum=1)
    x = _int(body.get("x"), source, f"{name}.x", optional=True)
    if x is not None and n is not None and x > n:
        _fail(source, f"{name}.x", f"expected a count <= n ({n})", x)
    pct = body.get("pct")
    if pct is not None and (isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 100):
        _fail(source, f"{name}.pct", "expected a percentage in [0, 100]", pct)
    if x is None and pct is None:
        _fail(source, name, "expected x or pct", body)
    return ExtraProportion(str(body["id"]), str(body.get("label", body["id"])), x, int(n), pct, body.get("where"))


def parse_audit_options(raw: Any, *, source: str = "<audit>") -> AuditOptions:
    """Validate the optional ``audit:`` mapping of an audit input.

    Format::

        audit:
          trial: double_ia_001         # audit only this trial; required with proportions/totals and several trials
          decimals: {percent: 1, time: 2}   # optional: decimals as printed
          survival_ci_transform: any   # plain | log | log-log | any (default)
          conf_level: 0.95             # optional
          proportions:                 # optional: other reported counts (adverse events, baseline rows)
            - {id: hfs_any, label: "Hand-foot syndrome, any grade", x: 14, n: 25, pct: 56.0, where: "Table 3"}
          totals:                      # optional: parts that must add up to a total (proportion ids)
            - {total: hfs_any, parts: [hfs_g12, hfs_g3], where: "Table 3"}

    Raises
    ------
    InputError
        Naming the field, for any invalid or unknown entry.
    """
    if raw is None:
        return AuditOptions()
    body = _keys(raw, source, "", ("trial", "decimals", "survival_ci_transform", "conf_level", "proportions", "totals"))
    decimals = _keys(body.get("decimals") or {}, source, "decimals", ("percent", "time"))
    transform = body.get("survival_ci_transform", "any")
    if transform not in SURVIVAL_CI_TRANSFORMS + ("any",):
        _fail(source, "survival_ci_transform", "expected plain, log, log-log or any", transform)
    try:
        conf_level = check_probability(body.get("conf_level", 0.95), name="conf_level")
    except InputError as exc:
        raise InputError(f"field 'audit.conf_level': {exc}", source=source) from None
    raw_props = body.get("proportions") or []
    if not isinstance(raw_props, list):
        _fail(source, "proportions", "expected a list", raw_props)
    proportions = tuple(_parse_proportion(p, source, f"proportions[{i}]") for i, p in enumerate(raw_props))
    ids = [p.id for p in proportions]
    raw_totals = body.get("totals") or []
    if not isinstance(raw_totals, list):
        _fail(source, "totals", "expected a list", raw_totals)
    totals = []
    for i, item in enumerate(raw_totals):
        t = _keys(item, source, f"totals[{i}]", ("total", "parts", "where"), ("total", "parts"))
        names = [t["total"], *(t["parts"] if isinstance(t["parts"], list) else [None])]
        for ref in names:
            if ref not in ids:
                _fail(source, f"totals[{i}]", f"expected ids of audit.proportions ({', '.join(ids)})", ref)
        totals.append(PartsTotal(t["total"], tuple(t["parts"]), t.get("where")))
    trial = body.get("trial")
    if trial is not None and not isinstance(trial, str):
        _fail(source, "trial", "expected a trial id", trial)
    return AuditOptions(
        trial=trial,
        percent_decimals=_int(decimals.get("percent"), source, "decimals.percent", optional=True),
        time_decimals=_int(decimals.get("time"), source, "decimals.time", optional=True),
        survival_ci_transform=transform,
        conf_level=float(conf_level),
        proportions=proportions,
        totals=tuple(totals),
    )


def half_unit(decimals: int) -> float:
    """Half a unit of the last printed decimal (the largest rounding error), plus a float guard."""
    return 0.5 * 10.0 ** (-decimals) + 1e-9


def fmt(value: float | None, decimals: int = 2) -> str:
    """Format a number for a message (``"NE"`` for None/NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NE"
    return f"{value:.{decimals}f}"
