"""Reconstruction draws of a ``kmrecon run``: the run's own inputs, precisions and a cost rule for the default."""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING

from reconstruct.arm_names import CROSSED_NAMES_NOTE
from reconstruct.draw_budget import DRAW_BUDGET, draw_count, draws_affordable
from reconstruct.draw_noise import digitizer_noise, reading_flags
from reconstruct.draws import IPDDraws, draw_ipd
from reconstruct.extra_curves import BY_STYLE_NOTE, DROPPED_NOTE, ORPHAN_NOTE

if TYPE_CHECKING:  # kmrecon.run loads the arm matching (scipy.optimize), which `reconstruct` does not need
    from kmrecon.run import FigureRun

# draws_affordable, draw_count and DRAW_BUDGET live in reconstruct.draw_budget (re-exported for callers)
__all__ = ["run_draws", "run_reading", "draws_affordable", "draw_count", "DRAW_BUDGET"]


def run_draws(run: FigureRun, *, n_draws: int | None = None, seed: int = 0) -> tuple[IPDDraws | None, str]:
    """Draw plausible IPD sets for a run, with the precisions of its figure.

    Parameters
    ----------
    run : FigureRun
    n_draws : int or None
        Number of draws; ``None`` means :data:`reconstruct.draws.DEFAULT_DRAWS` when affordable
        (:func:`reconstruct.draw_budget.draws_affordable`), else none; 0 means none.
    seed : int

    Returns
    -------
    draws : IPDDraws or None
    note : str
        Why there are no draws, else "".
    """
    from kmrecon.run_outputs import named_points

    curves, marks = named_points(run)
    recon = run.reconstruction
    n_draws, note = draw_count(n_draws, sum(a.n_patients for a in recon.arms), len(curves))
    if n_draws == 0:
        return None, note
    params = run.provenance.get("parameters", {})
    vector = run.digitized.provenance.get("source_kind") == "vector"
    x_unit = float(abs(run.digitized.x_calibration.to_value(1.0) - run.digitized.x_calibration.to_value(0.0)))
    # A raster digitizer reads a curve to about one pixel (benchmarks/bench_digitize.py: mean absolute error
    # 0.0030 of the axis, about a pixel of a 300-400 pixel axis), not to the half pixel the solver trusts step
    # heights to; the draws use one pixel on both axes. Vector coordinates keep their rounding (0.005 pt).
    time_precision = max((0.005 if vector else 1.0) * x_unit, 1e-12)
    precision = run.precision if vector else 2.0 * run.precision
    use_marks = bool(params.get("use_censor_marks", True)) and len(marks) > 0
    # A raster figure's reading errors beyond that pixel (axis calibration from the ticks, line centre, a trace
    # rougher than the reconstruction can follow, untraced stretches): estimated from the figure itself
    # (reconstruct.draw_noise), with the flags of a reading that may be grossly off
    # an arm solved again with its thick stroke's precision (kmrecon.run_refit) pins its counts at that, doubled too
    refit = {arm: 2.0 * float(p) for arm, p in (params.get("refit_precision") or {}).items()}
    noise = None if vector else digitizer_noise(run.digitized, run.arm_names, recon, precision, fit=run.fit,
                                                arm_precisions=refit)
    # the curves may belong to the other rows (a swap flips the HR): flagged, and for two arms half the draws
    # take the other assignment (below); rows read in doubt are flagged too. Carried by the draws, so
    # summary.json and batches say it
    unsettled = noise is not None and run.match is not None and not run.match.settled
    if noise is not None:
        noise = replace(noise, flags=_run_flags(run, noise.flags))
    kwargs = dict(at_risk=run.at_risk if len(run.at_risk) else None, n_patients=params.get("n_patients") or None,
                  total_events=params.get("total_events") or None, precision=precision,
                  method=str(params.get("method", "steps")))
    draws = draw_ipd(curves, reconstruction=recon, censor_marks=marks if use_marks else None,
                     time_precision=time_precision, n_draws=n_draws, seed=seed, noise=noise, **kwargs)
    if unsettled and len(run.arm_names) == 2:
        draws = _with_other_assignment(draws, curves, marks if use_marks else None, kwargs, noise,
                                       time_precision, run.arm_names)
    if noise is None:  # a vector figure: exact curves, but its table's flags are carried as a raster figure's are
        draws = _with_table_flags(run, draws)
    return draws, ""


def _with_table_flags(run: FigureRun, draws: IPDDraws) -> IPDDraws:
    """``draws`` whose ``parameters["reading"]`` flags an unsettled row match and rows read in doubt (so
    summary.json and a batch row say it), when there are any."""
    flags = _run_flags(run, {})
    if not flags:
        return draws
    return replace(draws, parameters={**draws.parameters, "reading": {"status": "flagged", "arms": flags}})


# the causes (cells set aside, read again or from their ink, cut from a box over two rows, digits too small) are
# each said in the notes; the flag says only that the row is in doubt, once per arm
_MISREAD = "its at-risk row was read in doubt (the notes say why); its other cells may be misread too"

# calibrations made over tick labels read but misread (:class:`reconstruct.digitize.axes.AxisCalibration`): a
# guess, flagged on every arm
_GUESSED_SCALES = ("voted", "assumed over labels")

# notes of curves chosen by a re-tracing for the at-risk table's rows: flagged on every arm
_RETRACED = (DROPPED_NOTE, ORPHAN_NOTE)


