"""At-risk rows with misread cells (issue 12): cells set aside as unread, and JCO "(events)" fragments.

The rows are what the OCR returned on small JCO, survminer and plotnine tables of the wild corpus: a "90"
read as "20", a "14" as "24", a "397" as "897", two numbers at one time (a digit of an "(events)" count
taken for a count), and parentheses lost or misread ("10)", "(01").
"""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.arm_matching import ArmCurve, RiskRowInfo
from reconstruct.digitize.ocr import TextBox
from reconstruct.digitize.risk_table import as_count
from reconstruct.digitize.risk_tokens import attach_event_counts, split_fused_words
from reconstruct.table_gaps import (
    mend_along_curves,
    set_aside_along_curves,
    set_aside_first_cell,
    set_aside_increasing,
)

MEDIAN = 12.0  # months; the curves below are exp(-t / MEDIAN * ln 2)


def _curve() -> ArmCurve:
    t = np.linspace(0.0, 30.0, 301)
    return ArmCurve(label=None, colour=None, time=t, survival=np.exp(-t / MEDIAN * np.log(2.0)))


def _row(n_risk, times=None) -> RiskRowInfo:
    times = np.arange(len(n_risk)) * 4.0 if times is None else np.asarray(times, float)
    return RiskRowInfo("Arm A", None, times, np.asarray(n_risk))


@pytest.mark.parametrize(
    ("n_risk", "times", "kept"),
    [
        # "90" read as "20": 20 or 40 breaks the order; neither is known right, both are set aside
        pytest.param([132, 130, 125, 119, 20, 40, 0], None, [132, 130, 125, 119, 0], id="two-cells-either-wrong"),
        # two numbers at time 8 that both fit the order: neither is known right
        pytest.param([100, 80, 70, 60, 40], [0, 4, 8, 8, 12], [100, 80, 40], id="two-numbers-at-one-time"),
        # "103190" and "167136" (a lost "(103)" before 190): far above the row, set aside
        pytest.param([373, 261, 103190, 167136, 86, 49, 21, 4, 0], None, [373, 261, 86, 49, 21, 4, 0],
                     id="fused-events-and-count"),
        # more than half the row would go: kept as read (the reconstruction then rejects it)
        pytest.param([10, 50, 40, 60, 55, 70, 5], None, [10, 50, 40, 60, 55, 70, 5], id="mostly-misread-kept-as-read"),
    ],
)
def test_cells_off_every_longest_consistent_run_are_set_aside(n_risk, times, kept):
    (row,), notes = set_aside_increasing([_row(n_risk, times)])
    assert row.n_risk.tolist() == kept
    assert np.all(np.diff(row.time) > 0) or row.n_risk.tolist() == n_risk
    assert len(notes) == (kept != n_risk)


def test_the_curve_tells_which_of_two_conflicting_cells_is_misread():
    true = [round(40 * np.exp(-t / MEDIAN * np.log(2.0))) for t in np.arange(8) * 4.0]
    read = list(true)
    read[4] = true[4] + 8  # "14" read as "24": above what the curve lets survive from the cells before it
    (plain,), _ = set_aside_increasing([_row(read)])
    (curved,), notes = set_aside_increasing([_row(read)], [_curve()], precision=0.001, time_precision=0.1)
    assert plain.n_risk.size == len(read) - 2  # the numbers alone: both cells of the conflict go
    assert curved.n_risk.tolist() == true[:4] + true[5:]  # the curve keeps the right one
    assert "time 16 read as" in notes[0]
    rows, notes = set_aside_along_curves([_row(read), _row(true)], [_curve(), _curve()], precision=0.001,
                                         time_precision=0.1)
    assert [r.n_risk.tolist() for r in rows] == [true[:4] + true[5:], true]  # a consistent row is left alone
    assert len(notes) == 1


