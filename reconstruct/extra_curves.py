"""Curves a re-tracing left out, checked to be no arm: a line traced twice, a ribbon's band, or a flat late piece.

When the at-risk table has ``k`` rows and the first tracing found more curves, the figure is traced again
for ``k`` and the tracer may keep only ``k`` of the curves it told apart. That is taken only when exactly one
``k`` of the curves found (:func:`choose_kept`) all begin at time 0 (every at-risk row has patients at time 0)
while every curve left out is explained (:func:`explain_dropped`): it retraces a kept curve of the same ink (a
thick line followed along both its edges, or riding the tops of its censor marks), a broken trace of a solid
kept curve's censor marks above and below it, it is a band traced much wider
than every kept line in a faded shade of one kept curve's ink, in a panel with translucent fill or along that curve
(a confidence ribbon), a thin pale outline or border of such a ribbon, one of two dashed lines of a kept curve's
ink bracketing it (its confidence limits), or it is a flat run beginning well after time 0 (a
legend key or a line of text inside the panel). Curves are the digitizer's step
corners (time ascending, survival non-increasing), pure NumPy/SciPy on ``time``, ``survival``, ``colour``,
``censor_time`` and ``quality``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np

__all__ = [
    "BY_STYLE_NOTE", "DROPPED_NOTE", "ORPHAN_NOTE", "SAME_INK", "choose_kept", "explain_dropped", "hex_rgb",
    "is_tint_rgb", "kept_for_rows", "ray_position", "same_ink",
]

# Notes of a reading whose curves were chosen by a re-tracing (kmrecon.run_draws flags every arm of it)
DROPPED_NOTE = "traced again for the at-risk table's rows"
ORPHAN_NOTE = "traced again with a shade no other colour held"
# First words of the note on a run whose grey curves were traced again by line type (kmrecon.run_style)
BY_STYLE_NOTE = "the curves were traced again by line type"

# Colours of one ink differ by at most this per channel (0-255): JPEG and anti-aliasing move a line's
# colour by a few levels; distinct arms' colours or greys differ by 40 and more (kmrecon.run_arms uses it too).
SAME_INK = 24
# A retrace runs within this many pixels of its curve (the two edges of a line up to 5 px thick) ...
_RETRACE_PX = 3.0
# ... or, near a censor mark of the kept curve, up to this much survival above it (a censor glyph's height: a
# trace riding the tops of crowded "+" marks, 8 px above a 540 px tall panel's line in survminer_default_009
# of the seed-7071 set) ...
_RETRACE_SURVIVAL = 0.02
# ... (near: within this share of the time span of a mark) ...
_MARK_REACH = 0.03
# ... over at least this share of its own time span.
_RETRACE_SHARE = 0.9
# A curve begins at time 0 when its first corner is within this share of the time span of it.
_STARTS_AT_ZERO = 0.02
# A piece beginning later than this share of the time span is no whole arm ...
_LATE_START = 0.1
# ... when it is flat: it falls by at most this many pixels from its first corner to its last.
_FLAT_PX = 3.0
# Survival per pixel when the tracer did not say (a 200 px tall panel).
_DEFAULT_PER_PX = 0.005
# A curve left out is a confidence ribbon's band (traced along a translucent fill, not a line) when its line is at
# least this many times as wide as every kept curve's, each taken as at least 1 px half wide (the thinnest line
# drawn): 3 px half wide at least (survminer_minimal_015 of the dev set: 3 px against 1 px) ...
_BAND_RATIO = 3
# ... its ink is a tint of one kept curve's (:func:`is_tint_rgb`: a ribbon is its line's colour at low opacity over
# the panel) and paler than that curve's by more than JPEG and anti-aliasing move a colour (the test for greys, whose
# tints are every paler grey) ...
_BAND_PALER = 16
# ... it falls (a flat run is no ribbon's edge) and there is a ribbon where it lies: the panel has translucent fill
# (quality "panel_filled", measured by the digitizer), or the band runs along that curve, the two traced widths
# overlapping, over _RETRACE_SHARE of its span.
# A curve left out is also a ribbon's edge line (matplotlib's fill_between strokes its band's outline, a hairline in
# the fill's ink: lifelines_004 of the seed-8081 set, #b7b7b7 1 px half wide under #646464 and #9b9b9b lines 2 px
# half wide) when, in a panel with translucent fill, it is traced thinner than every kept curve, paler than every
# kept curve's ink by more than _BAND_PALER, in a tint of one of them, and falls (a flat run is no edge).
# Curves left out are a kept curve's confidence limits drawn as broken lines (base R's conf.int, dashed: pdf_002 of
# the seed-8081 set) when two of them, in its ink, each covering at most _DASHED_COVERAGE of its columns while it
# covers at least _SOLID_COVERAGE, run one above and one below it (within a shift of _STARTS_AT_ZERO / 2 of the span,
# _RETRACE_PX) over _RETRACE_SHARE of their span, each apart from it by more than _RETRACE_PX in the median.
_DASHED_COVERAGE = 0.75
_SOLID_COVERAGE = 0.9
# A curve left out is the traced border of a kept curve's ribbon (survminer strokes no outline: scan_009 of the
# seed-8081 set, #9a9a9a 1 px half wide along a #131313 arm 3 px half wide) when, in a panel with translucent fill, it
# is paler than every kept ink by more than _BAND_PALER, no wider than any kept curve, and runs on one side of the
# kept curve nearest it, thinner than it, in a tint of its ink, within this much survival of it in the median (about
# a 95% band's half width at S = 0.5 with 100 patients at risk).
_EDGE_REACH = 0.1
# A tint lies on the ray from the background (0) to a colour (1) strictly between these positions ...
_TINT_ALPHA = (0.1, 0.9)
# ... and within this RGB distance of the ray (0-255 channels: JPEG noise and the mix of a fill's edge).
_TINT_OFF_RAY = 30.0
# The panel's background when the digitizer did not say (quality "panel_background"): white paper.
_WHITE = (255, 255, 255)
# Most curves a choice of k is looked for among (C(10, 5) = 252 subsets at most).
_MOST_FOUND = 10


def hex_rgb(colour: str | None) -> tuple[int, int, int] | None:
    """``(r, g, b)`` of a ``#rrggbb`` colour, None when there is none."""
    if not colour or not colour.startswith("#") or len(colour) != 7:
        return None
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def same_ink(a: str | None, b: str | None) -> bool:
    """True when two ``#rrggbb`` colours are one ink (within :data:`SAME_INK` per channel); False without both."""
    rgb_a, rgb_b = hex_rgb(a), hex_rgb(b)
    if rgb_a is None or rgb_b is None:
        return False
    return max(abs(x - y) for x, y in zip(rgb_a, rgb_b, strict=True)) <= SAME_INK


