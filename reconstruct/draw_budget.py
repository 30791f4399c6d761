"""How many reconstruction draws to make by default: a fixed rule on the sizes, not a clock."""

from __future__ import annotations

__all__ = ["DEFAULT_DRAWS", "DRAW_BUDGET", "draws_affordable", "draw_count"]

DEFAULT_DRAWS = 200
# Draws cost about 2.5e-6 s per (patient + curve point) and draw on one core, statistics included
# (benchmarks/bench_uncertainty.py, speed table); the default runs them when that stays under 2 s.
_SECONDS_PER_UNIT = 2.5e-6
DRAW_BUDGET = 2.0


def draws_affordable(n_patients: int, n_points: int, n_draws: int = DEFAULT_DRAWS) -> bool:
    """Whether ``n_draws`` draws of a figure are expected to cost under :data:`DRAW_BUDGET` seconds.

    A deterministic rule on the sizes (not a clock), so that the outputs do not depend on the machine.

    Parameters
    ----------
    n_patients, n_points : int
        Patients over all arms and digitized curve points.
    n_draws : int, optional

    Returns
    -------
    bool
    """
    return (n_patients + n_points) * n_draws * _SECONDS_PER_UNIT < DRAW_BUDGET


def draw_count(n_draws: int | None, n_patients: int, n_points: int) -> tuple[int, str]:
    """How many draws to make: ``n_draws`` as asked, or the default when affordable; 0 with the reason otherwise.

    Parameters
    ----------
    n_draws : int or None
        None means :data:`DEFAULT_DRAWS` when :func:`draws_affordable`, else none; 0 means none.
    n_patients, n_points : int

    Returns
    -------
    count : int
    note : str
        Why there are no draws, else "".
    """
    if n_draws == 0:
        return 0, "reconstruction draws turned off (--draws 0; draws=0 in Python)"
    if n_draws is None:
        if not draws_affordable(n_patients, n_points):
            return 0, (f"reconstruction draws skipped: {DEFAULT_DRAWS} draws of {n_patients} patients would take "
                       f"over {DRAW_BUDGET:g} s; pass --draws N (draws=N in Python) to run them")
        return DEFAULT_DRAWS, ""
    return n_draws, ""
