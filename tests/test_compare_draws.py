"""``kmrecon compare --ipd`` with reconstruction draws: found beside the IPD, checked, intervals beside the CI.

Covers kmrecon.compare_draws, compare.indirect.survival_uncertainty and the compare command's outputs; the
interval formulas themselves are tested in tests/test_uncertainty.py.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from numpy.testing import assert_allclose

from compare import summarize_ipd
from compare.survival.uncertainty import summary_uncertainty
from kmrecon.cli import main
from kmrecon.compare_draws import find_draws
from reconstruct import km_step_points, number_at_risk, simulate_arm

N = 60
DRAWS = 25


def _figure_files(folder):
    """A two-arm figure's curves (400-pixel survival grid) and 6-monthly at-risk table, plus one arm of real IPD."""
    curves, tables = [], []
    for k, arm in enumerate(("A", "B")):
        sim = simulate_arm(N, seed=40 + k, median=12.0 / 0.7**k, accrual=12.0, follow_up=24.0, dropout_rate=0.01)
        t, s = km_step_points(sim.time, sim.event)
        curves.append(pd.DataFrame({"arm": arm, "time": t, "survival": np.round(s * 400) / 400}))
        at = np.arange(0.0, sim.time.max(), 6.0)
        tables.append(pd.DataFrame({"arm": arm, "time": at, "n_risk": number_at_risk(sim.time, at)}))
    pd.concat(curves).to_csv(folder / "curves.csv", index=False)
    pd.concat(tables).to_csv(folder / "at_risk.csv", index=False)
    real = simulate_arm(N, seed=49, median=14.0, accrual=12.0, follow_up=24.0, dropout_rate=0.01)
    pd.DataFrame({"arm": "R", "time": real.time, "event": real.event}).to_csv(folder / "real.csv", index=False)


def _registry(folder):
    src = {"src": "S", "flag": "confirmed"}

    def arm(arm_id, ipd):
        return {"id": arm_id, "label": arm_id, "n": {"value": N, **src}, "ipd": {"os": ipd}}

    data = {"registry_version": 1, "time_unit": "months", "sources": {"S": "simulated"}, "trials": [
        {"id": "t", "citation": "sim", "design": {"description": "randomized", "randomized": True},
         "arms": [arm("ctl", f"{folder / 'ipd.csv'}#A"), arm("exp", f"{folder / 'ipd.csv'}#B")]},
        {"id": "u", "citation": "sim", "design": {"description": "single arm", "randomized": False},
         "arms": [arm("real", str(folder / "real.csv"))]}]}
    path = folder / "reg.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("draws")
    _figure_files(folder)
    result = CliRunner().invoke(main, ["reconstruct", str(folder / "curves.csv"), "--at-risk",
                                       str(folder / "at_risk.csv"), "--precision", str(0.5 / 400), "-o",
                                       str(folder / "ipd.csv"), "--draws", str(DRAWS), "--seed", "5"])
    assert result.exit_code == 0, result.output
    return folder, _registry(folder)


def _compare(registry, out, *extra):
    return CliRunner().invoke(main, ["compare", str(registry), "-o", str(out), "--endpoint", "os", "--reference",
                                     "t:ctl", *map(str, extra)])


