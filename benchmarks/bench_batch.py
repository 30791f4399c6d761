"""Batch throughput: figures per second on 1 and 2 worker processes, peak memory, scaling efficiency.

Run from the repository root: ``python benchmarks/bench_batch.py [--figures 500]``. The corpus is drawn
by the project's figure generator (styles with a printed at-risk table, so every figure runs the whole
pipeline including OCR), seeded.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from kmrecon.batch import collect_batch, run_batch
from kmrecon.synthetic_figures import generate_figure

STYLES = ("risk_table", "journal")


def _peak_children_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "figures"
        folder.mkdir()
        for k in range(args.figures):
            gen = generate_figure(STYLES[k % len(STYLES)], k)
            (folder / f"fig{k:05d}{gen.suffix}").write_bytes(gen.image_bytes)
        items = collect_batch(folder)
        rows = []
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}"
            start = time.perf_counter()
            report = run_batch(items, out, jobs=jobs)
            seconds = time.perf_counter() - start
            rows.append((jobs, seconds, report.counts["done"], report.counts["failed"], _peak_children_mib()))
        print(f"\n{args.figures} generated figures ({', '.join(STYLES)}), whole pipeline incl. OCR")
        print(f"{'workers':>7} {'seconds':>9} {'figures/s':>10} {'done':>6} {'failed':>7} {'peak RSS MiB':>13}")
        for jobs, seconds, done, failed, peak in rows:
            print(f"{jobs:>7} {seconds:>9.1f} {args.figures / seconds:>10.3f} {done:>6} {failed:>7} {peak:>13.0f}")
        speedup = rows[0][1] / rows[1][1]
        print(f"speed-up at 2 workers: {speedup:.2f}x, scaling efficiency {speedup / 2:.0%}")
        print("(peak RSS: largest single worker process, from getrusage(RUSAGE_CHILDREN); jobs=1 runs in this "
              f"process, whose own peak is {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
