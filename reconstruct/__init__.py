"""Layer 0: individual patient data from curve points, plus the shared base of every kmrecon package.

Sub-packages and modules by stage:

* :mod:`reconstruct.digitize` -- raster figures (image, panel and axes, OCR, curves, legend, censor marks,
  at-risk table); the only place that loads OpenCV and the OCR engine.
* :mod:`reconstruct.vector` -- PDF and SVG plots read from their drawing operations and text.
* :mod:`reconstruct.document` -- one entry point for a figure file of any kind.
* :mod:`reconstruct.reconstruction`, :mod:`reconstruct.guyot`, :mod:`reconstruct.arm_matching` -- the IPD
  algorithms (pure NumPy/SciPy).
* :mod:`reconstruct.errors`, :mod:`reconstruct.validation`, :mod:`reconstruct.io` -- the shared base:
  one exception hierarchy, parameter checks, and the CSV/JSON data contracts.

Every public name is imported on first use, so ``import reconstruct`` is cheap and loads no OpenCV.
"""

from reconstruct._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(["CleanedAtRisk", "CleanedCurve", "clean_at_risk", "clean_curve"], "reconstruct.clean"),
    **dict.fromkeys(["provenance", "read_at_risk_csv", "read_curves_csv", "read_ipd_csv", "sha256_file", "write_csv",
                     "write_json"], "reconstruct.io"),
    **dict.fromkeys(["km_at", "reconstruct_arm", "reconstruct_files", "reconstruct_ipd"],
                    "reconstruct.reconstruction"),
    **dict.fromkeys(["ArmReconstruction", "FidelityReport", "IPDReconstruction"], "reconstruct.results"),
    **dict.fromkeys(["SimulatedArm", "km_step_points", "number_at_risk", "simulate_arm"], "reconstruct.simulate"),
    **dict.fromkeys(["ArmCurve", "ArmMatch", "RiskRowInfo", "match_arms_to_rows"], "reconstruct.arm_matching"),
    **dict.fromkeys(["FigureDocument", "open_document", "digitize_document", "read_document_at_risk",
                     "overlay_background"], "reconstruct.document"),
    "AxisCalibration": "reconstruct.digitize.axes",
    **dict.fromkeys(["DigitizedArm", "DigitizedFigure"], "reconstruct.digitize.digitized"),
    **dict.fromkeys(["digitize_figure", "digitize_image"], "reconstruct.digitize.figure"),
    "read_risk_table": "reconstruct.digitize.risk_table",
    **dict.fromkeys(["FoundPlot", "find_km_plots", "plot_thumbnails", "digitize_pdf"], "reconstruct.vector.pdf"),
    "digitize_svg": "reconstruct.vector.svg",
    **dict.fromkeys(["DEFAULT_DRAWS", "IPDDraws", "draw_ipd"], "reconstruct.draws"),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
