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

__all__ = ["INK_DELTA", "bare_drop", "snap_bare_drops"]

INK_DELTA = 25.0  # Lab distance from the background of a drawn pixel, anti-aliased edges included
_MIN_INKED = 0.3  # a dashed or dotted drop still inks this share of its rows
_OWN_INK = 0.5  # TracedPath.own at which a column shows the arm's own colour
_MIN_OWN = 0.25  # share of own-colour columns under which a trace's tail rides on other lines
_MIN_SHARED = 0.75  # share of a tail's columns on another arm's path at which the tail rides on that arm's line
_SNAP_INKED = 0.7  # a drop moved onto a stroke nearby needs the stroke inked in this share of its interior rows


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
    if not band.size:
        return False
    inked = band.any(axis=1)
    return float(np.mean(inked)) < _MIN_INKED or _longest_run(~inked) > max(_line_reach(half_width), 0.6 * inked.size)


def _longest_run(mask: NDArray[np.bool_]) -> int:
    """Length of the longest run of True in ``mask``: a drop inked only at its two ends (censor marks on both
    levels, sas_008 of dev 8081) leaves a long bare run in the middle that no dash gap of a drawn drop leaves."""
    padded = np.r_[False, mask, False].astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max(initial=0))


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


def _row_drawn(drawn: NDArray[np.bool_], row: float, c0: int, c1: int, half_width: int) -> NDArray[np.bool_]:
    """Per column ``c0..c1 - 1``: whether a level at ``row`` is drawn there (within its half width)."""
    r = int(round(row))
    band = drawn[max(r - half_width, 0): r + half_width + 1, max(c0, 0): max(min(c1, drawn.shape[1]), 0)]
    return band.any(axis=0) if band.size else np.zeros(0, bool)


def _stroke_at(drawn: NDArray[np.bool_], top: int, bottom: int, col: int, width: int = 1) -> bool:
    """Whether columns ``col - width .. col + width`` ink at least :data:`_SNAP_INKED` of rows ``top .. bottom - 1``."""
    band = drawn[max(top, 0): min(bottom, drawn.shape[0]), max(col - width, 0): col + width + 1]
    return bool(band.size) and float(np.mean(band.any(axis=1))) >= _SNAP_INKED


def snap_bare_drops(cols: NDArray[np.float64], rows: NDArray[np.float64], drawn: NDArray[np.bool_],
                    half_width: int) -> NDArray[np.float64]:
    """Move a drop with nothing drawn under it onto the vertical stroke a few pixels away that joins its two levels.

    A censor mark just past a drop inks both levels' rows for a few columns, and the drop's column,
    placed between the old level's last ink and the new level's first, can land on the mark (base_r_007
    of dev 8081: 5 px right of a thin anti-aliased stroke). The drop is moved to the nearest column within
    ``4 * half_width + 4`` pixels where a stroke inks 70% of its interior rows, when the level the move
    lengthens is drawn in every column it gains and the level it shortens is bare in at least half of the
    columns it loses (so a trace that left its curve, onto another curve's drop, is not moved); a drop moved
    right needs its old level to end at the stroke too (bare in most of the ``reach`` columns beyond
    ``reach`` past it): an old level running on past another arm's drop is a curve the trace left there. Only a drop
    reached in one piece is moved, and no drop past the corners either side of it.

    Parameters
    ----------
    cols, rows : ndarray of shape (n_corners,)
        Step corners (rows non-decreasing).
    drawn : ndarray of shape (rows, cols), bool
    half_width : int

    Returns
    -------
    ndarray
        The corners' columns, a copy.
    """
    cols = np.asarray(cols, float).copy()
    reach = 4 * half_width + 4
    for k in range(1, cols.size - 1):
        if _stroke(cols, k, half_width) != (k, k) or not _bare(cols, rows, k, drawn, half_width):
            continue
        top = int(np.ceil(rows[k - 1])) + half_width + 1
        bottom = int(np.floor(rows[k])) - half_width
        here = int(round(cols[k]))
        for shift in sorted(range(-reach, reach + 1), key=lambda v: (abs(v), v)):
            col = here + shift
            if abs(shift) <= 2 or not cols[k - 1] < col <= cols[k + 1] or not _stroke_at(drawn, top, bottom, col):
                continue
            if col < here:  # the new level begins at the stroke, the old one ends there
                gained = _row_drawn(drawn, rows[k], col + 1, here + 1, half_width)
                lost = _row_drawn(drawn, rows[k - 1], col + half_width + 1, here - half_width, half_width)
            else:
                gained = _row_drawn(drawn, rows[k - 1], here, col, half_width)
                lost = _row_drawn(drawn, rows[k], here + half_width + 1, col - half_width, half_width)
                # the old level must end at the stroke: one running on past it (beyond a censor mark's arm) is a
                # curve the stroke crosses, and the trace that left it there for another arm's drop stays bare
                past = _row_drawn(drawn, rows[k - 1], col + reach + 1, col + 2 * reach + 1, half_width)
                if past.size and float(np.mean(past)) > 0.5:
                    continue
            if gained.all() and (not lost.size or float(np.mean(lost)) <= 0.5):
                inked = [c for c in (col - 1, col, col + 1) if _stroke_at(drawn, top, bottom, c, width=0)]
                cols[k] = float(np.mean(inked)) if inked else float(col)  # the stroke's centre
                break
    return cols


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
