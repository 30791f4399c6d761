"""A broken trace of a solid curve's censor marks and bits of its line, above and below it, told from an arm.

:func:`rides_marks` is one of the reasons :func:`reconstruct.extra_curves.explain_dropped` gives for a curve a
re-tracing for the table's rows left out. Pure NumPy on a curve's ``time``, ``survival``, ``colour``,
``censor_time`` and ``quality["coverage"]`` (the share of its columns holding its ink).
"""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np

from reconstruct.extra_curves import (
    _DASHED_COVERAGE,
    _SOLID_COVERAGE,
    SAME_INK,
    _coverage,
    _rides,
    hex_rgb,
    same_ink,
)

__all__ = ["rides_marks"]

# A broken trace (covering at most _DASHED_COVERAGE of its columns) along a solid kept curve (_SOLID_COVERAGE) that
# has censor marks, within _RETRACE_SURVIVAL of it ABOVE OR BELOW near them (within _RETRACE_PX elsewhere) over
# _RETRACE_SHARE of its span, follows the marks' strokes and bits of the line (lifelines_005 of the seed-9091 set:
# 45% of its columns, along a 99.6% line with 47 "+" marks). Its ink is the kept curve's, or on a JPEG (chroma
# subsampled at thin strokes) a duller shade of it: hue within _KIN_HUE degrees, both of chroma (max - min channel)
# at least _KIN_CHROMA, mean level within 2 * SAME_INK (scan_000 of the seed-8081 set: #ca7d44 along #e7721e).
# A real arm of one ink is drawn solid (two close black arms each cover their columns), so it is never one.
_KIN_HUE = 8.0
_KIN_CHROMA = 48


def _ink_kin(a: str | None, b: str | None) -> bool:
    """True when ``a`` is ``b``'s ink or, both clearly coloured, a duller shade of its hue (see ``_KIN_HUE``; the
    standard library's colorsys gives the hue)."""
    if same_ink(a, b):
        return True
    rgb_a, rgb_b = hex_rgb(a), hex_rgb(b)
    if rgb_a is None or rgb_b is None or min(np.ptp(rgb_a), np.ptp(rgb_b)) < _KIN_CHROMA:
        return False
    if abs(float(np.mean(rgb_a)) - float(np.mean(rgb_b))) > 2 * SAME_INK:
        return False
    hues = [colorsys.rgb_to_hsv(*(v / 255 for v in rgb))[0] * 360 for rgb in (rgb_a, rgb_b)]
    turn = abs(hues[0] - hues[1]) % 360
    return min(turn, 360 - turn) <= _KIN_HUE


def rides_marks(dropped: Any, kept: Any, span: float) -> bool:
    """True when ``dropped`` is a broken trace of ``kept``'s censor marks and line (see ``_KIN_HUE``): it covers at
    most ``_DASHED_COVERAGE`` of its columns, ``kept`` at least ``_SOLID_COVERAGE``, in kin inks, and it runs within
    ``_RETRACE_PX`` of ``kept``, or within ``_RETRACE_SURVIVAL`` above or below it near its marks, over
    ``_RETRACE_SHARE`` of its span, which lies within the kept curve's."""
    own, of = _coverage(dropped), _coverage(kept)
    if own is None or of is None or own > _DASHED_COVERAGE or of < _SOLID_COVERAGE:
        return False
    if not len(getattr(kept, "censor_time", ())) or not _ink_kin(dropped.colour, kept.colour):
        return False
    return _rides(dropped, kept, span, below=True)
