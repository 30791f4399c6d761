"""Names printed over each other at the curves' ends, read in each coloured curve's ink apart (issue 12,
seed-8081 jco_001), and the rows they name: whole names, not fragments of a longer row name."""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.arm_matching import ArmCurve, RiskRowInfo, match_arms_to_rows
from reconstruct.digitize.ink_names import ink_masks
from reconstruct.errors import ReconstructionError
from reconstruct.quality import FitMatch

BLUE, YELLOW, GREY = (0, 115, 194), (236, 192, 8), (132, 135, 134)


def _painted():
    """White 40 x 60 image: a blue block (rows 5-15), a yellow block (rows 20-30) crossing it in columns 20-40 at
    rows 10-25 with a grey bar, and a light blue (anti-aliased edge) column."""
    rgb = np.full((40, 60, 3), 255, np.uint8)
    rgb[5:15, 5:50] = BLUE
    rgb[20:30, 5:50] = YELLOW
    rgb[10:25, 20:22] = GREY
    rgb[5:15, 55] = (128, 185, 224)  # blue half blended with white: still blue hue
    return rgb


def test_each_coloured_curves_ink_is_kept_apart_and_grey_has_none():
    masks = ink_masks(_painted(), [BLUE, GREY, YELLOW])
    assert sorted(masks) == [0, 2]  # the grey curve gets no mask
    blue, yellow = masks[0], masks[2]
    assert int(blue[5:15, 5:20].sum()) == 10 * 15
    assert not blue[20:30].any()
    assert int(yellow[20:30, 22:50].sum()) == 10 * 28
    assert not yellow[5:15].any()
    assert not blue[10:25, 20:22].any()  # grey ink is nobody's
    assert not yellow[10:25, 20:22].any()
    assert blue[5:15, 55].all()  # a lighter blue (an edge) is still blue ink


def test_near_hues_share_no_mask():
    near = (0, 130, 194)  # a blue 5 degrees of hue from BLUE: its ink cannot be kept apart
    assert ink_masks(_painted(), [BLUE, near, YELLOW]).keys() == {2}
    assert ink_masks(_painted(), [GREY, (90, 90, 90)]) == {}


def _curve(label):
    return ArmCurve(label=label, colour=None, time=np.array([0.0, 10.0]), survival=np.array([1.0, 0.8]))


def _row(label, n):
    return RiskRowInfo(label=label, colour=None, time=np.array([0.0, 6.0]), n_risk=np.array([n, n - 5]))


ROWS = [_row("Placebo", 33), _row("Nivolumab", 318), _row("Nivolumab + Ipilimumab", 210)]


def _fit(costs):
    from itertools import permutations

    totals = sorted((sum(costs[k][j] for k, j in enumerate(p)), p) for p in permutations(range(len(costs))))
    return FitMatch(rows=totals[0][1], score=totals[0][0], runner_up=totals[1][0], clear=False,
                    costs=tuple(tuple(c) for c in costs))


def test_a_name_that_is_part_of_another_row_name_leaves_the_label_match_open():
    # as a legend label, "Nivolumab" may be "Nivolumab + Ipilimumab" cut short: the label matcher decides nothing
    curves = [_curve("Placebo"), _curve(None), _curve("Nivolumab")]
    with pytest.raises(ReconstructionError):
        match_arms_to_rows(curves, [_row("Placebo", 33), _row("Nivolumab", 33), _row("Nivolumab + Ipilimumab", 33)])


def test_names_read_in_their_ink_place_the_rows_and_the_unnamed_curve_by_elimination():
    from kmrecon.ink_match import ink_named_rows

    curves = [_curve("Placebo"), _curve(None), _curve("Nivolumab")]
    even = [[0.3] * 3 for _ in range(3)]  # the fit rates every pairing alike
    match = ink_named_rows(curves, ROWS, _fit(even))
    assert match is not None
    assert match.rows == (0, 2, 1)
    assert match.settled is False  # weaker than a name read whole in the panel: the run is flagged
    assert "elimination" in match.detail


def test_the_fit_can_still_refuse_the_names():
    from kmrecon.ink_match import ink_named_rows

    curves = [_curve("Placebo"), _curve(None), _curve("Nivolumab")]
    # the named pairing (0, 2, 1) misfits by 3 tolerance units more than (0, 1, 2): more than MATCH_MARGIN (1)
    costs = [[0.0, 9.0, 9.0], [9.0, 0.2, 1.7], [9.0, 1.7, 0.2]]
    assert ink_named_rows(curves, ROWS, _fit(costs)) is None


