"""Compare OCR engines on tick labels and at-risk tables; print accuracy and speed tables.

Candidates (all install from PyPI with no model download at run time):

* ``rapidocr`` 3.x + ``onnxruntime``: PP-OCRv6 det/rec ONNX models inside the wheel (Apache-2.0). Chosen.
* ``rapidocr-onnxruntime`` 1.4: PP-OCRv4 models inside the wheel (Apache-2.0); requires Python < 3.13
  and the non-headless ``opencv-python``. Measured when importable (install it with ``--no-deps``).
* A template matcher with no model: glyphs of DejaVu Sans (shipped by matplotlib) rendered at start-up,
  nearest-neighbour classification of connected components.
* Tesseract was not measured: the ``tesserocr`` Linux wheel bundles libtesseract but no traineddata,
  which would have to be downloaded.

Run: ``python benchmarks/bench_ocr.py`` (about a minute). Corpus sections need ``../shared/km-corpus``.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import cv2
import matplotlib
import numpy as np

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from reconstruct.digitize.ocr import _recognise_crops, parse_number, read_text, read_tick_labels  # noqa: E402
from reconstruct.digitize.risk_table import read_risk_table  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "km-corpus"
RNG = np.random.default_rng(20240101)
MINUS = "\u2212"
TICK_SETS = [
    ["0", "6", "12", "18", "24", "30", "36"],
    ["0", "10", "20", "30", "40", "50", "60", "70"],
    ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
    ["0.00", "0.25", "0.50", "0.75", "1.00"],
    ["0%", "20%", "40%", "60%", "80%", "100%"],
    ["0", "250", "500", "750", "1000", "1250"],
    ["0", "1,000", "2,000", "3,000"],
    [f"{MINUS}0.2", "0.0", "0.2", "0.4"],
    ["0", "3", "6", "9", "12", "15", "18", "21", "24"],
    ["0.0", "2.5", "5.0", "7.5", "10.0"],
]


def _new_figure(**kwargs: object) -> Figure:
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _to_gray(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def _jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


# ----------------------------------------------------------------------------------------------------
# Template matcher (no model): a classic baseline, kept in the benchmark only.
class TemplateDigitReader:
    """Nearest-neighbour glyph classifier trained on DejaVu Sans renders of ``0-9 . - %``."""

    chars = "0123456789%"
    size = 20

    def __init__(self) -> None:
        feats, labels = [], []
        for pt in (6, 8, 10, 12, 16, 24):
            for dpi in (72, 100):
                fig = _new_figure(figsize=(4, 0.6), dpi=dpi)
                for i, ch in enumerate(self.chars):
                    fig.text(0.04 + i * 0.085, 0.3, ch, fontsize=pt, family="DejaVu Sans")
                mask, glyphs = self._glyphs(_to_gray(fig))
                if len(glyphs) != len(self.chars):
                    continue
                feats.extend(self._feature(mask, glyph) for glyph in glyphs)
                labels.extend(self.chars)
        self.features = np.array(feats, dtype=np.float32)
        self.labels = np.array(labels)

    @staticmethod
    def _binary(gray: np.ndarray) -> np.ndarray:
        """Ink mask after upscaling so that the text is about 40 px tall (small text touches otherwise)."""
        rows = np.where((gray < 128).any(axis=1))[0]
        height = rows[-1] - rows[0] + 1 if rows.size else gray.shape[0]
        scale = max(1.0, 40.0 / height)
        big = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        return (big < 128).astype(np.uint8)

    @classmethod
    def _glyphs(cls, gray: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
        """Ink mask and glyph boxes (row0, col0, row1, col1), split at empty columns."""
        mask = cls._binary(gray)
        cols = mask.any(axis=0).astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], cols, [0]])))
        boxes = []
        for c0, c1 in zip(edges[::2], edges[1::2], strict=True):
            rows = np.flatnonzero(mask[:, c0:c1].any(axis=1))
            boxes.append((int(rows[0]), int(c0), int(rows[-1]) + 1, int(c1)))
        return mask, boxes

    def _feature(self, mask: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        r0, c0, r1, c1 = box
        patch = mask[r0:r1, c0:c1].astype(np.float32)
        h, w = patch.shape
        side = max(h, w)
        square = np.zeros((side, side), np.float32)
        square[(side - h) // 2 : (side - h) // 2 + h, (side - w) // 2 : (side - w) // 2 + w] = patch
        vec = cv2.resize(square, (self.size, self.size), interpolation=cv2.INTER_AREA).ravel()
        return vec / (np.linalg.norm(vec) + 1e-6)

    def read_crop(self, gray: np.ndarray) -> str:
        mask, glyphs = self._glyphs(gray)
        if not glyphs:
            return ""
        line_h = max(g[2] - g[0] for g in glyphs)
        base = max(g[2] for g in glyphs if g[2] - g[0] >= 0.6 * line_h)
        out = []
        for g in glyphs:
            h = g[2] - g[0]
            if h < 0.45 * line_h:  # small marks: comma dips below the baseline, point sits on it, minus floats
                if g[2] > base + 0.08 * line_h:
                    out.append(",")
                else:
                    out.append("." if base - g[2] < 0.2 * line_h else "-")
                continue
            sims = self.features @ self._feature(mask, g)
            out.append(str(self.labels[int(np.argmax(sims))]))
        return "".join(out)

    def read_figure(self, gray: np.ndarray) -> list[str]:
        """Words of glyph-sized components on one line, joined across gaps under 0.6 x height."""
        _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        comps = [s for s in stats[1:] if 2 <= s[3] <= 60 and s[2] <= 60]
        comps.sort(key=lambda s: (s[1] // 4, s[0]))
        words: list[list] = []
        for s in sorted(comps, key=lambda s: s[0]):
            for word in words:
                last = word[-1]
                overlap = min(last[1] + last[3], s[1] + s[3]) - max(last[1], s[1])
                if overlap > 0.3 * min(last[3], s[3]) and 0 <= s[0] - (last[0] + last[2]) < 0.6 * max(last[3], s[3]):
                    word.append(s)
                    break
            else:
                words.append([s])
        texts = []
        for word in words:
            c0 = min(s[0] for s in word) - 3
            r0 = min(s[1] for s in word) - 3
            c1 = max(s[0] + s[2] for s in word) + 3
            r1 = max(s[1] + s[3] for s in word) + 3
            texts.append(self.read_crop(gray[max(r0, 0) : r1, max(c0, 0) : c1]))
        return texts


# ----------------------------------------------------------------------------------------------------
def _engines() -> dict[str, tuple[Callable[[np.ndarray], str], Callable[[np.ndarray], list[str]]]]:
    """name -> (read one tight crop, read every word of a figure)."""
    def v6_crop(gray: np.ndarray) -> str:
        ((text, _),) = _recognise_crops([gray])
        return text

    engines = {"rapidocr 3 (PP-OCRv6)": (v6_crop, lambda g: [b.text for b in read_text(g)])}
    try:
        from rapidocr_onnxruntime import RapidOCR as RapidOCRv4
    except ImportError:
        print("rapidocr-onnxruntime not importable: PP-OCRv4 candidate skipped")
    else:
        v4 = RapidOCRv4(intra_op_num_threads=1, inter_op_num_threads=1)
        logging.getLogger("RapidOCR").setLevel(logging.CRITICAL)  # rapidocr-onnxruntime re-enables INFO on it

        def v4_crop(gray: np.ndarray) -> str:
            res, _ = v4(gray, use_det=False, use_cls=False)
            return str(res[0][0]) if res else ""

        def v4_fig(gray: np.ndarray) -> list[str]:
            res, _ = v4(gray, use_cls=False)
            return [w for r in res or [] for w in str(r[1]).split()]

        engines["rapidocr-onnxruntime 1.4 (PP-OCRv4)"] = (v4_crop, v4_fig)
    tm = TemplateDigitReader()
    engines["template kNN (DejaVu, no model)"] = (tm.read_crop, tm.read_figure)
    return engines


def synthetic_crops() -> list[tuple[str, str, np.ndarray]]:
    """(variant, truth, crop) for tick-label strings rendered by matplotlib at several sizes and qualities."""
    crops = []
    for pt, dpi in ((7, 72), (9, 100), (10, 100), (12, 150), (8, 200)):
        for quality in (None, 40):
            fig = _new_figure(figsize=(8, 4), dpi=dpi)
            texts = []
            for i, ticks in enumerate(TICK_SETS):
                for j, label in enumerate(ticks):
                    texts.append((label, fig.text(0.03 + j * 0.105, 0.93 - i * 0.095, label, fontsize=pt)))
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            gray = _to_gray(fig)
            if quality is not None:
                gray = _jpeg(gray, quality)
            height = gray.shape[0]
            for label, text in texts:
                bb = text.get_window_extent(renderer)
                r0, r1 = int(height - bb.y1) - 3, int(np.ceil(height - bb.y0)) + 3
                c0, c1 = int(bb.x0) - 3, int(np.ceil(bb.x1)) + 3
                variant = f"{pt}pt@{dpi}dpi" + ("" if quality is None else f" jpeg{quality}")
                crops.append((variant, label, np.ascontiguousarray(gray[max(r0, 0) : r1, max(c0, 0) : c1])))
    return crops


def _norm(text: str) -> str:
    return text.replace(MINUS, "-").replace(" ", "")


def bench_crops(engines: dict) -> None:
    crops = synthetic_crops()
    print(f"\n## Tick-label crops rendered by matplotlib (DejaVu Sans): {len(crops)} labels, 5 sizes x (PNG, JPEG q40)")
    print(f"{'engine':40s} {'exact %':>8s} {'value %':>8s} {'PNG value %':>11s} {'JPEG value %':>12s} {'ms/label':>9s}")
    for name, (read_crop, _) in engines.items():
        exact = value = 0
        by_kind: Counter[str] = Counter()
        n_kind: Counter[str] = Counter()
        t0 = time.perf_counter()
        for variant, truth, crop in crops:
            out = read_crop(crop)
            kind = "jpeg" if "jpeg" in variant else "png"
            n_kind[kind] += 1
            exact += _norm(out) == _norm(truth)
            ok = parse_number(out) is not None and parse_number(out) == parse_number(truth)
            value += ok
            by_kind[kind] += ok
        ms = 1000 * (time.perf_counter() - t0) / len(crops)
        n = len(crops)
        print(
            f"{name:40s} {100 * exact / n:8.1f} {100 * value / n:8.1f} {100 * by_kind['png'] / n_kind['png']:11.1f}"
            f" {100 * by_kind['jpeg'] / n_kind['jpeg']:12.1f} {ms:9.1f}"
        )


def bench_read_tick_labels(n_figures: int = 20) -> None:
    print(f"\n## read_tick_labels on {n_figures} seeded matplotlib KM-style axes (chosen engine)")
    ok = {"crop (axis_px given)": [0, 0, 0.0], "detect (axis_px=None)": [0, 0, 0.0]}
    for k in range(n_figures):
        ticks_x = TICK_SETS[int(RNG.integers(0, 2))] if k % 2 else ["0", "12", "24", "36", "48", "60"]
        ticks_y = TICK_SETS[[2, 3, 4][k % 3]]
        fig = _new_figure(
            figsize=(float(RNG.uniform(4, 7)), float(RNG.uniform(3, 5))), dpi=int(RNG.choice([72, 100, 150]))
        )
        ax = fig.add_subplot()
        xv = [parse_number(t) for t in ticks_x]
        yv = [parse_number(t) for t in ticks_y]
        ax.step(np.linspace(xv[0], xv[-1], 8), np.linspace(yv[-1], yv[0], 8), where="post")
        ax.set_xlim(xv[0], xv[-1])
        ax.set_ylim(yv[0], yv[-1])
        ax.set_xticks(xv, ticks_x)
        ax.set_yticks(yv, ticks_y)
        gray = _to_gray(fig)
        h = gray.shape[0]
        cols = [float(ax.transData.transform((v, yv[0]))[0]) for v in xv]
        rows = [h - float(ax.transData.transform((xv[0], v))[1]) for v in yv]
        axis_row = h - float(ax.transAxes.transform((0, 0))[1])
        axis_col = float(ax.transAxes.transform((0, 0))[0])
        for mode, (ax_row, ax_col) in (
            ("crop (axis_px given)", (axis_row, axis_col)),
            ("detect (axis_px=None)", (None, None)),
        ):
            t0 = time.perf_counter()
            got_x = dict(read_tick_labels(gray, "x", cols, axis_px=ax_row))
            got_y = dict(read_tick_labels(gray, "y", rows, axis_px=ax_col))
            ok[mode][2] += time.perf_counter() - t0
            ok[mode][0] += sum(got_x.get(c) == v for c, v in zip(cols, xv, strict=True)) + sum(
                got_y.get(r) == v for r, v in zip(rows, yv, strict=True)
            )
            ok[mode][1] += len(cols) + len(rows)
    print(f"{'mode':24s} {'ticks':>6s} {'correct %':>10s} {'s/figure (x+y)':>15s}")
    for mode, (good, total, secs) in ok.items():
        print(f"{mode:24s} {total:6d} {100 * good / total:10.1f} {secs / n_figures:15.3f}")


# Tick labels printed on corpus figures, read off the images by eye (x labels, then y labels).
CORPUS_TICKS = {
    "lifelines/images/add_at_risk.png": [*map(str, range(0, 80, 10)), "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
    "lifelines/images/single_at_risk_plots.png": [
        *map(str, range(0, 80, 10)),
        "0.0",
        "0.2",
        "0.4",
        "0.6",
        "0.8",
        "1.0",
    ],
    "lifelines/images/quickstart_kmf.png": [*map(str, range(0, 80, 10)), "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
    "lifelines/images/quickstart_multi.png": [*map(str, range(0, 80, 10)), "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
    "lifelines/images/normal_plot.png": [*map(str, range(0, 90, 10)), "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"],
    "ggsurvfit/images/man__figures__README-example-1.png": [
        *map(str, range(9)),
        "0%",
        "20%",
        "40%",
        "60%",
        "80%",
        "100%",
    ],
    "ggsurvfit/images/man__figures__README-unnamed-chunk-2-1.png": [
        *map(str, range(9)),
        "0%",
        "25%",
        "50%",
        "75%",
        "100%",
    ],
    "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-5-1.png": [
        *map(str, range(10)),
        "0.00",
        "0.25",
        "0.50",
        "0.75",
        "1.00",
    ],
    "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-6-1.png": [
        *map(str, range(10)),
        "0.00",
        "0.25",
        "0.50",
        "0.75",
        "1.00",
    ],
    "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-17-1.png": [
        "0.0",
        "2.5",
        "5.0",
        "7.5",
        "0.0",
        "0.2",
        "0.4",
        "0.6",
    ],
}


def bench_corpus(engines: dict) -> None:
    present = {k: v for k, v in CORPUS_TICKS.items() if (CORPUS / k).is_file()}
    if not present:
        print("\n## km-corpus: ../shared/km-corpus absent, skipped")
        return
    n_labels = sum(len(v) for v in present.values())
    print(
        f"\n## km-corpus figures, whole-figure reading: {len(present)} figures, {n_labels} tick labels (truth by eye)"
    )
    print("recall = tick labels found among the words read (multiset); 'value' compares parsed numbers")
    print(f"{'engine':40s} {'exact recall %':>15s} {'value recall %':>15s} {'s/figure':>9s}")
    for name, (_, read_fig) in engines.items():
        exact = value = 0
        secs = 0.0
        for rel, truth in present.items():
            gray = cv2.imread(str(CORPUS / rel), cv2.IMREAD_GRAYSCALE)
            t0 = time.perf_counter()
            words = read_fig(gray)
            secs += time.perf_counter() - t0
            have = Counter(_norm(w) for w in words)
            have_v = Counter(parse_number(w) for w in words if parse_number(w) is not None)
            for label in truth:
                if have[_norm(label)] > 0:
                    have[_norm(label)] -= 1
                    exact += 1
                v = parse_number(label)
                if have_v[v] > 0:
                    have_v[v] -= 1
                    value += 1
        print(f"{name:40s} {100 * exact / n_labels:15.1f} {100 * value / n_labels:15.1f} {secs / len(present):9.3f}")


def bench_corpus_tick_pipeline() -> None:
    """Ticks found by the digitizer's find_panel, labels read by read_tick_labels (crop mode)."""
    present = {k: v for k, v in CORPUS_TICKS.items() if (CORPUS / k).is_file()}
    if not present:
        return
    from reconstruct.digitize.axes import find_panel
    from reconstruct.errors import KmreconError

    print(f"\n## km-corpus: find_panel ticks + read_tick_labels(axis_px=...), {len(present)} figures")
    print("labels read right of all printed; 'ticks given' = ticks find_panel reported (the rest it missed)")
    print(f"{'figure':45s} {'labels read right':>18s} {'ticks given':>12s} {'s (x+y)':>8s}")
    right = total = given = 0
    secs: list[float] = []
    for rel, truth in present.items():
        rgb = cv2.cvtColor(cv2.imread(str(CORPUS / rel)), cv2.COLOR_BGR2RGB)
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        try:
            panel = find_panel(rgb)
        except KmreconError as err:
            print(f"{Path(rel).name[-45:]:45s} panel not found ({type(err).__name__})")
            total += len(truth)
            continue
        t0 = time.perf_counter()
        got = read_tick_labels(gray, "x", panel.x_tick_cols, axis_px=panel.x_axis_row)
        got += read_tick_labels(gray, "y", panel.y_tick_rows, axis_px=panel.y_axis_col)
        secs.append(time.perf_counter() - t0)
        have = Counter(v for _, v in got)
        ok = 0
        for label in truth:
            if have[parse_number(label)] > 0:
                have[parse_number(label)] -= 1
                ok += 1
        right += ok
        total += len(truth)
        n_given = len(panel.x_tick_cols) + len(panel.y_tick_rows)
        given += n_given
        print(f"{Path(rel).name[-45:]:45s} {ok:>9d}/{len(truth):<8d} {n_given:12d} {secs[-1]:8.2f}")
    print(f"{'all':45s} {right:>9d}/{total:<8d} {given:12d} {float(np.median(secs)):8.2f} (median)")


