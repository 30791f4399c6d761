"""Remember the last few arm solutions, so that a run that solves the same arm again gets it at once.

``kmrecon run`` solves each curve with each candidate at-risk row to match rows to curves, with and
without censor marks (the marks check solves the plain variant again), and then solves the chosen
pairs once more: about half of its solves repeat one already done. :func:`solve_guyot` is a pure
function of its inputs, so a repeat returns a copy of the stored solution, bit for bit the same.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from reconstruct.guyot import GuyotSolution, solve_guyot

__all__ = ["solve_guyot_memo"]

_SIZE = 64  # solutions kept (a few kB each): more than one figure needs
_LOCK = threading.Lock()
_STORE: OrderedDict[tuple[Any, ...], GuyotSolution] = OrderedDict()


def _key(value: Any) -> Any:
    """A hashable stand-in for an argument: arrays by dtype, shape and bytes."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    arr = np.ascontiguousarray(value)
    return (arr.dtype.str, arr.shape, arr.tobytes())


def solve_guyot_memo(
    curve_t: np.ndarray, curve_s: np.ndarray, a_time: np.ndarray, a_n: np.ndarray, **options: Any
) -> GuyotSolution:
    """:func:`reconstruct.guyot.solve_guyot`, answered from the last solutions when the inputs repeat.

    Parameters
    ----------
    curve_t, curve_s, a_time, a_n : ndarray
        As for :func:`solve_guyot`.
    **options
        Keyword arguments of :func:`solve_guyot` (``total_events``, ``use_heights``, ``precision``,
        ``censor_times``, ``max_iter``).

    Returns
    -------
    GuyotSolution
        A fresh copy (callers may modify its arrays without touching the stored one).
    """
    key = tuple(_key(v) for v in (curve_t, curve_s, a_time, a_n)) + tuple(
        (name, _key(options[name])) for name in sorted(options)
    )
    with _LOCK:
        stored = _STORE.get(key)
        if stored is not None:
            _STORE.move_to_end(key)
    if stored is None:
        stored = solve_guyot(curve_t, curve_s, a_time, a_n, **options)
        with _LOCK:
            _STORE[key] = stored
            while len(_STORE) > _SIZE:
                _STORE.popitem(last=False)
    return GuyotSolution(time=stored.time.copy(), event=stored.event.copy(), iterations=stored.iterations,
                         converged=stored.converged)
