"""PDF input: exact extraction of matplotlib vector KM plots, raster fallback, find, CLI.

Tolerances: matplotlib writes PDF coordinates with 6 decimals (about 1e-6 pt on a ~330 pt
axis), so corners are compared to the true KM within 1e-6 of the axis range; censor marks
must match one to one, times within 1e-6 of the range.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from reconstruct import km_step_points, reconstruct_ipd
from reconstruct.vector.pdf import digitize_pdf, find_km_plots, plot_thumbnails, read_pdf_pages
from reconstruct.errors import DigitizationError, InputError
from tests._km_vector_figures import at_risk_frame, draw_km, raster_in_pdf, save, simulate_arms


def assert_exact(figure, truths, x_max, *, y_range=1.0):
    """Corners and marks within 1e-6 of the axis ranges; same number of each."""
    assert len(figure.arms) == len(truths)
    for arm, truth in zip(figure.arms, truths, strict=False):
        assert arm.time.size == truth.step_time.size
        np.testing.assert_allclose(arm.time, truth.step_time, rtol=0, atol=1e-6 * x_max)
        np.testing.assert_allclose(arm.survival, truth.step_survival, rtol=0, atol=1e-6 * y_range)
        order = np.argsort(arm.censor_time, kind="stable")
        assert arm.censor_time.size == truth.censor_time.size
        np.testing.assert_allclose(arm.censor_time[order], truth.censor_time, rtol=0, atol=1e-6 * x_max)
        np.testing.assert_allclose(arm.censor_survival[order], truth.censor_survival, rtol=0, atol=1e-6 * y_range)


@pytest.mark.parametrize(
    ("n_arms", "options"),
    [
        pytest.param(1, {}, id="one-arm"),
        pytest.param(2, {"percent": True, "marker": "|"}, id="two-arms-percent-bar"),
        pytest.param(3, {"tick_every": 3.0}, id="three-arms-ticks-3"),
        pytest.param(2, {"y_min": 0.4, "tick_every": 12.0}, id="y-from-0.4-ticks-12"),
        pytest.param(2, {"ci": "dashed"}, id="dashed-confidence-limits"),
        pytest.param(2, {"ci": "ribbon", "marker": "x"}, id="ribbon-and-x-marks"),
        pytest.param(3, {"dashed_arms": True}, id="black-arms-by-dash"),
    ],
)
def test_vector_pdf_reproduces_km_and_marks(tmp_path, n_arms, options):
    median = 60.0 if options.get("y_min") else 12.0
    fig, truths, x_max = draw_km(simulate_arms(n_arms, seed=20240101, median=median), **options)
    figure = digitize_pdf(save(fig, tmp_path / "km.pdf"))
    assert figure.provenance["source_kind"] == "vector"
    assert figure.y_unit == ("percent" if options.get("percent") else "proportion")
    assert figure.curve_kind == "survival"
    assert_exact(figure, truths, x_max, y_range=1.0 - options.get("y_min", 0.0))
    if n_arms > 1 and not options.get("dashed_arms"):
        assert [a.label for a in figure.arms] == [t.label for t in truths]
        assert [a.colour for a in figure.arms] == [t.colour for t in truths]


def test_confidence_limits_dropped_with_a_note(tmp_path):
    fig, truths, _ = draw_km(simulate_arms(1, seed=7), ci="dashed")
    figure = digitize_pdf(save(fig, tmp_path / "km.pdf"))
    assert len(figure.arms) == 1
    assert any("confidence-limit" in w for w in figure.warnings)


def test_end_to_end_reconstruction_is_exact(tmp_path):
    """Vector corners + at-risk table + marks -> reconstruct_ipd(precision=1e-9) -> the true KM."""
    fig, truths, x_max = draw_km(simulate_arms(2, seed=20240101), percent=True)
    figure = digitize_pdf(save(fig, tmp_path / "km.pdf"))
    table = at_risk_frame(truths, np.arange(0, x_max, 6.0))
    result = reconstruct_ipd(figure.curves_frame(), table, censor_marks=figure.censor_marks_frame(),
                             precision=1e-9)
    for truth in truths:
        arm = result[truth.label]
        assert arm.n_events == int(truth.event.sum())
        step_time, step_survival = km_step_points(arm.time, arm.event)
        keep = np.concatenate(([True], (np.diff(step_time) != 0) | (np.diff(step_survival) != 0)))
        np.testing.assert_allclose(step_time[keep][:-1], truth.step_time[:-1], rtol=0, atol=1e-6 * x_max)
        np.testing.assert_allclose(step_survival[keep], truth.step_survival, rtol=0, atol=1e-9)


def test_cumulative_incidence_is_reported_as_such(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    (time, event), = simulate_arms(1, seed=3)
    st, ss = km_step_points(time, event)
    fig = Figure(figsize=(5, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.step(st, 1 - ss, where="post", color="#d62728")
    ax.set_xticks(np.arange(0, 48, 6))
    figure = digitize_pdf(save(fig, tmp_path / "cif.pdf"))
    assert figure.curve_kind == "cumulative_incidence"
    keep = np.concatenate(([True], (np.diff(st) != 0) | (np.diff(ss) != 0)))
    np.testing.assert_allclose(figure.arms[0].survival, ss[keep], rtol=0, atol=1e-6)


def test_raster_pdf_goes_to_the_image_digitizer(tmp_path):
    """The embedded image is extracted pixel for pixel and digitized exactly as the PNG would be."""
    from reconstruct.digitize.figure import digitize_figure

    fig, truths, x_max = draw_km(simulate_arms(2, seed=20240101))
    pixels = raster_in_pdf(fig, tmp_path / "raster.pdf")
    (_, _, images), = list(read_pdf_pages(tmp_path / "raster.pdf"))
    assert len(images) == 1
    np.testing.assert_array_equal(images[0].rgb, pixels)
    found = find_km_plots(tmp_path / "raster.pdf")
    assert [(p.page, p.index, p.kind) for p in found] == [(1, 1, "raster")]
    hints = {"x_range": (0.0, float(x_max)), "y_range": (0.0, 1.0)}
    from_pdf = digitize_pdf(tmp_path / "raster.pdf", **hints)
    assert from_pdf.provenance["source_kind"] == "raster"
    from reconstruct.document import overlay_background

    np.testing.assert_array_equal(overlay_background(tmp_path / "raster.pdf", from_pdf), pixels)
    (thumbnail,) = plot_thumbnails(tmp_path / "raster.pdf", found)
    import cv2

    assert cv2.imdecode(np.frombuffer(thumbnail, np.uint8), cv2.IMREAD_COLOR).shape[1] == 400
    cv2.imwrite(str(tmp_path / "same.png"), pixels[:, :, ::-1])
    from_png = digitize_figure(tmp_path / "same.png", **hints)
    assert len(from_pdf.arms) == len(from_png.arms) == 2
    for a, b in zip(from_pdf.arms, from_png.arms, strict=False):
        np.testing.assert_array_equal(a.time, b.time)
        np.testing.assert_array_equal(a.survival, b.survival)


def test_find_lists_plots_per_page_with_thumbnails(tmp_path):
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(tmp_path / "paper.pdf") as pdf:
        fig, _, _ = draw_km(simulate_arms(1, seed=1))
        pdf.savefig(fig)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        text_page = Figure(figsize=(6, 4))
        FigureCanvasAgg(text_page)
        text_page.text(0.1, 0.5, "Methods: no figure on this page")
        pdf.savefig(text_page)
        fig2, truths2, x_max2 = draw_km(simulate_arms(2, seed=2), percent=True)
        pdf.savefig(fig2)
    found = find_km_plots(tmp_path / "paper.pdf")
    assert [(p.page, p.index, p.kind, p.n_curves) for p in found] == [(1, 1, "vector", 1), (3, 1, "vector", 2)]
    r0, c0, r1, c1 = found[0].bbox
    assert 0 <= r0 < r1 <= 288  # inside the 6 x 4 inch page (points)
    assert 0 <= c0 < c1 <= 432
    pngs = plot_thumbnails(tmp_path / "paper.pdf", found)
    assert all(p.startswith(b"\x89PNG") for p in pngs)
    assert_exact(digitize_pdf(tmp_path / "paper.pdf", page=3), truths2, x_max2)
    with pytest.raises(DigitizationError, match="page 2"):
        digitize_pdf(tmp_path / "paper.pdf", page=2)
    with pytest.raises(InputError, match="index must be at most 1"):
        digitize_pdf(tmp_path / "paper.pdf", page=1, index=2)
    with pytest.raises(InputError, match="page must name a page"):
        digitize_pdf(tmp_path / "paper.pdf", page=9)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "1", True])
def test_bad_page_number_is_an_input_error(tmp_path, bad):
    fig, _, _ = draw_km(simulate_arms(1, seed=1))
    with pytest.raises(InputError, match="page must be a whole number >= 1"):
        digitize_pdf(save(fig, tmp_path / "km.pdf"), page=bad)


def test_not_a_pdf_and_missing_file(tmp_path):
    (tmp_path / "x.pdf").write_text("hello")
    with pytest.raises(InputError, match="expected a PDF file"):
        digitize_pdf(tmp_path / "x.pdf")
    with pytest.raises(InputError, match="no such file"):
        find_km_plots(tmp_path / "missing.pdf")


def test_pdf_without_plots(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    fig.text(0.2, 0.5, "Table 1")
    fig.savefig(tmp_path / "t.pdf")
    assert find_km_plots(tmp_path / "t.pdf") == ()
    with pytest.raises(DigitizationError, match="expected a KM plot in the PDF"):
        digitize_pdf(tmp_path / "t.pdf")


def test_cli_find(tmp_path):
    from kmrecon.cli import main

    fig, _, _ = draw_km(simulate_arms(2, seed=5))
    save(fig, tmp_path / "paper.pdf")
    runner = CliRunner()
    result = runner.invoke(main, ["find", str(tmp_path / "paper.pdf"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "page 1 plot 1: vector, 2 curves" in result.output
    assert (tmp_path / "out" / "page1_plot1.png").read_bytes().startswith(b"\x89PNG")
    import json

    record = json.loads((tmp_path / "out" / "find.json").read_text())
    assert record["plots"][0]["kind"] == "vector"
    assert len(record["provenance"]["inputs"]["pdf"]["sha256"]) == 64
    again = runner.invoke(main, ["find", str(tmp_path / "paper.pdf"), "-o", str(tmp_path / "out")])
    assert again.exit_code == 2
    assert "--force" in again.output
    missing = runner.invoke(main, ["find", str(tmp_path / "nope.pdf")])
    assert missing.exit_code == 2


@pytest.mark.parametrize(
    ("name", "labels", "unit"),
    [
        pytest.param("base", ["Control", "Drug"], "proportion", id="base-graphics"),
        pytest.param("ggplot", ["Control", "Drug"], "percent", id="ggplot2"),
        pytest.param("minimal", ["Control", "Drug"], "percent", id="ggplot2-no-ticks"),
        pytest.param("one_arm_ci", [None], "proportion", id="one-arm-dashed-limits"),
    ],
)
def test_pdfs_written_by_r(name, labels, unit):
    """PDFs from R (tests/reference/vector_km_figures.R): base graphics, ggplot2, ggplot2 without
    tick marks, and one arm with R's dashed 95% limits (dropped with a note).

    R's pdf device rounds coordinates to 0.01 pt, so corners and marks must match within 0.01 pt
    converted to data units; marks one to one.
    """
    import pandas as pd

    from tests.conftest import REFERENCE

    ipd = pd.read_csv(REFERENCE / "vector_km_ipd.csv")
    figure = digitize_pdf(REFERENCE / f"vector_km_{name}.pdf")
    assert [a.label for a in figure.arms] == labels
    assert figure.y_unit == unit
    if name == "one_arm_ci":
        assert figure.warnings == ("dropped 2 dashed confidence-limit line(s)",)
    t_tol, s_tol = 0.01 * abs(figure.x_calibration.slope), 0.01 * abs(figure.y_calibration.slope)
    for arm, arm_name in zip(figure.arms, ["Control", "Drug"], strict=False):
        rows = ipd[ipd["arm"] == arm_name]
        step_time, step_survival = km_step_points(rows["time"].to_numpy(), rows["event"].to_numpy())
        keep = np.concatenate(([True], (np.diff(step_time) != 0) | (np.diff(step_survival) != 0)))
        np.testing.assert_allclose(arm.time, step_time[keep], rtol=0, atol=t_tol)
        np.testing.assert_allclose(arm.survival, step_survival[keep], rtol=0, atol=s_tol)
        censored = np.unique(rows.loc[rows["event"] == 0, "time"])
        np.testing.assert_allclose(np.sort(arm.censor_time), censored, rtol=0, atol=t_tol)


def _two_panel_pdf(path, seed):
    """Two one-arm KM plots side by side on one PDF page; the survival at the step corners of each."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    FigureCanvasAgg(fig)
    truths = []
    for k, ax in enumerate(fig.subplots(1, 2)):
        (time, event), = simulate_arms(1, seed=seed + k)
        st, ss = km_step_points(time, event)
        ax.step(st, ss, where="post", color="#1f77b4")
        ax.set_xticks(np.arange(0, 48, 12))
        ax.set_yticks([0, 0.5, 1.0])
        keep = np.concatenate(([True], (np.diff(st) != 0) | (np.diff(ss) != 0)))
        truths.append(ss[keep])
    save(fig, path)
    return truths


