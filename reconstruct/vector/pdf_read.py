"""Reading PDF pages with pdfminer.six: paths, glyphs (as words and phrases) and embedded images.

pdfminer.six has an MIT licence (PyMuPDF is AGPL and cannot ship in an MIT package). It exposes
every path with its transformed coordinates, stroke and fill colours, line width and dash
pattern, and every glyph with its box, which is all :mod:`reconstruct.vector.geometry` needs.
Pages are read without layout analysis, so glyphs arrive in drawing order; images are decoded
from their streams at native resolution.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reconstruct.vector import geometry as _vector
from reconstruct.vector.pdf_limits import check_page_count, check_pdf_streams, limited_aggregator
from reconstruct.errors import InputError
from reconstruct.limits import check_limit

__all__ = ["PdfImage", "read_pdf_pages"]

_MARK_CHARS = {"+", "|"}


@dataclass(frozen=True, eq=False)
class PdfImage:
    """An embedded image: box ``(row0, col0, row1, col1)`` on the page (points, top-left origin) and pixels."""

    bbox: tuple[float, float, float, float]
    rgb: NDArray[np.uint8] | None
    note: str


def _hex(colour: Any) -> str | None:
    """PDF colour operands (grey, RGB or CMYK floats) as ``#rrggbb``; ``None`` for patterns."""
    if colour is None:
        return None
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    try:
        v = [min(max(float(c), 0.0), 1.0) for c in values]
    except (TypeError, ValueError):
        return None
    if len(v) == 1:
        v = v * 3
    elif len(v) == 4:
        v = [(1 - v[i]) * (1 - v[3]) for i in range(3)]
    elif len(v) != 3:
        return None
    return "#" + "".join(f"{round(c * 255):02x}" for c in v)


def _dash(style: Any) -> str:
    if not style:
        return ""
    pattern = style[0] if isinstance(style, (tuple, list)) else style
    try:
        values = [float(p) for p in pattern]
    except TypeError:
        return ""
    return ",".join(f"{p:g}" for p in values) if any(values) else ""


def _interpreter_class():
    from pdfminer.pdfinterp import PDFPageInterpreter

    class InheritingInterpreter(PDFPageInterpreter):
        """Form XObjects inherit the caller's graphics state (PDF 1.7 section 4.9); pdfminer resets it,
        which loses the colour of every matplotlib marker."""

        _inherited = None

        def dup(self):  # every pdfminer version makes XObject sub-interpreters through dup()
            child = super().dup()
            child._inherited = self.graphicstate.copy()
            return child

        def init_state(self, ctm):
            super().init_state(ctm)
            if self._inherited is not None:
                self.graphicstate = self._inherited.copy()

        def execute(self, streams):
            # A form XObject (a marker) is drawn hundreds of times a page: its content stream is tokenised once
            # and replayed (pdfminer tokenises it anew on every Do). Pages and anything unusual go the usual way.
            stream = stream_value(streams[0]) if len(streams) == 1 else None
            if (stream is None or self._inherited is None or stream.objid is None
                    or stream.objid in self.parent_stream_ids):
                return super().execute(streams)
            tokens = self._tokens.get(stream.objid)
            if tokens is None:
                tokens = self._tokens[stream.objid] = _stream_tokens(stream)
            self.stream_ids.clear()
            self.stream_ids.add(stream.objid)
            for obj in tokens:
                if not isinstance(obj, PSKeyword):
                    self.push(obj)
                    continue
                name = keyword_name(obj)
                func = getattr(self, "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q"), None)
                if func is None:
                    continue
                nargs = func.__code__.co_argcount - 1
                if not nargs:
                    func()
                    continue
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)

    from pdfminer.pdftypes import stream_value
    from pdfminer.psparser import PSKeyword, keyword_name

    InheritingInterpreter._tokens = {}  # shared by an interpreter and the sub-interpreters of its XObjects
    return InheritingInterpreter


def _stream_tokens(stream) -> list:
    """Every object of a content stream in order (operands and operator keywords)."""
    from pdfminer.pdfinterp import PDFContentParser
    from pdfminer.psparser import PSEOF

    try:
        parser = PDFContentParser([stream])
    except PSEOF:
        return []
    out = []
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return out


def _walk(items, height: float, x0: float, paths: list, chars: list, images: list, unit: list[int], group=None):
    """Collect paths, characters (in content-stream order) and images of a page laid out without analysis."""
    from pdfminer.layout import LTChar, LTCurve, LTFigure, LTImage

    def rc(x: float, y: float) -> tuple[float, float]:
        return height - y, x - x0

    for item in items:
        if isinstance(item, LTFigure):
            # a small form XObject is one drawn object (a marker); a large one holds a whole plot
            # (journals wrap figures in forms), whose paths are objects of their own
            unit[0] += 1
            small = max(item.width, item.height) <= 0.05 * height
            _walk(item, height, x0, paths, chars, images, unit, group=unit[0] if small else group)
        elif isinstance(item, LTCurve):
            if group is None:
                unit[0] += 1
            path = _path(item, rc, group if group is not None else unit[0])
            if path is not None:
                paths.append(path)
        elif isinstance(item, LTChar):
            chars.append(item)
        elif isinstance(item, LTImage):
            r0, c0 = rc(item.x0, item.y1)
            r1, c1 = rc(item.x1, item.y0)
            rgb, note = _decode_image(item.stream)
            images.append(PdfImage((r0, c0, r1, c1), rgb, note))


