"""Arm names printed inside the plot panel next to their curves, in the curves' colours (direct labels).

Journal redraws (JCO, Lancet, NEJM) often drop the legend and print each arm's name beside its
curve in the curve's colour. When the at-risk rows carry the same names, the colour of the name in
the panel says which curve a row belongs to. The panel is read once by OCR; words on one line are
joined into phrases, a phrase that reads as exactly one row name (allowing an OCR slip) is kept, and
the colour of its ink's core is compared with the curve colours. Pixels are ``(row, col)``.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.ink_names import read_by_ink, with_inks

__all__ = ["DirectNames", "direct_label_arms", "direct_label_names"]

_MIN_RATIO = 0.8        # similarity (difflib) at which a phrase reads as a row name
_MIN_CHROMA = 25.0      # RGB distance from grey below which ink or a curve counts as grey
_HUE_TOLERANCE = 0.15   # largest 1 - cos(angle between hues) of a name's ink and its curve
_HUE_MARGIN = 0.3       # how much farther (1 - cos) every other coloured curve must be
_NEAR_GREY = 40.0       # grey levels between a grey name's ink and its grey curve
_GREY_MARGIN = 30.0     # how much farther every other grey curve must be
_LIGHTER = 2.0          # _NEAR_GREY's a grey curve may read lighter than a name's ink and still be drawn in it
# A name placed at its curve's end (journal redraws: right-aligned at the end, just above its last level): the
# name's right edge at most this many text heights left of the end (or one right of it), its foot from
# _ABOVE_END heights above the end's row to _BELOW_END below it.
_LEFT_OF_END = 4.0
_ABOVE_END = 1.0
_BELOW_END = 0.25
_MIN_PREFIX = 5         # letters of a row name cut short that a longer reading must start with
_LAST_WORD = 2          # characters of the last word that alone tells row names apart ("Arm A", "Group 2")
_HEAD_RATIO = 0.6       # similarity of a reading's head (all but its last word) to a row name's head
_SHARED_HEAD = 0.5      # similarity of two row names' heads (same first letter) read as one head misread ("At", "Am")
_TAIL_GAP = 2.0         # pixels between two curves' tails below which the trace may have swapped them
_ROW_LINE = 0.6         # text heights between a name's middle and an at-risk row's line: the row's own label
# A name printed beside its curve where it stands farthest from the others (Hmisc labcurve, rms survplot): its centre
# 0.75 'm' heights above the curve, starting at the labelled point, or below it, ending there. The curve's level
# within _ANCHOR text heights of the name's first (last) column must be within _BESIDE heights of the name's foot
# (top), and every other curve's there _CLEAR times farther and beyond _BESIDE (rms_006: 0.07, 0.03 heights). Names
# whose first columns are within _COLUMN heights, one right under the other (boxes overlapping or apart by a height at
# most), or on one line, are a legend.
_BESIDE = 0.25
_ANCHOR = 0.15
_CLEAR = 2.0
_COLUMN = 0.25          # text heights between the first columns of names stacked in a legend's column


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _phrases(boxes) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Words on one line closer than a glyph height joined: ``(text, (row0, col0, row1, col1))``."""
    out: list[list] = []
    for box in sorted(boxes, key=lambda b: b.col0):  # left to right, each word joining the phrase it follows
        height = box.row1 - box.row0
        for phrase in out:
            r0, c0, r1, c1 = phrase[1]
            same_line = min(r1, box.row1) - max(r0, box.row0) > 0.5 * height
            if same_line and -0.5 * height <= box.col0 - c1 <= height:
                phrase[0] += " " + box.text
                phrase[1] = (min(r0, box.row0), c0, max(r1, box.row1), box.col1)
                break
        else:
            out.append([box.text, (box.row0, box.col0, box.row1, box.col1)])
    return [(text, bbox) for text, bbox in out]


