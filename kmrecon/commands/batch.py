"""``kmrecon batch``: ``kmrecon run`` over many figures, in parallel, resumable, on one machine or a Dask cluster."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kmrecon.commands.common import library_errors


def _progress_printer(stream):
    """A one-line progress display: figures done, failed, rate and ETA (a line per update when not a tty)."""
    tty = stream.isatty()

    def show(done: int, failed: int, total: int, seconds: float) -> None:
        rate = done / seconds if seconds > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else float("nan")
        eta_text = "--" if eta != eta else f"{int(eta // 60)}m{int(eta % 60):02d}s"
        line = f"[{done}/{total}] failed {failed}, {rate:.2f} figures/s, ETA {eta_text}"
        stream.write(("\r" + line) if tty else line + "\n")
        if tty and done == total:
            stream.write("\n")
        stream.flush()

    return show


@click.command("batch")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="One subfolder per figure plus batch_summary.csv.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option("--resume", is_flag=True, help="Skip figures whose outputs are complete from an earlier run.")
@click.option("--at-risk-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of <figure stem>.csv at-risk tables.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786): run there instead of local processes.")
@click.option("--method", type=click.Choice(["steps", "guyot"]), default="steps", show_default=True)
@click.option("--no-censor-marks", is_flag=True, help="Spread censorings uniformly instead of at marks.")
@click.option("--accept-misfit", is_flag=True,
              help="Write every output of a figure whose reconstruction misfits (still status 'misfit').")
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--force", is_flag=True, help="Replace outputs of an earlier batch in OUTDIR.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds one figure may take; past it the figure fails and its worker is replaced.")
@click.option("--max-memory", default="3G", show_default=True, metavar="SIZE",
              help="Address space of each worker process (RLIMIT_AS), e.g. 1500M or 3G.")
def command(source, outdir, jobs, resume, at_risk_dir, scheduler, method, no_censor_marks, accept_misfit, quiet,
            force, timeout, max_memory) -> None:
    """Run every figure in SOURCE (a folder of images, or a text file listing them)."""
    from kmrecon.batch import collect_batch, run_batch
    from kmrecon.batch_guard import parse_size
    from kmrecon.html_report import write_batch_index

    with library_errors():
        memory = parse_size(max_memory, option="--max-memory")
        items = collect_batch(source, at_risk_dir=at_risk_dir)
        report = run_batch(
            items, outdir, jobs=jobs, resume=resume, force=force, scheduler=scheduler,
            options={"method": method, "use_censor_marks": not no_censor_marks, "accept_misfit": accept_misfit},
            progress=None if quiet else _progress_printer(sys.stderr), timeout=timeout, max_memory=memory,
        )
        index = write_batch_index(report.outcomes, outdir)
    c = report.counts
    misfit = f", {c['misfit']} misfit" if c.get("misfit") else ""
    click.echo(f"{c['done']} done, {c['failed']} failed, {c['skipped']} skipped{misfit} in {report.seconds:.1f} s; "
               f"summary: {report.summary_path}; report: {index}")
