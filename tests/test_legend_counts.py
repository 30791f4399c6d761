"""Patients per arm printed in the legend: parsed, used without a table, checked against one."""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.legend_counts import legend_counts


@pytest.mark.parametrize(("label", "name", "count"), [
    ("Sorafenib (n=125)", "Sorafenib", 125),
    ("HAIC, N = 1,024", "HAIC", 1024),
    ("Nivolumab (N:300)", "Nivolumab", 300),
    ("Arm A [n = 7]", "Arm A", 7),
    ("n=40", None, 40),
    ("Placebo", "Placebo", None),
    ("Group 2", "Group 2", None),
    ("Arm A (n=12) n=13", "Arm A (n=12) n=13", None),   # two counts: neither is trusted
    ("n=1234567", "n=1234567", None),                    # more digits than a trial arm
    ("Ann=12", "Ann=12", None),                          # "n" inside a word is not a count
])
def test_labels_split_into_name_and_count(label, name, count):
    assert legend_counts([label]) == ([name], [count])


def test_none_labels_pass_through():
    assert legend_counts([None, "B (n=3)"]) == ([None, "B"], [None, 3])


def test_a_missing_time_zero_cell_is_taken_from_the_legend_count():
    from reconstruct import km_step_points, number_at_risk, simulate_arm
    from reconstruct.arm_matching import ArmCurve, RiskRowInfo
    from reconstruct.table_gaps import complete_rows

    sim = simulate_arm(150, seed=3, median=12.0, accrual=12.0, follow_up=24.0)
    t, s = km_step_points(sim.time, sim.event)
    times = np.array([0.0, 6.0, 12.0, 18.0])
    n = number_at_risk(sim.time, times)
    curve = ArmCurve(label="Drug", colour=None, time=t, survival=s)
    partial = RiskRowInfo(label="Drug", colour=None, time=times[1:], n_risk=n[1:])
    rows, notes = complete_rows([partial], [curve], n_start=[152])
    assert rows[0].n_risk.tolist() == [152, *n[1:].tolist()]
    assert notes == ["Drug: the time-0 at-risk cell was not read; 152 taken from the legend (n=152)"]
    # A legend count below the next cell is not the arm's size: the curve-based estimate is used.
    rows, notes = complete_rows([partial], [curve], n_start=[int(n[1]) - 1])
    assert rows[0].n_risk[0] == 150
    assert "taken from" in notes[0] and "legend" not in notes[0]


def test_run_without_a_table_uses_the_counts_in_the_legend(tmp_path):
    import matplotlib.pyplot as plt

    from kmrecon import run_figure
    from reconstruct import km_step_points, simulate_arm

    fig, ax = plt.subplots(figsize=(6, 4), dpi=110)
    for n, median, label, colour, seed in [(60, 10.0, "Arm A (n=60)", "tab:blue", 1),
                                           (45, 16.0, "Arm B (n=45)", "tab:red", 2)]:
        sim = simulate_arm(n, seed=seed, median=median, follow_up=24.0)
        t, s = km_step_points(sim.time, sim.event)
        ax.step(t, s, where="post", color=colour, label=label)
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1.02)
    ax.set_xticks(range(0, 31, 6))
    ax.legend(loc="upper right")
    ax.set_xlabel("Months")
    ax.set_ylabel("Survival")
    fig.savefig(tmp_path / "km.png")
    plt.close(fig)
    run = run_figure(tmp_path / "km.png")
    assert sorted(run.arm_names) == ["Arm A", "Arm B"]
    assert {name: run.reconstruction[name].time.size for name in run.arm_names} == {"Arm A": 60, "Arm B": 45}
    assert any("read from the legend (" in w and "check it against the paper" in w for w in run.warnings)
