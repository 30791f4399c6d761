"""Kaplan-Meier plots in SVG files, read exactly with the path logic of :mod:`reconstruct.vector.geometry`.

SVG parsing uses svgelements (MIT licence): it resolves ``<use>``, nested transforms, CSS
styles and units, and yields every shape as an absolute path. Text must be real ``<text>``
elements (matplotlib: ``rcParams["svg.fonttype"] = "none"``); glyphs drawn as outlines carry
no text to read the tick labels from.
"""

from __future__ import annotations

import io
import math
import os
from typing import Any

import numpy as np

from reconstruct.vector import geometry as _vector
from reconstruct.vector.svg_limits import check_svg_bytes, check_svg_tree
from reconstruct.io import provenance as make_provenance
from reconstruct.errors import CalibrationError, DigitizationError, InputError
from reconstruct.limits import check_file_size

__all__ = ["read_svg_page", "digitize_svg"]

_SVG_NS = "http://www.w3.org/2000/svg"
_CHAR_WIDTH = 0.6  # average glyph advance / font size; only the label box ends use it (centres are exact)


# What svgelements 1.9 raises on malformed path data (e.g. ``d="H"`` fails with AttributeError);
# only calls into svgelements are guarded with it.
_SVGELEMENTS_FAILS = (ValueError, AttributeError, TypeError, IndexError)


def _colour(value: Any) -> str | None:
    if value is None or getattr(value, "value", None) is None:
        return None
    if value.alpha == 0:
        return None
    return f"#{value.red:02x}{value.green:02x}{value.blue:02x}"


def _subpaths(shape, *, sample: bool = False) -> tuple[np.ndarray, ...]:
    """Absolute polylines of a shape; curves keep their end points, or (``sample``, for glyph
    outlines that are rasterised for OCR) four more points each."""
    from svgelements import Close, Line, Move, Path

    if isinstance(shape, Path):
        segments = shape.segments(transformed=True)  # no copy of the path (svgelements' abs() makes one)
    else:
        segments = abs(Path(shape)).segments()
    subs, pts, start = [], [], None
    for seg in segments:
        if isinstance(seg, Move):
            if pts:
                subs.append(np.array(pts))
            pts, start = [(seg.end.y, seg.end.x)], (seg.end.y, seg.end.x)
        elif isinstance(seg, Close):
            if start is not None:
                pts.append(start)
        elif seg.end is not None:
            if sample and not isinstance(seg, Line):
                pts.extend((float(y), float(x)) for x, y in seg.npoint(np.linspace(0.2, 0.8, 4)))
            pts.append((seg.end.y, seg.end.x))
    if pts:
        subs.append(np.array(pts))
    return tuple(s for s in subs if len(s))


def _text(element) -> _vector.VectorText | None:
    matrix = element.transform
    if abs(matrix.b) > 1e-9 or abs(matrix.c) > 1e-9 or not element.text:
        return None  # rotated text (axis titles) holds no tick labels
    col = matrix.a * element.x + matrix.e
    row = matrix.d * element.y + matrix.f
    size = (element.font_size or 10.0) * math.sqrt(abs(matrix.a * matrix.d))
    width = _CHAR_WIDTH * size * len(element.text)
    anchor = element.values.get("text-anchor") or element.anchor or "start"
    col0 = {"middle": col - width / 2, "end": col - width}.get(anchor, col)
    return _vector.VectorText(element.text, row - 0.8 * size, col0, row + 0.2 * size, col0 + width)


def _without_empty_paths(src: str) -> io.BytesIO:
    """The SVG without ``<path>`` elements lacking ``d`` (svgelements 1.9 fails on them; matplotlib
    writes one for the space glyph when text is drawn as outlines)."""
    from xml.etree import ElementTree

    ElementTree.register_namespace("", _SVG_NS)
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    with open(src, "rb") as handle:
        data = handle.read()
    check_svg_bytes(data, src)
    tree = ElementTree.ElementTree(ElementTree.fromstring(data))
    check_svg_tree(tree, src)
    for parent in tree.iter():
        for child in list(parent):
            if child.tag in (f"{{{_SVG_NS}}}path", "path") and not child.get("d"):
                parent.remove(child)
    buffer = io.BytesIO()
    tree.write(buffer, encoding="utf-8", xml_declaration=True)
    buffer.seek(0)
    return buffer


def read_svg_page(path: str | os.PathLike[str]) -> _vector.VectorPage:
    """Read an SVG file as one :class:`reconstruct.vector.geometry.VectorPage` (user units, origin top-left).

    Raises
    ------
    InputError
        Missing or unparsable file.
    """
    return _read_svg_page(path)


