"""Legend labels: the text printed to the right of each arm's short legend line inside the panel.

A legend sample is a short horizontal stroke in the arm's colour away from the arm's traced
curve; the words on its row just right of it are read with :func:`reconstruct.digitize.ocr.read_text`.
Pixel coordinates are ``(row, col)`` of the panel crop unless stated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.errors import InputError
from reconstruct.extra_curves import same_ink

__all__ = ["arm_label", "find_legend_sample", "is_label", "legend_samples", "next_key_labels", "read_label"]


def find_legend_sample(
    weight: NDArray[np.float32], path_rows: NDArray[np.int64], half_width: int,
    other_rows: Sequence[NDArray[np.float64]] = (),
) -> tuple[int, int, int] | None:
    """The widest short horizontal stroke of the arm's colour away from its curve and the other curves.

    The first of :func:`legend_samples`, or None (kept for the tests that pin the widest stroke; the pipeline
    reads :func:`legend_samples` through :func:`arm_label`).
    """
    found = legend_samples(weight, path_rows, half_width, other_rows, max_samples=1)
    return found[0] if found else None


def legend_samples(
    weight: NDArray[np.float32], path_rows: NDArray[np.int64], half_width: int,
    other_rows: Sequence[NDArray[np.float64]] = (), *, max_samples: int = 3,
) -> list[tuple[int, int, int]]:
    """Short horizontal strokes of the arm's colour away from its curve and the other curves, widest first.

    A stroke on another arm's traced curve is a piece of that curve (same-grey arms share one
    membership map), not a key: the text it ends in names that other curve, or nothing.

    Parameters
    ----------
    weight : ndarray of shape (rows, cols)
        The arm's membership map (panel crop, upright).
    path_rows : ndarray of shape (cols,)
        Traced row of the arm's curve in every column.
    half_width : int
        Half the line thickness.
    other_rows : sequence of ndarray of shape (cols,), optional
        Traced rows of the other arms' curves, NaN in columns where a curve has no ink of its own.
    max_samples : int, default 3
        At most this many strokes are returned.

    Returns
    -------
    list of (row, col0, col1)
        Centre row and column span (``col1`` exclusive) of each stroke, widest first.
    """
    n_rows, n_cols = weight.shape
    mask = weight >= 0.5
    far = np.abs(np.arange(n_rows)[:, None] - path_rows[None, :]) > 3 * half_width + 6
    for rows in other_rows:  # NaN (no ink of that curve in the column) compares False: no constraint
        far &= ~(np.abs(np.arange(n_rows)[:, None] - np.asarray(rows, float)[None, :]) <= 2 * half_width + 2)
    mask &= far
    # dashed and dotted keys (line types that tell arms apart) come apart in pieces: join them along the row
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, 2 * half_width + 7), np.uint8)) > 0
    count, _, stats, centroids = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    found = []
    for k in range(1, count):
        col0, row0, width, height = (int(v) for v in stats[k, :4])
        is_sample = 12 <= width <= 0.25 * n_cols and height <= 2 * half_width + 4
        if is_sample and not _under_glyphs(weight >= 0.5, row0, col0, width, half_width):
            found.append((int(round(centroids[k][1])), col0, col0 + width))
    found.sort(key=lambda s: s[1] - s[2])  # widest first (a stable sort: ties in component order)
    return found[:max_samples]


# A stroke whose band above is inked in at least this share of its columns and of the band's rows, at this
# density, is the baseline of a word (glyph feet joined by the closing), not a key.
_GLYPH_COVER = 0.5
_GLYPH_DENSITY = 0.15


def _under_glyphs(mask: NDArray[np.bool_], row0: int, col0: int, width: int, half_width: int) -> bool:
    """True when the stroke is the foot of a word: the band just above it is full of glyph ink.

    Text printed in the curve's ink inside the panel (rms's labels by the curves) closes into a short horizontal
    stroke along its baseline; the text to its right is then another line's (rms_018 of the next 190: the foot
    of "Observation" read as a key, the at-risk row label "Chemother" beside it named the black curve, a swap).
    A key has nothing drawn on it; a key of the line above in a tight legend inks a row or two, not the band.
    """
    band = 3 * half_width + 6
    above = mask[max(row0 - 1 - band, 0):max(row0 - 1, 0), col0:col0 + width]
    if above.size == 0:
        return False
    rows_inked = float(above.any(axis=1).mean())
    cols_inked = float(above.any(axis=0).mean())
    return cols_inked >= _GLYPH_COVER and rows_inked >= _GLYPH_COVER and float(above.mean()) >= _GLYPH_DENSITY


# A key is drawn level with its label, just left of it: the label's box centre at most this share of its height
# off the key's row, its first word at most _KEY_GAP heights right of the key's end.
_KEY_CENTRE = 0.3
_KEY_GAP = 1.5


def read_label(gray: NDArray[np.uint8], row: int, col1: int, *, max_cols: int, text_px: int = 14,
               beside: bool = False) -> str | None:
    """Words on ``row`` starting just right of column ``col1`` of the full greyscale image.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The (straightened) figure.
    row, col1 : int
        Sample row and the column where the sample ends (image coordinates).
    max_cols : int
        How far right the label may extend.
    text_px : int, default 14
        Half the height of the crop read (pixels).
    beside : bool, default False
        Only a label level with the key and starting just right of it (``_KEY_CENTRE``, ``_KEY_GAP``): for
        keys found in the panel, where a flat stretch of another curve can pass for a key and the words
        nearest to its right are a table row's or another curve's name (rms_006, rms_018).

    Returns
    -------
    str or None
        The label, or None when OCR is unavailable or reads nothing.
    """
    try:
        from reconstruct.digitize.ocr import read_text
    except ImportError:
        return None
    top, bottom = max(row - text_px, 0), min(row + text_px + 1, gray.shape[0])
    left, right = min(col1 + 2, gray.shape[1] - 1), min(col1 + 2 + max_cols, gray.shape[1])
    crop = np.ascontiguousarray(gray[top:bottom, left:right])
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return None
    crop = cv2.copyMakeBorder(crop, 10, 10, 4, 10, cv2.BORDER_REPLICATE)
    at = row - top + 10  # the key's row in the crop
    # only words on the key's own line: a crop taller than the line spacing also holds the neighbouring
    # labels, and their words sorted by column interleave with this one's ("Group Group 3 1")
    boxes = sorted((b for b in read_text(crop) if b.row0 - 2 <= at <= b.row1 + 2), key=lambda b: b.col0)
    if beside:
        boxes = [b for b in boxes if abs(at - 0.5 * (b.row0 + b.row1)) <= _KEY_CENTRE * (b.row1 - b.row0)]
        if boxes and boxes[0].col0 - 4 > _KEY_GAP * (boxes[0].row1 - boxes[0].row0):  # 4: the border added
            return None
    words: list[str] = []
    last_end = None
    for box in boxes:
        height = box.row1 - box.row0
        if last_end is not None and box.col0 - last_end > 3 * height:
            break
        if box.confidence >= 0.5:
            words.append(box.text)
            last_end = box.col1
    label = " ".join(words)
    return label if is_label(label) else None


def is_label(text: str) -> bool:
    """True for text that can name an arm: at least two letters or digits (one glyph is a misread mark)."""
    return sum(ch.isalnum() for ch in text) >= 2


def arm_label(gray: NDArray[np.uint8], weight: NDArray[np.float32], path, flipped: bool, origin: tuple[int, int],
              others=(), *, nth: int = 0) -> str | None:
    """The legend text beside the ``nth`` widest stroke of the arm's colour inside the panel, if any.

    Parameters
    ----------
    gray : ndarray of uint8, shape (rows, cols)
        The whole figure in grey.
    weight : ndarray of float32, shape (panel rows, panel cols)
        Membership of the arm's colour in the panel crop (upside down when ``flipped``).
    path : reconstruct.digitize.curves.TracedPath
        The arm's traced curve (its ``rows``, ``own`` and ``half_width``).
    flipped : bool
        True when the crop was traced upside down (a cumulative incidence figure).
    origin : (int, int)
        Row and column of the crop's top left corner in ``gray``.
    others : sequence of TracedPath, optional
        The other arms' curves: a stroke on one of them is a piece of that curve, not a key.
    nth : int, default 0
        0 reads beside the widest stroke, 1 beside the next widest (:func:`next_key_labels` says when and
        which of its readings are kept).

    Returns
    -------
    str or None
        The text read (:func:`read_label`), None when there is no such stroke or no text beside it.
    """
    n_rows, n_cols = weight.shape

    def upright(p):
        return (n_rows - 1 - p.rows) if flipped else p.rows

    # the other curves where they have ink of their own (a legend box hides a curve's path beneath it)
    other_rows = [np.where(p.own >= 0.5, upright(p), np.nan) for p in others]
    samples = legend_samples(weight, upright(path), path.half_width, other_rows, max_samples=nth + 1)
    if len(samples) <= nth:
        return None
    row, _, col1 = samples[nth]
    return read_label(gray, origin[0] + row, origin[1] + col1, max_cols=int(0.45 * n_cols), beside=True)


def _is_key_name(text: str) -> bool:
    """True for text read beside a next-widest stroke that can name an arm: it starts with a capital or a digit
    (a stroke inside a word, a glyph's bar joined by the closing, ends mid-word: "rvation" in base_r_001) and has
    a letter (digits only are a row of the at-risk table: "254 191 150 118" in rms_002 of the seed-7071 set)."""
    return (text[0].isupper() or text[0].isdigit()) and any(ch.isalpha() for ch in text)


def next_key_labels(
    labels: Sequence[str | None], inks: Sequence[tuple[int, str | None]], read_next: Callable[[int], str | None],
) -> list[str | None]:
    """The arms' labels after reading the next widest stroke of each arm the widest left unnamed.

    A flat stretch of another curve (a dotted one where it has no ink of its own) can be wider than an arm's
    legend key (scan_008), so the widest stroke names nothing and the key is the next widest. That is read
    only when a legend inside the panel is known to exist (another arm was named by its key) and only for an
    arm whose ink no other arm shares: arms of one grey share one membership map, and the next widest stroke
    of one is the other's key (which of them gets which name would be a coin flip).

    Parameters
    ----------
    labels : sequence of str or None
        Each arm's label read beside the widest stroke of its colour, in path order.
    inks : sequence of (int, str or None)
        Each arm's colour: its cluster index and ``#rrggbb`` (one ink when the index is the same or
        :func:`reconstruct.extra_curves.same_ink`).
    read_next : callable (int) -> str or None
        The text beside arm ``i``'s next widest stroke (:func:`arm_label` with ``nth=1``); called only for the
        arms read, in path order.

    Returns
    -------
    list of str or None
        The labels: a next-widest reading is kept when it starts with a capital or a digit and has a letter;
        when it equals another arm's label (case aside), both are cleared (one text for two arms: trust neither).
    """
    if len(inks) != len(labels):
        raise InputError(f"expected one ink per label, got {len(inks)} inks for {len(labels)} labels "
                         "(hint: pass the arms' labels and inks in the same path order)")
    out = list(labels)
    n = len(out)

    def shared(i: int) -> bool:
        return any(j != i and (inks[j][0] == inks[i][0] or same_ink(inks[j][1], inks[i][1])) for j in range(n))

    read = [i for i in range(n) if out[i] is None and not shared(i) and any(out[j] for j in range(n) if j != i)]
    for i in read:
        text = read_next(i)
        if text is None:
            continue
        twins = [j for j in range(n) if j != i and out[j] and out[j].casefold() == text.casefold()]
        for j in twins:
            out[j] = None
        out[i] = text if not twins and _is_key_name(text) else None
    return out
