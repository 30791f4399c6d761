"""``kmrecon reconstruct`` and ``kmrecon demo`` through click's runner: outputs, sidecars, exit codes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kmrecon.commands.demo import demo_file
from kmrecon.cli import main
from reconstruct import sha256_file


@pytest.fixture
def runner():
    return CliRunner()


def test_reconstruct_writes_ipd_and_sidecar(runner, tmp_path):
    out = tmp_path / "ipd.csv"
    args = ["reconstruct", str(demo_file("curves.csv")), "--at-risk", str(demo_file("at_risk.csv")),
            "-o", str(out), "--precision", "1e-4"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    ipd = pd.read_csv(out)
    assert list(ipd.columns) == ["arm", "time", "event"]
    assert ipd.groupby("arm").size().to_dict() == {"Control": 50, "Experimental": 25}
    sidecar = json.loads(out.with_suffix(".json").read_text())
    assert sidecar["inputs"]["curves"]["sha256"] == sha256_file(demo_file("curves.csv"))
    assert sidecar["parameters"]["precision"] == 1e-4
    assert sidecar["arms"]["Experimental"]["fidelity"]["at_risk_max_abs_diff"] == 0
    # A second run refuses to overwrite, with a one-line message and exit status 2.
    again = runner.invoke(main, args)
    assert again.exit_code == 2
    assert "expected a new output file" in again.output and "--force" in again.output
    assert "Traceback" not in again.output
    assert runner.invoke(main, [*args, "--force"]).exit_code == 0


def test_identical_runs_write_identical_bytes(runner, tmp_path):
    outs = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        runner.invoke(main, ["reconstruct", str(demo_file("curves.csv")), "--at-risk", str(demo_file("at_risk.csv")),
                             "-o", str(out)])
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize(
    ("curve_text", "extra", "message"),
    [
        ("arm,time,survival\nA,0,1\nA,x,0.5\n", ["--n", "A=10"], "in.csv:3: field 'time': expected a finite number"),
        ("arm,time,survival\nA,0,1\nA,2,0.5\n", [], "arm 'A': expected at-risk rows or a number of patients"),
        ("arm,time,survival\nA,0,1\nA,2,0.5\n", ["--n", "A"], "--n: expected ARM=N"),
        ("arm,time,survival\nA,0,1\nA,2,0.5\n", ["--n", "B=4"], "got 'B'"),
        ("arm,time,survival\nA,0,0.2\nA,2,0.5\n", ["--n", "A=10"], "expected a non-increasing survival curve"),
    ],
)
def test_bad_input_is_one_line_exit_2(runner, tmp_path, curve_text, extra, message):
    src = tmp_path / "in.csv"
    src.write_text(curve_text)
    result = runner.invoke(main, ["reconstruct", str(src), "-o", str(tmp_path / "o.csv"), *extra])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.csv").exists()


def test_at_risk_arm_missing_from_curves(runner, tmp_path):
    curves = tmp_path / "c.csv"
    curves.write_text("arm,time,survival\nA,0,1\nA,2,0.5\n")
    table = tmp_path / "t.csv"
    table.write_text("arm,time,n_risk\nA,0,10\nZ,0,10\n")
    result = runner.invoke(main, ["reconstruct", str(curves), "--at-risk", str(table), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "c.csv: expected arms among the curve arms ['A'], got 'Z'" in result.output


def test_demo_runs_the_whole_flow_and_matches_the_simulated_truth(runner, tmp_path):
    """Figure -> IPD on the bundled figure, no hints; measured: events 15/40 (true 15/41), medians within
    0.03 months, mean KM gap < 0.005, log HR off by 0.026."""
    from compare import cox_hr, kaplan_meier, median_survival
    from reconstruct import km_at

    out = tmp_path / "demo"
    result = runner.invoke(main, ["demo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.output and "against the simulated truth" in result.output
    for name in ("ipd.csv", "report.md", "km.png", "overlay.png", "run.json", "summary.json", "ipd_draws.csv"):
        assert (out / name).is_file(), name
    listed = result.output.split("outputs in", 1)[1]
    assert sorted(p.name for p in out.iterdir()) == sorted(n.strip() for n in listed.split(":", 1)[1].split(","))
    assert "SIMULATED" in (out / "report.md").read_text()
    ipd = pd.read_csv(out / "ipd.csv")
    truth = pd.read_csv(demo_file("true_ipd.csv"))
    for arm in ("Experimental", "Control"):
        rec, true = ipd[ipd["arm"] == arm], truth[truth["arm"] == arm]
        assert len(rec) == len(true)
        assert abs(int(rec["event"].sum()) - int(true["event"].sum())) <= 1
        grid = np.linspace(0.0, float(true["time"].max()), 2001)
        gap = np.abs(km_at(true["time"].to_numpy(), true["event"].to_numpy(), grid)
                     - km_at(rec["time"].to_numpy(), rec["event"].to_numpy(), grid)).mean()
        assert gap <= 0.01
        medians = [median_survival(kaplan_meier(d["time"], d["event"])).time for d in (rec, true)]
        assert abs(medians[0] - medians[1]) <= 0.1
    hrs = [cox_hr(d["time"], d["event"], d["arm"], reference="Control").log_hr for d in (ipd, truth)]
    assert abs(hrs[0] - hrs[1]) <= 0.05


def test_version_and_help(runner):
    assert runner.invoke(main, ["--version"]).output.startswith("kmrecon, version ")
    assert "reconstruct" in runner.invoke(main, ["--help"]).output
