"""Only what the figure shows: a curve leaving a truncated axis makes the statistics after it NE."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from compare import restrict_to_visible, summarize_ipd
from kmrecon.cli import main
from reconstruct import km_step_points, simulate_arm


def _ipd():
    frames = []
    for k, (arm, median) in enumerate((("A", 6.0), ("B", 12.0))):
        sim = simulate_arm(200, seed=40 + k, median=median, follow_up=24.0, accrual=12.0)
        frames.append(pd.DataFrame({"arm": arm, "time": sim.time, "event": sim.event}))
    return pd.concat(frames, ignore_index=True)


def test_statistics_after_the_exit_are_ne_with_the_reason():
    summary = summarize_ipd(_ipd(), landmarks=(3, 12), tau=10.0)
    a_before = summary["A"]
    assert math.isfinite(a_before.median.time)
    assert a_before.median.time > 4.0
    limited = restrict_to_visible(summary, {"A": (4.0, "the curve leaves the panel below 0.6 at t = 4")})
    a, b = limited["A"], limited["B"]
    assert math.isnan(a.median.time)
    assert "median not visible" in a.not_estimable["median"]
    assert "below 0.6" in a.not_estimable["median"]
    assert a.landmarks.survival[0] == a_before.landmarks.survival[0]  # t = 3 is visible
    assert math.isnan(a.landmarks.survival[1])
    assert "after the exit" in a.not_estimable["landmark:12"]
    assert math.isnan(a.rmst.rmst)
    assert "tau = 10 is beyond the exit" in a.not_estimable["rmst"]
    assert b.not_estimable == {}
    assert b.median.time == summary["B"].median.time
    diff = limited.contrasts[0].rmst_difference
    assert math.isnan(diff.difference)
    assert "RMST difference NE" in limited.contrasts[0].note
    assert limited.contrasts[0].hazard_ratio.hazard_ratio == summary.contrasts[0].hazard_ratio.hazard_ratio
    record = a.to_dict()
    assert record["not_estimable"]["median"].startswith("median not visible")


def test_a_visible_median_keeps_its_value_and_only_a_late_upper_limit_goes():
    summary = summarize_ipd(_ipd(), landmarks=(3,))
    med = summary["A"].median
    limited = restrict_to_visible(summary, {"A": ((med.time + med.conf_high) / 2, "cut at the right end")})
    a = limited["A"]
    assert a.median.time == med.time
    assert a.median.conf_low == med.conf_low
    assert math.isnan(a.median.conf_high)
    assert "median_conf_high" in a.not_estimable


def _truncated_figure(path, y_min=0.6):
    """Two arms falling to about 0.1, drawn on a survival axis from ``y_min`` (matplotlib clips them)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.14, 0.14, 0.82, 0.78))
    for k, (label, median, colour) in enumerate((("Arm A", 8.0, "#1f77b4"), ("Arm B", 14.0, "#d62728"))):
        sim = simulate_arm(150, seed=10 + k, median=median, follow_up=24.0, accrual=12.0)
        t, s = km_step_points(sim.time, sim.event)
        ax.step(t, s, where="post", color=colour, label=label, lw=1.5)
    ax.set_ylim(y_min - 0.01, 1.02)
    ax.set_yticks(np.round(np.arange(y_min, 1.0001, 0.1), 2))
    ax.set_xlim(0, 36)
    ax.set_xticks(np.arange(0, 37, 6))
    ax.legend(loc="upper right")
    fig.savefig(path, format="png", dpi=100)


def test_run_on_a_truncated_axis_reports_the_median_and_late_landmarks_ne(tmp_path):
    figure = tmp_path / "truncated.png"
    _truncated_figure(figure)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(figure), "-o", str(out), "--n", "Arm A=150", "--n", "Arm B=150",
                                       "--landmarks", "3,12"])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "run.json").read_text())
    exits = {e["arm"]: e for e in record["panel_exits"]}
    assert set(exits) == {"Arm A", "Arm B"}
    assert all(e["side"] == "bottom" and e["survival"] == pytest.approx(0.59, abs=0.01) for e in exits.values())
    summary = json.loads((out / "summary.json").read_text())["summary"]
    for arm in summary["arms"]:
        assert arm["median"]["time"] is None
        assert "below the axis bottom" in arm["not_estimable"]["median"]
        assert "landmark:12" in arm["not_estimable"]
        assert arm["landmarks"][0]["survival"] is not None  # S(3) is above the axis
    report = (out / "report.md").read_text()
    assert "NE (median not visible: the curve leaves the panel below the axis bottom" in report
    assert "NE (after the exit" in report
