"""A re-tracing for the table's rows that kept only some curves is taken only when the ones left out are no arm.

Curves are built as step corners (time, survival) on a 0-18 month axis; survival per pixel 0.004 (a 250 px
tall panel). No image, corpus or R needed.
"""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest

from kmrecon import run as run_module
from reconstruct.digitize.digitized import DigitizedArm
from reconstruct.digitize.path_pruning import TRUNCATED_NOTE
from reconstruct.errors import DigitizationWarning
from reconstruct.extra_curves import explain_dropped

SPAN = 18.0


def _arm(time, survival, colour="#1f77b4") -> DigitizedArm:
    return DigitizedArm(label=None, colour=colour, time=np.asarray(time, float), survival=np.asarray(survival, float),
                        censor_time=np.empty(0), censor_survival=np.empty(0), quality={"survival_per_px": 0.004})


def _km(drops, start=1.0, step=0.05, colour="#1f77b4", end=18.0) -> DigitizedArm:
    time = [0.0, *drops, end]
    survival = [start, *(start - step * (k + 1) for k in range(len(drops)))]
    return _arm(time, [*survival, survival[-1]], colour)


BLUE = _km([1.5, 3.0, 4.5, 7.0, 9.0, 12.0], colour="#1f77b4")
YELLOW = _km([1.0, 2.5, 5.0, 8.0, 11.0, 14.0, 16.0], step=0.08, colour="#ecc421")
GREY = _km([2.0, 6.0, 10.0], step=0.15, colour="#8d8f8e", end=16.0)


def test_a_second_trace_of_a_line_riding_its_censor_marks_is_explained():
    # the yellow line traced again 3 px (0.012 survival at 0.004 per px: a censor mark's top) above itself
    twin = _arm(YELLOW.time[:-1], np.minimum(YELLOW.survival[:-1] + 0.012, 1.0), "#e9c01f")
    why = explain_dropped([BLUE, YELLOW, twin, GREY], [BLUE, YELLOW, GREY], span=SPAN)
    assert why is not None
    assert len(why) == 1
    assert "second trace of kept curve 2" in why[0]


def test_a_flat_legend_key_starting_late_is_explained():
    key = _arm([11.5, 17.8], [0.837, 0.831], "#242524")
    why = explain_dropped([key, BLUE, YELLOW, GREY], [BLUE, YELLOW, GREY], span=SPAN)
    assert why is not None
    assert "flat piece from t=11.5" in why[0]


