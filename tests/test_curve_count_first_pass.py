"""How many curves a figure holds when nothing says how many (issue 12: rows and curves disagreed).

A path along the border of a confidence ribbon is no curve, nor is a noisy line's second trace that
ran off onto a label; both used to be counted, and the at-risk rows (or the arms given with ``--n``)
then met more curves than they name. Synthetic panels drawn with matplotlib at fixed seeds, and paths
built from rows; pixel coordinates ``(row, col)``.
"""

from __future__ import annotations

import warnings

import numpy as np

from reconstruct.digitize import curves
from reconstruct.digitize.figure import digitize_image
from reconstruct.digitize.path_pruning import all_kept_or_riding
from tests._mpl_panel import km_steps, mean_miss, step_panel


def _path(rows, own=None, *, half_width: int = 1) -> curves.TracedPath:
    rows = np.asarray(rows, np.int64)
    own = np.ones(rows.size) if own is None else np.asarray(own, float)
    return curves.TracedPath(rows, own, 0, rows.size, 1.0, half_width, False)


def test_ribbon_borders_are_not_counted_as_curves_when_the_number_of_arms_is_unknown():
    # survminer's grey palette (survminer_classic_019): a black and a dark grey line in translucent bands of
    # their colours; the overlap of the bands is a grey of its own whose borders were traced as a third curve
    # (the two arms given with --n met 4 curves there). Drawn at seed 2: before, 3 arms; now the 2 lines.
    rng = np.random.default_rng(2)
    truths = [km_steps(rng, 60, 25.0), km_steps(rng, 40, 12.0)]

    def draw(ax):
        for (t, s), c in zip(truths, ("#1a1a1a", "#5a5a5a"), strict=True):
            half = 1.96 * np.sqrt(s * (1 - s) / 40) + 0.02
            ax.fill_between(t, np.clip(s - half, 0, 1), np.clip(s + half, 0, 1), step="post", color=c, alpha=0.3,
                            lw=0)
        for (t, s), c in zip(truths, ("#1a1a1a", "#5a5a5a"), strict=True):
            ax.step(t, s, where="post", color=c, lw=1.5)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = digitize_image(step_panel(draw), read_labels=False)
    assert len(fig.arms) == 2
    for t, s in truths:  # each line followed by an arm within 0.02 of survival on average
        assert min(mean_miss(arm, t, s) for arm in fig.arms) < 0.02


