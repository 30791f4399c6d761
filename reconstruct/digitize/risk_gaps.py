"""Cells of an at-risk row the OCR's detector missed: read from the ink where their column crosses the row (a
lone "1" or "0", now and then a row's time-0 cell), or, left blank after the row's last number in columns other
rows print, taken as 0 (rms::survplot prints nothing once an arm has no one at risk; the run checks them against
the row's curve), as is a lone "0" there read unsure. Pixels are ``(row, col)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.label_boxes import ink_components
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_cells import SURE_SCORE, _read_closer, _sure_count

__all__ = ["BLANK_LEVELS", "SURE_SCORE", "blank_trailing_cells", "read_unread_cells", "with_unread_cells"]


def read_unread_cells(gray: NDArray[np.uint8], cells: Sequence[tuple[TextBox, int, float]], columns: Sequence[float],
                      col_of: Callable[[float], float], step_px: float,
                      unsure_zeros: list[tuple[TextBox, int, float]] | None = None) -> list[tuple[TextBox, int, float]]:
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
    unsure_zeros : list, optional
        Gets the lone glyphs after the row's last cell read as a "0" (or "O") with a score under
        :data:`SURE_SCORE` (a 5 px "0" at the end of a row reads "0" at 0.3-0.8): not cells by themselves, the
        caller keeps them only as the blank cells after a row's last number, checked against the row's curve.

    Returns
    -------
    list of (TextBox, int, float)
        The cells found, each with its box, count and time.
    """
    if len(cells) < 2 or not np.isfinite(step_px) or step_px < 8:
        return []
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
    found = []
    for box, t, (text, score) in zip(boxes, where, _read_closer(gray, boxes) if boxes else [], strict=True):
        count = sure[0] if (sure := _sure_count(text, score)) is not None else None
        before = [n for _, n, h in cells if h < t]
        after = [n for _, n, h in cells if h > t]
        if count is not None and (not before or count <= before[-1]) and (not after or count >= after[0]):
            found.append((TextBox(str(count), float(score), *box), count, float(t)))
        elif unsure_zeros is not None and count is None and not after and text.strip() in ("0", "O", "o"):
            unsure_zeros.append((TextBox("0", float(score), *box), 0, float(t)))
    return found


_EXTRA_COLUMNS = 2
"""At most this many columns are searched past the last one a table holds (a missed last column or two, never
a second table's worth of columns in a wide panel)."""


def with_unread_cells(gray: NDArray[np.uint8], ordered: list[tuple[TextBox, int]], times: dict[int, float],
                      table: Sequence[tuple[TextBox, float]], params: dict[str, object],
                      label: str | None, last_px: float | None = None,
                      index: int | None = None) -> list[tuple[TextBox, int]]:
    """A row's cells (box, count; in time order) with those :func:`read_unread_cells` finds, in time order.

    ``times`` (time of each box by ``id``) gets their times and ``params["read_in_gap"]`` a note of each
    (``params["read_first_in_gap"]`` of a cell before the row's first, a time-0 cell);
    ``table`` holds every cell of the table (box, time): the columns searched are those other rows hold, and
    the columns after the last one held, a column step apart, whose centre is left of pixel column ``last_px``
    (the panel's right edge: a last column of lone "0"s that the detector missed in every row). Each note
    holds the row's ``index`` in the table, when given (``read_in_gap`` flags the row's arm; the run checks
    ``read_first_in_gap`` and ``blank_as_zero`` cells against the row's curve).
    """
    held = sorted({t for _, t in table})
    if len(held) < 2:
        return ordered
    step = float(np.median(np.diff(held)))
    fit = np.polyfit([t for _, t in table], [w.center_px[1] for w, _ in table], 1)
    columns = list(held)
    while last_px is not None and step > 0 and fit[0] > 0 and np.polyval(fit, columns[-1] + step) <= last_px \
            and len(columns) < len(held) + _EXTRA_COLUMNS:
        columns.append(columns[-1] + step)
    unsure: list[tuple[TextBox, int, float]] = []
    gaps = read_unread_cells(gray, [(w, v, times[id(w)]) for w, v in ordered], columns,
                             lambda time: float(np.polyval(fit, time)), abs(fit[0]) * step, unsure)
    # a lone "0" read unsure after every cell found: taken as a blank cell, which the run keeps only where the
    # row's curve has ended (no one left at risk)
    unsure = [z for z in unsure if z[2] > max(t for _, _, t in gaps)] if gaps else unsure
    cells = [(w, v, times[id(w)]) for w, v in ordered] + gaps + unsure
    zeros = unsure + blank_trailing_cells(gray, sorted(cells, key=lambda c: c[2]), held,
                                          lambda time: float(np.polyval(fit, time)), abs(fit[0]) * step)
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
        {"row": label, "time": time, **at} for _, _, time in zeros)
    return sorted([*ordered, *((w, v) for w, v, _ in (*gaps, *zeros))], key=lambda e: times[id(e[0])])