@pytest.mark.parametrize("labels", [
    pytest.param(("Placebo", None, None), id="two-unnamed"),
    pytest.param(("Placebo", "Placebo", "Nivolumab"), id="one-name-twice"),
    pytest.param(("Placebo", "Other", "Nivolumab"), id="a-name-no-row-has"),
])
def test_names_that_do_not_give_one_assignment_give_none(labels):
    from kmrecon.ink_match import ink_named_rows

    even = [[0.3] * 3 for _ in range(3)]
    assert ink_named_rows([_curve(x) for x in labels], ROWS, _fit(even)) is None


def _overlapping_names(dy: int):
    """White 300 x 600 panel: "Placebo" in blue and "Nivolumab" in orange printed ``dy`` pixels apart (over each
    other), and two flat curves in the same colours well below them; paths ``(cols, rows)``."""
    import cv2

    orange = (236, 150, 8)
    rgb = np.full((300, 600, 3), 255, np.uint8)
    cv2.putText(rgb, "Placebo", (300, 100), cv2.FONT_HERSHEY_SIMPLEX, 0.8, BLUE, 2, cv2.LINE_AA)
    cv2.putText(rgb, "Nivolumab", (270, 100 + dy), cv2.FONT_HERSHEY_SIMPLEX, 0.8, orange, 2, cv2.LINE_AA)
    rgb[200:203, 50:550] = BLUE
    rgb[240:243, 50:550] = orange
    cols = np.array([50.0, 550.0])
    return rgb, (0, 0, 300, 600), [(cols, np.array([201.0, 201.0])), (cols, np.array([241.0, 241.0]))], orange


@pytest.mark.parametrize("dy", [6, 10])
def test_names_printed_over_each_other_are_read_in_their_own_inks(dy):
    # jco_001 of seed 8081: the panel read whole garbles the two names into one phrase and names no curve (as it
    # did before the inks were read apart); each ink read alone names its curve, and the caller is told (by_ink)
    from reconstruct.digitize.direct_labels import direct_label_names

    rgb, panel, paths, orange = _overlapping_names(dy)
    found = direct_label_names(rgb, panel, ["Placebo", "Nivolumab"], [BLUE, orange], paths)
    assert found.by_colour == {0: "Placebo", 1: "Nivolumab"}
    assert found.by_ink is True


def test_direct_label_arms_gives_no_names_read_by_ink_alone():
    # direct_label_arms returns bare {curve: name} with no flag: names read only in each ink apart are weaker than
    # the panel's reading (the run flags them), so this flagless answer must not carry them (it did: a caller would
    # have settled on them); names the panel reads whole it still gives
    from reconstruct.digitize.direct_labels import direct_label_arms

    rgb, panel, paths, orange = _overlapping_names(6)
    assert direct_label_arms(rgb, panel, ["Placebo", "Nivolumab"], [BLUE, orange], paths) == {}
    rgb, panel, paths, orange = _overlapping_names(40)
    assert direct_label_arms(rgb, panel, ["Placebo", "Nivolumab"], [BLUE, orange], paths) == {0: "Placebo",
                                                                                               1: "Nivolumab"}


def test_names_read_whole_in_the_panel_are_not_marked_as_read_by_ink():
    from reconstruct.digitize.direct_labels import direct_label_names

    rgb, panel, paths, orange = _overlapping_names(40)  # a line apart: read in the panel as before
    found = direct_label_names(rgb, panel, ["Placebo", "Nivolumab"], [BLUE, orange], paths)
    assert found.by_colour == {0: "Placebo", 1: "Nivolumab"}
    assert found.by_ink is False


def test_a_name_whose_box_lies_over_another_names_ink_names_no_curve():
    # two names a line apart (12 px): read in the panel whole, the box of "Nivolumab" takes its darkest ink from
    # "Placebo" above it and named the blue curve "Nivolumab" (and so the orange one, by elimination, "Placebo":
    # a silent swap); each ink read alone says otherwise, and the names decide nothing
    from reconstruct.digitize.direct_labels import direct_label_names

    rgb, panel, paths, orange = _overlapping_names(12)
    found = direct_label_names(rgb, panel, ["Placebo", "Nivolumab"], [BLUE, orange], paths)
    assert found.by_colour == {}
    assert found.by_position == {}


def test_the_panel_and_the_inks_contradict_when_a_name_or_a_curve_is_claimed_twice():
    from reconstruct.digitize.ink_names import _contradict

    assert not _contradict({"placebo": [0]}, {"placebo": [0], "nivolumab": [1]})
    assert not _contradict({"placebo": [0]}, {})
    assert _contradict({"nivolumab": [0]}, {"nivolumab": [1]})  # one name, two curves
    assert _contradict({"nivolumab": [0]}, {"placebo": [0]})  # one curve, two names
