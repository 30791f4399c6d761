"""Curves seen through a translucent legend box (matplotlib's default ``framealpha=0.8``), issue 12."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from reconstruct.digitize.figure import digitize_image
from reconstruct.digitize.legend_veil import find_frames, unveil
from reconstruct.errors import DigitizationWarning
from tests._mpl_panel import render_panel

BLUE, ORANGE = "#1f77b4", "#ff7f0e"
BLUE_RGB = np.array([31, 119, 180], np.float32)


def _draw_curves(ax, legend: bool = True, **legend_kwargs) -> float:
    """Two step curves and a legend at the right; the blue curve's tail (38 to 44) runs under the
    legend's bottom padding, below its text. Returns the tail's survival."""
    ax.set_xlim(0, 48)
    ax.set_ylim(0, 1.02)
    ax.step([0, 12, 25, 40, 46], [1.0, 0.6, 0.4, 0.35, 0.35], where="post", color=ORANGE)
    tail = 0.47
    if legend:
        handles = [Line2D([], [], color=BLUE), Line2D([], [], color=ORANGE)]
        box = ax.legend(handles, ["Control", "Experimental"], loc="center right", borderpad=2.5, **legend_kwargs)
        FigureCanvasAgg(ax.figure)
        ax.figure.canvas.draw()
        ext = box.get_window_extent()
        tail = float(ax.transData.inverted().transform((0.0, ext.y0 + 0.09 * ext.height))[1])
    ax.step([0, 10, 20, 30, 38, 44], [1.0, 0.8, 0.7, 0.6, tail, tail], where="post", color=BLUE)
    return tail


def _panel(legend: bool = True, framealpha: float | None = None, grid: bool = False):
    """A panel-only render (no axes): pixels, the axes and the blue tail's survival."""
    fig = Figure(figsize=(5.0, 3.6), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    if grid:
        ax.grid(True, color="0.85")
        ax.set_axis_on()
        ax.set_xticks(range(0, 49, 6))
    tail = _draw_curves(ax, legend, **({} if framealpha is None else {"framealpha": framealpha}))
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3]).copy()
    return ax, rgb, tail


def _to_px(ax, rgb, x, y):
    col, row = ax.transData.transform((x, y))
    return int(round(rgb.shape[0] - row)), int(round(col))


def test_the_legend_frame_is_found_and_the_curve_under_it_restored():
    ax, rgb, tail = _panel()
    frames = find_frames(rgb, np.full(3, 255.0, np.float32))
    assert len(frames) == 1
    r0, c0, r1, c1 = frames[0]
    row, col = _to_px(ax, rgb, 41.0, tail)  # the blue tail runs under the box
    assert r0 < row < r1 and c0 < col < c1
    seen, notes, _ = unveil(rgb)
    assert len(notes) == 1
    assert float(notes[0].split("opacity ")[1].split()[0]) == pytest.approx(0.8, abs=0.03)

    def blue(img):
        return np.linalg.norm(img[r0:r1, c0:c1].astype(np.float32) - BLUE_RGB, axis=2) < 25

    # before: only the legend's key line is blue; after: the tail too (6 months, 60 px less the text over it)
    assert blue(seen).sum() - blue(rgb).sum() >= 60
    assert blue(seen)[row - r0 - 2: row - r0 + 3].any(axis=0).sum() >= 30
    # the key line, drawn over the box at full strength, is untouched
    assert np.array_equal(seen[r0:r1, c0:c1][blue(rgb)], rgb[r0:r1, c0:c1][blue(rgb)])


@pytest.mark.parametrize(("legend", "framealpha", "grid"), [(False, None, False), (True, 1.0, False),
                                                          (False, None, True)])
def test_nothing_changes_without_a_translucent_box(legend, framealpha, grid):
    _, rgb, _ = _panel(legend=legend, framealpha=framealpha, grid=grid)
    seen, notes, _ = unveil(rgb)
    assert notes == []
    assert np.array_equal(seen, rgb)


