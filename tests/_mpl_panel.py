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


def km_steps(rng: np.random.Generator, n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """KM step corners ``(time, survival)`` of ``n`` exponential times (scale ``scale``), censored at 30."""
    t = np.sort(np.minimum(rng.exponential(scale, n), 30.0))
    s = np.cumprod(1.0 - 1.0 / np.arange(n, 0, -1))
    return np.concatenate(([0.0], t)), np.concatenate(([1.0], s))


def step_panel(draw: Callable) -> np.ndarray:
    """RGB pixels of a 500 x 400 px figure whose axes ``draw(ax)`` fills, on a 0-30 x 0-1 panel, via PNG."""
    import io

    from matplotlib.figure import Figure

    from reconstruct.digitize.image import decode_image

    fig = Figure(figsize=(5, 4), dpi=100)
    ax = fig.add_subplot()
    draw(ax)
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1)
    ax.set_xticks([0, 10, 20, 30])
    ax.set_yticks([0, 0.5, 1])
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png")
    return decode_image(buf.getvalue(), source="test")


def mean_miss(arm, t, s) -> float:
    """Mean |digitized - true| survival of a digitized ``arm`` over the true curve's span (to the arm's end)."""
    grid = np.linspace(0.0, min(float(t[-1]), float(arm.time[-1])), 300)
    true = s[np.searchsorted(t, grid, side="right") - 1]
    got = arm.survival[np.clip(np.searchsorted(arm.time, grid, side="right") - 1, 0, None)]
    return float(np.mean(np.abs(true - got)))
