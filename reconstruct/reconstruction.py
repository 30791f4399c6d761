"""Public reconstruction functions: one arm from arrays, a figure's arms from tables or files."""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reconstruct.clean import clean_at_risk, clean_curve
from reconstruct.csv_columns import arm_names, arm_rows
from reconstruct.draw_budget import draw_count
from reconstruct._solve_memo import solve_guyot_memo
from reconstruct._guyot_rounding import _misfit
from reconstruct.io import provenance
from reconstruct._mark_checks import choose_marks, vet_marks
from reconstruct.results import ArmReconstruction, FidelityReport, IPDReconstruction
from reconstruct.simulate import number_at_risk
from reconstruct.validation import check_choice, check_finite_array, check_positive
from reconstruct.errors import InputError, ReconstructionWarning

if TYPE_CHECKING:
    import pandas as pd

    from reconstruct.csv_columns import Columns

__all__ = ["reconstruct_arm", "reconstruct_ipd", "reconstruct_files", "read_reconstruction_inputs",
           "ReconstructionInputs", "km_at"]

METHODS = ("steps", "guyot")
# a solution missing the curve by more than this many precisions on average is tried with the drops
# drawn just before a table time moved onto it (:func:`_drops_onto_rows`)
_MOVE_MISS = 2.0


def _snap(values: NDArray[np.float64], anchors: NDArray[np.float64], tol: float) -> NDArray[np.float64]:
    """Move values lying within ``tol`` of an anchor onto it (floating-point near-ties are ties)."""
    if values.size == 0 or anchors.size == 0:
        return values
    idx = np.clip(np.searchsorted(anchors, values), 1, anchors.size - 1)
    nearest = np.where(np.abs(anchors[idx - 1] - values) <= np.abs(anchors[idx] - values), anchors[idx - 1],
                       anchors[idx])
    return np.where(np.abs(nearest - values) <= tol, nearest, values)


def _drops_onto_rows(time: NDArray[np.float64], survival: NDArray[np.float64], rows: NDArray[np.float64],
                     tol: float) -> NDArray[np.float64] | None:
    """Curve times with each drop lying within ``tol`` before a table time moved onto that time, else None.

    The number at risk at a table time ``T`` counts the patients whose time is ``T`` or later, so a drop
    at ``T`` belongs to the interval after it; a drop digitized a pixel early falls in the interval
    before, which may have room for one event fewer (scan_000 of the wild corpus: the drop at 12.03
    read at 11.999, and the steps solution lost the whole tail). A drop is moved only when no curve
    point lies between it and ``T``.
    """
    if tol <= 0 or time.size < 2 or rows.size == 0:
        return None
    out = time.copy()
    drop = np.r_[False, survival[1:] < survival[:-1]]
    nxt = np.r_[time[1:], np.inf]
    for t_row in rows[rows > 0]:
        near = drop & (time < t_row) & (time >= t_row - tol) & (nxt > t_row)
        out[near] = t_row
    return None if np.array_equal(out, time) else out


def _better_moved(solve_at, curve, table, moved, precision: float):
    """``solve_at(curve.time)``, or ``solve_at(moved)`` when the first misses the curve by over ``_MOVE_MISS``
    precisions and the second meets the table, then the curve as drawn, strictly better."""
    first = solve_at(curve.time)
    if moved is None:
        return first
    miss = _misfit(first.time, first.event, curve.time, curve.survival, table.time, table.n_risk)
    if miss[0] == 0 and miss[1] <= _MOVE_MISS * precision:
        return first
    second = solve_at(moved)
    if _misfit(second.time, second.event, curve.time, curve.survival, table.time, table.n_risk) >= miss:
        return first
    return second


def km_at(time: NDArray[np.float64], event: NDArray[np.int64], at: ArrayLike) -> NDArray[np.float64]:
    """Kaplan-Meier estimate of ``(time, event)`` evaluated (right-continuous) at times ``at``.

    Equal to :func:`sksurv.nonparametric.kaplan_meier_estimator` (a test checks it); 1 before the first
    time. Written with NumPy because importing scikit-survival costs a command about 100 times the
    whole reconstruction (``python benchmarks/bench_startup.py``).
    """
    at = np.asarray(at, dtype=float)
    time = np.asarray(time, dtype=float)
    if time.size == 0:
        return np.ones_like(at)
    order = np.argsort(time, kind="stable")
    t, e = time[order], np.asarray(event)[order].astype(bool)
    unique, first = np.unique(t, return_index=True)
    at_risk = t.size - first
    deaths = np.add.reduceat(e.astype(np.int64), first)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(np.where(at_risk > 0, 1.0 - deaths / at_risk, 1.0))
    idx = np.searchsorted(unique, at, side="right") - 1
    return np.where(idx >= 0, survival[np.clip(idx, 0, None)], 1.0)


