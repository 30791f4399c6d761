"""The OCR engine's plumbing: building it, its recogniser's reading of text lines, its detector's input.

The engine is RapidOCR (``rapidocr`` on PyPI, Apache-2.0) running PP-OCRv6 ONNX models that are part of the
wheel, on ``onnxruntime`` (MIT); :mod:`reconstruct.digitize.ocr` reads figures with it. The engine is imported
and built on first use only, so importing :mod:`reconstruct` stays fast and does not load it.
"""

from __future__ import annotations

import enum
import functools
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from rapidocr import RapidOCR
    from rapidocr.ch_ppocr_rec import TextRecOutput

_TEXT_HEIGHT_PX = 48  # input height of the PP-OCR recogniser
# Each line is read at its own width (at least _NARROW_PX), again padded to _PADDED_PX when scored below _SURE
# (_recognise). Padding to 160 px reads what PaddleOCR's 320 px reads on the wild corpus, 96 px and less does
# not; below 0.97, not 0.99, a tick mark read "1" at its own width made a table row of one wild figure. Keeping
# digits alone read with 0.97-0.99 (~1% of the OCR's CPU) loses text too: '2' 0.979 padded reads '26' 0.947, and
# '5' 0.983 reads nothing (2 of 69 such lines on 61 dev figures).
_NARROW_PX = 48
_PADDED_PX = 160
_SURE = 0.99


@functools.lru_cache(maxsize=2)
def _engine(width: int) -> RapidOCR:
    """Build the RapidOCR engine once per recogniser width (lazy import: the engine loads ~35 MB of models).

    ``width`` is the narrowest line the recogniser reads, in pixels at its input height of 48: shorter
    lines are padded to it. The detection model is loaded on first detection only.
    """
    import logging

    from rapidocr import RapidOCR

    # rapidocr logs INFO lines to the console from import on, before its own log_level applies.
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    params = {
        "Global.log_level": "critical",
        "Global.use_cls": False,  # figure text is upright; the angle classifier flips "80%" into "%08"
        "Global.return_word_box": True,
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        # reuse the memory of earlier runs (rapidocr turns the arena off): the same numbers, ~4% less CPU
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
        "Det.limit_type": "max",
        "Det.limit_side_len": 1600,
        "Rec.rec_img_shape": [3, _TEXT_HEIGHT_PX, int(width)],
    }
    engine = RapidOCR(params=params)
    recogniser = engine._load_rec_model()  # noqa: SLF001 - built now to restrict its alphabet
    recogniser.session = _NoWideCharacters(recogniser.session, recogniser.postprocess_op.character)
    # the recogniser reads its settings at every call, from omegaconf nodes (~0.4 ms a line): plain values
    recogniser.rec_image_shape = [int(v) for v in recogniser.rec_image_shape]
    recogniser.cfg = _SettledConfig(recogniser.cfg)
    return engine


class _SettledConfig:
    """A read-only view of an omegaconf node that keeps each plain setting once read (the engine is built
    with fixed settings; an omegaconf attribute read costs ~50 us). Nested nodes are read through."""

    def __init__(self, node: Any) -> None:
        self._node = node

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._node, name)
        if isinstance(value, (str, int, float, bool, type(None), enum.Enum)):
            setattr(self, name, value)  # found in the instance next time, without __getattr__
        return value

    def __getitem__(self, key: str) -> Any:
        return self._node[key]


class _NoWideCharacters:
    """The recogniser's session, its output probabilities of East Asian wide characters set to 0.

    The recogniser's alphabet is mostly Chinese (16,949 of its 18,710 characters are wide or full-width);
    figures print Latin text, and a wide character read in a label ("（" for "(") also splits it into one
    word per character. With those probabilities at 0 the decoder takes the best other character (or the
    blank) at each step; a reading without wide characters is unchanged, its scores included.
    """

    def __init__(self, session: Any, alphabet: Sequence[str]) -> None:
        self._session = session
        self._keep = np.array(
            [not (len(ch) == 1 and unicodedata.east_asian_width(ch) in "WF") for ch in alphabet], dtype=np.float32
        )

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[np.float32]:
        probs = np.asarray(self._session(batch))
        if probs.shape[-1] == self._keep.size:
            if not probs.flags.writeable:
                probs = probs.copy()
            probs *= self._keep  # in place: the session's output is a fresh array (a copy costs ~1 ms a line)
        return probs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _padded_width(width: int, line: NDArray[np.uint8]) -> int:
    """Width in columns the recogniser reads ``line`` at, alone and padded to at least ``width`` px.

    rapidocr scales a line to its input height and pads it to ``int(height * ratio)`` columns, ``ratio`` the
    widest width-to-height ratio of its batch (at least ``width / height``).
    """
    ratio = max(float(width) / _TEXT_HEIGHT_PX, line.shape[1] / float(line.shape[0]))
    return int(_TEXT_HEIGHT_PX * ratio)


