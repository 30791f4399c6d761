"""Writing everything ``kmrecon run`` produces for one figure (shared by the command and by batches)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reconstruct._io import check_writable, write_bytes, write_csv, write_json
from reconstruct._run import FigureRun

__all__ = ["RUN_OUTPUTS", "write_run_outputs", "run_record", "named_points"]

RUN_OUTPUTS = ("curves.csv", "censor_marks.csv", "digitize.json", "overlay.png", "at_risk.csv", "ipd.csv",
               "run.json", "summary.json", "report.md", "km.png", "fit.png")


def named_points(run: FigureRun) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Digitized step points and censor marks under the run's arm names (curve CSV contract)."""
    arms = list(zip(run.arm_names, run.digitized.arms, strict=True))
    curves = pd.concat([pd.DataFrame({"arm": name, "time": a.time, "survival": a.survival}) for name, a in arms],
                       ignore_index=True)
    marks = pd.concat([pd.DataFrame({"arm": name, "time": a.censor_time, "survival": a.censor_survival})
                       for name, a in arms], ignore_index=True)
    return curves, marks


def run_record(run: FigureRun) -> dict:
    """The JSON sidecar of a run: provenance, arm matching, fidelity per arm and every warning."""
    return run.provenance | {
        "arm_names": list(run.arm_names),
        "at_risk_source": run.at_risk_source,
        "arm_match": None if run.match is None else {"basis": run.match.basis, "detail": run.match.detail,
                                                     "rows": list(run.match.rows)},
        "precision": run.precision,
        "arms": {a.arm: {"n": a.n_patients, "events": a.n_events, "fidelity": a.fidelity.to_dict(),
                         "cleaning_notes": list(a.cleaning_notes), "converged": a.converged}
                 for a in run.reconstruction.arms},
        "warnings": list(run.warnings),
    }


def _uncertainty(run: FigureRun, summary, draws: int | None, seed: int):
    """Reconstruction and total intervals of the run's summary, or None and why not."""
    from compare._uncertainty import summary_uncertainty
    from reconstruct._run_draws import run_draws

    sample, note = run_draws(run, n_draws=draws, seed=seed)
    if sample is None:
        return None, note
    return summary_uncertainty(summary, sample.to_frame(), parameters=sample.parameters), ""


def write_run_outputs(
    run: FigureRun,
    outdir: str | os.PathLike[str],
    *,
    figure: str | os.PathLike[str],
    landmarks: Sequence[float] = (6, 12, 24),
    tau: float | None = None,
    reference: str | None = None,
    time_unit: str = "months",
    data_note: str | None = None,
    force: bool = False,
    draws: int | None = None,
    seed: int = 0,
):
    """Summarise a run and write all of :data:`RUN_OUTPUTS` into ``outdir``.

    Parameters
    ----------
    run : FigureRun
    outdir : path-like
        Created if missing; existing outputs are refused unless ``force``.
    figure : path-like
        The input figure (for the overlay and the report).
    landmarks, tau, reference, time_unit
        Passed to :func:`compare.summarize_ipd`.
    data_note : str, optional
        Line shown at the top of the report (default: which figure and where the at-risk numbers came from).
    force : bool
    draws : int or None
        Reconstruction draws for the reconstruction and total intervals (:func:`reconstruct.draw_ipd`):
        ``None`` runs 200 when they are affordable (see :func:`reconstruct._run_draws.run_draws`), 0 none.
    seed : int
        Seed of the draws.

    Returns
    -------
    IPDSummary
    """
    from compare._ipd_report import write_ipd_report
    from compare._summary import summarize_ipd
    from figures._overlay import overlay_png
    from reconstruct._pdf import overlay_background

    outdir = Path(outdir)
    for name in RUN_OUTPUTS:
        check_writable(outdir / name, force=force)
    ipd = run.reconstruction.to_frame()
    summary = summarize_ipd(ipd, landmarks=landmarks, tau=tau, reference=reference, time_unit=time_unit)
    uncertainty, draws_note = _uncertainty(run, summary, draws, seed)
    outdir.mkdir(parents=True, exist_ok=True)
    curves, marks = named_points(run)
    write_csv(outdir / "curves.csv", curves, force=force)
    write_csv(outdir / "censor_marks.csv", marks, force=force)
    write_json(outdir / "digitize.json", run.digitized.to_dict(), force=force)
    write_bytes(outdir / "overlay.png", overlay_png(run.digitized, overlay_background(figure, run.digitized)),
                force=force)
    write_csv(outdir / "at_risk.csv", run.at_risk, force=force)
    write_csv(outdir / "ipd.csv", ipd, force=force)
    write_json(outdir / "run.json", run_record(run), force=force)
    write_ipd_report(summary, outdir, ipd=ipd, curves=curves, overlay_png=outdir / "overlay.png",
                     provenance=run.provenance, force=force, uncertainty=uncertainty, uncertainty_note=draws_note,
                     data_note=data_note or f"IPD reconstructed from {Path(figure).name} "
                                            f"(at-risk numbers: {run.at_risk_source})")
    return summary