def _per_interval(times, edges):
    """Counts of ``times`` in ``[edges[i], edges[i+1])``, the last interval open-ended."""
    return np.bincount(np.searchsorted(edges, times, side="right") - 1, minlength=edges.size)[: edges.size]


def _fidelity(time, event, curve, table, total_events, marks) -> FidelityReport:
    km = km_at(time, event, curve.time)
    diff = np.abs(km - curve.survival)
    rec = number_at_risk(time, table.time)
    censored = _per_interval(time[event == 0], table.time).astype(np.int64)
    return FidelityReport(
        km_max_abs_diff=float(diff.max()),
        km_mean_abs_diff=float(diff.mean()),
        at_risk_time=table.time,
        at_risk_given=table.n_risk,
        at_risk_reconstructed=rec,
        at_risk_max_abs_diff=int(np.abs(rec - table.n_risk).max()),
        n_events=int(event.sum()),
        total_events_given=total_events,
        interval_censored=censored,
        interval_marks=None if marks is None else _per_interval(marks, table.time).astype(np.int64),
    )


def _fidelity_problems(fidelity: FidelityReport, *, converged: bool) -> list[str]:
    """Plain-language problems of a reconstruction, for ReconstructionWarning."""
    problems = []
    if not converged:
        problems.append("the event and at-risk estimates did not settle; the result is the last iterate")
    if fidelity.total_events_given is not None and fidelity.n_events != fidelity.total_events_given:
        problems.append(f"expected {fidelity.total_events_given} events (total_events), got {fidelity.n_events}; "
                        "only the censoring after the last at-risk row can be adjusted to meet it")
    if fidelity.at_risk_max_abs_diff > 0:
        problems.append(f"the reconstruction misses the at-risk table by up to {fidelity.at_risk_max_abs_diff} "
                        "patient(s); check the table against the curve")
    if fidelity.km_max_abs_diff > 0.05:
        problems.append(f"the KM of the reconstruction is up to {fidelity.km_max_abs_diff:.3f} from the curve; "
                        "the table and the curve disagree")
    if fidelity.marks_exceed_censored:
        problems.append("some table intervals show more censor marks than censorings; check the table or the marks")
    return problems


