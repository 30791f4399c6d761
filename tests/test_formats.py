"""Users' files: WebPlotDigitizer exports and the inputs of IPDfromKM, reconstructKM and survHE."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from kmrecon.cli import main
from kmrecon.commands.demo import demo_file
from reconstruct import reconstruct_files
from reconstruct.errors import InputError
from reconstruct.formats import detect_format, read_at_risk, read_curves

HERE = Path(__file__).parent / "formats"


@pytest.mark.parametrize(("name", "fmt", "arms", "first"), [
    pytest.param("Control.csv", "wpd-csv", {"Control": 5}, (1.0, 0.95), id="wpd-csv"),
    pytest.param("decimal_comma.csv", "wpd-csv", {"decimal_comma": 4}, (1.0, 0.95), id="wpd-csv-comma"),
    pytest.param("wpd_datasets.csv", "wpd-wide-csv", {"Control": 4, "Experimental": 3}, (1.0, 0.95), id="wide"),
    pytest.param("wpd.json", "wpd-json", {"Control": 3, "Experimental": 2}, (1.0, 0.975), id="json"),
    pytest.param("ipdfromkm_surv.csv", "ipdfromkm", {"ipdfromkm_surv": 3}, (1.2, 0.9), id="ipdfromkm"),
    pytest.param("reconstructkm_clicks.csv", "reconstructkm", {"reconstructkm_clicks": 3}, (1.2, 0.9),
                 id="reconstructkm"),
    pytest.param("survhe_survival.txt", "survhe", {"survhe_survival": 3}, (1.2, 0.9), id="survhe"),
])
def test_curve_formats_are_detected_and_read(name, fmt, arms, first):
    read = read_curves(HERE / name)
    assert read.format == fmt
    counts = read.frame.groupby("arm", sort=False).size().to_dict()
    assert counts == arms
    arm = next(iter(arms))
    rows = read.frame[read.frame["arm"] == arm]
    assert np.all(np.diff(rows["time"]) >= 0)  # clicks sorted by time
    assert tuple(rows.iloc[1][["time", "survival"]]) == pytest.approx(first, abs=1e-12)


@pytest.mark.parametrize(("name", "fmt"), [
    pytest.param("ipdfromkm_nrisk.csv", "ipdfromkm", id="ipdfromkm"),
    pytest.param("reconstructkm_nar.csv", "reconstructkm", id="reconstructkm"),
    pytest.param("survhe_nrisk.txt", "survhe", id="survhe"),
])
def test_one_arm_at_risk_tables(name, fmt):
    read = read_at_risk(HERE / name, arms=["A"])
    assert read.format == fmt
    assert read.frame.to_dict("list") == {"arm": ["A", "A"], "time": [0.0, 2.0], "n_risk": [20, 15]}
    with pytest.raises(InputError, match=r"expected a table with an arm column for the 2 arms"):
        read_at_risk(HERE / name, arms=["A", "B"])


def test_ambiguous_file_names_the_candidates_and_format_overrides():
    with pytest.raises(InputError, match=r"ambiguous.csv: expected one curves format, got a file that fits "
                                         r"several: ipdfromkm, reconstructkm; pass --format"):
        detect_format(HERE / "ambiguous.csv")
    assert read_curves(HERE / "ambiguous.csv", format="reconstructkm").format == "reconstructkm"


def test_other_json_is_refused_in_one_line(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"points": []}')
    with pytest.raises(InputError, match=r"expected a curves file in one of the formats kmrecon, wpd-csv"):
        read_curves(path)
    path.write_text('{"wpd": {"version": [3, 8], "dataSeries": []}}')
    with pytest.raises(InputError, match=r"expected a WebPlotDigitizer 4 project"):
        read_curves(path)


def _demo():
    curves = pd.read_csv(demo_file("curves.csv"))
    return curves, {arm: g for arm, g in curves.groupby("arm", sort=False)}


def _write_wide(path, arms):
    names = ",".join(f"{a}," for a in arms)
    longest = max(len(g) for g in arms.values())
    lines = [names, ",".join(["X,Y"] * len(arms))]
    for i in range(longest):
        cells = []
        for g in arms.values():
            # WebPlotDigitizer's clicks come in any order: reversed here
            rows = g.iloc[::-1]
            t, s = (float(rows["time"].iat[i]), float(rows["survival"].iat[i])) if i < len(g) else (None, None)
            cells += [repr(t), repr(s)] if t is not None else ["", ""]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")


def _write_json(path, arms):
    data = {"version": [4, 2], "axesColl": [{"name": "XY", "type": "XYAxes", "isLogX": False, "isLogY": False,
                                             "calibrationPoints": []}],
            "datasetColl": [{"name": arm, "axesName": "XY", "metadataKeys": [], "colorRGB": [0, 0, 0, 255],
                             "data": [{"x": 0, "y": 0, "value": [t, s]} for t, s in zip(g["time"], g["survival"],
                                                                                        strict=True)],
                             "autoDetectionData": None} for arm, g in arms.items()],
            "measurementColl": []}
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("fmt", ["wpd-wide-csv", "wpd-json"])
def test_the_same_curves_in_another_format_give_the_same_ipd(tmp_path, fmt):
    _, arms = _demo()
    path = tmp_path / ("all.csv" if fmt == "wpd-wide-csv" else "wpd.json")
    (_write_wide if fmt == "wpd-wide-csv" else _write_json)(path, arms)
    ours = reconstruct_files(demo_file("curves.csv"), demo_file("at_risk.csv"), precision=1e-4)
    theirs = reconstruct_files(path, demo_file("at_risk.csv"), precision=1e-4)
    assert theirs.provenance["input_formats"] == {"curves": fmt, "at_risk": "kmrecon"}
    for a, b in zip(ours.arms, theirs.arms, strict=True):
        assert a.arm == b.arm
        assert a.n_events == b.n_events
        assert_allclose(np.sort(a.time), np.sort(b.time), rtol=0, atol=1e-12)


def test_cli_reads_a_webplotdigitizer_export_and_one_arm_tables_and_names_them(tmp_path):
    _, arms = _demo()
    arm = arms["Experimental"]
    single = tmp_path / "Experimental.csv"  # WebPlotDigitizer names the download after the dataset
    points = zip(arm["time"], arm["survival"], strict=True)
    single.write_text("".join(f"{float(t)!r}, {float(s)!r}\n" for t, s in points))
    table = pd.read_csv(demo_file("at_risk.csv"))
    nar = tmp_path / "nar.csv"
    table[table["arm"] == "Experimental"].rename(columns={"n_risk": "NAR"})[["time", "NAR"]].to_csv(nar, index=False)
    out = tmp_path / "ipd.csv"
    result = CliRunner().invoke(main, ["reconstruct", str(single), "--at-risk", str(nar), "-o", str(out),
                                       "--precision", "1e-4"])
    assert result.exit_code == 0, result.output
    assert "as wpd-csv" in result.output
    assert "as reconstructkm" in result.output
    sidecar = json.loads((tmp_path / "ipd.json").read_text())
    assert sidecar["input_formats"] == {"curves": "wpd-csv", "at_risk": "reconstructkm"}
    ipd = pd.read_csv(out)
    truth = pd.read_csv(demo_file("true_ipd.csv"))
    assert set(ipd["arm"]) == {"Experimental"}
    assert len(ipd) == int((truth["arm"] == "Experimental").sum())
    assert int(ipd["event"].sum()) == int(truth.loc[truth["arm"] == "Experimental", "event"].sum())


def test_cli_ambiguous_file_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["reconstruct", str(HERE / "ambiguous.csv"), "-o", str(tmp_path / "i.csv"),
                                       "--n", "ambiguous=10"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "fits several: ipdfromkm, reconstructkm; pass --format" in result.output
    forced = CliRunner().invoke(main, ["reconstruct", str(HERE / "ambiguous.csv"), "--format", "ipdfromkm",
                                       "-o", str(tmp_path / "i.csv"), "--n", "ambiguous=10"])
    assert forced.exit_code == 0, forced.output
    assert json.loads((tmp_path / "i.json").read_text())["input_formats"]["curves"] == "ipdfromkm"
