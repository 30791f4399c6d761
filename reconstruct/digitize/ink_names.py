"""Text printed in one curve's colour, read apart from the rest of the panel (names over names, over curves).

Journal redraws print each arm's name at its curve's end, where the curves bunch: the names overlap each other
and the curves, and OCR of the whole panel reads them as one garbled phrase (seed-8081 jco_001: "Placebo" printed
over "Nivolumab + Ipilimumab", read "umaRlaçeBiimumab"). Kept apart by hue, each coloured curve's ink reads alone:
the pixels of that hue (and only those) are drawn black on white and read again. A word read there is printed in
that curve's colour by construction. Grey curves are left out: a grey name's anti-aliased edges pass through
every lighter grey, so a grey level does not keep one grey name apart from another. Pixels are ``(row, col)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["ink_masks", "read_by_ink", "with_inks"]

_MIN_CHROMA = 25.0      # RGB distance from grey below which a pixel or a curve counts as grey (as direct_labels)
_HUE_TOLERANCE = 0.15   # largest 1 - cos(angle between hues) of a pixel and its curve's colour (as direct_labels)
_HUE_MARGIN = 0.3       # how much farther (1 - cos) every other coloured curve's hue must be from the curve's


def _hues(rgb: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Unit hue vectors (RGB less its mean, normalised) and chroma (their length) of ``rgb`` (..., 3)."""
    v = rgb - rgb.mean(axis=-1, keepdims=True)
    chroma = np.linalg.norm(v, axis=-1)
    return v / np.maximum(chroma, 1e-9)[..., None], chroma


def ink_masks(rgb: NDArray[np.uint8], colours: Sequence[tuple[int, int, int] | None]) -> dict[int, NDArray[np.bool_]]:
    """``{curve: mask}`` of the pixels in each coloured curve's hue: within ``_HUE_TOLERANCE`` of it, and nearer
    to it than to any other coloured curve's by ``_HUE_MARGIN``.

    Only curves whose colours are chromatic and whose hues stand apart by more than the margin plus the
    tolerance get a mask (two near hues would share ink); grey curves and curves of no colour get none.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
        The image (a panel crop).
    colours : sequence of (r, g, b) or None
        Curve colours, in curve order.

    Returns
    -------
    dict of int to ndarray of bool, shape (rows, cols)
        Each kept curve's ink mask; empty when no curve's hue stands apart.
    """
    hues: dict[int, NDArray[np.float64]] = {}
    for k, c in enumerate(colours):
        if c is None:
            continue
        hue, chroma = _hues(np.asarray(c, float))
        if float(chroma) >= _MIN_CHROMA:
            hues[k] = hue
    apart = {k: h for k, h in hues.items()
             if all(1.0 - float(h @ o) > _HUE_TOLERANCE + _HUE_MARGIN for j, o in hues.items() if j != k)}
    if not apart:
        return {}
    pixel_hue, chroma = _hues(np.asarray(rgb, float))
    coloured = chroma >= _MIN_CHROMA
    cost = {k: 1.0 - pixel_hue @ h for k, h in hues.items()}
    masks = {}
    for k in apart:
        others = [c for j, c in cost.items() if j != k]
        nearest_other = np.min(others, axis=0) if others else np.full(chroma.shape, np.inf)
        masks[k] = coloured & (cost[k] <= _HUE_TOLERANCE) & (nearest_other >= cost[k] + _HUE_MARGIN)
    return masks


def read_by_ink(rgb: NDArray[np.uint8], colours: Sequence[tuple[int, int, int] | None]
                ) -> list[tuple[int, list]]:
    """``[(curve, words)]``: the OCR words (:class:`~reconstruct.digitize.ocr.TextBox`) read in each coloured
    curve's ink alone (:func:`ink_masks`), the ink drawn black on white. Empty without OCR. Parameters as
    :func:`ink_masks`.

    Returns
    -------
    list of (int, list of TextBox)
        Curve index and the words read in its ink, for each curve with a mask of 8 pixels or more.
    """
    try:
        from reconstruct.digitize.ocr import read_text
    except ImportError:
        return []
    out = []
    for k, mask in ink_masks(rgb, colours).items():
        if int(mask.sum()) < 8:
            continue
        out.append((k, list(read_text(np.where(mask, 0, 255).astype(np.uint8)))))
    return out


def with_inks(found: dict[str, list[int]], inked: dict[str, list[int]]) -> dict[str, list[int]] | None:
    """The panel's claims (``found``), else those of the inks read alone; None when both named curves and they
    :func:`_contradict` each other.

    Parameters
    ----------
    found, inked : dict of str to list of int
        ``{row name key: [curve, ...]}`` read in the panel whole, and in each ink alone.

    Returns
    -------
    dict of str to list of int or None
        The claims to keep; None when the two readings disagree (the names then decide nothing).
    """
    if not found:
        return inked
    return None if _contradict(found, inked) else found


def _contradict(found: dict[str, list[int]], inked: dict[str, list[int]]) -> bool:
    """True when a name read in the panel and in one ink alone names two curves, or a curve gets two names.

    The panel's reading takes a name's colour from the darkest ink in its box, which over another name printed
    in another colour may be that name's ink (two names a line apart, read "Nivolumab" in blue over "Placebo").
    """
    one = {key: set(ks) for key, ks in found.items()}
    two = {key: set(ks) for key, ks in inked.items()}
    if any(one[key] != two[key] for key in one.keys() & two.keys()):
        return True
    names_of = {}
    for claims in (one, two):
        for key, ks in claims.items():
            for k in ks:
                names_of.setdefault(k, set()).add(key)
    return any(len(keys) > 1 for keys in names_of.values())
