"""Binary (response-type) endpoints: exact CIs per arm and two-arm contrasts.

Formulas and their R equivalents
--------------------------------
* Per arm: Clopper-Pearson exact interval (:func:`compare.proportion_ci`, statsmodels underneath);
  equals ``binom.test(x, n)$conf.int`` in R.
* Difference p1 - p2: Newcombe's hybrid score interval (method 10 of [1], Wilson intervals combined, no
  continuity correction) by default, or Wald; ``statsmodels.stats.proportion.confint_proportions_2indep``.
  R: Wilson bounds from ``prop.test(x, n, correct = FALSE)$conf.int`` combined as in [1].
* Ratio p1 / p2: Katz log interval, exp(log(p1/p2) +- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)); when a count is 0
  the "log-adjusted" variant (0.5 added to each count and denominator) is used and named in the result.
* Fisher's exact test (two-sided) with the conditional maximum-likelihood odds ratio and its exact CI,
  ``scipy.stats.fisher_exact`` and ``scipy.stats.contingency.odds_ratio(kind="conditional")``;
  equal ``fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2))`` in R.

References
----------
1. Newcombe RG. Interval estimation for the difference between independent proportions: comparison of
   eleven methods. *Stat Med* 1998;17:873-90.
2. Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the binomial.
   *Biometrika* 1934;26:404-13.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from compare.response.proportion_ci import proportion_ci as general_proportion_ci
from reconstruct.validation import check_probability
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = [
    "ProportionEstimate",
    "ProportionComparison",
    "response_rate",
    "compare_proportions",
    "check_counts",
]

DIFFERENCE_METHODS = ("newcomb", "wald")
RATIO_METHODS = ("log",)


@dataclass(frozen=True)
class ProportionEstimate(TableResult):
    """A proportion x/n with its exact (Clopper-Pearson) confidence interval.

    Attributes
    ----------
    x, n : int
        Responders and patients evaluated.
    proportion : float
        x / n, in [0, 1].
    ci : tuple of float
        (lower, upper), proportions in [0, 1].
    conf_level : float
        Two-sided confidence level of ``ci``.
    method : str
        ``"clopper-pearson"`` (R ``binom.test``).
    label : str or None
        Name of the arm or study.
    """

    x: int
    n: int
    proportion: float
    ci: tuple[float, float]
    conf_level: float
    method: str
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict."""
        return {
            "label": self.label,
            "x": self.x,
            "n": self.n,
            "proportion": self.proportion,
            "ci_low": self.ci[0],
            "ci_high": self.ci[1],
            "conf_level": self.conf_level,
            "method": self.method,
        }


