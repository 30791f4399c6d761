"""Stretches of a traced curve drawn in the grey of another curve of the same colour cluster.

Arms printed in greys (a dark, a mid and a light grey, or colours converted to grey) fall into one
colour cluster, and the tracer tells them apart by position only. Where two of them meet (touch,
overlap for a while, or run a pixel apart) it may carry each trace on along the other's line: the
traces then swap a stretch, both stay on drawn ink, and both still fit their at-risk rows when the
meeting falls between two table times (stata, held-out figure: curves 1 and 3 swapped over the
first five months, curves 2 and 3 over the tails, MAE 0.014 read "ok"). Neither the drop check
(:mod:`reconstruct.digitize.trace_check`) nor the fit sees that; the line's own grey does: over the
swapped stretch a trace runs on ink of another arm's grey.

Each column's grey is the core of the line there (the darkest pixel within ``reach`` rows of the
trace), measured only where no other trace runs near and the trace holds its level on both sides
(:func:`reconstruct.digitize.arm_shades.curve_shades` measures a curve's grey the same way). Each
horizontal run of a trace is judged by the median of its columns, so a censor mark does not decide
alone. Dashed lines (their gaps) and lines under 2 pixels of half width (whose core grey follows where
the line falls within its pixel) are not judged. Pixel arrays are ``(row, col)`` of the panel crop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.arm_shades import lone_columns, rows_per_column

__all__ = ["ShadeHop", "shade_hops"]

_REACH = 3  # rows either side of the trace searched for the line's core (as arm_shades.curve_shades)
_APART = 8.0  # pixels another trace must keep away for a column to count
_MIN_CONTRAST = 12.0  # grey levels two arms' lines must differ by to be told apart by grey
_MIN_RUN = 3  # usable columns a horizontal run needs to be judged
_SOLID = 0.9  # share of a trace's usable columns on ink: only solid lines are judged (dashes vary per column)
_INK_STEP = 40.0  # grey levels below the paper at which a pixel counts as ink (arm_shades._INK_STEP)
# Half width (pixels) a line needs for its core to hold the line's own grey: anti-aliasing spreads a thinner
# line over two rows in shares that depend on where it falls within its pixel (base_r_015's one-pixel black
# lines: a core from 0 to 120 grey along each).
_MIN_HALF_WIDTH = 2


@dataclass(frozen=True)
class ShadeHop:
    """The stretch of one trace drawn in another trace's grey that errs most (largest ``gap_px * share``).

    Attributes
    ----------
    col0, col1 : int
        First and last crop column of the stretch.
    columns : int
        Columns of the stretch where its grey was measured.
    other : int
        Index of the trace whose grey the stretch has.
    shade, own, of_other : float
        Grey level (0-255) of the stretch, of the trace elsewhere, of the other trace.
    gap_px : float
        Mean distance (rows) over the stretch's columns from the trace to the nearest other trace of its
        cluster: a lower bound on how far the trace is off its own line there.
    share : float
        The stretch's columns (``col0`` to ``col1``) as a share of the trace's. ``gap_px * share`` bounds
        from below the mean error (rows) the swap puts on the whole trace.
    """

    col0: int
    col1: int
    columns: int
    other: int
    shade: float
    own: float
    of_other: float
    gap_px: float
    share: float


def _column_cores(gray: NDArray[np.uint8], rows: NDArray[np.float64], usable: NDArray[np.int64]) -> NDArray[np.float64]:
    centre = np.round(rows[usable]).astype(int)
    window = np.stack([gray[np.clip(centre + d, 0, gray.shape[0] - 1), usable] for d in range(-_REACH, _REACH + 1)])
    return window.min(axis=0).astype(float)


def _runs(rows: NDArray[np.float64], usable: NDArray[np.int64], cores: NDArray[np.float64]):
    """``(first col, last col, columns, median grey)`` of each horizontal run with enough usable columns."""
    out = []
    level = rows[usable]
    breaks = np.flatnonzero((np.diff(level) != 0) | (np.diff(usable) > 1 + 2 * _APART)) + 1
    for part in np.split(np.arange(usable.size), breaks):
        if part.size >= _MIN_RUN:
            out.append((int(usable[part[0]]), int(usable[part[-1]]), int(part.size), float(np.median(cores[part]))))
    return out


def _stretch_hop(stretch: list[tuple[int, int, int, float]], k: int, rows: NDArray[np.float64], groups: Sequence[int],
                 rivals: list[tuple[int, float]], ref: float) -> ShadeHop:
    """The :class:`ShadeHop` of trace ``k`` over the runs ``stretch`` (each ``(col0, col1, columns, grey)``)."""
    grey = float(np.average([s[3] for s in stretch], weights=[s[2] for s in stretch]))
    j, of = min(rivals, key=lambda r: abs(r[1] - grey))
    col0, col1 = stretch[0][0], stretch[-1][1]
    mates = rows[[m for m in range(rows.shape[0]) if m != k and groups[m] == groups[k]], col0: col1 + 1]
    with np.errstate(invalid="ignore"):
        gap = np.nanmin(np.abs(mates - rows[k, col0: col1 + 1]), axis=0, initial=np.inf)
    gap = gap[np.isfinite(gap)]
    return ShadeHop(col0, col1, sum(s[2] for s in stretch), j, round(grey, 1), round(ref, 1), round(of, 1),
                    gap_px=round(float(gap.mean()) if gap.size else 0.0, 2),
                    share=round((col1 - col0 + 1) / max(int(np.isfinite(rows[k]).sum()), 1), 4))


def _rank(hop: ShadeHop, min_columns: int) -> tuple[bool, float, int]:
    """Order of harm: judged (long enough) first, then the error the stretch puts on its trace, then length."""
    return hop.columns >= min_columns, hop.gap_px * hop.share, hop.columns


def shade_hops(gray: NDArray[np.uint8], paths: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
               groups: Sequence[int], half_widths: Sequence[int], *, min_columns: int = 1) -> list[ShadeHop | None]:
    """The stretch of each trace drawn in the grey of another trace of its colour cluster that errs most.

    Of a trace's stretches of ``min_columns`` measured columns or more (else of all), the one with the
    largest ``gap_px * share`` (the error it puts on the trace at least) is reported, the longest on a tie:
    a long stretch a few pixels off its mate does not hide a short swap far off, and a stretch too short to
    judge does not hide a long one.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        The panel crop in grey levels.
    paths : sequence of (cols, rows)
        Each trace's step corners in crop pixels (columns ascending; the row holds from one corner to the next).
    groups : sequence of int
        Colour cluster of each trace; only traces of one cluster are compared.
    half_widths : sequence of int
        Each trace's line half width in pixels; thinner lines than ``_MIN_HALF_WIDTH`` are not judged.
    min_columns : int, default 1
        Measured columns a stretch needs to be judged (the flag's, ``draw_noise.FLAG_SHADE_HOP_COLUMNS``).

    Returns
    -------
    list of ShadeHop or None
        None for a trace with no such stretch, alone in its cluster, dashed, thin, or not measurable.
    """
    n = len(paths)
    out: list[ShadeHop | None] = [None] * n
    if n < 2 or len(set(groups)) == n:
        return out
    rows = rows_per_column(paths, np.arange(gray.shape[1]))
    paper = float(np.median(gray))
    measured = []
    for k in range(n):
        own = rows[k]
        usable = lone_columns(rows, k, _APART)
        if usable.size < 10 or half_widths[k] < _MIN_HALF_WIDTH:
            measured.append(None)
            continue
        cores = _column_cores(gray, own, usable)
        solid = float(np.mean(cores < paper - _INK_STEP)) >= _SOLID
        measured.append((usable, cores, float(np.median(cores))) if solid else None)
    for k in range(n):
        if measured[k] is None:
            continue
        usable, cores, ref = measured[k]
        rivals = [(j, measured[j][2]) for j in range(n) if j != k and groups[j] == groups[k] and measured[j] is not None
                  and abs(measured[j][2] - ref) >= _MIN_CONTRAST]
        if not rivals:
            continue
        best = None
        stretch: list[tuple[int, int, int, float]] = []
        for run in _runs(rows[k], usable, cores) + [(0, 0, 0, np.nan)]:
            shade = run[3]
            near_rival = min((r[1] for r in rivals), key=lambda of: abs(of - shade)) if np.isfinite(shade) else ref
            # nearer a rival's grey than its own, by a quarter of their contrast
            if abs(shade - near_rival) + 0.25 * abs(near_rival - ref) < abs(shade - ref):
                stretch.append(run)
                continue
            if stretch:
                hop = _stretch_hop(stretch, k, rows, groups, rivals, ref)
                # the most harmful stretch long enough to judge: a long one a few pixels off must not hide a
                # short swap far off, nor a stretch too short to judge hide a long one
                if best is None or _rank(hop, min_columns) > _rank(best, min_columns):
                    best = hop
            stretch = []
        out[k] = best
    return out
