"""Figure -> IPD on the wild corpus (figures drawn by R, Python and other software's looks), no hints.

Run from the repository root, after generating the corpus (needs R once; images are cached)::

    python benchmarks/wild/make_corpus.py                 # benchmarks/.cache/wild/, 19 families x 50
    python benchmarks/bench_wild.py --jobs 2              # all figures
    python benchmarks/bench_wild.py --families survminer_bw,nejm --per-family 5

Per family it prints: figures processed end to end (``run`` returned an IPD), figures whose reconstructed
KM is within mean absolute error 0.01 of the true KM for every arm (over the true curve's time range
visible in the figure), the median |log HR error| on two-arm figures (Cox, :func:`compare.cox_hr`), the
share of at-risk cells read correctly (a cell is one number at one time for one arm; cells of figures that
failed count as not read), the median seconds per figure and the OCR's share of it (wall clock, and CPU
seconds of the worker process, which a machine shared with other jobs inflates less), then the most common
failure messages. Reconstructed arms are paired with true arms by the closest KM curves, so a wrong name
does not count as a wrong curve. Figures drawn without an at-risk table are run with ``--n`` for each true
arm name (``run`` asks for it by design); the column ``n-hint`` counts them.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "benchmarks" / ".cache" / "wild"
BAR_MAE = 0.01
_OCR_SECONDS = [0.0, 0.0]  # wall, CPU


def run_one(path: Path, **hints):
    """The library's figure -> IPD run (the one place that names it; change the import here only)."""
    from kmrecon import run_figure

    return run_figure(path, **hints)


