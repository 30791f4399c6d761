"""x tick labels that agree with the tick grid (issue 12): misread labels dropped, not calibrated on."""

from __future__ import annotations

import numpy as np
import pytest

from reconstruct.digitize.axis_labels import labels_on_grid, read_x_tick_values
from reconstruct.errors import CalibrationError, XTickLabelError

# scan_001 (second development set): nine ticks labelled 0, 3, ..., 24, blurred labels 5 px tall
TICKS = np.array([18.5, 48.5, 77.5, 107.5, 137.0, 167.0, 196.5, 224.0, 253.5])
# "0" and "3" read as "8", "15" as "18", "9" as "8" at one size: three labels right (9, 18, 24)
READ_1X = [(18.5, 1.0), (107.5, 8.0), (167.0, 18.0), (196.5, 18.0), (253.5, 24.0)]
READ_3X = [(18.5, 8.0), (48.5, 8.0), (107.5, 9.0), (167.0, 18.0), (196.5, 18.0), (253.5, 24.0)]


def test_three_labels_on_the_grid_outvote_misread_ones():
    px, values = labels_on_grid(READ_1X + READ_3X, TICKS, zero_px=19.0)
    np.testing.assert_allclose(px, [107.5, 196.5, 253.5])
    np.testing.assert_allclose(values, [9.0, 18.0, 24.0])


def test_two_progressions_with_as_many_ticks_give_no_reading():
    # without time 0 at the panel's left edge, 8, 10, ..., 24 (the misread "8" at tick 0, 18 and 24) ties
    assert labels_on_grid(READ_1X + READ_3X, TICKS) is None
    # the progression 8, 10, ... puts time 0 four ticks left of the panel: never proposed
    assert labels_on_grid([(18.5, 8.0), (167.0, 18.0), (253.5, 24.0)], TICKS, zero_px=19.0) is None


def test_two_agreeing_labels_or_a_start_off_the_step_are_not_enough():
    assert labels_on_grid([(18.5, 0.0), (48.5, 3.0), (107.5, 8.0)], TICKS) is None
    # 1, 4, 7 step by 3 but do not sit at multiples of it
    assert labels_on_grid([(18.5, 1.0), (48.5, 4.0), (77.5, 7.0)], TICKS) is None
    # three of eight ticks read agree: under 40% of the ticks read
    many = [(18.5, 0.0), (48.5, 3.0), (77.5, 6.0), (107.5, 1.0), (137.0, 7.0), (167.0, 14.0), (196.5, 11.0),
            (224.0, 5.0)]
    assert labels_on_grid(many, TICKS) is None


def _fake_reader(monkeypatch, small, enlarged, width):
    """read_tick_labels giving ``small`` on the figure (``width`` columns) and ``enlarged`` on an enlarged image."""

    def fake(gray, axis, ticks, *, axis_px=None, band_px=None):
        size = gray.shape[1] / width
        pairs = enlarged if size > 1.5 else small
        return [((p + 0.5) * size - 0.5, v) for p, v in pairs]

    monkeypatch.setattr("reconstruct.digitize.ocr.read_tick_labels", fake)


def test_x_labels_misread_at_both_sizes_calibrate_from_the_labels_on_the_grid(monkeypatch):
    _fake_reader(monkeypatch, READ_1X, READ_3X, 266)
    gray = np.full((224, 266), 240, np.uint8)
    px, values, source = read_x_tick_values(gray, TICKS, 174.0, zero_px=19.0)
    np.testing.assert_allclose(px, [107.5, 196.5, 253.5], atol=1e-9)
    np.testing.assert_allclose(values, [9.0, 18.0, 24.0])
    assert source == "voted"  # flagged in the run's reading
    # without the vote (the first round): an XTickLabelError, so the panel is tried again with it
    with pytest.raises(XTickLabelError):
        read_x_tick_values(gray, TICKS, 174.0, zero_px=19.0, vote=False)


