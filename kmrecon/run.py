"""From a KM figure to reconstructed IPD in one call: digitize, read or take the at-risk table, match arms, reconstruct.

The statistics and the report on the result live in :mod:`compare` and :mod:`figures`; the
``kmrecon run`` command chains them.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reconstruct.document import FigureDocument, open_document
from reconstruct.arm_matching import ArmCurve, ArmMatch, name_key
from reconstruct.arm_names import crossed_note
from reconstruct.io import provenance
from reconstruct.legend_counts import legend_counts
from reconstruct.quality import MATCH_MARGIN, misfit_message, score_arm
from reconstruct.reconstruction import reconstruct_ipd
from reconstruct.results import IPDReconstruction
from reconstruct.visibility import panel_exits
from kmrecon.run_arms import (
    _curve_shades,
    _direct_labels,
    _is_vector,
    _match_named,
    hex_rgb,
    match_by_agreement,
    match_by_fit,
    name_by_counts,
    swap_crossed_tails,
)
from kmrecon.run_refit import refit_thick_strokes, unfit_refit_note
from kmrecon.run_style import Traced, run_or_by_style
from kmrecon.run_table import TableCell, _table_cells, figure_rows, file_rows, mend_matched_rows
from reconstruct.errors import (
    DigitizationWarning,
    InputError,
    MisfitError,
    ReconstructionError,
    ReconstructionWarning,
)

__all__ = ["FigureRun", "TableCell", "run_figure", "match_by_fit"]


@dataclass(frozen=True, eq=False)
class FigureRun:
    """Everything ``kmrecon run`` derives from one figure.

    Attributes
    ----------
    digitized : DigitizedFigure
        Curves, censor marks and calibration read from the figure.
    arm_names : tuple of str
        Final name of each digitized arm, in digitizer order.
    at_risk : DataFrame
        The at-risk table used (``arm, time, n_risk``); empty when reconstructing from ``n`` only.
    at_risk_source : {"figure", "file", "none"}
        Where the at-risk numbers came from.
    match : ArmMatch or None
        How arms were matched to at-risk rows (None without a table).
    reconstruction : IPDReconstruction
    document : FigureDocument
        The input, opened once: the overlay and the at-risk reader use what the digitizer loaded.
    precision : float
        Precision (survival units) used for the step heights: half a pixel of the y axis (an arm in
        ``refit_arms`` used its own, ``provenance["parameters"]["refit_precision"]``).
    warnings : tuple of str
        Digitizer warnings plus the run's own (e.g. no table).
    provenance : dict
    status : {"ok", "misfit"}
        ``"misfit"`` when an arm's reconstruction does not fit the figure (see :mod:`reconstruct.quality`).
    fit : tuple of ArmFit
        Fit score of every arm, in digitizer order.
    exits : tuple of PanelExit
        Arms whose curve leaves the panel (truncated survival axis, or cut at the right end):
        statistics needing the curve after the exit are reported NE.
    draws : IPDDraws or None
        Plausible IPD sets around the reconstruction (:func:`reconstruct.draw_ipd`, with the
        figure's precisions); ``draws.to_frame()`` is the long table ``draw, arm, time, event``.
        None when turned off or skipped (``draws_note`` says why).
    draws_note : str
        Why there are no draws, else "".
    table_notes : tuple of str
        The warnings about at-risk cells set aside, missing or taken from the curve (for the report).
    table_cells : tuple of TableCell
        Every cell of the at-risk table read from an image: read, taken from the curve (time 0) or
        missing, with its pixel row, for the overlay; empty for a table from a file or vector text.
    misread_arms : tuple of str
        Arms whose at-risk row read from the image had cells set aside as misread (the row broke the
        order of numbers at risk): its other cells may be misread too, so the reading is flagged.
    swapped_tails : tuple of TailSwap
        Pairs of same-ink arms whose traces' tails were exchanged where they met
        (:func:`kmrecon.run_arms.swap_crossed_tails`): both arms' readings are flagged.
    refit_arms : tuple of str
        Arms of thick stroke that misfit and fit once solved with their step heights trusted to the stroke
        (:mod:`kmrecon.run_refit`): their readings are flagged.
    """

    digitized: Any
    arm_names: tuple[str, ...]
    at_risk: pd.DataFrame
    at_risk_source: str
    match: ArmMatch | None
    reconstruction: IPDReconstruction
    document: FigureDocument
    precision: float
    warnings: tuple[str, ...]
    provenance: dict[str, Any]
    status: str = "ok"
    fit: tuple[Any, ...] = ()
    exits: tuple[Any, ...] = ()
    draws: Any = None
    draws_note: str = ""
    table_cells: tuple[TableCell, ...] = ()
    table_notes: tuple[str, ...] = ()
    misread_arms: tuple[str, ...] = ()
    swapped_tails: tuple[Any, ...] = ()
    refit_arms: tuple[str, ...] = ()


def _prefix_of(part: str, whole: str) -> bool:
    """True when ``whole`` goes on past ``part`` (letters and digits, any case): a name cut short at the edge."""
    a, b = name_key(part), name_key(whole)
    return bool(a) and a != b and b.startswith(a)


def _fragment_of(part: str, whole: str) -> bool:
    """True when ``part`` is a proper piece of ``whole`` (letters and digits, any case)."""
    a, b = name_key(part), name_key(whole)
    return bool(a) and a != b and a in b


def _arm_curves(document: FigureDocument, fig, arm_names, notes: list[str], *, shades: bool):
    """``(labels, legend keys or None, printed n per arm, ArmCurve per arm)`` of the digitized arms.

    With ``shades`` (the table is read from the figure) each curve also carries its grey level, for arm
    matching by the grey of each row's key.
    """
    labels = list(arm_names) if arm_names else [a.label for a in fig.arms]
    keys = None
    if not arm_names and not _is_vector(fig) and any(lab is None for lab in labels):
        keys = _outside_legend(document, fig, labels, notes)
    printed_n: list[int | None] = [None] * len(labels)
    if not arm_names:  # "Sorafenib (n=125)": the name is "Sorafenib", 125 patients
        labels, printed_n = legend_counts(labels)
    grey = _curve_shades(document, fig) if shades and len(fig.arms) > 1 else [None] * len(fig.arms)
    curves_in = [
        ArmCurve(label=labels[k], colour=hex_rgb(a.colour), time=np.asarray(a.time), survival=np.asarray(a.survival),
                 shade=grey[k])
        for k, a in enumerate(fig.arms)
    ]
    return labels, keys, printed_n, curves_in


def _names_of_counts(curves_in, names: list[str], n_patients: Mapping[str, int] | None, notes: list[str], *,
                     precision: float, method: str, time_precision: float, marks) -> list[str]:
    """The curves' names, matched to those given with ``--n`` when the legend does not print them all (or was
    not read for them): matched, not taken as a typo of the user's (:func:`kmrecon.run_arms.name_by_counts`).
    ``n_patients`` is None when the user named the curves (--arm-names): their names are then theirs to fix."""
    if not n_patients or set(n_patients) <= set(names):
        return names
    matched, note = name_by_counts(curves_in, dict(n_patients), precision=precision, method=method, marks=marks,
                                   time_precision=time_precision)
    notes.append(note)
    return matched


def _digitize_for_rows(document: FigureDocument, first, n_rows: int, notes: list[str], **where):
    """The figure digitized again looking for ``n_rows`` curves, or None when that many were not told apart (a
    re-tracing that left curves of ``first`` out: see :func:`reconstruct.extra_curves.kept_for_rows`)."""
    from reconstruct.digitize.path_pruning import TRUNCATED_NOTE
    from reconstruct.document import digitize_document
    from reconstruct.extra_curves import kept_for_rows

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DigitizationWarning)
        again = digitize_document(document, n_arms=n_rows, **where)
    arms, said = kept_for_rows(first.arms, again.arms, again.x_calibration.values, n_rows,
                               [str(w.message) for w in caught], truncated=TRUNCATED_NOTE)
    if arms is None:
        return None
    notes.extend(m for m in said if m not in notes)
    same = all(a is b for a, b in zip(arms, again.arms, strict=True))
    return again if same else dataclasses.replace(again, arms=arms)


def _digitize_for_names(document: FigureDocument, fig, n_names: int, notes: list[str], **where):
    """The figure digitized again for ``n_names`` curves (--arm-names); InputError when they are not had."""
    again = _digitize_for_rows(document, fig, n_names, notes, **where) if n_names <= 4 else None
    if again is None:
        raise InputError(f"--arm-names: expected {len(fig.arms)} names (curves found), got {n_names}")
    return again


def _outside_legend(document: FigureDocument, digitized, labels: list, notes: list[str]):
    """Fill missing arm labels from legend keys outside the panel; return the keys' (row, col) or None."""
    from reconstruct.digitize.legend_outside import legend_keys_outside
    from reconstruct.document import overlay_background

    if len(digitized.arms) < 2:
        return None
    colours = [hex_rgb(a.colour) for a in digitized.arms]
    # grey curves' keys are found by grey level (a black and a grey arm in Prism)
    grey = any(c is not None and max(c) - min(c) < 40 for c in colours)
    found = legend_keys_outside(overlay_background(document, digitized), digitized.panel, colours,
                                shades=_curve_shades(document, digitized) if grey else None)
    read = [label for label, _ in found]
    named = [r for r in read if r]
    if any(lab is None for lab in labels) and named and len(set(named)) == len(named):
        labels[:] = [lab or r for lab, r in zip(labels, read, strict=True)]
        notes.append("arm labels read from the legend outside the panel")
    keys = [key for _, key in found]
    return keys if all(k is not None for k in keys) else None


