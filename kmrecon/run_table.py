"""The at-risk rows of a run: read from a file, from a vector figure's text, or by OCR under the plot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from kmrecon.run_arms import _is_vector, recheck_match
from reconstruct.arm_matching import ArmCurve, ArmMatch, RiskRowInfo
from reconstruct.document import FigureDocument
from reconstruct.io import read_at_risk_csv

__all__ = ["MendedRows", "TableCell", "figure_rows", "file_rows", "mend_matched_rows"]


def figure_rows(document: FigureDocument, digitized, notes: list[str]) -> list[RiskRowInfo]:
    """At-risk rows printed under the plot: from the text of a vector figure, else by OCR of the image.

    Cells read again closer (a row read as increasing) are said in ``notes``.
    """
    from reconstruct.digitize.risk_table import read_risk_table
    from reconstruct.document import deskewed_background, read_document_at_risk
    from reconstruct.errors import DigitizationError

    if _is_vector(digitized):
        try:
            frame = read_document_at_risk(document, digitized)
        except DigitizationError:
            return []
        return _frame_rows(frame)
    row0, col0, row1, col1 = digitized.panel
    zero_row = float(digitized.y_calibration.to_px(0.0))
    if row1 - zero_row > 0.06 * (row1 - row0):  # SAS prints the numbers at risk inside the panel, under S = 0
        row1 = min(row1, int(np.ceil(zero_row)) + 2)
    else:  # rms::survplot prints them inside the panel just above S = 0, under the lowest curve
        row1 = _table_top_inside(digitized, row0, row1)
    scale = float(digitized.pixel_scale)  # a large image was shrunk by this factor before it was digitized
    background = deskewed_background(document, digitized)

    def to_time(col):
        return digitized.x_calibration.to_value((np.asarray(col, float) + 0.5) / scale - 0.5)

    def read(bottom: int):
        bbox = (row0, col0, bottom, col1)
        if scale != 1.0:
            bbox = tuple(min(int(round(v * scale)), size) for v, size in
                         zip(bbox, background.shape[:2] * 2, strict=True))
        return read_risk_table(background, panel_bbox=bbox, x_calibration=to_time,
                               tick_values=digitized.x_calibration.values)

    table = read(row1)
    if len(table.rows) < len(digitized.arms):  # more rows may be printed inside the panel, among the curves
        inside = _in_panel_table_top(background, digitized)  # None unless unrotated and full size
        if inside is not None and row0 < inside < row1:
            again = read(inside)
            table = again if len(again.rows) > len(table.rows) else table
    return _table_rows(table, background, scale, notes)


def _table_rows(table, background, scale: float, notes: list[str]) -> list[RiskRowInfo]:
    """The rows of a table read by OCR, cells read in doubt said in ``notes`` and their rows marked (``read_alone``)."""
    notes.extend(f"at-risk table: row {cell['row'] or '(no label)'!s} at t={cell['time']:g} read again closer: "
                 f"{cell['second']} (first read {cell['first']}, which made the row rise)"
                 for cell in table.parameters.get("reread", ()))
    alone = table.parameters.get("read_alone", ())
    notes.extend(f"at-risk table: row {cell['row'] or '(no label)'!s} at t={cell['time']:g} read again alone: "
                 f"{cell['second']} (first read {cell['first']!r}, no number); its arm is flagged" for cell in alone)
    unsure = table.parameters.get("reread_unsure", ())
    notes.extend(f"at-risk table: row {cell['row'] or '(no label)'!s} at t={cell['time']:g} read again closer, "
                 f"unsure: {cell['second']} (first read {cell['first']}, which made the row rise); its arm is flagged"
                 for cell in unsure)
    gap = table.parameters.get("read_in_gap", ())
    notes.extend(f"at-risk table: row {cell['row'] or '(no label)'!s} at t={cell['time']:g} read from its ink: "
                 f"{cell['count']} (the text detector missed it); its arm is flagged" for cell in gap)
    first = table.parameters.get("read_first_in_gap", ())
    notes.extend(f"at-risk table: row {cell['row'] or '(no label)'!s} at t={cell['time']:g} read from its ink: "
                 f"{cell['count']} (the text detector missed it)" for cell in first)
    small = table.parameters.get("small_digits", ())
    notes.extend(f"at-risk table: row {cell['row'] or '(no label)'!s} printed in digits {cell['px']:g} px high, "
                 "too small to tell 9 from 5 or 3 from 1; its arm is flagged" for cell in small)
    stacked = table.parameters.get("read_stacked", ())
    notes.extend(f"at-risk table: row {cell['row'] or '(no label)'!s} at t={cell['time']:g} read as two stacked "
                 f"cells: {cell['count']} (its box ran over the next row's cell, cut between the rows and read "
                 "again alone); its arm is flagged" for cell in stacked)
    # a blank cell taken as 0 once a line through it was set aside, or a lone "0" read unsure: a guess
    guessed = [cell for cell in table.parameters.get("blank_as_zero", ()) if cell.get("why") in ("crossed", "unsure")]
    doubtful = {cell["index"] for cell in (*alone, *unsure, *gap, *small, *stacked, *guessed) if "index" in cell}
    inked = {cell["index"] for cell in first if "index" in cell}
    blank: dict[int, list[tuple[float, str]]] = {}
    for cell in table.parameters.get("blank_as_zero", ()):
        if "index" in cell:
            blank.setdefault(cell["index"], []).append((float(cell["time"]), str(cell.get("why", "blank"))))
    return [RiskRowInfo(label=r.label, colour=r.label_color, time=np.asarray(r.times), n_risk=np.asarray(r.n_risk),
                        row_px=(r.row_px + 0.5) / scale - 0.5, shade=r.label_shade,
                        reread=_closer_reading(background, r.cell_boxes) if r.cell_boxes else None,
                        read_alone=k in doubtful, blank_zeros=tuple(t for t, _ in blank.get(k, ())),
                        blank_why=tuple(why for _, why in blank.get(k, ())),
                        first_from_ink=k in inked)
            for k, r in enumerate(table.rows)]


def _closer_reading(image, boxes):
    """A callable reading the cells in ``boxes`` of ``image`` again, closer (run only when a row is in doubt)."""

    def reread():
        import cv2

        from reconstruct.digitize.risk_cells import reread_cells

        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        return [read[0] if read is not None else None for read in reread_cells(gray, boxes)]

    return reread


def _in_panel_table_top(image, digitized) -> int | None:
    """Image row where lines of at-risk numbers printed inside the panel begin, or None (none read by OCR).

    The lowest third of the panel is read: rms::survplot prints its rows there, among the curves.
    """
    import cv2

    from reconstruct.digitize.panel_text import panel_words, table_top

    row0, col0, row1, col1 = digitized.panel
    top = row1 - (row1 - row0) // 3
    if digitized.pixel_scale != 1 or digitized.rotation_deg or row1 - top < 8:
        return None
    words = panel_words(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), (top, col0, row1, col1))
    ticks = np.asarray(digitized.x_calibration.px_positions, float) - col0
    found = table_top(words, ticks, lowest_from=0.4 * (row1 - top))
    return None if found is None else top + max(found - 2, 0)


def _table_top_inside(digitized, row0: int, row1: int) -> int:
    """Top of the band at the bottom of the panel that no curve reaches, or ``row1`` when it is thin.

    The band is at most a fifth of the panel: rows of numbers printed there are read with the table.
    """
    lowest = [float(np.max(digitized.y_calibration.to_px(np.asarray(a.survival, float)))) for a in digitized.arms
              if len(a.survival)]
    if not lowest or digitized.curve_kind != "survival" or row1 - max(lowest) < 0.08 * (row1 - row0):
        return row1
    return max(int(np.ceil(max(lowest))) + 4, row1 - int(0.2 * (row1 - row0)))


def _frame_rows(frame: pd.DataFrame) -> list[RiskRowInfo]:
    """At-risk rows of an ``arm, time, n_risk`` frame (from a file or a vector figure's text), in file order."""
    return [RiskRowInfo(label=str(arm), colour=None, time=g["time"].to_numpy(), n_risk=g["n_risk"].to_numpy())
            for arm, g in frame.groupby("arm", sort=False)]


def file_rows(at_risk_path) -> list[RiskRowInfo]:
    return _frame_rows(read_at_risk_csv(at_risk_path))


@dataclass(frozen=True)
class MendedRows:
    """The at-risk rows of a figure's table, in curve order, after the curves have checked them.

    Attributes
    ----------
    read : tuple of RiskRowInfo
        Each curve's row with the misread cells set aside (the cells kept as read).
    filled : tuple of RiskRowInfo
        The same rows with the cells the OCR missed, or that were set aside, filled where the curve allows.
    doubt : tuple of bool
        Whether each row was read in doubt (its arm is flagged).
    misread, gaps : tuple of str
        Notes: the cells set aside or mended, and the cells missing or filled.
    """

    read: tuple[RiskRowInfo, ...]
    filled: tuple[RiskRowInfo, ...]
    doubt: tuple[bool, ...]
    misread: tuple[str, ...]
    gaps: tuple[str, ...]


def _lost_cells(doubt: Sequence[bool], before: Sequence[RiskRowInfo], after: Sequence[RiskRowInfo]) -> list[bool]:
    """``doubt`` with every row that a pass set cells aside from (fewer cells ``after`` than ``before``) in doubt too:
    a row with cells set aside may hold more misreads, and its arm is flagged."""
    return [d or len(a.n_risk) < len(b.n_risk) for d, b, a in zip(doubt, before, after, strict=True)]


def _kept_readings(reread, kept: slice):
    """``reread`` (a row's second readings, one per cell) keeping the readings of the cells in ``kept`` only, or
    None when the row has none."""
    return None if reread is None else (lambda: list(reread())[kept])


_WHY_ZERO = {"blank": "blank after the row's last number; its curve has ended",
             "crossed": "blank after the row's last number once a line through it was set aside; its curve has "
                        "ended; its arm is flagged",
             "unsure": "a lone 0 read unsure after the row's last number; its curve has ended; its arm is flagged"}


def _check_blank_zeros(rows: Sequence[RiskRowInfo], curves: Sequence[ArmCurve], marks,
                       time_precision: float, x_end: float | None = None) -> tuple[list[RiskRowInfo], list[str]]:
    """Rows (``rows[k]`` matched to ``curves[k]``) with their blank-as-0 cells dropped where the curve runs on.

    A blank cell after a row's last number is 0 only when no one is left at risk: the curve's last point
    and its censor marks (on the curve, or ``marks[k]``) all lie at or before the first blank cell's time
    (within ``time_precision``). Else the blank is a digit the OCR and its ink reading missed, and the cells
    are left unread. A row holding a lone "0" read unsure keeps none either when its curve runs to within one
    column step of the axis' right end ``x_end`` (time): a curve cut by the panel's edge has not ended.
    """
    out, notes = [], []
    for k, (row, curve) in enumerate(zip(rows, curves, strict=True)):
        if not row.blank_zeros:
            out.append(row)
            continue
        first = min(row.blank_zeros)
        ends = [np.asarray(curve.time, float), np.asarray(curve.censor_time if curve.censor_time is not None else ())]
        if marks is not None and marks[k] is not None:
            ends.append(np.asarray(marks[k], float))
        last = max((float(np.max(a)) for a in ends if a.size), default=-np.inf)
        name = row.label or "(no label)"
        at = ", ".join(f"{t:g}" for t in row.blank_zeros)
        times = np.asarray(row.time, float)
        step = float(np.median(np.diff(times))) if times.size > 1 else 0.0
        cut = x_end is not None and "unsure" in row.blank_why and last >= x_end - step
        runs_on = last > first + time_precision
        if runs_on or cut:
            keep = ~np.isin(times, np.asarray(row.blank_zeros, float))
            # the blank cells are the row's last: its other cells' second readings are the first ones
            reread = _kept_readings(row.reread, slice(None, int(keep.sum())))
            out.append(replace(row, time=times[keep], n_risk=np.asarray(row.n_risk)[keep],
                               blank_zeros=(), blank_why=(), reread=reread))
            why = f"the curve runs on (to t={last:g})" if runs_on else \
                f"a lone 0 read unsure, and the curve runs to t={last:g}, within a column step of the axis end"
            notes.append(f"at-risk table: row {name} at t={at}: blank cells left unread: {why}")
        else:
            out.append(row)
            whys = row.blank_why or ("blank",) * len(row.blank_zeros)
            notes.extend(f"at-risk table: row {name} at t={t:g} read as 0 ({_WHY_ZERO.get(w, w)})"
                         for t, w in zip(row.blank_zeros, whys, strict=True))
    return out, notes


def _first_cells_from_ink(rows: Sequence[RiskRowInfo], printed_n: Sequence[int | None]) \
        -> tuple[list[RiskRowInfo], list[bool], list[str]]:
    """Rows (``rows[k]`` of the arm whose legend prints ``printed_n[k]``) whose time-0 cell, read from its ink,
    differs from the legend's n, with that cell dropped (:func:`reconstruct.table_gaps.complete_rows` then takes
    the legend's n, exact); per row, whether the arm is flagged (the legend's n is under the next cell, so the
    time-0 cell is taken from the curve); and notes.
    """
    out, flags, notes = [], [], []
    for row, legend in zip(rows, printed_n, strict=True):
        t, n = np.asarray(row.time, float), np.asarray(row.n_risk)
        if not row.first_from_ink or legend is None or t.size < 2 or t[0] != 0.0 or int(n[0]) == int(legend):
            out.append(row)
            flags.append(False)
            continue
        out.append(replace(row, time=t[1:], n_risk=n[1:], first_from_ink=False,
                           reread=_kept_readings(row.reread, slice(1 - t.size, None))))
        flags.append(int(legend) < int(n[1]))
        why = "" if int(legend) >= int(n[1]) else f" (the legend's n is under {int(n[1])}, the next cell; flagged)"
        notes.append(f"at-risk table: row {row.label or '(no label)'}: the time-0 cell read from its ink as "
                     f"{int(n[0])} is not the legend's n={int(legend)}; set aside{why}")
    return out, flags, notes


def mend_matched_rows(as_read: Sequence[RiskRowInfo], rows: Sequence[RiskRowInfo], doubtful: Sequence[bool],
                      match: ArmMatch,
                      curves: Sequence[ArmCurve], printed_n: Sequence[int | None], *, recheck: bool,
                      precision: float, method: str, marks, time_precision: float,
                      x_end: float | None = None) -> MendedRows:
    """Check an OCR-read table's rows against the curves they were matched to.

    Matched to its curve, a row's misread cells are set aside again (the curve may tell which of two is
    misread), cells are mended along the curve, a time-0 cell that breaks the curve's bound is set aside, and
    the missing cells are filled (:mod:`reconstruct.table_gaps`).

    Parameters
    ----------
    as_read : sequence of RiskRowInfo
        The rows as the OCR read them, in table order.
    rows : sequence of RiskRowInfo
        The same rows with the cells that made them rise set aside (what the match was made on).
    doubtful : sequence of bool
        Per row of ``as_read``: read in doubt before the match (a cell set aside, read again, or a hole).
    match : ArmMatch
        ``match.rows[k]`` is the row of curve ``k``.
    curves : sequence of ArmCurve
        The digitized curves, in curve order.
    printed_n : sequence of int or None
        Per curve, the number of patients printed in the legend, if any.
    recheck : bool
        Check that a match the numbers made holds without the cells set aside (False when the user named the
        arms).
    precision, method, marks, time_precision
        As :func:`kmrecon.run_arms.match_by_fit`.
    x_end : float, optional
        Time at the axis' right end: a lone "0" read unsure is not kept where the row's curve runs to within a
        column step of it.

    Raises
    ------
    ReconstructionError
        When ``recheck`` and the match no longer holds.
    """
    from reconstruct.table_gaps import complete_rows, mend_along_curves, set_aside_along_curves, set_aside_first_cell

    mine, blank_notes = _check_blank_zeros([as_read[j] for j in match.rows], curves, marks, time_precision, x_end)
    mine, ink_flags, ink_notes = _first_cells_from_ink(mine, printed_n)
    blank_notes += ink_notes
    inked = [r.first_from_ink for r in mine]
    matched, misread = set_aside_along_curves(mine, curves, precision=precision, time_precision=time_precision,
                                              doubtful=[doubtful[j] for j in match.rows])
    # a row with cells set aside, by the numbers or by its curve, may hold more misreads
    doubt = [d or f for d, f in zip(_lost_cells([doubtful[j] for j in match.rows], mine, matched), ink_flags,
                                     strict=True)]
    matched, mended = mend_along_curves(mine, matched, curves, precision=precision, time_precision=time_precision)
    if recheck:  # a match the numbers made must hold without the cells the curves set aside
        recheck_match(match, curves, rows, matched, precision=precision, method=method, marks=marks,
                      time_precision=time_precision)
    misread = list(misread) + list(mended)
    before = matched
    matched, first_notes = set_aside_first_cell(matched, curves, doubt, from_ink=inked, precision=precision,
                                                time_precision=time_precision)
    doubt = _lost_cells(doubt, before, matched)  # a time-0 cell set aside is a misread: its arm is flagged
    if first_notes:  # without its time-0 cell a row may break its curve's bound elsewhere
        before = matched
        matched, again = set_aside_along_curves(matched, curves, precision=precision, time_precision=time_precision,
                                                doubtful=doubt)
        doubt = _lost_cells(doubt, before, matched)
        misread += list(again)
    filled, gap_notes = complete_rows(matched, curves, n_start=printed_n)
    gaps = tuple(blank_notes) + tuple(first_notes) + tuple(gap_notes)
    return MendedRows(tuple(matched), tuple(filled), tuple(doubt), tuple(misread), gaps)


@dataclass(frozen=True)
class TableCell:
    """One cell of an at-risk table read from an image, as the overlay shows it.

    Attributes
    ----------
    arm : str
    time : float
    n_risk : int or None
        None for a missing cell.
    row_px : float
        Centre pixel row of the printed row.
    state : {"read", "filled", "missing"}
        Read by OCR; time-0 cell taken from the next cell and the curve; not read.
    """

    arm: str
    time: float
    n_risk: int | None
    row_px: float
    state: str


def _table_cells(read: Sequence[RiskRowInfo], used: Sequence[RiskRowInfo], names: Sequence[str]) -> tuple:
    """Cells of each arm's row (``read[k]`` as read, ``used[k]`` after filling) on the table's grid of times."""
    if not read or any(r.row_px is None for r in read):
        return ()
    grid = np.unique(np.concatenate([np.asarray(r.time, float) for r in (*read, *used)]))
    cells = []
    for name, row, full in zip(names, read, used, strict=True):
        last = float(np.max(full.time)) if len(full.time) else 0.0
        for t in grid[grid <= last]:
            hit = np.flatnonzero(np.isclose(row.time, t))
            fill = np.flatnonzero(np.isclose(full.time, t))
            if hit.size:
                cells.append(TableCell(name, float(t), int(row.n_risk[hit[0]]), float(row.row_px), "read"))
            elif fill.size:
                cells.append(TableCell(name, float(t), int(full.n_risk[fill[0]]), float(row.row_px), "filled"))
            else:
                cells.append(TableCell(name, float(t), None, float(row.row_px), "missing"))
    return tuple(cells)
