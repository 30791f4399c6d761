"""The seeded KM figure generator: determinism, truth consistency, every style renders."""

from __future__ import annotations

import numpy as np
import pytest

from kmrecon.synthetic_figures import (
    STYLES,
    ArmTruth,
    curve_mae,
    generate_corpus,
    generate_figure,
    step_value,
)
from reconstruct.digitize.image import decode_image
from reconstruct.simulate import km_step_points

SEED = 20240101


def test_same_seed_same_figure_other_seed_other_figure():
    first = generate_figure("basic", SEED)
    again = generate_figure("basic", SEED)
    other = generate_figure("basic", SEED + 1)
    assert first.image_bytes == again.image_bytes
    assert first.image_bytes != other.image_bytes
    np.testing.assert_array_equal(first.truth.arms[0].time, again.truth.arms[0].time)


def test_truth_km_is_the_km_of_the_truth_ipd():
    truth = generate_figure("three_arms", SEED).truth
    assert len(truth.arms) == 3
    for arm in truth.arms:
        st, ss = km_step_points(arm.time, arm.event)
        np.testing.assert_array_equal(arm.step_time, st)
        np.testing.assert_array_equal(arm.step_survival, ss)
        assert np.all(np.diff(arm.step_survival) <= 0)
        # censor marks sit on the curve at the censored patients' times
        censored = np.unique(arm.time[arm.event == 0])
        np.testing.assert_array_equal(arm.censor_time, censored)
        np.testing.assert_array_equal(arm.censor_survival, step_value(st, ss, censored))


@pytest.mark.parametrize("name", list(STYLES))
def test_every_style_renders(name):
    fig = generate_figure(name, SEED)
    style = STYLES[name]
    image = decode_image(fig.image_bytes)
    assert image.shape[1] == style.width_px
    assert fig.suffix == (".jpg" if style.jpeg_quality else ".png")
    truth = fig.truth
    assert len(truth.arms) == style.n_arms
    assert truth.cumulative == style.cumulative
    assert truth.y_range == ((style.y_min * 100 if style.percent else style.y_min), 100.0 if style.percent else 1.0)
    assert truth.x_range[0] == 0.0
    assert truth.x_range[1] >= max(a.time.max() for a in truth.arms)
    assert (truth.rotation_deg != 0.0) == (style.rotation_deg != 0.0)
    assert len(truth.x_tick_cols) >= 2
    assert np.all(np.diff(truth.x_tick_cols) > 0)


def test_tick_spacing_follows_the_style():
    for name, every in (("ticks_3", 3.0), ("ticks_12", 12.0)):
        truth = generate_figure(name, SEED).truth
        n_ticks = len(truth.x_tick_cols)
        assert (truth.x_range[1] - truth.x_range[0]) / (n_ticks - 1) == pytest.approx(every)


def test_overlap_style_shares_the_early_data():
    truth = generate_figure("overlap", SEED).truth
    a, b = truth.arms
    early = np.linspace(0, np.quantile(a.time, 0.3) * 0.99, 50)
    np.testing.assert_array_equal(step_value(a.step_time, a.step_survival, early),
                                  step_value(b.step_time, b.step_survival, early))


def test_corpus_yields_every_style():
    names = [fig.truth.style.name for fig in generate_corpus(1, styles=("basic", "ggplot"))]
    assert names == ["basic", "ggplot"]


def test_curve_mae_known_values():
    empty = np.empty(0)
    truth = ArmTruth("a", "#000000", "-", empty, empty, np.array([0.0, 5.0, 10.0]), np.array([1.0, 0.5, 0.5]),
                     empty, empty)
    assert curve_mae(truth, truth.step_time, truth.step_survival, t_max=10.0) == 0.0
    # drop placed 1 time unit late: error 0.5 over a tenth of the range
    late = curve_mae(truth, np.array([0.0, 6.0, 10.0]), np.array([1.0, 0.5, 0.5]), t_max=10.0)
    assert late == pytest.approx(0.05, abs=0.5 / 2000 * 2)
