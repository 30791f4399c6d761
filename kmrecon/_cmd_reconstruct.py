"""``kmrecon reconstruct``: curve CSV (+ at-risk CSV) -> IPD CSV and a JSON sidecar."""

from __future__ import annotations

from pathlib import Path

import click

from kmrecon._cli_common import library_errors, parse_assignments, run_with_warnings
from reconstruct import reconstruct_files
from reconstruct._io import check_writable, write_csv, write_json


def draws_path(output: Path) -> Path:
    """The draws CSV written beside the IPD (``ipd.csv`` -> ``ipd_draws.csv``)."""
    return output.with_name(f"{output.stem}_draws.csv")


def sidecar_path(output: Path) -> Path:
    """The JSON sidecar written beside an output file (``ipd.csv`` -> ``ipd.json``)."""
    return output.with_suffix(".json")


def format_summary(result) -> str:
    """Per-arm summary lines for the terminal."""
    frame = result.summary()
    return frame.to_string(index=False, float_format=lambda v: f"{v:.4f}")


def reconstruction_draws(result, curves, at_risk, censor_marks, precision, draws, seed):
    """Draws of the reconstruction from the same CSVs (None and a note when off or too costly)."""
    from reconstruct._draws import DEFAULT_DRAWS, draw_ipd
    from reconstruct._io import read_at_risk_csv, read_censor_marks_csv, read_curves_csv
    from reconstruct._run_draws import draws_affordable

    if draws == 0:
        return None, "draws turned off (--draws 0)"
    frame = read_curves_csv(curves)
    n = sum(a.n_patients for a in result.arms)
    if draws is None and not draws_affordable(n, len(frame)):
        return None, f"draws skipped: {DEFAULT_DRAWS} draws of {n} patients would take over 2 s; pass --draws N"
    params = result.parameters
    sample = draw_ipd(
        frame, read_at_risk_csv(at_risk) if at_risk is not None else None, reconstruction=result,
        total_events=params.get("total_events") or None,
        censor_marks=read_censor_marks_csv(censor_marks) if censor_marks is not None else None,
        precision=precision, method=params.get("method", "steps"), n_draws=draws or DEFAULT_DRAWS, seed=seed,
    )
    return sample, ""


@click.command("reconstruct")
@click.argument("curves", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--at-risk", "at_risk", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Number-at-risk CSV (arm,time,n_risk).")
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
@click.option("--draws", type=click.IntRange(min=0), default=None,
              help="Plausible IPD sets written to OUTPUT_draws.csv (draw,arm,time,event); 0: off; default 200 "
                   "when they take under 2 s.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the draws.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(curves, at_risk, censor_marks, n_patients, total_events, method, precision, output, draws, seed,
            force) -> None:
    """Reconstruct individual patient data from CURVES (arm,time,survival)."""
    with library_errors():
        check_writable(output, force=force)
        check_writable(sidecar_path(output), force=force)
        result = run_with_warnings(
            reconstruct_files,
            curves,
            at_risk,
            censor_marks_path=censor_marks,
            n_patients=parse_assignments(n_patients, option="--n"),
            total_events=parse_assignments(total_events, option="--total-events"),
            method=method,
            precision=precision,
        )
        sample, note = reconstruction_draws(result, curves, at_risk, censor_marks, precision, draws, seed)
        if sample is not None:
            check_writable(draws_path(output), force=force)
        write_csv(output, result.to_frame(), force=force)
        if sample is not None:
            write_csv(draws_path(output), sample.to_frame(), force=force)
        record = dict(result.provenance)
        record["draws"] = {"file": None if sample is None else draws_path(output).name, "note": note,
                           **({} if sample is None else sample.parameters)}
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
    click.echo(format_summary(result))
    if sample is not None:
        click.echo(f"wrote {output}, {draws_path(output)} ({sample.n_draws} draws) and {sidecar_path(output)}")
    else:
        click.echo(f"wrote {output} and {sidecar_path(output)} ({note})")
