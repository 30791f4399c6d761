"""Tests of compare.response.proportions against R (binom.test, prop.test-based Newcombe, fisher.test).

Reference: tests/reference/compare_binary_meta.json from tests/reference/compare_binary_meta.R.
Tolerances: closed forms (Clopper-Pearson via the beta quantile, Newcombe, Wald, Katz log) to 1e-10
absolute; Fisher p-value to 1e-12. The conditional-MLE odds ratio and its exact CI to rtol 1e-3: R's
fisher.test finds them with uniroot at its default tolerance (.Machine$double.eps^0.25 ~ 1.2e-4), scipy
to machine precision, so R is the less precise side.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from compare.audit.types import parse_audit_options
from compare.response.proportions import compare_proportions, response_rate
from compare.indirect.bucher import bucher
from compare.survival.hazard_ratio import HazardRatio
from compare.response.meta_analysis import meta_proportions
from reconstruct.errors import InputError

REF = json.loads((Path(__file__).resolve().parent / "reference" / "compare_binary_meta.json").read_text("utf-8"))


@pytest.mark.parametrize("case", REF["clopper_pearson"], ids=lambda c: f"{c['x']}/{c['n']}")
def test_clopper_pearson_matches_binom_test(case) -> None:
    est = response_rate(case["x"], case["n"])
    assert_allclose(est.ci, (case["low"], case["high"]), rtol=0, atol=1e-10)
    assert est.proportion == case["x"] / case["n"]
    assert est.method == "clopper-pearson"


@pytest.mark.parametrize("case", REF["two_proportions"], ids=lambda c: f"{c['x1']}/{c['n1']}-{c['x2']}/{c['n2']}")
def test_two_proportions_match_r(case) -> None:
    res = compare_proportions(case["x1"], case["n1"], case["x2"], case["n2"])
    wald = compare_proportions(case["x1"], case["n1"], case["x2"], case["n2"], difference_method="wald")
    assert_allclose(res.difference_ci, case["newcombe"], rtol=0, atol=1e-10)
    assert_allclose(wald.difference_ci, case["wald"], rtol=0, atol=1e-10)
    assert res.ratio_method == case["ratio_method"]
    assert_allclose(res.ratio_ci, case["ratio_ci"], rtol=1e-10)
    assert_allclose(res.p_value, case["fisher_p"], rtol=1e-10, atol=1e-12)
    assert_allclose(res.odds_ratio, case["fisher_or"], rtol=1e-3)
    assert_allclose(res.odds_ratio_ci, case["fisher_or_ci"], rtol=1e-3)


def test_comparison_fields_for_the_seed_contrast() -> None:
    # Double-IA-001 mRECIST ORR 11/25 against He et al. 51/125
    res = compare_proportions(11, 25, 51, 125, labels=("double", "he"))
    assert res.difference == pytest.approx(0.44 - 0.408, abs=1e-15)
    assert res.ratio == pytest.approx(0.44 / 0.408, rel=1e-15)
    assert res.first.label == "double"
    assert res.second.label == "he"
    assert res.difference_ci[0] < res.difference < res.difference_ci[1]
    assert set(res.to_dict()) >= {"difference_ci", "ratio_ci", "fisher_p_value", "odds_ratio_ci"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param((5, 0), r"n must be a whole number >= 1, got 0", id="n0"),
        pytest.param((6, 5), r"x must lie in \[0, n=5\], got 6", id="x>n"),
        pytest.param((-1, 5), r"x must lie in \[0, n=5\], got -1", id="negative"),
        pytest.param((2.5, 5), r"x must be a whole number, got 2.5", id="fraction"),
        pytest.param((None, 5), r"x must be a whole number, got None", id="none"),
        pytest.param((np.nan, 5), r"x must be a whole number, got nan", id="nan"),
    ],
)
def test_invalid_counts(args, message) -> None:
    with pytest.raises(InputError, match=message):
        response_rate(*args)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, True, float("nan"), None, "high"])
def test_invalid_conf_level(level) -> None:
    with pytest.raises(InputError, match=r"conf_level must be a number in \(0, 1\)"):
        response_rate(3, 10, conf_level=level)


# every conf_level of compare/ goes through reconstruct.validation.check_probability (one rule, one message)
CONF_LEVEL_ENTRY_POINTS = {
    "response_rate": lambda level: response_rate(3, 10, conf_level=level).conf_level,
    "compare_proportions": lambda level: compare_proportions(3, 10, 5, 10, conf_level=level).conf_level,
    "meta_proportions": lambda level: meta_proportions([3, 5], [10, 10], conf_level=level).conf_level,
    "from_published": lambda level: HazardRatio.from_published(0.5, (0.4, 0.6), conf_level=level).conf_level,
    "bucher": lambda level: bucher(HazardRatio.from_published(0.5, (0.4, 0.6)),
                                   HazardRatio.from_published(0.8, (0.6, 1.1)), conf_level=level).conf_level,
    "audit": lambda level: parse_audit_options({"conf_level": level}).conf_level,
}


@pytest.mark.parametrize("entry", list(CONF_LEVEL_ENTRY_POINTS))
def test_conf_level_is_validated_one_way(entry) -> None:
    """Regression: five validators disagreed (numpy scalars refused by some; the audit had its own message)."""
    call = CONF_LEVEL_ENTRY_POINTS[entry]
    assert call(np.float32(0.9)) == pytest.approx(0.9)
    for bad in (1.5, float("nan"), True):
        with pytest.raises(InputError, match=rf"conf_level must be a number in \(0, 1\), got {bad!r}"):
            call(bad)


def test_invalid_difference_method() -> None:
    with pytest.raises(InputError, match=r"difference_method must be one of newcomb, wald, got 'score'"):
        compare_proportions(1, 10, 2, 10, difference_method="score")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_swapping_arms_mirrors_the_contrast(first, second) -> None:
    ab = compare_proportions(*first, *second)
    ba = compare_proportions(*second, *first)
    assert ab.difference == pytest.approx(-ba.difference, abs=1e-15)
    assert_allclose(ab.difference_ci, (-ba.difference_ci[1], -ba.difference_ci[0]), atol=1e-12)
    assert ab.p_value == pytest.approx(ba.p_value, rel=1e-9)
    for est in (ab.first, ab.second):
        assert 0.0 <= est.ci[0] <= est.proportion <= est.ci[1] <= 1.0