def _time_ocr() -> None:
    """Accumulate the wall and CPU time spent reading text into ``_OCR_SECONDS``.

    Timed are the two places that run the OCR engine (rapidocr): text detection with recognition of every
    word (``_detect_words``) and recognition of tight crops (``_recognise_crops``); readings served from
    the OCR's memory of images read before cost nothing and are not counted.
    """
    from reconstruct.digitize import ocr

    def timed(call):
        def run(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return call(*args, **kwargs)
            finally:
                _OCR_SECONDS[0] += time.perf_counter() - start
                _OCR_SECONDS[1] += time.process_time() - cpu

        return run

    ocr._detect_words = timed(ocr._detect_words)
    ocr._recognise_crops = timed(ocr._recognise_crops)


def _pair_arms(truth_arms, ipd, run, x_max):
    """Pair true arms with reconstructed arms by KM distance; returns {true: (name, mae)}."""
    from reconstruct import km_at

    rec_names = list(run.arm_names)
    cost = np.full((len(truth_arms), len(rec_names)), np.inf)
    for i, arm in enumerate(truth_arms):
        g = ipd[ipd["arm"] == arm]
        grid = np.linspace(0.0, min(float(g["time"].max()), x_max), 400)
        true = km_at(g["time"].to_numpy(), g["event"].to_numpy(), grid)
        for j, name in enumerate(rec_names):
            rec = run.reconstruction[name]
            cost[i, j] = float(np.abs(true - km_at(rec.time, rec.event, grid)).mean())
    rows, cols = linear_sum_assignment(np.where(np.isfinite(cost), cost, 1e9))
    return {truth_arms[r]: (rec_names[c], cost[r, c]) for r, c in zip(rows, cols)}


def _log_hr_error(truth_arms, ipd, run, pairs) -> float:
    from compare import cox_hr

    if len(truth_arms) != 2 or len(pairs) != 2:
        return float("nan")
    a, b = truth_arms
    true = cox_hr(ipd["time"].to_numpy(), ipd["event"].to_numpy(), (ipd["arm"] == b).astype(int).to_numpy()).log_hr
    ra, rb = run.reconstruction[pairs[a][0]], run.reconstruction[pairs[b][0]]
    group = np.r_[np.zeros(ra.time.size), np.ones(rb.time.size)]
    rec = cox_hr(np.r_[ra.time, rb.time], np.r_[ra.event, rb.event], group).log_hr
    return abs(rec - true)


def _swapped(truth_arms, pairs) -> bool:
    """True when a reconstructed arm, paired with a true arm by its KM, carries another true arm's name.

    The KM pairing alone cannot see a swap (the curves are right, their names are not): an arm named
    "Control" whose curve is the true "Experimental" reports every comparison the wrong way round. A name
    counts as another arm's when it is nearer (difflib ratio of letters and digits, so OCR slips still
    count) to that arm's name than to its own, and at least 0.6 near it; generic names ("arm1") are neither.
    """
    def key(text):
        return re.sub(r"[^0-9a-z]+", "", str(text).lower())

    def near(a, b):
        return difflib.SequenceMatcher(None, key(a), key(b)).ratio()

    for arm, (name, _) in pairs.items():
        others = [near(name, b) for b in truth_arms if b != arm]
        if others and max(others) >= 0.6 and max(others) > near(name, arm):
            return True
    return False


def _cells(truth, run, pairs) -> int:
    if run is None or run.at_risk is None or not len(run.at_risk):
        return 0
    table = run.at_risk
    ok = 0
    for cell in truth["at_risk"]:
        if cell["arm"] not in pairs:
            continue
        rows = table[(table["arm"] == pairs[cell["arm"]][0])
                     & (np.abs(table["time"].astype(float) - cell["time"]) < 1e-3 * truth["x_step"] + 1e-9)]
        ok += int(len(rows) > 0 and int(rows["n_risk"].iloc[0]) == cell["n_risk"])
    return ok


def _user_hints(truth, ipd, image: Path) -> dict:
    """What a user passes for a figure without an at-risk table: the patients per arm, by legend name.

    When the legend was not read (curves named ``arm1``, ...), the user names the curves in the
    digitizer's order from ``overlay.png``; here the curve nearest each true KM stands in for that look.
    A figure whose curves cannot be digitized gets the names as they are (the run then fails as it would).
    """
    from reconstruct import km_at
    from reconstruct.document import digitize_document
    from reconstruct.errors import KmreconError

    n = {a: int(v) for a, v in truth["n"].items()}
    try:
        fig = digitize_document(image)
    except KmreconError:
        return {"n_patients": n}
    labels = {a.label for a in fig.arms}
    if set(n) <= labels or len(fig.arms) != len(n):
        return {"n_patients": n}
    cost = np.empty((len(n), len(fig.arms)))
    for i, arm in enumerate(n):
        g = ipd[ipd["arm"] == arm]
        for j, curve in enumerate(fig.arms):
            t, surv = np.asarray(curve.time), np.asarray(curve.survival)
            cost[i, j] = np.abs(km_at(g["time"].to_numpy(), g["event"].to_numpy(), t) - surv).mean()
    rows, cols = linear_sum_assignment(cost)
    names = [""] * len(fig.arms)
    for r, c in zip(rows, cols):
        names[c] = list(n)[r]
    return {"arm_names": names, "n_patients": n}


def _message(exc: BaseException) -> str:
    text = str(exc).split(": ", 1)[-1] if str(exc).startswith("/") else str(exc)
    return re.sub(r"\d+(\.\d+)?", "#", f"{type(exc).__name__}: {text}")[:110]


def score_figure(json_path: Path) -> dict:
    """Run one figure with no hints and score it against its truth JSON."""
    from kmrecon.run_draws import run_reading
    from reconstruct.digitize import ocr
    from reconstruct.digitize.panel_lab import forget_labs
    from reconstruct.errors import KmreconError

    truth = json.loads(json_path.read_text())
    folder = json_path.parent
    ipd = pd.read_csv(folder / truth["ipd"])
    arms = truth["arms"]
    hints = {} if truth["risk_table"] else _user_hints(truth, ipd, folder / truth["image"])
    # the untimed digitization behind the hints must not serve the timed run its text readings, nor its Lab crops
    ocr.forget_readings()
    forget_labs()
    out = {"id": truth["id"], "family": truth["family"], "n_hint": bool(hints), "ok": False, "mae": np.nan,
           "log_hr_err": np.nan, "cells": len(truth["at_risk"]), "cells_ok": 0, "error": None, "reading": None,
           "swapped": False}
    _OCR_SECONDS[:] = [0.0, 0.0]
    start, cpu = time.perf_counter(), time.process_time()
    try:
        run = run_one(folder / truth["image"], **hints)
    except KmreconError as exc:
        out["error"] = _message(exc)
        run = None
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported with its type
        out["error"] = "CRASH " + _message(exc)
        run = None
    out["seconds"] = time.perf_counter() - start
    out["ocr_seconds"] = _OCR_SECONDS[0]
    out["cpu_seconds"] = time.process_time() - cpu
    out["ocr_cpu_seconds"] = _OCR_SECONDS[1]
    if run is not None:
        out["ok"] = True
        pairs = _pair_arms(arms, ipd, run, truth["x_range"][1])
        maes = [pairs[a][1] if a in pairs else np.inf for a in arms]
        out["mae"] = float(max(maes))
        out["swapped"] = _swapped(arms, pairs)
        try:
            out["log_hr_err"] = _log_hr_error(arms, ipd, run, pairs)
        except KmreconError:  # a reconstructed arm without events: HR not estimable, scored as missing
            out["log_hr_err"] = float("inf")
        out["cells_ok"] = _cells(truth, run, pairs)
        out["reading"] = run_reading(run)["status"]  # "flagged": the run says its numbers may be grossly off
        missing = [w for w in run.warnings if "not read" in w and "cell" in w]
        out["missing_note"] = missing[0] if missing else None
    return out


def _flag(g: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column of the results, False where absent (csv files written before it existed)."""
    return g[column].fillna(False).astype(bool) if column in g else pd.Series(False, index=g.index)


def _table(results: pd.DataFrame) -> pd.DataFrame:
    def summary(g: pd.DataFrame) -> pd.Series:
        n = len(g)
        return pd.Series({
            "figures": n,
            "n-hint": int(g["n_hint"].sum()),
            "processed %": 100.0 * g["ok"].mean(),
            "MAE<=0.01 %": 100.0 * ((g["mae"] <= BAR_MAE) & ~_flag(g, "swapped")).sum() / n,
            "med |logHR err|": g["log_hr_err"].median(),
            "two-arm": int(g["log_hr_err"].notna().sum()),
            "cells %": 100.0 * g["cells_ok"].sum() / max(g["cells"].sum(), 1),
            "med s": g["seconds"].median(),
            "med OCR s": g["ocr_seconds"].median(),
            "med CPU s": g["cpu_seconds"].median() if "cpu_seconds" in g else np.nan,
            "med OCR CPU s": g["ocr_cpu_seconds"].median() if "ocr_cpu_seconds" in g else np.nan,
        })

    with warnings.catch_warnings():  # a family with no two-arm figure has no median |log HR error|: NaN, said so
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        per = results.groupby("family", sort=True)[list(results.columns)].apply(summary)
        per.loc["ALL"] = summary(results)
    return per


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--families", default="", help="comma-separated family names (default: all)")
    parser.add_argument("--per-family", type=int, default=0, help="first N figures of each family (0 = all)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--ids", default="", help="comma-separated figure ids (e.g. rms_001,jco_003); overrides the rest")
    parser.add_argument("--csv", type=Path, default=None, help="write per-figure results here")
    parser.add_argument("--summarise", type=Path, default=None, help="print the tables of a --csv file and stop")
    args = parser.parse_args(argv)
    files = sorted(args.corpus.glob("*.json"))
    if not files and not args.summarise:
        print(f"--corpus: expected truth JSON files in {args.corpus}, got none; run "
              "python benchmarks/wild/make_corpus.py first", file=sys.stderr)
        return 2
    wanted = {f for f in args.families.split(",") if f}
    chosen: dict[str, list[Path]] = {}
    for f in files:
        family = json.loads(f.read_text())["family"]
        if wanted and family not in wanted:
            continue
        chosen.setdefault(family, []).append(f)
    todo = [p for fam in sorted(chosen) for p in (chosen[fam][: args.per_family] if args.per_family else chosen[fam])]
    if args.ids:
        todo = [args.corpus / f"{name.strip()}.json" for name in args.ids.split(",") if name.strip()]
        missing = [p.stem for p in todo if not p.is_file()]
        if missing:
            print(f"--ids: expected figures of {args.corpus}, got unknown {', '.join(missing)}", file=sys.stderr)
            return 2
    if args.summarise:
        results = pd.read_csv(args.summarise)
    else:
        rows = []
        with ProcessPoolExecutor(max_workers=max(1, args.jobs), initializer=_time_ocr) as pool:
            for row in pool.map(score_figure, todo, chunksize=1):
                rows.append(row)
                if args.csv:  # kept up to date, so an interrupted run can still be summarised
                    pd.DataFrame(rows).to_csv(args.csv, index=False)
        results = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(_table(results).to_string())
    if "reading" in results:  # the worst outcome: exit 0 and off, said only when the run flags its reading
        swapped = _flag(results, "swapped")
        off = results[results["ok"].astype(bool) & ((results["mae"] > BAR_MAE) | swapped)]
        flagged = off[off["reading"] == "flagged"]
        print(f"\nProcessed (exit 0) but MAE > {BAR_MAE} or arms named wrong: {len(off)} figure(s), {len(flagged)} "
              "of them flagged (reading: flagged)"
              + "".join(f"\n  {r.id}  MAE {r.mae:.4f}{'  ARMS SWAPPED' if swapped[r.Index] else ''}"
                        f"  reading {r.reading}" for r in off.itertuples()))
    print("\nTop failure messages (count, families):")
    failed = results[results["error"].notna()]
    for message, count in Counter(failed["error"]).most_common(12):
        fams = Counter(failed.loc[failed["error"] == message, "family"]).most_common(4)
        print(f"  {count:4d}  {message}  [{', '.join(f'{f}:{c}' for f, c in fams)}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
