"""Tests of compare.indirect.bucher (Bucher anchored indirect comparison).

Reference: the hand-worked R numbers in tests/reference/compare_binary_meta.json ("bucher"), computed from
the published HRs of the bundled registry. The formula is closed-form: tolerance 1e-12 absolute.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from compare.indirect.bucher import bucher
from compare.survival.hazard_ratio import HazardRatio
from compare.survival import cox_hr
from reconstruct.errors import InputError

REF = json.loads((Path(__file__).resolve().parent / "reference" / "compare_binary_meta.json").read_text("utf-8"))


@pytest.mark.parametrize("case", REF["bucher"], ids=lambda c: c["name"])
def test_bucher_matches_hand_worked_r(case) -> None:
    ac = HazardRatio.from_published(case["ac"][0], case["ac"][1:])
    bc = HazardRatio.from_published(case["bc"][0], case["bc"][1:])
    res = bucher(ac, bc, anchor="sorafenib", label=case["name"])
    assert_allclose(res.log_hr, case["log_hr"], rtol=0, atol=1e-12)
    assert_allclose(res.se, case["se"], rtol=0, atol=1e-12)
    assert_allclose(res.hazard_ratio, case["hr"], rtol=0, atol=1e-12)
    assert_allclose((res.conf_low, res.conf_high), case["ci"], rtol=0, atol=1e-12)
    assert_allclose(res.p_value, case["p"], rtol=1e-10, atol=1e-15)
    assert res.anchor == "sorafenib"
    assert res.source == "bucher"
    assert res.ac is ac
    assert res.bc is bc


def test_published_se_comes_from_the_ci_width() -> None:
    hr = HazardRatio.from_published(0.35, (0.26, 0.48))
    assert hr.se == pytest.approx((math.log(0.48) - math.log(0.26)) / (2 * 1.959963984540054), rel=1e-12)
    assert hr.log_hr == pytest.approx(math.log(0.35), rel=1e-15)
    assert hr.source == "published"


def test_ipd_hazard_ratios_enter_through_log_hr_and_se(rng) -> None:
    # two small simulated trials sharing comparator "C"
    def trial(hr: float, n: int):
        t_c = rng.exponential(10.0, n)
        t_x = rng.exponential(10.0 / hr, n)
        time = np.concatenate([t_c, t_x])
        event = (time < 24.0).astype(int)
        time = np.minimum(time, 24.0)
        group = np.array(["C"] * n + ["X"] * n)
        return cox_hr(time, event, group, reference="C")

    ac, bc = trial(0.5, 150), trial(0.8, 150)
    res = bucher(ac, bc, anchor="C")
    assert res.ac.source == "ipd"
    assert res.bc.source == "ipd"
    assert res.log_hr == pytest.approx(ac.log_hr - bc.log_hr, abs=1e-15)
    assert res.se == pytest.approx(math.hypot(ac.se, bc.se), abs=1e-15)
    # mixing a published and an IPD-based HR works the same way
    mixed = bucher(HazardRatio.from_published(0.5, (0.4, 0.625)), bc)
    assert mixed.bc.source == "ipd"


@pytest.mark.parametrize(
    ("hr", "ci", "message"),
    [
        pytest.param(0.5, (0.6, 0.9), r"expected 0 < lower <= HR <= upper", id="hr-below-ci"),
        pytest.param(0.5, (0.0, 0.9), r"expected 0 < lower <= HR <= upper", id="zero-bound"),
        pytest.param(0.5, (0.5, 0.5), r"lower < upper", id="degenerate"),
        pytest.param("a", (0.4, 0.6), r"expected a hazard ratio and a CI", id="text"),
    ],
)
def test_invalid_published_hr(hr, ci, message) -> None:
    with pytest.raises(InputError, match=message):
        HazardRatio.from_published(hr, ci)


def test_invalid_objects_and_levels() -> None:
    with pytest.raises(InputError, match=r"expected a result with log_hr, se and conf_level, got str"):
        bucher("x", HazardRatio.from_published(0.5, (0.4, 0.6)))  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"conf_level must be a number in \(0, 1\), got 95"):
        HazardRatio.from_published(0.5, (0.4, 0.6), conf_level=95)


hrs = st.tuples(st.floats(0.1, 5.0), st.floats(0.01, 0.5))


@settings(max_examples=60, deadline=None)
@given(hrs, hrs)
def test_swapping_trials_inverts_the_indirect_hr(a, b) -> None:
    ac = HazardRatio.from_published(a[0], (a[0] * math.exp(-a[1]), a[0] * math.exp(a[1])))
    bc = HazardRatio.from_published(b[0], (b[0] * math.exp(-b[1]), b[0] * math.exp(b[1])))
    ab, ba = bucher(ac, bc), bucher(bc, ac)
    assert ab.hazard_ratio * ba.hazard_ratio == pytest.approx(1.0, rel=1e-12)
    assert ab.conf_low * ba.conf_high == pytest.approx(1.0, rel=1e-12)
    assert ab.p_value == pytest.approx(ba.p_value, rel=1e-12)
    assert ab.se >= max(ac.se, bc.se)
