"""Survival statistics from IPD: one import point for the public names of the survival core.

The work is done in :mod:`compare.survival.km` (Kaplan-Meier), :mod:`compare.survival.km_summaries` (quantiles,
landmarks), :mod:`compare.survival.rmst`,
:mod:`compare.survival.cox` (Cox HR, log-rank) and :mod:`compare.survival.pooled`; every function names its R
equivalent and is checked against ``tests/reference/survival_reference.json``.
"""

from __future__ import annotations

from compare.survival.cox import HazardRatio, LogRankResult, cox_hr, logrank_test
from compare.survival.km import KMEstimate, kaplan_meier
from compare.survival.km_summaries import (
    LandmarkSurvival,
    MedianEstimate,
    SurvivalQuantile,
    landmark_survival,
    median_survival,
    survival_quantile,
)
from compare.survival.pooled import PooledKM, pooled_km
from compare.survival.rmst import RMSTDifference, RMSTEstimate, rmst, rmst_difference

__all__ = [
    "KMEstimate",
    "SurvivalQuantile",
    "MedianEstimate",
    "LandmarkSurvival",
    "RMSTEstimate",
    "RMSTDifference",
    "HazardRatio",
    "LogRankResult",
    "PooledKM",
    "kaplan_meier",
    "survival_quantile",
    "median_survival",
    "landmark_survival",
    "rmst",
    "rmst_difference",
    "cox_hr",
    "logrank_test",
    "pooled_km",
]