def test_a_doubtful_time_zero_cell_far_above_the_row_is_set_aside():
    s4 = np.exp(-4.0 / MEDIAN * np.log(2.0))
    row = _row([897, int(round(397 * s4)), 300, 240])  # "397" read as "897"
    (kept,), notes = set_aside_first_cell([row], [_curve()], [False])
    assert kept.n_risk[0] == 897  # a row without misread cells is not second-guessed
    assert not notes
    (out,), notes = set_aside_first_cell([row], [_curve()], [True])
    assert out.time.tolist() == [4.0, 8.0, 12.0]
    assert "897" in notes[0]
    (honest,), notes = set_aside_first_cell([_row([420, 353, 300, 240])], [_curve()], [True])
    assert honest.n_risk[0] == 420  # some censoring before the first column is normal
    assert not notes


def test_a_time_zero_cell_many_times_the_row_is_set_aside_in_any_row():
    # sas_016: "0.0" of the y axis fused with "178" into "60178", in a row with nothing else misread
    s4 = np.exp(-4.0 / MEDIAN * np.log(2.0))
    implied = 119 / s4  # 150.0
    row = _row([60178, 119, 63, 32])
    (out,), notes = set_aside_first_cell([row], [_curve()], [False])
    assert out.time.tolist() == [4.0, 8.0, 12.0]
    assert "60178" in notes[0]
    assert "over 5 times" in notes[0]
    # up to 5 times (4.9 x 150 = 735) a row read without doubt keeps its time-0 cell
    (kept,), notes = set_aside_first_cell([_row([int(4.9 * implied), 119, 63, 32])], [_curve()], [False])
    assert kept.n_risk[0] == int(4.9 * implied)
    assert not notes


def _steep_curve() -> ArmCurve:
    # sas_016's arm: 178 at risk, then 119, 14, 3 at months 3, 6, 9 (no censoring)
    t = np.linspace(0.0, 12.0, 1201)
    return ArmCurve(label=None, colour=None, time=t,
                    survival=np.interp(t, [0, 3, 6, 9, 12], [1.0, 119 / 178, 14 / 178, 3 / 178, 1 / 178]))


def test_one_later_cell_misread_low_does_not_condemn_a_true_time_zero_cell():
    # "119" read as "19": 19 and the curve imply 28 (178 is 6.3 times that); 14 and 3 imply 178
    row = _row([178, 19, 14, 3], times=[0, 3, 6, 9])
    (kept,), notes = set_aside_first_cell([row], [_steep_curve()], [False])
    assert kept.n_risk.tolist() == [178, 19, 14, 3]
    assert not notes
    (out,), notes = set_aside_first_cell([_row([60178, 119, 14, 3], times=[0, 3, 6, 9])], [_steep_curve()], [False])
    assert out.time.tolist() == [3.0, 6.0, 9.0]  # 60178 is over 5 times the 178 any later cell implies
    assert "60178" in notes[0]


def _curve_to_zero() -> ArmCurve:
    # the steep arm ending on an event at 10.5 months, before the table's last column (12)
    t = np.linspace(0.0, 12.0, 1201)
    return ArmCurve(label=None, colour=None, time=t,
                    survival=np.interp(t, [0, 3, 6, 9, 10.5, 12], [1.0, 119 / 178, 14 / 178, 3 / 178, 0.0, 0.0]))


def test_a_cell_after_the_curve_reaches_zero_does_not_keep_a_far_time_zero_cell():
    # 0 at risk at 12 on a curve already at 0 implies nothing (it implied an infinite count, keeping 60178)
    row = _row([60178, 119, 14, 3, 0], times=[0, 3, 6, 9, 12])
    (out,), notes = set_aside_first_cell([row], [_curve_to_zero()], [False])
    assert out.n_risk.tolist() == [119, 14, 3, 0]
    assert "60178" in notes[0]
    assert "178 that" in notes[0]  # the most the usable cells imply: 119/(119/178)
    (kept,), notes = set_aside_first_cell([_row([178, 119, 14, 3, 0], times=[0, 3, 6, 9, 12])],
                                          [_curve_to_zero()], [False])
    assert kept.n_risk.tolist() == [178, 119, 14, 3, 0]
    assert not notes
    # no later cell usable (the only one is 0 at risk): the time-0 cell is kept as before
    (alone,), notes = set_aside_first_cell([_row([60178, 0, 0], times=[0, 11, 12])], [_curve_to_zero()], [False])
    assert alone.n_risk.tolist() == [60178, 0, 0]
    assert not notes
    from kmrecon.run_table import mend_matched_rows
    from reconstruct.arm_matching import ArmMatch

    mended = mend_matched_rows([row], [row], [False], ArmMatch(rows=(0,), basis="single", detail=""),
                               [_curve_to_zero()], [None], recheck=False, precision=0.001, method="guyot",
                               marks=None, time_precision=0.1)
    assert mended.doubt == (True,)  # its arm is flagged, not read "ok"
    assert mended.filled[0].n_risk[0] == 178


