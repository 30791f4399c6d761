"""Text printed inside the plot panel, masked before the curves are traced.

Some renderers print words and numbers inside the panel: ``rms::survplot`` writes each arm's name
beside its curve, in the curve's colour, and its numbers at risk just above the x axis; SAS ODS prints
the numbers at risk under S = 0, in the arms' colours. A tracer following an arm's colour walks onto
such glyphs (a label at the end of a curve becomes a drop to the label, a number under the curve's end
becomes its tail). The panel is read once by OCR and the boxes of the words found are masked, except
where a line runs through a box for longer than a glyph is wide: a curve passing under a label keeps
its pixels. Pixels are ``(row, col)`` of the panel crop.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.ocr import TextBox, read_text
from reconstruct.digitize.risk_table import as_count

__all__ = ["panel_words", "table_top", "text_mask"]

_MIN_CONFIDENCE = 0.6  # recogniser score at which a box is taken for text
_MIN_GLYPH_PX = 4  # a piece of a glyph is at least this high; a line's dash is thinner
_SMALL_PANEL_PX = 500  # panels this small are enlarged twice for the detector (small glyphs)


def panel_words(gray: NDArray[np.uint8], bbox: tuple[int, int, int, int]) -> list[TextBox]:
    """Words read by OCR in the panel ``bbox`` (row0, col0, row1, col1) of a greyscale figure.

    Only words with a letter or a digit read with confidence are kept; their boxes are in the
    panel's own pixels. The panel is read with a margin around it, so that a line of numbers
    the panel's edge cuts in half (rms prints its lowest row at S = 0) is still read.
    """
    row0, col0, row1, col1 = bbox
    margin = max(6, int(0.03 * (row1 - row0)))
    top, left = max(row0 - margin, 0), max(col0 - margin, 0)
    area = np.ascontiguousarray(gray[top: row1 + margin, left: col1 + margin])
    scale = 2 if max(area.shape) < _SMALL_PANEL_PX else 1
    big = cv2.resize(area, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1 else area
    out = []
    for box in read_text(big):
        if box.confidence < _MIN_CONFIDENCE or not any(ch.isalnum() for ch in box.text):
            continue
        r0, c0 = box.row0 // scale + top - row0, box.col0 // scale + left - col0
        r1, c1 = -(-box.row1 // scale) + top - row0, -(-box.col1 // scale) + left - col0
        if r1 > 0 and c1 > 0 and r0 < row1 - row0 and c0 < col1 - col0:
            out.append(TextBox(box.text, box.confidence, r0, c0, r1, c1))
    return out


def text_mask(gray: NDArray[np.uint8], bbox: tuple[int, int, int, int], ink: NDArray[np.bool_], *,
              boxes: Sequence[TextBox] | None = None, core: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
    """Pixels of the words printed in a panel, without the lines that run through them.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The whole figure in grey levels (read by OCR around the panel unless ``boxes`` is given).
    bbox : (row0, col0, row1, col1)
        The panel in ``gray`` (exclusive ends).
    ink : ndarray of shape (row1 - row0, col1 - col0), bool
        Drawn pixels of the panel (lines and glyphs).
    boxes : sequence of TextBox, optional
        Words in the panel's pixels; by default read by :func:`panel_words`.
    core : ndarray of shape (row1 - row0, col1 - col0), bool, optional
        The clearly drawn part of ``ink``, in which the glyphs are found (by default ``ink`` itself): the
        faint noise of a JPEG joins a word's letters to the dashes of a curve passing just above them.

    Returns
    -------
    ndarray of shape (rows, cols), bool
        The glyphs of every word, grown by one pixel: inside its box (grown by one pixel), the ink
        left once straight runs as long as the box is high are set aside (a curve passing under
        the word), in pieces at least 4 pixels and a fifth of the box's height inside the panel
        high (a lower-case letter is; a dash of a dashed curve running along the box is thinner,
        and is kept for the tracer), or cut by the panel's top or bottom edge.
    """
    boxes = panel_words(gray, bbox) if boxes is None else list(boxes)
    ink = ink if core is None else core
    mask = np.zeros(ink.shape, bool)
    n_rows, n_cols = ink.shape
    for box in boxes:
        r0, c0 = max(box.row0 - 1, 0), max(box.col0 - 1, 0)
        r1, c1 = min(box.row1 + 1, n_rows), min(box.col1 + 1, n_cols)
        if r1 <= r0 or c1 <= c0:
            continue
        length = box.height_px + 1  # no stroke of a glyph runs the height of its padded box
        inked = ink[r0:r1, c0:c1].astype(np.uint8)
        glyphs = inked & ~_line_runs(ink, (r0, c0, r1, c1), length)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(glyphs.astype(np.uint8), connectivity=8)
        seen = min(box.row1, n_rows) - max(box.row0, 0)  # a word the panel's edge cuts shows part of its height
        tall = stats[:, cv2.CC_STAT_HEIGHT] >= max(_MIN_GLYPH_PX, seen / 5.0)
        top, bottom = stats[:, cv2.CC_STAT_TOP] + r0, stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] + r0
        cut = (top == 0) | (bottom == n_rows)  # the panel's edge cuts the glyph
        letters = tall | cut
        letters[0] = False  # the background
        kept = np.isin(labels, np.flatnonzero(letters & _on_text_line(labels, stats, letters)))
        mask[r0:r1, c0:c1] |= cv2.dilate(kept.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return mask


def _line_runs(ink: NDArray[np.bool_], box: tuple[int, int, int, int], length: int) -> NDArray[np.bool_]:
    """Pixels of ``box`` (row0, col0, row1, col1) on straight horizontal or vertical runs of ``length`` or more.

    A run is measured in the whole panel, not only inside the box: a curve's level or drop passing into a
    word's box is a line however little of it the box holds; the panel's edge ends a run (beyond it
    nothing is known, and a word the edge cuts would otherwise count as lines running off the panel).
    """
    r0, c0, r1, c1 = box
    n_rows, n_cols = ink.shape
    top, left = max(r0 - length, 0), max(c0 - length, 0)
    area = ink[top: min(r1 + length, n_rows), left: min(c1 + length, n_cols)].astype(np.uint8)
    runs = np.zeros(area.shape, np.uint8)
    for kernel in (np.ones((1, length), np.uint8), np.ones((length, 1), np.uint8)):
        runs |= cv2.morphologyEx(area, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return runs[r0 - top: r1 - top, c0 - left: c1 - left].astype(bool)


def _on_text_line(labels: NDArray[np.int32], stats: NDArray[np.int32],
                  candidate: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Which connected components (of ``labels``, rows of ``stats``) reach the word's line of text.

    The line is the rows holding the most of the ``candidate`` components' ink (at least 35% of the
    fullest row): every letter reaches it (the x-height band), while the dash or drop of a curve
    passing through a loose box above or below the letters does not, even where the letters are joined
    into one component by a curve running through the word. With one candidate there is no telling,
    and every component reaches it.
    """
    out = np.ones(stats.shape[0], bool)
    if np.count_nonzero(candidate) < 2:
        return out
    profile = (candidate[labels]).sum(axis=1)
    line = np.flatnonzero(profile >= 0.35 * profile.max())
    top = stats[:, cv2.CC_STAT_TOP]
    return (top + stats[:, cv2.CC_STAT_HEIGHT] > line.min()) & (top <= line.max())


