"""Like-for-unlike checks for contrasts between arms, possibly of different trials.

A contrast between two arms (or a pool of arms) is checked for:

* ``criterion``: response or progression assessed under different criteria (mRECIST against RECIST 1.1,
  RECIST 1.0 against 1.1, or a criterion that is not stated);
* ``endpoint``: different endpoints (PFS against TTP: TTP ignores deaths without progression);
* ``population``: baseline shares that differ by more than a stated threshold (default 20 percentage
  points for the BCLC C share and the portal vein invasion/thrombus share);
* ``population-unrecorded`` (note): a share that the registry does not hold for one of the arms;
* ``analysis`` (note): different data cuts (e.g. primary against updated);
* ``unanchored`` (note): arms of different trials, compared without a shared randomized comparator.

``criterion``, ``endpoint`` and ``population`` make a contrast *unlike*: :func:`enforce` emits one
:class:`~reconstruct.errors.ComparisonWarning` naming them (``on_mismatch="flag"``) or raises
:class:`~reconstruct.errors.InputError` (``on_mismatch="refuse"``). Every table carries the
:attr:`Comparability.flag` column, so the caveat travels with the numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compare.registry.loader import Arm, Trial
from reconstruct.errors import ComparisonWarning, InputError

__all__ = [
    "PopulationThresholds",
    "ComparabilityIssue",
    "Comparability",
    "ArmSelection",
    "check_comparability",
    "check_pool",
    "enforce",
    "UNLIKE_KINDS",
]

UNLIKE_KINDS = ("criterion", "endpoint", "population")
NOTE_KINDS = ("population-unrecorded", "analysis", "unanchored")


@dataclass(frozen=True)
class PopulationThresholds:
    """Largest tolerated absolute difference in baseline shares (proportions, 0-1).

    Attributes
    ----------
    bclc_c : float, default 0.20
        BCLC stage C share.
    pvtt : float, default 0.20
        Portal vein invasion / tumour thrombus share.
    """

    bclc_c: float = 0.20
    pvtt: float = 0.20

    def __post_init__(self) -> None:
        for name in ("bclc_c", "pvtt"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise InputError(f"threshold {name} must be a proportion in [0, 1], got {value!r}")

    def items(self) -> tuple[tuple[str, float], ...]:
        """Return ``((descriptor, threshold), ...)``."""
        return (("bclc_c", self.bclc_c), ("pvtt", self.pvtt))


@dataclass(frozen=True)
class ArmSelection:
    """One arm's quantity entering a contrast: which trial/arm, endpoint, criterion and data cut.

    Attributes
    ----------
    trial : Trial
    arm : Arm
    endpoint : str
        e.g. ``"orr"``, ``"pfs"``, ``"ttp"``.
    criterion : str or None
        Response criterion of the value (None when not applicable).
    analysis : str
        Data cut label.
    """

    trial: Trial
    arm: Arm
    endpoint: str
    criterion: str | None = None
    analysis: str = "primary"

    @property
    def key(self) -> str:
        """``"trial:arm"``."""
        return f"{self.trial.id}:{self.arm.id}"


@dataclass(frozen=True)
class ComparabilityIssue:
    """One reason a contrast is not like for like.

    Attributes
    ----------
    kind : str
        One of :data:`UNLIKE_KINDS` or the note kinds (module docstring).
    detail : str
        Human-readable numbers behind it, e.g. ``"bclc_c 100% vs 82% (threshold 20 points)"``.
    """

    kind: str
    detail: str

    @property
    def unlike(self) -> bool:
        """True for criterion, endpoint and population differences."""
        return self.kind in UNLIKE_KINDS


@dataclass(frozen=True)
class Comparability:
    """Result of checking a contrast.

    Attributes
    ----------
    label : str
        What was compared, e.g. ``"double_ia_001:ia_triple vs he_2019:sora_haic (orr)"``.
    issues : tuple of ComparabilityIssue
    """

    label: str
    issues: tuple[ComparabilityIssue, ...]

    @property
    def unlike(self) -> bool:
        """True when any issue makes the contrast unlike."""
        return any(issue.unlike for issue in self.issues)

    @property
    def unanchored(self) -> bool:
        """True when the arms come from different trials."""
        return any(issue.kind == "unanchored" for issue in self.issues)

    @property
    def flag(self) -> str:
        """Table flag: the issue kinds joined by ``;`` (unlike kinds first), ``""`` when like for like."""
        kinds = [i.kind for i in self.issues if i.unlike] + [i.kind for i in self.issues if not i.unlike]
        return ";".join(dict.fromkeys(kinds))

    @property
    def details(self) -> str:
        """All issue details joined by ``"; "``."""
        return "; ".join(issue.detail for issue in self.issues)


def _criterion_issue(a: ArmSelection, b: ArmSelection) -> ComparabilityIssue | None:
    if a.criterion is None and b.criterion is None:
        return None
    if a.criterion != b.criterion or a.criterion == "unknown":
        shown = f"{a.criterion or 'not stated'} vs {b.criterion or 'not stated'}"
        return ComparabilityIssue("criterion", f"criterion {shown}")
    return None


def _population_issues(arms: Sequence[Arm], keys: Sequence[str], thresholds: PopulationThresholds):
    issues = []
    for descriptor, threshold in thresholds.items():
        shares = [arm.share(descriptor) for arm in arms]
        missing = [key for key, share in zip(keys, shares, strict=True) if share is None]
        if missing:
            detail = f"{descriptor} share not recorded for {', '.join(missing)}"
            issues.append(ComparabilityIssue("population-unrecorded", detail))
        known = [s for s in shares if s is not None]
        if len(known) >= 2 and max(known) - min(known) > threshold + 1e-12:
            shown = " vs ".join(f"{100 * s:.0f}%" for s in shares if s is not None)
            issues.append(ComparabilityIssue(
                "population", f"{descriptor} {shown} (spread > {100 * threshold:.0f} points)"))
    return issues


def check_comparability(
    first: ArmSelection,
    second: ArmSelection,
    *,
    thresholds: PopulationThresholds | None = None,
) -> Comparability:
    """Check whether a contrast of ``first`` against ``second`` is like for like.

    Parameters
    ----------
    first, second : ArmSelection
    thresholds : PopulationThresholds, optional
        Default: 20 percentage points for BCLC C and PVTT shares.

    Returns
    -------
    Comparability
        Pure result; nothing is warned here (see :func:`enforce`).
    """
    thresholds = thresholds or PopulationThresholds()
    issues: list[ComparabilityIssue] = []
    criterion = _criterion_issue(first, second)
    if criterion is not None:
        issues.append(criterion)
    if first.endpoint != second.endpoint:
        issues.append(ComparabilityIssue("endpoint", f"endpoint {first.endpoint.upper()} vs {second.endpoint.upper()}"))
    issues.extend(_population_issues((first.arm, second.arm), (first.key, second.key), thresholds))
    if first.analysis != second.analysis:
        issues.append(ComparabilityIssue("analysis", f"data cut {first.analysis} vs {second.analysis}"))
    if first.trial.id != second.trial.id:
        issues.append(ComparabilityIssue("unanchored", f"different trials ({first.trial.id}, {second.trial.id}); "
                                                       "no shared randomized comparator"))
    label = f"{first.key} vs {second.key} ({first.endpoint})"
    return Comparability(label, tuple(_sorted(issues)))


def check_pool(selections: Sequence[ArmSelection], *, thresholds: PopulationThresholds | None = None,
               label: str = "pool") -> Comparability:
    """Check a set of arms pooled together (meta-analysis or pooled curve).

    Parameters
    ----------
    selections : sequence of ArmSelection
        The pooled arms.
    thresholds : PopulationThresholds, optional
    label : str, optional

    Returns
    -------
    Comparability
        ``criterion`` when criteria are mixed, ``endpoint`` when endpoints are mixed, ``population``
        when a share spreads beyond its threshold, notes for unrecorded shares.
    """
    thresholds = thresholds or PopulationThresholds()
    issues: list[ComparabilityIssue] = []
    criteria = sorted({s.criterion or "not stated" for s in selections})
    if len(criteria) > 1 or "unknown" in criteria:
        issues.append(ComparabilityIssue("criterion", f"criteria pooled: {', '.join(criteria)}"))
    endpoints = sorted({s.endpoint for s in selections})
    if len(endpoints) > 1:
        issues.append(ComparabilityIssue("endpoint", f"endpoints pooled: {', '.join(e.upper() for e in endpoints)}"))
    issues.extend(_population_issues([s.arm for s in selections], [s.key for s in selections], thresholds))
    analyses = sorted({s.analysis for s in selections})
    if len(analyses) > 1:
        issues.append(ComparabilityIssue("analysis", f"data cuts pooled: {', '.join(analyses)}"))
    if len({s.trial.id for s in selections}) > 1:
        issues.append(ComparabilityIssue("unanchored", "arms of different trials pooled"))
    return Comparability(label, tuple(_sorted(issues)))


def _sorted(issues: Iterable[ComparabilityIssue]) -> list[ComparabilityIssue]:
    order = {kind: i for i, kind in enumerate(UNLIKE_KINDS + NOTE_KINDS)}
    return sorted(issues, key=lambda issue: order.get(issue.kind, len(order)))


def enforce(results: Iterable[Comparability], *, on_mismatch: str = "flag", stacklevel: int = 2) -> None:
    """Warn about (or refuse) unlike contrasts, once for the whole batch.

    Parameters
    ----------
    results : iterable of Comparability
    on_mismatch : {"flag", "refuse"}, default "flag"
        ``"flag"``: one :class:`ComparisonWarning` listing the unlike contrasts. ``"refuse"``: raise.
    stacklevel : int, optional
        Passed to :func:`warnings.warn`.

    Raises
    ------
    InputError
        With ``on_mismatch="refuse"`` when any contrast is unlike.
    """
    if on_mismatch not in ("flag", "refuse"):
        raise InputError(f"on_mismatch must be 'flag' or 'refuse', got {on_mismatch!r}")
    unlike = [r for r in results if r.unlike]
    if not unlike:
        return
    shown = "; ".join(f"{r.label}: {', '.join(i.detail for i in r.issues if i.unlike)}" for r in unlike[:3])
    more = f" (and {len(unlike) - 3} more)" if len(unlike) > 3 else ""
    if on_mismatch == "refuse":
        raise InputError(
            f"expected like-for-like contrasts, got {len(unlike)} unlike: {shown}{more}; "
            "choose arms with the same criterion/endpoint/population or flag them instead of refusing"
        )
    warnings.warn(
        f"{len(unlike)} unlike contrast(s), flagged in the tables: {shown}{more}",
        ComparisonWarning,
        stacklevel=stacklevel + 1,
    )