def test_x_labels_that_agree_on_no_progression_still_stop_the_run(monkeypatch):
    # survminer_minimal_005: labels 3-4 px tall read as 1 and 16 (truth 6 and 18), and 6 at the tick of 0
    ticks = np.array([35.0, 68.6, 102.8, 136.5, 204.4, 238.6])
    _fake_reader(monkeypatch, [(68.6, 1.0), (136.5, 16.0)], [(35.0, 6.0), (68.6, 1.0), (136.5, 16.0)], 336)
    gray = np.full((362, 336), 240, np.uint8)
    with pytest.raises(CalibrationError, match="multiples of their step"):
        read_x_tick_values(gray, ticks, 213.5, zero_px=30.5)


def test_x_labels_read_as_one_value_twice_stop_the_run(monkeypatch):
    # scan_002 of a generated set (stata look, blurred): "0" and "36" both read as "6", "24" right
    ticks = np.array([17.5, 49.4, 81.5, 114.5, 146.5, 178.5, 211.5, 243.0])
    _fake_reader(monkeypatch, [(17.5, 6.0), (146.5, 24.0), (211.5, 6.0)], [(146.5, 24.0), (211.5, 6.0)], 211)
    gray = np.full((251, 211), 240, np.uint8)
    with pytest.raises(CalibrationError, match="different values"):
        read_x_tick_values(gray, ticks, 181.5, zero_px=19.5)


def test_y_ticks_drawn_between_two_pixel_rows_are_found():
    # base_r of a generated set (319 x 286 PNG): the ticks of 0.6 and 0.8 fall between pixel rows, drawn as two
    # rows of grey 187 and 204, each too light for a tick mark; only 0, 0.2 and 0.4 were found
    from reconstruct.digitize.axes import _panel_ticks
    from reconstruct.digitize.axis_ticks import split_line_ink

    gray = np.full((300, 320), 255, np.uint8)
    gray[20:251, 60] = 0  # y axis
    gray[250, 60:300] = 0  # x axis
    for col in range(60, 300, 40):
        gray[251:256, col] = 0  # x ticks
    solid, split = [250, 215, 180], [145, 110, 75, 40]
    for row in solid:
        gray[row, 54:60] = 0
    for row in split:
        gray[row, 54:60], gray[row + 1, 54:60] = 187, 204
    ink = split_line_ink(gray, axis="y")
    assert ink[145, 55]
    assert ink[146, 55]
    assert not ink[150, 55]
    found = (20, 61, 250, 300, 250.0, 60.0, 251, 59)
    _, y_ticks, _ = _panel_ticks(gray, *found)
    np.testing.assert_allclose(np.sort(y_ticks), np.sort(solid + [r + 0.5 for r in split]), atol=0.6)


def test_two_y_labels_off_the_ticks_step_are_not_used():
    from reconstruct.digitize.axis_labels import y_labels_on_step

    rows = np.array([145.0, 111.0, 77.0, 43.0, 9.5])  # survminer_classic (generated): 0%, 25%, ..., 100%
    # "25%" read as "2", "100%" right: a step of 32.7 (three ticks apart), of which 2 is no multiple
    assert not y_labels_on_step((rows[[1, 4]], np.array([2.0, 100.0])), rows)
    assert y_labels_on_step((rows[[1, 4]], np.array([25.0, 100.0])), rows)
    assert y_labels_on_step((rows[[1, 3]], np.array([0.25, 0.75])), rows)
    # three labels on a line are not checked here
    assert y_labels_on_step((rows[[1, 2, 4]], np.array([25.0, 50.0, 100.0])), rows)
    # sas_001 (dev): an unlabelled tick at -0.2 below the axis; 0.4 and 1.0 read right, three ticks apart
    sas = np.array([206.0, 176.0, 146.0, 116.0, 85.0, 55.0, 25.0])
    assert y_labels_on_step((sas[[3, 6]], np.array([0.4, 1.0])), sas)
    # a truncated axis 0.5 to 1.0 (ticks 0.1 apart): 0.7 read as 0.1, 1.0 right: 0.3 per step, 0.1 no multiple
    short = np.array([200.0, 160.0, 120.0, 80.0, 40.0, 0.0])
    assert not y_labels_on_step((short[[2, 5]], np.array([0.1, 1.0])), short)
    assert y_labels_on_step((short[[2, 5]], np.array([0.7, 1.0])), short)