def ray_position(rgb: Any, of: Any, bg_rgb: Any) -> tuple[np.ndarray, np.ndarray]:
    """Where colours ``rgb`` (shape ``(n, 3)``) lie on the ray from the background ``bg_rgb`` to ``of``, in RGB.

    Returns ``(alpha, residual)``, each of shape ``(n,)``: the position along the ray (0 at the background, 1 at
    ``of``) and the distance off it.
    """
    bg = np.asarray(bg_rgb, np.float32)
    direction = np.asarray(of, np.float32) - bg
    diff = np.asarray(rgb, np.float32) - bg
    alpha = diff @ direction / float(direction @ direction)
    return alpha, np.linalg.norm(diff - alpha[:, None] * direction, axis=1)


def is_tint_rgb(rgb: Any, of: Any, bg_rgb: Any) -> bool:
    """True when colour ``rgb`` lies between the background ``bg_rgb`` and ``of`` (a paler shade of it), in RGB
    (:func:`reconstruct.digitize.curves.is_tint` for the digitizer's colours)."""
    alpha, residual = ray_position(np.asarray([rgb], np.float32), of, bg_rgb)
    return bool(_TINT_ALPHA[0] < alpha[0] < _TINT_ALPHA[1] and residual[0] < _TINT_OFF_RAY)


