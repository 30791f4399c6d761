"""Vector KM plots (PDF or SVG) as the digitizer's result type.

Both :mod:`reconstruct.vector.pdf` and :mod:`reconstruct.vector.svg` find plots with
:func:`vector_plots` and convert the chosen one with :func:`vector_figure`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from reconstruct.errors import DigitizationError
from reconstruct.vector import curves as _vector_curves
from reconstruct.vector import geometry as _vector

__all__ = ["vector_plots", "vector_figure"]


def vector_plots(page: _vector.VectorPage, *, x_range=None, y_range=None) -> list[_vector.VectorPlot]:
    """Every plot frame of a page whose step curves could be read, top-to-bottom.

    Memoised per page object, so finding, reading and the at-risk table share one extraction.
    """
    hints = (None if x_range is None else tuple(map(float, x_range)),
             None if y_range is None else tuple(map(float, y_range)))
    return list(_plots_of(page, *hints))


@functools.lru_cache(maxsize=16)
def _plots_of(page: _vector.VectorPage, x_range, y_range) -> tuple[_vector.VectorPlot, ...]:
    plots = []
    for frame in _vector.find_plot_frames(page, x_range=x_range, y_range=y_range):
        try:
            plots.append(_vector_curves.extract_plot(page, frame))
        except DigitizationError:
            continue
    return tuple(plots)


def vector_figure(plot: _vector.VectorPlot, page_size: tuple[float, float], record: dict[str, Any]):
    """Build the digitizer's result type (:class:`reconstruct.digitize.digitized.DigitizedFigure`) from a vector plot.

    Panel and calibration positions are page units (points), ``(row, col)`` origin top-left.
    """
    from reconstruct.digitize.digitized import DigitizedArm, DigitizedFigure

    data = _vector_curves.to_data(plot)
    arms = tuple(
        # Writers round coordinates (R: 0.01 pt), which can put S a hair outside [0, 1]: the contract is [0, 1].
        DigitizedArm(a["label"], a["colour"], a["time"], np.clip(a["survival"], 0.0, 1.0), a["censor_time"],
                     np.clip(a["censor_survival"], 0.0, 1.0),
                     {"coverage": 1.0, "columns": float(np.ptp(data["x_cal"].to_px(a["time"]))),
                      "line_half_width_px": 0.5 * a["line_width"], "hidden_share": 0.0})
        for a in data["arms"]
    )
    return DigitizedFigure(
        arms=arms, x_calibration=data["x_cal"], y_calibration=data["y_cal"], y_unit=data["y_unit"],
        curve_kind=data["curve_kind"], panel=tuple(float(v) for v in plot.frame.panel), rotation_deg=0.0,
        image_shape=(float(page_size[0]), float(page_size[1])), warnings=plot.notes, provenance=record,
    )
