"""``kmrecon summarize``: IPD CSV -> summary.json, report.md, km.png (and fit.png with --curves)."""

from __future__ import annotations

from pathlib import Path

import click

from kmrecon.ipd_report import format_ipd_summary, write_ipd_report
from compare.survival.ipd_summary import TIME_UNITS, summarize_ipd
from kmrecon.commands.common import library_errors, parse_landmarks, run_with_warnings
from reconstruct.io import provenance, read_curves_csv, read_ipd_csv
from reconstruct.errors import InputError


@click.command("summarize")
@click.argument("ipd_csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output-dir", "output_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for summary.json, report.md, km.png (and fit.png).")
@click.option("--landmarks", default="6,12,24", show_default=True,
              help="Comma-separated landmark times for S(t) (in the time unit).")
@click.option("--tau", type=click.FloatRange(min=0, min_open=True), default=None,
              help="RMST truncation time [default: the smallest of the arms' last follow-up times].")
@click.option("--reference", default=None, help="Reference arm of the contrasts [default: first arm, sorted].")
@click.option("--time-unit", type=click.Choice(TIME_UNITS), default="months", show_default=True,
              help="Unit of the IPD times.")
@click.option("--conf-level", type=click.FloatRange(min=0, max=1, min_open=True, max_open=True), default=0.95,
              show_default=True, help="Level of every confidence interval.")
@click.option("--curves", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Digitized curve CSV (arm,time,survival): adds fit.png, digitized vs reconstructed.")
@click.option("--overlay", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Digitization overlay image to link from report.md.")
@click.option("--unanchored", is_flag=True, help="The arms come from different trials (unanchored comparison).")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(ipd_csv, output_dir, landmarks, tau, reference, time_unit, conf_level, curves, overlay, unanchored,
            force) -> None:
    """Summarize reconstructed IPD_CSV (arm,time,event): medians, landmarks, RMST, HR, log-rank, and a report."""
    with library_errors():
        marks = parse_landmarks(landmarks)
        if overlay is not None and not overlay.is_file():
            raise InputError("expected an existing overlay image, got no such file", source=str(overlay))
        ipd = read_ipd_csv(ipd_csv)
        curve_frame = None if curves is None else read_curves_csv(curves)
        summary = run_with_warnings(summarize_ipd, ipd, landmarks=marks, tau=tau, reference=reference,
                                    conf_level=conf_level, time_unit=time_unit)
        record = provenance(
            inputs={"ipd": ipd_csv, "curves": curves, "overlay": overlay},
            parameters={"landmarks": list(marks), "tau": tau, "tau_used": summary.tau, "tau_rule": summary.tau_rule,
                        "reference": summary.reference, "time_unit": time_unit, "conf_level": conf_level,
                        "unanchored": unanchored},
            command="kmrecon summarize",
        )
        files = write_ipd_report(summary, output_dir, ipd=ipd, curves=curve_frame, overlay_png=overlay,
                                 provenance=record, unanchored=unanchored, force=force)
    click.echo(f"kmrecon summarize: {ipd_csv} (reconstructed IPD; {summary.time_unit})")
    click.echo(format_ipd_summary(summary))
    written = [files.summary_json, files.report_md, files.km_png] + ([files.fit_png] if files.fit_png else [])
    click.echo("wrote " + ", ".join(str(path) for path in written))