def test_two_plots_on_one_page_are_listed_and_chosen_by_index(tmp_path):
    truths = _two_panel_pdf(tmp_path / "panels.pdf", 40)
    found = find_km_plots(tmp_path / "panels.pdf")
    assert [(p.page, p.index) for p in found] == [(1, 1), (1, 2)]
    assert found[0].bbox[1] < found[1].bbox[1]  # left panel first
    for k in (1, 2):
        arm = digitize_pdf(tmp_path / "panels.pdf", page=1, index=k).arms[0]
        np.testing.assert_allclose(arm.survival, truths[k - 1], rtol=0, atol=1e-6)


def test_one_document_interprets_its_page_once_for_every_plot(tmp_path, monkeypatch):
    """Reading plot 1, plot 2 and then asking for a third takes page 1 from the document's store."""
    from reconstruct.document import digitize_document, open_document
    from reconstruct.vector import pdf_read

    _two_panel_pdf(tmp_path / "panels.pdf", 60)
    calls = []
    real = pdf_read.read_pdf_pages

    def counted(*args, **kwargs):
        calls.append(kwargs)
        yield from real(*args, **kwargs)

    monkeypatch.setattr(pdf_read, "read_pdf_pages", counted)
    doc = open_document(tmp_path / "panels.pdf")
    first, second = digitize_document(doc, index=1), digitize_document(doc, index=2)
    with pytest.raises(InputError, match="index must be at most 2"):
        digitize_document(doc, index=3)
    assert len(calls) == 1
    assert first.panel[1] < second.panel[1]  # left panel first, both from the one parse


