"""A dark line hidden under stacked translucent ribbons, traced once more by continuity.

Under stacked translucent ribbons a dark line takes the shade of a lighter arm (survminer greys: the black line
under two ribbons is the mid grey), and :func:`reconstruct.digitize.shades.exclusive_cores` hands those pixels to
the lighter colour; the dark colour keeps only its censor marks and uncovered tail and traces no path.
:func:`retrace_under_ribbons` traces such a colour through a looser map, then judges the path on the colour's own
(strict) map and marks it (:attr:`reconstruct.digitize.curves.TracedPath.through_ribbons`), so its reading is
always flagged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.curves import LineColour, TracedPath, window_sum

__all__ = ["HIDDEN_KEEP", "retrace_under_ribbons"]

HIDDEN_KEEP = 0.6  # membership a colour's pixel keeps in the hidden-line map, whoever claims it
_ON_PATH_PX = 2  # a retrace within this many rows of a traced path ...
_ON_PATH_SHARE = 0.5  # ... over more than this share of its columns lies on that path (text, marks, a rim)


def _judged_on(path: TracedPath, strict: NDArray[np.float32]) -> TracedPath:
    """``path`` with its own evidence and coverage read on ``strict`` over the columns it was traced on."""
    cols = np.arange(path.rows.size)
    own = window_sum(strict, path.half_width)[path.rows, cols].astype(float)
    own[path.stop:] = 0.0
    span = own[path.start: path.stop]
    coverage = float(np.mean(span >= 0.5)) if span.size else 0.0
    return replace(path, own=own, coverage=coverage, through_ribbons=True)


def _lies_on(path: TracedPath, others: list[TracedPath]) -> bool:
    """Whether ``path`` runs within ``_ON_PATH_PX`` rows of one of ``others`` over most of its columns."""
    length = max(path.stop - path.start, 1)
    for other in others:
        lo, hi = max(path.start, other.start), min(path.stop, other.stop)
        if hi <= lo:
            continue
        near = np.abs(path.rows[lo:hi] - other.rows[lo:hi]) <= _ON_PATH_PX
        if np.count_nonzero(near) > _ON_PATH_SHARE * length:
            return True
    return False


def retrace_under_ribbons(weights: list[NDArray[np.float32]], hidden: list[NDArray[np.float32]],
                          colours: list[LineColour], down: list, trace: Callable[[list, int], list], *,
                          bg_rgb: NDArray[np.float32]) -> list:
    """The best falling path of each colour that traced none, traced through ``hidden``, judged on ``weights``.

    Only a colour further from the paper than some traced colour is retraced (a ribbon lightens a line; a paler
    shade is a rim or dash of a traced line: rms_006), at most one path per colour. A retrace lying on a colour's
    first traced path, its own line (within 2 px over most of its columns: black text, censor marks or legend
    keys that passed the darker gate), is dropped, never kept beside or instead of that path; one on a colour's
    further path is kept (that path may be the hidden line, its pixels handed to the lighter colour).

    Parameters
    ----------
    weights : list of ndarray of shape (rows, cols), float32
        Each colour's strict membership map (after :func:`reconstruct.digitize.shades.exclusive_cores`).
    hidden : list of ndarray of shape (rows, cols), float32
        Each colour's map with its pixels seen through a ribbon and its solid pixels (membership >=
        :data:`HIDDEN_KEEP`) given back; empty when the panel has no filled area.
    colours : list of LineColour
        The colours of ``weights``.
    down : list of tuple
        The falling paths traced, ``(colour index, TracedPath, residual)``.
    trace : callable
        ``trace(maps, k)``: colour ``k``'s paths through ``maps`` (``colour_paths._extract_paths`` with
        ``only=k``), in the form of ``down``.
    bg_rgb : ndarray of shape (3,), float32
        The paper's RGB.

    Returns
    -------
    list of tuple
        The further paths in the form of ``down``, each marked ``through_ribbons`` and with its own evidence,
        coverage and residual from ``weights``; empty when ``hidden`` is empty or no longer matches ``colours``
        (``colour_paths._one_grey_ink`` merged them), or no colour gave a path.
    """
    if len(hidden) != len(colours):
        return []
    have = {k for k, _, _ in down}
    reach = [float(np.linalg.norm(np.asarray(c.rgb, np.float32) - bg_rgb)) for c in colours]
    # each colour's first path is its own line; a further one may ride on the hidden line (it took those pixels)
    firsts: dict[int, TracedPath] = {}
    for j, path, _ in down:
        firsts.setdefault(j, path)
    traced = list(firsts.values())
    out = []
    for k in range(len(colours)):
        if k in have or not any(reach[k] > reach[j] for j in have):
            continue
        more = trace([hidden[k] if j == k else w for j, w in enumerate(weights)], k)[:1]
        for _, path, _ in more:
            if not _lies_on(path, traced):
                out.append((k, _judged_on(path, weights[k]), weights[k].copy()))
    return out
