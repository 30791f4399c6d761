"""From a KM figure image to calibrated step curves, censor marks and quality figures.

:func:`digitize_figure` reads a file; :func:`digitize_image` does the work on an RGB array:
deskew, panel and ticks (:mod:`reconstruct.digitize.axes`), calibration from hints or OCR'd tick
labels, arm separation and tracing (:mod:`reconstruct.digitize.curves`), censor marks
(:mod:`reconstruct.digitize.censor_marks`). Pixel coordinates are ``(row, col)``, origin top-left.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize import curves as _curves
from reconstruct.digitize._channels import channel_norm, minus_colour
from reconstruct.digitize.arm_split import darkness_map, recover_arms, same_paths, strokes_of
from reconstruct.digitize.axes import AxisCalibration, calibrate_axes, panels
from reconstruct.digitize.calibration_checks import check_curves_start_at_zero, check_panel_holds_start
from reconstruct.digitize.censor_marks import crossings_judged, drop_crossings, find_censor_marks
from reconstruct.digitize.colour_paths import panel_filled, trace_arms, with_orphan_shades
from reconstruct.digitize.covered_end import covered_end
from reconstruct.digitize.digitized import DigitizedArm, DigitizedFigure
from reconstruct.digitize.image import LoadedImage, estimate_skew_deg, load_image, rotate_image
from reconstruct.digitize.legend import arm_label, next_key_labels
from reconstruct.digitize.legend_veil import unveil
from reconstruct.digitize.masked_retrace import _keep_labels, _keep_tails, _keeps_curves
from reconstruct.digitize.ocr import read_text
from reconstruct.digitize.panel_lab import lab_and_background
from reconstruct.digitize.panel_text import text_mask
from reconstruct.digitize.path_pruning import drop_broken_greys, drop_duplicates, drop_fills, to_count
from reconstruct.digitize.shade_hops import shade_hops
from reconstruct.digitize.step_corners import final_drop, step_corners
from reconstruct.digitize.trace_check import INK_DELTA, bare_drop
from reconstruct.draw_noise import FLAG_SHADE_HOP_COLUMNS
from reconstruct.errors import CalibrationError, DigitizationError, DigitizationWarning, InputError, XTickLabelError
from reconstruct.io import provenance as make_provenance

__all__ = ["digitize_figure", "digitize_image"]

PANEL_INSET = 1  # pixels dropped inside the panel edges (axis-line anti-aliasing)
_MAX_WORKING_PX = 2000  # larger images are shrunk by an integer factor first
_BARE_GAP = 0.04  # share of the panel's width a trace may run over bare background before it counts as astray
_PANEL_TRIES = 3  # panels tried in turn when the tick labels of the first cannot be read


def _check_range(value: Sequence[float] | None, name: str) -> tuple[float, float] | None:
    if value is None:
        return None
    pair = tuple(float(v) for v in value)
    if len(pair) != 2 or not all(np.isfinite(pair)) or pair[1] <= pair[0]:
        raise InputError(f"{name} must be two finite tick values A < B, got {value!r}", source=name)
    return pair  # type: ignore[return-value]


def _calibrated_panel(work, gray, *, notes: list[str], **how):
    """The first panel of :func:`reconstruct.digitize.axes.panels` whose axes calibrate, and its calibration.

    A panel whose tick labels cannot be read is often not the plot (a boxed at-risk table under it): the
    next panel the finders propose is tried, up to :data:`_PANEL_TRIES` in all; when none calibrates, the
    first panel's error is raised. The x labels are put to the tick grid's vote (misread ones dropped,
    :func:`reconstruct.digitize.axis_labels.labels_on_grid`) only in a second round, on the panels whose x
    labels alone failed (:class:`reconstruct.errors.XTickLabelError`), when no panel calibrates without it:
    a panel found on part of the axis, its ticks a little off, must not win over the plot's. When the vote reads
    the first panel's x labels and that panel then fails on something else (its y axis), that error is raised:
    it, not the x labels, is what stops the run (and its hint what lets it through).
    """
    error, retry = None, []
    for k, panel in enumerate(panels(work)):
        tried: list[str] = []
        try:
            calibration = calibrate_axes(gray, panel, notes=tried, x_vote=False, **how)
        except CalibrationError as exc:
            error = error or exc
            retry += [(k, panel)] if isinstance(exc, XTickLabelError) else []
            if k + 1 >= _PANEL_TRIES:
                break
            continue
        notes.extend(tried)
        return panel, calibration
    for k, panel in retry:
        tried = []
        try:
            calibration = calibrate_axes(gray, panel, notes=tried, x_vote=True, **how)
        except XTickLabelError:
            continue
        except CalibrationError as exc:
            error = exc if k == 0 else error  # the x labels of the first panel were voted: its next failure stops it
            continue
        notes.extend(tried)
        return panel, calibration
    raise error


def digitize_image(
    rgb: NDArray[np.uint8],
    *,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    n_arms: int | None = None,
    read_labels: bool = True,
    provenance: dict[str, Any] | None = None,
    by_style: bool = False,
) -> DigitizedFigure:
    """Digitize a KM figure given as an RGB array.

    Parameters
    ----------
    rgb : ndarray of shape (rows, cols, 3), uint8
    x_range, y_range : (float, float), optional
        Values of the first and last labelled tick on each axis (y in the axis' own unit, e.g.
        ``(0, 100)`` for percent). Without them the tick labels are read by OCR; without a
        readable y axis the ticks are assumed to span 0 to 1.
    n_arms : int, optional
        Number of curves to report; without it, every curve found.
    read_labels : bool, default True
        Read each arm's legend label (OCR of the text beside its legend line in the panel).
    provenance : dict, optional
        Stored on the result.
    by_style : bool, default False
        In a figure drawn in greys only, keep the strongest curve and trace the others again in the
        shared ink by line type (:func:`reconstruct.digitize.arm_split.recover_arms`), instead of the
        paths of the grey clusters (which can piece a path together from two curves of one ink). The
        result's ``provenance["by_style_traced"]`` says whether that replaced the paths.

    Returns
    -------
    DigitizedFigure

    Raises
    ------
    CalibrationError
        Panel or ticks not found, or x tick values neither given nor readable.
    DigitizationError
        No curve found.
    """
    x_range = _check_range(x_range, "--x-range")
    y_range = _check_range(y_range, "--y-range")
    if n_arms is not None and not 1 <= int(n_arms) <= 8:
        raise InputError(f"n_arms must be a whole number from 1 to 8, got {n_arms!r}", source="--arms")
    notes: list[str] = []
    scale = max(1, int(np.ceil(max(rgb.shape[:2]) / _MAX_WORKING_PX)))
    full_gray = None
    if scale > 1:  # lines in large renders are several pixels thick; shrinking keeps them and saves time
        full_gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        rgb = cv2.resize(rgb, (rgb.shape[1] // scale, rgb.shape[0] // scale), interpolation=cv2.INTER_AREA)
    shape = (int(rgb.shape[0]), int(rgb.shape[1]))
    angle = estimate_skew_deg(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    work = rotate_image(rgb, -angle) if angle else rgb
    gray = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
    if full_gray is not None and angle:
        full_gray = cv2.cvtColor(rotate_image(cv2.cvtColor(full_gray, cv2.COLOR_GRAY2RGB), -angle), cv2.COLOR_RGB2GRAY)
    panel, (x_cal, y_cal, unit) = _calibrated_panel(work, gray, x_range=x_range, y_range=y_range, notes=notes,
                                                    ocr_gray=full_gray, ocr_scale=float(scale))
    r0, c0 = panel.row0 + PANEL_INSET, panel.col0 + PANEL_INSET
    crop = work[r0: panel.row1 - PANEL_INSET, c0: panel.col1 - PANEL_INSET]
    crop, seen_through, over_legend = unveil(crop)
    notes.extend(seen_through)
    crop_lab, crop_bg = lab_and_background(crop)
    contrast = channel_norm(minus_colour(crop_lab, crop_bg))
    drawn = contrast > INK_DELTA
    where = dict(crop=crop, lab=crop_lab, origin=(r0, c0), gray=gray, drawn=drawn, x_cal=x_cal, y_cal=y_cal,
                 n_arms=n_arms, read_labels=read_labels, by_style=by_style)
    first = None
    try:
        first = _digitize_arms(text=None, **where)
    except DigitizationError:
        if not read_labels:
            raise
    if read_labels and (first is None or any(first[2])):
        # a trace left its curve (or none fits): trace again with the words printed in the panel masked,
        # and keep that unless it loses a curve the first tracing had (a path riding on the words and on
        # other curves is none: all_kept_or_riding)
        text = text_mask(gray, (r0, c0, r0 + crop.shape[0], c0 + crop.shape[1]), drawn,
                         core=contrast > 2.0 * INK_DELTA)
        if over_legend is not None:  # and the key lines and text drawn over a legend box seen through
            text |= over_legend
        try:
            masked = _digitize_arms(text=text, **where)
        except DigitizationError:
            if first is None:
                raise
        else:
            if first is None or _keeps_curves(first, masked, text):
                kept = masked[0] if first is None else _keep_tails(_keep_labels(masked[0], first[0]), masked[1], first)
                first = (kept,) + masked[1:]
    arms, flipped, _, found = first[:4]
    check_panel_holds_start([float(a.survival[0]) for a in arms if a.survival.size],
                            left_time=float(x_cal.to_value(panel.col0)), time_per_px=abs(float(x_cal.slope)),
                            tick_values=x_cal.values)
    if by_style:  # whether the tracing by line type changed anything (else a caller's retry repeats the first run)
        provenance = {**(provenance or {}), "by_style_traced": bool(first[5])}
    notes.extend(found)
    # arms in the order of their curves from top to bottom at the end of follow-up
    arms.sort(key=lambda a: -a.survival[-1])
    labels = [a.label for a in arms if a.label]
    if len(set(labels)) < len(labels):  # one legend text found for two arms: trust neither
        arms = [dataclasses.replace(a, label=None) for a in arms]
    for note in notes:
        warnings.warn(note, DigitizationWarning, stacklevel=2)
    return DigitizedFigure(
        arms=tuple(arms), x_calibration=x_cal, y_calibration=y_cal, y_unit=unit,
        curve_kind="cumulative_incidence" if flipped else "survival",
        panel=(panel.row0, panel.col0, panel.row1, panel.col1), rotation_deg=float(angle), image_shape=shape,
        warnings=tuple(notes), provenance=provenance or {}, pixel_scale=float(scale),
    )


def _digitize_arms(*, crop, lab, origin, gray, drawn, x_cal, y_cal, n_arms, read_labels, text, by_style=False):
    """Trace the arms in the panel crop: ``(arms, flipped, strayed, notes, paths, restyled)``.

    ``paths`` holds each arm's TracedPath, in the orientation it was traced in; ``restyled``: whether the
    paths were traced again by line type (``by_style``, greys only) and replaced by others (:func:`same_paths`).

    ``strayed`` holds, for every arm, whether its trace crossed bare background: a drop with no
    stroke drawn under it, a tail cut where the trace jumped off its curve (onto a label or numbers
    printed in the panel), or a level held over bare background for more than 4% of the panel's
    width (a curve is continuous: the trace kept a level to reach a label further on instead of
    following its curve down).

    Raises
    ------
    DigitizationError
        No curve, or a curve that starts well before time 0.
    """
    notes: list[str] = []
    r0, c0 = origin
    colours, weights, paths, flipped, grid, bg_rgb = trace_arms(crop, text)
    traced = paths
    paths = drop_duplicates(drop_broken_greys(paths, colours, weights, flipped))
    if n_arms is None:  # a path traced through a ribbon is no curve, however many curves there are
        paths = drop_fills(paths, 1)
    restyled = False
    if by_style and len(paths) >= 2 and all(_curves.is_grey(colours[k].rgb) for k, _, _ in paths):
        # the strongest path of the darkest ink stays (a paler cluster can be a ribbon's); the others again by line type
        best = max(paths, key=lambda item: (-round(float(colours[item[0]].lab[0])), float(item[1].own.sum())))
        again = _recover(crop, [best], [best], colours, weights, grid, bg_rgb, flipped, int(n_arms or len(paths)),
                         notes, words=text, strokes_only=True)
        restyled = len(again) > 1 and not same_paths([p for _, p, _ in paths], [p for _, p, _ in again])
        paths = again if restyled else paths
    if n_arms is not None and len(paths) < n_arms:
        paths = _recover(crop, traced, paths, colours, weights, grid, bg_rgb, flipped, int(n_arms), notes, words=text)
    if n_arms is not None and len(paths) < n_arms:  # still short: a shade merged into another's cluster
        colours, weights, paths, flipped, grid, bg_rgb = with_orphan_shades(
            crop, text, (colours, weights, paths, flipped, grid, bg_rgb), int(n_arms), notes)
    if n_arms is not None:
        paths = to_count(paths, int(n_arms), drawn[::-1] if flipped else drawn, notes)
    arms = []
    strayed = []
    traced_px = []
    others_of = []
    n_rows = crop.shape[0]
    # the panel's paper and whether it holds translucent fill: what extra_curves tells a ribbon's band by
    # (clipped: a float32 mean of many 255s can come out at 256)
    paper = np.clip(np.round(np.asarray(bg_rgb, float)), 0, 255).astype(int)
    panel = {"panel_background": "#{:02x}{:02x}{:02x}".format(*paper),
             "panel_filled": panel_filled(crop, bg_rgb, _curves.widest_line_px(n_rows))}
    for k, path, weight in paths:
        cols, rows = step_corners(path, weight)
        if not flipped and final_drop(path, weight, rows[-1], float(y_cal.to_px(0.0)) - r0):
            cols, rows = np.r_[cols, cols[-1]], np.r_[rows, float(y_cal.to_px(0.0)) - r0]  # the last event's drop to 0
        end = cols[-1]
        cols, rows, bare_px, bare_col, cut_col = bare_drop(cols, rows, drawn[::-1] if flipped else drawn,
                                                           path.half_width, path.own,
                                                           lab=lab[::-1] if flipped else lab,
                                                           others=[p for _, p, _ in paths if p is not path])
        strayed.append(bool(bare_px > 0 or cols[-1] < end or path.bare_gap > _BARE_GAP * crop.shape[1]))
        covered = covered_end(int(round(cols[-1])), int(round(rows[-1])), drawn[::-1] if flipped else drawn,
                              crop[::-1] if flipped else crop, colours[k].rgb, bg_rgb, path.half_width)
        loose = _curves.membership(crop, bg_rgb, colours[k], loose=True)
        loose[grid] = 0.0
        mark_cols, _ = find_censor_marks(path, loose[::-1] if flipped else loose)
        if crossings_judged(colours[k].chroma):
            own = weights[k][::-1] if flipped else weights[k]  # the whole strict membership (a residual is cleared)
            mark_cols = drop_crossings(mark_cols, path, [p for j, p, _ in paths if j != k],
                                       lambda path=path, own=own: find_censor_marks(path, own)[0])
        if flipped:
            rows = n_rows - 1 - rows
        traced_px.append((cols, rows))
        time = x_cal.to_value(c0 + cols)
        value = y_cal.to_value(r0 + rows)
        others_of.append([p for j, p, _ in paths if p is not path])
        label = arm_label(gray, weights[k], path, flipped, (r0, c0), others_of[-1]) if read_labels else None
        arms.append(_make_arm(path, colours[k], time, value, x_cal, y_cal, flipped, c0 + mark_cols, label,
                              bare=(bare_px, c0 + bare_col), covered=covered, cut_px=c0 + cut_col, panel=panel))
    if read_labels:  # arms the widest stroke of their colour left unnamed: the next widest (legend.next_key_labels)
        labels = next_key_labels([a.label for a in arms], [(k, colours[k].hex) for k, _, _ in paths],
                                 lambda i: arm_label(gray, weights[paths[i][0]], paths[i][1], flipped, (r0, c0),
                                                     others_of[i], nth=1))
        arms = [a if a.label == label else dataclasses.replace(a, label=label) for a, label in zip(arms, labels)]
    arms = _with_shade_hops(arms, cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), traced_px, [k for k, _, _ in paths],
                            [p.half_width for _, p, _ in paths], x_cal, c0, abs(float(y_cal.slope)))
    check_curves_start_at_zero([float(a.time[0]) for a in arms if a.time.size], time_per_px=abs(x_cal.slope),
                               tick_values=x_cal.values, tick_px=x_cal.px_positions)
    return arms, flipped, strayed, notes, [path for _, path, _ in paths], restyled


def _with_shade_hops(arms: list[DigitizedArm], gray: NDArray[np.uint8],
                     traced_px: list[tuple[NDArray[np.float64], NDArray[np.float64]]], clusters: list[int],
                     half_widths: list[int], x_cal: AxisCalibration, c0: int, px_surv: float) -> list[DigitizedArm]:
    """``arms`` with ``quality["shade_hop"]``: the stretch ``[t0, t1]`` of its trace drawn in another arm's grey
    (:func:`reconstruct.digitize.shade_hops.shade_hops`), its measured columns and greys, and ``error``: the
    mean survival error over the whole trace that swapping the stretch puts on it at least; None when there is none.

    Parameters
    ----------
    arms : list of DigitizedArm
        The traced arms, in the order of ``traced_px``.
    gray : ndarray of shape (rows, cols), uint8
        The panel crop in grey levels.
    traced_px : list of (cols, rows)
        Each arm's step corners in crop pixels, rows top down.
    clusters : list of int
        Each arm's colour cluster index (as traced); only arms of one cluster are compared.
    half_widths : list of int
        Each arm's line half width in pixels.
    x_cal : AxisCalibration
        The time axis, from image columns.
    c0 : int
        Image column of the crop's first column.
    px_surv : float
        Survival per pixel row.
    """
    hops = shade_hops(gray, traced_px, clusters, half_widths, min_columns=FLAG_SHADE_HOP_COLUMNS)
    out = []
    for arm, hop in zip(arms, hops, strict=True):
        found = None if hop is None else {
            "time": [round(float(x_cal.to_value(c0 + hop.col0)), 4), round(float(x_cal.to_value(c0 + hop.col1)), 4)],
            "columns": hop.columns, "grey": hop.shade, "own_grey": hop.own, "other_grey": hop.of_other,
            "error": round(hop.gap_px * hop.share * px_surv, 5)}
        out.append(dataclasses.replace(arm, quality={**arm.quality, "shade_hop": found}))
    return out


def _recover(crop, traced, paths, colours, weights, grid, bg_rgb, flipped, want, notes, *, words=None,
             strokes_only=False):
    """The kept paths, or ``want`` paths when :func:`recover_arms` tells that many apart (with a note).

    ``words``: the words printed in the panel that this tracing masks (:func:`text_mask`), or None; they
    are masked in the shared ink too, so that a faint curve is not carried onto a label or a table row.
    ``strokes_only``: the shared ink without filled areas (confidence ribbons), see :func:`strokes_of`.
    """
    lab, bg = lab_and_background(crop)
    ink = (channel_norm(minus_colour(lab, bg)) > _curves.STRONG_DELTA).astype(np.float32)
    ink[grid] = 0.0
    kept = {id(item[1]) for item in paths}
    pruned = [item for item in traced if id(item[1]) not in kept]
    darkest = min(colours[k].lab[0] for k, _, _ in paths)
    darkness = darkness_map(lab, bg, darkest, grid)
    if strokes_only:
        side = 2 * _curves.widest_line_px(crop.shape[0]) + 3
        ink, darkness = strokes_of(ink, side), strokes_of(darkness, side)
    if words is not None:
        ink[words] = 0.0
        darkness[words] = 0.0
    text = _word_glyphs(crop, darkness)
    more = recover_arms(paths, pruned, colours, weights, ink, darkness=darkness, bg_rgb=bg_rgb, text=text,
                        want=want, flipped=flipped, min_cols=max(int(0.15 * crop.shape[1]), 15))
    if more is None:
        return paths
    notes.append(f"{want} arms expected, {len(paths)} told apart by colour; the other "
                 f"{want - len(paths)} found as separate paths of the same ink (line type or shade)")
    return more


def _word_glyphs(crop: NDArray[np.uint8], darkness: NDArray[np.float32]) -> NDArray[np.bool_]:
    """Glyphs of the words read in the panel crop (curve labels, legends): weak evidence for a curve.

    The glyphs, not the words' boxes: a box reaches a few pixels above and below its letters, where
    the dashes of a curve ending over its label run (:func:`reconstruct.digitize.panel_text.text_mask`).
    """
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    boxes = [box for box in read_text(gray) if any(ch.isalnum() for ch in box.text) and box.confidence >= 0.6]
    return text_mask(gray, (0, 0) + crop.shape[:2], darkness >= 0.4, boxes=boxes)


def _without_flat_lead_in(time: NDArray[np.float64], survival: NDArray[np.float64],
                          px_surv: float) -> NDArray[np.float64]:
    """Times with a lead-in before time 0 moved to 0 when the curve keeps its start level (S = 1) there.

    A trace may take in a line that touches the curve's start at its own level (a y tick mark at 100%
    joined to the curve by a grid line, a legend key in line with it): such a lead-in changes nothing
    of the curve once it starts at 0. A lead-in that falls before 0 is left for the start check to refuse.
    """
    early = time < 0.0
    if not early.any() or np.any(survival[early] < 1.0 - 2.0 * px_surv):
        return time
    return np.maximum(time, 0.0)


def _make_arm(path, colour, time, value, x_cal, y_cal, flipped, mark_px, label, *, bare,
              covered: bool = False, cut_px: float = float("nan"), panel: dict | None = None) -> DigitizedArm:
    survival = 1.0 - value if flipped else value
    px_time = abs(x_cal.slope)
    px_surv = abs(y_cal.slope)
    time = np.maximum.accumulate(np.where(np.abs(time) <= 4.0 * px_time, 0.0, time))  # axis line hides t=0
    survival = np.minimum.accumulate(np.clip(survival, 0.0, 1.0))
    if abs(survival[0] - 1.0) <= 2.0 * px_surv:
        survival[0] = 1.0
        survival = np.minimum.accumulate(survival)
    if len(x_cal.values) >= 3:  # three labels fix the axis: a flat start before time 0 is a line the trace took in
        time = _without_flat_lead_in(time, survival, px_surv)
    mark_time = x_cal.to_value(mark_px)
    mark_surv = survival[np.clip(np.searchsorted(time, mark_time, side="right") - 1, 0, None)]
    hidden = np.mean(path.own[path.start: path.stop] < 0.5) if path.stop > path.start else 1.0
    quality = {
        "coverage": round(float(path.coverage), 4),
        "columns": int(path.stop - path.start),
        "line_half_width_px": int(path.half_width),
        "hidden_share": round(float(hidden), 4),
        "survival_per_px": float(px_surv),
        "time_per_px": float(px_time),
        "bare_drop": round(float(bare[0]) * float(px_surv), 4),
        "bare_drop_time": None if bare[0] == 0 else round(float(x_cal.to_value(bare[1])), 4),
        # traced through translucent bands by continuity (ribbon_retrace): its reading is flagged (draw_noise)
        "through_ribbons": bool(getattr(path, "through_ribbons", False)),
        "covered_end": bool(covered),  # the curve runs on under a box drawn over the panel (covered_end)
        # where trace_check.bare_drop cut the trace off (it left its curve there; the curve's end is not read)
        "cut_at_time": None if np.isnan(cut_px) else round(float(x_cal.to_value(cut_px)), 4),
        **(panel or {}),  # panel_background (#rrggbb) and panel_filled: see reconstruct.extra_curves
    }
    return DigitizedArm(label, colour.hex, time, survival, mark_time, mark_surv, quality)


def digitize_figure(
    path: str | os.PathLike[str],
    *,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    n_arms: int | None = None,
    image: LoadedImage | None = None,
    by_style: bool = False,
) -> DigitizedFigure:
    """Digitize the KM figure in an image file.

    Parameters
    ----------
    path : path-like
        PNG, JPEG, TIFF or BMP.
    x_range, y_range : (float, float), optional
        Values of the first and last labelled tick (see :func:`digitize_image`).
    n_arms : int, optional
        Number of curves to report.
    image : LoadedImage, optional
        The file already loaded by :func:`reconstruct.digitize.image.load_image` (so that a caller
        that also reads the at-risk table and draws the overlay decodes it once).
    by_style : bool, default False
        See :func:`digitize_image`.

    Returns
    -------
    DigitizedFigure
        With provenance naming the file and its sha256.

    Raises
    ------
    ImageError, CalibrationError, DigitizationError
    """
    image = load_image(path) if image is None else image
    record = make_provenance(
        inputs={"figure": path},
        parameters={"x_range": x_range, "y_range": y_range, "n_arms": n_arms, "by_style": by_style},
        command="reconstruct.digitize_figure",
    )
    try:
        return digitize_image(image.rgb, x_range=x_range, y_range=y_range, n_arms=n_arms, provenance=record,
                              by_style=by_style)
    except (CalibrationError, DigitizationError) as exc:  # name the file the problem is in
        raise type(exc)(f"{os.fspath(path)}: {exc}") from None
