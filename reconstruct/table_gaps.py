"""At-risk rows with cells the OCR could not read: say which, and fill a missing time-0 cell.

A cell whose number would make its row increase (numbers at risk never do), or a second number at a
time, is a misread, e.g. a first number overprinted by its row label or a digit of a JCO "(events)"
count; the cells that are not on every longest consistent run (rising times, numbers that never
increase, and within the matched curve's bound when it is known) are treated as unread, the warnings
say so and the arm's reading is flagged. Two conflicting cells that no run decides between are both
set aside. When that would keep fewer than two cells or under half of the row, the row is kept as read
and the reconstruction rejects it. A row that never increases is set aside along its curve too when it
clearly keeps more patients than the curve lets survive (a digit misread, "192" as "152"); the cells set
aside are read again closer and put back when that reading keeps the row within the curve's bound.

A table is printed on one grid of times, so a cell missing from one row but present in another is
an unread cell; the run continues with the cells read and its warnings list the missing ones. The
time-0 cell (patients randomised) is needed by the reconstruction: when it is missing it is taken
from the arm's legend when that prints it ("(n=125)"), else from the next cell divided by the curve's
survival just before that time (no censoring assumed before the first column, the usual case), and
the warning says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["complete_rows", "mend_along_curves", "rows_with_holes", "set_aside_along_curves", "set_aside_first_cell",
           "set_aside_increasing"]


def _fmt(t: float) -> str:
    return f"{t:g}"


def _survival_before(curve, time: float) -> float:
    """The curve's survival just before ``time`` (its step corners, 1.0 before the first)."""
    s_before = float(np.interp(time, curve.time, curve.survival, left=1.0))
    idx = np.searchsorted(curve.time, time, side="left") - 1
    return float(curve.survival[idx]) if idx >= 0 else s_before


_FIRST_CELL_RATIO = 2.0
"""How many times the patients that the next cell and the curve imply a doubtful time-0 cell may hold.

Censoring before the first column makes the time-0 count larger than that estimate: at most 1.63 times
on the 1,146 arms of the wild corpus (90th percentile 1.23); a "3" read as "8" makes it 2.2 times.
"""

_FIRST_CELL_FAR = 5.0
"""How many times the patients that the next cell and the curve imply any time-0 cell may hold: three times the
most that censoring before the first column made on the wild corpus (1.63); further off, it is a misread even in
a row read without a doubt (sas_016: "0.0" of the y axis fused with "178" into "60178", over 119 at 3 months)."""


def rows_with_holes(rows: Sequence) -> list[bool]:
    """Which rows miss a cell inside their span: a time another row has, or one step of a regular grid.

    A cell the OCR did not read at all is a sign it read its neighbours badly too (stata_000: "96" not
    read, "293" read as "253"). The hole in a row on its own is a step that is a whole multiple of its
    shortest step while at least two others are that step and no other step is longer (0, 6, 12, 18, 30, 36).
    """
    grid = np.unique(np.concatenate([np.asarray(r.time, float) for r in rows])) if rows else np.zeros(0)
    out = []
    for r in rows:
        t = np.unique(np.asarray(r.time, float))  # a time read twice is one column (no zero step to divide by)
        if t.size < 3:
            out.append(False)
            continue
        inside = grid[(grid > t[0]) & (grid < t[-1])]
        missing = bool(np.any(~np.isclose(inside[:, None], t[None, :]).any(axis=1)))
        ratio = np.diff(t) / float(np.min(np.diff(t)))
        whole = np.round(ratio)
        hole = bool(np.allclose(ratio, whole, atol=0.05) and np.sum(whole == 1) >= 2 and np.sum(whole > 1) == 1)
        out.append(missing or hole)
    return out