def _per_px(*curves: Any) -> float:
    return max(float(c.quality.get("survival_per_px", _DEFAULT_PER_PX)) for c in curves)


def _step(curve: Any) -> Any:
    """The step function of ``curve`` (right-continuous; its first value before it, its last after)."""
    from scipy.interpolate import interp1d  # here: importing kmrecon's run_draws (this module's notes) loads no scipy

    survival = np.asarray(curve.survival, float)
    return interp1d(np.asarray(curve.time, float), survival, kind="previous", bounds_error=False,
                    fill_value=(float(survival[0]), float(survival[-1])), assume_sorted=True)


def _same_curve(a: Any, b: Any) -> bool:
    return (a.colour == b.colour and len(a.time) == len(b.time)
            and np.allclose(a.time, b.time) and np.allclose(a.survival, b.survival))


def _starts_at_zero(curve: Any, span: float) -> bool:
    return len(curve.time) > 0 and float(curve.time[0]) <= _STARTS_AT_ZERO * span


def _retraces(dropped: Any, kept: Any, span: float) -> bool:
    """True when ``dropped`` is of ``kept``'s ink and runs along it over ``_RETRACE_SHARE`` of its span, which lies
    within the kept curve's: within ``_RETRACE_PX`` pixels, or up to ``_RETRACE_SURVIVAL`` above it near its
    censor marks."""
    return same_ink(dropped.colour, kept.colour) and _rides(dropped, kept, span, below=False)


def _inside_span(dropped: Any, line: Any, span: float) -> bool:
    """True when both curves have two points or more and ``dropped`` runs only where ``line`` is drawn (give or take
    ``_STARTS_AT_ZERO`` of ``span`` at either end)."""
    if len(dropped.time) < 2 or len(line.time) < 2:
        return False
    return (float(dropped.time[0]) >= float(line.time[0]) - _STARTS_AT_ZERO * span
            and float(dropped.time[-1]) <= float(line.time[-1]) + _STARTS_AT_ZERO * span)


def _rides(dropped: Any, kept: Any, span: float, *, below: bool) -> bool:
    """True when ``dropped`` runs along ``kept`` over ``_RETRACE_SHARE`` of its span, which lies within the kept
    curve's (:func:`_inside_span`): within ``_RETRACE_PX`` pixels, or near ``kept``'s censor marks up to
    ``_RETRACE_SURVIVAL`` above it (above or below it, with ``below``). Any ink: the callers judge that."""
    if not _inside_span(dropped, kept, span):
        return False
    grid = np.linspace(float(dropped.time[0]), float(dropped.time[-1]), 200)
    marks = np.asarray(getattr(kept, "censor_time", ()), float)
    near_mark = (np.min(np.abs(grid[:, None] - marks[None, :]), axis=1) <= _MARK_REACH * span if marks.size
                 else np.zeros(grid.size, bool))
    gaps = _shifted_gaps(dropped, kept, grid, span)
    off_line = np.abs(gaps) if below else np.where(gaps > 0, gaps, np.inf)  # how far from it a mark may lift it
    on_line = np.abs(gaps) <= _RETRACE_PX * _per_px(dropped, kept) + 1e-9
    close = on_line | (near_mark & (off_line <= _RETRACE_SURVIVAL))
    return float(np.mean(close.any(axis=0))) >= _RETRACE_SHARE


def _shifted_gaps(curve: Any, other: Any, grid: np.ndarray, span: float) -> np.ndarray:
    """``curve`` minus ``other`` on ``grid``, with ``other`` read at ``grid`` and half ``_STARTS_AT_ZERO`` of ``span``
    before and after (shape ``(3, grid.size)``): a step drawn a pixel or two apart in time puts two curves far
    apart just there."""
    shift = _STARTS_AT_ZERO * span / 2
    above, along = _step(curve)(grid), _step(other)
    return np.stack([above - along(grid + d) for d in (-shift, 0.0, shift)])


