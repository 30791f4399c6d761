"""Reconstruction draws of a ``kmrecon run``: the run's own inputs, precisions and a cost rule for the default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconstruct.draws import DEFAULT_DRAWS, IPDDraws, draw_ipd

if TYPE_CHECKING:  # kmrecon.run loads the arm matching (scipy.optimize), which `reconstruct` does not need
    from kmrecon.run import FigureRun

__all__ = ["run_draws", "draws_affordable", "draw_count", "DRAW_BUDGET"]

# Draws cost about 2.5e-6 s per (patient + curve point) and draw on one core, statistics included
# (benchmarks/bench_uncertainty.py, speed table); the default runs them when that stays under 2 s.
_SECONDS_PER_UNIT = 2.5e-6
DRAW_BUDGET = 2.0


def draws_affordable(n_patients: int, n_points: int, n_draws: int = DEFAULT_DRAWS) -> bool:
    """Whether ``n_draws`` draws of a figure are expected to cost under :data:`DRAW_BUDGET` seconds.

    A deterministic rule on the sizes (not a clock), so that the outputs do not depend on the machine.
    """
    return (n_patients + n_points) * n_draws * _SECONDS_PER_UNIT < DRAW_BUDGET


def draw_count(n_draws: int | None, n_patients: int, n_points: int) -> tuple[int, str]:
    """How many draws to make: ``n_draws`` as asked, or the default when affordable; 0 with the reason otherwise.

    ``None`` means :data:`reconstruct.draws.DEFAULT_DRAWS` when :func:`draws_affordable`, else none; 0 means none.
    """
    if n_draws == 0:
        return 0, "reconstruction draws turned off (--draws 0)"
    if n_draws is None:
        if not draws_affordable(n_patients, n_points):
            return 0, (f"reconstruction draws skipped: {DEFAULT_DRAWS} draws of {n_patients} patients would take "
                       f"over {DRAW_BUDGET:g} s; pass --draws N to run them")
        return DEFAULT_DRAWS, ""
    return n_draws, ""


def run_draws(run: FigureRun, *, n_draws: int | None = None, seed: int = 0) -> tuple[IPDDraws | None, str]:
    """Draw plausible IPD sets for a run, with the precisions of its figure.

    Parameters
    ----------
    run : FigureRun
    n_draws : int or None
        Number of draws; ``None`` means :data:`reconstruct.draws.DEFAULT_DRAWS` when affordable
        (:func:`draws_affordable`), else none; 0 means none.
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
    draws = draw_ipd(
        curves, run.at_risk if len(run.at_risk) else None, reconstruction=recon,
        n_patients=params.get("n_patients") or None, total_events=params.get("total_events") or None,
        censor_marks=marks if use_marks else None, precision=precision, time_precision=time_precision,
        method=str(params.get("method", "steps")), n_draws=n_draws, seed=seed,
    )
    return draws, ""
