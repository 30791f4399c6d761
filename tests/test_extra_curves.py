"""A re-tracing for the table's rows that kept only some curves is taken only when the ones left out are no arm.

Curves are built as step corners (time, survival) on a 0-18 month axis; survival per pixel 0.004 (a 250 px
tall panel). No image, corpus or R needed.
"""

from __future__ import annotations

import dataclasses
import types
import warnings

import numpy as np
import pytest

from kmrecon import run as run_module
from reconstruct.digitize.digitized import DigitizedArm
from reconstruct.digitize.path_pruning import TRUNCATED_NOTE
from reconstruct.errors import DigitizationWarning, InputError
from reconstruct.extra_curves import DROPPED_NOTE, ORPHAN_NOTE, choose_kept, explain_dropped

SPAN = 18.0


def _arm(time, survival, colour="#1f77b4", marks=()) -> DigitizedArm:
    return DigitizedArm(label=None, colour=colour, time=np.asarray(time, float), survival=np.asarray(survival, float),
                        censor_time=np.asarray(marks, float), censor_survival=np.full(len(marks), np.nan),
                        quality={"survival_per_px": 0.004})


def _km(drops, start=1.0, step=0.05, colour="#1f77b4", end=18.0) -> DigitizedArm:
    time = [0.0, *drops, end]
    survival = [start, *(start - step * (k + 1) for k in range(len(drops)))]
    return _arm(time, [*survival, survival[-1]], colour)


BLUE = _km([1.5, 3.0, 4.5, 7.0, 9.0, 12.0], colour="#1f77b4")
YELLOW = _km([1.0, 2.5, 5.0, 8.0, 11.0, 14.0, 16.0], step=0.08, colour="#ecc421")
GREY = _km([2.0, 6.0, 10.0], step=0.15, colour="#8d8f8e", end=16.0)


def test_a_second_trace_of_a_line_along_its_edge_is_explained():
    # the yellow line traced again 3 px (0.012 survival at 0.004 per px: a thick line's other edge) above itself
    twin = _arm(YELLOW.time[:-1], np.minimum(YELLOW.survival[:-1] + 0.012, 1.0), "#e9c01f")
    why = explain_dropped([BLUE, YELLOW, twin, GREY], [BLUE, YELLOW, GREY], span=SPAN)
    assert why is not None
    assert len(why) == 1
    assert "second trace of kept curve 2" in why[0]


