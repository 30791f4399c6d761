"""One entry point for a figure file of any kind: open it once, then digitize, read its table and draw on it.

:func:`open_document` returns a :class:`FigureDocument` that loads the file lazily and keeps what it
loaded: the decoded image, the parsed SVG, or the PDF page the plot was found on. The digitizer
(:func:`digitize_document`), the at-risk reader (:func:`read_document_at_risk`) and the overlay
(:func:`overlay_background`) all take that document, so one ``kmrecon run`` parses its input once.

Raster figures go to :mod:`reconstruct.digitize`; vector PDF and SVG plots to :mod:`reconstruct.vector`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from reconstruct.errors import CalibrationError, DigitizationError, InputError

__all__ = ["FigureDocument", "open_document", "digitize_document", "read_document_at_risk", "overlay_background"]

DocumentKind = Literal["image", "pdf", "svg"]
KEPT_PAGES = 4  # parsed PDF pages a FigureDocument keeps (a page of a long document is a few MB at most)


def _kind(path: str | os.PathLike[str]) -> DocumentKind:
    suffix = Path(path).suffix.lower()
    return {".pdf": "pdf", ".svg": "svg"}.get(suffix, "image")  # type: ignore[return-value]


class FigureDocument:
    """A figure file, opened once and loaded on first use.

    Parameters
    ----------
    path : path-like
        ``.pdf``, ``.svg``, or an image (PNG, JPEG, TIFF, BMP), told apart by the suffix.

    Attributes
    ----------
    path : str
    kind : {"image", "pdf", "svg"}
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.kind: DocumentKind = _kind(path)
        self._image: Any = None
        self._svg: Any = None
        self._pdf_pages: dict[int, tuple[Any, list[Any]]] = {}  # the last few pages read, by number
        self._pdf_count: int | None = None  # pages in the file, once all were read

    def __repr__(self) -> str:
        return f"FigureDocument({self.path!r}, kind={self.kind!r})"

    def image(self):
        """The decoded image (:class:`reconstruct.digitize.image.LoadedImage`); images only."""
        if self._image is None:
            from reconstruct.digitize.image import load_image

            self._image = load_image(self.path)
        return self._image

    def svg_page(self):
        """The parsed SVG (:class:`reconstruct.vector.geometry.VectorPage`); SVG files only."""
        if self._svg is None:
            from reconstruct.vector.svg import read_svg_page

            self._svg = read_svg_page(self.path)
        return self._svg

    def pdf_pages(self, path: str | None = None, *, pages: Sequence[int] | None = None) -> Iterator[tuple[int, Any,
                                                                                                    list[Any]]]:
        """Pages of the PDF as :func:`reconstruct.vector.pdf_read.read_pdf_pages` yields them.

        The last :data:`KEPT_PAGES` pages read are kept, so the at-risk reader and the overlay get the
        page the digitizer found the plot on without parsing it again, and a short document is parsed
        once whatever is asked of it. ``path`` is accepted for signature compatibility with
        ``read_pdf_pages`` and must be this document's.
        """
        if path is not None and os.fspath(path) != self.path:
            raise InputError(f"expected pages of {self.path}, got a request for {path}")
        wanted = range(1, self._pdf_count + 1) if pages is None and self._pdf_count is not None else pages
        if wanted is not None and all(n in self._pdf_pages for n in wanted):
            for n in wanted:
                yield n, *self._pdf_pages[n]
            return
        first_new = 1
        if pages is None:  # the pages kept from the start, without opening the file: a reader that stops
            while first_new in self._pdf_pages:  # at the plot's page does not parse the document again
                yield first_new, *self._pdf_pages[first_new]
                first_new += 1
        from reconstruct.vector.pdf_read import read_pdf_pages

        count = 0
        for number, page, images in read_pdf_pages(self.path, pages=pages, store=self._pdf_pages):
            while len(self._pdf_pages) > KEPT_PAGES:
                self._pdf_pages.pop(next(iter(self._pdf_pages)))
            count = number
            if number >= first_new:
                yield number, page, images
        if pages is None:
            self._pdf_count = count

    def pdf_page(self, number: int) -> tuple[Any, list[Any]]:
        """One page of the PDF: ``(VectorPage, embedded images)``."""
        for _, page, images in self.pdf_pages(pages=[number]):
            return page, images
        raise InputError(f"page must name a page of the PDF, got {number}", source=self.path)


def open_document(path: str | os.PathLike[str] | FigureDocument) -> FigureDocument:
    """Open a figure file (or pass an open :class:`FigureDocument` through).

    Parameters
    ----------
    path : path-like or FigureDocument

    Returns
    -------
    FigureDocument
        Nothing is read until a digitizing step asks for it.
    """
    return path if isinstance(path, FigureDocument) else FigureDocument(path)


def digitize_document(
    path: str | os.PathLike[str] | FigureDocument,
    *,
    page: int | None = None,
    index: int | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    n_arms: int | None = None,
    by_style: bool = False,
):
    """Digitize a figure file of any supported kind: PDF, SVG or image (by file suffix).

    Parameters
    ----------
    path : path-like or FigureDocument
        ``.pdf`` (see :func:`reconstruct.vector.pdf.digitize_pdf`), ``.svg`` (see
        :func:`reconstruct.vector.svg.digitize_svg`), anything else an image for
        :func:`reconstruct.digitize.figure.digitize_figure`.
    page, index : int, optional
        Which plot of a PDF (``page``) or of a PDF page / SVG (``index``); 1-based.
    x_range, y_range, n_arms
        Hints for the image digitizer (raster figures only).
    by_style : bool, default False
        Raster figures in greys: trace the curves by line type (:func:`reconstruct.digitize.figure.digitize_image`).

    Returns
    -------
    DigitizedFigure

    Raises
    ------
    InputError
        ``page`` given for an SVG or image, or ``index`` for an image; see the called function.
    CalibrationError, DigitizationError
        From the digitizer, with the file's path in front of the message.
    """
    doc = open_document(path)
    try:
        return _digitize_any(doc, page=page, index=index, x_range=x_range, y_range=y_range, n_arms=n_arms,
                             by_style=by_style)
    except (CalibrationError, DigitizationError) as exc:
        if str(exc).startswith(doc.path):
            raise
        raise type(exc)(f"{doc.path}: {exc}") from None