def test_a_time_zero_cell_set_aside_flags_its_row():
    from kmrecon.run_table import mend_matched_rows
    from reconstruct.arm_matching import ArmMatch

    row = _row([60178, 119, 14, 3], times=[0, 3, 6, 9])  # read with nothing else in doubt
    mended = mend_matched_rows([row], [row], [False], ArmMatch(rows=(0,), basis="single", detail=""),
                               [_steep_curve()], [None], recheck=False, precision=0.001, method="guyot", marks=None,
                               time_precision=0.1)
    assert mended.doubt == (True,)  # its arm is flagged, not read "ok"
    assert mended.filled[0].n_risk[0] == 178  # filled from 119 at 3 months and the curve (no censoring)
    assert any("60178" in note for note in mended.gaps)


@pytest.mark.parametrize(("text", "as_events"),
                         [("10)", "(10)"), ("1159)", "(1159)"), ("(01", "(01)"), ("(54)", "(54)")])
def test_a_count_with_one_parenthesis_is_an_events_count(text, as_events):
    (word,) = split_fused_words([TextBox(text, 0.9, 0, 40, 10, 60)])
    assert word.text == as_events
    merged = attach_event_counts([TextBox("190", 0.9, 0, 10, 10, 38), word])
    assert [(w.text, w.col0, w.col1) for w in merged] == [("190", 10, 60)]  # widened over its events


def test_events_glued_before_the_next_count_are_dropped():
    words = split_fused_words([TextBox("(107)33", 0.9, 0, 0, 10, 70)])
    assert [w.text for w in words] == ["33"]


@pytest.mark.parametrize(("text", "count"), [("0", 0), ("01", None), ("00", None), ("120", 120), ("1,250", 1250)])
def test_a_count_has_no_leading_zero(text, count):
    assert as_count(text) == count


@pytest.mark.parametrize("text", ["103190)", "(103190", "2139)"])
def test_a_count_fused_with_events_does_not_widen_the_cell_before_it(text):
    # "(103) 190" read as "(103190", "2 (39)" as "2139)": as events they would stretch "261" over the next column
    words = split_fused_words([TextBox("261", 0.9, 0, 190, 10, 215), TextBox(text, 0.9, 0, 218, 10, 275)])
    merged = attach_event_counts(words)
    assert (merged[0].text, merged[0].col1) == ("261", 215)


def _true_row(size: int = 8, start: int = 200) -> list[int]:
    return [round(start * np.exp(-t / MEDIAN * np.log(2.0))) for t in np.arange(size) * 4.0]


def test_a_row_that_never_rises_is_set_aside_along_its_curve_when_it_clearly_breaks_its_bound():
    true = _true_row()
    read = list(true)
    read[1] = 130  # "159" read as "130": the row still falls, but 130 at 4 cannot leave 126 alive at 8
    assert np.all(np.diff(read) <= 0)
    (plain,), notes = set_aside_increasing([_row(read)])
    assert plain.n_risk.tolist() == read  # the numbers alone see nothing
    assert not notes
    rows, notes = set_aside_along_curves([_row(read)], [_curve()], precision=0.001, time_precision=0.1)
    assert rows[0].n_risk.tolist() == true[:1] + true[2:]
    assert rows[0].time.tolist() == [0.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0]
    assert "time 4 read as 130" in notes[0]
    assert "than the curve lets survive" in notes[0]


