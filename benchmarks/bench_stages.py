"""Where the CPU time of ``run`` goes, stage by stage, on wild-corpus figures (one process, no profiler).

Run from the repository root::

    python benchmarks/bench_stages.py --per-family 2
    python benchmarks/bench_stages.py --ids nejm_000,rms_001

Each figure runs as in ``bench_wild.py`` (same hints; figures without an at-risk table get ``--n``). The
stages below are timed in CPU seconds of this process, each without the stages it calls (so the rows add
up to the whole run), and the OCR engine's time (text detection with recognition, and recognition of tight
crops) is shown apart, under the stage that asked for it. Printed per stage: the median and mean seconds
per figure, the OCR's median and mean, and the stage's share of all CPU time. The first figure also pays
for imports and for loading the OCR models; it is run twice and counted once, the second time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

# (module, function, stage name); a stage's time excludes the stages it calls
STAGES = [
    ("kmrecon.run", "run_figure", "run: the rest"),
    ("reconstruct.digitize.figure", "digitize_image", "digitize: the rest"),
    ("reconstruct.digitize.axes", "calibrate_axes", "axes: calibration"),
    ("reconstruct.digitize.ocr", "read_tick_labels", "axes: tick labels"),
    ("reconstruct.digitize.legend_veil", "unveil", "panel: legend veil"),
    ("reconstruct.digitize.colour_paths", "trace_arms", "curves: tracing"),
    ("reconstruct.digitize.panel_text", "panel_words", "panel: words"),
    ("reconstruct.digitize.legend", "read_label", "legend labels"),
    ("reconstruct.digitize.risk_table", "read_risk_table", "table: the rest"),
    ("reconstruct.digitize.risk_table", "_read_small_text", "table: strip text"),
    ("kmrecon.run_arms", "match_by_fit", "arms: match by fit"),
    ("kmrecon.run_arms", "_direct_labels", "arms: direct labels"),
    ("kmrecon.run", "_outside_legend", "arms: outside legend"),
    ("reconstruct.reconstruction", "reconstruct_ipd", "reconstruct IPD"),
    ("kmrecon.run_draws", "run_draws", "uncertainty draws"),
]
OCR_CALLS = [("reconstruct.digitize.ocr", "_detect_words"), ("reconstruct.digitize.ocr", "_recognise_crops")]


class StageClock:
    """CPU seconds of each stage without its timed callees, and the OCR engine's seconds under each stage."""

    def __init__(self) -> None:
        self.own: dict[str, float] = defaultdict(float)
        self.ocr: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []  # [stage, start, seconds of timed callees]

    def wrap(self, func, stage: str | None):
        def timed(*args, **kwargs):
            self._stack.append([stage, time.process_time(), 0.0])
            try:
                return func(*args, **kwargs)
            finally:
                name, start, inner = self._stack.pop()
                spent = time.process_time() - start
                parent = self._stack[-1] if self._stack else None
                if parent is not None:
                    parent[2] += spent
                if name is None:  # the OCR engine: counted under the stage that called it
                    self.ocr[parent[0] if parent else "outside run"] += spent
                else:
                    self.own[name] += spent - inner
        return timed

    def install(self) -> None:
        """Replace every reference to the timed functions in the loaded kmrecon and reconstruct modules."""
        for mod, name, stage in [*STAGES, *((m, f, None) for m, f in OCR_CALLS)]:
            func = getattr(importlib.import_module(mod), name)
            timed = self.wrap(func, stage)
            for module in list(sys.modules.values()):
                if getattr(module, "__name__", "").startswith(("kmrecon", "reconstruct")) \
                        and getattr(module, name, None) is func:
                    setattr(module, name, timed)

    def take(self) -> dict[str, float]:
        out = {f"{k}|own": v for k, v in self.own.items()} | {f"{k}|ocr": v for k, v in self.ocr.items()}
        self.own.clear()
        self.ocr.clear()
        return out


def main(argv=None) -> int:
    import bench_wild

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=bench_wild.CORPUS)
    parser.add_argument("--per-family", type=int, default=2, help="first N figures of each family")
    parser.add_argument("--ids", default="", help="comma-separated figure ids; overrides --per-family")
    args = parser.parse_args(argv)
    files = sorted(args.corpus.glob("*.json"))
    if not files:
        print(f"--corpus: expected truth JSON files in {args.corpus}, got none", file=sys.stderr)
        return 2
    if args.ids:
        todo = [args.corpus / f"{name.strip()}.json" for name in args.ids.split(",") if name.strip()]
    else:
        by_family: dict[str, list[Path]] = defaultdict(list)
        for f in files:
            by_family[json.loads(f.read_text())["family"]].append(f)
        todo = [p for fam in sorted(by_family) for p in by_family[fam][: args.per_family]]
    import kmrecon.run  # noqa: F401 - load the modules whose functions are timed
    import kmrecon.run_draws  # noqa: F401
    import reconstruct.digitize.figure  # noqa: F401

    clock = StageClock()
    clock.install()
    rows = []
    for k, path in enumerate([todo[0], *todo]):
        truth = json.loads(path.read_text())
        ipd = pd.read_csv(path.parent / truth["ipd"])
        hints = {} if truth["risk_table"] else bench_wild._user_hints(truth, ipd, path.parent / truth["image"])
        clock.take()
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                bench_wild.run_one(path.parent / truth["image"], **hints)
            except Exception:  # noqa: BLE001 - a failing figure is timed as far as it ran
                pass
        total = time.process_time() - start
        if k > 0:
            rows.append({"id": truth["id"], "total": total, **clock.take()})
    frame = pd.DataFrame(rows).fillna(0.0)
    names = [stage for _, _, stage in STAGES] + ["outside run"]
    table = []
    for stage in names:
        own = frame.get(f"{stage}|own", pd.Series(0.0, index=frame.index))
        ocr = frame.get(f"{stage}|ocr", pd.Series(0.0, index=frame.index))
        if own.sum() + ocr.sum() == 0:
            continue
        table.append({"stage": stage, "med s": own.median(), "mean s": own.mean(), "med OCR s": ocr.median(),
                      "mean OCR s": ocr.mean(), "share %": 100.0 * (own.sum() + ocr.sum()) / frame["total"].sum()})
    out = pd.DataFrame(table).sort_values("share %", ascending=False)
    ocr_total = frame[[c for c in frame if c.endswith("|ocr")]].sum(axis=1)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(out.to_string(index=False))
    print(f"\n{len(frame)} figures: median CPU {frame['total'].median():.3f} s/figure, OCR "
          f"{ocr_total.median():.3f} (mean {frame['total'].mean():.3f}, OCR {ocr_total.mean():.3f}); "
          f"OCR share of all CPU {100.0 * ocr_total.sum() / frame['total'].sum():.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
