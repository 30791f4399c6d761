"""What an at-risk row says of follow-up: whether it is evidence at all, and where it first prints 0.

Shared by the arm matching (:func:`reconstruct.arm_matching.follow_up_exclusions`) and the tail swap
(:mod:`reconstruct.tail_swap`), which both rule on a curve drawn past its row's first 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["row_is_evidence", "first_zero"]


def row_is_evidence(time, n_risk) -> bool:
    """False for an at-risk row that says nothing of follow-up: under two cells, rising, or starting at 0 (a
    misread)."""
    t, n = np.asarray(time, float), np.asarray(n_risk, float)
    return bool(t.size >= 2 and not np.any(np.diff(n) > 0) and n[0] > 0)


def first_zero(time, n_risk) -> int | None:
    """Index of the first cell of an at-risk row that prints 0, past which its curve cannot run; None when the
    row has no 0 or is no evidence (:func:`row_is_evidence`)."""
    if not row_is_evidence(time, n_risk):
        return None
    zero = np.flatnonzero(np.asarray(n_risk, float) <= 0)
    return int(zero[0]) if zero.size else None