def reconstruct_arm(
    time: ArrayLike,
    survival: ArrayLike,
    *,
    at_risk_time: ArrayLike | None = None,
    at_risk: ArrayLike | None = None,
    n_patients: int | None = None,
    total_events: int | None = None,
    method: str = "steps",
    precision: float = 1e-3,
    censor_times: ArrayLike | None = None,
    arm: str = "arm",
) -> ArmReconstruction:
    """Reconstruct the individual patient data of one arm from its KM curve.

    Parameters
    ----------
    time, survival : array_like of shape (n_points,)
        Digitized curve points (survival as proportion or percent); cleaned first
        (see :func:`reconstruct.clean_curve`).
    at_risk_time, at_risk : array_like of shape (n_rows,), optional
        The number-at-risk table; its first row must be at time 0.
    n_patients : int, optional
        Number of patients, for the variant without a table (ignored when a table is given).
    total_events : int, optional
        Reported total number of events; sets the censoring after the last table row.
    method : {"steps", "guyot"}, default "steps"
        ``"steps"`` refines Guyot's uniform-censoring assumption with the exact step
        heights (each drop is ``1 - d/n``); ``"guyot"`` is Guyot et al. (2012) as published.
    precision : float, default 1e-3
        Standard error of a digitized survival value, in survival units. Use about half a
        pixel of the y axis for raster figures, ``1e-9`` for exact (vector) coordinates.
    censor_times : array_like of shape (n_marks,), optional
        Times of the censor marks drawn on the curve. Censored patients are then placed at
        the marks (censoring taken as uniform on a clock that jumps at each mark, not in time),
        and the fidelity report compares marks with censorings per table interval. Marks that
        contradict the curve or the table are dropped, and all or some are set aside when the
        fit with them is worse than without; ``fidelity.mark_notes`` says which and why.
    arm : str
        Arm name used in the result and in messages.

    Returns
    -------
    ArmReconstruction

    Raises
    ------
    InputError
        For unusable inputs (see :func:`reconstruct.clean_curve`, :func:`reconstruct.clean_at_risk`),
        or neither a table nor ``n_patients``.

    Warns
    -----
    ReconstructionWarning
        When the solve did not settle, a given event total is missed, the IPD misses the at-risk
        table or the curve by more than 0.05, marks outnumber censorings in an interval, or
        censor marks were set aside because the fit with them was worse.

    References
    ----------
    1. Guyot P, Ades AE, Ouwens MJNM, Welton NJ. BMC Med Res Methodol 2012;12:9.

    Examples
    --------
    >>> from reconstruct import reconstruct_arm
    >>> rec = reconstruct_arm([0, 2, 5, 9], [1.0, 0.9, 0.8, 0.8], n_patients=10)
    >>> rec.n_patients, rec.n_events
    (10, 2)
    """
    check_choice(method, name="method", choices=METHODS)
    check_positive(precision, name="precision")
    curve = clean_curve(time, survival, name=arm)
    # Times equal up to floating-point noise (e.g. read from a vector figure) are the same time.
    tie_tol = 1e-9 * max(float(curve.time[-1]), 1e-12)
    if at_risk is not None and at_risk_time is not None:
        snapped = _snap(np.asarray(at_risk_time, dtype=float), curve.time, tie_tol)
        table = clean_at_risk(snapped, at_risk, curve_end=float(curve.time[-1]), name=f"{arm}: at-risk table")
    elif n_patients is not None:
        n = int(check_positive(n_patients, name="n_patients"))
        table = clean_at_risk([0.0], [n], curve_end=float(curve.time[-1]), name=f"{arm}: n_patients")
    else:
        raise InputError(f"{arm}: expected an at-risk table or n_patients, got neither")
    if total_events is not None:
        total_events = int(check_positive(total_events, name=f"{arm}: total_events", allow_zero=True))
        if total_events > table.n_risk[0]:
            raise InputError(f"{arm}: total_events must be <= {table.n_risk[0]} patients, got {total_events}")

    def solve_at(curve_time, marks):
        return solve_guyot_memo(curve_time, curve.survival, table.time, table.n_risk, total_events=total_events,
                                use_heights=method == "steps", precision=float(precision), censor_times=marks)

    # a drop drawn within a digitization step before a table time may belong after it
    moved = _drops_onto_rows(curve.time, curve.survival, table.time, float(precision) * float(curve.time[-1]))

    def solve(marks):
        return _better_moved(lambda t: solve_at(t, marks), curve, table, moved, float(precision))

    def fidelity_of(solution, marks):
        # always judged on the curve as drawn, whichever curve it was solved on: its warnings are the user's only
        # gate outside run_figure
        return _fidelity(solution.time, solution.event, curve, table, total_events, marks)

    if censor_times is None:
        solution = solve(None)
        fidelity = fidelity_of(solution, None)
    else:
        marks = check_finite_array(censor_times, name=f"{arm}: censor_times")
        marks = _snap(marks, np.union1d(curve.time, table.time), tie_tol)
        marks, dropped = vet_marks(marks, curve.time, curve.survival, table.time, table.n_risk)
        # Marks refine, never break: kept only if the fit with them is as good as without (see _mark_checks).
        choice = choose_marks(solve, fidelity_of, marks, float(table.time[-1]))
        solution = choice.solution
        fidelity = dataclasses.replace(choice.fidelity, mark_notes=dropped + choice.notes)
        for note in choice.notes:
            warnings.warn(f"{arm}: {note}", ReconstructionWarning, stacklevel=2)
    for message in _fidelity_problems(fidelity, converged=solution.converged):
        warnings.warn(f"{arm}: {message}", ReconstructionWarning, stacklevel=2)
    return ArmReconstruction(
        arm=arm,
        time=solution.time,
        event=solution.event,
        fidelity=fidelity,
        cleaning_notes=curve.notes + table.notes,
        method=method,
        iterations=solution.iterations,
        converged=solution.converged,
    )


def _check_table_rows(rows: pd.DataFrame | Columns, arm: str, table_source: str, *, curve_end: float) -> None:
    """Validate one arm's at-risk rows, naming the table file (and the file line of a bad row)."""
    try:
        clean_at_risk(np.asarray(rows["time"]), np.asarray(rows["n_risk"]), curve_end=curve_end, name=f"arm {arm!r}")
    except InputError as exc:
        line = rows.index[exc.row] if exc.row is not None else None
        where = f"{table_source}:{int(line) + 2}" if isinstance(line, (int, np.integer)) else table_source
        raise InputError(exc.detail, source=where) from None


