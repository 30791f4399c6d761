"""Arm and row names as compared when at-risk rows are matched to curves (:mod:`reconstruct.arm_matching`).

A name is compared by its letters and digits (:func:`name_key`). A legend label names a row when the two are
equal and the label is no part of another row's name (:func:`same_name`), when one is inside the other
(:func:`part_of`), or when they differ by an OCR slip (:func:`similar`). Names that differ in the short word
or the number that tells arms apart ("Group 1"/"Group 2") never pair.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

__all__ = ["name_key", "words", "differ_in_a_short_word", "starts_a_word", "part_of", "same_name", "similar"]

# A legend label and a row label read with OCR slips pair when difflib's ratio of their letters is at least
# this, and this much above the label's ratio to every other row's name.
_NAME_SIMILARITY = 0.8
_NAME_MARGIN = 0.15


def name_key(text: str | None) -> str:
    """An arm or row name as compared: its letters and digits, lower case ("HAIC + sorafenib" -> "haicsorafenib")."""
    return re.sub(r"[^0-9a-z]+", "", (text or "").lower())


def words(text: str | None) -> set[str]:
    """The words of a name, lower case: runs of letters and digits."""
    return set(re.findall(r"[0-9a-z]+", (text or "").lower()))


def differ_in_a_short_word(label: str | None, row: str | None) -> bool:
    """Names of as many words, some shared, that differ in a word of at most 3 characters or with a digit: the
    word that tells arms apart ("Group 1"/"Group 2", "Arm A"/"Arm B", "Stage II"/"Stage III"), never a slip."""
    a, b = re.findall(r"[0-9a-z]+", (label or "").lower()), re.findall(r"[0-9a-z]+", (row or "").lower())
    return len(a) == len(b) and bool(set(a) & set(b)) and any(
        u != v and (min(len(u), len(v)) <= 3 or re.search(r"\d", u + v)) for u, v in zip(a, b, strict=True))


def starts_a_word(part: str | None, whole: str | None) -> bool:
    """True when ``part`` (as :func:`name_key` reads it) occurs in ``whole`` from the start of one of its words
    (runs of letters and digits, accented ones too; a capital after a small letter starts one).

    A legend label read from inside a word ("fenib" of "Sorafenib") is no label cut short at the edge: the key
    was found on the text itself (a curve passing through a direct label), and the word read names whatever
    the text does, not the curve (jco scan_004 of the seed-7071 set: a light curve's "key" ran into the dark
    curve's label "Sorafenib", and "fenib" paired the light curve with the Sorafenib row, a swap).
    """
    x = name_key(part)
    # a capital after a small letter starts a word too: OCR drops the space or "+" ("NivolumabIpilimumab")
    parts = [name_key(w) for w in re.findall(r"[^\W_]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", whole or ""))]
    starts = {sum(len(w) for w in parts[:k]) for k in range(len(parts))}
    y = "".join(parts)
    return bool(x) and any(y.startswith(x, at) for at in starts)


def part_of(label: str | None, row: str | None, others: Sequence[str | None]) -> bool:
    """One name inside the other (as :func:`name_key` reads them), unless the longer one also carries a word that
    tells another row apart: "Group 2 3" (two legend lines read as one) is not "Group 2" when a row "Group 3" exists.
    A label inside the row's name must start at one of its words (:func:`starts_a_word`): "fenib" is no part of
    "Sorafenib" but a piece of its text."""
    x, y = name_key(label), name_key(row)
    if not (x in y or y in x) or (x != y and differ_in_a_short_word(label, row)):
        return False
    if x != y and x in y and not starts_a_word(label, row):
        return False
    extra = words(label) ^ words(row)
    return not any(extra & (words(o) - words(row)) for o in others if name_key(o) != y)


def same_name(x: str, y: str, names: Sequence[str | None]) -> bool:
    """Keys equal, ``x`` no part of another row's name ("Nivolumab" may be "Nivolumab + Ipilimumab" cut)."""
    return x == y and not any(x in k and k != y for k in map(name_key, names))


def similar(label: str | None, row: str | None, others: Sequence[str | None]) -> bool:
    """The same name read with an OCR slip or two ("Névolumab", "Stendand"): close to ``row`` and to no other name.

    Similarity is difflib's ratio of the :func:`name_key` forms: at least ``_NAME_SIMILARITY``, and
    ``_NAME_MARGIN`` above its ratio to every other name in ``others``. Never when a row label in ``others`` is
    unread, when the names differ in a short word or a number ("Group 1" is not "Group 2" read with a slip),
    or in length by more than a sixth of the row name (at least 2 letters).
    """
    x, y = name_key(label), name_key(row)
    if len(x) < 3 or len(y) < 3 or any(not name_key(o) for o in others):
        return False  # an unread row label is a rival that cannot be weighed
    if differ_in_a_short_word(label, row) or abs(len(x) - len(y)) > max(2, len(y) // 6):
        return False  # a slip keeps the length; "Lenvatinib HAIC" (two legend lines) is no "Lenvatinilb"
    ratio = difflib.SequenceMatcher(None, x, y).ratio()
    rivals = [difflib.SequenceMatcher(None, x, name_key(o)).ratio() for o in others if name_key(o) != y]
    return ratio >= _NAME_SIMILARITY and all(ratio >= v + _NAME_MARGIN for v in rivals)
