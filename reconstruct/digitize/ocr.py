"""Read text and numbers from figure images with an OCR engine shipped inside its wheel.

The engine is RapidOCR (``rapidocr`` on PyPI, Apache-2.0) running PP-OCRv6 ONNX models that are part
of the wheel, on ``onnxruntime`` (MIT). Nothing is downloaded at run time. The engine is imported and
built on first use only, so importing :mod:`reconstruct` stays fast and does not load it.

Coordinates are ``(row, col)`` pixels, origin top-left; ``row1``/``col1`` are exclusive bounds.

References
----------
1. RapidOCR, https://github.com/RapidAI/RapidOCR (Apache-2.0; models from PaddleOCR, Apache-2.0).
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

# the engine, its recogniser's reading of text lines (_recognise) and its detector's input live in ocr_engine
from reconstruct.digitize.label_boxes import _label_boxes_near_axis
from reconstruct.digitize.ocr_engine import _NARROW_PX, _TEXT_HEIGHT_PX, _engine, _float32_detector_input, _recognise
from reconstruct.errors import InputError

__all__ = ["TextBox", "read_text", "parse_number", "read_tick_labels", "check_gray_image", "forget_readings"]

# Characters OCR engines confuse with digits, mapped to the digit a number label means.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1"})
_MINUS_SIGNS = "\u2212\u2012\u2013\u2014\u2010\u2011\ufe63\uff0d"
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
# Results of the engine by the bytes of the image it read: ``run`` digitizes a figure again when it finds
# more table rows than curves, and rereads the same tick labels and legend words (the engine is
# deterministic, so a repeat gets the same answer). Only immutable results are kept.
_MEMO_SIZE = 512
_MEMO: OrderedDict[tuple[str, tuple[int, ...], str, bytes], Any] = OrderedDict()
_MEMO_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class TextBox:
    """One word of text found in an image.

    Attributes
    ----------
    text : str
        The recognised text, as read (no normalisation).
    confidence : float
        Recogniser score in [0, 1].
    row0, col0, row1, col1 : int
        Bounding box in ``(row, col)`` pixels, origin top-left; ``row1`` and ``col1`` are exclusive.
    """

    text: str
    confidence: float
    row0: int
    col0: int
    row1: int
    col1: int

    @property
    def center_px(self) -> tuple[float, float]:
        """Centre of the box as ``(row, col)`` pixels."""
        return (self.row0 + self.row1) / 2.0, (self.col0 + self.col1) / 2.0

    @property
    def height_px(self) -> int:
        """Height of the box in pixels."""
        return self.row1 - self.row0


def check_gray_image(image: Any, *, name: str = "gray") -> NDArray[np.uint8]:
    """Return ``image`` as a C-contiguous uint8 array of shape (rows, cols), or raise InputError."""
    arr = np.asarray(image)
    if arr.ndim != 2:
        raise InputError(
            f"{name} must be a greyscale image of shape (rows, cols), got an array with ndim={arr.ndim}",
        )
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        raise InputError(f"{name} must be at least 2x2 pixels, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        raise InputError(f"{name} must have dtype uint8, got {arr.dtype}; hint: convert with img.astype(np.uint8)")
    return np.ascontiguousarray(arr)


_MemoKey = tuple[str, tuple[int, ...], str, bytes]


def _memo_key(kind: str, image: NDArray[np.uint8]) -> _MemoKey:
    """The memory's key of one ``kind`` of reading of an image: its shape, dtype and a hash of its bytes."""
    image = np.ascontiguousarray(image)
    return kind, image.shape, image.dtype.str, hashlib.blake2b(image.tobytes(), digest_size=20).digest()


def _recalled(key: _MemoKey) -> Any:
    """The stored result under ``key`` (:func:`_memo_key`), or None."""
    with _MEMO_LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    return None


def _remember(key: _MemoKey, value: Any) -> Any:
    """Store ``value`` under ``key`` (:func:`_memo_key`), the oldest entries going first; returns ``value``."""
    with _MEMO_LOCK:
        _MEMO[key] = value
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return value


def forget_readings() -> None:
    """Empty the OCR's memory of images read before (a benchmark timing a run after an untimed one of the same
    figure starts each timed run as a fresh process would)."""
    with _MEMO_LOCK:
        _MEMO.clear()


def _remembered(kind: str, image: NDArray[np.uint8], compute: Callable[[], Any]) -> Any:
    """``compute()``, or its stored result for the same ``kind`` of reading of the same image bytes."""
    key = _memo_key(kind, image)
    known = _recalled(key)
    return known if known is not None else _remember(key, compute())


def read_text(gray: NDArray[np.uint8]) -> tuple[TextBox, ...]:
    """Find and read every word of text in a greyscale image.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        Greyscale image, dark text on a light background (either polarity works in practice).

    Returns
    -------
    tuple of TextBox
        One box per word, in reading order of the engine (top to bottom, then left to right).
        Empty when no text is found.

    Raises
    ------
    InputError
        If ``gray`` is not a 2-D uint8 array.
    """
    gray = check_gray_image(gray)
    return _remembered("words", gray, lambda: _detect_words(gray))


