"""Forest plots of proportions (with a pooled diamond) and of hazard ratios.

The functions draw what the result objects hold (estimates and CIs computed in :mod:`compare`);
they compute no statistics, never call ``show()`` and use no pyplot state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from reconstruct.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_proportion_forest", "plot_hazard_ratio_forest"]

_HR_TICKS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0)


def _new_axes(rows: int) -> Axes:
    from matplotlib.figure import Figure

    return Figure(figsize=(8.0, 1.2 + 0.38 * rows)).subplots()


def _row_labels(labels: Sequence[str], flags: Sequence[str] | None) -> list[str]:
    if flags is None:
        return list(labels)
    if len(flags) != len(labels):
        raise InputError(f"flags must have one entry per row ({len(labels)}), got {len(flags)}")
    return [f"{lab} [{flag}]" if flag else lab for lab, flag in zip(labels, flags, strict=True)]


def plot_proportion_forest(
    estimates: Sequence[Any],
    *,
    pooled: Any | None = None,
    ax: Axes | None = None,
    labels: Sequence[str] | None = None,
    flags: Sequence[str] | None = None,
    percent: bool = True,
    title: str | None = None,
) -> Axes:
    """Forest plot of proportions with their CIs and an optional pooled diamond.

    Parameters
    ----------
    estimates : sequence of ProportionEstimate
        One row each (``proportion``, ``ci``, ``x``, ``n``, ``label``), drawn top to bottom.
    pooled : MetaAnalysisResult, optional
        Drawn as a diamond (``proportion``, ``proportion_ci``) under the rows, labelled with the measure,
        method, I2 and tau2 it holds.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's axes when omitted.
    labels : sequence of str, optional
        Row labels (default each estimate's ``label``).
    flags : sequence of str, optional
        Comparability flag per row, appended to the label in brackets when not empty.
    percent : bool, default True
        Show the axis in percent.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines``: one CI line per row (in row order), then the point markers; the diamond is a
        ``Polygon`` in ``ax.patches``.
    """
    if len(estimates) == 0:
        raise InputError("estimates must hold at least one proportion, got none")
    names = [str(e.label) if e.label is not None else f"row {i + 1}" for i, e in enumerate(estimates)]
    names = _row_labels(list(labels) if labels is not None else names, flags)
    scale = 100.0 if percent else 1.0
    n_rows = len(estimates) + (2 if pooled is not None else 0)
    ax = _new_axes(n_rows) if ax is None else ax
    ys = np.arange(len(estimates))[::-1] + (2 if pooled is not None else 0)
    points = np.array([e.proportion for e in estimates]) * scale
    for y, est in zip(ys, estimates, strict=True):
        ax.plot([est.ci[0] * scale, est.ci[1] * scale], [y, y], color="black", linewidth=1.2)
    sizes = np.sqrt(np.array([e.n for e in estimates], dtype=float))
    ax.scatter(points, ys, s=12 + 60 * sizes / sizes.max(), marker="s", color="black", zorder=3)
    text = [f"{e.x}/{e.n}  {e.proportion * scale:.1f} ({e.ci[0] * scale:.1f}-{e.ci[1] * scale:.1f})"
            for e in estimates]
    ticks, tick_labels = list(ys), list(names)
    if pooled is not None:
        from matplotlib.patches import Polygon

        p, (lo, hi) = pooled.proportion * scale, (pooled.proportion_ci[0] * scale, pooled.proportion_ci[1] * scale)
        ax.add_patch(Polygon([(lo, 0.5), (p, 0.8), (hi, 0.5), (p, 0.2)], closed=True, color="tab:blue"))
        ax.axvline(p, color="tab:blue", linestyle=":", linewidth=0.8)
        ticks.append(0.5)
        tick_labels.append(f"Pooled ({pooled.measure}, {pooled.method}); I\u00b2 {pooled.i2:.0f}%, "
                           f"\u03c4\u00b2 {pooled.tau2:.3g}")
        text.append(f"k={len(pooled.labels)}  {p:.1f} ({lo:.1f}-{hi:.1f})")
    ax.set_yticks(ticks, tick_labels)
    ax.set_ylim(-0.5 if pooled is not None else min(ys) - 0.7, max(ys) + 0.7)
    ax.set_xlim(0, scale)
    for y, t in zip(ticks, text, strict=True):
        ax.annotate(t, xy=(1.02, y), xycoords=("axes fraction", "data"), va="center", fontsize="small")
    ax.set_xlabel("Proportion (%)" if percent else "Proportion")
    ax.grid(axis="x", linestyle=":", linewidth=0.5)
    if title:
        ax.set_title(title)
    return ax


def plot_hazard_ratio_forest(
    results: Sequence[Any],
    *,
    ax: Axes | None = None,
    labels: Sequence[str] | None = None,
    flags: Sequence[str] | None = None,
    title: str | None = None,
) -> Axes:
    """Forest plot of hazard ratios on a log axis with a reference line at 1.

    Parameters
    ----------
    results : sequence of HazardRatio
        Anything with ``hazard_ratio``, ``conf_low``, ``conf_high`` (and ``label`` when ``labels`` is omitted).
    ax : matplotlib.axes.Axes, optional
    labels : sequence of str, optional
    flags : sequence of str, optional
        Comparability flag per row, appended in brackets when not empty.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines``: one CI line per row in order, then the line at HR = 1; markers in ``ax.collections``.
    """
    if len(results) == 0:
        raise InputError("results must hold at least one hazard ratio, got none")
    names = [str(getattr(r, "label", "") or f"row {i + 1}") for i, r in enumerate(results)]
    names = _row_labels(list(labels) if labels is not None else names, flags)
    ax = _new_axes(len(results)) if ax is None else ax
    ys = np.arange(len(results))[::-1]
    for y, r in zip(ys, results, strict=True):
        ax.plot([r.conf_low, r.conf_high], [y, y], color="black", linewidth=1.2)
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=0.8)
    ax.scatter([r.hazard_ratio for r in results], ys, marker="s", color="black", zorder=3)
    ax.set_xscale("log")
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    low = min(r.conf_low for r in results)
    high = max(r.conf_high for r in results)
    nice = [v for v in _HR_TICKS if low / 1.3 <= v <= high * 1.3] or [1.0]
    ax.xaxis.set_major_locator(FixedLocator(sorted(set(nice) | {1.0})))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(list(ys), names)
    ax.set_ylim(-0.7, len(results) - 0.3)
    for y, r in zip(ys, results, strict=True):
        ax.annotate(f"{r.hazard_ratio:.2f} ({r.conf_low:.2f}-{r.conf_high:.2f})", xy=(1.02, y),
                    xycoords=("axes fraction", "data"), va="center", fontsize="small")
    ax.set_xlabel("Hazard ratio (log scale)")
    ax.grid(axis="x", linestyle=":", linewidth=0.5)
    if title:
        ax.set_title(title)
    return ax
