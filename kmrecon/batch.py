"""Batches of figures: every figure through ``run_figure`` in worker processes or on a Dask cluster.

A failure never stops a batch: it becomes a row of ``batch_summary.csv`` with its one-line message.
Each figure's outputs are written into a temporary folder that is renamed into place when complete,
so an interrupted batch leaves finished figures whole and nothing half-written; ``resume`` skips them.
Workers are replaced after a fixed number of figures, which keeps memory flat over long batches.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reconstruct.io import write_csv
from reconstruct.errors import InputError, KmreconError, MisfitError
from kmrecon.batch_guard import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, check_inside, guarded_results, locked, safe_name

__all__ = ["BatchItem", "BatchOutcome", "BatchReport", "collect_batch", "process_item", "run_batch"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
DONE_MARKER = "run.json"
TASKS_PER_WORKER = 25


@dataclass(frozen=True)
class BatchItem:
    """One figure of a batch.

    Attributes
    ----------
    name : str
        Output subfolder name (the figure's stem, made unique).
    figure : str
        Path of the figure.
    at_risk : str or None
        Path of its at-risk CSV, if one was found in ``--at-risk-dir``.
    """

    name: str
    figure: str
    at_risk: str | None = None


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to one figure; one row of ``batch_summary.csv``.

    Attributes
    ----------
    name, figure : str
    status : {"done", "misfit", "failed", "skipped"}
        ``misfit`` = the reconstruction does not fit the figure: only diagnostics were written, or
        everything flagged when ``accept_misfit`` was among the options; ``skipped`` = already done
        in an earlier run (``resume``).
    arms : tuple of str
    n, events : tuple of int
        Per arm, in ``arms`` order.
    median : tuple of float
        Per-arm median survival (nan when not reached).
    error : str
        One-line message for a failure, else empty.
    seconds : float
    intervals : tuple of (str, str)
        Median and HR with classical, reconstruction and total intervals
        (:func:`kmrecon.batch_intervals.interval_columns`).
    """

    name: str
    figure: str
    status: str
    arms: tuple[str, ...] = ()
    n: tuple[int, ...] = ()
    events: tuple[int, ...] = ()
    median: tuple[float, ...] = ()
    error: str = ""
    seconds: float = 0.0
    intervals: tuple[tuple[str, str], ...] = ()

    def to_row(self) -> dict[str, Any]:
        """Flat CSV row; per-arm values joined with ``;``."""
        from kmrecon.batch_intervals import INTERVAL_COLUMNS

        return {
            "figure": self.figure, "name": self.name, "status": self.status, "arms": ";".join(self.arms),
            "n": ";".join(map(str, self.n)), "events": ";".join(map(str, self.events)),
            "median": ";".join("NR" if m != m else f"{m:.6g}" for m in self.median),
            **dict.fromkeys(INTERVAL_COLUMNS, ""), **dict(self.intervals), "error": self.error,
        }


@dataclass(frozen=True)
class BatchReport:
    """All outcomes of a batch, in input order.

    Attributes
    ----------
    outcomes : tuple of BatchOutcome
    summary_path : Path
    seconds : float
        Wall time of the batch.
    """

    outcomes: tuple[BatchOutcome, ...]
    summary_path: Path
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def collect_batch(
    source: str | os.PathLike[str], *, at_risk_dir: str | os.PathLike[str] | None = None
) -> list[BatchItem]:
    """The figures of a batch: every image in a folder, or the paths listed in a text file.

    Parameters
    ----------
    source : path-like
        A folder (images with suffixes in :data:`IMAGE_SUFFIXES`, sorted by name) or a text file
        with one path per line (relative paths are relative to the file; ``#`` starts a comment).
    at_risk_dir : path-like, optional
        Folder holding ``<figure stem>.csv`` at-risk tables.

    Returns
    -------
    list of BatchItem
        Names are figure stems, with ``-2``, ``-3``... added to repeats.

    Raises
    ------
    InputError
        For a missing source, an empty batch, or a listed file that does not exist.
    """
    src = Path(source)
    if src.is_dir():
        figures = sorted(p for p in src.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    elif src.is_file():
        figures = []
        for number, line in enumerate(src.read_text().splitlines(), start=1):
            entry = line.split("#", 1)[0].strip()
            if not entry:
                continue
            path = (src.parent / entry) if not Path(entry).is_absolute() else Path(entry)
            if not path.is_file():
                raise InputError(f"expected an existing figure file, got {entry!r}", source=f"{src}:{number}")
            figures.append(path)
    else:
        raise InputError("expected a folder of figures or a text file listing them, got no such path",
                         source=os.fspath(src))
    if not figures:
        raise InputError(f"expected at least one figure ({', '.join(IMAGE_SUFFIXES)}), got none",
                         source=os.fspath(src))
    tables = Path(at_risk_dir) if at_risk_dir is not None else None
    if tables is not None and not tables.is_dir():
        raise InputError("expected a folder of at-risk CSVs, got no such folder", source=os.fspath(tables))
    items, seen = [], {}
    for path in figures:
        stem = safe_name(path.stem)  # whatever the file is called, its folder stays inside the output folder
        count = seen[stem] = seen.get(stem, 0) + 1
        name = stem if count == 1 else f"{stem}-{count}"
        table = tables / f"{path.stem}.csv" if tables is not None else None
        items.append(BatchItem(name=name, figure=os.fspath(path),
                               at_risk=os.fspath(table) if table is not None and table.is_file() else None))
    return items


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _medians(arms) -> tuple[float, ...]:
    """Median survival of each ``(time, event)`` pair (nan when not reached)."""
    from compare import kaplan_meier, median_survival

    return tuple(float(median_survival(kaplan_meier(time, event)).time) for time, event in arms)


def process_item(item: BatchItem, outdir: str, options: Mapping[str, Any]) -> BatchOutcome:
    """Run one figure and write its outputs into ``outdir/<name>`` (atomic folder rename).

    Library errors become a ``failed`` outcome; so does any other exception (its type and message),
    because one odd figure must not stop a batch of thousands.
    """
    from kmrecon.batch_intervals import interval_columns
    from kmrecon.run import run_figure
    from kmrecon.run_outputs import write_run_diagnostics, write_run_outputs

    start = time.perf_counter()
    final = Path(outdir) / item.name
    staging = Path(tempfile.mkdtemp(prefix=f".{item.name}.", suffix=".part", dir=outdir))
    misfit = ""
    try:
        try:
            run = run_figure(item.figure, at_risk_path=item.at_risk, **options)
            write_run_outputs(run, staging, figure=item.figure, force=True, write_draws=False)
        except MisfitError as exc:
            run, misfit = exc.result, _one_line(exc)
            write_run_diagnostics(run, staging, figure=item.figure, force=True)
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except KmreconError as exc:
        return BatchOutcome(item.name, item.figure, "failed", error=_one_line(exc),
                            seconds=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - a batch records any failure and goes on
        return BatchOutcome(item.name, item.figure, "failed", error=f"{type(exc).__name__}: {_one_line(exc)}",
                            seconds=time.perf_counter() - start)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    arms = run.reconstruction.arms
    status = "misfit" if misfit or run.status == "misfit" else "done"
    if status == "misfit" and not misfit:
        from reconstruct.quality import misfit_message

        misfit = "accepted: " + misfit_message(run.fit, accept_hint=False)
    return BatchOutcome(item.name, item.figure, status, arms=tuple(a.arm for a in arms),
                        n=tuple(a.n_patients for a in arms), events=tuple(a.n_events for a in arms),
                        median=_medians((a.time, a.event) for a in arms), error=misfit,
                        seconds=time.perf_counter() - start, intervals=interval_columns(final / "summary.json"))


def _done_outcome(item: BatchItem, outdir: Path) -> BatchOutcome | None:
    """The outcome of a figure finished in an earlier run, read back from its outputs."""
    from kmrecon.batch_intervals import interval_columns

    folder = outdir / item.name
    if not (folder / DONE_MARKER).is_file():
        return None
    import json

    status = json.loads((folder / DONE_MARKER).read_text()).get("status", "ok")
    if status == "misfit" and not (folder / "ipd.csv").is_file():
        return BatchOutcome(item.name, item.figure, "misfit", error="misfit in an earlier run (diagnostics only)")
    if not (folder / "ipd.csv").is_file():
        return None
    ipd = pd.read_csv(folder / "ipd.csv")
    arms = tuple(dict.fromkeys(ipd["arm"].astype(str)))
    groups = [ipd[ipd["arm"].astype(str) == a] for a in arms]
    return BatchOutcome(item.name, item.figure, "skipped", arms=arms, n=tuple(len(g) for g in groups),
                        events=tuple(int(g["event"].sum()) for g in groups),
                        median=_medians((g["time"], g["event"]) for g in groups),
                        intervals=interval_columns(folder / "summary.json"))


def _local_results(todo, outdir, options, jobs) -> Iterator[BatchOutcome]:
    if jobs == 1:
        for item in todo:
            yield process_item(item, os.fspath(outdir), options)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork after OpenCV / onnxruntime threads
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, max_tasks_per_child=TASKS_PER_WORKER) as pool:
        pending: set[Future] = set()
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < 2 * jobs:  # bounded queue: memory does not grow with the batch
                pending.add(pool.submit(process_item, queue.pop(0), os.fspath(outdir), options))
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield future.result()


def _dask_results(todo, outdir, options, scheduler) -> Iterator[BatchOutcome]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("expected Dask distributed to be installed for --scheduler, got no such module; "
                         "pip install 'kmrecon[cluster]'", source="--scheduler") from None
    client = scheduler if not isinstance(scheduler, str) else Client(scheduler)
    try:
        futures = client.map(process_item, todo, outdir=os.fspath(outdir), options=dict(options), pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        if isinstance(scheduler, str):
            client.close()


@locked
def run_batch(
    items: Sequence[BatchItem],
    outdir: str | os.PathLike[str],
    *,
    jobs: int = 1,
    resume: bool = False,
    force: bool = False,
    scheduler: Any = None,
    options: Mapping[str, Any] | None = None,
    progress: Callable[[int, int, int, float], None] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
) -> BatchReport:
    """Run every figure and write ``batch_summary.csv``.

    Parameters
    ----------
    items : sequence of BatchItem
    outdir : path-like
        One subfolder per figure plus ``batch_summary.csv``.
    jobs : int, default 1
        Worker processes (1 = in this process).
    resume : bool
        Skip figures whose outputs are complete from an earlier run.
    force : bool
        Replace outputs of figures done earlier (without ``resume``, existing ones are an error).
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (or a client): run there instead of local processes.
    options : mapping, optional
        Keyword arguments of :func:`reconstruct.run_figure` for every figure (``x_range``, ``method``...).
    progress : callable, optional
        Called as ``progress(done, failed, total, seconds)`` after each figure.
    timeout : float or None, default 60
        Seconds one figure may take (local runs); past it the figure fails and its worker is replaced.
    max_memory : int or None, default 3 GiB
        Address space of each local worker process (``RLIMIT_AS``), in bytes. With ``jobs=1`` and
        neither limit (both None) figures run in this process.

    Returns
    -------
    BatchReport

    Raises
    ------
    BatchLockedError
        When another batch holds ``outdir`` (see :func:`kmrecon.batch_guard.batch_lock`).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    summary_path = outdir / "batch_summary.csv"
    if summary_path.exists() and not (resume or force):
        raise InputError("expected a new batch folder, got one with batch_summary.csv; pass --resume or --force",
                         source=os.fspath(outdir))
    options = dict(options or {})
    start = time.perf_counter()
    outcomes: dict[str, BatchOutcome] = {}
    todo = []
    for item in items:
        check_inside(outdir, item.name)
        done = _done_outcome(item, outdir) if resume else None
        if done is not None:
            outcomes[item.name] = done
        elif (outdir / item.name).exists() and not force:
            raise InputError(f"expected no earlier outputs for {item.name!r}, got some; pass --resume or --force",
                             source=os.fspath(outdir / item.name))
        else:
            todo.append(item)
    if scheduler is not None:
        results = _dask_results(todo, outdir, options, scheduler)
    elif timeout is None and max_memory is None:
        results = _local_results(todo, outdir, options, max(1, int(jobs)))
    else:
        results = guarded_results(todo, outdir, options, max(1, int(jobs)), timeout=timeout, max_memory=max_memory)
    failed = 0
    for outcome in results:
        outcomes[outcome.name] = outcome
        failed += outcome.status == "failed"
        if progress is not None:
            progress(len(outcomes), failed, len(items), time.perf_counter() - start)
    ordered = tuple(outcomes[item.name] for item in items)
    write_csv(summary_path, pd.DataFrame([o.to_row() for o in ordered]), force=True)
    counts = {s: sum(o.status == s for o in ordered) for s in ("done", "failed", "skipped")}
    misfits = sum(o.status == "misfit" for o in ordered)
    if misfits:
        counts["misfit"] = misfits
    return BatchReport(outcomes=ordered, summary_path=summary_path, seconds=time.perf_counter() - start,
                       counts=counts)
