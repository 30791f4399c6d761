"""Arms told apart by grey level (figures printed in greys), and partial pairings combined with the numbers.

Shades are measured on small images built in code or drawn with matplotlib (fixed data, no randomness
beyond seeded simulations); grey levels are checked within stated tolerances.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from reconstruct import km_step_points, number_at_risk, simulate_arm
from reconstruct.arm_matching import ArmCurve, RiskRowInfo, match_arms_to_rows, numbers_costs, pinned_assignments
from reconstruct.digitize.arm_shades import curve_shades, key_shade
from reconstruct.digitize.risk_table import read_risk_table
from reconstruct.errors import ReconstructionError
from tests._mpl_panel import render_panel

TIMES = np.arange(0.0, 30.0, 6.0)


def _arm(seed, median, n=120, shade=None, label=None):
    sim = simulate_arm(n, seed=seed, median=median, follow_up=24.0)
    t, s = km_step_points(sim.time, sim.event)
    times = TIMES[TIMES <= sim.time.max()]
    return ArmCurve(label=label, colour=None, time=t, survival=s, shade=shade), times, number_at_risk(sim.time, times)


def _row(times, n, shade=None, label=None):
    return RiskRowInfo(label=label, colour=None, time=times, n_risk=n, shade=shade)


# ---- matching ----------------------------------------------------------------------------------


def test_grey_levels_decide_between_arms_nothing_else_tells_apart():
    a, ta, na = _arm(5, 10.0, shade=112.0)
    b, tb, nb = _arm(5, 10.0, shade=157.0)  # the same draw: numbers and step counts cannot decide
    match = match_arms_to_rows([a, b], [_row(tb, nb, shade=150.0), _row(ta, na, shade=110.0)])
    assert match.rows == (1, 0)
    assert match.basis == "pairs"
    assert "grey level" in match.detail


def test_black_row_labels_pin_nothing_and_the_match_stays_an_error():
    # black text on every row: a dark curve is as near to each of them
    a, ta, na = _arm(5, 10.0, shade=20.0)
    b, tb, nb = _arm(5, 10.0, shade=150.0)
    rows = [_row(ta, na, shade=28.0), _row(tb, nb, shade=35.0)]
    assert pinned_assignments([a, b], rows)[1] == ""
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows([a, b], rows)


def test_one_pinned_pair_leaves_the_numbers_to_decide_the_rest():
    # arms 1 and 2 are the same size and shape (numbers cannot tell them apart on their own) but
    # arm 1 shares its grey with row 3 only; arm 3 is poor, so only row 2 fits it by the KM bound
    a, ta, na = _arm(5, 10.0, shade=60.0)
    b, tb, nb = _arm(5, 10.0, shade=150.0)
    c, tc, nc = _arm(4, 4.0, shade=150.0)
    rows = [_row(tb, nb, shade=152.0), _row(tc, nc, shade=148.0), _row(ta, na, shade=61.0)]
    allowed, detail = pinned_assignments([a, b, c], rows)
    assert detail.startswith("grey level pairs curve 1 with row 3; follow-up rules out")
    # of the two pairings the grey level leaves, follow-up (the poor row ends before the others' curves)
    # keeps one, and the KM bound alone prefers the same one by more than its margin
    assert allowed == [(2, 0, 1)]
    cost = numbers_costs([a, b, c], rows)
    assert cost[1, 1] + cost[2, 0] - (cost[1, 0] + cost[2, 1]) > 4.0
    match = match_arms_to_rows([a, b, c], rows)
    assert match.rows == (2, 0, 1)
    assert match.basis == "pairs"


def test_labels_and_grey_levels_that_disagree_are_both_set_aside():
    a, ta, na = _arm(5, 10.0, shade=110.0, label="Control")
    b, tb, nb = _arm(5, 10.0, shade=160.0, label="Drug")
    rows = [_row(ta, na, shade=160.0, label="Control"), _row(tb, nb, shade=110.0, label="Drug")]
    allowed, detail = pinned_assignments([a, b], rows)
    assert detail == ""
    assert len(allowed) == 2


def test_a_label_read_for_one_arm_only_pins_that_arm():
    a, ta, na = _arm(5, 10.0, label="Sorafenib")
    b, tb, nb = _arm(5, 10.0)
    c, tc, nc = _arm(5, 10.0)
    rows = [_row(tb, nb, label="HAIC"), _row(ta, na, label="Sorafenib"), _row(tc, nc, label="Lenvatinib")]
    allowed, detail = pinned_assignments([a, b, c], rows)
    assert detail == "label pairs curve 1 with row 2"
    assert len(allowed) == 2
    assert all(p[0] == 1 for p in allowed)


# ---- measuring shades --------------------------------------------------------------------------


def test_key_shade_is_the_box_grey_under_white_text_and_dark_for_black_text():
    import cv2

    image = np.full((60, 300), 255, np.uint8)
    image[5:25, 0:100] = 110  # a filled key box with white text, touching the box of the next row
    cv2.putText(image, "Low risk", (4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 255, 1, cv2.LINE_AA)
    image[25:45, 0:100] = 165
    cv2.putText(image, "High risk", (4, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 255, 1, cv2.LINE_AA)
    cv2.putText(image, "Placebo", (150, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    assert key_shade(image, 5, 25, 102) == pytest.approx(110, abs=3)
    assert key_shade(image, 25, 45, 102) == pytest.approx(165, abs=3)
    assert key_shade(image[:, 140:], 25, 45, 140) < 40
    assert key_shade(np.full((60, 300), 255, np.uint8), 5, 25, 102) is None


def test_curve_shades_read_each_line_where_the_other_is_far():
    image = np.full((200, 300), 255, np.uint8)
    # two 3-px step curves of greys 150 and 165 (one shade to the colour clustering), crossing once
    image[39:42, 20:150] = 150
    image[39:120, 149:152] = 150
    image[119:122, 150:280] = 150
    image[99:102, 20:200] = 165
    image[99:160, 199:202] = 165
    image[159:162, 200:280] = 165
    paths = [(np.array([20.0, 150.0, 280.0]), np.array([40.0, 120.0, 120.0])),
             (np.array([20.0, 200.0, 280.0]), np.array([100.0, 160.0, 160.0]))]
    shades = curve_shades(image, paths, col_range=(20, 280))
    assert shades[0] == pytest.approx(150, abs=1)
    assert shades[1] == pytest.approx(165, abs=1)


def test_read_risk_table_reports_the_grey_of_each_row_key_box():
    ticks = [0, 6, 12, 18, 24]
    counts = {"Group 1": [71, 51, 36, 28, 17], "Group 2": [83, 64, 47, 36, 20]}
    greys = {"Group 1": "#6e6e6e", "Group 2": "#a5a5a5"}  # 110 and 165
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    ax = fig.add_axes([0.2, 0.45, 0.75, 0.5])
    t = np.linspace(0, 24, 50)
    ax.step(t, np.exp(-t / 30), where="post", color=greys["Group 1"], lw=2.5)
    ax.step(t, np.exp(-t / 20), where="post", color=greys["Group 2"], lw=2.5)
    ax.set_xlim(-2, 26)
    ax.set_ylim(0, 1)
    ax.set_xticks(ticks)
    trans = blended_transform_factory(ax.transData, fig.transFigure)
    y = 0.28
    for name, row in counts.items():
        fig.text(0.02, y, f" {name} ", color="white", fontsize=11, va="center",
                 bbox={"facecolor": greys[name], "edgecolor": "none", "pad": 3})
        for tick, n in zip(ticks, row, strict=True):
            fig.text(tick, y, str(n), transform=trans, ha="center", va="center", fontsize=11)
        y -= 0.08
    rgb, bbox, calibration = render_panel(fig, ax)
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=calibration, tick_values=ticks)
    by_label = {row.label: row for row in table.rows}
    assert set(by_label) == set(counts)
    assert by_label["Group 1"].label_shade == pytest.approx(110, abs=6)
    assert by_label["Group 2"].label_shade == pytest.approx(165, abs=6)
    assert by_label["Group 1"].n_risk.tolist() == counts["Group 1"]


def test_numbers_that_rule_out_the_grey_pairing_overrule_it():
    # a misread shade (an unlabelled row's area holding other ink) must not beat the KM bound
    good, tg, ng = _arm(3, 30.0, shade=150.0)
    poor, tp, np_ = _arm(4, 4.0, shade=105.0)
    rows = [_row(tg, ng, shade=107.0), _row(tp, np_, shade=148.0)]
    match = match_arms_to_rows([poor, good], rows)
    assert match.rows == (1, 0)
    assert match.basis == "numbers"


# ---- direct labels -----------------------------------------------------------------------------


def _direct_label_figure(label_colours, names=("Sorafenib", "Lenvatinib"), heights=(0.82, 0.12)):
    """Two KM-like curves (blue, red) with each arm's name (``names``) printed beside it in ``label_colours``, from
    t=17 at ``heights`` (the second one on its curve by default: there it is not read)."""
    fig = Figure(figsize=(5.0, 3.6), dpi=100)
    ax = fig.add_axes([0.12, 0.15, 0.82, 0.8])
    t = np.linspace(0, 24, 40)
    curves = {names[0]: ("#1f4e9c", np.exp(-t / 30)), names[1]: ("#d62020", np.exp(-t / 10))}
    for (name, (colour, s)), text_colour, y in zip(curves.items(), label_colours, heights, strict=True):
        ax.step(t, s, where="post", color=colour, lw=2)
        ax.text(17, y, name, color=text_colour, fontsize=12)
    ax.set_xlim(0, 24)
    ax.set_ylim(0, 1)
    rgb, panel, _ = render_panel(fig, ax)
    height = rgb.shape[0]
    paths = []
    for _, s in curves.values():  # the curves' step corners in image (col, row) pixels, as the digitizer gives
        xy = ax.transData.transform(np.column_stack((t, s)))
        paths.append((xy[:, 0] - 0.5, height - xy[:, 1] - 0.5))
    return rgb, panel, paths


@pytest.mark.parametrize(("label_colours", "expected"), [
    (("#1f4e9c", "#d62020"), {0: "Sorafenib", 1: "Lenvatinib"}),
    (("black", "black"), {}),  # names in black say nothing about which curve is which
], ids=["coloured-names", "black-names"])
def test_direct_labels_name_the_curve_of_their_colour(label_colours, expected):
    from reconstruct.digitize.direct_labels import direct_label_arms

    rgb, panel, paths = _direct_label_figure(label_colours)
    found = direct_label_arms(rgb, panel, ["Lenvatinib", "Sorafenib"], [(31, 78, 156), (214, 32, 32)], paths)
    assert found == expected


def test_words_of_a_name_read_apart_or_overlapping_join_into_one_phrase():
    from reconstruct.digitize.direct_labels import _phrases
    from reconstruct.digitize.ocr import TextBox

    boxes = [TextBox("2", 0.9, 141, 492, 181, 506), TextBox("Group", 0.9, 142, 437, 184, 494),
             TextBox("Arm", 0.9, 300, 100, 330, 150)]
    assert sorted(text for text, _ in _phrases(boxes)) == ["Arm", "Group 2"]


def test_a_grey_level_pin_against_the_order_of_greys_is_no_pin():
    # survminer_minimal_001 (held-out set 3): small grey row labels read lighter than their lines; by absolute
    # level the lighter curve (156) sat nearest the darker label (166), which is the other arm's
    from reconstruct.arm_matching import ArmCurve, RiskRowInfo, _shade_pins

    t = np.linspace(0.0, 10.0, 11)
    arms = [ArmCurve(label=None, colour=None, time=t, survival=np.exp(-t / k), shade=s)
            for k, s in ((20.0, 134.0), (15.0, 156.0))]
    rows = [RiskRowInfo(name, None, np.array([0.0, 5.0]), np.array([100, 50]), shade=s)
            for name, s in (("Sorafenib", 181.0), ("Lenvatinib", 166.0))]
    assert _shade_pins(arms, rows) == {}
    # in the order of greys, the same nearness pins
    rows = [RiskRowInfo(name, None, np.array([0.0, 5.0]), np.array([100, 50]), shade=s)
            for name, s in (("Sorafenib", 136.0), ("Lenvatinib", 158.0))]
    assert _shade_pins(arms, rows) == {0: 0, 1: 1}


def test_a_coloured_curve_takes_no_pin_by_grey_level():
    # rms_014: a black and a red curve (grey levels 51 and 139), two black row labels measured 61 and 16: the
    # order of greys paired the red curve with the lighter label, the other arm's
    from reconstruct.arm_matching import ArmCurve, RiskRowInfo, _shade_order_pins, _shade_pins

    t = np.linspace(0.0, 10.0, 11)
    arms = [ArmCurve(label=None, colour=c, time=t, survival=np.exp(-t / k), shade=s)
            for k, s, c in ((20.0, 51.0, (13, 13, 13)), (15.0, 139.0, (207, 24, 23)))]
    rows = [RiskRowInfo(name, None, np.array([0.0, 5.0]), np.array([100, 50]), shade=s)
            for name, s in (("Sorafenib", 61.0), ("Lenvatinib", 16.0))]
    assert _shade_order_pins(arms, rows) == {}
    assert _shade_pins(arms, rows) == {}
    greys = [ArmCurve(label=None, colour=(v, v, v), time=t, survival=a.survival, shade=a.shade)
             for v, a in zip((13, 139), arms, strict=True)]
    assert _shade_order_pins(greys, rows) == {0: 1, 1: 0}  # in greys, the order of greys pairs


def test_the_order_of_greys_pairs_a_curve_set_apart_on_both_sides():
    # survminer_bw_016: grey curves of levels 149, 26 and 111; row labels in the curves' greys read 83, 146.5
    # and 154 (small text lighter than its line). Only the darkest curve and the darkest label stand 20 levels
    # apart from the rest on both sides: they pair; the two light curves and labels (146.5, 154: 7.5 apart) do not.
    from reconstruct.arm_matching import ArmCurve, RiskRowInfo, _shade_order_pins, pinned_assignments

    t = np.linspace(0.0, 36.0, 13)
    arms = [ArmCurve(label=None, colour=(v, v, v), time=t, survival=np.exp(-t / k), shade=float(v))
            for v, k in ((149, 90.0), (26, 30.0), (111, 25.0))]
    rows = [RiskRowInfo(name, None, np.array([0.0, 6.0]), np.array([n, int(n * 0.7)]), shade=s)
            for name, n, s in (("Am A", 79, 83.0), ("Am 8", 152, 146.5), ("Arm C.", 278, 154.0))]
    assert _shade_order_pins(arms, rows) == {1: 0}
    allowed, said = pinned_assignments(arms, rows)
    assert sorted(allowed) == [(1, 0, 2), (2, 0, 1)]
    assert "order of grey levels pairs curve 2 with row 1" in said
    # labels 83, 95 | 154: the darkest curve no longer stands apart on both sides, the lightest one does
    close = [RiskRowInfo(r.label, None, r.time, r.n_risk, shade=s)
             for r, s in zip(rows, (83.0, 95.0, 154.0), strict=True)]
    assert _shade_order_pins(arms, close) == {0: 2}
    # labels 83, 95, 110 (black text read at three levels): no split on the labels' side, no pair
    black = [RiskRowInfo(r.label, None, r.time, r.n_risk, shade=s)
             for r, s in zip(rows, (83.0, 95.0, 110.0), strict=True)]
    assert _shade_order_pins(arms, black) == {}


def test_black_labels_read_at_two_levels_pair_no_curve_by_the_order_of_greys():
    # jco_007: grey curves 134, 90 and 184, black row labels read 55.2, 31 and 56.3. Ranked, the darkest curve
    # (90) and label (31) stand apart from the rest by more than 20 levels on both sides, but a label darker
    # than its line by 59 levels is no grey of the line: no pair (the darkest curve is Group 1's, row 1)
    from reconstruct.arm_matching import ArmCurve, RiskRowInfo, _shade_order_pins

    t = np.linspace(0.0, 42.0, 8)
    arms = [ArmCurve(label=None, colour=(v, v, v), time=t, survival=np.exp(-t / k), shade=float(v))
            for v, k in ((134, 60.0), (90, 40.0), (184, 35.0))]
    rows = [RiskRowInfo(name, None, np.array([0.0, 6.0]), np.array([n, int(n * 0.7)]), shade=s)
            for name, n, s in (("Group 1", 302, 55.2), ("Group 2", 100, 31.0), ("Oroup 3", 26, 56.3))]
    assert _shade_order_pins(arms, rows) == {}


def test_key_colour_of_a_grey_label_box_under_a_coloured_one():
    """Excel's at-risk labels are white words in boxes filled in each arm's colour, one box right under the other.
    A row in a light grey box (165) whose label area takes in a 3-pixel sliver of the orange box above it has no
    colour (dev 8081 excel_008 read "Arm C" in "Arm B"'s orange); an orange box reads orange within 1 level."""
    from reconstruct.digitize.arm_shades import key_colour

    rgb = np.full((40, 80, 3), 255, np.uint8)
    rgb[0:20, 5:60] = (237, 125, 49)   # the box above
    rgb[20:40, 5:60] = (165, 165, 165)  # this row's box
    rgb[26:34, 15:50:4] = 255           # white strokes of its word
    assert key_colour(rgb, 19, 38, 70) is None  # label rows 19-38 (OCR box), +-2 pixels: 3 rows of orange
    assert key_colour(rgb, 2, 18, 70) == (237, 125, 49)
