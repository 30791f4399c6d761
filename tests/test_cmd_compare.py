"""Tests of the comparison layer: like-for-unlike checks (compare.indirect.comparability), the tables
(compare.indirect.comparison, compare.indirect.survival_comparison), the forest plots (figures.forest) and ``kmrecon compare``.

Numbers inside the tables are checked against the already R-validated functions (compare.response.proportions,
compare.response.meta_analysis, compare.indirect.bucher), exactly: the tables must hold those results, not recomputations.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

from compare.response.proportions import compare_proportions, response_rate
from compare.indirect.comparability import ArmSelection, PopulationThresholds, check_comparability, check_pool, enforce
from compare.indirect.bucher import bucher
from compare.survival.hazard_ratio import HazardRatio
from compare.response.meta_analysis import meta_proportions
from compare.registry.loader import default_registry_path, load_registry, parse_registry
from compare.indirect.comparison import build_comparison, frame_to_markdown
from compare.survival.ipd_summary import summarize_ipd
from figures.forest import plot_hazard_ratio_forest, plot_proportion_forest
from kmrecon.cli import main
from reconstruct.errors import ComparisonWarning, InputError

REPO = Path(__file__).resolve().parents[1]
HAIC = ["double_ia_001:ia_triple", "triplet:haic_cam_apa", "he_2019:sora_haic", "lai_2022:len_tor_haic",
        "lin_2024_wjg:haic_tki_pd1"]


@pytest.fixture(scope="module")
def hcc():
    return load_registry(default_registry_path())


def sel(reg, key, endpoint="orr", criterion="mRECIST", analysis="primary"):
    trial_id, arm_id = key.split(":")
    return ArmSelection(reg.trial(trial_id), reg.arm(trial_id, arm_id), endpoint, criterion, analysis)


# --------------------------------------------------------------------------- like-for-unlike checks


def test_mrecist_against_recist_is_unlike(hcc) -> None:
    res = check_comparability(sel(hcc, "double_ia_001:ia_triple"),
                              sel(hcc, "he_2019:sora_haic", criterion="RECIST 1.1"))
    assert res.unlike
    assert res.unanchored
    assert res.flag.split(";")[0] == "criterion"
    assert "criterion mRECIST vs RECIST 1.1" in res.details


def test_pfs_against_ttp_is_unlike(hcc) -> None:
    res = check_comparability(sel(hcc, "cares_310:cam_riv", "pfs", None), sel(hcc, "sharp:sorafenib", "ttp", None))
    assert "endpoint" in res.flag
    assert "endpoint PFS vs TTP" in res.details


def test_population_threshold_is_applied_to_shares(hcc) -> None:
    ref = sel(hcc, "double_ia_001:ia_triple")
    he = sel(hcc, "he_2019:sora_haic")  # PVTT 72% vs 100%: 28 points
    assert "population" in check_comparability(ref, he).flag.split(";")
    loose = check_comparability(ref, he, thresholds=PopulationThresholds(pvtt=0.30))
    assert "population" not in loose.flag.split(";")
    assert not loose.unlike
    imbrave = sel(hcc, "imbrave150:atezo_bev")  # BCLC C 100% vs 82%: within 20 points, PVTT unrecorded
    res = check_comparability(ref, imbrave)
    assert res.flag == "population-unrecorded;unanchored"
    assert not res.unlike


def test_like_arms_of_one_trial_have_no_flag(hcc) -> None:
    res = check_comparability(sel(hcc, "he_2019:sora_haic", "os", None), sel(hcc, "he_2019:sorafenib", "os", None))
    assert res.flag == ""
    assert not res.unlike
    assert not res.unanchored


def test_pool_check_flags_mixed_criteria(hcc) -> None:
    pool = [sel(hcc, "double_ia_001:ia_triple"), sel(hcc, "lin_2024_wjg:haic_tki_pd1", criterion="unknown")]
    res = check_pool(pool)
    assert res.unlike
    assert "criteria pooled: mRECIST, unknown" in res.details


def test_enforce_warns_once_or_refuses(hcc) -> None:
    bad = check_comparability(sel(hcc, "double_ia_001:ia_triple"),
                              sel(hcc, "he_2019:sora_haic", criterion="RECIST 1.1"))
    good = check_comparability(sel(hcc, "he_2019:sora_haic", "os", None), sel(hcc, "he_2019:sorafenib", "os", None))
    with pytest.warns(ComparisonWarning, match=r"1 unlike contrast\(s\), flagged in the tables") as record:
        enforce([bad, good])
    assert len(record) == 1
    with pytest.raises(InputError, match=r"expected like-for-like contrasts, got 1 unlike"):
        enforce([bad], on_mismatch="refuse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        enforce([good])  # nothing to say
    with pytest.raises(InputError, match=r"on_mismatch must be 'flag' or 'refuse'"):
        enforce([good], on_mismatch="ignore")


@pytest.mark.parametrize("value", [-0.1, 1.5, True, "0.2"])
def test_invalid_thresholds(value) -> None:
    with pytest.raises(InputError, match=r"threshold bclc_c must be a proportion in \[0, 1\]"):
        PopulationThresholds(bclc_c=value)


# --------------------------------------------------------------------------- tables


@pytest.fixture(scope="module")
def report(hcc):
    with pytest.warns(ComparisonWarning, match=r"unlike contrast"):
        return build_comparison(hcc, reference="double_ia_001:ia_triple", pool=HAIC)


def test_binary_table_holds_the_validated_results(report) -> None:
    orr = next(r for r in report.binary if r.endpoint == "orr")
    table = orr.table.set_index(["trial", "arm"])
    ref = table.loc[("double_ia_001", "ia_triple")]
    assert (ref["x"], ref["n"], ref["criterion"], ref["comparability"]) == (11, 25, "mRECIST", "reference")
    assert_allclose((ref["ci_low"], ref["ci_high"]), response_rate(11, 25).ci, rtol=0, atol=0)
    he = table.loc[("he_2019", "sora_haic")]
    direct = compare_proportions(11, 25, 51, 125)
    assert_allclose([he["ref_minus_arm"], he["diff_ci_low"], he["diff_ci_high"], he["fisher_p"]],
                    [direct.difference, *direct.difference_ci, direct.p_value], rtol=0, atol=0)
    assert he["comparability"].startswith("criterion;population")
    assert he["value_flag"] == "unverified"
    sharp = table.loc[("sharp", "sorafenib")]
    assert pd.isna(sharp["x"])
    assert sharp["comparability"].endswith("no-counts")


def test_meta_table_holds_all_four_fits_and_the_chosen_one(report) -> None:
    orr = next(r for r in report.binary if r.endpoint == "orr")
    assert orr.meta.labels == tuple(HAIC)
    direct = meta_proportions([11, 31, 51, 24, 32], [25, 35, 125, 36, 53], measure="PLO", method="REML")
    assert_allclose(orr.meta.proportion_ci, direct.proportion_ci, rtol=0, atol=0)
    assert list(orr.meta_table[["measure", "method"]].itertuples(index=False, name=None)) == [
        ("PLO", "DL"), ("PLO", "REML"), ("PFT", "DL"), ("PFT", "REML")]
    assert orr.meta_table["chosen"].tolist() == [False, True, False, False]
    assert "criterion" in orr.pool_check.flag  # the pool mixes mRECIST, RECIST 1.1 and an unstated criterion


def test_hazard_ratio_tables_flag_ttp_and_anchor_on_sorafenib(report) -> None:
    pfs = next(r for r in report.hazard_ratios if r.endpoint == "pfs")
    ttp_rows = pfs.table[pfs.table["endpoint"] == "ttp"]
    assert len(ttp_rows) == 2
    assert (ttp_rows["comparability"] == "endpoint").all()
    os_ = next(r for r in report.hazard_ratios if r.endpoint == "os")
    row = os_.table[os_.table["label"].str.startswith("he_2019:sora_haic vs imbrave150:atezo_bev")].iloc[0]
    direct = bucher(HazardRatio.from_published(0.35, (0.26, 0.48)),
                    HazardRatio.from_published(0.58, (0.42, 0.79)))
    assert_allclose([row["hazard_ratio"], row["conf_low"], row["conf_high"]],
                    [direct.hazard_ratio, direct.conf_low, direct.conf_high], rtol=0, atol=0)
    assert row["kind"] == "indirect (Bucher)"
    assert row["comparator"] == "sorafenib"
    assert "unanchored" not in row["comparability"]
    # SHARP and Asia-Pacific both test sorafenib against placebo: no indirect row between them
    assert not os_.table["label"].str.contains("sharp:sorafenib vs asia_pacific").any()


def test_refuse_unlike_raises(hcc) -> None:
    with pytest.raises(InputError, match=r"expected like-for-like contrasts"):
        build_comparison(hcc, reference="double_ia_001:ia_triple", endpoints=["orr"], on_mismatch="refuse")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"endpoints": ["ttp"]}, r"endpoints must be among orr, dcr, pfs, os", id="endpoint"),
        pytest.param({"reference": "double_ia_001"}, r"expected TRIAL:ARM", id="key"),
        pytest.param({"reference": "sharp:sorafenib"}, r"expected orr counts x/n for the reference arm",
                     id="no-counts"),
        pytest.param({"arms": ["nope:a"]}, r"expected a trial id of the registry, got 'nope'", id="trial"),
        pytest.param({"criterion": "RECIST"}, r"criterion must be mRECIST", id="criterion"),
    ],
)
def test_build_comparison_input_errors(hcc, kwargs, message) -> None:
    with pytest.raises(InputError, match=message):
        build_comparison(hcc, **kwargs)


def test_markdown_table_renders_missing_values_as_empty() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, np.nan], "c": ["x|y", None]}).astype({"a": "Int64"})
    assert frame_to_markdown(frame) == "| a | b | c |\n|---|---|---|\n| 1 | 0.500 | x\\|y |\n| 2 |  |  |\n"


# --------------------------------------------------------------------------- survival from IPD


EXP = {"t1": "exp", "t2": "alt"}


def _two_trial_registry(tmp_path, rng):
    """Two trials, each testing an experimental arm against sorafenib, with simulated IPD files."""
    src = {"src": "S", "flag": "confirmed"}
    arms = []
    for trial, hr in (("t1", 0.6), ("t2", 0.9)):
        for arm, scale in (("sorafenib", 10.0), (EXP[trial], 10.0 / hr)):
            t = rng.exponential(scale, 80)
            c = rng.uniform(5, 30, 80)
            path = tmp_path / f"{trial}_{arm}.csv"
            frame = pd.DataFrame({"arm": arm, "time": np.minimum(t, c), "event": (t <= c).astype(int)})
            frame.to_csv(path, index=False)
            arms.append((trial, arm, path))
    data = {"registry_version": 1, "time_unit": "months", "sources": {"S": "simulated"}, "trials": [
        {"id": trial, "citation": "sim", "design": {"description": "randomized", "randomized": True},
         "arms": [{"id": EXP[trial], "label": "experimental", "n": {"value": 80, **src}, "treatment_class": "exp",
                   "population": {"bclc_c": {"pct": 90, **src}, "pvtt": {"pct": 40, **src}},
                   "ipd": {"os": str(tmp_path / f"{trial}_{EXP[trial]}.csv")},
                   "hazard_ratios": [{"endpoint": "os", "comparator": "sorafenib", "value": hr,
                                      "ci": [hr * 0.7, hr / 0.7], **src}]},
                  {"id": "sorafenib", "label": "sorafenib", "n": {"value": 80, **src}, "treatment_class": "sorafenib",
                   "population": {"bclc_c": {"pct": 90, **src}, "pvtt": {"pct": 40, **src}},
                   "ipd": {"os": str(tmp_path / f"{trial}_sorafenib.csv")}}]}
        for trial, hr in (("t1", 0.6), ("t2", 0.9))]}
    return parse_registry(data, base_dir=tmp_path), arms


def test_survival_tables_label_unanchored_contrasts(tmp_path, rng) -> None:
    from compare.indirect.survival_comparison import load_ipd_spec
    from compare.survival import cox_hr, rmst_difference

    reg, arms = _two_trial_registry(tmp_path, rng)
    ipd = {(t, a, "os"): load_ipd_spec(p) for t, a, p in arms}
    rep = build_comparison(reg, endpoints=["os"], reference="t1:exp", ipd=ipd, pool=["t1:exp", "t2:alt"])
    surv = rep.survival[0]
    assert set(surv.kms) == {"t1:sorafenib", "t1:exp", "t2:sorafenib", "t2:alt"}
    contrasts = surv.contrast_table.set_index("arm")
    assert contrasts.loc["t1:sorafenib", "anchoring"] == "randomized, same trial"
    assert contrasts.loc["t2:alt", "anchoring"] == "unanchored"
    (t_ref, e_ref), (t_arm, e_arm) = ipd[("t1", "exp", "os")], ipd[("t1", "sorafenib", "os")]
    # one convention with kmrecon summarize: HR of the arm (sorafenib) vs the reference (exp), reference = denominator
    direct = cox_hr(np.r_[t_ref, t_arm], np.r_[e_ref, e_arm], np.array(["r"] * 80 + ["s"] * 80), reference="r")
    assert direct.comparator == "s"
    assert_allclose(contrasts.loc["t1:sorafenib", "hr_arm_vs_ref"], direct.hazard_ratio, rtol=1e-12)
    summary = summarize_ipd(pd.DataFrame({"arm": ["exp"] * 80 + ["sorafenib"] * 80, "time": np.r_[t_ref, t_arm],
                                          "event": np.r_[e_ref, e_arm]}), reference="exp")
    assert_allclose(contrasts.loc["t1:sorafenib", ["hr_arm_vs_ref", "hr_ci_low", "hr_ci_high"]].to_numpy(float),
                    [summary.contrasts[0].hazard_ratio.hazard_ratio, summary.contrasts[0].hazard_ratio.conf_low,
                     summary.contrasts[0].hazard_ratio.conf_high], rtol=1e-12)
    rmst_diff = rmst_difference((t_arm, e_arm), (t_ref, e_ref), tau=surv.tau)  # RMST(arm) - RMST(reference)
    assert_allclose(contrasts.loc["t1:sorafenib", "rmst_arm_minus_ref"], rmst_diff.difference, rtol=1e-12)
    assert surv.pooled_naive.curve.n == 160  # the two experimental arms only, as named
    assert surv.pooled_stratified.stratified
    assert surv.table.set_index("arm").loc["t1:exp", "comparability"] == "reference"

    # anchored indirect comparison from the IPD Cox HRs of each trial (exp vs sorafenib)
    def within(trial):
        (ta, ea), (tc, ec) = ipd[(trial, EXP[trial], "os")], ipd[(trial, "sorafenib", "os")]
        return cox_hr(np.r_[ta, tc], np.r_[ea, ec], np.array(["a"] * len(ta) + ["c"] * len(tc)), reference="c")

    expected = bucher(within("t1"), within("t2"))
    (res,) = surv.indirect
    assert_allclose([res.hazard_ratio, res.conf_low, res.conf_high],
                    [expected.hazard_ratio, expected.conf_low, expected.conf_high], rtol=1e-12)
    assert res.anchor == "sorafenib"
    assert res.ac.source == "ipd"
    assert surv.indirect_table["anchoring"].tolist() == ["anchored (Bucher)"]
    assert surv.tau == pytest.approx(min(float(np.max(v[0])) for v in ipd.values()))


def _sorafenib_trial_yaml(tmp_path, ipd_rows):
    """A one-trial registry (he_2019-like: sorafenib reference, sora_haic arm) with one IPD file of two arms."""
    import yaml

    path = tmp_path / "ipd.csv"
    pd.DataFrame(ipd_rows, columns=["arm", "time", "event"]).to_csv(path, index=False)
    src = {"src": "S", "flag": "confirmed"}
    data = {"registry_version": 1, "time_unit": "months", "sources": {"S": "simulated"}, "trials": [
        {"id": "t", "citation": "sim", "design": {"description": "randomized", "randomized": True},
         "arms": [{"id": arm, "label": arm, "n": {"value": 3, **src}, "ipd": {"os": f"{path}#{key}"}}
                  for arm, key in (("sorafenib", "A"), ("haic", "B"))]}]}
    reg = tmp_path / "reg.yaml"
    reg.write_text(yaml.safe_dump(data))
    return reg


def test_cli_monotone_likelihood_reports_no_hazard_ratio(tmp_path) -> None:
    """Regression: separated arms wrote HR 3.2e11 with CI [0, inf] and recorded numpy/statsmodels warnings."""
    reg = _sorafenib_trial_yaml(tmp_path, [("A", 1, 1), ("A", 2, 1), ("A", 3, 0), ("B", 4, 1), ("B", 5, 1),
                                           ("B", 6, 0)])
    out = tmp_path / "out"
    result = _run([reg, "-o", out, "--endpoint", "os", "--reference", "t:sorafenib"])
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out / "ipd_os_contrasts.csv").iloc[0]
    assert (row["reference"], row["arm"]) == ("t:sorafenib", "t:haic")
    assert np.isnan(row["hr_arm_vs_ref"])
    assert np.isnan(row["hr_ci_low"])
    assert np.isnan(row["hr_ci_high"])
    assert "monotone likelihood" in row["note"]
    assert row["rmst_arm_minus_ref"] == pytest.approx(1.0)  # RMST to tau = 3: B 3.0, A 2.0
    record = json.loads((out / "comparison.json").read_text())
    assert len(record["warnings"]) == 1
    assert "hazard ratio not estimable: monotone likelihood" in record["warnings"][0]
    assert "hr_arm_vs_ref" in (out / "comparison.md").read_text()  # the convention is stated in the report


def test_cli_arm_without_events_is_not_fatal(tmp_path) -> None:
    """Regression: an arm without events aborted kmrecon compare (exit 2); summarize reported HR None."""
    reg = _sorafenib_trial_yaml(tmp_path, [("A", 1, 1), ("A", 2, 1), ("B", 1, 0), ("B", 3, 0)])
    out = tmp_path / "out"
    result = _run([reg, "-o", out, "--endpoint", "os", "--reference", "t:sorafenib"])
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out / "ipd_os_contrasts.csv").iloc[0]
    assert np.isnan(row["hr_arm_vs_ref"])
    assert "got none in 't:haic'" in row["note"]
    assert row["logrank_p"] == pytest.approx(0.1572992071, rel=1e-9)  # R: survdiff chisq 2 on 1 df


def test_cli_records_only_kmrecon_warnings(tmp_path, monkeypatch) -> None:
    """Regression: every warning (numpy, statsmodels) went into comparison.json and was swallowed."""
    import compare.indirect.comparison

    real = compare.indirect.comparison.build_comparison

    def noisy(*args, **kwargs):
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        warnings.warn("a kmrecon note", ComparisonWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(compare.indirect.comparison, "build_comparison", noisy)
    out = tmp_path / "out"
    with pytest.warns(RuntimeWarning, match="overflow encountered in exp"):
        result = _run([default_registry_path(), "-o", out, "--endpoint", "os"])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "comparison.json").read_text())
    assert record["warnings"] == ["a kmrecon note"]


def test_ipd_indirect_skips_a_trial_without_a_hazard_ratio(tmp_path, rng) -> None:
    """Regression: an arm without events aborted the IPD Bucher comparisons (cox_hr InputError)."""
    from compare.indirect.survival_comparison import load_ipd_spec

    reg, arms = _two_trial_registry(tmp_path, rng)
    ipd = {(t, a, "os"): load_ipd_spec(p) for t, a, p in arms}
    time, event = ipd[("t2", "alt", "os")]
    ipd[("t2", "alt", "os")] = (time, np.zeros_like(event))
    with pytest.warns(ComparisonWarning) as record:
        rep = build_comparison(reg, endpoints=["os"], reference="t1:exp", ipd=ipd)
    messages = [str(w.message) for w in record]
    assert any(m.startswith("t2:alt vs t2:sorafenib: hazard ratio not estimable") for m in messages)  # indirect
    assert any(m.startswith("t2:alt vs t1:exp: hazard ratio not estimable") for m in messages)  # contrast table
    surv = rep.survival[0]
    assert surv.indirect == ()
    assert surv.indirect_table.empty
    row = surv.contrast_table.set_index("arm").loc["t2:alt"]
    assert np.isnan(row["hr_arm_vs_ref"])
    assert "got none in 't2:alt'" in row["note"]


def test_ipd_spec_selects_an_arm(tmp_path) -> None:
    from compare.indirect.survival_comparison import load_ipd_spec

    path = tmp_path / "two.csv"
    pd.DataFrame({"arm": ["A", "A", "B"], "time": [1.0, 2.0, 3.0], "event": [1, 0, 1]}).to_csv(path, index=False)
    time, event = load_ipd_spec(f"{path}#B")
    assert time.tolist() == [3.0]
    assert event.tolist() == [1]
    with pytest.raises(InputError, match=r"expected one arm in the IPD file, got 2 \(A, B\)"):
        load_ipd_spec(path)
    with pytest.raises(InputError, match=r"expected an arm of the IPD file \(A, B\), got 'C'"):
        load_ipd_spec(f"{path}#C")


# --------------------------------------------------------------------------- forest plots


def test_proportion_forest_draws_the_result_fields(report) -> None:
    orr = next(r for r in report.binary if r.endpoint == "orr")
    ax = Figure().subplots()
    assert plot_proportion_forest(orr.estimates, pooled=orr.meta, ax=ax, flags=orr.flags) is ax
    for line, est in zip(ax.lines[: len(orr.estimates)], orr.estimates, strict=True):
        assert_allclose(line.get_xdata(), np.array(est.ci) * 100, rtol=0, atol=1e-12)
    diamond = ax.patches[0].get_xy()[:, 0]
    assert_allclose([diamond.min(), diamond.max()], np.array(orr.meta.proportion_ci) * 100, atol=1e-12)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "double_ia_001:ia_triple"
    assert "[criterion;population;unanchored]" in labels[2]
    assert labels[-1].startswith("Pooled (PLO, REML)")


def test_hazard_ratio_forest_uses_log_axis(report) -> None:
    os_ = next(r for r in report.hazard_ratios if r.endpoint == "os")
    rows = list(os_.published) + list(os_.indirect)
    ax = plot_hazard_ratio_forest(rows)
    assert ax.get_xscale() == "log"
    for line, r in zip(ax.lines[: len(rows)], rows, strict=True):
        assert_allclose(line.get_xdata(), [r.conf_low, r.conf_high], rtol=0, atol=0)
    assert_allclose(ax.collections[0].get_offsets()[:, 0], [r.hazard_ratio for r in rows])


def test_forest_input_errors() -> None:
    with pytest.raises(InputError, match=r"estimates must hold at least one proportion"):
        plot_proportion_forest([])
    with pytest.raises(InputError, match=r"flags must have one entry per row \(1\), got 2"):
        plot_proportion_forest([response_rate(1, 2)], flags=["a", "b"])


# --------------------------------------------------------------------------- CLI


def _run(args):
    return CliRunner().invoke(main, ["compare", *map(str, args)])


def test_cli_writes_tables_figures_and_provenance(tmp_path) -> None:
    out = tmp_path / "out"
    args = [default_registry_path(), "-o", out, "--reference", "double_ia_001:ia_triple"]
    for key in HAIC:
        args += ["--pool", key]
    result = _run(args)
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output
    assert "unlike contrast" in result.output
    names = {p.name for p in out.iterdir()}
    assert {"orr_arms.csv", "orr_arms.md", "orr_meta.csv", "dcr_arms.csv", "hr_os.csv", "hr_pfs.md",
            "forest_orr.png", "forest_dcr.png", "forest_hr_os.png", "forest_hr_pfs.png", "comparison.md",
            "comparison.json"} <= names
    record = json.loads((out / "comparison.json").read_text())
    assert record["command"] == "kmrecon compare"
    assert len(record["inputs"]["registry"]["sha256"]) == 64
    assert record["parameters"]["pool"] == HAIC
    assert record["results"]["binary"]["orr"]["meta"]["k"] == 5
    table = pd.read_csv(out / "orr_arms.csv")
    assert "comparability" in table.columns
    assert (out / "forest_orr.png").read_bytes()[:4] == b"\x89PNG"
    # second run refuses to overwrite, in one line, exit 2; --force replaces
    again = _run(args)
    assert again.exit_code == 2
    assert "pass --force" in again.output
    assert again.output.count("\n") == 1
    assert _run([*args, "--force"]).exit_code == 0


def test_cli_with_ipd_writes_km_figures(tmp_path, rng) -> None:
    reg, arms = _two_trial_registry(tmp_path, rng)
    import yaml

    path = tmp_path / "reg.yaml"
    data = {"registry_version": 1, "time_unit": "months", "sources": {"S": "simulated"},
            "trials": [_trial_dict(t) for t in reg.trials]}
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    result = _run([path, "-o", out, "--endpoint", "os", "--reference", "t1:exp",
                   "--ipd", f"t2:alt:os={tmp_path / 't2_alt.csv'}"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"km_os.png", "km_os_pooled.png", "ipd_os_arms.csv", "ipd_os_contrasts.md",
            "ipd_os_indirect.csv"} <= names
    record = json.loads((out / "comparison.json").read_text())
    assert "ipd t2:alt:os" in record["inputs"]
    # by default the curves pooled are the arms sharing the reference's treatment class, never sorafenib
    assert record["parameters"]["pool"] == ["t1:exp", "t2:alt"]
    assert record["parameters"]["pool_rule"] == "reference-class"


def _trial_dict(trial):
    src = {"src": "S", "flag": "confirmed"}
    return {"id": trial.id, "citation": trial.citation, "design": {"description": "randomized", "randomized": True},
            "arms": [{"id": a.id, "label": a.label, "n": {"value": a.n.value, **src}, "ipd": dict(a.ipd),
                      "treatment_class": a.treatment_class}
                     for a in trial.arms]}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--ipd", "double_ia_001=x.csv"], r"--ipd: expected TRIAL:ARM\[:ENDPOINT\]=ipd.csv", id="ipd"),
        pytest.param(["--ipd", "double_ia_001:ia_triple:dcr=x.csv"], r"expected endpoint os or pfs", id="ipd-end"),
        pytest.param(["--ipd", "double_ia_001:ia_triple=missing.csv"], r"expected an existing CSV file", id="ipd-file"),
        pytest.param(["--reference", "sharp:nope"], r"expected an arm of trial 'sharp'", id="arm"),
        pytest.param(["--endpoint", "orr", "--reference", "double_ia_001:ia_triple", "--refuse-unlike"],
                     r"expected like-for-like contrasts", id="refuse"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(tmp_path, extra, message) -> None:
    result = _run([default_registry_path(), "-o", tmp_path / "out", *extra])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert re.search(message, result.output), result.output


def test_cli_bad_registry_is_one_line_exit_2(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("registry_version: 1\ntime_unit: months\nsources: {S: x}\ntrials: [{id: t}]\n")
    result = _run([path, "-o", tmp_path / "out"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "field 'trial': expected key 'citation'" in result.output


def test_importing_compare_and_figures_does_not_load_cv2() -> None:
    code = ("import sys; import compare.indirect.comparison, compare.indirect.survival_comparison, figures.forest, kmrecon.commands.compare; "
            "print('cv2' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.filterwarnings("ignore::reconstruct.errors.ComparisonWarning")
def test_default_pool_never_mixes_controls_with_experimental_arms(hcc) -> None:
    nothing = build_comparison(hcc, endpoints=["orr"])
    assert nothing.binary[0].meta is None and nothing.parameters["pool_rule"] == "none"
    by_reference = build_comparison(hcc, endpoints=["orr"], reference="double_ia_001:ia_triple")
    assert sorted(by_reference.parameters["pool"]) == sorted(HAIC)
    assert by_reference.binary[0].meta.k == 5
    named = build_comparison(hcc, endpoints=["orr"], reference="double_ia_001:ia_triple", pool=HAIC)
    assert named.binary[0].meta.proportion == by_reference.binary[0].meta.proportion
    controls = build_comparison(hcc, endpoints=["orr"], pool_class="sorafenib")
    assert {k.split(":")[1] for k in controls.parameters["pool"]} == {"sorafenib"}
    with pytest.raises(InputError, match="expected a treatment class of the selected arms"):
        build_comparison(hcc, endpoints=["orr"], pool_class="chemo")
    with pytest.raises(InputError, match="either --pool or --pool-class"):
        build_comparison(hcc, endpoints=["orr"], pool=HAIC, pool_class="haic")
