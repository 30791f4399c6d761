"""The Python part of the wild-corpus generator (benchmarks/wild): seeded specs, truth cells, degradations."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from reconstruct import number_at_risk
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks" / "wild"))

spec_mod = pytest.importorskip("spec")
make_corpus = pytest.importorskip("make_corpus")


def test_specs_are_seeded_and_cover_every_family():
    first = [spec_mod.make_spec(f, 3) for f in spec_mod.FAMILIES]
    again = [spec_mod.make_spec(f, 3) for f in spec_mod.FAMILIES]
    assert first == again
    assert len({s["seed"] for s in first}) == len(spec_mod.FAMILIES)
    assert len(spec_mod.FAMILIES) >= 12
    assert all(300 <= s["width_px"] <= 1200 for s in first if s["family"] != "pdf")


def test_truth_cells_are_the_printed_numbers_at_risk(tmp_path):
    spec = spec_mod.make_spec("nejm", 0)
    truth = spec_mod.write_truth(spec, tmp_path)
    ipd = pd.read_csv(tmp_path / truth["ipd"])
    assert list(dict.fromkeys(ipd["arm"])) == truth["arms"]
    assert all(25 <= n <= 500 for n in truth["n"].values())
    x_max, step = truth["x_range"][1], truth["x_step"]
    assert ipd["time"].max() <= x_max < ipd["time"].max() + step
    for cell in truth["at_risk"]:
        times = ipd.loc[ipd["arm"] == cell["arm"], "time"].to_numpy()
        assert cell["n_risk"] == number_at_risk(times, [cell["time"]])[0]
    first = [c["n_risk"] for c in truth["at_risk"] if c["time"] == 0.0]
    assert first == [truth["n"][a] for a in truth["arms"]]


def test_degradations_keep_the_size_and_ask_for_jpeg(rng):
    image = np.full((60, 80, 3), 255, np.uint8)
    image[30, :] = 0
    ops = [{"op": "rotate", "deg": 1.5}, {"op": "paper", "tint": [240, 235, 220]}, {"op": "noise", "sigma": 5.0},
           {"op": "blur", "sigma": 0.6}, {"op": "grey"}, {"op": "jpeg", "quality": 55}]
    out, quality = make_corpus.degrade(image, ops, seed=1)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert quality == 55
    np.testing.assert_array_equal(out[..., 0], out[..., 2])            # grey: equal channels
    assert 215 <= np.median(out) <= 245                                # off-white paper
    again, _ = make_corpus.degrade(image, ops, seed=1)
    np.testing.assert_array_equal(out, again)
