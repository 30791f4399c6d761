"""Tests of compare.response.proportion_ci: eight CI methods against R, reverse lookups, invariants."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from compare.response.proportion_ci import (
    CI_METHODS,
    counts_for_percentage,
    decimals_of,
    match_ci_methods,
    normalise_method,
    proportion_ci,
)
from reconstruct.errors import InputError

REFERENCE = json.loads((Path(__file__).parent / "reference" / "proportion_ci.json").read_text())


def _case_id(case: dict) -> str:
    return f"{case['method']}-{case['x']}/{case['n']}-{case['conf_level']}"


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=_case_id)
def test_matches_r(case):
    # Closed forms and R's exact/score intervals agree to rounding error; mid-p limits are roots
    # found to 1e-14 (brentq) and 1e-15 (uniroot), so 1e-10 bounds both.
    ci = proportion_ci(case["x"], case["n"], method=case["method"], conf_level=case["conf_level"])
    atol = 1e-10 if case["method"] == "mid-p" else 1e-12
    assert_allclose([ci.lower, ci.upper], [case["lower"], case["upper"]], rtol=1e-10, atol=atol)


def test_reference_covers_every_method():
    assert {c["method"] for c in REFERENCE["cases"]} == set(CI_METHODS)


def test_seed_orr_interval_is_not_clopper_pearson():
    # Double-IA-001 prints ORR 11/25 = 44.0% (95% CI 24.6-63.5) and says Clopper-Pearson.
    match = match_ci_methods(11, 25, 24.6, 63.5, decimals=1)
    assert match.matching == ()
    assert match.nearest == "wald"
    assert_allclose(match.intervals["clopper-pearson"], (24.402366514720807, 65.07183660086642), rtol=1e-10)
    assert_allclose(match.distance["wald"], 24.6 - 24.541989275169648, rtol=1e-8)


def test_clopper_pearson_interval_is_recognised():
    match = match_ci_methods(11, 25, 24.4, 65.1, decimals=1)
    assert match.matching == ("clopper-pearson",)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), frac=st.floats(0, 1), method=st.sampled_from(CI_METHODS),
       decimals=st.integers(0, 2))
def test_every_method_recognises_its_own_rounded_interval(n, frac, method, decimals):
    x = int(round(frac * n))
    ci = proportion_ci(x, n, method=method)
    lo, hi = round(100 * ci.lower, decimals), round(100 * ci.upper, decimals)
    assert method in match_ci_methods(x, n, lo, hi, decimals=decimals).matching


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 300), frac=st.floats(0, 1), method=st.sampled_from(CI_METHODS))
def test_interval_contains_estimate_and_nests(n, frac, method):
    x = int(round(frac * n))
    wide = proportion_ci(x, n, method=method, conf_level=0.95)
    narrow = proportion_ci(x, n, method=method, conf_level=0.80)
    assert 0.0 <= wide.lower <= wide.estimate <= wide.upper <= 1.0
    assert wide.lower <= narrow.lower + 1e-12
    assert narrow.upper <= wide.upper + 1e-12


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), frac=st.floats(0, 1), method=st.sampled_from(CI_METHODS))
def test_symmetric_under_complement(n, frac, method):
    # CI of (n - x)/n mirrors the CI of x/n for every method.
    x = int(round(frac * n))
    a = proportion_ci(x, n, method=method)
    b = proportion_ci(n - x, n, method=method)
    assert_allclose([a.lower, a.upper], [1 - b.upper, 1 - b.lower], atol=1e-9)


@pytest.mark.parametrize(
    ("pct", "n", "decimals", "expected"),
    [
        pytest.param(41.7, 12, 1, (5,), id="seed-high-risk-orr"),
        pytest.param(56.0, 25, 1, (14,), id="56-of-25"),
        pytest.param(3.5, 150, 1, (), id="impossible"),
        pytest.param(3.0, 150, 0, (4, 5), id="coarse-rounding-two-counts"),
        pytest.param(0.0, 7, 1, (0,), id="zero"),
    ],
)
def test_counts_for_percentage(pct, n, decimals, expected):
    assert counts_for_percentage(pct, n, decimals=decimals) == expected


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 500), frac=st.floats(0, 1), decimals=st.integers(0, 2))
def test_counts_for_percentage_finds_the_true_count(n, frac, decimals):
    x = int(round(frac * n))
    assert x in counts_for_percentage(round(100 * x / n, decimals), n, decimals=decimals)


@pytest.mark.parametrize(
    ("values", "expected"),
    [((24.6, 63.5), 1), ((44.0,), 0), ((2.46,), 2), ((100,), 0), ((6.6, 2.07), 2)],
)
def test_decimals_of(values, expected):
    assert decimals_of(*values) == expected


@pytest.mark.parametrize(("alias", "name"), [("Exact", "clopper-pearson"), ("score", "wilson"),
                                             ("Clopper_Pearson", "clopper-pearson"), ("mid p", "mid-p")])
def test_method_aliases(alias, name):
    assert normalise_method(alias) == name


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        pytest.param({"count": 26, "nobs": 25}, r"0 <= count <= nobs", id="count-above-n"),
        pytest.param({"count": -1, "nobs": 25}, r"0 <= count <= nobs", id="negative"),
        pytest.param({"count": 1.5, "nobs": 25}, r"whole numbers", id="fraction"),
        pytest.param({"count": 1, "nobs": 0}, r"nobs >= 1", id="zero-n"),
        pytest.param({"count": 1, "nobs": 5, "method": "bayes"}, r"CI method must be one of", id="method"),
        pytest.param({"count": 1, "nobs": 5, "conf_level": 95}, r"conf_level must be a number in \(0, 1\)", id="level"),
        pytest.param({"count": 1, "nobs": 5, "conf_level": np.nan}, r"conf_level", id="nan-level"),
    ],
)
def test_invalid_input(kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        proportion_ci(**kwargs)


def test_result_is_frozen():
    ci = proportion_ci(3, 10)
    with pytest.raises(AttributeError):
        ci.lower = 0.0  # type: ignore[misc]
