"""Text drawn as glyph outlines (matplotlib's SVG default, cairo's SVG, outlined PDFs): read it by OCR.

Glyphs are small filled, unstroked paths. They are grouped into words (side by side on one
line, or stacked for text rotated by 90 degrees as R's y tick labels are), each word is
rasterised from its outlines and read by the recogniser kmrecon ships
(:mod:`reconstruct.digitize.ocr`, rapidocr; nothing is downloaded). Writers reuse one outline per
character (``<use>`` of a ``<symbol>``), so every distinct outline is learnt once from the
words read and later words are spelt from the outlines without OCR. The words become
:class:`reconstruct.vector.geometry.VectorText` items: tick labels and at-risk tables are then read
as from real text, and the curves still come from the exact paths.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from numpy.typing import NDArray

from reconstruct.vector.geometry import VectorPage, VectorPath, VectorText

__all__ = ["glyph_paths", "outlined_texts"]

_MAX_OCR_WORDS = 40  # recogniser calls per page; later words are spelt from learnt outlines
_LEARNT: dict[bytes, Counter] = defaultdict(Counter)  # outline signature -> characters read for it
_TEXT_PX = 32  # glyph height of the rendered word (the recogniser's input height is 48)


def glyph_paths(page: VectorPage) -> list[VectorPath]:
    """Filled, unstroked paths of glyph size (at most 5 % of the page's larger side, not zero), less
    the paths lying inside another one (counters written separately)."""
    limit = 0.05 * max(page.size)
    out = []
    for path in page.paths:
        if path.fill is None or path.stroke is not None:
            continue
        r0, c0, r1, c1 = path.bbox()
        if 0 < max(r1 - r0, c1 - c0) <= limit:
            out.append(path)
    if not out:
        return out
    # a counter (the hole of "0") written as a path of its own lies inside its glyph: not a glyph
    box = np.array([p.bbox() for p in out])
    inside = ((box[:, None, 0] >= box[None, :, 0]) & (box[:, None, 1] >= box[None, :, 1])
              & (box[:, None, 2] <= box[None, :, 2]) & (box[:, None, 3] <= box[None, :, 3]))
    np.fill_diagonal(inside, False)
    same = np.all(np.abs(box[:, None, :] - box[None, :, :]) < 1e-9, axis=2)
    inside &= ~same | (np.arange(len(out))[:, None] > np.arange(len(out))[None, :])  # duplicates: keep one
    return [p for p, hole in zip(out, inside.any(axis=1), strict=True) if not hole]


def _signature(path: VectorPath) -> bytes:
    """The outline up to position and scale: the same character of one font, at any size."""
    r0, c0, r1, c1 = path.bbox()
    scale = max(r1 - r0, c1 - c0)
    parts = [np.round((sub - [r0, c0]) / scale, 2) for sub in path.subpaths]
    return b"|".join(p.tobytes() for p in parts)


def _words(glyphs: list[VectorPath]) -> list[tuple[list[VectorPath], bool]]:
    """Glyphs grouped into words: ``(glyphs in reading order, rotated)``.

    Horizontal words first (boxes overlapping vertically, gaps under 0.55 glyph heights); the
    glyphs left alone are then stacked into rotated words (read bottom to top).
    """
    boxes = {id(g): g.bbox() for g in glyphs}
    words: list[list[VectorPath]] = []
    for g in sorted(glyphs, key=lambda p: boxes[id(p)][1]):
        r0, c0, r1, c1 = boxes[id(g)]
        for word in words:
            last = boxes[id(word[-1])]
            height = max(boxes[id(w)][2] - boxes[id(w)][0] for w in word)
            lo, hi = max(r0, last[0]), min(r1, last[2])
            overlap = hi - lo >= 0.5 * min(r1 - r0, last[2] - last[0], height)
            if overlap and -0.1 * height <= c0 - last[3] <= 0.55 * height:
                word.append(g)
                break
        else:
            words.append([g])
    singles = [w[0] for w in words if len(w) == 1]
    out = [(w, False) for w in words if len(w) > 1]
    stacks: list[list[VectorPath]] = []
    for g in sorted(singles, key=lambda p: -boxes[id(p)][2]):  # bottom to top
        r0, c0, r1, c1 = boxes[id(g)]
        for stack in stacks:
            last = boxes[id(stack[-1])]
            width = max(boxes[id(w)][3] - boxes[id(w)][1] for w in stack)
            lo, hi = max(c0, last[1]), min(c1, last[3])
            overlap = hi - lo >= 0.5 * min(c1 - c0, last[3] - last[1], width)
            if overlap and -0.1 * width <= last[0] - r1 <= 0.55 * width:
                stack.append(g)
                break
        else:
            stacks.append([g])
    out += [(s, len(s) > 1) for s in stacks]
    return out


def _render(word: list[VectorPath], rotated: bool) -> NDArray[np.uint8]:
    """The word's outlines filled black on white, glyphs about ``_TEXT_PX`` tall, upright."""
    import cv2

    pts = np.concatenate([s for g in word for s in g.subpaths])
    r0, c0 = pts.min(axis=0)
    r1, c1 = pts.max(axis=0)
    size = max(max(g.bbox()[3] - g.bbox()[1] if rotated else g.bbox()[2] - g.bbox()[0] for g in word), 1e-6)
    scale = _TEXT_PX / size
    pad = 10
    canvas = np.full((int((r1 - r0) * scale) + 2 * pad + 1, int((c1 - c0) * scale) + 2 * pad + 1), 255, np.uint8)
    polys = [np.round(((s - [r0, c0]) * scale + pad)[:, ::-1] * 16).astype(np.int32) for g in word
             for s in g.subpaths if len(s) >= 3]
    cv2.fillPoly(canvas, polys, 0, lineType=cv2.LINE_AA, shift=4)  # even-odd: holes of "0", "8" stay open
    return np.ascontiguousarray(np.rot90(canvas, -1)) if rotated else canvas


def _is_plus(glyph: VectorPath) -> bool:
    """A "+" (ggplot2's censor mark shape drawn as a character): ink in the centre and the four edge
    middles of its box, none in the corners. Decided from the outline, not by OCR, which reads a lone
    "+" as "H" or "t"."""
    r0, c0, r1, c1 = glyph.bbox()
    if not 0.7 <= (c1 - c0) / max(r1 - r0, 1e-9) <= 1.4:
        return False
    ink = _render([glyph], False)[10:-10, 10:-10] < 128
    if ink.shape[0] < 9 or ink.shape[1] < 9:
        return False
    rows, cols = np.array_split(np.arange(ink.shape[0]), 3), np.array_split(np.arange(ink.shape[1]), 3)
    share = np.array([[ink[np.ix_(r, c)].mean() for c in cols] for r in rows])
    corners = share[[0, 0, 2, 2], [0, 2, 0, 2]]
    arms = share[[0, 1, 1, 2], [1, 0, 2, 1]]
    return bool(corners.max() < 0.1 and share[1, 1] > 0.6 and arms.min() > 0.3)


def _rendered(render, word: list[VectorPath], rotated: bool) -> NDArray[np.uint8]:
    box = np.array([g.bbox() for g in word])
    r0, c0, r1, c1 = box[:, 0].min(), box[:, 1].min(), box[:, 2].max(), box[:, 3].max()
    size = max(float(np.max(box[:, 3] - box[:, 1] if rotated else box[:, 2] - box[:, 0])), 1e-6)
    pad = 0.3 * size
    gray = render((r0 - pad, c0 - pad, r1 + pad, c1 + pad), _TEXT_PX / size)
    return np.ascontiguousarray(np.rot90(gray, -1)) if rotated else gray


def outlined_texts(page: VectorPage, *, render=None) -> tuple[VectorText, ...]:
    """Read the page's glyph outlines as words (see the module docstring).

    Parameters
    ----------
    page : VectorPage
    render : callable, optional
        ``render(bbox, px_per_unit) -> ndarray of shape (n_rows, n_cols)``, uint8 grey: the page
        region ``(row0, col0, row1, col1)`` as a renderer draws it (PDFium for PDF, whose paths
        here keep only the end points of curves); default: the outlines filled from their points.

    Returns
    -------
    tuple of VectorText
        One item per word with its box in page units; words that could be neither read nor
        spelt from learnt outlines are left out.
    """
    from reconstruct.digitize.ocr import _recognise_crops

    words = _words(glyph_paths(page))
    sigs = [[_signature(g) for g in word] for word, _ in words]
    shapes = {s: g for (word, _), ws in zip(words, sigs, strict=True) for g, s in zip(word, ws, strict=True)}
    plus = {s for s, g in shapes.items() if _is_plus(g)}
    marks = {k for k, ws in enumerate(sigs) if all(s in plus for s in ws)}  # censor marks side by side: one each
    out = [VectorText("+", *g.bbox(), g.fill) for k in sorted(marks) for g in words[k][0]]
    words = [w for k, w in enumerate(words) if k not in marks]
    sigs = [w for k, w in enumerate(sigs) if k not in marks]
    votes = _LEARNT  # outlines are a font's: what one page taught, the next page of a batch reuses
    read: dict[int, str] = {}
    # the recogniser reads the words that teach the most unknown outlines; long words (titles) last
    order = sorted(range(len(words)), key=lambda k: (len(words[k][0]) > 8, -len(set(sigs[k]))))
    for k in order:
        if len(read) >= _MAX_OCR_WORDS:
            break
        if all(s in votes for s in sigs[k]):
            continue
        ((text, _),) = _recognise_crops([_render(*words[k]) if render is None else _rendered(render, *words[k])])
        text = text.replace(" ", "")
        read[k] = text
        if len(text) == len(sigs[k]):
            for s, ch in zip(sigs[k], text, strict=True):
                votes[s][ch] += 1
    chars = {s: c.most_common(1)[0][0] for s, c in votes.items()} | dict.fromkeys(plus, "+")
    for k, (word, _) in enumerate(words):
        text = "".join(chars[s] for s in sigs[k]) if all(s in chars for s in sigs[k]) else read.get(k, "")
        if not text:
            continue
        box = np.array([g.bbox() for g in word])
        out.append(VectorText(text, float(box[:, 0].min()), float(box[:, 1].min()), float(box[:, 2].max()),
                              float(box[:, 3].max()), word[0].fill))
    return tuple(out)
