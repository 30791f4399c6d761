"""report.html: one self-contained file per run and batch, rendered in headless chromium."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from kmrecon.batch import BatchOutcome
from kmrecon.cli import main
from kmrecon.commands.demo import demo_file
from kmrecon.html_report import interval_rows, markdown_to_html, write_batch_index, write_run_html
from tests._browser import CHROMIUM, SKIP_REASON, render

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a3f0b40000000049454e44ae426082"
)


def test_markdown_subset_is_escaped_and_images_are_inlined():
    text = ("# Title <b>\n\n> **note** & more\n\n| Arm | N |\n|---|---|\n| A\\|B <script> | 12 |\n\n"
            "- one `x<y`\n- two\n\n![KM](km.png)\n\nsee [overlay](overlay.png) and [site](https://example.org)\n")
    out = markdown_to_html(text, image=lambda t: "data:image/png;base64,AAAA" if t == "km.png" else None)
    assert "<h1>Title &lt;b&gt;</h1>" in out
    assert "<blockquote><strong>note</strong> &amp; more</blockquote>" in out
    assert "<td>A|B &lt;script&gt;</td>" in out
    assert '<td class="num">12</td>' in out
    assert "<li>one <code>x&lt;y</code></li><li>two</li>" in out
    assert out.count('<img src="data:image/png;base64,AAAA"') == 1
    assert '<a href="overlay.png">overlay</a>' in out  # missing image: stays a link
    assert "<script>" not in out


def test_interval_rows_find_reconstruction_and_total_wherever_they_appear():
    summary = {"arms": [{"arm": "A", "median": {"time": 7.0, "reconstruction": [6.1, 8.2],
                                                 "total": {"conf_low": 5.0, "conf_high": 9.5}}},
                        {"arm": "B", "median": {"time": 9.0}}],
               "contrasts": [{"arm": "B", "reference": "A", "hazard_ratio": {"hazard_ratio": 0.7,
                                                                              "reconstruction": [0.6, 0.8]}}]}
    rows = interval_rows(summary)
    assert ("A / median", "reconstruction", "6.1 to 8.2") in rows
    assert ("A / median", "total", "conf_low 5, conf_high 9.5") in rows
    assert ("B vs A / hazard_ratio", "reconstruction", "0.6 to 0.8") in rows
    assert len(rows) == 3
    assert interval_rows({"arms": [{"arm": "A", "median": {"time": 1.0}}]}) == []


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """``kmrecon run`` on the bundled (simulated) demo figure, no hints."""
    out = tmp_path_factory.mktemp("run") / "out"
    result = CliRunner().invoke(main, ["run", str(demo_file("figure.png")), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_a_self_contained_report(run_dir):
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 3
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in page
    assert "https://" not in page
    assert "<script" not in page
    for heading in ("Per arm", "Survival at landmark times", "Between arms", "Warnings", "Provenance", "Caveats"):
        assert heading in page


def test_run_report_shows_intervals_added_to_summary(run_dir, tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    for path in run_dir.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    record = json.loads((folder / "summary.json").read_text())
    record["summary"]["arms"][0]["median"]["reconstruction"] = [4.25, 9.75]
    (folder / "summary.json").write_text(json.dumps(record))
    write_run_html(folder, force=True)
    page = (folder / "report.html").read_text()
    assert "Reconstruction intervals" in page
    assert "4.25 to 9.75" in page


@needs_chromium
def test_run_report_in_a_browser(run_dir, tmp_path):
    summary = json.loads((run_dir / "summary.json").read_text())["summary"]
    shown = render(run_dir / "report.html", tmp_path / "browser")
    assert shown.console == []
    assert shown.probe["errors"] == []
    images = shown.probe["images"]
    assert len(images) == 3
    assert all(i["complete"] and i["w"] > 100 and i["h"] > 100 for i in images)
    assert len(shown.probe["tables"]) >= 3
    cells = re.findall(r"<td[^>]*>(.*?)</td>", shown.dom)
    for arm in summary["arms"]:
        assert arm["arm"] in cells
        assert str(arm["n"]) in cells
        assert str(arm["events"]) in cells
        med = arm["median"]
        assert any(c.startswith(f"{med['time']:.2f} (") for c in cells)
    hr = summary["contrasts"][0]["hazard_ratio"]
    assert f"{hr['hazard_ratio']:.2f} ({hr['conf_low']:.2f} to {hr['conf_high']:.2f})" in cells
    assert shown.screenshot.is_file()
    assert shown.screenshot.stat().st_size > 20_000


@pytest.mark.parametrize("with_browser", [pytest.param(False, id="html"),
                                          pytest.param(True, id="browser", marks=needs_chromium)])
def test_batch_index_lists_every_figure_with_status_and_failure(tmp_path, with_browser):
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "report.html").write_text("<html></html>")
    outcomes = [
        BatchOutcome("good", "figs/good.png", "done", arms=("A", "B"), n=(50, 25), events=(40, 15),
                     median=(7.61, float("nan"))),
        BatchOutcome("bad", "figs/bad.png", "failed", error="figs/bad.png: expected a KM plot, got <none>"),
        BatchOutcome("old", "figs/old.png", "skipped", arms=("A",), n=(10,), events=(3,), median=(4.0,)),
    ]
    write_batch_index(outcomes, tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert '<a href="good/report.html">good</a>' in page
    assert "1 done, 1 failed, 1 skipped" in page
    assert "A (n 50, events 40); B (n 25, events 15)" in page
    assert "7.61, NR" in page
    assert page.count("expected a KM plot, got &lt;none&gt;") == 2  # in the table and the failure list
    if with_browser:
        shown = render(tmp_path / "report.html", tmp_path / "browser")
        assert shown.console == []
        assert shown.probe["errors"] == []
        rows = re.findall(r"<tr>(.*?)</tr>", shown.dom, re.S)
        assert len(rows) == 4  # header + three figures
        assert re.search(r'class="failed">failed</td>', shown.dom)