def test_a_curve_ending_under_the_legend_is_traced_to_its_end():
    fig = Figure(figsize=(6.0, 4.4), dpi=100)
    ax = fig.add_axes([0.12, 0.12, 0.84, 0.84])
    ax.set_xticks(range(0, 49, 6))
    tail = _draw_curves(ax)
    rgb, _, _ = render_panel(fig, ax)
    with pytest.warns(DigitizationWarning, match="seen through"):
        figure = digitize_image(rgb, n_arms=2)
    ends = sorted((float(a.time[-1]), float(a.survival[-1])) for a in figure.arms)
    assert ends[0] == pytest.approx((44.0, tail), abs=0.01 * 48)
    assert ends[1] == pytest.approx((46.0, 0.35), abs=0.01 * 48)


def test_a_curve_stepping_down_under_the_legend_key_of_its_colour_is_traced_under_it():
    # the blue curve runs at the height of its own key line into the box and steps down twice under it;
    # traced on the restored box, the key line (drawn over the box) would carry the path past both steps
    fig = Figure(figsize=(6.0, 4.4), dpi=100)
    ax = fig.add_axes([0.12, 0.12, 0.84, 0.84])
    ax.set_xticks(range(0, 49, 6))
    ax.set_xlim(0, 48)
    ax.set_ylim(0, 1.02)
    ax.step([0, 12, 25, 40, 46], [1.0, 0.8, 0.75, 0.7, 0.7], where="post", color=ORANGE)
    box = ax.legend([Line2D([], [], color=BLUE), Line2D([], [], color=ORANGE)], ["Control", "Experimental"],
                    loc="center right", handlelength=5)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    key = box.get_lines()[0].get_window_extent(fig.canvas.get_renderer())
    (x0, level), (x1, _) = ax.transData.inverted().transform([(key.x0, 0.5 * (key.y0 + key.y1)), (key.x1, 0.0)])
    first = x0 + 0.3 * (x1 - x0)
    ax.step([0, 10, 20, first, first + 3, 47], [1.0, 0.8, level, level - 0.05, level - 0.1, level - 0.1],
            where="post", color=BLUE)
    rgb, (r0, c0, r1, c1), _ = render_panel(fig, ax)
    _, _, strokes = unveil(rgb[r0:r1, c0:c1])
    assert strokes is not None and strokes.sum() > 200  # the key lines and the text over the box
    with pytest.warns(DigitizationWarning, match="seen through"):
        figure = digitize_image(rgb, n_arms=2)
    blue = min(figure.arms, key=lambda a: float(a.survival[-1]))
    assert blue.quality["bare_drop"] == 0.0
    middle = np.asarray(blue.survival)[np.searchsorted(blue.time, first + 1.5, side="right") - 1]
    assert middle == pytest.approx(level - 0.05, abs=0.01)  # the first step under the key is seen
    assert float(blue.survival[-1]) == pytest.approx(level - 0.1, abs=0.01)


def test_a_frame_whose_top_and_bottom_are_cut_by_curves_is_found():
    # pdf_013 of the wild set (a 75 dpi page): a curve runs along the frame's top for 20 pixels and
    # another crosses its bottom over 30, wider than the gaps that join a side's pieces (6 pixels)
    rgb = np.full((200, 330, 3), 255, np.uint8)
    grey = (204, 204, 204)
    rgb[80, 176:330] = grey  # top
    rgb[127, 176:330] = grey  # bottom
    rgb[80:128, 176] = grey  # left
    rgb[80:128, 329] = grey  # right
    rgb[79:82, 176:197] = (255, 127, 14)  # an orange level over the top's first 20 pixels
    rgb[126:129, 224:253] = (31, 119, 180)  # a blue level over 30 pixels of the bottom
    bg = np.array([255.0, 255.0, 255.0], np.float32)
    frames = find_frames(rgb, bg)
    assert len(frames) == 1
    r0, c0, r1, c1 = frames[0]
    assert abs(r0 - 80) <= 1 and abs(r1 - 128) <= 1 and abs(c0 - 176) <= 1 and abs(c1 - 330) <= 1
