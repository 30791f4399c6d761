"""``kmrecon run`` end to end on figures the project draws itself (known IPD)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from compare import kaplan_meier, median_survival
from kmrecon.cli import main
from reconstruct import km_at, number_at_risk
from kmrecon.synthetic_figures import STYLES, generate_figure
from kmrecon.run import run_figure
from reconstruct.errors import ReconstructionError


@pytest.fixture(scope="module")
def table_figure(tmp_path_factory):
    """A two-arm figure with a printed, coloured at-risk table (seed fixed)."""
    gen = generate_figure("risk_table", 1)
    path = tmp_path_factory.mktemp("fig") / f"figure{gen.suffix}"
    path.write_bytes(gen.image_bytes)
    return path, gen.truth


def _mae(arm, rec):
    grid = np.linspace(0.0, arm.time.max(), 400)
    return float(np.abs(km_at(arm.time, arm.event, grid) - km_at(rec.time, rec.event, grid)).mean())


def test_run_reads_the_table_matches_arms_and_reconstructs(table_figure):
    path, truth = table_figure
    run = run_figure(path, x_range=truth.x_range, y_range=truth.y_range)
    assert run.at_risk_source == "figure"
    assert run.match.basis in {"label", "colour", "numbers"}
    assert sorted(run.arm_names) == sorted(a.label for a in truth.arms)
    for arm in truth.arms:
        rec = run.reconstruction[arm.label]
        assert rec.n_patients == arm.time.size
        assert abs(rec.n_events - arm.event.sum()) <= 2
        assert _mae(arm, rec) <= 0.01
        true_median = median_survival(kaplan_meier(arm.time, arm.event)).time
        assert abs(median_survival(kaplan_meier(rec.time, rec.event)).time - true_median) <= 0.5
    # the draws come with the run by default (affordable at this size), every draw with every patient
    draws = run.draws.to_frame()
    assert run.draws.n_draws == 200
    assert run.draws_note == ""
    assert list(draws.columns) == ["draw", "arm", "time", "event"]
    sizes = draws.groupby(["draw", "arm"]).size().unstack()
    assert all((sizes[a.label] == a.time.size).all() for a in truth.arms)


def test_run_command_writes_every_output(table_figure, tmp_path):
    path, truth = table_figure
    out = tmp_path / "out"
    args = ["run", str(path), "-o", str(out), "--x-range", *map(str, truth.x_range),
            "--y-range", *map(str, truth.y_range)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for name in ("curves.csv", "censor_marks.csv", "digitize.json", "overlay.png", "at_risk.csv", "ipd.csv",
                 "run.json", "summary.json", "report.md", "km.png", "fit.png"):
        assert (out / name).is_file(), name
    ipd = pd.read_csv(out / "ipd.csv")
    assert ipd.groupby("arm").size().to_dict() == {a.label: a.time.size for a in truth.arms}
    record = json.loads((out / "run.json").read_text())
    assert record["at_risk_source"] == "figure"
    assert record["inputs"]["figure"]["sha256"]
    assert "median" in result.output and "HR" in result.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2
    assert "--force" in again.output


def test_run_with_at_risk_file_and_names(tmp_path):
    gen = generate_figure("basic", 2)
    path = tmp_path / f"figure{gen.suffix}"
    path.write_bytes(gen.image_bytes)
    truth = gen.truth
    frames = []
    for arm in truth.arms:
        times = np.arange(0.0, arm.time.max(), 6.0)
        frames.append(pd.DataFrame({"arm": arm.label, "time": times, "n_risk": number_at_risk(arm.time, times)}))
    table = tmp_path / "at_risk.csv"
    pd.concat(frames).to_csv(table, index=False)
    run = run_figure(path, at_risk_path=table, x_range=truth.x_range, y_range=truth.y_range)
    assert run.at_risk_source == "file"
    for arm in truth.arms:
        assert _mae(arm, run.reconstruction[arm.label]) <= 0.01


def test_run_without_table_needs_n(tmp_path):
    gen = generate_figure("basic", 3)
    path = tmp_path / f"figure{gen.suffix}"
    path.write_bytes(gen.image_bytes)
    truth = gen.truth
    with pytest.raises(ReconstructionError, match="pass --at-risk AT_RISK.csv or the number of patients"):
        run_figure(path, x_range=truth.x_range, y_range=truth.y_range)
    names = ["first", "second"]
    run = run_figure(path, x_range=truth.x_range, y_range=truth.y_range, arm_names=names,
                     n_patients={"first": truth.arms[0].time.size, "second": truth.arms[1].time.size})
    assert run.at_risk_source == "none"
    assert any("number of patients" in w for w in run.warnings)
    assert run.arm_names == tuple(names)


def test_run_rejects_wrong_number_of_names(table_figure):
    path, truth = table_figure
    result = CliRunner().invoke(main, ["run", str(path), "-o", "unused", "--arm-names", "only-one",
                                       "--x-range", *map(str, truth.x_range), "--y-range", *map(str, truth.y_range)])
    assert result.exit_code == 2
    assert "--arm-names" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("seed", [1, 3])
def test_run_reads_the_table_of_a_rotated_figure_where_the_digitizer_straightened_it(seed, tmp_path):
    # the panel and the calibration are positions in the straightened image; read in the input image,
    # a table 1.6 degrees off level lost its time-0 cells (filled from the curve, with notes)
    style = dataclasses.replace(STYLES["risk_table"], name="rotated_table", rotation_deg=2.0)
    gen = generate_figure(style, seed)
    assert abs(gen.truth.rotation_deg) > 1.5
    path = tmp_path / f"figure{gen.suffix}"
    path.write_bytes(gen.image_bytes)
    run = run_figure(path, x_range=gen.truth.x_range, y_range=gen.truth.y_range, draws=0)
    assert run.table_notes == ()
    for arm in gen.truth.arms:
        table = run.at_risk[run.at_risk["arm"] == arm.label]
        assert len(table) >= 4
        np.testing.assert_array_equal(table["n_risk"], number_at_risk(arm.time, table["time"].to_numpy()))


def test_a_legend_label_read_in_part_gives_way_to_its_rows_name():
    from kmrecon.run import _fragment_of

    assert _fragment_of("on", "Observation")
    assert _fragment_of("Nivolumab", "Nivolumab + Ipilimumab")
    assert not _fragment_of("Observation", "Observation")  # the same name: nothing to replace
    assert not _fragment_of("Placebo", "Nivolumab")
    assert not _fragment_of("", "Nivolumab")
