"""The one hazard-ratio result type: from a Cox fit on IPD, from a publication, or from an indirect comparison.

A hazard ratio is carried on the log scale with its standard error, so any two can be combined
(:func:`compare.bucher`) whatever their source. The CI is Wald on the log scale,
``exp(log_hr -/+ z se)``; a published HR keeps its printed bounds and takes
``se = (log U - log L) / (2 z)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import stats

from reconstruct.errors import InputError
from reconstruct.tabular import TableResult
from reconstruct.validation import check_probability

__all__ = ["HazardRatio", "z_critical"]

HazardRatioSource = Literal["ipd", "published", "bucher"]


def z_critical(conf_level: float) -> float:
    """Two-sided normal quantile for a CI at ``conf_level`` (1.96 for 0.95)."""
    return float(stats.norm.isf((1.0 - check_probability(conf_level, name="conf_level")) / 2.0))


@dataclass(frozen=True)
class HazardRatio(TableResult):
    """Hazard ratio of ``comparator`` versus ``reference``, on the log scale with its standard error.

    Attributes
    ----------
    hazard_ratio : float
        exp(log_hr); < 1 means a lower hazard in ``comparator``.
    conf_low, conf_high : float
        CI at ``conf_level`` (the printed bounds when ``source == "published"``).
    conf_level : float
    log_hr, se : float
        Point and standard error on the log scale.
    p_value : float
        Two-sided Wald p-value; NaN for a published HR (not derived from the CI).
    source : {"ipd", "published", "bucher"}
        A Cox fit on IPD (:func:`compare.cox_hr`), a publication, or an anchored indirect comparison.
    label : str
        What is compared, e.g. ``"he_2019: sora_haic vs sorafenib (os)"``.
    reference, comparator : str
        Group labels ("" when not known).
    ties : str or None
        ``"efron"`` or ``"breslow"`` for a Cox fit, else None.
    n, n_events : int or None
        Subjects and events of a Cox fit, else None.
    anchor : str or None
        The shared comparator C of an indirect comparison, else None.
    inputs : tuple of HazardRatio
        The two anchored inputs (A vs C, B vs C) of an indirect comparison; empty otherwise.
    """

    hazard_ratio: float
    conf_low: float
    conf_high: float
    conf_level: float
    log_hr: float
    se: float
    p_value: float
    source: HazardRatioSource
    label: str = ""
    reference: str = ""
    comparator: str = ""
    ties: str | None = None
    n: int | None = None
    n_events: int | None = None
    anchor: str | None = None
    inputs: tuple[HazardRatio, ...] = ()

    @property
    def z(self) -> float:
        """Wald statistic log_hr / se."""
        return self.log_hr / self.se

    @property
    def ac(self) -> HazardRatio:
        """First input (A vs C) of an indirect comparison."""
        return self.inputs[0]

    @property
    def bc(self) -> HazardRatio:
        """Second input (B vs C) of an indirect comparison."""
        return self.inputs[1]

    @classmethod
    def from_log(cls, log_hr: float, se: float, *, conf_level: float = 0.95, source: HazardRatioSource = "ipd",
                 **fields) -> HazardRatio:
        """Build from the log HR and its SE: Wald CI and two-sided p-value."""
        z = z_critical(conf_level)
        return cls(hazard_ratio=math.exp(log_hr), conf_low=math.exp(log_hr - z * se),
                   conf_high=math.exp(log_hr + z * se), conf_level=float(conf_level), log_hr=float(log_hr),
                   se=float(se), p_value=float(2.0 * stats.norm.sf(abs(log_hr / se))), source=source, **fields)

    @classmethod
    def from_published(cls, hazard_ratio: float, ci: tuple[float, float], *, conf_level: float = 0.95,
                       label: str = "") -> HazardRatio:
        """Build from a published HR and its CI (SE from the CI width on the log scale).

        Raises
        ------
        InputError
            Unless 0 < lower <= HR <= upper and lower < upper.
        """
        z = z_critical(conf_level)
        try:
            hr, low, high = float(hazard_ratio), float(ci[0]), float(ci[1])
        except (TypeError, ValueError, IndexError):
            raise InputError(f"expected a hazard ratio and a CI (lower, upper), got {hazard_ratio!r}, {ci!r}") from None
        if not (math.isfinite(hr) and math.isfinite(high) and 0.0 < low <= hr <= high and low < high):
            raise InputError(
                f"expected 0 < lower <= HR <= upper with lower < upper, got HR {hazard_ratio!r} CI {list(ci)!r}"
                + (f" ({label})" if label else "")
            )
        return cls(hazard_ratio=hr, conf_low=low, conf_high=high, conf_level=float(conf_level), log_hr=math.log(hr),
                   se=(math.log(high) - math.log(low)) / (2 * z), p_value=math.nan, source="published", label=label)
