"""Result types of the trial registry (frozen dataclasses) and the registry vocabulary.

The format is documented in :mod:`compare.registry.loader`; import the names from there.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconstruct.errors import InputError

REGISTRY_VERSION = 1
FLAGS = ("confirmed", "derived", "unverified", "conflict", "seed-only", "nf")
CRITERIA = ("mRECIST", "RECIST 1.1", "RECIST 1.0", "unknown")
BINARY_ENDPOINTS = ("orr", "dcr", "cr", "pr", "sd", "pd", "conversion")
TIME_ENDPOINTS = ("os", "pfs", "ttp", "ttr", "dor", "liver_pfs", "followup")
POPULATION_DESCRIPTORS = (
    "bclc_a",
    "bclc_b",
    "bclc_c",
    "pvtt",
    "hepatic_vein_invasion",
    "ivc_invasion",
    "extrahepatic_spread",
    "child_pugh_b",
    "high_risk",
    "asian",
)
METHOD_KEYS = (
    "proportion_ci",
    "median_ci",
    "survival_ci",
    "hr_model",
    "survival_estimator",
    "response_assessment",
)
TIME_UNITS = ("days", "weeks", "months", "years")
_ID = re.compile(r"^[a-z0-9_]+$")
_NOT_ESTIMABLE = ("NE", "NR", "NA")


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class Alternative:
    """Another published value of the same quantity (e.g. abstract vs table)."""

    value: float | None
    ci: tuple[float | None, float | None] | None
    src: tuple[str, ...]
    where: str | None


@dataclass(frozen=True)
class Provenance:
    """Where a value comes from and how far it is trusted.

    Attributes
    ----------
    src : tuple of str
        Keys of :attr:`Registry.sources`.
    flag : str
        One of :data:`FLAGS`.
    note : str or None
        Free text.
    alternatives : tuple of Alternative
        Other published values of the same quantity (for ``flag == "conflict"``).
    """

    src: tuple[str, ...]
    flag: str
    note: str | None = None
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Count:
    """A whole number with provenance (``n`` of an arm)."""

    value: int | None
    provenance: Provenance


@dataclass(frozen=True)
class PopulationShare:
    """Share of an arm's patients with a baseline characteristic.

    ``pct`` is the percentage as printed; ``x``/``n`` the counts when published.
    :attr:`share` is the proportion in [0, 1] from counts when present, else from ``pct``.
    """

    descriptor: str
    pct: float | None
    x: int | None
    n: int | None
    provenance: Provenance

    @property
    def share(self) -> float | None:
        """Proportion in [0, 1] (x/n when counts are given, else pct/100), or None."""
        if self.x is not None and self.n:
            return self.x / self.n
        return None if self.pct is None else self.pct / 100.0


@dataclass(frozen=True)
class BinaryRecord:
    """A response-type endpoint of one arm: x responders of n evaluated, under a criterion."""

    endpoint: str
    criterion: str
    x: int | None
    n: int | None
    pct: float | None
    ci_pct: tuple[float, float] | None
    ci_method: str | None
    subgroup: str | None
    analysis: str
    provenance: Provenance

    @property
    def proportion(self) -> float | None:
        """x/n, or None when either count is missing."""
        return None if self.x is None or not self.n else self.x / self.n

    @property
    def has_counts(self) -> bool:
        """True when both x and n are known."""
        return self.x is not None and self.n is not None


@dataclass(frozen=True)
class MedianRecord:
    """A median time-to-event (in the registry's time unit) with its CI; None = not reached/estimable."""

    endpoint: str
    criterion: str | None
    value: float | None
    ci: tuple[float | None, float | None] | None
    ci_method: str | None
    analysis: str
    provenance: Provenance


@dataclass(frozen=True)
class LandmarkRecord:
    """An event-free / survival rate (percent, as printed) at ``time`` (registry time unit)."""

    endpoint: str
    criterion: str | None
    time: float
    pct: float | None
    ci_pct: tuple[float, float] | None
    analysis: str
    provenance: Provenance


@dataclass(frozen=True)
class HazardRatioRecord:
    """A published hazard ratio of the arm that holds it against ``comparator`` (same trial)."""

    endpoint: str
    comparator: str
    value: float | None
    ci: tuple[float, float] | None
    p: str | None
    criterion: str | None
    analysis: str
    provenance: Provenance


@dataclass(frozen=True)
class SimonDesign:
    """A Simon two-stage design as the paper states it (any field may be None when not stated)."""

    p0: float | None
    p1: float | None
    alpha: float | None
    power: float | None
    r1: int | None
    n1: int | None
    r: int | None
    n: int | None
    provenance: Provenance


@dataclass(frozen=True)
class Design:
    """A trial's design and the statistical methods it says it used."""

    description: str
    randomized: bool
    phase: str | None
    simon: SimonDesign | None
    methods: Mapping[str, str]


@dataclass(frozen=True)
class Arm:
    """One arm of a trial and its published results.

    ``ipd`` maps an endpoint (``"os"``, ``"pfs"``...) to an IPD CSV path (absolute after loading),
    optionally suffixed ``#ARM`` to select the rows of one arm of a multi-arm file. Arms of different
    trials that share an ``id`` (e.g. ``sorafenib``) are taken to be the same treatment when anchoring
    indirect comparisons. ``treatment_class`` (e.g. ``haic``, ``sorafenib``) names the arms that
    ``kmrecon compare`` may pool by default; arms of different classes are never pooled unless named.
    """

    id: str
    label: str
    n: Count
    population: tuple[PopulationShare, ...]
    binary: tuple[BinaryRecord, ...]
    medians: tuple[MedianRecord, ...]
    landmarks: tuple[LandmarkRecord, ...]
    hazard_ratios: tuple[HazardRatioRecord, ...]
    ipd: Mapping[str, str]
    note: str | None
    treatment_class: str | None = None

    def share(self, descriptor: str) -> float | None:
        """Return the population share (in [0, 1]) of ``descriptor``, or None when not recorded."""
        for item in self.population:
            if item.descriptor == descriptor:
                return item.share
        return None

    def find_binary(
        self, endpoint: str, *, criterion: str | None = None, subgroup: str | None = None, analysis: str | None = None
    ) -> tuple[BinaryRecord, ...]:
        """Return the binary records matching the endpoint (and criterion/subgroup/analysis when given)."""
        return tuple(
            r
            for r in self.binary
            if r.endpoint == endpoint
            and (criterion is None or r.criterion == criterion)
            and r.subgroup == subgroup
            and (analysis is None or r.analysis == analysis)
        )


@dataclass(frozen=True)
class Trial:
    """A trial: citation, design and arms."""

    id: str
    citation: str
    design: Design
    arms: tuple[Arm, ...]
    note: str | None

    def arm(self, arm_id: str) -> Arm:
        """Return the arm ``arm_id``.

        Raises
        ------
        InputError
            When the trial has no such arm.
        """
        for arm in self.arms:
            if arm.id == arm_id:
                return arm
        raise InputError(
            f"expected an arm of trial {self.id!r} ({', '.join(a.id for a in self.arms)}), got {arm_id!r}"
        )


@dataclass(frozen=True)
class Registry:
    """A validated trial registry.

    Attributes
    ----------
    trials : tuple of Trial
    sources : mapping of str to str
        Source key -> citation/URL.
    time_unit : str
        Unit of every median, landmark time and follow-up.
    path : Path or None
        The YAML file read (None when parsed from a mapping).
    sha256 : str or None
        Hash of that file.
    version : int
        ``registry_version`` of the file.
    """

    trials: tuple[Trial, ...]
    sources: Mapping[str, str]
    time_unit: str
    path: Path | None = None
    sha256: str | None = None
    version: int = REGISTRY_VERSION

    def trial(self, trial_id: str) -> Trial:
        """Return the trial ``trial_id``.

        Raises
        ------
        InputError
            When the registry has no such trial.
        """
        for trial in self.trials:
            if trial.id == trial_id:
                return trial
        hint = _closest(trial_id, [t.id for t in self.trials])
        raise InputError(f"expected a trial id of the registry, got {trial_id!r}{hint}")

    def arm(self, trial_id: str, arm_id: str) -> Arm:
        """Return arm ``arm_id`` of trial ``trial_id``."""
        return self.trial(trial_id).arm(arm_id)

    def iter_arms(self):
        """Yield ``(trial, arm)`` pairs in file order."""
        for trial in self.trials:
            for arm in trial.arms:
                yield trial, arm


def _closest(word: Any, options) -> str:
    lowered = {str(o).lower(): str(o) for o in options}
    match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.5)
    return f" (did you mean {lowered[match[0]]!r}?)" if match else ""
