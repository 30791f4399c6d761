"""The limits of :mod:`reconstruct.limits` applied to PDF files, before and while pdfminer.six reads them.

pdfminer.six inflates a whole stream with one ``zlib.decompress`` call, so a 1 MB file whose stream
inflates to 1 GiB costs a gigabyte of memory before any page is looked at. :func:`check_pdf_streams`
therefore scans the raw file first: every ``stream`` keyword is followed by an incremental inflate
(``zlib.decompressobj`` with ``max_length``), which holds at most one chunk in memory and stops as soon
as one stream passes ``pdf_stream_bytes`` or all of them pass ``pdf_total_bytes``; on the way it counts
the path operators (``m l c v y re``) of each stream, because interpreting a content stream of a
million paths takes pdfminer minutes. A stream compressed
twice (FlateDecode applied two times) is followed through its second layer too. Paths, segments and
characters are counted while a page is interpreted (:func:`limited_aggregator`), so a page of a million
tiny paths stops at the limit instead of after the whole page has been laid out.
"""

from __future__ import annotations

import logging
import mmap
import os
import re
import zlib

from reconstruct.limits import check_limit, limit_value

__all__ = ["check_pdf_streams", "check_page_count", "limited_aggregator"]

# pdfminer logs repairs of malformed files ("Invalid MediaBox ...") as warnings; with no handler configured
# Python prints them on stderr, around the CLI's one-line message. A NullHandler keeps them for those who ask.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OPERATOR_BYTES = tuple(b" " + op + end for op in (b"m", b"l", b"c", b"v", b"y", b"re") for end in (b" ", b"\n"))
_NOT_CONTENT = re.compile(rb"/(?:Image|XRef|ObjStm|FontFile\d?|Length1)\b")  # streams that hold no drawing
_IN_CHUNK = 1 << 16
_OUT_CHUNK = 1 << 20


def _zlib_header(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _count_ops(data: bytes) -> int:
    """Path-construction operators in ``data``, by substring counts (C speed; a regular expression
    would make the scan of a large stream slower than inflating it)."""
    if b" " not in data:
        return 0
    return sum(data.count(op) for op in _OPERATOR_BYTES)


def _inflated_size(view, start: int, cap: int) -> tuple[int, int]:
    """Bytes the zlib stream at ``view[start:]`` inflates to (counted up to just past ``cap``; 0 if not zlib)
    and the path-construction operators in them."""
    if not _zlib_header(view[start:start + 2]):  # raw (or otherwise encoded) data: count its operators only
        end = view.find(b"endstream", start, start + cap + 1)
        end = end if end >= 0 else min(len(view), start + cap + 1)
        return 0, sum(_count_ops(view[k:min(k + _OUT_CHUNK, end)]) for k in range(start, end, _OUT_CHUNK))
    count = _count_ops if not _NOT_CONTENT.search(view[max(0, start - 2048):start]) else (lambda data: 0)
    outer = zlib.decompressobj()
    inner = None  # a second Flate layer, when the first one's output is itself zlib data
    total = inner_total = ops = 0
    pos, pending = start, b""
    while total <= cap and inner_total <= cap and not outer.eof:
        if not pending:
            pending = view[pos:pos + _IN_CHUNK]
            pos += len(pending)
            if not pending:
                break
        try:
            out = outer.decompress(pending, _OUT_CHUNK)
        except zlib.error:
            break
        pending = outer.unconsumed_tail
        if total == 0 and _zlib_header(out[:2]):
            inner = zlib.decompressobj()
        total += len(out)
        if inner is None:
            ops += count(out)
        elif not inner.eof:
            size, more = _inner_size(inner, out, cap - inner_total, count)
            inner_total += size
            ops += more
    return max(total, inner_total), ops


def _inner_size(inner, data: bytes, room: int, count) -> tuple[int, int]:
    size = ops = 0
    while data and not inner.eof and size <= room:
        try:
            out = inner.decompress(data, _OUT_CHUNK)
        except zlib.error:
            break
        size += len(out)
        ops += count(out)
        data = inner.unconsumed_tail
    return size, ops


def check_pdf_streams(path: str | os.PathLike[str]) -> None:
    """Refuse a PDF whose Flate streams inflate beyond ``pdf_stream_bytes`` (one) or ``pdf_total_bytes`` (all),
    or one of which draws more than ``vector_segments`` path segments (counted on the inflated bytes).

    Raises
    ------
    LimitError
        Naming the limit, the file and how to raise it.
    """
    src = os.fspath(path)
    per_stream = limit_value("pdf_stream_bytes")
    budget = limit_value("pdf_total_bytes")
    total = segments = 0
    with open(src, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            for match in _STREAM.finditer(view):
                size, ops = _inflated_size(view, match.end(), min(per_stream, budget - total))
                check_limit("pdf_stream_bytes", size, source=src, at_least=True)
                total += size
                check_limit("pdf_total_bytes", total, source=src, at_least=True)
                segments = max(segments, ops)
    if segments > limit_value("vector_segments"):  # a content stream this long would take minutes to interpret
        check_limit("vector_segments", segments, source=f"{src} (one content stream)")


def check_page_count(document, src: str) -> None:
    """Refuse a PDF whose page tree declares more than ``pdf_pages`` pages (``/Count`` of the root)."""
    from pdfminer.pdftypes import resolve1

    try:
        pages = resolve1(document.catalog.get("Pages"))
        count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    except Exception:  # noqa: BLE001 - an unreadable page tree is reported by the page iteration itself
        return
    if isinstance(count, int):
        check_limit("pdf_pages", count, source=src)


def limited_aggregator(manager, src: str):
    """A pdfminer ``PDFPageAggregator`` (no layout analysis) that stops a page at the vector and text limits."""
    from pdfminer.converter import PDFPageAggregator

    max_paths, max_segments = limit_value("vector_paths"), limit_value("vector_segments")
    max_chars = limit_value("text_chars")

    class LimitedAggregator(PDFPageAggregator):
        paths = segments = chars = 0

        def begin_page(self, page, ctm):
            self.paths = self.segments = self.chars = 0
            super().begin_page(page, ctm)

        def paint_path(self, gstate, stroke, fill, evenodd, path):
            self.paths += 1
            self.segments += len(path)
            if self.paths > max_paths:
                check_limit("vector_paths", self.paths, source=src, at_least=True)
            if self.segments > max_segments:
                check_limit("vector_segments", self.segments, source=src, at_least=True)
            super().paint_path(gstate, stroke, fill, evenodd, path)

        def render_char(self, *args, **kwargs):
            self.chars += 1
            if self.chars > max_chars:
                check_limit("text_chars", self.chars, source=src, at_least=True)
            return super().render_char(*args, **kwargs)

    return LimitedAggregator(manager, laparams=None)
