"""Speed of the exhaustive Simon two-stage search (compare.simon_designs) against nmax.

Run from the repository root:  python benchmarks/bench_simon.py
Prints one row per (design parameters, nmax): wall time of one search and the designs found.
"""

from __future__ import annotations

import time

from compare.audit.simon import simon_designs

CASES = [
    (0.1, 0.3, 0.05, 0.8),
    (0.4, 0.6, 0.05, 0.9),
    (0.2, 0.35, 0.05, 0.95),
]


def main() -> None:
    print(f"{'p0':>5} {'p1':>5} {'alpha':>6} {'power':>6} {'nmax':>5} {'seconds':>8}  {'optimal':<14} {'minimax':<14}")
    for p0, p1, alpha, power in CASES:
        for nmax in (50, 100, 150):
            start = time.perf_counter()
            try:
                search = simon_designs(p0, p1, alpha=alpha, power=power, nmax=nmax)
                opt, mm = search.optimal.label(), search.minimax.label()
            except ValueError:
                opt = mm = "none <= nmax"
            elapsed = time.perf_counter() - start
            print(f"{p0:>5} {p1:>5} {alpha:>6} {power:>6} {nmax:>5} {elapsed:>8.2f}  {opt:<14} {mm:<14}")


if __name__ == "__main__":
    main()
