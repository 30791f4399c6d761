"""Tests for reconstruct.digitize.rule_lines: at-risk numbers an axis line runs through (SAS's time-0 column).

The tables are drawn here with matplotlib, so every printed number is known; a vertical rule is drawn
through the time-0 column as SAS's y axis runs through it when the rows are printed inside the panel.
"""

from __future__ import annotations

import cv2
import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from reconstruct.digitize import rule_lines  # noqa: E402
from reconstruct.digitize.ocr import TextBox  # noqa: E402
from reconstruct.digitize.risk_table import read_risk_table  # noqa: E402

TICKS = [0, 6, 12, 18, 24, 30]
ROWS = ([29, 18, 8, 6, 2, 1], [352, 208, 99, 40, 9, 2])


def _crossed_table():
    """A two-row table under a panel, a dark rule down the time-0 column through both rows' first cells."""
    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.2, 0.45, 0.75, 0.5])
    ax.set_xlim(0, 30)
    ax.set_xticks(TICKS)
    trans = blended_transform_factory(ax.transData, fig.transFigure)
    for y, row in zip((0.3, 0.22), ROWS, strict=True):
        for t, v in zip(TICKS, row, strict=True):
            fig.text(t, y, str(v), ha="center", va="center", transform=trans, fontsize=9)
    fig.add_artist(Line2D([0, 0], [0.12, 0.45], transform=trans, color="0.2", lw=1.2))
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    ext = ax.get_window_extent()
    h = rgb.shape[0]
    bbox = (int(h - ext.y1), int(ext.x0), int(h - ext.y0), int(ext.x1))
    inverse = ax.transData.inverted()
    return rgb, bbox, lambda c: float(inverse.transform((c, 0))[0])


def test_a_number_the_axis_line_runs_through_is_read_whole(monkeypatch):
    rgb, bbox, to_time = _crossed_table()
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=to_time, tick_values=TICKS)
    assert [list(r.n_risk) for r in table.rows] == [list(r) for r in ROWS]
    np.testing.assert_allclose(table.rows[1].times, TICKS, atol=1e-9)
    # without the second reading the rule splits "352" and only its "2" is read
    monkeypatch.setattr(rule_lines, "rule_crossed_words", lambda gray, words, glyph_px, is_count: list(words))
    before = read_risk_table(rgb, panel_bbox=bbox, x_calibration=to_time, tick_values=TICKS)
    assert list(before.rows[1].n_risk) == [2, *ROWS[1][1:]]


def test_vertical_rules_keep_long_lines_not_digits():
    gray = np.full((60, 80), 230, np.uint8)
    cv2.line(gray, (20, 2), (20, 57), 40, 2)  # a rule 56 px long
    cv2.putText(gray, "1", (50, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 40, 1)  # a digit ~10 px high
    mask = rule_lines.vertical_rules(gray, glyph_px=10.0)
    cols = np.flatnonzero(mask.any(axis=0))
    assert cols.min() >= 19 and cols.max() <= 22  # the rule's 2-3 columns, nothing of the digit
    assert np.count_nonzero(mask[:, 20]) >= 50


def test_words_are_kept_as_read_without_a_rule_through_text(monkeypatch):
    gray = np.full((60, 200), 230, np.uint8)
    cv2.line(gray, (150, 2), (150, 57), 40, 2)  # a frame line with nothing printed across it
    cv2.line(gray, (100, 50), (199, 50), 40, 1)  # an axis line meeting it: no text through the rule
    cv2.line(gray, (60, 2), (60, 57), 40, 2)  # a rule through a number read already
    cv2.putText(gray, "42", (50, 35), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 40, 1)
    assert len(rule_lines._crossing_rules(gray, rule_lines.vertical_rules(gray, 10.0), 10.0)) == 1
    words = [TextBox("42", 1.0, 22, 50, 36, 70)]
    calls = []
    monkeypatch.setattr(rule_lines, "read_text", lambda image: calls.append(image) or ())
    assert rule_lines.rule_crossed_words(gray, words, 10.0, lambda text: text.isdigit()) == words
    assert calls == []  # no rule through text not read already: no second OCR


def test_a_fused_reading_never_swallows_a_count_read_beside_the_rule(monkeypatch):
    # review of stop 28: "29" crossed by the rule, "25" read right of it; a reading "2925" over both took the place
    # of "25" and gave a wrong number at risk
    gray = np.full((60, 200), 230, np.uint8)
    cv2.line(gray, (60, 2), (60, 57), 40, 2)
    cv2.putText(gray, "29", (52, 35), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 40, 1)
    cv2.putText(gray, "25", (76, 35), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 40, 1)
    words = [TextBox("25", 1.0, 22, 76, 36, 96)]

    def fused(image):
        return (TextBox("2925", 0.9, 22, 0, 36, image.shape[1] - 1),)

    monkeypatch.setattr(rule_lines, "read_text", fused)
    kept = rule_lines.rule_crossed_words(gray, words, 10.0, lambda text: text.isdigit())
    assert [w.text for w in kept] == ["25"]
