"""Batch resilience: time and memory limits per figure, kill -9 and resume, one batch per folder, full disks,
safe folder names. Figures run through a fast stand-in of the pipeline (tests/_batch_fakes.py) inside real
worker processes, so every kill, limit and resume is real while the test stays short."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kmrecon.batch import BatchItem, collect_batch, run_batch
from kmrecon.batch_guard import LOCK_NAME, BatchLockedError, batch_lock, safe_name
from kmrecon.cli import main
from reconstruct.errors import InputError
from tests._batch_fakes import tree
from tests.conftest import REPO

SETUP = "tests._batch_fakes:install"


@pytest.fixture
def fake_pipeline(monkeypatch):
    monkeypatch.setenv("KMRECON_BATCH_WORKER_SETUP", SETUP)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))


def _figures(folder: Path, names) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.png").write_bytes(name.encode() * 7)
    return folder


def test_slow_hungry_and_crashing_figures_fail_with_reasons_and_the_batch_goes_on(tmp_path, fake_pipeline):
    figures = _figures(tmp_path / "fig", ["a1", "crash", "hungry", "slow", "z9"])
    report = run_batch(collect_batch(figures), tmp_path / "out", jobs=2, timeout=5, max_memory=1 << 30)
    by_name = {o.name: o for o in report.outcomes}
    assert [by_name[n].status for n in ("a1", "z9")] == ["done", "done"]
    assert by_name["slow"].status == "failed" and "time limit of 5 s per figure exceeded (--timeout)" in \
        by_name["slow"].error
    assert by_name["hungry"].status == "failed" and "memory limit of 1 GiB per worker exceeded (--max-memory)" in \
        by_name["hungry"].error
    assert by_name["crash"].status == "failed" and "worker process ended (signal 9)" in by_name["crash"].error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a1", "batch_summary.csv", "z9"]
    summary = pd.read_csv(tmp_path / "out" / "batch_summary.csv", keep_default_na=False)
    assert summary["status"].tolist() == ["done", "failed", "failed", "failed", "done"]


def _start(listing: Path, out: Path, *extra: str) -> subprocess.Popen:
    log = out.parent / f"{out.name}.log"
    with open(log, "ab") as err:
        return subprocess.Popen([sys.executable, "-m", "kmrecon", "batch", str(listing), "-o", str(out), "--jobs",
                                 "2", "--quiet", *extra], cwd=REPO, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)


def test_kill_9_at_random_points_then_resume_gives_the_uninterrupted_bytes(tmp_path, fake_pipeline):
    figures = _figures(tmp_path / "fig", [f"f{k:02d}" for k in range(8)])
    reference = tmp_path / "reference"
    assert _start(figures, reference).wait(120) == 0
    expected = tree(reference)
    assert len(expected) == 2 + 3 * 8  # batch_summary.csv, report.html, three files per figure
    rng = random.Random(20240101)
    for point in range(3):
        out = tmp_path / f"killed{point}"
        batch = _start(figures, out)
        deadline = time.monotonic() + 60
        target = rng.randint(0, 5)  # figures finished before the kill
        while time.monotonic() < deadline and batch.poll() is None:
            done = [p for p in out.glob("f*") if (p / "run.json").is_file()] if out.is_dir() else []
            if len(done) >= target and out.is_dir():
                time.sleep(rng.uniform(0, 0.3))  # somewhere inside the next figure
                break
            time.sleep(0.02)
        os.killpg(batch.pid, signal.SIGKILL)  # the batch and its workers, as kill -9 of the process group
        batch.wait()
        assert (out / LOCK_NAME).exists() or batch.returncode == 0
        resumed = _start(figures, out, "--resume")
        assert resumed.wait(120) == 0, (tmp_path / f"{out.name}.log").read_text()
        assert tree(out) == expected, f"kill point {point} after {target} figures"


def test_one_batch_per_folder_with_a_named_lock_and_stale_locks_taken_over(tmp_path):
    out = tmp_path / "out"
    with batch_lock(out) as lock:
        record = json.loads(lock.read_text())
        assert record["pid"] == os.getpid() and record["host"] and record["started"]
        with pytest.raises(BatchLockedError, match=rf"got one running: pid {os.getpid()} on host .* since .*; wait "
                                                   rf"for it, or delete .*{LOCK_NAME} if that process is gone"):
            run_batch([BatchItem("a", "a.png")], out)
        result = CliRunner().invoke(main, ["batch", str(_figures(tmp_path / "fig", ["a"])), "-o", str(out)])
        assert result.exit_code == 2 and f"pid {os.getpid()}" in result.output
    assert not (out / LOCK_NAME).exists()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    record["pid"] = dead.pid
    record["pid_start"] = None
    (out / LOCK_NAME).write_text(json.dumps(record))
    (out / ".x.abc.part").mkdir()  # a staging folder left by the killed batch
    with batch_lock(out) as lock:
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert not (out / ".x.abc.part").exists()


def test_full_disk_leaves_no_partial_file_and_one_clear_line(tmp_path, monkeypatch):
    from reconstruct import io as rio

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(rio.os, "fsync", full)
    target = tmp_path / "out" / "ipd.csv"
    with pytest.raises(OSError, match=r"No space left on device.*ipd.csv"):
        rio.write_csv(target, pd.DataFrame({"a": [1.0] * 1000}))
    assert list((tmp_path / "out").iterdir()) == []
    curves = tmp_path / "curves.csv"
    curves.write_text("arm,time,survival\nA,0,1\nA,5,0.8\nA,10,0.5\n")
    result = CliRunner().invoke(main, ["reconstruct", str(curves), "--n", "A=20", "-o", str(target)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip() and not line.startswith("warning:")]
    # the JSON sidecar (with the fit status) is the command's first write
    assert lines == [f"Error: {target.with_suffix('.json')}: expected a writable path, got No space left on device"]
    assert list((tmp_path / "out").iterdir()) == []


def test_full_tmpfs_when_one_can_be_mounted(tmp_path):
    from reconstruct.io import write_bytes

    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        write_bytes(mount / "small.bin", b"x" * 1000)
        with pytest.raises(OSError) as caught:
            write_bytes(mount / "big.bin", b"x" * (1 << 20))
        assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(mount / "big.bin")
        assert sorted(p.name for p in mount.iterdir()) == ["small.bin"]
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("stem", ["..", "../../etc/passwd", "a/b\\c", "line\nbreak", "x" * 300, ".hidden", "-",
                                  "fig 1 (final)", "\u00e9t\u00e9"])
def test_safe_names_stay_inside_the_output_folder(tmp_path, stem):
    name = safe_name(stem)
    assert 0 < len(name) <= 100 and not name.startswith(".")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert safe_name(name) == name


def test_names_from_odd_file_names_and_items_with_unsafe_names(tmp_path):
    figures = tmp_path / "fig"
    odd = ["line\nbreak", "x" * 240, "..", "a b", "a_b"]
    _figures(figures, odd)
    names = [item.name for item in collect_batch(figures)]
    assert len(set(names)) == len(odd)
    assert all(safe_name(n.rsplit("-", 1)[0]) for n in names)
    for name in names:
        assert (tmp_path / "out" / name).resolve().parent == (tmp_path / "out").resolve()
    with pytest.raises(InputError, match=r"expected a plain folder name"):
        run_batch([BatchItem("../evil", "a.png")], tmp_path / "out")