def set_aside_first_cell(rows: Sequence, curves: Sequence, doubtful: Sequence[bool], *,
                         from_ink: Sequence[bool] | None = None, precision: float = 0.0,
                         time_precision: float | None = None) -> tuple[list, list[str]]:
    """Set aside the time-0 cell of a row when it is far above what the row's later cells and its curve imply.

    A row that already had cells set aside (:func:`set_aside_increasing`) may hold more misreads; its
    time-0 cell is set aside when it exceeds ``_FIRST_CELL_RATIO`` times the next cell divided by the
    curve's survival just before that cell's time (:func:`complete_rows` then fills it, from the legend
    or the curve). In any row, a time-0 cell over ``_FIRST_CELL_FAR`` times the most that any later cell and
    the curve imply is set aside too (the caller flags the row). Only cells with patients left, on a curve not
    yet at 0, imply a count; a row with none keeps its time-0 cell. A time-0 cell read from its ink (``from_ink``;
    the text detector found none there) is held to ``_FIRST_CELL_RATIO`` too, and is set aside when under what
    the next cell and the curve imply, beyond the slack (:func:`reconstruct.quality.table_bound_ratio`, with
    ``precision`` and ``time_precision``).

    Parameters
    ----------
    rows : sequence of RiskRowInfo
        Table rows, ``rows[k]`` matched to ``curves[k]``.
    curves : sequence of ArmCurve
        Digitized curve of each row's arm.
    doubtful : sequence of bool
        True for the rows that had cells set aside as misread.
    from_ink : sequence of bool, optional
        True for the rows whose time-0 cell was read from its ink.
    precision, time_precision : float
        Digitizing precision of survival and time, for the bound (as in the quality gate).

    Returns
    -------
    rows : list of RiskRowInfo
    notes : list of str
        One note per time-0 cell set aside.
    """
    from reconstruct.arm_matching import RiskRowInfo

    out, notes = [], []
    inks = [False] * len(rows) if from_ink is None else list(from_ink)
    for row, curve, doubt, ink in zip(rows, curves, doubtful, inks, strict=True):
        t = np.asarray(row.time, float)
        n = np.asarray(row.n_risk, dtype=np.int64)
        if t.size < 3 or t[0] != 0.0:
            out.append(row)
            continue
        # a row read without doubt: the most any later cell implies, so one cell misread low ("119" as "19")
        # condemns no true time-0 cell
        strict = bool(doubt or ink)
        later = range(1, 2) if strict else range(1, t.size)
        s_before = np.array([_survival_before(curve, float(t[j])) for j in later])
        # only cells with patients left on a curve not yet at 0 imply a time-0 count (a cell past the curve's
        # last event would imply an infinite one and keep any time-0 cell)
        usable = (n[1:1 + s_before.size] > 0) & (s_before > 0)
        if not np.any(usable):
            out.append(row)
            continue
        each = np.where(usable, n[1:1 + s_before.size] / np.where(usable, s_before, 1.0), -np.inf)
        j = 1 + int(np.argmax(each))
        implied = float(each[j - 1])
        ratio = _FIRST_CELL_RATIO if strict else _FIRST_CELL_FAR
        # an ink-read count under what the next cell and the curve imply (a digit lost, "18" for 181)
        under = ink and _breaks_bound(curve, t[:2], n[:2], precision, time_precision)
        if n[0] <= ratio * implied and not under:
            out.append(row)
            continue
        name = row.label or curve.label or "an arm"
        if under:
            notes.append(f"{name}: the time-0 at-risk cell read from its ink as {n[0]} is under the {implied:.0f} "
                         f"that {n[j]} at {_fmt(t[j])} and the curve imply; set aside as unread")
        else:
            why = ", in a row with misread cells" if doubt else "" if ink else ", the most any later cell implies"
            notes.append(f"{name}: the time-0 at-risk cell read{' from its ink' if ink else ''} as {n[0]} is over "
                         f"{ratio:g} times the {implied:.0f} that {n[j]} at {_fmt(t[j])} and the curve imply{why}; "
                         "set aside as unread")
        out.append(RiskRowInfo(label=row.label, colour=row.colour, time=t[1:], n_risk=n[1:], row_px=row.row_px,
                               shade=row.shade))
    return out, notes


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
                s_before = _survival_before(curve, float(t[0]))
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


