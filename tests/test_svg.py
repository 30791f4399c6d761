"""SVG input: matplotlib SVGs (text as <text>) read exactly with the shared vector geometry.

Tolerance as for PDF: the SVG writer rounds coordinates to about 1e-6 user units, so corners
and censor marks match the truth within 1e-6 of the axis range.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from reconstruct.vector.svg import digitize_svg, read_svg_page
from reconstruct.errors import CalibrationError, DigitizationError, InputError
from tests._km_vector_figures import draw_km, save, simulate_arms
from tests.test_pdf import assert_exact


@pytest.mark.parametrize(
    ("n_arms", "options"),
    [
        pytest.param(1, {"marker": "|"}, id="one-arm-bar"),
        pytest.param(2, {"percent": True}, id="two-arms-percent"),
        pytest.param(3, {"y_min": 0.4, "tick_every": 12.0}, id="three-arms-y-from-0.4"),
        pytest.param(2, {"ci": "ribbon"}, id="ribbon"),
    ],
)
def test_svg_reproduces_km_and_marks(tmp_path, n_arms, options):
    median = 60.0 if options.get("y_min") else 12.0
    fig, truths, x_max = draw_km(simulate_arms(n_arms, seed=20240102, median=median), **options)
    figure = digitize_svg(save(fig, tmp_path / "km.svg"))
    assert figure.provenance["source_kind"] == "vector"
    assert len(figure.provenance["inputs"]["figure"]["sha256"]) == 64
    assert_exact(figure, truths, x_max, y_range=1.0 - options.get("y_min", 0.0))
    if n_arms > 1:
        assert [a.label for a in figure.arms] == [t.label for t in truths]


@pytest.mark.parametrize("percent", [False, True], ids=["proportion", "percent"])
def test_glyph_outline_text_is_read_by_ocr_without_hints(tmp_path, percent):
    """matplotlib's default SVG draws text as glyph outlines: the labels are read by OCR, the
    curves still come from the paths (exact), and the at-risk table is read too."""
    from reconstruct.document import read_document_at_risk
    from tests._km_vector_figures import at_risk_frame

    fig, truths, x_max = draw_km(simulate_arms(2, seed=20240104), percent=percent, risk_table=True)
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "kmrecon"}):
        fig.savefig(tmp_path / "outlined.svg", format="svg")
    figure = digitize_svg(tmp_path / "outlined.svg")
    assert figure.y_unit == ("percent" if percent else "proportion")
    assert_exact(figure, truths, x_max)
    table = read_document_at_risk(tmp_path / "outlined.svg", figure)
    expected = at_risk_frame(truths, np.arange(0.0, x_max + 1e-9, 6.0))
    assert table["n_risk"].tolist() == expected["n_risk"].tolist()
    np.testing.assert_allclose(table["time"], expected["time"], atol=1e-9)


def test_outlines_without_readable_text_ask_for_hints(tmp_path):
    """An SVG whose only filled shapes are not glyphs gives the hint, not a guess."""
    fig, _, _ = draw_km(simulate_arms(1, seed=1))
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        fig.savefig(tmp_path / "outlined.svg", format="svg")
    text = (tmp_path / "outlined.svg").read_text()
    import re

    stripped = re.sub(r'<g id="text_\d+">.*?</g>\s*</g>', "", text, flags=re.S)  # drop every label
    (tmp_path / "bare.svg").write_text(stripped)
    with pytest.raises((CalibrationError, DigitizationError), match="x_range"):
        digitize_svg(tmp_path / "bare.svg")


def test_svg_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_svg_page(tmp_path / "missing.svg")
    (tmp_path / "broken.svg").write_text("<svg><g></svg>")
    with pytest.raises(InputError, match="well-formed SVG"):
        read_svg_page(tmp_path / "broken.svg")
    fig, _, _ = draw_km(simulate_arms(1, seed=1))
    with pytest.raises(InputError, match="index must be at most 1"):
        digitize_svg(save(fig, tmp_path / "km.svg"), index=2)


def test_outlined_text_with_tick_hints_is_exact(tmp_path):
    """Labels drawn as glyph outlines (matplotlib's default SVG): evenly spaced ticks valued from the hints."""
    fig, truths, x_max = draw_km(simulate_arms(2, seed=20240103), percent=True)
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        fig.savefig(tmp_path / "outlined.svg", format="svg")
    figure = digitize_svg(tmp_path / "outlined.svg", x_range=(0.0, float(x_max)), y_range=(0.0, 100.0))
    assert figure.y_unit == "percent"
    assert_exact(figure, truths, x_max)
