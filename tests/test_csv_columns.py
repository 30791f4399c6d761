"""The pandas-free contract CSV reader and writer (reconstruct.csv_columns) against the DataFrame path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconstruct.csv_columns import Columns, arm_names, arm_rows, format_csv, read_csv_columns
from reconstruct.errors import InputError
from reconstruct.io import read_at_risk_columns, read_curves_columns, write_csv

COLS = ("arm", "time", "survival")


def _file(tmp_path, text, name="c.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("arm,time,survival\nA,1_0,1\n", r"c.csv:2: field 'time': expected a finite number, got '1_0'"),
        ("arm,time,survival\nA,\u0661,1\n", r"c.csv:2: field 'time': expected a finite number"),  # Arabic-Indic 1
        ("arm,time,survival\nA,0x1,1\n", r"c.csv:2: field 'time'"),
        ("arm,time,survival\nA,0,1\n\nA,two,1\n", r"c.csv:4: field 'time': expected a finite number, got 'two'"),
        ("arm,time,survival\nA,0,1,,\n", "same number of fields on every line as in the header, got more"),
        ("arm,time,survival\nA,0,1,5\n", "got more"),
        ('arm,time,survival\n"A,0,1\n', "expected a comma-separated text file, got unparsable content"),
        ("arm,time,survival\nA,0\x00,1\n", r"c.csv:2: field 'time'"),
        ("   \n", "expected columns arm,time,survival, got none"),
    ],
)
def test_bad_cells_name_file_line_and_field(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        read_csv_columns(_file(tmp_path, text), COLS, numeric=("time", "survival"))


def test_reads_what_the_contract_allows(tmp_path):
    text = '\ufeffARM , Time,SURVIVAL,note\n "A, x",0,1,\n\nB,+1e1,.5,y\n'
    table = read_csv_columns(_file(tmp_path, text), COLS, numeric=("time", "survival"))
    assert table.columns == list(COLS)
    assert table["arm"].tolist() == ["A, x", "B"]
    np.testing.assert_array_equal(table["time"], [0.0, 10.0])
    np.testing.assert_array_equal(table["survival"], [1.0, 0.5])
    assert table.line.tolist() == [2, 4]
    frame = table.to_frame()
    assert frame.index.tolist() == [0, 2] and frame["arm"].dtype == object


def test_rows_of_an_arm_are_the_same_from_columns_and_frames(tmp_path):
    path = _file(tmp_path, "arm,time,n_risk\nB,0,20\nA,0,10\nB,5,15\nA,5,7\n")
    table = read_at_risk_columns(path)
    frame = table.to_frame()
    assert arm_names(table) == arm_names(frame) == ["B", "A"]
    for arm in ("A", "B"):
        rows, frame_rows = arm_rows(table, arm), arm_rows(frame, arm)
        assert isinstance(rows, Columns)
        np.testing.assert_array_equal(rows["n_risk"], frame_rows["n_risk"].to_numpy())
        np.testing.assert_array_equal(rows.index, frame_rows.index.to_numpy())
    assert table["n_risk"].dtype == np.int64
    assert Columns.from_frame(frame).line.tolist() == table.line.tolist()


def test_curves_reader_checks_ranges_with_the_file_line(tmp_path):
    with pytest.raises(InputError, match=r"c.csv:3: field 'survival': expected a survival proportion"):
        read_curves_columns(_file(tmp_path, "arm,time,survival\nA,0,1\nA,1,101\n"))


_ARM = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=6)
_ARM = _ARM.filter(lambda s: s.strip() == s and s != "")


@given(
    arms=st.lists(_ARM, min_size=1, max_size=3),
    times=st.lists(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_subnormal=True), min_size=1,
                   max_size=12),
    events=st.lists(st.integers(min_value=-(2**40), max_value=2**40), min_size=1, max_size=12),
)
def test_columns_writer_gives_the_dataframe_writers_bytes(tmp_path_factory, arms, times, events):
    n = min(len(times), len(events))
    columns = {"arm": np.array([arms[i % len(arms)] for i in range(n)], dtype=object),
               "time": np.array(times[:n], dtype=float), "event": np.array(events[:n], dtype=np.int64)}
    out = tmp_path_factory.mktemp("w") / "x.csv"
    write_csv(out, pd.DataFrame(columns))
    assert format_csv(columns) == out.read_bytes().decode("utf-8")


@given(values=st.lists(st.floats(min_value=-1e300, max_value=1e300, width=64), min_size=1, max_size=20))
def test_written_floats_read_back_to_ten_significant_digits(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("r") / "c.csv"
    path.write_text(format_csv({"arm": np.array(["A"] * len(values), dtype=object), "time": np.array(values),
                                "survival": np.zeros(len(values))}))
    back = read_csv_columns(path, COLS, numeric=("time", "survival"))["time"]
    np.testing.assert_allclose(back, values, rtol=5e-10, atol=0)
