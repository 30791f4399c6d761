"""Arm separation on figures drawn by other software (issue 12): greys on one ray, lines under
translucent ribbons, paths that leave their curve. Synthetic panels drawn with OpenCV; pixel
coordinates ``(row, col)``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize import curves, shades
from reconstruct.digitize.colour_paths import _flat_half_width, trace_arms
from reconstruct.digitize.legend import find_legend_sample, is_label
from reconstruct.digitize.line_width import line_half_width
from reconstruct.digitize.path_pruning import drop_duplicates, drop_stroke_edges
from reconstruct.digitize.step_corners import final_drop

WHITE = (255, 255, 255)


def _panel(rows: int = 200, cols: int = 400) -> np.ndarray:
    return np.full((rows, cols, 3), 255, np.uint8)


def _step(img: np.ndarray, levels: list[tuple[int, int]], colour, thickness: int = 2) -> None:
    """Draw a falling step curve through ``(col, row)`` corners (each row held until the next col)."""
    for (c0, r0), (c1, r1) in zip(levels[:-1], levels[1:], strict=True):
        cv2.line(img, (c0, r0), (c1, r0), colour, thickness)
        cv2.line(img, (c1, r0), (c1, r1), colour, thickness)


def _colour(rgb: tuple[int, int, int]) -> curves.LineColour:
    lab = cv2.cvtColor(np.uint8([[rgb]]), cv2.COLOR_RGB2LAB)[0, 0].astype(float)
    return curves.LineColour(tuple(lab), rgb, 1000)


def test_exclusive_cores_keeps_a_light_grey_line_out_of_a_mid_grey_map():
    img = _panel()
    cv2.line(img, (10, 50), (390, 50), (183, 183, 183), 3)  # light grey line
    cv2.line(img, (10, 120), (390, 120), (135, 135, 135), 3)  # mid grey line
    bg = np.array([255.0, 255.0, 255.0], np.float32)
    colours = [_colour((183, 183, 183)), _colour((135, 135, 135))]
    weights = [curves.membership(img, bg, c) for c in colours]
    assert weights[1][50, 200] > 0.5  # a light grey is a partial mix of the mid grey ...
    shades.exclusive_cores(img, bg, colours, weights)
    assert weights[1][50, 200] == 0.0  # ... but it belongs to the light grey line only
    assert weights[0][50, 200] == pytest.approx(1.0, abs=0.05)
    assert weights[1][120, 200] == pytest.approx(1.0, abs=0.05)


def test_membership_under_ribbon_sees_a_line_through_a_translucent_fill():
    img = _panel()
    red = (190, 78, 60)
    cv2.line(img, (10, 100), (390, 100), red, 2)
    alpha = 0.3  # a blue ribbon drawn over the red line
    ribbon = np.array([53, 119, 167], np.float32)
    band = img[80:140].astype(np.float32)
    img[80:140] = np.round((1 - alpha) * band + alpha * ribbon).astype(np.uint8)
    bg = np.array([255.0, 255.0, 255.0], np.float32)
    colour = _colour(red)
    assert curves.membership(img, bg, colour)[100, 200] == 0.0  # no longer red against white
    local = shades.local_background(img, 2)
    under = shades.membership_under_ribbon(img, local, bg, colour)
    assert under[100, 200] == pytest.approx(1 - alpha, abs=0.06)
    assert under[120, 200] == 0.0  # the ribbon itself is no line
    assert shades.pale_field(img, local, bg, colour)[120, 200]


def test_a_line_seen_through_a_ribbon_beside_another_line_keeps_its_membership():
    # survminer_light_010: the red arm runs a few pixels above the blue one inside their ribbons; a median of the
    # neighbourhood taken there is a mix of both lines, not the ribbon, and the red line was lost under it
    img = _panel()
    red, navy = (225, 13, 18), (21, 87, 150)
    cv2.line(img, (10, 100), (390, 100), red, 2)
    cv2.line(img, (10, 104), (390, 104), navy, 2)
    alpha = 0.3  # a pink ribbon drawn over both lines
    band = img[70:140].astype(np.float32)
    img[70:140] = np.round((1 - alpha) * band + alpha * np.array(red, np.float32)).astype(np.uint8)
    bg = np.array([255.0, 255.0, 255.0], np.float32)
    cv2.line(img, (10, 180), (390, 180), red, 2)  # the same pair on the bare paper
    cv2.line(img, (10, 184), (390, 184), navy, 2)
    local = shades.closed_background(img, 3, shades.local_background(img, 3), paper=bg)
    ribbon = img[85, 200].astype(int)
    assert np.abs(local[100, 200].astype(int) - ribbon).max() <= 3  # the ribbon, lines taken out
    # outside a fill the neighbourhood median, as before
    assert np.array_equal(local[150:200], cv2.medianBlur(img, 9)[150:200])
    under = shades.membership_under_ribbon(img, local, bg, _colour(red))
    assert np.mean(under[99:102, 20:380].max(axis=0) >= 0.5) >= 0.95  # the red line along its length
    assert np.all(under[103:106, 20:380] == 0.0)  # not the navy line beside it


def test_trace_arms_separates_three_greys_sharing_one_ray():
    img = _panel(240, 420)
    _step(img, [(5, 10), (300, 60), (415, 60)], (91, 91, 91))  # dark
    _step(img, [(5, 10), (120, 110), (250, 150), (415, 150)], (135, 135, 135))  # mid
    _step(img, [(5, 10), (200, 90), (330, 200), (415, 200)], (183, 183, 183))  # light
    colours, _, paths, flipped, _, _ = trace_arms(img)
    paths = drop_duplicates(paths)
    assert not flipped
    assert len(paths) == 3
    # each path ends on its own curve's last level
    ends = sorted(int(p.rows[p.stop - 1]) for _, p, _ in paths)
    assert ends == pytest.approx([60, 150, 200], abs=2)


def test_trace_monotone_does_not_cross_bare_background_to_a_label():
    weight = np.zeros((100, 300), np.float32)
    weight[20, 0:200] = 1.0  # the curve
    weight[80, 240:255] = 1.0  # a short label stroke further on and lower down
    path = curves.trace_monotone(weight, weak=np.zeros_like(weight), half_width=1)
    assert path.stop == 200
    assert np.all(np.abs(path.rows[:200] - 20) <= 1)  # within the line window


def test_drop_duplicates_removes_a_path_hopping_between_two_curves():
    n = 200
    own = np.ones(n)
    upper = np.full(n, 30, np.int64)
    lower = np.full(n, 90, np.int64)
    hopper = np.where(np.arange(n) < 100, 30, 90).astype(np.int64)

    def path(rows, weight):
        return curves.TracedPath(rows, own * weight, 0, n, 1.0, 1, False)

    kept = drop_duplicates([(0, path(upper, 2.0), None), (1, path(lower, 2.0), None), (2, path(hopper, 1.0), None)])
    assert [k for k, _, _ in kept] == [0, 1]


def _ending(drop_to: int | None, tick: int = 0) -> tuple[np.ndarray, curves.TracedPath]:
    """A line at row 150 from col 10 to 200, then a vertical stroke down to ``drop_to`` (or a censor tick)."""
    weight = np.zeros((200, 300), np.float32)
    weight[149:152, 10:201] = 1.0
    if drop_to is not None:
        weight[150:drop_to, 199:202] = 1.0
    if tick:
        weight[150 - tick: 150 + tick, 199:202] = 1.0
    rows = np.full(300, 150, np.int64)
    path = curves.TracedPath(rows=rows, own=np.r_[np.zeros(10), np.ones(191), np.zeros(99)], start=10, stop=201,
                             coverage=1.0, half_width=1, flipped=False)
    return weight, path


def test_final_drop_sees_a_last_event_down_to_the_axis():
    weight, path = _ending(200)  # the stroke runs into the axis just below the panel
    assert final_drop(path, weight, 150.0, 200.5)
    weight, path = _ending(None)  # the curve ends flat: the last patients were censored
    assert not final_drop(path, weight, 150.0, 200.5)
    weight, path = _ending(None, tick=6)  # a censor tick at the end is no drop
    assert not final_drop(path, weight, 150.0, 200.5)
    weight, path = _ending(175)  # a drop that stops halfway is another step, not the end at zero
    assert not final_drop(path, weight, 150.0, 200.5)


def _flat_path(row: int, weight: float = 1.0, n: int = 300, colour: int = 0, half_width: int = 1):
    rows = np.full(n, row, np.int64)
    return colour, curves.TracedPath(rows, np.full(n, weight), 0, n, 1.0, half_width, False), None


def test_drop_stroke_edges_drops_the_second_edge_of_one_thick_line():
    ink = np.zeros((200, 300), bool)
    ink[40:47] = True  # a 7-pixel line traced along its top and its bottom edge
    ink[120:123] = True  # a second curve, apart from it
    top, bottom, other = _flat_path(40, 2.0), _flat_path(46, 1.0), _flat_path(121, 2.0, colour=1)
    kept = drop_stroke_edges([top, bottom, other], ink, 2)
    assert [item[1].rows[0] for item in kept] == [40, 121]  # the edge with less ink of its own goes
    # without a known number of arms below the count, nothing is dropped
    assert len(drop_stroke_edges([top, bottom, other], ink, 3)) == 3


def test_drop_stroke_edges_keeps_curves_apart_or_in_a_ribbon():
    ink = np.zeros((200, 300), bool)
    ink[40:43] = True
    ink[60:63] = True
    paths = [_flat_path(41), _flat_path(61, colour=1)]
    assert len(drop_stroke_edges(paths, ink, 1)) == 2  # background between them: two curves
    ink[41:62] = True  # a filled confidence ribbon joins them: still two curves
    assert len(drop_stroke_edges(paths, ink, 1)) == 2


def test_drop_stroke_edges_keeps_all_when_same_coloured_curves_cross():
    n = 300
    ink = np.zeros((200, n), bool)
    upper = np.where(np.arange(n) < 150, 40, 90).astype(np.int64)
    lower = np.where(np.arange(n) < 150, 80, 60).astype(np.int64)  # below it, then above it
    for rows in (upper, lower):
        ink[rows, np.arange(n)] = True
    hopper = np.where(np.arange(n) < 150, 40, 60).astype(np.int64)
    own = np.ones(n)
    paths = [(0, curves.TracedPath(upper, own, 0, n, 1.0, 1, False), None),
             (0, curves.TracedPath(lower, own, 0, n, 1.0, 1, False), None),
             (1, curves.TracedPath(hopper, own * 0.5, 0, n, 1.0, 1, False), None)]
    # the hopper runs on the two curves throughout, but the two curves left would swap sides
    assert len(drop_stroke_edges(paths, ink, 2)) == 3
    paths[1] = (2, paths[1][1], None)  # told apart by colour, they may cross
    assert [k for k, _, _ in drop_stroke_edges(paths, ink, 2)] == [0, 2]


def test_trace_arms_keeps_a_line_crowded_with_censor_glyphs_and_drops_a_ribbon():
    img = _panel(200, 400)
    green, blue = (44, 160, 44), (31, 119, 180)
    _step(img, [(5, 20), (100, 50), (220, 80), (395, 80)], green)
    for col in range(8, 390, 3):  # a "+" every 3 pixels, 15 pixels tall: the line measures as thick as a ribbon
        row = 20 if col < 100 else 50 if col < 220 else 80
        cv2.line(img, (col, row - 7), (col, row + 7), green, 1)
    cv2.line(img, (5, 150), (395, 150), blue, 2)
    colours, weights, paths, _, _, _ = trace_arms(img)
    assert [c.hex for c in colours] == ["#2da02b", "#2277b3"]
    green_weight = weights[0]
    assert line_half_width(green_weight, stepped=True) > 4  # the panel's thickest line: 4
    assert _flat_half_width(green_weight, 4) == 2  # the glyphs' upright bars taken out
    assert sorted(int(p.rows[p.stop - 1]) for _, p, _ in paths) == pytest.approx([80, 150], abs=2)
    # a filled band 30 pixels tall stays too thick once its upright strokes are taken out
    band = np.zeros((200, 400), np.float32)
    band[100:130, 20:380] = 1.0
    assert _flat_half_width(band, 4) > 4


@pytest.mark.parametrize(("on", "off"), [(40, 0), (5, 3), (2, 3)])
def test_find_legend_sample_joins_a_dashed_or_dotted_key(on, off):
    weight = np.zeros((200, 300), np.float32)
    weight[29:32, :] = 1.0  # the arm's curve
    for col in range(20, 60, on + off):  # its legend key: solid, dashed or dotted, 40 pixels long
        weight[149:151, col: min(col + on, 60)] = 1.0
    sample = find_legend_sample(weight, np.full(300, 30, np.int64), 1)
    assert sample is not None
    row, col0, col1 = sample
    assert row == pytest.approx(149.5, abs=1)
    assert col0 == 20
    assert 56 <= col1 <= 60  # the last dash or dot ends at 56 to 60


def test_a_single_glyph_is_no_legend_label():
    assert is_label("on")  # a fragment of "Observation" still names its arm
    assert is_label("Arm B")
    assert not is_label("王")  # a censor mark and a line read as one character
    assert not is_label("- ")


def test_find_legend_sample_skips_a_stroke_on_another_arms_curve():
    # Two arms in one grey share a membership map: a flat stretch of the other arm's curve is no legend key.
    weight = np.zeros((200, 300), np.float32)
    weight[29:32, :] = 1.0  # the arm's own curve
    weight[119:122, 100:140] = 1.0  # a flat stretch of the other arm's curve, in the same ink
    other = np.full(300, np.nan)
    other[80:200] = 120.0  # the other curve's traced rows where it has ink of its own
    assert find_legend_sample(weight, np.full(300, 30, np.int64), 1) == (120, 100, 140)  # taken without the other
    assert find_legend_sample(weight, np.full(300, 30, np.int64), 1, [other]) is None
    # a real key away from both curves is still found
    weight[159:161, 20:50] = 1.0
    assert find_legend_sample(weight, np.full(300, 30, np.int64), 1, [other])[1:] == (20, 50)


def test_final_drop_of_a_solid_line_covered_at_its_end_needs_the_solid_share():
    # a solid line whose last stretch another line covers (its own ink lost over 30 columns, in one piece) is no
    # dashed line: a half-height stroke under its end (a censor mark, a band's edge) is no drop to 0 (review)
    weight, path = _ending(None)
    weight[150:178, 199:202] = 1.0  # 28 of the 50 rows down to the axis: 56%, over a dashed line's need
    own = path.own.copy()
    own[160:190] = 0.0
    covered = curves.TracedPath(rows=path.rows, own=own, start=10, stop=201, coverage=1.0, half_width=1,
                                flipped=False)
    assert not final_drop(covered, weight, 150.0, 200.5)
    dashed = own.copy()
    dashed[10:201] = (np.arange(191) // 6) % 2 == 0  # dashes of 6 on, 6 off: half its columns inked
    as_dashes = curves.TracedPath(rows=path.rows, own=dashed, start=10, stop=201, coverage=1.0, half_width=1,
                                  flipped=False)
    assert final_drop(as_dashes, weight, 150.0, 200.5)  # 56% of the rows over 0.75 x 0.5 of a dashed line


def test_trace_arms_takes_a_thin_line_split_into_four_greys_for_one_ink():
    # a thin black line drawn small is anti-aliased along its length into several greys (base_r_011 of
    # the wild set: 4 greys, each 3 to 42% of the line's columns); no grey alone traces a curve
    img = _panel(210, 240)
    greys = (45, 90, 135, 175)
    corners = [(10, 8), (24, 14), (40, 19), (57, 27), (70, 31), (88, 38), (101, 44), (117, 51), (130, 55),
               (146, 62), (160, 66), (175, 73), (190, 80), (205, 85), (225, 90)]
    truth = np.full(240, -1)
    for (c0, r0), (c1, r1) in zip(corners[:-1], corners[1:], strict=True):
        for c in range(c0, c1 + 1):
            img[r0, c] = greys[(c // 6) % 4]
        img[r0: r1 + 1, c1] = greys[(c1 // 6) % 4]
        truth[c0: c1] = r0
    colours, _, paths, flipped, _, _ = trace_arms(img)
    assert not flipped and len(paths) == 1 and len(colours) == 1
    assert colours[0].rgb == (45, 45, 45)  # the darkest grey names the line
    path = paths[0][1]
    assert path.start <= 11 and path.stop >= 222
    cols = np.arange(path.start, path.stop)
    cols = cols[truth[cols] >= 0]
    # on the drawn levels within 1 px, but at the drop columns (there the trace takes the next level)
    assert np.mean(np.abs(path.rows[cols] - truth[cols]) <= 1) >= 0.9


def test_a_grey_line_in_a_grey_ribbon_over_half_the_panel_is_no_grid_line():
    # survminer_minimal_017 (grey palette with ribbons): ribbons over more than half of a row made each of its
    # rows a "grid line" at the ribbon's grey, and the grey curve running in the ribbon (within 25 of that
    # lightness) was masked with it: its trace lost the curve's last 0.9 months and dropped onto the other arm.
    from reconstruct.digitize.curves import grid_mask

    lab = np.full((100, 200, 3), 128.0, np.float32)
    lab[..., 0] = 255.0
    lab[20, :, 0] = 235.0  # a grid line across the panel
    lab[40:80, 0:140, 0] = 180.0  # a ribbon over 70% of its rows
    lab[60:62, 10:130, 0] = 160.0  # a grey curve, 2 px thick, in the ribbon
    bg = np.array([255.0, 128.0, 128.0], np.float32)
    mask = grid_mask(lab, bg)
    assert mask[20].all()  # the grid line still is one
    assert not mask[60:62, 10:130].any()  # the curve in the ribbon is kept
    assert mask[45, 0:140].all()  # the ribbon's own fill is still taken out, as before


def test_a_grid_line_through_a_ribbon_over_the_whole_row_is_still_masked():
    # review of stop 28: a ribbon over 97% of the width makes a grid line's row as grey as the rows 3 away; the
    # grid line, thin along the whole row, must stay masked (a grey arm could be traced along it)
    from reconstruct.digitize.curves import grid_mask

    lab = np.full((100, 200, 3), 128.0, np.float32)
    lab[..., 0] = 255.0
    lab[40:80, 0:194, 0] = 180.0  # a ribbon over 97% of its rows (and 40% of the columns)
    lab[55, :, 0] = 160.0  # a grid line across the panel, through the ribbon
    lab[70:72, 10:60, 0] = 160.0  # a grey curve's level in the ribbon
    bg = np.array([255.0, 128.0, 128.0], np.float32)
    mask = grid_mask(lab, bg)
    assert mask[55, 0:194].mean() > 0.95
    assert not mask[70:72, 10:60].any()