def test_a_trace_riding_censor_marks_is_explained_only_above_the_line_near_its_marks():
    # 0.018 (4.5 px) from the yellow line: a censor glyph's top only above it and where it has marks
    marked = _arm(YELLOW.time, YELLOW.survival, YELLOW.colour, marks=np.arange(0.5, 18.0, 0.5))
    above = _arm(YELLOW.time[:-1], np.minimum(YELLOW.survival[:-1] + 0.018, 1.0), "#e9c01f")
    below = _arm(YELLOW.time, np.clip(YELLOW.survival - 0.018, 0, 1), "#e9c01f")
    assert explain_dropped([BLUE, marked, above, GREY], [BLUE, marked, GREY], span=SPAN) is not None
    assert explain_dropped([BLUE, YELLOW, above, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None  # no marks
    assert explain_dropped([BLUE, marked, below, GREY], [BLUE, marked, GREY], span=SPAN) is None  # below it


def test_a_real_arm_of_one_ink_close_below_a_kept_one_is_never_explained():
    # black and white: two arms 0.015 (4 px) apart, a flat curve from 0 (a reference line) kept instead of one
    black = _km([1.5, 3.0, 4.5, 7.0, 9.0, 12.0], colour="#000000")
    close = _arm(black.time, np.clip(black.survival - 0.015, 0, 1), "#101010")
    line = _arm([0.0, 18.0], [0.5, 0.5], "#000000")
    assert explain_dropped([black, line, close], [black, line], span=SPAN) is None
    near = _arm(black.time, np.clip(black.survival - 0.019, 0, 1), "#000000")
    assert explain_dropped([black, line, near], [black, line], span=SPAN) is None
    assert choose_kept([black, line, close], 2, span=SPAN) is None


def test_a_kept_curve_starting_late_explains_nothing():
    # a legend key kept in place of a real arm: every at-risk row's curve begins at time 0
    black = _km([1.5, 3.0, 4.5, 7.0, 9.0, 12.0], colour="#000000")
    key = _arm([11.5, 17.8], [0.837, 0.831], "#000000")
    twin = _arm(black.time, np.minimum(black.survival + 0.004, 1.0), "#000000")  # 1 px: a retrace if anything
    assert explain_dropped([black, key, twin], [black, key], span=SPAN) is None
    grey = _arm(black.time, np.clip(black.survival - 0.015, 0, 1), "#808080")
    assert explain_dropped([black, key, grey], [black, grey], span=SPAN) is not None  # the key left out


def test_a_late_piece_falling_more_than_a_few_pixels_is_no_legend_key():
    # a real arm hidden under another until t=4, then nearly flat: falls 0.03 (7.5 px)
    hidden = _arm([4.0, 18.0], [0.85, 0.82], "#d62728")
    assert explain_dropped([BLUE, YELLOW, hidden, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None


def test_the_one_choice_of_k_curves_is_taken_whatever_their_order():
    key = _arm([11.5, 17.8], [0.837, 0.831], "#242524")
    twin = _arm(YELLOW.time, YELLOW.survival + 0.004, "#ecc421")
    assert choose_kept([key, BLUE, YELLOW, GREY], 3, span=SPAN)[0] == (1, 2, 3)  # not the first 3 found
    assert choose_kept([key, BLUE, YELLOW, GREY], 2, span=SPAN) is None  # an arm would be left out
    # the twin and the yellow line are one line (1 px apart): keeping either is one reading, the tracer's choice
    assert choose_kept([key, twin, BLUE, YELLOW, GREY], 3, span=SPAN)[0] == (1, 2, 4)
    assert choose_kept([key, twin, BLUE, YELLOW, GREY], 3, span=SPAN, prefer=[2, 3, 4])[0] == (2, 3, 4)
    # two readings of distinct curves: an arm of the same ink 4 px from a kept one's marks, above or below it
    marked = _arm(YELLOW.time, YELLOW.survival, YELLOW.colour, marks=np.arange(0.5, 18.0, 0.5))
    other = _arm(YELLOW.time, YELLOW.survival + 0.016, "#ecc421", marks=np.arange(0.5, 18.0, 0.5))
    assert choose_kept([marked, other, BLUE, GREY], 3, span=SPAN) is not None  # only the lower one explains
    assert choose_kept([marked, other, BLUE, GREY, key], 3, span=SPAN) is not None


def test_a_flat_legend_key_starting_late_is_explained():
    key = _arm([11.5, 17.8], [0.837, 0.831], "#242524")
    why = explain_dropped([key, BLUE, YELLOW, GREY], [BLUE, YELLOW, GREY], span=SPAN)
    assert why is not None
    assert "flat piece from t=11.5" in why[0]


def test_a_real_arm_left_out_is_never_explained():
    # a fourth arm of its own colour, or one of the same ink running 0.05 (12 px) away: an arm, not a copy
    green = _km([3.5, 6.5, 13.0], step=0.1, colour="#2ca02c")
    assert explain_dropped([BLUE, YELLOW, green, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None
    near = _arm(YELLOW.time, np.clip(YELLOW.survival - 0.05, 0, 1), "#ecc421")
    assert explain_dropped([BLUE, YELLOW, near, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None


def test_a_late_piece_that_falls_is_never_taken_for_a_legend_key():
    tail = _arm([9.0, 12.0, 15.0], [0.6, 0.5, 0.4], "#242524")  # a curve's tail whose start was lost
    assert explain_dropped([tail, BLUE, YELLOW, GREY], [BLUE, YELLOW, GREY], span=SPAN) is None


def test_nothing_is_explained_when_kept_curves_retrace_each_other_or_are_new():
    twin = _arm(YELLOW.time, YELLOW.survival, "#e9c01f")
    assert explain_dropped([BLUE, YELLOW, twin, GREY], [YELLOW, twin, GREY], span=SPAN) is None
    other = _km([2.0, 6.0], colour="#d62728")  # a kept curve the first tracing did not have
    assert explain_dropped([BLUE, YELLOW, GREY], [BLUE, other], span=SPAN) is None


@dataclasses.dataclass(frozen=True)
class _Figure:
    arms: tuple
    x_calibration: object


def _fake_digitize(arms, messages):
    def digitize_document(document, n_arms=None, **where):
        for message in messages:
            warnings.warn(message, DigitizationWarning, stacklevel=2)
        return _Figure(arms=tuple(arms), x_calibration=types.SimpleNamespace(values=np.arange(0, 19, 3.0)))
    return digitize_document


@pytest.mark.parametrize(("found", "kept", "taken"), [
    ((BLUE, YELLOW, _arm(YELLOW.time, YELLOW.survival + 0.004, "#ecc421"), GREY), (BLUE, YELLOW, GREY), True),
    ((BLUE, YELLOW, _km([3.5, 6.5, 13.0], step=0.1, colour="#2ca02c"), GREY), (BLUE, YELLOW, GREY), False),
])
def test_a_truncated_retrace_is_taken_only_when_the_curves_left_out_are_explained(monkeypatch, found, kept, taken):
    import reconstruct.document

    monkeypatch.setattr(reconstruct.document, "digitize_document",
                        _fake_digitize(kept, [f"{TRUNCATED_NOTE} 3 of the 4 curves found"]))
    notes: list[str] = []
    first = types.SimpleNamespace(arms=found)
    again = run_module._digitize_for_rows(object(), first, 3, notes)
    if taken:
        assert again is not None
        assert len(again.arms) == 3
        assert not any(n.startswith(TRUNCATED_NOTE) for n in notes)
        assert any(n.startswith(f"{DROPPED_NOTE} (3 of the 4 curves found kept): left out a second trace of kept "
                                "curve 2") for n in notes)
    else:
        assert again is None
        assert notes == []


def _grey_steps(image, top: int, drops, grey: int, width: int) -> None:
    import cv2

    rows = np.full(image.shape[1], top, np.int32)
    for col in drops:
        rows[col:] += 8
    points = np.stack([np.arange(image.shape[1]), rows], axis=1).astype(np.int32)
    cv2.polylines(image, [points], False, (grey, grey, grey), width)


def _two_greys() -> np.ndarray:
    # survminer's theme_bw in grey: two light grey arms (145) and a dark grey one (116, OpenCV L 125) between
    # them; the light grey's shade cluster (L 154) swallows the dark one's at the merge step (28 < 32 apart)
    image = np.full((120, 400, 3), 255, np.uint8)
    _grey_steps(image, 10, [40, 90, 150, 220, 300], 145, 2)
    _grey_steps(image, 20, [60, 120, 200, 260, 330], 145, 2)
    _grey_steps(image, 15, [50, 100, 170, 240, 320], 116, 1)
    return image


def test_a_dark_grey_merged_into_a_light_greys_cluster_is_found_as_an_orphan_shade():
    import cv2

    from reconstruct.digitize import curves
    from reconstruct.digitize.colour_paths import orphan_colours

    lab = cv2.cvtColor(_two_greys(), cv2.COLOR_RGB2LAB).astype(np.float32)
    bg = curves.background_lab(lab)
    plain = curves.find_line_colours(lab, bg, min_pixels=60)
    assert [round(c.lab[0]) for c in plain] == [154]  # the dark grey is lost without the orphan pass
    more = orphan_colours(curves.strong_pixels(lab, bg), plain, 60)
    assert [round(c.lab[0]) for c in more] == [125]  # OpenCV L of greys 145 and 116, within 1


def test_the_orphan_shade_is_traced_only_when_the_table_wants_more_curves():
    from reconstruct.digitize.colour_paths import trace_arms, with_orphan_shades
    from reconstruct.digitize.path_pruning import drop_broken_greys, drop_duplicates

    image = _two_greys()
    colours, weights, paths, flipped, grid, bg_rgb = trace_arms(image)
    paths = drop_duplicates(drop_broken_greys(paths, colours, weights, flipped))
    assert len(paths) == 1
    notes: list[str] = []
    kept = with_orphan_shades(image, None, (colours, weights, paths, flipped, grid, bg_rgb), 1, notes)
    assert len(kept[2]) == 1  # one curve wanted: nothing traced again
    assert notes == []
    more = with_orphan_shades(image, None, (colours, weights, paths, flipped, grid, bg_rgb), 3, notes)
    assert len(more[2]) == 2
    assert {round(more[0][k].lab[0]) for k, _, _ in more[2]} == {154, 125}
    assert notes == [f"{ORPHAN_NOTE}: 2 curves traced (1 without it)"]


@pytest.mark.parametrize("note", [f"{DROPPED_NOTE} (3 of the 4 curves found kept): left out a flat piece from t=11",
                                  f"{ORPHAN_NOTE}: 3 curves traced (2 without it)"])
def test_a_reading_whose_curves_a_retrace_chose_is_flagged_on_every_arm(note):
    from kmrecon.run_draws import run_reading

    run = types.SimpleNamespace(match=None, misread_arms=(), swapped_tails=(), refit_arms=(), arm_names=("A", "B"),
                                digitized=types.SimpleNamespace(), warnings=("some other note", note))
    draws = types.SimpleNamespace(parameters={"reading": {"status": "ok", "arms": {}}})
    reading = run_reading(run, draws)
    assert reading["status"] == "flagged"
    assert set(reading["arms"]) == {"A", "B"}
    plain = run_reading(types.SimpleNamespace(**{**vars(run), "warnings": ("some other note",)}), draws)
    assert plain["status"] == "ok"


def test_the_retrace_keeps_the_one_choice_not_the_tracers_first_k(monkeypatch):
    import reconstruct.document

    key = _arm([0.0, 17.8], [0.837, 0.831], "#242524")  # from 0: kept by the tracer, but it leaves GREY out
    late = _arm([11.5, 17.8], [0.837, 0.831], "#242524")
    monkeypatch.setattr(reconstruct.document, "digitize_document",
                        _fake_digitize((late, BLUE, YELLOW), [f"{TRUNCATED_NOTE} 3 of the 4 curves found"]))
    notes: list[str] = []
    again = run_module._digitize_for_rows(object(), types.SimpleNamespace(arms=(late, BLUE, YELLOW, GREY)), 3, notes)
    assert again is not None
    assert [a.colour for a in again.arms] == [BLUE.colour, YELLOW.colour, GREY.colour]
    assert any("left out a flat piece from t=11.5" in n for n in notes)
    monkeypatch.setattr(reconstruct.document, "digitize_document",
                        _fake_digitize((key, BLUE, YELLOW), [f"{TRUNCATED_NOTE} 3 of the 4 curves found"]))
    assert run_module._digitize_for_rows(object(), types.SimpleNamespace(arms=(key, BLUE, YELLOW, GREY)), 3, []) is None


def _axes_image(width: int = 470) -> np.ndarray:
    # black axes (x axis row 200 from col 30, y axis col 28-29), x ticks every 60 px, y ticks every 36 px
    image = np.full((240, width, 3), 255, np.uint8)
    image[200:202, 30:width - 20] = 0
    image[10:202, 28:30] = 0
    for col in range(30, width - 20, 60):
        image[202:207, col] = 0
    for row in range(200, 10, -36):
        image[row, 23:28] = 0
    return image


def _steps(image, top: int, drops, colour, width: int, *, fall: int = 20, col1: int = 440) -> None:
    import cv2

    rows = np.full(col1 - 31, top, np.int32)
    for col in drops:
        rows[col - 31:] += fall
    points = np.stack([np.arange(31, col1), rows], axis=1).astype(np.int32)
    cv2.polylines(image, [points], False, tuple(int(c) for c in colour), width)


def test_a_figure_whose_dark_grey_arm_merged_into_the_light_greys_gets_it_back_for_the_tables_rows():
    from reconstruct.digitize.figure import digitize_image

    # survminer's theme_bw in grey: two light grey arms (145) and a dark grey one (116) between them
    image = _axes_image()
    _steps(image, 22, [70, 120, 180, 250, 330], (145,) * 3, 2)
    _steps(image, 42, [90, 150, 230, 290, 360], (145,) * 3, 2)
    _steps(image, 32, [80, 130, 200, 270, 345], (116,) * 3, 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DigitizationWarning)
        free = digitize_image(image, x_range=(0, 35), y_range=(0, 1))
        told = digitize_image(image, x_range=(0, 35), y_range=(0, 1), n_arms=3)
    assert len(free.arms) == 2  # the light greys only (as on main with n_arms=3: "expected 3 arms, found 2")
    assert len(told.arms) == 3
    dark = [a for a in told.arms if int(a.colour[1:3], 16) < 130]
    assert len(dark) == 1
    # its line: rows 32 (first) and 132 (after 5 drops of 20 px); survival (200 - row) / 180, within 2 px
    assert dark[0].survival[0] == pytest.approx(168 / 180, abs=2 / 180)
    assert dark[0].survival[-1] == pytest.approx(68 / 180, abs=2 / 180)
    assert any(str(w.message).startswith(ORPHAN_NOTE) for w in caught)


def test_a_run_whose_retrace_left_a_legend_key_out_is_taken_and_flagged(monkeypatch, tmp_path):
    import cv2

    import reconstruct.document
    from kmrecon.run_draws import run_reading

    image = _axes_image()
    _steps(image, 22, [70, 120, 180, 250, 330], (220, 0, 0), 2, fall=25)
    _steps(image, 42, [100, 160, 240, 300], (0, 0, 220), 2, fall=20)
    path = tmp_path / "figure.png"
    cv2.imwrite(str(path), image[:, :, ::-1])
    real = reconstruct.document.digitize_document
    key = _arm([20.0, 33.0], [0.9, 0.9], "#101010")  # a flat stroke from t=20: a legend key

    def digitize_document(document, n_arms=None, **where):
        fig = real(document, **where)
        if n_arms is None:
            return dataclasses.replace(fig, arms=(*fig.arms, key))
        warnings.warn(f"{TRUNCATED_NOTE} {n_arms} of the {len(fig.arms) + 1} curves found", DigitizationWarning,
                      stacklevel=2)
        return fig

    monkeypatch.setattr(reconstruct.document, "digitize_document", digitize_document)
    run = run_module.run_figure(path, x_range=(0, 35), y_range=(0, 1), arm_names=["A", "B"], draws=0,
                                n_patients={"A": 100, "B": 100}, accept_misfit=True)
    assert len(run.digitized.arms) == 2
    assert any(n.startswith(f"{DROPPED_NOTE} (2 of the 3 curves found kept): left out a flat piece from t=20")
               for n in run.warnings)
    assert not any(n.startswith(TRUNCATED_NOTE) for n in run.warnings)
    assert run_reading(run)["status"] == "flagged"
    # a key that falls more than a few pixels is no key: the run stops as it did before (3 curves, 2 names)
    key = _arm([20.0, 33.0], [0.9, 0.85], "#101010")
    with pytest.raises(InputError, match="--arm-names: expected 3 names"):
        run_module.run_figure(path, x_range=(0, 35), y_range=(0, 1), arm_names=["A", "B"], draws=0,
                              n_patients={"A": 100, "B": 100}, accept_misfit=True)


def test_same_ink_is_within_24_levels_per_channel_and_needs_two_colours():
    from reconstruct.extra_curves import same_ink

    assert same_ink("#101010", "#282828")  # 24 levels apart on every channel
    assert not same_ink("#101010", "#292929")  # 25
    assert not same_ink("#101010", "#10102a")  # one channel 26 apart is another ink
    assert not same_ink("#101010", None)
    assert not same_ink("#101010", "grey")


def test_hex_rgb_reads_rrggbb_and_nothing_else():
    from reconstruct.extra_curves import hex_rgb

    assert hex_rgb("#ff8001") == (255, 128, 1)
    assert hex_rgb("#FF8001") == (255, 128, 1)
    assert hex_rgb("grey") is None
    assert hex_rgb("#fff") is None  # short forms are not what the tracer writes
    assert hex_rgb(None) is None


def _wide(arm: DigitizedArm, half_px: int, colour: str | None = None, *, filled: bool | None = None) -> DigitizedArm:
    panel = {} if filled is None else {"panel_filled": filled, "panel_background": "#ffffff"}
    return dataclasses.replace(arm, colour=colour or arm.colour,
                               quality={**arm.quality, "line_half_width_px": half_px, **panel})


def test_a_wide_pale_band_left_out_is_a_ribbon_and_a_wide_dark_or_thin_pale_one_is_not():
    # survminer_minimal_015 of the dev set: three 1 px half wide grey lines (#242424, #797979 twice) and a
    # #a0a0a0 path 3 px half wide following the ribbons' edges, far from any line (0.1 below the blue one), in a
    # panel with translucent fill
    dark, mid = _wide(BLUE, 1, "#242424"), _wide(YELLOW, 1, "#797979")
    light = _wide(GREY, 1, "#797979")
    path = (BLUE.time, np.clip(BLUE.survival - 0.1, 0, 1))
    band = _wide(_arm(*path), 3, "#a0a0a0", filled=True)
    why = explain_dropped([dark, mid, light, band], [dark, mid, light], span=SPAN)
    assert why is not None
    assert len(why) == 1
    assert "ribbon" in why[0]
    thin = _wide(_arm(*path), 2, "#a0a0a0", filled=True)  # under 3 px half wide: may be a line
    pale_band = _wide(_arm(*path), 3, "#8a8a8a", filled=True)  # 17 levels paler than #797979 (> 16): a band
    dark_band = _wide(_arm(*path), 3, "#858585", filled=True)  # 12 levels paler than #797979
    assert explain_dropped([dark, mid, light, thin], [dark, mid, light], span=SPAN) is None
    assert explain_dropped([dark, mid, light, pale_band], [dark, mid, light], span=SPAN) is not None
    # #858585 is a faded #242424 (the darkest line's ribbon) but as dark as a #797979 line: with no darker line kept,
    # not a band
    assert "kept curve 1" in explain_dropped([dark, mid, light, dark_band], [dark, mid, light], span=SPAN)[0]
    grey = _wide(BLUE, 1, "#797979")
    assert explain_dropped([grey, mid, light, dark_band], [grey, mid, light], span=SPAN) is None
    # a kept line 2 px half wide: 3 px is not three times it
    assert explain_dropped([dark, _wide(mid, 2), light, band], [dark, _wide(mid, 2), light], span=SPAN) is None
    # the choice keeping the three lines is the one reading (one leaving a line out is not explained)
    assert choose_kept([dark, mid, band, light], 3, span=SPAN, prefer=(0, 2, 3))[0] == (0, 1, 3)


def test_a_wide_pale_arm_of_another_hue_is_no_ribbon_of_a_thin_arm():
    # survminer's default hues: a red arm (#f8766d) traced 3 px half wide beside a thin cyan one (#00bfc4) and a thin
    # darker cyan line along the cyan arm's upper confidence limit; the red is paler (mean level 158 against 129 and
    # 117) but no tint of a cyan: it is an arm, even in a panel with translucent fill
    cyan = _wide(BLUE, 1, "#00bfc4")
    red = _wide(YELLOW, 3, "#f8766d", filled=True)
    ci = _wide(_arm(BLUE.time, np.minimum(BLUE.survival + 0.08, 1.0)), 1, "#00afb4")
    assert explain_dropped([cyan, red], [cyan], span=SPAN) is None
    pick = choose_kept([cyan, red, ci], 2, span=SPAN)
    assert pick is None or 1 in pick[0]  # never the cyan line and its confidence line without the red arm
    # the red arm's own ribbon (a tint of it: 40% red over white) is one
    red_thin = _wide(YELLOW, 1, "#f8766d")
    tint = _wide(_arm(YELLOW.time, np.clip(YELLOW.survival - 0.05, 0, 1)), 3, "#fcc8c4", filled=True)
    assert explain_dropped([cyan, red_thin, tint], [cyan, red_thin], span=SPAN) is not None


def test_a_pale_band_needs_a_filled_panel_or_its_curve_beside_it():
    dark, mid = _wide(BLUE, 1, "#242424"), _wide(YELLOW, 1, "#797979")
    light = _wide(GREY, 1, "#797979")
    kept = [dark, mid, light]
    # a flat pale line 3 px half wide across the top of the panel (S = 1 from 0 to 18), far above every curve
    flat = _wide(_arm([0.0, 18.0], [1.0, 1.0]), 3, "#a0a0a0", filled=False)
    assert explain_dropped([*kept, flat], kept, span=SPAN) is None
    assert explain_dropped([*kept, _wide(flat, 3, filled=True)], kept, span=SPAN) is None  # flat: no ribbon's edge
    # the 015-like band 0.1 below the blue line: not filled, not beside any curve -> an arm for all we know
    far = _wide(_arm(BLUE.time, np.clip(BLUE.survival - 0.1, 0, 1)), 3, "#a0a0a0", filled=False)
    assert explain_dropped([*kept, far], kept, span=SPAN) is None
    # the same grey band along the middle grey line (0.012 = 3 px below it: the widths 3 + 1 + 1 px overlap): a ribbon
    along = _wide(_arm(YELLOW.time, np.clip(YELLOW.survival - 0.012, 0, 1)), 3, "#a0a0a0", filled=False)
    why = explain_dropped([*kept, along], kept, span=SPAN)
    assert why is not None
    assert "kept curve 2" in why[0]
    # 7 px below it (0.028) it no longer runs along it
    away = _wide(_arm(YELLOW.time, np.clip(YELLOW.survival - 0.028, 0, 1)), 3, "#a0a0a0", filled=False)
    assert explain_dropped([*kept, away], kept, span=SPAN) is None
