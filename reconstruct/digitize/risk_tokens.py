"""Split OCR words that fuse several at-risk table entries, or a row label with its first number.

OCR engines read a bold label set against the first number as one word ("Arm A199"), a cell with its
events in parentheses as one word ("25 (0)", JCO style), and sometimes a whole row as one line of text.
Each word is cut into a label part and one box per number; a number keeps the parenthesised count after
it inside its box (the cell is centred as a whole) but only the number at risk as its text. Box columns
are apportioned by character offset, which is close enough to find the column of a cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reconstruct.digitize.ocr import TextBox

__all__ = ["split_fused_words", "attach_event_counts", "looks_like_cell"]

# letters a recogniser reads for digits in small print ("GO" for 60, "s0" for 50, "B1" for 81)
_LOOKALIKES = frozenset("OoDQGSsBbZzgqIli|")


def looks_like_cell(text: str) -> bool:
    """True for a short word of digits and digit-like letters that is not a number as read ("GO", "s0").

    Such a word printed among a row's numbers is a misread cell: it is read again on its own, not taken
    for a label or a legend word.

    Examples
    --------
    >>> looks_like_cell("GO"), looks_like_cell("s0"), looks_like_cell("60"), looks_like_cell("Group")
    (True, True, False, False)
    """
    from reconstruct.digitize.ocr import parse_number

    core = text.strip()
    return (0 < len(core) <= 4 and any(ch in _LOOKALIKES for ch in core)
            and all(ch.isdigit() or ch in _LOOKALIKES for ch in core) and parse_number(core) is None)

# a bracketed count whose "(" was lost or misread ("10)", "1159)" for "(159)") | a count with an optional
# "(events)" after it | a bracketed count on its own, its ")" perhaps lost ("(01") | a run of other text
_PIECE = re.compile(r"(?P<close>\d[\d,]*\s*\))|(?P<num>\d[\d,]*(?:\.\d+)?)(?P<paren>\s*\(\s*[\dOo,]*\s*\))?"
                    r"|(?P<lone>\(\s*[\dOo,]*\s*\)?)|(?P<text>[^\s\d()]+)")
# a whole word that is one events count with a parenthesis lost or misread as "1" ("1159)" for "(159)"); a
# word of other digits before ")" is a count fused with its events ("2139)" for "2 (39)")
_EVENTS_ONLY = re.compile(r"1[\d,]{0,3}\s*\)|\(\s*[\dOo,]*\d[\dOo,]*")


def _pieces(text: str) -> list[tuple[int, int, str, str]]:
    """(start, stop, kind, text) of the label words and numbers of ``text``."""
    out: list[tuple[int, int, str, str]] = []
    for m in _PIECE.finditer(text):
        if m.group("num") is not None:
            out.append((m.start(), m.end(), "num", m.group("num")))
        elif m.group("text") is not None:
            out.append((m.start(), m.end(), "text", m.group("text")))
        # a lone "(n)", or a count with one parenthesis, is an event count printed apart from its number: dropped
    return out


def split_fused_words(words: Sequence[TextBox]) -> list[TextBox]:
    """Cut words holding several numbers, or a label fused with a number, into one box per part.

    Parameters
    ----------
    words : sequence of TextBox

    Returns
    -------
    list of TextBox
        Words that hold one number or only text come back unchanged; in the others consecutive label
        words stay one box (``"Arm A"``) and every number gets its own box.

    Examples
    --------
    >>> w = TextBox("Arm A199", 0.9, 10, 0, 20, 80)
    >>> [(b.text, b.col0, b.col1) for b in split_fused_words([w])]
    [('Arm A', 0, 50), ('199', 50, 80)]
    >>> [b.text for b in split_fused_words([TextBox("25 (0) 18 (4)", 0.9, 0, 0, 10, 130)])]
    ['25', '18']
    >>> [b.text for b in split_fused_words([TextBox("10)", 0.9, 0, 0, 10, 20), TextBox("(107)33", 0.9, 0, 30, 10, 70)])]
    ['(10)', '33']
    """
    out: list[TextBox] = []
    for w in words:
        text = w.text
        # "10)" or "(01": the events of the cell before, as "(n)"; not "(103190" ("(103) 190" fused) nor "2139)",
        # which must not widen the cell before over the next column
        if _EVENTS_ONLY.fullmatch(text.strip()) and len(re.sub(r"\D", "", text)) <= 4:
            digits = re.sub(r"[^\dOo,]", "", text)
            out.append(TextBox(f"({digits})", w.confidence, w.row0, w.col0, w.row1, w.col1))
            continue
        if looks_like_cell(text):  # one misread cell ("s0"), not a label "s" fused with a number
            out.append(w)
            continue
        pieces = _pieces(text)
        n_num = sum(1 for p in pieces if p[2] == "num")
        fused = n_num >= 2 or (n_num == 1 and any(p[2] == "text" for p in pieces)) or "(" in text
        if not pieces or not fused or n_num == 0:
            out.append(w)
            continue
        # a number glued to letters inside one token ("A1b2") is a name, not a table entry
        if n_num == 1 and re.search(r"\d[^\W\d_]", text):
            out.append(w)
            continue
        width = (w.col1 - w.col0) / max(len(text), 1)
        merged: list[tuple[int, int, str, str]] = []
        for p in pieces:  # label words next to each other form one label
            if merged and p[2] == "text" and merged[-1][2] == "text":
                merged[-1] = (merged[-1][0], p[1], "text", text[merged[-1][0] : p[1]])
            else:
                merged.append(p)
        for start, stop, _kind, part in merged:
            col0 = w.col0 + int(round(start * width))
            col1 = max(col0 + 1, w.col0 + int(round(stop * width)))
            out.append(TextBox(part, w.confidence, w.row0, col0, w.row1, col1))
    return out


_LONE_PAREN = re.compile(r"\(\s*[\dOo,]*\s*\)")


def attach_event_counts(line: Sequence[TextBox]) -> list[TextBox]:
    """Widen a number's box over a "(n)" read as a word of its own right after it (JCO cells).

    A JCO cell "113 (19)" is centred as a whole on its column; when the OCR returns the count and the
    parenthesis as two words, the number alone sits left of the column. The widened box keeps the
    number's text, so the cell is placed as printed.

    Parameters
    ----------
    line : sequence of TextBox
        The words of one text line, left to right.

    Returns
    -------
    list of TextBox
        The words, each lone "(n)" that follows a number within a character's width merged into it.

    Examples
    --------
    >>> words = [TextBox("113", 0.9, 0, 100, 10, 130), TextBox("(19)", 0.9, 0, 133, 10, 170)]
    >>> [(w.text, w.col0, w.col1) for w in attach_event_counts(words)]
    [('113', 100, 170)]
    """
    out: list[TextBox] = []
    for w in line:
        prev = out[-1] if out else None
        if (prev is not None and _LONE_PAREN.fullmatch(w.text.strip()) and re.fullmatch(r"\d[\d,]*", prev.text)
                and 0 <= w.col0 - prev.col1 <= max(prev.row1 - prev.row0, 1)):
            out[-1] = TextBox(prev.text, prev.confidence, min(prev.row0, w.row0), prev.col0, max(prev.row1, w.row1),
                              w.col1)
            continue
        out.append(w)
    return out