def _late_flat_piece(dropped: Any, span: float) -> bool:
    return (len(dropped.time) >= 1 and float(dropped.time[0]) > _LATE_START * span
            and float(dropped.survival[0] - dropped.survival[-1]) <= _FLAT_PX * _per_px(dropped))


def _half_px(curve: Any) -> float | None:
    value = curve.quality.get("line_half_width_px")
    return float(value) if value is not None else None


def _along(band: Any, line: Any, span: float) -> bool:
    """True when ``band`` runs along ``line`` over ``_RETRACE_SHARE`` of its span, their traced widths overlapping."""
    if len(band.time) < 2 or len(line.time) < 2:
        return False
    grid = np.linspace(float(band.time[0]), float(band.time[-1]), 200)
    reach = ((_half_px(band) or 0.0) + (_half_px(line) or 0.0) + 1.0) * _per_px(band, line)
    close = np.abs(_shifted_gaps(band, line, grid, span)) <= reach + 1e-9
    return float(np.mean(close.any(axis=0))) >= _RETRACE_SHARE


def _ribbon_band(dropped: Any, kept: Sequence[Any], span: float) -> int | None:
    """The index of the kept curve whose confidence ribbon ``dropped`` is (its fill followed as if it were a line),
    None when it is none's: ``dropped`` is traced ``_BAND_RATIO`` times as wide as every kept curve, in a tint of that
    curve's ink paler by more than ``_BAND_PALER`` levels, falling (not flat), and the panel has translucent fill or
    ``dropped`` runs along that curve (the tracer's ``line_half_width_px``, ``panel_background`` and
    ``panel_filled`` qualities; without them, white paper and no fill)."""
    width, ink = _half_px(dropped), hex_rgb(dropped.colour)
    widths, inks = [_half_px(c) for c in kept], [hex_rgb(c.colour) for c in kept]
    if width is None or ink is None or None in widths or None in inks:
        return None
    if not all(width >= _BAND_RATIO * max(w, 1.0) for w in widths):
        return None
    if len(dropped.time) < 2 or float(dropped.survival[0] - dropped.survival[-1]) <= _FLAT_PX * _per_px(dropped):
        return None  # flat: a ribbon's edge falls with its curve
    background = hex_rgb(dropped.quality.get("panel_background")) or _WHITE
    filled = bool(dropped.quality.get("panel_filled", False))
    for j, (curve, of) in enumerate(zip(kept, inks, strict=True)):
        if (is_tint_rgb(ink, of, background) and np.mean(ink) > np.mean(of) + _BAND_PALER
                and (filled or _along(dropped, curve, span))):
            return j
    return None


def _pale_falling(dropped: Any, kept: Sequence[Any], *, thinner: bool) -> tuple | None:
    """``(ink, kept half widths, kept inks, panel background)`` when ``dropped`` may be a line of a kept curve's
    ribbon, else None: in a panel with translucent fill (``panel_filled``), paler than every kept ink by more than
    ``_BAND_PALER`` levels, thinner than every kept curve (no wider than any, without ``thinner``), and falling
    (a flat run is no ribbon's line). Widths and inks all known."""
    width, ink = _half_px(dropped), hex_rgb(dropped.colour)
    widths, inks = [_half_px(c) for c in kept], [hex_rgb(c.colour) for c in kept]
    if width is None or ink is None or None in widths or None in inks or not dropped.quality.get("panel_filled"):
        return None
    narrow = all(width < w for w in widths) if thinner else all(width <= w for w in widths)
    if not narrow or not all(np.mean(ink) > np.mean(of) + _BAND_PALER for of in inks):
        return None
    if len(dropped.time) < 2 or float(dropped.survival[0] - dropped.survival[-1]) <= _FLAT_PX * _per_px(dropped):
        return None
    return ink, widths, inks, hex_rgb(dropped.quality.get("panel_background")) or _WHITE