def reconstruct_ipd(
    curves: pd.DataFrame,
    at_risk: pd.DataFrame | None = None,
    *,
    n_patients: Mapping[str, int] | None = None,
    total_events: Mapping[str, int] | None = None,
    method: str = "steps",
    precision: float = 1e-3,
    censor_marks: pd.DataFrame | None = None,
    source: str = "curves",
    table_source: str = "at-risk table",
    draws: int | None = 0,
    seed: int = 0,
) -> IPDReconstruction:
    """Reconstruct every arm of a figure.

    Parameters
    ----------
    curves : DataFrame or Columns
        Columns ``arm, time, survival`` (the curve CSV contract); a
        :class:`~reconstruct.csv_columns.Columns` works alike (the tables given here all may be one).
    at_risk : DataFrame, optional
        Columns ``arm, time, n_risk``. Every curve arm needs rows, and the table may
        not name arms the curves lack.
    n_patients : mapping of arm to int, optional
        Patients per arm, for arms without a table.
    total_events : mapping of arm to int, optional
        Reported total events per arm.
    method, precision
        As in :func:`reconstruct_arm`.
    censor_marks : DataFrame, optional
        Columns ``arm, time`` (the digitizer's ``censor_marks.csv``; other columns ignored);
        arms without rows are reconstructed without marks.
    source, table_source : str
        Names of the curve and at-risk inputs, used in messages (with the file line of a bad
        at-risk row when the frame's index is the file line minus 2, as the CSV readers give).
    draws : int or None, default 0
        Plausible IPD sets to draw around the reconstruction (:func:`reconstruct.draw_ipd`, the
        result's ``draws``): 0 none (the default here, the core that arm matching calls many times),
        None the commands' rule (:func:`reconstruct.draw_budget.draw_count`: 200 when they take under 2 s).
    seed : int, default 0
        Seed of the draws.

    Returns
    -------
    IPDReconstruction
    """
    n_patients = dict(n_patients or {})
    total_events = dict(total_events or {})
    arms = arm_names(curves)
    table_arms = arm_names(at_risk) if at_risk is not None else []
    mark_arms = arm_names(censor_marks) if censor_marks is not None else []
    unknown = [a for a in (*table_arms, *n_patients, *total_events, *mark_arms) if a not in arms]
    if unknown:
        raise InputError(
            f"expected arms among the curve arms {arms}, got {unknown[0]!r}; check the arm names", source=source
        )
    results = []
    for arm in arms:
        c = arm_rows(curves, arm)
        kwargs: dict[str, Any] = {}
        if arm in table_arms:
            t = arm_rows(at_risk, arm)
            _check_table_rows(t, arm, table_source, curve_end=float(np.max(c["time"])))
            kwargs.update(at_risk_time=np.asarray(t["time"]), at_risk=np.asarray(t["n_risk"]))
        elif arm in n_patients:
            kwargs["n_patients"] = n_patients[arm]
        else:
            raise InputError(f"arm {arm!r}: expected at-risk rows or a number of patients, got neither", source=source)
        if arm in mark_arms:
            kwargs["censor_times"] = np.asarray(arm_rows(censor_marks, arm)["time"])
        results.append(
            reconstruct_arm(
                np.asarray(c["time"]),
                np.asarray(c["survival"]),
                total_events=total_events.get(arm),
                method=method,
                precision=precision,
                arm=arm,
                **kwargs,
            )
        )
    parameters = {
        "method": method,
        "precision": precision,
        "n_patients": n_patients,
        "total_events": total_events,
        "censor_marks": sorted(mark_arms),
    }
    result = IPDReconstruction(arms=tuple(results), parameters=parameters)
    count, note = draw_count(draws, sum(a.n_patients for a in results), len(curves))
    if count == 0:
        return dataclasses.replace(result, draws_note=note)
    from reconstruct.draws import draw_ipd  # draws.py builds on this module

    sample = draw_ipd(curves, at_risk, reconstruction=result, n_patients=n_patients or None,
                      total_events=total_events or None, censor_marks=censor_marks, precision=precision,
                      method=method, n_draws=count, seed=seed)
    return dataclasses.replace(result, draws=sample)


