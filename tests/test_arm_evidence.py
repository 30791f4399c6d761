"""Evidence that names arms: legend keys told from text, row numbers fitted to a curve's drops (issue 12)."""

from types import SimpleNamespace

import numpy as np
import pytest

from reconstruct.digitize.legend import find_legend_sample


def test_the_foot_of_a_word_is_no_legend_key():
    # rms prints names by the curves in their ink (rms_018): the curve runs just over the word, the rows near
    # it are no key, and what is left of the word is its foot, which the closing joins into a stroke
    weight = np.zeros((200, 300), np.float32)
    weight[135:138, :] = 1.0  # the arm's curve
    path = np.full(300, 136, np.int64)
    for col in range(100, 160, 7):  # "Observation": glyphs 5 px wide, 14 px tall, 2 px apart, standing on row 151
        weight[138:152, col:col + 5] = 1.0
    assert find_legend_sample(weight, path, 1) is None
    # a real key elsewhere is found (nothing is drawn on a key) ...
    weight[179:181, 20:60] = 1.0
    assert find_legend_sample(weight, path, 1) == (pytest.approx(179.5, abs=1), 20, 60)
    # ... also with the key of the line above 8 px higher (a tight legend)
    weight[171:173, 20:60] = 1.0
    assert find_legend_sample(weight, path, 1)[1:] == (20, 60)


def test_step_counts_with_a_row_no_curve_reconstructs_with_are_flagged_or_an_error(monkeypatch):
    """sas_006: a row whose time-0 cell was set aside as misread reconstructs with no curve (infinite misfit), and
    the step counts took the pairing, settled. Now the rest of the fit must allow it, and the match is unsettled
    (the run flagged); a pair the fit rules out on a row that reconstructs elsewhere is an ambiguity error."""
    import kmrecon.run_arms as run_arms
    from reconstruct.arm_matching import ArmCurve, ArmMatch, RiskRowInfo
    from reconstruct.errors import ReconstructionError

    inf = float("inf")
    costs = np.array([[0.30, inf], [0.20, inf]])  # row 2 reconstructs with no curve
    monkeypatch.setattr(run_arms, "pair_scorer", lambda *a, **k: (lambda arm, row: costs[arm, row]))
    monkeypatch.setattr(run_arms, "match_arms_to_rows", lambda arms, rows: ArmMatch(
        rows=(0, 1), basis="step counts", detail="the drops on each curve fit its row's implied deaths best"))
    curves = [ArmCurve(None, None, np.array([0.0, 1.0]), np.array([1.0, 0.5])) for _ in range(2)]
    rows = [RiskRowInfo(None, None, np.array([0.0]), np.array([10])) for _ in range(2)]
    match, note = run_arms.match_by_fit(curves, rows, precision=1e-3, method="steps", marks=None)
    assert (match.rows, match.basis, match.settled, note) == ((0, 1), "step counts", False, "")
    assert "the step counts alone place it" in match.detail
    costs[:] = [[0.30, inf], [1.50, inf]]  # row 1 fits curve 1 far better (margin 1) than the step counts' curve 2
    monkeypatch.setattr(run_arms, "match_arms_to_rows", lambda arms, rows: ArmMatch(
        rows=(1, 0), basis="step counts", detail="the drops on each curve fit its row's implied deaths best"))
    with pytest.raises(ReconstructionError, match=r"step counts put rows \[1, 0\] on them, but the reconstruction "
                                                  r"does not allow"):
        run_arms.match_by_fit(curves, rows, precision=1e-3, method="steps", marks=None)


def _grey_names_at_ends(at_ends: bool, names=("Experimental", "Control")):
    """Two curves in one grey, each name (``names``) printed in that grey: right-aligned just above its curve's end (a
    journal redraw), or (``at_ends`` False) both names in the middle of the panel, away from the ends."""
    from matplotlib.figure import Figure

    from tests._mpl_panel import render_panel

    fig = Figure(figsize=(6.0, 4.0), dpi=100)
    ax = fig.add_axes([0.12, 0.15, 0.82, 0.8])
    t = np.linspace(0, 36, 60)
    curves = {names[0]: np.exp(-t / 24), names[1]: np.exp(-t / 12)}
    for k, (name, s) in enumerate(curves.items()):
        ax.step(t, s, where="post", color="#454545", lw=1.6)
        x, y = (t[-1] * 0.98, s[-1] + 0.04) if at_ends else (14.0, 0.95 - 0.1 * k)
        ax.text(x, y, name, color="#454545", ha="right" if at_ends else "left", fontsize=12)
    ax.set_xlim(0, 37)
    ax.set_ylim(0, 1)
    rgb, panel, _ = render_panel(fig, ax)
    height = rgb.shape[0]
    paths = []
    for s in curves.values():
        xy = ax.transData.transform(np.column_stack((t, s)))
        paths.append((xy[:, 0] - 0.5, height - xy[:, 1] - 0.5))
    return rgb, panel, paths


