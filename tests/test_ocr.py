"""Tests for reconstruct.digitize.ocr: number parsing, text reading and tick-label reading.

Images are rendered by matplotlib (Agg) in the tests, so every label and position is known exactly.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reconstruct.digitize.ocr import TextBox, parse_number, read_text, read_tick_labels  # noqa: E402
from reconstruct.errors import InputError  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / ".." / "shared" / "km-corpus"


def _gray(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _axes_figure(x_labels, y_labels, *, size=(5.5, 3.8), dpi=100):
    """A KM-like axes with the given tick labels; returns gray image and tick geometry in pixels."""
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xv = [parse_number(t) for t in x_labels]
    yv = [parse_number(t) for t in y_labels]
    ax.step(np.linspace(xv[0], xv[-1], 6), np.linspace(yv[-1], yv[0], 6), where="post")
    ax.set_xlim(xv[0], xv[-1])
    ax.set_ylim(yv[0], yv[-1])
    ax.set_xticks(xv, x_labels)
    ax.set_yticks(yv, y_labels)
    ax.set_xlabel("Months since randomisation")
    ax.set_ylabel("Overall survival")
    gray = _gray(fig)
    height = gray.shape[0]
    cols = [float(ax.transData.transform((v, yv[0]))[0]) for v in xv]
    rows = [height - float(ax.transData.transform((xv[0], v))[1]) for v in yv]
    axis_row = height - float(ax.transAxes.transform((0, 0))[1])
    axis_col = float(ax.transAxes.transform((0, 0))[0])
    return gray, cols, rows, axis_row, axis_col, xv, yv


# --------------------------------------------------------------------------------------------------
# parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0", 0.0, id="zero"),
        pytest.param("12", 12.0, id="int"),
        pytest.param("0.75", 0.75, id="decimal"),
        pytest.param("\u22120.2", -0.2, id="unicode-minus"),
        pytest.param("\u20135", -5.0, id="en-dash"),
        pytest.param("-3", -3.0, id="ascii-minus"),
        pytest.param("80%", 80.0, id="percent"),
        pytest.param("100 %", 100.0, id="percent-space"),
        pytest.param("1,000", 1000.0, id="thousands"),
        pytest.param("12,500,000", 12500000.0, id="millions"),
        pytest.param("0,5", 0.5, id="decimal-comma"),
        pytest.param("1\u2009000", 1000.0, id="thin-space"),
        pytest.param("O.5", 0.5, id="letter-O"),
        pytest.param("1O0", 100.0, id="letter-O-inside"),
        pytest.param("l0", 10.0, id="letter-l"),
        pytest.param("I2", 12.0, id="letter-I"),
        pytest.param(" 24 ", 24.0, id="padding"),
        pytest.param("\uff11\uff12", 12.0, id="fullwidth-digits"),
        pytest.param(".5", 0.5, id="leading-point"),
    ],
)
def test_parse_number_reads_label(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "%", "Events", "At risk", "12 months", "1.2.3", "--1", "34 30", None, 12])
def test_parse_number_rejects_non_numbers(text):
    assert parse_number(text) is None


@settings(max_examples=200, deadline=None)
@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    decimals=st.integers(min_value=0, max_value=3),
    unicode_minus=st.booleans(),
    percent=st.booleans(),
)
def test_parse_number_round_trips_formatted_values(value, decimals, unicode_minus, percent):
    text = f"{value:.{decimals}f}"
    expected = float(text)
    if unicode_minus:
        text = text.replace("-", "\u2212")
    if percent:
        text += "%"
    assert parse_number(text) == expected


# --------------------------------------------------------------------------------------------------
# read_text


def test_read_text_finds_words_with_boxes_around_them():
    fig = Figure(figsize=(4, 1.5), dpi=100)
    FigureCanvasAgg(fig)
    words = {"Placebo": (0.05, 0.6), "0.75": (0.55, 0.6), "\u22122": (0.8, 0.2)}
    artists = {w: fig.text(x, y, w, fontsize=14) for w, (x, y) in words.items()}
    gray = _gray(fig)
    renderer = fig.canvas.get_renderer()
    boxes = read_text(gray)
    assert all(isinstance(b, TextBox) for b in boxes)
    by_text = {b.text.replace("\u2212", "-"): b for b in boxes}
    assert set(by_text) == {"Placebo", "0.75", "-2"}
    for word, artist in artists.items():
        box = by_text[word.replace("\u2212", "-")]
        extent = artist.get_window_extent(renderer)
        centre_row = gray.shape[0] - (extent.y0 + extent.y1) / 2
        centre_col = (extent.x0 + extent.x1) / 2
        # The box must contain the rendered text's centre and lie within 6 px of its extent.
        assert box.row0 <= centre_row <= box.row1
        assert box.col0 <= centre_col <= box.col1
        assert abs(box.col0 - extent.x0) <= 6
        assert abs(box.col1 - extent.x1) <= 6
        assert 0.5 <= box.confidence <= 1.0


def _at_risk_line():
    """A grey image of the words "At risk 120" (14 pt at 100 dpi)."""
    fig = Figure(figsize=(3, 1), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.4, "At risk 120", fontsize=14)
    return _gray(fig)


def test_read_text_and_label_crops_are_read_once_per_image(monkeypatch):
    from reconstruct.digitize import ocr

    monkeypatch.setattr(ocr, "_MEMO", type(ocr._MEMO)())
    gray = _at_risk_line()
    runs = []
    detect, recognise = ocr._detect_words, ocr._recognise
    monkeypatch.setattr(ocr, "_detect_words", lambda image: runs.append(True) or detect(image))
    monkeypatch.setattr(ocr, "_recognise", lambda lines: runs.append(len(lines)) or recognise(lines))
    first = read_text(gray)
    again = read_text(gray.copy())  # equal pixels in another array
    assert again == first
    assert [b.text for b in first] == ["At", "risk", "120"]
    crop = np.ascontiguousarray(gray[:, : gray.shape[1] // 2])
    texts = ocr._recognise_crops([crop, crop.copy()])
    assert texts[0] == texts[1]
    assert runs == [True, 1, 1]  # one detection (its one line recognised), one crop recognised: repeats from memory
    other = gray.copy()
    other[:, first[2].col0 - 1 :] = 255  # without the number: different pixels are read afresh
    assert [b.text for b in read_text(other)] == ["At", "risk"]
    assert len(ocr._MEMO) == 3


def test_forget_readings_reads_an_image_afresh(monkeypatch):
    from reconstruct.digitize import ocr

    monkeypatch.setattr(ocr, "_MEMO", type(ocr._MEMO)())
    gray = _at_risk_line()
    runs = []
    detect = ocr._detect_words
    monkeypatch.setattr(ocr, "_detect_words", lambda image: runs.append(True) or detect(image))
    first = read_text(gray)
    ocr.forget_readings()
    assert len(ocr._MEMO) == 0
    assert read_text(gray) == first
    assert runs == [True, True]  # detected twice: the second reading did not come from memory


def test_read_text_blank_image_returns_empty_tuple():
    assert read_text(np.full((60, 200), 255, np.uint8)) == ()


def test_textbox_is_frozen():
    box = TextBox("12", 0.99, 1, 2, 11, 20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        box.text = "13"
    assert box.center_px == (6.0, 11.0)
    assert box.height_px == 10


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(np.zeros((10, 10, 3), np.uint8), id="colour"),
        pytest.param(np.zeros((10, 10), np.float64), id="float"),
        pytest.param(np.zeros(10, np.uint8), id="1d"),
        pytest.param(np.zeros((1, 10), np.uint8), id="one-row"),
    ],
)
def test_read_text_rejects_bad_images(bad):
    with pytest.raises(InputError, match=r"must"):
        read_text(bad)


# --------------------------------------------------------------------------------------------------
# read_tick_labels

TICK_CASES = [
    pytest.param(["0", "6", "12", "18", "24", "30"], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], 100, id="months"),
    pytest.param(["0", "250", "500", "750", "1000"], ["0%", "25%", "50%", "75%", "100%"], 72, id="percent-72dpi"),
    pytest.param(["0.0", "2.5", "5.0", "7.5"], ["0.40", "0.60", "0.80", "1.00"], 150, id="y-from-0.4"),
]


@pytest.mark.parametrize(("x_labels", "y_labels", "dpi"), TICK_CASES)
@pytest.mark.parametrize("with_axis", [True, False], ids=["crop", "detect"])
def test_read_tick_labels_returns_values_at_ticks(x_labels, y_labels, dpi, with_axis):
    gray, cols, rows, axis_row, axis_col, xv, yv = _axes_figure(x_labels, y_labels, dpi=dpi)
    got_x = read_tick_labels(gray, "x", cols, axis_px=axis_row if with_axis else None)
    got_y = read_tick_labels(gray, "y", rows, axis_px=axis_col if with_axis else None)
    assert got_x == list(zip(cols, xv, strict=True))
    assert got_y == list(zip(rows, yv, strict=True))


def test_read_tick_labels_survives_jpeg():
    gray, cols, rows, axis_row, axis_col, xv, yv = _axes_figure(
        ["0", "12", "24", "36", "48"], ["0.00", "0.25", "0.50", "0.75", "1.00"]
    )
    _, buf = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, 50])
    jpeg = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    assert read_tick_labels(jpeg, "x", cols, axis_px=axis_row) == list(zip(cols, xv, strict=True))
    assert read_tick_labels(jpeg, "y", rows, axis_px=axis_col) == list(zip(rows, yv, strict=True))


def test_read_tick_labels_feeds_axis_calibration():
    from reconstruct.digitize.axes import AxisCalibration

    gray, cols, _, axis_row, _, xv, _ = _axes_figure(["0", "6", "12", "18", "24"], ["0.0", "0.5", "1.0"])
    pairs = read_tick_labels(gray, "x", cols, axis_px=axis_row)
    px, values = zip(*pairs, strict=True)
    cal = AxisCalibration.from_ticks(px, values, axis="x", source="ocr")
    np.testing.assert_allclose(cal.to_value(cols), xv, atol=1e-9)  # exact ticks: fit is exact to rounding


def test_read_tick_labels_leaves_out_ticks_without_label():
    gray, cols, _, axis_row, _, xv, _ = _axes_figure(["0", "10", "20", "30"], ["0", "1"])
    gray[int(axis_row) + 3 :, int(cols[2]) - 12 : int(cols[2]) + 12] = 255  # erase the "20" label
    got = read_tick_labels(gray, "x", cols, axis_px=axis_row)
    assert got == [(cols[0], 0.0), (cols[1], 10.0), (cols[3], 30.0)]


def test_read_tick_labels_empty_ticks():
    assert read_tick_labels(np.full((50, 50), 255, np.uint8), "x", [], axis_px=10) == []


@pytest.mark.parametrize(
    ("axis", "ticks", "match"),
    [
        pytest.param("z", [1.0, 2.0], r"axis must be 'x' or 'y', got 'z'", id="axis"),
        pytest.param("x", [1.0, np.nan], r"tick_positions_px must be finite", id="nan"),
    ],
)
def test_read_tick_labels_rejects_bad_arguments(axis, ticks, match):
    with pytest.raises(InputError, match=match):
        read_tick_labels(np.full((50, 50), 255, np.uint8), axis, ticks)


# --------------------------------------------------------------------------------------------------
# Real figures (lifelines/matplotlib and ggsurvfit/ggplot2), skipped when ../shared is absent.

CORPUS_TICKS = [
    pytest.param(
        "lifelines/images/add_at_risk.png",
        [*map(str, range(0, 80, 10)), "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
        id="lifelines-add-at-risk",
    ),
    pytest.param(
        "ggsurvfit/images/man__figures__README-unnamed-chunk-2-1.png",
        [*map(str, range(9)), "0%", "25%", "50%", "75%", "100%"],
        id="ggsurvfit-percent",
    ),
]


@pytest.mark.shared
@pytest.mark.parametrize(("rel", "labels"), CORPUS_TICKS)
def test_read_text_reads_corpus_tick_labels(rel, labels):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{path} absent (../shared/km-corpus not available)")
    words = [b.text for b in read_text(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))]
    missing = [label for label in labels if label not in words]
    assert missing == []


# --------------------------------------------------------------------------------------------------
# Lazy imports


def test_importing_packages_does_not_load_ocr_engine():
    code = (
        "import sys, reconstruct, reconstruct.digitize.ocr, reconstruct.digitize.risk_table, compare\n"
        "bad = sorted(m for m in ('rapidocr', 'onnxruntime', 'cv2') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _word_crop(text: str, fontsize: float) -> np.ndarray:
    """A tight greyscale crop of one rendered word (dark on white), as the tick-label reader cuts them."""
    fig = Figure(figsize=(2.4, 0.6), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.3, text, fontsize=fontsize)
    gray = _gray(fig)
    rows, cols = np.nonzero(gray < 128)
    return np.ascontiguousarray(gray[rows.min() - 4 : rows.max() + 5, cols.min() - 4 : cols.max() + 5])


def test_crops_read_together_at_their_own_width_give_the_padded_texts(monkeypatch):
    from reconstruct.digitize import ocr, ocr_engine

    monkeypatch.setattr(ocr, "_MEMO", type(ocr._MEMO)())
    words = ["0", "12", "120", "1,250", "0.75", "100%", "Placebo", "At risk"]
    crops = [_word_crop(w, size) for w, size in zip(words, [9, 11, 14, 10, 12, 9, 13, 11], strict=True)]
    engine = ocr._engine(ocr_engine._PADDED_PX)
    alone = [engine.recognize_txt([engine.preprocess_img(engine.load_img(c))[0]]) for c in crops]
    padded = [(str(r.txts[0]), float(r.scores[0])) for r in alone]  # one at a time, padded to 160 px
    assert [t for t, _ in padded] == words
    together = ocr._recognise_crops(crops)
    assert [t for t, _ in together] == words
    assert all(score >= 0.9 for _, score in together)


@pytest.mark.parametrize("sure", [0.0, "median", 1.01])
def test_unsure_readings_are_replaced_by_the_padded_reading(monkeypatch, sure):
    from reconstruct.digitize import ocr_engine as ocr

    crops = [_word_crop(w, size) for w, size in [("36", 6), ("4", 15), ("Arm B", 7), ("250", 5), ("0.0", 12)]]
    engine = ocr._engine(ocr._NARROW_PX)
    lines = [engine.preprocess_img(engine.load_img(c))[0] for c in crops]
    narrow = ocr._read_lines(ocr._NARROW_PX, lines)
    scores = [score for _, score, _ in narrow]
    if sure == "median":
        sure = float(np.median(scores))
    monkeypatch.setattr(ocr, "_SURE", sure)
    got = ocr._recognise(lines)
    redo = [i for i, s in enumerate(scores) if s < sure]
    assert len(redo) == {0.0: 0, 1.01: len(lines)}.get(sure, 2)
    padded = ocr._read_lines(ocr._PADDED_PX, [lines[i] for i in redo])
    for i in range(len(lines)):
        expected = padded[redo.index(i)] if i in redo else narrow[i]
        assert (got.txts[i], got.scores[i], got.word_results[i]) == expected
    assert len(got.txts) == len(got.scores) == len(got.word_results) == len(lines)
    assert list(got.txts) == ["36", "4", "Arm B", "250", "0.0"]


def test_engine_sessions_keep_their_memory_arena():
    from reconstruct.digitize import ocr

    engine = ocr._engine(ocr._NARROW_PX)
    ocr._detect_words(_word_crop("12", 14))  # the detector and recogniser are loaded on first use
    sessions = [engine.text_det.session.session, engine.text_rec.session.session]
    assert [s.get_session_options().enable_cpu_mem_arena for s in sessions] == [True, True]
    assert [s.get_session_options().intra_op_num_threads for s in sessions] == [1, 1]


def test_each_line_reads_as_when_alone_whatever_else_is_read_with_it():
    from reconstruct.digitize import ocr_engine as ocr

    words = [("0", 9), ("12", 11), ("120", 14), ("Placebo", 13), ("44 (4)", 10), ("Number at risk", 12), ("8", 12)]
    engine = ocr._engine(ocr._NARROW_PX)
    lines = [engine.preprocess_img(engine.load_img(_word_crop(w, size)))[0] for w, size in words]
    alone = [engine.recognize_txt([line]) for line in lines]
    expected = [(r.txts[0], r.scores[0]) for r in alone]
    together = ocr._read_lines(ocr._NARROW_PX, lines)
    assert [(t, s) for t, s, _ in together] == expected
    reversed_order = ocr._read_lines(ocr._NARROW_PX, lines[::-1])[::-1]
    assert [(t, s) for t, s, _ in reversed_order] == expected
    assert [t for t, _ in expected] == [w for w, _ in words]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.integers(1, 2000), st.sampled_from([48, 160]))
def test_padded_width_is_the_line_width_at_recogniser_height_but_at_least_the_minimum(rows, cols, width):
    from reconstruct.digitize import ocr_engine as ocr

    line = np.zeros((rows, cols, 3), np.uint8)
    got = ocr._padded_width(width, line)
    assert got >= width - 1e-9 and got >= int(ocr._TEXT_HEIGHT_PX * cols / rows) - 1e-9
    assert got <= max(width, ocr._TEXT_HEIGHT_PX * cols / rows) + 1e-9


@pytest.mark.parametrize("writeable", [True, False])
def test_wide_characters_get_no_probability_and_the_rest_stay(writeable):
    from reconstruct.digitize import ocr_engine as ocr

    alphabet = ["blank", "(", "（", "2", "中", "é", " "]
    probs = np.random.default_rng(7).uniform(0, 1, (2, 5, len(alphabet))).astype(np.float32)

    def output(batch):  # the session's output, which a read-only array must not be written into
        out = probs.copy()
        out.setflags(write=writeable)
        return out

    session = ocr._NoWideCharacters(output, alphabet)
    got = session(np.zeros((2, 3, 48, 64), np.float32))
    wide = [2, 4]
    assert np.all(got[..., wide] == 0)
    keep = [i for i in range(len(alphabet)) if i not in wide]
    assert np.array_equal(got[..., keep], probs[..., keep])


@pytest.mark.parametrize("shape", [(352, 1088), (2000, 900), (40, 30), (1601, 1601)])
def test_detector_input_in_float32_equals_rapidocrs_bit_for_bit(shape):
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    from reconstruct.digitize import ocr_engine as ocr

    engine = ocr._engine(ocr._NARROW_PX)
    ocr._float32_detector_input(engine)
    detector = engine.text_det
    img = np.random.default_rng(shape[0]).integers(0, 256, (*shape, 3), dtype=np.uint8)
    ours = detector.get_preprocess()(img)
    theirs = DetPreProcess(detector.limit_side_len, detector.limit_type, detector.mean, detector.std)(img)
    assert ours.dtype == theirs.dtype == np.float32
    assert np.array_equal(ours, theirs)
    assert ours.flags.c_contiguous


def test_settled_config_gives_the_nodes_values_and_keeps_nested_nodes_live():
    from omegaconf import OmegaConf

    from reconstruct.digitize import ocr_engine as ocr

    node = OmegaConf.create({"lang_type": "en", "font_path": None, "shape": [3, 48, 160], "Det": {"side": 960}})
    view = ocr._SettledConfig(node)
    assert (view.lang_type, view.font_path, view["lang_type"]) == ("en", None, "en")
    assert list(view.shape) == [3, 48, 160]
    view.Det.side = 1600  # a nested node is the node itself: what is set there, the engine sees
    assert node.Det.side == 1600
    with pytest.raises(AttributeError):
        _ = view.missing


def test_recogniser_reads_its_settings_as_plain_values():
    from reconstruct.digitize import ocr_engine as ocr

    recogniser = ocr._engine(ocr._NARROW_PX).text_rec
    assert recogniser.rec_image_shape == [3, ocr._TEXT_HEIGHT_PX, ocr._NARROW_PX]
    assert all(type(v) is int for v in recogniser.rec_image_shape)
    assert recogniser.cfg.font_path is None and recogniser.cfg.lang_type.value == "ch"
    assert {"font_path", "lang_type"} <= set(vars(recogniser.cfg))  # kept after the first read