def test_a_small_excess_over_the_bound_is_left_to_the_quality_gate_unless_the_row_is_doubtful():
    from reconstruct.quality import table_bound_ratio

    true = _true_row()
    read = list(true)
    read[3] = true[3] + 10  # 1.5 times the slack above what the curve lets survive (as a curve traced a little off)
    ratio, _ = table_bound_ratio(_curve().time, _curve().survival, np.arange(8) * 4.0, read, precision=0.001,
                                 time_precision=0.1)
    assert 1.0 < ratio < 2.0
    rows, notes = set_aside_along_curves([_row(read)], [_curve()], precision=0.001, time_precision=0.1)
    assert rows[0].n_risk.tolist() == read  # kept as read: the reconstruction rejects it (misfit)
    assert not notes
    rows, notes = set_aside_along_curves([_row(read)], [_curve()], precision=0.001, time_precision=0.1,
                                         doubtful=[True])
    assert rows[0].n_risk.tolist() == true[:3] + true[4:]  # a row known to hold misreads: the curve decides
    assert len(notes) == 1


@pytest.mark.parametrize(
    ("second", "mended"),
    [
        pytest.param(159, True, id="read-right-closer-is-put-back"),
        pytest.param(130, False, id="read-the-same-stays-aside"),
        pytest.param(None, False, id="unsure-stays-aside"),
        pytest.param(190, False, id="a-second-misread-that-breaks-the-bound-stays-aside"),
    ],
)
def test_a_cell_set_aside_is_put_back_when_its_closer_reading_keeps_within_the_curve(second, mended):
    true = _true_row()
    read = list(true)
    read[1] = 130  # "159" read as "130"
    closer = [None] * len(read)
    closer[1] = second
    row = RiskRowInfo("Arm A", None, np.arange(len(read)) * 4.0, np.asarray(read), reread=lambda: closer)
    kept, _ = set_aside_along_curves([row], [_curve()], precision=0.001, time_precision=0.1)
    assert kept[0].n_risk.size == len(read) - 1
    rows, notes = mend_along_curves([row], kept, [_curve()], precision=0.001, time_precision=0.1)
    assert rows[0].n_risk.tolist() == (true if mended else true[:1] + true[2:])
    assert len(notes) == mended


def test_the_curve_keeps_the_time_zero_cell_of_a_row_that_never_rises():
    # scan_014: "146" read as "166" at 4 breaks the bound from the 200 at 0; either could be the misread one
    # by the pair alone, and a row that never rises keeps its time-0 cell (a misread lowers the bound later)
    true = _true_row(start=200)
    read = list(true)
    read[1] = 190
    assert np.all(np.diff(read) <= 0)
    rows, notes = set_aside_along_curves([_row(read)], [_curve()], precision=0.001, time_precision=0.1)
    assert rows[0].n_risk.tolist() == true[:1] + true[2:]
    assert "time 4 read as 190" in notes[0] and "time 0" not in notes[0]


@pytest.mark.parametrize("precision", [0.005, 0.01])
@pytest.mark.parametrize("start", [150, 300, 600])
@pytest.mark.parametrize("median", [18.0, 22.0])
def test_a_right_row_on_the_wrong_curve_stays_as_read_for_the_quality_gate(precision, start, median):
    # another arm's row (median 18-22) on a curve of median 6.9 breaks the bound at its first cells: no misread
    # digit, but a wrong match or a wrong trace, which the quality gate must see as a misfit. Setting aside its
    # first cells (time 0 included) and refilling time 0 from the curve made the row fit (a review's case)
    other = [round(start * np.exp(-t / median * np.log(2.0))) for t in np.arange(9) * 6.0]
    t = np.linspace(0.0, 50.0, 501)
    curve = ArmCurve(label=None, colour=None, time=t, survival=np.exp(-t / 10.0))
    rows, notes = set_aside_along_curves([_row(other, np.arange(9) * 6.0)], [curve], precision=precision,
                                         time_precision=0.2)
    assert rows[0].n_risk.tolist() == other
    assert not notes


