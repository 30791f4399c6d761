"""Parameter and data checks, done once at the public boundary.

Messages follow "NAME must be EXPECTATION, got VALUE" so that every error reads alike.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reconstruct.errors import InputError

__all__ = [
    "check_positive",
    "check_probability",
    "check_finite_array",
    "check_survival_data",
    "check_choice",
]


def check_positive(value: Any, *, name: str, allow_zero: bool = False) -> float:
    """Return ``value`` as float if it is a finite number > 0 (>= 0 with ``allow_zero``)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InputError(f"{name} must be a finite number {bound}, got {value!r}")
    return number


def check_probability(value: Any, *, name: str) -> float:
    """Return ``value`` as float if it lies strictly between 0 and 1 (e.g. a confidence level)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number in (0, 1), got {value!r}") from None
    if not (0.0 < number < 1.0):
        raise InputError(f"{name} must be a number in (0, 1), got {value!r}")
    return number


def check_choice(value: Any, *, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return str(value)


def check_finite_array(values: ArrayLike, *, name: str, ndim: int = 1) -> NDArray[np.float64]:
    """Return a float64 copy of ``values`` after checking its dimensions and finiteness."""
    try:
        arr = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of numbers, got {type(values).__name__}") from None
    if arr.ndim != ndim:
        raise InputError(f"{name} must be {ndim}-dimensional, got {arr.ndim} dimensions")
    bad = np.flatnonzero(~np.isfinite(arr.reshape(-1)))
    if bad.size:
        raise InputError(f"{name} must hold finite numbers, got {arr.reshape(-1)[bad[0]]!r} at index {bad[0]}")
    return arr


def check_survival_data(time: ArrayLike, event: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Check right-censored survival data.

    Parameters
    ----------
    time : array_like of shape (n,)
        Observed times, finite and >= 0.
    event : array_like of shape (n,)
        1 (or True) for an event, 0 (or False) for censored.

    Returns
    -------
    time : ndarray of float64, shape (n,)
    event : ndarray of int64, shape (n,)
    """
    time_arr = check_finite_array(time, name="time")
    event_arr = check_finite_array(event, name="event")
    if time_arr.shape != event_arr.shape:
        raise InputError(f"time and event must have the same length, got {time_arr.size} and {event_arr.size}")
    if time_arr.size == 0:
        raise InputError("time must hold at least one observation, got none")
    if np.any(time_arr < 0):
        raise InputError(f"time must be >= 0, got {time_arr[time_arr < 0][0]!r}")
    if not np.all(np.isin(event_arr, (0.0, 1.0))):
        bad = event_arr[~np.isin(event_arr, (0.0, 1.0))][0]
        raise InputError(f"event must be 0 (censored) or 1 (event), got {bad!r}")
    return time_arr, event_arr.astype(np.int64)