def test_a_real_arm_left_out_is_never_explained():
    # a fourth arm of its own colour, or one of the same ink running 0.05 (12 px) away: an arm, not a copy
    green = _km([3.5, 6.5, 13.0], step=0.1, colour="#2ca02c")
    assert explain_dropped([BLUE, YELLOW, green, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None
    near = _arm(YELLOW.time, np.clip(YELLOW.survival - 0.05, 0, 1), "#ecc421")
    assert explain_dropped([BLUE, YELLOW, near, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None


def test_a_late_piece_that_falls_is_never_taken_for_a_legend_key():
    tail = _arm([9.0, 12.0, 15.0], [0.6, 0.5, 0.4], "#242524")  # a curve's tail whose start was lost
    assert explain_dropped([tail, BLUE, YELLOW, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None


def test_nothing_is_explained_when_kept_curves_retrace_each_other_or_are_new():
    twin = _arm(YELLOW.time, YELLOW.survival, "#e9c01f")
    assert explain_dropped([BLUE, YELLOW, twin, GREY], [YELLOW, twin, GREY], span=SPAN) is None
    other = _km([2.0, 6.0], colour="#d62728")  # a kept curve the first tracing did not have
    assert explain_dropped([BLUE, YELLOW, GREY], [BLUE, other], span=SPAN) is None


def _fake_digitize(arms, messages):
    def digitize_document(document, n_arms=None, **where):
        for message in messages:
            warnings.warn(message, DigitizationWarning, stacklevel=2)
        ticks = types.SimpleNamespace(values=np.arange(0, 19, 3.0))
        return types.SimpleNamespace(arms=tuple(arms), x_calibration=ticks)
    return digitize_document


@pytest.mark.parametrize(("found", "kept", "taken"), [
    ((BLUE, YELLOW, _arm(YELLOW.time, YELLOW.survival + 0.004, "#ecc421"), GREY), (BLUE, YELLOW, GREY), True),
    ((BLUE, YELLOW, _km([3.5, 6.5, 13.0], step=0.1, colour="#2ca02c"), GREY), (BLUE, YELLOW, GREY), False),
])
def test_a_truncated_retrace_is_taken_only_when_the_curves_left_out_are_explained(monkeypatch, found, kept, taken):
    import reconstruct.document

    monkeypatch.setattr(reconstruct.document, "digitize_document",
                        _fake_digitize(kept, [f"{TRUNCATED_NOTE} 3 of the 4 curves found"]))
    notes: list[str] = []
    first = types.SimpleNamespace(arms=found)
    again = run_module._digitize_for_rows(object(), first, 3, notes)
    if taken:
        assert again is not None
        assert len(again.arms) == 3
        assert not any(n.startswith(TRUNCATED_NOTE) for n in notes)
        assert any("traced again for the table's 3 rows: left out a second trace of kept curve 2" in n for n in notes)
    else:
        assert again is None
        assert notes == []


def _grey_steps(image, top: int, drops, grey: int, width: int) -> None:
    import cv2

    rows = np.full(image.shape[1], top, np.int32)
    for col in drops:
        rows[col:] += 8
    points = np.stack([np.arange(image.shape[1]), rows], axis=1).astype(np.int32)
    cv2.polylines(image, [points], False, (grey, grey, grey), width)


def _two_greys() -> np.ndarray:
    # survminer's theme_bw in grey: two light grey arms (145) and a dark grey one (116, OpenCV L 125) between
    # them; the light grey's shade cluster (L 154) swallows the dark one's at the merge step (28 < 32 apart)
    image = np.full((120, 400, 3), 255, np.uint8)
    _grey_steps(image, 10, [40, 90, 150, 220, 300], 145, 2)
    _grey_steps(image, 20, [60, 120, 200, 260, 330], 145, 2)
    _grey_steps(image, 15, [50, 100, 170, 240, 320], 116, 1)
    return image


def test_a_dark_grey_merged_into_a_light_greys_cluster_is_found_as_an_orphan_shade():
    import cv2

    from reconstruct.digitize import curves

    lab = cv2.cvtColor(_two_greys(), cv2.COLOR_RGB2LAB).astype(np.float32)
    bg = curves.background_lab(lab)
    plain = curves.find_line_colours(lab, bg, min_pixels=60)
    assert [round(c.lab[0]) for c in plain] == [154]  # the dark grey is lost without the orphan pass
    found = curves.find_line_colours(lab, bg, min_pixels=60, orphans=True)
    assert [round(c.lab[0]) for c in found] == [154, 125]  # OpenCV L of greys 145 and 116, within 1


def test_the_orphan_shade_is_traced_only_when_the_table_wants_more_curves():
    from reconstruct.digitize.colour_paths import trace_arms, with_orphan_shades
    from reconstruct.digitize.path_pruning import drop_broken_greys, drop_duplicates

    image = _two_greys()
    colours, weights, paths, flipped, grid, bg_rgb = trace_arms(image)
    paths = drop_duplicates(drop_broken_greys(paths, colours, weights, flipped))
    assert len(paths) == 1
    notes: list[str] = []
    kept = with_orphan_shades(image, None, (colours, weights, paths, flipped, grid, bg_rgb), 1, notes)
    assert len(kept[2]) == 1  # one curve wanted: nothing traced again
    assert notes == []
    more = with_orphan_shades(image, None, (colours, weights, paths, flipped, grid, bg_rgb), 3, notes)
    assert len(more[2]) == 2
    assert {round(more[0][k].lab[0]) for k, _, _ in more[2]} == {154, 125}
    assert notes == ["2 curves traced with a shade no other colour held (1 without it)"]