@dataclass(frozen=True)
class ProportionComparison(TableResult):
    """Contrast of two independent proportions (arm 1 against arm 2).

    Attributes
    ----------
    first, second : ProportionEstimate
        The two arms (Clopper-Pearson CIs).
    difference : float
        p1 - p2.
    difference_ci : tuple of float
        CI of the difference by ``difference_method``.
    difference_method : str
        ``"newcomb"`` (hybrid score, [1] method 10) or ``"wald"``.
    ratio : float
        p1 / p2 (``inf`` when p2 = 0 < p1, ``nan`` when both are 0).
    ratio_ci : tuple of float
        CI of the ratio by ``ratio_method``.
    ratio_method : str
        ``"log"`` (Katz) or ``"log-adjusted"`` (0.5 added, used when a count is 0).
    odds_ratio : float
        Conditional maximum-likelihood odds ratio (R ``fisher.test``).
    odds_ratio_ci : tuple of float
        Its exact conditional CI.
    p_value : float
        Two-sided Fisher exact test p-value.
    conf_level : float
    """

    first: ProportionEstimate
    second: ProportionEstimate
    difference: float
    difference_ci: tuple[float, float]
    difference_method: str
    ratio: float
    ratio_ci: tuple[float, float]
    ratio_method: str
    odds_ratio: float
    odds_ratio_ci: tuple[float, float]
    p_value: float
    conf_level: float

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a flat JSON-ready dict."""
        return {
            "first": self.first.to_dict(),
            "second": self.second.to_dict(),
            "difference": self.difference,
            "difference_ci": list(self.difference_ci),
            "difference_method": self.difference_method,
            "ratio": self.ratio,
            "ratio_ci": list(self.ratio_ci),
            "ratio_method": self.ratio_method,
            "odds_ratio": self.odds_ratio,
            "odds_ratio_ci": list(self.odds_ratio_ci),
            "fisher_p_value": self.p_value,
            "conf_level": self.conf_level,
        }


def check_counts(x: Any, n: Any, *, name: str = "x") -> tuple[int, int]:
    """Return ``(x, n)`` as ints after checking 0 <= x <= n and n >= 1.

    Raises
    ------
    InputError
        For non-integer counts, n < 1 or x outside [0, n].
    """
    values = []
    for label, value in ((name, x), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
            raise InputError(f"{label} must be a whole number, got {value!r}")
        if not math.isfinite(float(value)) or float(value) != round(float(value)):
            raise InputError(f"{label} must be a whole number, got {value!r}")
        values.append(int(value))
    x_int, n_int = values
    if n_int < 1:
        raise InputError(f"n must be a whole number >= 1, got {n!r}")
    if not 0 <= x_int <= n_int:
        raise InputError(f"{name} must lie in [0, n={n_int}], got {x!r}")
    return x_int, n_int


def response_rate(x: int, n: int, *, conf_level: float = 0.95, label: str | None = None) -> ProportionEstimate:
    """Response rate x/n with its Clopper-Pearson exact confidence interval.

    Parameters
    ----------
    x, n : int
        Responders and patients evaluated, 0 <= x <= n, n >= 1.
    conf_level : float, default 0.95
        Two-sided confidence level.
    label : str, optional
        Name carried on the result.

    Returns
    -------
    ProportionEstimate
        Equals R ``binom.test(x, n, conf.level = conf_level)$conf.int``; computed by
        :func:`compare.proportion_ci` with ``method="clopper-pearson"``.

    Examples
    --------
    >>> est = response_rate(11, 25)
    >>> round(est.ci[0], 4), round(est.ci[1], 4)
    (0.244, 0.6507)
    """
    x, n = check_counts(x, n)
    level = check_probability(conf_level, name="conf_level")
    ci = general_proportion_ci(x, n, method="clopper-pearson", conf_level=level)
    low, high = ci.lower, ci.upper
    return ProportionEstimate(x, n, x / n, (low, high), level, "clopper-pearson", label)


def compare_proportions(
    x1: int,
    n1: int,
    x2: int,
    n2: int,
    *,
    conf_level: float = 0.95,
    difference_method: str = "newcomb",
    labels: tuple[str | None, str | None] = (None, None),
) -> ProportionComparison:
    """Difference, ratio, odds ratio and Fisher's exact test for two independent proportions.

    Parameters
    ----------
    x1, n1 : int
        Responders and patients of the first arm.
    x2, n2 : int
        Responders and patients of the second (reference) arm.
    conf_level : float, default 0.95
        Two-sided confidence level of every interval.
    difference_method : {"newcomb", "wald"}, default "newcomb"
        Interval for p1 - p2 (see the module docstring).
    labels : tuple of (str or None), optional
        Names of the two arms.

    Returns
    -------
    ProportionComparison

    Examples
    --------
    >>> c = compare_proportions(11, 25, 51, 125)
    >>> round(c.difference, 3), round(c.p_value, 4)
    (0.032, 0.8256)
    """
    x1, n1 = check_counts(x1, n1, name="x1")
    x2, n2 = check_counts(x2, n2, name="x2")
    level = check_probability(conf_level, name="conf_level")
    if difference_method not in DIFFERENCE_METHODS:
        raise InputError(f"difference_method must be one of {', '.join(DIFFERENCE_METHODS)}, got {difference_method!r}")
    alpha = 1.0 - level
    p1, p2 = x1 / n1, x2 / n2
    d_low, d_high = confint_proportions_2indep(x1, n1, x2, n2, method=difference_method, compare="diff", alpha=alpha)
    ratio_method = "log" if x1 > 0 and x2 > 0 else "log-adjusted"
    r_low, r_high = confint_proportions_2indep(x1, n1, x2, n2, method=ratio_method, compare="ratio", alpha=alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(np.float64(p1) / np.float64(p2))
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    p_value = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    odds = stats.contingency.odds_ratio(table, kind="conditional")
    or_ci = odds.confidence_interval(confidence_level=level, alternative="two-sided")
    return ProportionComparison(
        first=response_rate(x1, n1, conf_level=level, label=labels[0]),
        second=response_rate(x2, n2, conf_level=level, label=labels[1]),
        difference=p1 - p2,
        difference_ci=(float(d_low), float(d_high)),
        difference_method=difference_method,
        ratio=ratio,
        ratio_ci=(float(r_low), float(r_high)),
        ratio_method=ratio_method,
        odds_ratio=float(odds.statistic),
        odds_ratio_ci=(float(or_ci.low), float(or_ci.high)),
        p_value=p_value,
        conf_level=level,
    )
