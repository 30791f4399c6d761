"""The vector geometry on pages built in code: ticks and labels, step curves, glyphs, legends.

Pages here are synthetic (:class:`reconstruct.vector.geometry.VectorPage` built directly), so every
position is known exactly; extraction is exact up to floating-point rounding (tolerance 1e-9).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconstruct.vector.geometry import (
    VectorPage,
    VectorPath,
    VectorText,
    find_plot_frames,
    parse_tick_label,
)
from reconstruct.vector.curves import extract_plot, to_data
from reconstruct.errors import DigitizationError

PANEL = (50.0, 60.0, 250.0, 400.0)  # row0, col0, row1, col1


class PageBuilder:
    """Draw a KM plot on a synthetic page: time 0..x_max over the panel width, y0..y1 over its height."""

    def __init__(self, x_ticks, y_ticks, *, y_labels=None, x_labels=None):
        self.x_ticks, self.y_ticks = np.asarray(x_ticks, float), np.asarray(y_ticks, float)
        self.paths: list[VectorPath] = []
        self.texts: list[VectorText] = []
        self.unit = 0
        r0, c0, r1, c1 = PANEL
        for k, t in enumerate(self.x_ticks):
            col = self.col(t)
            self.line([(r1, col), (r1 + 3.5, col)], "#000000", 0.8)
            label = (x_labels or [f"{v:g}" for v in self.x_ticks])[k]
            self.texts.append(VectorText(label, r1 + 5, col - 3 * len(label), r1 + 15, col + 3 * len(label)))
        for k, v in enumerate(self.y_ticks):
            row = self.row(v)
            self.line([(row, c0), (row, c0 - 3.5)], "#000000", 0.8)
            label = (y_labels or [f"{v:g}" for v in self.y_ticks])[k]
            self.texts.append(VectorText(label, row - 5, c0 - 6 - 6 * len(label), row + 5, c0 - 6))
        self.line([(r0, c0), (r1, c0)], "#000000", 0.8)  # spines
        self.line([(r1, c0), (r1, c1)], "#000000", 0.8)

    def col(self, t):
        return PANEL[1] + (np.asarray(t, float) - self.x_ticks[0]) / np.ptp(self.x_ticks) * (PANEL[3] - PANEL[1])

    def row(self, v):
        return PANEL[2] - (np.asarray(v, float) - self.y_ticks[0]) / np.ptp(self.y_ticks) * (PANEL[2] - PANEL[0])

    def line(self, points, colour, width=1.0, dash="", *, unit=None):
        if unit is None:
            self.unit += 1
        self.paths.append(VectorPath((np.asarray(points, float),), colour, None, width, dash,
                                     self.unit if unit is None else unit))

    def step(self, time, value, colour, *, dash="", pieces=1):
        """A 'post' step polyline through corners (time, value), optionally split into pieces."""
        pts = [(self.row(value[0]), self.col(time[0]))]
        for t, v in zip(time[1:], value[1:], strict=False):
            pts += [(pts[-1][0], self.col(t)), (self.row(v), self.col(t))]
        cuts = np.unique(np.linspace(0, len(pts) - 1, min(pieces, len(pts) - 1) + 1).astype(int))
        for a, b in zip(cuts[:-1], cuts[1:], strict=False):
            self.line(pts[a:b + 1], colour, 1.5, dash)

    def plus(self, t, v, colour, half=3.0):
        """An inline '+': two separate strokes sharing a centre (as R's pdf device writes them)."""
        r, c = float(self.row(v)), float(self.col(t))
        self.line([(r, c - half), (r, c + half)], colour, 1.0)
        self.line([(r - half, c), (r + half, c)], colour, 1.0)

    def page(self):
        return VectorPage(tuple(self.paths), tuple(self.texts), (300.0, 450.0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0.5", (0.5, False), id="decimal"),
        pytest.param(" 50% ", (50.0, True), id="percent"),
        pytest.param("\u22120.2", (-0.2, False), id="unicode-minus"),
        pytest.param("0,75", (0.75, False), id="decimal-comma"),
        pytest.param("1,000", (1000.0, False), id="thousands-comma"),
        pytest.param("2,5", (2.5, False), id="decimal-comma-short"),
        pytest.param("12", (12.0, False), id="integer"),
        pytest.param("Months", None, id="word"),
        pytest.param("p = 0.03", None, id="sentence"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_tick_label(text, expected):
    assert parse_tick_label(text) == expected


def test_frame_from_labelled_ticks_percent_axis():
    b = PageBuilder([0, 6, 12, 18, 24], [0, 25, 50, 75, 100], y_labels=["0%", "25%", "50%", "75%", "100%"])
    b.step([0, 3, 10, 24], [100, 80, 50, 50], "#1f77b4")
    (frame,) = find_plot_frames(b.page())
    assert frame.y_percent
    np.testing.assert_allclose(frame.x_values, [0, 6, 12, 18, 24])
    data = to_data(extract_plot(b.page(), frame))
    np.testing.assert_allclose(data["arms"][0]["time"], [0, 3, 10, 24], atol=1e-9)
    np.testing.assert_allclose(data["arms"][0]["survival"], [1.0, 0.8, 0.5, 0.5], atol=1e-9)


def test_axis_not_starting_at_zero_and_labels_beyond_ticks():
    b = PageBuilder([0, 12, 24, 36], [0.4, 0.6, 0.8, 1.0])
    b.step([0, 5, 20, 33], [1.0, 0.9, 0.55, 0.55], "#d62728")
    (frame,) = find_plot_frames(b.page())
    data = to_data(extract_plot(b.page(), frame))
    np.testing.assert_allclose(data["arms"][0]["survival"], [1.0, 0.9, 0.55, 0.55], atol=1e-9)
    assert data["y_unit"] == "proportion"


def test_no_frame_without_labels_or_with_nonlinear_labels():
    b = PageBuilder([0, 6, 12, 18], [0, 0.5, 1.0], x_labels=["a", "b", "c", "d"])
    assert find_plot_frames(b.page()) == []
    log_axis = PageBuilder([0, 1, 2, 3], [0, 0.5, 1.0], x_labels=["1", "10", "100", "1000"])
    assert find_plot_frames(log_axis.page()) == []


def test_fragmented_curve_is_joined_and_inline_plus_marks_are_one_glyph_each():
    b = PageBuilder([0, 10, 20, 30], [0, 0.5, 1.0])
    b.step([0, 2, 5, 9, 14, 22, 30], [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.5], "#2ca02c", pieces=3)
    b.plus(3.0, 0.9, "#2ca02c")
    b.plus(3.05, 0.9, "#2ca02c")  # overlapping glyphs with distinct centres stay two marks
    b.plus(25.0, 0.5, "#2ca02c")
    b.plus(25.0, 0.95, "#2ca02c")  # not on the curve: ignored, with a note
    plot = extract_plot(b.page(), find_plot_frames(b.page())[0])
    assert len(plot.curves) == 1
    data = to_data(plot)
    np.testing.assert_allclose(data["arms"][0]["censor_time"], [3.0, 3.05, 25.0], atol=1e-9)
    np.testing.assert_allclose(data["arms"][0]["censor_survival"], [0.9, 0.9, 0.5], atol=1e-9)
    assert any("not on any curve" in n for n in plot.notes)


def test_curve_drawn_one_segment_at_a_time_is_joined():
    b = PageBuilder([0, 10, 20, 30], [0, 0.5, 1.0])
    b.step([0, 2, 5, 9, 14, 30], [1, 0.9, 0.8, 0.7, 0.6, 0.6], "#000000", pieces=100)
    b.plus(20.0, 0.6, "#000000")
    data = to_data(extract_plot(b.page(), find_plot_frames(b.page())[0]))
    (arm,) = data["arms"]
    np.testing.assert_allclose(arm["time"], [0, 2, 5, 9, 14, 30], atol=1e-9)
    np.testing.assert_allclose(arm["survival"], [1, 0.9, 0.8, 0.7, 0.6, 0.6], atol=1e-9)
    np.testing.assert_allclose(arm["censor_time"], [20.0], atol=1e-9)


def test_arms_by_colour_and_dash_with_legend_labels_and_confidence_limits():
    b = PageBuilder([0, 10, 20], [0, 0.5, 1.0])
    b.step([0, 4, 12, 20], [1, 0.8, 0.6, 0.6], "#000000")
    b.step([0, 4, 12, 20], [1, 0.9, 0.7, 0.7], "#000000", dash="6,2")
    b.step([0, 4, 12, 20], [1, 0.7, 0.5, 0.5], "#1f77b4")
    b.step([0, 4, 12, 20], [1, 0.75, 0.55, 0.55], "#1f77b4", dash="2,2")  # upper limit of the blue arm
    b.step([0, 4, 12, 20], [1, 0.65, 0.45, 0.45], "#1f77b4", dash="2,2")  # lower limit
    for k, (colour, dash, name) in enumerate([("#000000", "", "Control"), ("#000000", "6,2", "Drug")]):
        row = 70.0 + 12 * k
        b.line([(row, 300), (row, 320)], colour, 1.5, dash)
        b.texts.append(VectorText(name, row - 5, 325, row + 5, 325 + 6 * len(name)))
    plot = extract_plot(b.page(), find_plot_frames(b.page())[0])
    assert [(c.stroke, c.dash) for c in plot.curves] == [("#000000", ""), ("#000000", "6,2"), ("#1f77b4", "")]
    assert [c.label for c in plot.curves] == ["Control", "Drug", None]
    assert any("confidence-limit" in n for n in plot.notes)


def test_no_step_curve_is_a_digitization_error():
    b = PageBuilder([0, 10, 20], [0, 0.5, 1.0])
    b.line([(100, 60), (200, 300)], "#ff0000")  # a diagonal line is not a KM curve
    with pytest.raises(DigitizationError, match="expected at least one stroked step curve"):
        extract_plot(b.page(), find_plot_frames(b.page())[0])


@settings(max_examples=40, deadline=None)
@given(
    drops=st.lists(st.tuples(st.floats(0.05, 1.0), st.floats(0.0, 0.3)), min_size=1, max_size=30),
    x_step=st.sampled_from([3.0, 6.0, 12.0]),
    y0=st.sampled_from([0.0, 0.2, 0.4]),
)
def test_random_step_functions_round_trip_exactly(drops, x_step, y0):
    """Any monotone step function drawn on the panel comes back to within 1e-9 (float rounding)."""
    gaps, falls = np.array(drops).T
    time = np.concatenate(([0.0], np.cumsum(gaps) / np.sum(gaps) * 4 * x_step))
    fall = falls / max(np.sum(falls), 1e-12) * (1.0 - y0) * 0.9
    surv = np.concatenate(([1.0], 1.0 - np.cumsum(fall)))
    # steps below the geometry's resolution (1e-3 page units, ~5e-6 of this panel) are noise by design
    keep = np.concatenate(([True], np.diff(time) > 1e-3 * x_step)) & np.concatenate(([True], np.diff(surv) < -1e-4))
    time, surv = time[keep], surv[keep]
    if time.size < 2:
        return
    b = PageBuilder(np.arange(0, 5) * x_step, np.round(np.arange(y0, 1.0 + 1e-9, 0.2), 10))
    end = 4.5 * x_step  # the curve runs on past its last drop, as KM curves do to the last follow-up
    b.step(np.append(time, end), np.append(surv, surv[-1]), "#1f77b4")
    data = to_data(extract_plot(b.page(), find_plot_frames(b.page())[0]))
    arm = data["arms"][0]
    np.testing.assert_allclose(arm["time"], np.append(time, end), atol=1e-9)
    np.testing.assert_allclose(arm["survival"], np.append(surv, surv[-1]), atol=1e-9)
    assert np.all(np.diff(arm["survival"]) <= 1e-12)


def test_vector_modules_do_not_import_opencv():
    """Reading PDF/SVG geometry must stay light: OpenCV loads only for raster figures and thumbnails."""
    import subprocess
    import sys

    code = ("import sys, reconstruct.vector.pdf, reconstruct.vector.svg, reconstruct.vector.curves, reconstruct.vector.risk_table; "
            "print('cv2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
