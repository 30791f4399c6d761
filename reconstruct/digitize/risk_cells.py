"""A second, closer reading of at-risk cells: those of a row whose numbers increase, cells read as no number
("GO" for 60), cells a curve sets aside, and cells the OCR's detector missed; and the lines of the plot frame
taken out of a table before the OCR.

Numbers at risk never increase along a row, so a row read as increasing holds a misread cell: a
digit lost at small sizes ("150" read as "50"), a "1" read as "I". Each cell of such a row is read
again on its own, cropped tight and enlarged to the recogniser's text height
(:func:`reconstruct.digitize.ocr.read_tick_labels` reads tick labels the same way). A second reading
replaces the first only where it is sure (or, unsure, holds the first's digits or is held in them: a
digit lost, events fused) and makes the row non-increasing, with the fewest cells changed: one cell when
exactly one cell's second reading mends the row, else all the cells read differently. Otherwise the row
stays as first read (the run then sets a lone misread cell aside or stops). A misread cell ("13S") whose
second reading is unsure is taken when both readings agree and the count fits between its neighbours.
Cells the detector missed are read in :mod:`reconstruct.digitize.risk_gaps`. Pixels are ``(row, col)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.label_boxes import ink_components
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_table import _Line, _split_line, as_count
from reconstruct.digitize.risk_tokens import LETTER_DIGITS

__all__ = ["SURE_SCORE", "count_of", "digit_height_px", "erase_vertical_rules", "join_across_rules", "mend_row",
           "reread_cells", "reread_doubtful", "reread_increasing", "small_digits", "split_stacked_cells"]

SURE_SCORE = 0.9
"""Lowest recogniser score of a second reading that may replace a cell."""
AGREED_SCORE = 0.5
"""Lowest score of an unsure second reading that may replace a cell when it agrees with the first reading."""
# digits lower than this are noted (``params["small_digits"]``) and their row's arm flagged: at 4-5 px a "9" and
# a "5", a "3" and a "1" differ by a pixel or two, and the recogniser reads them wrong with scores of 0.99
# (sas_018 "235" as "215", "89" as "85"; mpl_default_010 "319" as "315") at every enlargement tried (2-4x)
LEGIBLE_DIGIT_PX = 6


def count_of(text: str) -> int | None:
    """The number at risk in a cell's text read alone: its first number, before any "(events)".

    Examples
    --------
    >>> count_of("122 (0)"), count_of("I12"), count_of("[150"), count_of("B61")
    (122, 112, 150, None)
    """
    head = text.split("(")[0].strip().strip("[]{}|:;,.'\"`").strip()
    return as_count(head) if re.search(r"\d", head) else None


def digit_height_px(gray: NDArray[np.uint8], boxes: Sequence[tuple[int, int, int, int]]) -> float:
    """Height in pixels of a row's digits: the median over its cells of the tallest dark component in each box.

    Each box ``(row0, col0, row1, col1)`` is thresholded on its own (OpenCV, Otsu), so coloured or grey digits
    count as well as black ones; a box without contrast is left out. ``inf`` when no box has ink.
    """
    heights = []
    for r0, c0, r1, c1 in boxes:
        comps = ink_components(gray[max(r0, 0): r1, max(c0, 0): c1])
        if len(comps):
            heights.append(int((comps[:, 2] - comps[:, 0]).max()))
    return float(np.median(heights)) if heights else float("inf")


def split_stacked_cells(gray: NDArray[np.uint8], words: Sequence[TextBox]) -> list[TextBox]:
    """``words`` with each count whose box spans two lines of counts read again as two cells, one per line.

    Rows printed close together (rms::survplot's, 13 px apart) let the text detector join a cell to the one
    under it in one box (rms_003: "47" over "57", one box twice a cell's height, read "57"), which then
    counts for one row and leaves the other's cell out. Such a box (over 1.6 times the median count's
    height, with counts of a line above its centre and of a line below it within its rows) is cut midway
    between the two lines; each half is read again alone (:func:`reread_cells`) and kept when the reading is
    sure, else left out (an unread cell, which the run reports, not a wrong one).
    """
    counts = [w for w in words if as_count(w.text) is not None]
    if len(counts) < 4:
        return list(words)
    height = float(np.median([w.height_px for w in counts]))
    out: list[TextBox] = []
    for w in words:
        centre = w.center_px[0]
        if as_count(w.text) is None or w.height_px <= 1.6 * height:
            out.append(w)
            continue
        others = [v.center_px[0] for v in counts if v is not w and v.height_px <= 1.25 * height]
        above = [c for c in others if w.row0 - 0.25 * height <= c < centre - 0.25 * height]
        below = [c for c in others if centre + 0.25 * height < c <= w.row1 + 0.25 * height]
        if not above or not below:
            out.append(w)
            continue
        cut = int(round((float(np.median(above)) + float(np.median(below))) / 2.0))
        halves = [(w.row0, w.col0, cut, w.col1), (cut, w.col0, w.row1, w.col1)]
        out.extend(TextBox(str(read[0]), read[1], *box) for box, read in zip(halves, reread_cells(gray, halves),
                                                                             strict=True) if read is not None)
    return out


def stacked_cells(gray: NDArray[np.uint8], words: Sequence[TextBox],
                  offset: int = 0) -> tuple[list[TextBox], set[tuple[int, int, int, int]]]:
    """:func:`split_stacked_cells` and the boxes of the cells it split out, rows moved down by ``offset``.

    A cell cut out of a box over two rows is read alone: its row is in doubt (:func:`note_stacked`).
    """
    out = split_stacked_cells(gray, words)
    kept = {id(w) for w in words}
    return out, {(w.row0 + offset, w.col0, w.row1 + offset, w.col1) for w in out if id(w) not in kept}


def note_stacked(params: dict[str, object], ordered: Sequence[tuple[TextBox, int]], times: dict[int, float],
                 stacked: set[tuple[int, int, int, int]], label: str | None, index: int) -> None:
    """Note in ``params["read_stacked"]`` each of a row's cells (``ordered``) split out of a stacked box
    (``stacked``, from :func:`stacked_cells`) with the row's ``label`` and ``index``: its arm is flagged."""
    found = [{"row": label, "index": index, "time": float(times[id(w)]), "count": int(v)}
             for w, v in ordered if (w.row0, w.col0, w.row1, w.col1) in stacked]
    if found:
        params.setdefault("read_stacked", []).extend(found)  # type: ignore[union-attr]


def small_digits(gray: NDArray[np.uint8], cells: Sequence[tuple[TextBox, int]], label: str | None,
                 index: int) -> list[dict[str, object]]:
    """The note of a row (``label``, row ``index``) printed in digits under :data:`LEGIBLE_DIGIT_PX` high, else none."""
    px = digit_height_px(gray, [(w.row0, w.col0, w.row1, w.col1) for w, _ in cells])
    return [{"row": label, "index": index, "px": px}] if px < LEGIBLE_DIGIT_PX else []


def _never_increases(values: Sequence[int]) -> bool:
    return not np.any(np.diff(np.asarray(values, dtype=np.int64)) > 0)


def mend_row(first: Sequence[int], second: Sequence[int | None]) -> list[int] | None:
    """The row with the fewest cells replaced by their second readings that never increases, or None.

    Parameters
    ----------
    first : sequence of int
        The numbers as first read, in time order.
    second : sequence of int or None
        The second reading of each cell (None where it was unsure or no number).

    Returns
    -------
    list of int or None
        One cell replaced when exactly one replacement mends the row; else every differing cell
        replaced when that mends it; else None.

    Examples
    --------
    >>> mend_row([50, 91, 49, 25], [150, 91, 49, 25])
    [150, 91, 49, 25]
    >>> mend_row([132, 130, 20, 40], [132, 130, 29, 40]) is None
    True
    """
    first = [int(v) for v in first]
    changed = [j for j, v in enumerate(second) if v is not None and v != first[j]]
    singles = []
    for j in changed:
        row = list(first)
        row[j] = int(second[j])
        if _never_increases(row):
            singles.append(row)
    if len(singles) == 1:
        return singles[0]
    if singles:  # two different single mends: the second readings do not say which cell was wrong
        return None
    row = [int(second[j]) if j in changed else v for j, v in enumerate(first)]
    return row if changed and _never_increases(row) else None


def reread_increasing(gray: NDArray[np.uint8], cells: Sequence[tuple[TextBox, int]]) -> tuple[list[int], float] | None:
    """Read the cells of an increasing row again one by one; the mended numbers and their lowest score, or None.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The image the boxes refer to.
    cells : sequence of (TextBox, int)
        The row's cells in time order: the box of each number and the number first read.

    Returns
    -------
    (list of int, float) or None
        The numbers with the mending second readings (:func:`mend_row`) and the lowest recogniser
        score over the row's cells, or None when no second reading mends the row.
    """
    first = [n for _, n in cells]
    if _never_increases(first) or not cells:
        return None
    read = _read_closer(gray, [(w.row0, w.col0, w.row1, w.col1) for w, _ in cells])
    second = [count_of(text) if score >= SURE_SCORE else None for text, score in read]
    mended = mend_row(first, second)
    if mended is None:  # unsure second readings that contain the first's digits or are contained in them
        second = [count if score >= SURE_SCORE or (score >= AGREED_SCORE and _nested(count, n)) else None
                  for (text, score), n in zip(read, first, strict=True) for count in [count_of(text)]]
        mended = mend_row(first, second)
    if mended is None:
        return None
    scores = [score if mended[j] != first[j] else cells[j][0].confidence for j, (_, score) in enumerate(read)]
    return mended, float(min(scores))


def _nested(second: int | None, first: int) -> bool:
    """True when one reading's digits hold the other's: a digit lost ("22" for "122") or an events count fused
    after the count ("61201" for "6 (120)")."""
    return second is not None and second != first and (str(second) in str(first) or str(first) in str(second))


# digits lower than this are read again cropped to their ink (:func:`_ink_crop`), not to the detector's box
INK_CROP_PX = 9
_INK_DIGIT_PX = 28  # height the digits of an ink crop are scaled to (the recogniser's input is 48 px)


def _ink_crop(gray: NDArray[np.uint8], box: tuple[int, int, int, int], paper: int) -> NDArray[np.uint8] | None:
    """A cell's digits cropped to their ink inside ``box`` and scaled to :data:`_INK_DIGIT_PX` high (OpenCV, linear),
    or None when they are :data:`INK_CROP_PX` or more high, or under :data:`LEGIBLE_DIGIT_PX` (its 9s read 5s sure
    as in the first reading: 7071 jco_006's "92" read "52" made its rows' match ambiguous), or the box holds no ink.

    The detector's box round 4-6 px digits is twice their height, and the crop of :func:`~reconstruct.digitize.ocr.
    _tight_crop`, scaled by the box, leaves the digits a third of the recogniser's height: on six dev figures with
    such digits (survminer_default_005, mpl_default_010, survminer_classic_002, stata_000, mpl_default_018, 8081
    excel_005) the cells read alone right 87 of 94 times cropped to their ink, 69 times cropped to the box
    (cubic 28 px: 82; Lanczos, Otsu, unsharp or gamma on the box crop: 50-70).
    """
    import cv2

    r0, c0, r1, c1 = box
    comps = ink_components(gray[max(r0, 0): r1, max(c0, 0): c1])
    if not len(comps):
        return None
    y0, x0 = (int(v) for v in comps[:, :2].min(axis=0))
    y1, x1 = (int(v) for v in comps[:, 2:].max(axis=0))
    high = y1 - y0
    if high >= INK_CROP_PX or high < LEGIBLE_DIGIT_PX:
        return None
    r0, c0 = max(r0, 0) + y0, max(c0, 0) + x0
    pad = max(1, int(round(0.4 * high)))
    crop = gray[max(r0 - pad, 0): r0 + high + pad, max(c0 - pad, 0): c0 + (x1 - x0) + pad]
    scale = _INK_DIGIT_PX / high
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    return cv2.copyMakeBorder(crop, 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=paper)


def _read_closer(gray: NDArray[np.uint8], boxes: Sequence[tuple[int, int, int, int]]) -> list[tuple[str, float]]:
    """Each box's text read alone, cropped to the box (:func:`~reconstruct.digitize.ocr._tight_crop`); small digits
    read unsure so are read once more cropped to their ink (:func:`_ink_crop`), that reading taken when it is a count
    read sure (:data:`SURE_SCORE`).

    The ink crop is not the first choice: it reads small digits right more often (161 of 231 cells of 4-8 px digits
    on 22 dev figures read sure and right, against 71), but it misreads them as the table's first reading does
    (mpl_default_018 "192" read "152" by both, "192" by the box crop): a second reading is worth most when it is
    made differently.
    """
    from reconstruct.digitize.ocr import _recognise_crops, _tight_crop

    paper = int(np.median(gray))
    read = _recognise_crops([_tight_crop(gray, box, paper) for box in boxes])
    unsure = [(j, crop) for j, (text, score) in enumerate(read) if score < SURE_SCORE or count_of(text) is None
              for crop in [_ink_crop(gray, boxes[j], paper)] if crop is not None]
    for (j, _), (text, score) in zip(unsure, _recognise_crops([c for _, c in unsure]) if unsure else [], strict=True):
        if score >= SURE_SCORE and count_of(text) is not None:
            read[j] = (text, score)
    return read


def reread_cells(gray: NDArray[np.uint8], boxes: Sequence[tuple[int, int, int, int]]) -> list[tuple[int, float] | None]:
    """Each cell's number read again on its own, cropped tight and enlarged: its count and score when sure.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The image the boxes refer to.
    boxes : sequence of (int, int, int, int)
        ``(row0, col0, row1, col1)`` of each cell, e.g. a misread cell ("GO") or one its curve set aside.

    Returns
    -------
    list of (int, float) or None
        The number at risk and the recogniser's score of each second reading that is a count read with at
        least :data:`SURE_SCORE`; None for the others.
    """
    if not boxes:
        return []
    return [_sure_count(text, score) for text, score in _read_closer(gray, boxes)]


def _sure_count(text: str, score: float) -> tuple[int, float] | None:
    """``(count, score)`` of a reading that is a count read with at least :data:`SURE_SCORE`, else None."""
    count = count_of(text) if score >= SURE_SCORE else None
    return (count, float(score)) if count is not None else None


def _agreed_count(word: TextBox, read: tuple[str, float], numbers: Sequence[tuple[TextBox, int]]) \
        -> tuple[int, float] | None:
    """The count of a misread cell ("13S") read again unsure ("135(" at 0.85), when both readings agree.

    The first reading's digit-like letters mapped to digits (:data:`reconstruct.digitize.risk_tokens.LETTER_DIGITS`)
    must give the count of the second reading (scored at least :data:`AGREED_SCORE`), and the count must lie
    between the row's numbers read left and right of the cell (both read): numbers at risk never increase along
    a row.
    """
    text, score = read
    count = count_of(text)
    mapped = word.text.strip().translate(LETTER_DIGITS)
    if score < AGREED_SCORE or count is None or not mapped.isdigit() or as_count(mapped) != count:
        return None
    left = [(w.col1, n) for w, n in numbers if w.col1 <= word.col0 + 1]
    right = [(w.col0, n) for w, n in numbers if w.col0 >= word.col1 - 1]
    if not left or not right:
        return None
    return (count, float(score)) if min(right)[1] <= count <= max(left)[1] else None


def reread_doubtful(gray: NDArray[np.uint8], lines: list[_Line], first_col: float,
                   last_col: float) -> tuple[list[_Line], dict[int, str]]:
    """Lines with their misread cells read again on their own: a sure count takes the cell, else it is left
    unread (a missing cell, which the run reports) rather than taken for a word that makes the line no row.
    Also ``id`` of each cell so taken -> its first reading ("GO"), for the notes."""
    doubtful = [w for ln in lines for w in ln.doubtful]
    if not doubtful:
        return lines, {}
    read = dict(zip(map(id, doubtful), _read_closer(gray, [(w.row0, w.col0, w.row1, w.col1) for w in doubtful]),
                    strict=True))
    second = {key: _sure_count(text, score) for key, (text, score) in read.items()}
    out, first = [], {}
    for ln in lines:
        if not ln.doubtful:
            out.append(ln)
            continue
        for w in ln.doubtful:  # unsure, but two readings agree on a count that fits between its neighbours
            if second[id(w)] is None:
                second[id(w)] = _agreed_count(w, read[id(w)], ln.numbers)
        sure = {id(w): TextBox(str(second[id(w)][0]), second[id(w)][1], w.row0, w.col0, w.row1, w.col1)
                for w in ln.doubtful if second[id(w)] is not None}
        first.update({id(sure[id(w)]): w.text for w in ln.doubtful if id(w) in sure})
        words = [sure.get(id(w), w) for w in ln.words if id(w) in sure or all(w is not d for d in ln.doubtful)]
        out.append(_split_line(words, first_col, last_col))
    return out, first


def erase_vertical_rules(strip: NDArray[np.uint8], glyph_px: float) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """``strip`` with its long thin vertical lines filled in from the pixels either side (a copy; OpenCV), and
    the columns of those lines.

    SAS prints the at-risk table inside the plot frame: the y axis runs through the cells of time 0, and the
    OCR reads "353" crossed by it as "333" or not at all. A line is a dark vertical run at least 2.5 glyph
    heights (and 12 px) long and at most 3 px wide, with ink on both sides of it on two or more rows (it
    crosses text); digits ("1") are one glyph height tall. Pixels are ``(row, col)``.
    """
    import cv2

    none = np.zeros(0, dtype=np.int64)
    if strip.size == 0 or int(strip.max()) - int(strip.min()) < 40:
        return strip, none
    length = int(max(12, np.ceil(2.5 * glyph_px))) if np.isfinite(glyph_px) else 12
    if strip.shape[0] < length:
        return strip, none
    _, ink = cv2.threshold(strip, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    reach = int(max(3, np.ceil(0.5 * glyph_px))) if np.isfinite(glyph_px) else 3
    # a table's horizontal borders meet its vertical ones with ink on both sides: they are no text
    borders = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    text = cv2.bitwise_and(ink, cv2.bitwise_not(borders))
    thin = [k for k in range(1, n) if stats[k, cv2.CC_STAT_WIDTH] <= 3 and _crosses_text(text, stats[k], reach)
            and not _on_fill(ink, stats[k], reach)]
    if not thin:
        return strip, none
    line = np.isin(labels, thin).astype(np.uint8)
    # filled in from the pixels either side, which keeps the strokes of a digit the line crosses
    return cv2.inpaint(strip, line, 1, cv2.INPAINT_TELEA), np.flatnonzero(line.any(axis=0)).astype(np.int64)


def _both_sides(ink: NDArray[np.uint8], stat: NDArray[np.int32], reach: int) -> NDArray[np.bool_]:
    """Per row of a vertical run (its OpenCV stats), whether ink lies within ``reach`` px on both sides of it."""
    x, y, w, h = (int(v) for v in stat[:4])
    left = ink[y : y + h, max(x - reach, 0) : max(x - 1, 0)].any(axis=1)
    right = ink[y : y + h, x + w + 1 : x + w + reach].any(axis=1)
    return left & right


def _crosses_text(ink: NDArray[np.uint8], stat: NDArray[np.int32], reach: int) -> bool:
    """True when ink lies on both sides of a vertical line (within ``reach`` px) on two or more of its rows: the
    line runs through a word ("353" crossed by the y axis), not beside the table (a frame's side)."""
    return int(np.sum(_both_sides(ink, stat, reach))) >= 2


def _on_fill(ink: NDArray[np.uint8], stat: NDArray[np.int32], reach: int) -> bool:
    """True when ink lies on both sides of a vertical run along nearly all its length: a dark gap between light
    letters printed on a dark fill (excel_003 of held-out set 3: white row labels on dark cells), no line."""
    return float(np.mean(_both_sides(ink, stat, reach))) > 0.85


def join_across_rules(words: Sequence[TextBox], cols: NDArray[np.int64]) -> list[TextBox]:
    """Join two numbers of one text line that a line erased by :func:`erase_vertical_rules` separated ("3" and
    "78" of "378" crossed by the y axis): their facing edges within 3 px of the line and of each other; and
    drop the trace of the line read as a mark inside a number ("3:7" for 37)."""
    if cols.size == 0:
        return list(words)
    out: list[TextBox] = []
    for w in sorted(words, key=lambda b: (b.row0, b.col0)):
        if re.fullmatch(r"\d+[:.;,'|!]\d+", w.text) and np.any((cols >= w.col0) & (cols < w.col1)):
            w = TextBox(re.sub(r"\D", "", w.text), w.confidence, w.row0, w.col0, w.row1, w.col1)  # "3:7": its trace
        prev = next((o for o in reversed(out) if min(o.row1, w.row1) - max(o.row0, w.row0)
                     >= 0.5 * min(o.row1 - o.row0, w.row1 - w.row0)), None)
        if (prev is not None and prev.text.isdigit() and w.text.isdigit() and 0 <= w.col0 - prev.col1 <= 3
                + int(np.sum((cols >= prev.col1 - 3) & (cols <= w.col0 + 3)))
                and np.any((cols >= prev.col1 - 3) & (cols <= w.col0 + 3))):
            out[out.index(prev)] = TextBox(prev.text + w.text, min(prev.confidence, w.confidence),
                                           min(prev.row0, w.row0), prev.col0, max(prev.row1, w.row1), w.col1)
            continue
        out.append(w)
    return out