def _ink_colour(rgb: NDArray[np.uint8], bbox: tuple[int, int, int, int],
                off_curves: NDArray[np.bool_]) -> NDArray[np.float64] | None:
    """Median RGB of the darkest ink in a text box (the glyphs' cores, not their anti-aliased edges).

    Pixels on a curve (``off_curves`` False) are left out: a curve drawn through a label is not its ink.
    """
    r0, c0, r1, c1 = max(bbox[0], 0), max(bbox[1], 0), bbox[2], bbox[3]
    patch = rgb[r0:r1, c0:c1].reshape(-1, 3).astype(float)
    if patch.size == 0:
        return None
    light = patch.mean(axis=1)
    ink = patch[(light < float(np.median(light)) - 40) & off_curves[r0:r1, c0:c1].reshape(-1)]
    if len(ink) < 8:
        return None
    core = ink[ink.mean(axis=1) <= np.percentile(ink.mean(axis=1), 40)]
    return np.median(core, axis=0)


def _chroma(rgb: NDArray[np.float64]) -> NDArray[np.float64] | None:
    v = rgb - rgb.mean()
    norm = float(np.linalg.norm(v))
    return None if norm < _MIN_CHROMA else v / norm


def _named_curve(ink: NDArray[np.float64], known: list[tuple[int, NDArray[np.float64]]]) -> int | None:
    """The one curve whose colour the ink is, or None.

    Coloured ink is compared by hue (anti-aliased text is lighter, not another hue) with the coloured
    curves only; grey ink by lightness with the grey curves only. The best must be close and clearly
    closer than the runner-up.

    A thin line reads lighter than its ink (anti-aliasing, JPEG) far more than a text's core does: a grey curve
    read lighter than the name's ink (by up to ``_LIGHTER`` times ``_NEAR_GREY``) may still be drawn in it. Grey ink
    names a curve only when every other grey curve reads darker than the ink by ``_GREY_MARGIN`` or lighter by more
    than that reach (7071 rms_002: the black curve read at 126 and the grey one at 174 beside a name at 104; taking the
    nearer named the black curve with the grey curve's name).
    """
    hue = _chroma(ink)
    if hue is not None:
        cost = sorted((1.0 - float(hue @ h), k) for k, c in known if (h := _chroma(c)) is not None)
        near, margin = _HUE_TOLERANCE, _HUE_MARGIN
    else:
        level = float(ink.mean())
        greys = {k: float(c.mean()) for k, c in known if _chroma(c) is None}
        cost = sorted((abs(level - g), k) for k, g in greys.items())
        near, margin = _NEAR_GREY, _GREY_MARGIN
        if cost and any(level - margin < g <= level + _LIGHTER * near for k, g in greys.items() if k != cost[0][1]):
            return None
    if not cost or cost[0][0] > near or (len(cost) > 1 and cost[1][0] < cost[0][0] + margin):
        return None
    return cost[0][1]


def _to_crop(pixels, start: float, scale: float) -> NDArray[np.float64]:
    """Image rows (or columns) ``pixels`` in the panel crop's pixels: from the crop's first row (column) ``start``,
    the crop enlarged ``scale`` times."""
    return (np.asarray(pixels, float) - start) * scale


def _curve_mask(shape: tuple[int, int], paths, offset: tuple[int, int], scale: float, reach: int) -> NDArray[np.bool_]:
    """True away from every curve's step path (``paths``: image ``(cols, rows)`` of the step corners)."""
    mask = np.zeros(shape, np.uint8)
    for cols, rows in paths:
        x, y = _to_crop(cols, offset[1], scale), _to_crop(rows, offset[0], scale)
        # a step path: along at the old level, then down to the new one
        pts = np.column_stack((np.repeat(x, 2)[1:], np.repeat(y, 2)[:-1])).round().astype(np.int32)
        cv2.polylines(mask, [pts], False, 1, thickness=2 * reach + 1)
    return mask == 0


