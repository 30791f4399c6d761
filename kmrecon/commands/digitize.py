"""``kmrecon digitize``: KM figure image -> curves.csv, censor_marks.csv, digitize.json, overlay.png."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from kmrecon.commands.common import library_errors
from reconstruct.io import check_writable, write_bytes, write_csv, write_json
from reconstruct.errors import DigitizationWarning

OUTPUTS = ("curves.csv", "censor_marks.csv", "digitize.json", "overlay.png")


@click.command("digitize")
@click.argument("figure", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for curves.csv, censor_marks.csv, digitize.json and overlay.png (created if missing).")
@click.option("--x-range", nargs=2, type=float, default=None, metavar="A B",
              help="Values of the first and last labelled x tick (otherwise read by OCR).")
@click.option("--y-range", nargs=2, type=float, default=None, metavar="A B",
              help="Values of the first and last labelled y tick, e.g. 0 100 for a percent axis.")
@click.option("--arms", type=click.IntRange(1, 8), default=None, help="Number of curves in the figure.")
@click.option("--page", type=click.IntRange(min=1), default=None, help="PDF page of the plot (1-based).")
@click.option("--index", type=click.IntRange(min=1), default=None,
              help="Which plot on the page or in the SVG (1-based; see kmrecon find).")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(figure: Path, outdir: Path, x_range, y_range, arms, page, index, force: bool) -> None:
    """Digitize the Kaplan-Meier curves in FIGURE (PNG, JPEG, TIFF, BMP; or a plot in a PDF or SVG)."""
    from figures.overlay import overlay_png
    from reconstruct.document import digitize_document, open_document, overlay_background

    with library_errors():
        for name in OUTPUTS:
            check_writable(outdir / name, force=force)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DigitizationWarning)
            document = open_document(figure)  # read once: the digitizer and the overlay share it
            result = digitize_document(document, page=page, index=index, x_range=x_range, y_range=y_range,
                                       n_arms=arms)
        outdir.mkdir(parents=True, exist_ok=True)
        write_csv(outdir / "curves.csv", result.curves_frame(), force=force)
        write_csv(outdir / "censor_marks.csv", result.censor_marks_frame(), force=force)
        write_json(outdir / "digitize.json", result.to_dict(), force=force)
        write_bytes(outdir / "overlay.png", overlay_png(result, overlay_background(document, result)), force=force)
    for item in caught:
        click.echo(f"warning: {item.message}", err=True)
    for _k, arm in enumerate(result.to_dict()["arms"]):
        click.echo(f"{arm['arm']}: colour {arm['colour']}, {arm['n_points']} step points, "
                   f"{arm['n_censor_marks']} censor marks, coverage {arm['quality']['coverage']:.2f}")
    click.echo(f"{result.curve_kind.replace('_', ' ')} curves; wrote {', '.join(OUTPUTS)} to {outdir}")