def _read_svg_page(path: str | os.PathLike[str]) -> _vector.VectorPage:
    from xml.etree.ElementTree import ParseError

    from svgelements import SVG, Shape, Text

    src = os.fspath(path)
    if not os.path.isfile(src):
        raise InputError("expected an existing SVG file, got no such file", source=src)
    check_file_size(src)
    try:
        svg = SVG.parse(_without_empty_paths(src))
    except InputError:  # a limit (reconstruct.limits) or nesting refused before parsing
        raise
    except (ParseError, *_SVGELEMENTS_FAILS) as exc:
        raise InputError(f"expected a well-formed SVG file, got a parse error ({exc!r})", source=src) from None
    paths, texts = [], []
    for unit, element in enumerate(svg.elements()):
        if isinstance(element, Text):
            text = _text(element)
            if text is not None:
                texts.append(text)
        elif isinstance(element, Shape):
            try:
                subs = _subpaths(element, sample=element.stroke is None or _colour(element.stroke) is None)
            except _SVGELEMENTS_FAILS:  # svgelements parses some path data lazily, here
                raise InputError(f"expected valid path data in SVG element {unit + 1}, got a parse error",
                                 source=src) from None
            if any(not np.isfinite(sub).all() for sub in subs):
                raise InputError(f"expected finite coordinates in SVG element {unit + 1}, got inf or nan",
                                 source=src)
            if not subs:
                continue
            stroke = _colour(element.stroke)
            width = float(element.stroke_width or 0.0) * math.sqrt(abs(element.transform.determinant or 1.0))
            dash = element.values.get("stroke-dasharray") or ""
            dash = "" if dash.strip() in ("", "none") else ",".join(dash.replace(",", " ").split())
            paths.append(_vector.VectorPath(subs, stroke if width > 0 else None, _colour(element.fill), width,
                                            dash, unit))
    size = (float(svg.height or 0.0), float(svg.width or 0.0))
    page = _vector.VectorPage(tuple(paths), tuple(texts), size)
    if not texts:  # text drawn as glyph outlines (matplotlib's and cairo's default): read them by OCR
        from reconstruct.vector.glyphs import glyph_paths, outlined_texts

        if glyph_paths(page):
            page = _vector.VectorPage(page.paths, outlined_texts(page), size)
    return page


def digitize_svg(path: str | os.PathLike[str], *, index: int | None = None, x_range=None, y_range=None,
                 svg_page: _vector.VectorPage | None = None):
    """Digitize one KM plot of an SVG file exactly from its paths.

    Parameters
    ----------
    path : path-like
    index : int, optional
        1-based plot number (top-to-bottom, left-to-right); default 1.
    x_range, y_range : (float, float), optional
        Values of the first and last tick of each axis, for SVGs whose text is drawn as outlines.
    svg_page : VectorPage, optional
        The file already parsed by :func:`read_svg_page` (the caller then parses it once).

    Returns
    -------
    DigitizedFigure
        As :func:`reconstruct.vector.pdf.digitize_pdf` returns for a vector plot (positions in SVG
        user units); ``provenance["source_kind"]`` is ``"vector"``.

    Raises
    ------
    InputError, CalibrationError, DigitizationError
    """
    from reconstruct.vector.figure import vector_figure, vector_plots

    if index is not None and (isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 1):
        raise InputError(f"index must be a whole number >= 1, got {index!r}")
    src = os.fspath(path)
    page = read_svg_page(src) if svg_page is None else svg_page
    plots = vector_plots(page, x_range=x_range, y_range=y_range)
    if not plots:
        if x_range is None or y_range is None:
            raise CalibrationError("expected a KM plot with tick labels read from SVG <text> or glyph outlines, "
                                   "got none; pass x_range and y_range (first and last tick values), or save "
                                   "with <text> (matplotlib: rcParams['svg.fonttype'] = 'none')")
        raise DigitizationError("expected a KM plot (labelled axes with step curves) in the SVG, got none")
    k = 1 if index is None else int(index)
    if k > len(plots):
        raise InputError(f"index must be at most {len(plots)} (plots in the SVG), got {k}", source=src)
    record = make_provenance(inputs={"figure": src}, parameters={"index": k, "x_range": x_range, "y_range": y_range},
                             command="reconstruct.digitize_svg")
    record["source_kind"] = "vector"
    return vector_figure(plots[k - 1], page.size, record)
