"""``kmrecon digitize`` through click's runner, and the digitizer on ../shared/km-corpus (skipped when absent)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kmrecon.cli import main
from kmrecon.synthetic_figures import ArmTruth, curve_mae, generate_figure
from reconstruct.io import read_curves_csv, sha256_file
from reconstruct.simulate import km_step_points

SEED = 20240101


@pytest.fixture
def figure_path(tmp_path):
    fig = generate_figure("percent", SEED)
    path = tmp_path / f"figure{fig.suffix}"
    path.write_bytes(fig.image_bytes)
    return path, fig.truth


def test_digitize_writes_all_outputs(figure_path, tmp_path):
    path, truth = figure_path
    out = tmp_path / "out"
    args = ["digitize", str(path), "-o", str(out), "--x-range", *map(str, truth.x_range),
            "--y-range", *map(str, truth.y_range)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    curves = read_curves_csv(out / "curves.csv")
    assert set(curves["arm"]) == {"Arm A", "Arm B"}  # named by the legend labels read
    assert curves["survival"].between(0, 1).all()  # percent axis reported as proportions
    for arm in truth.arms:
        best = min(curve_mae(arm, g["time"].to_numpy(), g["survival"].to_numpy(), t_max=truth.x_limits[1])
                   for _, g in curves.groupby("arm"))
        assert best <= 0.01
    marks = pd.read_csv(out / "censor_marks.csv")
    assert list(marks.columns) == ["arm", "time", "survival"]
    assert len(marks) > 0
    record = json.loads((out / "digitize.json").read_text())
    assert record["y_unit"] == "percent"
    assert record["calibration"]["x"]["source"] == "hint"
    assert record["provenance"]["inputs"]["figure"]["sha256"] == sha256_file(path)
    assert sorted(a["label"] for a in record["arms"]) == ["Arm A", "Arm B"]
    assert (out / "overlay.png").read_bytes()[:4] == b"\x89PNG"
    assert "wrote curves.csv" in result.output


def test_digitize_refuses_to_overwrite_without_force(figure_path, tmp_path):
    path, truth = figure_path
    out = tmp_path / "out"
    args = ["digitize", str(path), "-o", str(out), "--x-range", *map(str, truth.x_range), "--y-range", "0", "100"]
    assert CliRunner().invoke(main, args).exit_code == 0
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2
    assert "--force" in again.output
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0


def test_digitize_bad_inputs_exit_2(tmp_path, figure_path):
    path, _ = figure_path
    missing = CliRunner().invoke(main, ["digitize", str(tmp_path / "none.png"), "-o", str(tmp_path / "o")])
    assert missing.exit_code == 2
    assert "missing path" in missing.output
    reversed_range = CliRunner().invoke(main, ["digitize", str(path), "-o", str(tmp_path / "o"), "--x-range", "5", "0"])
    assert reversed_range.exit_code == 2
    assert "A < B" in reversed_range.output


# ----------------------------------------------------------------------------- km-corpus


def _km(frame: pd.DataFrame, duration: str, event: str) -> ArmTruth:
    st, ss = km_step_points(frame[duration].to_numpy(float), frame[event].to_numpy(int))
    empty = np.empty(0)
    return ArmTruth("", "", "-", empty, empty, st, ss, empty, empty)


@pytest.mark.shared
def test_km_corpus_ggsurvfit_colon_by_surgery(shared_dir):
    from reconstruct.digitize.figure import digitize_figure

    corpus = shared_dir / "km-corpus"
    image = corpus / "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-4-1.png"
    if not image.is_file():
        pytest.skip("km-corpus image absent")
    result = digitize_figure(image)  # no hints: tick labels read by OCR
    colon = pd.read_csv(corpus / "ggsurvfit/data/df_colon.csv")
    truths = [_km(group, "time", "status") for _, group in colon.groupby("surg")]
    assert len(result.arms) == 2
    t_max = float(result.x_calibration.to_value(result.panel[3]))
    for truth in truths:
        best = min(curve_mae(truth, a.time, a.survival, t_max=t_max) for a in result.arms)
        assert best <= 0.02  # the bar for real figures