def _run_flags(run: FigureRun, flags: dict[str, str]) -> dict[str, str]:
    """``flags`` plus what the run itself says: on every arm, that its at-risk row was chosen on weak evidence
    (an unsettled match: the arms may be swapped), and on each arm whose at-risk row was read in doubt, that it
    was, on every arm that an axis was calibrated over misread tick labels (x labels kept by the tick grid's
    vote, 0 to 1 assumed over two y labels off their step), and on both arms of each pair of traces whose tails
    were exchanged (:class:`reconstruct.tail_swap.TailSwap`), that they were, on each arm solved again after a
    misfit (``run.refit_arms``), that it was, and on every arm that the curves were chosen by a re-tracing for the
    table's rows (``_RETRACED`` notes) or again by line type (:data:`reconstruct.extra_curves.BY_STYLE_NOTE`).
    Each reason is said once per arm,
    whether ``flags`` (a draws' reading) carries it already or not."""
    out = dict(flags)

    def add(names, why: str) -> None:
        for name in names:
            if why not in out.get(name, ""):
                out[name] = "; ".join(filter(None, (out.get(name, ""), why)))

    if run.match is not None and not run.match.settled:
        add(run.arm_names, f"its at-risk row chosen on weak evidence ({run.match.basis}, not confirmed by the fit): "
                           "the arms may be swapped")
    add(run.misread_arms, _MISREAD)
    # (a figure read without calibrations, as some callers' stand-ins, has none to flag)
    cals = {axis: getattr(run.digitized, f"{axis}_calibration", None) for axis in "xy"}
    guessed = [f"{axis} axis" for axis, cal in cals.items() if getattr(cal, "source", None) in _GUESSED_SCALES]
    if guessed:
        add(run.arm_names, f"the {' and '.join(guessed)} calibrated over misread tick labels (the notes say how)")
    for swap in run.swapped_tails:
        add(swap.arms, swap.describe())
    add(run.refit_arms, "solved again after a misfit, with its step heights trusted to its thick stroke")
    if any(str(n).startswith(BY_STYLE_NOTE) for n in getattr(run, "warnings", ())):
        add(run.arm_names, "its curves were traced again by line type after the first tracing stopped (the notes "
                           "say why)")
    if any(str(n).startswith(CROSSED_NAMES_NOTE) for n in getattr(run, "warnings", ())):
        add(run.arm_names, "its name in doubt: the legend names the curves otherwise than the at-risk table "
                           "(the notes say how)")
    if any(str(n).startswith(_RETRACED) for n in getattr(run, "warnings", ())):
        add(run.arm_names, "its curves were chosen by a second tracing (curves left out, or a shade no other colour "
                           "held: the notes say which)")
    return out


def run_reading(run: FigureRun, draws: IPDDraws | None = None) -> dict:
    """Whether a run's reading may be grossly off: ``{"status": "ok" | "flagged", "arms", "note"}``.

    The flags of its draws (``draws``, else ``run.draws``); without draws (``--draws 0``, or too
    costly) the same evidence from the figure: untraced stretches and fits close to the misfit gate
    (:func:`reconstruct.draw_noise.reading_flags`), and an arm assignment on weak evidence. Exact vector
    curves are never flagged for their trace; a vector figure's table is read like any other, so its
    misread cells and a weakly matched row are flagged all the same.

    Parameters
    ----------
    run : FigureRun
    draws : IPDDraws, optional

    Returns
    -------
    dict
        As :func:`compare.survival.uncertainty.reading_status`.
    """
    from compare.survival.uncertainty import reading_status

    sample = draws if draws is not None else run.draws
    if sample is not None:
        status = reading_status(sample.parameters)
        flags = status["arms"] if status["status"] == "flagged" else {}
    else:
        vector = run.digitized.provenance.get("source_kind") == "vector"
        flags = {} if vector else reading_flags(run.digitized, run.arm_names, run.fit)
    flags = _run_flags(run, flags)  # which row is whose may be a guess, a row read in doubt: with or without draws
    return reading_status({"reading": {"status": "flagged" if flags else "ok", "arms": flags}})


def _with_other_assignment(draws, curves, marks, kwargs, noise, time_precision, names) -> IPDDraws:
    """Half the draws from the swapped assignment of two arms' curves to their rows (kept as is when it
    cannot be reconstructed). ``parameters["mixed"]`` records which draws."""
    from reconstruct import reconstruct_ipd
    from reconstruct._draw_mix import mix_draws
    from reconstruct.errors import KmreconError

    swap = {names[0]: names[1], names[1]: names[0]}
    curves = curves.assign(arm=curves["arm"].map(swap))
    marks = None if marks is None else marks.assign(arm=marks["arm"].map(swap))
    per_arm = ("arm_offset", "arm_precision", "end_drop", "arm_hazard")
    noise = replace(noise, **{f: {swap.get(k, k): v for k, v in getattr(noise, f).items()} for f in per_arm})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            other = reconstruct_ipd(curves, kwargs["at_risk"], censor_marks=marks, n_patients=kwargs["n_patients"],
                                    total_events=kwargs["total_events"], method=kwargs["method"],
                                    precision=kwargs["precision"])
            swapped = draw_ipd(curves, reconstruction=other, censor_marks=marks, time_precision=time_precision,
                               n_draws=draws.n_draws, seed=draws.seed, noise=noise, **kwargs)
    except KmreconError:
        return draws
    return mix_draws(draws, swapped, share=0.5)
