"""``kmrecon compare``: tables a person reads (comparison.md, report.html), pooling only like arms."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from compare.registry.loader import default_registry_path
from kmrecon.cli import main
from kmrecon.comparison_tables import flag_words, value_flag_words
from tests._browser import CHROMIUM, SKIP_REASON, render


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "out"
    result = CliRunner().invoke(main, ["compare", str(default_registry_path()), "-o", str(out),
                                       "--reference", "double_ia_001:ia_triple"])
    assert result.exit_code == 0, result.output
    return out


def _table(markdown: str, heading: str) -> list[list[str]]:
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines]


def test_orr_table_is_readable_and_pools_only_the_reference_class(compared):
    text = (compared / "comparison.md").read_text()
    rows = _table(text, "ORR")
    assert rows[0] == ["arm", "criterion", "x/n", "ORR % (95% CI)", "double_ia_001 minus arm, points (95% CI)",
                       "registry flag", "comparability"]
    by_arm = {r[0]: r for r in rows[2:]}
    # Clopper-Pearson and Newcombe values as in the README (R binom.test / DescTools BinomDiffCI "score")
    assert by_arm["double_ia_001: IA camrelizumab + HAIC-FOLFOX + sorafenib (reference) *"][2:4] == [
        "11/25", "44.0 (24.4-65.1)"]
    triplet = by_arm["triplet: HAIC-FOLFOX + IV camrelizumab + apatinib *"]
    assert triplet[2:6] == ["31/35", "88.6 (73.3-96.8)", "-44.6 (-63.2 to -20.7)", "unverified: check the source"]
    he = by_arm["he_2019: sorafenib + HAIC-FOLFOX (SoraHAIC) *"]
    assert he[6] == "criterion mRECIST vs RECIST 1.1; PVTT 72% vs 100%; unanchored"
    pooled = rows[-1]
    assert pooled[0] == "**Pooled haic arms** (k = 5, logit, REML)"
    assert pooled[3] == "**60.8 (41.6-77.2)**; I2 87%, tau2 0.66"
    starred = [r[0] for r in rows[2:-1] if r[0].endswith("*")]
    assert len(starred) == 5
    assert not any("sorafenib" == r.split(": ")[1].removesuffix(" *") for r in starred)
    assert "logit/DL 60.5 (43.2-75.5)" in text
    record = json.loads((compared / "comparison.json").read_text())
    assert record["parameters"]["pool_rule"] == "reference-class"
    assert record["results"]["binary"]["orr"]["meta"]["k"] == 5


def test_hazard_ratio_table_names_the_bucher_comparisons(compared):
    rows = _table((compared / "comparison.md").read_text(), "Hazard ratios, OS")
    assert rows[0] == ["comparison", "kind", "endpoint", "HR (95% CI)", "registry flag", "comparability"]
    assert ["he_2019: sora_haic vs imbrave150: atezo_bev, via sorafenib", "indirect (Bucher)", "OS",
            "0.60 (0.39-0.94)", "confirmed", "PVTT share not recorded"] in rows


def test_without_reference_or_pool_nothing_is_pooled(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(default_registry_path()), "-o", str(out),
                                       "--endpoint", "orr"])
    assert result.exit_code == 0, result.output
    text = (out / "comparison.md").read_text()
    assert "Nothing pooled" in text
    assert "Pooled" not in text.split("## ORR", 1)[1]
    assert not (out / "orr_meta.csv").exists()


def test_pool_class_option_pools_that_class(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(default_registry_path()), "-o", str(out),
                                       "--endpoint", "orr", "--pool-class", "io_vegf"])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "comparison.json").read_text())
    assert record["parameters"]["pool"] == ["cares_310:cam_riv", "imbrave150:atezo_bev"]
    bad = CliRunner().invoke(main, ["compare", str(default_registry_path()), "-o", str(tmp_path / "b"),
                                    "--pool-class", "chemo"])
    assert bad.exit_code == 2
    assert bad.output.count("\n") == 1
    assert "io_vegf" in bad.output


@pytest.mark.parametrize(("flag", "detail", "words"), [
    pytest.param("reference", "", "", id="reference"),
    pytest.param("criterion;unanchored", "criterion mRECIST vs RECIST 1.1; different trials (a, b); no shared "
                 "randomized comparator", "criterion mRECIST vs RECIST 1.1; unanchored", id="criterion"),
    pytest.param("population", "bclc_c 50% vs 90% (spread > 20 points)", "BCLC C 50% vs 90%", id="population"),
    pytest.param("population-unrecorded;no-counts", "pvtt share not recorded for x:y, z:w",
                 "PVTT share not recorded; no counts reported", id="unrecorded"),
])
def test_flag_words(flag, detail, words):
    assert flag_words(flag, detail) == words


def test_value_flag_words():
    assert value_flag_words("unverified") == "unverified: check the source"
    assert value_flag_words("confirmed+nf") == "confirmed, not found"


@pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)
def test_comparison_report_in_a_browser_fits_a_page(compared, tmp_path):
    page = (compared / "report.html").read_text()
    assert "http://" not in page
    assert "https://" not in page
    # 800 px window: the text column of an A4 portrait page at 96 dpi
    shown = render(compared / "report.html", tmp_path / "browser", width=800, height=1400)
    assert shown.console == []
    assert shown.probe["errors"] == []
    images = shown.probe["images"]
    assert len(images) == 4
    assert all(i["complete"] and i["w"] > 300 for i in images)
    tables = [t for t in shown.probe["tables"] if t["cls"] == "human"]
    assert len(tables) == 4
    assert all(t["width"] <= shown.probe["body"] for t in shown.probe["tables"])
    cells = re.findall(r"<td[^>]*>(.*?)</td>", shown.dom)
    assert "88.6 (73.3-96.8)" in cells
    assert "-44.6 (-63.2 to -20.7)" in cells
    assert "<strong>60.8 (41.6-77.2)</strong>; I2 87%, tau2 0.66" in cells
