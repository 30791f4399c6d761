"""``kmrecon reconstruct`` and ``kmrecon demo`` through click's runner: outputs, sidecars, exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from kmrecon._cmd_demo import demo_file
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


def test_demo_runs_and_matches_the_simulated_truth(runner, tmp_path):
    result = runner.invoke(main, ["demo", "-o", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.output
    assert "Experimental: events 15 (true 15), max |KM reconstructed - KM true| = 0.0000" in result.output
    assert "Control: events 41 (true 41), max |KM reconstructed - KM true| = 0.0000" in result.output
    assert (tmp_path / "demo" / "ipd.csv").is_file()
    # The summary report of the reconstructed IPD sits next to ipd.csv (numbers checked against R in test_summary).
    assert "Control: n=50, events=41, median 7.64 (4.76 to 9.25) months" in result.output
    assert "Experimental: n=25, events=15, median 10.48 (4.71 to NR) months" in result.output
    assert "Experimental vs Control: HR 0.60 (0.33 to 1.09) (95% CI, Cox Efron)" in result.output
    for name in ("summary.json", "report.md", "km.png", "fit.png"):
        assert (tmp_path / "demo" / name).is_file(), name
    report = (tmp_path / "demo" / "report.md").read_text()
    assert "SIMULATED data" in report
    assert json.loads((tmp_path / "demo" / "summary.json").read_text())["provenance"]["command"] == "kmrecon demo"
    # A second run refuses to overwrite anything (exit 2, one line); --force replaces every output.
    again = runner.invoke(main, ["demo", "-o", str(tmp_path / "demo")])
    assert again.exit_code == 2
    assert "expected a new output file" in again.output
    assert runner.invoke(main, ["demo", "-o", str(tmp_path / "demo"), "--force"]).exit_code == 0


def test_version_and_help(runner):
    assert runner.invoke(main, ["--version"]).output.startswith("kmrecon, version ")
    assert "reconstruct" in runner.invoke(main, ["--help"]).output
