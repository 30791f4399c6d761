"""The second tracing of a figure drawn in greys, by line type, when its run stops (issue 12).

Grey curves of one ink are told apart by the clusters of their anti-aliased shades first; when that run
stops (a misfit, an ambiguous match), the curves are traced again by line type
(:func:`reconstruct.digitize.figure.digitize_image` ``by_style``) and the at-risk table judges the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconstruct.errors import MisfitError, ReconstructionError
from reconstruct.extra_curves import SAME_INK, hex_rgb

__all__ = ["by_line_style"]

#: Arm matches in which the at-risk table tells the arms apart by itself (names, colours, numbers, a fit by its margin)
_TOLD_APART = frozenset({"single", "label", "colour", "numbers", "pairs", "pairs+numbers", "placed names", "fit",
                         "pairs+fit"})


def by_line_style(document, seen: list, options: dict[str, Any], run_once: Callable[..., Any]):
    """The run with the curves of a figure drawn in greys traced again by line type (``by_style``), when that
    run fits (status ok) with arms the at-risk table tells apart by itself; None otherwise, or when the figure is
    no raster image in greys (nothing to trace again) or no at-risk table was read (nothing to judge it by).
    ``seen``: the first run's digitized figure and number of at-risk rows, as far as it got; ``run_once`` runs the
    figure (``kmrecon.run._run_once``) and ``options`` are its keywords.

    Grey curves of one ink are told apart by the clusters of their anti-aliased shades first, which can piece
    a path together from two curves; the at-risk table and the fit then judge the tracing by line type.
    """
    if document.kind != "image" or len(seen) < 2 or not seen[1] or not all(_grey(a.colour) for a in seen[0].arms):
        return None
    try:
        run = run_once(document, seen=[], by_style=True, **options)
    except (MisfitError, ReconstructionError):
        return None
    # the table judges the new tracing only when it tells the arms apart itself (not by a fit of the drops)
    told = run.match is not None and run.match.basis in _TOLD_APART and getattr(run.match, "settled", True)
    return run if run.status == "ok" and told else None


def _grey(colour: str | None) -> bool:
    rgb = hex_rgb(colour)
    return rgb is not None and max(rgb) - min(rgb) <= SAME_INK  # its channels one ink: a grey
