"""The panel's line colours traced into step paths, one per arm: :func:`trace_arms`.

Colours found in the panel crop (:mod:`reconstruct.digitize.curves`), the rims and tints of other lines
and the fills of confidence bands set aside (:mod:`reconstruct.digitize.shades`), each colour's ink
traced into monotone paths, and a curve's band limits of the same colour dropped. Pixel arrays are
``(row, col)`` of the panel crop, origin top-left.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize import curves as _curves
from reconstruct.digitize import shades as _shades
from reconstruct.digitize._channels import channel_norm, channel_spread, minus_colour
from reconstruct.digitize.line_width import line_half_width, line_thickness
from reconstruct.digitize.panel_lab import lab_and_background
from reconstruct.digitize.ribbon_retrace import HIDDEN_KEEP, retrace_under_ribbons
from reconstruct.errors import DigitizationError

__all__ = ["orphan_colours", "panel_filled", "trace_arms", "with_orphan_shades"]

_FILL_DELTA = 10.0  # Lab distance within which a pixel has the colour of a band's fill
_RIM_STEP = 0.1  # membership of a darker colour by which a rim pixel is paler than that line's core beside it
# pixels in a straight run that make a stroke: longer than the widest line is thick (a rim across a line is
# shorter), while a scanned line's scattered dark noise pixels (scan_000) rarely line up this far
_STROKE_RUN = 9
# pixels around which a darker grey's darkest value is taken: a rim pixel lies within 1 px of a core pixel
# (>= 0.8), and one pixel more reaches that line's solid middle, so a rim always sees the core it is paler than
_PEAK_REACH = 2
_SOLID = 0.9  # membership of a darker grey from which a pixel is that grey's own (JPEG-dimmed) core: always taken
_BAND_DELTA = 12.0  # RGB distance from the paper beyond which a pixel is no bare paper: a filled area or a line


def _suppress_edges(weights: list[NDArray[np.float32]], colours: list[_curves.LineColour], *,
                    banded: NDArray[np.bool_] | None = None) -> None:
    """Drop from lighter colours the anti-aliased rims of darker lines (black rims look grey), in place.

    By default every pixel beside a darker colour's core goes. Inside a filled area (``banded``: a confidence
    band), where both colours are greys, a pixel paler than the darker grey (its membership under ``_SOLID``) that
    is about as dark as the darkest pixel of that grey within ``_PEAK_REACH`` pixels (less than ``_RIM_STEP``
    below it), in a straight run of ``_STROKE_RUN`` such pixels, stays: it lies along a stroke, not on the pale
    side of one, nor is it one of a scanned line's scattered noisy dark pixels (scan_000). A grey line seen
    through another arm's translucent band is darker there, as dark as the core of a darker grey, and is no rim
    of it (survminer_default_006 lost its grey arm under the other arm's band). A colour's line under a band is
    found by :func:`shades.membership_under_ribbon` instead.
    """
    kernel = np.ones((3, 3), np.uint8)
    cores = [cv2.dilate((w >= 0.8).astype(np.uint8), kernel).astype(bool) for w in weights]
    reach = np.ones((2 * _PEAK_REACH + 1,) * 2, np.uint8)
    peaks = [cv2.dilate(w, reach) for w in weights] if banded is not None and banded.any() else None
    for k, wk in enumerate(weights):
        for j, wj in enumerate(weights):
            if j != k and colours[j].lab[0] < colours[k].lab[0] - 15:
                rim = cores[j] & (wj >= 0.3)
                if peaks is not None and _achromatic(colours[j]) and _achromatic(colours[k]):
                    rim &= ~_runs(rim & banded & (wk > 0.0) & (wj < _SOLID) & (wj > peaks[j] - _RIM_STEP))
                wk[rim] = 0.0


def _runs(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The pixels of ``mask`` in a straight run (along a row or a column) of at least ``_STROKE_RUN`` pixels."""
    mask = mask.astype(np.uint8)
    along = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, _STROKE_RUN), np.uint8))
    down = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((_STROKE_RUN, 1), np.uint8))
    return (along | down).astype(bool)


def _median_background(crop, thickness: int, medians: dict[int, NDArray[np.uint8]]) -> NDArray[np.uint8]:
    """``local_background(crop, thickness)``, computed once per window side (``medians``, by side, of one crop).

    The median blur costs ~30 ms on a panel; ``trace_arms`` asks for it twice, often with the same window.
    """
    side = _shades.window_side(thickness)
    if side not in medians:
        medians[side] = _shades.local_background(crop, thickness)
    return medians[side]


