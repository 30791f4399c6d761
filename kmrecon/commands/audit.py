"""``kmrecon audit``: consistency audit of a paper's reported statistics (Markdown and JSON report)."""

from __future__ import annotations

from pathlib import Path

import click

from compare.audit.audit import audit_file
from kmrecon.commands.common import library_errors
from reconstruct.io import check_writable, write_bytes, write_json


@click.command("audit")
@click.argument("paper", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write audit.md and audit.json here (default: print the Markdown report only).")
@click.option("--force", is_flag=True, help="Overwrite existing reports in OUTDIR.")
def command(paper, outdir, force) -> None:
    """Audit the reported numbers of PAPER (a registry YAML with an optional audit: section)."""
    with library_errors():
        if outdir is not None:
            md_path, json_path = outdir / "audit.md", outdir / "audit.json"
            check_writable(md_path, force=force)
            check_writable(json_path, force=force)
        report = audit_file(paper, command="kmrecon audit")
        markdown = report.to_markdown()
        if outdir is not None:
            write_bytes(md_path, markdown.encode("utf-8"), force=force)
            write_json(json_path, report.to_dict(), force=force)
    if outdir is None:
        click.echo(markdown)
    else:
        counts = report.counts()
        click.echo(f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes")
        click.echo(f"wrote {md_path} and {json_path}")
