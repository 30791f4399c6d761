"""Where the tick labels are: the ink of the label next to each tick, for ``ocr.read_tick_labels``.

Dark connected components (OpenCV) below the x axis or left of the y axis are grouped into the one label at each
tick: its text line next to the axis, glyphs joined across small gaps, the letters of a rotated axis title and
tick marks left out. Pixels are ``(row, col)``, origin top-left.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def ink_components(band: NDArray[np.uint8]) -> NDArray[np.int64]:
    """Bounding boxes (row0, col0, row1, col1) of dark connected components in a band (OpenCV, Otsu), none in a
    band without contrast (less than 40 grey levels: Otsu would split noise)."""
    import cv2

    if band.size == 0:
        return np.zeros((0, 4), dtype=np.int64)
    _, mask = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if int(band.max()) - int(band.min()) < 40:  # flat band: Otsu would split noise
        return np.zeros((0, 4), dtype=np.int64)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return np.zeros((0, 4), dtype=np.int64)
    x, y, w, h = stats[1:, 0], stats[1:, 1], stats[1:, 2], stats[1:, 3]
    return np.stack([y, x, y + h, x + w], axis=1).astype(np.int64)


def _label_word(comps: NDArray[np.int64], axis: str, tick: float, all_comps: NDArray[np.int64]) -> NDArray[np.int64]:
    """Components of the one label at ``tick``: its text line next to the axis, joined across small gaps."""
    if len(comps) == 0:
        return comps
    if axis == "y" and len(comps) > 1:  # letters of a rotated axis title (stacked glyphs) are no label
        comps = np.array([c for c in comps if not _stacked(c, all_comps, int(c[0]), int(c[2]))]).reshape(-1, 4)
        if len(comps) == 0:
            return comps
    heights = comps[:, 2] - comps[:, 0]
    tall = comps[heights >= 0.6 * heights.max()]  # specks (spine ends, tick stubs) cannot anchor a label
    if axis == "x":
        nearest = tall[np.argmin(tall[:, 0])]
        return _x_word(comps[(comps[:, 0] < nearest[2]) & (comps[:, 2] > nearest[0])], tick, nearest[2] - nearest[0])
    # Anchor: the glyph nearest the axis among those centred on the tick row (x labels near the corner are
    # not centred on it).
    centre_off = np.abs((tall[:, 0] + tall[:, 2]) / 2.0 - tick)
    centred = centre_off <= np.maximum(0.5 * (tall[:, 2] - tall[:, 0]), 3.0)
    nearest = tall[np.argmax(np.where(centred, tall[:, 3], -1))] if centred.any() else tall[np.argmin(centre_off)]
    r0, r1 = nearest[0], nearest[2]
    height = r1 - r0
    line = comps[
        (comps[:, 0] >= r0 - 0.35 * height) & (comps[:, 2] <= r1 + 0.35 * height) & (comps[:, 3] <= nearest[3])
    ]
    line = line[np.argsort(-line[:, 3])]
    keep, left = [], int(nearest[3])
    for comp in line:  # walk leftwards from the axis while glyphs follow closely and are not part of a column
        if left - comp[3] > 0.8 * height or _stacked(comp, all_comps, r0, r1):
            break
        keep.append(comp)
        left = min(left, int(comp[1]))
    return np.array(keep) if keep else nearest[None, :]


def _x_word(line: NDArray[np.int64], tick: float, height: int) -> NDArray[np.int64]:
    """The glyphs of ``line`` (one text row of x labels) joined across small gaps to the one nearest ``tick``.

    With only every other tick mark found (survminer_bw_014: ticks at 0, 12, 24, 36 and labels every 6), the
    labels of the ticks between lie within the search window; a gap wider than 0.8 of the glyph height ends the
    word, so "6" and "12" are not read as "612".
    """
    line = line[np.argsort(line[:, 1])]
    off = np.abs((line[:, 1] + line[:, 3]) / 2.0 - tick)
    tall = (line[:, 2] - line[:, 0]) >= 0.6 * height  # a speck (dot, noise) cannot anchor the word
    at = int(np.argmin(np.where(tall, off, np.inf))) if tall.any() else int(np.argmin(off))
    gap = max(0.8 * height, 2.0)
    lo, hi = at, at
    while lo > 0 and line[lo, 1] - line[lo - 1, 3] <= gap:
        lo -= 1
    while hi < len(line) - 1 and line[hi + 1, 1] - line[hi, 3] <= gap:
        hi += 1
    return line[lo:hi + 1]


def _stacked(comp: NDArray[np.int64], comps: NDArray[np.int64], r0: int, r1: int) -> bool:
    """True when ink outside rows r0:r1 sits right above or below ``comp``: a glyph of rotated text."""
    gap = 0.3 * (r1 - r0)  # letters of rotated text nearly touch; labels of other ticks stand apart
    outside = comps[(comps[:, 0] < r0 - 1) | (comps[:, 2] > r1 + 1)]
    cols = (outside[:, 1] < comp[3]) & (outside[:, 3] > comp[1])
    near = (outside[:, 0] - comp[2] < gap) & (comp[0] - outside[:, 2] < gap)
    return bool(np.any(cols & near))


def _below_stub(band: NDArray[np.uint8], comp: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """An x label joined to its tick mark by blur (a scan): the box of its ink below the stub, else ``comp``.

    The stub narrows to a neck (rows at most 2 px or 0.4 of the component wide) in the top third of the
    component (the axis line's blur may widen the first row); what follows the neck, at least 3 rows
    high, is the label. ``comp`` is
    ``(row0, col0, row1, col1)`` in the band.
    """
    import cv2

    if comp[0] > 0 or comp[2] - comp[0] < 5:
        return comp
    _, mask = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    widths = (mask[comp[0]: comp[2], comp[1]: comp[3]] > 0).sum(axis=1)
    thin = widths[: max(2, (comp[2] - comp[0]) // 3)] <= max(2.0, 0.4 * float(widths.max()))
    necks = np.flatnonzero(thin)
    if necks.size == 0:
        return comp
    stop = necks[0] + int(np.argmin(np.r_[thin[necks[0]:], False]))  # the end of the first run of thin rows
    limit = max(2.0, 0.4 * float(widths.max()))
    if stop >= thin.size and stop < widths.size and widths[stop] <= limit:
        return comp  # still thin past the window: a long tick whose end is not found, not a neck
    if comp[2] - (comp[0] + stop) < 3:
        return comp
    return np.array([comp[0] + stop, comp[1], comp[2], comp[3]], dtype=np.int64)


def _label_boxes_near_axis(
    gray: NDArray[np.uint8], axis: str, ticks: NDArray[np.float64], axis_px: float, band_px: int,
    *, cut_stubs: bool = False,
) -> list[tuple[int, int, int, int] | None]:
    """Locate the ink of the label next to each tick: below the x axis or left of the y axis.

    ``cut_stubs``: x labels that touch the axis are kept below the neck of their tick mark
    (:func:`_below_stub`) instead of being taken for tick marks.
    """
    rows, cols = gray.shape
    start = int(round(axis_px))
    if axis == "x":
        r_lo, r_hi = min(start + 2, rows), min(start + band_px, rows)
        band = gray[r_lo:r_hi, :]
        offset = np.array([r_lo, 0, r_lo, 0])
    else:
        c_lo, c_hi = max(start - band_px, 0), max(start - 1, 0)
        band = gray[:, c_lo:c_hi]
        offset = np.array([0, c_lo, 0, c_lo])
    comps = ink_components(band)
    if len(comps) == 0:
        return [None] * len(ticks)
    comps = comps + offset
    # Tick marks touch the axis line; labels leave a gap, so drop components that start at the axis.
    if axis == "x":
        if cut_stubs:  # labels joined to their tick marks by blur: the ink below each mark's neck
            comps = np.array([_below_stub(band, comp - offset) for comp in comps], dtype=np.int64).reshape(-1, 4) \
                + offset
        comps = comps[comps[:, 0] > r_lo]
        along = 1
    else:
        comps = comps[comps[:, 3] < c_hi]
        along = 0
    comps = comps[(comps[:, 2] - comps[:, 0]) * (comps[:, 3] - comps[:, 1]) >= 2]
    centres = (comps[:, along] + comps[:, along + 2]) / 2.0
    spacing = float(np.min(np.diff(np.sort(ticks)))) if len(ticks) > 1 else float(band_px * 2)
    out: list[tuple[int, int, int, int] | None] = []
    for tick in ticks:
        word = _label_word(comps[np.abs(centres - tick) < 0.5 * spacing], axis, float(tick), comps)
        if len(word) == 0:
            out.append(None)
            continue
        out.append((int(word[:, 0].min()), int(word[:, 1].min()), int(word[:, 2].max()), int(word[:, 3].max())))
    return out