def _without_fields(crop, bg_rgb, colours, weights, widest: int, medians: dict[int, NDArray[np.uint8]]):
    """Each colour's membership without the pale filled areas in it (a ribbon, two ribbons overlapping).

    What a colour's line thickness is measured on: a blurred line's measured colour is paler than
    its ink, so that a fill darker than its own ribbon (where two ribbons overlap) lies on its ray.
    ``medians``: the crop's median backgrounds by window side (:func:`_median_background`).
    """
    if not weights:
        return []
    field = _shades.RibbonField.of(crop, _median_background(
        crop, min(max(line_thickness(w) for w in weights), 2 * widest), medians), bg_rgb)  # once for all colours
    return [np.where(field.pale(c, bg_rgb), np.float32(0.0), w) for c, w in zip(colours, weights, strict=True)]


def _fills(lab: NDArray[np.float32], dropped: list[_curves.LineColour], widest: int) -> NDArray[np.bool_]:
    """Pixels of the colours set aside that fill areas (a band, two bands overlapping): no line's ink.

    A colour fills an area when a square wider than the thickest line fits inside its pixels (an
    opening keeps at least a tenth of them); all its pixels, the area's stepped edges included, are
    then taken from every line's membership, whichever line's ray they lie on.
    """
    out = np.zeros(lab.shape[:2], bool)
    square = np.ones((2 * widest + 1,) * 2, np.uint8)
    for colour in dropped:
        near = (channel_norm(minus_colour(lab, np.asarray(colour.lab, np.float32))) < _FILL_DELTA).astype(np.uint8)
        inside = cv2.morphologyEx(near, cv2.MORPH_OPEN, square)
        if inside.sum() >= 0.1 * near.sum() > 0:
            out |= near.astype(bool)
    return out


def _plain(rgb, bg_rgb, max_half_width: int) -> NDArray[np.bool_]:
    """Pixels with the bare background within a line's reach (``max_half_width``): not inside a filled area."""
    bare = (channel_norm(minus_colour(rgb.astype(np.float32), bg_rgb)) < _BAND_DELTA).astype(np.uint8)
    return cv2.dilate(bare, np.ones((2 * max_half_width + 1,) * 2, np.uint8)).astype(bool)


def _filled(plain: NDArray[np.bool_]) -> bool:
    return float(np.mean(~plain)) > 0.02


def panel_filled(rgb, bg_rgb, max_half_width: int) -> bool:
    """True when more than 2% of the panel crop ``rgb`` lies farther than a line's reach from bare background
    ``bg_rgb``: it holds translucent fill (confidence ribbons), as :func:`_drop_tints` judges it."""
    return _filled(_plain(rgb, bg_rgb, max_half_width))


def _drop_tints(colours, weights, bg_rgb, rgb, *, max_half_width: int, strokes=None):
    """Drop colours that are only a darker line's anti-aliased rim, a ribbon, or too thick to be a line.

    Colours are visited from dark to light; a colour is a rim when most of its core pixels touch
    the core of a darker colour already kept. ``strokes`` (optional, one map per colour): the
    memberships without filled areas, on which a colour's thickness is measured.

    Returns ``(colours, weights, kept)``: the kept colours (their pixel counts grown by their rims'), their
    maps, and their indices into the given ``colours``.
    """
    strokes = weights if strokes is None else strokes
    kernel = np.ones((3, 3), np.uint8)
    colours = list(colours)
    plain = _plain(rgb, bg_rgb, max_half_width)
    filled = _filled(plain)  # the panel has ribbons, whose overlaps are blends
    keep: list[int] = []
    near_core: dict[int, NDArray[np.bool_]] = {}
    for k in sorted(range(len(colours)), key=lambda i: colours[i].lab[0]):
        colour, weight = colours[k], weights[k]
        if line_half_width(strokes[k], stepped=True) > max_half_width and \
                _flat_half_width(strokes[k], max_half_width) > max_half_width:
            continue
        core = weight >= 0.8
        rim = False
        for j in keep:
            other = colours[j]
            if _shades.is_same_shade(colour, other, bg_rgb):
                rim = True  # the same line, drawn with a different anti-aliasing coverage
            elif _curves.is_tint(colour, other, bg_rgb) and other.chroma > 20:
                rim = True  # a paler shade of a coloured line: its rim or its confidence ribbon
            elif core.any() and np.mean(near_core[j][core]) > 0.5:
                rim = True
            if rim:  # its pixels belong to the darker line
                colours[j] = dataclasses.replace(other, n_pixels=other.n_pixels + colour.n_pixels)
                break
        rim = rim or int(core.sum()) < 10  # no solid pixels of its own: a blend
        chromatic = [c for j, c in enumerate(colours) if j != k and c.chroma > 20]
        if any(_curves.is_blend(colour, a, b, bg_rgb) for i, a in enumerate(chromatic) for b in chromatic[i + 1:]):
            # where two confidence ribbons overlap, or a line seen through a ribbon; but a grey line
            # on the bare background mixes like them too
            rim = rim or filled or not core.any() or float(np.mean(plain[core])) < 0.8
        if not rim:
            keep.append(k)
            near_core[k] = cv2.dilate(core.astype(np.uint8), kernel).astype(bool)
    keep.sort(key=lambda i: -colours[i].n_pixels)
    return [colours[k] for k in keep], [weights[k] for k in keep], keep