def test_digitize_document_dispatches_by_suffix_and_gives_overlay_backgrounds(tmp_path):
    from reconstruct.document import digitize_document, overlay_background

    fig, truths, x_max = draw_km(simulate_arms(2, seed=11))
    pdf, svg = save(fig, tmp_path / "km.pdf"), save(fig, tmp_path / "km.svg")
    for path in (pdf, svg):
        figure = digitize_document(path)
        assert_exact(figure, truths, x_max)
        background = overlay_background(path, figure)
        assert background.dtype == np.uint8
        assert background.shape[2] == 3
        # one pixel per page unit: the panel lies inside the picture at its page position
        r0, c0, r1, c1 = figure.panel
        assert 0 < r0 < r1 < background.shape[0]
        assert 0 < c0 < c1 < background.shape[1]
    assert overlay_background(pdf, digitize_document(pdf)).shape[:2] == (400 * 72 // 100, 600 * 72 // 100)
    with pytest.raises(InputError, match="page applies to PDF files only"):
        digitize_document(svg, page=1)
    with pytest.raises(InputError, match="index applies to PDF and SVG files only"):
        digitize_document(tmp_path / "km.png", index=1)


@pytest.mark.parametrize("suffix", [".pdf", ".svg"])
def test_at_risk_table_read_from_text_and_full_pipeline(tmp_path, suffix):
    """The printed table is read exactly; with it the pipeline needs nothing but the file."""
    from reconstruct.document import digitize_document, read_document_at_risk

    fig, truths, x_max = draw_km(simulate_arms(2, seed=21), risk_table=True)
    path = save(fig, tmp_path / f"km{suffix}")
    figure = digitize_document(path)
    table = read_document_at_risk(path, figure)
    expected = at_risk_frame(truths, np.arange(0, x_max + 3, 6.0))
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(table.reset_index(drop=True), expected, check_dtype=False)
    result = reconstruct_ipd(figure.curves_frame(), table, censor_marks=figure.censor_marks_frame(),
                             precision=1e-9)
    for truth in truths:
        step_time, step_survival = km_step_points(result[truth.label].time, result[truth.label].event)
        keep = np.concatenate(([True], (np.diff(step_time) != 0) | (np.diff(step_survival) != 0)))
        np.testing.assert_allclose(step_survival[keep], truth.step_survival, rtol=0, atol=1e-9)


def test_jpeg_image_is_decoded_and_unsupported_encodings_are_reported(tmp_path):
    import cv2

    from tests._km_vector_figures import pdf_with_image_stream

    rgb = np.zeros((120, 160, 3), np.uint8)
    rgb[:, :, 0] = np.arange(160, dtype=np.uint8)[None, :]
    rgb[40:80, 50:110] = (20, 200, 90)
    jpeg = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
    path = pdf_with_image_stream(tmp_path / "jpeg.pdf", jpeg, width=160, height=120, filters="/DCTDecode")
    ((_, _, images),) = list(read_pdf_pages(path))
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
    np.testing.assert_array_equal(images[0].rgb, decoded)  # the JPEG itself, not a re-rendering
    assert images[0].bbox == (36.0, 36.0, 156.0, 196.0)
    indexed = pdf_with_image_stream(tmp_path / "indexed.pdf", bytes(160 * 120), width=160, height=120,
                                    filters="/RunLengthDecode", colour_space="/DeviceGray")
    ((_, _, images),) = list(read_pdf_pages(indexed))
    assert images[0].rgb is None
    assert "unsupported image encoding" in images[0].note
    with pytest.raises(DigitizationError, match="expected a decodable embedded image"):
        digitize_pdf(indexed)


def test_digitize_command_reads_a_pdf_page(tmp_path):
    """``kmrecon digitize paper.pdf --page 1`` writes the curve CSV and overlay; page 2 does not exist."""
    import pandas as pd
    from click.testing import CliRunner

    from kmrecon.cli import main
    from tests.conftest import REFERENCE

    pdf = REFERENCE / "vector_km_base.pdf"
    result = CliRunner().invoke(main, ["digitize", str(pdf), "--page", "1", "-o", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    curves = pd.read_csv(tmp_path / "d" / "curves.csv")
    assert curves["survival"].between(0, 1).all() and curves["arm"].nunique() >= 1
    assert (tmp_path / "d" / "overlay.png").read_bytes().startswith(b"\x89PNG")
    missing = CliRunner().invoke(main, ["digitize", str(pdf), "--page", "2", "-o", str(tmp_path / "e")])
    assert missing.exit_code in (1, 2)
    assert "Traceback" not in missing.output and "vector_km_base.pdf" in missing.output


def test_replayed_marker_xobjects_give_the_page_pdfminer_gives(tmp_path, monkeypatch):
    """Marker XObjects are tokenised once and replayed: the page read must equal pdfminer's own reading."""
    from pdfminer.pdfinterp import PDFPageInterpreter

    from reconstruct.vector import pdf_read

    fig, _, _ = draw_km(simulate_arms(2, seed=12), marker="|")
    save(fig, tmp_path / "km.pdf")
    ((_, replayed, _),) = read_pdf_pages(tmp_path / "km.pdf")
    original = pdf_read._interpreter_class

    def plain():
        cls = original()
        cls.execute = PDFPageInterpreter.execute
        return cls

    monkeypatch.setattr(pdf_read, "_interpreter_class", plain)
    ((_, parsed, _),) = read_pdf_pages(tmp_path / "km.pdf")
    assert len(replayed.paths) == len(parsed.paths) > 40  # every censor mark is an XObject
    for a, b in zip(replayed.paths, parsed.paths, strict=True):
        assert (a.stroke, a.fill, a.unit) == (b.stroke, b.fill, b.unit)
        for sa, sb in zip(a.subpaths, b.subpaths, strict=True):
            np.testing.assert_array_equal(sa, sb)
    assert replayed.texts == parsed.texts