@dataclass(frozen=True)
class DirectNames:
    """Curves named by names printed in the panel: ``{curve index: row name}`` by ink colour, or by position.

    ``by_position`` is filled only when no name's colour singles out a curve and every curve has exactly one
    name printed at its end (:func:`_names_at_ends`), else all curves but one at most a name printed just beside
    them (:func:`_names_beside`): weaker evidence than a colour, for the caller to flag.
    """

    by_colour: dict[int, str] = field(default_factory=dict)
    by_position: dict[int, str] = field(default_factory=dict)
    placed: str = ""
    """How ``by_position`` was placed: "ends" (:func:`_names_at_ends`) or "beside" (:func:`_names_beside`)."""
    full: dict[int, str] = field(default_factory=dict)
    """For curves named by colour, the name as printed in the panel where it goes on past the row's (a row label
    cut short at the figure's edge: "Chemorad" printed "Chemoradiotherapy" by its curve, rms_018)."""
    by_word: frozenset[int] = frozenset()
    """Curves of ``by_colour`` whose name was read by its last word alone (:func:`_by_last_word`): the caller
    flags the match."""
    by_ink: bool = False
    """``by_colour`` read in each coloured curve's ink alone (:func:`reconstruct.digitize.ink_names.read_by_ink`),
    the panel read whole having named none: the caller flags the match."""


def direct_label_arms(rgb: NDArray[np.uint8], panel: tuple[int, int, int, int], names: Sequence[str | None],
                      colours: Sequence[tuple[int, int, int] | None], paths=()) -> dict[int, str]:
    """Curves named by direct labels: ``{curve index: row name}`` for names printed in one curve's colour.

    See :func:`direct_label_names` (this is its ``by_colour``).
    """
    named = direct_label_names(rgb, panel, names, colours, paths)
    return {} if named.by_ink else named.by_colour  # names read in one ink apart are weaker: the caller must flag


