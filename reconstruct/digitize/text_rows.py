"""Words of a strip of text laid out in clear rows, read without the text detector.

Under a plot, the at-risk table, the x tick labels and the axis title are rows of dark glyphs on paper,
apart from each other: their boxes are found from the ink (OpenCV connected components), and each run
of glyphs spaced closer than 0.6 of its row's height is read by the recogniser as a text line, cropped as
the detector crops it (a margin of a third of the row's height; other ink in it, a tick mark, read as
paper). The detector (a CNN over the whole strip, ~0.1-0.4 s a figure) is then not run. When the layout
is not clear (rows of glyphs that touch, glyphs too small, a filled area, text over other ink, a glyph
cut by the strip's top edge, or pale glyphs that the dark ink's threshold leaves out), None is returned
and the caller detects the text.

Coordinates are ``(row, col)`` pixels, origin top-left.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.ocr import TextBox, check_gray_image

__all__ = ["read_clear_rows"]

_MIN_GLYPH_PX = 6  # lower glyphs: the detector's reading of the enlarged strip is needed
_GAP_OF_HEIGHT = 0.6  # glyphs closer than this many row heights read as one text line (words of a name)
_PAD_OF_HEIGHT = 0.35  # a line's box reaches this far beyond its ink, as the detector's boxes do


_Found = tuple[NDArray[np.int64], NDArray[np.int32]]


def _components(gray: NDArray[np.uint8]) -> _Found | None:
    """``(row0, col0, row1, col1, pixels)`` of the dark connected components of a strip and its map of them
    (0 for paper, ``k + 1`` for the k-th), or None when the strip is flat (OpenCV)."""
    import cv2

    if int(gray.max()) - int(gray.min()) < 40:
        return None
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x, y, w, h, area = (stats[1:, k] for k in range(5))
    return np.stack([y, x, y + h, x + w, area], axis=1).astype(np.int64), labels


def _rows(comps: NDArray[np.int64]) -> list[tuple[int, int]]:
    """Row spans ``(row0, row1)`` of the bands of glyphs whose row ranges overlap, top to bottom."""
    order = np.argsort(comps[:, 0], kind="stable")
    spans: list[list[int]] = []
    for r0, r1 in comps[order][:, [0, 2]]:
        if spans and r0 < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], int(r1))
        else:
            spans.append([int(r0), int(r1)])
    return [(a, b) for a, b in spans]


def _line_boxes(found: _Found | None) -> tuple[list[tuple[int, int, int, int]], NDArray[np.bool_], float] | None:
    """Boxes of the text lines of a strip (from :func:`_components`), the mask of its other ink (axis lines,
    tick marks, frames) and the glyph height, or None when its layout is not clear rows of glyphs."""
    if found is None or len(found[0]) == 0:
        return None
    comps, labels = found
    heights = comps[:, 2] - comps[:, 0]
    widths = comps[:, 3] - comps[:, 1]
    glyphs = heights[(heights >= 3) & (widths <= 3 * heights)]
    if glyphs.size < 2:
        return None
    glyph = float(np.median(glyphs))
    if glyph < _MIN_GLYPH_PX:
        return None
    speck = (heights < 0.3 * glyph) & (widths < 0.3 * glyph)  # dots of "i", "." and noise ride along
    # the axis line and its tick marks (at the strip's top), a frame, a rule or a key line: not text (bold
    # letters that touch make a wide component of a glyph's height: text)
    rule = (widths > 2.5 * glyph) & (heights < 0.5 * glyph)
    other = ~speck & ((comps[:, 0] == 0) | (heights > 2.2 * glyph) | rule)
    cut = (comps[:, 0] == 0) & (heights >= 0.8 * glyph) & (heights <= 1.6 * glyph) & (widths <= 1.5 * heights)
    if np.any(cut):
        return None  # a glyph cut by the strip's top edge (a label above it, not a tick mark): for the detector
    if np.any(~speck & (comps[:, 4] > 0.35 * heights * widths) & (heights > 1.5 * glyph) & (widths > 2 * glyph)):
        return None  # a filled area (a shaded cell, white text on it, a marker): not only lines beside text
    body = comps[~other]
    if len(body) == 0:
        return None
    boxes: list[tuple[int, int, int, int]] = []
    bands: list[tuple[int, int, int, int]] = []  # each text row's span, first glyph to last
    for r0, r1 in _rows(body):
        if r1 - r0 < 0.6 * glyph:
            continue  # dashes, tick stubs, dots: no text line (a stub read "1" alone could make a table row)
        inside = body[(body[:, 0] >= r0) & (body[:, 2] <= r1)]
        h = inside[:, 2] - inside[:, 0]
        centres = ((inside[:, 0] + inside[:, 2]) / 2.0)[(h >= 0.7 * glyph) & (h <= 1.3 * glyph)]
        if r1 - r0 > 2.4 * glyph or (centres.size and np.ptp(centres) > 0.6 * glyph):
            return None  # two rows touching, or glyphs that overhang each other
        inside = inside[np.argsort(inside[:, 1], kind="stable")]
        bands.append((r0, int(inside[:, 1].min()), r1, int(inside[:, 3].max())))
        run = [inside[0]]
        for comp in inside[1:]:
            right = max(int(c[3]) for c in run)
            if comp[1] - right <= _GAP_OF_HEIGHT * (r1 - r0):
                run.append(comp)
            else:
                boxes.append((r0, int(run[0][1]), r1, right))
                run = [comp]
        boxes.append((r0, int(run[0][1]), r1, max(int(c[3]) for c in run)))
    foreign = np.r_[False, other][labels]  # pixels of the other ink
    # other ink across a row of text (an axis line through a column of numbers, joined to a digit it hides):
    # not clear rows; beside the row (a key line left of its label, tick marks above their labels) it may be
    for r0, c0, r1, c1 in bands:
        if foreign[r0:r1, c0:c1].any():
            return None
    return boxes, foreign, glyph


def _pale_text_left_out(gray: NDArray[np.uint8], boxes: list[tuple[int, int, int, int]], glyph: float) -> bool:
    """True when glyphs paler than the strip's dark ink (a row label printed in a light arm colour, which
    Otsu's threshold leaves out) lie outside every line's box: the detector must read the strip."""
    import cv2
    from scipy import ndimage

    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    faint = (gray < float(np.median(gray)) - 40.0).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(faint, connectivity=8)
    if n <= 1:
        return False
    x, y, w, h = stats[1:, 0], stats[1:, 1], stats[1:, 2], stats[1:, 3]
    darkest = np.asarray(ndimage.minimum(gray, labels, np.arange(1, n)))
    # pale all through (no pixel of the dark ink), a glyph's size: a letter or digit the components left out
    glyphs = (darkest > otsu) & (y > 0) & (h > 0.6 * glyph) & (h <= 2.2 * glyph) & (w <= 3 * h)
    if not glyphs.any():
        return False
    cr, cc = (y + h / 2.0)[glyphs], (x + w / 2.0)[glyphs]
    inside = np.zeros(cr.size, bool)
    for r0, c0, r1, c1 in boxes:
        pad = _PAD_OF_HEIGHT * (r1 - r0) + 1.0
        inside |= (cr >= r0 - pad) & (cr <= r1 + pad) & (cc >= c0 - pad) & (cc <= c1 + pad)
    return not bool(inside.all())


def read_clear_rows(gray: NDArray[np.uint8]) -> tuple[TextBox, ...] | None:
    """Words of a strip read line by line from its ink, or None when its text is not in clear rows.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        A strip of dark text on light paper (the region under a plot panel).

    Returns
    -------
    tuple of TextBox or None
        As :func:`reconstruct.digitize.ocr.read_text` gives them (one box per word), or None when the
        glyphs are too small, rows touch or the strip holds other ink than text.
    """
    from reconstruct.digitize.ocr import _remembered

    gray = check_gray_image(gray)
    # the engine's reading of the same strip is remembered (``run`` may read a table twice)
    return _remembered("rows", gray, lambda: _read_rows(gray))


def _read_rows(gray: NDArray[np.uint8]) -> tuple[TextBox, ...] | None:
    """The work of :func:`read_clear_rows`."""
    found = _line_boxes(_components(gray))
    if found is None or _pale_text_left_out(gray, found[0], found[2]):
        return None
    boxes, foreign, _ = found
    if foreign.any():  # other ink in a line's margin (a tick mark over a label) is read as paper, edges and all
        import cv2

        foreign = cv2.dilate(foreign.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        gray = np.where(foreign, np.uint8(np.median(gray)), gray)
    rows, cols = gray.shape
    quads = []
    for r0, c0, r1, c1 in boxes:
        pad = _PAD_OF_HEIGHT * (r1 - r0)
        # the margin stops half-way to the next line above or below: a crop holds no glyph of another row
        side = [b for b in boxes if b[1] < c1 and b[3] > c0]
        above = max((b[2] for b in side if b[2] <= r0), default=-np.inf)
        below = min((b[0] for b in side if b[0] >= r1), default=np.inf)
        top, bottom = max(r0 - pad, (r0 + above) / 2.0, 0.0), min(r1 + pad, (r1 + below) / 2.0, float(rows))
        left, right = max(c0 - pad, 0.0), min(c1 + pad, float(cols))
        quads.append([[left, top], [right, top], [right, bottom], [left, bottom]])
    try:
        return _words_of_lines(gray, np.asarray(quads, np.float32))
    except (AttributeError, KeyError, TypeError) as err:  # the OCR engine's internals used here changed: detect
        warnings.warn(f"reading text rows from their ink failed ({err!r}); the text detector reads them",
                      RuntimeWarning, stacklevel=2)
        return None


def _words_of_lines(gray: NDArray[np.uint8], quads: NDArray[np.float32]) -> tuple[TextBox, ...]:
    """Words of the text lines in ``quads`` (boxes as the detector gives them, ``(col, row)`` corners of
    each, in ``gray``'s pixels), cropped and read as :func:`_detect_words` reads detected lines."""
    from rapidocr.ch_ppocr_cls import TextClsOutput
    from rapidocr.ch_ppocr_det.utils import TextDetOutput

    from reconstruct.digitize.ocr import _word_boxes
    from reconstruct.digitize.ocr_engine import _NARROW_PX, _engine, _recognise

    gray = check_gray_image(gray)
    if len(quads) == 0:
        return ()
    engine = _engine(_NARROW_PX)
    image = engine.load_img(gray)
    scaled, record = engine.preprocess_img(image)
    record["padding_1"] = {"top": 0, "left": 0}
    pre = record["preprocess"]
    boxes = np.array(quads, np.float32)  # in the scaled image, as the detector would give them
    boxes[:, :, 0] /= pre["ratio_w"]
    boxes[:, :, 1] /= pre["ratio_h"]
    lines = engine.crop_text_regions(scaled, boxes)
    detected = TextDetOutput(boxes=boxes, scores=[1.0] * len(boxes))
    return _word_boxes(engine.build_final_output(image, detected, TextClsOutput(), _recognise(lines), lines, record))