def _path(item, rc, unit: int) -> _vector.VectorPath | None:
    """A pdfminer curve as a VectorPath: its transformed path split at each move, ``h`` closing it."""
    pts, subs = [], []
    for op in item.original_path or []:
        if op[0] == "m" and pts:
            subs.append(np.array(pts))
            pts = []
        if op[0] == "h" and pts:
            pts.append(pts[0])
        elif len(op) > 1:
            pts.append(rc(*op[-1]))
    if pts:
        subs.append(np.array(pts))
    subs = [s for s in subs if len(s)]
    if not subs:
        return None
    return _vector.VectorPath(
        tuple(subs), _hex(item.stroking_color) if item.stroke else None,
        _hex(item.non_stroking_color) if item.fill else None, float(item.linewidth or 0.0),
        _dash(item.dashing_style), unit)


def _texts(chars, height: float, x0: float) -> list[_vector.VectorText]:
    """Words and phrases from characters in drawing order (PDF text has no words, only placed glyphs).

    Consecutive glyphs that continue each other along their writing direction (horizontal, or
    rotated 90 degrees as R's y-axis labels are) form a phrase; spaces split it into words.
    Each phrase is one item, and each of its words another when it has several.
    """
    phrases: list[list] = []
    for ch in chars:
        if phrases and _continues(phrases[-1][-1], ch):
            phrases[-1].append(ch)
        else:
            phrases.append([ch])
    out = []
    for phrase in phrases:
        words, current = [], []
        for ch in phrase:
            if ch.get_text().strip():
                current.append(ch)
            elif current:
                words.append(current)
                current = []
        if current:
            words.append(current)
        groups = words if len(words) <= 1 else [phrase, *words]
        if len(phrase) > 1 and all(c.get_text() in _MARK_CHARS for c in phrase):
            groups = [[c] for c in phrase]  # censor marks drawn as characters, close enough to touch
        for group in groups:
            glyphs = [c for c in group if c.get_text().strip()]
            if glyphs:
                text = "".join(c.get_text() for c in group).strip()
                colour = _hex(getattr(getattr(glyphs[0], "graphicstate", None), "ncolor", None))
                out.append(_vector.VectorText(text, height - max(c.y1 for c in glyphs), min(c.x0 for c in glyphs) - x0,
                                              height - min(c.y0 for c in glyphs), max(c.x1 for c in glyphs) - x0,
                                              colour))
    return out


def _continues(prev, ch) -> bool:
    size = max(prev.size, ch.size, 1e-6)
    if prev.upright and ch.upright:
        return abs(prev.y0 - ch.y0) <= 0.3 * size and -0.3 * size <= ch.x0 - prev.x1 <= 0.6 * size
    if not prev.upright and not ch.upright and prev.matrix[1] > 0 and ch.matrix[1] > 0:  # upward text
        return abs(prev.x0 - ch.x0) <= 0.3 * size and -0.3 * size <= ch.y0 - prev.y1 <= 0.6 * size
    return False


def _decode_image(stream) -> tuple[NDArray[np.uint8] | None, str]:
    """Pixels of an image XObject at native resolution (8-bit grey/RGB/CMYK, or JPEG)."""
    from pdfminer.pdftypes import resolve1

    width, height = int(resolve1(stream.get("Width"))), int(resolve1(stream.get("Height")))
    filters = [getattr(f, "name", str(f)) for f, _ in stream.get_filters()]
    if "DCTDecode" in filters:
        import cv2

        bgr = cv2.imdecode(np.frombuffer(stream.get_rawdata(), np.uint8), cv2.IMREAD_COLOR)
        return (None, "undecodable JPEG") if bgr is None else (bgr[:, :, ::-1].copy(), "jpeg")
    bits = int(resolve1(stream.get("BitsPerComponent", 8)))
    space = resolve1(stream.get("ColorSpace"))
    name = getattr(space, "name", None)
    if isinstance(space, list):
        name = getattr(space[0], "name", None)
        if name == "ICCBased":
            n = int(resolve1(resolve1(space[1]).get("N", 3)))
            name = {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}.get(n)
    channels = {"DeviceGray": 1, "DeviceRGB": 3, "DeviceCMYK": 4}.get(name)
    if bits != 8 or channels is None or any(f not in ("FlateDecode", "LZWDecode") for f in filters):
        return None, f"unsupported image encoding (filters {filters}, colour space {name}, {bits} bits)"
    data = np.frombuffer(stream.get_data(), np.uint8)
    if data.size < width * height * channels:
        return None, "truncated image data"
    pixels = data[: width * height * channels].reshape(height, width, channels)
    if channels == 1:
        pixels = np.repeat(pixels, 3, axis=2)
    elif channels == 4:
        k = pixels[:, :, 3:4].astype(float) / 255.0
        pixels = ((1.0 - pixels[:, :, :3] / 255.0) * (1.0 - k) * 255.0).round().astype(np.uint8)
    return np.ascontiguousarray(pixels), name