def direct_label_names(rgb: NDArray[np.uint8], panel: tuple[int, int, int, int], names: Sequence[str | None],
                       colours: Sequence[tuple[int, int, int] | None], paths=(), *,
                       by_position: bool = False, row_lines: Sequence[float | None] = (),
                       beside: bool = True) -> DirectNames:
    """Curves named by direct labels printed in one curve's colour, else (``by_position``) at one curve's end.

    lancet_018 of the next 190: two grey curves, each name printed just above the end of its curve.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
        The figure.
    panel : (row0, col0, row1, col1)
        Plot panel in pixels.
    names : sequence of str or None
        Names of the at-risk rows.
    colours : sequence of (r, g, b) or None
        Curve colours, in curve order.
    paths : sequence of (cols, rows), optional
        Each curve's step corners in image pixels; ink on a curve is not taken for a label's.
    by_position : bool, default False
        Also name curves by where their names are printed (see above); needs ``paths``.
    row_lines : sequence of float or None, optional
        Image row of each named at-risk row's line (as ``names``): a name printed on its own row's line (an at-risk
        table inside the panel, its labels beside the numbers) is the row's label: its colour may name a curve,
        its position does not.
    beside : bool, default True
        With ``by_position``, also names printed beside the curves away from their ends (:func:`_names_beside`);
        False where legend keys were read (names printed by them are the legend's, not labels along the curves).

    Returns
    -------
    DirectNames
        Empty when OCR is unavailable, or no name is printed in the panel in a colour that singles out
        one curve (nor, with ``by_position``, at one curve's end). A name found twice, or two names claiming
        one curve, are left out.
    """
    try:
        from reconstruct.digitize.ocr import read_text
    except ImportError:
        return DirectNames()
    wanted = {_norm(n): n for n in names if n and len(_norm(n)) >= 2}
    known = [(k, np.asarray(c, float)) for k, c in enumerate(colours) if c is not None]
    if not wanted or len(known) < 2:
        return DirectNames()
    row0, col0, row1, col1 = panel
    crop = np.ascontiguousarray(rgb[row0:row1, col0:col1])
    scale = 2.0 if max(crop.shape[:2]) < 700 else 1.0  # labels of small figures are too small for the detector
    if scale != 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    off_curves = _curve_mask(crop.shape[:2], paths, (row0, col0), scale, reach=int(3 * scale))
    boxes = read_text(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY))
    found: dict[str, list[int]] = {}
    unplaced: list[tuple[str, tuple[int, int, int, int]]] = []  # names whose ink names no curve
    longer: dict[str, set[str]] = {}  # readings that go on past a row name (the row label cut short)
    by_word: set[str] = set()  # names read by their last word alone (the rest misread on both sides)
    line_of = {_norm(n): float(_to_crop(r, row0, scale))
               for n, r in zip(names, row_lines, strict=False) if n and r is not None}
    for text, bbox in _phrases(boxes):
        read = _row_name(text, wanted, names)
        if read is None:
            continue
        best, by_last = read
        if by_last:
            by_word.add(best)
        if len(_norm(text)) > len(best) and _norm(text).startswith(best):
            longer.setdefault(best, set()).add(text.strip())
        ink = _ink_colour(crop, bbox, off_curves)
        curve = None if ink is None else _named_curve(ink, known)
        # a name on its own at-risk row's line is that row's label
        on_row = best in line_of and abs(0.5 * (bbox[0] + bbox[2]) - line_of[best]) <= _ROW_LINE * (bbox[2] - bbox[0])
        if curve is not None:
            found.setdefault(best, []).append(curve)
        elif by_position and not (on_row or by_last):  # a name read by its last word alone names by its ink only
            unplaced.append((best, bbox))
    positional = _positional(unplaced, paths, (row0, col0), scale, wanted, beside=beside) \
        if by_position and not found else None
    if positional is not None:
        return positional
    # names over names or over curves: each coloured curve's ink read alone (seed-8081 jco_001); where the panel's
    # reading named curves, the inks read alone must not name them otherwise (a name's box over another name's ink)
    by_ink = not found
    found = with_inks(found, _read_by_ink(crop, colours, wanted, names, by_word if by_ink else set()))
    if found is None:
        return DirectNames()
    claims = [(set(ks).pop(), wanted[key]) for key, ks in found.items() if len(set(ks)) == 1]
    curves = [k for k, _ in claims]
    named = {k: name for k, name in claims if curves.count(k) == 1}
    full = {k: longer[_norm(name)].pop() for k, name in named.items() if len(longer.get(_norm(name), ())) == 1}
    return DirectNames(by_colour=named, full=full, by_ink=by_ink and bool(named),
                       by_word=frozenset(k for k, n in named.items() if _norm(n) in by_word))


def _read_by_ink(crop: NDArray[np.uint8], colours, wanted: dict[str, str], names: Sequence[str | None],
                 by_word: set[str]) -> dict[str, list[int]]:
    """``{row name key: [curve, ...]}`` for row names read in each coloured curve's ink alone
    (:func:`reconstruct.digitize.ink_names.read_by_ink`); names read by their last word alone are added to
    ``by_word``."""
    found: dict[str, list[int]] = {}
    for k, words in read_by_ink(crop, colours):
        for text, _bbox in _phrases(words):
            read = _row_name(text, wanted, names)
            if read is not None:
                found.setdefault(read[0], []).append(k)
                if read[1]:
                    by_word.add(read[0])
    return found


def _positional(unplaced, paths, origin: tuple[int, int], scale: float, wanted: dict[str, str], *,
                beside: bool) -> DirectNames | None:
    """The curves named by where distinct names are printed (:func:`_placed`), one name at most missing; else None."""
    distinct = len({key for key, _ in unplaced}) == len(unplaced)
    if not unplaced or not distinct or len(unplaced) not in (len(paths), len(paths) - 1):
        return None
    placed = _placed(unplaced, paths, origin, scale, beside=beside)
    if placed is None:
        return None
    return DirectNames(by_position={k: wanted[key] for k, key in placed[0].items()}, placed=placed[1])