def _in_every_longest_run(t: NDArray[np.float64], n: NDArray[np.int64],
                          fits: Callable[[int, int], bool] | None = None,
                          anchor: int | None = None) -> NDArray[np.bool_]:
    """Cells on every longest run of cells with rising times and non-increasing numbers.

    Two cells at one time never share a run; ``fits(i, j)``, when given, must also hold for each cell
    ``i`` and the next cell ``j`` of a run; with ``anchor`` (the index of the row's first cell), only runs
    that start at that cell count. A quadratic pass over a row of a dozen cells: the usual
    longest-subsequence counting (no library ships it with the "on every run" test).
    """
    size = n.size
    ok = (t[:, None] < t[None, :]) & (n[:, None] >= n[None, :])  # ok[i, j]: j may follow i
    if fits is not None:
        ok &= np.array([[bool(ok[i, j]) and fits(i, j) for j in range(size)] for i in range(size)],
                       dtype=bool).reshape(size, size)
    ends = np.ones(size, dtype=np.int64)  # longest run ending at each cell
    if anchor is not None:  # runs start at the anchor: the other cells end none until reached from it
        ends[:] = -size
        ends[anchor] = 1
    starts = np.ones(size, dtype=np.int64)  # longest run starting at each cell
    for i in range(size):
        for j in range(i):
            if ok[j, i]:
                ends[i] = max(ends[i], ends[j] + 1)
    for i in range(size - 1, -1, -1):
        for j in range(i + 1, size):
            if ok[i, j]:
                starts[i] = max(starts[i], starts[j] + 1)
    longest = int(np.max(ends + starts - 1)) if size else 0
    on_some = ends + starts - 1 == longest
    # a cell is on every longest run when no other cell on one holds its place (its run length before it)
    places, counts = np.unique(ends[on_some], return_counts=True)
    alone = set(places[counts == 1].tolist())
    return on_some & np.isin(ends, list(alone))


_MAX_BOUND_ASIDE = 2
"""Most cells the curve's bound sets aside from a row that never rises (misread digits are one or two a row)."""

_CLEAR_EXCESS = 2.0
"""Times its slack a row that shows no misread otherwise must exceed its curve's bound by to be set aside.

On the wild corpus, misread digits ("192" as "152", "83" as "85" after a "186" read as "100") exceed it
2.4 to 4.5 times; curves traced off their line (a CI band followed, a line lost in another) 1.1 to 1.5
times, with a table read right: those stay misfits.
"""


def _breaks_bound(curve, t: NDArray[np.float64], n: NDArray[np.int64], precision: float,
                  time_precision: float | None, limit: float = 1.0) -> bool:
    """True when the row keeps more patients than ``curve`` lets survive, by over ``limit`` times the slack.

    ``limit`` 1 is the quality gate's misfit (:func:`reconstruct.quality.table_bound_ratio`).
    """
    from reconstruct.quality import table_bound_ratio

    ratio, _ = table_bound_ratio(curve.time, curve.survival, t, n, precision=precision,
                                 time_precision=time_precision)
    return ratio > limit