@pytest.mark.parametrize(("at_ends", "expected"), [(True, {0: "Experimental", 1: "Control"}), (False, {})],
                         ids=["names-at-the-ends", "names-elsewhere"])
def test_names_in_one_ink_name_the_curves_whose_ends_they_sit_at(at_ends, expected):
    # lancet_018 of the next 190: two grey curves, each name just above where its curve stops
    from reconstruct.digitize.direct_labels import direct_label_arms, direct_label_names

    rgb, panel, paths = _grey_names_at_ends(at_ends)
    grey = [(69, 69, 69), (69, 69, 69)]
    found = direct_label_names(rgb, panel, ["Control", "Experimental"], grey, paths, by_position=True)
    assert found.by_colour == {}  # one ink: the colour names no curve
    assert found.by_position == expected
    assert direct_label_arms(rgb, panel, ["Control", "Experimental"], grey, paths) == {}  # only when asked


def test_a_name_at_two_curve_ends_names_neither():
    from reconstruct.digitize.direct_labels import _names_at_ends

    ends = [(200.0, 500.0), (215.0, 498.0)]  # two curves stopping 15 px apart
    assert _names_at_ends([("placebo", (180, 420, 198, 495))], ends) is None  # its foot is just above both ends
    assert _names_at_ends([("placebo", (180, 420, 198, 495))], [(200.0, 500.0), (320.0, 498.0)]) == {0: "placebo"}


@pytest.mark.parametrize(("by_position", "settled"), [(True, False), (False, True)])
def test_names_placed_by_position_only_leave_the_match_unsettled(monkeypatch, by_position, settled):
    import kmrecon.run_arms as run_arms
    from reconstruct.arm_matching import ArmMatch

    monkeypatch.setattr(run_arms, "match_by_fit", lambda *a, **k: (
        ArmMatch(rows=(1, 0), basis="label", detail="legend labels match the at-risk row labels"), ""))
    match, note = run_arms._match_named(([], by_position, {}), [], 1e-3, "steps", None, None, None)
    assert (match.rows, match.basis, match.settled) == ((1, 0), "label", settled)
    assert ("placed by position only" in note) == by_position


@pytest.mark.parametrize(("gap", "lift", "expected"), [(8, 0, "Placebo"), (90, 0, None), (8, 14, None)],
                         ids=["label-beside-its-key", "words-far-right", "words-a-line-higher"])
def test_a_key_in_the_panel_names_only_the_words_level_with_it_and_just_right_of_it(gap, lift, expected):
    # rms_006: a flat stretch of one curve taken for a key, and the name printed above it (another curve's), or
    # the at-risk row labels far to its right, read as its label
    import cv2

    from reconstruct.digitize.legend import read_label

    gray = np.full((120, 420), 255, np.uint8)
    gray[59:61, 40:90] = 0  # the key (or a flat stretch of a curve), ending at column 90
    cv2.putText(gray, "Placebo", (90 + gap, 60 + 8 - lift), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 1, cv2.LINE_AA)
    assert read_label(gray, 60, 90, max_cols=300, text_px=20, beside=True) == expected
    assert read_label(gray, 60, 90, max_cols=300, text_px=20) == "Placebo"  # keys found outside the panel: as before


