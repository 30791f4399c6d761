"""Where a digitized curve leaves the plot panel: below a truncated survival axis or at the right edge.

What happens to a curve after it leaves the panel is not in the figure, so statistics that need it
(a median below the axis, landmarks after the exit, an RMST beyond it) are not estimable; see
:func:`compare.restrict_to_visible`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["PanelExit", "panel_exits"]

# A curve within this many pixels of a panel edge has reached it (inset, half a line width, anti-aliasing).
_EDGE_PX = 6.0
# ... or within this share of the visible survival range above the bottom (the last drawn step before
# the exit can sit a few pixels above a clipped edge).
_EDGE_SHARE = 0.03
# A survival axis whose lowest visible value is below this is not truncated.
_MIN_FLOOR = 0.02


@dataclass(frozen=True)
class PanelExit:
    """Where one arm's curve leaves the panel.

    Attributes
    ----------
    arm : str
    time : float
        Time at which the curve reaches the panel edge; nothing later is visible.
    side : {"bottom", "right"}
        Below a truncated survival axis, or at the right end of the time axis.
    survival : float
        Survival at the exit (the lowest visible value for ``"bottom"``).
    """

    arm: str
    time: float
    side: Literal["bottom", "right"]
    survival: float

    def describe(self) -> str:
        """Where the curve leaves the panel, in one clause."""
        if self.side == "bottom":
            return f"the curve leaves the panel below the axis bottom (S = {self.survival:.2f}) at t = {self.time:.3g}"
        return f"the curve is cut at the right end of the panel (t = {self.time:.3g}, S = {self.survival:.2f})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"arm": self.arm, "time": self.time, "side": self.side, "survival": self.survival,
                "reason": self.describe()}


def _visible_survival(digitized) -> tuple[float, float]:
    """Lowest visible survival in the panel and the size of one pixel of the y axis (proportions)."""
    row0, _, row1, _ = digitized.panel
    values = np.sort(np.asarray(digitized.y_calibration.to_value([row0, row1]), dtype=float))
    scale = 100.0 if values[1] > 1.5 else 1.0  # a percent calibration
    pixel = abs(float(digitized.y_calibration.slope)) / scale
    values = values / scale
    if digitized.curve_kind == "cumulative_incidence":
        return float(1.0 - values[1]), pixel
    return float(values[0]), pixel


def panel_exits(digitized, names: Sequence[str]) -> tuple[PanelExit, ...]:
    """The arms whose curve leaves the panel, and where.

    Parameters
    ----------
    digitized : DigitizedFigure
        From :func:`reconstruct.digitize_document` (panel and calibrations).
    names : sequence of str
        Arm names in digitizer order.

    Returns
    -------
    tuple of PanelExit
        One per arm that leaves the panel (an arm reaching both edges leaves at the earlier).
    """
    floor, y_px = _visible_survival(digitized)
    x_px = abs(float(digitized.x_calibration.slope))
    right = float(digitized.x_calibration.to_value(digitized.panel[3]))
    exits = []
    for name, arm in zip(names, digitized.arms, strict=True):
        time, survival = np.asarray(arm.time, float), np.asarray(arm.survival, float)
        if time.size == 0:
            continue
        low = survival <= floor + max(_EDGE_PX * y_px, _EDGE_SHARE * (1.0 - floor))
        if floor > _MIN_FLOOR and low.any():
            k = int(np.argmax(low))
            exits.append(PanelExit(arm=name, time=float(time[k]), side="bottom", survival=floor))
        elif time[-1] >= right - _EDGE_PX * x_px:
            exits.append(PanelExit(arm=name, time=float(time[-1]), side="right", survival=float(survival[-1])))
    return tuple(exits)