def run_figure(
    path: str | os.PathLike[str],
    *,
    at_risk_path: str | os.PathLike[str] | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    arm_names: Sequence[str] | None = None,
    n_patients: Mapping[str, int] | None = None,
    total_events: Mapping[str, int] | None = None,
    method: str = "steps",
    use_censor_marks: bool = True,
    page: int | None = None,
    index: int | None = None,
    accept_misfit: bool = False,
    draws: int | None = None,
    seed: int = 0,
) -> FigureRun:
    """Digitize a KM figure and reconstruct the IPD of every arm.

    Parameters
    ----------
    path : path-like
        Figure: an image (PNG, JPEG, TIFF, BMP), a PDF or an SVG. Vector plots in a PDF or SVG are
        read from their drawing operations and text (exact coordinates, no OCR).
    at_risk_path : path-like, optional
        At-risk CSV (``arm,time,n_risk``); otherwise the table printed under the plot is read.
    x_range, y_range : (float, float), optional
        Values of the first and last labelled ticks (hints; otherwise read by OCR).
    arm_names : sequence of str, optional
        Names of the curves in digitizer order (see ``overlay.png``); also fixes the number of arms.
    n_patients : mapping of arm to int, optional
        Patients per arm, for figures without an at-risk table.
    total_events : mapping of arm to int, optional
        Reported total events per arm.
    method : {"steps", "guyot"}
        Reconstruction method (see :func:`reconstruct.reconstruct_arm`).
    use_censor_marks : bool, default True
        Place censored patients at the censor marks found on the curves.
    page, index : int, optional
        Which plot of a PDF (``page``) or of a page / SVG (``index``), 1-based.
    accept_misfit : bool, default False
        Return a reconstruction that does not fit the figure (``status == "misfit"``) instead of raising.
    draws : int or None, default None
        Plausible IPD sets drawn around the reconstruction (``FigureRun.draws``), as ``kmrecon run``:
        None draws :data:`reconstruct.DEFAULT_DRAWS` when that is expected to take under 2 s
        (:func:`reconstruct.draw_budget.draw_count`), 0 none.
    seed : int, default 0
        Seed of the draws (the same inputs and seed give the same draws byte for byte).

    Returns
    -------
    FigureRun

    Raises
    ------
    InputError
        For unreadable inputs or names that do not fit the figure.
    ReconstructionError
        When arms and at-risk rows cannot be matched without guessing, or neither a table nor
        ``n_patients`` is available.
    MisfitError
        When an arm's reconstruction misses its digitized curve beyond the digitization precision or
        its table contradicts the curve (unless ``accept_misfit``); ``error.result`` is the flagged run.
    """
    options = dict(at_risk_path=at_risk_path, x_range=x_range, y_range=y_range, arm_names=arm_names,
                   n_patients=n_patients, total_events=total_events, method=method, use_censor_marks=use_censor_marks,
                   page=page, index=index, accept_misfit=accept_misfit, draws=draws, seed=seed)
    return run_or_by_style(open_document(path), options, _run_once)


