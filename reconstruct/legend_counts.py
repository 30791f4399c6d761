"""Numbers of patients printed in legend labels ("Sorafenib (n=125)", "Arm A, N = 1,024").

Pure text handling for :func:`kmrecon.run.run_figure`: a figure without an at-risk table can still
state each arm's size in its legend, and a table whose time-0 cell was not read can take it from there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["legend_counts"]

# "n=125", "N = 1,024", "n: 80", optionally in brackets or after a comma; the count is 1-6 digits
# with optional thousands separators, and must not run on into more digits or letters.
_COUNT = re.compile(r"\s*[,;]?\s*[(\[]?\s*\b[nN]\s*[=:]\s*(\d{1,3}(?:,\d{3})+|\d{1,6})(?![\d\w])\s*[)\]]?")


def legend_counts(labels: Sequence[str | None]) -> tuple[list[str | None], list[int | None]]:
    """Split each legend label into its name and the number of patients printed in it.

    Parameters
    ----------
    labels : sequence of str or None
        Legend labels as read (None: no label).

    Returns
    -------
    names : list of str or None
        The labels without the count (None where the label was None or held only the count).
    counts : list of int or None
        The count printed in each label, None where there is none (or more than one).

    Examples
    --------
    >>> legend_counts(["Sorafenib (n=125)", "HAIC, N = 1,024", "Placebo", None])
    (['Sorafenib', 'HAIC', 'Placebo', None], [125, 1024, None, None])
    """
    names: list[str | None] = []
    counts: list[int | None] = []
    for label in labels:
        if label is None:
            names.append(None)
            counts.append(None)
            continue
        found = list(_COUNT.finditer(label))
        if len(found) != 1:
            names.append(label)
            counts.append(None)
            continue
        name = (label[: found[0].start()] + label[found[0].end():]).strip(" ,;:-")
        names.append(name or None)
        counts.append(int(found[0].group(1).replace(",", "")))
    return names, counts
