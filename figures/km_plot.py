"""Kaplan-Meier curves and number-at-risk tables drawn from :class:`compare.KMEstimate` results.

Nothing here computes a statistic: steps, CI bands, censor marks and at-risk numbers are read from the
result (``KMEstimate.at_risk`` for the table), so the figure and exported numbers cannot disagree.
No pyplot state is used: without ``ax`` a new :class:`matplotlib.figure.Figure` is made (display it
in a notebook with ``ax.figure``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from reconstruct.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from compare.survival.km import KMEstimate

__all__ = ["plot_km", "add_risk_table"]

RISK_TABLE_GID = "risk-table"


def _new_axes() -> Axes:
    from matplotlib.figure import Figure

    return Figure(figsize=(6.4, 4.8)).subplots()


def plot_km(
    km: KMEstimate,
    *,
    ax: Axes | None = None,
    ci: bool = True,
    label: str | None = None,
    color: Any = None,
    censor_marks: bool = True,
    **step_kwargs: Any,
) -> Axes:
    """Draw a survival curve as a right-continuous step function, with its CI band and censor marks.

    Parameters
    ----------
    km : KMEstimate
        The estimate (a pooled curve's ``.curve`` works too). The line starts at (0, 1).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's axes when omitted.
    ci : bool, optional
        Shade ``km.conf_low``..``km.conf_high`` (steps, where both are finite).
    label : str, optional
        Legend label of the curve (and row label for :func:`add_risk_table`).
    color : matplotlib color, optional
        Curve colour; the band and censor marks use the same.
    censor_marks : bool, optional
        A "|" mark at each time with ``km.n_censored > 0``, at the curve's height.
    **step_kwargs
        Passed to :meth:`matplotlib.axes.Axes.step` (linewidth, linestyle...).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines`` gains the step line (first) and the censor-mark line; ``ax.collections`` the band.
    """
    for name in ("time", "survival", "conf_low", "conf_high", "n_censored"):
        if not hasattr(km, name):
            raise InputError(f"km must be a KMEstimate (with {name}), got {type(km).__name__}")
    ax = _new_axes() if ax is None else ax
    time = np.concatenate(([0.0], km.time))
    survival = np.concatenate(([1.0], km.survival))
    (line,) = ax.step(time, survival, where="post", label=label, color=color, **step_kwargs)
    colour = line.get_color()
    if ci:
        low = np.concatenate(([1.0], km.conf_low))
        high = np.concatenate(([1.0], km.conf_high))
        finite = np.isfinite(low) & np.isfinite(high)
        ax.fill_between(time, np.where(finite, low, 0.0), np.where(finite, high, 0.0), where=finite, step="post",
                        color=colour, alpha=0.2, linewidth=0, label="_nolegend_")
    if censor_marks:
        marked = km.n_censored > 0
        ax.plot(km.time[marked], km.survival[marked], linestyle="none", marker="|", markersize=8, color=colour,
                label="_nolegend_")
    if not ax.get_xlabel():
        ax.set_xlabel("Time")
    if not ax.get_ylabel():
        ax.set_ylabel("Survival probability")
    return ax


def add_risk_table(
    ax: Axes,
    kms: Mapping[str, KMEstimate],
    times: ArrayLike,
    *,
    title: str = "Number at risk",
    row_height: float = 0.07,
    fontsize: float | str = "small",
) -> Axes:
    """Write a number-at-risk table under the axes, one row per estimate.

    Numbers are ``km.at_risk(times)`` (subjects with time >= t), the convention of R
    ``summary(survfit(...), times = times)$n.risk`` and of published tables. Columns sit at the data
    x-positions ``times``; rows below the x-axis label, in axes-fraction units of ``row_height``.
    Save with ``bbox_inches="tight"`` (or leave room with ``fig.subplots_adjust(bottom=...)``).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes holding the curves.
    kms : mapping of str to KMEstimate
        Row label -> estimate; a row takes the colour of the line with the same label on ``ax``.
    times : array_like of shape (n_times,)
        Table columns, in the estimates' time unit.
    title : str, optional
    row_height : float, optional
        Row spacing as a fraction of the axes height.
    fontsize : float or str, optional

    Returns
    -------
    matplotlib.axes.Axes
        The same axes; every text added has gid ``"risk-table"``.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    t_arr = np.atleast_1d(np.asarray(times, dtype=float))
    if t_arr.ndim != 1 or t_arr.size == 0 or not np.all(np.isfinite(t_arr)):
        raise InputError(f"times must be a non-empty 1-d array of finite numbers, got {np.asarray(times).tolist()!r}")
    if not isinstance(kms, Mapping) or not kms:
        raise InputError(f"kms must map row labels to KMEstimate results, got {type(kms).__name__}")
    colours = {line.get_label(): line.get_color() for line in ax.lines}
    data_x = blended_transform_factory(ax.transData, ax.transAxes)
    # Row labels end an em left of the widest count centred at the first time (digits ~0.6 em wide), so
    # that text readers (and eyes) do not run the label into the count.
    counts = [km.at_risk(t_arr) for km in kms.values()]
    digits = max(len(str(int(n))) for row in counts for n in row)
    points = FontProperties(size=fontsize).get_size_in_points()
    gap = ScaledTranslation(-(0.3 * digits * points + points) / 72.0, 0.0, ax.figure.dpi_scale_trans)
    first_x = blended_transform_factory(ax.transData, ax.transAxes) + gap
    top = -0.16  # below tick labels and the x-axis label of a default-sized axes
    ax.text(0.0, top, title, transform=ax.transAxes, ha="left", va="top", fontsize=fontsize,
            fontweight="bold", gid=RISK_TABLE_GID)
    for row, (label, row_counts) in enumerate(zip(kms, counts, strict=True), start=1):
        y = top - row * row_height
        colour = colours.get(label, "black")
        ax.text(min(float(t_arr[0]), ax.get_xlim()[0]), y, str(label), transform=first_x, ha="right", va="top",
                fontsize=fontsize, color=colour, gid=RISK_TABLE_GID, clip_on=False)
        for t, n in zip(t_arr, row_counts, strict=True):
            ax.text(t, y, f"{int(n)}", transform=data_x, ha="center", va="top", fontsize=fontsize,
                    color=colour, gid=RISK_TABLE_GID, clip_on=False)
    return ax
