"""Telling apart arms drawn in shades of one colour, and lines seen through confidence ribbons.

Figures from other software break the one-colour-one-arm picture of :mod:`curves`: greys share a
ray from the background (a light grey line is a partial mix of a mid grey), JPEG spreads a thin
black line over several shades, and a translucent ribbon drawn over a line changes its colour.
Pixel arrays are ``(row, col)`` of the panel crop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize._channels import channel_norm, minus_colour, off_ray_norm
from reconstruct.digitize.curves import LineColour

__all__ = [
    "RibbonField", "closed_background", "exclusive_cores", "is_same_shade", "local_background",
    "membership_under_ribbon", "pale_field", "window_side",
]


def is_same_shade(colour: LineColour, of: LineColour, bg_rgb: NDArray[np.float32]) -> bool:
    """True when ``colour`` is ``of`` within anti-aliasing: on its ray from the background, 0.85 to 1.18 of the way.

    Two near-black colours (``#0d0d0d`` and ``#282828``) are one thin black line drawn with
    different coverage, not two arms.
    """
    direction = np.asarray(of.rgb, np.float32) - bg_rgb
    diff = np.asarray(colour.rgb, np.float32) - bg_rgb
    alpha = float(diff @ direction / max(float(direction @ direction), 1e-6))
    residual = float(np.linalg.norm(diff - alpha * direction))
    return 0.85 <= alpha <= 1.0 / 0.85 and residual < 20.0


def local_background(rgb: NDArray[np.uint8], thickness: int) -> NDArray[np.uint8]:
    """Colour around every pixel with the lines taken out: the median over a window more than twice a line's thickness.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
    thickness : int
        Typical line thickness in pixels.

    Returns
    -------
    ndarray of shape (rows, cols, 3), uint8
        White paper, or the confidence ribbon a line runs through.
    """
    return cv2.medianBlur(rgb, window_side(thickness))


def closed_background(rgb: NDArray[np.uint8], thickness: int, median: NDArray[np.uint8], *,
                      paper: NDArray[np.float32] | None = None) -> NDArray[np.uint8]:
    """:func:`local_background`, but inside a filled area wider than its window the closing by the window.

    Inside a confidence ribbon the closing (the lightest colour over the window, then the darkest of
    those) takes out every stroke thinner than the window however close another runs beside it, where
    a median is a mix of two lines a few pixels apart (survminer_light_010 lost its red arm under such a
    mix). Per channel, the closing of two overlapping ribbons of other colours is no colour drawn, so a
    line is looked for against both backgrounds (``trace_arms``).

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
    thickness : int
        Typical line thickness in pixels.
    median : ndarray of shape (rows, cols, 3), uint8
        ``local_background(rgb, thickness)``, kept outside filled areas.
    paper : ndarray of shape (3,), optional
        The panel's background colour; by default the median colour of the closing.

    Returns
    -------
    ndarray of shape (rows, cols, 3), uint8
        ``median`` itself (the same object) when no pixel lies in a filled area.
    """
    side = window_side(thickness)
    closed = cv2.morphologyEx(rgb, cv2.MORPH_CLOSE, np.ones((side, side), np.uint8))
    if paper is None:
        paper = np.median(closed.reshape(-1, 3), axis=0)
    in_fill = channel_norm(closed.astype(np.float32) - np.asarray(paper, np.float32)) > 12.0
    if not in_fill.any():  # no filled area: the median itself (the caller need not score lines against it twice)
        return median
    return np.where(in_fill[..., None], closed, median)


def window_side(thickness: int) -> int:
    """Side of the square a background is taken over: more than twice a line's thickness, odd."""
    return 2 * max(int(thickness), 1) + 3


@dataclass(frozen=True, eq=False)
class RibbonField:
    """The colour-free part of :func:`membership_under_ribbon` and :func:`pale_field` for one crop and background.

    ``trace_arms`` scores every line colour against the same crop and local background: the differences of the
    crop from its background and of the background from the paper, and which pixels are flat or shaded, are
    worked out once here (float32, the same operations in the same order: every result is bit for bit the same).
    """

    diff: NDArray[np.float32]  # crop minus local background
    field: NDArray[np.float32]  # local background minus the panel background
    shaded: NDArray[np.bool_]  # local background off the panel background (inside a ribbon)
    flat: NDArray[np.bool_]  # pixel equal to its neighbourhood (inside a filled area)

    @classmethod
    def of(cls, rgb: NDArray[np.uint8], local_bg: NDArray[np.uint8], bg_rgb: NDArray[np.float32]) -> RibbonField:
        """The field of crop ``rgb`` over ``local_bg`` (:func:`local_background`), panel background ``bg_rgb``."""
        background = local_bg.astype(np.float32)
        diff = rgb.astype(np.float32) - background
        field = minus_colour(background, bg_rgb)
        return cls(diff, field, channel_norm(field) > 12.0, channel_norm(diff) < 12.0)

    def _field_alpha(self, direction: NDArray[np.float32], norm2: float) -> NDArray[np.float32]:
        return self.field @ direction / max(norm2, 1e-6)

    def under(self, colour: LineColour, bg_rgb: NDArray[np.float32]) -> NDArray[np.float32]:
        """:func:`membership_under_ribbon` of ``colour``."""
        direction = np.asarray(colour.rgb, dtype=np.float32) - bg_rgb
        norm2 = float(direction @ direction)
        alpha = self.diff @ direction / max(norm2, 1e-6)
        residual = off_ray_norm(self.diff, alpha, direction)
        field_alpha = self._field_alpha(direction, norm2)
        field_residual = off_ray_norm(self.field, field_alpha, direction)
        # a ribbon of another colour, or a pale one of this colour; not a darker mix of the line itself
        # (where lines crowd, the neighbourhood median is a shade of the line colour)
        shaded = self.shaded & ((field_residual > 20.0) | (field_alpha < 0.35))
        ok = shaded & (alpha >= 0.35) & (alpha <= 1.2) & (residual < 18.0 + 0.06 * np.sqrt(norm2))
        return np.where(ok, np.clip(alpha, 0.0, 1.0), 0.0).astype(np.float32)

    def pale(self, colour: LineColour, bg_rgb: NDArray[np.float32]) -> NDArray[np.bool_]:
        """:func:`pale_field` of ``colour``."""
        direction = np.asarray(colour.rgb, dtype=np.float32) - bg_rgb
        return self.flat & (self._field_alpha(direction, float(direction @ direction)) < 0.6)


def membership_under_ribbon(
    rgb: NDArray[np.uint8], local_bg: NDArray[np.uint8], bg_rgb: NDArray[np.float32], colour: LineColour
) -> NDArray[np.float32]:
    """Membership of a line seen through a translucent ribbon drawn over it, in [0, 1].

    A ribbon of opacity ``a`` and colour ``f`` over a line of colour ``c`` gives
    ``(1 - a) c + a f``, and beside the line ``(1 - a) bg + a f``: the difference from the local
    background is ``(1 - a) (c - bg)``, the line's own direction scaled down. Only pixels whose
    local background differs from the panel background (inside ribbons) are scored. For several
    colours over one crop, :meth:`RibbonField.under` shares the colour-free work.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
    local_bg : ndarray of shape (rows, cols, 3), uint8
        From :func:`local_background`.
    bg_rgb : ndarray of shape (3,)
    colour : LineColour

    Returns
    -------
    ndarray of shape (rows, cols), float32
    """
    return RibbonField.of(rgb, local_bg, bg_rgb).under(colour, bg_rgb)


def pale_field(
    rgb: NDArray[np.uint8], local_bg: NDArray[np.uint8], bg_rgb: NDArray[np.float32], colour: LineColour
) -> NDArray[np.bool_]:
    """Pixels inside a pale filled area (a confidence ribbon), which are no part of any line.

    A line is thin, so its pixels differ from the median of their neighbourhood; a pixel equal to
    its neighbourhood lies in a filled area. The area is pale when it is less than 0.6 of the way
    from the background to ``colour`` (two lines side by side are neither thin nor pale). For several
    colours over one crop, :meth:`RibbonField.pale` shares the colour-free work.

    Parameters
    ----------
    rgb, local_bg : ndarray of shape (rows, cols, 3), uint8
    bg_rgb : ndarray of shape (3,)
    colour : LineColour

    Returns
    -------
    ndarray of shape (rows, cols), bool
    """
    return RibbonField.of(rgb, local_bg, bg_rgb).pale(colour, bg_rgb)


def exclusive_cores(
    rgb: NDArray[np.uint8], bg_rgb: NDArray[np.float32], colours: list[LineColour], weights: list[NDArray[np.float32]],
    *, diff: NDArray[np.float32] | None = None,
) -> None:
    """Take from each membership map the pixels another colour explains better (in place).

    Colours on one ray from the background (greys, or a colour and its tint) claim each other's
    pixels at partial membership: a light grey line is a 0.6 mix of a mid grey. A pixel that is
    drawn solidly in one colour (its mixing proportion near 1) belongs to that colour only. And a
    pale pixel that lies on another colour's ray (that colour's ribbon or blurred rim) while only
    roughly on this colour's ray is no evidence for this colour.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
    bg_rgb : ndarray of shape (3,)
    colours : list of LineColour
    weights : list of ndarray of shape (rows, cols)
        The colours' membership maps, modified in place.
    diff : ndarray of shape (rows, cols, 3), optional
        ``rgb`` minus ``bg_rgb`` in float32 (:func:`reconstruct.digitize.curves.background_difference`), when
        the caller has it; worked out here when not given.
    """
    diff = minus_colour(rgb.astype(np.float32), bg_rgb) if diff is None else diff
    cores, residuals = [], []
    for colour in colours:
        direction = np.asarray(colour.rgb, dtype=np.float32) - bg_rgb
        norm2 = float(direction @ direction)
        alpha = diff @ direction / max(norm2, 1e-6)
        residual = off_ray_norm(diff, alpha, direction)
        residuals.append(np.where((alpha > 0.1) & (alpha < 1.4), residual, np.inf))
        cores.append((np.abs(alpha - 1.0) <= 0.2) & (residual < 18.0 + 0.06 * np.sqrt(norm2)))
    best = np.maximum.reduce(weights) if weights else None
    for k, weight in enumerate(weights):
        taken = weight < 0.75 * best  # another colour matches it clearly better
        for j in range(len(colours)):
            if j != k:
                taken |= (cores[j] & ~cores[k]) | (residuals[j] + 4.0 < 0.5 * residuals[k])
        weight[taken] = 0.0
