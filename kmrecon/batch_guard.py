"""Guards around a batch: per-figure time and memory limits, one batch per folder, safe output names.

* :func:`guarded_results` runs figures in worker processes it owns (not a ``ProcessPoolExecutor``, which
  cannot stop one task). Each worker sets ``RLIMIT_AS`` to ``max_memory`` before its first figure; a
  figure that runs past ``timeout`` seconds has its worker killed (SIGKILL) and replaced, and one that
  runs out of memory or kills its worker is recorded as failed with the reason. The batch goes on.
* :func:`batch_lock` makes a folder belong to one batch at a time: a lock file names the holder (pid,
  host, start time); a second batch refuses with that name; a lock left by a dead process on this host
  is taken over. Holding it, leftovers of an interrupted batch (``.*.part``) are removed.
* :func:`safe_name` turns a figure's stem into a folder name that stays inside the output folder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import json
import multiprocessing
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from multiprocessing.connection import wait as wait_ready
from pathlib import Path
from typing import Any

from reconstruct.errors import InputError, KmreconError

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_MAX_MEMORY", "LOCK_NAME", "BatchLockedError", "batch_lock", "locked",
           "guarded_results", "safe_name", "check_inside", "parse_size"]

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_MEMORY = 3 << 30
LOCK_NAME = ".kmrecon-batch.lock"
TASKS_PER_WORKER = 25
_MAX_NAME = 100
_MEMORY_WORDS = ("MemoryError", "Unable to allocate", "Insufficient memory", "bad_alloc", "out of memory",
                 "Cannot allocate memory")


# --------------------------------------------------------------------------- names


def parse_size(text: str, *, option: str = "size") -> int:
    """Bytes from ``"3G"``, ``"1500M"``, ``"800K"`` or a plain number of bytes (binary units).

    Raises
    ------
    InputError
        For anything else, or a size below 64 MiB (too small for Python with NumPy to start).
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise InputError(f"expected a size such as 1500M or 3G, got {text!r}", source=option)
    value = float(match.group(1)) * 1024 ** " KMGT".index(match.group(2).upper() or " ")
    if value < 64 << 20:
        raise InputError(f"expected at least 64M, got {text!r}", source=option)
    return int(value)


def safe_name(stem: str) -> str:
    """A folder name for a figure: letters, digits, ``._-`` only, no leading dot, at most 100 characters.

    Characters outside that set (separators, newlines, spaces...) become ``_``; a name that had to be
    changed by truncation keeps a short hash of the original so that long names stay distinct.

    Examples
    --------
    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    >>> safe_name("fig 1\\nA")
    'fig_1_A'
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-") or "figure"
    if len(name) > _MAX_NAME:
        digest = hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        name = f"{name[:_MAX_NAME - 11]}-{digest}"
    return name


def check_inside(outdir: str | os.PathLike[str], name: str) -> Path:
    """``outdir / name``, refusing a name that is not one plain folder name inside ``outdir``.

    Raises
    ------
    InputError
        For ``..``, separators, a leading dot, control characters or more than 100 characters.
    """
    if safe_name(name) != name:
        raise InputError(f"expected a plain folder name (letters, digits, ._-; at most {_MAX_NAME}), got {name!r}",
                         source="batch item name")
    return Path(outdir) / name


# --------------------------------------------------------------------------- lock


class BatchLockedError(InputError):
    """Another batch holds the output folder."""


def _process_start(pid: int) -> str | None:
    """Start time of a process in clock ticks since boot (Linux ``/proc``), to tell a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return None


def _alive(holder: Mapping[str, Any]) -> bool:
    """Whether the lock's holder still runs (always assumed for another host: it cannot be checked)."""
    if holder.get("host") != socket.gethostname():
        return True
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    start = holder.get("pid_start")
    return start is None or _process_start(pid) in (None, start)


