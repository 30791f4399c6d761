"""Read the number-at-risk table printed under a Kaplan-Meier plot.

The table is found below the plot panel by OCR (:mod:`reconstruct.digitize.ocr`): words are grouped into
text lines, lines of at least two integers are table rows, and each number's column is turned into a
time through the x-axis calibration (snapped to the x tick label printed above, when that line is read).
Row labels are the words left of the numbers, a section header (lifelines prints the arm name above
an "At risk" row), or a coloured line or marker whose RGB colour is reported for matching with arms.
Rows labelled as events or censored counts are not at-risk rows and are left out.

The table is read as a grid on the x ticks: numbers left of its first column (the "1" of "Group 1")
belong to the label, a row fills most of its columns from the first or second on, a line with words
between its numbers (a legend) is no row, unless the word is a misread cell (digit-like letters, "GO" for
60), which is read again on its own and left unread when that reading is unsure; and a label may follow
the numbers (``rms::survplot``).
Small tables are enlarged before the OCR.

Coordinates are ``(row, col)`` pixels, origin top-left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from reconstruct.digitize.ocr import TextBox, check_gray_image, parse_number, read_text
from reconstruct.digitize.table_columns import _column_times, tick_step
from reconstruct.errors import InputError

__all__ = ["RiskRow", "RiskTable", "as_count", "read_risk_table"]

# "risk" alone is a header only on a line of its own: "Low risk" and "High risk" are arm names.
_RISK_WORDS = re.compile(r"\b(at\s*risk|number\s*at\s*risk|no\.?\s*at\s*risk|n\s*at\s*risk)\b|^\s*risk\s*:?\s*$",
                         re.IGNORECASE)
_OTHER_WORDS = re.compile(r"\b(events?|censor\w*|deaths?|cumulative|died|progress\w*)\b", re.IGNORECASE)
_OCR_SIDE_PX = 1600  # the detector's side limit (``Det.limit_side_len`` in ocr_engine.py)
# glyphs lower than this (median) are read at up to twice the size (the detector then sees 4x the pixels, ~0.1-0.4 s);
# 8-9 px glyphs read alike either way. 1.5x splits cells otherwise (jco_003, jco_006); large print shrunk drops cells.
# 3x for 4 px glyphs (alone or kept when it reads more sure numbers), Lanczos, or other detector thresholds gained
# nothing on 63 dev figures < 450 px wide (+2/-1, +1/-1, +2/-4, fewer cells): the recogniser scales every line to 48 px
# anyway, and 4-5 px digits misread alike at every size ("29" for 27 at 1.00; see the small_digits flag)
_SMALL_TEXT_PX = 8
_NAME_GAP = 1.0       # text heights between a header's last word and a number printed right after it ("Group 1")


def _frozen_array(values: Sequence[float] | NDArray[np.generic], dtype: type) -> NDArray[np.generic]:
    arr = np.array(values, dtype=dtype, copy=True).reshape(-1)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, eq=False)
class RiskRow:
    """One number-at-risk row read from a figure.

    Attributes
    ----------
    label : str or None
        Row label text (or the arm header above an "At risk" row); None when the row has no text label.
    label_color : tuple of int or None
        ``(r, g, b)`` of a coloured row label (text, line or marker), 0-255; None when the label is
        black/grey or the image was greyscale.
    label_shade : float or None
        Core grey level of the row's label (:func:`reconstruct.digitize.arm_shades.key_shade`).
    times : ndarray of shape (n_times,)
        Times of the entries, in x-axis units, ascending.
    n_risk : ndarray of shape (n_times,)
        Numbers at risk, int64.
    confidence : float
        Lowest OCR score of the row's numbers, in [0, 1], halved when ``n_risk`` increases over time
        (impossible without late entry, so most likely a misread).
    row_px : float
        Centre row of the printed row, in pixels.
    label_shade : float or None
        Core grey level of the row's label.
    cell_boxes : tuple of (int, int, int, int)
        Pixel box ``(row0, col0, row1, col1)`` of each number, in time order (empty when not known).
    """

    label: str | None
    label_color: tuple[int, int, int] | None
    times: NDArray[np.float64]
    n_risk: NDArray[np.int64]
    confidence: float
    row_px: float
    label_shade: float | None = None
    cell_boxes: tuple[tuple[int, int, int, int], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "times", _frozen_array(self.times, np.float64))
        object.__setattr__(self, "n_risk", _frozen_array(self.n_risk, np.int64))
        if self.times.shape != self.n_risk.shape:
            raise InputError(
                f"times and n_risk must have the same length, got {self.times.size} and {self.n_risk.size}"
            )


@dataclass(frozen=True, slots=True, eq=False)
class RiskTable:
    """The number-at-risk rows read under one KM plot.

    Attributes
    ----------
    rows : tuple of RiskRow
        At-risk rows from top to bottom; empty when no table was found.
    confidence : float
        Lowest row confidence (0.0 when there are no rows).
    parameters : dict
        Inputs the table was read with (panel box), for provenance; ``"reread"`` lists the cells an
        increasing row had read again and replaced (row label, time, first and second reading);
        ``"read_alone"`` the cells first read as no number ("GO") and read again alone (also the row's index);
        ``"read_in_gap"`` the cells the OCR's detector missed, read from their ink (row label, time, count,
        index), ``"read_first_in_gap"`` such cells at a row's first column, ``"blank_as_zero"`` blank cells after
        a row's last taken as 0 (row label, time, index; the run checks them against the row's curve);
        ``"read_stacked"`` the cells cut out of a box over two rows (row label, index, time, count).
    """

    rows: tuple[RiskRow, ...]
    confidence: float
    parameters: dict[str, object] = field(default_factory=dict)

    def to_records(self) -> list[dict[str, object]]:
        """Return one ``{"arm", "time", "n_risk"}`` record per entry, rows in order (arm = label or row index)."""
        records: list[dict[str, object]] = []
        for i, row in enumerate(self.rows):
            arm = row.label if row.label else str(i + 1)
            records.extend(
                {"arm": arm, "time": float(t), "n_risk": int(n)} for t, n in zip(row.times, row.n_risk, strict=True)
            )
        return records


@dataclass(frozen=True, slots=True)
class _Line:
    words: tuple[TextBox, ...]
    numbers: tuple[tuple[TextBox, int], ...]  # entries of the table (right of the label)
    label_words: tuple[TextBox, ...]
    values: tuple[tuple[TextBox, float], ...]  # every number under the panel, decimals included
    doubtful: tuple[TextBox, ...] = ()  # misread cells among the numbers ("GO"), to be read again

    @property
    def row0(self) -> int:
        return min(w.row0 for w in self.words)

    @property
    def row1(self) -> int:
        return max(w.row1 for w in self.words)

    @property
    def label_text(self) -> str:
        return " ".join(w.text for w in self.label_words).strip()

    @property
    def name_text(self) -> str:
        """The label with a number printed right after it, for a line that names the row under it ("Group 1", a
        lifelines header over its "At risk" row: the "1" alone reads as a count, the label as "Group")."""
        if not self.label_words:
            return self.label_text
        last = max(self.label_words, key=lambda w: w.col1)
        after = sorted((w for w, _ in self.numbers
                        if 0 <= w.col0 - last.col1 <= _NAME_GAP * (last.row1 - last.row0)), key=lambda w: w.col0)
        return " ".join([self.label_text] + [w.text for w in after[:1]]).strip()


def _glyph_height(gray: NDArray[np.uint8]) -> float:
    """Median height in pixels of the dark glyphs of a strip (OpenCV components; inf without any)."""
    import cv2

    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 40:
        return float("inf")
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    glyphs = heights[(heights >= 3) & (widths <= 3 * heights) & (heights <= 0.25 * gray.shape[0] + 3)]
    return float(np.median(glyphs)) if glyphs.size else float("inf")


def _read_small_text(gray: NDArray[np.uint8]) -> tuple[TextBox, ...]:
    """OCR words of a strip, enlarged first when its text is small (boxes in the strip's own pixels).

    Tables of small figures print digits a few pixels high that the detector merges across rows
    (lifelines' "At risk", "Censored" and "Events" lines); up to twice the size, within the detector's
    1600-pixel side limit, they come apart and read correctly.
    """
    import cv2

    scale = min(2.0, _OCR_SIDE_PX / max(gray.shape))
    if scale < 1.25 or _glyph_height(gray) >= _SMALL_TEXT_PX:
        return read_text(gray)
    big = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return tuple(
        TextBox(w.text, w.confidence, int(np.floor(w.row0 / scale)), int(np.floor(w.col0 / scale)),
                int(np.ceil(w.row1 / scale)), int(np.ceil(w.col1 / scale)))
        for w in read_text(big)
    )


def _group_lines(words: Sequence[TextBox]) -> list[list[TextBox]]:
    """Group word boxes into text lines by their centre rows (gap > half the median word height).

    A box over 1.5 times the median height (a title printed over the rows, or a cell joined to the one under it
    by the detector in rows printed close together, rms::survplot's) neither starts a line nor moves its centre:
    it joins the one line whose centre it covers, and is left out when it covers two (its reading mixes two rows'
    cells: rms_009 of the seed-7071 set read "13" over "47" as "143", and its centre, between the rows, joined
    both rows into one).
    """
    if not words:
        return []
    height = float(np.median([w.height_px for w in words]))
    tol = 0.5 * height
    tall = [w for w in words if w.height_px > 1.5 * height]
    ordered = sorted((w for w in words if w.height_px <= 1.5 * height), key=lambda w: w.center_px[0])
    lines: list[list[TextBox]] = [[ordered[0]]] if ordered else []
    for w in ordered[1:]:
        current = float(np.mean([x.center_px[0] for x in lines[-1]]))
        if abs(w.center_px[0] - current) <= tol:
            lines[-1].append(w)
        else:
            lines.append([w])
    centres = [float(np.mean([x.center_px[0] for x in line])) for line in lines]
    for w in tall:
        covered = [k for k, c in enumerate(centres) if w.row0 <= c < w.row1]
        if len(covered) == 1:
            lines[covered[0]].append(w)
        elif not covered:
            lines.append([w])
    return [sorted(line, key=lambda w: w.col0) for line in sorted(lines, key=lambda ln: min(w.row0 for w in ln))]


def as_count(text: str) -> int | None:
    """A number at risk printed as ``text``: a whole number >= 0 without a decimal point, a leading 0 ("01", a JCO
    "(0)" misread) or a percent sign ("15%", a digit misread: survminer_classic_002's "155"), else None."""
    value = parse_number(text)
    if value is None or value < 0 or value != int(value) or "." in text or "%" in text or re.match(r"\s*0\d", text):
        return None
    return int(value)


def _split_line(words: list[TextBox], first_col: float, last_col: float) -> _Line:
    """Split a line into label words and table entries (integers between the two columns).

    The label is the text left of the entries, or right of them when there is none on the left
    (``rms::survplot`` prints the arm name after its numbers). A line with words between its numbers
    ("group = Group 1   group = Group 2", a legend under the table) has no entries.
    """
    from reconstruct.digitize.risk_tokens import attach_event_counts, doubtful_cell, larger_print, off_line

    words = attach_event_counts(words)
    inside = [w for w in words if first_col <= w.center_px[1] <= last_col]
    values = tuple((w, v) for w in inside if (v := parse_number(w.text)) is not None)
    entries = tuple((w, v) for w in inside if (v := as_count(w.text)) is not None)
    start = min((w.col0 for w, _ in entries), default=np.inf)
    stop = max((w.col1 for w, _ in entries), default=-np.inf)
    # Markers and line keys are sometimes read as symbols ("█", "—"): a label word needs a letter or digit.
    # decimals ("0.0", a y tick label beside a row printed inside the panel) never name a row
    words_read = [w for w in words if all(w is not e for e, _ in entries) and any(ch.isalnum() for ch in w.text)]
    texts = [w for w in words_read if parse_number(w.text) is None or as_count(w.text) is not None]
    # "15%" (a number but no count) may be a misread cell, never a label
    doubtful = tuple(w for w in words_read if (w in texts or "%" in w.text)
                     and doubtful_cell(w, [e for e, _ in entries], first_col, last_col, start, stop))
    texts = [w for w in texts if all(w is not d for d in doubtful)]
    between = [w for w in texts if start < w.center_px[1] < stop and sum(ch.isalpha() for ch in w.text) >= 2]
    foreign = [w for w in between if off_line(w, [e for e, _ in entries])]
    if foreign:  # an axis title printed over the row ("Months" over rms::survplot's first row): not in it
        words = [w for w in words if all(w is not f for f in foreign)]
        texts = [w for w in texts if all(w is not f for f in foreign)]
        between = [w for w in between if all(w is not f for f in foreign)]
    if between:
        entries = ()
    label = tuple(w for w in texts if w.col1 <= start + 1)
    if not label and entries:
        after = [w for w in texts if w.col0 >= stop - 1]
        # rms prints a row's name after its numbers in their print; a name in larger print there is a curve's,
        # printed along it over the row (7071 rms_008: "Intensified" joined the row name "Standard")
        small = [w for w in after if not larger_print(w, [e for e, _ in entries])]
        label = _last_phrase(small or after)
    return _Line(words=tuple(words), numbers=entries, label_words=label, values=values,
                 doubtful=doubtful if entries else ())


def _last_phrase(words: list[TextBox]) -> tuple[TextBox, ...]:
    """The rightmost run of words spaced less than two glyph heights apart (a row name printed after its
    numbers, without a curve label that rms prints beside the curve's end on the same line)."""
    words = sorted(words, key=lambda w: w.col0)
    for k in range(len(words) - 1, 0, -1):
        if words[k].col0 - words[k - 1].col1 > 2 * max(words[k].height_px, words[k - 1].height_px):
            return tuple(words[k:])
    return tuple(words)


def _is_tick_label_line(line: _Line, x_calibration: Callable[[float], float], span: float) -> bool:
    """True when each number equals the calibrated time under it: the x-axis tick labels."""
    if len(line.values) < 2:
        return False
    errors = [abs(v - float(x_calibration(w.center_px[1]))) for w, v in line.values]
    return float(np.median(errors)) <= 0.05 * span


def _label_digits(line: _Line, times: dict[int, float], grid_start: float | None) -> _Line:
    """Give the row label the numbers read left of the table's first column ("Group 1", "Arm 2").

    A leading number is part of the label when its time falls before the first column of the grid, or
    when it shares a column with the number right of it (the label's digit set just left of the cell).
    """
    order = sorted(line.numbers, key=lambda e: e[0].col0)
    moved: list[TextBox] = []
    while len(order) >= 2:
        (w0, _), (w1, _) = order[0], order[1]
        before = grid_start is not None and times[id(w0)] < grid_start - 1e-9
        shared = abs(times[id(w0)] - times[id(w1)]) < 1e-9 and w0.col1 <= w1.col0
        if not (before or shared):
            break
        moved.append(w0)
        order.pop(0)
    if not moved:
        return line
    label = tuple(sorted((*line.label_words, *moved), key=lambda w: w.col0))
    return _Line(words=line.words, numbers=tuple(order), label_words=label, values=line.values)


def _increasing(values: list[int]) -> bool:
    """True for three or more values that never fall and do rise, or that start at 0 and rise later.

    No row of numbers at risk does either: its first count is the largest, and an arm with no one at
    risk has no one later. The x tick labels ("0 6 12 ...") misread into other numbers start at 0.
    """
    diffs = np.diff(values)
    if len(values) >= 3 and values[0] == 0 and max(values) > 0:
        return True
    return len(values) >= 3 and bool(np.all(diffs >= 0)) and bool(np.any(diffs > 0))


def _classify(lines: list[_Line]) -> list[tuple[_Line, str | None, _Line | None]]:
    """Keep at-risk rows and give each its label, following section headers top to bottom.

    The third item is the text line just above a row that names it (NEJM prints each arm's name on
    its own line above its numbers), for the label colour.
    """
    section = "risk"
    header: str | None = None
    above: _Line | None = None
    kept: list[tuple[_Line, str | None, _Line | None]] = []
    for line in lines:
        text = line.label_text
        if len(line.numbers) < 2:  # a header line
            above = None
            if _RISK_WORDS.search(text):
                section = "risk"
                rest = _RISK_WORDS.sub("", text).strip(" :")
                header = rest or header
            elif _OTHER_WORDS.search(text):
                section = "other"
            elif text:
                header = line.name_text
                above = line
            continue
        name_above, above = above, None
        last = max(w.col1 for w, _ in line.numbers)
        if name_above is not None and min(w.col0 for w in name_above.label_words) > last:
            name_above = None  # a line wholly right of the row's numbers (a legend entry beside the table) names no row
        if _OTHER_WORDS.search(text) or (section == "other" and not _RISK_WORDS.search(text)):
            continue
        if _increasing([v for _, v in sorted(line.numbers, key=lambda e: e[0].col0)]):
            continue  # axis labels of another panel, or cumulative counts: never numbers at risk
        if _RISK_WORDS.search(text):
            own = _RISK_WORDS.sub("", text).strip(" :")
            kept.append((line, own or header, None))
        elif text:
            kept.append((line, text, None))
        else:
            kept.append((line, name_above.name_text if name_above else None, name_above))
    return kept


def read_risk_table(
    image: NDArray[np.uint8],
    *,
    panel_bbox: tuple[int, int, int, int],
    x_calibration: Callable[[float], float],
    tick_values: Sequence[float] | None = None,
) -> RiskTable:
    """Read the number-at-risk rows printed under a KM plot panel.

    Parameters
    ----------
    image : ndarray of shape (rows, cols) or (rows, cols, 3), uint8
        The whole figure, greyscale or RGB. With RGB, coloured row labels are reported.
    panel_bbox : tuple of int
        Plot panel ``(row0, col0, row1, col1)`` in pixels (exclusive ends); the table is searched
        below ``row1``.
    x_calibration : callable
        Maps a pixel column (float) to a time in x-axis units, e.g. ``AxisCalibration`` of the x axis.
    tick_values : sequence of float, optional
        Values of the labelled x ticks; table columns are then snapped to the tick spacing (tables are
        printed on the tick grid), which also keeps columns right when the tick label line is not read.

    Returns
    -------
    RiskTable
        At-risk rows, top to bottom; ``rows`` is empty when no table is printed.

    Raises
    ------
    InputError
        If the image is not 2-D/3-channel uint8 or ``panel_bbox`` does not lie inside it.
    """
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 3:
        import cv2

        rgb: NDArray[np.uint8] | None = np.ascontiguousarray(arr)
        gray = check_gray_image(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), name="image")
    else:
        rgb = None
        gray = check_gray_image(arr, name="image")
    if len(panel_bbox) != 4:
        raise InputError(f"panel_bbox must be (row0, col0, row1, col1), got {panel_bbox!r}")
    row0, col0, row1, col1 = (int(v) for v in panel_bbox)
    if not (0 <= row0 < row1 <= gray.shape[0] and 0 <= col0 < col1 <= gray.shape[1]):
        raise InputError(f"panel_bbox must lie inside the image of shape {gray.shape}, got {panel_bbox!r}")
    params: dict[str, object] = {"panel_bbox": [row0, col0, row1, col1]}
    below = gray[row1:, :]
    if below.shape[0] < 8:
        return RiskTable(rows=(), confidence=0.0, parameters=params)
    from reconstruct.digitize import risk_cells, risk_gaps
    from reconstruct.digitize.arm_shades import glyph_colour, key_colour, key_shade
    from reconstruct.digitize.risk_tokens import split_fused_words

    below, rules = risk_cells.erase_vertical_rules(below, _glyph_height(below))  # the y axis through SAS's cells
    gray = np.concatenate([gray[:row1], below])
    split, stacked = risk_cells.stacked_cells(  # cells cut out of a box over two rows: their rows are in doubt
        below, split_fused_words(risk_cells.join_across_rules(_read_small_text(below), rules)), row1)
    words = [TextBox(w.text, w.confidence, w.row0 + row1, w.col0, w.row1 + row1, w.col1) for w in split]
    span = abs(float(x_calibration(col1)) - float(x_calibration(col0)))
    slack = 0.08 * (col1 - col0)  # numbers are centred on ticks, so may overhang the panel a little
    lines = [_split_line(ws, col0 - slack, col1 + slack) for ws in _group_lines(words)]
    lines, alone = risk_cells.reread_doubtful(gray, lines, col0 - slack, col1 + slack)
    # the line with the most labels that fall on their ticks ("0.0" of the y axis read as "0 . 0" also fits)
    tick_lines = [i for i, ln in enumerate(lines) if _is_tick_label_line(ln, x_calibration, span)]
    tick_idx = max(tick_lines, key=lambda i: (len({v for _, v in lines[i].values}), -i)) if tick_lines else None
    tick_line = lines[tick_idx] if tick_idx is not None else None
    # Rows printed inside the panel under S = 0 (SAS) come before the tick labels, the usual ones after. Every
    # line of labels on their ticks is left out: a boxed table under the plot has its own x axis (survminer_bw_013),
    # and a row of counts, which never rise, cannot follow rising times
    table_lines = [ln for i, ln in enumerate(lines) if i not in tick_lines]
    times = _column_times([ln for ln in table_lines if len(ln.numbers) >= 2], tick_line, x_calibration, tick_values)
    grid_start = min(float(np.min(tick_values)), 0.0) if tick_values is not None and len(tick_values) >= 2 else None
    table_lines = [_label_digits(ln, times, grid_start) if len(ln.numbers) >= 2 else ln for ln in table_lines]
    kept = _classify(table_lines)
    if not kept:
        return RiskTable(rows=(), confidence=0.0, parameters=params)
    rows = []
    step = tick_step(tick_values) if grid_start is not None else 0.0
    table_cells = [(w, times[id(w)]) for ln, _, _ in kept for w, _ in ln.numbers]
    for line, label, name_line in kept:
        ordered = sorted(line.numbers, key=lambda e: times[id(e[0])])
        t = np.array([times[id(w)] for w, _ in ordered])
        if step > 0 and (t.size < 0.5 * ((t[-1] - t[0]) / step + 1) or t[0] > grid_start + 1.5 * step
                         or (t.size < 3 <= len(tick_values) - 1)):
            # tick marks read as digits ("1"), or stray text: a row of a table of four or more columns has
            # three or more numbers, fills most of its columns and starts at the first or second
            continue
        # a lone "1" or "0" the detector missed, read from its ink
        ordered = risk_gaps.with_unread_cells(gray, ordered, times, table_cells, params, label,
                                              last_px=col1 + 0.5 * slack, index=len(rows))
        t = np.array([times[id(w)] for w, _ in ordered])
        n = np.array([v for _, v in ordered])
        confidence = min(w.confidence for w, _ in ordered)
        mended = risk_cells.reread_increasing(gray, ordered)  # None unless the row rises and a second reading mends it
        if mended is not None:  # misread cells read again, closer: the row no longer increases
            # a mend by unsure second readings (agreeing with the first's digits) is noted apart and flags its arm
            key = "reread" if mended[1] >= risk_cells.SURE_SCORE else "reread_unsure"
            params.setdefault(key, []).extend(  # type: ignore[union-attr]
                {"row": label, "index": len(rows), "time": float(t[j]), "first": int(n[j]), "second": int(v)}
                for j, v in enumerate(mended[0]) if v != n[j])
            n, confidence = np.array(mended[0]), min(confidence, mended[1])
        params.setdefault("read_alone", []).extend(  # type: ignore[union-attr]
            {"row": label, "index": len(rows), "time": float(t[j]), "first": alone[id(w)], "second": int(v)}
            for j, (w, v) in enumerate(ordered) if id(w) in alone)
        risk_cells.note_stacked(params, ordered, times, stacked, label, len(rows))
        if np.any(np.diff(n) > 0):
            confidence *= 0.5
        params.setdefault("small_digits", []).extend(risk_cells.small_digits(gray, ordered, label, len(rows)))  # type: ignore[union-attr]
        first = min(w.col0 for w, _ in ordered)
        colour, shade = key_colour(rgb, line.row0, line.row1, first), key_shade(gray, line.row0, line.row1, first)
        if name_line is not None and (colour is None or shade is None):
            end = max(w.col1 for w in name_line.words) + 2
            colour = colour or key_colour(rgb, name_line.row0, name_line.row1, end)
            shade = key_shade(gray, name_line.row0, name_line.row1, end) if shade is None else shade
        if colour is None and label is None:  # no label or key: the digits may be printed in the arm's colour
            colour = glyph_colour(rgb, [(w.row0, w.col0, w.row1, w.col1) for w, _ in ordered])
        rows.append(
            RiskRow(
                label=label,
                label_color=colour,
                times=t,
                n_risk=n,
                confidence=float(confidence),
                row_px=(line.row0 + line.row1) / 2.0,
                label_shade=shade,
                cell_boxes=tuple((w.row0, w.col0, w.row1, w.col1) for w, _ in ordered),
            )
        )
    return RiskTable(rows=tuple(rows), confidence=min((r.confidence for r in rows), default=0.0), parameters=params)
