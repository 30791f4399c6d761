"""Simon's two-stage designs for single-arm phase II trials, by exact binomial search.

A design ``r1/n1, r/n`` enrols ``n1`` patients, stops for futility when ``r1`` or fewer respond,
otherwise enrols to ``n`` and declares the treatment promising when more than ``r`` respond in
total. With ``X1 ~ Bin(n1, p)`` and ``X2 ~ Bin(n - n1, p)``::

    P(reject H0 | p) = sum_{x1 = r1+1}^{n1} P(X1 = x1) P(X2 > r - x1)
    PET(p)           = P(X1 <= r1)
    EN(p)            = n1 + (1 - PET(p)) (n - n1)

The *optimal* design minimises EN(p0) and the *minimax* design minimises ``n`` (then EN(p0))
among designs with type I error ``P(reject | p0) <= alpha`` and power ``P(reject | p1) >= power``.
The same search as R ``clinfun::ph2simon``.

References
----------
1. Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials 1989;10:1-10.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from reconstruct.validation import check_probability
from reconstruct.errors import InputError
from reconstruct.tabular import TableResult

__all__ = ["TwoStageDesign", "SimonSearch", "simon_designs", "evaluate_simon_design", "parse_simon_design"]


@dataclass(frozen=True, slots=True)
class TwoStageDesign(TableResult):
    """One Simon two-stage design and its operating characteristics.

    Attributes
    ----------
    r1, n1 : int
        Stage 1: stop when ``r1`` or fewer of the first ``n1`` patients respond.
    r, n : int
        Overall: the treatment is promising when more than ``r`` of ``n`` respond.
    p0, p1 : float
        Uninteresting and target response rates (proportions).
    alpha : float
        Attained type I error ``P(reject H0 | p0)``.
    power : float
        Attained power ``P(reject H0 | p1)``.
    pet_p0, pet_p1 : float
        Probability of early termination under p0 and p1.
    expected_n_p0, expected_n_p1 : float
        Expected sample size under p0 and p1 (patients).
    """

    r1: int
    n1: int
    r: int
    n: int
    p0: float
    p1: float
    alpha: float
    power: float
    pet_p0: float
    pet_p1: float
    expected_n_p0: float
    expected_n_p1: float

    def label(self) -> str:
        """The design as Simon's tables write it, e.g. ``"1/10, 5/29"``."""
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"

    def summary(self) -> str:
        """One line with the rules and the operating characteristics."""
        return (
            f"r1/n1 = {self.r1}/{self.n1}, r/n = {self.r}/{self.n}: alpha = {self.alpha:.4f}, "
            f"power = {self.power:.4f}, EN(p0) = {self.expected_n_p0:.2f}, PET(p0) = {self.pet_p0:.4f}"
        )


@dataclass(frozen=True, slots=True)
class SimonSearch(TableResult):
    """The optimal and minimax Simon designs for one set of design parameters.

    Attributes
    ----------
    p0, p1 : float
        Uninteresting and target response rates.
    alpha : float
        Nominal one-sided type I error bound.
    power : float
        Nominal power bound (1 - beta).
    nmax : int
        Largest total sample size searched.
    optimal : TwoStageDesign
        Smallest EN(p0); ties broken by smaller n, then n1, r1, r.
    minimax : TwoStageDesign
        Smallest n; ties broken by smaller EN(p0), then n1, r1, r.
    n_feasible : int
        Number of (r1, n1, n) combinations meeting both bounds (with the smallest feasible r each).
    """

    p0: float
    p1: float
    alpha: float
    power: float
    nmax: int
    optimal: TwoStageDesign
    minimax: TwoStageDesign
    n_feasible: int


def _check_rates(p0: float, p1: float) -> tuple[float, float]:
    p0 = check_probability(p0, name="p0")
    p1 = check_probability(p1, name="p1")
    if not p1 > p0:
        raise InputError(f"p1 must exceed p0, got p0={p0!r}, p1={p1!r}")
    return p0, p1


def _reject_probability(r1: int, n1: int, r: int, n: int, p: float) -> float:
    x1 = np.arange(r1 + 1, n1 + 1)
    return float(np.sum(stats.binom.pmf(x1, n1, p) * stats.binom.sf(r - x1, n - n1, p)))


def evaluate_simon_design(r1: int, n1: int, r: int, n: int, *, p0: float, p1: float) -> TwoStageDesign:
    """Operating characteristics of a given two-stage design.

    Parameters
    ----------
    r1, n1, r, n : int
        The design: stop after stage 1 when at most ``r1`` of ``n1`` respond; promising when
        more than ``r`` of ``n`` respond. Requires ``0 <= r1 < n1 < n`` and ``r1 <= r < n``.
    p0, p1 : float
        Uninteresting and target response rates, ``0 < p0 < p1 < 1``.

    Returns
    -------
    TwoStageDesign

    Examples
    --------
    >>> d = evaluate_simon_design(1, 10, 5, 29, p0=0.1, p1=0.3)
    >>> round(d.expected_n_p0, 1), round(d.pet_p0, 2)
    (15.0, 0.74)
    """
    p0, p1 = _check_rates(p0, p1)
    values = (r1, n1, r, n)
    if any(int(v) != v for v in values) or not (0 <= r1 < n1 < n and r1 <= r < n):
        raise InputError(
            f"design must satisfy 0 <= r1 < n1 < n and r1 <= r < n with whole numbers, got r1/n1={r1}/{n1}, r/n={r}/{n}"
        )
    r1, n1, r, n = (int(v) for v in values)
    pet0 = float(stats.binom.cdf(r1, n1, p0))
    pet1 = float(stats.binom.cdf(r1, n1, p1))
    return TwoStageDesign(
        r1, n1, r, n, p0, p1,
        alpha=_reject_probability(r1, n1, r, n, p0),
        power=_reject_probability(r1, n1, r, n, p1),
        pet_p0=pet0,
        pet_p1=pet1,
        expected_n_p0=n1 + (1 - pet0) * (n - n1),
        expected_n_p1=n1 + (1 - pet1) * (n - n1),
    )