def _row_name(text: str, wanted: dict[str, str], names: Sequence[str | None]) -> tuple[str, bool] | None:
    """The key of the one row name (``wanted``: key to name) a phrase reads as, and whether it was read by its last
    word alone (:func:`_by_last_word`); None when it reads as none, or as two."""
    ratios = {key: _ratio(_norm(text), key) for key in wanted}
    best = max(ratios, key=ratios.get)
    # an exact reading names its row even when another name is one character away ("Group 1", "Group 2")
    rivals = sum(r >= (1.0 if ratios[best] == 1.0 else _MIN_RATIO) for r in ratios.values())
    if rivals > 1:
        return None
    if ratios[best] >= _MIN_RATIO:
        return best, False
    # a row name cut short at the figure's edge ("Chemorad"): the one row name the reading starts with
    starts = [key for key in wanted if len(key) >= _MIN_PREFIX and _norm(text).startswith(key)]
    if starts:
        return (starts[0], False) if len(starts) == 1 else None
    tail = _by_last_word(text, [n for n in names if n and len(_norm(n)) >= 2])
    return None if tail is None else (tail, True)


def _words(text: str) -> list[str]:
    """The words of ``text``, lower case, letters and digits only ("Arm-B 2" -> ["arm", "b", "2"])."""
    return [w for w in re.split(r"[^0-9a-z]+", text.lower()) if w]


def _by_last_word(text: str, names: Sequence[str]) -> str | None:
    """The key of the one row name a reading ends with by its last word, when the rest of every name is misread.

    Tiny row labels and names crossed by other ink are misread in their shared head ("Arm A", "Arm B" read "At A",
    "Am 8" in the table and "Amm A" by the curve, 7071 jco_006), never reaching ``_MIN_RATIO``; the word that tells
    the names apart can still be read exactly. Only when every name has two words or more, their last words are
    short (``_LAST_WORD`` characters at most: a letter or a number) and distinct, the reading's last word is exactly
    one name's, the reading has as many words as that name and none of its other words is a name's last word (names
    printed over each other read as one phrase: "Ar A B", jco_000), and the reading's head resembles (``_HEAD_RATIO``)
    the matched name's head or a head like it (``_SHARED_HEAD``, same first letter: the rows' one head misread two
    ways, "At", "Am"), never another name's only. Weaker than a full reading: the caller flags the match.
    """
    words = _words(text)
    split = [_words(n) for n in names]
    if len(words) < 2 or any(len(w) < 2 for w in split):
        return None
    lasts = [w[-1] for w in split]
    if len(set(lasts)) != len(lasts) or any(len(w) > _LAST_WORD for w in lasts) or lasts.count(words[-1]) != 1:
        return None
    match = lasts.index(words[-1])
    if len(words) != len(split[match]) or set(words[:-1]) & set(lasts):
        return None  # names printed over each other, read as one phrase ("Ar A B", jco_000): another name's word
    heads = ["".join(w[:-1]) for w in split]
    # the matched name's head, or a head like it (the same head misread otherwise in another row: "At", "Am")
    shared = [h for h in heads if h[0] == heads[match][0] and _ratio(h, heads[match]) >= _SHARED_HEAD]
    if max(_ratio("".join(words[:-1]), h) for h in shared) < _HEAD_RATIO:
        return None  # a head like another name's only ("Contrl A" is no "Arm A")
    return _norm(names[match])


def _ratio(a: str, b: str) -> float:
    """difflib's similarity of two strings (0 to 1)."""
    return difflib.SequenceMatcher(None, a, b).ratio()


