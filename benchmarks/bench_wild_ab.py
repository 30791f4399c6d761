"""Side-by-side CPU time of two checkouts on the same wild figures, interleaved one figure at a time.

Timings on a shared machine drift with the load, so two checkouts timed at different moments cannot be
compared; here each figure is run by both checkouts in turn (alternating which goes first), in two
worker processes that keep their OCR engine loaded (the engine is built on a warm-up figure first).
Each worker scores a figure with its own ``benchmarks/bench_wild.py`` (CPU and OCR CPU seconds as
there) and the table shows, per checkout, the median CPU and OCR seconds, the totals, and whether the
scores (processed, MAE, cells, log HR error) are the same on every figure::

    python benchmarks/bench_wild_ab.py --a /work/main --b . --corpus benchmarks/.cache/wild \\
        --ids base_r_005,jco_005,nejm_008
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

# the worker: one checkout's bench_wild, its OCR timer on, a warm-up figure, then one figure id per stdin line
_WORKER = """
import json, sys
from pathlib import Path
tree, corpus, warm = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
sys.path[:0] = [tree, tree + "/benchmarks"]
import bench_wild
bench_wild._time_ocr()
bench_wild.score_figure(corpus / (warm + ".json"))
print("ready", flush=True)
for line in sys.stdin:
    row = bench_wild.score_figure(corpus / (line.strip() + ".json"))
    print(json.dumps({k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}, default=str),
          flush=True)
"""
_SCORES = ["ok", "mae", "cells_ok", "log_hr_err", "error"]


def _start(tree: Path, corpus: Path, warm: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(tree))
    proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(tree), str(corpus), warm], cwd=tree, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit(f"--a/--b: expected a checkout whose benchmarks/bench_wild.py runs, got {tree}")
    return proc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="first checkout (e.g. main)")
    parser.add_argument("--b", type=Path, required=True, help="second checkout (e.g. a branch's worktree)")
    parser.add_argument("--corpus", type=Path, required=True, help="folder of the wild corpus (truth JSON files)")
    parser.add_argument("--ids", required=True, help="comma-separated figure ids")
    parser.add_argument("--warm", default="excel_009", help="figure run first by each worker, not timed")
    parser.add_argument("--csv", type=Path, default=None, help="write per-figure rows here")
    args = parser.parse_args(argv)
    ids = [i.strip() for i in args.ids.split(",") if i.strip()]
    missing = [i for i in ids + [args.warm] if not (args.corpus / f"{i}.json").is_file()]
    if missing:
        print(f"--ids: expected figures of {args.corpus}, got unknown {', '.join(missing)}", file=sys.stderr)
        return 2
    trees = {"a": args.a.resolve(), "b": args.b.resolve()}
    workers = {name: _start(tree, args.corpus.resolve(), args.warm) for name, tree in trees.items()}
    rows = []
    try:
        for k, fig in enumerate(ids):
            for name in ("a", "b") if k % 2 == 0 else ("b", "a"):
                workers[name].stdin.write(fig + "\n")
                workers[name].stdin.flush()
                rows.append({**json.loads(workers[name].stdout.readline()), "checkout": name})
    finally:
        for proc in workers.values():
            proc.stdin.close()
            proc.wait()
    frame = pd.DataFrame(rows)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    table = frame.groupby("checkout")[["cpu_seconds", "ocr_cpu_seconds"]].agg(["median", "sum"])
    print(f"{len(ids)} figures; a = {trees['a']}, b = {trees['b']}")
    print(table.round(3).to_string())
    wide = frame.set_index(["id", "checkout"])[_SCORES].unstack("checkout")
    changed = [fig for fig in wide.index
               if any(not (pd.isna(wide.loc[fig, (s, "a")]) and pd.isna(wide.loc[fig, (s, "b")]))
                      and wide.loc[fig, (s, "a")] != wide.loc[fig, (s, "b")] for s in _SCORES)]
    print("scores differ on: " + (", ".join(changed) if changed else "no figure"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