def _run_once(document: FigureDocument, *, at_risk_path, x_range, y_range, arm_names, n_patients, total_events,
              method, use_censor_marks, page, index, accept_misfit, draws, seed, seen: list[Traced],
              by_style: bool = False, prior_notes: Sequence[str] = ()) -> FigureRun:
    """:func:`run_figure` on an open document; appends how far it got to ``seen`` (a :class:`Traced`: the first
    digitized figure, then the number of at-risk rows read); ``by_style``: see
    :func:`reconstruct.digitize.figure.digitize_image`; ``prior_notes`` open the run's notes."""
    from reconstruct.document import digitize_document

    path = document.path
    notes: list[str] = list(prior_notes)  # e.g. why the curves were traced again by line type
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DigitizationWarning)
        fig = digitize_document(document, page=page, index=index, x_range=x_range, y_range=y_range, by_style=by_style)
    seen.append(Traced(fig))
    if by_style and not fig.provenance.get("by_style_traced", False):
        raise ReconstructionError("expected curves traced again by line type, got the first tracing's paths again; "
                                  "nothing to retry")
    notes.extend(str(w.message) for w in caught)
    if arm_names and len(arm_names) != len(fig.arms):  # the names say how many curves to look for
        fig = _digitize_for_names(document, fig, len(arm_names), notes, page=page, index=index, x_range=x_range,
                                  y_range=y_range, by_style=by_style)
    labels, keys, printed_n, curves_in = _arm_curves(document, fig, arm_names, notes, shades=at_risk_path is None)
    # How far a step height can be trusted: half a pixel of the survival axis for an image; for a
    # vector figure 0.005 pt, half the coarsest coordinate rounding seen in PDF writers (R: 0.01 pt).
    unit = float(abs(fig.y_calibration.to_value(1.0) - fig.y_calibration.to_value(0.0)))
    precision = max((0.005 if _is_vector(fig) else 0.5) * unit, 1e-9)
    # How far a step time can be off: two pixels of the time axis (the bound check allows for it).
    x_unit = float(abs(fig.x_calibration.to_value(1.0) - fig.x_calibration.to_value(0.0)))
    time_precision = (0.01 if _is_vector(fig) else 2.0) * x_unit
    rows = file_rows(at_risk_path) if at_risk_path is not None else figure_rows(document, fig, notes)
    seen[-1] = dataclasses.replace(seen[-1], n_rows=len(rows))
    source = "file" if at_risk_path is not None else ("figure" if rows else "none")
    # the table's rows (else the arms given patients) say how many curves to look for: more when some were
    # not told apart, fewer when a line was traced twice (only paths joined to another by solid ink are
    # dropped; see drop_stroke_edges)
    want = 0 if arm_names else len(rows) or len(n_patients or {})
    if 0 < want <= 4 and want != len(fig.arms):
        again = _digitize_for_rows(document, fig, want, notes, page=page, index=index, x_range=x_range, y_range=y_range,
                                   by_style=by_style)
        if again is not None:
            fig = again
            labels, keys, printed_n, curves_in = _arm_curves(document, fig, arm_names, notes,
                                                             shades=at_risk_path is None)
    table_notes: list[str] = []
    misread_arms: list[str] = []
    if source == "figure":  # a cell that makes its row increase is a misread: set aside, named in the notes
        from reconstruct.table_gaps import rows_with_holes, set_aside_increasing

        as_read = list(rows)
        rows, _ = set_aside_increasing(rows)  # said in the notes once the rows are matched to their curves
        # a row with a cell set aside, read in doubt or not read at all may hold more misreads
        doubtful = [len(a.n_risk) != len(b.n_risk) or a.read_alone or hole
                    for a, b, hole in zip(as_read, rows, rows_with_holes(as_read), strict=True)]
    match = None
    mark_times = [np.asarray(a.censor_time) if len(a.censor_time) else None for a in fig.arms] if use_censor_marks \
        else None
    named = None
    if rows:
        try:
            match, overridden = match_by_fit(curves_in, rows, precision=precision, method=method, marks=mark_times,
                                             time_precision=time_precision)
        except ReconstructionError:
            named = (_direct_labels(document, fig, rows, curves_in, beside=keys is None) if len(rows) == len(fig.arms)
                     else None)
            if named is None and (keys is None or len(rows) != len(fig.arms)):
                agreed = match_by_agreement(curves_in, rows, precision=precision, method=method, marks=mark_times,
                                            time_precision=time_precision)
                if agreed is None:
                    raise
                match, overridden = agreed
            else:
                match, overridden = _match_named(named, rows, precision, method, mark_times, time_precision, keys,
                                                 curves_in)
        if overridden:
            notes.append(overridden)
        elif match.basis == "step counts":
            notes.append(f"arm matching: {match.detail}")
        # Names: --arm-names, then those of a user's at-risk file, then legend labels, then printed row labels
        # (these first when the labels did not decide the match);
        # when the fit overrode the labels, the rows' own names travel with the rows.
        given = [rows[match.rows[k]].label for k in range(len(fig.arms))]
        user_rows = at_risk_path is not None and not arm_names
        # when the legend labels did not decide the match, the labels printed beside the rows name them
        printed = not arm_names and match.basis != "label" and all(given) and len(set(given)) == len(given)
        first, second = (given, labels) if user_rows or overridden or printed else (labels, given)
        names = [first[k] or second[k] or f"arm{k + 1}" for k in range(len(fig.arms))]
        if match.basis == "label" and not arm_names:  # a legend label read in part ("on") takes its row's name
            names = [given[k] if given[k] and _fragment_of(names[k], given[k]) else names[k]
                     for k in range(len(fig.arms))]
        if named is not None and not arm_names and at_risk_path is None:  # a row name cut short, printed in full
            full = named[2]
            names = [full[k] if k in full and _prefix_of(names[k], full[k]) else names[k] for k in range(len(names))]
        crossed = crossed_note(labels, given) if not (arm_names or user_rows or overridden) else ""
        if crossed:  # the legend names one curve as the table names another: the names are in doubt
            notes.append(crossed)
    else:
        names = [lab or f"arm{k + 1}" for k, lab in enumerate(labels)]
        names = _names_of_counts(curves_in, names, None if arm_names else n_patients, notes, precision=precision,
                                 method=method, time_precision=time_precision, marks=mark_times)
        if not n_patients and all(c is not None for c in printed_n):
            n_patients = {names[k]: int(c) for k, c in enumerate(printed_n)}
            notes.append("no at-risk table: the number of patients per arm was read from the legend ("
                         + ", ".join(f"{k} n={v}" for k, v in n_patients.items()) + "); check it against the paper")
        if not n_patients:
            raise ReconstructionError(
                "expected a number-at-risk table under the plot, got none; pass --at-risk AT_RISK.csv or the "
                "number of patients per arm with --n ARM=N"
            )
        notes.append("no at-risk table: reconstructed from the number of patients per arm only")
    if len(set(names)) != len(names):
        raise InputError(f"expected distinct arm names, got {names}; pass --arm-names")
    if match is not None:  # a legend's "(n=125)" against the table's time-0 cell: a mismatch is worth a look
        for k, j in enumerate(match.rows):
            at_zero = np.asarray(rows[j].n_risk)[np.isclose(np.asarray(rows[j].time, float), 0.0)]
            if printed_n[k] is not None and at_zero.size and int(at_zero[0]) != printed_n[k]:
                notes.append(f"{names[k]}: the legend prints n={printed_n[k]} but the at-risk table starts at "
                             f"{int(at_zero[0])}; check which is right")
    table_cells: tuple = ()
    if match is not None and source == "figure":  # cells the OCR missed: named in the notes, time 0 filled
        mended = mend_matched_rows(as_read, rows, doubtful, match, curves_in, printed_n, recheck=not arm_names,
                                   precision=precision, method=method, marks=mark_times,
                                   time_precision=time_precision,
                                   x_end=float(fig.x_calibration.to_value(fig.panel[3])))
        notes.extend(mended.misread)
        table_notes.extend(mended.misread)
        table_cells = _table_cells(mended.read, mended.filled, names)
        misread_arms = [names[k] for k in range(len(match.rows)) if mended.doubt[k]]
        rows = list(rows)
        for k, j in enumerate(match.rows):
            rows[j] = mended.filled[k]
        notes.extend(mended.gaps)
        table_notes.extend(mended.gaps)
    table = pd.DataFrame(columns=["arm", "time", "n_risk"])
    x_end = float(fig.x_calibration.to_value(fig.panel[3])) - time_precision  # a table beyond the axis: not seen
    swapped_tails: tuple = ()
    if match is not None:  # traces of one ink, crossed: flagged on the reading (run_draws._run_flags)
        fig, swapped_tails = swap_crossed_tails(fig, [rows[j] for j in match.rows], names, notes, time_limit=x_end)
        table = pd.concat(
            [pd.DataFrame({"arm": names[k], "time": rows[j].time, "n_risk": rows[j].n_risk})
             for k, j in enumerate(match.rows)],
            ignore_index=True,
        )
    curves = pd.concat(
        [pd.DataFrame({"arm": names[k], "time": a.time, "survival": a.survival}) for k, a in enumerate(fig.arms)],
        ignore_index=True,
    )
    marks = pd.concat(
        [pd.DataFrame({"arm": names[k], "time": a.censor_time}) for k, a in enumerate(fig.arms)], ignore_index=True
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReconstructionWarning)
        result = reconstruct_ipd(
            curves,            table if match is not None else None,
            n_patients=n_patients,
            total_events=total_events,
            method=method,
            precision=precision,
            censor_marks=marks if use_censor_marks and len(marks) else None,
            source=os.fspath(path),
        )
    solve_notes = [str(w.message) for w in caught if issubclass(w.category, ReconstructionWarning)]
    params = {
        "x_range": x_range, "y_range": y_range, "page": page, "index": index,
        "arm_names": list(arm_names or []), "method": method,
        "use_censor_marks": use_censor_marks, "precision": precision, "n_patients": dict(n_patients or {}),
        "total_events": dict(total_events or {}), "at_risk_source": source,
        "arm_match": None if match is None else {"basis": match.basis, "detail": match.detail},
        "match_margin": MATCH_MARGIN, "by_style": by_style,
    }
    prov = provenance(inputs={"figure": path, "at_risk": at_risk_path}, parameters=params,
                      command="reconstruct.run_figure")
    def score(result: IPDReconstruction) -> tuple:  # every arm against its trace and row: the same check for a refit
        return tuple(
            score_arm(names[k], a.time, a.survival, result[names[k]].time, result[names[k]].event,
                      precision=precision, table_time=None if match is None else rows[match.rows[k]].time,
                      n_risk=None if match is None else rows[match.rows[k]].n_risk, time_precision=time_precision,
                      bare_drop=float(a.quality.get("bare_drop") or 0.0),
                      bare_drop_time=a.quality.get("bare_drop_time"), time_limit=x_end,
                      covered_end=bool(a.quality.get("covered_end", False)),
                      cut_at_time=a.quality.get("cut_at_time"))
            for k, a in enumerate(fig.arms)
        )

    fits = score(result)
    refit = None if _is_vector(fig) or not any(f.misfit for f in fits) else refit_thick_strokes(
        result, fig, names, fits, score, curves=curves, table=table if match is not None else None,
        marks=marks if use_censor_marks and len(marks) else None, n_patients=n_patients, total_events=total_events,
        method=method, precision=precision)
    if refit is not None:  # flagged on the reading (run_draws._run_flags)
        result, fits = refit.reconstruction, refit.fit
    notes.extend(refit.run_notes(solve_notes) if refit is not None else solve_notes)
    status = "misfit" if any(f.misfit for f in fits) else "ok"
    prov["parameters"]["accept_misfit"] = accept_misfit
    prov["parameters"]["refit_precision"] = dict(refit.precision) if refit else {}  # per arm solved again
    exits = panel_exits(fig, names)
    notes.extend(f"{e.arm}: {e.describe()}; statistics after it are reported NE" for e in exits)
    run = FigureRun(
        digitized=fig, arm_names=tuple(names), at_risk=table, at_risk_source=source, match=match,
        reconstruction=result, document=document, precision=precision, warnings=tuple(notes), provenance=prov,
        status=status, fit=fits, exits=exits, table_cells=table_cells, table_notes=tuple(table_notes),
        misread_arms=tuple(misread_arms), swapped_tails=swapped_tails, refit_arms=refit.arms if refit else (),
    )
    if status == "misfit" and not accept_misfit:
        tried = "" if _is_vector(fig) else unfit_refit_note(fig, fits, names)
        raise MisfitError(misfit_message(fits) + tried, fits=fits, result=run)
    from kmrecon.run_draws import run_draws

    sample, note = run_draws(run, n_draws=draws, seed=seed)
    return dataclasses.replace(run, draws=sample, draws_note=note)
