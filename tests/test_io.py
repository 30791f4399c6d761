"""Readers of the CSV contracts (row-level errors) and atomic, no-overwrite writers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from reconstruct.io import (
    atomic_path,
    provenance,
    read_at_risk_csv,
    read_curves_csv,
    read_ipd_csv,
    sha256_file,
    write_csv,
    write_json,
)
from reconstruct.errors import InputError, OutputExistsError


def _write(tmp_path, text, name="in.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty file"),
        ("arm,time\nA,1\n", "missing survival"),
        ("arm,time,survival\n", "at least one data row"),
        ("arm,time,survival\nA,0,1\nA,1,abc\n", r"in.csv:3: field 'survival': expected a finite number, got 'abc'"),
        ("arm,time,survival\nA,nan,1\n", r":2: field 'time': expected a finite number"),
        ("arm,time,survival\nA,inf,1\n", r":2: field 'time': expected a finite number"),
        ("arm,time,survival\nA,0,-0.5\n", r":2: field 'survival': expected a survival proportion"),
        ("arm,time,survival\n,0,1\n", r":2: field 'arm': expected a non-empty arm name"),
    ],
)
def test_curve_reader_errors_name_file_row_and_field(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        read_curves_csv(_write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_curves_csv(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("arm,time,n_risk\nA,0,10.5\n", r":2: field 'n_risk': expected a whole number, got '10.5'"),
        ("arm,time,n_risk\nA,-1,10\n", r":2: field 'time': expected a time >= 0"),
        ("arm,time,n_risk\nA,0,-3\n", r":2: field 'n_risk': expected a number at risk >= 0"),
    ],
)
def test_at_risk_reader_errors(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        read_at_risk_csv(_write(tmp_path, text))


def test_ipd_reader_checks_event_values(tmp_path):
    with pytest.raises(InputError, match=r":3: field 'event': expected event 0 \(censored\) or 1"):
        read_ipd_csv(_write(tmp_path, "arm,time,event\nA,1,1\nA,2,2\n"))


def test_readers_accept_extra_columns_spaces_and_case(tmp_path):
    frame = read_curves_csv(_write(tmp_path, "Arm, Time, Survival, note\n A ,0,1,x\nA,2.5,0.9,y\n"))
    assert list(frame.columns) == ["arm", "time", "survival"]
    assert frame["arm"].tolist() == ["A", "A"]
    np.testing.assert_allclose(frame["time"], [0.0, 2.5])


def test_writers_refuse_overwrite_and_are_atomic(tmp_path):
    out = tmp_path / "sub" / "ipd.csv"
    write_csv(out, pd.DataFrame({"arm": ["A"], "time": [1.25], "event": [1]}))
    assert out.read_text() == "arm,time,event\nA,1.25,1\n"
    with pytest.raises(OutputExistsError, match="--force"):
        write_csv(out, pd.DataFrame({"arm": ["B"], "time": [2.0], "event": [0]}))
    write_csv(out, pd.DataFrame({"arm": ["B"], "time": [2.0], "event": [0]}), force=True)
    assert out.read_text() == "arm,time,event\nB,2,0\n"
    assert [p.name for p in out.parent.iterdir()] == ["ipd.csv"]


def test_interrupted_write_keeps_the_old_file(tmp_path):
    out = tmp_path / "result.json"
    write_json(out, {"a": 1})
    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_path(out, force=True) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("interrupted")
    assert json.loads(out.read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_provenance_records_hashes_and_parameters(tmp_path):
    src = _write(tmp_path, "arm,time,survival\nA,0,1\n")
    record = provenance(inputs={"curves": src, "at_risk": None}, parameters={"precision": np.float64(1e-3),
                        "x": float("nan")}, command="test")
    assert record["inputs"]["curves"]["sha256"] == sha256_file(src)
    assert "at_risk" not in record["inputs"]
    assert record["parameters"] == {"precision": 1e-3, "x": None}
    assert record["kmrecon_version"]
