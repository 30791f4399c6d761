"""Cues that pair at-risk rows with curves when neither the legend nor colour does it outright.

Legend keys in grey under the table (Stata), row labels whose grey levels are ordered as the curves' are
(survminer's ``theme_bw``, its table framed by a ruled line with ticks), and labels read with OCR slips.
Images are built in code or drawn with matplotlib from fixed data; arms drawn from one seeded simulation
so that the numbers cannot tell them apart and only the cue under test can.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from reconstruct import km_step_points, number_at_risk, simulate_arm
from reconstruct.arm_matching import ArmCurve, RiskRowInfo, match_arms_to_rows
from reconstruct.digitize.legend_outside import legend_keys_outside
from reconstruct.errors import ReconstructionError
from tests._mpl_panel import render_panel

TIMES = np.arange(0.0, 30.0, 6.0)


def _same_arms(labels=(None, None, None), shades=(None, None, None)):
    """Curves of one simulated arm (numbers and step counts cannot decide), with the given labels and shades."""
    sim = simulate_arm(120, seed=5, median=10.0, follow_up=24.0)
    t, s = km_step_points(sim.time, sim.event)
    times = TIMES[TIMES <= sim.time.max()]
    arms = [ArmCurve(label=lab, colour=None, time=t, survival=s, shade=sh) for lab, sh in
            zip(labels, shades, strict=True)]
    return arms, times, number_at_risk(sim.time, times)


def _rows(times, n, labels, shades):
    return [RiskRowInfo(label=lab, colour=None, time=times, n_risk=n, shade=sh) for lab, sh in
            zip(labels, shades, strict=True)]


# ---- grey levels in the same order ----------------------------------------------------------------


def test_row_labels_lighter_than_their_curves_but_in_the_same_order_pair_them():
    # survminer_bw: black, mid-grey and light curves (25, 111, 150); small text renders lighter (64, 136, 159)
    arms, times, n = _same_arms(shades=(150.0, 25.0, 111.0))
    rows = _rows(times, n, ("A", "B", "C"), (64.0, 136.0, 159.0))
    match = match_arms_to_rows(arms, rows)
    assert match.rows == (2, 0, 1)
    assert "the order of grey levels pairs" in match.detail


@pytest.mark.parametrize("row_shades", [(120.0, 136.0, 148.0), (64.0, None, 159.0)])
def test_grey_levels_too_close_or_unmeasured_pair_nothing(row_shades):
    arms, times, n = _same_arms(shades=(150.0, 25.0, 111.0))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows(arms, _rows(times, n, ("A", "B", "C"), row_shades))


def test_labels_split_in_part_pair_only_the_group_of_one():
    # labels 64 | 136, 148 split only after the darkest (136 and 148 are 12 apart): the order pairs curve 2 (25)
    # with row A alone; the light curve (150) pairs with row C by its absolute grey, which leaves B to curve 3
    arms, times, n = _same_arms(shades=(150.0, 25.0, 111.0))
    match = match_arms_to_rows(arms, _rows(times, n, ("A", "B", "C"), (64.0, 136.0, 148.0)))
    assert match.rows == (2, 0, 1)
    assert "the order of grey levels pairs curve 2 with row 1" in match.detail
    assert "curve 3" not in match.detail.split("the order of grey levels")[1]


def test_curves_alike_in_grey_are_never_paired_by_a_labels_grey():
    # nejm_007: curves 75 and 88 (one dark grey, traced twice), row labels 115 and 102. The second label is
    # within tolerance of the second curve and well away from the first, yet the curves themselves are no
    # further apart than the tolerance: the grey level cannot tell them apart, so it pins nothing.
    arms, times, n = _same_arms(shades=(75.0, 88.0, None))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows(arms[:2], _rows(times, n, ("A", "B"), (115.0, 102.0)))
    arms, times, n = _same_arms(shades=(60.0, 88.0, None))  # 28 apart: the grey level does decide
    assert match_arms_to_rows(arms[:2], _rows(times, n, ("A", "B"), (80.0, 62.0))).rows == (1, 0)


# ---- labels read with OCR slips --------------------------------------------------------------------


def test_a_label_read_with_a_slip_still_names_its_row():
    arms, times, n = _same_arms(labels=("Placebo", "Nivolumab"), shades=(None, None))
    match = match_arms_to_rows(arms[:2], _rows(times, n, ("Névolumab", "Placebo"), (None, None)))
    assert match.rows == (1, 0)
    assert match.basis == "label"


def test_names_that_differ_by_the_letter_that_tells_arms_apart_are_not_a_slip():
    # "Arm A" is 0.75 similar to "Arm B": near, but no nearer than to "Arm C"
    arms, times, n = _same_arms(labels=("Arm A", "Arm D"), shades=(None, None))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows(arms[:2], _rows(times, n, ("Arm B", "Arm C"), (None, None)))


@pytest.mark.parametrize(("legend", "row"), [("Group 1", "Group 2"), ("Group A", "Group B"),
                                            ("Stage II", "Stage III"), ("Dose 10 mg", "Dose 20 mg")])
def test_names_that_differ_in_the_word_that_tells_arms_apart_never_pair_with_an_unread_rival(legend, row):
    # the other row's label was not read, so no rival weighs against the near name: it must still not pair
    arms, times, n = _same_arms(labels=(legend, None), shades=(None, None))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows(arms[:2], _rows(times, n, (None, row), (None, None)))


def test_a_fused_legend_label_is_no_slip_of_a_row_name_and_a_truncated_one_is_still_part_of_it():
    from reconstruct.arm_names import part_of, similar

    rows = ["Sonfenib", "Lenvatinilb", "HAIC"]  # mpl_default_010: two legend lines read as one label
    assert not similar("Lenvatinib HAIC", "Lenvatinilb", rows)
    assert part_of("Lenvatinib HAIC", "HAIC", rows)
    # a label cut short at its end is part of the row's name; one read from inside a word ("on" of
    # "Observation", read right of a "key" that was the word's own foot) is a piece of text, not a label
    assert part_of("Lenvatinib", "Lenvatinib HAIC", ["Sorafenib", "Lenvatinib HAIC"])
    assert not part_of("on", "Observation", ["Observation", "Chemotherapy"])


def test_a_label_read_from_inside_a_word_pins_no_row():
    # jco scan_004 of the seed-7071 set: the light curve's "key" ran into the dark curve's direct label
    # "Sorafenib", and the text right of it, "fenib", pinned the light curve to the Sorafenib row (a swap,
    # flagged only by its fit). The curves are alike here: only the labels could decide, so no pin, an error.
    arms, times, n = _same_arms(labels=("fenib", "ib"), shades=(None, None))
    rows = _rows(times, n, ("Sorafenib", "Lenvatinib"), (None, None))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows(arms[:2], rows)
    # a lost first letter is still a slip of the whole name, and pins
    arms, times, n = _same_arms(labels=("orafenib", None), shades=(None, None))
    assert match_arms_to_rows(arms[:2], rows).rows == (0, 1)


def test_a_label_starts_a_word_of_the_row_name():
    from reconstruct.arm_names import starts_a_word

    assert not starts_a_word("fenib", "Sorafenib")
    assert starts_a_word("Ipilimumab", "Nivolumab + Ipilimumab")
    assert starts_a_word("Nivolumab", "Nivolumab + Ipilimumab")
    assert starts_a_word("Ipilimumab", "NivolumabIpilimumab")  # the "+" and spaces lost by OCR
    assert starts_a_word("sorafenib", "HAIC+sorafenib")
    assert not starts_a_word("AIC", "HAIC")
    assert not starts_a_word("volumab", "Névolumab")  # an accent read into a name splits no word
    assert not starts_a_word("volumab", "Ne\u0301volumab")  # nor one read as a letter and a combining accent


@pytest.mark.parametrize(("label", "row"), [("sorafenib", "HAICsorafenib"), ("Sorafenib", "HAICSorafenib"),
                                            ("1", "Arm1"), ("FU", "5FU"), ("Arm", "5FUArm")])
def test_words_fused_by_ocr_still_start_where_case_or_digits_change(label, row):
    # OCR drops the space or "+" between words: a run of capitals before small letters, or digits beside
    # letters, still marks where a word starts (main paired these; a small->capital split alone did not)
    from reconstruct.arm_names import starts_a_word

    assert starts_a_word(label, row)


@pytest.mark.parametrize(("label", "row"), [("fenib", "Sorafenib"), ("FENIB", "SORAFENIB"), ("AIC", "HAIC"),
                                            ("volumab", "Nivolumab"), ("volumab", "Névolumab"),
                                            ("umab", "NIVOLUMAB")])
def test_a_piece_from_inside_a_word_starts_none(label, row):
    from reconstruct.arm_names import starts_a_word

    assert not starts_a_word(label, row)


def test_fused_names_pair_with_their_row_label():
    # "sorafenib" is the second word of "HAICsorafenib" (OCR dropped the "+"): it pins that row, as on main
    arms, times, n = _same_arms(labels=("sorafenib", None), shades=(None, None))
    assert match_arms_to_rows(arms[:2], _rows(times, n, ("HAICsorafenib", "Lenvatinib"), (None, None))).rows == (0, 1)
    arms, times, n = _same_arms(labels=(None, "Sorafenib"), shades=(None, None))
    assert match_arms_to_rows(arms[:2], _rows(times, n, ("Lenvatinib", "HAICSorafenib"), (None, None))).rows == (0, 1)


def test_a_label_that_lost_its_first_letter_pins_its_row_beside_an_unread_one():
    # a lost leading letter ("lacebo") is part of "Placebo" from its second letter on: it pins that row though
    # another row label is unread (a slip of the name, similar(), cannot weigh an unread rival)
    arms, times, n = _same_arms(labels=("lacebo", "Drug", None), shades=(None, None, None))
    match = match_arms_to_rows(arms, _rows(times, n, ("Placebo", "", "Drug"), (None, None, None)))
    assert match.rows == (0, 2, 1)
    # one letter in only, and only for a label of at least 4 letters: "fenib", "AIC", "on" stay pieces
    from reconstruct.arm_names import part_of

    assert part_of("lacebo", "Placebo", ["Placebo", "", "Drug"])
    assert part_of("pilimumab", "Nivolumab + Ipilimumab", ["Placebo", "Nivolumab + Ipilimumab"])
    assert not part_of("fenib", "Sorafenib", ["Sorafenib", "Lenvatinib"])
    assert not part_of("AIC", "HAIC", ["HAIC", "Sorafenib"])
    assert not part_of("on", "Observation", ["Observation", "Chemotherapy"])
    assert not part_of("olumab", "Nivolumab", ["Nivolumab", "Placebo"])
    assert not part_of("volumab", "Névolumab", ["Névolumab", "Placebo"])  # "Né" is two letters, the key drops "é"
    assert not part_of("volumab", "Ne\u0301volumab", ["Placebo"])


def test_a_label_equal_to_one_row_and_inside_another_word_pins_neither():
    # "nivolumab" equals the row "Nivo lumab" (a space read into it) and ends the row "ipilimumabnivolumab" (read
    # without its "+"): the label cannot say which, as on main; the word-start rule must not settle it
    arms, times, n = _same_arms(labels=("nivolumab", None), shades=(None, None))
    with pytest.raises(ReconstructionError, match="ambiguous"):
        match_arms_to_rows(arms[:2], _rows(times, n, ("Nivo lumab", "ipilimumabnivolumab"), (None, None)))


def test_a_label_equal_to_one_row_but_part_of_another_pins_nothing():
    # jco_007: the legend's "Nivolumab + Ipilimumab" wrapped, its first line read "Nivolumab", equal to the
    # row "Nivolumab" and part of the row "Nivolumab + Ipilimumab": the label cannot say which
    from reconstruct.arm_matching import pinned_assignments

    arms, times, n = _same_arms(labels=(None, "Nivolumab", None), shades=(None, None, None))
    rows = _rows(times, n, ("Placebo", "Nivolumab", "Nivolumab + Ipilimumab"), (None, None, None))
    assert "label" not in pinned_assignments(arms, rows)[1]
    arms, times, n = _same_arms(labels=(None, "Placebo", None), shades=(None, None, None))
    assert pinned_assignments(arms, rows)[1].startswith("label pairs curve 2 with row 1")


# ---- a grey legend under the table ---------------------------------------------------------------


def test_grey_keys_under_the_table_name_their_arms_and_a_rows_key_names_none():
    # Stata in greys: "group = Placebo" keys under the table; a grey key beside a table row reads only numbers
    fig = Figure(figsize=(5.0, 5.0), dpi=100)
    ax = fig.add_axes([0.15, 0.45, 0.8, 0.5])
    t = np.linspace(0, 28, 60)
    ax.step(t, np.exp(-t / 14), where="post", color="#000000", label="group = Nivolumab", lw=2)
    ax.step(t, np.exp(-t / 9), where="post", color="#8c8c8c", label="group = Placebo", lw=2)
    fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.02), ncol=2, frameon=False)
    rgb, bbox, _ = render_panel(fig, ax)
    found = legend_keys_outside(rgb, bbox, [(0, 0, 0), (140, 140, 140)], shades=[0.0, 140.0])
    assert [label for label, _ in found] == ["Nivolumab", "Placebo"]
    assert [key for _, key in found] == [None, None]  # under the panel: no legend order

    fig = Figure(figsize=(5.0, 5.0), dpi=100)
    ax = fig.add_axes([0.15, 0.45, 0.8, 0.5])
    ax.step(t, np.exp(-t / 14), where="post", color="#000000", lw=2)
    ax.step(t, np.exp(-t / 9), where="post", color="#8c8c8c", lw=2)
    for k, (colour, numbers) in enumerate((("#000000", "260  188  137"), ("#8c8c8c", "459  352  236"))):
        fig.add_artist(__import__("matplotlib.lines", fromlist=["Line2D"]).Line2D(
            [0.05, 0.12], [0.3 - 0.06 * k] * 2, color=colour, lw=2))
        fig.text(0.2, 0.29 - 0.06 * k, numbers, color="#000000", fontsize=10)
    rgb, bbox, _ = render_panel(fig, ax)
    found = legend_keys_outside(rgb, bbox, [(0, 0, 0), (140, 140, 140)], shades=[0.0, 140.0])
    assert [label for label, _ in found] == [None, None]


def _short_grey_keys(blur: bool) -> list:
    """survminer's theme_bw legend above the panel: three short grey keys with a censor '+', JPEG-compressed."""
    import cv2

    fig = Figure(figsize=(4.2, 3.8), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.85, 0.75])
    t = np.linspace(0, 30, 60)
    shades = ("#1b1b1b", "#737373", "#9e9e9e")
    for k, (colour, name) in enumerate(zip(shades, ("Arm A", "Arm B", "Arm C"), strict=True)):
        ax.step(t, np.exp(-t / (10 + 8 * k)), where="post", color=colour, lw=2.0, marker="+", markersize=4, markevery=9,
                label=name)
    fig.legend(loc="upper center", ncol=3, frameon=False, handlelength=1.1, fontsize=7)
    rgb, bbox, _ = render_panel(fig, ax)
    if blur:
        rgb = cv2.GaussianBlur(rgb, (0, 0), 0.6)
    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 70])
    rgb = np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])
    return legend_keys_outside(rgb, bbox, [(27, 27, 27), (115, 115, 115), (158, 158, 158)],
                               shades=[25.0, 111.0, 150.0])


