"""Plots of kmrecon results: each takes a result and an optional matplotlib ``Axes`` and returns the ``Axes``."""

from figures._forest import plot_hazard_ratio_forest, plot_proportion_forest
from figures._km_plot import add_risk_table, plot_km
from figures._overlay import overlay_png, plot_digitization_overlay
from figures._report_plot import plot_digitized_vs_reconstructed, plot_reconstructed_km

__all__ = [
    "add_risk_table",
    "overlay_png",
    "plot_digitization_overlay",
    "plot_digitized_vs_reconstructed",
    "plot_hazard_ratio_forest",
    "plot_km",
    "plot_proportion_forest",
    "plot_reconstructed_km",
]
