"""Layer 2: plots of kmrecon results. Each takes a result and an optional matplotlib ``Axes`` and returns the ``Axes``.

Plot functions compute no statistics and never call ``show()``; matplotlib loads on first use.
"""

from reconstruct._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(["plot_hazard_ratio_forest", "plot_proportion_forest"], "figures.forest"),
    **dict.fromkeys(["add_risk_table", "plot_km"], "figures.km_plot"),
    **dict.fromkeys(["overlay_png", "plot_digitization_overlay"], "figures.overlay"),
    **dict.fromkeys(["plot_digitized_vs_reconstructed", "plot_reconstructed_km"], "figures.fit_plot"),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
