"""Random-effects meta-analysis of single proportions (one arm per study).

Transformations (``measure``), as ``metafor::escalc``
-----------------------------------------------------
* ``"PLO"``: logit, y = log(x / (n - x)), v = 1/x + 1/(n - x); a study with x = 0 or x = n gets 0.5 added
  to both cells first (escalc's ``add = 1/2, to = "only0"``). Back-transform: inverse logit.
* ``"PFT"``: Freeman-Tukey double arcsine, y = (asin(sqrt(x/(n+1))) + asin(sqrt((x+1)/(n+1)))) / 2,
  v = 1/(4n + 2). Back-transform: Miller's inversion at the harmonic mean of the study sizes,
  exactly ``metafor::transf.ipft.hm`` (values beyond the transforms of 0 and 1 clamp to 0 and 1).

Between-study variance (``method``), as ``metafor::rma(..., method=)``
---------------------------------------------------------------------
* ``"DL"``: DerSimonian-Laird moment estimator, truncated at 0.
* ``"REML"``: restricted maximum likelihood, the root of the REML score equation (Viechtbauer 2005),
  found to machine precision; metafor's Fisher scoring stops at ``threshold = 1e-5`` by default, so
  the reference fixture uses ``control = list(threshold = 1e-12)``.

The pooled estimate is the inverse-variance weighted mean with weights 1/(v + tau2), z-based CI
(metafor ``test = "z"``). Heterogeneity: Cochran's Q (fixed-effect weights) on k - 1 df;
I2 = 100 tau2 / (tau2 + s2) and H2 = (tau2 + s2) / s2 with s2 the "typical" within-study variance
(k - 1) sum(w) / ((sum w)^2 - sum(w^2)), w = 1/v (Higgins & Thompson 2002), which is how metafor reports
them for every tau2 estimator.

References
----------
1. DerSimonian R, Laird N. Meta-analysis in clinical trials. *Control Clin Trials* 1986;7:177-88.
2. Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the random-effects model.
   *J Educ Behav Stat* 2005;30:261-93.
3. Miller JJ. The inverse of the Freeman-Tukey double arcsine transformation. *Am Stat* 1978;32:138.
4. Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. *Stat Med* 2002;21:1539-58.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from compare.response.proportions import ProportionEstimate, check_counts, response_rate
from reconstruct.validation import check_probability
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = ["MetaAnalysisResult", "meta_proportions", "transform_proportions", "back_transform"]

MEASURES = ("PLO", "PFT")
METHODS = ("DL", "REML")


@dataclass(frozen=True, eq=False)
class MetaAnalysisResult(TableResult):
    """Random-effects pooled proportion.

    Attributes
    ----------
    measure : {"PLO", "PFT"}
        Scale of the analysis (logit or Freeman-Tukey double arcsine).
    method : {"DL", "REML"}
        Estimator of tau2.
    labels : tuple of str
        Study names, length k.
    studies : tuple of ProportionEstimate
        Per-study x/n with Clopper-Pearson CI (for display), length k.
    yi, vi : ndarray of shape (k,)
        Transformed proportions and their sampling variances (``metafor::escalc``).
    weights : ndarray of shape (k,)
        Random-effects weights in percent (sum 100).
    estimate, se : float
        Pooled value and its standard error on the ``measure`` scale.
    ci : tuple of float
        CI of ``estimate`` on the ``measure`` scale.
    z, p_value : float
        Wald test of estimate = 0 on the ``measure`` scale.
    proportion : float
        Pooled proportion, back-transformed.
    proportion_ci : tuple of float
        Back-transformed CI.
    tau2 : float
        Between-study variance (``measure`` scale).
    i2 : float
        I2 in percent.
    h2 : float
        H2.
    q : float
        Cochran's Q.
    q_df : int
        k - 1.
    q_p_value : float
        Upper-tail chi-square p-value of Q.
    conf_level : float
    """

    measure: str
    method: str
    labels: tuple[str, ...]
    studies: tuple[ProportionEstimate, ...]
    yi: NDArray[np.float64]
    vi: NDArray[np.float64]
    weights: NDArray[np.float64]
    estimate: float
    se: float
    ci: tuple[float, float]
    z: float
    p_value: float
    proportion: float
    proportion_ci: tuple[float, float]
    tau2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p_value: float
    conf_level: float

    def __post_init__(self) -> None:
        for name in ("yi", "vi", "weights"):
            arr = np.array(getattr(self, name), dtype=float, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def k(self) -> int:
        """Number of studies."""
        return len(self.labels)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the pooled results and the per-study inputs."""
        return {
            "measure": self.measure,
            "method": self.method,
            "k": self.k,
            "studies": [s.to_dict() for s in self.studies],
            "yi": self.yi.tolist(),
            "vi": self.vi.tolist(),
            "weights_pct": self.weights.tolist(),
            "estimate": self.estimate,
            "se": self.se,
            "ci": list(self.ci),
            "z": self.z,
            "p_value": self.p_value,
            "proportion": self.proportion,
            "proportion_ci": list(self.proportion_ci),
            "tau2": self.tau2,
            "i2_pct": self.i2,
            "h2": self.h2,
            "q": self.q,
            "q_df": self.q_df,
            "q_p_value": self.q_p_value,
            "conf_level": self.conf_level,
        }


