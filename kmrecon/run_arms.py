"""Which digitized curve each at-risk row belongs to, for ``kmrecon run``: fit, pairs, direct labels, legend order.

:func:`match_by_fit` reconstructs every assignment of rows to curves and lets labels, colours, grey
levels and the numbers (:mod:`reconstruct.arm_matching`) choose among those that fit about equally
well. When they leave the match open, names printed beside the curves in their colours are tried,
then (only where a legend was read) the legend order, which the run reports; otherwise it is an error.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from kmrecon.run_tails import swap_crossed_tails
from reconstruct.arm_matching import ArmCurve, ArmMatch, RiskRowInfo, match_arms_to_rows
from reconstruct.document import FigureDocument
from reconstruct.errors import AmbiguousMatchError, ReconstructionError
from reconstruct.extra_curves import hex_rgb
from reconstruct.quality import MATCH_MARGIN, choose_by_fit, pair_scorer

__all__ = ["hex_rgb", "match_by_fit", "match_by_agreement", "name_by_counts", "recheck_match", "swap_crossed_tails"]

# Legend keys whose centre rows differ by at most this are on one line (as reconstruct.digitize.legend_outside
# reads a legend laid out in a row); lines of a legend stacked in a column are further apart (8 px and more).
_SAME_LINE_PX = 4
_LEGEND_MATCH = "legend labels match the at-risk row labels"
_PLACED_BESIDE = "names printed beside the curves place them, by position (the at-risk row labels' names)"


def _is_vector(digitized) -> bool:
    return digitized.provenance.get("source_kind") == "vector"


def _curve_shades(document: FigureDocument, digitized) -> list[float | None]:
    """Core grey level of each digitized curve in the image (None for vector figures)."""
    if _is_vector(digitized):
        return [None] * len(digitized.arms)
    from reconstruct.digitize.arm_shades import figure_curve_shades
    from reconstruct.document import overlay_background

    return figure_curve_shades(overlay_background(document, digitized), digitized)


def _direct_labels(document: FigureDocument, digitized, rows, curves_in, *, beside: bool = True
                   ) -> tuple[list[ArmCurve], str, dict[int, str]] | None:
    """The curves relabelled with row names printed by them in their colours (flag "", or "word" if a name was read
    by its last word alone, "ink" if read in each curve's colour apart: see kmrecon.ink_match), else placed by
    position at their ends or, with ``beside``, along them (flag "ends",
    "beside"); and the names printed in full where the rows' are cut short; None when none is."""
    if _is_vector(digitized):
        return None
    from reconstruct.digitize.direct_labels import direct_label_names
    from reconstruct.document import overlay_background

    paths = [(digitized.x_calibration.to_px(c.time), digitized.y_calibration.to_px(c.survival)) for c in curves_in]
    names = direct_label_names(overlay_background(document, digitized), digitized.panel, [r.label for r in rows],
                               [c.colour for c in curves_in], paths, by_position=True,
                               row_lines=[r.row_px for r in rows], beside=beside)
    found = names.by_colour or names.by_position
    if not found:
        return None
    # a legend label that names another curve's row is dropped (the direct label outranks it)
    kept = [found.get(k, None if c.label in found.values() else c.label) for k, c in enumerate(curves_in)]
    placed = ("word" if names.by_word else "ink" if names.by_ink else "") if names.by_colour else names.placed
    return [dataclasses.replace(c, label=kept[k]) for k, c in enumerate(curves_in)], placed, names.full


def _with_marks(arms: Sequence[ArmCurve], marks: Sequence[Any] | None) -> Sequence[ArmCurve]:
    """``arms`` carrying their censor marks' times (``marks[k]`` for curve ``k``, None for none): the marks count
    the patients each curve shows leaving (follow-up)."""
    if marks is None:
        return arms
    return [dataclasses.replace(a, censor_time=None if m is None else np.asarray(m, float))
            for a, m in zip(arms, marks, strict=True)]


def _match_named(named, rows, precision, method, mark_times, time_precision, keys, curves_in=None
                 ) -> tuple[ArmMatch, str]:
    """Match again with direct labels; failing that, the legend order (said in the notes), then the fit and the
    step counts agreeing (:func:`match_by_agreement`, on ``curves_in``), else the error.

    ``named`` is :func:`_direct_labels`' answer. Names placed only by where they are printed (at the curves'
    ends, in one ink), or read by their last word alone, leave the match unsettled: the run is flagged.
    """
    if named is not None:
        curves, by_position, _ = named
        try:
            match, overridden = match_by_fit(curves, rows, precision=precision, method=method, marks=mark_times,
                                             time_precision=time_precision)
            if by_position:
                match = dataclasses.replace(match, settled=False)
                if by_position == "word":  # no legend: names told apart by their last word alone
                    words = ", ".join(f'"{w}"' for c in curves for w in (c.label or "").split()[-1:])
                    said = f"names printed by the curves match the at-risk rows by their last word ({words}); "
                    match = dataclasses.replace(match, detail=said + match.detail.removeprefix(_LEGEND_MATCH + "; "))
                    return match, overridden or f"arm matching: {match.detail}; flagged, check overlay.png"
                if by_position == "ink":  # names read in each curve's ink apart: weaker than the panel's reading
                    said = "names printed by the curves, read in each curve's colour apart, match the at-risk rows; "
                    match = dataclasses.replace(match, detail=said + match.detail.removeprefix(_LEGEND_MATCH + "; "))
                    return match, overridden or f"arm matching: {match.detail}; flagged, check overlay.png"
                if by_position == "beside" and match.basis == "label":  # no legend: names placed by where they are
                    match = dataclasses.replace(match, basis="placed names",
                                                detail=match.detail.replace(_LEGEND_MATCH, _PLACED_BESIDE))
                where = "beside them, away from their ends" if by_position == "beside" else "at their ends"
                return match, overridden or (f"arm matching: curves named by the names printed {where} (in one ink, "
                                             f"placed by position only; check overlay.png) ({match.detail})")
            return match, overridden or f"arm matching: curves named by the labels printed beside them ({match.detail})"
        except ReconstructionError:
            if by_position == "ink":  # names read in each curve's ink apart: whole names, not fragments
                from kmrecon.ink_match import ink_match

                inked = ink_match(_with_marks(curves, mark_times), rows, precision=precision, method=method,
                                  marks=mark_times, time_precision=time_precision)
                if inked is not None:
                    return inked, f"arm matching: {inked.detail}; flagged, check overlay.png"
            if keys is None:  # the curves as read (direct labels that decided nothing pin nothing)
                agreed = match_by_agreement(curves if curves_in is None else curves_in, rows, precision=precision,
                                            method=method, marks=mark_times, time_precision=time_precision)
                if agreed is None:
                    raise
                return agreed
    match = _legend_order(keys)
    return match, f"arm matching: {match.detail}"


def _legend_order(keys) -> ArmMatch:
    """Rows top to bottom in the order of the legend keys (survminer, lifelines and journal tables print them so).

    Keys ``(row, col)`` are read line by line, left to right: keys within ``_SAME_LINE_PX`` rows of a line's
    first key are on that line (a key's centre row wanders by a pixel or two along a legend laid out in a row).
    """
    by_row = sorted(range(len(keys)), key=lambda k: keys[k][0])
    line, first = {}, None
    for k in by_row:
        if first is None or keys[k][0] - first > _SAME_LINE_PX:
            first = keys[k][0]
        line[k] = first
    order = sorted(range(len(keys)), key=lambda k: (line[k], keys[k][1]))
    # curve order[i] takes row i: the rows are the inverse permutation
    return ArmMatch(rows=tuple(int(v) for v in np.argsort(order)), basis="legend order",
                    detail="at-risk rows taken in legend order (labels, colours, numbers and fit left it open)",
                    settled=False)


def _pairs_and_fit(arms, rows, fit) -> ArmMatch | None:
    """Among the pairings that labels, colours and grey levels leave open, a clear best fit; else None."""
    from reconstruct.arm_matching import pinned_assignments

    allowed, pinned = pinned_assignments(arms, rows)
    totals = sorted((fit.total(p), p) for p in allowed) if pinned and fit.allows(min(allowed, key=fit.total)) else []
    if len(totals) > 1 and np.isfinite(totals[0][0]) and totals[1][0] - totals[0][0] >= MATCH_MARGIN:
        return ArmMatch(rows=tuple(totals[0][1]), basis="pairs+fit",
                        detail=f"{pinned}; among the rest the reconstruction misfits by {totals[0][0]:.2f} tolerance "
                        f"units, the next best by {totals[1][0]:.2f}")
    return None


def match_by_fit(arms: Sequence[ArmCurve], rows: Sequence[RiskRowInfo], *, precision: float, method: str,
                 marks: Sequence[Any] | None, time_precision: float | None = None) -> tuple[ArmMatch, str]:
    """Match rows to curves by how well each assignment reconstructs, with labels and colours as tie-breakers.

    Every assignment of rows (and the names they carry) to curves is reconstructed and scored
    (:func:`reconstruct.quality.choose_by_fit`, up to 4 arms). Labels, colours or the at-risk numbers
    (:func:`match_arms_to_rows`) decide among assignments that fit within ``MATCH_MARGIN`` tolerance
    units of the best. Otherwise a clear best fit (runner-up worse by ``MATCH_MARGIN``) is taken,
    overriding them; when there is none either, the match is ambiguous and an error.

    Returns
    -------
    match : ArmMatch
    overridden : str
        A note when the fit overrode the label or colour match, else "".
    """
    arms = _with_marks(arms, marks)
    if len(arms) != len(rows) or len(arms) == 1 or len(arms) > 4:
        return match_arms_to_rows(arms, rows), ""
    fit = choose_by_fit(len(arms), len(rows), pair_scorer(arms, rows, precision=precision, method=method,
                                                          marks=marks, time_precision=time_precision))
    try:
        other = match_arms_to_rows(arms, rows)
    except ReconstructionError as err:
        if not fit.clear:
            pinned = _pairs_and_fit(arms, rows, fit)
            if pinned is None:
                raise _with_fit(err, fit, len(arms), len(rows)) from None
            return pinned, ""
        other = None
    # the fit's choice among the pairings that labels, colours or grey levels leave (a direct label may pin one curve)
    fit_rows = fit.rows
    if other is not None and other.basis.startswith("pairs+"):
        from reconstruct.arm_matching import pinned_assignments

        fit_rows = min(pinned_assignments(arms, rows)[0], key=fit.total)
    if (other is not None and "step counts" in other.basis and other.rows != fit_rows and np.isfinite(fit.score)
            and fit.allows(other.rows)):
        # Step counts are the weakest evidence and the fit prefers another assignment, by less than its margin:
        # nothing decides. Either choice swapped the arms in wild figures (the step counts in 9 of 9 with a
        # correct table named apart from the legend; the fit on a scan and with shifted tables).
        raise ReconstructionError(
            "expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous match: "
            f"the curves' step counts put rows {list(other.rows)} on them, but the reconstruction fits better "
            f"with rows {list(fit_rows)} ({fit.detail()}); name the arms with --arm-names in curve order "
            "(see overlay.png) or give --at-risk with the legend's names"
        )
    if other is not None and "step counts" in other.basis and not np.isfinite(fit.total(other.rows)):
        # Step counts are the weakest evidence. A row no curve reconstructs with (its time-0 cell set aside as
        # misread) is judged by them alone; the rest of the fit must allow their pairing, and the match is flagged
        # (sas_006: three grey curves, a row's time-0 cell misread, taken by step counts with infinite misfits).
        # A pair the fit rules out while its row reconstructs with another curve is no pairing they can prove.
        costs = np.asarray(fit.costs, float)
        judged = np.where(np.isinf(costs).all(axis=0, keepdims=True), 0.0, costs)
        partial = float(sum(judged[k, j] for k, j in enumerate(other.rows)))
        best = min(float(sum(judged[k, j] for k, j in enumerate(p)))
                   for p in itertools.permutations(range(len(rows)), len(arms)))
        if not np.isfinite(partial) or partial - best >= MATCH_MARGIN:
            raise ReconstructionError(
                "expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous match: "
                f"the curves' step counts put rows {list(other.rows)} on them, but the reconstruction does not allow "
                f"that assignment ({fit.detail()}); name the arms with --arm-names in curve order "
                "(see overlay.png) or give --at-risk with the legend's names"
            )
        return ArmMatch(rows=other.rows, basis=other.basis, settled=False,
                        detail=f"{other.detail}; a row reconstructs with no curve: the step counts alone place it, "
                        f"the fit allows the rest ({partial:.2f} tolerance units, best {best:.2f})"), ""
    if (other is not None and "follow-up rules out" in other.detail and other.rows != fit_rows
            and np.isfinite(fit.score) and fit.allows(other.rows)):
        # Follow-up counts marks and drops on the trace: marks of two overlapping curves count for both (jco_015
        # ruled out its true row so). Against the fit's preference, even within its margin, it decides nothing.
        raise ReconstructionError(
            "expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous match: "
            f"follow-up puts rows {list(other.rows)} on the curves, but the reconstruction fits better with rows "
            f"{list(fit_rows)} ({fit.detail()}); name the arms with --arm-names in curve order (see overlay.png) "
            "or give --at-risk with the legend's names"
        )
    if other is not None and (fit.allows(other.rows) or not np.isfinite(fit.score)):
        # labels, colours or numbers pick among assignments that fit about equally well
        agree = "fit agrees" if other.rows == fit.rows else "fit allows it"
        return ArmMatch(rows=other.rows, basis=other.basis, detail=f"{other.detail}; {agree}: {fit.detail()}",
                        settled=other.settled and (other.rows == fit.rows or "step counts" not in other.basis)), ""
    if not fit.clear:
        raise ReconstructionError(
            "expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous match: "
            f"the {other.basis} match misfits by "
            f"{fit.total(other.rows):.2f} tolerance units while two other assignments fit within "
            f"{MATCH_MARGIN:g} of each other ({fit.score:.2f}, {fit.runner_up:.2f}); name the arms with "
            "--arm-names in curve order (see overlay.png) or give --at-risk with those names"
        )
    note = ""
    if other is not None:
        note = (f"the {other.basis} match put rows {list(other.rows)} on the curves, but the fit clearly prefers "
                f"rows {list(fit.rows)} ({fit.detail()}); the rows and their names follow the fit")
    return ArmMatch(rows=fit.rows, basis="fit", detail=fit.detail()), note


def _with_fit(err: ReconstructionError, fit: Any, n_arms: int, n_rows: int) -> ReconstructionError:
    """The ambiguity error ``err`` of :func:`match_arms_to_rows` with what the fit says in its last reason."""
    if not isinstance(err, AmbiguousMatchError) or not err.reasons:
        return err
    names, others = err.reasons[0], err.reasons[1:]
    if not np.isfinite(fit.score):
        last = "no assignment's reconstruction fits the curves"
        return err.because((names, f"{others[0]}, and {last}" if others else last))
    # the fit's best two, to say whether it rates the same pairings alike as the numbers and the step counts
    ranked = sorted(itertools.permutations(range(n_rows), n_arms), key=fit.total)[:2]
    ours = [list(p) for p in ranked]
    if others and sorted(ours) == sorted(list(p) for p in err.close):
        numbers = others[0].startswith("the at-risk numbers")
        last = (f"the {'at-risk numbers, the ' if numbers else ''}step counts and the fit rate rows "
                f"{list(err.close[0])} and {list(err.close[1])} about equally"
                + ("" if numbers else ", the at-risk numbers single out none"))
    else:
        last = f"the fit rates rows {ours[0]} and {ours[1]} about equally"
        last = f"{others[0]}, {last}" if others else last
    return err.because((names, last))


def match_by_agreement(arms: Sequence[ArmCurve], rows: Sequence[RiskRowInfo], *, precision: float, method: str,
                       marks: Sequence[Any] | None, time_precision: float | None = None) -> tuple[ArmMatch, str] | None:
    """The assignment that the fit and the step counts both prefer, when together they clear a margin; else None.

    The last resort after labels, colours, numbers, direct labels and the legend order left the match open.
    Among the assignments labels, colours and grey levels leave (:func:`reconstruct.arm_matching.pinned_assignments`),
    the reconstruction's fit (:func:`reconstruct.quality.choose_by_fit`) and the curves' step counts
    (:func:`reconstruct._arm_fallback.step_count_costs`) must put the same assignment first, and follow-up
    (:func:`reconstruct.arm_matching.follow_up_exclusions`) must not rule it out. Follow-up then narrows the
    pairings the margins are measured against (when it leaves two or more), never which one each source prefers:
    a bad trace's follow-up ruled out rms_006's true pairing, and among the rest both sources preferred a swap.
    Each margin over its runner-up counts as a share of the margin that source needs to decide alone
    (``MATCH_MARGIN``, ``STEP_MARGIN``): two sources agreeing add their shares, and the shares must reach 1
    (pdf_013: the fit by 0.94 of its margin, the step counts by 0.38 of theirs); each margin must be above 0 (a
    tie is no preference) and the fit must allow the assignment (``fit.allows``). The KM bound must not speak
    against it among all the pairings labels and colours leave. The match is unsettled (the run is flagged):
    both sources failed alone in wild figures.
    """
    from reconstruct._arm_fallback import STEP_MARGIN, step_count_costs
    from reconstruct.arm_matching import follow_up_exclusions, numbers_costs, pinned_assignments

    if len(arms) != len(rows) or not 2 <= len(arms) <= 4:
        return None
    arms = _with_marks(arms, marks)
    allowed, pinned = pinned_assignments(arms, rows)
    if len(allowed) < 2:
        return None
    fit = choose_by_fit(len(arms), len(rows), pair_scorer(arms, rows, precision=precision, method=method,
                                                          marks=marks, time_precision=time_precision))
    steps = step_count_costs(arms, rows)
    by_steps = {p: float(sum(steps[k, j] for k, j in enumerate(p))) for p in allowed}
    # each source's best over every pairing labels and colours leave (a tie for first is no preference), which the
    # fit must allow at all (as _pairs_and_fit)
    fit_all, steps_all = sorted((fit.total(p), p) for p in allowed), sorted((by_steps[p], p) for p in allowed)
    best = fit_all[0][1]
    if (best != steps_all[0][1] or fit_all[1][0] <= fit_all[0][0] or steps_all[1][0] <= steps_all[0][0]
            or not fit.allows(best)):
        return None
    excluded = follow_up_exclusions(arms, rows)
    if any(excluded[k, j] for k, j in enumerate(best)):
        return None
    kept = [p for p in allowed if not any(excluded[k, j] for k, j in enumerate(p))]
    narrowed = 2 <= len(kept) < len(allowed)
    by_fit, by_step = fit_all, steps_all  # the margins' field: every pairing, or those follow-up keeps
    if narrowed:
        by_fit, by_step = [f for f in fit_all if f[1] in kept], [s for s in steps_all if s[1] in kept]
    if not np.isfinite(by_fit[1][0]) or not np.isfinite(by_step[1][0]):
        return None
    fit_margin, step_margin = by_fit[1][0] - by_fit[0][0], by_step[1][0] - by_step[0][0]
    share = fit_margin / MATCH_MARGIN + step_margin / STEP_MARGIN
    numbers = numbers_costs(arms, rows)
    bound = float(sum(numbers[k, j] for k, j in enumerate(best)))
    if share < 1.0 or bound - min(float(sum(numbers[k, j] for k, j in enumerate(p))) for p in allowed) > 0.0:
        return None
    said = [pinned] if pinned else []
    if narrowed:
        nth = ("first", "second", "third", "fourth")
        out = ", ".join(f"the {nth[j]} row on the {nth[k]} curve" for k, j in zip(*np.nonzero(excluded), strict=True))
        said.append(f"follow-up rules out {out}")
    detail = "; ".join([*said, f"the reconstruction and the curves' step counts both prefer rows {list(best)} (fit "
                        f"{by_fit[0][0]:.2f} against {by_fit[1][0]:.2f} tolerance units, step counts "
                        f"{by_step[0][0]:.3g} against {by_step[1][0]:.3g}; together {share:.2f} of the margin either "
                        "needs alone)"])
    basis = "+".join([*(["pairs"] if pinned else []), *(["follow-up"] if narrowed else []), "fit+step counts"])
    match = ArmMatch(rows=tuple(int(v) for v in best), basis=basis, detail=detail, settled=False)
    return match, f"arm matching: {detail}; neither decides alone, so the run is flagged (check overlay.png)"


def name_by_counts(arms: Sequence[ArmCurve], n_patients: dict[str, int], *, precision: float, method: str,
                   marks: Sequence[Any] | None, time_precision: float | None = None) -> tuple[list[str], str]:
    """Curve names for the arms of ``--n`` when they are not the names read from the figure.

    Each named count is a one-cell at-risk row (time 0) labelled with its name, matched to the curves
    as a table's rows are (:func:`match_by_fit`: legend labels, one unlabelled curve by elimination, then
    the fit of each assignment's reconstruction). The names follow the match.

    Returns
    -------
    names : list of str
        Name of each curve, in curve order.
    note : str
        How the names were matched, for the report.

    Raises
    ------
    ReconstructionError
        When there are more or fewer curves than named counts, or nothing decides which count is whose.
    """
    given = list(n_patients)
    if len(given) != len(arms):
        raise ReconstructionError(
            f"expected one curve per arm given with --n ({len(given)}: {given}), got {len(arms)} curves; "
            "check the curves found (see overlay.png) and name them with --arm-names in curve order"
        )
    rows = [RiskRowInfo(label=name, colour=None, time=np.zeros(1), n_risk=np.array([int(n_patients[name])]))
            for name in given]
    try:
        match, overridden = match_by_fit(arms, rows, precision=precision, method=method, marks=marks,
                                         time_precision=time_precision)
    except ReconstructionError:
        match = None
    if match is None or not match.settled:  # weak evidence: with no table, nothing later would flag a swap
        raise ReconstructionError(
            f"expected curves that the arms given with --n ({given}) can be matched to by legend label or by fit, "
            "got an ambiguous match; name the curves with --arm-names in curve order (see overlay.png)"
        )
    names = [given[j] for j in match.rows]
    note = overridden or f"arm names: the arms given with --n matched to the curves by {match.basis} ({match.detail})"
    return names, note


BY_PRINT = ("single", "label", "colour", "pairs", "legend order", "placed names")
"""Match bases decided by what is printed (row and legend labels, colours, the legend's order), not by the
rows' numbers (a legend-order match, made when the numbers decided nothing, is flagged as unsettled)."""


def recheck_match(match: ArmMatch, arms: Sequence[ArmCurve], rows: Sequence[RiskRowInfo],
                  cleaned: Sequence[RiskRowInfo], *, precision: float, method: str, marks: Sequence[Any] | None,
                  time_precision: float | None = None) -> None:
    """Raise when a match the numbers decided does not hold once the curves set more misread cells aside.

    The rows were matched to the curves with the cells that make a row increase set aside; the curves then
    set aside more (cells above what a curve lets survive). A match decided by numbers or fit rested on
    those cells too, and misread cells can put an arm's numbers on another curve (jco_008: the two arms
    named the other way round): the rows are matched again without them, and anything but the same match
    is an ambiguity error.

    Parameters
    ----------
    match : ArmMatch
        The match made on ``rows``.
    arms : sequence of ArmCurve
    rows : sequence of RiskRowInfo
        The rows it was made on, in table order.
    cleaned : sequence of RiskRowInfo
        ``cleaned[k]`` is the row of ``arms[k]`` (``rows[match.rows[k]]``) with the curve's set-asides.
    precision, method, marks, time_precision
        As for :func:`match_by_fit`.

    Raises
    ------
    ReconstructionError
        When the rows without the cells set aside match otherwise, or cannot be matched.
    """
    if match.basis in BY_PRINT or len(arms) < 2:
        return
    if all(len(cleaned[k].n_risk) >= len(rows[j].n_risk) for k, j in enumerate(match.rows)):
        return
    again = list(rows)
    for k, j in enumerate(match.rows):
        again[j] = cleaned[k]
    hint = "name the arms with --arm-names in curve order (see overlay.png) or give --at-risk with the legend's names"
    try:
        second, _ = match_by_fit(arms, again, precision=precision, method=method, marks=marks,
                                 time_precision=time_precision)
    except ReconstructionError as err:
        why = "; ".join(err.reasons) if isinstance(err, AmbiguousMatchError) else ""
        raise ReconstructionError(
            "expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous match: "
            f"the {match.basis} put rows {list(match.rows)} on the curves with cells the curves show misread, "
            f"and nothing decides without them{f' ({why})' if why else ''}; {hint}") from None
    if tuple(second.rows) != tuple(match.rows):
        raise ReconstructionError(
            "expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous match: "
            f"the {match.basis} put rows {list(match.rows)} on the curves with cells the curves show misread, "
            f"rows {list(second.rows)} without them; {hint}")
