"""Split OCR words that fuse several at-risk table entries, or a row label with its first number.

OCR engines read a bold label set against the first number as one word ("Arm A199"), a cell with its
events in parentheses as one word ("25 (0)", JCO style), and sometimes a whole row as one line of text.
Each word is cut into a label part and one box per number; a number keeps the parenthesised count after
it inside its box (the cell is centred as a whole) but only the number at risk as its text. Box columns
are apportioned by character offset, which is close enough to find the column of a cell.

Also how a word stands to a row's numbers on its line: a misread cell among them, a word off their line or
in larger print (:func:`doubtful_cell`, :func:`off_line`, :func:`larger_print`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from reconstruct.digitize.ocr import TextBox

__all__ = ["split_fused_words", "attach_event_counts", "looks_like_cell", "doubtful_cell", "off_line", "larger_print"]

# the digit each letter a recogniser reads for a digit in small print stands for ("GO" for 60, "s0" for 50,
# "B1" for 81, "13S" for 135)
LETTER_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "G": "6", "b": "6", "S": "5", "s": "5",
                               "B": "8", "Z": "2", "z": "2", "g": "9", "q": "9", "I": "1", "l": "1", "i": "1",
                               "|": "1"})
_LOOKALIKES = frozenset(map(chr, LETTER_DIGITS))


def looks_like_cell(text: str) -> bool:
    """True for a short word of digits and digit-like letters that is not a number as read ("GO", "s0").

    Such a word printed among a row's numbers is a misread cell: it is read again on its own, not taken
    for a label or a legend word.

    Examples
    --------
    >>> looks_like_cell("GO"), looks_like_cell("s0"), looks_like_cell("60"), looks_like_cell("Group")
    (True, True, False, False)
    >>> looks_like_cell("15%")
    True
    """
    from reconstruct.digitize.ocr import parse_number

    core = text.strip()
    if re.fullmatch(r"\d{1,3}%", core):  # a count has no percent sign: a digit misread as one ("15%" for 155)
        return True
    return (0 < len(core) <= 4 and any(ch in _LOOKALIKES for ch in core)
            and all(ch.isdigit() or ch in _LOOKALIKES for ch in core) and parse_number(core) is None)

# a bracketed count whose "(" was lost or misread ("10)", "1159)" for "(159)") | a count with an optional
# "(events)" after it | a bracketed count on its own, its ")" perhaps lost ("(01") | a run of other text
# (the events after a count may read with a letter for a digit: "6(1m)", "0(1a)" of JCO's 4-5 px print)
_PIECE = re.compile(r"(?P<close>\d[\d,]*\s*\))|(?P<num>\d[\d,]*(?:\.\d+)?)"
                    r"(?P<paren>\s*\(\s*(?:[\dOo,]*|(?=[^()\s]*\d)[^\W_]{1,4})\s*\))?"
                    r"|(?P<lone>\(\s*[\dOo,]*\s*\)?)|(?P<text>[^\s\d()]+)")
# a whole word that is one events count with a parenthesis lost or misread as "1" ("1159)" for "(159)"); a
# word of other digits before ")" is a count fused with its events ("2139)" for "2 (39)")
_EVENTS_ONLY = re.compile(r"1[\d,]{0,3}\s*\)|\(\s*[\dOo,]*\d[\dOo,]*")


# a cell "N (E)" whose "(" was read as "1" ("26125)" for "26 (25)"); one whose events before it lost their ")"
# ("(103190" for "(103) 190")
_OPEN_READ_AS_ONE = re.compile(r"(?P<digits>\d+1\d+)\)")
_CLOSE_LOST = re.compile(r"\((?P<digits>\d{3,})")


def _fused_cell_candidates(text: str) -> list[tuple[int, int, int]]:
    """``(count, start, stop)`` of each reading of a fused JCO cell as one count at characters start:stop.

    "26125)": the "(" of "26 (25)" read as "1", so each "1" after the first digit may be it ("24117)" is
    "24 (17)" or "241 (7)"); "(103190": the ")" of "(103)" lost before the next cell's count, which may
    start at any digit after the first. A count has no leading zero.
    """
    text = text.strip()
    out: list[tuple[int, int, int]] = []
    if m := _OPEN_READ_AS_ONE.fullmatch(text):
        digits = m.group("digits")
        out = [(int(digits[:i]), 0, i) for i in range(1, len(digits) - 1)
               if digits[i] == "1" and (i == 1 or digits[0] != "0")]
    elif m := _CLOSE_LOST.fullmatch(text):
        digits = m.group("digits")
        out = [(int(digits[i:]), 1 + i, len(text)) for i in range(1, len(digits))
               if digits[i] != "0" or i == len(digits) - 1]
    return out


def _counts_in(text: str) -> list[int]:
    """The counts a word holds as split (``"40(11)"`` -> [40], ``"(0)261"`` -> [261]); [] for other words."""
    return [int(part) for _, _, kind, part in _pieces(text) if kind == "num" and re.fullmatch(r"\d+", part)]


def _events_in(text: str) -> list[int]:
    """The events counts printed in parentheses in a word (``"40(11)"`` -> [11])."""
    return [int(e) for e in re.findall(r"\((\d+)\)", text)]


def _events_of(text: str, start: int, stop: int) -> int:
    """The events count of a fused cell read with its count at characters start:stop: the digits after the
    count's "(" ("26125)" -> 25), or inside the "(" before the count ("(103190" -> 103)."""
    text = text.strip()
    digits = re.sub(r"\D", "", text[stop + 1 :] if start == 0 else text[: start])
    return int(digits) if digits else -1


