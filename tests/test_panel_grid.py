"""Panels of figures drawn without axis lines (ggplot2 theme_minimal/light, Excel) and on tinted paper.

Tiny synthetic images built in code; pixel-level results are checked exactly or within a stated
number of pixels.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reconstruct.digitize.axes import find_panel
from reconstruct.digitize.figure import digitize_image
from reconstruct.digitize.panel_grid import label_grid_ticks, panel_from_grid
from reconstruct.errors import CalibrationError

GRID = 235  # ggplot2's grey92 grid lines


def gridded_plot_and_table() -> np.ndarray:
    """White 320 x 420 grey image: a plot grid (rows 10-190) over a table grid (rows 225-295), cols 50-379.

    The plot has horizontal lines every 40 rows from row 20 and vertical lines every 60 cols from
    col 70, spanning the panel; the table has rows at 230, 260, 290 and its own vertical lines.
    A dark step curve runs through the plot.
    """
    image = np.full((320, 420), 255, np.uint8)
    for row in range(20, 181, 40):
        image[row: row + 2, 50:380] = GRID
    for col in range(70, 380, 60):
        image[10:191, col: col + 2] = GRID
    for row in (230, 260, 290):
        image[row: row + 2, 50:380] = GRID
    for col in range(70, 380, 60):
        image[225:296, col: col + 2] = GRID
    image[40:43, 70:200] = 60
    image[40:150, 200:203] = 60
    image[148:151, 200:330] = 60
    return image


def test_gridded_plot_is_told_apart_from_its_table():
    found = panel_from_grid(gridded_plot_and_table())
    assert found is not None
    row0, col0, row1, col1 = found[:4]
    assert (row0, col0, col1) == (10, 50, 380)
    assert row1 == 191  # where the vertical grid lines end, not the table below


def test_without_grid_lines_no_panel():
    assert panel_from_grid(np.full((200, 300), 255, np.uint8)) is None


def excel_like(header_values=(0, 6, 12, 18, 24)) -> tuple[np.ndarray, list[float]]:
    """Horizontal grid lines only (rows 20-220, cols 60-459) and a data table whose header row holds
    the x labels, centred at evenly spaced columns; returns the image and the true label centres."""
    image = np.full((320, 500), 255, np.uint8)
    for row in range(20, 221, 50):
        image[row, 60:460] = 217
    image[226, 60:460] = 190  # the table's top and bottom edges and its cell walls
    image[256, 60:460] = 190
    centres = []
    for k, value in enumerate(header_values):
        centre = 100 + 80 * k
        centres.append(float(centre))
        image[226:257, centre - 40] = 190
        text = str(value)
        (width, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
        cv2.putText(image, text, (centre - width // 2, 247), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 60, 1, cv2.LINE_AA)
    return image, centres


def test_label_grid_gives_the_label_centres_as_ticks():
    image, centres = excel_like()
    ticks = label_grid_ticks(image, row=222, col0=60, col1=460)
    assert ticks.size == len(centres)
    np.testing.assert_allclose(ticks, centres, atol=1.5)


def test_label_grid_needs_three_evenly_spaced_words():
    image, _ = excel_like(header_values=(0, 6))
    assert label_grid_ticks(image, row=222, col0=60, col1=460).size == 0


def test_tinted_paper_is_no_filled_panel():
    # grey axes (too light for the first, black-axis pass) on off-white paper, as in a scan
    image = np.full((240, 320, 3), (240, 224, 205), np.uint8)
    image[200:202, 30:300] = 140
    image[10:202, 28:30] = 140
    for col in range(30, 300, 60):
        image[202:207, col] = 140
    for row in range(200, 10, -36):
        image[row, 23:28] = 140
    image[60:62, 31:250] = (200, 30, 30)
    panel = find_panel(image)
    assert (panel.col0, panel.row1) == (30, 200)
    np.testing.assert_allclose(panel.x_tick_cols, [30, 90, 150, 210, 270])


def test_partial_y_ticks_without_labels_are_not_taken_for_0_to_1():
    image = np.full((240, 320, 3), 255, np.uint8)
    image[200:202, 30:300] = 0
    image[10:202, 28:30] = 0
    for col in range(30, 300, 60):
        image[202:207, col] = 0
    for row in (200, 164, 128):  # ticks on the lower half of the axis only
        image[row, 23:28] = 0
    image[150:152, 31:290] = (220, 0, 0)
    with pytest.raises(CalibrationError, match="y ticks spanning the panel"):
        digitize_image(image, x_range=(0, 20))


def excel_grid_with_curve_over_lines() -> np.ndarray:
    """Horizontal grid lines only (rows 20-220 every 50, cols 60-459) over a boxed data table (rows 220-280).

    A thick dark curve runs along the grid line at row 120 from col 250 to the right edge (hiding it
    there), and drops from row 70 to row 220 at col 300, across three grid spacings.
    """
    image = np.full((300, 500), 255, np.uint8)
    for row in range(20, 221, 50):
        image[row, 60:460] = 217
    for row in (250, 280):
        image[row, 60:460] = 190
    for col in range(60, 461, 80):
        image[220:281, col] = 190
    image[119:123, 250:460] = 70  # a flat curve on the grid line
    image[68:72, 80:302] = 70
    image[70:220, 298:302] = 70  # the drop to 0
    return image


def test_grid_panel_survives_a_curve_hiding_a_grid_line_and_a_long_drop():
    found = panel_from_grid(excel_grid_with_curve_over_lines())
    assert found is not None
    row0, col0, row1, col1 = found[:4]
    assert (row0, col1) == (20, 460)
    assert abs(col0 - 60) <= 1
    assert abs(row1 - 221) <= 1  # the plot's lowest grid line, not a piece above the hidden line or the table


def light_framed_plot_with_legend_and_table() -> np.ndarray:
    """ggplot2 theme_bw look, blurred: a light grey frame (about 195 after the blur), rows 10-200 and
    cols 50-380, ticks out, light grid lines; a white legend box over the top right corner hides the
    frame and grid lines there; a boxed risk table with its own grid lines below (rows 240-330)."""
    image = np.full((360, 420), 255, np.uint8)
    for row in range(20, 200, 45):
        image[row, 51:380] = 238
    for col in range(60, 380, 60):
        image[11:200, col] = 238
        image[241:330, col] = 238
        image[201:206, col - 1: col + 1] = 150  # x tick marks
    for row in range(20, 200, 45):
        image[row - 1: row + 1, 45:50] = 150  # y tick marks
    for rows, cols in (((10, 200), (50, 380)), ((240, 330), (50, 380))):
        image[rows[0], cols[0]:cols[1]] = 150
        image[rows[1], cols[0]:cols[1] + 1] = 150
        image[rows[0]:rows[1], cols[0]] = 150
        image[rows[0]:rows[1], cols[1]] = 150
    for row in (270, 300):
        image[row, 51:380] = 238
    image[2:70, 280:400] = 255  # the legend box drawn over the corner
    image[60:63, 60:200] = 40  # a curve
    image = cv2.GaussianBlur(image, (0, 0), 0.7)
    return np.repeat(image[:, :, None], 3, axis=2)


def test_blurred_light_frame_is_the_panel_when_the_grid_finder_takes_the_table():
    panel = find_panel(light_framed_plot_with_legend_and_table())
    assert abs(panel.row0 - 11) <= 2
    assert abs(panel.row1 - 200) <= 2
    assert abs(panel.col0 - 51) <= 2
    assert panel.x_tick_cols.size >= 5
    assert panel.y_tick_rows.size >= 4


def test_grid_lines_hidden_under_a_ribbon_do_not_split_the_plot():
    # horizontal grid lines only, every 30 rows from 20 to 170, of which 50 and 80 are hidden under a
    # ribbon: the gap 20 -> 110 is three spacings, not the gap between two panels
    image = np.full((260, 420), 255, np.uint8)
    for row in (20, 110, 140, 170):
        image[row: row + 2, 50:380] = GRID
    image[35:95, 60:370] = 200  # the ribbon: a block, not a line
    image[100:103, 70:300] = 60
    found = panel_from_grid(image)
    assert found is not None
    row0, col0, row1, col1 = found[:4]
    assert row0 == 20
    assert abs(row1 - 172) <= 1
    assert (col0, col1) == (50, 380)


@pytest.mark.parametrize(("fill", "is_panel"), [((235, 235, 235), True), ((178, 212, 232), False)],
                         ids=["ggplot2-grey-panel", "blue-ribbon"])
def test_only_a_grey_fill_is_a_filled_panel(fill, is_panel):
    from reconstruct.digitize.panel_grid import panel_from_fill

    image = np.full((300, 400, 3), 255, np.uint8)
    image[40:240, 60:360] = fill
    found = panel_from_fill(image)
    assert (found is not None) == is_panel
    if is_panel:
        assert found[:4] == (40, 60, 240, 360)


def grey_ribbon_staircase() -> np.ndarray:
    """White 360 x 400 image with a grey (235) staircase ribbon, as ggplot2 theme_light draws a one-arm CI.

    Ten steps 30 px wide from col 40, step k spanning rows 20 + 12k to 120 + 24k (a widening band);
    a dark step curve runs through it. The grey is the most common non-white colour, fills over half
    of many rows and columns of its box, but touches the box's sides only at a corner or a step.
    """
    image = np.full((360, 400, 3), 255, np.uint8)
    for k in range(10):
        image[20 + 12 * k: 120 + 24 * k, 40 + 30 * k: 70 + 30 * k] = 235
        image[60 + 16 * k: 63 + 16 * k, 40 + 30 * k: 70 + 30 * k] = 60
    return image


def test_a_grey_ribbon_staircase_is_no_filled_panel():
    # seed-9091 survminer_light_001: the ribbon was taken for a filled panel cut at time 3
    from reconstruct.digitize.panel_grid import panel_from_fill

    image = grey_ribbon_staircase()
    assert panel_from_fill(image) is None
    # a real grey panel with the same staircase drawn over it in a darker ribbon grey is still one
    panel = np.full((360, 400, 3), 255, np.uint8)
    panel[10:350, 30:390] = 235
    panel[image[..., 0] == 60] = 60
    assert panel_from_fill(panel)[:4] == (10, 30, 350, 390)