def test_two_right_y_labels_calibrate_an_axis_with_a_tick_beyond_0_to_1(monkeypatch):
    # sas_001 (dev): ticks at -0.2, 0, ..., 1; "0.4" and "1.0" read: calibrated on them, 0 at row 176 (not 0 to 1
    # assumed over the end ticks, which put 0.166 there)
    from reconstruct.digitize.axes import PlotPanel, calibrate_axes

    cols = np.array([40.0, 70.0, 100.0, 130.0, 160.0, 190.0])
    rows = np.array([206.0, 176.0, 146.0, 116.0, 85.0, 55.0, 25.0])

    def fake(gray, axis, ticks, *, axis_px=None, band_px=None):
        if axis == "x":
            return list(zip(np.asarray(ticks).tolist(), [0.0, 6.0, 12.0, 18.0, 24.0, 30.0], strict=True)) \
                if len(ticks) == 6 else []
        return [(116.0, 0.4), (25.0, 1.0)]

    monkeypatch.setattr("reconstruct.digitize.ocr.read_tick_labels", fake)
    panel = PlotPanel(22, 30, 201, 233, 201.0, 29.0, cols, rows, True)
    notes = []
    x_cal, y_cal, _ = calibrate_axes(np.full((400, 400), 255, np.uint8), panel, notes=notes)
    assert (x_cal.source, y_cal.source, notes) == ("ocr", "ocr", [])
    np.testing.assert_allclose(y_cal.to_value([206.0, 176.0, 25.0]), [-0.2, 0.0, 1.0], atol=0.01)


def test_decimals_lost_do_not_make_a_ten_times_step():
    # 0, 0.5, ..., 3 (years) read with their decimal points lost: 0, 5, 1, 15, 2, 25, 3; "2" of 2.0 read "20" at
    # another size. 0, 5, 10, ... would win by 5 ticks to 4 if the "0" (on every step) counted: no reading
    ticks = np.arange(7) * 40.0 + 20
    lost = [(ticks[i], v) for i, v in enumerate([0.0, 5.0, 1.0, 15.0, 2.0, 25.0, 3.0])]
    assert labels_on_grid(lost, ticks, zero_px=18.0) is None
    assert labels_on_grid(lost + [(ticks[4], 20.0)], ticks, zero_px=18.0) is None
    assert labels_on_grid(lost + [(ticks[4], 20.0), (ticks[1], 0.5)], ticks, zero_px=18.0) is None
    # the right progression read at another size on five ticks leads by two: kept
    right = [(ticks[i], v) for i, v in enumerate([0.0, 0.5, 1.0, 1.5, 2.0, 2.5])]
    px, values = labels_on_grid(lost + right, ticks, zero_px=18.0)
    np.testing.assert_allclose(values, [0.5, 1.0, 1.5, 2.0, 2.5, 3.0])


def test_calibration_takes_0_to_1_over_two_y_labels_off_the_survival_range(monkeypatch):
    from reconstruct.digitize.axes import PlotPanel, calibrate_axes

    cols = np.array([40.0, 69.0, 98.0, 127.0])
    rows = np.array([145.0, 111.0, 77.0, 43.0, 9.5])

    def fake(gray, axis, ticks, *, axis_px=None, band_px=None):
        if axis == "x":  # the x labels; none in the y labels turned upright (read as an x axis, 5 ticks)
            return list(zip(np.asarray(ticks).tolist(), [0.0, 4.0, 8.0, 12.0], strict=True)) if len(ticks) == 4 else []
        return [(111.0, 2.0), (77.0, 521.0), (9.5, 100.0)]

    monkeypatch.setattr("reconstruct.digitize.ocr.read_tick_labels", fake)
    panel = PlotPanel(5, 30, 152, 300, 152.0, 29.0, cols, rows, True)
    notes = []
    _, y_cal, _ = calibrate_axes(np.full((400, 400), 255, np.uint8), panel, notes=notes)
    assert y_cal.source == "assumed over labels"  # flagged in the run's reading
    assert "misread" in notes[0]
    np.testing.assert_allclose(y_cal.to_value([145.0, 9.5]), [0.0, 1.0], atol=1e-9)


