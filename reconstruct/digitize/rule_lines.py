"""Words hidden by vertical rules: numbers at risk that an axis line runs through.

SAS prints its at-risk rows inside the panel, under S = 0, with the time-0 numbers centred on the y
axis; the axis line then runs through them ("29" reads as nothing, "50" as "s0"), and on a blurred scan
the OCR detector drops them. :func:`rule_crossed_words` finds the long vertical rules that cross ink
on both sides, paints them out of a crop around each in two ways (OpenCV's two inpaintings, which carry
the strokes that cross the rule through it), reads both again and takes the whole numbers both read
alike across the rule, in place of the words read before that they overlap when those are no numbers
or pieces of the new one (the "2" of a crossed "352"). Coordinates are ``(row, col)`` pixels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.ocr import TextBox, read_text

__all__ = ["rule_crossed_words", "vertical_rules"]

_RULE_GLYPHS = 2.5  # a rule is a straight dark run at least this many glyph heights long
# the crop read again reaches this many glyph heights each side of the rule (narrower crops misread the
# crossed cells of the wild scans: "5i0" for 50, nothing for "29" and "352")
_CROP_GLYPHS = 15.0
_MAX_RULES = 2  # rules re-read per strip (the y axis, and a frame line at most); each costs two OCR calls
_DIGITS = re.compile(r"\d+")


def _rule_length(glyph_px: float) -> int:
    return int(max(_RULE_GLYPHS * glyph_px, 12.0))


def vertical_rules(gray: NDArray[np.uint8], glyph_px: float) -> NDArray[np.uint8]:
    """Mask (255) of the long vertical dark runs of ``gray``: axis lines, frame and grid lines.

    Otsu's threshold picks the ink; a morphological opening with a vertical line ``_RULE_GLYPHS``
    glyph heights long (at least 12 px) keeps only the runs no digit is as tall as.
    """
    length = _rule_length(glyph_px)
    if gray.shape[0] < length:
        return np.zeros_like(gray)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))


def _crossing_rules(gray: NDArray[np.uint8], rules: NDArray[np.uint8],
                    glyph_px: float) -> list[tuple[int, int, NDArray[np.bool_]]]:
    """Rules with ink right beside them on both sides: column span ``(c0, c1)`` (exclusive end) and those rows."""
    cols = np.flatnonzero(rules.any(axis=0))
    if cols.size == 0:
        return []
    spans = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # a horizontal line meeting the rule (the x axis, a frame) is no text through it
    length = _rule_length(glyph_px)
    flat = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    ink = np.where(cv2.dilate(flat, np.ones((3, 1), np.uint8)) > 0, 0, ink).astype(np.uint8)
    out = []
    for span in spans:
        c0, c1 = int(span[0]), int(span[-1]) + 1
        rows = rules[:, c0:c1].any(axis=1)
        left = ink[:, max(c0 - 3, 0):max(c0 - 1, 0)].any(axis=1)
        right = ink[:, min(c1 + 1, gray.shape[1]):min(c1 + 3, gray.shape[1])].any(axis=1)
        crossed = rows & left & right
        if np.count_nonzero(crossed) >= 2:  # a stroke (or two) passes through the rule
            out.append((c0, c1, crossed))
    return out


def rule_crossed_words(gray: NDArray[np.uint8], words: Sequence[TextBox], glyph_px: float,
                       is_count: Callable[[str], bool]) -> list[TextBox]:
    """``words`` with the numbers read again where vertical rules run through them, the rules painted out.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The strip the ``words`` were read from.
    words : sequence of TextBox
        Words already read there (same pixels).
    glyph_px : float
        Median glyph height of the strip (sets the rule length and the crop width).
    is_count : callable
        ``is_count(text)`` is true for the text of a number at risk.

    Returns
    -------
    list of TextBox
        ``words``, plus each count read alike by both fillings across a rule whose box overlaps no count
        of ``words`` other than its pieces; the words it overlaps ("s0" for a crossed "50", "2" for a
        crossed "352") are dropped. ``words`` unchanged (and no OCR run) when every stroke through a rule
        lies in a number read already.
    """
    kept = list(words)
    if not np.isfinite(glyph_px) or glyph_px <= 0:
        return kept
    rules = vertical_rules(gray, glyph_px)
    crossings = []
    for c0, c1, crossed in _crossing_rules(gray, rules, glyph_px):
        read = np.zeros(gray.shape[0], dtype=bool)  # rows of numbers read across the rule already
        for w in kept:
            if w.col0 < c1 and w.col1 > c0 and is_count(w.text):
                read[max(w.row0, 0):w.row1] = True
        if np.any(crossed & ~read):  # ink through the rule that no number read covers
            crossings.append((c0, c1))
    for c0, c1 in crossings[:_MAX_RULES]:
        reach = int(np.ceil(_CROP_GLYPHS * glyph_px))
        a, b = max(c0 - reach, 0), min(c1 + reach, gray.shape[1])
        crop, mask = np.ascontiguousarray(gray[:, a:b]), np.ascontiguousarray(rules[:, a:b])
        telea, navier = (_across(read_text(cv2.inpaint(crop, mask, 3, how)), a, c0, c1)
                         for how in (cv2.INPAINT_TELEA, cv2.INPAINT_NS))
        for box in telea:
            # both fillings read the same plain digits there: a guess of the detector is not taken for a cell
            if not (_DIGITS.fullmatch(box.text) and is_count(box.text)
                    and any(o.text == box.text and _overlap(box, o) for o in navier)):
                continue
            hit = [o for o in kept if _overlap(box, o)]
            # a count read apart from the rule (more than half a glyph away) is a cell of its own, never a piece of
            # a fused reading; a piece the rule cut off ("2" of "352") touches it
            gap = 0.5 * glyph_px
            beside = any(is_count(o.text) and (o.col1 < c0 - gap or o.col0 > c1 + gap) for o in hit)
            if not beside and all(_part_of(o, box) or not is_count(o.text) for o in hit):
                kept = [o for o in kept if not any(o is h for h in hit)] + [box]
    return kept


def _across(words: Sequence[TextBox], offset: int, c0: int, c1: int) -> list[TextBox]:
    """The words (read in a crop starting at column ``offset``) lying across columns ``c0:c1``, in strip pixels."""
    moved = [TextBox(w.text.strip(), w.confidence, w.row0, w.col0 + offset, w.row1, w.col1 + offset) for w in words]
    return [w for w in moved if w.col0 < c1 and w.col1 > c0]


def _part_of(word: TextBox, whole: TextBox) -> bool:
    """True when ``word`` is a piece of ``whole``: its text inside, its columns within (a "2" of "352")."""
    return word.text.strip() in whole.text and whole.col0 - 2 <= word.col0 and word.col1 <= whole.col1 + 2


def _overlap(a: TextBox, b: TextBox) -> bool:
    return a.row0 < b.row1 and b.row0 < a.row1 and a.col0 < b.col1 and b.col0 < a.col1