def test_a_second_trace_riding_a_line_and_a_label_is_no_curve_lost():
    # scan_006: a noisy grey line traced twice (the second trace zigzagging within 2-5 px of the first, median
    # gap 2 px: no duplicate by drop_duplicates' 1 px rule), running off onto the curve labels for its last
    # quarter; the tracing with the words masked had the 2 curves, and was refused for losing a curve
    n = 400
    line = np.linspace(20, 150, n).astype(np.int64)
    other = np.linspace(10, 60, n).astype(np.int64)
    zigzag = line + np.tile([2, -2, 3, -3, 1], n // 5)
    words = np.zeros((200, n), bool)
    words[170:182, 300:400] = True  # a label printed below the line's end
    riding = zigzag.copy()
    riding[300:] = 176  # onto the label
    first = [_path(line), _path(other), _path(riding)]
    second = [_path(line), _path(other)]
    assert all_kept_or_riding(first, second, words)
    # the same second trace running off over bare background (no word there) is a curve the masking lost
    assert not all_kept_or_riding(first, second, np.zeros((200, n), bool))
    # a curve of its own that the masked tracing lost, even where part of it lies on a word
    apart = np.linspace(80, 190, n).astype(np.int64)
    words[175:200, 350:400] = True
    assert not all_kept_or_riding([_path(line), _path(other), _path(apart)], second, words)
    # every first path kept by a second one (a path followed within stroke reach)
    assert all_kept_or_riding([_path(line), _path(other)], [_path(line + 1), _path(other)], words)
    # review: a stray second path near no first path stands for none, so it cannot hide a lost curve that only
    # runs close to another for 82% of its columns, whatever the order of the first paths
    close = line + 3
    close[330:] = line[330:] + 40
    label = np.full(n, 190)  # a path along a line of words, all of it on them
    on_label = np.zeros((200, n), bool)
    on_label[188:193, :] = True
    stray = np.full(n, 5)
    assert not all_kept_or_riding([_path(line), _path(close), _path(label)], [_path(line), _path(stray)], on_label)
    assert not all_kept_or_riding([_path(line), _path(label), _path(close)], [_path(line), _path(stray)], on_label)
    assert all_kept_or_riding([_path(line), _path(label)], [_path(line), _path(stray)], on_label)  # words only


def test_every_path_of_a_colour_that_fills_a_ribbon_goes_with_its_fills():
    # survminer_bw_011: the overlapping ribbons' grey traced three times, twice through the fill (11 rows deep)
    # and once along its border and a line's rim (2 rows deep); the third stayed, and 2 rows met 3 curves
    from reconstruct.digitize.path_pruning import drop_fills

    n, size = 160, (142, 160)
    upper, lower = np.linspace(20, 90, n).astype(np.int64), np.linspace(40, 120, n).astype(np.int64)
    middle = (upper + lower) // 2
    fill_w = np.zeros(size, np.float32)
    for c in range(n):
        fill_w[middle[c] - 5: middle[c] + 6, c] = 1.0  # 11 rows deep
    rim_w = np.zeros(size, np.float32)
    rim_w[upper + 3, np.arange(n)] = rim_w[upper + 4, np.arange(n)] = 1.0  # 2 rows, along a line's rim
    line_w = np.zeros(size, np.float32)
    line_w[upper, np.arange(n)] = line_w[lower, np.arange(n)] = 1.0
    fills = [(0, _path(middle - 3, half_width=6), fill_w), (0, _path(middle + 3, half_width=6), fill_w)]
    rim = (0, _path(upper + 3), rim_w)
    arm_a, arm_b = (1, _path(upper), line_w), (2, _path(lower), line_w)
    kept = drop_fills([*fills, rim, arm_a, arm_b], 2)
    assert [item[1] for item in kept] == [arm_a[1], arm_b[1]]
    kept = drop_fills([*fills, rim, arm_a, arm_b], 1)  # the first tracing (any number of arms): the same two
    assert [item[1] for item in kept] == [arm_a[1], arm_b[1]]
    assert len(drop_fills([*fills, rim, arm_a, arm_b], 3)) == 3  # never fewer than asked for
    # a shallow path of a colour no fill was found in stays
    assert len(drop_fills([*fills, (3, _path(upper + 3), rim_w), arm_a, arm_b], 1)) == 3


def _step_arm(end, level, colour):
    """A digitized arm falling to 0.8 at 5 and to ``level`` at 10, held to ``end`` (a 250-row, 0.06-per-column axis)."""
    from reconstruct.digitize.digitized import DigitizedArm

    quality = {"survival_per_px": 0.004, "time_per_px": 0.06}
    return DigitizedArm(None, colour, np.array([0.0, 5.0, 10.0, end]), np.array([1.0, 0.8, level, level]),
                        np.array([]), np.array([]), quality)


def test_a_masked_retrace_with_fewer_arms_still_takes_a_clean_first_trace_that_runs_on():
    # scan_006: the retrace shed the rider (one arm fewer) and cut the other curve's tail under its label; the
    # first tracing's clean trace of that curve ran on to its end and was not taken (only for equal counts)
    from reconstruct.digitize.masked_retrace import _keep_tails

    masked = [_step_arm(33.0, 0.6, "#353535")]
    first = ([_step_arm(48.0, 0.6, "#353535"), _step_arm(48.0, 0.62, "#5a5a5a")], False, [False, True], [])
    kept = _keep_tails(masked, False, first)
    assert len(kept) == 1
    assert kept[0].time[-1] == 48.0  # the clean first trace, not the rider (strayed)
    # a retrace with more arms than the first tracing keeps its own
    more = _keep_tails(masked + [_step_arm(20.0, 0.3, "#5a5a5a")], False, (first[0][:1], False, [False], []))
    assert more[0].time[-1] == 33.0


def test_a_line_of_a_ribbons_colour_drawn_away_from_the_ribbon_stays():
    # review of drop_fills: every other path of a fill's colour was dropped however far from the ribbon. Arm A
    # (colour 0) in a 25-row ribbon of colour 1; arm B a line of colour 1 drawn 8-68 rows below the ribbon; R a
    # stray thin path (colour 2). Before: [A, R] kept (B dropped with the ribbon's border path); now [A, B, R]
    from reconstruct.digitize.path_pruning import drop_fills

    size, n = (240, 400), 400
    a, b = np.linspace(20, 120, n).astype(int), np.linspace(40, 200, n).astype(int)

    def line(rows):
        w = np.zeros(size, np.float32)
        for c, r in enumerate(rows):
            w[max(r - 1, 0): r + 2, c] = 1.0
        return w

    ribbon = np.zeros(size, np.float32)
    for c in range(n):
        ribbon[max(a[c] - 12, 0): a[c] + 13, c] = 1.0
    colour1 = np.maximum(ribbon, line(b))
    border = (1, _path(np.maximum(a - 12, 0)), colour1)
    arm_a, arm_b, stray = (0, _path(a), line(a)), (1, _path(b), colour1), (2, _path(np.full(n, 230)), line([230] * n))
    for want in (1, 2):
        kept = drop_fills([arm_a, border, arm_b, stray], want)
        assert [item[1] for item in kept] == [arm_a[1], arm_b[1], stray[1]]


def test_one_retrace_path_keeps_one_first_path_only():
    # review of all_kept_or_riding: a real arm B running 3 rows under A for 82% of its columns, then 40 rows
    # apart, was counted kept by the retrace's A (which kept A too): True before, a real arm lost
    n = 400
    a = np.linspace(20, 150, n).astype(np.int64)
    b = a + 3
    b[330:] = a[330:] + 40
    words = np.zeros((200, n), bool)
    assert not all_kept_or_riding([_path(a), _path(b)], [_path(a)], words)
    assert all_kept_or_riding([_path(a), _path(b)], [_path(a), _path(b + 1)], words)
    # nor is a lost path riding only near another path (no word under it) one that was no curve
    assert not all_kept_or_riding([_path(a), _path(a + 3)], [_path(a)], words)


def test_a_retrace_arm_takes_the_nearest_clean_first_trace():
    # review of _keep_tails: with fewer arms in the retrace, the first clean trace within 2 px was taken, even when
    # it was another curve (1.2 px away) listed before the arm's own first trace
    from reconstruct.digitize.masked_retrace import _keep_tails

    masked = [_step_arm(33.0, 0.6, "#353535")]
    first = ([_step_arm(48.0, 0.61, "#5a5a5a"), _step_arm(48.0, 0.6, "#353535")], False, [False, False], [])
    kept = _keep_tails(masked, False, first)
    assert len(kept) == 1
    assert kept[0].colour == "#353535"
    assert kept[0].time[-1] == 48.0
