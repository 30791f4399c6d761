"""Only what the figure shows: statistics that need a curve beyond where it leaves the plot are NE.

A reconstruction from a figure whose survival axis is truncated (e.g. starting at 0.4), or whose
curve runs off the right end of the time axis, knows nothing about the curve after that point. The
median (when it lies below the visible part), landmark survival after the exit and an RMST whose
horizon lies beyond it are then not estimable, and are reported as NE with the reason rather than
as numbers of the made-up tail.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from compare.survival.ipd_summary import ArmSummary, IPDSummary

__all__ = ["restrict_to_visible"]

_NAN = float("nan")


def _arm(summary: ArmSummary, exit_time: float, why: str, tau: float) -> ArmSummary:
    reasons = dict(summary.not_estimable)
    median = summary.median
    if not math.isfinite(median.time) or median.time > exit_time:
        reasons["median"] = f"median not visible: {why}, before S reaches 0.5"
        median = dataclasses.replace(median, time=_NAN, conf_low=_NAN, conf_high=_NAN)
    elif not math.isfinite(median.conf_high) or median.conf_high > exit_time:
        reasons["median_conf_high"] = f"upper limit not visible: {why}"
        median = dataclasses.replace(median, conf_high=_NAN)
    marks = summary.landmarks
    after = marks.time > exit_time
    if after.any():
        for t in marks.time[after]:
            reasons[f"landmark:{t:g}"] = f"after the exit: {why}"
        nan = lambda values: [(_NAN if a else v) for v, a in zip(values, after, strict=True)]  # noqa: E731
        marks = dataclasses.replace(marks, survival=nan(marks.survival), std_err=nan(marks.std_err),
                                    conf_low=nan(marks.conf_low), conf_high=nan(marks.conf_high))
    rmst = summary.rmst
    if tau > exit_time:
        reasons["rmst"] = f"tau = {tau:g} is beyond the exit: {why}"
        rmst = dataclasses.replace(rmst, rmst=_NAN, se=_NAN, conf_low=_NAN, conf_high=_NAN)
    return dataclasses.replace(summary, median=median, landmarks=marks, rmst=rmst, not_estimable=reasons)


def restrict_to_visible(summary: IPDSummary, exits: Mapping[str, tuple[float, str]]) -> IPDSummary:
    """Set to NaN, with the reason, every statistic that needs a curve after it leaves the figure.

    Parameters
    ----------
    summary : IPDSummary
        From :func:`compare.summarize_ipd`.
    exits : mapping of arm to (float, str)
        Per arm whose curve leaves the plot: the time it does and a clause saying where (e.g. from
        :meth:`reconstruct.visibility.PanelExit.describe`). Other arms are left unchanged.

    Returns
    -------
    IPDSummary
        The same summary with, per such arm, the median (or its upper limit) NaN when not reached
        before the exit, landmarks after the exit NaN, the RMST NaN when ``tau`` lies beyond the
        exit (and every RMST difference involving the arm), each reason in ``not_estimable``.
    """
    arms = tuple(_arm(a, *exits[a.arm], summary.tau) if a.arm in exits else a for a in summary.arms)
    gone = {a.arm for a in arms if "rmst" in a.not_estimable}
    contrasts = []
    for c in summary.contrasts:
        if gone & {c.arm, c.reference}:
            diff = dataclasses.replace(c.rmst_difference, difference=_NAN, se=_NAN, conf_low=_NAN, conf_high=_NAN,
                                       p_value=_NAN)
            note = "; ".join(x for x in (c.note, "RMST difference NE: tau is beyond where a curve leaves the figure")
                             if x)
            c = dataclasses.replace(c, rmst_difference=diff, note=note)
        contrasts.append(c)
    return dataclasses.replace(summary, arms=arms, contrasts=tuple(contrasts))