def _flat_half_width(weight: NDArray[np.float32], max_half_width: int) -> int:
    """Half thickness of a colour's strokes once strokes narrower than a line may be thick are taken out.

    A line crowded with censor glyphs ("+" every few pixels, hundreds of patients) measures as thick
    as a ribbon; an opening along the rows with a run longer than the thickest line removes the glyphs'
    upright bars (and the curve's drops) but keeps its flat stretches, and a ribbon whole.
    """
    mask = (weight >= 0.5).astype(np.uint8)
    flat = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, 2 * max_half_width + 1), np.uint8))
    return line_half_width(flat.astype(np.float32), stepped=True)


def _achromatic(colour: _curves.LineColour) -> bool:
    return colour.chroma <= _curves.GREY_CHROMA


def _exact_support(colours, bg_rgb) -> list[int]:
    """Pixels of each colour, with those of the lighter greys on its ray when it is grey itself.

    A thin black line is anti-aliased into a run of greys between it and the background, each
    found as a colour of its own: its exact colour alone holds too few pixels for its length.
    """
    support = []
    for colour in colours:
        extra = sum(c.n_pixels for c in colours if c is not colour and _achromatic(colour) and _achromatic(c)
                    and c.lab[0] > colour.lab[0] and _curves.is_tint(c, colour, bg_rgb))
        support.append(colour.n_pixels + extra)
    return support


def _extract_paths(weights, colours, ink, *, flipped: bool, min_cols: int, bg_rgb, only: int | None = None):
    """Monotone paths of every colour (or of colour ``only``), several per colour when its residual still holds
    a curve."""
    support = _exact_support(colours, bg_rgb)
    if flipped:
        weights = [w[::-1].copy() for w in weights]
        ink = ink[::-1]
    half = [max(line_half_width(w), 1) for w in weights]
    found = []
    for k, weight in enumerate(weights):
        if only is not None and k != only:
            continue
        others = [w for j, w in enumerate(weights) if j != k]
        # where this arm may hide: other arms' pixels, or any ink (blended overlaps match no single colour)
        weak = np.maximum.reduce(others + [ink])
        residual = weight.copy()
        per_colour = []
        for _ in range(4):
            path = _curves.trace_monotone(residual, weak=weak, half_width=half[k], flipped=flipped)
            if path.n_present < min_cols or path.coverage < 0.45 or _curves.outside_fill(path, residual) > 0.5:
                break
            if support[k] < 0.5 * (sum(p.n_present for _, p, _ in per_colour) + path.n_present):
                break  # too few pixels of this exact colour for the path: faint blends carried it
            if per_colour and np.mean(path.own[path.start: path.stop] >= 0.5) < 0.45:
                break  # a second line of this colour that mostly rides on other arms: a confidence limit
            if per_colour and not _separate(path, [p for _, p, _ in per_colour], weight):
                break  # only glyph and rim fragments of the curves already traced are left
            per_colour.append((k, path, residual.copy()))
            # clear the traced line with its drop strokes and glyphs before looking for another
            _clear_along(residual, path, half[k] + 1)
            weak = np.maximum(weak, weight)
        found.extend(_drop_band_pairs(per_colour))
    return found, weights


