"""Legend keys inside the panel: the next widest stroke of an arm's colour read when the widest names nothing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.curves import TracedPath
from reconstruct.digitize.legend import arm_label, legend_samples, next_key_labels
from reconstruct.errors import InputError


def _path(row: int, width: int = 420) -> TracedPath:
    return TracedPath(rows=np.full(width, row, np.int64), own=np.ones(width), start=0, stop=width, coverage=1.0,
                      half_width=1, flipped=False)


def _drawn(strokes, texts, shape=(220, 420)):
    """A white image with 2 px black ``strokes`` and ``texts`` ``(word, row)`` printed after col 66; its ink map."""
    gray = np.full(shape, 255, np.uint8)
    weight = np.zeros(shape, np.float32)
    for sl in strokes:
        gray[sl] = 0
        weight[sl] = 1.0
    for word, row in texts:
        cv2.putText(gray, word, (66, row + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    return gray, weight


def test_a_wider_stroke_with_no_words_beside_it_gives_way_to_the_key_with_its_label():
    # scan_008: the black arm's ink held a flat stretch of the blue dotted curve (40 px, where that curve has no
    # ink of its own) wider than its legend key (33 px); only the widest stroke was read and named nothing
    gray, weight = _drawn([np.s_[29:31, :], np.s_[79:81, 250:310], np.s_[149:151, 20:60]], [("Observation", 150)],
                          shape=(200, 420))
    path = _path(30)
    assert [s[1:] for s in legend_samples(weight, path.rows, 1)] == [(250, 310), (20, 60)]  # widest first
    assert arm_label(gray, weight, path, False, (0, 0)) is None  # the widest: nothing printed beside it
    assert arm_label(gray, weight, path, False, (0, 0), nth=1) == "Observation"  # before: never read
    # kept when another arm of another ink was named by its key, and no other arm has the text
    assert next_key_labels([None, "Treatment"], [(0, "#000000"), (1, "#1f77b4")],
                           lambda i: arm_label(gray, weight, path, False, (0, 0), nth=1)) == ["Observation",
                                                                                             "Treatment"]


def test_next_key_labels_reads_unnamed_arms_in_path_order_and_keeps_capitalised_names():
    calls = []

    def read(i):
        calls.append(i)
        return {0: "Arm B", 2: "rvation", 3: "Arm D"}[i]

    inks = [(0, "#d62728"), (1, "#1f77b4"), (2, "#2ca02c"), (3, "#ff7f0e")]
    labels = next_key_labels([None, "Arm A", None, None], inks, read)
    assert calls == [0, 2, 3]  # only the unnamed arms, in path order
    assert labels == ["Arm B", "Arm A", None, "Arm D"]  # a word's end ("rvation") names no arm


def test_next_key_labels_reads_nothing_without_a_legend_named_in_the_first_pass():
    # no arm named by its widest stroke: no legend inside the panel to look for (each fruitless read costs OCR)
    calls = []
    labels = next_key_labels([None, None], [(0, "#d62728"), (1, "#1f77b4")], lambda i: calls.append(i) or "Arm A")
    assert (labels, calls) == ([None, None], [])


@pytest.mark.parametrize("inks", [
    [(0, "#636363"), (0, "#636363"), (1, "#d62728")],  # one colour cluster for two arms (scan_010)
    [(0, "#636363"), (1, "#666666"), (2, "#d62728")],  # two clusters of one ink (within extra_curves.SAME_INK)
])
def test_next_key_labels_skips_arms_whose_ink_another_arm_shares(inks):
    calls = []
    labels = next_key_labels([None, "Beta", "Gamma"], inks, lambda i: calls.append(i) or "Alpha")
    assert (labels, calls) == ([None, "Beta", "Gamma"], [])


def test_two_greys_sharing_one_ink_map_get_no_names_swapped():
    # /tmp/rev129/shared.py: arms A (truly "Alpha") and B ("Beta") in one grey share one ink map; its widest stroke
    # is a flat stretch, its next widest B's key "Beta": before, A was named "Beta" and B's own reading was dropped
    # as taken, a swap the labels then pinned. A third arm of a red ink is named by its key, so a legend exists.
    gray, weight = _drawn([np.s_[29:31, :], np.s_[99:101, :], np.s_[59:61, 250:310], np.s_[149:151, 20:60],
                           np.s_[179:181, 20:60]], [("Beta", 150), ("Alpha", 180)])
    paths = [_path(30), _path(100)]

    def read(i, nth=0):
        return arm_label(gray, weight, paths[i], False, (0, 0), [q for q in paths if q is not paths[i]], nth=nth)

    assert [read(0), read(1)] == [None, None]  # the widest stroke of the grey names nothing
    assert read(0, nth=1) == "Beta"  # the hazard: A's next widest stroke is B's key
    inks = [(0, "#636363"), (0, "#636363"), (1, "#d62728")]
    assert next_key_labels([None, None, "Gamma"], inks, lambda i: read(i, nth=1)) == [None, None, "Gamma"]


def test_next_key_labels_clears_both_arms_when_the_next_widest_reads_another_arms_label():
    # one text for two arms: trust neither (before: the second was filtered out, the first kept the text)
    labels = next_key_labels(["Maintenance", None], [(0, "#000000"), (1, "#1f77b4")], lambda i: "maintenance")
    assert labels == [None, None]


@pytest.mark.parametrize("text", ["254 191 150 118", "12", "rvation", "fenib"])
def test_next_key_labels_needs_a_capital_or_digit_first_and_a_letter(text):
    # "254 191 150 118": a row of the at-risk table (rms_002 of the seed-7071 set) beside a stroke
    labels = next_key_labels([None, "Arm A"], [(0, "#000000"), (1, "#1f77b4")], lambda i: text)
    assert labels == [None, "Arm A"]


def test_next_key_labels_keeps_a_name_starting_with_a_digit():
    assert next_key_labels([None, "Arm A"], [(0, "#000000"), (1, "#1f77b4")], lambda i: "5-FU") == ["5-FU", "Arm A"]


def test_next_key_labels_wants_one_ink_per_label():
    with pytest.raises(InputError, match="expected one ink per label"):
        next_key_labels([None, "Arm A"], [(0, "#000000")], lambda i: None)
