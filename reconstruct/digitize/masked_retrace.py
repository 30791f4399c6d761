"""What a retrace of the panel with its words masked keeps of the first tracing.

:func:`reconstruct.digitize.figure.digitize_image` traces the arms again with the words printed in the
panel masked when a first trace left its curve. :func:`_keeps_curves` tells whether that retrace is kept;
:func:`_keep_labels` and :func:`_keep_tails` carry over the legend labels and the longer clean traces of
the first tracing that the masking lost.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.digitized import DigitizedArm
from reconstruct.digitize.path_pruning import all_kept_or_riding


def _keeps_curves(first: tuple[Any, ...], masked: tuple[Any, ...], text: NDArray[np.bool_]) -> bool:
    """True when the ``masked`` retrace keeps every curve of the ``first`` tracing: as many arms or more, or
    fewer where each path lost rode the words (``text``) and other paths (:func:`all_kept_or_riding`)."""
    if len(masked[0]) >= len(first[0]):
        return True
    return masked[1] == first[1] and all_kept_or_riding(first[4], masked[4], text[::-1] if first[1] else text)


def _keep_tails(arms: list[DigitizedArm], flipped: bool, first) -> list[DigitizedArm]:
    """``arms`` of the masked retrace, each replaced by a clean arm of the first tracing that runs on further.

    The retrace masks every word's box, and a curve running under a label printed on it loses its tail
    there. An arm of the first tracing that stayed on its curve (no bare drop, no cut, no bare gap),
    follows the same curve over the whole of the retraced arm (within 2 pixels on average, the nearest such;
    the colour clusters of the two tracings may differ) and runs on beyond it, by less than double, is
    the better trace of that curve. The retrace may hold fewer arms (a path riding a label shed:
    :func:`_keeps_curves`), never more.
    """
    before, first_flipped, strayed = first[:3]
    if flipped != first_flipped or len(before) < len(arms):
        return arms
    used: set[int] = set()
    out = []
    for arm in arms:
        grid = np.linspace(0.0, float(arm.time[-1]), 200)
        tol = 2.0 * float(arm.quality["survival_per_px"])
        best, best_miss = None, tol
        for j, old in enumerate(before):  # the nearest: a lost curve within 2 px of this one must not stand in for it
            if (j in used or strayed[j] or old.time[-1] <= arm.time[-1] + 3.0 * float(arm.quality["time_per_px"])
                    or arm.time[-1] < 0.5 * old.time[-1]):
                continue
            miss = float(np.mean(np.abs(_survival_at(old, grid) - _survival_at(arm, grid))))
            if miss <= best_miss:
                best, best_miss = j, miss
        if best is None:
            out.append(arm)
        else:
            used.add(best)
            out.append(dataclasses.replace(before[best], label=arm.label or before[best].label))
    return out


def _survival_at(arm: DigitizedArm, times: NDArray[np.float64]) -> NDArray[np.float64]:
    idx = np.searchsorted(arm.time, times, side="right") - 1
    return np.where(idx >= 0, arm.survival[np.clip(idx, 0, None)], 1.0)


def _keep_labels(arms: list[DigitizedArm], before: list[DigitizedArm]) -> list[DigitizedArm]:
    """``arms`` with the legend labels of ``before`` where a retrace lost them, matched by a colour unique to both.

    The retrace masks the words and legend keys printed in the panel, and a key hidden is a label not read.
    """
    def unique(items):
        return {a.colour: a for a in items if sum(b.colour == a.colour for b in items) == 1}

    old = unique(before)
    return [dataclasses.replace(a, label=old[a.colour].label) if a.label is None and a.colour in old
            and a.colour in unique(arms) else a for a in arms]