def _short_grey_keys_at(shades: tuple[float, float, float]) -> list:
    """The keys of :func:`_short_grey_keys` (blurred) looked for at the curve greys ``shades``."""
    import cv2

    fig = Figure(figsize=(4.2, 3.8), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.85, 0.75])
    t = np.linspace(0, 30, 60)
    for k, (colour, name) in enumerate(zip(("#1b1b1b", "#737373", "#9e9e9e"), ("Arm A", "Arm B", "Arm C"),
                                           strict=True)):
        ax.step(t, np.exp(-t / (10 + 8 * k)), where="post", color=colour, lw=2.0, label=name)
    fig.legend(loc="upper center", ncol=3, frameon=False, handlelength=1.1, fontsize=7)
    rgb, bbox, _ = render_panel(fig, ax)
    rgb = cv2.GaussianBlur(rgb, (0, 0), 0.6)
    return legend_keys_outside(rgb, bbox, [(27, 27, 27), (115, 115, 115), (158, 158, 158)], shades=list(shades))


def test_short_grey_keys_in_a_jpeg_are_found_by_their_middle_not_their_caps():
    # survminer_bw_016: 12-px keys whose anti-aliased end columns are 50-80 grey levels lighter than their
    # middle; weighed with the caps, the black and the light key read as words and the arms went unnamed
    found = _short_grey_keys(blur=True)
    assert all(key is not None for _, key in found)
    assert [key[1] for _, key in found] == sorted(key[1] for _, key in found)  # left to right, in arm order
    assert [label for label, _ in found] == ["Arm A", "Arm B", "Arm C"]


