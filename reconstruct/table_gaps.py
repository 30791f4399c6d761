"""At-risk rows with cells the OCR could not read: say which, and fill a missing time-0 cell.

A cell whose number would make its row increase (numbers at risk never do) is a misread, e.g. a
first number overprinted by its row label; when setting aside exactly one cell makes the row
non-increasing, that cell is treated as unread and the warnings say so. Otherwise the row is kept as
read and the reconstruction rejects it.

A table is printed on one grid of times, so a cell missing from one row but present in another is
an unread cell; the run continues with the cells read and its warnings list the missing ones. The
time-0 cell (patients randomised) is needed by the reconstruction: when it is missing it is taken
from the arm's legend when that prints it ("(n=125)"), else from the next cell divided by the curve's
survival just before that time (no censoring assumed before the first column, the usual case), and
the warning says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["complete_rows", "set_aside_increasing"]


def _fmt(t: float) -> str:
    return f"{t:g}"


def complete_rows(rows: Sequence, curves: Sequence,
                  n_start: Sequence[int | None] | None = None) -> tuple[list, list[str]]:
    """Rows with a time-0 cell, and notes naming every cell that was not read.

    Parameters
    ----------
    rows : sequence of RiskRowInfo
        Table rows, ``rows[k]`` matched to ``curves[k]``.
    curves : sequence of ArmCurve
        Digitized curve of each row's arm (``time``, ``survival`` step corners).
    n_start : sequence of int or None, optional
        Patients per row printed elsewhere in the figure (its legend); a missing time-0 cell takes it.

    Returns
    -------
    rows : list of RiskRowInfo
        The rows, a time-0 cell added where it was missing.
    notes : list of str
        One note per row with missing cells.
    """
    from reconstruct.arm_matching import RiskRowInfo

    grid = np.unique(np.concatenate([np.asarray(r.time, float) for r in rows])) if rows else np.zeros(0)
    out, notes = [], []
    starts = list(n_start) if n_start is not None else [None] * len(rows)
    for row, curve, start in zip(rows, curves, starts, strict=True):
        t = np.asarray(row.time, float)
        n = np.asarray(row.n_risk, dtype=np.int64)
        name = row.label or curve.label or "an arm"
        last = t.max() if t.size else 0.0
        missing = [g for g in grid if g <= last and not np.any(np.isclose(t, g))]
        if t.size and not np.any(np.isclose(t, 0.0)) and n.size:
            if start is not None and start >= n[0]:
                n0, source = int(start), f"the legend (n={int(start)})"
            else:
                s_before = float(np.interp(t[0], curve.time, curve.survival, left=1.0))
                idx = np.searchsorted(curve.time, t[0], side="left") - 1
                if idx >= 0:
                    s_before = float(curve.survival[idx])
                n0 = max(int(round(n[0] / s_before)) if s_before > 0 else int(n[0]), int(n[0]))
                source = f"{n[0]} at {_fmt(t[0])} and the curve"
            t, n = np.r_[0.0, t], np.r_[n0, n]
            notes.append(f"{name}: the time-0 at-risk cell was not read; {n0} taken from {source}")
            missing = [g for g in missing if g != 0.0]
        if missing:
            notes.append(f"{name}: at-risk cell(s) not read at time(s) {', '.join(_fmt(g) for g in missing)}; "
                         "continued with the cells read")
        out.append(RiskRowInfo(label=row.label, colour=row.colour, time=t, n_risk=n, row_px=row.row_px,
                               shade=row.shade))
    return out, notes


def set_aside_increasing(rows: Sequence) -> tuple[list, list[str]]:
    """Drop the one cell that makes a row increase, when exactly one such cell exists.

    Parameters
    ----------
    rows : sequence of RiskRowInfo
        Table rows as read, top to bottom.

    Returns
    -------
    rows : list of RiskRowInfo
        The rows, a misread cell removed where one cell alone breaks the order.
    notes : list of str
        One note per cell set aside.

    Examples
    --------
    >>> from reconstruct.arm_matching import RiskRowInfo
    >>> row = RiskRowInfo("Arm A", None, np.array([0.0, 4, 8]), np.array([22, 99, 68]))
    >>> out, notes = set_aside_increasing([row])
    >>> out[0].n_risk.tolist(), notes[0].split(";")[0]
    ([99, 68], 'Arm A: the at-risk cell at time 0 read as 22 would make the numbers at risk increase')
    """
    from reconstruct.arm_matching import RiskRowInfo

    out, notes = [], []
    for k, row in enumerate(rows):
        n = np.asarray(row.n_risk, dtype=np.int64)
        if n.size < 3 or not np.any(np.diff(n) > 0):
            out.append(row)
            continue
        fixes = [j for j in range(n.size) if not np.any(np.diff(np.delete(n, j)) > 0)]
        if len(fixes) != 1:
            out.append(row)
            continue
        j = fixes[0]
        t = np.asarray(row.time, float)
        notes.append(f"{row.label or f'at-risk row {k + 1}'}: the at-risk cell at time {_fmt(t[j])} read as {n[j]} "
                     "would make the numbers at risk increase; set aside as unread")
        out.append(RiskRowInfo(label=row.label, colour=row.colour, time=np.delete(t, j), n_risk=np.delete(n, j),
                               row_px=row.row_px, shade=row.shade))
    return out, notes
