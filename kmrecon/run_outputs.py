"""Writing everything ``kmrecon run`` produces for one figure (shared by the command and by batches)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from reconstruct.io import check_writable, write_bytes, write_csv, write_json

if TYPE_CHECKING:  # kmrecon.run loads the arm matching (scipy.optimize); `reconstruct` only needs fit_png
    from kmrecon.run import FigureRun

__all__ = ["RUN_OUTPUTS", "RUN_DIAGNOSTICS", "DRAWS_FILE", "draws_record", "write_run_outputs",
           "write_run_diagnostics", "run_record", "named_points", "fit_png", "misfit_banner",
           "reading_banner"]

RUN_OUTPUTS = ("curves.csv", "censor_marks.csv", "digitize.json", "overlay.png", "at_risk.csv", "ipd.csv",
               "run.json", "summary.json", "report.md", "km.png", "fit.png", "report.html")
# plus DRAWS_FILE (ipd_draws.csv) when the run has draws and they are written

# What a misfit run writes without --accept-misfit: enough to see why, nothing to quote.
RUN_DIAGNOSTICS = ("overlay.png", "fit.png", "run.json")


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
    from reconstruct.quality import MATCH_MARGIN

    return run.provenance | {
        "status": run.status,
        "fit": [f.to_dict() for f in run.fit],
        "panel_exits": [e.to_dict() for e in run.exits],
        "match_margin": MATCH_MARGIN,
        "arm_names": list(run.arm_names),
        "at_risk_source": run.at_risk_source,
        "arm_match": None if run.match is None else {"basis": run.match.basis, "detail": run.match.detail,
                                                     "rows": list(run.match.rows), "settled": run.match.settled},
        "precision": run.precision,
        # arms solved again with their thick stroke's precision (provenance parameters["refit_precision"])
        "refit_arms": list(run.refit_arms),
        "arms": {a.arm: {"n": a.n_patients, "events": a.n_events, "fidelity": a.fidelity.to_dict(),
                         "cleaning_notes": list(a.cleaning_notes), "converged": a.converged}
                 for a in run.reconstruction.arms},
        "warnings": list(run.warnings),
    }


def fit_png(curves: pd.DataFrame, ipd: pd.DataFrame) -> bytes:
    """The digitized points over the KM curves of the reconstructed IPD, as PNG bytes."""
    from compare import kaplan_meier
    from kmrecon.ipd_report import _curves_as_proportions, render_png
    from figures.fit_plot import plot_digitized_vs_reconstructed

    curves, _ = _curves_as_proportions(curves)
    kms = {str(arm): kaplan_meier(g["time"], g["event"]) for arm, g in ipd.groupby("arm", sort=False)}
    return render_png(lambda ax: plot_digitized_vs_reconstructed(curves, kms, ax=ax))


def misfit_banner(fits) -> str:
    """The report's first line for a misfit accepted with ``--accept-misfit``."""
    from reconstruct.quality import misfit_message

    return (f"STATUS: MISFIT. The reconstruction does not fit the figure ({misfit_message(fits, accept_hint=False)}). "
            "Do not quote these numbers before fixing the input.")


def reading_banner(reading: dict) -> str | None:
    """The report's first line for a reading flagged by :func:`kmrecon.run_draws.run_reading`, else None."""
    if reading.get("status") != "flagged":
        return None
    return f"READING FLAGGED: {reading['note']} before quoting these numbers."


def write_run_diagnostics(run: FigureRun, outdir: str | os.PathLike[str], *, figure: str | os.PathLike[str],
                          force: bool = False) -> tuple[Path, ...]:
    """Write only :data:`RUN_DIAGNOSTICS` (overlay, fit plot, ``run.json`` with the status) of a misfit run.

    Parameters
    ----------
    run : FigureRun
        Usually ``MisfitError.result``.
    outdir : path-like
        Created if missing; existing files are refused unless ``force``.
    figure : path-like
        The input figure (for the overlay).
    force : bool

    Returns
    -------
    tuple of Path
        The files written.
    """
    from figures.overlay import overlay_png
    from reconstruct.document import overlay_background

    outdir = Path(outdir)
    paths = tuple(outdir / name for name in RUN_DIAGNOSTICS)
    for path in paths:
        check_writable(path, force=force)
    outdir.mkdir(parents=True, exist_ok=True)
    curves, _ = named_points(run)
    write_bytes(paths[0], overlay_png(run.digitized, overlay_background(run.document, run.digitized),
                                table_cells=run.table_cells, arm_names=run.arm_names), force=force)
    write_bytes(paths[1], fit_png(curves, run.reconstruction.to_frame()), force=force)
    write_json(paths[2], run_record(run), force=force)
    return paths


