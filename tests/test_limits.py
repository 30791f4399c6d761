"""Named resource limits (reconstruct.limits): each refuses with its name and how to raise it, early and cheaply."""

from __future__ import annotations

import tracemalloc
import zlib

import pytest
import yaml

from reconstruct.errors import InputError
from reconstruct.io import read_at_risk_csv, read_curves_csv, read_yaml
from reconstruct.limits import LIMITS, LimitError, check_limit, limit_value
from tests.data.make_hostile import _deflate_zeros, _one_page, _pdf

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_every_limit_is_documented_in_the_module_and_readme():
    import reconstruct.limits as module
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    for limit in LIMITS.values():
        assert limit.env.startswith("KMRECON_MAX_")
        assert limit.name in module.__doc__ and limit.env in module.__doc__
        assert limit.env in readme, limit.env


def test_environment_variable_raises_a_limit_and_bad_values_are_refused(monkeypatch):
    assert limit_value("pdf_pages") == LIMITS["pdf_pages"].default
    monkeypatch.setenv("KMRECON_MAX_PDF_PAGES", "12_000")
    assert limit_value("pdf_pages") == 12_000
    check_limit("pdf_pages", 12_000)
    with pytest.raises(LimitError, match=r"expected at most 12,000 pages .*limit pdf_pages.*got 12,001; raise it "
                                         r"with the environment variable KMRECON_MAX_PDF_PAGES=N"):
        check_limit("pdf_pages", 12_001)
    for bad in ("0", "-3", "many"):
        monkeypatch.setenv("KMRECON_MAX_PDF_PAGES", bad)
        with pytest.raises(InputError, match=r"KMRECON_MAX_PDF_PAGES: expected a whole number > 0"):
            limit_value("pdf_pages")


def test_a_gigabyte_pdf_bomb_is_refused_before_pdfminer_with_little_memory(tmp_path):
    from reconstruct.vector.pdf_limits import check_pdf_streams

    path = tmp_path / "bomb.pdf"
    path.write_bytes(_one_page(_deflate_zeros(1 << 30), filters=b"/Filter /FlateDecode "))
    assert path.stat().st_size < 1.2e6
    tracemalloc.start()
    try:
        with pytest.raises(LimitError, match=r"limit pdf_stream_bytes.*KMRECON_MAX_PDF_STREAM_BYTES"):
            check_pdf_streams(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # chunks of 1 MiB, not the 128 MiB counted or the 1 GiB declared


def test_stream_limits_count_a_second_flate_layer_and_the_total(tmp_path, monkeypatch):
    from reconstruct.vector.pdf_read import read_pdf_pages

    monkeypatch.setenv("KMRECON_MAX_PDF_STREAM_BYTES", str(1 << 20))
    inner = zlib.compress(bytes(4 << 20), 9)
    double = tmp_path / "double.pdf"
    double.write_bytes(_one_page(zlib.compress(inner, 9), filters=b"/Filter [/FlateDecode /FlateDecode] "))
    with pytest.raises(LimitError, match=r"1,048,576 decompressed bytes of one PDF stream"):
        list(read_pdf_pages(double))
    monkeypatch.setenv("KMRECON_MAX_PDF_STREAM_BYTES", str(8 << 20))
    monkeypatch.setenv("KMRECON_MAX_PDF_TOTAL_BYTES", str(6 << 20))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents [4 0 R 5 0 R] >>"]
    data = zlib.compress(bytes(4 << 20))
    objs += [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"] * 2
    total = tmp_path / "total.pdf"
    total.write_bytes(_pdf(objs))
    with pytest.raises(LimitError, match=r"limit pdf_total_bytes"):
        list(read_pdf_pages(total))


def test_pdf_pages_paths_segments_and_text_limits(tmp_path, monkeypatch):
    from reconstruct.vector.pdf_read import read_pdf_pages

    n = 5
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (3 + k) for k in range(n)), n)]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * n
    pages = tmp_path / "pages.pdf"
    pages.write_bytes(_pdf(objs))
    assert len(list(read_pdf_pages(pages))) == n
    monkeypatch.setenv("KMRECON_MAX_PDF_PAGES", "4")
    with pytest.raises(LimitError, match=r"at most 4 pages of one PDF \(limit pdf_pages\), got 5"):
        list(read_pdf_pages(pages))
    lying = tmp_path / "lying.pdf"
    lying.write_bytes(_pdf(objs).replace(b"/Count 5", b"/Count 1"))
    with pytest.raises(LimitError, match=r"got at least 5"):
        list(read_pdf_pages(lying))

    paths = tmp_path / "paths.pdf"
    paths.write_bytes(_one_page(b"".join(b"%d 0 m %d 5 l S\n" % (k, k) for k in range(50))))
    monkeypatch.setenv("KMRECON_MAX_VECTOR_PATHS", "40")
    with pytest.raises(LimitError, match=r"limit vector_paths\), got at least 41"):
        list(read_pdf_pages(paths))
    monkeypatch.setenv("KMRECON_MAX_VECTOR_SEGMENTS", "60")
    with pytest.raises(LimitError, match=r"one content stream\): .*limit vector_segments\), got 100"):
        list(read_pdf_pages(paths))

    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    text = tmp_path / "text.pdf"
    text.write_bytes(_one_page(b"BT /F1 5 Tf 0 0 Td (" + b"x" * 300 + b") Tj ET", resources=font))
    monkeypatch.setenv("KMRECON_MAX_TEXT_CHARS", "200")
    with pytest.raises(LimitError, match=r"limit text_chars\), got at least 201"):
        list(read_pdf_pages(text))


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="9" height="9">{}</svg>'


