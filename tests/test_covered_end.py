"""A curve running on under an opaque legend box drawn over the panel (survminer_default_004 of the wild
set): the digitizer sees the box's straight edge cut the other arms' bands where the trace ends, the
quality gate reads the arm up to there instead of calling it short, and the reading is flagged.
Synthetic panels drawn with NumPy; pixels ``(row, col)``."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from reconstruct.digitize.covered_end import covered_end
from reconstruct.draw_noise import reading_flags
from reconstruct.quality import score_arm

BG = np.array([255.0, 255.0, 255.0])
ORANGE, BLUE = (214, 136, 57), (53, 119, 167)


def _tint(rgb, alpha):
    return np.round(BG + alpha * (np.asarray(rgb, float) - BG)).astype(np.uint8)


def _panel(*, box: bool, blue_ends: int = 300):
    """An orange curve at row 60 with its band (rows 45-75) up to col 200 under a box or ending there,
    and a blue curve at row 90 with its band (rows 50-110) on to ``blue_ends``.

    With ``box`` an opaque background box (rows 10-100, cols 200-290) is drawn over both, holding a
    legend key; the blue band and line come out below it."""
    img = np.full((160, 300, 3), 255, np.uint8)
    img[50:110, 10:blue_ends] = _tint(BLUE, 0.3)
    img[45:75, 10:200 if not box else 280] = _tint(ORANGE, 0.3)
    img[50:75, 10:200 if not box else 280] = (img[50:75, 10:200 if not box else 280].astype(float) * 0.8).astype(np.uint8)
    img[59:62, 10:200 if not box else 280] = ORANGE
    img[89:92, 10:blue_ends] = BLUE
    if box:
        img[10:100, 200:290] = 255
        img[40:43, 210:230] = ORANGE  # the legend key
    drawn = np.linalg.norm(img.astype(float) - BG, axis=2) > 25.0
    return img, drawn


def test_a_curve_under_an_opaque_box_is_covered():
    img, drawn = _panel(box=True)
    assert covered_end(199, 60, drawn, img, ORANGE, BG, 1)


def test_a_curve_ending_with_its_own_band_is_not_covered():
    img, drawn = _panel(box=False)  # the blue band goes on past the orange curve's end
    assert not covered_end(199, 60, drawn, img, ORANGE, BG, 1)


def test_a_curve_ending_at_the_panel_edge_or_on_more_ink_is_not_covered():
    img, drawn = _panel(box=True)
    assert not covered_end(299, 90, drawn, img, BLUE, BG, 1)  # the blue curve runs to the panel's edge
    assert not covered_end(150, 60, drawn, img, ORANGE, BG, 1)  # ink goes on beyond: no edge


def _short_arm(**kw):
    t = np.array([0.0, 5.0, 10.0, 20.0])
    s = np.array([1.0, 0.8, 0.6, 0.6])
    rec_time = np.array([5.0, 5.0, 10.0, 10.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0])
    rec_event = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    table_t, table_n = np.array([0.0, 10.0, 20.0, 30.0]), np.array([10, 8, 6, 3])
    return score_arm("A", t, s, rec_time, rec_event, precision=0.001, table_time=table_t, n_risk=table_n, **kw)


def test_the_gate_reads_a_covered_curve_up_to_the_box_and_the_reading_is_flagged():
    short = _short_arm()
    assert short.misfit and short.covered_from is None  # ends at 20, the table has patients at 30
    covered = _short_arm(covered_end=True)
    assert not covered.misfit
    assert covered.covered_from == pytest.approx(20.0)
    assert covered.to_dict()["covered_from"] == pytest.approx(20.0)
    arm = SimpleNamespace(quality={"hidden_share": 0.0})
    flags = reading_flags(SimpleNamespace(arms=[arm]), ["A"], [covered])
    assert "its trace ends at t=20 on a straight edge" in flags["A"]
    assert reading_flags(SimpleNamespace(arms=[arm]), ["A"], [_short_arm(covered_end=False)]).get("A", "").find(
        "box") < 0


def test_an_end_outside_the_crop_is_not_covered():
    img, drawn = _panel(box=True)
    assert not covered_end(199, 160, drawn, img, ORANGE, BG, 1)  # a last drop to the axis below the crop
