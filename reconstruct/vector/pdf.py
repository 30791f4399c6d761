"""Kaplan-Meier plots in PDF files: find them, read vector plots exactly, hand raster plots to the digitizer.

Pages are read by :mod:`reconstruct.vector.pdf_read` (pdfminer.six); vector plots go through the
geometry of :mod:`reconstruct.vector.geometry` and :mod:`reconstruct.vector.curves`; embedded images
go to :func:`reconstruct.digitize.figure.digitize_figure`. Results are the image digitizer's
:class:`~reconstruct.digitize.digitized.DigitizedFigure`, so every later step treats both alike.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from reconstruct.errors import DigitizationError, InputError
from reconstruct.io import provenance as make_provenance
from reconstruct.io import sha256_file
from reconstruct.vector.figure import vector_figure, vector_plots
from reconstruct.vector.pdf_read import PdfImage, read_pdf_pages

__all__ = ["FoundPlot", "find_km_plots", "plot_thumbnails", "digitize_pdf", "raster_images"]

_MIN_IMAGE_PX = 100  # smaller embedded images are icons or logos, not figures


@dataclass(frozen=True)
class FoundPlot:
    """A candidate KM plot on a PDF page (every plot of a page is listed, in reading order).

    Attributes
    ----------
    page : int
        1-based page number.
    index : int
        1-based position among the plots of that page (what ``digitize_pdf(index=...)`` takes).
    kind : {"vector", "raster"}
        Drawn with paths (read exactly) or an embedded image (needs the image digitizer).
    bbox : tuple of float
        ``(row0, col0, row1, col1)`` in points, origin top-left of the page.
    n_curves : int
        Step curves found (0 for raster images, which are not analysed here).
    """

    page: int
    index: int
    kind: Literal["vector", "raster"]
    bbox: tuple[float, float, float, float]
    n_curves: int


def raster_images(images: list[PdfImage]) -> list[PdfImage]:
    """The embedded images of a page large enough to be figures (not icons or logos)."""
    return [im for im in images if im.rgb is None or min(im.rgb.shape[:2]) >= _MIN_IMAGE_PX]


def find_km_plots(path: str | os.PathLike[str]) -> tuple[FoundPlot, ...]:
    """List the KM plot candidates of a PDF: vector plots with step curves, then large embedded images.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    tuple of FoundPlot
        In page order; within a page vector plots first (top-to-bottom), then images.
    """
    found = []
    for number, page, images in read_pdf_pages(path):
        plots = vector_plots(page)
        for k, plot in enumerate(plots, start=1):
            found.append(FoundPlot(number, k, "vector", plot.frame.bbox, len(plot.curves)))
        for k, image in enumerate(raster_images(images), start=len(plots) + 1):
            found.append(FoundPlot(number, k, "raster", image.bbox, 0))
    return tuple(found)


def plot_thumbnails(path: str | os.PathLike[str], plots: Sequence[FoundPlot], *, width_px: int = 400) -> list[bytes]:
    """PNG thumbnails of found plots: the page region rendered by PDFium (vector plots), images downscaled.

    Parameters
    ----------
    path : path-like
        The PDF the plots were found in.
    plots : sequence of FoundPlot
        From :func:`find_km_plots`.
    width_px : int, default 400
        Thumbnail width in pixels.

    Returns
    -------
    list of bytes
        One PNG per plot, in order.
    """
    import cv2

    from reconstruct.vector.pdf_render import render_page

    wanted = {p.page for p in plots}
    pages = {number: (page, raster_images(images)) for number, page, images in read_pdf_pages(path, pages=wanted)}
    out = []
    for plot in plots:
        page, rasters = pages[plot.page]
        raster_k = plot.index - 1 - len(vector_plots(page))
        if plot.kind == "raster" and rasters[raster_k].rgb is not None:
            rgb = rasters[raster_k].rgb
        else:
            r0, c0, r1, c1 = plot.bbox
            pad = 0.04 * (c1 - c0)
            rgb = render_page(path, plot.page, bbox=(r0 - pad, c0 - pad, r1 + pad, c1 + pad),
                              px_per_point=width_px / max(c1 - c0 + 2 * pad, 1.0))
        scale = width_px / rgb.shape[1]
        small = cv2.resize(rgb, (width_px, max(1, round(rgb.shape[0] * scale))), interpolation=cv2.INTER_AREA)
        out.append(cv2.imencode(".png", small[:, :, ::-1])[1].tobytes())
    return out


def digitize_pdf(
    path: str | os.PathLike[str],
    *,
    page: int | None = None,
    index: int | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    n_arms: int | None = None,
    read_pages: Callable[..., Iterator[tuple[int, Any, list[PdfImage]]]] = read_pdf_pages,
):
    """Digitize one KM plot of a PDF: exactly from its paths, or through the image digitizer.

    Parameters
    ----------
    path : path-like
        The PDF.
    page : int, optional
        1-based page number; default the first page with a plot.
    index : int, optional
        1-based plot number on that page as listed by :func:`find_km_plots`; default 1.
    x_range, y_range : (float, float), optional
        Values of the first and last labelled tick. Vector plots are calibrated from their tick
        label text; the hints are used only when a page has no labels as text (outlined fonts).
        Raster plots pass them to :func:`reconstruct.digitize.figure.digitize_figure`.
    n_arms : int, optional
        Raster plots only (vector plots report every step curve).
    read_pages : callable, default :func:`reconstruct.vector.pdf_read.read_pdf_pages`
        Page reader with that function's signature; :class:`reconstruct.document.FigureDocument`
        passes its own, which keeps the chosen page for the at-risk reader and the overlay.

    Returns
    -------
    DigitizedFigure
        For a vector plot: exact step corners, censor marks and legend labels, positions in
        points. ``provenance`` names the PDF and its sha256, and holds ``source_kind``
        ("vector" or "raster"), ``page`` and ``index``.

    Raises
    ------
    InputError
        Unreadable PDF, or ``page``/``index`` naming no plot.
    DigitizationError, CalibrationError
        No plot found, or the chosen plot could not be read.
    """
    for name, value in (("page", page), ("index", index)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise InputError(f"{name} must be a whole number >= 1, got {value!r}")
    src = os.fspath(path)
    seen = 0
    for number, vpage, images in read_pages(src, pages=None if page is None else [page]):
        seen += 1
        plots = vector_plots(vpage, x_range=x_range, y_range=y_range)
        rasters = raster_images(images)
        candidates = [("vector", p) for p in plots] + [("raster", im) for im in rasters]
        if not candidates:
            if page is not None:
                raise DigitizationError(f"expected a KM plot on page {page}, got none (no labelled axes with step "
                                        "curves and no embedded image); list the plots with `kmrecon find`")
            continue
        k = 1 if index is None else int(index)
        if k > len(candidates):
            raise InputError(f"index must be at most {len(candidates)} (plots on page {number}), got {k}")
        kind, chosen = candidates[k - 1]
        record = make_provenance(inputs={"figure": src}, parameters={"page": number, "index": k},
                                 command="reconstruct.digitize_pdf")
        record["source_kind"] = kind
        if kind == "vector":
            return vector_figure(chosen, vpage.size, record)
        return _digitize_raster(chosen, record, x_range=x_range, y_range=y_range, n_arms=n_arms)
    if page is not None and seen == 0:
        raise InputError(f"page must name a page of the PDF, got {page}", source=src)
    raise DigitizationError("expected a KM plot in the PDF, got none (no labelled axes with step curves and no "
                            "embedded image)")


def _digitize_raster(image: PdfImage, record: dict[str, Any], **hints):
    if image.rgb is None:
        raise DigitizationError(f"expected a decodable embedded image, got {image.note}")
    try:
        from reconstruct.digitize.figure import digitize_figure
    except ImportError:
        raise DigitizationError("raster PDF figures need the image digitizer (reconstruct.digitize.figure), "
                                "which is not available") from None
    import cv2

    from reconstruct.io import write_bytes

    with tempfile.TemporaryDirectory(prefix="kmrecon-pdf-") as tmp:
        png = Path(tmp) / "figure.png"
        ok, encoded = cv2.imencode(".png", image.rgb[:, :, ::-1])
        if not ok:
            raise DigitizationError("expected to re-encode the embedded image as PNG, got an OpenCV failure")
        write_bytes(png, encoded.tobytes())
        record["parameters"]["image_sha256"] = sha256_file(png)
        record["parameters"]["image_shape"] = list(image.rgb.shape[:2])
        record["parameters"].update(hints)
        result = digitize_figure(png, **hints)
    record["digitizer_parameters"] = result.provenance.get("parameters", {})
    return dataclasses.replace(result, provenance=record)