@pytest.mark.parametrize(
    ("body", "env", "match"),
    [
        pytest.param('<path d="M0 0 L1 1" stroke="black"/>' * 30, ("KMRECON_MAX_VECTOR_PATHS", "20"),
                     r"limit vector_paths\), got at least 21", id="paths"),
        pytest.param('<path d="M0 0' + " L1.5 2.25" * 40 + '"/>', ("KMRECON_MAX_VECTOR_SEGMENTS", "30"),
                     r"limit vector_segments\), got 4[1-9]", id="segments-raw"),
        pytest.param('<defs><path id="p" d="M0 0 L1 1"/><g id="g">' + '<use xlink:href="#p"/>' * 5 + "</g></defs>"
                     + '<use xlink:href="#g"/>' * 5, ("KMRECON_MAX_VECTOR_PATHS", "20"),
                     r"limit vector_paths\), got at least 2[1-9]", id="use-expanded"),
        pytest.param('<g id="a"><use xlink:href="#b"/></g><g id="b"><use xlink:href="#a"/></g>', ("", ""),
                     r"limit vector_paths", id="use-cycle"),
        pytest.param("<text x='1' y='1'>" + "x" * 300 + "</text>", ("KMRECON_MAX_TEXT_CHARS", "100"),
                     r"limit text_chars\), got at least 300", id="text"),
    ],
)
def test_svg_limits_are_checked_before_svgelements(tmp_path, monkeypatch, body, env, match):
    from reconstruct.vector.svg import read_svg_page

    if env[0]:
        monkeypatch.setenv(*env)
    path = tmp_path / "x.svg"
    path.write_text(SVG.format(body))
    with pytest.raises(LimitError, match=match):
        read_svg_page(path)


def test_yaml_anchor_bomb_is_refused_and_ordinary_yaml_loads_as_safe_load(tmp_path, monkeypatch):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{k}: &a{k} [{','.join(['*a' + str(k - 1)] * 9)}]" for k in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    with pytest.raises(LimitError, match=r"limit yaml_nodes\).*KMRECON_MAX_YAML_NODES"):
        read_yaml(bomb)
    text = "a: &x {b: [1, 2.5, null, true]}\nc: *x\nd: 'text'\n"
    plain = tmp_path / "plain.yaml"
    plain.write_text(text)
    assert read_yaml(plain) == yaml.safe_load(text)
    monkeypatch.setenv("KMRECON_MAX_YAML_NODES", "8")
    with pytest.raises(LimitError, match=r"at most 8 YAML nodes"):
        read_yaml(plain)
    recursive = tmp_path / "rec.yaml"
    recursive.write_text("a: &a [*a]\n")
    with pytest.raises(InputError):
        read_yaml(recursive)


def test_csv_size_rows_and_field_limits(tmp_path, monkeypatch):
    table = tmp_path / "at_risk.csv"
    table.write_text("arm,time,n_risk\n" + "".join(f"A,{k},{100 - k}\n" for k in range(30)))
    assert len(read_at_risk_csv(table)) == 30
    monkeypatch.setenv("KMRECON_MAX_AT_RISK_ROWS", "20")
    with pytest.raises(LimitError, match=r"at most 20 rows of an at-risk table \(limit at_risk_rows\), got 30"):
        read_at_risk_csv(table)
    monkeypatch.setenv("KMRECON_MAX_INPUT_BYTES", "100")
    with pytest.raises(LimitError, match=r"limit input_bytes"):
        read_at_risk_csv(table)
    monkeypatch.delenv("KMRECON_MAX_INPUT_BYTES")
    curves = tmp_path / "curves.csv"
    curves.write_text("arm,time,survival\n" + "B" * 2000 + ",0,1\n")
    with pytest.raises(LimitError, match=r"curves.csv:2: .*limit field_chars\), got 2,000"):
        read_curves_csv(curves)
    huge = tmp_path / "huge.csv"
    huge.write_text("arm,time,n_risk\nA,0,99999999999999999999999\n")
    with pytest.raises(InputError, match=r"expected a whole number of at most 2\^53, got '9999"):
        read_at_risk_csv(huge)
