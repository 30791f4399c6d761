"""Anchored indirect comparison of hazard ratios (Bucher et al. 1997).

When trial 1 compares A with C and trial 2 compares B with C (C the shared comparator, e.g. sorafenib),
the anchored indirect estimate of A against B is

    log HR_AB = log HR_AC - log HR_BC,    SE_AB = sqrt(SE_AC^2 + SE_BC^2),

with a Wald CI on the log scale. Randomization is preserved within each trial, so the estimate is
unbiased when the trials do not differ in effect modifiers; it says nothing about A against B within
one population. A published HR with a (1 - alpha) CI [L, U] gives SE = (log U - log L) / (2 z_{1-alpha/2}),
with log HR as the point (rounded bounds make the CI slightly asymmetric on the log scale; the SE uses
their width). IPD-based :class:`compare.HazardRatio` objects (Cox fits) carry ``log_hr`` and ``se``.

R equivalent (hand-worked; no package needed)::

    se <- function(l, u) (log(u) - log(l)) / (2 * qnorm(0.975))
    d <- log(hr_ac) - log(hr_bc); s <- sqrt(se(l_ac, u_ac)^2 + se(l_bc, u_bc)^2)
    exp(d + c(0, -1, 1) * qnorm(0.975) * s); 2 * pnorm(-abs(d / s))

References
----------
1. Bucher HC, Guyatt GH, Griffith LE, Walter SD. The results of direct and indirect treatment comparisons
   in meta-analysis of randomized controlled trials. *J Clin Epidemiol* 1997;50:683-91.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from scipy import stats

from reconstruct._validation import check_probability
from reconstruct.errors import InputError

__all__ = ["HazardRatioSummary", "IndirectComparison", "bucher"]


class _LogHazardRatio(Protocol):
    log_hr: float
    se: float


def _z(conf_level: float) -> float:
    return float(stats.norm.isf((1.0 - check_probability(conf_level, name="conf_level")) / 2.0))


@dataclass(frozen=True)
class HazardRatioSummary:
    """A hazard ratio on the log scale with its standard error, from a publication or from IPD.

    Field names match :class:`compare.HazardRatio` (the IPD Cox result) so either can be passed to
    :func:`bucher`.

    Attributes
    ----------
    label : str
        What is compared, e.g. ``"he_2019: sora_haic vs sorafenib (os)"``.
    hazard_ratio : float
    conf_low, conf_high : float
        CI at ``conf_level`` (the published bounds when ``source == "published"``).
    conf_level : float
    log_hr, se : float
        Point and standard error on the log scale.
    source : {"published", "ipd"}
    """

    label: str
    hazard_ratio: float
    conf_low: float
    conf_high: float
    conf_level: float
    log_hr: float
    se: float
    source: str

    @classmethod
    def from_published(
        cls, hazard_ratio: float, ci: tuple[float, float], *, conf_level: float = 0.95, label: str = ""
    ) -> HazardRatioSummary:
        """Build from a published HR and its CI (SE from the CI width on the log scale).

        Raises
        ------
        InputError
            Unless 0 < lower <= HR <= upper and lower < upper.
        """
        z = _z(conf_level)
        try:
            hr, low, high = float(hazard_ratio), float(ci[0]), float(ci[1])
        except (TypeError, ValueError, IndexError):
            raise InputError(f"expected a hazard ratio and a CI (lower, upper), got {hazard_ratio!r}, {ci!r}") from None
        if not (math.isfinite(hr) and math.isfinite(high) and 0.0 < low <= hr <= high and low < high):
            raise InputError(
                f"expected 0 < lower <= HR <= upper with lower < upper, got HR {hazard_ratio!r} CI {list(ci)!r}"
                + (f" ({label})" if label else "")
            )
        return cls(label, hr, low, high, float(conf_level), math.log(hr), (math.log(high) - math.log(low)) / (2 * z),
                   "published")

    @classmethod
    def from_hazard_ratio(cls, result: Any, *, label: str = "") -> HazardRatioSummary:
        """Wrap an IPD-based result with ``log_hr``, ``se``, ``conf_level`` (e.g. :class:`compare.HazardRatio`)."""
        try:
            log_hr, se, level = float(result.log_hr), float(result.se), float(result.conf_level)
        except (AttributeError, TypeError, ValueError):
            raise InputError(f"expected a result with log_hr, se and conf_level, got {type(result).__name__}") from None
        z = _z(level)
        return cls(label, math.exp(log_hr), math.exp(log_hr - z * se), math.exp(log_hr + z * se), level, log_hr, se,
                   "ipd")


@dataclass(frozen=True)
class IndirectComparison:
    """Anchored indirect hazard ratio A vs B through a shared comparator C.

    Attributes
    ----------
    label : str
    hazard_ratio, conf_low, conf_high, conf_level : float
        HR_AB and its Wald CI (log scale).
    log_hr, se, z, p_value : float
    ac, bc : HazardRatioSummary
        The two anchored inputs (A vs C and B vs C).
    anchor : str
        Name of the shared comparator C.
    method : str
        ``"bucher"``.
    """

    label: str
    hazard_ratio: float
    conf_low: float
    conf_high: float
    conf_level: float
    log_hr: float
    se: float
    z: float
    p_value: float
    ac: HazardRatioSummary
    bc: HazardRatioSummary
    anchor: str
    method: str = "bucher"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (inputs included)."""
        fields = ("label", "hazard_ratio", "conf_low", "conf_high", "conf_level", "log_hr", "se", "z", "p_value",
                  "anchor", "method")
        out: dict[str, Any] = {name: getattr(self, name) for name in fields}
        out["ac"] = vars(self.ac).copy()
        out["bc"] = vars(self.bc).copy()
        return out


