"""A broken trace of a solid curve's censor marks, above and below its line, is left out of a re-tracing for the
table's rows; a real arm of the same ink (drawn solid) never is.

Curves are step corners on a 0-18 month axis, 0.004 survival per pixel (a 250 px tall panel), with the tracer's
``coverage`` (share of a trace's columns holding its ink) set by hand. No image, corpus or R needed.
"""

from __future__ import annotations

import types
import warnings

import numpy as np

from kmrecon import run as run_module
from reconstruct.digitize.digitized import DigitizedArm
from reconstruct.digitize.path_pruning import TRUNCATED_NOTE
from reconstruct.errors import DigitizationWarning
from reconstruct.extra_curves import DROPPED_NOTE, choose_kept, explain_dropped

SPAN = 18.0
MARKS = np.arange(0.4, 17.0, 0.4)  # a "+" every 0.4 months: dense marks all along the line


def _arm(time, survival, colour, *, marks=(), coverage=None) -> DigitizedArm:
    quality = {"survival_per_px": 0.004, **({} if coverage is None else {"coverage": coverage})}
    return DigitizedArm(label=None, colour=colour, time=np.asarray(time, float), survival=np.asarray(survival, float),
                        censor_time=np.asarray(marks, float), censor_survival=np.full(len(marks), np.nan),
                        quality=quality)


def _line(colour="#e7721e", *, marks=MARKS, coverage=0.99, shift=0.0) -> DigitizedArm:
    time = [0.0, 1.5, 3.0, 4.5, 7.0, 9.0, 12.0, 17.5]
    survival = [1.0, 0.93, 0.86, 0.79, 0.72, 0.65, 0.58, 0.58]
    return _arm(time, np.clip(np.asarray(survival) + shift, 0, 1), colour, marks=marks, coverage=coverage)


def _rider(line: DigitizedArm, colour: str, coverage, *, end=17.4) -> DigitizedArm:
    """The marks' tops and bottoms joined by bits of the line: 0.012 (3 px) above it, then 0.016 (4 px) below,
    every 0.2 months; non-increasing, as the tracer reports it."""
    time = np.arange(0.0, end, 0.2)
    at = np.asarray(line.survival)[np.searchsorted(line.time, time, side="right") - 1]
    survival = np.minimum.accumulate(np.clip(at + np.where(np.arange(time.size) % 2 == 0, 0.012, -0.016), 0, 1))
    return _arm(time, survival, colour, coverage=coverage)


BLUE = _arm([0.0, 2.0, 6.0, 10.0, 17.0], [1.0, 0.8, 0.6, 0.45, 0.45], "#336479", coverage=0.95)


def test_a_broken_trace_above_and_below_a_marked_line_is_explained_as_its_marks():
    line = _line()
    rider = _rider(line, "#e7721e", 0.45)
    assert float(np.median(rider.survival - np.asarray(line.survival)[np.searchsorted(line.time, rider.time,
                                                                                       side="right") - 1])) < 0
    why = explain_dropped([line, rider, BLUE], [line, BLUE], span=SPAN)
    assert why is not None
    assert "covering 45% of its columns" in why[0]
    assert "kept curve 1's censor marks" in why[0]
    assert choose_kept([rider, line, BLUE], 2, span=SPAN)[0] == (1, 2)  # the solid line kept, not the trace


def test_a_solid_or_unmeasured_trace_or_an_unmarked_line_explains_nothing():
    line = _line()
    assert explain_dropped([line, _rider(line, "#e7721e", 0.95), BLUE], [line, BLUE], span=SPAN) is None  # solid
    assert explain_dropped([line, _rider(line, "#e7721e", None), BLUE], [line, BLUE], span=SPAN) is None
    bare = _line(marks=())
    assert explain_dropped([bare, _rider(bare, "#e7721e", 0.45), BLUE], [bare, BLUE], span=SPAN) is None
    broken = _line(coverage=0.8)  # the kept curve is no solid line itself
    assert explain_dropped([broken, _rider(broken, "#e7721e", 0.45), BLUE], [broken, BLUE], span=SPAN) is None
    # a trace running on 1.5 months past the kept line's end
    long = _rider(line, "#e7721e", 0.45, end=17.5 + 1.5)
    assert explain_dropped([line, long, BLUE], [line, BLUE], span=SPAN) is None


def test_two_close_solid_black_arms_with_marks_are_never_one_arm_and_its_marks():
    black = _line("#000000")
    close = _line("#101010", shift=-0.015)  # 4 px below, solid, marked: an arm of the same ink
    # (the black line above the close one's marks still passes for riding them: the rule for traces above, as before)
    assert explain_dropped([black, close, BLUE], [black, BLUE], span=SPAN) is None


def test_the_trace_is_in_the_lines_ink_or_a_duller_shade_of_its_hue():
    line = _line("#e7721e")
    for colour, explained in [("#ca7d44", True),  # JPEG-dulled orange along orange (scan_000 of seed 8081)
                              ("#336479", False),  # another hue
                              ("#8a4a10", False),  # a much darker orange
                              ("#7a7a7a", False)]:  # grey: no hue to share
        why = explain_dropped([line, _rider(line, colour, 0.5), BLUE], [line, BLUE], span=SPAN)
        assert (why is not None) is explained, colour
    black = _line("#000000")
    assert explain_dropped([black, _rider(black, "#151515", 0.5), BLUE], [black, BLUE], span=SPAN) is not None
    assert explain_dropped([black, _rider(black, "#7a7a7a", 0.5), BLUE], [black, BLUE], span=SPAN) is None


def test_a_retrace_that_left_out_a_mark_trace_is_taken_with_the_dropped_note(monkeypatch):
    import reconstruct.document

    line = _line()
    rider = _rider(line, "#e7721e", 0.45)
    figure = types.SimpleNamespace(arms=(line, BLUE), x_calibration=types.SimpleNamespace(values=np.arange(0, 19, 3.0)))

    def digitize_document(document, n_arms=None, **where):
        warnings.warn(f"{TRUNCATED_NOTE} 2 of the 3 curves found", DigitizationWarning, stacklevel=2)
        return figure

    monkeypatch.setattr(reconstruct.document, "digitize_document", digitize_document)
    notes: list[str] = []
    again = run_module._digitize_for_rows(object(), types.SimpleNamespace(arms=(line, rider, BLUE)), 2, notes)
    assert again is not None
    assert again.arms == (line, BLUE)
    assert any(n.startswith(f"{DROPPED_NOTE} (2 of the 3 curves found kept): left out a broken trace") for n in notes)