def _detect_words(gray: NDArray[np.uint8]) -> tuple[TextBox, ...]:
    """Text detection and recognition of every word (the work of :func:`read_text`).

    The steps of ``RapidOCR.__call__`` (no angle classifier), with :func:`_recognise` for its recogniser.
    """
    from rapidocr.ch_ppocr_cls import TextClsOutput
    from rapidocr.main import RapidOCRError

    engine = _engine(_NARROW_PX)
    _float32_detector_input(engine)
    image = engine.load_img(gray)
    scaled, record = engine.preprocess_img(image)
    try:
        lines, detected = engine.detect_and_crop(scaled, record)
    except RapidOCRError:  # nothing detected
        return ()
    return _word_boxes(engine.build_final_output(image, detected, TextClsOutput(), _recognise(lines), lines, record))


def _word_boxes(result: Any) -> tuple[TextBox, ...]:
    """One :class:`TextBox` per word of the engine's output (its ``word_results``), blank words left out."""
    if getattr(result, "txts", None) is None or getattr(result, "word_results", None) is None:
        return ()
    boxes: list[TextBox] = []
    for words in result.word_results:
        for text, score, poly in words:
            if not str(text).strip():
                continue
            pts = np.asarray(poly, dtype=float)
            boxes.append(
                TextBox(
                    text=str(text),
                    confidence=float(score),
                    row0=int(np.floor(pts[:, 1].min())),
                    col0=int(np.floor(pts[:, 0].min())),
                    row1=int(np.ceil(pts[:, 1].max())) + 1,
                    col1=int(np.ceil(pts[:, 0].max())) + 1,
                )
            )
    return tuple(boxes)


def _recognise_crops(crops: Sequence[NDArray[np.uint8]]) -> list[tuple[str, float]]:
    """Read one line of text from each tight crop with the recogniser only (no detection pass).

    Crops read before (same pixels) come from memory; the others are read together by :func:`_recognise`.
    """
    keys = [_memo_key("line", crop) for crop in crops]  # each crop hashed once
    known: list[tuple[str, float] | None] = [_recalled(key) for key in keys]
    todo: dict[_MemoKey, int] = {}  # each new image once, by its first index
    for i, (key, pair) in enumerate(zip(keys, known, strict=True)):
        if pair is None:
            todo.setdefault(key, i)
    found: dict[_MemoKey, tuple[str, float]] = {}
    if todo:
        engine = _engine(_NARROW_PX)
        # as ``RapidOCR.__call__`` prepares an image: 3 channels, each side within the engine's bounds
        read = _recognise([engine.preprocess_img(engine.load_img(crops[i]))[0] for i in todo.values()])
        for key, text, score in zip(todo, read.txts, read.scores, strict=True):
            found[key] = _remember(key, (str(text), float(score)))
    return [found[key] if pair is None else pair for key, pair in zip(keys, known, strict=True)]


def parse_number(text: str) -> float | None:
    """Parse a number printed on a figure, forgiving common OCR confusions.

    Handles unicode minus signs and dashes, a trailing or leading percent sign (the number is returned
    as printed: ``"80%"`` gives 80.0), thousands separators (``"1,000"``, thin spaces), a decimal comma
    (``"0,5"``), and letters read for digits (``O``/``o``/``D`` for 0, ``l``/``I``/``|`` for 1).

    Parameters
    ----------
    text : str
        Text of one label.

    Returns
    -------
    float or None
        The value, or None when the text is not a single number.

    Examples
    --------
    >>> parse_number("\u22120.5"), parse_number("80 %"), parse_number("1,250"), parse_number("l0")
    (-0.5, 80.0, 1250.0, 10.0)
    >>> parse_number("Events") is None
    True
    """
    if not isinstance(text, str):
        return None
    s = text.replace("\u2009", "").replace("\u202f", "").replace("\u00a0", "")  # before NFKC makes them spaces
    s = unicodedata.normalize("NFKC", s).strip()
    for ch in _MINUS_SIGNS:
        s = s.replace(ch, "-")
    s = s.strip("%").rstrip("+_'`\"").strip()  # a tick stub read as "+" can trail a label
    if not s:
        return None
    s = s.translate(_DIGIT_LOOKALIKES)
    s = re.sub(r"^([+-])\s+", r"\1", s)
    if _THOUSANDS_RE.fullmatch(s):
        s = s.replace(",", "")
    elif s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if not _NUMBER_RE.fullmatch(s):
        return None
    return float(s)


