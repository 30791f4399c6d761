"""``kmrecon demo``: the main job, from a figure to IPD and a report, on a bundled SIMULATED example."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

import click
import numpy as np

from kmrecon.commands.common import library_errors, run_with_warnings
from reconstruct import km_at, read_ipd_csv

# The bundled curve CSV gives survival to 4 decimals: rounding error has a standard error of about 3e-5.
DEMO_PRECISION = 1e-4
DEMO_DATA_NOTE = ("SIMULATED data: the demo figure was drawn by kmrecon from a simulated two-arm trial "
                  "(examples/make_demo_data.py), not from a published trial")


def demo_file(name: str) -> Path:
    """Path of a bundled demo input."""
    return Path(str(resources.files("kmrecon.demo_data").joinpath(name)))


def _truth_lines(run, summary, truth) -> list[str]:
    """How the reconstruction compares with the simulated truth: events, KM, medians, HR."""
    from compare import contrast_arms, kaplan_meier, median_survival

    lines = []
    for arm in run.reconstruction.arms:
        t = truth[truth["arm"] == arm.arm]
        time, event = t["time"].to_numpy(), t["event"].to_numpy()
        grid = np.linspace(0.0, float(time.max()), 2001)
        gap = float(np.abs(km_at(time, event, grid) - km_at(arm.time, arm.event, grid)).mean())
        true_median = median_survival(kaplan_meier(time, event)).time
        rec_median = median_survival(kaplan_meier(arm.time, arm.event)).time
        lines.append(f"  {arm.arm}: events {arm.n_events} (true {int(event.sum())}), median {rec_median:.2f} "
                     f"(true {true_median:.2f}), mean |KM reconstructed - KM true| = {gap:.4f}")
    for contrast in summary.contrasts:
        a = truth[truth["arm"] == contrast.arm]
        r = truth[truth["arm"] == contrast.reference]
        true = contrast_arms(contrast.arm, (a["time"], a["event"]), contrast.reference, (r["time"], r["event"]),
                             tau=summary.tau)
        if contrast.hazard_ratio is not None and true.hazard_ratio is not None:
            lines.append(f"  HR {contrast.arm} vs {contrast.reference}: {contrast.hazard_ratio.hazard_ratio:.3f} "
                         f"(true {true.hazard_ratio.hazard_ratio:.3f})")
    return lines


@click.command("demo")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the outputs (default: a new temporary folder).")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(output_dir: Path | None, force: bool) -> None:
    """Figure -> IPD -> report on a bundled, SIMULATED two-arm figure, checked against the simulated truth."""
    from kmrecon.ipd_report import format_ipd_summary
    from kmrecon.run import run_figure
    from kmrecon.run_outputs import DRAWS_FILE, RUN_OUTPUTS, write_run_outputs

    figure = demo_file("figure.png")
    out = output_dir if output_dir is not None else Path(tempfile.mkdtemp(prefix="kmrecon-demo-"))
    with library_errors():
        run = run_with_warnings(run_figure, figure)
        summary = write_run_outputs(run, out, figure=figure, data_note=DEMO_DATA_NOTE, force=force)
        truth = read_ipd_csv(demo_file("true_ipd.csv"))
    click.echo(f"kmrecon demo: SIMULATED two-arm trial; figure drawn by kmrecon ({figure.name}), read with no hints")
    match = "" if run.match is None else f", rows matched to curves by {run.match.basis}"
    click.echo(f"digitized {len(run.arm_names)} curves ({', '.join(run.arm_names)}); at-risk table read from the "
               f"{run.at_risk_source}{match}\n")
    click.echo(format_ipd_summary(summary))
    click.echo("\nagainst the simulated truth:")
    for line in _truth_lines(run, summary, truth):
        click.echo(line)
    written = [*RUN_OUTPUTS, DRAWS_FILE] if (out / DRAWS_FILE).is_file() else list(RUN_OUTPUTS)
    click.echo(f"\noutputs in {out}: {', '.join(written)}")
