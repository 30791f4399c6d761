"""Curves a re-tracing left out, checked to be no arm: a line traced twice, or a flat piece starting late.

When the at-risk table has ``k`` rows and the first tracing found more curves, the figure is traced again
for ``k`` and the tracer may keep only the first ``k`` of the curves it told apart. That is taken only
when every curve left out is explained (:func:`explain_dropped`): it retraces a kept curve of the same ink
(a thick line followed along both its edges), or it is a flat run beginning well after time 0 while the
kept curves all begin at time 0 (a legend key or a line of text inside the panel: every at-risk row has
patients at time 0, so its curve begins there). Curves are the digitizer's step corners (time ascending,
survival non-increasing), pure NumPy on ``time``, ``survival``, ``colour`` and ``quality``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["explain_dropped"]

# Colours of one ink differ by at most this per channel (0-255): JPEG and anti-aliasing move a line's
# colour by a few levels; distinct arms' colours or greys differ by 40 and more (as kmrecon.run_arms._SAME_INK).
_SAME_INK = 24
# A retrace runs within this many pixels of its curve (the two edges of a line up to 5 px thick) ...
_RETRACE_PX = 3.0
# ... or within this much survival (a censor glyph's height: a trace riding the tops of crowded "+" marks,
# 8 px above a 540 px tall panel's line in survminer_default_009 of the seed-7071 set) ...
_RETRACE_SURVIVAL = 0.02
# ... over at least this share of its own time span.
_RETRACE_SHARE = 0.9
# A curve begins at time 0 when its first corner is within this share of the time span of it.
_STARTS_AT_ZERO = 0.02
# A piece beginning later than this share of the time span is no whole arm ...
_LATE_START = 0.1
# ... when it is flat: it falls by at most this (survival units) from its first corner to its last.
_FLAT_DROP = 0.05
# Survival per pixel when the tracer did not say (a 200 px tall panel).
_DEFAULT_PER_PX = 0.005


def _rgb(colour: str) -> NDArray[np.int64]:
    text = colour.lstrip("#")
    return np.array([int(text[i: i + 2], 16) for i in (0, 2, 4)], np.int64)


def _same_ink(a: Any, b: Any) -> bool:
    return int(np.max(np.abs(_rgb(a.colour) - _rgb(b.colour)))) <= _SAME_INK


def _step_at(curve: Any, times: NDArray[np.float64]) -> NDArray[np.float64]:
    """The step function of ``curve`` (right-continuous) at ``times``; before its first corner, its first value."""
    time, survival = np.asarray(curve.time, float), np.asarray(curve.survival, float)
    index = np.clip(np.searchsorted(time, times, side="right") - 1, 0, time.size - 1)
    return survival[index]


def _same_curve(a: Any, b: Any) -> bool:
    return (a.colour == b.colour and len(a.time) == len(b.time)
            and np.allclose(a.time, b.time) and np.allclose(a.survival, b.survival))


def _retraces(dropped: Any, kept: Any, span: float) -> bool:
    """True when ``dropped`` is of ``kept``'s ink and runs along it (within ``_RETRACE_PX`` or ``_RETRACE_SURVIVAL``)
    over ``_RETRACE_SHARE`` of its span, which lies within the kept curve's."""
    if not _same_ink(dropped, kept) or len(dropped.time) < 2 or len(kept.time) < 2:
        return False
    lo, hi = float(dropped.time[0]), float(dropped.time[-1])
    if lo < float(kept.time[0]) - _STARTS_AT_ZERO * span or hi > float(kept.time[-1]) + _STARTS_AT_ZERO * span:
        return False  # it runs where the kept curve is not drawn
    per_px = max(float(dropped.quality.get("survival_per_px", _DEFAULT_PER_PX)),
                 float(kept.quality.get("survival_per_px", _DEFAULT_PER_PX)))
    grid = np.linspace(lo, hi, 200)
    # a step drawn a pixel or two apart in time puts the two curves far apart just there: compare with the
    # kept curve a little before and after as well
    shift = _STARTS_AT_ZERO * span / 2
    gap = np.min([np.abs(_step_at(dropped, grid) - _step_at(kept, grid + d)) for d in (-shift, 0.0, shift)], axis=0)
    return float(np.mean(gap <= max(_RETRACE_PX * per_px, _RETRACE_SURVIVAL))) >= _RETRACE_SHARE


def _late_flat_piece(dropped: Any, span: float) -> bool:
    return (len(dropped.time) >= 1 and float(dropped.time[0]) > _LATE_START * span
            and float(dropped.survival[0] - dropped.survival[-1]) <= _FLAT_DROP)


def explain_dropped(found: Sequence[Any], kept: Sequence[Any], *, span: float) -> list[str] | None:
    """Why each curve of ``found`` that a re-tracing did not keep is no arm; None when one is not explained.

    Parameters
    ----------
    found : sequence of DigitizedArm
        The curves of the first tracing.
    kept : sequence of DigitizedArm
        The curves a re-tracing for fewer arms kept; each must be one of ``found`` (same colour and corners),
        else nothing is explained.
    span : float
        Time span of the x axis (its last labelled tick minus its first), the scale of "late".

    Returns
    -------
    list of str or None
        One reason per curve left out, in ``found`` order; None when a kept curve is not one of ``found``,
        when two kept curves retrace each other, when a kept curve does not begin at time 0 while a piece is
        set aside as starting late, or when a curve left out is neither a retrace nor a late flat piece.
    """
    if span <= 0 or not kept:
        return None
    index = []
    for curve in kept:
        same = [i for i, f in enumerate(found) if i not in index and _same_curve(curve, f)]
        if not same:
            return None
        index.append(same[0])
    for i, a in enumerate(kept):
        if any(_retraces(a, b, span) or _retraces(b, a, span) for b in kept[i + 1:]):
            return None  # two kept curves on one line: an arm may have been left out for a copy
    from_zero = all(len(c.time) and float(c.time[0]) <= _STARTS_AT_ZERO * span for c in kept)
    reasons = []
    for i, curve in enumerate(found):
        if i in index:
            continue
        twin = next((k for k, c in enumerate(kept) if _retraces(curve, c, span)), None)
        if twin is not None:
            reasons.append(f"a second trace of kept curve {twin + 1} (same ink, along it within a line's or a censor "
                           "mark's width)")
        elif from_zero and _late_flat_piece(curve, span):
            reasons.append(f"a flat piece from t={float(curve.time[0]):.3g} (a legend key or text in the panel; "
                           "every at-risk row has patients at time 0)")
        else:
            return None
    return reasons
