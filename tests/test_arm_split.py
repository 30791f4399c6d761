"""Arms of one ink told apart when the number of arms is known, and traces checked against the drawing (issue 12).

Figures drawn with matplotlib at fixed seeds; pixel coordinates ``(row, col)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from reconstruct.digitize.arm_split import same_paths, stroke_extent, strokes_of
from reconstruct.digitize.curves import TracedPath
from reconstruct.digitize.figure import digitize_image
from reconstruct.digitize.trace_check import bare_drop
from reconstruct.errors import DigitizationWarning
from reconstruct.quality import BARE_DROP_TOLERANCE, score_arm
from tests._mpl_panel import km_steps, mean_miss, step_panel


def _figure(arms, *, text: str | None = None) -> np.ndarray:
    """RGB render of step curves ``(time, survival, linestyle)`` in black on a 0-30 x 0-1 panel."""

    def draw(ax):
        for t, s, style in arms:
            ax.step(t, s, where="post", color="black", linestyle=style, linewidth=1.2)
        if text:
            ax.text(12, 0.5, text, fontsize=14, color="black")

    return step_panel(draw)


def _black_arms(seed: int, styles: tuple[str, str]):
    rng = np.random.default_rng(seed)
    return [(*km_steps(rng, 30, 15.0), styles[0]), (*km_steps(rng, 30, 15.0), styles[1])]


@pytest.mark.parametrize(("seed", "styles"), [pytest.param(1, ("-", "--"), id="solid-dashed"),
                                              pytest.param(2, ("-", ":"), id="solid-dotted"),
                                              pytest.param(2, ("--", ":"), id="dashed-dotted")])
def test_two_black_arms_told_apart_by_line_type_when_the_table_says_two(seed, styles):
    arms = _black_arms(seed, styles)
    img = _figure(arms)
    plain = digitize_image(img, x_range=(0, 30), y_range=(0, 1), read_labels=False)
    assert len(plain.arms) == 1  # one ink, crossing curves: one curve found (the run would stop with an error)
    with pytest.warns(Warning, match="same ink"):
        hinted = digitize_image(img, x_range=(0, 30), y_range=(0, 1), n_arms=2, read_labels=False)
    assert len(hinted.arms) == 2
    nearest = [int(np.argmin([mean_miss(arm, t, s) for arm in hinted.arms])) for t, s, _ in arms]
    assert sorted(nearest) == [0, 1]  # each true curve has its own digitized arm ...
    for (t, s, _), k in zip(arms, nearest, strict=True):
        assert mean_miss(hinted.arms[k], t, s) < 0.01  # ... within 0.01 on average


def test_a_hint_of_more_arms_than_drawn_invents_none():
    arms = _black_arms(1, ("-", "--"))[:1]
    img = _figure(arms)
    with pytest.warns(Warning, match="expected 2 arms, found 1"):
        fig = digitize_image(img, x_range=(0, 30), y_range=(0, 1), n_arms=2, read_labels=False)
    assert len(fig.arms) == 1  # no second curve made of the axis, the ticks or the first curve's rim


def _drawn_steps(levels, cols, shape=(120, 200)):
    """A drawn mask with horizontal strokes at ``levels`` between ``cols`` and vertical strokes joining them."""
    drawn = np.zeros(shape, bool)
    for k, row in enumerate(levels):
        drawn[row, cols[k]: cols[k + 1] + 1] = True
        if k + 1 < len(levels):
            drawn[row: levels[k + 1] + 1, cols[k + 1]] = True
    return drawn


def test_bare_drop_finds_a_jump_with_nothing_drawn_under_it():
    drawn = _drawn_steps([10, 30, 60], [0, 50, 120, 199])
    cols = np.array([0.0, 50.0, 90.0, 120.0, 199.0])
    rows = np.array([10.0, 30.0, 45.0, 60.0, 60.0])  # the trace jumps 30 -> 45 at col 90: nothing there
    kept_cols, kept_rows, height, col, _ = bare_drop(cols, rows, drawn, 1)
    assert height == pytest.approx(15.0)
    assert col == pytest.approx(90.0)
    np.testing.assert_array_equal(kept_cols, cols)  # drawn drops follow it: an interior jump, not a spur
    np.testing.assert_array_equal(kept_rows, rows)


def test_bare_drop_cuts_a_trailing_spur_to_the_last_drawn_level():
    drawn = _drawn_steps([10, 30], [0, 50, 150])
    cols = np.array([0.0, 50.0, 150.0, 165.0])
    rows = np.array([10.0, 30.0, 100.0, 100.0])  # the trace ends by jumping to row 100 (text, the axis)
    kept_cols, kept_rows, height, _, _ = bare_drop(cols, rows, drawn, 1)
    np.testing.assert_array_equal(kept_cols, [0.0, 50.0, 150.0])
    np.testing.assert_array_equal(kept_rows, [10.0, 30.0, 30.0])
    assert height == 0.0
    longer = np.array([0.0, 50.0, 150.0, 199.0])  # running on for a quarter of the panel: kept, and reported
    kept_cols, _, height, col, _ = bare_drop(longer, rows, drawn, 1)
    np.testing.assert_array_equal(kept_cols, longer)
    assert height == pytest.approx(70.0)
    assert col == pytest.approx(150.0)


def test_every_drawn_drop_passes():
    drawn = _drawn_steps([10, 30, 60], [0, 50, 120, 199])
    cols = np.array([0.0, 50.0, 120.0, 199.0])
    rows = np.array([10.0, 30.0, 60.0, 60.0])
    _, _, height, col, _ = bare_drop(cols, rows, drawn, 1)
    assert height == 0.0
    assert np.isnan(col)


def test_the_gate_flags_a_trace_that_fits_its_table_but_jumps_where_nothing_is_drawn():
    t = np.array([0.0, 5.0, 10.0, 20.0])
    s = np.array([1.0, 0.8, 0.6, 0.6])
    rec_time = np.array([5.0, 5.0, 10.0, 10.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0])
    rec_event = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    ok = score_arm("A", t, s, rec_time, rec_event, precision=0.001)
    assert not ok.misfit
    jumped = score_arm("A", t, s, rec_time, rec_event, precision=0.001, bare_drop=2 * BARE_DROP_TOLERANCE,
                       bare_drop_time=10.0)
    assert jumped.misfit
    assert jumped.trace_ratio == pytest.approx(2.0)
    assert "t=10 where no line is drawn" in jumped.describe()


def test_the_gate_flags_a_curve_ending_before_the_table_has_emptied():
    t = np.array([0.0, 5.0, 10.0, 20.0])
    s = np.array([1.0, 0.8, 0.6, 0.6])
    rec_time = np.array([5.0, 5.0, 10.0, 10.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0])
    rec_event = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    table_t, table_n = np.array([0.0, 10.0, 20.0, 30.0]), np.array([10, 8, 6, 3])
    short = score_arm("A", t, s, rec_time, rec_event, precision=0.001, table_time=table_t, n_risk=table_n)
    assert short.misfit
    assert "ends at t=20, before t=30" in short.describe()
    beyond_axis = score_arm("A", t, s, rec_time, rec_event, precision=0.001, table_time=table_t, n_risk=table_n,
                            time_limit=25.0)
    assert beyond_axis.trace_ratio == 0.0  # a row past the figure's x axis says nothing about the trace


def test_stroke_extent_gives_a_lines_faint_fringe_the_lines_extent():
    # rms_019: a solid level straddles two rows, one at 0.45 of the ink, the other at 0.3 (under the 0.4 that
    # makes a stroke); without the stroke's extent the fainter row counted as no line type at all, and the
    # solid arm's re-trace lost the level (its window held 0.45 < 0.5 of ink) and ended there
    shared = np.zeros((40, 200), np.float32)
    shared[20, 10:190] = 0.45
    shared[21, 10:190] = 0.3
    shared[30, 50:54] = 0.3  # faint ink beside no stroke stays without an extent
    extent = stroke_extent(shared)
    assert np.exp(extent[21, 10:190]) == pytest.approx(180.0)
    assert np.exp(extent[20, 100]) == pytest.approx(180.0)
    assert not extent[30, 50:54].any() and not extent[0].any()


def _banded_figure(seed: int):
    """Solid, dashed and dotted black curves, each in a grey confidence ribbon (a grey rms figure)."""
    rng = np.random.default_rng(seed)
    arms = [(*km_steps(rng, 40, 15.0), style) for style in ("-", "--", ":")]

    def draw(ax):
        for t, s, _ in arms:
            ax.fill_between(t, np.clip(s - 0.12, 0, 1), np.clip(s + 0.12, 0, 1), step="post", color="0.7",
                            alpha=0.5, lw=0)
        for t, s, style in arms:
            ax.step(t, s, where="post", color="black", linestyle=style, linewidth=0.8)

    return arms, step_panel(draw)


def test_grey_curves_in_ribbons_traced_again_by_line_type_find_the_dotted_one():
    arms, img = _banded_figure(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DigitizationWarning)
        plain = digitize_image(img, x_range=(0, 30), y_range=(0, 1), n_arms=3, read_labels=False)
        styled = digitize_image(img, x_range=(0, 30), y_range=(0, 1), n_arms=3, read_labels=False, by_style=True)
    missed = [min(mean_miss(a, t, s) for a in plain.arms) for t, s, _ in arms]
    assert missed[2] > 0.03  # the grey clusters lose the dotted curve (a ribbon edge or a mixture in its place)
    assert len(styled.arms) == 3
    nearest = [int(np.argmin([mean_miss(a, t, s) for a in styled.arms])) for t, s, _ in arms]
    assert sorted(nearest) == [0, 1, 2]  # each curve its own arm ...
    for (t, s, _), k in zip(arms, nearest, strict=True):
        assert mean_miss(styled.arms[k], t, s) < 0.01  # ... within 0.01 on average, the dotted one too
    assert styled.provenance["by_style_traced"] is True  # the retry changed the tracing: worth running on
    assert "by_style_traced" not in plain.provenance


def test_coloured_curves_are_not_traced_again_by_line_type_and_the_figure_says_so():
    rng = np.random.default_rng(1)
    arms = [(*km_steps(rng, 40, 15.0), colour) for colour in ("#e41a1c", "#377eb8")]

    def draw(ax):
        for t, s, colour in arms:
            ax.step(t, s, where="post", color=colour, linewidth=1.0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DigitizationWarning)
        styled = digitize_image(step_panel(draw), x_range=(0, 30), y_range=(0, 1), read_labels=False, by_style=True)
    assert len(styled.arms) == 2
    assert styled.provenance["by_style_traced"] is False  # no greys: the first tracing's paths, nothing to retry


def test_strokes_of_keeps_lines_and_dots_and_takes_out_a_ribbon():
    shade = np.zeros((40, 60), np.float32)
    shade[10:30, 5:55] = 0.3  # a ribbon 20 rows high
    shade[20, :] = 1.0  # a solid line through it
    shade[35, 0:60:4] = 1.0  # a dotted line below it
    out = strokes_of(shade, 11)
    assert out[15, 30] == pytest.approx(0.0, abs=1e-6)  # inside the ribbon: nothing
    assert out[20, 30] == pytest.approx(0.7, abs=1e-6)  # the line over the ribbon: what it adds
    assert out[35, 8] == pytest.approx(1.0, abs=1e-6)  # a dot: whole
    assert out[34, 8] == pytest.approx(0.0, abs=1e-6)


def _path(rows, start=0, stop=None):
    rows = np.asarray(rows, np.int64)
    return TracedPath(rows=rows, own=np.ones(rows.size), start=start, stop=rows.size if stop is None else stop,
                      coverage=1.0, half_width=1, flipped=False)


def test_same_paths_tells_a_retracing_that_changed_nothing():
    top, low = _path(np.r_[np.full(50, 10), np.full(50, 20)]), _path(np.r_[np.full(50, 30), np.full(50, 40)])
    assert same_paths([top, low], [_path(top.rows + 1), low])  # 1 px off on average: the same curves
    assert not same_paths([top, low], [_path(top.rows + 2), low])  # 2 px off: another path
    assert not same_paths([top, low], [top])  # fewer paths
    assert not same_paths([top, low], [top, _path(low.rows, stop=80)])  # 80% of the columns: a curve cut short
    assert same_paths([top, low], [top, _path(low.rows, stop=95)])
    mixed = _path(np.r_[np.full(50, 10), np.full(50, 40)])  # one curve's start, the other's end
    assert not same_paths([top, low], [mixed, low])
