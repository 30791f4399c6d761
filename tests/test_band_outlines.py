"""A re-tracing for the table's rows may leave out a confidence band's outline and a curve's dashed limits.

lifelines (matplotlib's fill_between) strokes each band's outline with a hairline in the fill's ink; base R's
conf.int draws the limits as dashed lines in the curve's ink. Both were traced as extra curves (lifelines_004 and
pdf_002 of the seed-8081 set stopped with "expected one at-risk row per curve"). Curves are built as step corners on
a 0-18 month axis, survival per pixel 0.004 (a 250 px tall panel); no corpus or R needed.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from reconstruct.digitize.digitized import DigitizedArm
from reconstruct.errors import DigitizationWarning
from reconstruct.extra_curves import choose_kept, explain_dropped

SPAN = 18.0


def _arm(time, survival, colour, *, half_px=2, coverage=1.0, filled=True) -> DigitizedArm:
    return DigitizedArm(label=None, colour=colour, time=np.asarray(time, float), survival=np.asarray(survival, float),
                        censor_time=np.asarray((), float), censor_survival=np.asarray((), float),
                        quality={"survival_per_px": 0.004, "line_half_width_px": half_px, "coverage": coverage,
                                 "panel_filled": filled, "panel_background": "#ffffff"})


def _km(drops, colour, *, step=0.08, shift=0.0, **kw) -> DigitizedArm:
    time = [0.0, *drops, 18.0]
    survival = [1.0, *(1.0 - step * (k + 1) for k in range(len(drops)))]
    return _arm(time, np.clip(np.asarray([*survival, survival[-1]]) + shift, 0, 1), colour, **kw)


# lifelines_004-like: two grey arms 2 px half wide (#646464 above, #9b9b9b below), two band outlines 1 px half wide
# in #b7b7b7 crossing between the two bands
DARK = _km([2.0, 4.0, 8.0, 11.0, 14.0, 16.0], "#646464")
MID = _km([1.0, 2.5, 3.5, 5.0, 7.0, 10.0, 15.0], "#9b9b9b", step=0.1)
UPPER = _km([4.0, 8.0, 10.0, 15.0, 17.0], "#b7b7b7", step=0.1, shift=0.06, half_px=1, coverage=0.67)
LOWER = _km([1.5, 3.0, 6.0, 9.0, 13.0, 16.0], "#b7b7b7", step=0.12, half_px=1, coverage=0.83)


def test_hairline_outlines_of_bands_in_a_filled_panel_are_left_out():
    why = explain_dropped([UPPER, LOWER, MID, DARK], [MID, DARK], span=SPAN)
    assert why is not None
    assert len(why) == 2
    assert all("confidence ribbon's outline" in w for w in why)
    # the one choice of two: keeping an outline leaves a 2 px line out, which nothing explains
    pick = choose_kept([UPPER, LOWER, MID, DARK], 2, span=SPAN, prefer=(2, 3))
    assert pick is not None
    assert pick[0] == (2, 3)


@pytest.mark.parametrize(("change", "why"), [
    ({"filled": False}, "no translucent fill in the panel"),
    ({"half_px": 2}, "as wide as the arms: may be a line"),
])
def test_an_outline_needs_a_filled_panel_and_a_thinner_line(change, why):
    outline = _arm(UPPER.time, UPPER.survival, UPPER.colour, **{"half_px": 1, "coverage": 0.67, **change})
    assert explain_dropped([outline, MID, DARK], [MID, DARK], span=SPAN) is None, why


def test_a_thin_arm_as_dark_as_a_kept_one_or_flat_is_no_outline():
    # #a8a8a8 is 13 levels paler than #9b9b9b (not more than 16): a third arm's grey for all we know
    close = _arm(UPPER.time, UPPER.survival, "#a8a8a8", half_px=1)
    assert explain_dropped([close, MID, DARK], [MID, DARK], span=SPAN) is None
    flat = _arm([0.0, 18.0], [0.9, 0.9], "#b7b7b7", half_px=1)
    assert explain_dropped([flat, MID, DARK], [MID, DARK], span=SPAN) is None
    # a pale hue of neither ink (a light orange) is no tint of a grey
    orange = _arm(UPPER.time, UPPER.survival, "#f0c090", half_px=1)
    assert explain_dropped([orange, MID, DARK], [MID, DARK], span=SPAN) is None


# pdf_002-like: one black solid arm (coverage 1.0) and its 95% limits, dashed black lines (coverage 0.5) 0.03-0.08
# above and below it
SOLID = _km([1.0, 3.0, 5.0, 8.0, 12.0, 15.0], "#030303", half_px=1, filled=False)
ABOVE = _arm(SOLID.time, np.minimum(SOLID.survival + 0.04, 1.0), "#030303", half_px=1, coverage=0.5, filled=False)
BELOW = _arm(SOLID.time, SOLID.survival - 0.04, "#030303", half_px=1, coverage=0.56, filled=False)


def test_two_dashed_lines_bracketing_a_solid_one_of_their_ink_are_its_confidence_limits():
    why = explain_dropped([ABOVE, SOLID, BELOW], [SOLID], span=SPAN)
    assert why is not None
    assert all("dashed confidence limits" in w for w in why)
    pick = choose_kept([ABOVE, SOLID, BELOW], 1, span=SPAN, prefer=(0,))
    assert pick is not None
    assert pick[0] == (1,)


def test_one_dashed_line_alone_or_a_solid_one_is_no_confidence_limit():
    # a dashed arm of the same ink below a solid one (base R's lty = 1:2 in black): no partner above it
    assert explain_dropped([SOLID, BELOW], [SOLID], span=SPAN) is None
    # two dashed lines on one side: an arm and its ... nothing; both below
    lower2 = _arm(SOLID.time, SOLID.survival - 0.1, "#030303", half_px=1, coverage=0.5, filled=False)
    assert explain_dropped([SOLID, BELOW, lower2], [SOLID], span=SPAN) is None
    # a solid line above and a dashed one below: the solid one may be an arm
    solid_above = dataclasses.replace(ABOVE, quality={**ABOVE.quality, "coverage": 0.95})
    assert explain_dropped([solid_above, SOLID, BELOW], [SOLID], span=SPAN) is None
    # another ink (a grey dashed pair around a black line) is no limit of it
    grey = [dataclasses.replace(c, colour="#7f7f7f") for c in (ABOVE, BELOW)]
    assert explain_dropped([grey[0], SOLID, grey[1]], [SOLID], span=SPAN) is None


def test_a_third_dashed_line_of_the_ink_is_no_limit_and_leaves_the_pair_unexplained():
    # base R, lty = 1:2 in black with conf.int: a dashed arm 0.15 above the solid one besides its two limits. With
    # one row read (a row missed), keeping the solid line alone must not pass the dashed arm off as a third limit
    arm = _arm(SOLID.time, np.minimum(SOLID.survival + 0.15, 1.0), "#030303", half_px=1, coverage=0.6,
               filled=False)
    assert explain_dropped([ABOVE, SOLID, BELOW, arm], [SOLID], span=SPAN) is None
    assert choose_kept([ABOVE, SOLID, BELOW, arm], 1, span=SPAN, prefer=(1,)) is None


def test_dashed_lines_crossing_the_solid_one_are_no_limits():
    # a dashed arm starting above and ending below the solid one (it crosses it at t=8): no side over 90% of its span
    crossing = _arm([0.0, 4.0, 8.0, 12.0, 18.0], [1.0, 0.9, 0.55, 0.4, 0.35], "#030303", half_px=1, coverage=0.5,
                    filled=False)
    assert explain_dropped([ABOVE, SOLID, crossing], [SOLID], span=SPAN) is None


def test_the_panel_background_is_a_colour_of_six_hex_digits_on_a_large_white_panel():
    import cv2

    from reconstruct.digitize.figure import digitize_image

    # 900 x 940 px of white paper: a float32 running sum of the background's 255s grows past 2**24 and rounds each
    # 255 up to 256 (the mean was 256, written "#100100100", on lifelines_004 of the seed-8081 set)
    image = np.full((900, 940, 3), 255, np.uint8)
    image[800:804, 60:900] = 0
    image[20:804, 56:60] = 0
    for col in range(60, 900, 120):
        image[804:814, col:col + 2] = 0
    for row in range(800, 20, -130):
        image[row:row + 2, 46:56] = 0
    cols = np.arange(62, 880)
    points = np.stack([cols, np.where(cols < 400, 60, 420)], axis=1).astype(np.int32)
    cv2.polylines(image, [points], False, (40, 40, 200), 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DigitizationWarning)
        fig = digitize_image(image, x_range=(0, 35), y_range=(0, 1))
    background = fig.arms[0].quality["panel_background"]
    assert len(background) == 7
    assert all(0 <= int(background[k:k + 2], 16) <= 255 for k in (1, 3, 5))


# scan_009-like (survminer ribbons, scanned): a black arm 3 px half wide, a grey arm #767676 1 px half wide, and
# the lower border of the black arm's ribbon traced as a #9a9a9a line 1 px half wide, 0.02-0.03 below the black arm
BLACK = _km([0.5, 1.5, 3.0, 5.0, 8.0, 12.0, 16.0], "#131313", half_px=3)
GREY76 = _km([1.0, 3.5, 6.0, 9.0, 13.0], "#767676", half_px=1, shift=0.05)
BORDER = _arm(BLACK.time, np.clip(BLACK.survival - 0.025, 0, 1), "#9a9a9a", half_px=1)


def test_a_pale_thin_line_on_one_side_of_a_thicker_arm_in_a_filled_panel_is_its_ribbons_edge():
    why = explain_dropped([BLACK, BORDER, GREY76], [BLACK, GREY76], span=SPAN)
    assert why is not None
    assert "kept curve 1" in why[0]
    assert "edge of its confidence ribbon" in why[0]
    pick = choose_kept([BLACK, BORDER, GREY76], 2, span=SPAN, prefer=(0, 1))
    assert pick is not None
    assert pick[0] == (0, 2)


def test_a_pale_line_is_no_ribbon_edge_unfilled_as_wide_as_its_arm_crossing_it_or_as_dark_as_an_arm():
    kept = [BLACK, GREY76]
    unfilled = dataclasses.replace(BORDER, quality={**BORDER.quality, "panel_filled": False})
    assert explain_dropped([BLACK, unfilled, GREY76], kept, span=SPAN) is None
    # beside the 1 px grey arm it borders, 1 px half wide too: a third arm for all we know
    beside_grey = _arm(GREY76.time, np.clip(GREY76.survival - 0.03, 0, 1), "#9a9a9a", half_px=1)
    assert explain_dropped([BLACK, beside_grey, GREY76], kept, span=SPAN) is None
    # 8 levels paler than the grey arm (#7e7e7e): as dark as an arm
    dark = dataclasses.replace(BORDER, colour="#7e7e7e")
    assert explain_dropped([BLACK, dark, GREY76], kept, span=SPAN) is None
    # crossing the black arm (above it until t=5, below after): on neither side
    survival = np.where(BLACK.time < 5.0, BLACK.survival + 0.03, BLACK.survival - 0.03).clip(0, 1)
    crossing = _arm(BLACK.time, survival, "#9a9a9a", half_px=1)
    assert explain_dropped([BLACK, crossing, GREY76], kept, span=SPAN) is None