def test_a_cell_set_aside_beside_a_misread_one_comes_back_with_it_when_the_row_holds():
    # mpl_default_018: "192" read as "152", and 147 after it; either may be the misread one, both are set aside.
    # Read again closer, 152 reads 192 and 147 unsure: 147 comes back with 192, the row then holding
    true = [200, 159, 110, 70, 50, 40, 30, 20]  # censored: below what the curve lets survive
    read = list(true)
    read[1] = 120  # 120 at 4 cannot leave 110 alive at 8 (2.5 times the slack); 200 -> 110 and 120 -> 70 both fit
    closer: list = [None] * len(read)
    closer[1] = 159
    row = RiskRowInfo("Arm A", None, np.arange(len(read)) * 4.0, np.asarray(read), reread=lambda: closer)
    kept, _ = set_aside_along_curves([row], [_curve()], precision=0.001, time_precision=0.1, doubtful=[True])
    assert kept[0].time.tolist() == [0.0] + [4.0 * k for k in range(3, len(read))]  # both set aside
    rows, notes = mend_along_curves([row], kept, [_curve()], precision=0.001, time_precision=0.1)
    assert rows[0].n_risk.tolist() == true
    assert len(notes) == 1
    assert "time 4: 159 (first read 120), time 8: 110 (first read 110)" in notes[0]
    # read again closer as 300, over the 200 at time 0: the row rises, nothing comes back
    closer[1] = 300
    rows, notes = mend_along_curves([row], kept, [_curve()], precision=0.001, time_precision=0.1)
    assert rows[0].n_risk.tolist() == kept[0].n_risk.tolist()
    assert not notes


def test_a_cell_set_aside_away_from_the_mended_one_stays_aside():
    # cells set aside at 4 and 20; 4 read again right (159 for 120), 20 read again unsure: 20 is not beside the
    # mended cell, so nothing ties it to that misread and it stays aside though the row would hold with it
    true = [200, 159, 110, 70, 50, 40, 30, 20]
    read = list(true)
    read[1] = 120
    closer: list = [None] * len(read)
    closer[1] = 159
    times = np.arange(len(read)) * 4.0
    row = RiskRowInfo("Arm A", None, times, np.asarray(read), reread=lambda: closer)
    keep = np.ones(len(read), dtype=bool)
    keep[[1, 5]] = False
    kept = [RiskRowInfo("Arm A", None, times[keep], np.asarray(read)[keep])]
    rows, notes = mend_along_curves([row], kept, [_curve()], precision=0.001, time_precision=0.1)
    assert rows[0].time.tolist() == [t for k, t in enumerate(times.tolist()) if k != 5]
    assert rows[0].n_risk.tolist() == true[:5] + true[6:]
    assert len(notes) == 1
    assert "time 20" not in notes[0]


def test_a_cell_set_aside_after_the_time_zero_pass_flags_its_row(monkeypatch):
    import reconstruct.table_gaps as table_gaps
    from kmrecon.run_table import mend_matched_rows
    from reconstruct.arm_matching import ArmMatch

    first = _row([60178, 119, 14, 3], times=[0, 3, 6, 9])  # its time-0 cell is set aside, which runs the pass again
    other = _row([178, 119, 14, 3], times=[0, 3, 6, 9])  # read without doubt, kept by the first pass
    along = table_gaps.set_aside_along_curves
    calls = []

    def second_pass_drops_a_cell(rows, curves, **kw):
        calls.append(len(rows))
        rows, notes = along(rows, curves, **kw)
        if len(calls) == 2:  # the pass after the time-0 cells: say it set aside the other row's last cell
            r = rows[1]
            rows = [rows[0], RiskRowInfo(r.label, r.colour, r.time[:-1], r.n_risk[:-1])]
            notes = [*notes, "the other row's last cell"]
        return rows, notes

    monkeypatch.setattr(table_gaps, "set_aside_along_curves", second_pass_drops_a_cell)
    mended = mend_matched_rows([first, other], [first, other], [False, False],
                               ArmMatch(rows=(0, 1), basis="single", detail=""), [_steep_curve()] * 2, [None, None],
                               recheck=False, precision=0.001, method="guyot", marks=None, time_precision=0.1)
    assert len(calls) == 2
    assert mended.doubt == (True, True)  # the row that lost a cell in the second pass is flagged too
