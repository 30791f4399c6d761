"""Rasterise a :class:`reconstruct.vector.geometry.VectorPage` (or a box of it) from its extracted paths with matplotlib.

Used as the background of overlays for SVG figures, whose positions are user units: at one pixel
per unit the overlay lands where the paths are. PDF pages are rendered by PDFium instead
(:mod:`reconstruct.vector.pdf_render`), which shows them as a viewer does.
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray

from reconstruct.vector.geometry import VectorPage

__all__ = ["redraw"]


def redraw(page: VectorPage, bbox: tuple[float, float, float, float], *, width_px: int) -> NDArray[np.uint8]:
    """Draw the paths and text inside ``bbox`` (``(row0, col0, row1, col1)``, page units).

    Returns
    -------
    ndarray of shape (n_rows, width_px, 3), uint8
        ``n_rows`` keeps the box's aspect ratio; origin top-left like the page.
    """
    import cv2
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    r0, c0, r1, c1 = bbox
    width, height = max(c1 - c0, 1.0), max(r1 - r0, 1.0)
    scale = width_px / width
    fig = Figure(figsize=(width_px / 100, max(height * scale, 1.0) / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(c0, c1)
    ax.set_ylim(r1, r0)
    ax.set_axis_off()
    for path in page.paths:
        for sub in path.subpaths:
            if path.fill is not None and path.stroke is None and len(sub) > 2:
                ax.fill(sub[:, 1], sub[:, 0], color=path.fill, linewidth=0)
            elif path.stroke is not None:
                ax.plot(sub[:, 1], sub[:, 0], color=path.stroke, linewidth=max(path.line_width * scale, 0.3) * 0.72)
    for text in page.texts:
        if r0 <= text.row <= r1 and c0 <= text.col <= c1 and " " not in text.text:
            upright = text.col1 - text.col0 >= text.row1 - text.row0 or len(text.text) == 1
            size = (text.height if upright else text.col1 - text.col0) * scale * 0.72 * 0.7
            ax.text(text.col, text.row, text.text, ha="center", va="center", fontsize=size,
                    rotation=0 if upright else 90)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    bgr = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    return np.ascontiguousarray(bgr[:, :, ::-1])