def _resolve_fused_cell(word: TextBox, words: Sequence[TextBox]) -> TextBox | None:
    """A fused JCO cell (:func:`_fused_cell_candidates`) read as the one count that fits its row, or None.

    The row's numbers at risk never increase: the count must lie between the nearest counts read left and
    right of it on its line (at least one of them read), and exactly one reading may do so; when several
    do, the events (which never decrease) must lie between those read left and right of it. A word set
    against a bare count on its left (within a box height) is that count's events ("1159)" for "(159)"),
    not a cell. The box keeps the whole cell "N (E)", as printed and centred; for "(E)N" it is shifted right
    by the width of "(E)", the events the count's own cell prints after it.
    """
    candidates = _fused_cell_candidates(word.text)
    if not candidates:
        return None
    height = max(word.row1 - word.row0, 1)
    line = [w for w in words if w is not word and min(w.row1, word.row1) - max(w.row0, word.row0) >= 0.5 * height
            and not _fused_cell_candidates(w.text)]
    left = [w for w in line if w.col1 <= word.col0 + 1 and _counts_in(w.text)]
    right = [w for w in line if w.col0 >= word.col1 - 1 and _counts_in(w.text)]
    before = max(left, key=lambda w: w.col1) if left else None
    after = min(right, key=lambda w: w.col0) if right else None
    if before is None and after is None:
        return None
    if (before is not None and "(" not in before.text and word.col0 - before.col1 <= height
            and _OPEN_READ_AS_ONE.fullmatch(word.text.strip())):
        return None  # set against a bare count before it: that count's events, "(" read as "1"
    high = _counts_in(before.text)[-1] if before is not None else np.inf
    low = _counts_in(after.text)[0] if after is not None else 0
    fits = [(n, start, stop) for n, start, stop in candidates if low <= n <= high]
    if len({n for n, _, _ in fits}) > 1:  # the events, which never decrease along the row, may tell them apart
        earlier = [e for w in line if w.col1 <= word.col0 + 1 for e in _events_in(w.text)]
        later = [e for w in line if w.col0 >= word.col1 - 1 for e in _events_in(w.text)]
        fits = [(n, start, stop) for n, start, stop in fits
                if max(earlier, default=0) <= _events_of(word.text, start, stop) <= min(later, default=np.inf)]
    if len({n for n, _, _ in fits}) != 1:
        return None
    n, start, _stop = fits[0]
    shift = 0 if start == 0 else int(round(start * (word.col1 - word.col0) / max(len(word.text.strip()), 1)))
    return TextBox(str(n), word.confidence, word.row0, word.col0 + shift, word.row1, word.col1 + shift)


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
        if (cell := _resolve_fused_cell(w, words)) is not None:  # "26125)" for "26 (25)", between 33 and 15
            out.append(cell)
            continue
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
        if n_num == 1 and re.search(r"\d[^\W\d_]", _strip_events(text)):
            out.append(w)
            continue
        width = (w.col1 - w.col0) / max(len(text), 1)
        merged: list[tuple[int, int, str, str]] = []
        for p in pieces:  # label words next to each other form one label
            if merged and p[2] == "text" and merged[-1][2] == "text":
                merged[-1] = (merged[-1][0], p[1], "text", text[merged[-1][0] : p[1]])
            else:
                merged.append(p)
        done = 0
        for start, stop, kind, part in merged:
            col0 = w.col0 + int(round(start * width))
            col1 = max(col0 + 1, w.col0 + int(round(stop * width)))
            if kind == "num" and stop == len(text) and "(" in text[done:start]:
                # "(0)261": the events before belong to the cell before; this count's own "(n)" follows it,
                # about as wide, and the cell "261 (n)" is centred as a whole
                col1 += int(round((start - done) * width))
            out.append(TextBox(part, w.confidence, w.row0, col0, w.row1, col1))
            done = stop
    return out