def test_names_at_curve_ends_say_nothing_where_the_tails_cross():
    # lancet_018: the grey curves cross at their last drops, the trace swapped their tails; each name sat at the
    # end of the other curve's body
    from reconstruct.digitize.direct_labels import _tails_apart

    cols = np.array([0.0, 100.0, 200.0, 300.0])
    apart = [(cols, np.array([10.0, 50.0, 80.0, 90.0])), (cols, np.array([10.0, 60.0, 100.0, 120.0]))]
    assert _tails_apart(apart, 150.0)
    crossing = [(cols, np.array([10.0, 50.0, 80.0, 110.0])), (cols, np.array([10.0, 60.0, 100.0, 100.0]))]
    assert not _tails_apart(crossing, 150.0)
    touching = [(cols, np.array([10.0, 50.0, 99.0, 99.0])), (cols, np.array([10.0, 60.0, 100.0, 120.0]))]
    assert not _tails_apart(touching, 150.0)


def test_row_names_cut_short_are_completed_by_the_names_printed_by_the_curves():
    # rms_018: the at-risk row labels cut at the figure's edge ("Chemorad", "Chemother"); the names printed by the
    # curves in their colours start with them: they name the curves, and in full
    from tests.test_arm_shades import _direct_label_figure

    from reconstruct.digitize.direct_labels import direct_label_names

    rgb, panel, paths = _direct_label_figure(("#1f4e9c", "#d62020"))
    found = direct_label_names(rgb, panel, ["Lenvat", "Soraf"], [(31, 78, 156), (214, 32, 32)], paths)
    assert found.by_colour == {0: "Soraf", 1: "Lenvat"}
    assert found.full == {0: "Sorafenib", 1: "Lenvatinib"}


def _rendered_paths(fig, ax, t, curves):
    """Render the panel (x 0-30, y 0-1): the image, its panel box and each curve's pixel path ``(cols, rows)``."""
    from tests._mpl_panel import render_panel

    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1)
    rgb, panel, _ = render_panel(fig, ax)
    height = rgb.shape[0]
    paths = []
    for s in curves:
        xy = ax.transData.transform(np.column_stack((t, s)))
        paths.append((xy[:, 0] - 0.5, height - xy[:, 1] - 0.5))
    return rgb, panel, paths


