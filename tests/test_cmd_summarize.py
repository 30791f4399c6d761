"""``kmrecon summarize`` through click's runner: outputs, provenance, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from kmrecon.commands.common import parse_landmarks
from kmrecon.cli import main
from reconstruct import sha256_file
from reconstruct.errors import InputError
from tests.conftest import REFERENCE, REPO

DEMO_IPD = REFERENCE / "data" / "demo_reconstructed_ipd.csv"
DEMO_CURVES = REPO / "kmrecon" / "demo_data" / "curves.csv"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def ipd_csv(tmp_path):
    path = tmp_path / "ipd.csv"
    shutil.copyfile(DEMO_IPD, path)
    return path


def test_writes_the_report_and_prints_the_headline(runner, tmp_path, ipd_csv):
    out = tmp_path / "out"
    args = ["summarize", str(ipd_csv), "-o", str(out), "--curves", str(DEMO_CURVES)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Control: n=50, events=41, median 7.64 (4.76 to 9.25) months" in result.output
    assert "Experimental vs Control: HR 0.60 (0.33 to 1.09) (95% CI, Cox Efron), p=0.093" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["fit.png", "km.png", "report.md", "summary.json"]
    data = json.loads((out / "summary.json").read_text())
    prov = data["provenance"]
    assert prov["command"] == "kmrecon summarize"
    assert prov["inputs"]["ipd"]["sha256"] == sha256_file(ipd_csv)
    assert prov["inputs"]["curves"]["sha256"] == sha256_file(DEMO_CURVES)
    assert prov["parameters"]["landmarks"] == [6.0, 12.0, 24.0]
    assert prov["parameters"]["tau"] is None
    assert prov["parameters"]["tau_used"] == pytest.approx(20.427487)
    # A second run refuses to overwrite (one line, exit 2) and leaves the files; --force replaces them.
    before = (out / "report.md").read_bytes()
    again = runner.invoke(main, args)
    assert again.exit_code == 2
    assert "expected a new output file" in again.output
    assert "--force" in again.output
    assert "Traceback" not in again.output
    assert len(again.output.strip().splitlines()) == 1
    assert (out / "report.md").read_bytes() == before
    assert runner.invoke(main, [*args, "--force"]).exit_code == 0


def test_options_reach_the_summary(runner, tmp_path):
    out = tmp_path / "out"
    args = ["summarize", str(REFERENCE / "data" / "twoarm25.csv"), "-o", str(out), "--landmarks", "3, 9",
            "--tau", "12", "--reference", "treatment", "--time-unit", "weeks", "--conf-level", "0.9", "--unanchored"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())["summary"]
    assert summary["landmarks"] == [3.0, 9.0]
    assert summary["tau"] == 12.0
    assert summary["tau_rule"] == "given by the user"
    assert summary["reference"] == "treatment"
    assert summary["time_unit"] == "weeks"
    assert summary["conf_level"] == 0.9
    assert [c["arm"] for c in summary["contrasts"]] == ["control"]
    text = (out / "report.md").read_text()
    assert "S(3) (90% CI)" in text
    assert "every comparison is **unanchored**" in text
    assert "control vs treatment" in result.output
    assert "months" not in result.output


def test_tau_beyond_follow_up_warns_on_stderr(runner, tmp_path):
    result = runner.invoke(main, ["summarize", str(REFERENCE / "data" / "twoarm25.csv"), "-o", str(tmp_path / "o"),
                                  "--tau", "20"])
    assert result.exit_code == 0, result.output
    assert "warning: tau = 20 exceeds the last follow-up of control (17)" in result.output


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        pytest.param("arm,time,event\nA,1,1\nA,x,0\n", [], "in.csv:3: field 'time': expected a finite number",
                     id="bad-cell"),
        pytest.param("arm,time\nA,1\n", [], "expected columns arm,time,event", id="missing-column"),
        pytest.param("arm,time,event\nA,1,1\nB,2,1\n", ["--landmarks", "6,x"], "--landmarks: expected comma-separated",
                     id="landmarks"),
        pytest.param("arm,time,event\nA,1,1\nB,2,1\n", ["--reference", "C"], "reference must be one of the arms",
                     id="reference"),
        pytest.param("arm,time,event\nA,1,1\nB,2,1\n", ["--curves", "missing.csv"], "expected an existing CSV file",
                     id="curves"),
        pytest.param("arm,time,event\nA,1,1\nB,2,1\n", ["--overlay", "missing.png"], "expected an existing overlay",
                     id="overlay"),
    ],
)
def test_bad_input_is_one_line_exit_2(runner, tmp_path, monkeypatch, content, extra, message):
    monkeypatch.chdir(tmp_path)  # relative paths, as a user types them
    (tmp_path / "in.csv").write_text(content)
    result = runner.invoke(main, ["summarize", "in.csv", "-o", "out", *extra])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not os.path.exists("out")


def test_missing_ipd_file_and_usage_errors(runner, tmp_path):
    result = runner.invoke(main, ["summarize", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "expected an existing CSV file" in result.output
    assert runner.invoke(main, ["summarize", str(DEMO_IPD)]).exit_code == 2  # -o is required
    assert runner.invoke(main, ["summarize", str(DEMO_IPD), "-o", "x", "--time-unit", "hours"]).exit_code == 2


def test_parse_landmarks():
    assert parse_landmarks("6,12, 24") == (6.0, 12.0, 24.0)
    assert parse_landmarks("") == ()
    for bad in ("-1", "inf", "a,6", "nan"):
        with pytest.raises(InputError, match="expected comma-separated times >= 0"):
            parse_landmarks(bad)


def test_help_lists_the_command(runner):
    assert "summarize" in runner.invoke(main, ["--help"]).output
    assert "--landmarks" in runner.invoke(main, ["summarize", "--help"]).output


def test_all_censored_ipd_is_summarized_without_log_rank(runner, tmp_path):
    """Regression: every patient censored aborted with the log-rank error (exit 2); N, KM, RMST are defined."""
    path = tmp_path / "censored.csv"
    path.write_text("arm,time,event\nA,1,0\nA,2,0\nB,1,0\nB,3,0\n")
    out = tmp_path / "out"
    result = runner.invoke(main, ["summarize", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "log-rank test not estimable" in result.output  # the warning, on stderr
    assert "B vs A: HR not estimable; log-rank p=NE" in result.output
    data = json.loads((out / "summary.json").read_text())["summary"]
    (contrast,) = data["contrasts"]
    assert contrast["hazard_ratio"] is None
    assert contrast["logrank"] is None
    assert "all observations censored" in contrast["note"]
    assert data["logrank_all"] is None
    assert [a["n"] for a in data["arms"]] == [2, 2]
    assert data["arms"][0]["rmst"]["rmst"] == pytest.approx(2.0)  # S = 1 up to tau = 2
    assert "| B vs A | NE | NE | NE | NE |" in (out / "report.md").read_text()
