"""Hostile documents and faults: every file of the hostile corpus, a batch over it, and kill -9 / --resume.

Run from the repository root: ``python benchmarks/bench_hostile.py [--timeout 10] [--kills 4]``.

1. Each file of ``tests/data/make_hostile.py`` goes through the CLI in its own process limited to 1 GiB of
   address space and ``--timeout`` seconds: exit status, the one line printed, seconds, peak RSS.
2. ``kmrecon batch`` over the PDF, SVG and image files of the corpus with two workers: peak RSS of the
   largest worker (target <= 1.5 GiB), and whether every figure was recorded.
3. A batch of real vector figures (the whole pipeline) killed with SIGKILL (the process group) at seeded
   random moments (after a random number of finished figures, inside the next one), then resumed: every output byte compared with an uninterrupted run (the summary's
   ``skipped`` read as ``done``).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests._batch_fakes import tree  # noqa: E402
from tests.data.make_hostile import make_all, run_hostile  # noqa: E402


def _corpus_table(files, work: Path, timeout: float, jobs: int) -> list[dict]:
    def one(path):
        return run_hostile(path, work / path.name, timeout=timeout)

    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, files))
    print("| file | exit | s | peak RSS MB | message |")
    print("|---|---:|---:|---:|---|")
    for r in results:
        message = r["message"].replace(str(work.parent), "").replace("|", "/")
        print(f"| {r['file']} | {r['status']} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | {message[:140]} |")
    return results


def _batch(files, work: Path) -> tuple[float, int, int]:
    listing = work / "list.txt"
    listing.write_text("".join(f"{p}\n" for p in files))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kmrecon", "batch", str(listing), "-o", str(work / "batch"),
                           "--jobs", "2", "--quiet", "--timeout", "60", "--max-memory", "1536M"],
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows = (work / "batch" / "batch_summary.csv").read_text().count("\n") - 1 if done.returncode == 0 else -1
    print(f"\nbatch over {len(files)} hostile figures, 2 workers, --max-memory 1536M: exit {done.returncode}, "
          f"{rows} summary rows, {seconds:.0f} s, peak RSS of the largest process {max(peak, before) / 1024:.0f} MB"
          f"{'' if done.returncode == 0 else '; ' + done.stderr.strip()[-300:]}")
    return max(peak, before) / 1024, rows, done.returncode


def _vector_figures(folder: Path, count: int) -> Path:
    from tests._km_vector_figures import draw_km, save, simulate_arms

    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        fig, _, _ = draw_km(simulate_arms(2, seed=100 + k, n=30), risk_table=True)
        save(fig, folder / f"km{k:02d}.svg")
    listing = folder / "list.txt"
    listing.write_text("".join(f"{p}\n" for p in sorted(folder.glob("*.svg"))))
    return listing


def _start(listing: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "kmrecon", "batch", str(listing), "-o", str(out), "--jobs", "2",
                             "--quiet", *extra], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _finished(out: Path) -> int:
    return len([p for p in out.glob("km*") if (p / "run.json").is_file()]) if out.is_dir() else 0


def _kills(work: Path, kills: int, figures: int) -> list[tuple[float, int, bool]]:
    listing = _vector_figures(work / "vector", figures)
    start = time.perf_counter()
    if _start(listing, work / "reference").wait() != 0:
        raise SystemExit("the uninterrupted batch failed")
    full = time.perf_counter() - start
    expected = tree(work / "reference")
    rng = random.Random(20240101)
    rows = []
    for k in range(kills):
        out = work / f"killed{k}"
        target = rng.randint(0, figures - 1)  # figures finished before the kill, then a random moment inside the next
        batch = _start(listing, out)
        begun = time.perf_counter()
        while batch.poll() is None and _finished(out) < target:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, full / figures))
        at = time.perf_counter() - begun
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait()
        finished = _finished(out)
        _start(listing, out, "--resume").wait()
        rows.append((at, finished, tree(out) == expected))
    print(f"\nkill -9 and --resume, {figures} vector figures (whole pipeline), uninterrupted batch {full:.0f} s")
    print("| kill at s | figures finished before | byte-identical after --resume |")
    print("|---:|---:|---|")
    for at, finished, same in rows:
        print(f"| {at:.1f} | {finished} | {'yes' if same else 'NO'} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per hostile file (a hang past it)")
    parser.add_argument("--jobs", type=int, default=1, help="hostile files run at once")
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--figures", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = make_all(work / "hostile")
        results = _corpus_table(files, work / "runs", args.timeout, args.jobs)
        tracebacks = sum(r["traceback"] for r in results)
        hangs = sum(r["status"] == "hang" for r in results)
        unclean = sum(r["status"] not in (1, 2) or r["lines"] != 1 for r in results)
        peak = max(r["peak_rss_mb"] for r in results)
        print(f"\n{len(results)} hostile files: {tracebacks} tracebacks, {hangs} hangs past {args.timeout:g} s, "
              f"{unclean} not ending in one line with exit 1 or 2; slowest {max(r['seconds'] for r in results):.1f} s,"
              f" peak RSS {peak:.0f} MB")
        figures = [p for p in files if p.name.split("_", 1)[0] in ("pdf", "svg", "img")]
        _batch(figures, work)
        rows = _kills(work, args.kills, args.figures)
        print(f"\nkill/resume byte-identical at {sum(r[2] for r in rows)} of {len(rows)} kill points")


if __name__ == "__main__":
    main()
