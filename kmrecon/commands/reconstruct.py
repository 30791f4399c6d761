"""``kmrecon reconstruct``: curve CSV (+ at-risk CSV) -> IPD CSV and a JSON sidecar."""

from __future__ import annotations

from pathlib import Path

import click

from kmrecon.commands.common import library_errors, parse_assignments, run_with_warnings
from reconstruct import reconstruct_files
from reconstruct.formats import AT_RISK_FORMATS, CURVE_FORMATS
from reconstruct.io import check_writable, write_csv, write_json


def sidecar_path(output: Path) -> Path:
    """The JSON sidecar written beside an output file (``ipd.csv`` -> ``ipd.json``)."""
    return output.with_suffix(".json")


def format_summary(result) -> str:
    """Per-arm summary lines for the terminal."""
    frame = result.summary()
    return frame.to_string(index=False, float_format=lambda v: f"{v:.4f}")


@click.command("reconstruct")
@click.argument("curves", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--at-risk", "at_risk", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Number-at-risk CSV (arm,time,n_risk), or a one-arm time,nrisk / time,NAR table.")
@click.option("--format", "curves_format", type=click.Choice(CURVE_FORMATS), default=None,
              help="Format of CURVES (default: detected; the sidecar names it).")
@click.option("--at-risk-format", type=click.Choice(AT_RISK_FORMATS), default=None,
              help="Format of the --at-risk file (default: detected).")
@click.option("--arm", default=None, help="Arm name of a one-arm CURVES file (default: its file name's stem).")
@click.option("--censor-marks", "censor_marks", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Censor-mark CSV (arm,time,survival): censored patients are placed at the marks.")
@click.option("--n", "n_patients", multiple=True, metavar="ARM=N",
              help="Patients in an arm without at-risk rows (repeatable).")
@click.option("--total-events", multiple=True, metavar="ARM=N", help="Reported total events of an arm (repeatable).")
@click.option("--method", type=click.Choice(["steps", "guyot"]), default="steps", show_default=True,
              help="'steps' refines Guyot with exact step heights; 'guyot' is the published algorithm.")
@click.option("--precision", type=click.FloatRange(min=0, min_open=True), default=1e-3, show_default=True,
              help="Standard error of a digitized survival value (survival units).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="IPD CSV to write (arm,time,event); a .json sidecar is written beside it.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(curves, at_risk, curves_format, at_risk_format, arm, censor_marks, n_patients, total_events, method,
            precision, output, force) -> None:
    """Reconstruct individual patient data from CURVES (kmrecon, WebPlotDigitizer or R package files).

    CURVES is a curve CSV (arm,time,survival), a WebPlotDigitizer CSV (one dataset, or all datasets) or
    JSON project, or an IPDfromKM / reconstructKM / survHE table (time,surv or time,survival).
    """
    with library_errors():
        check_writable(output, force=force)
        check_writable(sidecar_path(output), force=force)
        result = run_with_warnings(
            reconstruct_files,
            curves,
            at_risk,
            censor_marks_path=censor_marks,
            curves_format=curves_format,
            at_risk_format=at_risk_format,
            arm=arm,
            n_patients=parse_assignments(n_patients, option="--n"),
            total_events=parse_assignments(total_events, option="--total-events"),
            method=method,
            precision=precision,
        )
        write_csv(output, result.to_frame(), force=force)
        record = dict(result.provenance)
        record["arms"] = {
            a.arm: {
                "n": a.n_patients,
                "events": a.n_events,
                "fidelity": a.fidelity.to_dict(),
                "cleaning_notes": list(a.cleaning_notes),
                "iterations": a.iterations,
                "converged": a.converged,
            }
            for a in result.arms
        }
        write_json(sidecar_path(output), record, force=force)
    formats = result.provenance["input_formats"]
    click.echo(f"read {curves} as {formats['curves']}" + (f", {at_risk} as {formats['at_risk']}" if at_risk else ""))
    click.echo(format_summary(result))
    click.echo(f"wrote {output} and {sidecar_path(output)}")
