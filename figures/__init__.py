"""Plots of kmrecon results. Every function takes a result and an optional matplotlib ``Axes`` and returns the ``Axes``."""

from figures._forest import plot_hazard_ratio_forest, plot_proportion_forest
from figures._km_plot import add_risk_table, plot_km

__all__ = ["add_risk_table", "plot_hazard_ratio_forest", "plot_km", "plot_proportion_forest"]
