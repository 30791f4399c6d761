"""Report figures of reconstructed IPD: all arms' Kaplan-Meier curves with a number-at-risk table, and
the digitized curve points over the reconstructed curves.

Nothing here computes a statistic: curves, CI bands, censor marks and at-risk numbers come from the
:class:`compare.KMEstimate` results (through :func:`figures.plot_km` and :func:`figures.add_risk_table`),
the digitized points from the curve table as given. No pyplot state is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from figures.km_plot import _new_axes, add_risk_table, plot_km
from reconstruct.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from compare.survival.km import KMEstimate
    from compare.survival.ipd_summary import IPDSummary

__all__ = ["plot_reconstructed_km", "plot_digitized_vs_reconstructed"]

DIGITIZED_GID = "digitized-points"


def _as_kms(summary_or_kms: IPDSummary | Mapping[str, KMEstimate]) -> tuple[dict[str, KMEstimate], str | None]:
    """Arm -> estimate, and the time unit when a summary was given."""
    if isinstance(summary_or_kms, Mapping):
        kms, unit = dict(summary_or_kms), None
    elif hasattr(summary_or_kms, "kms") and hasattr(summary_or_kms, "time_unit"):
        kms, unit = summary_or_kms.kms, summary_or_kms.time_unit
    else:
        raise InputError(
            f"summary_or_kms must be an IPDSummary or a mapping of arm names to KMEstimate, "
            f"got {type(summary_or_kms).__name__}"
        )
    if not kms:
        raise InputError("summary_or_kms must hold at least one arm, got none")
    return kms, unit


def _time_label(unit: str | None) -> str:
    return "Time" if unit is None else f"Time ({unit})"


def plot_reconstructed_km(
    summary_or_kms: IPDSummary | Mapping[str, KMEstimate],
    *,
    ax: Axes | None = None,
    risk_table_times: ArrayLike | None = None,
    ci: bool = True,
) -> Axes:
    """Draw every arm's reconstructed Kaplan-Meier curve, CI band and censor marks, with a number-at-risk table.

    Parameters
    ----------
    summary_or_kms : IPDSummary or mapping of str to KMEstimate
        The summary (its ``kms``, and ``time_unit`` for the axis label) or arm -> estimate.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's axes when omitted.
    risk_table_times : array_like of shape (n_times,), optional
        Columns of the number-at-risk table; default the x-axis ticks within [0, last time].
    ci : bool, optional
        Shade the pointwise CI band of each arm.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines`` holds per arm the step line (labelled with the arm) and its censor marks; the
        table texts have gid ``"risk-table"``.
    """
    kms, unit = _as_kms(summary_or_kms)
    ax = _new_axes() if ax is None else ax
    for arm, km in kms.items():
        plot_km(km, ax=ax, ci=ci, label=str(arm))
    end = max(float(km.time[-1]) if km.time.size else 0.0 for km in kms.values())
    end = end if end > 0 else 1.0
    # a small left margin keeps the at-risk numbers at t = 0 clear of the row labels (as ggplot's expansion)
    ax.set_xlim(-0.04 * end, 1.01 * end)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel(_time_label(unit))
    ax.set_ylabel("Survival probability")
    ax.legend(loc="upper right", frameon=False)
    if risk_table_times is None:
        ticks = np.asarray(ax.get_xticks(), dtype=float)
        times = ticks[(ticks >= 0) & (ticks <= ax.get_xlim()[1] + 1e-9)]
    else:
        times = np.atleast_1d(np.asarray(risk_table_times, dtype=float))
    add_risk_table(ax, kms, times)
    return ax


def plot_digitized_vs_reconstructed(
    curves: pd.DataFrame,
    kms: IPDSummary | Mapping[str, KMEstimate],
    *,
    ax: Axes | None = None,
    **scatter_kwargs: Any,
) -> Axes:
    """Overlay the digitized curve points on the Kaplan-Meier curves of the reconstructed IPD.

    Parameters
    ----------
    curves : DataFrame
        Digitized points, columns ``arm``, ``time``, ``survival`` (a proportion in [0, 1]), e.g. from
        :func:`reconstruct.read_curves_csv` (convert percentages first).
    kms : IPDSummary or mapping of str to KMEstimate
        Reconstructed estimates; every arm of ``curves`` must be present.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's axes when omitted.
    **scatter_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the points (marker, markersize...).

    Returns
    -------
    matplotlib.axes.Axes
        Per arm a step line labelled "<arm> reconstructed" and a marker-only line labelled
        "<arm> digitized" (gid ``"digitized-points"``), in the same colour.
    """
    estimates, unit = _as_kms(kms)
    if not isinstance(curves, pd.DataFrame) or not {"arm", "time", "survival"} <= set(curves.columns):
        raise InputError("curves must be a DataFrame with columns arm, time, survival, "
                         f"got {type(curves).__name__}")
    missing = sorted(set(curves["arm"].astype(str)) - set(map(str, estimates)))
    if missing:
        raise InputError(f"curves arms must all be reconstructed arms {sorted(map(str, estimates))!r}, "
                         f"got {missing!r} without a reconstruction")
    ax = _new_axes() if ax is None else ax
    style = {"marker": "o", "markersize": 3, "linestyle": "none", "alpha": 0.8} | scatter_kwargs
    for arm, km in estimates.items():
        plot_km(km, ax=ax, ci=False, censor_marks=False, label=f"{arm} reconstructed")
        line = ax.lines[-1]
        points = curves[curves["arm"].astype(str) == str(arm)]
        if len(points):
            ax.plot(points["time"].to_numpy(dtype=float), points["survival"].to_numpy(dtype=float),
                    color=line.get_color(), label=f"{arm} digitized", gid=DIGITIZED_GID, **style)
    ax.set_xlim(left=0.0)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel(_time_label(unit))
    ax.set_ylabel("Survival probability")
    ax.legend(loc="upper right", frameon=False, fontsize="small")
    return ax
