"""Confidence intervals for a binomial proportion by every common method, and reverse lookups.

The audit uses these to find which method reproduces a published interval at its
published rounding, and which counts ``k/n`` a published percentage can come from.

Methods (``x`` successes of ``n``, ``z`` the standard normal quantile, ``a = 1 - conf_level``):

``clopper-pearson``
    Exact: Beta(a/2; x, n-x+1) and Beta(1-a/2; x+1, n-x) quantiles. Equals R ``binom.test(x, n)$conf.int``.
``wald``
    ``p +/- z sqrt(p(1-p)/n)``, clipped to [0, 1].
``wald-cc``
    Wald widened by the continuity correction ``1/(2n)``, clipped to [0, 1].
``wilson``
    Score interval. Equals R ``prop.test(x, n, correct = FALSE)$conf.int``.
``wilson-cc``
    Score interval with continuity correction, as R ``prop.test(x, n)$conf.int`` (R's default),
    whose correction is ``min(1/2, |x - n/2|)`` (none at x = n/2).
``agresti-coull``
    Wald on ``(x + z^2/2) / (n + z^2)`` with ``n + z^2`` trials, clipped to [0, 1].
``jeffreys``
    Beta(x + 1/2, n - x + 1/2) equal-tailed quantiles, lower limit 0 at x = 0 and upper limit 1 at
    x = n (the modification of Brown, Cai and DasGupta 2001).
``mid-p``
    Exact mid-p: limits solve ``P(X > x) + P(X = x)/2 = a/2`` and ``P(X < x) + P(X = x)/2 = a/2``.

References
----------
1. Clopper CJ, Pearson ES. Biometrika 1934;26:404-413.
2. Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion. Stat Sci 2001;16:101-133.
3. Newcombe RG. Two-sided confidence intervals for the single proportion. Stat Med 1998;17:857-872.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from reconstruct.validation import check_probability
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = [
    "CI_METHODS",
    "ProportionCI",
    "CIMethodMatch",
    "proportion_ci",
    "match_ci_methods",
    "counts_for_percentage",
    "decimals_of",
    "normalise_method",
]

CI_METHODS: tuple[str, ...] = (
    "clopper-pearson",
    "wald",
    "wald-cc",
    "wilson",
    "wilson-cc",
    "agresti-coull",
    "jeffreys",
    "mid-p",
)

_STATSMODELS_NAME = {
    "clopper-pearson": "beta",
    "wald": "normal",
    "wilson": "wilson",
    "agresti-coull": "agresti_coull",
}

_ALIASES = {
    "exact": "clopper-pearson",
    "cp": "clopper-pearson",
    "clopper pearson": "clopper-pearson",
    "normal": "wald",
    "asymptotic": "wald",
    "score": "wilson",
    "wald cc": "wald-cc",
    "continuity-corrected wald": "wald-cc",
    "wilson cc": "wilson-cc",
    "agresti coull": "agresti-coull",
    "midp": "mid-p",
    "mid p": "mid-p",
}


def normalise_method(method: str) -> str:
    """Return the canonical name of a CI method (case, spaces and common aliases accepted).

    Raises
    ------
    InputError
        If ``method`` names no known method.
    """
    key = " ".join(str(method).strip().lower().replace("_", " ").split())
    key = _ALIASES.get(key, key.replace(" ", "-"))
    if key not in CI_METHODS:
        raise InputError(f"CI method must be one of {', '.join(CI_METHODS)}, got {method!r}")
    return key


@dataclass(frozen=True, slots=True)
class ProportionCI(TableResult):
    """A binomial proportion with its confidence interval.

    Attributes
    ----------
    count, nobs : int
        Successes and trials.
    estimate : float
        ``count / nobs``, a proportion in [0, 1].
    lower, upper : float
        Confidence limits, proportions in [0, 1].
    method : str
        One of :data:`CI_METHODS`.
    conf_level : float
        Two-sided confidence level, e.g. 0.95.
    """

    count: int
    nobs: int
    estimate: float
    lower: float
    upper: float
    method: str
    conf_level: float


def _check_counts(count: object, nobs: object) -> tuple[int, int]:
    try:
        k, n = int(count), int(nobs)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InputError(f"count and nobs must be whole numbers, got {count!r} and {nobs!r}") from None
    if k != count or n != nobs or n < 1 or not 0 <= k <= n:
        raise InputError(
            f"count and nobs must be whole numbers with 0 <= count <= nobs, nobs >= 1, got {count!r}/{nobs!r}"
        )
    return k, n


def _mid_p(k: int, n: int, alpha: float) -> tuple[float, float]:
    # Hand-written: neither scipy nor statsmodels offers the mid-p interval.
    def upper_tail(p: float) -> float:  # P(X > k) + P(X = k)/2, increasing in p
        return float(stats.binom.sf(k, n, p) + 0.5 * stats.binom.pmf(k, n, p))

    lower = 0.0 if k == 0 else optimize.brentq(lambda p: upper_tail(p) - alpha / 2, 0.0, 1.0, xtol=1e-14, rtol=1e-14)
    upper = 1.0 if k == n else optimize.brentq(
        lambda p: upper_tail(p) - (1 - alpha / 2), 0.0, 1.0, xtol=1e-14, rtol=1e-14
    )
    return lower, upper


def _wilson_cc(k: int, n: int, z: float) -> tuple[float, float]:
    # Hand-written: statsmodels has no continuity-corrected score interval. This is R prop.test's
    # code, including its cap of the correction at |x - n/2| (so 50/100 gets no correction).
    p = k / n
    yates = min(0.5, abs(k - n * 0.5))
    z22n = z * z / (2 * n)
    pc = p + yates / n
    upper = 1.0 if pc >= 1 else (pc + z22n + z * math.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    pc = p - yates / n
    lower = 0.0 if pc <= 0 else (pc + z22n - z * math.sqrt(pc * (1 - pc) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    return lower, upper


def proportion_ci(count: int, nobs: int, *, method: str = "clopper-pearson", conf_level: float = 0.95) -> ProportionCI:
    """Confidence interval for a binomial proportion.

    Parameters
    ----------
    count : int
        Number of successes, 0 <= count <= nobs.
    nobs : int
        Number of trials, >= 1.
    method : str, default "clopper-pearson"
        One of :data:`CI_METHODS` (aliases such as "exact" or "score" are accepted).
    conf_level : float, default 0.95
        Two-sided confidence level in (0, 1).

    Returns
    -------
    ProportionCI
        Limits as proportions in [0, 1].

    Examples
    --------
    >>> ci = proportion_ci(11, 25)
    >>> round(ci.lower, 4), round(ci.upper, 4)
    (0.244, 0.6507)
    """
    k, n = _check_counts(count, nobs)
    method = normalise_method(method)
    conf_level = check_probability(conf_level, name="conf_level")
    alpha = 1.0 - conf_level
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = k / n
    if method in _STATSMODELS_NAME:
        lower, upper = proportion_confint(k, n, alpha=alpha, method=_STATSMODELS_NAME[method])
    elif method == "wald-cc":
        half = z * math.sqrt(p * (1 - p) / n) + 1 / (2 * n)
        lower, upper = p - half, p + half
    elif method == "wilson-cc":
        lower, upper = _wilson_cc(k, n, z)
    elif method == "jeffreys":
        lower = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k + 0.5, n - k + 0.5))
        upper = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 0.5, n - k + 0.5))
    else:
        lower, upper = _mid_p(k, n, alpha)
    lower, upper = float(np.clip(lower, 0.0, 1.0)), float(np.clip(upper, 0.0, 1.0))
    if k == 0:
        lower = 0.0  # exact for every method; statsmodels' Wilson leaves ~1e-17 here
    if k == n:
        upper = 1.0
    return ProportionCI(k, n, p, lower, upper, method, conf_level)


@dataclass(frozen=True, slots=True)
class CIMethodMatch(TableResult):
    """Which CI methods reproduce a reported interval at its reported rounding.

    Attributes
    ----------
    count, nobs : int
        The counts the interval was computed from.
    reported : tuple of float
        The reported (lower, upper), in the reported scale (percent when ``scale`` is 100).
    scale : float
        100 for percentages, 1 for proportions.
    tolerance : float
        Half a unit of the last reported decimal: a method matches when both of its limits,
        times ``scale``, are within this of the reported ones.
    matching : tuple of str
        Methods that reproduce the interval, in :data:`CI_METHODS` order.
    intervals : dict of str to tuple of float
        Every method's (lower, upper) times ``scale``.
    distance : dict of str to float
        Per method, the largest absolute difference between computed and reported limits.
    nearest : str
        The method with the smallest ``distance``.
    """

    count: int
    nobs: int
    reported: tuple[float, float]
    scale: float
    tolerance: float
    matching: tuple[str, ...]
    intervals: dict[str, tuple[float, float]]
    distance: dict[str, float]
    nearest: str


def match_ci_methods(
    count: int,
    nobs: int,
    lower: float,
    upper: float,
    *,
    decimals: int,
    scale: float = 100.0,
    conf_level: float = 0.95,
) -> CIMethodMatch:
    """Find the CI methods whose interval for ``count/nobs`` rounds to the reported one.

    Parameters
    ----------
    count, nobs : int
        Successes and trials.
    lower, upper : float
        Reported limits, in units of ``scale`` (percent by default).
    decimals : int
        Decimals the limits were reported with (24.6 -> 1). Tolerance is ``0.5 * 10**-decimals``,
        so both round-half-up and round-half-even reporting match.
    scale : float, default 100
        100 when limits are percentages, 1 when they are proportions.
    conf_level : float, default 0.95
        Confidence level of the reported interval.

    Returns
    -------
    CIMethodMatch
    """
    tolerance = 0.5 * 10.0 ** (-int(decimals)) + 1e-9
    intervals: dict[str, tuple[float, float]] = {}
    distance: dict[str, float] = {}
    for method in CI_METHODS:
        ci = proportion_ci(count, nobs, method=method, conf_level=conf_level)
        intervals[method] = (ci.lower * scale, ci.upper * scale)
        distance[method] = max(abs(ci.lower * scale - lower), abs(ci.upper * scale - upper))
    matching = tuple(m for m in CI_METHODS if distance[m] <= tolerance)
    nearest = min(CI_METHODS, key=lambda m: distance[m])
    return CIMethodMatch(
        int(count), int(nobs), (float(lower), float(upper)), float(scale), tolerance, matching, intervals, distance,
        nearest,
    )


def counts_for_percentage(percentage: float, nobs: int, *, decimals: int) -> tuple[int, ...]:
    """Return every count ``k`` in 0..nobs whose percentage ``100 k / nobs`` rounds to ``percentage``.

    Parameters
    ----------
    percentage : float
        Reported percentage, e.g. 41.7.
    nobs : int
        Denominator, >= 1.
    decimals : int
        Decimals the percentage was reported with; tolerance is half a unit of the last decimal.

    Returns
    -------
    tuple of int
        Possibly empty (no count gives that percentage).

    Examples
    --------
    >>> counts_for_percentage(41.7, 12, decimals=1)
    (5,)
    """
    if int(nobs) != nobs or nobs < 1:
        raise InputError(f"nobs must be a whole number >= 1, got {nobs!r}")
    tolerance = 0.5 * 10.0 ** (-int(decimals)) + 1e-9
    k = np.arange(int(nobs) + 1)
    hits = np.flatnonzero(np.abs(100.0 * k / nobs - percentage) <= tolerance)
    return tuple(int(i) for i in hits)


def decimals_of(*values: float) -> int:
    """Decimals shown by the shortest repr of the given numbers (the largest among them; 0 for ints).

    YAML drops trailing zeros (6.60 is read as 6.6; 44.0 as 44), so this may under-count; under-counting
    widens the rounding tolerance, which makes the audit more lenient, never stricter.
    """
    best = 0
    for value in values:
        if float(value).is_integer():
            continue  # 71 and 71.0 look alike once parsed: take the lenient reading, no decimals
        text = repr(float(value))
        if "e" in text or "E" in text:
            return 6
        best = max(best, len(text.split(".")[1]) if "." in text else 0)
    return best
