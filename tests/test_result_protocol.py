"""Every result that becomes a table follows one protocol: frozen, ``to_dict()`` JSON-ready, ``to_frame()`` a DataFrame."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import compare
from reconstruct.tabular import TableResult


def _results():
    rng = np.random.default_rng(20240101)
    time = rng.exponential(10.0, 80).round(2) + 0.01
    event = (rng.random(80) < 0.7).astype(int)
    group = np.repeat(["A", "B"], 40)
    km = compare.kaplan_meier(time[:40], event[:40])
    ipd = pd.DataFrame({"arm": group, "time": time, "event": event})
    summary = compare.summarize_ipd(ipd, landmarks=(6,), tau=8.0)
    return {
        "KMEstimate": km,
        "MedianEstimate": compare.median_survival(km),
        "LandmarkSurvival": compare.landmark_survival(km, [6.0]),
        "RMSTEstimate": compare.rmst(km, tau=8.0),
        "HazardRatio": compare.cox_hr(time, event, group),
        "HazardRatio.published": compare.HazardRatio.from_published(0.5, (0.4, 0.7)),
        "HazardRatio.bucher": compare.bucher(compare.HazardRatio.from_published(0.5, (0.4, 0.7)),
                                             compare.HazardRatio.from_published(0.8, (0.6, 1.1))),
        "LogRankResult": compare.logrank_test(time, event, group),
        "ProportionEstimate": compare.response_rate(11, 25),
        "IPDSummary": summary,
        "ArmSummary": summary.arms[0],
    }


RESULTS = _results()


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_result_protocol(name):
    result = RESULTS[name]
    assert isinstance(result, TableResult)
    assert dataclasses.is_dataclass(result)
    field = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, field, None)
    as_dict = result.to_dict()
    assert isinstance(as_dict, dict) and as_dict
    json.dumps(as_dict)  # plain JSON types only: no arrays, no dataclasses
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) >= 1


def test_one_hazard_ratio_type_for_every_source():
    kinds = {RESULTS[k].source for k in ("HazardRatio", "HazardRatio.published", "HazardRatio.bucher")}
    assert kinds == {"ipd", "published", "bucher"}
    assert {type(RESULTS[k]) for k in ("HazardRatio", "HazardRatio.published", "HazardRatio.bucher")} == \
        {compare.HazardRatio}
    indirect = RESULTS["HazardRatio.bucher"]
    assert indirect.to_dict()["inputs"][0]["source"] == "published"
    assert indirect.z == pytest.approx(indirect.log_hr / indirect.se, rel=1e-12)
