"""PDF and SVG plots read from their drawing operations and text: exact coordinates, no OCR.

Results are the raster digitizer's :class:`reconstruct.digitize.DigitizedFigure`, with positions in
page units (points for PDF, user units for SVG), ``(row, col)`` origin top-left.
"""

from reconstruct._lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(["FoundPlot", "find_km_plots", "plot_thumbnails", "digitize_pdf"], "reconstruct.vector.pdf"),
    **dict.fromkeys(["read_svg_page", "digitize_svg"], "reconstruct.vector.svg"),
    **dict.fromkeys(["vector_plots", "vector_figure"], "reconstruct.vector.figure"),
    "read_pdf_pages": "reconstruct.vector.pdf_read",
    "read_at_risk_table": "reconstruct.vector.risk_table",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