def _read_lines(width: int, lines: Sequence[NDArray[np.uint8]]) -> list[tuple[str, float, Any]]:
    """``(text, score, word info)`` of each line, read alone by the engine padding it to ``width`` px.

    A batch of the recogniser pads every line to its widest, and the padding changes what a line reads; and
    onnxruntime's numbers for a line differ in their last bits between a batch of one and a larger batch. So
    each line is read alone, one call each: its reading depends on its own pixels only (not on the other lines
    of a figure, nor on which of them the OCR's memory already holds, which differs between one process
    running many figures and several processes). The recogniser costs the same per column in batches of 1 or 6.
    """
    if not lines:
        return []
    engine = _engine(width)
    out: list[tuple[str, float, Any]] = []
    for line in lines:
        read = engine.recognize_txt([line])
        out.append((read.txts[0], read.scores[0], read.word_results[0]))
    return out


def _recognise(lines: Sequence[NDArray[np.uint8]]) -> TextRecOutput:
    """Recognise text lines (3-channel crops): each at its own width first, unsure narrow ones again padded.

    The recogniser's cost grows with the width it reads, and every line is padded to 320 px by PaddleOCR
    (here :data:`_PADDED_PX`), 3-4 times the width of a number of 1-3 digits. Lines read at their own width
    (:data:`_NARROW_PX` at least) with a score of :data:`_SURE` or more keep that reading; the others narrower
    than :data:`_PADDED_PX` (faint, tiny or odd glyphs, tick marks) are read again padded, and the padded
    reading is kept (a wider line padded to :data:`_PADDED_PX` is the same line: it would read the same).
    """
    from rapidocr.ch_ppocr_rec import TextRecOutput

    read = _read_lines(_NARROW_PX, lines)
    redo = [
        i for i, (_, score, _) in enumerate(read)
        if score < _SURE and _padded_width(_NARROW_PX, lines[i]) < _padded_width(_PADDED_PX, lines[i])
    ]
    for i, again in zip(redo, _read_lines(_PADDED_PX, [lines[i] for i in redo]) if redo else [], strict=True):
        read[i] = again
    txts, scores, words = zip(*read, strict=True) if read else ((), (), ())
    return TextRecOutput(imgs=list(lines), txts=tuple(txts), scores=list(scores), word_results=tuple(words))


def _float32_detector_input(engine: RapidOCR) -> None:
    """Load the text detector and have it scale its input in float32 (rapidocr's float64 costs ~10 ms a strip).

    The detector's input is ``(pixel / 255 - mean) / std`` with mean and std 0.5: in float32 each step is
    exact or correctly rounded, so the input equals rapidocr's float64 one rounded to float32, bit for bit.
    """
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    detector = engine._load_det_model()  # noqa: SLF001 - rapidocr loads it on first use, as here
    if "get_preprocess" in vars(detector):
        return

    class Float32Input(DetPreProcess):
        def __call__(self, img: NDArray[np.uint8]) -> NDArray[np.float32] | None:
            resized = self.resize(img)
            if resized is None:
                return None
            out = resized.astype(np.float32)
            out *= np.float32(self.scale)
            out -= np.asarray(self.mean, np.float32)
            out /= np.asarray(self.std, np.float32)
            return np.ascontiguousarray(out.transpose(2, 0, 1))[np.newaxis]

    if np.allclose(detector.mean, 0.5) and np.allclose(detector.std, 0.5):
        detector.get_preprocess = functools.partial(
            Float32Input, detector.limit_side_len, detector.limit_type, detector.mean, detector.std
        )
