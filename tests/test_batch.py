"""``kmrecon batch``: collecting figures, failures that do not stop a batch, resume, parallel and Dask runs."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kmrecon.cli import main
from kmrecon.batch import BatchItem, collect_batch, run_batch
from kmrecon.run_outputs import RUN_OUTPUTS
from kmrecon.synthetic_figures import generate_figure
from reconstruct.errors import InputError

FIGURES = (("risk_table", 1), ("risk_table", 2))


@pytest.fixture(scope="module")
def figure_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures")
    for style, seed in FIGURES:
        gen = generate_figure(style, seed)
        (folder / f"{style}_{seed}{gen.suffix}").write_bytes(gen.image_bytes)
    (folder / "truncated.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "notes.txt").write_text("not a figure")
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_collect_from_folder_and_list(tmp_path, figure_dir):
    items = collect_batch(figure_dir)
    assert [i.name for i in items] == ["risk_table_1", "risk_table_2", "truncated"]
    listing = tmp_path / "list.txt"
    listing.write_text(f"# figures\n{figure_dir / 'risk_table_1.png'}\n\n{figure_dir / 'risk_table_1.png'}\n")
    assert [i.name for i in collect_batch(listing)] == ["risk_table_1", "risk_table_1-2"]
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "risk_table_2.csv").write_text("arm,time,n_risk\nA,0,10\n")
    with_tables = {i.name: i.at_risk for i in collect_batch(figure_dir, at_risk_dir=tables)}
    assert with_tables["risk_table_1"] is None and with_tables["risk_table_2"].endswith("risk_table_2.csv")


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d: d / "absent", "expected a folder of figures or a text file"),
        (lambda d: d, "expected at least one figure"),
    ],
)
def test_collect_errors(tmp_path, make, match):
    with pytest.raises(InputError, match=match):
        collect_batch(make(tmp_path))


def test_list_naming_a_missing_file(tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("absent.png\n")
    with pytest.raises(InputError, match=r"list.txt:1: expected an existing figure file"):
        collect_batch(listing)


def test_failures_do_not_stop_the_batch_and_resume_skips_done(tmp_path, figure_dir):
    out = tmp_path / "out"
    report = run_batch(collect_batch(figure_dir), out)
    assert report.counts == {"done": 2, "failed": 1, "skipped": 0}
    summary = pd.read_csv(out / "batch_summary.csv", keep_default_na=False)
    assert summary["status"].tolist() == ["done", "done", "failed"]
    assert "truncated.png: expected a PNG, JPEG, TIFF or BMP image" in summary["error"].iloc[2]
    assert summary["n"].iloc[0] == "85;85"
    assert not (out / "truncated").exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
    with pytest.raises(InputError, match="pass --resume or --force"):
        run_batch(collect_batch(figure_dir), out)
    before = _tree(out / "risk_table_1")
    again = run_batch(collect_batch(figure_dir), out, resume=True)
    assert again.counts == {"done": 0, "failed": 1, "skipped": 2}
    assert _tree(out / "risk_table_1") == before
    resumed = pd.read_csv(out / "batch_summary.csv", keep_default_na=False)
    assert resumed[["n", "events", "median"]].equals(summary[["n", "events", "median"]])


def test_two_workers_and_dask_give_identical_bytes(tmp_path, figure_dir):
    distributed = pytest.importorskip("distributed")
    items = [i for i in collect_batch(figure_dir) if i.name != "truncated"]
    run_batch(items, tmp_path / "serial")
    run_batch(items, tmp_path / "pool", jobs=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            report = run_batch(items, tmp_path / "dask", scheduler=client)
    assert report.counts["done"] == len(items)
    serial = _tree(tmp_path / "serial")
    assert len(serial) == 1 + len(RUN_OUTPUTS) * len(items)
    assert _tree(tmp_path / "pool") == serial
    assert _tree(tmp_path / "dask") == serial
    assert not filecmp.dircmp(tmp_path / "serial", tmp_path / "dask").diff_files


def test_batch_command(tmp_path, figure_dir):
    result = CliRunner().invoke(main, ["batch", str(figure_dir), "-o", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "2 done, 1 failed, 0 skipped" in result.output
    index = (tmp_path / "o" / "report.html").read_text()  # every figure, its status, each failure's message
    assert "2 done, 1 failed, 0 skipped" in index
    assert index.count('class="done">done</td>') == 2
    assert index.count('class="failed">failed</td>') == 1
    assert index.count("/report.html\">") == 2  # links to the figures' own self-contained reports
    bad = CliRunner().invoke(main, ["batch", str(tmp_path / "nothing"), "-o", str(tmp_path / "o2")])
    assert bad.exit_code == 2
    assert "expected a folder of figures" in bad.output


def test_batch_item_is_plain_data():
    item = BatchItem(name="a", figure="a.png")
    assert item.at_risk is None


def test_summary_columns_say_whether_the_reading_is_flagged(tmp_path):
    """``reading`` comes from summary.json's ``uncertainty.reading.status``; empty when not assessed."""
    import json

    from kmrecon.batch_intervals import INTERVAL_COLUMNS, interval_columns

    arm = {"median": {"conf_low": 5.0, "conf_high": 9.0, "reconstruction": {"conf_low": 6.0, "conf_high": 8.0}}}
    summary = {"arms": [arm], "contrasts": [],
               "uncertainty": {"reading": {"status": "flagged", "arms": {"A": "fit score 0.5"}, "note": "..."}}}
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({"summary": summary}))
    columns = dict(interval_columns(path))
    assert tuple(columns) == INTERVAL_COLUMNS
    assert (columns["reading"], columns["median_ci"], columns["median_reconstruction"]) == (
        "flagged", "5 to 9", "6 to 8")
    del summary["uncertainty"]
    path.write_text(json.dumps({"summary": summary}))
    assert dict(interval_columns(path))["reading"] == ""
