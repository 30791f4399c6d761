"""Tests of the audit (compare.audit.audit*) and ``kmrecon audit``: every check on constructed inputs,
clean inputs that must give no finding, and the seed paper's audit end to end."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from compare.audit.audit import AuditInput, audit_registry, load_audit_input
from compare.audit.survival_checks import narrowest_survival_ci
from compare.audit.types import parse_audit_options
from compare.survival.km import kaplan_meier
from compare.survival.km_summaries import landmark_survival, median_survival
from compare.registry.loader import parse_registry
from compare.audit.simon import evaluate_simon_design
from kmrecon.cli import main
from reconstruct.errors import InputError

REPO = Path(__file__).resolve().parents[1]
SEED_AUDIT = REPO / "examples" / "double_ia_001_audit.yaml"
SEED_TEXT = REPO / ".." / "shared" / "seed" / "000_099b14f38788f12f.txt"

P = {"src": "S", "flag": "confirmed"}

CLEAN = {
    "registry_version": 1,
    "time_unit": "months",
    "sources": {"S": "constructed"},
    "trials": [{
        "id": "t",
        "citation": "constructed",
        "design": {
            "description": "single-arm phase II, optimal Simon two-stage",
            "randomized": False,
            "simon": {"p0": 0.1, "p1": 0.3, "alpha": 0.05, "power": 0.8, "r1": 1, "n1": 10, "r": 5, "n": 29, **P},
            "methods": {"proportion_ci": "clopper-pearson", "median_ci": "brookmeyer-crowley",
                        "response_assessment": "mRECIST"},
        },
        "arms": [{
            "id": "a",
            "label": "arm",
            "n": {"value": 25, **P},
            "population": {"high_risk": {"x": 12, "n": 25, "pct": 48.0, **P}},
            "binary": [
                {"endpoint": "orr", "criterion": "mRECIST", "x": 11, "n": 25, "pct": 44.0,
                 "ci_pct": [24.4, 65.1], **P},
                {"endpoint": "cr", "criterion": "mRECIST", "x": 0, "n": 25, "pct": 0.0, **P},
                {"endpoint": "pr", "criterion": "mRECIST", "x": 11, "n": 25, "pct": 44.0, **P},
                {"endpoint": "sd", "criterion": "mRECIST", "x": 5, "n": 25, "pct": 20.0, **P},
                {"endpoint": "pd", "criterion": "mRECIST", "x": 9, "n": 25, "pct": 36.0, **P},
                {"endpoint": "dcr", "criterion": "mRECIST", "x": 16, "n": 25, "pct": 64.0, **P},
                {"endpoint": "orr", "criterion": "mRECIST", "subgroup": "high_risk", "x": None, "n": 12,
                 "pct": 41.7, **P},
            ],
            "medians": [
                {"endpoint": "pfs", "criterion": "mRECIST", "value": 4.87, "ci": [2.10, 8.30], **P},
                {"endpoint": "os", "value": 8.87, "ci": [5.10, 14.20], **P},
            ],
            "landmarks": [
                {"endpoint": "pfs", "criterion": "mRECIST", "time": 6, "pct": 38.8, **P},
                {"endpoint": "pfs", "criterion": "mRECIST", "time": 12, "pct": 23.2, **P},
                {"endpoint": "os", "time": 6, "pct": 64.0, **P},
                {"endpoint": "os", "time": 12, "pct": 40.3, **P},
            ],
        }],
    }],
}


def run(data: dict, audit: dict | None = None):
    registry = parse_registry(copy.deepcopy(data))
    return audit_registry(AuditInput(registry, parse_audit_options(audit)))


def edited(**changes):
    """A copy of CLEAN with arm/design fields replaced: keys 'binary', 'medians', ..., 'simon', 'methods'."""
    data = copy.deepcopy(CLEAN)
    trial, arm = data["trials"][0], data["trials"][0]["arms"][0]
    for key, value in changes.items():
        if key in ("simon", "methods", "description"):
            trial["design"][key] = value
        else:
            arm[key] = value
    return data


def ids(report) -> list[str]:
    return sorted(f.id for f in report.findings)


def test_clean_input_gives_no_finding():
    report = run(CLEAN)
    assert report.findings == ()
    assert report.counts() == {"error": 0, "warning": 0, "note": 0}
    assert "No findings" in report.to_markdown()


# --------------------------------------------------------------------------- proportions


def test_count_percentage_mismatch():
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    binary[3]["pct"] = 24.0  # sd 5/25 = 20.0%
    (finding,) = run(edited(binary=binary)).findings
    assert (finding.id, finding.severity) == ("count-percentage-mismatch", "error")
    assert finding.numbers["recomputed_pct"] == pytest.approx(20.0)
    assert finding.numbers["counts_fitting_pct"] == [6]


def test_percentage_impossible_and_possible():
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    binary[6]["pct"] = 45.0  # no k/12 rounds to 45.0 (41.7, 50.0)
    report = run(edited(binary=binary))
    (finding,) = report.by_id("percentage-impossible")
    assert finding.numbers["nearest_counts"] == [5, 6]
    assert report.by_id("subgroup-contradiction") == ()


def test_denominator_exceeds_arm():
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    binary[4].update(x=9, n=30, pct=30.0)
    assert ids(run(edited(binary=binary))) == ["denominator-exceeds-n"]


@pytest.mark.parametrize(
    ("ci", "method", "expected_id", "severity"),
    [
        pytest.param([24.6, 63.5], "clopper-pearson", "ci-method-mismatch", "error", id="seed-vs-stated-cp"),
        pytest.param([26.7, 62.9], "clopper-pearson", "ci-method-mismatch", "error", id="wilson-vs-stated-cp"),
        pytest.param([26.7, 62.9], None, "ci-method-identified", "note", id="wilson-unstated"),
        pytest.param([20.0, 70.0], None, "ci-method-unidentified", "warning", id="nothing-unstated"),
        pytest.param([26.7, 62.9], "bayesian hpd", "ci-method-unknown", "note", id="unknown-method"),
    ],
)
def test_proportion_ci_methods(ci, method, expected_id, severity):
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    binary[0]["ci_pct"] = ci
    methods = dict(CLEAN["trials"][0]["design"]["methods"])
    methods.pop("proportion_ci")
    if method is not None:
        binary[0]["ci_method"] = method
    (finding,) = run(edited(binary=binary, methods=methods)).findings
    assert (finding.id, finding.severity) == (expected_id, severity)
    if ci == [26.7, 62.9]:
        assert finding.numbers["matching_methods"] == ["wilson", "agresti-coull"]


def test_seed_ci_mismatch_names_nearest_method():
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    binary[0]["ci_pct"] = [24.6, 63.5]
    (finding,) = run(edited(binary=binary)).findings
    assert finding.numbers["matching_methods"] == []
    assert finding.numbers["nearest_method"] == "wald"
    assert "Clopper-Pearson interval (24.40-65.07%)" in finding.message


def test_proportion_ci_excluding_estimate():
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    binary[5]["ci_pct"] = [66.0, 80.0]  # dcr 64.0%
    assert "ci-excludes-estimate" in ids(run(edited(binary=binary)))


@pytest.mark.parametrize(
    ("endpoint", "value", "rule"),
    [("orr", 12, "ORR = CR + PR"), ("dcr", 17, "DCR = CR + PR + SD"), ("pd", 12, "CR + PR + SD + PD")],
)
def test_response_sums(endpoint, value, rule):
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    record = next(b for b in binary if b["endpoint"] == endpoint and "subgroup" not in b)
    record.update(x=value, pct=100.0 * value / 25)
    record.pop("ci_pct", None)
    found = run(edited(binary=binary)).by_id("response-sum-mismatch")
    assert len(found) == 1
    assert rule in found[0].message


def test_response_sums_from_percentages_only():
    # SHARP-like: SD 71% and PR 2% cannot make a DCR of 43%.
    binary = [
        {"endpoint": "pr", "criterion": "RECIST 1.0", "x": None, "n": 25, "pct": 2, **P},
        {"endpoint": "cr", "criterion": "RECIST 1.0", "x": None, "n": 25, "pct": 0, **P},
        {"endpoint": "sd", "criterion": "RECIST 1.0", "x": None, "n": 25, "pct": 71, **P},
        {"endpoint": "dcr", "criterion": "RECIST 1.0", "x": None, "n": 25, "pct": 43, **P},
    ]
    report = run(edited(binary=binary, population={}), {"decimals": {"percent": 0}})
    assert "response-sum-mismatch" in ids(report)


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        pytest.param({"x": 5, "n": 12, "pct": 41.7}, False, id="clean-counts"),
        pytest.param({"x": 12, "n": 12, "pct": 100.0}, True, id="more-than-overall"),
        pytest.param({"x": 0, "n": 20, "pct": 0.0}, True, id="rest-too-small"),
        pytest.param({"x": None, "n": None, "pct": 100.0}, True, id="size-from-population"),
    ],
)
def test_subgroup_contradiction(sub, expected):
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    binary[6].update(sub)
    found = run(edited(binary=binary)).by_id("subgroup-contradiction")
    assert bool(found) is expected


def test_value_conflicts():
    landmarks = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["landmarks"])
    landmarks[1]["alternatives"] = [{"pct": 23.3, "src": "S", "where": "table 2"}]
    landmarks[1]["flag"] = "conflict"
    (finding,) = run(edited(landmarks=landmarks)).findings
    assert (finding.id, finding.severity) == ("value-conflict", "warning")
    assert "table 2" in finding.message
    landmarks[1]["alternatives"] = [{"pct": 23.2, "src": "S", "where": "abstract"}]
    assert run(edited(landmarks=landmarks)).findings == ()


def test_duplicate_records_with_different_values():
    landmarks = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["landmarks"])
    landmarks.append({**landmarks[0], "pct": 39.8})
    assert "value-conflict" in ids(run(edited(landmarks=landmarks)))


# --------------------------------------------------------------------------- medians and landmarks


def test_median_ci_excluding_estimate_including_alternative_printing():
    medians = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["medians"])
    medians[0]["alternatives"] = [{"value": 4.87, "ci": [5.10, 6.00], "src": "S", "where": "results text"}]
    report = run(edited(medians=medians))
    (finding,) = report.by_id("median-ci-excludes-estimate")
    assert finding.numbers["where"] == "results text"
    assert report.by_id("value-conflict")


@pytest.mark.parametrize(
    ("method", "ci", "expected"),
    [
        pytest.param("brookmeyer-crowley", [2.07, 7.66], ("median-ci-symmetric", "warning"), id="bc-symmetric"),
        pytest.param(None, [2.07, 7.66], ("median-ci-symmetric", "note"), id="unstated-symmetric"),
        pytest.param("wald", [2.07, 7.66], None, id="stated-symmetric-method"),
        pytest.param("brookmeyer-crowley", [2.10, 8.30], None, id="asymmetric"),
    ],
)
def test_median_ci_symmetry(method, ci, expected):
    medians = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["medians"])
    medians[0]["ci"] = ci
    methods = {k: v for k, v in CLEAN["trials"][0]["design"]["methods"].items() if k != "median_ci"}
    if method is not None:
        medians[0]["ci_method"] = method
    found = run(edited(medians=medians, methods=methods)).by_id("median-ci-symmetric")
    if expected is None:
        assert found == ()
    else:
        assert (found[0].id, found[0].severity) == expected
        assert found[0].numbers["implied_se"] == pytest.approx((ci[1] - ci[0]) / (2 * 1.959963984540054))


@pytest.mark.parametrize(
    ("median", "expected"),
    [(8.87, False), (5.5, True), (None, False)],
)
def test_median_against_landmark(median, expected):
    # OS S(6) = 64%: the median must be later than 6.
    medians = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["medians"])
    medians[1]["value"] = median
    medians[1]["ci"] = None
    found = run(edited(medians=medians)).by_id("median-landmark-incompatible")
    # A median reported as not reached is incompatible with S(12) = 40.3% < 50%.
    assert bool(found) is (expected or median is None)


def test_median_ci_against_landmarks_seed_os():
    # Seed: OS 8.87 (8.17-9.57) with S(6) = 64.0% and S(12) = 40.3% in 25 patients.
    medians = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["medians"])
    medians[1]["ci"] = [8.17, 9.57]
    found = run(edited(medians=medians)).by_id("median-ci-landmark-incompatible")
    assert {f.numbers["time"] for f in found} == {6.0, 12.0}
    assert all(f.severity == "error" for f in found)


def test_narrowest_ci_is_binomial():
    lo, hi = narrowest_survival_ci(0.403, 25, transform="plain")
    half = 1.959963984540054 * np.sqrt(0.403 * 0.597 / 25)
    np.testing.assert_allclose([lo, hi], [0.403 - half, 0.403 + half], rtol=1e-12)


@pytest.mark.parametrize("conf_type", ["plain", "log", "log-log"])
def test_brookmeyer_crowley_bound_has_no_false_alarm_on_real_km(conf_type):
    # Simulated censored trials: the median CI R would print (compare.survival.km, checked against R) and
    # the landmark rates, rounded as papers print them, must never be called incompatible.
    rng = np.random.default_rng(20240101)
    for _ in range(40):
        n = int(rng.integers(15, 80))
        event_time = rng.exponential(rng.uniform(4, 20), n)
        censor = rng.uniform(2, 40, n)
        time, event = np.minimum(event_time, censor), (event_time <= censor).astype(int)
        km = kaplan_meier(time, event, conf_type=conf_type)
        med = median_survival(km)
        if not np.isfinite(med.time) or not np.isfinite(med.conf_low) or not np.isfinite(med.conf_high):
            continue
        times = [3.0, 6.0, 9.0, 12.0, 18.0]
        rates = landmark_survival(km, times).survival
        landmarks = [{"endpoint": "os", "time": t, "pct": round(100 * float(s), 1), **P}
                     for t, s in zip(times, rates, strict=False) if np.isfinite(s) and 0 < s < 1]
        arm = {"id": "a", "label": "arm", "n": {"value": n, **P}, "landmarks": landmarks,
               "medians": [{"endpoint": "os", "value": round(med.time, 2),
                            "ci": [round(med.conf_low, 2), round(med.conf_high, 2)], **P}]}
        data = copy.deepcopy(CLEAN)
        data["trials"][0]["arms"] = [arm]
        data["trials"][0]["design"].pop("simon")
        report = run(data, {"survival_ci_transform": conf_type})
        assert report.by_id("median-ci-landmark-incompatible") == ()
        assert report.by_id("median-landmark-incompatible") == ()
        assert report.by_id("landmark-increasing") == ()


def test_landmarks_increasing():
    landmarks = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["landmarks"])
    landmarks[1]["pct"] = 40.0  # pfs 38.8% at 6, 40.0% at 12
    report = run(edited(landmarks=landmarks))
    (finding,) = report.by_id("landmark-increasing")
    assert finding.numbers["rates_pct"] == [38.8, 40.0]


def test_landmarks_equal_within_rounding_are_fine():
    landmarks = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["landmarks"])
    landmarks.append({"endpoint": "pfs", "criterion": "mRECIST", "time": 18, "pct": 23.2, **P})
    assert run(edited(landmarks=landmarks)).findings == ()


def test_endpoint_ordering():
    landmarks = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["landmarks"])
    landmarks.append({"endpoint": "liver_pfs", "criterion": "mRECIST", "time": 12, "pct": 22.7, **P})
    (finding,) = run(edited(landmarks=landmarks)).findings
    assert (finding.id, finding.severity) == ("endpoint-ordering", "warning")
    landmarks[-1]["pct"] = 23.2
    assert run(edited(landmarks=landmarks)).findings == ()


def test_endpoint_ordering_of_medians():
    medians = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["medians"])
    medians[1].update(value=4.0, ci=None)  # OS median below the PFS median 4.87
    landmarks = [m for m in CLEAN["trials"][0]["arms"][0]["landmarks"] if m["endpoint"] != "os"]
    assert ids(run(edited(medians=medians, landmarks=landmarks))) == ["endpoint-ordering"]


# --------------------------------------------------------------------------- extra proportions and totals

TABLE3 = {
    "proportions": [
        {"id": "any", "label": "HFS any", "x": 14, "n": 25, "pct": 56.0},
        {"id": "g12", "label": "HFS 1-2", "x": 14, "n": 25, "pct": 56.0},
        {"id": "g3", "label": "HFS 3+", "x": 0, "n": 25, "pct": 0.0},
        {"id": "wbc", "label": "WBC any", "x": 10, "n": 25, "pct": 40.0},
        {"id": "wbc12", "label": "WBC 1-2", "x": 6, "n": 25, "pct": 24.0},
        {"id": "wbc3", "label": "WBC 3+", "x": None, "n": 25, "pct": 16.0},
    ],
    "totals": [{"total": "any", "parts": ["g12", "g3"]}, {"total": "wbc", "parts": ["wbc12", "wbc3"]}],
}


def test_extra_proportions_clean():
    assert run(CLEAN, TABLE3).findings == ()


def test_extra_proportions_seed_hand_foot_row():
    audit = copy.deepcopy(TABLE3)
    audit["proportions"][1].update(x=13)  # printed "13 (56.0%)"
    assert ids(run(CLEAN, audit)) == ["count-percentage-mismatch", "parts-sum-mismatch"]


@pytest.mark.parametrize(
    ("raw", "pattern"),
    [
        ({"colour": 1}, r"unknown key 'colour'"),
        ({"totals": [{"total": "nope", "parts": []}]}, r"expected ids of audit.proportions"),
        ({"proportions": [{"id": "a", "n": 5, "x": 6}]}, r"expected a count <= n"),
        ({"proportions": [{"id": "a", "n": 5}]}, r"expected x or pct"),
        ({"survival_ci_transform": "arcsine"}, r"plain, log, log-log or any"),
        ({"decimals": {"percent": -1}}, r"whole number >= 0"),
    ],
)
def test_audit_section_errors(raw, pattern):
    with pytest.raises(InputError, match=pattern):
        parse_audit_options(raw)


# --------------------------------------------------------------------------- Simon design


def test_simon_stated_optimal_is_clean():
    assert run(CLEAN).by_id("simon-design-mismatch") == ()


def test_simon_off_by_one_stage1_rule():
    simon = {"p0": 0.4, "p1": 0.6, "alpha": 0.05, "power": 0.9, "r1": 12, "n1": 25, "r": 32, "n": 66, **P}
    report = run(edited(simon=simon))
    (mismatch,) = report.by_id("simon-design-mismatch")
    assert mismatch.severity == "error"
    assert mismatch.numbers["optimal"]["r1"] == 11
    assert mismatch.numbers["stated"]["power"] < 0.9
    assert "off by one" in mismatch.message
    (decision,) = report.by_id("simon-stage1-decision")  # 11/25 observed: stop under both rules
    assert decision.severity == "note"
    assert decision.numbers["decisions"] == {"stated": "stop", "optimal": "stop"}


def test_simon_feasible_but_not_optimal_is_a_warning():
    simon = {"p0": 0.1, "p1": 0.3, "alpha": 0.05, "power": 0.8, "r1": 1, "n1": 15, "r": 5, "n": 25, **P}
    (finding,) = run(edited(simon=simon)).by_id("simon-design-mismatch")  # the minimax design
    assert finding.severity == "warning"
    assert run(edited(simon=simon, description="minimax Simon design")).by_id("simon-design-mismatch") == ()


def test_simon_decision_depends_on_rule():
    simon = {"p0": 0.4, "p1": 0.6, "alpha": 0.05, "power": 0.9, "r1": 11, "n1": 25, "r": 32, "n": 66, **P}
    binary = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["binary"])
    for b in binary:
        if b["endpoint"] in ("orr", "pr") and "subgroup" not in b:
            b.update(x=12, pct=48.0)
            b.pop("ci_pct", None)
        if b["endpoint"] == "sd":
            b.update(x=4, pct=16.0)
    simon_wrong = dict(simon, r1=12)
    report = run(edited(simon=simon_wrong, binary=binary))
    (decision,) = report.by_id("simon-stage1-decision")
    assert decision.severity == "error"
    assert decision.numbers["decisions"] == {"stated": "stop", "optimal": "continue"}


def test_simon_incomplete_is_a_note():
    simon = {"p0": 0.4, "p1": 0.6, "alpha": 0.05, "power": None, "r1": 12, "n1": 25, "r": None, "n": 66, **P}
    (finding,) = run(edited(simon=simon)).findings
    assert (finding.id, finding.severity) == ("simon-incomplete", "note")
    assert "power, r" in finding.message


def test_simon_large_stated_design_is_evaluated_without_search(monkeypatch):
    """Regression: a stated n of 400 searched nmax = 800 (minutes); now the stated rules are evaluated exactly
    and the search is skipped with a note."""
    import compare.audit.design_checks as design

    def no_search(*args):
        raise AssertionError(f"searched with {args}")

    monkeypatch.setattr(design, "_search", no_search)
    simon = {"p0": 0.4, "p1": 0.6, "alpha": 0.05, "power": 0.9, "r1": 60, "n1": 150, "r": 170, "n": 400, **P}
    report = run(edited(simon=simon))
    (capped,) = report.by_id("simon-search-capped")
    assert capped.severity == "note"
    assert capped.numbers["search_nmax"] == design.SIMON_AUDIT_NMAX == 150
    stated = evaluate_simon_design(60, 150, 170, 400, p0=0.4, p1=0.6)
    assert capped.numbers["stated"]["alpha"] == pytest.approx(stated.alpha, rel=1e-12)
    (mismatch,) = report.by_id("simon-design-mismatch")  # alpha 0.12 > 0.05: an error without any search
    assert mismatch.severity == "error"
    assert stated.alpha > 0.05


def test_simon_search_is_capped(monkeypatch):
    """A stated n in (75, 150] searches up to the cap, not 2 n."""
    import compare.audit.design_checks as design

    seen = []
    real = design._search

    def spy(p0, p1, alpha, power, nmax):
        seen.append(nmax)
        return real(p0, p1, alpha, power, 70)  # the implied designs here have n <= 70; keep the test fast

    monkeypatch.setattr(design, "_search", spy)
    simon = {"p0": 0.4, "p1": 0.6, "alpha": 0.05, "power": 0.9, "r1": 12, "n1": 25, "r": 32, "n": 120, **P}
    report = run(edited(simon=simon))
    assert seen == [150]
    assert report.by_id("simon-search-capped") == ()


def test_cli_simon_nmax_is_capped():
    result = CliRunner().invoke(main, ["simon", "--p0", "0.1", "--p1", "0.3", "--nmax", "301"])
    assert result.exit_code == 2
    assert "301 is not in the range 2<=x<=300" in result.output


# --------------------------------------------------------------------------- extra proportions, several trials


def _two_trials():
    data = copy.deepcopy(CLEAN)
    other = copy.deepcopy(data["trials"][0])
    other["id"] = "other_trial"
    data["trials"].append(other)
    return data


def test_extra_proportions_need_the_trial_when_there_are_several(tmp_path):
    """Regression: audit.proportions were silently checked against trials[0] only."""
    import yaml

    audit = {"proportions": [{"id": "hfs", "label": "HFS", "x": 14, "n": 25, "pct": 55.0}]}
    path = tmp_path / "paper.yaml"
    path.write_text(yaml.safe_dump({**_two_trials(), "audit": audit}))
    with pytest.raises(InputError, match=r"field 'audit.trial': expected the id of the trial .* 2 trials"):
        load_audit_input(path)
    with pytest.raises(InputError, match=r"field 'audit.trial'"):
        run(_two_trials(), audit)
    report = run(_two_trials(), {**audit, "trial": "other_trial"})
    assert {f.trial for f in report.findings} == {"other_trial"}
    assert report.by_id("count-percentage-mismatch")[0].trial == "other_trial"
    assert run(_two_trials()).trials == ("t", "other_trial")  # no proportions: no trial needed


# --------------------------------------------------------------------------- seed paper end to end


@pytest.fixture(scope="module")
def seed_report():
    return load_and_audit(SEED_AUDIT)


def load_and_audit(path):
    return audit_registry(load_audit_input(path))


def _one(report, finding_id, subject_part=""):
    found = [f for f in report.by_id(finding_id) if subject_part in f.subject]
    assert found, f"no {finding_id} finding on {subject_part!r}"
    return found


def test_seed_audit_findings(seed_report):
    r = seed_report
    assert r.trials == ("double_ia_001",)
    assert r.counts() == {"error": 8, "warning": 12, "note": 1}
    (ci,) = _one(r, "ci-method-mismatch", "orr (mRECIST")
    assert ci.numbers["nearest_method"] == "wald"
    assert ci.numbers["matching_methods"] == []
    (simon,) = _one(r, "simon-design-mismatch")
    assert (simon.numbers["optimal"]["r1"], simon.numbers["optimal"]["n1"]) == (11, 25)
    (ttr,) = _one(r, "median-ci-excludes-estimate", "ttr median (mRECIST)")
    assert ttr.numbers["ci"] == [2.10, 2.89]
    os_ci = _one(r, "median-ci-landmark-incompatible", "os median")
    assert {f.numbers["time"] for f in os_ci} == {6.0, 12.0}
    assert len(r.by_id("median-ci-symmetric")) == 9  # every median CI except the follow-up one
    assert {f.numbers.get("where") for f in r.by_id("value-conflict")} == {"results text", "table 2"}
    _one(r, "endpoint-ordering", "liver_pfs rate at 12")
    _one(r, "count-percentage-mismatch", "Hand-foot syndrome, grade 1-2")
    assert {f.subject.split(",")[0] for f in r.by_id("parts-sum-mismatch")} == {"Hand-foot syndrome", "Ascites"}
    assert r.by_id("subgroup-contradiction") == ()
    assert r.by_id("landmark-increasing") == ()


@pytest.mark.shared
@pytest.mark.skipif(not SEED_TEXT.exists(), reason="../shared/seed not present")
def test_seed_text_prints_the_audited_numbers():
    # The example's flagged numbers are the seed's own printings.
    text = SEED_TEXT.read_text(encoding="utf-8")
    for printed in ("ORR of 44.0% (95% CI, 24.6–63.5%)", "Clopper-Pearson", "If over 12 out of the initial 25",
                    "more than 32 of 66", "Median TTR was 1.83 months (95% CI, 2.10–2.89)",
                    "1.83 (1.40–2.27)", "8.87 months (95% CI, 8.17–9.57)", "64.0%, 40.3%, and 26.9%",
                    "12-month PFS rate\t23.3%", "Hand-foot syndrome\t14 (56.0%)\t13 (56.0%)",
                    "Ascites\t4 (16.0%)\t0 (0.0%)"):
        assert printed in text, printed


def test_seed_report_json_and_markdown(seed_report):
    record = seed_report.to_dict()
    json.dumps(record)  # serialisable
    assert record["counts"]["error"] == 8
    assert record["provenance"]["inputs"]["audit_input"]["sha256"]
    md = seed_report.to_markdown()
    assert md.startswith("# Audit of reported statistics: double_ia_001")
    assert "## Errors (8)" in md
    assert "`ci-method-mismatch`" in md


# --------------------------------------------------------------------------- CLI


def test_cli_audit_writes_reports(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["audit", str(SEED_AUDIT), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "8 errors, 12 warnings, 1 notes" in result.output
    assert json.loads((out / "audit.json").read_text())["counts"]["warning"] == 12
    assert (out / "audit.md").read_text().startswith("# Audit")
    again = runner.invoke(main, ["audit", str(SEED_AUDIT), "-o", str(out)])
    assert again.exit_code == 2
    assert "--force" in again.output
    assert runner.invoke(main, ["audit", str(SEED_AUDIT), "-o", str(out), "--force"]).exit_code == 0


def test_cli_audit_prints_markdown_without_outdir():
    result = CliRunner().invoke(main, ["audit", str(SEED_AUDIT)])
    assert result.exit_code == 0
    assert "`simon-design-mismatch`" in result.output


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (None, "no such file"),
        ("registry_version: 1\naudit: {colour: red}\n", "unknown key 'colour'"),
        ("- just a list\n", "mapping at the top level"),
    ],
)
def test_cli_audit_bad_input_exits_2(tmp_path, content, pattern):
    path = tmp_path / "paper.yaml"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(main, ["audit", str(path)])
    assert result.exit_code == 2
    assert pattern in result.output


def test_unknown_audited_trial(tmp_path):
    path = tmp_path / "paper.yaml"
    import yaml

    path.write_text(yaml.safe_dump({**CLEAN, "audit": {"trial": "other"}}))
    with pytest.raises(InputError, match="other"):
        load_audit_input(path)


def test_importing_audit_does_not_import_cv2():
    code = "import sys, compare.audit.audit, compare.audit.simon; print('cv2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "False"


def test_stated_survival_ci_transform_is_used():
    medians = copy.deepcopy(CLEAN["trials"][0]["arms"][0]["medians"])
    medians[1]["ci"] = [8.17, 9.57]
    methods = dict(CLEAN["trials"][0]["design"]["methods"], survival_ci="log-log")
    found = run(edited(medians=medians, methods=methods)).by_id("median-ci-landmark-incompatible")
    assert found
    assert all(f.numbers["transforms"] == ["log-log"] for f in found)
