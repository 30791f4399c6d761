"""``kmrecon demo``: the main job on bundled, simulated example data."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

import click
import numpy as np

from compare._ipd_report import format_ipd_summary, write_ipd_report
from compare._summary import summarize_ipd
from kmrecon._cli_common import library_errors
from kmrecon._cmd_reconstruct import format_summary
from reconstruct import km_at, read_curves_csv, read_ipd_csv, reconstruct_files
from reconstruct._io import check_writable, provenance, write_csv, write_json

# The bundled curve gives survival to 4 decimals: rounding error has a standard error of about 3e-5.
DEMO_PRECISION = 1e-4
DEMO_DATA_NOTE = ("SIMULATED data: the demo curve and at-risk table were made by kmrecon from a simulated "
                  "two-arm trial (examples/make_demo_data.py), not from a published trial")


def demo_file(name: str) -> Path:
    """Path of a bundled demo input."""
    return Path(str(resources.files("kmrecon.demo_data").joinpath(name)))


@click.command("demo")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the outputs (default: a new temporary folder).")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(output_dir: Path | None, force: bool) -> None:
    """Reconstruct IPD from a bundled, SIMULATED two-arm curve and at-risk table, and check it against the truth."""
    curves, at_risk, truth = demo_file("curves.csv"), demo_file("at_risk.csv"), demo_file("true_ipd.csv")
    out = output_dir if output_dir is not None else Path(tempfile.mkdtemp(prefix="kmrecon-demo-"))
    with library_errors():
        for name in ("ipd.csv", "ipd.json", "summary.json", "report.md", "km.png", "fit.png"):
            check_writable(out / name, force=force)
        result = reconstruct_files(curves, at_risk, precision=DEMO_PRECISION)
        true = read_ipd_csv(truth)
        write_csv(out / "ipd.csv", result.to_frame(), force=force)
        write_json(out / "ipd.json", result.provenance | {"summary": result.summary().to_dict("records")}, force=force)
        summary = summarize_ipd(result.to_frame())
        record = provenance(inputs={"curves": curves, "at_risk": at_risk},
                            parameters={"precision": DEMO_PRECISION, "landmarks": list(summary.landmarks),
                                        "tau_used": summary.tau, "tau_rule": summary.tau_rule,
                                        "reference": summary.reference, "time_unit": summary.time_unit},
                            command="kmrecon demo")
        write_ipd_report(summary, out, ipd=result.to_frame(), curves=read_curves_csv(curves), provenance=record,
                         data_note=DEMO_DATA_NOTE, force=force)
    click.echo("kmrecon demo: SIMULATED two-arm trial (bundled curve + at-risk table), reconstructed IPD")
    click.echo(format_summary(result))
    click.echo("\nagainst the simulated truth:")
    for arm in result.arms:
        t = true[true["arm"] == arm.arm]
        grid = np.linspace(0.0, float(t["time"].max()), 2001)
        true_km = km_at(t["time"].to_numpy(), t["event"].to_numpy(), grid)
        rec_km = km_at(arm.time, arm.event, grid)
        gap = float(abs(true_km - rec_km).max())
        click.echo(
            f"  {arm.arm}: events {arm.n_events} (true {int(t['event'].sum())}), "
            f"max |KM reconstructed - KM true| = {gap:.4f}"
        )
    click.echo("\nsummary of the reconstructed IPD (report.md has landmarks, RMST and methods):")
    click.echo(format_ipd_summary(summary))
    click.echo(f"\noutputs in {out}: ipd.csv, ipd.json, summary.json, report.md, km.png, fit.png")
