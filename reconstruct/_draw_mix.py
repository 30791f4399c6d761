"""Draws that mix two readings of one figure (:func:`mix_draws`), for an arm assignment the figure leaves open.

When nothing but weak evidence decided which curve belongs to which at-risk row (``ArmMatch.settled``
false), the other assignment is as plausible a reading of the figure as the chosen one. The draws then
take it in a share of the draws: each draw is one plausible IPD set, and which curve is which arm is part
of what the figure does not pin down. The reconstruction itself keeps the chosen assignment.
"""

from __future__ import annotations

import numpy as np

from reconstruct.draws import IPDDraws
from reconstruct.errors import InputError

__all__ = ["mix_draws"]


def mix_draws(first: IPDDraws, second: IPDDraws, *, share: float = 0.5) -> IPDDraws:
    """Draws ``0 .. k-1`` of ``first`` and ``k .. M-1`` of ``second``, with ``k = round((1 - share) M)``.

    Parameters
    ----------
    first, second : IPDDraws
        Draws of the same arms (matched by name) with the same number of draws.
    share : float, default 0.5
        Share of the draws taken from ``second``, in [0, 1].

    Returns
    -------
    IPDDraws
        ``first``'s arms, seed and parameters, plus ``parameters["mixed"] = {"share", "draws"}``
        (the draw numbers taken from ``second``).
    """
    if sorted(first.arms) != sorted(second.arms) or first.n_draws != second.n_draws:
        raise InputError(f"mix_draws: expected draws of the same arms and number, got {first.arms} x "
                         f"{first.n_draws} and {second.arms} x {second.n_draws}")
    if not 0.0 <= share <= 1.0:
        raise InputError(f"mix_draws: expected a share in [0, 1], got {share!r}")
    m = first.n_draws
    k = int(round((1.0 - share) * m))
    keep_a, keep_b = first.draw < k, second.draw >= k
    to_first = np.array([first.arms.index(a) for a in second.arms], dtype=np.int64)
    arm_index = np.concatenate([first.arm_index[keep_a], to_first[second.arm_index[keep_b]]])
    draw = np.concatenate([first.draw[keep_a], second.draw[keep_b]])
    time = np.concatenate([first.time[keep_a], second.time[keep_b]])
    event = np.concatenate([first.event[keep_a], second.event[keep_b]])
    order = np.lexsort((-event, time, draw, arm_index))
    params = dict(first.parameters, mixed={"share": float(share), "draws": [k, m]})
    return IPDDraws(arms=first.arms, n_draws=m, seed=first.seed, draw=draw[order], arm_index=arm_index[order],
                    time=time[order], event=event[order], parameters=params)