def bucher(
    ac: _LogHazardRatio | HazardRatioSummary,
    bc: _LogHazardRatio | HazardRatioSummary,
    *,
    anchor: str = "C",
    conf_level: float = 0.95,
    label: str = "",
) -> IndirectComparison:
    """Anchored indirect comparison HR_AB = HR_AC / HR_BC (Bucher et al. 1997).

    Parameters
    ----------
    ac : HazardRatioSummary or compare.HazardRatio
        A against the shared comparator C.
    bc : HazardRatioSummary or compare.HazardRatio
        B against the same comparator C.
    anchor : str, optional
        Name of C, carried on the result.
    conf_level : float, default 0.95
    label : str, optional

    Returns
    -------
    IndirectComparison

    Examples
    --------
    >>> ac = HazardRatioSummary.from_published(0.35, (0.26, 0.48))
    >>> bc = HazardRatioSummary.from_published(0.58, (0.42, 0.79))
    >>> res = bucher(ac, bc, anchor="sorafenib")
    >>> round(res.hazard_ratio, 4), round(res.conf_low, 4), round(res.conf_high, 4)
    (0.6034, 0.3886, 0.9371)
    """
    inputs = []
    for name, item in (("ac", ac), ("bc", bc)):
        if isinstance(item, HazardRatioSummary):
            inputs.append(item)
        else:
            inputs.append(HazardRatioSummary.from_hazard_ratio(item, label=name))
        if not (math.isfinite(inputs[-1].log_hr) and math.isfinite(inputs[-1].se) and inputs[-1].se > 0):
            raise InputError(f"{name} must have a finite log HR and a positive SE, got {inputs[-1]!r}")
    first, second = inputs
    z_crit = _z(conf_level)
    log_hr = first.log_hr - second.log_hr
    se = math.hypot(first.se, second.se)
    z = log_hr / se
    return IndirectComparison(
        label=label,
        hazard_ratio=math.exp(log_hr),
        conf_low=math.exp(log_hr - z_crit * se),
        conf_high=math.exp(log_hr + z_crit * se),
        conf_level=float(conf_level),
        log_hr=log_hr,
        se=se,
        z=z,
        p_value=float(2.0 * stats.norm.sf(abs(z))),
        ac=first,
        bc=second,
        anchor=anchor,
    )