def _binomial_tables(nmax: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """pmf[m, k] = P(Bin(m, p) = k) and sf[m, k] = P(Bin(m, p) > k) for 0 <= m, k <= nmax."""
    m = np.arange(nmax + 1)[:, None]
    k = np.arange(nmax + 1)[None, :]
    return stats.binom.pmf(k, m, p), stats.binom.sf(k, m, p)


def _stage_matrix(pmf: np.ndarray, sf: np.ndarray, n1: int, n: int) -> np.ndarray:
    """reject[r1, r] = P(X1 > r1 and X1 + X2 > r) for r1 in 0..n1-1, r in 0..n-1."""
    x1 = np.arange(n1 + 1)[:, None]
    need = np.arange(n)[None, :] - x1  # X2 must exceed r - x1
    tail = np.where(need < 0, 1.0, sf[n - n1, np.clip(need, 0, n - n1)])
    terms = pmf[n1, : n1 + 1, None] * tail
    from_top = np.cumsum(terms[::-1], axis=0)[::-1]  # from_top[j] = sum over x1 >= j
    return from_top[1:]


def simon_designs(p0: float, p1: float, *, alpha: float = 0.05, power: float = 0.8, nmax: int = 100) -> SimonSearch:
    """Search all two-stage designs with ``n <= nmax`` for Simon's optimal and minimax designs.

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and target response rates, ``0 < p0 < p1 < 1``.
    alpha : float, default 0.05
        One-sided type I error bound.
    power : float, default 0.8
        Power bound (1 - beta).
    nmax : int, default 100
        Largest total sample size searched (as ``clinfun::ph2simon``'s ``nmax``).

    Returns
    -------
    SimonSearch

    Raises
    ------
    InputError
        For invalid parameters, or when no design with ``n <= nmax`` meets both bounds.

    Notes
    -----
    Exhaustive over ``1 <= n1 < n <= nmax``, ``0 <= r1 < n1``, ``r1 <= r < n``; for each ``(n1, n)`` the
    rejection probabilities of all ``(r1, r)`` come from one cumulative sum, so ``nmax = 150`` takes
    seconds (see ``benchmarks/bench_simon.py``). For each ``(r1, n1, n)`` the smallest feasible ``r``
    (the most powerful) is kept.

    Examples
    --------
    >>> s = simon_designs(0.1, 0.3, alpha=0.05, power=0.8, nmax=40)
    >>> s.optimal.label(), s.minimax.label()
    ('1/10, 5/29', '1/15, 5/25')
    """
    p0, p1 = _check_rates(p0, p1)
    alpha = check_probability(alpha, name="alpha")
    power = check_probability(power, name="power")
    if int(nmax) != nmax or not 2 <= nmax <= 1000:
        raise InputError(f"nmax must be a whole number in [2, 1000], got {nmax!r}")
    nmax = int(nmax)
    pmf0, sf0 = _binomial_tables(nmax, p0)
    pmf1, sf1 = _binomial_tables(nmax, p1)
    cdf0 = np.cumsum(pmf0, axis=1)
    best_opt: tuple | None = None
    best_mm: tuple | None = None
    n_feasible = 0
    for n in range(2, nmax + 1):
        r_grid = np.arange(n)[None, :]
        for n1 in range(1, n):
            a = _stage_matrix(pmf0, sf0, n1, n)
            b = _stage_matrix(pmf1, sf1, n1, n)
            ok = (a <= alpha) & (b >= power) & (r_grid >= np.arange(n1)[:, None])
            rows = np.flatnonzero(ok.any(axis=1))
            if rows.size == 0:
                continue
            n_feasible += rows.size
            r_first = ok[rows].argmax(axis=1)  # smallest feasible r for each feasible r1
            en0 = n1 + (1 - cdf0[n1, rows]) * (n - n1)
            i = int(np.argmin(en0))  # rows ascend, so ties go to the smaller r1
            key_opt = (float(en0[i]), n, n1, int(rows[i]), int(r_first[i]))
            if best_opt is None or key_opt < best_opt:
                best_opt = key_opt
            key_mm = (n, float(en0[i]), n1, int(rows[i]), int(r_first[i]))
            if best_mm is None or key_mm < best_mm:
                best_mm = key_mm
    if best_opt is None or best_mm is None:
        raise InputError(
            f"expected at least one design with n <= {nmax} meeting alpha <= {alpha} and power >= {power}, "
            "got none; increase nmax"
        )
    _, n, n1, r1, r = best_opt
    optimal = evaluate_simon_design(r1, n1, r, n, p0=p0, p1=p1)
    n, _, n1, r1, r = best_mm
    minimax = evaluate_simon_design(r1, n1, r, n, p0=p0, p1=p1)
    return SimonSearch(p0, p1, alpha, power, nmax, optimal, minimax, n_feasible)


def parse_simon_design(text: str) -> tuple[int, int, int, int]:
    """Parse ``"r1/n1,r/n"`` (spaces allowed) into ``(r1, n1, r, n)``.

    Raises
    ------
    InputError
        When the text is not two ``a/b`` pairs of whole numbers.
    """
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        (r1, n1), (r, n) = (tuple(int(v) for v in p.split("/")) for p in parts)
    except ValueError:
        raise InputError(f"design must look like r1/n1,r/n (e.g. 1/10,5/29), got {text!r}", source="--design") from None
    return r1, n1, r, n
