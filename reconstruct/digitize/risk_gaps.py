"""Cells of an at-risk row the OCR's detector missed: read from the ink where their column crosses the row (a
lone "1" or "0", now and then a row's time-0 cell), or, left blank after the row's last number in columns other
rows print, taken as 0 (rms::survplot prints nothing once an arm has no one at risk; the run checks them against
the row's curve), as is a lone "0" there read unsure. Pixels are ``(row, col)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.label_boxes import ink_components
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_cells import SURE_SCORE, _read_closer, _sure_count

__all__ = ["BLANK_LEVELS", "SURE_SCORE", "UNSURE_ZERO_FLOOR", "InkCells", "TrailingBlanks", "blank_trailing_cells",
           "grid_columns", "read_unread_cells", "with_unread_cells"]

Cell = tuple[TextBox, int, float]

UNSURE_ZERO_FLOOR = 0.2
"""Lowest score at which a lone glyph read "0" after a row's last number is kept as an unsure zero (a 5 px "0"
reads 0.24-0.76 in the corpus; under 0.2 the recogniser is guessing)."""


@dataclass(frozen=True)
class InkCells:
    """Cells read from their ink by :func:`read_unread_cells`.

    Attributes
    ----------
    found : tuple of (TextBox, int, float)
        The cells read sure: box, count and time.
    unsure_zeros : tuple of (TextBox, int, float)
        Lone glyphs after the row's last cell read as a "0" (or "O") with a score from :data:`UNSURE_ZERO_FLOOR`
        to under :data:`SURE_SCORE`: not cells by themselves (the caller may keep them as blank zeros).
    """

    found: tuple[Cell, ...]
    unsure_zeros: tuple[Cell, ...]


def read_unread_cells(gray: NDArray[np.uint8], cells: Sequence[tuple[TextBox, int, float]], columns: Sequence[float],
                      col_of: Callable[[float], float], step_px: float) -> InkCells:
    """Cells of a row the OCR's detector did not find, read from the ink where their column crosses the row.

    A lone narrow glyph ("1", "0") at the end of a row is often not detected as text, nor, now and then, a
    row's first cell. For each of the table's ``columns`` (times other rows hold) that the row lacks after its
    first cell, and the table's first column, the ink inside the row's text band within
    0.4 column steps of the column's centre ``col_of(time)`` is cropped tight and read on its own; a count
    read sure (:data:`SURE_SCORE`) that keeps the row from increasing takes the cell. Ink touching the edges
    of that window (a wide neighbour) is not read.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
    cells : sequence of (TextBox, int, float)
        The row's cells read: box, count and time, in time order.
    columns : sequence of float
        Times of the table's columns.
    col_of : callable
        Pixel column of a column's centre, from its time.
    step_px : float
        Pixels between two columns.

    Returns
    -------
    InkCells
        The cells found, each with its box, count and time, and the lone glyphs after the row's last cell read
        "0" unsure (a 5 px "0" at the end of a row reads "0" at 0.3-0.8).
    """
    if len(cells) < 2 or not np.isfinite(step_px) or step_px < 8:
        return InkCells((), ())
    have = [t for _, _, t in cells]
    r0 = int(np.median([w.row0 for w, _, _ in cells]))
    r1 = int(np.median([w.row1 for w, _, _ in cells]))
    # after the row's first cell, or the table's first column (a time-0 cell the detector missed: sas_005)
    missing = [t for t in columns if min(abs(t - h) for h in have) > 1e-6 and (have[0] < t or t == columns[0])]
    boxes, where = [], []
    for t in missing:
        centre, half = float(col_of(t)), 0.4 * step_px
        c0, c1 = max(int(centre - half), 0), min(int(centre + half) + 1, gray.shape[1])
        window = gray[r0:r1, c0:c1]
        if window.size == 0 or int(window.max()) - int(window.min()) < 60:
            continue
        comps = ink_components(window)
        glyphs = comps[comps[:, 2] - comps[:, 0] >= 0.3 * (r1 - r0)]
        if glyphs.size == 0:
            continue
        y0, x0 = (int(v) for v in glyphs[:, :2].min(axis=0))
        y1, x1 = (int(v) for v in glyphs[:, 2:].max(axis=0))
        if x0 == 0 or x1 >= window.shape[1] or y0 == 0 or y1 >= window.shape[0]:
            continue  # cut by the window: part of a neighbour, or not a glyph of this row
        boxes.append((r0 + y0, c0 + x0, r0 + y1, c0 + x1))
        where.append(t)
    found, unsure = [], []
    for box, t, (text, score) in zip(boxes, where, _read_closer(gray, boxes) if boxes else [], strict=True):
        count = sure[0] if (sure := _sure_count(text, score)) is not None else None
        before = [n for _, n, h in cells if h < t]
        after = [n for _, n, h in cells if h > t]
        if count is not None and (not before or count <= before[-1]) and (not after or count >= after[0]):
            found.append((TextBox(str(count), float(score), *box), count, float(t)))
        elif count is None and not after and text.strip() in ("0", "O", "o") and score >= UNSURE_ZERO_FLOOR:
            unsure.append((TextBox("0", float(score), *box), 0, float(t)))
    return InkCells(tuple(found), tuple(unsure))


_EXTRA_COLUMNS = 2
"""At most this many columns are searched past the last one a table holds (a missed last column or two, never
a second table's worth of columns in a wide panel)."""


_GRID_SLACK = 0.05
"""Most a held column may lie off the table's regular grid, in column steps, for the grid's empty columns to count."""


def grid_columns(held: Sequence[float], step: float) -> list[float]:
    """The table's columns: the times ``held`` (ascending) with the columns between them that no row holds, when
    every held time lies on one grid of ``step`` (within :data:`_GRID_SLACK` steps), else ``held`` as given.

    Tables print their numbers on the x ticks, so a column empty in every row (a lone "1" the detector missed in a
    one-row table: survminer_bw_003 of the seed-8081 set, 36 months) is still a column.

    Examples
    --------
    >>> grid_columns([0.0, 6.0, 12.0, 24.0], 6.0)
    [0.0, 6.0, 12.0, 18.0, 24.0]
    >>> grid_columns([0.0, 5.0, 12.0], 6.0)
    [0.0, 5.0, 12.0]
    """
    held = [float(t) for t in held]
    if len(held) < 2 or not np.isfinite(step) or step <= 0:
        return held
    k = (np.asarray(held) - held[0]) / step
    if np.any(np.abs(k - np.round(k)) > _GRID_SLACK):
        return held
    filled = {int(v) for v in np.round(k)}
    return sorted(held + [held[0] + j * step for j in range(int(round(k[-1])) + 1) if j not in filled])


def with_unread_cells(gray: NDArray[np.uint8], ordered: list[tuple[TextBox, int]], times: dict[int, float],
                      table: Sequence[tuple[TextBox, float]], params: dict[str, object],
                      label: str | None, last_px: float | None = None,
                      index: int | None = None) -> list[tuple[TextBox, int]]:
    """A row's cells (box, count; in time order) with those :func:`read_unread_cells` finds, in time order.

    ``times`` (time of each box by ``id``) gets their times and ``params["read_in_gap"]`` a note of each
    (``params["read_first_in_gap"]`` of a cell before the row's first, a time-0 cell; ``params["blank_as_zero"]``
    of a blank cell after the row's last number, with ``"why"``: ``"blank"``, ``"crossed"`` (blank once a line
    passing through was set aside: a guess, its arm flagged) or ``"unsure"`` (a lone "0" read unsure, its arm
    flagged));
    ``table`` holds every cell of the table (box, time): the columns searched are those other rows hold, the
    columns between them on the table's grid that no row holds (:func:`grid_columns`), and the columns after
    the last one, a column step apart, whose centre is left of pixel column ``last_px`` (the panel's right edge:
    a last column of lone "0"s that the detector missed in every row). Each note holds the row's ``index`` in the
    table, when given (``read_in_gap`` flags the row's arm; the run checks ``read_first_in_gap`` and
    ``blank_as_zero`` cells against the row's curve).
    """
    held = sorted({t for _, t in table})
    if len(held) < 2:
        return ordered
    step = float(np.median(np.diff(held)))
    fit = np.polyfit([t for _, t in table], [w.center_px[1] for w, _ in table], 1)
    columns = grid_columns(held, step)
    inner = len(columns)
    while last_px is not None and step > 0 and fit[0] > 0 and np.polyval(fit, columns[-1] + step) <= last_px \
            and len(columns) < inner + _EXTRA_COLUMNS:
        columns.append(columns[-1] + step)
    def col_of(time: float) -> float:
        return float(np.polyval(fit, time))

    ink = read_unread_cells(gray, [(w, v, times[id(w)]) for w, v in ordered], columns, col_of, abs(fit[0]) * step)
    gaps = list(ink.found)
    # a lone "0" read unsure after every cell found: taken as a blank cell (its arm flagged), which the run keeps
    # only where the row's curve has ended, and only when every later column is blank too (a "6" read "0" before
    # an unread "3" is no zero)
    unsure = [z for z in ink.unsure_zeros if not gaps or z[2] > max(t for _, _, t in gaps)]
    read = sorted([(w, v, times[id(w)]) for w, v in ordered] + gaps, key=lambda c: c[2])
    check = set(held) | ({t for t in columns if t > min(z[2] for z in unsure)} if unsure else set())
    blanks = blank_trailing_cells(gray, read, sorted(check), col_of, abs(fit[0]) * step,
                                  skip=[z[2] for z in unsure])
    unsure = unsure if blanks is not None else []
    kept = [c for c in blanks.cells if c[2] in held] if blanks is not None else []  # past the table's columns: no cell
    crossed = blanks.crossed if blanks is not None else ()
    why = {id(w): "unsure" for w, _, _ in unsure} | {id(w): "crossed" if t in crossed else "blank" for w, _, t in kept}
    zeros = unsure + kept
    if not gaps and not zeros:
        return ordered
    times.update({id(w): time for w, _, time in (*gaps, *zeros)})
    # a first cell read from its ink is checked against the curve as every time-0 cell is (it was taken from the
    # next cell and the curve before): noted apart, its arm not flagged as for a lone "1" that dust may make
    first = min(times[id(w)] for w, _ in ordered)
    at = {} if index is None else {"index": index}
    params.setdefault("read_in_gap", []).extend(  # type: ignore[union-attr]
        {"row": label, "time": time, "count": v, **at} for _, v, time in gaps if time > first)
    params.setdefault("read_first_in_gap", []).extend(  # type: ignore[union-attr]
        {"row": label, "time": time, "count": v, **at} for _, v, time in gaps if time < first)
    params.setdefault("blank_as_zero", []).extend(  # type: ignore[union-attr]
        {"row": label, "time": time, "why": why[id(w)], **at} for w, _, time in zeros)
    return sorted([*ordered, *((w, v) for w, v, _ in (*gaps, *zeros))], key=lambda e: times[id(e[0])])


BLANK_LEVELS = 40
"""Most grey levels a cell's window may hold below its median and still be blank paper: JPEG noise and ringing
around a neighbour's glyph, no glyph (:func:`reconstruct.digitize.label_boxes.ink_components` finds no ink in a band
of less contrast either)."""


@dataclass(frozen=True)
class TrailingBlanks:
    """Blank cells after a row's last number (:func:`blank_trailing_cells`).

    Attributes
    ----------
    cells : tuple of (TextBox, int, float)
        Each blank cell with its (empty) box, the count 0 and its time.
    crossed : tuple of float
        Times of the cells blank only once ink running through them (a line passing through the row: a curve
        over an rms table, its step) was set aside: a guess, for a digit touched by a curve goes with it.
    """

    cells: tuple[Cell, ...]
    crossed: tuple[float, ...]


def blank_trailing_cells(gray: NDArray[np.uint8], cells: Sequence[Cell], held: Sequence[float],
                         col_of: Callable[[float], float], step_px: float,
                         skip: Sequence[float] = ()) -> TrailingBlanks | None:
    """Cells left blank after a row's last number, in columns other rows print: no one at risk there (0).

    ``rms::survplot`` prints nothing where an arm has no one left at risk, while the other arm's row goes on.
    Each ``held`` column (of the table) after the row's last cell, but those at the times in ``skip`` (a lone "0"
    read unsure, looked at by the caller), is looked at in the middle half of the row's
    text band, within 0.4 column steps of its centre ``col_of(time)``: when all are blank paper (no pixel
    :data:`BLANK_LEVELS` grey levels, nor half the row's own digits' contrast, darker than the window's median,
    but for a line passing through or a flat stroke; see :func:`_ink_in`), each is a cell of 0. Any ink there (a
    digit the OCR could not read) leaves all of them unread: None.
    """
    if len(cells) < 2 or not np.isfinite(step_px) or step_px < 8:
        return None
    last = max(t for _, _, t in cells)
    trailing = [t for t in held if t > last + 1e-6 and min((abs(t - s) for s in skip), default=1.0) > 1e-6]
    top = float(np.median([w.row0 for w, _, _ in cells]))
    bottom = float(np.median([w.row1 for w, _, _ in cells]))
    # the middle half of the row's text boxes: the boxes of rows printed close together overlap
    r0, r1 = int(round(top + 0.25 * (bottom - top))), int(round(bottom - 0.25 * (bottom - top)))
    # pale digits (a light colour in grey) leave little contrast: a blank column is under half of theirs
    inks = [gray[w.row0:w.row1, w.col0:w.col1] for w, _, _ in cells]
    contrast = min((int(np.median(a)) - int(a.min()) for a in inks if a.size), default=0)
    levels = min(BLANK_LEVELS, 0.5 * contrast)
    # the digits' own height (a text box runs above and below them): what a digit cut by a line leaves is as tall
    spans = [np.flatnonzero(((np.median(a) - a.astype(np.int32)) >= max(levels, 1)).any(axis=1))
             for a in inks if a.size]
    digit = float(np.median([s[-1] - s[0] + 1 for s in spans if s.size])) if any(s.size for s in spans) \
        else bottom - top
    boxes, crossed = [], []
    for t in trailing:
        centre, half = float(col_of(t)), 0.4 * step_px
        c0, c1 = max(int(centre - half), 0), min(int(centre + half) + 1, gray.shape[1])
        if gray[r0:r1, c0:c1].size == 0:
            return None
        seen = _ink_in(gray, (r0, c0, r1, c1), bottom - top, half, levels, digit)
        if seen == "glyph":
            return None
        if seen == "crossed":
            crossed.append(float(t))
        boxes.append((TextBox("0", 1.0, r0, int(centre) - 1, r1, int(centre) + 1), 0, float(t)))
    return TrailingBlanks(tuple(boxes), tuple(crossed))


def _ink_in(gray: NDArray[np.uint8], window: tuple[int, int, int, int], height: float, reach: float,
            levels: float, digit: float) -> str | None:
    """What ink lies in ``window`` (row0, col0, row1, col1) of ``gray``: None (blank paper, or a flat stroke),
    ``"crossed"`` (a line passing through and nothing digit-sized left beside it) or ``"glyph"``.

    Ink is :data:`BLANK_LEVELS`-like ``levels`` darker than the window's median. It is seen in a region ``height``
    (the row's text height) above and below the window and ``reach`` pixels either side: a piece of ink running to
    the region's edge is a line passing through the row (a curve over an rms table, its step), not a digit, and a
    piece under 0.4 ``height`` tall is a dash or a horizontal stroke of a curve; any other piece crossing the window
    is a glyph. A passing piece with its straight runs (rows or columns of ink at least ``height`` long, found by
    a morphological opening) taken out must leave no piece 0.4 ``digit`` (the row's digits' height) tall in the
    window, nor pieces spanning 0.6 ``digit`` together: a digit the line runs through or touches. Components and
    openings by OpenCV.
    """
    import cv2

    r0, c0, r1, c1 = window
    med = int(np.median(gray[r0:r1, c0:c1]))
    pad_r, pad_c = max(int(round(height)), 2), max(int(round(reach)), 2)
    R0, R1 = max(r0 - pad_r, 0), min(r1 + pad_r, gray.shape[0])
    C0, C1 = max(c0 - pad_c, 0), min(c1 + pad_c, gray.shape[1])
    ink = ((med - gray[R0:R1, C0:C1].astype(np.int32)) >= levels).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape
    seen = None
    for k, (x, y, cw, ch, _) in enumerate(stats[1:count], start=1):
        crosses = y < r1 - R0 and y + ch > r0 - R0 and x < c1 - C0 and x + cw > c0 - C0
        passing = (x == 0 and C0 > 0) or (y == 0 and R0 > 0) or (x + cw == w and C1 < gray.shape[1]) \
            or (y + ch == h and R1 < gray.shape[0])
        if not crosses or ch < 0.4 * height:
            continue
        if not passing or _digit_beside_line((labels == k).astype(np.uint8), (r0 - R0, c0 - C0, r1 - R0, c1 - C0),
                                             height, digit):
            return "glyph"
        seen = "crossed"
    return seen


def _digit_beside_line(piece: NDArray[np.uint8], window: tuple[int, int, int, int], height: float,
                       digit: float) -> bool:
    """Whether ``piece`` (a 0/1 mask of one passing piece of ink) holds a remainder ``digit``-sized in ``window``
    once its straight horizontal and vertical runs ``height`` long are taken out (a morphological opening finds
    them: a digit's strokes are shorter than its text box is tall)."""
    import cv2

    run = max(int(round(height)), 5)
    lines = cv2.morphologyEx(piece, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)) \
        | cv2.morphologyEx(piece, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
    rest = piece & (1 - cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    r0, c0, r1, c1 = window
    count, _, stats, _ = cv2.connectedComponentsWithStats(rest, connectivity=8)
    tall = [(y, y + ch) for x, y, cw, ch, area in stats[1:count]
            if area >= 4 and y < r1 and y + ch > r0 and x < c1 and x + cw > c0]
    if any(b - a >= 0.4 * digit for a, b in tall):
        return True
    return bool(tall) and max(b for _, b in tall) - min(a for a, _ in tall) >= 0.6 * digit