def test_only_lighter_end_columns_are_trimmed_as_caps():
    from reconstruct.digitize.legend_outside import _trim_caps

    key = np.array([78.0, 6, 33, 30, 16, 33, 24, 18, 34, 27, 30, 112])  # survminer_bw_016's black key
    assert _trim_caps(key).tolist() == key[1:-1].tolist()
    assert _trim_caps(np.array([200.0, 150, 30, 31, 29, 30, 32, 30, 150, 200])).size == 6  # two columns a side
    # a third light column is no cap, and darker ends or a light middle (a word's gaps) are kept
    assert _trim_caps(np.array([200.0, 200, 200, 30, 31, 29, 30, 32, 30])).size == 7
    word = np.array([105.0, 38, 63, 17, 103, 122, 114, 78, 90, 76, 104, 121, 105])  # "Arm" blurred into one blob
    assert _trim_caps(word).tolist() == word.tolist()
    assert np.mean(np.abs(_trim_caps(word) - np.median(word)) <= 20) < 0.85


def test_curves_of_nearly_one_grey_get_no_grey_key():
    # sas_017: two curves 5 grey levels apart (83, 88) and keys of other hues read as greys: a key's core grey
    # cannot say whose it is (JPEG noise is larger than the gap), so neither curve takes a key by grey
    found = [label for label, _ in _short_grey_keys_at((25.0, 111.0, 118.0))]
    assert found[0] == "Arm A"
    assert found[1:] == [None, None]


def test_a_coloured_arms_key_that_reads_grey_is_not_a_grey_arms_key():
    # sas_017: a blue-grey arm (no grey level: coloured) and a brown-grey one (grey level 88); in the legend the
    # blue key's chroma is low enough to pass for grey and its core is near 88: it named the brown curve
    fig = Figure(figsize=(4.2, 3.8), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.85, 0.75])
    t = np.linspace(0, 30, 60)
    blue, brown = (85, 88, 120), (110, 86, 93)
    ax.step(t, np.exp(-t / 10), where="post", color=np.array(blue) / 255, lw=2.0, label="Control")
    ax.step(t, np.exp(-t / 18), where="post", color=np.array(brown) / 255, lw=2.0, label="Experimental")
    fig.legend(loc="upper center", ncol=2, frameon=False, handlelength=2.5, fontsize=7)
    rgb, bbox, _ = render_panel(fig, ax)
    import cv2

    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 60])
    rgb = np.ascontiguousarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1])
    found = legend_keys_outside(rgb, bbox, [blue, brown], shades=[None, 88.0])
    assert found[1][0] == "Experimental"  # the brown key's label (the blue key's was read as "Control Experiment")
