"""Tests of compare.registry.loader: the registry format, its validation messages, and the bundled HCC registry."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml

from compare.registry.loader import (
    FLAGS,
    Registry,
    default_registry_path,
    load_registry,
    parse_registry,
)
from reconstruct.errors import InputError

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def minimal() -> dict:
    return {
        "registry_version": 1,
        "time_unit": "months",
        "sources": {"S1": "a source", "S2": "another"},
        "trials": [
            {
                "id": "t1",
                "citation": "Author 2024",
                "design": {"description": "randomized", "randomized": True},
                "arms": [
                    {
                        "id": "a",
                        "label": "A",
                        "n": {"value": 40, "src": "S1", "flag": "confirmed"},
                        "population": {"bclc_c": {"pct": 80, "src": "S1", "flag": "confirmed"}},
                        "binary": [
                            {"endpoint": "orr", "criterion": "mRECIST", "x": 10, "n": 40, "pct": 25.0,
                             "src": "S1", "flag": "confirmed"}
                        ],
                        "medians": [{"endpoint": "os", "value": 12.5, "ci": [10.0, "NE"], "src": ["S1", "S2"],
                                     "flag": "UNVERIFIED"}],
                        "landmarks": [{"endpoint": "os", "time": 12, "pct": 51.0, "src": "S1", "flag": "conflict",
                                       "alternatives": [{"pct": 52.0, "src": "S2", "where": "table 2"}]}],
                        "hazard_ratios": [{"endpoint": "os", "comparator": "b", "value": 0.7, "ci": [0.5, 0.95],
                                           "src": "S1", "flag": "confirmed"}],
                        "ipd": {"os": "ipd/a.csv#A"},
                    },
                    {"id": "b", "label": "B", "n": {"value": 38, "src": "S1", "flag": "confirmed"}},
                ],
            }
        ],
    }


def test_minimal_registry_parses_to_frozen_records(tmp_path) -> None:
    reg = parse_registry(minimal(), base_dir=tmp_path)
    arm = reg.arm("t1", "a")
    assert arm.n.value == 40
    assert arm.share("bclc_c") == pytest.approx(0.80)
    assert arm.share("pvtt") is None
    orr = arm.find_binary("orr", criterion="mRECIST")[0]
    assert (orr.x, orr.n, orr.proportion, orr.analysis) == (10, 40, 0.25, "primary")
    median = arm.medians[0]
    assert median.ci == (10.0, None)  # "NE" bound read as None
    assert median.provenance.flag == "unverified"  # flags are read case-insensitively
    assert median.provenance.src == ("S1", "S2")
    land = arm.landmarks[0]
    assert land.provenance.alternatives[0].value == 52.0
    assert land.provenance.alternatives[0].where == "table 2"
    assert arm.hazard_ratios[0].comparator == "b"
    assert arm.ipd["os"] == f"{tmp_path / 'ipd/a.csv'}#A"
    with pytest.raises(dataclasses.FrozenInstanceError):
        arm.n = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        reg.sources["S3"] = "x"  # type: ignore[index]


def test_load_registry_records_path_and_hash(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(minimal()), encoding="utf-8")
    reg = load_registry(path)
    assert isinstance(reg, Registry)
    assert reg.path == path
    assert len(reg.sha256) == 64


def _mutate(path_keys, value):
    data = minimal()
    node = data
    for key in path_keys[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path_keys[-1]]
    else:
        node[path_keys[-1]] = value
    return data


_DELETE = object()
ARM = ("trials", 0, "arms", 0)


@pytest.mark.parametrize(
    ("keys", "value", "message"),
    [
        pytest.param(("registry_version",), 2, r"field 'registry_version': expected 1, got 2", id="version"),
        pytest.param(("time_unit",), "hours", r"field 'time_unit': expected one of days, weeks", id="time-unit"),
        pytest.param(("trials",), [], r"expected a non-empty list", id="no-trials"),
        pytest.param(("trials", 0, "id"), "T 1", r"expected an id of lower-case", id="bad-id"),
        pytest.param(("trials", 0, "design", "randomized"), "yes", r"design.randomized': expected true or false",
                     id="randomized"),
        pytest.param(ARM + ("n", "value"), 0, r"trial t1/arm a: field 'n.value': expected a whole number >= 1, got 0",
                     id="n-zero"),
        pytest.param(ARM + ("n", "flag"), "maybe", r"field 'n.flag': expected one of confirmed", id="flag"),
        pytest.param(ARM + ("n", "src"), "S9", r"field 'n.src': expected a key of 'sources', got \"'S9'", id="src"),
        pytest.param(ARM + ("binary", 0, "x"), 41, r"field 'binary\[0\].x': expected a count x <= n \(40\), got 41",
                     id="x-gt-n"),
        pytest.param(ARM + ("binary", 0, "criterion"), "RECIST", r"expected one of mRECIST, RECIST 1.1",
                     id="criterion"),
        pytest.param(ARM + ("binary", 0, "endpoint"), "ORR", r"did you mean 'orr'", id="endpoint-hint"),
        pytest.param(ARM + ("binary", 0, "pct"), 140.0, r"expected a number in \[0, 100\], got 140.0", id="pct"),
        pytest.param(ARM + ("medians", 0, "ci"), [12.0, 10.0], r"expected lower <= upper", id="ci-order"),
        pytest.param(ARM + ("hazard_ratios", 0, "comparator"), "c", r"expected another arm id of this trial",
                     id="comparator"),
        pytest.param(ARM + ("hazard_ratios", 0, "ci"), [0.75, 0.95], r"expected 0 < lower <= HR \(0.7\) <= upper",
                     id="hr-outside-ci"),
        pytest.param(ARM + ("population",), {"bclc": {"pct": 1, "src": "S1", "flag": "confirmed"}},
                     r"unknown key 'bclc' \(did you mean 'bclc_[abc]'", id="unknown-descriptor"),
        pytest.param(ARM + ("n",), _DELETE, r"field 'arms\[0\]': expected key 'n'", id="missing-n"),
    ],
)
def test_invalid_entries_name_file_trial_arm_and_field(keys, value, message) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_registry(_mutate(keys, value), source="reg.yaml")
    text = str(info.value)
    assert text.startswith("reg.yaml: ")
    assert "\n" not in text


def test_unknown_key_is_rejected_with_closest_hint() -> None:
    data = minimal()
    data["trials"][0]["arms"][0]["binary"][0]["ci_pc"] = [1.0, 2.0]
    with pytest.raises(InputError, match=r"unknown key 'ci_pc' \(did you mean 'ci_pct'\?\)"):
        parse_registry(data, source="reg.yaml")


def test_duplicate_ids_are_rejected() -> None:
    data = minimal()
    data["trials"].append(copy.deepcopy(data["trials"][0]))
    with pytest.raises(InputError, match=r"expected a trial id unique in the file, got 't1'"):
        parse_registry(data)
    data = minimal()
    data["trials"][0]["arms"][1]["id"] = "a"
    with pytest.raises(InputError, match=r"expected arm ids unique in the trial"):
        parse_registry(data)


def test_null_n_requires_nf_flag() -> None:
    data = _mutate(ARM + ("n",), {"value": None, "src": "S1", "flag": "confirmed"})
    with pytest.raises(InputError, match=r"expected flag nf for a null n"):
        parse_registry(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("trials: [\n  - id: x\n   bad", r"r.yaml:\d+: expected valid YAML", id="syntax"),
        pytest.param("- 1\n- 2\n", r"field 'document': expected a mapping", id="list-top"),
    ],
)
def test_bad_files_fail_in_one_line(tmp_path, text, message) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_registry(path)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(InputError, match=r"expected an existing registry YAML file"):
        load_registry(tmp_path / "none.yaml")


def test_unknown_trial_lookup_hints() -> None:
    reg = parse_registry(minimal())
    with pytest.raises(InputError, match=r"got 't2' \(did you mean 't1'\?\)"):
        reg.trial("t2")
    with pytest.raises(InputError, match=r"expected an arm of trial 't1' \(a, b\), got 'c'"):
        reg.arm("t1", "c")


# --------------------------------------------------------------------------- the bundled HCC registry


@pytest.fixture(scope="module")
def hcc() -> Registry:
    return load_registry(default_registry_path())


def test_bundled_registry_loads_with_every_value_sourced(hcc) -> None:
    ids = [t.id for t in hcc.trials]
    assert ids[0] == "double_ia_001"
    assert {"triplet", "he_2019", "lai_2022", "sharp", "asia_pacific", "cares_310", "imbrave150"} <= set(ids)
    for trial, arm in hcc.iter_arms():
        records = [arm.n] + list(arm.population) + list(arm.binary) + list(arm.medians) + list(arm.landmarks)
        records += list(arm.hazard_ratios)
        for record in records:
            assert record.provenance.flag in FLAGS
            assert record.provenance.src, (trial.id, arm.id)
            # recalled values never pass as confirmed
            if "RECALL" in record.provenance.src:
                assert record.provenance.flag == "unverified", (trial.id, arm.id, record)


def test_bundled_double_ia_values_match_the_seed_tables(hcc) -> None:
    trial = hcc.trial("double_ia_001")
    simon = trial.design.simon
    assert (simon.p0, simon.p1, simon.r1, simon.n1, simon.r, simon.n) == (0.4, 0.6, 12, 25, 32, 66)
    arm = trial.arm("ia_triple")
    orr = arm.find_binary("orr", criterion="mRECIST")[0]
    assert (orr.x, orr.n, orr.ci_pct) == (11, 25, (24.6, 63.5))
    assert arm.find_binary("orr", criterion="RECIST 1.1")[0].x == 9
    assert arm.share("pvtt") == pytest.approx(18 / 25)
    pfs12 = next(r for r in arm.landmarks if r.endpoint == "pfs" and r.criterion == "mRECIST" and r.time == 12)
    assert pfs12.provenance.flag == "conflict"
    assert pfs12.provenance.alternatives[0].value == 23.3
    ttr = next(r for r in arm.medians if r.endpoint == "ttr" and r.criterion == "mRECIST")
    assert ttr.provenance.flag == "conflict"
    assert ttr.provenance.alternatives[0].ci == (2.10, 2.89)


def test_bundled_unverified_values_keep_their_flag(hcc) -> None:
    triplet_orr = hcc.arm("triplet", "haic_cam_apa").binary[0]
    assert triplet_orr.provenance.flag == "unverified"
    assert hcc.arm("triplet", "haic_cam_apa").n.provenance.flag == "unverified"
    he_orr = hcc.arm("he_2019", "sora_haic").find_binary("orr")[0]
    assert he_orr.provenance.flag == "unverified"  # the RECIST 1.1 criterion is recalled
    cares = [r for r in hcc.arm("cares_310", "cam_riv").find_binary("orr") if r.has_counts][0]
    assert (cares.x, cares.n, cares.provenance.flag) == (69, 272, "unverified")


@pytest.mark.shared
def test_the_compiled_comparator_file_is_pointed_to_the_bundled_registry() -> None:
    source = SHARED / "trials" / "hcc_comparators.yaml"
    if not source.is_file():
        pytest.skip("../shared/trials/hcc_comparators.yaml is not present")
    with pytest.raises(InputError, match="compiled comparator file .* compare/data/hcc_registry.yaml"):
        load_registry(source)


@pytest.mark.shared
def test_bundled_registry_covers_the_compiled_trials(hcc) -> None:
    source = SHARED / "trials" / "hcc_comparators.yaml"
    if not source.is_file():
        pytest.skip("../shared/trials/hcc_comparators.yaml is not present")
    compiled = yaml.safe_load(source.read_text(encoding="utf-8"))
    with_values = [t["id"] for t in compiled["trials"] if t["id"] not in
                   ("liu_2023_neoplasma", "yalikun_2025", "folfox_haic_2018_orr_28_6")]
    assert with_values == [t.id for t in hcc.trials]
    sizes = {(t["id"], i): a["n"]["value"] for t in compiled["trials"] for i, a in enumerate(t.get("arms", []))
             if isinstance(a.get("n"), dict)}
    for trial in hcc.trials:
        for i, arm in enumerate(trial.arms):
            assert arm.n.value == sizes[(trial.id, i)], (trial.id, arm.id)