def _placed(unplaced, paths, origin: tuple[int, int], scale: float, *, beside: bool = True
            ) -> tuple[dict[int, str], str] | None:
    """``({curve: name key}, "ends")`` for names (``unplaced``: key and box in the crop's pixels) at the curves' ends
    (:func:`_names_at_ends`) when the tails stand apart (:func:`_tails_apart`); names not at the ends, with
    ``beside``: ``(..., "beside")`` for names beside the curves (:func:`_names_beside`); else None."""
    row0, col0 = origin
    ends = [(float(_to_crop(rows[-1], row0, scale)), float(_to_crop(cols[-1], col0, scale))) for cols, rows in paths]
    placed = _names_at_ends(unplaced, ends)
    if placed is None:
        placed = _names_beside(unplaced, paths, origin, scale) if beside else None
        return None if placed is None else (placed, "beside")
    since = col0 + min(bbox[1] for _, bbox in unplaced) / scale
    return (placed, "ends") if _tails_apart(paths, since) else None


def _levels_near(cols: NDArray[np.float64], rows: NDArray[np.float64], lo: float, hi: float) -> NDArray[np.float64]:
    """Levels (rows) a step path (corners ``cols``, ``rows``) holds anywhere between columns ``lo`` and ``hi``."""
    ends = np.append(cols[1:], cols[-1])  # level k runs from corner k to corner k + 1 (the last: its own column)
    return rows[(cols <= hi) & (ends >= lo)]


def _levels_held(cols: NDArray[np.float64], rows: NDArray[np.float64], lo: float, hi: float,
                 span: float) -> NDArray[np.float64]:
    """Levels a step path holds over more than ``span`` columns between ``lo`` and ``hi`` (not a path's last corners,
    which hold none or a pixel: 7071 rms_007 ended a trace with a drop into a name under another curve)."""
    ends = np.append(cols[1:], cols[-1])
    return rows[(np.minimum(ends, hi) - np.maximum(cols, lo)) > span]


def _names_beside(unplaced, paths, origin: tuple[int, int], scale: float) -> dict[int, str] | None:
    """``{curve: name key}`` for names printed just beside one curve as Hmisc ``labcurve`` places them (rms
    ``survplot``), when all names but one at most are so placed; else None.

    labcurve labels each curve where it stands farthest from the others, the label's centre 0.75 'm' heights off the
    curve: above it starting at that point, or below it ending there (rms_006, 7071 rms_007: three curves in one ink,
    each name along its curve, away from the ends). A name is placed when one curve's level by its first column is
    at its foot (or by its last column at its top) within ``_BESIDE`` text heights, every other curve's there
    ``_CLEAR`` times farther and beyond ``_BESIDE``; a name with a curve held level through its box (beyond ``_BESIDE``
    from its top and foot) is beside none; a drop through it is no reason (7071 rms_002: labcurve ended "Experimental"
    at the point where the other curve drops to 0, through its last letter). Names laid out
    as a legend (:func:`_a_legend`) place nothing; with two curves every name read must be placed. Hand-written: a
    handful of boxes against a handful of step paths.
    """
    row0, col0 = origin
    steps = [(np.asarray(_to_crop(c, col0, scale)), np.asarray(_to_crop(r, row0, scale))) for c, r in paths]
    if _a_legend([bbox for _, bbox in unplaced]):
        return None
    owner: dict[int, str] = {}
    for key, (r0, c0, r1, c1) in unplaced:
        height = max(r1 - r0, 1)
        reach = _ANCHOR * height
        gaps = []
        for cols, rows in steps:
            foot = np.abs(_levels_near(cols, rows, c0 - reach, c0 + reach) - r1)
            top = np.abs(_levels_near(cols, rows, c1 - reach, c1 + reach) - r0)
            both = np.concatenate((foot, top))
            gaps.append(float(both.min()) if both.size else np.inf)
            inside = _levels_held(cols, rows, c0 + reach, c1 - reach, reach)
            if np.any((inside > r0 + _BESIDE * height) & (inside < r1 - _BESIDE * height)):
                gaps[-1] = -np.inf  # a curve held level through the name's box
        if min(gaps) < 0:
            continue  # printed over a curve: beside none
        order = np.argsort(gaps)
        best = gaps[order[0]]
        runner = gaps[order[1]] if len(gaps) > 1 else np.inf
        if best <= _BESIDE * height and runner > max(_BESIDE * height, _CLEAR * best):
            if int(order[0]) in owner:  # two names on one curve: the placement says nothing
                return None
            owner[int(order[0])] = key
    # two curves: every name read must be placed (one placed and one not decides a two-way match by coincidence)
    wanted = len(unplaced) if len(paths) == 2 else max(len(paths) - 1, 1)
    return owner if owner and len(owner) >= wanted else None


