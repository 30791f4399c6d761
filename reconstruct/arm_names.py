"""Arm and row names as compared when at-risk rows are matched to curves (:mod:`reconstruct.arm_matching`).

A name is compared by its letters and digits (:func:`name_key`). A legend label names a row when the two are
equal and the label is no part of another row's name (:func:`same_name`), when one is inside the other
(:func:`part_of`), or when they differ by an OCR slip (:func:`similar`). Names that differ in the short word
or the number that tells arms apart ("Group 1"/"Group 2") never pair.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence

__all__ = ["CROSSED_NAMES_NOTE", "crossed_names", "crossed_note", "name_key", "words", "differ_in_a_short_word", "starts_a_word",
           "part_of", "same_name", "similar"]

CROSSED_NAMES_NOTE = "arm names: the legend and the at-risk table name the curves differently"

# A legend label and a row label read with OCR slips pair when difflib's ratio of their letters is at least
# this, and this much above the label's ratio to every other row's name.
_NAME_SIMILARITY = 0.8
_NAME_MARGIN = 0.15
# Where OCR fused words, a new word starts at a small letter then a capital ("NivolumabIpilimumab"), at a capital
# then a capitalised word ("HAICSorafenib"), at small letters after two or more capitals ("HAICsorafenib"), and
# where letters and digits meet ("Arm1", "5FU").
_FUSED_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Z]{2})(?=[a-z])"
                               r"|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
# A label of at least this many letters may have lost the first letter of a word ("lacebo" of "Placebo").
_LOST_FIRST_LETTER_MIN = 4


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


def starts_a_word(part: str | None, whole: str | None, lost: int = 0) -> bool:
    """True when ``part`` (as :func:`name_key` reads it) occurs in ``whole`` from the start of one of its words
    (runs of letters and digits, accented ones too, composed or not; words fused by OCR split where
    ``_FUSED_WORD_START`` says), or up to ``lost`` letters into one (letters OCR lost at the label's front).

    A legend label read from inside a word ("fenib" of "Sorafenib") is no label cut short at the edge: the key
    was found on the text itself (a curve passing through a direct label), and the word read names whatever
    the text does, not the curve (jco scan_004 of the seed-7071 set: a light curve's "key" ran into the dark
    curve's label "Sorafenib", and "fenib" paired the light curve with the Sorafenib row, a swap).
    """
    x = name_key(part)
    text = _FUSED_WORD_START.sub(" ", unicodedata.normalize("NFC", whole or ""))
    found = re.findall(r"[^\W_]+", text)
    firsts = [len(name_key("".join(found[:k]))) for k in range(len(found))]
    # ``d`` letters lost only where the word's first ``d + 1`` letters are all in its key: "volumab" lost
    # "Né" of "Névolumab", two letters, though the key "nvolumab" drops the "é"
    starts = {at + d for at, w in zip(firsts, found, strict=True) for d in range(lost + 1)
              if d == 0 or (d < len(w) and len(name_key(w[:d + 1])) == d + 1)}
    y = name_key(text)
    return bool(x) and any(y.startswith(x, at) for at in starts)


def part_of(label: str | None, row: str | None, others: Sequence[str | None]) -> bool:
    """One name inside the other (as :func:`name_key` reads them), unless the longer one also carries a word that
    tells another row apart: "Group 2 3" (two legend lines read as one) is not "Group 2" when a row "Group 3" exists.
    A label inside the row's name must start at one of its words (:func:`starts_a_word`), or one letter into it
    for a label of ``_LOST_FIRST_LETTER_MIN`` letters or more ("lacebo" of "Placebo"): "fenib" is no part of
    "Sorafenib" but a piece of its text. A label equal to another row's name is not held to that rule: it is
    weighed against both rows ("nivolumab" and the rows "Nivolumab", "ipilimumabnivolumab")."""
    x, y = name_key(label), name_key(row)
    if not (x in y or y in x) or (x != y and differ_in_a_short_word(label, row)):
        return False
    lost = 1 if len(x) >= _LOST_FIRST_LETTER_MIN else 0
    # a label equal to another row's name is weighed against that row as on main, word start or not
    if x != y and x in y and not starts_a_word(label, row, lost) and x not in {name_key(o) for o in others}:
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


def crossed_names(labels: Sequence[str | None], given: Sequence[str | None]) -> list[tuple[int, int]]:
    """Pairs ``(k, j)``, ``k != j``, where the legend label of curve ``k`` names the row put on curve ``j``.

    ``labels[k]`` is curve ``k``'s legend label, ``given[k]`` the label of the at-risk row matched to it.
    When a label names another curve's row (:func:`part_of` or :func:`similar`) and not its own, the legend
    and the table disagree on which curve is which (seed-9091 survminer_classic_006: a legend entry beside
    the table read as the name of the row on its line), and neither can be trusted.
    """
    def names(label: str, j: int) -> bool:
        rivals = [g for i, g in enumerate(given) if i != j]
        return bool(name_key(given[j])) and (part_of(label, given[j], rivals) or similar(label, given[j], rivals))

    return [(k, j) for k, label in enumerate(labels) if name_key(label) and not names(label, k)
            for j in range(len(given)) if j != k and names(label, j)]


def crossed_note(labels: Sequence[str | None], given: Sequence[str | None]) -> str:
    """The run's note on :func:`crossed_names` (starting :data:`CROSSED_NAMES_NOTE`), or "" when none cross."""
    crossed = crossed_names(labels, given)
    if not crossed:
        return ""
    said = "; ".join(f"legend: {labels[k]!r} on curve {k + 1}, table: row {given[j]!r} on curve {j + 1}"
                     for k, j in crossed)
    return f"{CROSSED_NAMES_NOTE} ({said}); the table's names kept, flagged: check overlay.png"