def _edge_line(dropped: Any, kept: Sequence[Any]) -> int | None:
    """The index of the kept curve whose ribbon's outline ``dropped`` is (a hairline in a faded shade of its ink),
    None when it is none's: in a panel with translucent fill (``panel_filled``), ``dropped`` is traced thinner than
    every kept curve, paler than every kept ink by more than ``_BAND_PALER`` levels, in a tint of one (the darkest
    such when several: greys are tints of every darker grey), and falls."""
    pale = _pale_falling(dropped, kept, thinner=True)
    if pale is None:
        return None
    ink, _, inks, background = pale
    tints = [j for j, of in enumerate(inks) if is_tint_rgb(ink, of, background)]
    return min(tints, key=lambda j: float(np.mean(inks[j]))) if tints else None


def _fill_edge(dropped: Any, kept: Sequence[Any], span: float) -> int | None:
    """The index of the kept curve whose band's edge ``dropped`` is (the border of a translucent fill traced as a
    line), None when it is none's: in a panel with translucent fill, ``dropped`` is paler than every kept ink by more
    than ``_BAND_PALER`` levels, no wider than any kept curve, and runs on one side of the kept curve it runs
    nearest (:func:`_one_side`), within ``_EDGE_REACH`` of it in the median, in a tint of its ink and thinner."""
    pale = _pale_falling(dropped, kept, thinner=False)
    if pale is None:
        return None
    ink, widths, inks, background = pale
    width = _half_px(dropped)
    gaps = [_median_gap(dropped, line, span) for line in kept]
    j = int(np.argmin(gaps))  # the kept curve it runs nearest
    if (gaps[j] <= _EDGE_REACH and width < widths[j] and is_tint_rgb(ink, inks[j], background)
            and _one_side(dropped, kept[j], span)):
        return j
    return None


def _median_gap(curve: Any, line: Any, span: float) -> float:
    grid = np.linspace(float(curve.time[0]), float(curve.time[-1]), 200)
    return float(np.median(np.abs(_shifted_gaps(curve, line, grid, span)[1])))


def _one_side(dropped: Any, line: Any, span: float) -> int:
    """+1 when ``dropped`` runs above ``line`` (within ``_RETRACE_PX``, a step a little before or after, over
    ``_RETRACE_SHARE`` of its span, which lies within the line's) and apart from it by more than ``_RETRACE_PX`` in
    the median, -1 below, 0 when neither."""
    if not _inside_span(dropped, line, span):
        return 0
    gaps = _shifted_gaps(dropped, line, np.linspace(float(dropped.time[0]), float(dropped.time[-1]), 200), span)
    tol = _RETRACE_PX * _per_px(dropped, line)
    for side in (1, -1):
        if (float(np.mean((side * gaps >= -tol).any(axis=0))) >= _RETRACE_SHARE
                and float(np.median(side * gaps[1])) > tol):
            return side
    return 0


def _coverage(curve: Any) -> float | None:
    value = curve.quality.get("coverage")
    return float(value) if value is not None else None


def _limit_side(dropped: Any, line: Any, span: float) -> int:
    """+1 when ``dropped`` is a broken line of ``line``'s ink running above it (see ``_DASHED_COVERAGE``), -1 below,
    0 when neither."""
    own, of = _coverage(dropped), _coverage(line)
    if own is None or of is None or own > _DASHED_COVERAGE or of < _SOLID_COVERAGE:
        return 0
    if not same_ink(dropped.colour, line.colour):
        return 0
    return _one_side(dropped, line, span)