def set_aside_increasing(rows: Sequence, curves: Sequence | None = None, *, precision: float = 0.0,
                         time_precision: float | None = None) -> tuple[list, list[str]]:
    """Set aside the cells that make a row increase or that share a time with another cell.

    Numbers at risk never increase and a row has one cell per time, so cells that break either are
    misreads. The cells kept are those on every longest run of the row that obeys both (with one misread
    cell, all the others); the cells off it are set aside as unread and named in the notes. When fewer
    than two cells or fewer than half of the row would be kept, the row stays as read (the reconstruction
    then rejects it).

    Parameters
    ----------
    rows : sequence of RiskRowInfo
        Table rows as read, top to bottom.
    curves : sequence of ArmCurve, optional
        The curve of each row's arm (``curves[k]`` for ``rows[k]``). Each cell kept must then also keep
        within the bound the curve sets on the next one (:func:`reconstruct.quality.table_bound_ratio`),
        which tells which of two cells is the misread one where the numbers alone do not.
    precision, time_precision : float
        Digitizing precision of survival and time, for the bound (as in the quality gate).

    Returns
    -------
    rows : list of RiskRowInfo
        The rows, misread cells removed where the rest of the row is consistent.
    notes : list of str
        One note per row with cells set aside.

    Examples
    --------
    >>> from reconstruct.arm_matching import RiskRowInfo
    >>> row = RiskRowInfo("Arm A", None, np.array([0.0, 4, 8]), np.array([22, 99, 68]))
    >>> out, notes = set_aside_increasing([row])
    >>> out[0].n_risk.tolist(), notes[0].split(";")[0]
    ([99, 68], 'Arm A: the at-risk cell at time 0 read as 22 would make the numbers at risk increase')
    """
    from reconstruct.arm_matching import RiskRowInfo
    from reconstruct.quality import table_bound_ratio

    out, notes = [], []
    for k, row in enumerate(rows):
        t = np.asarray(row.time, float)
        n = np.asarray(row.n_risk, dtype=np.int64)
        order = np.argsort(t, kind="stable")
        t, n = t[order], n[order]
        repeated = np.unique(t).size < t.size
        traced = curves is not None and len(curves[k].time) >= 2
        rising = repeated or bool(np.any(np.diff(n) > 0))
        if n.size < 2 or (not rising and not (traced and _breaks_bound(curves[k], t, n, precision, time_precision))):
            out.append(row)
            continue
        fits = None
        if traced:
            curve = curves[k]

            def fits(i: int, j: int, curve=curve, t=t, n=n) -> bool:
                ratio, _ = table_bound_ratio(curve.time, curve.survival, t[[i, j]], n[[i, j]], precision=precision,
                                             time_precision=time_precision)
                return ratio <= 1.0

        # a row that never rises breaks its curve's bound by a misread digit or two, and keeps its time-0 cell
        # (a right row on the wrong curve breaks it at many cells: it stays as read, the quality gate's misfit)
        by_bound = not rising
        keep = _in_every_longest_run(t, n, fits, anchor=0 if by_bound and t[0] == 0.0 else None)
        if keep.sum() < max(2, np.ceil(n.size / 2)) or (by_bound and np.sum(~keep) > _MAX_BOUND_ASIDE):
            out.append(row)
            continue
        cells = ", ".join(f"time {_fmt(t[j])} read as {n[j]}" for j in np.flatnonzero(~keep))
        why = "would make the numbers at risk increase" if not repeated else \
            "would make the numbers at risk increase or give one time two numbers"
        if not rising:
            why = "would keep more patients than the curve lets survive from the cell before"
        elif fits is not None and not np.array_equal(keep, _in_every_longest_run(t, n)):
            why += " or keep more patients than the curve lets survive"
        plural = "s" if np.sum(~keep) > 1 else ""
        notes.append(f"{row.label or f'at-risk row {k + 1}'}: the at-risk cell{plural} at {cells} {why}; "
                     "set aside as unread")
        out.append(RiskRowInfo(label=row.label, colour=row.colour, time=t[keep], n_risk=n[keep],
                               row_px=row.row_px, shade=row.shade))
    return out, notes


def set_aside_along_curves(rows: Sequence, curves: Sequence, *, precision: float,
                           time_precision: float | None = None,
                           doubtful: Sequence[bool] | None = None) -> tuple[list, list[str]]:
    """:func:`set_aside_increasing` on rows matched to their curves, with the curve's bound where it keeps more.

    A row that never increases is set aside along its curve too when it keeps more patients than the
    curve lets survive: beyond ``_CLEAR_EXCESS`` times the slack (a digit misread, "192" as "152"; a
    curve traced a little off its line makes smaller excesses, and stays the quality gate's misfit), or
    beyond the slack itself (the misfit) when the row is ``doubtful`` or had cells set aside by the
    numbers, since a row with misread cells may hold more.

    Parameters
    ----------
    rows : sequence of RiskRowInfo
        Table rows as read, ``rows[k]`` matched to ``curves[k]``.
    curves : sequence of ArmCurve
    precision, time_precision : float
        As for :func:`set_aside_increasing`.
    doubtful : sequence of bool, optional
        True for the rows already known to hold misread cells.

    Returns
    -------
    rows : list of RiskRowInfo
        Each row with its misread cells set aside: by the curve's bound when that keeps at least as many
        cells as the numbers alone (it breaks their ties) or when the numbers alone leave the bound broken,
        and still sets one aside; else by the numbers.
    notes : list of str
    """
    out, notes = [], []
    doubts = [False] * len(rows) if doubtful is None else list(doubtful)
    for row, curve, doubt in zip(rows, curves, doubts, strict=True):
        (plain,), plain_notes = set_aside_increasing([row])
        limit = 1.0 if doubt or plain_notes else _CLEAR_EXCESS
        broken = len(curve.time) >= 2 and _breaks_bound(curve, np.asarray(plain.time, float),
                                                         np.asarray(plain.n_risk), precision, time_precision, limit)
        if not plain_notes and not broken:
            out.append(plain)
            continue
        (curved,), curved_notes = set_aside_increasing([row], [curve], precision=precision,
                                                       time_precision=time_precision)
        better = len(curved.n_risk) < len(row.n_risk) and (broken or len(plain.n_risk) <= len(curved.n_risk))
        out.append(curved if better else plain)
        notes.extend(curved_notes if better else plain_notes)
    return out, notes