def _clear_along(residual: NDArray[np.float32], path, reach: int) -> None:
    """Zero ``residual`` in each of the path's columns from ``reach`` rows above the path's row ``reach``
    columns back to ``reach`` rows below its row ``reach`` columns on (in place; one mask, not a loop per column).
    """
    cols = np.arange(path.start, path.stop)
    if not cols.size:
        return
    last = path.rows.size - 1
    top = np.maximum(np.asarray(path.rows)[np.maximum(cols - reach, 0)] - reach, 0)
    bottom = np.asarray(path.rows)[np.minimum(cols + reach, last)] + reach + 1  # exclusive, as a slice's end
    index = np.arange(residual.shape[0])[:, None]
    band = (index >= top[None, :]) & (index < bottom[None, :])
    view = residual[:, path.start: path.stop]
    view[band] = 0.0


def _separate(path, previous, weight) -> bool:
    """True when most of ``path``'s pixels lie beyond glyph reach of every path already traced.

    A column counts when the path is more than a stroke width from every earlier path and the
    colour's pixels between them are interrupted by background: censor glyphs stick out of
    their line contiguously, however tall they are.
    """
    present = np.flatnonzero(path.own >= 0.5)
    if not present.size:
        return False
    reach = 2 * path.half_width + 4
    apart = np.ones(present.size, bool)
    solid = weight >= 0.3
    for other in previous:
        a, b = path.rows[present], other.rows[present]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        far = hi - lo > reach
        for i in np.flatnonzero(far):  # a column's run between the two lines; no library scan fits
            between = solid[lo[i] + path.half_width + 1: hi[i] - path.half_width, present[i]]
            far[i] = not between.all()
        apart &= far
    return float(np.mean(apart)) >= 0.3


def _line_mass(path) -> float:
    present = path.own[path.start: path.stop]
    present = present[present >= 0.5]
    return float(present.mean()) if present.size else 0.0


def _drop_band_pairs(per_colour):
    """Remove same-colour paths that are confidence limits: thinner than the main line, or enclosing it."""
    if len(per_colour) < 2:
        return per_colour
    main_mass = _line_mass(per_colour[0][1])
    per_colour = [per_colour[0]] + [item for item in per_colour[1:] if _line_mass(item[1]) >= 0.75 * main_mass]
    if len(per_colour) < 3:
        return per_colour
    main = per_colour[0][1]
    keep = [per_colour[0]]
    above = below = None
    for item in per_colour[1:]:
        path = item[1]
        lo, hi = max(path.start, main.start), min(path.stop, main.stop)
        if hi <= lo:
            keep.append(item)
            continue
        diff = path.rows[lo:hi] - main.rows[lo:hi]
        if np.mean(diff <= 0) > 0.95 and above is None:
            above = item
        elif np.mean(diff >= 0) > 0.95 and below is None:
            below = item
        else:
            keep.append(item)
    if above is None or below is None:
        keep.extend(x for x in (above, below) if x is not None)
    return keep


def _one_grey_ink(colours, weights, bg_rgb):
    """The greys of the panel as one ink (the darkest grey, every grey's pixels), or None.

    A thin black line drawn small is anti-aliased along its length into several greys, each a colour of
    its own holding a third of the line's columns or less: none traces a curve. When no colour traced
    one and every colour is a grey on the darkest grey's ray (a paler shade of it), they are taken for
    that one line's ink. Returns ``([colour], [weight])`` or None.
    """
    if len(colours) < 2 or not all(_achromatic(c) for c in colours):
        return None
    darkest = min(colours, key=lambda c: c.lab[0])
    if not all(c is darkest or _curves.is_tint(c, darkest, bg_rgb) for c in colours):
        return None
    one = dataclasses.replace(darkest, n_pixels=sum(c.n_pixels for c in colours))
    return [one], [np.maximum.reduce(weights)]


