"""Generate the hostile corpus: files built to exhaust memory or time, or to break a reader.

Usage: ``python tests/data/make_hostile.py [OUTDIR]`` (default ``tests/data/hostile/``, which git ignores:
the corpus is several megabytes, so tests build it in a temporary folder and nothing is committed).

The file name says how the CLI is run on it (:data:`ROLES`): ``pdf_*``, ``svg_*`` and ``img_*`` through
``kmrecon digitize``, ``curves_*`` as the curve CSV and ``atrisk_*`` as the at-risk CSV of ``kmrecon
reconstruct``, ``yaml_*`` through ``kmrecon audit``. Every file must end in one clean line with exit
status 1 or 2, within 10 s and 1 GiB of address space (``tests/test_hostile.py``,
``benchmarks/bench_hostile.py``). Output is deterministic (no clock, fixed seeds).
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

__all__ = ["GOOD_CURVES", "ROLES", "make_all", "command_for"]

GOOD_CURVES = "arm,time,survival\nA,0,1\nA,5,0.8\nA,10,0.5\n"
ROLES = {"pdf": "digitize", "svg": "digitize", "img": "digitize", "curves": "reconstruct-curves",
         "atrisk": "reconstruct-at-risk", "yaml": "audit"}
_GIB = 1 << 30


# --------------------------------------------------------------------------- PDF


def _deflate_zeros(size: int, *, chunk: int = 1 << 24) -> bytes:
    """``size`` zero bytes, deflated at the highest ratio zlib gives (about 1:1030), built in chunks."""
    comp = zlib.compressobj(9)
    block = bytes(chunk)
    parts = []
    for _ in range(size // chunk):
        parts.append(comp.compress(block))
    parts.append(comp.compress(bytes(size % chunk)))
    parts.append(comp.flush())
    return b"".join(parts)


def _pdf(objects: list[bytes], *, root: int = 1, xref: bool = True, trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered object bodies (object k+1 is ``objects[k]``) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, trailer_extra, start))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _one_page(content: bytes, *, filters: bytes = b"", resources: bytes = b"<< >>") -> bytes:
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources %s >>"
                 % resources,
                 _stream(content, filters)])


def _pdf_files() -> Iterable[tuple[str, bytes]]:
    bomb = _deflate_zeros(_GIB)
    yield "pdf_bomb_1gib.pdf", _one_page(bomb, filters=b"/Filter /FlateDecode ")
    yield "pdf_bomb_double_flate.pdf", _one_page(zlib.compress(bomb, 9),
                                                 filters=b"/Filter [/FlateDecode /FlateDecode] ")
    many = _deflate_zeros(16 << 20)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [%s] >>"
            % b" ".join(b"%d 0 R" % (4 + k) for k in range(80))]
    objs += [_stream(many, b"/Filter /FlateDecode ") for _ in range(80)]
    yield "pdf_bomb_many_streams.pdf", _pdf(objs)
    image = (b"<< /XObject << /Im1 4 0 R >> >>")
    yield "pdf_bomb_image.pdf", _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources %s >>" % image,
        _stream(bomb, b"/Type /XObject /Subtype /Image /Width 32768 /Height 32768 /ColorSpace /DeviceGray "
                      b"/BitsPerComponent 8 /Filter /FlateDecode "),
        _stream(b"q 600 0 0 600 0 0 cm /Im1 Do Q")])
    yield "pdf_image_huge_declared.pdf", _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources %s >>" % image,
        _stream(zlib.compress(bytes(1000)), b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
                b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode "),
        _stream(b"q 600 0 0 600 0 0 cm /Im1 Do Q")])
    good = _one_page(b"0 0 m 100 100 l S")
    recursive = good.replace(b"trailer\n<<", b"trailer\n<< /Prev %d" % good.rindex(b"xref"))
    yield "pdf_xref_prev_self.pdf", recursive
    yield "pdf_xref_offsets_garbage.pdf", good[: good.index(b"xref")] + b"xref\n0 5\n" + b"9999999999 00000 n \n" * 5 \
        + good[good.index(b"trailer"):]
    yield "pdf_xref_missing.pdf", good[: good.index(b"xref")] + b"%%EOF\n"
    yield "pdf_startxref_past_end.pdf", good.replace(b"startxref\n", b"startxref\n99999999").rstrip()
    loop = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                 b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>"])
    yield "pdf_page_tree_cycle.pdf", loop
    n = 10_000
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (3 + k) for k in range(n)), n)]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * n
    yield "pdf_10000_pages.pdf", _pdf(objs)
    lying = _pdf(objs[:2] + objs[2:] + [])  # same pages, but /Count says 1
    yield "pdf_10000_pages_count_lies.pdf", lying.replace(b"/Count %d" % n, b"/Count 00001")  # offsets kept
    paths = b"".join(b"%d %d m %d %d l S\n" % (k % 600, k // 600 % 700, k % 600 + 1, k // 600 % 700)
                     for k in range(1_000_000))
    yield "pdf_million_paths.pdf", _one_page(zlib.compress(paths, 9), filters=b"/Filter /FlateDecode ")
    segments = b"0 0 m " + b"1 1 l 2 0 l " * 1_500_000 + b"S\n"
    yield "pdf_three_million_segments.pdf", _one_page(zlib.compress(segments, 9), filters=b"/Filter /FlateDecode ")
    text = b"BT /F1 1 Tf 0 0 Td (" + b"x" * 600_000 + b") Tj ET"
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    yield "pdf_huge_text.pdf", _one_page(zlib.compress(text, 9), filters=b"/Filter /FlateDecode ", resources=font)
    yield "pdf_truncated.pdf", good[: len(good) // 2]
    yield "pdf_empty.pdf", b""
    yield "pdf_header_only.pdf", b"%PDF-1.7\n"
    yield "pdf_not_a_pdf.pdf", b"GIF89a" + bytes(200)
    yield "pdf_encrypted.pdf", _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 2 /R 3 /Length 128 /O <00> /U <00> /P -4 >>"],
        trailer_extra=b"/Encrypt 4 0 R /ID [<00><00>] ")
    yield "pdf_deep_arrays.pdf", _one_page(b"[" * 200_000 + b"]" * 200_000)
    yield "pdf_deep_dicts.pdf", _pdf([b"<< /Type /Catalog /Pages 2 0 R /X " + b"<< /A " * 50_000 + b">>" * 50_000
                                      + b" >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    yield "pdf_no_pages.pdf", _pdf([b"<< /Type /Catalog >>"])
    yield "pdf_nan_coordinates.pdf", _one_page(b"1e308 1e308 m -1e308 nan l 0 0 1e309 1e309 re S")
    yield "pdf_huge_mediabox.pdf", _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                         b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1e30 1e30] /Contents 4 0 R >>",
                                         _stream(b"0 0 m 1e29 1e29 l S")])
    yield "pdf_bad_length.pdf", _one_page(b"0 0 m 100 100 l S").replace(b"/Length 17", b"/Length -99999")
    yield "pdf_unsupported_filter.pdf", _one_page(b"garbage", filters=b"/Filter /JBIG2Decode ")
    yield "pdf_corrupt_flate.pdf", _one_page(b"x\x9c" + bytes(range(256)) * 40, filters=b"/Filter /FlateDecode ")


# --------------------------------------------------------------------------- SVG

_SVG_HEAD = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="400" height="300">'


def _svg_files() -> Iterable[tuple[str, bytes]]:
    yield "svg_xxe_file.svg", (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                               + _SVG_HEAD + b"<text x='1' y='1'>&x;</text></svg>")
    yield "svg_xxe_http.svg", (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "http://192.0.2.1/x">]>\n'
                               + _SVG_HEAD + b"<text x='1' y='1'>&x;</text></svg>")
    yield "svg_xxe_parameter_entity.svg", (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY % p SYSTEM '
                                           b'"file:///etc/passwd"> %p;]>\n' + _SVG_HEAD + b"</svg>")
    laughs = b"".join(b'<!ENTITY l%d "%s">' % (k, b"&l%d;" % (k - 1) * 10) for k in range(1, 10))
    yield "svg_billion_laughs.svg", (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY l0 "lol">' + laughs + b"]>\n"
                                     + _SVG_HEAD + b"<text x='1' y='1'>&l9;</text></svg>")
    yield "svg_huge_path.svg", _SVG_HEAD + b'<path d="M0 0' + b" L1 1 L2 0" * 1_500_000 + b'" stroke="black"/></svg>'
    yield "svg_many_paths.svg", _SVG_HEAD + b'<path d="M0 0 L1 1" stroke="black"/>' * 250_000 + b"</svg>"
    uses = b"".join(b'<g id="g%d">%s</g>' % (k, b'<use xlink:href="#g%d"/>' % (k - 1) * 10) for k in range(1, 9))
    yield "svg_use_bomb.svg", (_SVG_HEAD + b'<defs><path id="g0" d="M0 0 L1 1" stroke="black"/>' + uses
                               + b'</defs><use xlink:href="#g8"/></svg>')
    yield "svg_use_cycle.svg", _SVG_HEAD + b'<g id="a"><use xlink:href="#b"/></g><g id="b"><use xlink:href="#a"/></g></svg>'
    yield "svg_deep_nesting.svg", _SVG_HEAD + b"<g>" * 100_000 + b"</g>" * 100_000 + b"</svg>"
    yield "svg_huge_text.svg", _SVG_HEAD + b"<text x='1' y='10'>" + b"x" * 600_000 + b"</text></svg>"
    yield "svg_nan_coordinates.svg", _SVG_HEAD + b'<path d="M nan 0 L 1e309 1e309 L -inf 3" stroke="red"/></svg>'
    yield "svg_huge_canvas.svg", (b'<svg xmlns="http://www.w3.org/2000/svg" width="1e12" height="1e12">'
                                  b'<path d="M0 0 L1e11 1e11" stroke="black"/></svg>')
    yield "svg_not_xml.svg", b"\x00\x01\x02 not xml at all"
    yield "svg_empty.svg", b""
    yield "svg_truncated.svg", _SVG_HEAD + b'<path d="M0 0 L1'
    yield "svg_no_plot.svg", _SVG_HEAD + b'<rect x="1" y="1" width="5" height="5"/></svg>'
    yield "svg_too_large_file.svg", _Sparse(_SVG_HEAD + b"<!--", 65 << 20)


# --------------------------------------------------------------------------- images


def _encode(suffix: str, array: np.ndarray, params: Iterable[int] = ()) -> bytes:
    import cv2

    ok, data = cv2.imencode(suffix, array, list(params))
    if not ok:
        raise RuntimeError(f"OpenCV could not encode {suffix}")
    return data.tobytes()


def _pil(array: np.ndarray, fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(array).save(out, format=fmt)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _image_files() -> Iterable[tuple[str, bytes]]:
    from PIL import Image

    rng = np.random.default_rng(20240101)
    base = np.full((300, 400, 3), 255, np.uint8)
    base[40:260, 60] = 0
    base[260, 60:380] = 0
    base[60:200, 60:300] = rng.integers(0, 255, (140, 240, 3), dtype=np.uint8)
    png = _encode(".png", base)
    jpg = _encode(".jpg", base)
    yield "img_truncated.png", png[: len(png) // 3]
    yield "img_truncated.jpg", jpg[: len(jpg) // 3]
    yield "img_header_only.png", png[:33]
    yield "img_random_bytes.png", rng.integers(0, 256, 5000, dtype=np.uint8).tobytes()
    yield "img_empty.png", b""
    yield "img_cmyk.jpg", _converted(base, "CMYK", "JPEG")
    yield "img_cmyk.tif", _converted(base, "CMYK", "TIFF")
    yield "img_16bit.png", _encode(".png", base.astype(np.uint16) * 257)
    yield "img_16bit_gray.tif", _encode(".tiff", base[:, :, 0].astype(np.uint16) * 257)
    yield "img_float32.tif", _pil(base[:, :, 0].astype(np.float32) / 255.0, "TIFF")
    yield "img_palette.png", _converted(base, "P", "PNG")
    yield "img_1bit.png", _converted(base, "1", "PNG")
    yield "img_alpha.png", _encode(".png", np.dstack([base, np.full(base.shape[:2], 128, np.uint8)]))
    yield "img_gray_alpha.png", _converted(base, "LA", "PNG")
    frames = [Image.fromarray(np.roll(base, 10 * k, axis=1)) for k in range(5)]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:])
    yield "img_animated.png", out.getvalue()
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    yield "img_multipage.tif", out.getvalue()
    yield "img_animated.gif", _gif(frames)
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    yield "img_png_huge_header.png", (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
                                      + _png_chunk(b"IDAT", zlib.compress(bytes(1000))) + _png_chunk(b"IEND", b""))
    rows, cols = 8000, 6000  # 48 M pixels: over image_pixels, deflated to about 150 KB
    raw = zlib.compress(b"".join(b"\x00" + bytes(cols) for _ in range(rows)), 9)
    yield "img_png_pixel_bomb.png", (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", cols, rows,
                                                                                             8, 0, 0, 0, 0))
                                     + _png_chunk(b"IDAT", raw) + _png_chunk(b"IEND", b""))
    yield "img_bmp_huge_header.bmp", (b"BM" + struct.pack("<IHHI", 54, 0, 0, 54)
                                      + struct.pack("<IiiHHIIiiII", 40, 60_000, 60_000, 1, 24, 0, 0, 0, 0, 0, 0))
    yield "img_tiny.png", _encode(".png", base[:10, :10])
    yield "img_thin.png", _encode(".png", np.full((20_000, 60, 3), 255, np.uint8))
    yield "img_jpeg_named_png.png", jpg
    yield "img_blank_white.png", _encode(".png", np.full((300, 400, 3), 255, np.uint8))
    yield "img_noise.png", _encode(".png", rng.integers(0, 255, (300, 400, 3), dtype=np.uint8))


def _converted(array: np.ndarray, mode: str, fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(array).convert(mode).save(out, format=fmt)
    return out.getvalue()


def _gif(frames) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


# --------------------------------------------------------------------------- CSV and YAML


def _csv_files() -> Iterable[tuple[str, bytes]]:
    table = "arm,time,n_risk\nA,0,20\nA,5,12\nA,10,4\n"
    yield "curves_utf16.csv", GOOD_CURVES.encode("utf-16")
    yield "curves_utf16le_no_bom.csv", GOOD_CURVES.encode("utf-16-le")
    yield "curves_utf8_bom_percent.csv", b"\xef\xbb\xbf" + GOOD_CURVES.replace("0.8", "180").encode()
    yield "curves_semicolon.csv", GOOD_CURVES.replace(",", ";").encode()
    yield "curves_semicolon_decimal_comma.csv", GOOD_CURVES.replace(",", ";").replace(".", ",").encode()
    yield "curves_decimal_comma_quoted.csv", b'arm,time,survival\nA,0,1\nA,5,"0,8"\nA,10,"0,5"\n'
    yield "curves_latin1.csv", "arm,time,survival\nBras \xe9,0,1\nBras \xe9,5,2\n".encode("latin-1")
    yield "curves_nul_bytes.csv", b"arm,time,survival\nA,0\x00,1\n"
    yield "curves_nan_inf.csv", b"arm,time,survival\nA,0,1\nA,nan,0.5\nA,inf,0.2\n"
    yield "curves_unbalanced_quote.csv", b'arm,time,survival\n"A,0,1\nA,5,0.5\n'
    yield "curves_empty.csv", b""
    yield "curves_header_only.csv", b"arm,time,survival\n"
    yield "curves_binary.csv", bytes(range(256)) * 20
    yield "curves_long_field.csv", b"arm,time,survival\n" + b"A" * (10 << 20) + b",0,1\n"
    yield "curves_too_large_file.csv", _Sparse(b"arm,time,survival\nA,1,0.5\n", 65 << 20)
    yield "atrisk_utf16.csv", table.encode("utf-16")
    yield "atrisk_semicolon.csv", table.replace(",", ";").encode()
    yield "atrisk_decimal_n.csv", b"arm,time,n_risk\nA,0,20.5\n"
    yield "atrisk_many_rows.csv", ("arm,time,n_risk\n" + "".join(f"A,{k},{20_000 - k}\n" for k in range(20_000))).encode()
    yield "atrisk_negative.csv", b"arm,time,n_risk\nA,0,-5\n"
    yield "atrisk_huge_numbers.csv", b"arm,time,n_risk\nA,0,99999999999999999999999\nA,5,1e300\n"


def _yaml_files() -> Iterable[tuple[str, bytes]]:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{k}: &a{k} [{','.join(['*a' + str(k - 1)] * 9)}]" for k in range(1, 12)]
    yield "yaml_anchor_bomb.yaml", ("\n".join(lines) + "\n").encode()
    yield "yaml_recursive_alias.yaml", b"a: &a [*a]\n"
    yield "yaml_deep_nesting.yaml", b"[" * 50_000 + b"]" * 50_000 + b"\n"
    yield "yaml_python_tag.yaml", b"trials: !!python/object/apply:os.system ['echo hi']\n"
    yield "yaml_not_mapping.yaml", b"- 1\n- 2\n"
    yield "yaml_utf16.yaml", "trials: []\n".encode("utf-16")
    yield "yaml_binary.yaml", bytes(range(256)) * 4
    yield "yaml_huge_key.yaml", b"trials:\n  " + b"k" * (5 << 20) + b": 1\n"
    yield "yaml_too_large_file.yaml", _Sparse(b"# padding\n", 65 << 20)


class _Sparse(bytes):
    """File content ``head`` followed by zero bytes up to ``size``, written as a sparse file (no disk used)."""

    def __new__(cls, head: bytes, size: int):
        self = super().__new__(cls, head)
        self.size = size
        return self


GENERATORS: tuple[Callable[[], Iterable[tuple[str, bytes]]], ...] = (_pdf_files, _svg_files, _image_files,
                                                                     _csv_files, _yaml_files)


def make_all(outdir: str | Path) -> list[Path]:
    """Write every hostile file into ``outdir``; return their paths in name order."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for generate in GENERATORS:
        for name, data in generate():
            path = outdir / name
            with open(path, "wb") as handle:
                handle.write(data)
                if isinstance(data, _Sparse):
                    handle.truncate(data.size)
            paths.append(path)
    return sorted(paths)


