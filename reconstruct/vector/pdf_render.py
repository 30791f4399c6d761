"""Render PDF pages with PDFium (pypdfium2: Apache-2.0 / BSD-3-Clause wheels that carry PDFium).

Used for ``kmrecon find`` thumbnails and for the background of overlays of vector PDF plots:
the page as any PDF viewer shows it, not a redrawing of the paths kmrecon extracted. Page
positions are points, ``(row, col)`` with the origin top-left, like :mod:`reconstruct.vector.geometry`.
"""

from __future__ import annotations

import os

import numpy as np
from numpy.typing import NDArray

from reconstruct.errors import InputError

__all__ = ["render_page"]


def render_page(
    path: str | os.PathLike[str],
    page: int,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    px_per_point: float = 1.0,
) -> NDArray[np.uint8]:
    """Render one page of a PDF, or a box of it, as RGB pixels.

    Parameters
    ----------
    path : path-like
    page : int
        1-based page number.
    bbox : tuple of float, optional
        ``(row0, col0, row1, col1)`` in points, origin top-left of the page; default the page.
    px_per_point : float, default 1.0
        Resolution: 1.0 puts one pixel on each point, so page positions are pixel positions.

    Returns
    -------
    ndarray of shape (n_rows, n_cols, 3), uint8

    Raises
    ------
    InputError
        Unreadable PDF or no such page.
    """
    import pypdfium2 as pdfium

    src = os.fspath(path)
    try:
        document = pdfium.PdfDocument(src)
    except pdfium.PdfiumError as exc:
        raise InputError(f"expected a PDF that PDFium can open, got an error ({exc})", source=src) from None
    try:
        if not 1 <= page <= len(document):
            raise InputError(f"page must be between 1 and {len(document)}, got {page}", source=src)
        pdf_page = document[page - 1]
        width, height = pdf_page.get_size()
        crop = (0.0, 0.0, 0.0, 0.0)
        if bbox is not None:
            r0, c0, r1, c1 = (float(v) for v in bbox)
            r0, c0 = max(r0, 0.0), max(c0, 0.0)
            r1, c1 = min(r1, height), min(c1, width)
            if r1 - r0 < 0.5 or c1 - c0 < 0.5:
                raise InputError(f"bbox must overlap the page ({height:g} x {width:g} pt), got {bbox}", source=src)
            crop = (c0, height - r1, width - c1, r0)  # PDFium crops (left, bottom, right, top) from the edges
        bitmap = pdf_page.render(scale=px_per_point, crop=crop, rev_byteorder=True)
        rgb = bitmap.to_numpy()
        return np.ascontiguousarray(rgb[:, :, :3])
    finally:
        document.close()
