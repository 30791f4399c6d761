"""Kaplan-Meier plots in PDF files: find them, read vector plots exactly, hand raster plots to the digitizer.

Pages are read by :mod:`reconstruct._pdf_read` (pdfminer.six); vector plots go through the
geometry of :mod:`reconstruct._vector` and :mod:`reconstruct._vector_curves`; embedded images
go to :func:`reconstruct._digitize.digitize_figure`. Results are the image digitizer's
:class:`~reconstruct._digitize.DigitizedFigure`, so every later step treats both alike.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from reconstruct import _vector, _vector_curves
from reconstruct._io import provenance as make_provenance
from reconstruct._io import sha256_file
from reconstruct._pdf_read import PdfImage, read_pdf_pages
from reconstruct._vector_render import redraw
from reconstruct.errors import CalibrationError, DigitizationError, InputError

__all__ = ["FoundPlot", "find_km_plots", "plot_thumbnails", "digitize_pdf", "digitize_document", "overlay_background",
           "read_document_at_risk", "vector_figure"]

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


def _vector_plots(page: _vector.VectorPage, *, x_range=None, y_range=None) -> list[_vector.VectorPlot]:
    """The KM plots of a page (memoised per page object: finding, reading and tables share them)."""
    hints = (None if x_range is None else tuple(map(float, x_range)),
             None if y_range is None else tuple(map(float, y_range)))
    return list(_plots_of(page, *hints))


@functools.lru_cache(maxsize=16)
def _plots_of(page: _vector.VectorPage, x_range, y_range) -> tuple[_vector.VectorPlot, ...]:
    plots = []
    for frame in _vector.find_plot_frames(page, x_range=x_range, y_range=y_range):
        try:
            plots.append(_vector_curves.extract_plot(page, frame))
        except DigitizationError:
            continue
    return tuple(plots)


def _raster_images(images: list[PdfImage]) -> list[PdfImage]:
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
        plots = _vector_plots(page)
        for k, plot in enumerate(plots, start=1):
            found.append(FoundPlot(number, k, "vector", plot.frame.bbox, len(plot.curves)))
        for k, image in enumerate(_raster_images(images), start=len(plots) + 1):
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

    from reconstruct._pdf_render import render_page

    wanted = {p.page for p in plots}
    pages = {number: (page, _raster_images(images)) for number, page, images in read_pdf_pages(path, pages=wanted)}
    out = []
    for plot in plots:
        page, rasters = pages[plot.page]
        raster_k = plot.index - 1 - len(_vector_plots(page))
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


def vector_figure(plot: _vector.VectorPlot, page_size: tuple[float, float], record: dict[str, Any]):
    """Build the digitizer's result type (:class:`reconstruct._digitize.DigitizedFigure`) from a vector plot.

    Panel and calibration positions are page units (points), ``(row, col)`` origin top-left.
    """
    from reconstruct._digitize import DigitizedArm, DigitizedFigure

    data = _vector_curves.to_data(plot)
    arms = tuple(
        # Writers round coordinates (R: 0.01 pt), which can put S a hair outside [0, 1]: the contract is [0, 1].
        DigitizedArm(a["label"], a["colour"], a["time"], np.clip(a["survival"], 0.0, 1.0), a["censor_time"],
                     np.clip(a["censor_survival"], 0.0, 1.0),
                     {"coverage": 1.0, "columns": float(np.ptp(data["x_cal"].to_px(a["time"]))),
                      "line_half_width_px": 0.5 * a["line_width"], "hidden_share": 0.0})
        for a in data["arms"]
    )
    return DigitizedFigure(
        arms=arms, x_calibration=data["x_cal"], y_calibration=data["y_cal"], y_unit=data["y_unit"],
        curve_kind=data["curve_kind"], panel=tuple(float(v) for v in plot.frame.panel), rotation_deg=0.0,
        image_shape=(float(page_size[0]), float(page_size[1])), warnings=plot.notes, provenance=record,
    )


def _kind(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    return {".pdf": "pdf", ".svg": "svg"}.get(suffix, "image")


def digitize_document(
    path: str | os.PathLike[str],
    *,
    page: int | None = None,
    index: int | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    n_arms: int | None = None,
):
    """Digitize a figure file of any supported kind: PDF, SVG or image (by file suffix).

    Parameters
    ----------
    path : path-like
        ``.pdf`` (see :func:`digitize_pdf`), ``.svg`` (see :func:`reconstruct._svg.digitize_svg`),
        anything else an image for :func:`reconstruct._digitize.digitize_figure`.
    page, index : int, optional
        Which plot of a PDF (``page``) or of a PDF page / SVG (``index``); 1-based.
    x_range, y_range, n_arms
        Hints for the image digitizer (raster figures only).

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
    try:
        return _digitize_any(path, page=page, index=index, x_range=x_range, y_range=y_range, n_arms=n_arms)
    except (CalibrationError, DigitizationError) as exc:
        src = os.fspath(path)
        if str(exc).startswith(src):
            raise
        raise type(exc)(f"{src}: {exc}") from None