@dataclass(frozen=True, eq=False)
class ReconstructionInputs:
    """The files of a reconstruction, read once: curves, at-risk table and censor marks as NumPy columns.

    Attributes
    ----------
    curves : Columns
        ``arm, time, survival``.
    table : Columns or None
        ``arm, time, n_risk``.
    marks : Columns or None
        ``arm, time`` (and ``survival``) of the censor marks.
    formats : dict
        ``{"curves": ..., "at_risk": ...}``: the format each file was read as (:mod:`reconstruct.formats`).

    Notes
    -----
    Columns, not DataFrames: the command ``kmrecon reconstruct`` builds no DataFrame, because
    importing pandas would cost half its run time. ``.to_frame()`` gives a DataFrame of each.
    """

    curves: Columns
    table: Columns | None
    marks: Columns | None
    formats: dict[str, str | None]


def read_reconstruction_inputs(
    curves_path: str | os.PathLike[str],
    at_risk_path: str | os.PathLike[str] | None = None,
    *,
    censor_marks_path: str | os.PathLike[str] | None = None,
    curves_format: str | None = None,
    at_risk_format: str | None = None,
    arm: str | None = None,
) -> ReconstructionInputs:
    """Read the curve, at-risk and censor-mark files of :func:`reconstruct_files` (formats detected)."""
    from reconstruct.formats import read_at_risk, read_curves
    from reconstruct.io import read_censor_marks_columns

    curve_file = read_curves(curves_path, format=curves_format, arm=arm)
    curves = curve_file.columns
    table_file = (read_at_risk(at_risk_path, format=at_risk_format, arms=arm_names(curves))
                  if at_risk_path is not None else None)
    marks = read_censor_marks_columns(censor_marks_path) if censor_marks_path is not None else None
    return ReconstructionInputs(curves=curves, table=table_file.columns if table_file is not None else None,
                                marks=marks, formats={"curves": curve_file.format,
                                                      "at_risk": table_file.format if table_file else None})


def reconstruct_files(
    curves_path: str | os.PathLike[str],
    at_risk_path: str | os.PathLike[str] | None = None,
    *,
    censor_marks_path: str | os.PathLike[str] | None = None,
    curves_format: str | None = None,
    at_risk_format: str | None = None,
    arm: str | None = None,
    inputs: ReconstructionInputs | None = None,
    **kwargs: Any,
) -> IPDReconstruction:
    """Read the curve and at-risk files, reconstruct, and attach provenance.

    Parameters
    ----------
    curves_path : path-like
        Curve CSV (``arm,time,survival``) or another tool's file (:mod:`reconstruct.formats`:
        WebPlotDigitizer CSV or JSON project, IPDfromKM / reconstructKM / survHE tables).
    at_risk_path : path-like, optional
        At-risk CSV (``arm,time,n_risk``) or a one-arm ``time,nrisk`` / ``time,NAR`` table.
    censor_marks_path : path-like, optional
        Censor-mark CSV (``arm,time,survival``), e.g. the digitizer's ``censor_marks.csv``.
    curves_format, at_risk_format : str, optional
        Override the detected format (:data:`reconstruct.formats.CURVE_FORMATS`, ``AT_RISK_FORMATS``).
    arm : str, optional
        Arm name of a one-arm curve file (default: its file name's stem).
    inputs : ReconstructionInputs, optional
        The files already read by :func:`read_reconstruction_inputs` (the paths then only name them).
    **kwargs
        Passed to :func:`reconstruct_ipd`.

    Returns
    -------
    IPDReconstruction
        ``provenance["input_formats"]`` names the format read for each file.
    """
    if inputs is None:
        inputs = read_reconstruction_inputs(curves_path, at_risk_path, censor_marks_path=censor_marks_path,
                                            curves_format=curves_format, at_risk_format=at_risk_format, arm=arm)
    curves, table, marks = inputs.curves, inputs.table, inputs.marks
    try:
        result = reconstruct_ipd(curves, table, censor_marks=marks, source=os.fspath(curves_path),
                                 table_source=os.fspath(at_risk_path) if at_risk_path is not None else "at-risk table",
                                 **kwargs)
    except InputError as exc:
        if exc.source is not None:
            raise
        raise InputError(exc.detail, source=os.fspath(curves_path)) from None
    prov = provenance(
        inputs={"curves": curves_path, "at_risk": at_risk_path, "censor_marks": censor_marks_path},
        parameters=result.parameters,
        command="reconstruct.reconstruct_files",
    )
    prov["input_formats"] = dict(inputs.formats)
    return dataclasses.replace(result, provenance=prov)
