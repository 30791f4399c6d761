"""Tests for reconstruct.digitize.risk_table: number-at-risk tables under KM plots.

Figures are drawn here with matplotlib from seeded simulated survival times, so each printed number,
its time and the arm colours are known exactly. Real lifelines and ggsurvfit figures from
../shared/km-corpus are read when present.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from reconstruct.digitize.risk_table import RiskRow, RiskTable, read_risk_table  # noqa: E402
from reconstruct.errors import InputError  # noqa: E402
from tests._mpl_panel import render_panel  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "km-corpus"
TICKS = [0, 6, 12, 18, 24, 30]
ARMS = {"Placebo": "#1f77b4", "Drug": "#d62728"}
COLOUR_TOLERANCE = 40  # per RGB channel: anti-aliased glyph edges pull the median towards white


@pytest.fixture
def rng():
    return np.random.default_rng(20240101)


def _simulate(rng, n_per_arm=(40, 25)):
    """Event/censoring times per arm and the numbers at risk at TICKS (times >= tick)."""
    out = {}
    for (name, _), n, scale in zip(ARMS.items(), n_per_arm, (14.0, 24.0), strict=True):
        times = np.minimum(rng.exponential(scale, n), rng.uniform(10, 36, n))
        out[name] = (np.sort(times), [int(np.sum(times >= t)) for t in TICKS])
    return out


def _figure(rng, style, *, dpi=100, aside=None):
    """KM plot with an at-risk table in one of three styles; returns (rgb, panel_bbox, calibration, truth).

    ``aside``: a word printed right of the table, half a line above its first row (a legend entry beside it).
    """
    data = _simulate(rng)
    fig = Figure(figsize=(6.4, 5.6), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.2, 0.45, 0.6 if aside else 0.75, 0.5])
    for name, (times, _) in data.items():
        surv = 1.0 - np.arange(1, times.size + 1) / times.size
        ax.step(np.r_[0, times], np.r_[1, surv], where="post", color=ARMS[name], label=name)
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1.02)
    ax.set_xticks(TICKS)
    ax.set_xlabel("Months")
    ax.legend(loc="upper right")
    trans = blended_transform_factory(ax.transData, fig.transFigure)
    y = 0.34
    if style == "lifelines":  # arm header, then At risk / Censored / Events rows (lifelines add_at_risk_counts)
        for name, (times, n_risk) in data.items():
            fig.text(0.17, y, name, ha="right", style="italic", fontsize=10)
            events = [int(np.sum(times < t)) // 2 for t in TICKS]
            censored = [len(times) - n - e for n, e in zip(n_risk, events, strict=True)]
            for k, (label, values) in enumerate((("At risk", n_risk), ("Censored", censored), ("Events", events))):
                row_y = y - 0.035 * (k + 1)
                fig.text(0.17, row_y, label, ha="right", fontsize=10)
                for t, v in zip(TICKS, values, strict=True):
                    fig.text(t, row_y, str(v), ha="center", transform=trans, fontsize=10)
            y -= 0.17
    else:  # "Number at risk" header, one row per arm labelled by coloured text+line or by a coloured marker
        fig.text(0.02, y, "Number at risk", fontsize=10)
        if aside:
            fig.text(0.84, y - 0.05 + 0.03, aside, fontsize=10)
        for name, (_, n_risk) in data.items():
            y -= 0.05
            if style == "text":
                fig.text(0.09, y, name, color=ARMS[name], fontsize=10)
                fig.add_artist(
                    Line2D([0.02, 0.07], [y + 0.008] * 2, color=ARMS[name], lw=2.5, transform=fig.transFigure)
                )
            else:
                fig.add_artist(
                    Line2D([0.12], [y + 0.008], marker="s", ms=8, color=ARMS[name], transform=fig.transFigure)
                )
            for t, v in zip(TICKS, n_risk, strict=True):
                fig.text(t, y, str(v), ha="center", transform=trans, fontsize=10)
    rgb, bbox, calibration = render_panel(fig, ax)
    return rgb, bbox, calibration, {name: n for name, (_, n) in data.items()}


def _assert_colour(row: RiskRow, hex_colour: str) -> None:
    assert row.label_color is not None
    expected = np.array(to_rgb(hex_colour)) * 255
    assert np.max(np.abs(np.array(row.label_color) - expected)) <= COLOUR_TOLERANCE


# --------------------------------------------------------------------------------------------------


def test_lifelines_style_table_rows_labels_and_times(rng):
    rgb, bbox, cal, truth = _figure(rng, "lifelines")
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal)
    assert [r.label for r in table.rows] == list(ARMS)
    for row, name in zip(table.rows, ARMS, strict=True):
        np.testing.assert_array_equal(row.times, TICKS)  # snapped to the printed tick labels
        np.testing.assert_array_equal(row.n_risk, truth[name])
        assert row.label_color is None  # black labels
        assert 0.9 <= row.confidence <= 1.0
    assert table.confidence == min(r.confidence for r in table.rows)


@pytest.mark.parametrize("style", ["text", "marker"])
def test_coloured_row_labels_report_arm_colour(rng, style):
    rgb, bbox, cal, truth = _figure(rng, style)
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal)
    assert len(table.rows) == 2
    for row, name in zip(table.rows, ARMS, strict=True):
        assert row.label == (name if style == "text" else None)
        np.testing.assert_array_equal(row.times, TICKS)
        np.testing.assert_array_equal(row.n_risk, truth[name])
        _assert_colour(row, ARMS[name])


def test_legend_entry_right_of_the_table_names_no_row(rng):
    # survminer_light_000 (seed 7071): "Intermediate", a legend entry right of the table and a little above its
    # first row, was taken as that row's name printed above it (NEJM) and named the first arm's row wrongly
    rgb, bbox, cal, truth = _figure(rng, "marker", aside="Intermediate")
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal)
    assert [r.label for r in table.rows] == [None, None]
    assert [list(r.n_risk) for r in table.rows] == [truth[name] for name in ARMS]


def test_greyscale_input_reads_numbers_without_colours(rng):
    rgb, bbox, cal, truth = _figure(rng, "text")
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    table = read_risk_table(gray, panel_bbox=bbox, x_calibration=cal)
    assert [list(r.n_risk) for r in table.rows] == [truth[name] for name in ARMS]
    assert all(r.label_color is None for r in table.rows)


def test_low_resolution_table(rng):
    rgb, bbox, cal, truth = _figure(rng, "lifelines", dpi=72)
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal)
    assert [list(r.n_risk) for r in table.rows] == [truth[name] for name in ARMS]


def test_figure_without_table_gives_empty_table():
    fig = Figure(figsize=(5, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.step([0, 10, 20], [1, 0.6, 0.3], where="post")
    ax.set_xticks([0, 5, 10, 15, 20])
    ax.set_xlabel("Time (months)")
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    ext = ax.get_window_extent()
    h = rgb.shape[0]
    bbox = (int(h - ext.y1), int(ext.x0), int(h - ext.y0), int(ext.x1))
    inverse = ax.transData.inverted()
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=lambda c: float(inverse.transform((c, 0))[0]))
    assert table.rows == ()
    assert table.confidence == 0.0


def test_increasing_row_halves_confidence():
    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.2, 0.4, 0.75, 0.55])
    ax.set_xlim(0, 30)
    ax.set_xticks(TICKS)
    trans = blended_transform_factory(ax.transData, fig.transFigure)
    fig.text(0.02, 0.2, "At risk", fontsize=10)
    for t, v in zip(TICKS, [20, 18, 25, 11, 8, 3], strict=True):  # 25 after 18: a misprint or misread
        fig.text(t, 0.2, str(v), ha="center", transform=trans, fontsize=10)
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    ext = ax.get_window_extent()
    h = rgb.shape[0]
    bbox = (int(h - ext.y1), int(ext.x0), int(h - ext.y0), int(ext.x1))
    inverse = ax.transData.inverted()
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=lambda c: float(inverse.transform((c, 0))[0]))
    assert len(table.rows) == 1
    np.testing.assert_array_equal(table.rows[0].n_risk, [20, 18, 25, 11, 8, 3])
    assert table.rows[0].confidence <= 0.5


@pytest.mark.parametrize(
    "bbox",
    [
        pytest.param((0, 0, 500, 10), id="beyond-image"),
        pytest.param((50, 50, 40, 100), id="inverted"),
        pytest.param((1, 2, 3), id="three-values"),
    ],
)
def test_bad_panel_bbox_is_rejected(bbox):
    with pytest.raises(InputError, match=r"panel_bbox must"):
        read_risk_table(np.full((100, 100), 255, np.uint8), panel_bbox=bbox, x_calibration=float)


def test_bad_image_is_rejected():
    with pytest.raises(InputError, match=r"image must be a greyscale image"):
        read_risk_table(np.zeros((10, 10, 4), np.uint8), panel_bbox=(0, 0, 5, 5), x_calibration=float)


def test_results_are_frozen_with_read_only_arrays():
    row = RiskRow(label="A", label_color=(1, 2, 3), times=[0, 6], n_risk=[10, 8], confidence=0.9, row_px=100.0)
    table = RiskTable(rows=(row,), confidence=0.9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.label = "B"
    with pytest.raises(ValueError, match="read-only"):
        row.n_risk[0] = 3
    assert row.n_risk.dtype == np.int64
    assert table.to_records() == [{"arm": "A", "time": 0.0, "n_risk": 10}, {"arm": "A", "time": 6.0, "n_risk": 8}]
    assert "RiskRow" in repr(row)
    with pytest.raises(InputError, match="same length"):
        RiskRow(label=None, label_color=None, times=[0, 1], n_risk=[5], confidence=1.0, row_px=0.0)


# --------------------------------------------------------------------------------------------------
# Real figures. Truth read off the images by eye; panel box and x calibration (col -> time, linear)
# measured once from each image (panel lines and the printed x tick labels).

CORPUS_TABLES = [
    pytest.param(
        "lifelines/images/add_at_risk.png",
        (17, 122, 315, 782),
        (0.12451755, -18.9472305),
        [("exp", None, [34, 30, 22, 8, 4, 2, 2, 0]), ("control", None, [129, 127, 126, 126, 122, 97, 47, 1])],
        list(range(0, 80, 10)),
        id="lifelines-add-at-risk",
    ),
    pytest.param(
        "lifelines/images/single_at_risk_plots.png",
        (36, 263, 745, 1244),
        (0.07664907, -20.3023019),
        [("label name", None, [163, 157, 148, 134, 126, 99, 65, 1])],
        list(range(0, 80, 10)),
        id="lifelines-single",
    ),
    pytest.param(
        "ggsurvfit/images/man__figures__README-example-1.png",
        (39, 76, 273, 658),
        (0.01427195, -1.2148106),
        [
            ("Limited Time Since Surgery", None, [682, 524, 422, 383, 362, 336, 218, 89, 19]),
            ("Extended Time Since Surgery", None, [247, 175, 134, 119, 111, 101, 69, 33, 5]),
        ],
        list(range(9)),
        id="ggsurvfit-readme",
    ),
    pytest.param(
        "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-6-1.png",
        (29, 139, 462, 1371),
        (0.00813946, -1.5870987),
        [
            (None, "#F8766D", [682, 524, 422, 383, 362, 336, 218, 89, 19, 2]),
            (None, "#00BFC4", [247, 175, 134, 119, 111, 101, 69, 33, 5, 2]),
        ],
        list(range(10)),
        id="ggsurvfit-strata-symbols",
    ),
]


CORPUS_TABLES += [
    pytest.param(
        "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-4-1.png",
        (30, 173, 461, 1370),
        (0.00836072, -1.8891223),
        [
            ("Limited Time Since Surgery", None, [682, 401, 336, 46]),
            ("Extended Time Since Surgery", None, [247, 126, 101, 18]),
        ],
        [0.0, 2.5, 5.0, 7.5],
        id="ggsurvfit-decimal-ticks",
    ),
    pytest.param(
        "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-8-1.png",
        (30, 177, 592, 1370),
        (0.03092145, -7.1088351),
        [("Male", None, [138, 44, 13, 2]), ("Female", None, [90, 43, 11, 1])],
        [0, 10, 20, 30],
        id="ggsurvfit-risk-with-events-in-brackets",
    ),
    pytest.param(
        "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-5-1.png",
        (30, 475, 461, 1370),
        (0.0111753, -5.742208),
        [
            ("Limited Time Since Surgery", None, [682, 524, 422, 383, 362, 336, 218, 89, 19, 2]),
            ("Extended Time Since Surgery", None, [247, 175, 134, 119, 111, 101, 69, 33, 5, 2]),
        ],
        list(range(10)),
        id="ggsurvfit-long-row-labels",
    ),
]


@pytest.mark.shared
@pytest.mark.parametrize(("rel", "bbox", "line", "truth", "times"), CORPUS_TABLES)
def test_corpus_risk_tables(rel, bbox, line, truth, times):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{path} absent (../shared/km-corpus not available)")
    rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    slope, intercept = line
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=lambda c: slope * c + intercept)
    assert len(table.rows) == len(truth)
    for row, (label, colour, n_risk) in zip(table.rows, truth, strict=True):
        assert row.label == label
        np.testing.assert_array_equal(row.n_risk, n_risk)
        np.testing.assert_array_equal(row.times, times)
        if colour is None:
            assert row.label_color is None
        else:
            _assert_colour(row, colour)


def test_a_cell_misread_so_its_row_rises_is_read_again_and_recorded(rng, monkeypatch):
    # the first reading of the top row's t=0 cell is made "1" (a lost digit): the row then rises, its
    # cells are read again one by one (risk_cells.reread_increasing), and the table says which cell changed
    from reconstruct.digitize import risk_tokens

    rgb, bbox, cal, truth = _figure(rng, "lifelines")
    top = truth[next(iter(ARMS))]
    original = risk_tokens.split_fused_words

    def misread(words):
        words = list(original(words))
        cells = [w for w in words if w.text == str(top[0])]
        first = min(cells, key=lambda w: (w.row0, w.col0))
        return [dataclasses.replace(w, text="1") if w is first else w for w in words]

    monkeypatch.setattr(risk_tokens, "split_fused_words", misread)
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal)
    np.testing.assert_array_equal(table.rows[0].n_risk, top)
    assert table.parameters["reread"] == [{"row": next(iter(ARMS)), "index": 0, "time": 0.0, "first": 1,
                                             "second": int(top[0])}]
    monkeypatch.undo()  # read as printed: nothing read again
    assert "reread" not in read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal).parameters


def test_lifelines_header_ending_in_a_number_keeps_it(rng, monkeypatch):
    """A lifelines arm header "Group 1" over its "At risk" row: OCR reads the "1" as a word of its own, a number;
    the row is named "Group 1", not "Group" (dev 8081 lifelines_000 stopped with two rows both named "Group")."""
    monkeypatch.setitem(globals(), "ARMS", {"Group 1": "#1f77b4", "Group 2": "#d62728"})
    rgb, bbox, cal, truth = _figure(rng, "lifelines")
    table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=cal)
    assert [r.label for r in table.rows] == ["Group 1", "Group 2"]
    for row, name in zip(table.rows, ["Group 1", "Group 2"], strict=True):
        np.testing.assert_array_equal(row.n_risk, truth[name])  # the "1" of the header is no cell
