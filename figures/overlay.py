"""The digitization overlay: traced curves and censor marks drawn over the input figure.

Everything drawn is read from the :class:`reconstruct.digitize.digitized.DigitizedFigure` (its
``to_pixels`` maps data back onto the input image), so a reader sees exactly what was
exported. Uses matplotlib only (no OpenCV, no pyplot state).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from reconstruct.digitize.digitized import DigitizedFigure

__all__ = ["plot_digitization_overlay", "overlay_png"]

_CONTRAST = ("#ff00ff", "#00c000", "#ff8c00", "#00bfff", "#8b4513", "#000000", "#ff1493", "#808000")


def plot_digitization_overlay(
    figure: DigitizedFigure, image: NDArray[np.uint8], *, ax: Axes | None = None,
    table_cells: Sequence[Any] = (), arm_names: Sequence[str] = (),
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
    table_cells : sequence of TableCell, optional
        At-risk cells (``arm, time, n_risk, row_px, state``, see :class:`kmrecon.run_table.TableCell`): each
        read number is written just above its printed cell in its arm's colour, a number taken from
        the curve in brackets, a missing cell as a red "?".
    arm_names : sequence of str, optional
        Arm names in digitizer order, giving each cell its arm's overlay colour.

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
    _draw_cells(ax, figure, table_cells, list(arm_names), size_pt=max(6.0, image.shape[0] / 110.0))
    return ax


def _draw_cells(ax: Axes, figure: DigitizedFigure, cells: Sequence[Any], names: list[str], *, size_pt: float) -> None:
    """Write each at-risk cell's number as read just above the printed cell (the table's own pixels)."""
    lift = 0.5 * size_pt * 100.0 / 72.0  # half a text height, in pixels (the figure is drawn at 100 dpi)
    for cell in cells:
        k = names.index(cell.arm) if cell.arm in names else 0
        col = float(figure.x_calibration.to_px(cell.time))
        if cell.state == "missing":
            text, colour = "?", "#ff0000"
        else:
            text = str(cell.n_risk) if cell.state == "read" else f"({cell.n_risk})"
            colour = _CONTRAST[k % len(_CONTRAST)]
        ax.text(col, cell.row_px - lift, text, color=colour, fontsize=size_pt, ha="center", va="bottom",
                fontweight="bold", gid=f"cell-{cell.state}",
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})


def _bottom_value(figure: DigitizedFigure) -> float:
    low = float(np.min(figure.y_calibration.values))
    return low if figure.curve_kind == "survival" else 1.0 - low


def overlay_png(figure: DigitizedFigure, image: NDArray[np.uint8], *, table_cells: Sequence[Any] = (),
                arm_names: Sequence[str] = ()) -> bytes:
    """The overlay of :func:`plot_digitization_overlay` encoded as PNG bytes, at the image's size."""
    ax = plot_digitization_overlay(figure, image, table_cells=table_cells, arm_names=arm_names)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
