"""``kmrecon find``: list the Kaplan-Meier plots of a PDF with page, box and a thumbnail."""

from __future__ import annotations

from pathlib import Path

import click

from kmrecon.commands.common import library_errors
from reconstruct.io import check_writable, provenance, write_bytes, write_json


@click.command("find")
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the thumbnails and find.json (default: PDF name + '_plots' beside the PDF).")
@click.option("--force", is_flag=True, help="Overwrite existing thumbnails.")
def command(pdf: Path, outdir: Path | None, force: bool) -> None:
    """List the KM plots in PDF: page, index, kind (vector/raster), box in points and a thumbnail.

    Pick one for `kmrecon digitize PDF --page N [--index K]`.
    """
    from reconstruct.vector.pdf import find_km_plots, plot_thumbnails

    outdir = outdir if outdir is not None else pdf.with_name(pdf.stem + "_plots")
    with library_errors():
        plots = find_km_plots(pdf)
        names = [outdir / f"page{p.page}_plot{p.index}.png" for p in plots]
        for name in [*names, outdir / "find.json"]:
            check_writable(name, force=force)
        for name, png in zip(names, plot_thumbnails(pdf, plots), strict=False):
            write_bytes(name, png, force=force)
        record = {
            "plots": [{"page": p.page, "index": p.index, "kind": p.kind, "n_curves": p.n_curves,
                       "bbox_pt": {"row0": p.bbox[0], "col0": p.bbox[1], "row1": p.bbox[2], "col1": p.bbox[3]},
                       "thumbnail": name.name} for p, name in zip(plots, names, strict=False)],
            "provenance": provenance(inputs={"pdf": pdf}, parameters={}, command="kmrecon find"),
        }
        write_json(outdir / "find.json", record, force=force)
    if not plots:
        click.echo(f"no KM plot found in {pdf}")
    for p, name in zip(plots, names, strict=False):
        r0, c0, r1, c1 = p.bbox
        click.echo(f"page {p.page} plot {p.index}: {p.kind}, {p.n_curves} curves, "
                   f"box (row0 {r0:.1f}, col0 {c0:.1f}, row1 {r1:.1f}, col1 {c1:.1f}) pt, thumbnail {name}")
