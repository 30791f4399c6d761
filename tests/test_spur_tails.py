"""A trace that runs on past its curve's end (trace_check.bare_drop): an undrawn drop onto a short tail, or onto
another arm's line of the same colour, is cut there (survminer_default_004, scan_004 of dev set 8081)."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from reconstruct.digitize.trace_check import INK_DELTA, bare_drop


def _lab_drawn(rgb):
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    return lab, np.linalg.norm(lab - lab[0, 0], axis=-1) > INK_DELTA


def _red_drop_onto_short_tail(band: bool):
    """120 x 200 panel; a red level at row 20 to col 185 and a red tail at row 70 from col 185 (14 px, under 10% of
    the panel), nothing drawn down col 185; with ``band``, a pink band's fill over rows 20-100, cols 40-190.
    Returns the bare_drop of the trace that drops at col 185 to the tail."""
    rgb = np.full((120, 200, 3), 255, np.uint8)
    if band:
        rgb[20:100, 40:190] = (240, 170, 170)
    rgb[19:22, :186] = (200, 20, 20)
    rgb[69:72, 185:] = (200, 20, 20)
    lab, drawn = _lab_drawn(rgb)
    cols, rows = np.array([0.0, 185.0, 199.0]), np.array([20.0, 70.0, 70.0])
    return cols, rows, drawn, bare_drop(cols, rows, drawn, 1, lab=lab)


def test_a_drop_through_band_fill_onto_a_short_tail_is_cut():
    cols, rows, drawn, (kept, kept_rows, height, _, cut) = _red_drop_onto_short_tail(band=True)
    assert kept[-1] == pytest.approx(185.0)
    assert kept_rows[-1] == pytest.approx(20.0)
    assert height == 0.0  # cut, so no bare drop left in what is kept
    # cut for no stroke under it (not for a bare drop): reported even before a short tail, the reading stays flagged
    # (on a real final drop misjudged as unstroked the KM would end too high)
    assert cut == pytest.approx(185.0)
    # without the panel's colours the fill hides the drop (ink under it): kept as it was
    assert bare_drop(cols, rows, drawn, 1)[0][-1] == pytest.approx(199.0)


def _grey_pair():
    """Two grey arms: one at row 20 to col 60, the other at row 70 all across; nothing drawn down col 60."""
    rgb = np.full((120, 200, 3), 255, np.uint8)
    rgb[19:22, :61] = (90, 90, 90)
    rgb[69:72, :] = (90, 90, 90)
    return _lab_drawn(rgb)


def test_a_bare_drop_onto_another_arms_line_of_the_same_colour_is_cut():
    lab, drawn = _grey_pair()
    cols, rows = np.array([0.0, 60.0, 199.0]), np.array([20.0, 70.0, 70.0])
    own = np.ones(200)  # same colour: the tail's ink counts as the arm's own
    other = SimpleNamespace(rows=np.full(200, 70, np.int64), start=0, stop=200)  # a TracedPath's fields used
    kept, kept_rows, height, _, cut = bare_drop(cols, rows, drawn, 1, own, lab=lab, others=[other])
    assert kept[-1] == pytest.approx(60.0)
    assert kept_rows[-1] == pytest.approx(20.0)
    assert height == 0.0
    assert cut == pytest.approx(60.0)


def test_a_bare_drop_onto_a_line_no_other_arm_follows_stays_and_is_reported():
    lab, drawn = _grey_pair()
    cols, rows = np.array([0.0, 60.0, 199.0]), np.array([20.0, 70.0, 70.0])
    for others in (None, [SimpleNamespace(rows=np.full(200, 20, np.int64), start=0, stop=200)],
                   [SimpleNamespace(rows=np.full(200, 70, np.int64), start=0, stop=60)]):  # ends where the drop is
        kept, _, height, where, _ = bare_drop(cols, rows, drawn, 1, np.ones(200), lab=lab, others=others)
        assert kept[-1] == pytest.approx(199.0)
        assert height == pytest.approx(50.0)
        assert where == 60.0


def test_a_short_bare_spur_is_still_cut_unsaid():
    # no band: the drop at col 185 is bare, onto a 14 px tail (a jump onto numbers)
    _, _, _, (kept, _, height, _, cut) = _red_drop_onto_short_tail(band=False)
    assert kept[-1] == pytest.approx(185.0)
    assert height == 0.0
    assert np.isnan(cut)
