"""A fast stand-in for the figure pipeline inside batch worker processes (``KMRECON_BATCH_WORKER_SETUP``).

``install()`` replaces ``kmrecon.run.run_figure`` and ``kmrecon.run_outputs.write_run_outputs`` in the
worker, so that ``kmrecon.batch.process_item`` runs its real staging, renaming and failure handling on
seeded, deterministic results in a fraction of a second per figure. Figure files named ``slow*`` sleep
for a minute, ``hungry*`` allocate 4 GiB, ``crash*`` kill their worker.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path
from types import SimpleNamespace

STEP_SECONDS = 0.15


def _fake_run(figure, at_risk_path=None, **options):
    from reconstruct import simulate_arm

    stem = Path(figure).stem
    if stem.startswith("slow"):
        time.sleep(60)
    if stem.startswith("hungry"):
        bytearray(4 << 30)
    if stem.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    seed = int(hashlib.sha256(Path(figure).read_bytes()).hexdigest()[:8], 16)
    arms = []
    for k, label in enumerate(("A", "B")):
        arm = simulate_arm(40, seed=seed + k, median=12.0 + 6 * k, dropout_rate=0.03)
        arms.append(SimpleNamespace(arm=label, n_patients=len(arm.time), n_events=int(arm.event.sum()),
                                    time=arm.time, event=arm.event))
    time.sleep(STEP_SECONDS)
    return SimpleNamespace(reconstruction=SimpleNamespace(arms=arms), figure=figure, status="ok")


def _fake_write(run, outdir, *, figure, force=False, **_):
    import pandas as pd

    from reconstruct.io import write_csv, write_json

    outdir = Path(outdir)
    frames = [pd.DataFrame({"arm": a.arm, "time": a.time, "event": a.event}) for a in run.reconstruction.arms]
    write_csv(outdir / "ipd.csv", pd.concat(frames, ignore_index=True), force=force)
    time.sleep(STEP_SECONDS)  # a kill may land between two files of one figure
    write_json(outdir / "summary.json", {"arms": [a.arm for a in run.reconstruction.arms],
                                         "events": [a.n_events for a in run.reconstruction.arms]}, force=force)
    write_json(outdir / "run.json", {"figure": os.path.basename(figure)}, force=force)
    return outdir


def install() -> None:
    """Replace the pipeline in this (worker) process."""
    import kmrecon.run
    import kmrecon.run_outputs
    import pandas  # noqa: F401 - imported before the first figure's clock starts
    from reconstruct import simulate_arm

    simulate_arm(5, seed=1)

    kmrecon.run.run_figure = _fake_run
    kmrecon.run_outputs.write_run_outputs = _fake_write


def tree(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``folder``; status ``skipped`` (done before a resume) read as
    ``done`` in the summary and the index page, the only difference a resume is allowed to make."""
    import re

    def as_done(match: re.Match) -> bytes:
        done, failed, skipped = (int(match.group(k)) for k in (1, 2, 3))
        return b"%d done, %d failed, 0 skipped" % (done + skipped, failed)

    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "batch_summary.csv":
                data = data.replace(b",skipped,", b",done,")
            if path.name == "report.html" and path.parent == folder:
                data = data.replace(b'class="skipped">skipped<', b'class="done">done<')
                data = re.sub(rb"(\d+) done, (\d+) failed, (\d+) skipped", as_done, data)
            out[str(path.relative_to(folder))] = data
    return out


__all__ = ["install", "tree"]
