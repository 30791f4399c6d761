"""Silent wrong answers: runs that exit 0 although their IPD is far from the truth, and false misfit alarms.

Run from the repository root::

    python benchmarks/bench_silent.py [--per-style N] [--styles a,b] [--km-corpus] [--wild DIR] [--sweep]

Every figure is run through :func:`kmrecon.run_figure` (no hints) under several table conditions:

- ``true``: the true at-risk table (every 6 months; for the real figures 8 rows over the follow-up; arms
  named as in the legend) as ``--at-risk``;
- ``none``: no table file: the table printed under the plot when there is one, else ``--n`` (true n);
- ``shifted``: the true numbers written half a row interval (3 months) later than they hold (the
  printed ticks and the table's times disagree); ``early``: half an interval earlier;
- ``swapped``: (two or more arms) the true table with the rows' arm names rotated, so every row
  carries the name of another curve.

A run *exits 0* when ``run_figure`` returns a status ``"ok"`` result. Its error is the largest over
arms of the mean |KM(reconstructed) - KM(true)| on 400 times up to the true last follow-up, the true
arm being that of the curve the arm was reconstructed from (digitized curves are paired with the
true KMs by distance; ``renamed`` counts runs whose names differ from the legend's). Per family:

- ``silent``: exit 0 with error > 0.05 (target 0);
- ``false_alarm``: misfit flagged although the error is <= 0.01 and the inputs were right (conditions
  ``true`` and ``none``), as a share of such good runs (target <= 2%); ``flag_wrong_table`` counts
  the flags on deliberately wrong tables whose result happened to stay close (the table does
  contradict the curve, so the flag is right);
- the other outcomes (misfit, other error) and the median error of exit-0 runs.

``--sweep`` also prints, for a grid of KM tolerances (floor + k * precision), the silent and false-alarm
counts those tolerances would give on the same runs (ignoring their effect on arm matching): the
constants in :mod:`reconstruct.quality` are chosen from that table.

``--wild DIR`` adds a corpus of other renderers (issue 12): every figure ``DIR/<family>/<name>.<ext>``
(png, jpg, jpeg, pdf, svg; any depth, the family is the folder) with its true IPD beside it in
``<name>.ipd.csv``, ``<name>_ipd.csv`` or ``<name>.csv`` (columns ``arm,time,event``; ``arm`` = the legend
name); figures without one are skipped. The ``none`` condition then reads the printed table.
``--km-corpus`` adds the real lifelines / ggsurvfit figures of ``../shared/km-corpus`` whose data
are known.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reconstruct import km_at, number_at_risk
from kmrecon.synthetic_figures import STYLES, generate_figure
from kmrecon.run import run_figure
from reconstruct.errors import KmreconError, KmreconWarning

CONDITIONS = ("true", "none", "shifted", "early", "swapped")
SILENT_MAE = 0.05
GOOD_MAE = 0.01
SHIFT = 3.0
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".svg")


@dataclass(frozen=True)
class Arm:
    label: str
    time: np.ndarray
    event: np.ndarray


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    path: Path
    arms: tuple[Arm, ...]
    printed_table: bool
    table_step: float = 6.0


def _norm(text) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def _table(arms, *, step: float = 6.0, shift: float = 0.0, rotate: int = 0) -> pd.DataFrame:
    frames = []
    for k, arm in enumerate(arms):
        times = np.arange(0.0, arm.time.max(), step)
        n = number_at_risk(arm.time, times)
        written = np.where(times > 0, np.maximum(times + shift, step / 12), 0.0)
        keep = np.r_[True, np.diff(written) > 0]
        name = arms[(k + rotate) % len(arms)].label
        frames.append(pd.DataFrame({"arm": name, "time": written[keep], "n_risk": n[keep]}))
    return pd.concat(frames, ignore_index=True)


def _mae(truth: Arm, time_, event) -> float:
    grid = np.linspace(0.0, truth.time.max(), 400)
    rec = km_at(np.asarray(time_), np.asarray(event), grid)
    return float(np.abs(km_at(truth.time, truth.event, grid) - rec).mean())


def _error(run, truths: tuple[Arm, ...]) -> tuple[float, bool]:
    """Largest per-arm error against the truth of the curve each arm was reconstructed from.

    Curves are paired with true arms by the smallest summed distance between the digitized curve and
    the true KM (names are not trusted: a swapped table may rename arms). Second value: whether some
    arm's name differs from the legend name of its curve's truth.
    """
    from kmrecon.synthetic_figures import step_value

    curves = run.digitized.arms
    recs = [run.reconstruction[name] for name in run.arm_names]
    if len(curves) != len(truths):
        return np.inf, True
    cost = np.empty((len(curves), len(truths)))
    for k, c in enumerate(curves):
        for j, t in enumerate(truths):
            grid = np.linspace(0.0, min(float(np.max(c.time)), float(t.time.max())), 400)
            cost[k, j] = np.abs(step_value(np.asarray(c.time), np.asarray(c.survival), grid)
                                - km_at(t.time, t.event, grid)).mean()
    pairs = min(itertools.permutations(range(len(truths))), key=lambda p: sum(cost[k, p[k]] for k in range(len(p))))
    err = max(_mae(truths[pairs[k]], r.time, r.event) for k, r in enumerate(recs))
    renamed = any(_norm(run.arm_names[k]) != _norm(truths[pairs[k]].label) for k in range(len(recs)))
    return err, renamed


def run_case(case: Case, condition: str, folder: Path) -> dict | None:
    """One figure under one table condition; None when the condition does not apply."""
    arms = case.arms
    kwargs: dict = {}
    if condition == "swapped":
        if len(arms) < 2:
            return None
        table = _table(arms, step=case.table_step, rotate=1)
    elif condition == "none":
        table = None
        if not case.printed_table:
            kwargs["n_patients"] = None  # names unknown before digitizing: filled below
    else:
        shift = {"true": 0.0, "shifted": SHIFT, "early": -SHIFT}[condition] * case.table_step / 6.0
        table = _table(arms, step=case.table_step, shift=shift)
    at_risk = None
    if table is not None:
        at_risk = folder / f"{case.name}_{condition}.csv"
        table.to_csv(at_risk, index=False)
    start = time.perf_counter()
    row = {"family": case.family, "figure": case.name, "condition": condition, "arms": len(arms)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KmreconWarning)
            if "n_patients" in kwargs:
                from reconstruct.document import digitize_document, open_document

                fig = digitize_document(open_document(case.path))
                names = [f"curve {k + 1}" for k in range(len(fig.arms))]  # scored by the best pairing
                sizes = [a.time.size for a in arms] + [max(a.time.size for a in arms)] * len(fig.arms)
                kwargs = {"arm_names": names, "n_patients": dict(zip(names, sizes, strict=False))}
            run = run_figure(case.path, at_risk_path=at_risk, accept_misfit=True, **kwargs)
        err, renamed = _error(run, arms)
        renamed = renamed and "arm_names" not in kwargs  # --n runs use neutral names
        fits = run.fit
        row.update(status=run.status, mae=err, renamed=renamed, basis=None if run.match is None else run.match.basis,
                   precision=run.precision, km_mean_miss=max(f.km_mean_miss for f in fits),
                   bound_ratio=max(f.bound_ratio for f in fits),
                   worst=max(fits, key=lambda f: f.score).arm)
        row["_fits"] = [(f.km_mean_miss, f.bound_ratio) for f in fits]
    except KmreconError as exc:
        row.update(status=type(exc).__name__, mae=np.nan, error=str(exc)[:80])
    row["seconds"] = time.perf_counter() - start
    return row


def _cache_digitization() -> None:
    """Digitize each figure once for all its conditions (the benchmark is about what follows)."""
    import functools

    import reconstruct.document as document

    original = document.digitize_document

    @functools.lru_cache(maxsize=8)
    def cached(path, page=None, index=None, x_range=None, y_range=None, n_arms=None):
        return original(path, page=page, index=index, x_range=x_range, y_range=y_range, n_arms=n_arms)

    def hashable(value):
        return tuple(value) if isinstance(value, list) else value

    document.digitize_document = lambda path, **kw: cached(str(getattr(path, "path", path)),
                                                           **{k: hashable(v) for k, v in kw.items()})


def generated_cases(styles, per_style: int, folder: Path):
    for style in styles:
        for seed in range(per_style):
            gen = generate_figure(style, seed)
            path = folder / f"{style}_{seed}{gen.suffix}"
            path.write_bytes(gen.image_bytes)
            arms = tuple(Arm(a.label, a.time, a.event) for a in gen.truth.arms)
            yield Case(style, path.stem, path, arms, STYLES[style].risk_table)


def km_corpus_cases():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_digitize import KM_CASES, KM_CORPUS

    if not (KM_CORPUS / "index.csv").is_file():
        print("km-corpus: skipped (../shared/km-corpus absent)")
        return
    for image, (data_file, duration, event_col, group, code) in KM_CASES.items():
        frame = pd.read_csv(KM_CORPUS / data_file)
        groups = [("all", frame)] if group is None else [(str(k), g) for k, g in frame.groupby(group)]
        arms = tuple(Arm(label, g[duration].to_numpy(float), (g[event_col] == code).to_numpy(int))
                     for label, g in groups)
        t_max = max(float(a.time.max()) for a in arms)
        yield Case("km-corpus", Path(image).stem[-40:], KM_CORPUS / image, arms, False, table_step=t_max / 8)


def _truth_file(path: Path) -> Path | None:
    for candidate in (path.with_suffix(".ipd.csv"), path.with_name(f"{path.stem}_ipd.csv"), path.with_suffix(".csv")):
        if candidate.is_file() and {"arm", "time", "event"} <= set(pd.read_csv(candidate, nrows=0).columns):
            return candidate
    return None


def wild_cases(root: Path, per_family: int | None = None):
    """Figures with their true IPD; the family is the folder, or for a flat folder (the cache of
    ``benchmarks/wild/make_corpus.py``) the name without its number (``sas_004`` -> ``sas``)."""
    if not root.is_dir():
        print(f"wild corpus: skipped ({root} absent)")
        return
    taken: dict[str, int] = {}
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        truth = _truth_file(path)
        if truth is None:
            continue
        family = (path.parent.relative_to(root).as_posix() if path.parent != root
                  else re.sub(r"_\d+$", "", path.stem))
        if per_family is not None and taken.get(family, 0) >= per_family:
            continue
        taken[family] = taken.get(family, 0) + 1
        ipd = pd.read_csv(truth)
        arms = tuple(Arm(str(a), g["time"].to_numpy(float), g["event"].to_numpy(int))
                     for a, g in ipd.groupby("arm", sort=False))
        yield Case(f"wild/{family}", path.stem, path, arms, True)


def summarize(frame: pd.DataFrame) -> pd.DataFrame:
    done = frame[frame["status"].isin(["ok", "misfit"])]
    good = done[done["mae"] <= GOOD_MAE]
    out = frame.groupby("family").agg(runs=("status", "size"))
    out["exit0"] = frame[frame["status"] == "ok"].groupby("family").size()
    out["misfit"] = frame[frame["status"] == "misfit"].groupby("family").size()
    out["error"] = frame[~frame["status"].isin(["ok", "misfit"])].groupby("family").size()
    out["silent"] = done[(done["status"] == "ok") & (done["mae"] > SILENT_MAE)].groupby("family").size()
    right_inputs = good["condition"].isin(["true", "none"])
    out["good"] = good[right_inputs].groupby("family").size()
    out["false_alarm"] = good[right_inputs & (good["status"] == "misfit")].groupby("family").size()
    out["flag_wrong_table"] = good[~right_inputs & (good["status"] == "misfit")].groupby("family").size()
    renamed = frame["renamed"].astype("boolean").fillna(False).to_numpy(bool) if "renamed" in frame else False
    out["renamed"] = frame[(frame["status"] == "ok") & renamed].groupby("family").size()
    out["mae_median_exit0"] = frame[frame["status"] == "ok"].groupby("family")["mae"].median()
    out = out.fillna(0)
    total = out.sum(numeric_only=True)
    total["mae_median_exit0"] = frame.loc[frame["status"] == "ok", "mae"].median()
    out.loc["ALL"] = total
    for col in ("runs", "exit0", "misfit", "error", "silent", "good", "false_alarm", "flag_wrong_table", "renamed"):
        out[col] = out[col].astype(int)
    out["false_alarm_%"] = 100.0 * out["false_alarm"] / out["good"].clip(lower=1)
    return out


def sweep(frame: pd.DataFrame) -> pd.DataFrame:
    """Silent and false-alarm counts for other KM tolerances, recomputed from the recorded misses."""
    done = frame[frame["status"].isin(["ok", "misfit"])]
    rows = []
    for floor in (0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05):
        for k in (0.0, 2.0, 4.0, 8.0):
            flag = np.array([any(max(m / (floor + k * p), b) > 1 for m, b in fits)
                             for fits, p in zip(done["_fits"], done["precision"], strict=True)])
            good = (done["mae"].to_numpy() <= GOOD_MAE) & done["condition"].isin(["true", "none"]).to_numpy()
            rows.append({"floor": floor, "k": k, "silent": int(np.sum(~flag & (done["mae"].to_numpy() > SILENT_MAE))),
                         "false_alarm": int(np.sum(flag & good)), "good": int(good.sum())})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-style", type=int, default=4)
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--km-corpus", action="store_true", help="add the real figures of ../shared/km-corpus")
    parser.add_argument("--wild", type=Path, default=None, help="folder of the issue-12 corpus (see above)")
    parser.add_argument("--wild-per-family", type=int, default=None, help="first N figures of each wild family")
    parser.add_argument("--sweep", action="store_true", help="print the tolerance sweep")
    parser.add_argument("--verbose", action="store_true", help="print every run")
    parser.add_argument("--csv", type=Path, default=None, help="write every run to this CSV")
    args = parser.parse_args()
    conditions = [c for c in args.conditions.split(",") if c]
    _cache_digitization()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        styles = [s for s in args.styles.split(",") if s]
        cases = itertools.chain(generated_cases(styles, args.per_style, folder) if args.per_style else (),
                                km_corpus_cases() if args.km_corpus else (),
                                wild_cases(args.wild, args.wild_per_family) if args.wild is not None else ())
        for case in cases:
            for condition in conditions:
                row = run_case(case, condition, folder)
                if row is not None:
                    rows.append(row)
    frame = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 200)
    print(f"\n{len(frame)} runs; silent = exit 0 with KM MAE > {SILENT_MAE}; false alarm = misfit with MAE <= "
          f"{GOOD_MAE}")
    print(summarize(frame).to_string(float_format=lambda v: f"{v:.4f}"))
    print("\nby condition:")
    by = frame.assign(family=frame["condition"])
    print(summarize(by).to_string(float_format=lambda v: f"{v:.4f}"))
    silent = frame[(frame["status"] == "ok") & (frame["mae"] > SILENT_MAE)]
    if len(silent):
        print("\nsilent wrong answers:")
        print(silent[["figure", "condition", "mae", "km_mean_miss", "bound_ratio", "basis", "renamed"]].to_string(
            index=False, float_format=lambda v: f"{v:.4f}"))
    alarms = frame[(frame["status"] == "misfit") & (frame["mae"] <= GOOD_MAE)
                   & frame["condition"].isin(["true", "none"])]
    if len(alarms):
        print("\nfalse alarms:")
        print(alarms[["figure", "condition", "mae", "km_mean_miss", "bound_ratio", "precision"]].to_string(
            index=False, float_format=lambda v: f"{v:.4f}"))
    if args.sweep:
        print("\ntolerance sweep (KM tolerance = floor + k * precision):")
        print(sweep(frame).to_string(index=False))
    print(frame[["figure", "condition", "status", "mae", "km_mean_miss", "bound_ratio", "basis"]].to_string(
        index=False, float_format=lambda v: f"{v:.4f}")) if args.verbose else None
    if args.csv is not None:
        frame.drop(columns=["_fits"], errors="ignore").to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