DRAWS_FILE = "ipd_draws.csv"


def _uncertainty(run: FigureRun, summary, draws: int | None, seed: int | None):
    """The run's draws (its own, or new ones when ``draws``/``seed`` ask) and the summary's intervals, or why not."""
    from compare.survival.uncertainty import summary_uncertainty
    from kmrecon.run_draws import run_draws

    sample, note = run.draws, run.draws_note
    if draws is not None or seed is not None:
        own = sample is not None and sample.n_draws == draws and sample.seed == (seed or 0)
        if not own:
            sample, note = run_draws(run, n_draws=draws, seed=seed or 0)
    if sample is None:
        return None, note, None
    return summary_uncertainty(summary, sample, parameters=sample.parameters), "", sample


def draws_record(sample, note: str, written: bool) -> dict:
    """What ``run.json`` says about the draws: the file (or None) and why not, and how they were made."""
    if sample is None:
        return {"file": None, "note": note}
    if not written:
        return {"file": None, "note": f"{sample.n_draws} draws made; not written (batch)", **sample.parameters}
    return {"file": DRAWS_FILE, "note": "", **sample.parameters}


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
    seed: int | None = None,
    write_draws: bool = True,
):
    """Summarise a run and write all of :data:`RUN_OUTPUTS` into ``outdir``.

    A run with ``status == "misfit"`` (accepted with ``accept_misfit``) carries its status in
    ``run.json`` and ``summary.json`` and a banner at the top of ``report.md``.

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
    draws, seed : int or None
        Reconstruction draws for the reconstruction and total intervals: by default (both None) the
        run's own (``run.draws``, made by :func:`kmrecon.run_figure`); otherwise ``draws`` sets drawn
        with ``seed`` (None: 200 when affordable, see :func:`kmrecon.run_draws.run_draws`; 0 none).
    write_draws : bool, default True
        Write the draws as ``ipd_draws.csv`` (``draw, arm, time, event``; named in ``run.json``), which
        ``kmrecon compare --ipd`` picks up. Batches pass False (about 3 MB per figure of 600 patients).

    Returns
    -------
    IPDSummary
    """
    from kmrecon.html_report import write_run_html
    from kmrecon.ipd_report import write_ipd_report
    from kmrecon.run_draws import run_reading
    from compare.survival.ipd_summary import summarize_ipd
    from figures.overlay import overlay_png
    from reconstruct.document import overlay_background

    outdir = Path(outdir)
    for name in RUN_OUTPUTS:
        check_writable(outdir / name, force=force)
    ipd = run.reconstruction.to_frame()
    summary = summarize_ipd(ipd, landmarks=landmarks, tau=tau, reference=reference, time_unit=time_unit)
    if run.exits:
        from compare.survival.visible import restrict_to_visible

        summary = restrict_to_visible(summary, {e.arm: (e.time, e.describe()) for e in run.exits})
    uncertainty, draws_note, sample = _uncertainty(run, summary, draws, seed)
    written = write_draws and sample is not None
    if written:
        check_writable(outdir / DRAWS_FILE, force=force)
    outdir.mkdir(parents=True, exist_ok=True)
    curves, marks = named_points(run)
    write_csv(outdir / "curves.csv", curves, force=force)
    write_csv(outdir / "censor_marks.csv", marks, force=force)
    write_json(outdir / "digitize.json", run.digitized.to_dict(), force=force)
    write_bytes(outdir / "overlay.png", overlay_png(run.digitized, overlay_background(run.document, run.digitized),
                                table_cells=run.table_cells, arm_names=run.arm_names),
                force=force)
    write_csv(outdir / "at_risk.csv", run.at_risk, force=force)
    write_csv(outdir / "ipd.csv", ipd, force=force)
    if written:
        write_csv(outdir / DRAWS_FILE, sample.to_frame(), force=force)
    reading = run_reading(run, sample)
    write_json(outdir / "run.json", run_record(run) | {"draws": draws_record(sample, draws_note, written),
                                                       "reading": reading}, force=force)
    write_ipd_report(summary, outdir, ipd=ipd, curves=curves, overlay_png=outdir / "overlay.png",
                     provenance=run.provenance, force=force, status=run.status,
                     banner=misfit_banner(run.fit) if run.status == "misfit" else reading_banner(reading),
                     uncertainty=uncertainty, uncertainty_note=draws_note, warnings=run.warnings,
                     table_notes=run.table_notes,
                     data_note=data_note or f"IPD reconstructed from {Path(figure).name} "
                                            f"(at-risk numbers: {run.at_risk_source})")
    write_run_html(outdir, force=force)
    return summary