def table_top(words: Sequence[TextBox], tick_cols: Sequence[float], *, lowest_from: float) -> int | None:
    """Top row of the lines of numbers at risk printed inside a panel, just above its bottom.

    Parameters
    ----------
    words : sequence of TextBox
        Words of the panel, in its own pixels (:func:`panel_words`).
    tick_cols : sequence of float
        Columns of the labelled x ticks, in the panel's pixels.
    lowest_from : float
        Row at or below which the lowest line of numbers must end (the bottom of the panel).

    Returns
    -------
    int or None
        The first row of the highest line (of a word printed over it, its top at most a line height above) of a
        block of lines, the lowest ending at or below ``lowest_from``, whose words are whole numbers centred on x
        ticks (at least two per line, at least half of the line's words, within a quarter of the tick spacing);
        lines in the block follow each other within two line heights. None when there is no such line.
    """
    ticks = np.sort(np.asarray(tick_cols, float))
    if ticks.size < 2 or not words:
        return None
    tol = 0.25 * float(np.median(np.diff(ticks)))
    on_tick = [w for w in words if as_count(w.text) is not None
               and float(np.min(np.abs(ticks - 0.5 * (w.col0 + w.col1)))) <= tol]
    lines: list[list[TextBox]] = []
    for w in sorted(on_tick, key=lambda b: b.center_px[0]):
        if lines and abs(w.center_px[0] - np.mean([b.center_px[0] for b in lines[-1]])) <= 0.5 * w.height_px:
            lines[-1].append(w)
        else:
            lines.append([w])
    rows = []
    for line in lines:
        r0, r1 = min(b.row0 for b in line), max(b.row1 for b in line)
        same = [w for w in words if min(r1, w.row1) - max(r0, w.row0) > 0.5 * (r1 - r0)]
        if len(line) >= 2 and len(line) >= 0.5 * len(same):
            rows.append((r0, r1))
    top, line = None, None
    for r0, r1 in sorted(rows, key=lambda r: -r[1]):  # from the bottom up
        if top is None and r1 < lowest_from:
            break  # the lowest line is not near the bottom: not a table under the curves
        if top is not None and top - r1 > 2 * (r1 - r0):
            break
        top, line = r0, (r0, r1)
    if line is None:
        return None
    # a word in larger print over the highest line (7071 rms_008: a curve's name printed over its row's cells) is
    # read whole: cut at the numbers' top, it read as small as they are, and as a word among the row's numbers.
    # Only a word whose top is within a line height above the line's (a tall box, a curve or a title read as
    # text, would pull the table's top far up)
    r0, r1 = line
    return min([top] + [w.row0 for w in words
                        if min(r1, w.row1) - max(r0, w.row0) > 0.5 * (r1 - r0) and w.row0 >= r0 - (r1 - r0)])
