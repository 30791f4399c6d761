"""Two-arm Cox hazard ratio and the log-rank test.

References
----------
.. [1] Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.
.. [2] Efron B. The efficiency of Cox's likelihood function for censored data.
   J Am Stat Assoc 1977;72:557-565.
.. [3] Mantel N. Evaluation of survival data and two new rank order statistics arising in its
   consideration. Cancer Chemother Rep 1966;50:163-170.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sksurv.compare import compare_survival
from sksurv.util import Surv
from statsmodels.duration.hazard_regression import PHReg

from compare.survival.hazard_ratio import HazardRatio

from reconstruct.validation import check_choice, check_probability, check_survival_data
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = ["HazardRatio", "LogRankResult", "cox_hr", "logrank_test"]


@dataclass(frozen=True, eq=False)
class LogRankResult(TableResult):
    """Log-rank test between groups.

    Attributes
    ----------
    statistic : float
        Chi-square statistic.
    df : int
        Number of groups - 1.
    p_value : float
    groups : tuple of str
        Group labels, sorted.
    n, observed, expected : ndarray of shape (n_groups,)
        Subjects, observed and expected events per group (same order as ``groups``).
    """

    statistic: float
    df: int
    p_value: float
    groups: tuple[str, ...]
    n: NDArray[np.int64]
    observed: NDArray[np.float64]
    expected: NDArray[np.float64]

    def __post_init__(self) -> None:
        for name, dtype in (("n", np.int64), ("observed", np.float64), ("expected", np.float64)):
            arr = np.array(getattr(self, name), dtype=dtype, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def to_frame(self) -> pd.DataFrame:
        """One row per group: group, n, observed, expected."""
        return pd.DataFrame({"group": list(self.groups), "n": self.n, "observed": self.observed,
                             "expected": self.expected})


def _groups(group: ArrayLike, size: int) -> NDArray[np.str_]:
    labels = np.asarray(group).astype(str)
    if labels.ndim != 1 or labels.size != size:
        raise InputError(f"group must be 1-dimensional with one label per subject ({size}), got shape {labels.shape}")
    return labels


def cox_hr(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    reference: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    conf_level: float = 0.95,
) -> HazardRatio:
    """Hazard ratio between two groups from a Cox proportional hazards model [1]_ [2]_.

    Fitted with ``statsmodels.duration.hazard_regression.PHReg`` (which gives the observed-information
    SE that scikit-survival does not). Equals R
    ``summary(coxph(Surv(time, event) ~ group, ties = ties))``: exp(coef), lower/upper .95 and
    Pr(>|z|), with ``group`` a factor whose first level is ``reference``.

    Parameters
    ----------
    time, event : array_like of shape (n,)
    group : array_like of shape (n,)
        Two distinct labels.
    reference : str, optional
        Reference label; default the first label in sorted order (R's factor default).
    ties : {"efron", "breslow"}, optional
        Handling of tied event times; "efron" is R's default.
    conf_level : float, optional

    Returns
    -------
    HazardRatio
    """
    time_arr, event_arr = check_survival_data(time, event)
    labels = _groups(group, time_arr.size)
    ties = check_choice(ties, name="ties", choices=("efron", "breslow"))  # type: ignore[assignment]
    conf_level = check_probability(conf_level, name="conf_level")
    levels = sorted(set(labels.tolist()))
    if len(levels) != 2:
        raise InputError(f"group must have exactly 2 distinct labels, got {len(levels)}: {levels[:5]!r}")
    reference = levels[0] if reference is None else str(reference)
    if reference not in levels:
        raise InputError(f"reference must be one of {levels!r}, got {reference!r}")
    comparator = levels[1] if reference == levels[0] else levels[0]
    for label in levels:
        if event_arr[labels == label].sum() == 0:
            raise InputError(f"each group needs at least one event, got none in {label!r}; the HR is not estimable")
    covariate = (labels == comparator).astype(float)[:, None]
    fit = PHReg(time_arr, covariate, status=event_arr, ties=ties).fit()
    log_hr, se = float(fit.params[0]), float(fit.bse[0])
    return HazardRatio.from_log(
        log_hr,
        se,
        conf_level=conf_level,
        source="ipd",
        reference=reference,
        comparator=comparator,
        ties=ties,
        n=int(time_arr.size),
        n_events=int(event_arr.sum()),
    )


def logrank_test(time: ArrayLike, event: ArrayLike, group: ArrayLike) -> LogRankResult:
    """Log-rank test of equal survival across groups [3]_.

    Computed by ``sksurv.compare.compare_survival``; equals R ``survdiff(Surv(time, event) ~ group)``
    (rho = 0): chisq, obs, exp, and p = pchisq(chisq, df, lower.tail = FALSE).

    Parameters
    ----------
    time, event : array_like of shape (n,)
    group : array_like of shape (n,)
        Two or more distinct labels.

    Returns
    -------
    LogRankResult
    """
    time_arr, event_arr = check_survival_data(time, event)
    labels = _groups(group, time_arr.size)
    levels = sorted(set(labels.tolist()))
    if len(levels) < 2:
        raise InputError(f"group must have at least 2 distinct labels, got {levels!r}")
    if event_arr.sum() == 0:
        raise InputError("expected at least one event, got all observations censored (the log-rank variance is 0)")
    y = Surv.from_arrays(event=event_arr.astype(bool), time=time_arr)
    try:
        chisq, p_value, stats = compare_survival(y, labels, return_stats=True)[:3]
    except np.linalg.LinAlgError:
        raise InputError(
            "expected at least one event time with two groups at risk, got none (the log-rank variance is 0)"
        ) from None
    stats = stats.loc[levels]
    return LogRankResult(
        statistic=float(chisq),
        df=len(levels) - 1,
        p_value=float(p_value),
        groups=tuple(levels),
        n=stats["counts"].to_numpy(),
        observed=stats["observed"].to_numpy(dtype=float),
        expected=stats["expected"].to_numpy(dtype=float),
    )
