"""Report figures (assertions on artists) and the report writer (file contents, atomic no-overwrite)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from kmrecon.ipd_report import IPDReportFiles, format_ipd_summary, render_png, write_ipd_report
from compare.survival.ipd_summary import summarize_ipd
from figures.km_plot import RISK_TABLE_GID
from figures.fit_plot import DIGITIZED_GID, plot_digitized_vs_reconstructed, plot_reconstructed_km
from reconstruct.io import provenance
from reconstruct.errors import InputError, OutputExistsError
from tests.conftest import REFERENCE, REPO

DEMO_IPD = REFERENCE / "data" / "demo_reconstructed_ipd.csv"
DEMO_CURVES = REPO / "kmrecon" / "demo_data" / "curves.csv"


@pytest.fixture(scope="module")
def ipd():
    return pd.read_csv(DEMO_IPD)


@pytest.fixture(scope="module")
def summary(ipd):
    return summarize_ipd(ipd)


@pytest.fixture(scope="module")
def curves():
    return pd.read_csv(DEMO_CURVES)


@pytest.fixture
def record():
    return provenance(inputs={"ipd": DEMO_IPD}, parameters={"landmarks": [6, 12, 24]}, command="test")


def _axes():
    return Figure().subplots()


# --------------------------------------------------------------------------- plots


def test_reconstructed_km_draws_every_arm_with_band_marks_and_table(summary):
    ax = _axes()
    out = plot_reconstructed_km(summary, ax=ax, risk_table_times=[0, 6, 12, 18])
    assert out is ax
    steps = [line for line in ax.lines if line.get_label() in ("Control", "Experimental")]
    assert [line.get_label() for line in steps] == ["Control", "Experimental"]
    for line in steps:
        km = summary[line.get_label()].km
        assert line.get_drawstyle() == "steps-post"
        np.testing.assert_array_equal(line.get_xdata(), np.concatenate(([0.0], km.time)))
        np.testing.assert_array_equal(line.get_ydata(), np.concatenate(([1.0], km.survival)))
    marks = [line for line in ax.lines if line.get_marker() == "|"]
    assert len(marks) == 2
    assert sum(len(m.get_xdata()) for m in marks) == sum(int((a.km.n_censored > 0).sum()) for a in summary.arms)
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2
    table = [t.get_text() for t in ax.texts if t.get_gid() == RISK_TABLE_GID]
    expected = [str(n) for a in summary.arms for n in a.km.at_risk([0, 6, 12, 18])]
    assert table == ["Number at risk", "Control", *expected[:4], "Experimental", *expected[4:]]
    assert expected[:4] == ["50", "26", "11", "3"]
    assert ax.get_xlabel() == "Time (months)"
    end = summary["Experimental"].last_follow_up
    assert ax.get_xlim() == (pytest.approx(-0.04 * end), pytest.approx(1.01 * end))


def test_reconstructed_km_from_a_mapping_uses_the_axis_ticks(summary):
    ax = plot_reconstructed_km(summary.kms, ci=False)
    assert ax.get_xlabel() == "Time"
    assert not any(isinstance(c, PolyCollection) for c in ax.collections)
    columns = [t for t in ax.texts if t.get_gid() == RISK_TABLE_GID and t.get_text().isdigit()]
    ticks = [t for t in ax.get_xticks() if 0 <= t <= ax.get_xlim()[1]]
    assert len(columns) == 2 * len(ticks)
    assert {c.get_position()[0] for c in columns} == set(ticks)


@pytest.mark.parametrize("bad", [{}, [1, 2], None])
def test_reconstructed_km_rejects_other_inputs(bad):
    with pytest.raises(InputError, match="summary_or_kms must"):
        plot_reconstructed_km(bad)


def test_digitized_points_overlay_the_reconstruction(summary, curves):
    ax = plot_digitized_vs_reconstructed(curves, summary, ax=_axes())
    by_label = {line.get_label(): line for line in ax.lines}
    for arm in ("Control", "Experimental"):
        points, step = by_label[f"{arm} digitized"], by_label[f"{arm} reconstructed"]
        rows = curves[curves["arm"] == arm]
        assert points.get_gid() == DIGITIZED_GID
        assert points.get_linestyle() == "None"
        np.testing.assert_array_equal(points.get_xydata(), rows[["time", "survival"]].to_numpy())
        assert points.get_color() == step.get_color()
        assert step.get_drawstyle() == "steps-post"
    assert ax.get_xlabel() == "Time (months)"


def test_digitized_overlay_refuses_arms_without_reconstruction(summary):
    curves = pd.DataFrame({"arm": ["Other"], "time": [0.0], "survival": [1.0]})
    with pytest.raises(InputError, match=r"got \['Other'\] without a reconstruction"):
        plot_digitized_vs_reconstructed(curves, summary)
    with pytest.raises(InputError, match="columns arm, time, survival"):
        plot_digitized_vs_reconstructed(curves.drop(columns="survival"), summary)


def test_render_png_is_deterministic(summary):
    first = render_png(lambda ax: plot_reconstructed_km(summary, ax=ax))
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert render_png(lambda ax: plot_reconstructed_km(summary, ax=ax)) == first


# --------------------------------------------------------------------------- report files


def test_report_files_and_contents(tmp_path, summary, ipd, curves, record):
    files = write_ipd_report(summary, tmp_path / "rep", ipd=ipd, curves=curves, provenance=record)
    assert isinstance(files, IPDReportFiles)
    assert sorted(p.name for p in (tmp_path / "rep").iterdir()) == ["fit.png", "km.png", "report.md", "summary.json"]
    for png in (files.km_png, files.fit_png):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(files.summary_json.read_text())
    assert data["provenance"]["inputs"]["ipd"]["sha256"] == record["inputs"]["ipd"]["sha256"]
    assert data["summary"]["time_unit"] == "months"
    assert data["summary"]["reference"] == "Control"
    control = data["summary"]["arms"][0]
    assert control["median"]["time"] == pytest.approx(7.640982, rel=1e-12)
    assert control["landmarks"][2] == {"time": 24.0, "survival": None, "std_err": None, "conf_low": None,
                                       "conf_high": None, "n_at_risk": 0, "beyond_follow_up": True}
    assert data["summary"]["arms"][1]["median"]["conf_high"] is None  # upper limit not reached
    assert data["files"] == {"report": "report.md", "km": "km.png", "fit": "fit.png", "overlay": None}
    text = files.report_md.read_text()
    for expected in [
        "| Control | 50 | 41 | 9 | 20.43 | 7.64 (4.76 to 9.25) | 8.45 (6.70 to 10.20) |",
        "| Experimental | 25 | 15 | 10 | 21.29 | 10.48 (4.71 to NR) | 11.34 (8.43 to 14.25) |",
        "| Control | 0.555 (0.407 to 0.681) | 0.235 (0.127 to 0.362) | NE (beyond follow-up, last 20.43) |",
        "| Experimental vs Control | 0.60 (0.33 to 1.09) | 0.093 | 2.875 (1) | 0.090 | 2.89 (-0.50 to 6.29) | 0.095 |",
        "RMST to 20.43 months (95% CI)",
        "tau = 20.4275 months (smallest last follow-up time among the arms)",
        "![Reconstructed KM](km.png)", "![Digitized vs reconstructed](fit.png)",
        "Guyot P, Ades AE", "Brookmeyer R, Crowley J", "Efron B.", "ties = \"efron\"",
        "**reconstructed**", "unanchored", f"sha256 `{record['inputs']['ipd']['sha256']}`",
    ]:
        assert expected in text, expected


def test_without_curves_no_fit_figure(tmp_path, summary, ipd, record):
    files = write_ipd_report(summary, tmp_path, ipd=ipd, provenance=record)
    assert files.fit_png is None
    assert not (tmp_path / "fit.png").exists()
    assert "fit.png" not in files.report_md.read_text()


def test_warnings_are_a_section_of_the_report_not_only_stderr(tmp_path, summary, ipd, record):
    from kmrecon.html_report import write_run_html

    warning = "Arm B: the KM of the reconstruction is up to 0.061 from the curve; the table and the curve disagree"
    files = write_ipd_report(summary, tmp_path / "w", ipd=ipd, provenance=record, warnings=[warning])
    text = files.report_md.read_text()
    assert text.index("## Warnings") < text.index("## Per arm")
    assert f"- {warning}" in text
    assert json.loads(files.summary_json.read_text())["warnings"] == [warning]
    (tmp_path / "w" / "run.json").write_text(json.dumps({"warnings": [warning]}))
    page = write_run_html(tmp_path / "w").read_text()
    assert page.count("0.061 from the curve") == 1
    quiet = write_ipd_report(summary, tmp_path / "q", ipd=ipd, provenance=record)
    assert "## Warnings" not in quiet.report_md.read_text()
    assert json.loads(quiet.summary_json.read_text())["warnings"] == []


def test_table_notes_name_the_cells_not_read(tmp_path, summary, ipd, record):
    note = "Drug: at-risk cell(s) not read at time(s) 18; continued with the cells read"
    files = write_ipd_report(summary, tmp_path, ipd=ipd, provenance=record, table_notes=[note])
    assert f"- Note: {note}." in files.report_md.read_text()
    assert note in json.loads(files.summary_json.read_text())["notes"]
    both = write_ipd_report(summary, tmp_path / "both", ipd=ipd, provenance=record, table_notes=[note],
                            warnings=[note])
    assert both.report_md.read_text().count("at-risk cell(s) not read at time(s) 18") == 1


def test_overlay_link_unanchored_and_data_note(tmp_path, summary, ipd, record):
    overlay = tmp_path / "digitize" / "overlay.png"
    overlay.parent.mkdir()
    overlay.write_bytes(b"\x89PNG\r\n\x1a\n")
    files = write_ipd_report(summary, tmp_path / "report", ipd=ipd, overlay_png=overlay, provenance=record,
                             unanchored=True, data_note="SIMULATED data")
    text = files.report_md.read_text()
    assert "[../digitize/overlay.png](../digitize/overlay.png)" in text
    assert "every comparison is **unanchored**" in text
    assert "> **SIMULATED data**" in text
    data = json.loads(files.summary_json.read_text())
    assert data["unanchored"] is True
    assert data["files"]["overlay"] == "../digitize/overlay.png"
    with pytest.raises(InputError, match="overlay_png must be an existing image file"):
        write_ipd_report(summary, tmp_path / "other", ipd=ipd, overlay_png=tmp_path / "none.png", provenance=record)


def test_refuses_to_overwrite_and_writes_nothing(tmp_path, summary, ipd, record):
    (tmp_path / "report.md").write_text("keep me")
    with pytest.raises(OutputExistsError, match="expected a new output file"):
        write_ipd_report(summary, tmp_path, ipd=ipd, provenance=record)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]
    assert (tmp_path / "report.md").read_text() == "keep me"
    write_ipd_report(summary, tmp_path, ipd=ipd, provenance=record, force=True)
    assert (tmp_path / "report.md").read_text().startswith("# Survival summary")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_identical_runs_write_identical_bytes(tmp_path, summary, ipd, record):
    a = write_ipd_report(summary, tmp_path / "a", ipd=ipd, provenance=record)
    b = write_ipd_report(summary, tmp_path / "b", ipd=ipd, provenance=record)
    for name in ("summary_json", "report_md", "km_png"):
        assert getattr(a, name).read_bytes() == getattr(b, name).read_bytes(), name


def test_ipd_must_match_the_summary(tmp_path, summary, ipd, record):
    with pytest.raises(InputError, match=r"ipd must be the data the summary was computed from"):
        write_ipd_report(summary, tmp_path, ipd=ipd.iloc[1:], provenance=record)
    with pytest.raises(InputError, match="summary must be an IPDSummary"):
        write_ipd_report({"arms": []}, tmp_path, ipd=ipd, provenance=record)
    assert not list(tmp_path.iterdir())


def test_percent_curves_are_read_as_proportions(tmp_path, summary, ipd, curves, record):
    percent = curves.assign(survival=curves["survival"] * 100)
    files = write_ipd_report(summary, tmp_path, ipd=ipd, curves=percent, provenance=record)
    assert "Note: digitized survival read as percent." in files.report_md.read_text()
    assert json.loads(files.summary_json.read_text())["notes"] == ["digitized survival read as percent"]


def test_three_arm_report_lists_each_contrast_and_the_overall_test(tmp_path, record):
    ipd3 = pd.read_csv(REFERENCE / "data" / "pooled3.csv")
    summary3 = summarize_ipd(ipd3)
    text = write_ipd_report(summary3, tmp_path, ipd=ipd3, provenance=record).report_md.read_text()
    assert "| trial2 vs trial1 |" in text
    assert "| trial3 vs trial1 |" in text
    assert f"Log-rank test across all 3 arms: chi2 = {summary3.logrank_all.statistic:.3f} on 2 df" in text


def test_terminal_lines(summary):
    lines = format_ipd_summary(summary).splitlines()
    assert lines == [
        "  Control: n=50, events=41, median 7.64 (4.76 to 9.25) months (95% CI, Brookmeyer-Crowley)",
        "  Experimental: n=25, events=15, median 10.48 (4.71 to NR) months (95% CI, Brookmeyer-Crowley)",
        "  Experimental vs Control: HR 0.60 (0.33 to 1.09) (95% CI, Cox Efron), p=0.093; log-rank p=0.090",
    ]


def test_importing_the_report_layer_does_not_load_opencv():
    code = ("import sys, compare.survival.ipd_summary, kmrecon.ipd_report, figures.fit_plot, kmrecon.commands.summarize; "
            "print('cv2' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "False"
