"""``kmrecon reconstruct``: curve CSV (+ at-risk CSV) -> IPD CSV and a JSON sidecar."""

from __future__ import annotations

from pathlib import Path

import click

from kmrecon.commands.common import library_errors, parse_assignments, run_with_warnings
from reconstruct import reconstruct_files
from reconstruct.formats import AT_RISK_FORMATS, CURVE_FORMATS
from reconstruct.io import check_writable, write_columns_csv, write_json


def draws_path(output: Path) -> Path:
    """The draws CSV written beside the IPD (``ipd.csv`` -> ``ipd_draws.csv``)."""
    return output.with_name(f"{output.stem}_draws.csv")


def sidecar_path(output: Path) -> Path:
    """The JSON sidecar written beside an output file (``ipd.csv`` -> ``ipd.json``)."""
    return output.with_suffix(".json")


def fit_plot_path(output: Path) -> Path:
    """The fit plot written beside the output of a misfit (``ipd.csv`` -> ``ipd.fit.png``)."""
    return output.with_suffix(".fit.png")


def format_summary(result) -> str:
    """Per-arm summary lines for the terminal: a header and one right-aligned row per arm.

    Laid out as ``DataFrame.to_string(index=False)`` would, without importing pandas for four lines.
    """
    rows = result.summary_rows()
    names = list(rows[0]) if rows else []
    cells = [[name, *(f"{r[name]:.4f}" if isinstance(r[name], float) else str(r[name]) for r in rows)]
             for name in names]
    widths = [max(len(c) for c in column) for column in cells]
    return "\n".join("  ".join(column[i].rjust(w) for column, w in zip(cells, widths, strict=True))
                     for i in range(len(rows) + 1))


def reconstruction_draws(result, inputs, *, precision, draws, seed):
    """Draws of the reconstruction from the same inputs (None and a note when off or too costly)."""
    from kmrecon.run_draws import draw_count
    from reconstruct.draws import draw_ipd

    n_draws, note = draw_count(draws, sum(a.n_patients for a in result.arms), len(inputs.curves))
    if n_draws == 0:
        return None, note
    params = result.parameters
    sample = draw_ipd(
        inputs.curves, inputs.table, reconstruction=result, total_events=params.get("total_events") or None,
        censor_marks=inputs.marks, precision=precision, method=params.get("method", "steps"),
        n_draws=n_draws, seed=seed,
    )
    return sample, ""


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
@click.option("--accept-misfit", is_flag=True,
              help="Write the IPD even when it does not fit the curves (status 'misfit' in the sidecar).")
@click.option("--draws", type=click.IntRange(min=0), default=None,
              help="Plausible IPD sets written to OUTPUT_draws.csv (draw,arm,time,event); 0: off; default 200 "
                   "when they take under 2 s.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the draws.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(curves, at_risk, curves_format, at_risk_format, arm, censor_marks, n_patients, total_events, method,
            precision, output, accept_misfit, draws, seed, force) -> None:
    """Reconstruct individual patient data from CURVES (kmrecon, WebPlotDigitizer or R package files).

    CURVES is a curve CSV (arm,time,survival), a WebPlotDigitizer CSV (one dataset, or all datasets) or
    JSON project, or an IPDfromKM / reconstructKM / survHE table (time,surv or time,survival).
    Exit status 3 when the reconstruction does not fit the curves or the table contradicts them: only
    the sidecar (``"status": "misfit"``) and a fit plot (``.fit.png``) are written, unless --accept-misfit.
    """
    from reconstruct.errors import MisfitError
    from reconstruct.reconstruction import read_reconstruction_inputs

    with library_errors():
        check_writable(output, force=force)
        check_writable(sidecar_path(output), force=force)
        inputs = read_reconstruction_inputs(curves, at_risk, censor_marks_path=censor_marks,
                                            curves_format=curves_format, at_risk_format=at_risk_format, arm=arm)
        try:
            # warnings are echoed only for a result that passes the gate: a misfit prints one line
            result, fits = run_with_warnings(
                _reconstruct_checked, curves, at_risk, inputs=inputs, censor_marks_path=censor_marks,
                n_patients=parse_assignments(n_patients, option="--n"),
                total_events=parse_assignments(total_events, option="--total-events"),
                method=method, precision=precision, accept_misfit=accept_misfit,
            )
        except MisfitError as exc:
            _write_sidecar(output, exc.result, exc.fits, inputs, force=force)
            raise
        misfit = any(f.misfit for f in fits)
        sample, note = reconstruction_draws(result, inputs, precision=precision, draws=draws, seed=seed)
        if sample is not None:
            check_writable(draws_path(output), force=force)
        draws_record = {"file": None if sample is None else draws_path(output).name, "note": note,
                        **({} if sample is None else sample.parameters)}
        _write_sidecar(output, result, fits, inputs if misfit else None, force=force, draws=draws_record)
        write_columns_csv(output, result.to_columns(), force=force)
        if sample is not None:
            write_columns_csv(draws_path(output), sample.to_columns(), force=force)
    formats = result.provenance["input_formats"]
    click.echo(f"read {curves} as {formats['curves']}" + (f", {at_risk} as {formats['at_risk']}" if at_risk else ""))
    if misfit:
        click.echo("status: misfit (accepted with --accept-misfit; see the sidecar and the fit plot)", err=True)
    click.echo(format_summary(result))
    if sample is not None:
        click.echo(f"wrote {output}, {draws_path(output)} ({sample.n_draws} draws) and {sidecar_path(output)}")
    else:
        click.echo(f"wrote {output} and {sidecar_path(output)} ({note})")


def _reconstruct_checked(curves, at_risk, *, inputs, accept_misfit: bool, precision: float, **kwargs):
    """reconstruct_files, then the quality gate (raises MisfitError unless accepted)."""
    from reconstruct.quality import check_fit_files

    result = reconstruct_files(curves, at_risk, inputs=inputs, precision=precision, **kwargs)
    return result, check_fit_files(result, inputs.curves, inputs.table, precision=precision,
                                   accept_misfit=accept_misfit)


def _write_sidecar(output: Path, result, fits, inputs, *, force: bool, draws: dict | None = None) -> None:
    """The JSON sidecar with status and fit scores; with ``inputs`` also the fit plot of a misfit."""
    record = dict(result.provenance)
    record["status"] = "misfit" if any(f.misfit for f in fits) else "ok"
    record["fit"] = [f.to_dict() for f in fits]
    if draws is not None:
        record["draws"] = draws
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
    if inputs is not None:
        check_writable(fit_plot_path(output), force=force)
    write_json(sidecar_path(output), record, force=force)
    if inputs is not None:  # a misfit's fit plot: only then are matplotlib and pandas loaded
        from kmrecon.run_outputs import fit_png
        from reconstruct.io import write_bytes

        write_bytes(fit_plot_path(output), fit_png(inputs.curves.to_frame(), result.to_frame()), force=force)
