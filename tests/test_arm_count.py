"""The number of arms stated by the at-risk table or the user decides how many curves are kept (issue 12).

A thick line crowded with censor glyphs, after JPEG, is traced twice (its two edges come out as two
paths of one colour); told how many arms there are, the digitizer drops the path joined to the other
by solid ink, and never a curve of its own. Figures drawn with matplotlib (fixed seed).
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kmrecon.run import run_figure
from reconstruct.digitize.figure import digitize_image
from reconstruct.digitize.path_pruning import TRUNCATED_NOTE
from reconstruct.errors import InputError

GREEN, RED = "#00a651", "#e41a1c"


def _figure(seed: int = 0, *, jpeg: int = 40) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Two arms: green drawn 5 points thick under 150 '+' marks, red thin; JPEG quality ``jpeg``."""
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(6, 4.5), dpi=100)
    ax = fig.add_subplot(111)
    steps = []
    for colour, n, scale, width in ((GREEN, 300, 20.0, 5.0), (RED, 80, 8.0, 1.5)):
        t = np.r_[0.0, np.sort(rng.exponential(scale, n))]
        s = np.r_[1.0, 1.0 - 0.8 * np.arange(1, n + 1) / n]
        ax.step(t[t < 28], s[t < 28], where="post", color=colour, lw=width)
        steps.append((t, s))
    t, s = steps[0]
    marks = np.sort(rng.uniform(0, 28, 150))
    ax.plot(marks, s[np.searchsorted(t, marks, side="right") - 1], "+", color=GREEN, ms=12, mew=2)
    ax.set_xlim(0, 28)
    ax.set_ylim(0, 1.05)
    ax.set_xticks(range(0, 29, 4))
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    _, buf = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1]), steps


def _hue(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[k: k + 2], 16) for k in (1, 3, 5))
    return "green" if g > r else "red"


def test_n_arms_drops_the_second_trace_of_a_thick_glyph_crowded_line():
    rgb, steps = _figure()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        free = digitize_image(rgb, x_range=(0, 28), y_range=(0, 1))
        told = digitize_image(rgb, x_range=(0, 28), y_range=(0, 1), n_arms=2)
    free_hues = sorted(_hue(a.colour) for a in free.arms)
    # the green line traced more than once (twice; three times where the ribbon closing takes its crowded marks)
    assert free_hues.count("red") == 1 and free_hues.count("green") >= 2
    assert sorted(_hue(a.colour) for a in told.arms) == ["green", "red"]
    assert not any(str(w.message).startswith(TRUNCATED_NOTE) for w in caught)
    green = next(a for a in told.arms if _hue(a.colour) == "green")
    t, s = steps[0]
    grid = np.linspace(0.5, 27.0, 200)
    true = s[np.searchsorted(t, grid, side="right") - 1]
    traced = np.asarray(green.survival)[np.clip(np.searchsorted(green.time, grid, side="right") - 1, 0, None)]
    assert np.mean(np.abs(traced - true)) < 0.02  # the line kept is on the curve


def test_arm_names_state_the_number_of_arms_but_never_drop_a_distinct_curve(tmp_path):
    rgb, _ = _figure()
    path = tmp_path / "figure.png"
    cv2.imwrite(str(path), rgb[:, :, ::-1])
    # two names for three traced paths: the twice-traced line is one arm, and the run goes on
    run = run_figure(path, x_range=(0, 28), y_range=(0, 1), arm_names=["A", "B"], n_patients={"A": 300, "B": 80},
                     draws=0, accept_misfit=True)
    assert len(run.digitized.arms) == 2
    # one name for two distinct curves: nothing is joined, so the count stays and the run stops
    rgb_thin, _ = _figure(jpeg=95)
    thin = tmp_path / "thin.png"
    cv2.imwrite(str(thin), rgb_thin[:, :, ::-1])
    with pytest.raises(InputError, match="--arm-names: expected 2 names"):
        run_figure(thin, x_range=(0, 28), y_range=(0, 1), arm_names=["A"], n_patients={"A": 300}, draws=0)
