"""Tests of compare.audit.simon and ``kmrecon simon``: Simon (1989) tables, an oracle, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose
from scipy import stats

from compare.audit.simon import evaluate_simon_design, parse_simon_design, simon_designs
from kmrecon.cli import main
from reconstruct.errors import InputError

TABLES = json.loads((Path(__file__).parent / "reference" / "simon_tables.json").read_text())


def _entry_id(e: dict) -> str:
    return f"p0={e['p0']}-p1={e['p1']}-a={e['alpha']}-b={e['beta']}"


@pytest.mark.parametrize("entry", TABLES["entries"], ids=_entry_id)
def test_matches_simon_1989_table(entry):
    # nmax = 70 covers every tabulated n (<= 63); Simon prints EN(p0) to 0.1 and PET(p0) to 0.01.
    search = simon_designs(entry["p0"], entry["p1"], alpha=entry["alpha"], power=1 - entry["beta"], nmax=70)
    for kind in ("optimal", "minimax"):
        got, want = getattr(search, kind), entry[kind]
        assert (got.r1, got.n1, got.r, got.n) == (want["r1"], want["n1"], want["r"], want["n"]), kind
        assert round(got.expected_n_p0, 1) == pytest.approx(want["expected_n_p0"], abs=1e-9)
        assert round(got.pet_p0, 2) == pytest.approx(want["pet_p0"], abs=1e-9)
        assert got.alpha <= entry["alpha"]
        assert got.power >= 1 - entry["beta"]


def _naive_reject(r1, n1, r, n, p):
    """Oracle: double loop over both stages' outcomes."""
    total = 0.0
    for x1 in range(n1 + 1):
        for x2 in range(n - n1 + 1):
            if x1 > r1 and x1 + x2 > r:
                total += stats.binom.pmf(x1, n1, p) * stats.binom.pmf(x2, n - n1, p)
    return total


def test_evaluate_matches_double_loop_oracle():
    rng = np.random.default_rng(20240101)
    for _ in range(25):
        n = int(rng.integers(3, 40))
        n1 = int(rng.integers(1, n))
        r1 = int(rng.integers(0, n1))
        r = int(rng.integers(r1, n))
        p0 = float(rng.uniform(0.05, 0.6))
        p1 = float(rng.uniform(p0 + 0.01, 0.95))
        d = evaluate_simon_design(r1, n1, r, n, p0=p0, p1=p1)
        assert_allclose(d.alpha, _naive_reject(r1, n1, r, n, p0), rtol=1e-10, atol=1e-14)
        assert_allclose(d.power, _naive_reject(r1, n1, r, n, p1), rtol=1e-10, atol=1e-14)
        pet0 = stats.binom.cdf(r1, n1, p0)
        assert_allclose(d.expected_n_p0, n1 + (1 - pet0) * (n - n1), rtol=1e-12)


def test_search_matches_brute_force_oracle():
    # Exhaustive loop search on a small problem: the vectorised search must find the same designs.
    p0, p1, alpha, power, nmax = 0.2, 0.6, 0.1, 0.8, 18
    feasible = []
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            for r1 in range(n1):
                for r in range(r1, n):
                    d = evaluate_simon_design(r1, n1, r, n, p0=p0, p1=p1)
                    if d.alpha <= alpha and d.power >= power:
                        feasible.append(d)
                        break  # smallest feasible r for this (r1, n1, n)
    optimal = min(feasible, key=lambda d: (d.expected_n_p0, d.n, d.n1, d.r1, d.r))
    minimax = min(feasible, key=lambda d: (d.n, d.expected_n_p0, d.n1, d.r1, d.r))
    search = simon_designs(p0, p1, alpha=alpha, power=power, nmax=nmax)
    assert search.optimal.label() == optimal.label()
    assert search.minimax.label() == minimax.label()
    assert search.n_feasible == len(feasible)


def test_seed_design_parameters():
    # Double-IA-001: p0 = 0.4, p1 = 0.6, one-sided alpha 5%, power 90%, "optimal".
    search = simon_designs(0.4, 0.6, alpha=0.05, power=0.9)
    assert search.optimal.label() == "11/25, 32/66"
    assert search.minimax.label() == "12/29, 27/54"
    stated = evaluate_simon_design(12, 25, 32, 66, p0=0.4, p1=0.6)  # the paper's "more than 12 of 25"
    assert stated.power < 0.9


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        pytest.param({"p0": 0.6, "p1": 0.4}, r"p1 must exceed p0", id="p1-below-p0"),
        pytest.param({"p0": 0.0, "p1": 0.4}, r"p0 must be a number in \(0, 1\)", id="p0-zero"),
        pytest.param({"p0": 0.1, "p1": 0.3, "alpha": 1.5}, r"alpha", id="alpha"),
        pytest.param({"p0": 0.1, "p1": 0.3, "power": None}, r"power", id="power"),
        pytest.param({"p0": 0.1, "p1": 0.3, "nmax": 2.5}, r"nmax", id="nmax-fraction"),
        pytest.param({"p0": 0.1, "p1": 0.3, "nmax": 10}, r"increase nmax", id="nmax-too-small"),
    ],
)
def test_invalid_search(kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        simon_designs(**kwargs)


@pytest.mark.parametrize("design", [(3, 3, 5, 10), (1, 10, 0, 29), (1, 10, 29, 29), (-1, 10, 5, 29)])
def test_invalid_design(design):
    with pytest.raises(InputError, match=r"0 <= r1 < n1 < n"):
        evaluate_simon_design(*design, p0=0.1, p1=0.3)


@pytest.mark.parametrize(("text", "expected"), [("1/10,5/29", (1, 10, 5, 29)), (" 11/25 , 32/66 ", (11, 25, 32, 66))])
def test_parse_design(text, expected):
    assert parse_simon_design(text) == expected


@pytest.mark.parametrize("text", ["1/10", "1/10,5", "a/b,c/d", "1/10,5/29,7/40"])
def test_parse_design_rejects(text):
    with pytest.raises(InputError, match=r"r1/n1,r/n"):
        parse_simon_design(text)


def test_cli_search_prints_both_designs():
    result = CliRunner().invoke(main, ["simon", "--p0", "0.4", "--p1", "0.6", "--alpha", "0.05", "--power", "0.9"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    optimal = next(line for line in lines if line.startswith("optimal"))
    minimax = next(line for line in lines if line.startswith("minimax"))
    assert optimal.split()[1:3] == ["11/25", "32/66"]
    assert minimax.split()[1:3] == ["12/29", "27/54"]


def test_cli_evaluate_design_and_json(tmp_path):
    runner = CliRunner()
    out = tmp_path / "d.json"
    args = ["simon", "--p0", "0.1", "--p1", "0.3", "--design", "1/10,5/29", "--json", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "met" in result.output
    assert "NOT met" not in result.output
    record = json.loads(out.read_text())
    assert record["design"]["n"] == 29
    assert record["meets_bounds"] is True
    assert record["provenance"]["command"] == "kmrecon simon"
    again = runner.invoke(main, args)
    assert again.exit_code == 2
    assert "--force" in again.output
    assert runner.invoke(main, args + ["--force"]).exit_code == 0


def test_cli_bad_design_exits_2():
    result = CliRunner().invoke(main, ["simon", "--p0", "0.4", "--p1", "0.6", "--design", "12/25"])
    assert result.exit_code == 2
    assert "r1/n1,r/n" in result.output
