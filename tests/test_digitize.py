"""The digitizer: image loading, panel and ticks, calibration, tracing, censor marks, results.

Synthetic images built in code give exact pixel-level checks; generated figures
(:mod:`kmrecon.synthetic_figures`, seeded) give data-level checks against the true KM.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconstruct.digitize.axes import AxisCalibration, find_panel, regular_ticks
from reconstruct.digitize.digitized import DigitizedFigure
from reconstruct.digitize.figure import digitize_figure, digitize_image
from kmrecon.synthetic_figures import curve_mae, generate_figure
from reconstruct.digitize.image import decode_image, estimate_skew_deg, load_image
from reconstruct.errors import CalibrationError, DigitizationError, DigitizationWarning, ImageError, InputError

SEED = 20240101

# ----------------------------------------------------------------------------- synthetic figure


def synthetic_km(*, drops=((60, 40), (130, 90), (200, 150)), with_ticks: bool = True) -> np.ndarray:
    """A 240 x 320 white image: black axes (row 200, col 30), 5 x ticks every 60 px from col 30,
    6 y ticks every 36 px from row 200 up, and a 2-px red step curve starting at row 20.

    ``drops`` are (column, new_row) pairs: the curve drops at that column to that row.
    """
    image = np.full((240, 320, 3), 255, np.uint8)
    image[200:202, 30:300] = 0  # x axis, rows 200-201
    image[10:202, 28:30] = 0  # y axis, cols 28-29
    if with_ticks:
        for col in range(30, 300, 60):
            image[202:207, col] = 0
        for row in range(200, 10, -36):
            image[row, 23:28] = 0
    level, start = 20, 31
    for col, row in list(drops) + [(290, None)]:
        image[level: level + 2, start:col + 1] = (220, 0, 0)
        if row is not None:
            image[level: row + 2, col: col + 2] = (220, 0, 0)
            level, start = row, col
    return image


def test_synthetic_figure_gives_exact_steps():
    # x ticks at cols 30, 90, ..., 270 carry 0..20 (5 per 60 px); y ticks at rows 200, 164, ... carry 0..1.
    result = digitize_image(synthetic_km(), x_range=(0, 20), y_range=(0, 1))
    (arm,) = result.arms
    # the drop strokes occupy cols c..c+1, so the drop is at c + 0.5 -> time (c + 0.5 - 30) / 12
    expected_time = (np.array([60, 130, 200]) + 0.5 - 30) / 12.0
    np.testing.assert_allclose(arm.time[1:-1], expected_time, atol=0.5 / 12)  # half a pixel
    # line centre rows 40.5, 90.5, 150.5 (2-px lines) -> survival (200 - row) / 180
    expected_surv = (200 - np.array([40.5, 90.5, 150.5])) / 180.0
    np.testing.assert_allclose(arm.survival[1:-1], expected_surv, atol=0.5 / 180)
    assert arm.time[0] == 0.0
    assert arm.survival[0] == pytest.approx((200 - 20.5) / 180.0, abs=0.5 / 180)
    assert result.curve_kind == "survival"
    assert result.x_calibration.source == "hint"


def test_synthetic_figure_calibration_ticks_found_exactly():
    panel = find_panel(synthetic_km())
    np.testing.assert_allclose(panel.x_tick_cols, [30, 90, 150, 210, 270])
    np.testing.assert_allclose(panel.y_tick_rows, [200, 164, 128, 92, 56, 20])
    assert (panel.col0, panel.row1) == (30, 200)  # inside the y-axis line (cols 28-29), above the x axis


def test_without_ticks_calibration_error():
    with pytest.raises(CalibrationError, match="tick marks"):
        digitize_image(synthetic_km(with_ticks=False), x_range=(0, 20), y_range=(0, 1))


def test_empty_panel_is_a_digitization_error():
    image = synthetic_km()
    image[12:199, 31:300] = 255
    with pytest.raises(DigitizationError, match="at least one curve"):
        digitize_image(image, x_range=(0, 20), y_range=(0, 1))


@pytest.mark.parametrize("bad", [(5, 1), (0, np.nan), (0, 1, 2)])
def test_bad_range_hint_is_an_input_error(bad):
    with pytest.raises(InputError, match="two finite tick values"):
        digitize_image(synthetic_km(), x_range=bad, y_range=(0, 1))


def test_missing_y_labels_assume_unit_range_with_warning():
    # the synthetic image has no tick labels, so OCR reads nothing on y
    with pytest.warns(DigitizationWarning, match="assumed the y ticks run from 0 to 1"):
        result = digitize_image(synthetic_km(), x_range=(0, 20))
    assert result.y_calibration.source == "assumed"
    assert result.warnings
    assert "assumed" in result.warnings[0]


def test_missing_x_labels_without_hint_is_a_calibration_error():
    with pytest.raises(CalibrationError, match="pass --x-range"):
        digitize_image(synthetic_km(), y_range=(0, 1))


# ----------------------------------------------------------------------------- calibration


def test_axis_calibration_from_ticks_is_exact_for_linear_ticks():
    cal = AxisCalibration.from_ticks([100, 200, 300], [0, 12, 24], axis="x")
    assert cal.slope == pytest.approx(0.12, rel=1e-12)
    assert cal.intercept == pytest.approx(-12.0, rel=1e-12)
    assert cal.residual_px == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(cal.to_value([150.0]), [6.0], rtol=1e-12)


@pytest.mark.parametrize(("px", "values"), [([100], [0]), ([100, 100], [0, 1]), ([100, 200], [1, 1])])
def test_axis_calibration_needs_two_distinct_ticks(px, values):
    with pytest.raises(CalibrationError, match="at least two x ticks"):
        AxisCalibration.from_ticks(px, values, axis="x")


@settings(max_examples=50, deadline=None)
@given(
    first=st.floats(0, 500), step=st.floats(5, 200), n=st.integers(2, 12),
    v0=st.floats(-100, 100), dv=st.floats(0.01, 50), probe=st.floats(-1000, 1000),
)
def test_axis_calibration_round_trip(first, step, n, v0, dv, probe):
    px = first + step * np.arange(n)
    cal = AxisCalibration.from_ticks(px, v0 + dv * np.arange(n), axis="y")
    assert float(cal.to_px(cal.to_value(probe))) == pytest.approx(probe, abs=1e-6 * (1 + abs(probe)))


def test_regular_ticks_keeps_the_evenly_spaced_run():
    found = regular_ticks([10, 50, 90, 95, 130, 170, 171.5 + 40])
    np.testing.assert_allclose(found, [10, 50, 90, 130, 170, 211.5])


# ----------------------------------------------------------------------------- images


def test_load_image_errors(tmp_path):
    with pytest.raises(ImageError, match="missing path"):
        load_image(tmp_path / "none.png")
    (tmp_path / "figure.gif").write_bytes(b"GIF89a")
    with pytest.raises(ImageError, match="ending in one of"):
        load_image(tmp_path / "figure.gif")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    with pytest.raises(ImageError, match="cannot decode"):
        load_image(tmp_path / "broken.png")


def test_pixel_limit_refuses_large_images(monkeypatch, tmp_path):
    from reconstruct.limits import LimitError

    fig = generate_figure("basic", SEED)
    path = tmp_path / "figure.png"
    path.write_bytes(fig.image_bytes)
    monkeypatch.setenv("KMRECON_MAX_IMAGE_PIXELS", "1000")
    with pytest.raises(LimitError, match=r"at most 1,000 pixels .*limit image_pixels.*KMRECON_MAX_IMAGE_PIXELS=N"):
        load_image(path)


def test_greyscale_and_alpha_images_decode_to_rgb():
    import cv2

    gray = np.full((60, 80), 200, np.uint8)
    ok, png = cv2.imencode(".png", gray)
    rgb = decode_image(png.tobytes())
    assert rgb.shape == (60, 80, 3)
    assert rgb.dtype == np.uint8
    assert np.all(rgb == 200)
    rgba = np.zeros((60, 80, 4), np.uint8)  # fully transparent -> white page
    ok, png = cv2.imencode(".png", rgba)
    assert np.all(decode_image(png.tobytes()) == 255)


def test_skew_is_estimated_within_a_tenth_of_a_degree():
    fig = generate_figure("rotated", SEED)
    import cv2

    gray = cv2.cvtColor(decode_image(fig.image_bytes), cv2.COLOR_RGB2GRAY)
    assert estimate_skew_deg(gray) == pytest.approx(fig.truth.rotation_deg, abs=0.1)


@pytest.mark.parametrize(
    ("shape", "angle"), [((241, 321), 1.1), ((241, 321), -0.6), ((240, 320), 1.1), ((241, 321), 0.0)]
)
def test_skew_of_odd_sized_images_is_found(shape, angle):
    # a framed panel with a grid, turned by ``angle``; odd sizes once read every small skew as none
    import cv2

    image = np.full((*shape, 3), 255, np.uint8)
    image[20:200, 40:42] = 0
    image[198:200, 40:290] = 0
    for row in range(40, 200, 40):
        image[row, 42:290] = 120
    image[60:62, 42:150] = (200, 0, 0)
    image[60:150, 150:152] = (200, 0, 0)
    image[148:150, 150:280] = (200, 0, 0)
    matrix = cv2.getRotationMatrix2D((shape[1] / 2.0, shape[0] / 2.0), angle, 1.0)
    turned = cv2.warpAffine(image, matrix, (shape[1], shape[0]), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
    gray = cv2.cvtColor(turned, cv2.COLOR_RGB2GRAY)
    assert estimate_skew_deg(gray) == pytest.approx(angle, abs=0.1)


# ----------------------------------------------------------------------------- generated figures


def _check_step_points(arm):
    assert np.all(np.diff(arm.time) >= 0)
    assert np.all(np.diff(arm.survival) <= 0)
    assert np.all((arm.survival >= 0) & (arm.survival <= 1))
    assert arm.time[0] == 0.0
    assert not arm.time.flags.writeable
    assert not arm.survival.flags.writeable


# one figure for each situation the digitizer must handle (issue 3)
HANDLED_STYLES = [
    "basic", "one_arm", "four_arms", "black_grey", "dashed", "overlap", "censor_bar", "censor_other",
    "ci_ribbon", "ci_dashed", "percent", "y_from_0.4", "ticks_3", "ticks_12", "risk_table", "annotated",
    "grid", "ggplot", "jpeg", "low_res", "rotated", "cumulative", "journal",
]


@pytest.mark.parametrize("style", HANDLED_STYLES)
def test_generated_figures_digitize_within_bar(style):
    fig = generate_figure(style, SEED)
    truth = fig.truth
    result = digitize_image(decode_image(fig.image_bytes), x_range=truth.x_range, y_range=truth.y_range)
    assert len(result.arms) == len(truth.arms)
    assert result.curve_kind == ("cumulative_incidence" if truth.cumulative else "survival")
    for true_arm in truth.arms:
        # every true arm has a traced arm within the bar (MAE <= 0.01 survival units)
        best = min(curve_mae(true_arm, a.time, a.survival, t_max=truth.x_limits[1]) for a in result.arms)
        assert best <= 0.01
    for arm in result.arms:
        _check_step_points(arm)


def test_censor_marks_are_found_on_the_curve():
    fig = generate_figure("basic", SEED)
    truth = fig.truth
    result = digitize_image(decode_image(fig.image_bytes), x_range=truth.x_range, y_range=truth.y_range)
    span = truth.x_limits[1]
    recalled = total = 0
    for true_arm in truth.arms:
        arm = min(result.arms, key=lambda a: curve_mae(true_arm, a.time, a.survival, t_max=span))
        near = (np.abs(true_arm.censor_time[:, None] - arm.censor_time[None, :]) <= 0.015 * span) & (
            np.abs(true_arm.censor_survival[:, None] - arm.censor_survival[None, :]) <= 0.03
        )
        recalled += int(near.any(axis=1).sum())
        total += true_arm.censor_time.size
        # marks lie on the traced curve: their survival is the curve's value at their time
        index = np.searchsorted(arm.time, arm.censor_time, side="right") - 1
        np.testing.assert_allclose(arm.censor_survival, arm.survival[index])
    assert recalled / total >= 0.9


def test_legend_labels_are_read_for_each_arm():
    fig = generate_figure("three_arms", SEED)
    truth = fig.truth
    result = digitize_image(decode_image(fig.image_bytes), x_range=truth.x_range, y_range=truth.y_range)
    for true_arm in truth.arms:
        arm = min(result.arms, key=lambda a: curve_mae(true_arm, a.time, a.survival, t_max=truth.x_limits[1]))
        assert arm.label == true_arm.label
    assert result.curves_frame()["arm"].unique().tolist() == [a.label for a in result.arms]


def test_n_arms_limits_the_arms_reported():
    fig = generate_figure("three_arms", SEED)
    with pytest.warns(DigitizationWarning, match="kept the first 2 of the 3 curves found"):  # three distinct curves
        result = digitize_image(decode_image(fig.image_bytes), x_range=fig.truth.x_range, y_range=fig.truth.y_range,
                                n_arms=2)
    assert len(result.arms) == 2


def test_digitize_figure_result_contract(tmp_path):
    fig = generate_figure("basic", SEED)
    path = tmp_path / f"figure{fig.suffix}"
    path.write_bytes(fig.image_bytes)
    result = digitize_figure(path, x_range=fig.truth.x_range, y_range=fig.truth.y_range)
    assert isinstance(result, DigitizedFigure)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.curve_kind = "x"  # type: ignore[misc]
    record = result.to_dict()
    json.dumps(record)  # plain JSON types only
    assert record["provenance"]["inputs"]["figure"]["sha256"] == load_image(path).sha256
    assert list(result.curves_frame().columns) == ["arm", "time", "survival"]
    assert list(result.censor_marks_frame().columns) == ["arm", "time", "survival"]
    assert repr(result.arms[0])
    # to_pixels maps the calibration ticks back onto their pixel positions
    rows, cols = result.to_pixels(result.x_calibration.values, np.ones(result.x_calibration.values.size))
    np.testing.assert_allclose(cols, result.x_calibration.px_positions, atol=0.5)


def test_figures_package_does_not_import_cv2():
    code = "import sys, figures, figures.overlay; sys.exit('cv2' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_overlay_draws_every_arm_and_its_marks():
    from figures.overlay import overlay_png, plot_digitization_overlay

    fig = generate_figure("basic", SEED)
    image = decode_image(fig.image_bytes)
    result = digitize_image(image, x_range=fig.truth.x_range, y_range=fig.truth.y_range)
    ax = plot_digitization_overlay(result, image)
    gids = {line.get_gid() for line in ax.lines}
    assert {"arm1", "arm2", "censor1", "censor2", "x-calibration", "y-calibration"} <= gids
    assert overlay_png(result, image)[:8] == b"\x89PNG\r\n\x1a\n"


def test_overlay_writes_the_table_cells_read_filled_and_missing():
    from figures.overlay import plot_digitization_overlay
    from reconstruct.arm_matching import RiskRowInfo
    from kmrecon.run_table import _table_cells

    fig = generate_figure("basic", SEED)
    image = decode_image(fig.image_bytes)
    result = digitize_image(image, x_range=fig.truth.x_range, y_range=fig.truth.y_range)
    read = [RiskRowInfo("A", None, np.array([0.0, 6, 12]), np.array([50, 40, 30]), row_px=300.0),
            RiskRowInfo("B", None, np.array([6.0, 18]), np.array([45, 20]), row_px=320.0)]
    used = [read[0], RiskRowInfo("B", None, np.array([0.0, 6, 18]), np.array([60, 45, 20]), row_px=320.0)]
    cells = _table_cells(read, used, ["A", "B"])
    assert [(c.arm, c.time, c.n_risk, c.state) for c in cells] == [
        ("A", 0.0, 50, "read"), ("A", 6.0, 40, "read"), ("A", 12.0, 30, "read"),
        ("B", 0.0, 60, "filled"), ("B", 6.0, 45, "read"), ("B", 12.0, None, "missing"), ("B", 18.0, 20, "read")]
    ax = plot_digitization_overlay(result, image, table_cells=cells, arm_names=["A", "B"])
    texts = {(t.get_gid(), t.get_text()) for t in ax.texts}
    assert {("cell-read", "50"), ("cell-filled", "(60)"), ("cell-missing", "?")} <= texts
    assert len(ax.texts) == len(cells)