def mend_along_curves(as_read: Sequence, kept: Sequence, curves: Sequence, *, precision: float,
                      time_precision: float | None = None) -> tuple[list, list[str]]:
    """Put back the cells set aside whose closer second reading keeps the row within its curve's bound.

    A digit misread at small sizes ("192" as "152") is often read right when the cell is cropped tight
    and enlarged (``RiskRowInfo.reread``). The cells a row had set aside are read again; those read
    surely and differently are put back when the row then neither increases nor keeps more patients
    than its curve lets survive (:func:`set_aside_along_curves` finds nothing to set aside). A cell set
    aside right beside one put back, and read again the same or unsurely, comes back with it when the row
    then holds; other cells read again the same, or unsurely, stay set aside.

    Parameters
    ----------
    as_read : sequence of RiskRowInfo
        The rows as read, in time order, ``as_read[k]`` matched to ``curves[k]``.
    kept : sequence of RiskRowInfo
        The same rows with their misread cells set aside.
    curves : sequence of ArmCurve
    precision, time_precision : float
        As for :func:`set_aside_increasing`.

    Returns
    -------
    rows : list of RiskRowInfo
    notes : list of str
        One note per row with cells put back.
    """
    from reconstruct.arm_matching import RiskRowInfo

    out, notes = [], []
    for k, (row, left, curve) in enumerate(zip(as_read, kept, curves, strict=True)):
        t = np.asarray(row.time, float)
        n = np.asarray(row.n_risk, dtype=np.int64)
        if row.reread is None or len(left.n_risk) == n.size or np.any(np.diff(t) <= 0):
            out.append(left)
            continue
        aside = ~np.isin(t, np.asarray(left.time, float))
        second = list(row.reread())
        back = np.array([bool(aside[j]) and j < len(second) and second[j] is not None and second[j] != n[j]
                         for j in range(n.size)], dtype=bool)
        if len(second) != n.size or not back.any():
            out.append(left)
            continue
        values = np.where(back, [v if v is not None else -1 for v in second], n)
        # a cell set aside beside the misread one, and read again the same or unsurely (mpl_default_018: "152"
        # for 192 and 147 after it, both set aside; 147 read again unsure) comes back with it when the row holds
        beside = np.r_[back[1:], False] | np.r_[False, back[:-1]]
        same = np.array([bool(aside[j] and beside[j]) and (second[j] is None or second[j] == n[j])
                         for j in range(n.size)], dtype=bool)
        candidate = None
        for use in ((~aside | back | same), (~aside | back)) if same.any() else ((~aside | back),):
            trial = RiskRowInfo(label=row.label, colour=row.colour, time=t[use], n_risk=values[use],
                                row_px=row.row_px, shade=row.shade)
            (_,), broken = set_aside_along_curves([trial], [curve], precision=precision,
                                                  time_precision=time_precision, doubtful=[True])
            if not broken:
                candidate, back = trial, back | (same & use)
                break
        if candidate is None:
            out.append(left)
            continue
        cells = ", ".join(f"time {_fmt(t[j])}: {values[j]} (first read {n[j]})" for j in np.flatnonzero(back))
        notes.append(f"{row.label or f'at-risk row {k + 1}'}: at-risk cell(s) read again closer, at {cells}, "
                     "keep the row within what its curve allows; put back")
        out.append(candidate)
    return out, notes