def transform_proportions(
    x: NDArray[np.int64], n: NDArray[np.int64], *, measure: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return ``(yi, vi)`` of each study on the ``measure`` scale, as ``metafor::escalc``.

    Parameters
    ----------
    x, n : ndarray of int, shape (k,)
        Events and sample sizes.
    measure : {"PLO", "PFT"}

    Returns
    -------
    yi, vi : ndarray of shape (k,)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    if measure == "PLO":
        zero = (x == 0) | (x == n)
        xa = np.where(zero, x + 0.5, x)
        na = np.where(zero, n + 1.0, n)
        return np.log(xa / (na - xa)), 1.0 / xa + 1.0 / (na - xa)
    if measure == "PFT":
        yi = 0.5 * (np.arcsin(np.sqrt(x / (n + 1.0))) + np.arcsin(np.sqrt((x + 1.0) / (n + 1.0))))
        return yi, 1.0 / (4.0 * n + 2.0)
    raise InputError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")


def _pft(p: float, n: float) -> float:
    """Freeman-Tukey transform of a proportion p at sample size n (``metafor::transf.pft``)."""
    xi = p * n
    return 0.5 * (np.arcsin(np.sqrt(xi / (n + 1.0))) + np.arcsin(np.sqrt((xi + 1.0) / (n + 1.0))))


def back_transform(values: NDArray[np.float64], *, measure: str, n: NDArray[np.int64]) -> NDArray[np.float64]:
    """Map values on the ``measure`` scale back to proportions.

    ``"PLO"``: inverse logit. ``"PFT"``: ``metafor::transf.ipft.hm`` (Miller's inverse at the harmonic
    mean of ``n``).

    Parameters
    ----------
    values : ndarray
        Values on the analysis scale.
    measure : {"PLO", "PFT"}
    n : ndarray of int, shape (k,)
        Study sample sizes (used by ``"PFT"``).

    Returns
    -------
    ndarray
        Proportions in [0, 1], same shape as ``values``.
    """
    values = np.asarray(values, dtype=float)
    if measure == "PLO":
        return stats.logistic.cdf(values)
    nhm = 1.0 / np.mean(1.0 / np.asarray(n, dtype=float))
    s = np.sin(2.0 * values)
    with np.errstate(invalid="ignore", divide="ignore"):
        inner = 1.0 - (s + (s - 1.0 / s) / nhm) ** 2
        zi = 0.5 * (1.0 - np.sign(np.cos(2.0 * values)) * np.sqrt(inner))
    zi = np.where(values > _pft(1.0, nhm), 1.0, zi)
    zi = np.where(values < _pft(0.0, nhm), 0.0, zi)
    return zi


def _tau2_dl(yi: NDArray, vi: NDArray) -> float:
    # statsmodels 0.15 combine_effects(method_re="dl") does not truncate tau2 at 0 (negative variance, NaN SE),
    # so the one-line DerSimonian-Laird moment estimator is written out here.
    w = 1.0 / vi
    mu = np.sum(w * yi) / np.sum(w)
    q = np.sum(w * (yi - mu) ** 2)
    return max(0.0, (q - (len(yi) - 1)) / (np.sum(w) - np.sum(w**2) / np.sum(w)))


def _reml_score(tau2: float, yi: NDArray, vi: NDArray) -> float:
    w = 1.0 / (vi + tau2)
    mu = np.sum(w * yi) / np.sum(w)
    return float(np.sum(w**2 * (yi - mu) ** 2) - np.sum(w) + np.sum(w**2) / np.sum(w))


def _tau2_reml(yi: NDArray, vi: NDArray) -> float:
    # statsmodels has no REML tau2 estimator for combine_effects; the REML score equation is solved by brentq.
    if _reml_score(0.0, yi, vi) <= 0.0:
        return 0.0
    upper = max(float(np.var(yi)), float(np.max(vi)), 1e-8)
    while _reml_score(upper, yi, vi) > 0.0:
        upper *= 2.0
        if upper > 1e12:
            raise InputError("expected a finite REML tau2, got a diverging score equation; check the study data")
    return float(optimize.brentq(_reml_score, 0.0, upper, args=(yi, vi), xtol=1e-15, rtol=4 * np.finfo(float).eps))


def meta_proportions(
    x: Sequence[int],
    n: Sequence[int],
    *,
    measure: str = "PLO",
    method: str = "REML",
    conf_level: float = 0.95,
    labels: Sequence[str] | None = None,
) -> MetaAnalysisResult:
    """Random-effects meta-analysis of proportions x/n.

    Parameters
    ----------
    x, n : sequence of int, length k >= 2
        Events and sample sizes per study.
    measure : {"PLO", "PFT"}, default "PLO"
        Logit or Freeman-Tukey double arcsine scale.
    method : {"DL", "REML"}, default "REML"
        tau2 estimator.
    conf_level : float, default 0.95
    labels : sequence of str, optional
        Study names (default ``"study 1"``...).

    Returns
    -------
    MetaAnalysisResult
        Equals ``metafor::rma(measure = measure, xi = x, ni = n, method = method)`` with
        ``predict(res, transf = transf.ilogit)`` (PLO) or ``transf.ipft.hm, targs = list(ni = n)`` (PFT).

    Raises
    ------
    InputError
        For fewer than two studies, invalid counts, an unknown measure or method.

    Examples
    --------
    >>> res = meta_proportions([11, 31, 24], [25, 35, 36], measure="PLO", method="DL")
    >>> round(res.proportion, 4), round(res.i2, 1)
    (0.6875, 83.1)
    """
    if measure not in MEASURES:
        raise InputError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if len(x) != len(n):
        raise InputError(f"x and n must have the same length, got {len(x)} and {len(n)}")
    if len(x) < 2:
        raise InputError(f"expected at least 2 studies to pool, got {len(x)}")
    counts = [check_counts(xi, ni, name=f"x[{i}]") for i, (xi, ni) in enumerate(zip(x, n, strict=True))]
    xs = np.array([c[0] for c in counts], dtype=np.int64)
    ns = np.array([c[1] for c in counts], dtype=np.int64)
    names = tuple(labels) if labels is not None else tuple(f"study {i + 1}" for i in range(len(xs)))
    if len(names) != len(xs):
        raise InputError(f"labels must have one name per study ({len(xs)}), got {len(names)}")
    level = check_probability(conf_level, name="conf_level")
    yi, vi = transform_proportions(xs, ns, measure=measure)
    tau2 = _tau2_dl(yi, vi) if method == "DL" else _tau2_reml(yi, vi)

    w_fe = 1.0 / vi
    k = len(yi)
    mu_fe = np.sum(w_fe * yi) / np.sum(w_fe)
    q = float(np.sum(w_fe * (yi - mu_fe) ** 2))
    s2 = (k - 1) * np.sum(w_fe) / (np.sum(w_fe) ** 2 - np.sum(w_fe**2))
    w = 1.0 / (vi + tau2)
    estimate = float(np.sum(w * yi) / np.sum(w))
    se = float(np.sqrt(1.0 / np.sum(w)))
    crit = float(stats.norm.isf((1.0 - level) / 2.0))
    ci = (estimate - crit * se, estimate + crit * se)
    z = estimate / se
    back = back_transform(np.array([estimate, ci[0], ci[1]]), measure=measure, n=ns)
    return MetaAnalysisResult(
        measure=measure,
        method=method,
        labels=names,
        studies=tuple(response_rate(int(a), int(b), conf_level=level, label=lab)
                      for a, b, lab in zip(xs, ns, names, strict=True)),
        yi=yi,
        vi=vi,
        weights=100.0 * w / np.sum(w),
        estimate=estimate,
        se=se,
        ci=ci,
        z=float(z),
        p_value=float(2.0 * stats.norm.sf(abs(z))),
        proportion=float(back[0]),
        proportion_ci=(float(back[1]), float(back[2])),
        tau2=float(tau2),
        i2=float(100.0 * tau2 / (tau2 + s2)),
        h2=float((tau2 + s2) / s2),
        q=q,
        q_df=k - 1,
        q_p_value=float(stats.chi2.sf(q, k - 1)),
        conf_level=level,
    )