def _digitize_any(doc: FigureDocument, *, page, index, x_range, y_range, n_arms, by_style=False):
    if doc.kind == "pdf":
        from reconstruct.vector.pdf import digitize_pdf

        return digitize_pdf(doc.path, page=page, index=index, x_range=x_range, y_range=y_range, n_arms=n_arms,
                            read_pages=doc.pdf_pages)
    if page is not None:
        raise InputError(f"page applies to PDF files only, got page={page!r} for a {doc.kind} file", source=doc.path)
    if doc.kind == "svg":
        from reconstruct.vector.svg import digitize_svg

        return digitize_svg(doc.path, index=index, x_range=x_range, y_range=y_range, svg_page=doc.svg_page())
    if index is not None:
        raise InputError(f"index applies to PDF and SVG files only, got index={index!r} for an image",
                         source=doc.path)
    from reconstruct.digitize.figure import digitize_figure

    return digitize_figure(doc.path, x_range=x_range, y_range=y_range, n_arms=n_arms, image=doc.image(),
                           by_style=by_style)


def _vector_page(doc: FigureDocument, figure):
    if doc.kind == "svg":
        return doc.svg_page(), []
    return doc.pdf_page(figure.provenance["parameters"]["page"])


def read_document_at_risk(path: str | os.PathLike[str] | FigureDocument, figure):
    """The number-at-risk table printed under a vector figure, read from its text (exact, no OCR).

    Parameters
    ----------
    path : path-like or FigureDocument
        The PDF or SVG given to :func:`digitize_document`.
    figure : DigitizedFigure
        Its (vector) result; arm names are those of ``figure.curves_frame()``.

    Returns
    -------
    DataFrame
        ``arm, time, n_risk`` (the at-risk CSV contract), ready for :func:`reconstruct.reconstruct_ipd`.

    Raises
    ------
    DigitizationError
        A raster figure (use the image risk-table reader), or no table found.
    """
    from reconstruct.vector.figure import vector_plots
    from reconstruct.vector.risk_table import read_at_risk_table

    if figure.provenance.get("source_kind") != "vector":
        raise DigitizationError("expected a vector figure, got a raster one; its table needs the image reader "
                                "(reconstruct.digitize.risk_table)")
    doc = open_document(path)
    page, _ = _vector_page(doc, figure)
    plot = vector_plots(page)[figure.provenance["parameters"]["index"] - 1]
    arms = list(dict.fromkeys(figure.curves_frame()["arm"]))
    return read_at_risk_table(page, plot.frame, arms, x_slope=figure.x_calibration.slope,
                              x_intercept=figure.x_calibration.intercept)


def overlay_background(path: str | os.PathLike[str] | FigureDocument, figure) -> NDArray[np.uint8]:
    """The picture a figure's positions refer to, for drawing an overlay on it.

    Parameters
    ----------
    path : path-like or FigureDocument
        The file given to :func:`digitize_document` (PDF, SVG or image).
    figure : DigitizedFigure
        Its result (for a PDF, ``provenance`` names the page, index and source kind).

    Returns
    -------
    ndarray of shape (n_rows, n_cols, 3), uint8
        Vector PDF: the page rendered by PDFium at one pixel per point (the calibration's units).
        SVG: its extracted paths rasterised at one pixel per user unit. Raster PDF: the embedded
        image the digitizer read. Image: the image.
    """
    doc = open_document(path)
    if doc.kind == "image":
        return doc.image().rgb
    from reconstruct.vector.render import redraw

    page, images = _vector_page(doc, figure)
    if doc.kind == "pdf" and figure.provenance.get("source_kind") == "raster":
        from reconstruct.vector.figure import vector_plots
        from reconstruct.vector.pdf import raster_images

        k = figure.provenance["parameters"]["index"]
        return raster_images(images)[k - 1 - len(vector_plots(page))].rgb
    if doc.kind == "pdf":
        from reconstruct.vector.pdf_render import render_page

        return render_page(doc.path, figure.provenance["parameters"]["page"])
    rows, cols = page.size
    return redraw(page, (0.0, 0.0, rows, cols), width_px=max(1, round(cols)))


def deskewed_background(path: str | os.PathLike[str] | FigureDocument, figure) -> NDArray[np.uint8]:
    """The picture in the frame of a figure's panel and calibration: an image turned as the digitizer turned it.

    The image digitizer straightens a slightly rotated figure before it finds the panel, so its panel
    box and axis calibrations are positions in the straightened image (times ``figure.pixel_scale``
    when it shrank a large one first). Text under the panel (the at-risk table) is read here, where
    its lines are level, rather than in the input image.

    Parameters
    ----------
    path : path-like or FigureDocument
        The file given to :func:`digitize_document`.
    figure : DigitizedFigure
        Its result.

    Returns
    -------
    ndarray of shape (n_rows, n_cols, 3), uint8
        :func:`overlay_background`, rotated by ``-figure.rotation_deg`` about its centre (white fill)
        when that is not 0.
    """
    rgb = overlay_background(path, figure)
    if not figure.rotation_deg:
        return rgb
    from reconstruct.digitize.image import rotate_image

    return rotate_image(rgb, -float(figure.rotation_deg))
