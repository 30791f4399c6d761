"""Inputs that made wild figures misfit (issue 12): a curve's tail traded for another arm's line, a label's
box hiding the dashes above it, a drop drawn on the y axis. Synthetic arrays and small matplotlib
renders; pixel coordinates ``(row, col)``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reconstruct import clean_curve, km_at, reconstruct_arm
from reconstruct.digitize import curves
from reconstruct.digitize.arm_split import darkness_map
from reconstruct.digitize.figure import _word_glyphs


def test_trace_keeps_its_tail_rather_than_ride_a_longer_curve_of_another_arm():
    # the arm falls in steps to row 180 and ends at col 200; another arm runs at row 120 to the edge
    weight = np.zeros((200, 500), np.float32)
    weight[100, 0:150] = 1.0
    weight[100:181, 150] = 1.0
    weight[180, 150:200] = 1.0
    weak = np.zeros_like(weight)
    weak[120, 0:500] = 1.0
    path = curves.trace_monotone(weight, weak=weak, half_width=1)
    assert path.stop == 200
    assert np.all(np.abs(path.rows[155:200] - 180) <= 1)
    assert np.all(np.abs(path.rows[:150] - 100) <= 1)


def test_trace_still_bridges_a_stretch_hidden_under_another_arm():
    weight = np.zeros((200, 400), np.float32)
    weight[100, 0:150] = 1.0
    weight[100, 250:400] = 1.0  # the arm again after running under the other one
    weak = np.zeros_like(weight)
    weak[100, 140:260] = 1.0
    path = curves.trace_monotone(weight, weak=weak, half_width=1)
    assert (path.start, path.stop) == (0, 400)
    assert np.all(np.abs(path.rows - 100) <= 1)


def _word_with_dashes_above(gap: int):
    fig = Figure(figsize=(3.0, 1.2), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    ax.set_xlim(0, 300)
    ax.set_ylim(120, 0)
    ax.text(60, 60, "Intensified", va="top", fontsize=12, color="0.3")
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3]).copy()
    glyphs = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) < 150
    top = int(np.flatnonzero(glyphs.any(axis=1))[0])
    for col in range(20, 280, 8):  # a dashed curve's tail just above the word (rms prints labels there)
        rgb[top - gap, col: col + 4] = 77
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    darkness = darkness_map(lab, curves.background_lab(lab), float(lab[..., 0].min()), np.zeros(glyphs.shape, bool))
    return rgb, darkness, glyphs, top - gap


def test_word_glyphs_mask_the_letters_but_not_dashes_above_them():
    rgb, darkness, glyphs, dash_row = _word_with_dashes_above(gap=3)
    mask = _word_glyphs(rgb, darkness)
    assert mask[glyphs].mean() >= 0.95
    assert not mask[dash_row, 20:280].any()


def test_a_drop_drawn_at_time_zero_stays_at_the_start():
    cleaned = clean_curve([0.0, 0.0, 6.0, 12.0], [1.0, 0.9, 0.8, 0.7])
    assert cleaned.time[0] == 0.0 and cleaned.survival[0] == 1.0
    assert 0.0 < cleaned.time[1] <= 0.01 and cleaned.survival[1] == pytest.approx(0.9)
    assert any("drawn at time 0" in note for note in cleaned.notes)
    # the reconstruction keeps the early events early: 3 of 30 patients before t = 0.01, not at t = 6
    rec = reconstruct_arm([0.0, 0.0, 6.0, 12.0], [1.0, 0.9, 0.8, 0.7], at_risk_time=[0.0, 6.0, 12.0], at_risk=[30, 27, 24])
    assert km_at(rec.time, rec.event, np.array([0.01, 3.0])) == pytest.approx([0.9, 0.9], abs=1e-9)


def test_a_curve_starting_at_one_is_not_changed_at_its_start():
    cleaned = clean_curve([0.0, 6.0, 12.0], [1.0, 0.8, 0.7])
    assert cleaned.time.tolist() == [0.0, 6.0, 12.0]
    assert cleaned.notes == ()


def _dashed_tail(label: bool) -> np.ndarray:
    """A level at row 100, a drop at col 200, a dashed last level at row 150; optionally a word's glyphs
    (dense ink) printed just under the old level from col 260 to the right edge, as rms prints labels."""
    weight = np.zeros((200, 400), np.float32)
    weight[100, 0:200] = 1.0
    weight[100:151, 200] = 1.0
    for col in range(200, 330, 8):
        weight[150, col: col + 4] = 1.0
    if label:
        weight[104:117:2, 260:400] = 1.0
    return weight


def test_a_trace_holding_its_level_over_bare_background_to_reach_a_label_reports_the_gap():
    path = curves.trace_monotone(_dashed_tail(label=True), half_width=1)
    # the denser glyphs win the monotone path: it keeps its level over 59 bare columns (201 to 259)
    assert path.bare_gap == 59
    # a dashed line's own gaps are a few columns
    assert curves.trace_monotone(_dashed_tail(label=False), half_width=1).bare_gap <= 4


def test_a_stretch_hidden_under_another_arm_is_no_bare_gap():
    weight = np.zeros((200, 400), np.float32)
    weight[100, 0:150] = 1.0
    weight[100, 250:400] = 1.0
    weak = np.zeros_like(weight)
    weak[100, 140:260] = 1.0
    assert curves.trace_monotone(weight, weak=weak, half_width=1).bare_gap == 0
    assert curves.trace_monotone(weight, half_width=1).bare_gap == 100  # columns 150 to 249


@pytest.mark.parametrize(("own", "weak", "expected"), [
    ([1, 0, 0, 0, 1, 0, 1], None, 3),
    ([1, 0, 0, 0, 1, 0, 1], [0, 0, 1, 0, 0, 0, 0], 1),
    ([1, 1, 1], None, 0),
])
def test_longest_bare_gap_counts_columns_without_own_or_weak_ink(own, weak, expected):
    own = np.asarray(own, np.float32)
    weak = None if weak is None else np.asarray(weak, np.float32)
    assert curves.longest_bare_gap(own, weak, 0, own.size) == expected


def test_a_retrace_keeps_the_legend_labels_of_the_first_tracing_by_unique_colour():
    from reconstruct.digitize.digitized import DigitizedArm
    from reconstruct.digitize.masked_retrace import _keep_labels

    def arm(colour, label):
        return DigitizedArm(label, colour, np.array([0.0, 1.0]), np.array([1.0, 0.5]), np.empty(0), np.empty(0))

    before = [arm("#ff0000", "Control"), arm("#0000ff", "Drug"), arm("#000000", "A"), arm("#000000", "B")]
    after = [arm("#ff0000", None), arm("#0000ff", "Read again"), arm("#000000", None), arm("#00ff00", None)]
    kept = _keep_labels(after, before)
    # red gets its label back; a label read again stays; black was two arms before: no label is guessed
    assert [a.label for a in kept] == ["Control", "Read again", None, None]