def _digitize_any(path, *, page, index, x_range, y_range, n_arms):
    kind = _kind(path)
    if kind == "pdf":
        return digitize_pdf(path, page=page, index=index, x_range=x_range, y_range=y_range, n_arms=n_arms)
    if page is not None:
        raise InputError(f"page applies to PDF files only, got page={page!r} for a {kind} file", source=os.fspath(path))
    if kind == "svg":
        from reconstruct._svg import digitize_svg

        return digitize_svg(path, index=index, x_range=x_range, y_range=y_range)
    if index is not None:
        raise InputError(f"index applies to PDF and SVG files only, got index={index!r} for an image",
                         source=os.fspath(path))
    from reconstruct._digitize import digitize_figure

    return digitize_figure(path, x_range=x_range, y_range=y_range, n_arms=n_arms)


def read_document_at_risk(path: str | os.PathLike[str], figure):
    """The number-at-risk table printed under a vector figure, read from its text (exact, no OCR).

    Parameters
    ----------
    path : path-like
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
    from reconstruct._vector_risk import read_at_risk_table

    if figure.provenance.get("source_kind") != "vector":
        raise DigitizationError("expected a vector figure, got a raster one; its table needs the image reader "
                                "(reconstruct._risk_table)")
    k = figure.provenance["parameters"]["index"]
    if _kind(path) == "svg":
        from reconstruct._svg import read_svg_page

        page = read_svg_page(path)
    else:
        ((_, page, _),) = list(read_pdf_pages(path, pages=[figure.provenance["parameters"]["page"]]))
    plot = _vector_plots(page)[k - 1]
    arms = list(dict.fromkeys(figure.curves_frame()["arm"]))
    return read_at_risk_table(page, plot.frame, arms, x_slope=figure.x_calibration.slope,
                              x_intercept=figure.x_calibration.intercept)


def overlay_background(path: str | os.PathLike[str], figure) -> NDArray[np.uint8]:
    """The picture a figure's positions refer to, for drawing an overlay on it.

    Parameters
    ----------
    path : path-like
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
    kind = _kind(path)
    if kind == "image":
        from reconstruct._image import load_image

        return load_image(path).rgb
    if kind == "svg":
        from reconstruct._svg import read_svg_page

        page = read_svg_page(path)
        return redraw(page, (0.0, 0.0, *page.size), width_px=max(1, round(page.size[1])))
    number, k = figure.provenance["parameters"]["page"], figure.provenance["parameters"]["index"]
    ((_, page, images),) = list(read_pdf_pages(path, pages=[number]))
    if figure.provenance.get("source_kind") == "raster":
        return _raster_images(images)[k - 1 - len(_vector_plots(page))].rgb
    from reconstruct._pdf_render import render_page

    return render_page(path, number)


def digitize_pdf(
    path: str | os.PathLike[str],
    *,
    page: int | None = None,
    index: int | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    n_arms: int | None = None,
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
        Raster plots pass them to :func:`reconstruct._digitize.digitize_figure`.
    n_arms : int, optional
        Raster plots only (vector plots report every step curve).

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
    for number, vpage, images in read_pdf_pages(src, pages=None if page is None else [page]):
        seen += 1
        plots = _vector_plots(vpage, x_range=x_range, y_range=y_range)
        rasters = _raster_images(images)
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
        from reconstruct._digitize import digitize_figure
    except ImportError:
        raise DigitizationError("raster PDF figures need the image digitizer (reconstruct._digitize), "
                                "which is not available") from None
    import cv2

    from reconstruct._io import write_bytes

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
