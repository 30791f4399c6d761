"""``kmrecon run``: KM figure -> digitized curves -> IPD -> summary statistics and a report."""

from __future__ import annotations

from pathlib import Path

import click

from kmrecon.commands.common import library_errors, parse_assignments, parse_landmarks
from reconstruct.errors import InputError


def parse_names(value: str | None) -> list[str] | None:
    """Split ``--arm-names A,B,...``."""
    if value is None:
        return None
    names = [v.strip() for v in value.split(",")]
    if not all(names):
        raise InputError(f"expected comma-separated non-empty names, got {value!r}", source="--arm-names")
    return names


@click.command("run")
@click.argument("figure", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for every output (created if missing).")
@click.option("--at-risk", "at_risk", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="At-risk CSV (arm,time,n_risk) instead of the table printed under the plot.")
@click.option("--x-range", nargs=2, type=float, default=None, metavar="A B",
              help="Values of the first and last labelled x tick (otherwise read by OCR).")
@click.option("--y-range", nargs=2, type=float, default=None, metavar="A B",
              help="Values of the first and last labelled y tick, e.g. 0 100 for a percent axis.")
@click.option("--page", type=click.IntRange(min=1), default=None, help="PDF page of the plot (1-based).")
@click.option("--index", type=click.IntRange(min=1), default=None,
              help="Which plot on the page or in the SVG (1-based; see kmrecon find).")
@click.option("--arm-names", default=None, metavar="A,B,...", help="Names of the curves in digitizer order.")
@click.option("--n", "n_patients", multiple=True, metavar="ARM=N", help="Patients per arm when there is no table.")
@click.option("--total-events", multiple=True, metavar="ARM=N", help="Reported total events of an arm.")
@click.option("--method", type=click.Choice(["steps", "guyot"]), default="steps", show_default=True,
              help="'steps' refines Guyot with exact step heights; 'guyot' is the published algorithm.")
@click.option("--no-censor-marks", is_flag=True, help="Spread censorings uniformly instead of placing them at marks.")
@click.option("--landmarks", default="6,12,24", show_default=True, help="Landmark times for survival rates.")
@click.option("--tau", type=click.FloatRange(min=0, min_open=True), default=None,
              help="RMST horizon (default: the shortest arm's follow-up).")
@click.option("--reference", default=None, help="Reference arm for HRs (default: the first arm).")
@click.option("--time-unit", default="months", show_default=True, help="Unit of the x axis, for the report.")
@click.option("--accept-misfit", is_flag=True,
              help="Write every output even when the reconstruction does not fit the figure (flagged 'misfit').")
@click.option("--draws", type=click.IntRange(min=0), default=None,
              help="Plausible IPD sets for the reconstruction and total intervals (0: off; default 200 when "
                   "they take under 2 s).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the draws.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(figure, outdir, at_risk, x_range, y_range, page, index, arm_names, n_patients, total_events, method,
            no_censor_marks, landmarks, tau, reference, time_unit, accept_misfit, draws, seed, force) -> None:
    """From a Kaplan-Meier FIGURE (image, PDF or SVG) to reconstructed IPD, statistics and a report.

    Exit status 3 when the reconstruction does not fit the figure: only overlay.png, fit.png and
    run.json ("status": "misfit") are written; --accept-misfit writes everything, flagged.
    """
    from kmrecon.ipd_report import format_ipd_summary
    from kmrecon.run import run_figure
    from kmrecon.run_draws import run_reading
    from kmrecon.run_outputs import RUN_OUTPUTS, write_run_diagnostics, write_run_outputs
    from reconstruct.errors import MisfitError

    with library_errors():
        try:
            run = run_figure(
                figure, at_risk_path=at_risk, x_range=x_range, y_range=y_range, arm_names=parse_names(arm_names),
                n_patients=parse_assignments(n_patients, option="--n"),
                total_events=parse_assignments(total_events, option="--total-events"),
                method=method, use_censor_marks=not no_censor_marks, page=page, index=index,
                accept_misfit=accept_misfit, draws=draws, seed=seed,
            )
        except MisfitError as exc:
            write_run_diagnostics(exc.result, outdir, figure=figure, force=force)
            raise
        summary = write_run_outputs(run, outdir, figure=figure, landmarks=parse_landmarks(landmarks), tau=tau,
                                    reference=reference, time_unit=time_unit, force=force)
    for line in run.warnings:
        click.echo(f"warning: {line}", err=True)
    click.echo(format_ipd_summary(summary))
    if run.status != "ok":
        click.echo(f"status: {run.status} (accepted with --accept-misfit; see report.md)", err=True)
    reading = run_reading(run)
    if reading["status"] == "flagged":  # on stdout with the numbers it qualifies, not only among the warnings
        click.echo(f"reading: flagged: {reading['note']}")
    click.echo(f"wrote {len(RUN_OUTPUTS) + (run.draws is not None)} files to {outdir}"
               + ("" if run.draws is not None else f" ({run.draws_note})"))
