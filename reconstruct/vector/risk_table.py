"""The number-at-risk table under a vector KM plot, read from the PDF/SVG text (no OCR).

Text lines below the panel holding at least two whole numbers are table rows; each number's
centre column is a time through the x calibration, snapped to the nearest x tick value when
within a quarter of the tick spacing (tables are printed at the ticks). The line of x tick
labels itself is skipped. A row is named by the text left of its numbers when that matches an
arm's name (legend label), else rows are given to the arms in order when their counts agree.
Rows naming events or censored counts are not at-risk rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from reconstruct.vector.geometry import PlotFrame, VectorPage, VectorText
from reconstruct.errors import DigitizationError

__all__ = ["read_at_risk_table"]

_INTEGER = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")
_OTHER_ROWS = re.compile(r"\b(events?|censor\w*|deaths?|died)\b", re.IGNORECASE)


def _lines(words: list[VectorText]) -> list[list[VectorText]]:
    lines: list[list[VectorText]] = []
    for w in sorted(words, key=lambda t: t.row):
        if lines and abs(lines[-1][-1].row - w.row) <= 0.4 * w.height:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda t: t.col) for line in lines]


def read_at_risk_table(page: VectorPage, frame: PlotFrame, arms: Sequence[str], *, x_slope: float,
                       x_intercept: float) -> pd.DataFrame:
    """Read the at-risk table printed under one plot.

    Parameters
    ----------
    page : VectorPage
    frame : PlotFrame
        The plot's axes (:func:`reconstruct.vector.geometry.find_plot_frames`).
    arms : sequence of str
        Arm names in curve order (legend labels, or ``arm1``...).
    x_slope, x_intercept : float
        Column-to-time map (``time = x_slope * col + x_intercept``).

    Returns
    -------
    DataFrame
        ``arm, time, n_risk`` (the at-risk CSV contract), rows in table order.

    Raises
    ------
    DigitizationError
        No table rows, or rows that can be matched to the arms neither by name nor by count.
    """
    r0, c0, r1, c1 = frame.panel
    width = c1 - c0
    spacing = float(np.min(np.diff(np.sort(frame.x_tick_cols)))) if frame.x_tick_cols.size > 1 else width
    words = [t for t in page.texts
             if t.row > r1 and " " not in t.text and c0 - 0.3 * width <= t.col <= c1 + 0.15 * width]
    rows = []
    for line in _lines(words):
        numbers = [t for t in line if _INTEGER.match(t.text) and t.col >= c0 - 0.02 * width]
        label = " ".join(t.text for t in line if t not in numbers).strip()
        if len(numbers) < 2 or _OTHER_ROWS.search(label):
            continue
        cols = np.array([t.col for t in numbers])
        values = np.array([int(t.text.replace(",", "")) for t in numbers])
        is_tick_line = all(np.any((np.abs(frame.x_tick_cols - c) <= 0.1 * spacing) & (frame.x_values == v))
                           for c, v in zip(cols, values, strict=True))
        if is_tick_line:
            continue
        times = x_slope * cols + x_intercept
        ticks_time = x_slope * frame.x_tick_cols + x_intercept
        nearest = np.abs(times[:, None] - ticks_time[None, :]).argmin(axis=1)
        snap = np.abs(cols - frame.x_tick_cols[nearest]) <= 0.25 * spacing
        times = np.where(snap, frame.x_values[nearest], times)
        rows.append((label, times, values))
    if not rows:
        raise DigitizationError("expected a number-at-risk table under the plot (lines of whole numbers), got none")
    names = _match_rows([label for label, _, _ in rows], list(arms))
    return pd.DataFrame(
        [{"arm": name, "time": float(t), "n_risk": int(n)}
         for name, (_, times, values) in zip(names, rows, strict=True) for t, n in zip(times, values, strict=True)]
    )


def _match_rows(labels: list[str], arms: list[str]) -> list[str]:
    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "", text.lower())

    by_name = []
    for label in labels:
        hits = [a for a in arms if norm(a) and (norm(a) == norm(label) or norm(a) in norm(label))]
        by_name.append(hits[0] if len(hits) == 1 else None)
    if all(by_name) and len(set(by_name)) == len(by_name):
        return by_name  # type: ignore[return-value]
    if len(labels) == len(arms):
        return list(arms)
    raise DigitizationError(
        f"expected at-risk rows matching the arms {arms} by name or by count, got {len(labels)} rows "
        f"labelled {labels}; give the table as a CSV instead"
    )