def _grey_names_at_ends_and_rows_in_panel():
    """Three curves in one grey told apart by line type, each name right-aligned just above its curve's end, and an
    at-risk table inside the panel under the curves, its row labels (the same names) on the rows' lines at the right.
    Returns the pixels, the panel, each curve's step corners in image pixels, each row's line (image row), the names."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 5.0), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.85, 0.85])
    t = np.linspace(0, 20, 41)
    names = ["Observation", "Chemotherapy", "Radiotherapy"]
    curves = [np.maximum(lv - 0.004 * t, 0.05) for lv in (0.85, 0.6, 0.35)]  # flat-ish curves far apart
    for k, s in enumerate(curves):
        ax.step(t, s, where="post", color="#333333", lw=1.2, linestyle=["-", "--", ":"][k])
        ax.text(t[-1] * 0.98, s[-1] + 0.02, names[k], color="#333333", fontsize=13, ha="right", va="bottom")
    rows_y = [0.12, 0.08, 0.04]
    for k, y in enumerate(rows_y):
        for x, n in zip((0.0, 5.0, 10.0, 15.0), (40, 30, 20, 10), strict=True):
            ax.text(x, y, str(n - k), color="#333333", fontsize=10, ha="center", va="center")
        ax.text(26.0, y, names[k], color="#333333", fontsize=10, ha="left", va="center")
    rgb, panel, paths = _rendered_paths(fig, ax, t, curves)
    height = rgb.shape[0]
    lines = [height - ax.transData.transform((0.0, y))[1] - 0.5 for y in rows_y]
    return rgb, panel, paths, lines, names


def test_a_rows_own_label_on_its_line_in_the_panel_names_no_curve_by_position():
    # rms_006: the at-risk rows inside the panel with their own labels on their lines: read with the names at the
    # curves' ends, each name twice, and nothing was placed
    from reconstruct.digitize.direct_labels import direct_label_names

    rgb, panel, paths, lines, names = _grey_names_at_ends_and_rows_in_panel()
    grey = [(51, 51, 51)] * 3
    found = direct_label_names(rgb, panel, names, grey, paths, by_position=True, row_lines=lines)
    assert found.by_colour == {}
    assert found.by_position == {0: "Observation", 1: "Chemotherapy", 2: "Radiotherapy"}
    # without the rows' lines each name is read twice (at its curve's end and as its row's label): none placed
    assert direct_label_names(rgb, panel, names, grey, paths, by_position=True).by_position == {}


def test_names_at_the_ends_of_tails_that_cross_place_nothing():
    # lancet_018: where the tails cross, names at the ends name no curve (no other rule places them instead); here
    # each name is also just beside the other curve's last level before the crossing
    from reconstruct.digitize.direct_labels import _names_at_ends, _placed

    cols = np.array([0.0, 100.0, 200.0, 300.0])
    names = [("a", (82, 240, 98, 295)), ("b", (122, 240, 138, 295))]  # 16 px tall, just above each end
    crossing = [(cols, np.array([10.0, 50.0, 120.0, 100.0])), (cols, np.array([10.0, 60.0, 100.0, 140.0]))]
    ends = [(float(rows[-1]), float(c[-1])) for c, rows in crossing]
    assert _names_at_ends(names, ends) == {0: "a", 1: "b"}
    assert _placed(names, crossing, (0, 0), 1.0) is None
    apart = [(cols, np.array([10.0, 50.0, 80.0, 100.0])), (cols, np.array([10.0, 60.0, 100.0, 140.0]))]
    assert _placed(names, apart, (0, 0), 1.0) == ({0: "a", 1: "b"}, "ends")


def test_grey_ink_names_no_curve_that_may_be_its_line_read_lighter():
    # 7071 rms_002: thin lines read lighter than their ink (the black curve at 126, the grey one at 174) while the
    # grey curve's name read at 104: the nearer curve (126) is the black one; a curve read lighter decides nothing
    from reconstruct.digitize.direct_labels import _named_curve

    curves = [(0, np.array([174.0] * 3)), (1, np.array([126.0] * 3))]
    assert _named_curve(np.array([104.0] * 3), curves) is None
    # a curve read darker than the ink by the margin cannot be drawn in it: the one left is named
    assert _named_curve(np.array([150.0] * 3), [(0, np.array([160.0] * 3)), (1, np.array([30.0] * 3))]) == 0
    # a grey curve read far lighter than the ink (140 levels, more than twice _NEAR_GREY) is not its line read
    # lighter: the near dark curve is named; one 70 lighter (as in 7071 rms_002) may be, and decides it
    assert _named_curve(np.array([20.0] * 3), [(0, np.array([160.0] * 3)), (1, np.array([30.0] * 3))]) == 1
    assert _named_curve(np.array([20.0] * 3), [(0, np.array([90.0] * 3)), (1, np.array([30.0] * 3))]) is None


def _grey_names_along_the_curves(stacked: bool = False):
    """Three curves in one grey told apart by line type, each name printed beside its curve away from its end as Hmisc
    labcurve does (rms survplot): above the curve starting at the labelled point, or below it ending there. With
    ``stacked`` two curves instead, their names printed one under another at one column (a legend's column in the
    panel, lines 1.1 text heights apart: OCR's padded boxes overlap), the lower name's foot on the lower curve.
    Returns the pixels, the panel, each curve's step corners in image pixels and the names."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 5.0), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.85, 0.85])
    t = np.linspace(0, 28, 57)
    names = ["Observation", "Chemotherapy", "Radiotherapy"]
    levels = (0.8, 0.5) if stacked else (0.85, 0.6, 0.35)
    names = names[:len(levels)]
    curves = [np.maximum(lv - 0.004 * t, 0.05) for lv in levels]  # flat-ish curves far apart
    # (name's anchor time, above the curve or below it): above starts at the anchor, below ends there
    spots = [(4.0, True), (16.0, False), (7.0, True)]
    for k, s in enumerate(curves):
        ax.step(t, s, where="post", color="#333333", lw=1.2, linestyle=["-", "--", ":"][k])
        x, above = spots[k]
        y = float(np.interp(x, t, s))
        if stacked:  # 13 pt at 100 dpi over 425 px a unit: a text height 0.043, lines 0.047 apart
            ax.text(2.0, 0.4935 + 0.047 * (1 - k), names[k], color="#333333", fontsize=13, ha="left", va="bottom")
        else:
            ax.text(x, y + (0.012 if above else -0.012), names[k], color="#333333", fontsize=13,
                    ha="left" if above else "right", va="bottom" if above else "top")
    rgb, panel, paths = _rendered_paths(fig, ax, t, curves)
    return rgb, panel, paths, names


def test_names_printed_beside_their_curves_away_from_the_ends_name_them_by_position():
    # rms_006, 7071 rms_007: survplot labels each curve (one ink, line types) where it stands farthest from the others,
    # away from its end; the match was left open. The names now place the curves, by position only (flagged).
    from reconstruct.digitize.direct_labels import direct_label_names

    rgb, panel, paths, names = _grey_names_along_the_curves()
    grey = [(51, 51, 51)] * 3
    found = direct_label_names(rgb, panel, names, grey, paths, by_position=True)
    assert found.by_colour == {}
    assert found.by_position == {0: "Observation", 1: "Chemotherapy", 2: "Radiotherapy"}
    assert found.placed == "beside"
    # not where legend keys were read (names by them are the legend's)
    assert direct_label_names(rgb, panel, names, grey, paths, by_position=True, beside=False).by_position == {}
    # names stacked at one column (a legend drawn in the panel), their boxes overlapping, the lower name's foot on
    # its curve: it placed that curve alone, deciding a two-curve match by coincidence; now nothing is placed
    rgb, panel, paths, names = _grey_names_along_the_curves(stacked=True)
    assert direct_label_names(rgb, panel, names, grey[:2], paths, by_position=True).by_position == {}


def test_a_name_beside_two_curves_names_neither_and_the_rest_must_place_all_but_one():
    from reconstruct.digitize.direct_labels import _names_beside

    cols = np.array([0.0, 100.0, 200.0, 300.0])
    paths = [(cols, np.array([50.0, 60.0, 70.0, 80.0])), (cols, np.array([150.0, 160.0, 170.0, 180.0])),
             (cols, np.array([250.0, 260.0, 270.0, 275.0]))]
    above_0 = ("a", (40, 110, 60, 180))      # foot 60 on curve 0's level at column 110 (60): above it
    below_1 = ("b", (172, 120, 192, 210))    # top 172 under curve 1's level at column 210 (170): below it
    assert _names_beside([above_0, below_1], paths, (0, 0), 1.0) == {0: "a", 1: "b"}  # the third by elimination
    assert _names_beside([above_0], paths, (0, 0), 1.0) is None  # two curves without a name: nothing placed
    # a name 4 px off curve 1 and 2 px off curve 2 (a text height 20: both within its 5 px reach) names neither
    close = [(cols, np.array([50.0, 60.0, 70.0, 80.0])), (cols, np.array([150.0, 160.0, 173.0, 180.0])),
             (cols, np.array([150.0, 165.0, 175.0, 180.0]))]
    assert _names_beside([above_0, ("b", (177, 120, 197, 210))], close, (0, 0), 1.0) is None
    # two names on one curve say nothing
    assert _names_beside([above_0, ("c", (30, 205, 50, 280))], paths, (0, 0), 1.0) is None
    # at the panel crop's scale: the boxes in the crop's pixels, the paths in the image's
    half = [(c / 2.0 + 10.0, r / 2.0 + 5.0) for c, r in paths]
    assert _names_beside([above_0, below_1], half, (5, 10), 2.0) == {0: "a", 1: "b"}


def test_names_beside_place_nothing_on_a_legend_row_over_a_curve_or_with_a_name_left_over_on_two_curves():
    from reconstruct.digitize.direct_labels import _names_beside

    above_0 = ("a", (40, 110, 60, 180))  # foot 60 on curve 0's level at column 110 (60), a text height 20
    curve_0 = (np.array([0.0, 100.0, 200.0, 300.0]), np.array([50.0, 60.0, 70.0, 80.0]))
    # a legend laid out in a row: two names on one line, each foot on a curve's level (curve 1 at 60 from column 300)
    rising = (np.array([0.0, 100.0, 200.0, 300.0, 400.0]), np.array([10.0, 20.0, 40.0, 60.0, 90.0]))
    on_line = ("b", (40, 310, 60, 380))
    assert _names_beside([above_0, on_line], [curve_0, rising], (0, 0), 1.0) is None  # was {0: "a", 1: "b"}
    assert _names_beside([above_0, ("b", (30, 310, 50, 380))], [curve_0, (rising[0], rising[1] - 10.0)],
                         (0, 0), 1.0) == {0: "a", 1: "b"}  # a line higher: beside its curve, no legend row
    # another curve held level through the name's box (row 50 from column 100 to 200): beside neither
    through = (np.array([0.0, 100.0, 200.0, 300.0]), np.array([10.0, 50.0, 90.0, 95.0]))
    assert _names_beside([above_0], [curve_0, through], (0, 0), 1.0) is None  # was {0: "a"}
    # a drop through it (rows 30 to 90 at column 150, as labcurve ends a name where another curve drops), or a trace
    # ending in it (its last corner), is no reason
    dropping = (np.array([0.0, 100.0, 150.0, 300.0]), np.array([10.0, 30.0, 90.0, 95.0]))
    ending = (np.array([0.0, 100.0, 150.0, 151.0]), np.array([10.0, 30.0, 50.0, 50.0]))  # 7071 rms_007: a doubled end
    assert _names_beside([above_0], [curve_0, dropping], (0, 0), 1.0) == {0: "a"}
    assert _names_beside([above_0], [curve_0, ending], (0, 0), 1.0) == {0: "a"}
    # two curves: a second name read and beside neither leaves the one placed undecided
    lower = (curve_0[0], curve_0[1] + 100.0)
    assert _names_beside([above_0], [curve_0, lower], (0, 0), 1.0) == {0: "a"}
    assert _names_beside([above_0, ("c", (100, 20, 120, 80))], [curve_0, lower], (0, 0), 1.0) is None  # was {0: "a"}


@pytest.mark.parametrize(("placed", "basis", "where"), [("beside", "placed names", "beside them"),
                                                        ("ends", "label", "at their ends")])
def test_names_placed_beside_the_curves_are_no_legend_labels_in_the_match_note(monkeypatch, placed, basis, where):
    import kmrecon.run_arms as run_arms
    from reconstruct.arm_matching import ArmMatch

    monkeypatch.setattr(run_arms, "match_by_fit", lambda *a, **k: (
        ArmMatch(rows=(1, 0), basis="label", detail="legend labels match the at-risk row labels; fit agrees"), ""))
    match, note = run_arms._match_named(([], placed, {}), [], 1e-3, "steps", None, None, None)
    assert (match.basis, match.settled) == (basis, False)
    assert where in note
    assert ("legend labels" in match.detail) == (placed == "ends")


@pytest.mark.parametrize(("text", "names", "expected"), [
    ("Amm A", ["At A", "Am 8"], "ata"),  # 7071 jco_006: both heads misread, the last words read exactly
    ("Amm 8", ["At A", "Am 8"], "am8"),
    ("Amm C", ["At A", "Am 8"], None),  # a last word no row name ends with
    ("Xyzq A", ["At A", "Am 8"], None),  # a head like no name's head
    ("Low risk", ["Lw risk", "High risk"], None),  # last words alike: they tell nothing apart
    ("Placebo A", ["Placebo", "Arm A"], None),  # a one-word name: no head to have misread
    ("Groop 12", ["Group 1", "Group 12"], "group12"),
    ("Groop 123", ["Group 1", "Group 123"], None),  # a last word too long to be a letter or a number
    ("Ar A B", ["Arm A", "Arm B", "Arm C"], None),  # jco_000: names printed over each other, read as one phrase
    ("Ar B", ["Arm A", "Arm B", "Arm C"], "armb"),
    ("Contrl A", ["Arm A", "Control B"], None),  # a head like another name's only, not the matched one's
    ("Gmup 1", ["Group 1", "Group 7"], "group1"),  # one head: a last word misread ("7" read "1") is taken, flagged
], ids=["first", "second", "unknown-last", "unlike-head", "same-last", "one-word", "two-digits", "long-last",
        "names-over-each-other", "three-names", "another-names-head", "one-head"])
def test_a_name_read_by_its_last_word_alone(text, names, expected):
    from reconstruct.digitize.direct_labels import _by_last_word

    assert _by_last_word(text, names) == expected


def test_names_in_the_curves_colours_name_them_by_their_last_word_when_the_row_labels_are_misread():
    # 7071 jco_006: the row labels "Arm A", "Arm B" read "At A", "Am 8" (5 px text); the names printed by the curves
    # in their colours end with the one word that tells them apart, read exactly: the match is made, and flagged
    from reconstruct.digitize.direct_labels import direct_label_names
    from tests.test_arm_shades import _direct_label_figure

    rgb, panel, paths = _direct_label_figure(("#1f4e9c", "#d62020"), names=("Arm A", "Arm B"))
    colours = [(31, 78, 156), (214, 32, 32)]
    found = direct_label_names(rgb, panel, ["Am 8", "At A"], colours, paths)
    assert found.by_colour == {0: "At A"}  # "Arm B" ends with no row name's last word ("8"): the other is left open
    assert found.by_word == frozenset({0})
    assert direct_label_names(rgb, panel, ["Am 8", "At C"], colours, paths).by_colour == {}
    exact = direct_label_names(rgb, panel, ["Arm B", "Arm A"], colours, paths)  # read in full: no flag from this
    assert exact.by_colour[0] == "Arm A"
    assert exact.by_word == frozenset()


def test_a_name_read_by_its_last_word_in_one_ink_names_no_curve_by_position():
    # names in one grey at the curves' ends, the row labels misread in their head: a name read by its last word
    # alone names a curve by its ink only, never by where it is printed (both weak: it placed both curves)
    from reconstruct.digitize.direct_labels import direct_label_names

    rgb, panel, paths = _grey_names_at_ends(True, names=("Arm A", "Arm B"))
    grey = [(69, 69, 69), (69, 69, 69)]
    found = direct_label_names(rgb, panel, ["Anm A", "Anm B"], grey, paths, by_position=True)
    assert found.by_colour == {}
    assert found.by_position == {}
    # the row labels read right: the names place the curves by position, as before
    assert direct_label_names(rgb, panel, ["Arm A", "Arm B"], grey, paths, by_position=True).by_position == {
        0: "Arm A", 1: "Arm B"}


def test_a_name_read_by_its_last_word_clashing_with_an_exact_reading_names_neither_curve():
    # "Group 7" printed by the first curve misread "Gmup 1", "Group 1" read exactly by the second: both claim
    # "Group 1", and neither is taken
    from reconstruct.digitize.direct_labels import direct_label_names
    from tests.test_arm_shades import _direct_label_figure

    colours, rows = [(31, 78, 156), (214, 32, 32)], ["Group 1", "Group 7"]
    rgb, panel, paths = _direct_label_figure(("#1f4e9c", "#d62020"), names=("Gmup 1", "Group 1"), heights=(0.82, 0.3))
    found = direct_label_names(rgb, panel, rows, colours, paths)
    assert found.by_colour == {}
    assert found.by_word == frozenset()
    # both names are read there: read right, each names its curve
    rgb, panel, paths = _direct_label_figure(("#1f4e9c", "#d62020"), names=("Group 7", "Group 1"), heights=(0.82, 0.3))
    assert direct_label_names(rgb, panel, rows, colours, paths).by_colour == {0: "Group 7", 1: "Group 1"}


def test_a_last_word_misread_into_another_rows_is_taken_flagged_only():
    # "Group 7" printed by the first curve misread "Gmup 1", the second curve's name in black: the first curve is
    # named "Group 1" (wrongly) by its last word alone, and only ever flagged
    from reconstruct.digitize.direct_labels import direct_label_names
    from tests.test_arm_shades import _direct_label_figure

    rgb, panel, paths = _direct_label_figure(("#1f4e9c", "black"), names=("Gmup 1", "Group 1"))
    found = direct_label_names(rgb, panel, ["Group 1", "Group 7"], [(31, 78, 156), (214, 32, 32)], paths)
    assert found.by_colour == {0: "Group 1"}
    assert found.by_word == frozenset({0})  # the caller leaves the match unsettled (next test)


def test_names_read_by_their_last_word_leave_the_match_unsettled(monkeypatch):
    import kmrecon.run_arms as run_arms
    from reconstruct.arm_matching import ArmMatch

    monkeypatch.setattr(run_arms, "match_by_fit", lambda *a, **k: (
        ArmMatch(rows=(0, 1), basis="label", detail="legend labels match the at-risk row labels; fit agrees"), ""))
    curves = [SimpleNamespace(label="At A"), SimpleNamespace(label="Am 8")]
    match, note = run_arms._match_named((curves, "word", {}), [], 1e-3, "steps", None, None, None)
    assert (match.rows, match.basis, match.settled) == ((0, 1), "label", False)
    said = 'names printed by the curves match the at-risk rows by their last word ("A", "8")'
    assert match.detail == f"{said}; fit agrees"
    assert note == f"arm matching: {said}; fit agrees; flagged, check overlay.png"  # no legend, nothing "beside"