# At-risk rows printed on corpus figures (by eye), with the panel box and x calibration measured once.
CORPUS_TABLES = {
    "lifelines/images/add_at_risk.png": (
        (17, 122, 315, 782),
        (0.12451755, -18.9472305),
        {"exp": [34, 30, 22, 8, 4, 2, 2, 0], "control": [129, 127, 126, 126, 122, 97, 47, 1]},
    ),
    "lifelines/images/single_at_risk_plots.png": (
        (36, 263, 745, 1244),
        (0.07664907, -20.3023019),
        {"label name": [163, 157, 148, 134, 126, 99, 65, 1]},
    ),
    "ggsurvfit/images/man__figures__README-example-1.png": (
        (39, 76, 273, 658),
        (0.01427195, -1.2148106),
        {
            "Limited Time Since Surgery": [682, 524, 422, 383, 362, 336, 218, 89, 19],
            "Extended Time Since Surgery": [247, 175, 134, 119, 111, 101, 69, 33, 5],
        },
    ),
    "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-6-1.png": (
        (29, 139, 462, 1371),
        (0.00813946, -1.5870987),
        {
            "(248, 118, 109)": [682, 524, 422, 383, 362, 336, 218, 89, 19, 2],
            "(0, 191, 196)": [247, 175, 134, 119, 111, 101, 69, 33, 5, 2],
        },
    ),
}


