"""Axis calibration of pale, blurred scans and of traces with a lead-in before time 0 (issue 12).

Synthetic stand-ins for wild figures that stopped at the calibration: a scan printed in grey on tinted
paper whose skew went unseen (scan_012), x labels that blur joins to their tick marks, tick marks found
on part of the axis only, and a survminer_minimal trace that took in the y tick mark at 100%.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.figure import _without_flat_lead_in
from reconstruct.digitize.image import estimate_skew_deg, rotate_image
from reconstruct.digitize.ocr import read_tick_labels
from reconstruct.digitize.panel_labels import fill_from_labels, gapped

INK, PAPER = 150, 226  # grey print on tinted paper: no pixel is darker than 128


def _pale_scan(angle: float) -> np.ndarray:
    rgb = np.full((300, 320, 3), PAPER, np.uint8)
    cv2.rectangle(rgb, (50, 30), (300, 250), (INK, INK, INK), 1)
    t = np.linspace(0.0, 1.0, 40)
    corners = np.c_[50 + 250 * t, 30 + 220 * (1 - np.exp(-2 * t))].astype(np.int32)
    for (c0, r0), (c1, r1) in zip(corners[:-1], corners[1:], strict=True):
        cv2.line(rgb, (int(c0), int(r0)), (int(c1), int(r0)), (INK, INK, INK), 1)
        cv2.line(rgb, (int(c1), int(r0)), (int(c1), int(r1)), (INK, INK, INK), 1)
    rgb = cv2.GaussianBlur(rotate_image(rgb, angle), (0, 0), 0.8)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


@pytest.mark.parametrize("angle", [1.5, -1.2, 0.0])
def test_the_skew_of_a_pale_scan_is_found(angle):
    gray = _pale_scan(angle)
    assert int((gray < 128).sum()) == 0
    assert estimate_skew_deg(gray) == pytest.approx(angle, abs=0.15)


def test_x_labels_blurred_onto_their_tick_marks_are_read():
    gray = np.full((90, 420), 228, np.uint8)
    cv2.line(gray, (30, 30), (400, 30), 140, 1)
    ticks = np.arange(50, 400, 50).astype(float)
    for k, col in enumerate(ticks):
        cv2.line(gray, (int(col), 31), (int(col), 35), 140, 1)
        (width, height), _ = cv2.getTextSize(str(3 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
        cv2.putText(gray, str(3 * k), (int(col - width / 2), 33 + height), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 140, 1,
                    cv2.LINE_AA)  # the label's top overlaps the end of its tick mark
    gray = cv2.GaussianBlur(gray, (0, 0), 0.9)
    read = read_tick_labels(gray, "x", ticks, axis_px=30.5)
    assert len(read) >= 4
    assert all(value == 3 * int(np.flatnonzero(ticks == col)[0]) for col, value in read)


def test_tick_marks_on_part_of_the_axis_are_completed_by_labels_beside_them():
    marks = np.array([204.1, 236.6, 270.0, 302.7])  # the left half faded on the scan
    labels = np.array([70.0, 103.5, 135.5, 169.0, 202.5, 235.5, 268.0, 300.5])  # centres 1-2 px left of the marks
    assert gapped(marks, 250.0)
    assert not gapped(marks, 150.0)
    filled = fill_from_labels(marks, labels)
    assert filled.size == 8
    np.testing.assert_allclose(filled[4:], marks)
    np.testing.assert_allclose(np.diff(filled), 33.0, atol=1.5)
    assert fill_from_labels(marks, labels + 8.0) is marks  # labels off the marks by a quarter step: not theirs


def test_a_flat_lead_in_before_time_zero_is_moved_to_zero():
    time = np.array([-3.26, 0.0, 1.09, 2.3])
    moved = _without_flat_lead_in(time, np.array([1.0, 0.989, 0.972, 0.95]), 0.003)
    np.testing.assert_array_equal(moved, [0.0, 0.0, 1.09, 2.3])
    early = np.array([-3.26, -1.5, 1.09, 2.3])  # the lead-in falls before 0: left for the start check to refuse
    falls = np.array([1.0, 0.9, 0.88, 0.85])
    np.testing.assert_array_equal(_without_flat_lead_in(early, falls, 0.003), early)


def test_a_long_tick_joined_to_its_label_is_not_cut_inside_the_tick():
    from reconstruct.digitize.label_boxes import _below_stub

    band = np.full((30, 20), 228, np.uint8)
    band[0:12, 9:11] = 60          # a long tick mark, thin beyond the top third of the component
    band[12:24, 4:16] = 60         # the label's ink under it
    comp = np.array([0, 4, 24, 16], dtype=np.int64)
    np.testing.assert_array_equal(_below_stub(band, comp), comp)  # no neck found: the component as it is
    band[4:12, 4:16] = 60          # a short stub (rows 0-3) on a label from row 4: cut below its neck
    assert _below_stub(band, comp)[0] == 4