def read_pdf_pages(
    path: str | os.PathLike[str], *, pages: Sequence[int] | None = None, store: dict | None = None
) -> Iterator[tuple[int, _vector.VectorPage, list[PdfImage]]]:
    """Yield ``(page_number, VectorPage, images)`` for each page (1-based numbers).

    Nothing is kept between calls unless ``store`` is given: a caller that needs a page again (the
    at-risk reader, the overlay) gets it from :class:`reconstruct.document.FigureDocument`, which passes
    its own store.

    Parameters
    ----------
    path : path-like
    pages : sequence of int, optional
        Page numbers to yield (1-based); all pages when None.
    store : dict, optional
        ``{page_number: (VectorPage, images)}``: pages found in it are yielded without being
        interpreted again, and pages interpreted are added to it.

    Raises
    ------
    InputError
        Missing file, not a PDF, or an encrypted PDF.
    LimitError
        Over a limit of :mod:`reconstruct.limits` (stream bytes, pages, paths, segments, characters).
    """
    yield from _parse_pdf_pages(os.fspath(path), pages=pages, store={} if store is None else store)


def _with_outlined_text(page: _vector.VectorPage, src: str, number: int) -> _vector.VectorPage:
    from reconstruct.vector.glyphs import glyph_paths, outlined_texts

    if not glyph_paths(page):
        return page

    def render(bbox, px_per_unit):
        from reconstruct.vector.pdf_render import render_page

        try:
            rgb = render_page(src, number, bbox=bbox, px_per_point=px_per_unit)
        except InputError:  # a glyph off the page: nothing to read
            return np.full((8, 8), 255, np.uint8)
        return np.ascontiguousarray(rgb.min(axis=2))  # darkest channel: coloured text stays dark

    return _vector.VectorPage(page.paths, outlined_texts(page, render=render), page.size)


def _parse_pdf_pages(
    src: str, *, pages: Sequence[int] | None, store: dict
) -> Iterator[tuple[int, _vector.VectorPage, list[PdfImage]]]:
    """Parse the wanted pages with pdfminer, taking pages already in ``store`` from it and adding the others."""
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.psparser import PSException

    if not os.path.isfile(src):
        raise InputError("expected an existing PDF file, got no such file", source=src)
    with open(src, "rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise InputError("expected a PDF file (starting with %PDF), got other content", source=src)
        handle.seek(0)
        check_pdf_streams(src)  # before pdfminer inflates any stream whole
        try:
            document = PDFDocument(PDFParser(handle))
            check_page_count(document, src)
            manager = PDFResourceManager()
            device = limited_aggregator(manager, src)  # raw glyphs in drawing order, paths and text counted
            interpreter = _interpreter_class()(manager, device)
            for number, page in enumerate(PDFPage.create_pages(document), start=1):
                check_limit("pdf_pages", number, source=src, at_least=True)
                if pages is not None and number not in pages:
                    continue
                if number in store:
                    yield number, *store[number]
                    continue
                interpreter.process_page(page)
                layout = device.get_result()
                x0, _, x1, y1 = layout.bbox
                paths, chars, images = [], [], []
                _walk(layout, y1, x0, paths, chars, images, [0])
                texts = tuple(_texts(chars, y1, x0))
                vpage = _vector.VectorPage(tuple(paths), texts, (y1 - layout.bbox[1], x1 - x0))
                if not texts:  # text converted to outlines (journal production): OCR on PDFium's rendering
                    vpage = _with_outlined_text(vpage, src, number)
                store[number] = (vpage, images)
                yield number, *store[number]
        except (PDFEncryptionError, PDFPasswordIncorrect):
            raise InputError("expected an unencrypted PDF, got an encrypted one; remove the password first",
                             source=src) from None
        except (PDFSyntaxError, PSException) as exc:
            raise InputError(f"expected a readable PDF, got a parse error ({exc})", source=src) from None
        except InputError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, AssertionError, ZeroDivisionError,
                OverflowError) as exc:  # what pdfminer raises on malformed objects (a MediaBox of keywords...)
            raise InputError(f"expected a readable PDF, got a malformed object ({type(exc).__name__}: {exc})",
                             source=src) from None
        except RecursionError:  # a page tree or object chain that refers to itself
            raise InputError("expected a readable PDF, got objects nested without end (a reference cycle)",
                             source=src) from None