def _dashed_limits(dropped: Sequence[Any], kept: Sequence[Any], span: float) -> dict[int, int]:
    """Index into ``dropped`` -> index of the kept curve whose dashed confidence limit it is, for the two curves of
    ``dropped`` that bracket it, one above and one below (``_DASHED_COVERAGE``). A kept curve with more than one
    such line on a side has none: a third broken line of its ink may be a dashed arm (base R's lty = 1:2)."""
    out: dict[int, int] = {}
    for j, line in enumerate(kept):
        sides = {i: _limit_side(d, line, span) for i, d in enumerate(dropped) if i not in out}
        above, below = ([i for i, side in sides.items() if side == s] for s in (1, -1))
        if len(above) == 1 and len(below) == 1:
            out.update({above[0]: j, below[0]: j})
    return out


def _ribbon_reason(curve: Any, kept: Sequence[Any], span: float) -> str | None:
    """Why ``curve`` is a part of a kept curve's confidence ribbon (its band, outline or border), None when not."""
    shade = f"{_half_px(curve) or 0:.0f} px half wide in a faded shade ({curve.colour}) of kept curve"
    if (of := _ribbon_band(curve, kept, span)) is not None:
        return f"a band {shade} {of + 1}'s ink (its confidence ribbon followed as a line)"
    if (of := _edge_line(curve, kept)) is not None:
        return (f"a hairline {shade} {of + 1}'s ink, thinner and paler than every kept curve in a panel with "
                "translucent fill (a confidence ribbon's outline)")
    if (of := _fill_edge(curve, kept, span)) is not None:
        return (f"a line {shade} {of + 1}'s ink, paler than every kept curve, on one side of it in a panel with "
                "translucent fill (the edge of its confidence ribbon)")
    return None


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
        One reason per curve left out, in ``found`` order; None when a kept curve is not one of ``found`` or does
        not begin at time 0, when two kept curves retrace each other, or when a curve left out is neither a
        retrace of a kept curve, a broken trace of its censor marks (:func:`reconstruct.mark_traces.rides_marks`),
        a ribbon's band, outline or border, one of a kept curve's two dashed confidence limits, nor a flat piece
        starting late.
    """
    if span <= 0 or not kept or not all(_starts_at_zero(c, span) for c in kept):
        return None
    index: list[int] = []
    for curve in kept:
        same = [i for i, f in enumerate(found) if i not in index and _same_curve(curve, f)]
        if not same:
            return None
        index.append(same[0])
    for i, a in enumerate(kept):
        if any(_retraces(a, b, span) or _retraces(b, a, span) for b in kept[i + 1:]):
            return None  # two kept curves on one line: an arm may have been left out for a copy
    from reconstruct.mark_traces import rides_marks  # here: it builds on this module's helpers

    reasons = []
    left_out = [i for i in range(len(found)) if i not in index]
    limits = _dashed_limits([found[i] for i in left_out], kept, span)
    for n, i in enumerate(left_out):
        curve = found[i]
        twin = next((k for k, c in enumerate(kept) if _retraces(curve, c, span)), None)
        if twin is not None:
            reasons.append(f"a second trace of kept curve {twin + 1} (same ink, along it within a line's width or "
                           "riding its censor marks)")
        elif (rider := next((k for k, c in enumerate(kept) if rides_marks(curve, c, span)), None)) is not None:
            reasons.append(f"a broken trace (covering {_coverage(curve):.0%} of its columns) of kept curve "
                           f"{rider + 1}'s censor marks, above and below its solid line in its ink")
        elif (ribbon := _ribbon_reason(curve, kept, span)) is not None:
            reasons.append(ribbon)
        elif n in limits:
            reasons.append(f"a broken line (covering {_coverage(curve):.0%} of its columns) in kept curve "
                           f"{limits[n] + 1}'s ink on one side of it, with another on its other side (its dashed "
                           "confidence limits)")
        elif _late_flat_piece(curve, span):
            reasons.append(f"a flat piece from t={float(curve.time[0]):.3g} (a legend key or text in the panel; "
                           "every at-risk row has patients at time 0)")
        else:
            return None
    return reasons


def choose_kept(found: Sequence[Any], k: int, *, span: float,
                prefer: Sequence[int] = ()) -> tuple[tuple[int, ...], list[str]] | None:
    """The one choice of ``k`` curves of ``found`` that all begin at time 0 while every other is explained.

    Choices that differ only by which of two traces of one line (each along the other within ``_RETRACE_PX``)
    they keep are one reading: ``prefer`` (the tracer's own choice) among them, else the first.

    Parameters
    ----------
    found : sequence of DigitizedArm
        The curves of the first tracing (at most ``_MOST_FOUND``).
    k : int
        Curves wanted (the at-risk table's rows).
    span : float
        Time span of the x axis.
    prefer : sequence of int, optional
        Indices into ``found`` of the re-tracing's curves.

    Returns
    -------
    tuple or None
        ``(indices into found, reasons)`` (:func:`explain_dropped`); None when no choice, or more than one
        distinct reading, qualifies.
    """
    if not 0 < k < len(found) <= _MOST_FOUND:
        return None
    readings: list[list[tuple[tuple[int, ...], list[str]]]] = []
    for subset in combinations(range(len(found)), k):
        why = explain_dropped(found, [found[i] for i in subset], span=span)
        if why is None:
            continue
        same = next((r for r in readings if _one_reading(found, r[0][0], subset, span)), None)
        if same is None:
            readings.append([(subset, why)])
        else:
            same.append((subset, why))
    if len(readings) != 1:
        return None
    return next((c for c in readings[0] if set(c[0]) == set(prefer)), readings[0][0])


def _one_reading(found: Sequence[Any], a: Sequence[int], b: Sequence[int], span: float) -> bool:
    """True when each curve of choice ``a`` is one of ``b`` or a trace of one line with one of them, and back."""
    def twins(i: int, j: int) -> bool:
        return i == j or (_retraces(found[i], found[j], span) and _retraces(found[j], found[i], span))
    return all(any(twins(i, j) for j in b) for i in a) and all(any(twins(j, i) for i in a) for j in b)


def kept_for_rows(found: Sequence[Any], again: Sequence[Any], ticks: Sequence[float], n_rows: int,
                  said: list[str], *, truncated: str) -> tuple[tuple[Any, ...] | None, list[str]]:
    """The curves of a re-tracing for ``n_rows`` rows, and its notes, when they may be taken.

    Parameters
    ----------
    found : sequence of DigitizedArm
        The curves of the first tracing.
    again : sequence of DigitizedArm
        The curves of the re-tracing.
    ticks : sequence of float
        The x axis's labelled tick values (their span is the scale of "late").
    n_rows : int
        Curves wanted.
    said : list of str
        The re-tracing's notes.
    truncated : str
        The prefix of the note saying the tracer kept only ``n_rows`` of the curves it found
        (:data:`reconstruct.digitize.path_pruning.TRUNCATED_NOTE`).

    Returns
    -------
    tuple
        ``(curves, notes)``: ``again`` and ``said`` when nothing was left out; the one choice of
        :func:`choose_kept` (all of ``again`` among ``found``) with a note saying what was left out and why in
        place of the truncation note; ``(None, said)`` when the re-tracing is not to be taken.
    """
    if len(again) != n_rows:
        return None, said
    if not any(m.startswith(truncated) for m in said):
        return tuple(again), said
    values = np.asarray(ticks, float)
    span = float(values.max() - values.min()) if values.size > 1 else 0.0
    prefer = [next((i for i, f in enumerate(found) if _same_curve(a, f)), -1) for a in again]
    if -1 in prefer:
        return None, said
    pick = choose_kept(found, n_rows, span=span, prefer=prefer)
    if pick is None:
        return None, said
    notes = [m for m in said if not m.startswith(truncated)]
    notes.append(f"{DROPPED_NOTE} ({n_rows} of the {len(found)} curves found kept): left out " + "; ".join(pick[1]))
    return tuple(found[i] for i in pick[0]), notes