def command_for(path: str | Path, workdir: str | Path) -> list[str]:
    """The ``kmrecon`` arguments that feed ``path`` to its reader (by file-name prefix); outputs go to ``workdir``."""
    path, workdir = Path(path), Path(workdir)
    role = ROLES[path.name.split("_", 1)[0]]
    if role == "digitize":
        return ["digitize", str(path), "-o", str(workdir / "out")]
    if role == "audit":
        return ["audit", str(path)]
    good = workdir / "good_curves.csv"
    good.write_text(GOOD_CURVES)
    if role == "reconstruct-curves":
        return ["reconstruct", str(path), "--n", "A=20", "-o", str(workdir / "ipd.csv")]
    return ["reconstruct", str(good), "--at-risk", str(path), "-o", str(workdir / "ipd.csv")]


def run_hostile(path: str | Path, workdir: str | Path, *, timeout: float = 10.0,
                memory: int = _GIB) -> dict[str, object]:
    """Run the CLI on one hostile file in a subprocess limited to ``memory`` bytes of address space.

    Returns
    -------
    dict
        ``file, status`` (exit status, or ``"hang"`` when killed at ``timeout``), ``message`` (last stderr
        line), ``lines`` (stderr lines), ``traceback`` (bool), ``seconds`` and ``peak_rss_mb``.
    """
    import os
    import resource
    import subprocess
    import time

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "kmrecon", *command_for(path, workdir)]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]), OMP_NUM_THREADS="1")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    start = time.perf_counter()
    with open(workdir / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, preexec_fn=limit, env=env)
        status: object = None
        while status is None:
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(code)
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                _, code, usage = os.wait4(proc.pid, 0)
                status = "hang"
                break
            time.sleep(0.02)
        proc.returncode = -1  # reaped by wait4 above
    seconds = time.perf_counter() - start
    text = (workdir / "stderr.txt").read_text(errors="replace")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("warning:")]
    return {"file": Path(path).name, "status": status, "message": lines[-1] if lines else "",
            "lines": len(lines), "traceback": "Traceback" in text, "seconds": seconds,
            "peak_rss_mb": usage.ru_maxrss / 1024}


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("hostile")
    written = make_all(target)
    print(f"{len(written)} hostile files, {sum(p.stat().st_size for p in written) / 1e6:.1f} MB in {target}")