def trace_arms(crop: NDArray[np.uint8], text: NDArray[np.bool_] | None = None, *, orphans: bool = False):
    """Colours, membership maps and monotone paths of the arms in the panel crop.

    ``text`` marks the words printed in the panel (:func:`reconstruct.digitize.panel_text.text_mask`):
    no curve is traced through them. ``orphans``: also trace the colours of strong pixels that the found
    colours leave out (:func:`orphan_colours`).

    Returns ``(colours, weights, paths, flipped, grid, bg_rgb)``; ``paths`` are
    ``(colour index, TracedPath, weight map)`` in the chosen orientation, ``flipped`` is True
    for rising (cumulative-incidence) curves.
    """
    lab, bg = lab_and_background(crop)
    min_cols = max(int(0.15 * crop.shape[1]), 15)
    colours = _curves.find_line_colours(lab, bg, min_pixels=min_cols)
    if orphans and colours:
        more = orphan_colours(_curves.strong_pixels(lab, bg), colours, min_cols)
        colours = sorted(colours + more, key=lambda c: -c.n_pixels)
    bg_rgb = _curves.background_rgb(crop, lab, bg)
    diff, spread = _curves.background_difference(crop, bg_rgb), channel_spread(crop)  # once for all colours
    weights = [_curves.membership(crop, bg_rgb, c, diff=diff, spread=spread) for c in colours]
    grid = _curves.grid_mask(lab, bg)
    for weight in weights:
        weight[grid] = 0.0
    unsuppressed = [w.copy() for w in weights] if sum(_achromatic(c) for c in colours) >= 2 else None
    _suppress_edges(weights, colours)
    widest = _curves.widest_line_px(crop.shape[0])
    candidates = colours
    medians: dict[int, NDArray[np.uint8]] = {}
    colours, weights, kept_at = _drop_tints(colours, weights, bg_rgb, crop, max_half_width=widest,
                                            strokes=_without_fields(crop, bg_rgb, colours, weights, widest, medians))
    if unsuppressed is not None and medians:
        # greys kept as lines keep their pixels along a stroke inside a band (which colours are lines was judged
        # with every pixel beside a darker core taken out: a grey line's noisy dark pixels make it a darker rim)
        field = next(iter(medians.values())).astype(np.float32)
        _suppress_edges(unsuppressed, candidates, banded=channel_norm(minus_colour(field, bg_rgb)) > _BAND_DELTA)
        weights = [unsuppressed[k] for k in kept_at]
    kept = {c.lab for c in colours}  # a kept colour may carry its rims' pixel counts: compared by colour
    fill = _fills(lab, [c for c in candidates if c.lab not in kept], widest)
    for weight in weights:
        weight[fill] = 0.0
    hidden: list[NDArray[np.float32]] = []  # colours' maps for retrace_under_ribbons, in a panel with filled areas
    if colours:
        thickness = max(line_thickness(w) for w in weights)
        local_bg = _median_background(crop, thickness, medians)
        closed_bg = _shades.closed_background(crop, thickness, local_bg, paper=bg_rgb)
        unders = []
        ribboned = closed_bg is not local_bg
        local_field = _shades.RibbonField.of(crop, local_bg, bg_rgb)  # the colour-free work, once for all colours
        closed_field = _shades.RibbonField.of(crop, closed_bg, bg_rgb) if ribboned else None
        for colour, weight in zip(colours, weights, strict=True):
            under = local_field.under(colour, bg_rgb)
            if closed_field is not None:  # a filled area: the line is also looked for against its closing
                np.maximum(under, closed_field.under(colour, bg_rgb), out=under)
            under[grid] = 0.0
            np.maximum(weight, under, out=weight)
            pale = local_field.pale(colour, bg_rgb)
            weight[pale] = 0.0
            under[pale] = 0.0
            unders.append(under)
        solid = [np.where(w >= HIDDEN_KEEP, w, 0.0) for w in weights]
        _shades.exclusive_cores(crop, bg_rgb, colours, weights, diff=diff)
        hidden = [np.maximum(np.maximum(w, u), s) for w, u, s in zip(weights, unders, solid, strict=True)
                  ] if ribboned else []
    ink = (channel_norm(minus_colour(lab, bg)) > _curves.STRONG_DELTA).astype(np.float32)
    ink[grid] = 0.0
    if text is not None:
        ink[text] = 0.0
        for weight in weights + hidden:
            weight[text] = 0.0
    down, _ = _extract_paths(weights, colours, ink, flipped=False, min_cols=min_cols, bg_rgb=bg_rgb)
    up, _ = _extract_paths(weights, colours, ink, flipped=True, min_cols=min_cols, bg_rgb=bg_rgb)
    if not down and not up:
        merged = _one_grey_ink(colours, weights, bg_rgb)
        if merged is not None:
            colours, weights = merged
            down, _ = _extract_paths(weights, colours, ink, flipped=False, min_cols=min_cols, bg_rgb=bg_rgb)
            up, _ = _extract_paths(weights, colours, ink, flipped=True, min_cols=min_cols, bg_rgb=bg_rgb)
    down = down + retrace_under_ribbons(
        weights, hidden, colours, down, bg_rgb=bg_rgb,
        trace=lambda maps, k: _extract_paths(maps, colours, ink, flipped=False, min_cols=min_cols, bg_rgb=bg_rgb,
                                             only=k)[0])
    mass = [sum(p.own.sum() for _, p, _ in paths) for paths in (down, up)]
    flipped = mass[1] > 1.2 * mass[0] and len(up) > 0
    paths = up if flipped else down
    if not paths:
        raise DigitizationError(
            "expected at least one curve in the plot panel, got none; check the figure is a KM plot and "
            "cropped to one panel"
        )
    return colours, weights, paths, flipped, grid, bg_rgb