def test_the_grid_vote_is_a_second_round_after_every_panel_tried_without_it(monkeypatch):
    # survminer_minimal_010: the first panel (found on part of the axis, its ticks 2-4 px off) calibrates only
    # by the vote; the second panel reads its labels plainly and must win
    from reconstruct.digitize import figure

    calls = []

    def fake_calibrate(gray, panel, *, notes, x_vote, **how):
        calls.append((panel, x_vote))
        if panel == "part" and x_vote:
            return "voted"
        if panel == "plot":
            return "read"
        if panel == "y fails":
            raise CalibrationError("expected readable y tick labels")
        raise XTickLabelError("expected readable x tick labels")

    monkeypatch.setattr(figure, "panels", lambda work: iter(["part", "plot"]))
    monkeypatch.setattr(figure, "calibrate_axes", fake_calibrate)
    assert figure._calibrated_panel(None, None, notes=[]) == ("plot", "read")
    assert calls == [("part", False), ("plot", False)]
    # when no panel reads plainly, the vote of the first panel is taken; a panel that failed on y is not retried
    calls.clear()
    monkeypatch.setattr(figure, "panels", lambda work: iter(["y fails", "part", "table"]))
    assert figure._calibrated_panel(None, None, notes=[]) == ("part", "voted")
    assert calls == [("y fails", False), ("part", False), ("table", False), ("part", True)]
    monkeypatch.setattr(figure, "panels", lambda work: iter(["y fails", "table"]))
    with pytest.raises(CalibrationError, match="readable y"):
        figure._calibrated_panel(None, None, notes=[])


def test_a_first_panel_whose_x_labels_the_vote_reads_stops_on_its_own_next_error(monkeypatch):
    # scan_001 (7071): x labels 5 px tall calibrate only by the vote (0, 3, ..., 24: 6, 9, 18, 24 kept), then the
    # y axis fails (labels unread, ticks short of the panel); that y error, not the first round's x error, stops it
    from reconstruct.digitize import figure

    def fake_calibrate(gray, panel, *, notes, x_vote, **how):
        if panel == "plot" and x_vote:
            raise CalibrationError("expected readable y tick labels or y ticks spanning the panel")
        if panel == "part" and not x_vote:
            raise CalibrationError("expected readable y tick labels (part)")
        raise XTickLabelError(f"expected readable x tick labels ({panel})")

    monkeypatch.setattr(figure, "calibrate_axes", fake_calibrate)
    monkeypatch.setattr(figure, "panels", lambda work: iter(["plot", "part"]))
    with pytest.raises(CalibrationError, match="y ticks spanning") as caught:
        figure._calibrated_panel(None, None, notes=[])
    assert not isinstance(caught.value, XTickLabelError)
    # a later panel failing on y after its vote does not replace the first panel's x error
    monkeypatch.setattr(figure, "panels", lambda work: iter(["table", "plot"]))
    with pytest.raises(XTickLabelError, match=r"x tick labels \(table\)"):
        figure._calibrated_panel(None, None, notes=[])
    # the vote finding no three labels on the grid stays an x error (XTickLabelError)
    monkeypatch.setattr(figure, "panels", lambda work: iter(["table"]))
    with pytest.raises(XTickLabelError):
        figure._calibrated_panel(None, None, notes=[])


def test_the_vote_finding_no_labels_on_the_grid_raises_an_x_tick_label_error(monkeypatch):
    ticks = np.array([35.0, 68.6, 102.8, 136.5, 204.4, 238.6])
    _fake_reader(monkeypatch, [(68.6, 1.0), (136.5, 16.0)], [(35.0, 6.0), (68.6, 1.0), (136.5, 16.0)], 336)
    gray = np.full((362, 336), 240, np.uint8)
    with pytest.raises(XTickLabelError, match="multiples of their step"):
        read_x_tick_values(gray, ticks, 213.5, zero_px=30.5, vote=True)
