"""What the digitizer reads from one figure: frozen result types, without OpenCV.

:class:`DigitizedFigure` and :class:`DigitizedArm` are made by the raster digitizer
(:mod:`reconstruct.digitize.figure`) and by the vector readers (:mod:`reconstruct.vector`), and read by
every later step (the at-risk table, arm matching, reports), none of which needs OpenCV to hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reconstruct.results import _readonly

if TYPE_CHECKING:
    import pandas as pd

    from reconstruct.digitize.axes import AxisCalibration

__all__ = ["DigitizedArm", "DigitizedFigure"]


@dataclass(frozen=True, eq=False)
class DigitizedArm:
    """One traced curve.

    Attributes
    ----------
    label : str or None
        Legend label, when one was read.
    colour : str
        Line colour, ``#rrggbb``.
    time, survival : ndarray of shape (n_points,)
        Step corners: ``(0, S0)``, the survival after each drop at the drop's time, and the
        curve's end; time ascending, survival non-increasing proportions in [0, 1]. For a
        cumulative-incidence figure ``survival`` is ``1 - plotted value``.
    censor_time, censor_survival : ndarray of shape (n_marks,)
        Censor marks found on the curve.
    quality : dict
        ``coverage`` (share of the curve's columns with its own pixels), ``columns`` (its
        length in pixels), ``line_half_width_px``, ``hidden_share`` (share of columns where it
        was hidden and followed other arms), ``bare_drop`` and ``bare_drop_time`` (the largest
        drop of the trace with no vertical stroke drawn under it, in survival units, and its time;
        0 and None when every drop is drawn: see :mod:`reconstruct.digitize.trace_check`), and
        ``cut_at_time`` (where the trace was cut off, having left its curve there: its end after it is
        not read; None when not cut), ``panel_background`` (the panel's paper, ``#rrggbb``) and
        ``panel_filled`` (the panel holds translucent fill, e.g. confidence ribbons).
    """

    label: str | None
    colour: str
    time: NDArray[np.float64]
    survival: NDArray[np.float64]
    censor_time: NDArray[np.float64]
    censor_survival: NDArray[np.float64]
    quality: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _readonly(self, "time", "survival", "censor_time", "censor_survival", dtype=float)


@dataclass(frozen=True, eq=False)
class DigitizedFigure:
    """Everything read from one KM figure.

    Attributes
    ----------
    arms : tuple of DigitizedArm
    x_calibration, y_calibration : AxisCalibration
        Pixel-to-data maps of the straightened image (y values as proportions).
    y_unit : {"proportion", "percent"}
        How the survival axis was labelled.
    curve_kind : {"survival", "cumulative_incidence"}
        Falling survival curves or rising cumulative-incidence curves.
    panel : tuple of int
        ``(row0, col0, row1, col1)`` of the plot panel in the straightened image.
    rotation_deg : float
        Skew found and removed (counter-clockwise, degrees).
    image_shape : tuple of int
        ``(rows, cols)`` of the image the calibration refers to (the input, shrunk when large).
    warnings : tuple of str
        Every warning issued while digitizing.
    provenance : dict
        Source file and sha256, parameters, kmrecon version.
    pixel_scale : float
        Input pixels per working pixel (large images are shrunk before digitizing).
    """

    arms: tuple[DigitizedArm, ...]
    x_calibration: AxisCalibration
    y_calibration: AxisCalibration
    y_unit: Literal["proportion", "percent"]
    curve_kind: Literal["survival", "cumulative_incidence"]
    panel: tuple[int, int, int, int]
    rotation_deg: float
    image_shape: tuple[int, int]
    warnings: tuple[str, ...]
    provenance: dict[str, Any]
    pixel_scale: float = 1.0

    def to_pixels(self, time: ArrayLike, survival: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Pixel ``(rows, cols)`` in the input image of data points ``(time, survival)``."""
        value = np.asarray(survival, float)
        if self.curve_kind == "cumulative_incidence":
            value = 1.0 - value
        col = self.x_calibration.to_px(time)
        row = self.y_calibration.to_px(value)
        if self.rotation_deg:
            # undo the deskew rotation (about the image centre) to land on the input image
            n_rows, n_cols = self.image_shape
            import cv2  # only a rotated figure needs it

            matrix = cv2.getRotationMatrix2D((n_cols / 2.0, n_rows / 2.0), self.rotation_deg, 1.0)
            points = np.stack([col, row, np.ones_like(col)])
            col, row = matrix @ points
        row = (np.asarray(row, float) + 0.5) * self.pixel_scale - 0.5
        col = (np.asarray(col, float) + 0.5) * self.pixel_scale - 0.5
        return row, col

    def curves_frame(self) -> pd.DataFrame:
        """Step corners of every arm as a frame ``arm, time, survival`` (the curve CSV contract)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "arm": np.concatenate([[_arm_name(a, k)] * a.time.size for k, a in enumerate(self.arms)]),
                "time": np.concatenate([a.time for a in self.arms]),
                "survival": np.concatenate([a.survival for a in self.arms]),
            }
        )

    def censor_marks_frame(self) -> pd.DataFrame:
        """Censor marks of every arm as a frame ``arm, time, survival``."""
        import pandas as pd

        return pd.DataFrame(
            {
                "arm": np.concatenate([[_arm_name(a, k)] * a.censor_time.size for k, a in enumerate(self.arms)]
                                      or [np.empty(0, str)]),
                "time": np.concatenate([a.censor_time for a in self.arms] or [np.empty(0)]),
                "survival": np.concatenate([a.censor_survival for a in self.arms] or [np.empty(0)]),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (calibration, arms with colour, label and quality, warnings, provenance)."""
        return {
            "curve_kind": self.curve_kind,
            "y_unit": self.y_unit,
            "calibration": {"x": self.x_calibration.to_dict(), "y": self.y_calibration.to_dict()},
            "panel_px": {"row0": self.panel[0], "col0": self.panel[1], "row1": self.panel[2], "col1": self.panel[3]},
            "rotation_deg": self.rotation_deg,
            "image_shape": list(self.image_shape),
            "pixel_scale": self.pixel_scale,
            "arms": [
                {"arm": _arm_name(a, k), "label": a.label, "colour": a.colour, "n_points": int(a.time.size),
                 "n_censor_marks": int(a.censor_time.size), "quality": a.quality}
                for k, a in enumerate(self.arms)
            ],
            "warnings": list(self.warnings),
            "provenance": self.provenance,
        }


def _arm_name(arm: DigitizedArm, index: int) -> str:
    return arm.label or f"arm{index + 1}"
