"""Checks that a traced curve is drawn in the figure: every drop of a step curve is a drawn vertical stroke.

Every KM renderer draws a drop as a vertical line from the old level to the new one. A traced path
that leaves its curve (onto a text label printed on the curve, or onto another arm's curve) and comes
back, or that ends on something else, must cross bare background somewhere, and a step tracer
records that crossing as a drop with nothing drawn under it. Such a trace can fit its at-risk table
perfectly, so the reconstruction's fit check cannot see it; this one can.

Pixel arrays are ``(row, col)`` of the panel crop, in the orientation the path was traced in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["INK_DELTA", "bare_drop"]

INK_DELTA = 25.0  # Lab distance from the background of a drawn pixel, anti-aliased edges included
_MIN_INKED = 0.3  # a dashed or dotted drop still inks this share of its rows
_OWN_INK = 0.5  # TracedPath.own at which a column shows the arm's own colour
_MIN_OWN = 0.25  # share of own-colour columns under which a trace's tail rides on other lines
_MIN_SHARED = 0.75  # share of a tail's columns on another arm's path at which the tail rides on that arm's line


def _line_reach(half_width: int) -> int:
    """Pixels within which a line's run of its own colour ends both ways (a stroke, not a band's fill); a drop
    no longer than this is too short to judge a stroke down it (a dash gap may span all its rows)."""
    return 6 * (half_width + 1)


def _stroke(cols, k: int, half_width: int) -> tuple[int, int]:
    """First and last corner of the vertical stroke that drop ``k`` is part of.

    A tracer may reach a drop in pieces, holding a row for a column or two on the stroke's ink (the
    dash of a dashed drop): drops whose columns lie within a line width of each other are one stroke.
    """
    reach = 2 * half_width + 1
    first, last = k, k
    while first > 1 and cols[first] - cols[first - 1] <= reach:
        first -= 1
    while last + 1 < cols.size and cols[last + 1] - cols[last] <= reach:
        last += 1
    return first, last


def _bare(cols, rows, k: int, drawn: NDArray[np.bool_], half_width: int) -> bool | None:
    """Whether drop ``k`` (from corner ``k - 1`` to ``k``) has inked less than 30% of its interior rows.

    The drop is judged with the other pieces of its stroke (:func:`_stroke`): a short piece of a dashed
    drop may fall wholly in a gap between its dashes. None for a drop too short to tell (within the
    line's own thickness).
    """
    n_rows, n_cols = drawn.shape
    first, last = _stroke(cols, k, half_width)
    top = int(np.ceil(rows[first - 1])) + half_width + 1
    bottom = int(np.floor(rows[last])) - half_width
    if bottom - top < 3:
        return None
    left, right = int(round(cols[first])), int(round(cols[last]))
    band = drawn[max(top, 0): min(bottom, n_rows), max(left - 2, 0): min(right + 3, n_cols)]
    return bool(band.size) and float(np.mean(band.any(axis=1))) < _MIN_INKED


def _narrow(strip: NDArray[np.float32], centre: int, limit: int) -> NDArray[np.bool_]:
    """Per row of ``strip`` (rows, 2 * limit + 1, 3): whether the run of the centre pixel's colour is bounded both ways.

    The run holds the pixels within :data:`INK_DELTA` of the centre pixel, contiguous with it.
    """
    like = np.linalg.norm(strip - strip[:, centre: centre + 1], axis=-1) <= INK_DELTA
    left_open = like[:, :centre].all(axis=1)
    right_open = like[:, centre + 1:].all(axis=1)
    return ~left_open & ~right_open


def _unstroked(cols, rows, k: int, lab: NDArray[np.float32], half_width: int) -> bool:
    """Whether drop ``k`` crosses a line in under 30% of its interior rows.

    A line pixel lies in a run of its own colour that ends within :func:`_line_reach` pixels both
    ways, left and right (a vertical stroke, or a few drawn side by side) or up and down (a
    horizontal line, under which a drop may hide). A confidence band's fill is drawn ink but
    spreads wider, so a trace that runs down through a band instead of along its curve crosses no
    line.
    """
    limit = _line_reach(half_width)
    top = int(np.ceil(rows[k - 1])) + half_width + 1
    bottom = min(int(np.floor(rows[k])) - half_width, lab.shape[0])
    if bottom - top < 3:
        return False
    centre = int(round(cols[k]))
    # the window around the drop; the panel's edge bounds a run like a change of colour, so pixels
    # beyond it take a colour no pixel is near
    r0, c0 = top - limit, centre - 2 - limit
    window = np.full((bottom - top + 2 * limit, 5 + 2 * limit, 3), -1000.0, np.float32)
    inside = lab[max(r0, 0): r0 + window.shape[0], max(c0, 0): c0 + window.shape[1]]
    window[max(-r0, 0): max(-r0, 0) + inside.shape[0], max(-c0, 0): max(-c0, 0) + inside.shape[1]] = inside
    padded, top, bottom, centre = window, limit, window.shape[0] - limit, limit + 2
    line = np.zeros(bottom - top, bool)
    for col in range(centre - 2, centre + 3):
        across = _narrow(padded[top:bottom, col - limit: col + limit + 1], limit, limit)
        runs = np.lib.stride_tricks.sliding_window_view(padded[:, col], 2 * limit + 1, axis=0)
        line |= across | _narrow(np.moveaxis(runs, -1, 1), limit, limit)
    return float(np.mean(line)) < _MIN_INKED


def _unstroked_near(cols, rows, k: int, lab: NDArray[np.float32], half_width: int) -> bool:
    """:func:`_unstroked` at the drop's column and at every column within ``2 * half_width + 2`` of it.

    A drop's column is placed between the old level's last ink and the new level's first: a censor
    mark drawn just after the drop carries the old level's ink on past the stroke, and the column lands
    a few pixels beyond it. The drop is stroked when a stroke runs down it near its column, short of
    the corner before it, and, away from its own column, only a stroke in the old level's colour counts
    (a grid line or another arm's drop a few pixels away is no stroke of this drop).
    """
    reach = 2 * half_width + 2
    # the corners around may share the drop's column (a drop reached in pieces): the column itself is always tried
    lo = min(max(cols[k] - reach, cols[k - 1] + 1), cols[k]) if k > 0 else cols[k] - reach
    hi = max(min(cols[k] + reach, cols[k + 1] - 1), cols[k]) if k + 1 < cols.size else cols[k] + reach
    colour = _level_colour(cols, rows, k, lab)
    for shift in sorted(np.arange(np.ceil(lo - cols[k]), np.floor(hi - cols[k]) + 1), key=abs):
        moved = cols.copy()
        moved[k] = cols[k] + shift
        if (shift == 0 or _in_colour(int(round(moved[k])), rows, k, lab, colour, half_width)) and \
                not _unstroked(moved, rows, k, lab, half_width):
            return False
    return True


def _level_colour(cols, rows, k: int, lab: NDArray[np.float32]) -> NDArray[np.float32] | None:
    """Median Lab colour of the old level's row between corners ``k - 1`` and ``k`` (the arm's line), or None."""
    r = int(round(rows[k - 1]))
    c0, c1 = int(round(cols[k - 1])), int(round(cols[k]))
    if not 0 <= r < lab.shape[0] or c1 <= c0:
        return None
    seg = lab[r, max(c0, 0): min(c1, lab.shape[1])]
    return np.median(seg, axis=0) if len(seg) else None


def _in_colour(col: int, rows, k: int, lab: NDArray[np.float32], colour, half_width: int) -> bool:
    """Whether most interior rows of drop ``k`` have a pixel within INK_DELTA of ``colour`` at ``col`` +- 1."""
    if colour is None:
        return False
    top, bottom = int(np.ceil(rows[k - 1])) + half_width + 1, min(int(np.floor(rows[k])) - half_width, lab.shape[0])
    strip = lab[max(top, 0): bottom, max(col - 1, 0): col + 2]
    if strip.size == 0:
        return False
    near = np.linalg.norm(strip - colour, axis=-1).min(axis=1) <= INK_DELTA
    return float(np.mean(near)) >= 0.5


def _borrowed(own: NDArray[np.float64] | None, cols: NDArray[np.float64], k: int) -> bool:
    """Whether the trace after corner ``k`` has its own colour's ink in under a quarter of its columns."""
    if own is None:
        return False
    tail = own[int(round(cols[k])): int(round(cols[-1])) + 1]
    return bool(tail.size) and float(np.mean(tail >= _OWN_INK)) < _MIN_OWN


def _on_other(others, cols, rows, k: int, half_width: int, bare: list) -> bool:
    """Whether the trace after corner ``k``, up to its next bare drop, lies on another arm's path in 3/4 of its columns.

    Arms of one colour (grey on grey) share ink, so :func:`_borrowed` cannot see a tail that rides on
    the other arm's line; the other arm's path can. The tail may leave that line again by a bare drop
    (scan_004 of dev 8081: onto the legend).
    """
    if not others:
        return False
    nxt = next((j for j in range(k + 1, len(bare) + 1) if bare[j - 1]), cols.size - 1)
    c0, c1 = int(round(cols[k])), int(round(cols[nxt]))
    if c1 <= c0:
        return False
    span = np.arange(c0, c1 + 1)
    level = rows[np.searchsorted(cols, span, side="right") - 1]  # the trace's row in each tail column (a step)
    for other in others:  # only where the other arm has a path of its own (between its first and last evidence)
        seen = (span >= other.start) & (span < min(other.stop, other.rows.size))
        near = np.abs(other.rows[span[seen]] - level[seen]) <= 2 * half_width + 1
        if float(near.sum()) >= _MIN_SHARED * span.size:
            return True
    return False


def bare_drop(cols: NDArray[np.float64], rows: NDArray[np.float64], drawn: NDArray[np.bool_],
              half_width: int, own: NDArray[np.float64] | None = None,
              lab: NDArray[np.float32] | None = None, others: list | None = None
              ) -> tuple[NDArray[np.float64], NDArray[np.float64], float, float, float]:
    """Cut a trace's trailing spur, and find its largest drop with no vertical stroke drawn under it.

    Parameters
    ----------
    cols, rows : ndarray of shape (n_corners,)
        Step corners from :func:`reconstruct.digitize.step_corners.step_corners` (rows non-decreasing).
    drawn : ndarray of shape (rows, cols), bool
        Every drawn pixel of the panel (any colour: a drop hidden under another line is drawn),
        in the orientation of the trace.
    half_width : int
        Half the line thickness; the drop's ends within it are the levels' own strokes.
    own : ndarray of shape (cols,), optional
        The arm's own ink at the trace in each column (``TracedPath.own``). A trace that runs on for
        less than a quarter of its columns on ink of its own colour after a drop rides on another
        arm's line (or on glyphs), and is cut at that drop however long it runs: after a bare drop
        (nothing drawn), or, with ``lab``, after a drop longer than :func:`_line_reach` with no
        vertical stroke down it.
    lab : ndarray of shape (rows, cols, 3), float32, optional
        The panel in CIE Lab, in the orientation of the trace. When given, a drop counts as bare too
        when no vertical stroke runs down it (a drop traced through a confidence band's fill: the fill
        is drawn, but it is no stroke). Such a drop cuts the trace only onto a tail on borrowed ink
        (``own``), and only when longer than :func:`_line_reach` (a shorter one, its row margins off,
        may fall wholly in a dash gap of a dashed line).
    others : list of TracedPath, optional
        The other arms' traced paths (same orientation), judged between their ``start`` and ``stop``. A tail
        that lies on one of them in 3/4 of its columns rides on that arm's line like a tail on borrowed ink (arms of
        one colour share their ink, so ``own`` cannot tell).

    Returns
    -------
    cols, rows : ndarray
        The corners up to the first drop that cuts the trace: a bare drop after which the trace runs
        on for less than 10% of the panel (it jumped off its curve's end onto at-risk numbers in the
        panel, or the axis), a bare drop onto a tail on borrowed ink (``own``), or a drop longer
        than :func:`_line_reach` with no stroke down it onto such a tail (``lab`` and ``own``). The
        trace then ends where its curve's ink ends, at the last drawn level, run on to that drop's
        column.
    height_px : float
        Height in pixels of the largest remaining drop whose interior rows are inked for less than
        30% within two pixels either side of its column, or (``lab``) with no stroke down it (0 when
        every drop is drawn).
    col : float
        Column of that drop (nan when none).
    cut_col : float
        Column at which the trace was cut (the cutting drop's column) when what was cut runs on for 10% of
        the panel or more; nan when it was not cut, or only a short spur was.
    """
    bare = [_bare(cols, rows, k, drawn, half_width) for k in range(1, cols.size - 1)]
    short = 0.1 * drawn.shape[1]  # a spur: what follows a bare drop is shorter than 10% of the panel
    # a drop with no stroke down it (lab) onto a tail on borrowed ink is a spur too: a band's fill is drawn, and
    # hides that the drop is bare (rms_006: a dotted curve's trace left it at its end for a table row)
    def riding(k: int) -> bool:
        return _borrowed(own, cols, k) or _on_other(others, cols, rows, k, half_width, bare)

    spur = [k for k in range(1, len(bare) + 1)
            if (bare[k - 1] and (cols[-1] - cols[k] < short or riding(k)))
            or (lab is not None and rows[k] - rows[k - 1] > _line_reach(half_width)
                and (riding(k) or cols[-1] - cols[k] < short)
                and _unstroked_near(cols, rows, k, lab, half_width))]
    end = spur[0] - 1 if spur else len(bare)
    cut_col = float("nan")
    # a drop cut for no stroke under it (lab), not for being bare, is reported even before a short tail: on a
    # stroke misjudged as none (a real final drop) the reading stays flagged, as it was before that cut
    unstroked = bool(spur) and not bare[spur[0] - 1]
    if end < len(bare):  # corners 0..end, then the last level runs on to the first bare drop's column
        if unstroked or cols[-1] - cols[end + 1] >= short:  # a short bare spur is no curve's end (onto the numbers)
            cut_col = float(cols[end + 1])
        cols = np.append(cols[: end + 1], cols[end + 1])
        rows = np.append(rows[: end + 1], rows[end])
    worst, where = 0.0, float("nan")
    for k in range(1, end + 1):
        height = float(rows[k] - rows[k - 1])
        unseen = bare[k - 1] or (lab is not None and _unstroked_near(cols, rows, k, lab, half_width))
        if unseen and height > worst:
            worst, where = height, float(cols[k])
    return cols, rows, worst, where, cut_col