def test_compare_shows_intervals_beside_the_classical_ci(trial, tmp_path):
    folder, registry = trial
    result = _compare(registry, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert f"os: reconstruction and total intervals from {DRAWS} draws for t:ctl, t:exp; none for u:real" \
        in result.output
    out = tmp_path / "out"
    table = pd.read_csv(out / "ipd_os_uncertainty.csv", keep_default_na=False, na_values=[""])
    arms = pd.read_csv(out / "ipd_os_arms.csv").set_index("arm")
    contrasts = pd.read_csv(out / "ipd_os_contrasts.csv").set_index("arm")
    rows = table.set_index(["arm", "statistic"])
    # the estimates and CIs are the comparison tables' own
    assert_allclose(rows.loc[("t:exp", "median"), ["estimate", "ci_low", "ci_high"]].to_numpy(float),
                    arms.loc["t:exp", ["median", "median_ci_low", "median_ci_high"]].to_numpy(float), rtol=1e-12)
    assert_allclose(rows.loc[("t:exp", "HR"), ["estimate", "ci_low", "ci_high"]].to_numpy(float),
                    contrasts.loc["t:exp", ["hr_arm_vs_ref", "hr_ci_low", "hr_ci_high"]].to_numpy(float), rtol=1e-12)
    assert rows.loc[("t:exp", "log-rank p"), "estimate"] == pytest.approx(contrasts.loc["t:exp", "logrank_p"],
                                                                         rel=1e-12)
    # the intervals equal summary_uncertainty on the same IPD and draws (the formulas are tested elsewhere)
    ipd = pd.read_csv(folder / "ipd.csv").replace({"arm": {"A": "t:ctl", "B": "t:exp"}})
    draws = pd.read_csv(folder / "ipd_draws.csv").replace({"arm": {"A": "t:ctl", "B": "t:exp"}})
    tau = float(arms["rmst_tau"].iloc[0])
    summary = summarize_ipd(ipd, landmarks=[6, 12, 24], tau=tau, reference="t:ctl")
    u = summary_uncertainty(summary, draws)
    hr = u.contrasts["t:exp"]["hazard_ratio"]
    assert_allclose(rows.loc[("t:exp", "HR"), ["recon_low", "recon_high", "total_low", "total_high"]].to_numpy(float),
                    [hr.reconstruction.conf_low, hr.reconstruction.conf_high, hr.total_low, hr.total_high], rtol=1e-9)
    med = u.arms["t:ctl"]["median"]
    assert_allclose(rows.loc[("t:ctl", "median"), ["recon_low", "recon_high", "total_low", "total_high"]]
                    .to_numpy(float), [med.reconstruction.conf_low, med.reconstruction.conf_high, med.total_low,
                                       med.total_high], rtol=1e-9)
    assert rows.loc[("t:ctl", "median"), "draws"] == DRAWS
    # every statistic of the reconstructed arms has both intervals; the real arm has none, and says why
    own = table[table["arm"].isin(["t:ctl", "t:exp"])]
    assert own[["recon_low", "total_low"]].notna().all().all()
    real = table[(table["arm"] == "u:real") & table["reference"].isna()]  # its own statistics, not its contrast
    assert len(real) == 7
    assert real["recon_low"].isna().all()
    assert (real["draws"] == 0).all()
    assert real["note"].str.contains("no sidecar of real.csv records draws").all()
    # a contrast with the real arm carries the reconstructed reference's uncertainty only
    assert rows.loc[("u:real", "HR"), "note"] == "reconstruction uncertainty of t:ctl only; u:real has no draws"
    assert np.isfinite(rows.loc[("u:real", "HR"), "total_low"])
    markdown = (out / "comparison.md").read_text()
    assert "## OS from IPD: reconstruction uncertainty" in markdown
    assert "t:exp vs t:ctl | HR |" in markdown
    assert "| u:real | median |" not in markdown
    assert "Without draws (classical CI only): `u:real` (no draws: no sidecar of real.csv" in markdown
    record = json.loads((out / "comparison.json").read_text())
    assert record["results"]["uncertainty_from_ipd"]["os"]["draws"] == DRAWS
    assert record["inputs"]["draws t:exp:os"]["path"].endswith("ipd_draws.csv")
    assert "reconstruction uncertainty" in (out / "report.html").read_text()


def test_no_draws_gives_todays_tables_and_says_so(trial, tmp_path):
    _, registry = trial
    with_draws = _compare(registry, tmp_path / "a")
    without = _compare(registry, tmp_path / "b", "--no-draws")
    assert without.exit_code == 0, without.output
    assert "os: classical CIs only, no reconstruction intervals (t:ctl: no draws: turned off (--no-draws)" \
        in without.output
    names_a = {p.name for p in (tmp_path / "a").iterdir()}
    names_b = {p.name for p in (tmp_path / "b").iterdir()}
    assert names_a - names_b == {"ipd_os_uncertainty.csv", "ipd_os_uncertainty.md"}
    for name in ("ipd_os_arms.csv", "ipd_os_contrasts.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    markdown = (tmp_path / "b" / "comparison.md").read_text()
    assert "No reconstruction intervals: the classical CIs above do not include" in markdown
    assert with_draws.exit_code == 0


def test_explicit_draws_and_stale_draws(trial, tmp_path):
    folder, registry = trial
    draws = pd.read_csv(folder / "ipd_draws.csv")
    moved = tmp_path / "other.csv"
    draws.to_csv(moved, index=False)
    ok = _compare(registry, tmp_path / "a", "--ipd-draws", f"t:exp={moved}#B", "--ipd-draws", f"t:ctl={moved}#A")
    assert ok.exit_code == 0, ok.output
    record = json.loads((tmp_path / "a" / "comparison.json").read_text())
    assert record["inputs"]["draws t:exp:os"]["path"] == str(moved)
    # draws of another reconstruction (a patient fewer in draw 3): an input error, not a silent interval
    stale = draws.drop(index=draws.index[(draws["arm"] == "B") & (draws["draw"] == 3)][0])
    stale.to_csv(moved, index=False)
    bad = _compare(registry, tmp_path / "b", "--ipd-draws", f"t:exp={moved}#B")
    assert bad.exit_code == 2
    assert bad.output.count("\n") == 1
    assert f"expected {N} patients of arm 'B' in every draw" in bad.output
    assert "draw 3" in bad.output
    unknown = _compare(registry, tmp_path / "c", "--ipd-draws", f"t:nope={moved}")
    assert unknown.exit_code == 2
    assert "--ipd-draws" in unknown.output


def test_find_draws_reads_the_sidecar(tmp_path):
    ipd = tmp_path / "ipd.csv"
    ipd.write_text("arm,time,event\nA,1,1\n")
    assert find_draws(ipd)[0] is None
    assert "no sidecar" in find_draws(ipd)[1]
    (tmp_path / "ipd_draws.csv").write_text("draw,arm,time,event\n0,A,1,1\n")
    assert find_draws(ipd) == (tmp_path / "ipd_draws.csv", "")
    (tmp_path / "run.json").write_text(json.dumps({"draws": {"file": None, "note": "reconstruction draws skipped"}}))
    path, note = find_draws(ipd)
    assert path is None
    assert note == "no draws: run.json records none (reconstruction draws skipped)"
    (tmp_path / "ipd.json").write_text(json.dumps({"draws": {"file": "gone.csv"}}))
    assert find_draws(ipd) == (None, "no draws: ipd.json names gone.csv, which is not beside ipd.csv")
