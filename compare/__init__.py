"""Survival and response statistics across arms and trials: registry, contrasts, meta-analysis, audit, Simon designs.

Importing this package never loads OpenCV.
"""

from compare._survival import (
    HazardRatio,
    KMEstimate,
    LandmarkSurvival,
    LogRankResult,
    MedianEstimate,
    PooledKM,
    RMSTDifference,
    RMSTEstimate,
    SurvivalQuantile,
    cox_hr,
    kaplan_meier,
    landmark_survival,
    logrank_test,
    median_survival,
    pooled_km,
    rmst,
    rmst_difference,
    survival_quantile,
)

__all__ = [
    "HazardRatio",
    "KMEstimate",
    "LandmarkSurvival",
    "LogRankResult",
    "MedianEstimate",
    "PooledKM",
    "RMSTDifference",
    "RMSTEstimate",
    "SurvivalQuantile",
    "cox_hr",
    "kaplan_meier",
    "landmark_survival",
    "logrank_test",
    "median_survival",
    "pooled_km",
    "rmst",
    "rmst_difference",
    "survival_quantile",
]
