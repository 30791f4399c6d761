"""Binomial and geometric log-pmfs for the step solver (:mod:`reconstruct.guyot`), without scipy."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = ["binom_logpmf", "geometric_logpmf"]


# scipy.stats and scipy.special would double the start-up of `kmrecon reconstruct` (their import costs more
# than the whole reconstruction), so the two log-pmfs are written with math.lgamma, as scipy.stats computes them.
def _log_factorial(x: NDArray[np.float64], where: NDArray[np.bool_]) -> NDArray[np.float64]:
    """``log(x!)`` where ``where`` (whole numbers >= 0 there), 0 elsewhere; one lgamma per distinct value."""
    out = np.zeros(x.shape)
    values, inverse = np.unique(x[where], return_inverse=True)
    out[where] = np.array([math.lgamma(v + 1.0) for v in values.tolist()], dtype=float)[inverse.ravel()]
    return out


def _xlogy(x, y):
    """``x * log(y)``, and 0 where ``x == 0`` (scipy.special.xlogy)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))


def _xlog1py(x, y):
    """``x * log1p(y)``, and 0 where ``x == 0`` (scipy.special.xlog1py)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log1p(y))


def binom_logpmf(k, n, p):
    """Binomial log-pmf, equal to ``scipy.stats.binom.logpmf(k, n, p)`` (-inf outside the support)."""
    k, n, p = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float), np.asarray(p, dtype=float))
    with np.errstate(invalid="ignore"):
        support = (k >= 0) & (k <= n) & (k == np.floor(k))
        valid = (n >= 0) & (n == np.floor(n)) & (p >= 0) & (p <= 1)
        ok = valid & support
        value = (_log_factorial(n, ok) - _log_factorial(k, ok) - _log_factorial(n - k, ok)
                 + _xlogy(k, p) + _xlog1py(n - k, -p))
    return np.where(valid, np.where(support, value, -np.inf), np.nan)


def geometric_logpmf(k, p):
    """Log-pmf of failures before the first success, equal to ``scipy.stats.nbinom.logpmf(k, 1, p)``."""
    k, p = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(p, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.log(p) + _xlog1py(k, -p)
        support = (k >= 0) & (k == np.floor(k))
        valid = (p > 0) & (p <= 1)
    return np.where(valid, np.where(support, value, -np.inf), np.nan)