CORPUS_TABLES.update(
    {
        "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-4-1.png": (
            (30, 173, 461, 1370),
            (0.00836072, -1.8891223),
            {"Limited": [682, 401, 336, 46], "Extended": [247, 126, 101, 18]},
        ),
        "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-8-1.png": (
            (30, 177, 592, 1370),
            (0.03092145, -7.1088351),
            {"Male": [138, 44, 13, 2], "Female": [90, 43, 11, 1]},
        ),
        "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-5-1.png": (
            (30, 475, 461, 1370),
            (0.0111753, -5.742208),
            {
                "Limited": [682, 524, 422, 383, 362, 336, 218, 89, 19, 2],
                "Extended": [247, 175, 134, 119, 111, 101, 69, 33, 5, 2],
            },
        ),
    }
)


def bench_risk_tables() -> None:
    present = {k: v for k, v in CORPUS_TABLES.items() if (CORPUS / k).is_file()}
    if not present:
        return
    print(f"\n## At-risk tables on km-corpus figures: {len(present)} figures")
    print(f"{'figure':45s} {'rows found/true':>16s} {'numbers right':>14s} {'s':>6s}")
    for rel, (bbox, (slope, intercept), truth) in present.items():
        rgb = cv2.cvtColor(cv2.imread(str(CORPUS / rel)), cv2.COLOR_BGR2RGB)
        t0 = time.perf_counter()
        table = read_risk_table(rgb, panel_bbox=bbox, x_calibration=lambda c, a=slope, b=intercept: a * c + b)
        secs = time.perf_counter() - t0
        right = total = 0
        for row, (_, numbers) in zip(table.rows, truth.items(), strict=False):
            right += sum(int(a == b) for a, b in zip(row.n_risk, numbers, strict=False))
        total = sum(len(v) for v in truth.values())
        print(f"{Path(rel).name[-45:]:45s} {len(table.rows):>7d}/{len(truth):<8d} {right:>6d}/{total:<7d} {secs:6.2f}")


def main() -> None:
    engines = _engines()
    warm = np.full((40, 120), 255, np.uint8)
    cv2.putText(warm, "12", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    for read_crop, read_fig in engines.values():  # exclude engine start-up from the timings
        read_crop(warm)
        read_fig(warm)
    bench_crops(engines)
    bench_read_tick_labels()
    bench_corpus(engines)
    bench_corpus_tick_pipeline()
    bench_risk_tables()


if __name__ == "__main__":
    main()
