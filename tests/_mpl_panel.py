"""Render a matplotlib figure for the digitizer's tests: its pixels, the axes' panel and the x calibration."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg


def render_panel(fig, ax) -> tuple[np.ndarray, tuple[int, int, int, int], Callable[[float], float]]:
    """Draw ``fig`` with Agg; return its RGB pixels ``(rows, cols, 3)``, the panel of ``ax`` as
    ``(row0, col0, row1, col1)`` (origin top-left) and the map from a pixel column to the x value."""
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    height = rgb.shape[0]
    ext = ax.get_window_extent()
    bbox = (int(height - ext.y1), int(ext.x0), int(np.ceil(height - ext.y0)), int(np.ceil(ext.x1)))
    inverse = ax.transData.inverted()
    return rgb, bbox, lambda col: float(inverse.transform((col, 0.0))[0])
