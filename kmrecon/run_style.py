"""The second tracing of a figure drawn in greys, by line type, when its run stops (issue 12).

Grey curves of one ink are told apart by the clusters of their anti-aliased shades first; when that run
stops (a misfit, an ambiguous match), the curves are traced again by line type
(:func:`reconstruct.digitize.figure.digitize_image` ``by_style``) and the at-risk table judges the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kmrecon.run_arms import BY_PRINT
from reconstruct.errors import AmbiguousMatchError, MisfitError, ReconstructionError
from reconstruct.extra_curves import BY_STYLE_NOTE, hex_rgb

__all__ = ["Traced", "by_line_style", "by_style_note", "run_or_by_style"]

#: Arm matches in which the at-risk table tells the arms apart by itself: by what is printed (less the legend's
#: order, which is no evidence when the numbers decided nothing), by the rows' numbers, or by a fit by its margin
_TOLD_APART = frozenset(BY_PRINT) - {"legend order"} | {"numbers", "pairs+numbers", "fit", "pairs+fit"}

#: Arm matches by names printed in the panel (a legend's, or by the curves): kept, flagged, after an ambiguous match
_NAMED = frozenset({"label", "placed names"})

_WHY_CHARS = 120  # of the first run's error, kept in the note


def by_style_note(why: str) -> str:
    """The note on a run traced again by line type, saying why the first tracing stopped (``why``, cut short)."""
    first = (str(why).strip().splitlines() or [""])[0]
    short = first if len(first) <= _WHY_CHARS else first[:_WHY_CHARS - 3].rstrip() + "..."
    return f"{BY_STYLE_NOTE}: the first tracing stopped ({short})"


@dataclass(frozen=True)
class Traced:
    """How far a run got: its first digitized figure and the number of at-risk rows read (None: not read yet)."""

    figure: Any
    n_rows: int | None = None


def run_or_by_style(document, options: dict[str, Any], run_once: Callable[..., Any]):
    """The run of ``document`` (``run_once(document, seen=[], **options)``, see ``kmrecon.run._run_once``), or, when
    it stops (MisfitError, ReconstructionError) or is not ok, the run traced again by line type when that one is
    kept (:func:`by_line_style`). Raises the first run's error when the second is not kept."""
    seen: list[Traced] = []
    try:
        run = run_once(document, seen=seen, **options)
    except (MisfitError, ReconstructionError) as first:
        again = by_line_style(document, seen, options, run_once, why=str(first),
                              named_ok=isinstance(first, AmbiguousMatchError))
        if again is None:
            raise  # the first run's error
        return again
    if run.status == "ok":
        return run
    return by_line_style(document, seen, options, run_once, why=f"status {run.status}") or run


def by_line_style(document, seen: Sequence[Traced], options: dict[str, Any], run_once: Callable[..., Any],
                  why: str = "", *, named_ok: bool = False):
    """The run with the curves of a figure drawn in greys traced again by line type (``by_style``), when that
    run fits (status ok) with arms the at-risk table tells apart by itself; None otherwise, or when the figure is
    no raster image in greys (nothing to trace again) or no at-risk table was read (nothing to judge it by).
    ``seen``: how far the first run got (one :class:`Traced`, or none when it stopped before); ``run_once`` runs the
    figure (``kmrecon.run._run_once``) and ``options`` are its keywords; ``why``: what stopped the first run (its
    error, or its status), said in the run's notes (:func:`by_style_note`) so that every arm of it is flagged.

    Grey curves of one ink are told apart by the clusters of their anti-aliased shades first, which can piece
    a path together from two curves; the at-risk table and the fit then judge the tracing by line type.

    ``named_ok`` (the first run could not tell the rows apart: AmbiguousMatchError): the new run is also kept when
    the names printed by the curves matched them, placed by position only (an unsettled match: its reading is
    flagged). nejm_004 of seed 8081: two grey curves whose tails touch in the first tracing, each name printed at
    its curve's end; traced by line type the ends are apart and the names place them.
    """
    first = seen[0] if seen else None
    if document.kind != "image" or first is None or not first.n_rows:
        return None
    if not all(_grey(a.colour) for a in first.figure.arms):
        return None
    try:
        run = run_once(document, seen=[], by_style=True, prior_notes=(by_style_note(why),), **options)
    except (MisfitError, ReconstructionError):
        return None
    # the table judges the new tracing only when it tells the arms apart itself (not by a fit of the drops)
    told = run.match is not None and run.match.basis in _TOLD_APART and getattr(run.match, "settled", True)
    placed = (named_ok and run.match is not None and run.match.basis in _NAMED
              and not getattr(run.match, "settled", True))  # flagged: the names placed the curves by position
    return run if run.status == "ok" and (told or placed) else None


def _grey(colour: str | None) -> bool:
    from reconstruct.digitize.curves import is_grey  # OpenCV: loaded only when a run is retried

    rgb = hex_rgb(colour)
    return rgb is not None and is_grey(rgb)  # the digitizer's grey (Lab chroma), as its by_style tracing