def orphan_colours(pix: NDArray[np.float32], found: list, min_pixels: int) -> list:
    """Colours of the strong pixels ``pix`` (:func:`reconstruct.digitize.curves.strong_pixels`) that none of
    ``found`` holds, each away from all of them: a dark grey arm whose quantized shade was merged into a lighter
    grey's cluster, then left out of its refined colour.

    Parameters
    ----------
    pix : ndarray of shape (n, 3), float32
        Lab values of the panel's strong pixels.
    found : list of LineColour
        The colours found among them (:func:`reconstruct.digitize.curves.find_line_colours`).
    min_pixels : int
        Fewest pixels a colour needs.

    Returns
    -------
    list of LineColour
        The further colours, none within the merge reach of a colour of ``found``.
    """
    reach = _curves.HOLD_DELTA
    held = np.zeros(pix.shape[0], bool)
    for colour in found:
        held |= channel_norm(minus_colour(pix, np.asarray(colour.lab, np.float32))) < reach
    rest = pix[~held]
    if rest.shape[0] < min_pixels:
        return []
    more = _curves.cluster_colours(rest, min_pixels)
    return [c for c in more if all(np.linalg.norm(np.subtract(c.lab, f.lab)) >= reach for f in found)]


def with_orphan_shades(crop: NDArray[np.uint8], text: NDArray[np.bool_] | None, traced: tuple, want: int,
                       notes: list[str]) -> tuple:
    """``traced``, or the panel traced again with the shades no found colour held when that tells more curves
    apart, at most ``want`` (with a note, :data:`reconstruct.extra_curves.ORPHAN_NOTE`).

    Asked when fewer curves were told apart than the at-risk table has rows, after the same-ink split
    (survminer's theme_bw in grey: a dark grey arm's shade merged into the light grey's cluster and left out
    of its refined colour, so the table's 3 rows met 1 curve).

    Parameters
    ----------
    crop : ndarray of shape (rows, cols, 3), uint8
        The panel crop (RGB).
    text : ndarray of bool or None
        Words printed in the panel (:func:`trace_arms`).
    traced : tuple
        :func:`trace_arms`' answer ``(colours, weights, paths, flipped, grid, bg_rgb)``, its paths pruned.
    want : int
        Curves wanted (the at-risk table's rows).
    notes : list of str
        Appended to when the panel's second tracing is taken.

    Returns
    -------
    tuple
        ``traced``, or the second tracing in its form, its paths pruned as ``traced``'s
        (:func:`reconstruct.digitize.path_pruning.drop_broken_greys`, ``drop_duplicates``).
    """
    from reconstruct.digitize.path_pruning import drop_broken_greys, drop_duplicates
    from reconstruct.extra_curves import ORPHAN_NOTE

    colours, paths = traced[0], traced[2]
    again = trace_arms(crop, text, orphans=True)
    more = drop_duplicates(drop_broken_greys(again[2], again[0], again[1], again[3]))
    if len(again[0]) <= len(colours) or not len(paths) < len(more) <= want:
        return traced
    notes.append(f"{ORPHAN_NOTE}: {len(more)} curves traced ({len(paths)} without it)")
    return (again[0], again[1], more, *again[3:])