def _strip_events(text: str) -> str:
    """``text`` without the events brackets right after its counts.

    A bracket with a letter ("6(1m)", a digit misread) counts as events only in a word with no letters
    outside its brackets (a cell); in a word with letters ("Dose 1(5m)") it is part of a name.
    """
    named = re.search(r"[^\W\d_]", _ANY_BRACKET.sub(" ", text)) is not None
    return (_EVENTS_DIGITS_AFTER_COUNT if named else _EVENTS_AFTER_COUNT).sub(" ", text)


_ANY_BRACKET = re.compile(r"\([^()]*\)?")
_EVENTS_DIGITS_AFTER_COUNT = re.compile(r"(?<=\d)\s*\([\dOo,]{1,4}\)")
_LONE_PAREN = re.compile(r"\(\s*[\dOo,]*\s*\)")
# events right after a count, at most one letter read for a digit ("6(1m)"); "Dose 1(5mg)" stays a name
_EVENTS_AFTER_COUNT = re.compile(r"(?<=\d)\s*\((?=[^()]{1,4}\))[\dOo,]*(?:[^\W\d_][\dOo,]*)?\)")


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


def doubtful_cell(word: TextBox, numbers: Sequence[TextBox], first_col: float, last_col: float, start: float,
                  stop: float) -> bool:
    """True for a word of digit-like letters set on the line of a row's numbers within the table's columns:
    between two of them ("GO" for 60), or holding a digit one column before the first ("s0" for 50), is a
    misread cell."""
    centre = word.center_px[1]
    if len(numbers) < 2 or not looks_like_cell(word.text) or not first_col <= centre <= last_col \
            or off_line(word, numbers):
        return False
    if start < centre < stop:
        return True
    # before the numbers: a cell one column step before the first (a label is set against it, or further off)
    cells = np.sort([w.center_px[1] for w in numbers])
    step = float(np.median(np.diff(cells)))
    return any(ch.isdigit() for ch in word.text) and centre < start and abs(cells[0] - centre - step) <= 0.25 * step


def _height_ratio(word: TextBox, numbers: Sequence[TextBox]) -> float | None:
    """``word``'s box height over the median of ``numbers``' (None for fewer than two numbers)."""
    if len(numbers) < 2:
        return None
    return word.height_px / max(float(np.median([w.height_px for w in numbers])), 1.0)


def off_line(word: TextBox, numbers: Sequence[TextBox]) -> bool:
    """True when ``word`` is not printed on the line of ``numbers``: set in a larger or smaller font (a box
    over a quarter taller or shorter than theirs) or off their centre row by a fifth of their height."""
    ratio = _height_ratio(word, numbers)
    if ratio is None:
        return False
    height = float(np.median([w.height_px for w in numbers]))
    centre = float(np.median([w.center_px[0] for w in numbers]))
    return (not 0.8 <= ratio <= 1.25) or abs(word.center_px[0] - centre) > 0.2 * height


def larger_print(word: TextBox, numbers: Sequence[TextBox]) -> bool:
    """True when ``word`` is set in a larger font than ``numbers`` (a box over a quarter taller than theirs)."""
    ratio = _height_ratio(word, numbers)
    return ratio is not None and ratio > 1.25
