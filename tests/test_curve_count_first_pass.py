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


def test_a_masked_retrace_with_fewer_arms_still_takes_a_clean_first_trace_that_runs_on():
    # scan_006: the retrace shed the rider (one arm fewer) and cut the other curve's tail under its label; the
    # first tracing's clean trace of that curve ran on to its end and was not taken (only for equal counts)
    from reconstruct.digitize.digitized import DigitizedArm
    from reconstruct.digitize.figure import _keep_tails

    def arm(end, level, colour):
        quality = {"survival_per_px": 0.004, "time_per_px": 0.06}
        return DigitizedArm(None, colour, np.array([0.0, 5.0, 10.0, end]), np.array([1.0, 0.8, level, level]),
                            np.array([]), np.array([]), quality)

    masked = [arm(33.0, 0.6, "#353535")]
    first = ([arm(48.0, 0.6, "#353535"), arm(48.0, 0.62, "#5a5a5a")], False, [False, True], [])
    kept = _keep_tails(masked, False, first)
    assert len(kept) == 1
    assert kept[0].time[-1] == 48.0  # the clean first trace, not the rider (strayed)
    # a retrace with more arms than the first tracing keeps its own
    assert _keep_tails(masked + [arm(20.0, 0.3, "#5a5a5a")], False, (first[0][:1], False, [False], []))[0].time[-1] \
        == 33.0
