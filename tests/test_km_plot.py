"""Tests of figures.km_plot: artists drawn from the KMEstimate fields, no statistics recomputed.

conftest.py forces the Agg backend; figures here are bare ``Figure`` objects (no pyplot state).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from numpy.testing import assert_allclose, assert_array_equal

from compare.survival import kaplan_meier, pooled_km
from figures.km_plot import RISK_TABLE_GID, add_risk_table, plot_km
from reconstruct.errors import InputError


@pytest.fixture
def km():
    # times 1..6 with censoring at 2 and 5: two censor marks, S from 1 down to 0
    return kaplan_meier([1, 2, 3, 4, 5, 6, 6], [1, 0, 1, 1, 0, 1, 1])


@pytest.fixture
def ax():
    return Figure().subplots()


def test_step_line_uses_result_fields(km, ax) -> None:
    returned = plot_km(km, ax=ax, label="arm A", color="tab:red")
    assert returned is ax
    line = ax.lines[0]
    assert line.get_drawstyle() == "steps-post"
    assert line.get_label() == "arm A"
    xy = line.get_xydata()
    assert_array_equal(xy[:, 0], np.concatenate(([0.0], km.time)))
    assert_array_equal(xy[:, 1], np.concatenate(([1.0], km.survival)))


def test_ci_band_and_censor_marks(km, ax) -> None:
    plot_km(km, ax=ax)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    vertices = bands[0].get_paths()[0].vertices
    finite = np.isfinite(km.conf_low)
    # the band spans exactly the finite CI values of the result (plus the (0, 1) start)
    assert vertices[:, 1].min() == pytest.approx(np.nanmin(km.conf_low), abs=1e-12)
    assert vertices[:, 1].max() == pytest.approx(max(1.0, np.nanmax(km.conf_high[finite])), abs=1e-12)
    marks = ax.lines[1]
    assert marks.get_marker() == "|"
    assert marks.get_linestyle() == "None"
    assert_array_equal(marks.get_xydata(), [[2.0, km.survival_at(2)[0]], [5.0, km.survival_at(5)[0]]])
    assert marks.get_color() == ax.lines[0].get_color()


def test_options_switch_artists_off(km, ax) -> None:
    plot_km(km, ax=ax, ci=False, censor_marks=False, linewidth=3)
    assert len(ax.lines) == 1
    assert not ax.collections
    assert ax.lines[0].get_linewidth() == 3


def test_plot_without_axes_makes_its_own_figure(km) -> None:
    ax = plot_km(km)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pooled_curve_plots(km, ax) -> None:
    pooled = pooled_km({"a": ([1, 2, 3], [1, 1, 0]), "b": ([1, 2, 4], [0, 1, 1])}, stratified=True)
    plot_km(pooled.curve, ax=ax)
    assert_array_equal(ax.lines[0].get_xydata()[1:, 1], pooled.curve.survival)


def test_risk_table_texts_come_from_at_risk(ax) -> None:
    arm_a = kaplan_meier([1, 2, 3, 4, 5, 6, 7, 8], [1, 0, 1, 1, 0, 1, 1, 0])
    arm_b = kaplan_meier([2, 4, 6, 8, 10, 12], [1, 1, 0, 1, 0, 1])
    plot_km(arm_a, ax=ax, label="A", color="tab:blue")
    plot_km(arm_b, ax=ax, label="B", color="tab:orange")
    times = [0, 4, 8, 12]
    add_risk_table(ax, {"A": arm_a, "B": arm_b}, times)
    texts = [t for t in ax.texts if t.get_gid() == RISK_TABLE_GID]
    assert texts[0].get_text() == "Number at risk"
    rows: dict[str, list[str]] = {}
    current = None
    for text in texts[1:]:
        if text.get_text() in ("A", "B"):
            current = text.get_text()
            rows[current] = []
            assert text.get_color() == ax.lines[0 if current == "A" else 2].get_color()
        else:
            rows[current].append(text.get_text())
            assert text.get_position()[0] in times
    assert rows == {"A": ["8", "5", "1", "0"], "B": ["6", "5", "3", "1"]}
    assert rows["A"] == [str(n) for n in arm_a.at_risk(times)]


def test_risk_table_rejects_bad_input(km, ax) -> None:
    with pytest.raises(InputError, match=r"times must be a non-empty 1-d array"):
        add_risk_table(ax, {"A": km}, [])
    with pytest.raises(InputError, match=r"kms must map row labels"):
        add_risk_table(ax, {}, [0, 1])
    with pytest.raises(InputError, match=r"km must be a KMEstimate"):
        plot_km([1, 2], ax=ax)


def test_line_values_equal_estimate_at_every_time(ax, rng) -> None:
    time = np.round(rng.exponential(12.0, 50), 1)
    km = kaplan_meier(time, rng.integers(0, 2, 50))
    plot_km(km, ax=ax)
    xy = ax.lines[0].get_xydata()[1:]
    assert_allclose(xy[:, 1], km.survival_at(xy[:, 0]), rtol=0, atol=0)


def test_importing_figures_does_not_import_cv2_or_pyplot() -> None:
    code = "import sys, figures.km_plot; print('cv2' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split() == ["False", "False"]