BLANK_LEVELS = 40
"""Most grey levels a cell's window may hold below its median and still be blank paper: JPEG noise and ringing
around a neighbour's glyph, no glyph (:func:`reconstruct.digitize.label_boxes.ink_components` finds no ink in a band
of less contrast either)."""


def blank_trailing_cells(gray: NDArray[np.uint8], cells: Sequence[tuple[TextBox, int, float]], held: Sequence[float],
                         col_of: Callable[[float], float], step_px: float) -> list[tuple[TextBox, int, float]]:
    """Cells left blank after a row's last number, in columns other rows print: no one at risk there (0).

    ``rms::survplot`` prints nothing where an arm has no one left at risk, while the other arm's row goes on.
    Each ``held`` column (of the table) after the row's last cell is looked at in the middle half of the row's
    text band, within 0.4 column steps of its centre ``col_of(time)``: when all are blank paper (no pixel
    :data:`BLANK_LEVELS` grey levels, nor half the row's own digits' contrast, darker than the window's median),
    each is a cell of 0. Any ink there (a
    digit the OCR could not read, a curve over the row) leaves all of them unread.

    Returns
    -------
    list of (TextBox, int, float)
        The blank cells, each with its (empty) box, the count 0 and its time; none when any is not blank.
    """
    if len(cells) < 2 or not np.isfinite(step_px) or step_px < 8:
        return []
    last = max(t for _, _, t in cells)
    trailing = [t for t in held if t > last + 1e-6]
    top = float(np.median([w.row0 for w, _, _ in cells]))
    bottom = float(np.median([w.row1 for w, _, _ in cells]))
    # the middle half of the row's text boxes: the boxes of rows printed close together overlap
    r0, r1 = int(round(top + 0.25 * (bottom - top))), int(round(bottom - 0.25 * (bottom - top)))
    # pale digits (a light colour in grey) leave little contrast: a blank column is under half of theirs
    inks = [gray[w.row0:w.row1, w.col0:w.col1] for w, _, _ in cells]
    contrast = min((int(np.median(a)) - int(a.min()) for a in inks if a.size), default=0)
    levels = min(BLANK_LEVELS, 0.5 * contrast)
    boxes = []
    for t in trailing:
        centre, half = float(col_of(t)), 0.4 * step_px
        c0, c1 = max(int(centre - half), 0), min(int(centre + half) + 1, gray.shape[1])
        window = gray[r0:r1, c0:c1]
        if window.size == 0 or _glyph_in(gray, (r0, c0, r1, c1), bottom - top, half, levels):
            return []
        boxes.append((TextBox("0", 1.0, r0, int(centre) - 1, r1, int(centre) + 1), 0, float(t)))
    return boxes


def _glyph_in(gray: NDArray[np.uint8], window: tuple[int, int, int, int], height: float, reach: float,
              levels: float) -> bool:
    """Whether ink that could be a digit lies in ``window`` (row0, col0, row1, col1) of ``gray``.

    Ink is :data:`BLANK_LEVELS`-like ``levels`` darker than the window's median. It is seen in a region ``height``
    (the row's text height) above and below the window and ``reach`` pixels either side: a piece of ink running to
    the region's edge is a line passing through the row (a curve over an rms table, its step), not a digit, and a
    piece under 0.4 ``height`` tall is a dash or a horizontal stroke of a curve; any other piece crossing the window
    is a glyph. (A digit joined to a curve is taken as the curve: the run keeps a blank cell as 0 only where the
    row's own curve has ended, so such a digit belongs to no one at risk.) Connected components by OpenCV.
    """
    import cv2

    r0, c0, r1, c1 = window
    med = int(np.median(gray[r0:r1, c0:c1]))
    pad_r, pad_c = max(int(round(height)), 2), max(int(round(reach)), 2)
    R0, R1 = max(r0 - pad_r, 0), min(r1 + pad_r, gray.shape[0])
    C0, C1 = max(c0 - pad_c, 0), min(c1 + pad_c, gray.shape[1])
    ink = ((med - gray[R0:R1, C0:C1].astype(np.int32)) >= levels).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape
    for x, y, cw, ch, _ in stats[1:count]:
        crosses = y < r1 - R0 and y + ch > r0 - R0 and x < c1 - C0 and x + cw > c0 - C0
        passing = (x == 0 and C0 > 0) or (y == 0 and R0 > 0) or (x + cw == w and C1 < gray.shape[1]) \
            or (y + ch == h and R1 < gray.shape[0])
        if crosses and not passing and ch >= 0.4 * height:
            return True
    return False