def _a_legend(boxes: Sequence[tuple[int, int, int, int]]) -> bool:
    """True when two name boxes ``(row0, col0, row1, col1)`` are laid out as a legend: on one text line (a legend row),
    or stacked in a column, their first columns within ``_COLUMN`` heights and the gap between them a height at most
    (OCR pads its boxes: entries at a legend's spacing overlap by up to a height)."""
    for a, b in itertools.combinations(boxes, 2):
        height = max(a[2] - a[0], b[2] - b[0], 1)
        gap = max(a[0], b[0]) - min(a[2], b[2])
        if -gap > 0.5 * min(a[2] - a[0], b[2] - b[0]):
            return True  # one line
        if abs(a[1] - b[1]) <= _COLUMN * height and -height <= gap <= height:
            return True
    return False


def _tails_apart(paths, since: float) -> bool:
    """True when no two curves cross or touch (within ``_TAIL_GAP`` pixels) from column ``since`` to their ends.

    Where curves cross or touch near their ends the trace may take one curve's tail onto the other's body
    (lancet_018 of the next 190: two grey curves crossing at their last drops): a name at an end then names a
    tail, not the curve. Paths are image ``(cols, rows)`` of each curve's step corners.
    """
    last = max(float(np.max(cols)) for cols, _ in paths)
    grid = np.arange(np.floor(since), np.ceil(last) + 1.0)
    levels = []
    for cols, rows in paths:
        cols, rows = np.asarray(cols, float), np.asarray(rows, float)
        at = np.searchsorted(cols, grid, side="right") - 1
        levels.append(np.where((at >= 0) & (grid <= cols[-1]), rows[np.clip(at, 0, None)], np.nan))
    for a in range(len(levels)):
        for b in range(a + 1, len(levels)):
            gap = (levels[a] - levels[b])[np.isfinite(levels[a]) & np.isfinite(levels[b])]
            if gap.size and not (np.all(gap > _TAIL_GAP) or np.all(gap < -_TAIL_GAP)):
                return False
    return True


def _names_at_ends(names: Sequence[tuple[str, tuple[int, int, int, int]]],
                   ends: Sequence[tuple[float, float]]) -> dict[int, str] | None:
    """``{curve: name}`` when every name sits at exactly one curve's end, each end with one name at most; else None.

    A name sits at an end ``(row, col)`` when its right edge is from ``_LEFT_OF_END`` text heights left of
    the end's column to one height right of it, and its foot from ``_ABOVE_END`` heights above the end's row
    to ``_BELOW_END`` below it (a label printed just above where its curve stops). Hand-written: a handful of
    boxes against a handful of points.
    """
    owner: dict[int, str] = {}
    for key, (r0, _c0, r1, c1) in names:
        height = max(r1 - r0, 1)
        near = [k for k, (row, col) in enumerate(ends)
                if col - _LEFT_OF_END * height <= c1 <= col + height
                and row - _ABOVE_END * height <= r1 <= row + _BELOW_END * height]
        if len(near) != 1 or near[0] in owner:
            return None
        owner[near[0]] = key
    return owner
