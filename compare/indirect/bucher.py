"""Anchored indirect comparison of hazard ratios (Bucher et al. 1997).

When trial 1 compares A with C and trial 2 compares B with C (C the shared comparator, e.g. sorafenib),
the anchored indirect estimate of A against B is

    log HR_AB = log HR_AC - log HR_BC,    SE_AB = sqrt(SE_AC^2 + SE_BC^2),

with a Wald CI on the log scale. Randomization is preserved within each trial, so the estimate is
unbiased when the trials do not differ in effect modifiers; it says nothing about A against B within
one population. A published HR with a (1 - alpha) CI [L, U] gives SE = (log U - log L) / (2 z_{1-alpha/2}),
with log HR as the point (rounded bounds make the CI slightly asymmetric on the log scale; the SE uses
their width). Every input is a :class:`compare.HazardRatio` (a Cox fit on IPD or a published HR).

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

import dataclasses
import math

from scipy import stats

from compare.survival.hazard_ratio import HazardRatio, z_critical
from reconstruct.errors import InputError

__all__ = ["bucher"]


def bucher(
    ac: HazardRatio,
    bc: HazardRatio,
    *,
    anchor: str = "C",
    conf_level: float = 0.95,
    label: str = "",
) -> HazardRatio:
    """Anchored indirect comparison HR_AB = HR_AC / HR_BC (Bucher et al. 1997).

    Parameters
    ----------
    ac : HazardRatio
        A against the shared comparator C (a Cox fit, or :meth:`HazardRatio.from_published`).
    bc : HazardRatio
        B against the same comparator C.
    anchor : str, optional
        Name of C, carried on the result.
    conf_level : float, default 0.95
    label : str, optional

    Returns
    -------
    HazardRatio
        ``source == "bucher"``, with ``inputs == (ac, bc)`` and ``anchor``.

    Examples
    --------
    >>> ac = HazardRatio.from_published(0.35, (0.26, 0.48))
    >>> bc = HazardRatio.from_published(0.58, (0.42, 0.79))
    >>> res = bucher(ac, bc, anchor="sorafenib")
    >>> round(res.hazard_ratio, 4), round(res.conf_low, 4), round(res.conf_high, 4)
    (0.6034, 0.3886, 0.9371)
    """
    for name, item in (("ac", ac), ("bc", bc)):
        if not isinstance(item, HazardRatio):
            raise InputError(f"{name}: expected a result with log_hr, se and conf_level, got {type(item).__name__}; "
                             "build one with compare.cox_hr or HazardRatio.from_published")
        if not (math.isfinite(item.log_hr) and math.isfinite(item.se) and item.se > 0):
            raise InputError(f"{name} must have a finite log HR and a positive SE, got {item!r}")
    z_crit = z_critical(conf_level)
    log_hr = ac.log_hr - bc.log_hr
    se = math.hypot(ac.se, bc.se)
    return HazardRatio(
        hazard_ratio=math.exp(log_hr),
        conf_low=math.exp(log_hr - z_crit * se),
        conf_high=math.exp(log_hr + z_crit * se),
        conf_level=float(conf_level),
        log_hr=log_hr,
        se=se,
        p_value=float(2.0 * stats.norm.sf(abs(log_hr / se))),
        source="bucher",
        label=label,
        anchor=anchor,
        inputs=(ac, bc),
    )


def relabel(result: HazardRatio, label: str) -> HazardRatio:
    """The same hazard ratio under another label (e.g. naming the trial it comes from)."""
    return dataclasses.replace(result, label=label)
