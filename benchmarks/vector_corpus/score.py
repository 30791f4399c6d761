"""Score kmrecon's vector reader on the corpus written by ``make_corpus.py``, per writer family.

Used by ``benchmarks/bench_vector.py``. For each file every plot is read with no hints
(``digitize_document`` for each index until there are no more), the plots read are paired with
the true plots by least error, and per family this reports:

* found: true plots paired with a plot read with every arm (share of true plots);
* KM MAE: the mean over arms of the exact area between the true and the read step functions
  divided by the time span (survival units; the axis spans 1), mean and max over plots;
* censor marks recovered within 1e-3 of the x range and 1e-3 survival (share of true marks), and
  the precision (share of the marks read that match a true one);
* at-risk tables read exactly (every row, time and number) where the table is real text, and
  separately where the text is glyph outlines (read by OCR);
* median seconds per page (all plots of the file, including the risk tables): wall clock, and the
  process's CPU time (on a shared machine the wall clock also counts other processes' turns).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np

OUTLINED_TEXT = {"mpl_svg_path", "lifelines_svg", "r_svg", "gs_outlined_mpl", "gs_outlined_survminer"}  # glyph outlines


def _step(t, s, at):
    idx = np.searchsorted(t, at, side="right") - 1
    return np.asarray(s)[np.clip(idx, 0, None)]


def iae(true: dict, time_read, surv_read) -> float:
    """Exact mean |S_true - S_read| over [0, end of the true curve] (area between step functions / span)."""
    t_true, s_true = np.asarray(true["step_time"]), np.asarray(true["step_survival"])
    end = float(t_true[-1])
    edges = np.union1d(np.concatenate([t_true, np.asarray(time_read, float)]), [0.0, end])
    edges = edges[(edges >= 0.0) & (edges <= end)]
    mids = 0.5 * (edges[:-1] + edges[1:])
    diff = np.abs(_step(t_true, s_true, mids) - _step(np.asarray(time_read), np.asarray(surv_read), mids))
    return float(np.sum(diff * np.diff(edges)) / end)


def _document(path: Path):
    """One FigureDocument per file, so that every plot of it and its tables are read from one parse."""
    from reconstruct.document import open_document

    key = str(path)
    if _DOCUMENT[0] is None or _DOCUMENT[0].path != key:
        _DOCUMENT[0] = open_document(key)
    return _DOCUMENT[0]


_DOCUMENT: list = [None]


def read_all(path: Path) -> tuple[list, list[str]]:
    """Every plot of a one-page file read with no hints, and the errors met."""
    from reconstruct.document import digitize_document
    from reconstruct.errors import InputError, KmreconError

    figures, errors = [], []
    for k in range(1, 9):
        try:
            figures.append(digitize_document(_document(path), index=k))
        except InputError as exc:
            if k == 1:
                errors.append(f"{type(exc).__name__}: {exc}")
            break
        except KmreconError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            break
    return figures, errors


def _table_exact(path: Path, figure, truth_table: dict) -> bool:
    from reconstruct.document import read_document_at_risk
    from reconstruct.errors import KmreconError

    try:
        table = read_document_at_risk(_document(path), figure)
    except KmreconError:
        return False
    want = sorted((tuple(truth_table["times"]), tuple(rows)) for rows in truth_table["rows"].values())
    got = sorted((tuple(g["time"].astype(float)), tuple(g["n_risk"].astype(int)))
                 for _, g in table.groupby("arm", sort=False))
    return len(want) == len(got) and all(
        len(w[0]) == len(g[0]) and np.allclose(w[0], g[0], atol=1e-9) and w[1] == g[1]
        for w, g in zip(want, got, strict=True))


def score_file(path: Path, truth: dict) -> dict:
    """Errors of every true plot of one file (see the module docstring)."""
    from scipy.optimize import linear_sum_assignment

    started, cpu = time.perf_counter(), time.process_time()
    figures, errors = read_all(path)
    plots = truth["plots"]
    cost = np.full((len(plots), max(len(figures), 1)), 1e6)
    detail: dict = {}
    for i, plot in enumerate(plots):
        for j, fig in enumerate(figures):
            arms = fig.arms
            if not arms:
                continue
            c = np.array([[iae(t, a.time, a.survival) for a in arms] for t in plot["arms"]])
            r, cidx = linear_sum_assignment(c)
            detail[i, j] = (c, r, cidx)
            cost[i, j] = float(c[r, cidx].mean()) + (0 if len(arms) == len(plot["arms"]) else 1.0)
    rows, cols = linear_sum_assignment(cost)
    out = {"plots": len(plots), "found": 0, "mae": [], "marks_true": 0, "marks_found": 0, "marks_read": 0,
           "marks_right": 0, "tables": 0, "tables_exact": 0, "errors": errors}
    pairs = {int(r): int(c) for r, c in zip(rows, cols, strict=True) if cost[r, c] < 1.0}
    for i, plot in enumerate(plots):
        out["marks_true"] += sum(len(a["censor_time"]) for a in plot["arms"])
        if plot["at_risk"] is not None:
            out["tables"] += 1
        if i not in pairs:
            continue
        j = pairs[i]
        fig = figures[j]
        c, r, cidx = detail[i, j]
        out["found"] += 1
        out["mae"].append(float(c[r, cidx].mean()))
        for a, b in zip(r, cidx, strict=True):
            true, arm = plot["arms"][a], fig.arms[b]
            span = float(np.ptp(fig.x_calibration.to_value(np.array(fig.panel)[[1, 3]])))
            ct, cs = np.asarray(true["censor_time"]), np.asarray(true["censor_survival"])
            if ct.size and arm.censor_time.size:
                close = ((np.abs(ct[:, None] - arm.censor_time[None, :]) <= 1e-3 * span)
                         & (np.abs(cs[:, None] - arm.censor_survival[None, :]) <= 1e-3))
                out["marks_found"] += int(close.any(axis=1).sum())
                out["marks_right"] += int(close.any(axis=0).sum())
            out["marks_read"] += int(arm.censor_time.size)
        if plot["at_risk"] is not None:
            out["tables_exact"] += int(_table_exact(path, fig, plot["at_risk"]))
    out["seconds"] = time.perf_counter() - started
    out["cpu_seconds"] = time.process_time() - cpu
    return out


def run_corpus(cache: Path, *, families=None, limit: int | None = None) -> dict:
    """Score every file of the corpus (or ``limit`` per family); results keyed by family."""
    results: dict = {}
    for truth_file in sorted((cache / "truth").glob("*.json")):
        truth = json.loads(truth_file.read_text())
        family = truth["family"]
        if families and family not in families:
            continue
        if limit is not None and len(results.get(family, [])) >= limit:
            continue
        path = cache / family / truth["file"]
        if not path.exists():
            continue
        result = score_file(path, truth)
        result["file"] = f"{family}/{truth['file']}"
        results.setdefault(family, []).append(result)
    return results


def print_corpus_table(results: dict) -> None:
    header = (f"{'writer family':<15} {'files':>5} {'found':>12} {'KM MAE mean':>11} {'KM MAE max':>10} "
              f"{'censor marks':>16} {'mark prec.':>10} {'tables (text)':>14} {'tables (OCR)':>13} {'s/page':>7} "
              f"{'cpu s':>6}")
    print(header)
    print("-" * len(header))
    failures = []
    for family, rs in results.items():
        plots, found = sum(r["plots"] for r in rs), sum(r["found"] for r in rs)
        maes = [m for r in rs for m in r["mae"]]
        mt, mf = sum(r["marks_true"] for r in rs), sum(r["marks_found"] for r in rs)
        tt, te = sum(r["tables"] for r in rs), sum(r["tables_exact"] for r in rs)
        text = f"{te}/{tt}" if family not in OUTLINED_TEXT else "-"
        ocr = f"{te}/{tt}" if family in OUTLINED_TEXT else "-"
        mae_mean = f"{np.mean(maes):.1e}" if maes else "-"
        mae_max = f"{np.max(maes):.1e}" if maes else "-"
        marks = f"{mf}/{mt} {100 * mf / mt:5.1f}%" if mt else "-"
        mr, mright = sum(r["marks_read"] for r in rs), sum(r["marks_right"] for r in rs)
        precision = f"{100 * mright / mr:5.1f}%" if mr else "-"
        seconds = statistics.median(r["seconds"] for r in rs)
        print(f"{family:<15} {len(rs):>5} {f'{found}/{plots} {100 * found / plots:3.0f}%':>12} {mae_mean:>11} "
              f"{mae_max:>10} {marks:>16} {precision:>10} {text:>14} {ocr:>13} {seconds:>7.3f} "
              f"{statistics.median(r.get('cpu_seconds', np.nan) for r in rs):>6.3f}")
        failures += [(r["file"], e) for r in rs for e in r["errors"]]
        failures += [(r["file"], f"{r['found']}/{r['plots']} plots found") for r in rs
                     if r["found"] < r["plots"] and not r["errors"]]
    for file, message in failures[:25]:
        print(f"  {file}: {message[:160]}")
