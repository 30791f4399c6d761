"""Layer 1: statistics across arms and trials. Importing it never loads OpenCV, and names load on first use.

Sub-packages by topic:

* :mod:`compare.survival` -- Kaplan-Meier, medians and landmarks, RMST, Cox HR, log-rank, pooled curves,
  and the per-arm summary of an IPD set (each checked against R ``survival``).
* :mod:`compare.response` -- response rates, proportion CIs (eight methods), meta-analysis of proportions.
* :mod:`compare.registry` -- the registry of published trial results and its checks.
* :mod:`compare.audit` -- internal consistency of a paper's numbers, and Simon two-stage designs.
* :mod:`compare.indirect` -- comparability checks, Bucher indirect comparisons, the cross-trial comparison.
"""

from reconstruct._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(['AuditInput', 'AuditReport', 'audit_file', 'audit_registry', 'load_audit_input'], 'compare.audit.audit'),
    **dict.fromkeys(['SimonSearch', 'TwoStageDesign', 'evaluate_simon_design', 'simon_designs'], 'compare.audit.simon'),
    **dict.fromkeys(['AuditFinding', 'AuditOptions', 'parse_audit_options'], 'compare.audit.types'),
    'bucher': 'compare.indirect.bucher',
    'restrict_to_visible': 'compare.survival.visible',
    **dict.fromkeys(['ArmSelection', 'Comparability', 'ComparabilityIssue', 'PopulationThresholds', 'check_comparability', 'check_pool', 'enforce'], 'compare.indirect.comparability'),
    **dict.fromkeys(['BinaryEndpointReport', 'ComparisonReport', 'HazardRatioReport', 'build_comparison', 'frame_to_markdown'], 'compare.indirect.comparison'),
    **dict.fromkeys(['Arm', 'BinaryRecord', 'Design', 'HazardRatioRecord', 'LandmarkRecord', 'MedianRecord', 'PopulationShare', 'Provenance', 'Registry', 'SimonDesign', 'Trial', 'default_registry_path', 'load_registry', 'parse_registry'], 'compare.registry.loader'),
    **dict.fromkeys(['MetaAnalysisResult', 'meta_proportions'], 'compare.response.meta_analysis'),
    **dict.fromkeys(['CIMethodMatch', 'CI_METHODS', 'ProportionCI', 'counts_for_percentage', 'match_ci_methods', 'proportion_ci'], 'compare.response.proportion_ci'),
    **dict.fromkeys(['ProportionComparison', 'ProportionEstimate', 'compare_proportions', 'response_rate'], 'compare.response.proportions'),
    **dict.fromkeys(['HazardRatio', 'KMEstimate', 'LandmarkSurvival', 'LogRankResult', 'MedianEstimate', 'PooledKM', 'RMSTDifference', 'RMSTEstimate', 'SurvivalQuantile', 'cox_hr', 'kaplan_meier', 'landmark_survival', 'logrank_test', 'median_survival', 'pooled_km', 'rmst', 'rmst_difference', 'survival_quantile'], 'compare.survival'),
    **dict.fromkeys(['ArmContrast', 'ArmSummary', 'IPDSummary', 'contrast_arms', 'summarize_ipd'], 'compare.survival.ipd_summary'),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
