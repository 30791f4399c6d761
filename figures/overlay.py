"""The digitization overlay: traced curves and censor marks drawn over the input figure.

Everything drawn is read from the :class:`reconstruct.digitize.figure.DigitizedFigure` (its
``to_pixels`` maps data back onto the input image), so a reader sees exactly what was
exported. Uses matplotlib only (no OpenCV, no pyplot state).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from reconstruct.digitize.figure import DigitizedFigure

__all__ = ["plot_digitization_overlay", "overlay_png"]

_CONTRAST = ("#ff00ff", "#00c000", "#ff8c00", "#00bfff", "#8b4513", "#000000", "#ff1493", "#808000")


def plot_digitization_overlay(
    figure: DigitizedFigure, image: NDArray[np.uint8], *, ax: Axes | None = None
) -> Axes:
    """Draw ``image`` with the traced step curves, censor marks, panel and calibration ticks on top.

    Parameters
    ----------
    figure : DigitizedFigure
        The digitization result.
    image : ndarray of shape (rows, cols, 3) or (rows, cols), uint8
        The input figure (RGB), as given to the digitizer.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the image is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        from matplotlib.figure import Figure

        rows, cols = image.shape[:2]
        fig = Figure(figsize=(cols / 100.0, rows / 100.0), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(image, cmap="gray" if image.ndim == 2 else None, interpolation="nearest")
    ax.set_axis_off()
    x_cal, y_cal = figure.x_calibration, figure.y_calibration
    tick_t = x_cal.values
    tick_rows, tick_cols = figure.to_pixels(tick_t, np.full(tick_t.size, _bottom_value(figure)))
    ax.plot(tick_cols, tick_rows, ls="none", marker="^", ms=5, color="#0000ff", gid="x-calibration")
    tick_s = y_cal.values if figure.curve_kind == "survival" else 1.0 - y_cal.values
    tick_rows, tick_cols = figure.to_pixels(np.full(tick_s.size, x_cal.values[0]), tick_s)
    ax.plot(tick_cols, tick_rows, ls="none", marker=">", ms=5, color="#0000ff", gid="y-calibration")
    for k, arm in enumerate(figure.arms):
        colour = _CONTRAST[k % len(_CONTRAST)]
        time = np.repeat(arm.time, 2)[1:]
        surv = np.repeat(arm.survival, 2)[:-1]
        rows, cols = figure.to_pixels(time, surv)
        ax.plot(cols, rows, color=colour, lw=1.0, alpha=0.9, label=arm.label or f"arm{k + 1}", gid=f"arm{k + 1}")
        if arm.censor_time.size:
            m_rows, m_cols = figure.to_pixels(arm.censor_time, arm.censor_survival)
            ax.plot(m_cols, m_rows, ls="none", marker="o", mfc="none", ms=6, mew=1.0, color=colour,
                    gid=f"censor{k + 1}")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.7)
    return ax


def _bottom_value(figure: DigitizedFigure) -> float:
    low = float(np.min(figure.y_calibration.values))
    return low if figure.curve_kind == "survival" else 1.0 - low


def overlay_png(figure: DigitizedFigure, image: NDArray[np.uint8]) -> bytes:
    """The overlay of :func:`plot_digitization_overlay` encoded as PNG bytes, at the image's size."""
    ax = plot_digitization_overlay(figure, image)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
