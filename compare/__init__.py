"""Survival and response statistics across arms and trials: registry, contrasts, meta-analysis, audit, Simon designs.

Importing this package never loads OpenCV.
"""

from compare._proportion_ci import (
    CI_METHODS,
    CIMethodMatch,
    ProportionCI,
    counts_for_percentage,
    match_ci_methods,
    proportion_ci,
)
from compare._simon import SimonSearch, TwoStageDesign, evaluate_simon_design, simon_designs
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
    "CI_METHODS",
    "CIMethodMatch",
    "ProportionCI",
    "SimonSearch",
    "TwoStageDesign",
    "counts_for_percentage",
    "evaluate_simon_design",
    "match_ci_methods",
    "proportion_ci",
    "simon_designs",
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