def _tight_crop(gray: NDArray[np.uint8], box: tuple[int, int, int, int], paper: int) -> NDArray[np.uint8]:
    """Crop a text box with a margin of the paper's grey and scale it so the text is about recogniser height."""
    import cv2

    r0, c0, r1, c1 = box
    pad = max(2, (r1 - r0) // 3)
    crop = gray[max(r0 - pad, 0) : r1 + pad, max(c0 - pad, 0) : c1 + pad]
    scale = (_TEXT_HEIGHT_PX * 0.75) / max(r1 - r0, 1)
    if scale > 1.2:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(crop, 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=paper)


def x_label_band_px(rows: int) -> int:
    """Height (pixels) of the strip under an x axis searched for its tick labels, in an image of ``rows`` rows."""
    return int(max(0.08 * rows, 30))


def read_tick_labels(
    gray: NDArray[np.uint8],
    axis: Literal["x", "y"],
    tick_positions_px: Sequence[float],
    *,
    axis_px: float | None = None,
    band_px: int | None = None,
) -> list[tuple[float, float]]:
    """Read the numeric labels printed next to known tick positions.

    Parameters
    ----------
    gray : ndarray of shape (rows, cols), uint8
        Greyscale figure.
    axis : {"x", "y"}
        ``"x"``: labels below the x axis, ticks given as columns; ``"y"``: labels left of the y axis,
        ticks given as rows.
    tick_positions_px : sequence of float
        Tick positions in pixels (columns for x, rows for y).
    axis_px : float, optional
        Row of the x-axis line (or column of the y-axis line). When given, each label is cropped from
        the ink next to its tick and read by the recogniser alone (fast, ~10 ms a label). When None,
        the whole image goes through text detection and the numbers aligned with the ticks are kept.
    band_px : int, optional
        How far from the axis line labels are searched, in pixels (default 8% of the image height for
        x, 20% of the width for y).

    Returns
    -------
    list of (float, float)
        ``(position_px, value)`` for each tick whose label was read as a number, in the order of
        ``tick_positions_px``; ticks without a readable label are left out. A percent label gives the
        number as printed (``"80%"`` -> 80.0). The pairs feed ``AxisCalibration.from_ticks``.

    Raises
    ------
    InputError
        If ``gray`` is not a 2-D uint8 image, ``axis`` is not "x"/"y" or a tick position is not finite.
    """
    gray = check_gray_image(gray)
    if axis not in ("x", "y"):
        raise InputError(f"axis must be 'x' or 'y', got {axis!r}")
    ticks = np.asarray(tick_positions_px, dtype=float).reshape(-1)
    if not np.all(np.isfinite(ticks)):
        raise InputError(f"tick_positions_px must be finite pixel positions, got {list(ticks)!r}")
    if len(ticks) == 0:
        return []
    if axis_px is None:
        return _match_detected_labels(gray, axis, ticks)
    rows, cols = gray.shape
    band = int(band_px) if band_px is not None else (x_label_band_px(rows) if axis == "x" else int(max(0.2 * cols, 40)))
    out: list[tuple[float, float]] = []
    found: list[tuple[float, tuple[int, int, int, int]]] = []
    # a blurred scan joins x labels to their tick marks: when no label is read, read them again cut free (not
    # when one is: a panel found on part of the axis then reads two labels, and its curves start before 0)
    for cut_stubs in (False, True) if axis == "x" else (False,):
        if out or (cut_stubs and len(found) == len(ticks)):
            break
        boxes = _label_boxes_near_axis(gray, axis, ticks, float(axis_px), band, cut_stubs=cut_stubs)
        found = [(t, b) for t, b in zip(ticks, boxes, strict=True) if b is not None]
        paper = int(np.median(gray)) if found else 0  # the figure's median grey, once for all its labels
        texts = _recognise_crops([_tight_crop(gray, b, paper) for _, b in found])
        read = []
        for (tick, _), (text, _score) in zip(found, texts, strict=True):
            value = parse_number(text)
            if value is not None:
                read.append((float(tick), value))
        out = read if len(read) > len(out) else out
    return out


def _match_detected_labels(gray: NDArray[np.uint8], axis: str, ticks: NDArray[np.float64]) -> list[tuple[float, float]]:
    """Detect all text, then keep the line (x) or column (y) of numbers that lines up best with the ticks."""
    boxes = read_text(gray)
    values = [parse_number(b.text) for b in boxes]
    if all(v is None for v in values):
        return []
    spacing = float(np.min(np.diff(np.sort(ticks)))) if len(ticks) > 1 else float(max(gray.shape))
    along = 1 if axis == "x" else 0

    def across(b: TextBox) -> tuple[int, int]:
        return (b.row0, b.row1) if axis == "x" else (b.col0, b.col1)

    best: list[tuple[float, float]] = []
    best_key: tuple[int, float] = (0, 0.0)
    for anchor, value in zip(boxes, values, strict=True):  # each number proposes its label row (x) or column (y)
        if value is None:
            continue
        a0, a1 = across(anchor)
        group = [(b, v) for b, v in zip(boxes, values, strict=True) if across(b)[0] < a1 and across(b)[1] > a0]
        pairs = []
        for tick in ticks:
            dists = [abs(b.center_px[along] - tick) for b, _ in group]
            k = int(np.argmin(dists))
            if dists[k] < 0.4 * spacing and group[k][1] is not None:
                pairs.append((float(tick), float(group[k][1])))
        key = (len(pairs), -float(a0) if axis == "x" else float(a1))  # ties: the line nearest the axis
        if key > best_key:
            best, best_key = pairs, key
    return best
