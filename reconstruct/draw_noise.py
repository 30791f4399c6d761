"""How far a raster digitizer's reading can be off, estimated from the figure itself, for the draws.

:func:`reconstruct.draw_ipd` by default moves every digitized survival level by independent noise of
sd ``precision`` and every step time by ``time_precision``. A digitizer's real errors on a raster
figure are larger and partly systematic. :func:`digitizer_noise` estimates them from what the
digitized figure and its reconstruction carry, and :class:`DigitizerNoise` hands them to the draws:

* **Axis calibration.** Each axis maps pixels to values by a least-squares line through its tick
  marks. The tick positions scatter about that line by ``sigma_t`` pixels (the fit's residual
  standard deviation, at least half a pixel: a tick is found to the nearest pixel), so the line is
  known to ``sigma_t / sqrt(n)`` pixels at the ticks' centroid and its slope to a relative
  ``sigma_t / sqrt(sum (p_i - mean p)^2)``. Every draw takes one random shift and one random scale
  error of each axis (about the centroid), shared by all arms of the figure.
* **Line centre.** A traced curve sits on whole pixel rows; the centre of its stroke can lie
  anywhere within half a pixel of them, the same for every level of that curve: one offset per arm
  and draw, uniform over +/- half a pixel (sd ``1 / sqrt(12)`` pixel).
* **A hidden last drop.** A curve that ends within reach of its own line width of zero survival
  (above 0 but at most ``2 h + 3`` pixels from it, ``h`` the line's half width) may end with a drop to
  0 that the x axis or the line itself hides: whether its last patients had an event cannot be read.
  Each draw takes that drop with probability one half.
* **Roughness of the trace.** Where the reconstruction's Kaplan-Meier curve cannot follow the traced
  levels (missed, merged or split steps, anti-aliasing), the trace is rougher than the digitizer's
  nominal precision: each arm's per-level sd is ``sqrt(precision^2 + r^2)``, with ``r`` the root mean
  square of (traced level - reconstructed KM) over the arm's traced levels after time 0.
* **Untraced stretches.** Where an arm has no ink of its own (``hidden_share`` of its columns: the
  arms touch or cross, a stretch is covered or faded), the digitizer follows the other arm's ink or
  bridges the gap, and the fall of the curve over those columns is a guess. Gross misreads (a start
  not traced, a tail lost or followed along the other arm) happen there. Each draw scales the arm's
  whole cumulative hazard by ``exp(e)``, ``e ~ N(0, (kappa h)^2)`` (``S -> S^exp(e)``), with ``h``
  the hidden share and ``kappa = HIDDEN_HAZARD_SD`` the relative error of the hazard accrued over
  the hidden columns (calibrated on the wild development set of ``docs/uncertainty.md``). An error of the
  level at one point averages out over many steps; a misread stretch moves everything after it.
* **Flags.** A reading can be off by more than any of this: an arm with ``hidden_share`` of at
  least ``FLAG_HIDDEN_SHARE``, or whose reconstruction scores at least ``FLAG_FIT_SCORE`` of the
  quality gate's misfit threshold (its KM misses the trace, or the table and the curve disagree),
  is flagged (``DigitizerNoise.flags``): on such figures the reconstruction interval misses the
  true-IPD value about four times as often (``docs/uncertainty.md``). So is an arm traced through
  translucent bands by continuity (``quality["through_ribbons"]``, :mod:`reconstruct.digitize.ribbon_retrace`),
  and an arm whose trace runs for
  at least ``FLAG_SHADE_HOP_COLUMNS`` measured columns on ink of another arm's grey (``quality["shade_hop"]``,
  :mod:`reconstruct.digitize.shade_hops`: the traces of two arms of one colour swapped a stretch) when
  the swap puts a mean error of at least ``FLAG_SHADE_HOP_ERROR`` on the arm's whole curve. So is an arm
  that looks like the edge of another arm's shaded band rather than a drawn line (:func:`_band_edges`): a stroke
  much wider than that arm's, running beside it on one side at a small, nearly constant distance (a grey curve
  inside its grey band missed and the black curve's band limit traced instead, dev 7071 survminer_minimal_002).
  So is an arm whose trace the digitizer cut off where it left its curve (``ArmFit.cut_at``, from
  ``quality["cut_at_time"]``, :func:`reconstruct.digitize.trace_check.bare_drop`): its end is not read.

Nothing here looks at anything but the figure, its calibration and the reconstruction of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reconstruct.errors import InputError
from reconstruct.quality import cut_note, step_at
from reconstruct.simulate import km_step_points

__all__ = ["DigitizerNoise", "digitizer_noise", "reading_flags", "HIDDEN_HAZARD_SD", "FLAG_HIDDEN_SHARE",
           "FLAG_FIT_SCORE", "FLAG_SHADE_HOP_COLUMNS", "FLAG_SHADE_HOP_ERROR", "FLAG_STROKE_RATIO",
           "FLAG_STROKE_EXTRA_PX", "FLAG_EDGE_SIDE", "FLAG_EDGE_OFFSET", "FLAG_EDGE_SPREAD", "axis_fit_noise",
           "trace_roughness", "warp_times", "noisy_drops"]

_TICK_FLOOR_PX = 0.5  # a tick mark is found to the nearest pixel
_LINE_CENTRE_SD_PX = 1.0 / np.sqrt(12.0)  # a stroke's centre, uniform within half a pixel of the traced row
HIDDEN_HAZARD_SD = 0.1  # kappa: sd of log(cumulative hazard) per unit of hidden share
FLAG_HIDDEN_SHARE = 0.15  # an arm without its own ink in this share of its columns is flagged
FLAG_FIT_SCORE = 0.4  # ... and one whose fit score (quality gate, misfit above 1) reaches this
FLAG_SHADE_HOP_COLUMNS = 10  # ... and one whose trace runs this many measured columns on another arm's grey
# ... when that stretch, off by its distance to the nearest other trace, errs by this much averaged over the
# whole curve (a third of the 0.01 MAE bar; held-out stata_000's three swapped stretches: 0.0035 to 0.0045)
FLAG_SHADE_HOP_ERROR = 0.003
# ... and one that looks like the edge of another arm's band (_band_edges): its stroke at least twice the other's
# half width and 2 px more, on one side of it in 85% of the columns, at a median distance of at most 0.05 survival
# whose interquartile range is at most 0.35 of it. Dev sets (447 figures traced): 7071/survminer_minimal_002 (6 vs
# 2 px, 0.032 lower, 94%, spread 0.24), grey band; survminer_bw_013 (0.037, spread 0.41) is flagged on other
# grounds. Nearest correct pairs: 7071/lifelines_003 (0.037 but spread 0.48), survminer_light_017 (spread 0.41 but
# 0.073), mpl_default_004 (spread 0.42, 0.085 = 26 px)
FLAG_STROKE_RATIO = 2.0
# in pixels whatever the stroke: each measured half width is a whole pixel give or take the ~1 px of anti-aliasing
FLAG_STROKE_EXTRA_PX = 2
FLAG_EDGE_SIDE = 0.85
FLAG_EDGE_OFFSET = 0.05
FLAG_EDGE_SPREAD = 0.35


@dataclass(frozen=True)
class DigitizerNoise:
    """Random reading errors of a digitized figure, drawn anew in every draw of :func:`reconstruct.draw_ipd`.

    Attributes
    ----------
    y_shift, y_scale : float
        Standard deviations of the survival axis' calibration error per draw: a shift (survival
        units) at ``y_pivot`` and a relative scale error about it; shared by all arms.
    y_pivot : float
        Survival value at the centroid of the y ticks.
    x_shift, x_scale, x_pivot : float
        The same for the time axis (time units), applied through the draws' time warp.
    arm_offset : dict of str to float
        Per arm, sd of one shift of all its survival levels per draw (survival units): the line centre.
    arm_precision : dict of str to float
        Per arm, sd of the independent noise of every survival level (survival units); replaces
        ``precision`` for that arm.
    end_drop : dict of str to float
        Per arm, the probability that its curve ends with a hidden drop to 0 (its last level then
        reads 0 in that draw: the patients still at risk at the curve's end have an event there).
    arm_hazard : dict of str to float
        Per arm, sd of ``e`` in a per-draw scale ``exp(e)`` of its whole cumulative hazard
        (``S -> S^exp(e)``): the error of the stretches read without the arm's own ink.
    flags : dict of str to str
        Arms whose reading may be grossly off, each with the evidence (one clause); the draws do not
        cover such misreads, and the run says so.
    """

    y_shift: float = 0.0
    y_scale: float = 0.0
    y_pivot: float = 0.5
    x_shift: float = 0.0
    x_scale: float = 0.0
    x_pivot: float = 0.0
    arm_offset: Mapping[str, float] = field(default_factory=dict)
    arm_precision: Mapping[str, float] = field(default_factory=dict)
    end_drop: Mapping[str, float] = field(default_factory=dict)
    arm_hazard: Mapping[str, float] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("y_shift", "y_scale", "x_shift", "x_scale"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise InputError(f"DigitizerNoise.{name}: expected a finite sd >= 0, got {value!r}")
        for name in ("arm_offset", "arm_precision", "arm_hazard"):
            values = dict(getattr(self, name))
            bad = {k: v for k, v in values.items() if not (np.isfinite(v) and v >= 0)}
            if bad:
                raise InputError(f"DigitizerNoise.{name}: expected finite sds >= 0 per arm, got {bad!r}")
            object.__setattr__(self, name, {str(k): float(v) for k, v in values.items()})
        ends = {str(k): float(v) for k, v in dict(self.end_drop).items()}
        if any(not 0.0 <= v <= 1.0 for v in ends.values()):
            raise InputError(f"DigitizerNoise.end_drop: expected probabilities in [0, 1] per arm, got {ends!r}")
        object.__setattr__(self, "end_drop", ends)
        object.__setattr__(self, "flags", {str(k): str(v) for k, v in dict(self.flags).items()})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"y_shift": self.y_shift, "y_scale": self.y_scale, "y_pivot": self.y_pivot, "x_shift": self.x_shift,
                "x_scale": self.x_scale, "x_pivot": self.x_pivot, "arm_offset": dict(self.arm_offset),
                "arm_precision": dict(self.arm_precision), "end_drop": dict(self.end_drop),
                "arm_hazard": dict(self.arm_hazard), "flags": dict(self.flags)}

    def axis_draws(self, rng: np.random.Generator, m: int) -> dict[str, NDArray[np.float64]]:
        """Per-draw calibration errors ``y_shift, y_scale, x_shift, x_scale``, each of shape (m,)."""
        return {name: rng.normal(0.0, getattr(self, name), size=m)
                for name in ("y_shift", "y_scale", "x_shift", "x_scale")}


def axis_fit_noise(px_positions, values, slope: float) -> tuple[float, float, float]:
    """Calibration uncertainty of one axis from its ticks: (shift sd in value units, relative scale sd, pivot).

    ``sigma_t`` is the residual standard deviation of the tick positions about the fitted line (pixels;
    at least half a pixel, and exactly that with two ticks); the line's value at the ticks' centroid has
    sd ``sigma_t / sqrt(n)`` pixels and its slope a relative sd ``sigma_t / sqrt(sum (p - mean p)^2)``.
    """
    p = np.asarray(px_positions, dtype=float)
    v = np.asarray(values, dtype=float)
    n = p.size
    if n < 2 or not np.isfinite(slope) or slope == 0:
        return 0.0, 0.0, float(np.mean(v)) if n else 0.0
    intercept = float(np.mean(v) - slope * np.mean(p))
    resid_px = (p * slope + intercept - v) / slope
    sigma = _TICK_FLOOR_PX
    if n > 2:
        sigma = max(float(np.sqrt(np.sum(resid_px**2) / (n - 2))), _TICK_FLOOR_PX)
    sxx = float(np.sum((p - p.mean()) ** 2))
    return sigma / np.sqrt(n) * abs(slope), sigma / np.sqrt(sxx) if sxx > 0 else 0.0, float(np.mean(v))


def trace_roughness(curve_t, curve_s, rec_time, rec_event) -> float:
    """Root mean square of (traced level - reconstructed KM) over the traced levels after time 0.

    Each traced level (a corner's survival, held until the next corner) is compared with the KM of the
    reconstruction just before the next corner, where both describe the same flat stretch.
    """
    t = np.asarray(curve_t, dtype=float)
    s = np.asarray(curve_s, dtype=float)
    if t.size < 3:
        return 0.0
    km_t, km_s = km_step_points(np.asarray(rec_time, dtype=float), np.asarray(rec_event, dtype=np.int64))
    mid = 0.5 * (t[1:-1] + t[2:])  # the flat stretch after each corner past time 0
    level = s[1:-1]
    km = km_s[np.clip(np.searchsorted(km_t, mid, side="right") - 1, 0, km_s.size - 1)]
    return float(np.sqrt(np.mean((level - km) ** 2))) if level.size else 0.0


def _hugging_offset(arm: Any, other: Any) -> tuple[float, float, float] | None:
    """How ``arm``'s trace runs beside ``other``'s over their common time span, one sample per pixel column:
    ``(median survival difference arm - other, its interquartile range, share of columns on the median's side)``,
    or None when either arm has no point, they share fewer than 10 columns or the arm carries no pixel scale."""
    time_px = arm.quality.get("time_per_px")
    t_a, s_a = np.asarray(arm.time, float), np.asarray(arm.survival, float)
    t_b, s_b = np.asarray(other.time, float), np.asarray(other.survival, float)
    if not time_px or not t_a.size or not t_b.size:
        return None
    lo, hi = max(t_a[0], t_b[0]), min(t_a[-1], t_b[-1])
    if hi - lo < 10 * time_px:
        return None
    grid = np.arange(lo, hi, time_px)
    offset = step_at(t_a, s_a, grid) - step_at(t_b, s_b, grid)
    median = float(np.median(offset))
    q75, q25 = np.percentile(offset, [75, 25])
    return median, float(q75 - q25), float(np.mean(np.sign(offset) == np.sign(median)))


def _band_edges(arms, arm_names) -> dict[str, str]:
    """Arms whose trace looks like the edge of another arm's shaded band, not a drawn line.

    Both at once: its measured stroke (``quality["line_half_width_px"]``) is at least ``FLAG_STROKE_RATIO`` times and
    ``FLAG_STROKE_EXTRA_PX`` pixels more than the other arm's (one figure draws its curves with one pen; a trace along
    a filled area measures the fill), and it runs beside that arm on one side (``FLAG_EDGE_SIDE`` of the columns), at
    a median survival difference of at most ``FLAG_EDGE_OFFSET`` that hardly varies (interquartile range at most
    ``FLAG_EDGE_SPREAD`` of it), as a confidence limit follows its curve. The traced values are survival for either
    curve kind, so the evidence says higher or lower survival, not above or below.
    """
    named = list(zip((str(n) for n in arm_names), arms, strict=True))
    out = {}
    for name, arm in named:
        half = float(arm.quality.get("line_half_width_px") or 0.0)
        for other_name, other in named:
            thin = float(other.quality.get("line_half_width_px") or 0.0)
            if other is arm or thin <= 0 or half < FLAG_STROKE_RATIO * thin or half < thin + FLAG_STROKE_EXTRA_PX:
                continue
            beside = _hugging_offset(arm, other)
            if beside is None:
                continue
            median, spread, side = beside
            near = 0 < abs(median) <= FLAG_EDGE_OFFSET
            if side >= FLAG_EDGE_SIDE and near and spread <= FLAG_EDGE_SPREAD * abs(median):
                out[name] = (f"its stroke measures {half:g} px half width against {thin:g} px for {other_name}, "
                             f"and its survival runs {abs(median):.3f} {'higher' if median > 0 else 'lower'} than "
                             f"{other_name}'s in {side:.0%} of their columns (spread {spread:.3f}): it may be the "
                             f"edge of {other_name}'s shaded band, not a drawn curve")
                break
    return out


def reading_flags(digitized: Any, arm_names, fit=()) -> dict[str, str]:
    """Arms whose reading may be grossly off, each with its evidence (see the module docstring).

    Parameters
    ----------
    digitized : DigitizedFigure
    arm_names : sequence of str
        Name of each digitized arm, in digitizer order.
    fit : sequence of ArmFit, optional
        The quality gate's fit of each arm (:func:`reconstruct.quality.assess_reconstruction`), by ``arm``.

    Returns
    -------
    dict of str to str
        Arm name to the evidence, for the flagged arms only.
    """
    scores = {str(f.arm): float(f.score) for f in fit}
    wide = _band_edges(digitized.arms, arm_names)
    covered = {str(f.arm): f.covered_from for f in fit if getattr(f, "covered_from", None) is not None}
    cut = {str(f.arm): f.cut_at for f in fit if getattr(f, "cut_at", None) is not None}
    flags = {}
    for name, arm in zip(arm_names, digitized.arms, strict=True):
        why = []
        hidden = float(arm.quality.get("hidden_share", 0.0))
        if hidden >= FLAG_HIDDEN_SHARE:
            why.append(f"{hidden:.0%} of its curve traced without its own ink")
        if arm.quality.get("through_ribbons"):
            why.append("traced through translucent bands by continuity: where its ink is hidden, its path is a guess")
        if str(name) in covered:
            why.append(f"its trace ends at t={covered[str(name)]:g} on a straight edge where other ink ends too (a box "
                       "drawn over the panel, or another line's end) while the at-risk table still has patients: "
                       "read up to there only")
        if str(name) in cut:
            why.append(cut_note(float(cut[str(name)])))
        hop = arm.quality.get("shade_hop")
        if hop and hop["columns"] >= FLAG_SHADE_HOP_COLUMNS and hop.get("error", 0.0) >= FLAG_SHADE_HOP_ERROR:
            t0, t1 = hop["time"]
            why.append(f"its trace from t={t0:.1f} to {t1:.1f} runs on ink of another curve's grey "
                       f"({hop['grey']:g} against its own {hop['own_grey']:g}, the other's {hop['other_grey']:g}): "
                       "the traces of two curves of one colour may have swapped there "
                       f"(error {hop['error']:.3f} or more)")
        if str(name) in wide:
            why.append(wide[str(name)])
        if scores.get(str(name), 0.0) >= FLAG_FIT_SCORE:
            why.append(f"fit score {scores[str(name)]:.2f} (misfit above 1)")
        if why:
            flags[str(name)] = "; ".join(why)
    return flags


def digitizer_noise(digitized: Any, arm_names, reconstruction, precision: float, fit=(),
                    arm_precisions: Mapping[str, float] | None = None) -> DigitizerNoise:
    """Estimate a raster figure's reading errors (see the module docstring).

    Parameters
    ----------
    digitized : DigitizedFigure
        The digitizer's output (calibrations and traced curves).
    arm_names : sequence of str
        Name of each digitized arm, in digitizer order (as in the reconstruction).
    reconstruction : IPDReconstruction
    precision : float
        The digitizer's nominal per-level sd (survival units).
    fit : sequence of ArmFit, optional
        The quality gate's fit of each arm, for the flags (:func:`reading_flags`).
    arm_precisions : mapping of str to float, optional
        An arm's own nominal per-level sd in place of ``precision`` (an arm solved with its step heights
        trusted less, :mod:`kmrecon.run_refit`).

    Returns
    -------
    DigitizerNoise
    """
    y_cal, x_cal = digitized.y_calibration, digitized.x_calibration
    y_shift, y_scale, y_pivot = axis_fit_noise(y_cal.px_positions, y_cal.values, y_cal.slope)
    x_shift, x_scale, x_pivot = axis_fit_noise(x_cal.px_positions, x_cal.values, x_cal.slope)
    if getattr(digitized, "curve_kind", "survival") == "cumulative_incidence":
        y_pivot = 1.0 - y_pivot  # the traced value is 1 - survival: the same errors about the mirrored pivot
    offsets, precisions, ends, hazards = {}, {}, {}, {}
    unit = abs(float(y_cal.slope))
    for name, arm in zip(arm_names, digitized.arms, strict=True):
        rec = reconstruction[name]
        rough = trace_roughness(arm.time, arm.survival, rec.time, rec.event)
        offsets[str(name)] = _LINE_CENTRE_SD_PX * unit
        hazards[str(name)] = HIDDEN_HAZARD_SD * float(arm.quality.get("hidden_share", 0.0))
        precisions[str(name)] = float(np.hypot((arm_precisions or {}).get(str(name), precision), rough))
        reach = (2 * int(arm.quality.get("line_half_width_px", 1)) + 3) * unit
        if 0.0 < float(arm.survival[-1]) <= reach and getattr(digitized, "curve_kind", "survival") == "survival":
            ends[str(name)] = 0.5
    return DigitizerNoise(y_shift=y_shift, y_scale=y_scale, y_pivot=y_pivot, x_shift=x_shift, x_scale=x_scale,
                          x_pivot=x_pivot, arm_offset=offsets, arm_precision=precisions, end_drop=ends,
                          arm_hazard=hazards, flags=reading_flags(digitized, arm_names, fit))


def warp_times(times_by_arm, draws_by_arm, knots, fixed, time_precision, rng, m, x_err=None, per_arm=False):
    """Monotone random warp of the time axis per draw (ties stay ties).

    Knots at ``fixed`` times (0 and the at-risk table times, read from labelled ticks) do not move,
    so every draw keeps its numbers at risk at the table rows. Every knot moves by independent noise
    of sd ``time_precision`` plus the draw's calibration error: ``x_err = (shift, scale, pivot)``
    (shapes (m,), (m,), scalar) moves ``t`` by ``shift + scale (t - pivot)``; without ``x_err`` one
    shift of sd ``time_precision`` per draw. The calibration error is shared by the arms; the
    knots' own noise too unless ``per_arm`` (a raster figure: two arms' steps read in the same pixel
    column are tied only by the reading, and their true order is not known), then each arm draws its own.
    """
    if (time_precision <= 0 and x_err is None) or knots.size < 2:
        return times_by_arm
    # independent reading noise at every step, plus one shift per draw for the calibration of the axis
    shift = rng.normal(0.0, time_precision, size=(m, 1))
    if x_err is not None:
        shift = x_err[0][:, None] + x_err[1][:, None] * (knots[None, :] - x_err[2])
    still = np.isin(knots, fixed)
    anchors = knots[still]
    at = np.clip(np.searchsorted(anchors, knots, side="right") - 1, 0, anchors.size - 1)
    upper = np.where(at + 1 < anchors.size, anchors[np.minimum(at + 1, anchors.size - 1)], np.inf)
    upper = np.nextafter(upper, -np.inf)  # strictly before the next table time: not yet at risk there
    out, moved = [], None
    for times, draws in zip(times_by_arm, draws_by_arm, strict=True):
        if moved is None or per_arm:
            moved = knots[None, :] + shift + rng.normal(0.0, time_precision, size=(m, knots.size))
            moved = np.clip(moved, anchors[at][None, :], upper[None, :])  # no time crosses a table time
            moved[:, still] = knots[still]
            # monotone again by sorting (each block's times stay in the block): a running maximum would push
            # every time later where the noise exceeds the spacing of the steps; sorting keeps the noise centred
            moved = np.maximum(np.sort(moved, axis=1), 0.0)
        warped = np.empty_like(times)
        order = np.argsort(draws, kind="stable")
        bounds = np.searchsorted(draws[order], np.arange(m + 1))
        for k in range(m):  # np.interp has no batch axis; one call per draw is cheap
            rows = order[bounds[k]:bounds[k + 1]]
            warped[rows] = np.interp(times[rows], knots, moved[k])
        # interpolation may round onto a table time: keep every time on its side of each one
        at_t = np.searchsorted(anchors, times, side="right")
        ceiling = np.nextafter(np.where(at_t < anchors.size, anchors[np.minimum(at_t, anchors.size - 1)], np.inf),
                               -np.inf)
        out.append(np.clip(warped, anchors[np.maximum(at_t - 1, 0)], ceiling))
    return out


def noisy_drops(s: NDArray[np.float64], precision: float, rng, m: int, y_err=None,
                end_zero=None, hazard=None) -> NDArray[np.float64]:
    """Relative drops ``1 - S_j / S_{j-1}`` of curves with Gaussian noise on every distinct survival level.

    ``y_err = (shift, scale, pivot)`` (shapes (m,), (m,), scalar) moves every level but S(0) by
    ``shift + scale (S - pivot)`` per draw as well: the axis calibration and the line centre.
    ``end_zero`` (m,) bool: the draws whose curve ends with a hidden drop to 0 (their last level is 0).
    ``hazard`` (m,): each draw's log scale ``e`` of the cumulative hazard, ``S -> S^exp(e)`` (untraced stretches).
    """
    level = np.cumsum(np.r_[0, np.diff(s) != 0])
    noise = rng.normal(0.0, precision, size=(m, int(level[-1]) + 1))
    noise[:, 0] = 0.0  # S(0) = 1 is not read from the figure
    moved = s[None, :] + noise[:, level]
    if y_err is not None:
        shift, scale, pivot = y_err
        moved[:, 1:] += shift[:, None] + scale[:, None] * (s[None, 1:] - pivot)
    s_draw = np.clip(moved, 0.0, 1.0)
    if hazard is not None:
        s_draw = s_draw ** np.exp(np.asarray(hazard, dtype=float))[:, None]
    s_draw[:, s == 0] = 0.0
    if end_zero is not None and s.size > 1:
        s_draw[end_zero, -1] = 0.0
    # back to a non-increasing curve by sorting, not by a running minimum: sorting keeps the levels' sum (the
    # noise stays centred), while a running minimum pulls every level down where the noise exceeds the steps
    s_draw = -np.sort(-s_draw, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(s_draw[:, :-1] > 0, 1.0 - s_draw[:, 1:] / s_draw[:, :-1], 0.0)
    return np.clip(drop, 0.0, 1.0)
