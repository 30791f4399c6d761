"""The limits of :mod:`reconstruct.limits` applied to an SVG file before svgelements builds its shapes.

svgelements turns every path segment into a Python object, so a file of a few megabytes of path data
costs gigabytes once parsed. :func:`check_svg_tree` counts on the plain XML tree (which the reader
builds anyway) the drawn elements, the path segments (one per coordinate pair, a cheap upper bound)
and the text characters, with ``<use>`` references expanded, and refuses the file before svgelements
sees it. :func:`check_svg_bytes` counts the numbers of the raw file first, because the XML parser alone
needs many seconds for one path attribute of millions of coordinates.
"""

from __future__ import annotations

import numpy as np

from reconstruct.limits import check_limit, limit_value

__all__ = ["check_svg_tree", "check_svg_bytes", "count_numbers"]
_MAX_DEPTH = 200
_SHAPES = {"path", "polyline", "polygon", "line", "rect", "circle", "ellipse", "use"}


def count_numbers(data: bytes) -> int:
    """Numbers in ``data``: runs of digits not preceded by a digit or a decimal point (vectorised: a path
    attribute may hold millions)."""
    if not data:
        return 0
    codes = np.frombuffer(data, np.uint8)
    digit = (codes >= 48) & (codes <= 57)
    after = np.concatenate(([False], digit[:-1] | (codes[:-1] == 46)))
    return int(np.count_nonzero(digit & ~after))


def check_svg_bytes(data: bytes, src: str) -> None:
    """Refuse SVG bytes holding more numbers than ``vector_segments`` coordinate pairs, before XML parsing."""
    numbers = count_numbers(data)
    if numbers // 2 > limit_value("vector_segments"):
        check_limit("vector_segments", numbers // 2, source=src)


def _local_name(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _own_cost(element) -> tuple[int, int, int]:
    """(paths, segments, characters) an element draws by itself."""
    tag = _local_name(element)
    paths = segments = 0
    if tag in _SHAPES and tag != "use":
        paths = 1
        data = element.get("d") or element.get("points") or ""
        segments = 1 + count_numbers(data.encode("utf-8", "replace")) // 2
    chars = len(element.text or "") if tag in ("text", "tspan") else 0
    return paths, segments, chars


def _expanded(element, ids, memo, caps) -> tuple[int, int, int]:
    """Cost of an element with its children and every ``<use>`` reference expanded (memoized per element)."""
    key = id(element)
    if key in memo:
        return memo[key]
    memo[key] = tuple(c + 1 for c in caps)  # met again while being counted: a reference cycle, over every limit
    total = list(_own_cost(element))
    parts = list(element)
    if _local_name(element) == "use":
        ref = element.get("{http://www.w3.org/1999/xlink}href") or element.get("href") or ""
        target = ids.get(ref[1:]) if ref.startswith("#") else None
        if target is not None:
            parts.append(target)
    for part in parts:
        cost = _expanded(part, ids, memo, caps)
        total = [min(a + b, c + 1) for a, b, c in zip(total, cost, caps)]
        if any(t > c for t, c in zip(total, caps)):
            break
    memo[key] = tuple(total)
    return memo[key]


def check_svg_tree(tree, src: str) -> None:
    """Refuse an SVG over ``vector_paths``, ``vector_segments`` or ``text_chars``, with ``<use>`` expanded.

    Parameters
    ----------
    tree : xml.etree.ElementTree.ElementTree
        The parsed file.
    src : str
        Its path, for the message.

    Raises
    ------
    LimitError
    InputError
        Elements nested too deep to count.
    """
    from reconstruct.errors import InputError

    stack = [(tree.getroot(), 1)]
    while stack:  # svgelements walks the tree recursively: refuse nesting it cannot walk
        element, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise InputError(f"expected SVG elements nested at most {_MAX_DEPTH} levels deep, got deeper nesting",
                             source=src)
        stack.extend((child, depth + 1) for child in element)
    names = ("vector_paths", "vector_segments", "text_chars")
    caps = tuple(limit_value(n) for n in names)
    ids = {element.get("id"): element for element in tree.iter() if element.get("id")}
    if not any(_local_name(element) == "use" for element in tree.iter()):  # nothing to expand: one flat pass
        cost = [0, 0, 0]
        for element in tree.iter():
            cost = [a + b for a, b in zip(cost, _own_cost(element))]
            if any(c > cap for c, cap in zip(cost, caps)):
                break
        for name, value, cap in zip(names, cost, caps):
            if value > cap:
                check_limit(name, value, source=src, at_least=True)
        return
    try:
        cost = _expanded(tree.getroot(), ids, {}, caps)
    except RecursionError:
        raise InputError("expected SVG elements nested a few hundred levels deep at most, got deeper nesting",
                         source=src) from None
    for name, value, cap in zip(names, cost, caps):
        if value > cap:
            check_limit(name, value, source=src, at_least=True)