def _read_lock(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


@contextlib.contextmanager
def batch_lock(outdir: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold ``outdir`` for one batch; remove interrupted leftovers (``.*.part``) once it is held.

    Raises
    ------
    BatchLockedError
        When a live batch holds the folder; the message names its pid, host and start time.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / LOCK_NAME
    record = {"pid": os.getpid(), "host": socket.gethostname(), "pid_start": _process_start(os.getpid()),
              "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    for _ in range(5):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _read_lock(path)
            if holder == {}:
                continue  # released meanwhile
            young = holder is None and time.time() - path.stat().st_mtime < 10  # being written right now
            if young or (holder is not None and _alive(holder)):
                who = (f"pid {holder.get('pid')} on host {holder.get('host')} since {holder.get('started')}"
                       if holder else "a batch starting up")
                raise BatchLockedError(f"expected no other batch writing into this folder, got one running: {who}; "
                                       f"wait for it, or delete {path} if that process is gone",
                                       source=os.fspath(outdir)) from None
            stale = outdir / f"{LOCK_NAME}.stale-{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                os.replace(path, stale)  # only one of several takers wins the rename
                stale.unlink()
            continue
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        break
    else:
        raise BatchLockedError("expected to take over the batch lock, got it changing hands repeatedly",
                               source=os.fspath(path))
    try:
        for leftover in outdir.glob(".*.part"):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        yield path
    finally:
        if (_read_lock(path) or {}).get("pid") == os.getpid():
            path.unlink(missing_ok=True)


def locked(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``run_batch(items, outdir, ...)`` so that it runs holding :func:`batch_lock` on ``outdir``."""

    @functools.wraps(function)
    def wrapper(items, outdir, *args, **kwargs):
        with batch_lock(outdir):
            return function(items, outdir, *args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- workers


def _worker(conn, max_memory: int | None, process: Callable[..., Any]) -> None:
    """Worker process: set the memory limit, then run figures sent over ``conn`` until told to stop.

    ``KMRECON_BATCH_WORKER_SETUP=module:function`` names a function called first in every worker; tests
    use it to replace the figure pipeline by a fast stand-in inside the worker processes.
    """
    setup = os.environ.get("KMRECON_BATCH_WORKER_SETUP")
    if setup:
        module, _, name = setup.partition(":")
        getattr(importlib.import_module(module), name)()
    for module in ("kmrecon.batch", "kmrecon.run", "kmrecon.run_outputs"):  # not on a figure's clock
        importlib.import_module(module)
    compare = importlib.import_module("compare")
    (compare.kaplan_meier, compare.median_survival)  # public names load on first use: load them now
    if max_memory:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    conn.send(("ready", None))
    for _ in range(TASKS_PER_WORKER):
        task = conn.recv()
        if task is None:
            break
        outcome = process(*task)
        if outcome.status == "failed" and any(word in outcome.error for word in _MEMORY_WORDS):
            conn.send(("memory", outcome))
            break  # a worker that ran out of memory is replaced: its heap may be fragmented
        conn.send(("done", outcome))
    conn.close()


class _Worker:
    def __init__(self, context, max_memory, process) -> None:
        self.conn, child = context.Pipe()
        self.proc = context.Process(target=_worker, args=(child, max_memory, process), daemon=True)
        self.proc.start()
        child.close()
        self.item = None
        self.started = 0.0
        self.tasks = 0
        self.ready = False

    def send(self, item, outdir, options) -> None:
        self.item, self.started = item, time.monotonic()
        self.tasks += 1
        self.conn.send((item, outdir, dict(options)))

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _failed(item, error: str, seconds: float):
    from kmrecon.batch import BatchOutcome

    return BatchOutcome(item.name, item.figure, "failed", error=error, seconds=seconds)


def _remove_staging(outdir: str, name: str) -> None:
    for leftover in Path(outdir).glob(f".{glob_escape(name)}.*.part"):
        shutil.rmtree(leftover, ignore_errors=True)


def glob_escape(text: str) -> str:
    """``text`` with glob metacharacters escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _memory_text(max_memory: int | None) -> str:
    return f"{max_memory / (1 << 30):.3g} GiB" if max_memory else "the machine's memory"


def guarded_results(
    todo: Sequence[Any],
    outdir: str | os.PathLike[str],
    options: Mapping[str, Any],
    jobs: int,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
    process: Callable[..., Any] | None = None,
) -> Iterator[Any]:
    """Run every item in ``jobs`` worker processes with a time and a memory limit; yield outcomes as they end.

    Parameters
    ----------
    todo : sequence of BatchItem
    outdir : path-like
    options : mapping
        Keyword arguments of :func:`kmrecon.run_figure`.
    jobs : int
        Worker processes.
    timeout : float or None, default 60
        Seconds one figure may take; past it its worker is killed and replaced.
    max_memory : int or None, default 3 GiB
        Address space (``RLIMIT_AS``) of each worker, in bytes.
    process : callable, optional
        ``process(item, outdir, options) -> BatchOutcome``; default :func:`kmrecon.batch.process_item`.

    Yields
    ------
    BatchOutcome
        A figure over a limit is ``failed`` with the limit named in ``error``.
    """
    if process is None:
        from kmrecon.batch import process_item as process
    outdir = os.fspath(outdir)
    context = multiprocessing.get_context("spawn")  # no fork after OpenCV / onnxruntime threads
    queue = list(todo)
    workers: list[_Worker] = []
    try:
        while queue or any(w.item is not None for w in workers):
            while len(workers) < min(jobs, len(queue) + sum(w.item is not None for w in workers)):
                workers.append(_Worker(context, max_memory, process))
            for worker in workers:
                if worker.ready and worker.item is None and queue:
                    worker.send(queue.pop(0), outdir, options)
            yield from _collect(workers, outdir, timeout, max_memory)
    finally:
        for worker in workers:
            worker.stop(kill=worker.item is not None or not worker.ready)


def _collect(workers: list[_Worker], outdir: str, timeout: float | None, max_memory: int | None) -> Iterator[Any]:
    """Wait for the next event of any worker (ready, outcome, death, deadline) and yield the outcomes."""
    busy = [w for w in workers if w.item is not None]
    deadlines = [w.started + timeout for w in busy] if timeout is not None else []
    wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
    waiting = [w for w in workers if w.item is not None or not w.ready]
    ready = set(wait_ready([w.conn for w in waiting] + [w.proc.sentinel for w in waiting], wait_for))
    for worker in waiting:
        message = None
        if worker.conn in ready or worker.conn.poll():
            with contextlib.suppress(EOFError, OSError):
                message = worker.conn.recv()
        if message is not None and message[0] == "ready":
            worker.ready = True
            continue
        if message is None and worker.item is None:  # died before it was ready: cannot start at all
            if worker.proc.sentinel in ready or not worker.proc.is_alive():
                worker.stop(kill=True)
                workers.remove(worker)
                raise KmreconError(f"expected batch worker processes to start, got one ending with exit status "
                                   f"{worker.proc.exitcode}; is --max-memory ({_memory_text(max_memory)}) too low?")
            continue
        outcome, replace = _outcome(worker, message, ready, timeout, max_memory)
        if outcome is None:
            continue
        worker.item = None
        if replace:
            _remove_staging(outdir, outcome.name)
            worker.stop(kill=True)
            workers.remove(worker)
        yield outcome


def _outcome(worker: _Worker, message, ready, timeout: float | None, max_memory: int | None):
    """(outcome, replace the worker) for a busy worker, or (None, False) while it is still working."""
    elapsed = time.monotonic() - worker.started
    if message is not None:
        kind, outcome = message
        if kind == "memory":
            return _failed(worker.item, f"memory limit of {_memory_text(max_memory)} per worker exceeded "
                                        f"(--max-memory): {outcome.error}", outcome.seconds), True
        return outcome, worker.tasks >= TASKS_PER_WORKER
    if worker.proc.sentinel in ready or not worker.proc.is_alive():
        worker.proc.join()
        code = worker.proc.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return _failed(worker.item, f"worker process ended ({how}) while running this figure; out of memory "
                                    f"(limit {_memory_text(max_memory)}, --max-memory)?", elapsed), True
    if timeout is not None and elapsed > timeout:
        return _failed(worker.item, f"time limit of {timeout:g} s per figure exceeded (--timeout)", elapsed), True
    return None, False
