"""Start-up and end-to-end command times, side by side in one run (issue: one direction through the code).

Prints a table of median wall-clock seconds over ``--repeats`` runs of each command:

* ``python -c "import click"`` -- the floor every click program pays;
* ``kmrecon --version`` and ``kmrecon --help`` -- should be within 0.3 s of that floor;
* ``kmrecon reconstruct`` of 5,000 patients (about 7,500 digitized points, 10-row table), end to end
  (process start, CSV reading, reconstruction, CSV and JSON writing);
* ``Rscript -e 'library(survival)'`` -- R's start-up with the package IPDfromKM builds on. IPDfromKM itself
  is not installable here (CRAN is unreachable), so its end-to-end time is estimated as this start-up plus
  the in-process time quoted for it (``--ipdfromkm-seconds``, default 2.2 s minus R start-up as measured
  side by side in the issue; pass another value to use another quote).

Run: ``python benchmarks/bench_startup.py [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from reconstruct import km_at, km_step_points, number_at_risk, simulate_arm

KMRECON = [sys.executable, "-m", "kmrecon"]


def _time(cmd: list[str], repeats: int, cwd: Path) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _inputs(folder: Path) -> tuple[Path, Path]:
    sim = simulate_arm(5000, seed=7, median=12.0, follow_up=24.0, dropout_rate=0.02)
    t, s = km_step_points(sim.time, sim.event)
    grid = np.linspace(0.0, t[-1], 7500 - t.size)
    pts_t = np.r_[t, grid]
    pts_s = np.round(np.r_[s, km_at(sim.time, sim.event, grid)], 3)
    order = np.argsort(pts_t, kind="stable")
    curves = pd.DataFrame({"arm": "A", "time": pts_t[order], "survival": pts_s[order]})
    table_t = np.round(np.linspace(0.0, 30.0, 10))
    table = pd.DataFrame({"arm": "A", "time": table_t, "n_risk": number_at_risk(sim.time, table_t)})
    curves.to_csv(folder / "curves.csv", index=False)
    table.to_csv(folder / "at_risk.csv", index=False)
    return folder / "curves.csv", folder / "at_risk.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--ipdfromkm-seconds", type=float, default=None,
                        help="in-process IPDfromKM time to add to R's start-up (default: 2.2 s minus that start-up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        curves, table = _inputs(folder)
        rows = [
            ("python -c 'import click'", _time([sys.executable, "-c", "import click"], args.repeats, folder)),
            ("kmrecon --version", _time([*KMRECON, "--version"], args.repeats, folder)),
            ("kmrecon --help", _time([*KMRECON, "--help"], args.repeats, folder)),
            ("kmrecon reconstruct (5,000 patients)",
             _time([*KMRECON, "reconstruct", str(curves), "--at-risk", str(table), "-o", str(folder / "ipd.csv"),
                    "--force"], args.repeats, folder)),
        ]
        r_start = None
        if shutil.which("Rscript"):
            r_start = _time(["Rscript", "-e", "suppressMessages(library(survival))"], args.repeats, folder)
            rows.append(("Rscript -e 'library(survival)'", r_start))
    print(f"{'command':<42} {'median s':>9}")
    for name, seconds in rows:
        print(f"{name:<42} {seconds:>9.3f}")
    floor, ours = rows[0][1], rows[3][1]
    print(f"\n--version over the click floor: {rows[1][1] - floor:+.3f} s; --help: {rows[2][1] - floor:+.3f} s "
          "(target within 0.3 s)")
    if r_start is not None:
        in_process = args.ipdfromkm_seconds if args.ipdfromkm_seconds is not None else max(2.2 - r_start, 0.0)
        r_total = r_start + in_process
        print(f"IPDfromKM end to end (estimated): {r_start:.3f} s R start-up + {in_process:.3f} s in-process = "
              f"{r_total:.3f} s; kmrecon reconstruct {ours:.3f} s: {r_total / ours:.1f}x faster (target 3x)")
    else:
        print("Rscript not found: install r-base-core r-cran-survival for the R side")


if __name__ == "__main__":
    main()
