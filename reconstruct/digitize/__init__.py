"""Raster figures: image, panel and axes, OCR, curves, legend, censor marks, at-risk table.

The only part of kmrecon that loads OpenCV and the OCR engine; its names are imported on first use.
:func:`digitize_figure` reads a file, :func:`digitize_image` an RGB array; both return a
:class:`DigitizedFigure` whose positions are pixels ``(row, col)``, origin top-left.
"""

from reconstruct._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(["DigitizedArm", "DigitizedFigure"], "reconstruct.digitize.digitized"),
    **dict.fromkeys(["digitize_figure", "digitize_image"], "reconstruct.digitize.figure"),
    **dict.fromkeys(["AxisCalibration", "PlotPanel", "calibrate_axes", "find_panel"], "reconstruct.digitize.axes"),
    **dict.fromkeys(["LoadedImage", "load_image", "decode_image"], "reconstruct.digitize.image"),
    **dict.fromkeys(["RiskRow", "RiskTable", "read_risk_table"], "reconstruct.digitize.risk_table"),
    "find_censor_marks": "reconstruct.digitize.censor_marks",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
