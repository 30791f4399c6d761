"""Every command on bad input: a one-line message naming the file and the problem, exit 2 (usage) or 1
(failed to process), never a traceback, nothing written. Issue 7's table, as parametrized tests."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmrecon.cli import main
from kmrecon.synthetic_figures import generate_figure
from reconstruct.errors import KmreconError

CURVES = "arm,time,survival\nA,0,1\nA,2,0.8\nA,5,0.6\n"
TABLE = "arm,time,n_risk\nA,0,20\nA,3,12\n"


def _png(array) -> bytes:
    ok, buf = cv2.imencode(".png", array)
    assert ok
    return buf.tobytes()


@pytest.fixture(scope="module")
def good_png() -> bytes:
    return generate_figure("basic", 0).image_bytes


def _invoke(args):
    result = CliRunner().invoke(main, args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    return result, lines


def _assert_clean_failure(result, lines, *, code, needle):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert needle in errors[0], errors[0]
    assert not isinstance(result.exception, (AssertionError, TypeError, KeyError, IndexError, AttributeError))


# --------------------------------------------------------------------------- CSV inputs of `reconstruct`

CSV_CASES = [
    pytest.param("", TABLE, "c.csv: expected a CSV with header arm,time,survival, got an empty file",
                 id="empty-curves"),
    pytest.param("arm,time\nA,0\n", TABLE, "missing survival", id="missing-column"),
    pytest.param("arm,time,survival\nA,0,1\nA,two,0.5\n", TABLE, "c.csv:3: field 'time': expected a finite number",
                 id="non-numeric"),
    pytest.param("arm,time,survival\nA,0,1\nA,nan,0.5\n", TABLE, "c.csv:3: field 'time'", id="nan"),
    pytest.param("arm,time,survival\nA,0,1\nA,inf,0.5\n", TABLE, "c.csv:3: field 'time'", id="inf"),
    pytest.param("arm,time,survival\nA,0,1\nA,2,101\n", TABLE, "c.csv:3: field 'survival'", id="survival-above-100"),
    pytest.param("arm,time,survival\nA,0,0.5\nA,2,0.9\n", TABLE, "expected a non-increasing survival curve",
                 id="rising-curve"),
    pytest.param(CURVES, "arm,time,n_risk\nA,0,10\nA,3,15\n",
                 "t.csv:3: arm 'A': expected numbers at risk that never increase",
                 id="rising-at-risk"),
    pytest.param(CURVES, "arm,time,n_risk\nA,-1,10\n", "t.csv:2: field 'time': expected a time >= 0",
                 id="negative-table-time"),
    pytest.param(CURVES, "arm,time,n_risk\nA,0,10\nB,0,10\n", "expected arms among the curve arms ['A'], got 'B'",
                 id="table-arm-not-in-curves"),
    pytest.param(CURVES, "arm,time,n_risk\nA,0,10,extra\n", "same number of fields", id="ragged-row"),
]


@pytest.mark.parametrize(("curves", "table", "needle"), CSV_CASES)
def test_reconstruct_bad_csv(tmp_path, curves, table, needle):
    (tmp_path / "c.csv").write_text(curves)
    (tmp_path / "t.csv").write_text(table)
    result, lines = _invoke(["reconstruct", str(tmp_path / "c.csv"), "--at-risk", str(tmp_path / "t.csv"),
                             "-o", str(tmp_path / "ipd.csv")])
    _assert_clean_failure(result, lines, code=2, needle=needle)
    assert not (tmp_path / "ipd.csv").exists()


def test_reconstruct_missing_file(tmp_path):
    result, lines = _invoke(["reconstruct", str(tmp_path / "absent.csv"), "--n", "A=3", "-o", str(tmp_path / "o.csv")])
    _assert_clean_failure(result, lines, code=2, needle="absent.csv: expected an existing CSV file")


# --------------------------------------------------------------------------- YAML inputs of `compare` and `audit`

YAML_CASES = [
    pytest.param("registry_version: 1\ntrials: []\nsurprise: 1\n", "surprise", id="unknown-key"),
    pytest.param("registry_version: 1\ntrials: 5\n", "trials", id="wrong-type"),
    pytest.param("registry_version: 1\ntrials: !!python/object/apply:os.system ['echo pwned']\n", "r.yaml",
                 id="unsafe-tag"),
    pytest.param("registry_version: [1\n", "r.yaml", id="broken-yaml"),
    pytest.param("", "r.yaml", id="empty"),
]


@pytest.mark.parametrize("command", ["compare", "audit"])
@pytest.mark.parametrize(("text", "needle"), YAML_CASES)
def test_registry_commands_bad_yaml(tmp_path, command, text, needle):
    (tmp_path / "r.yaml").write_text(text)
    result, lines = _invoke([command, str(tmp_path / "r.yaml"), "-o", str(tmp_path / "out")])
    _assert_clean_failure(result, lines, code=2, needle=needle)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --------------------------------------------------------------------------- images of `digitize` and `run`


def _image_cases(good_png: bytes) -> dict[str, tuple[str, bytes, int, str]]:
    rng = np.random.default_rng(20240101)
    jpeg = cv2.imencode(".jpg", cv2.imdecode(np.frombuffer(good_png, np.uint8), cv2.IMREAD_COLOR))[1].tobytes()
    bars = np.full((300, 400, 3), 255, np.uint8)
    for k, h in enumerate((120, 200, 80, 160)):
        bars[300 - h : 290, 40 + 90 * k : 100 + 90 * k] = (180, 90, 30)
    return {
        "empty": ("f.png", b"", 2, "f.png"),
        "wrong-extension": ("f.gif", good_png, 2, "f.gif"),
        "truncated-png": ("f.png", good_png[: len(good_png) // 3], 2, "f.png"),
        "corrupt-jpeg": ("f.jpg", jpeg[:200] + bytes(200) + jpeg[400:1000], 2, "f.jpg"),
        "photo-noise": ("f.png", _png(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)), 1, "f.png"),
        "bar-chart": ("f.png", _png(bars), 1, "f.png"),
        "blank-page": ("f.png", _png(np.full((400, 300, 3), 255, np.uint8)), 1, "f.png"),
        "one-pixel": ("f.png", _png(np.zeros((1, 1, 3), np.uint8)), 2, "f.png"),
        "decompression-bomb": ("f.png", _png(np.zeros((7000, 7000), np.uint8)), 2, "pixels"),
    }


IMAGE_IDS = ["empty", "wrong-extension", "truncated-png", "corrupt-jpeg", "photo-noise", "bar-chart", "blank-page",
             "one-pixel", "decompression-bomb"]


@pytest.mark.parametrize("command", ["digitize", "run"])
@pytest.mark.parametrize("case", IMAGE_IDS)
def test_image_commands_bad_images(tmp_path, good_png, command, case):
    name, data, code, needle = _image_cases(good_png)[case]
    (tmp_path / name).write_bytes(data)
    result, lines = _invoke([command, str(tmp_path / name), "-o", str(tmp_path / "out")])
    if case in {"photo-noise", "bar-chart", "blank-page"}:
        assert result.exit_code in (1, 2), result.output  # not a KM figure: usage or processing failure
        code = result.exit_code
    _assert_clean_failure(result, lines, code=code, needle=needle)


def test_image_missing_file(tmp_path):
    result, lines = _invoke(["digitize", str(tmp_path / "absent.png"), "-o", str(tmp_path / "out")])
    _assert_clean_failure(result, lines, code=2, needle="absent.png")


# --------------------------------------------------------------------------- fuzzing the image path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_image_bytes_never_crash(tmp_path_factory, good_png, data):
    """Random byte flips, cuts and insertions: a KmreconError or a result, nothing else (bounded run)."""
    from reconstruct.digitize.figure import digitize_figure

    raw = bytearray(good_png)
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, len(raw) - 1))
        if kind == "flip":
            raw[pos] ^= data.draw(st.integers(1, 255))
        elif kind == "cut":
            del raw[pos : pos + data.draw(st.integers(1, 64))]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
    path = tmp_path_factory.mktemp("fuzz") / "f.png"
    path.write_bytes(bytes(raw))
    try:
        digitize_figure(path, x_range=(0, 1), y_range=(0, 1))
    except KmreconError:
        pass
