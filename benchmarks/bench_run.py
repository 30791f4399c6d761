"""End-to-end benchmark: generated KM figure -> digitize -> at-risk table -> IPD, against the known truth.

Run from the repository root: ``python benchmarks/bench_run.py [--per-style N] [--styles a,b] [--hints]``.

For every figure and each variant (steps + censor marks, steps without marks, plain Guyot) it records
the mean |KM(reconstructed) - KM(true)| per arm over the plotted range, |log HR(reconstructed) -
log HR(true)| for two-arm figures, |median error| and |RMST error| per arm, and seconds per figure.
Figures without a printed at-risk table get the true table at 6-month steps as ``--at-risk``.
``--phase2 N`` adds N phase II-sized figures (25 patients per arm, at-risk row every 6 months) drawn with
the demo's drawing code (examples/make_demo_data.py), the case where plain Guyot is weakest.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from compare import cox_hr, kaplan_meier, median_survival, rmst
from reconstruct import km_at, number_at_risk
from kmrecon.synthetic_figures import STYLES, generate_figure
from kmrecon.run import run_figure
from reconstruct.errors import KmreconError, ReconstructionWarning

VARIANTS = {"steps+marks": dict(method="steps", use_censor_marks=True),
            "steps": dict(method="steps", use_censor_marks=False),
            "guyot": dict(method="guyot", use_censor_marks=False)}


@dataclass(frozen=True)
class _Arm:
    label: str
    time: np.ndarray
    event: np.ndarray


@dataclass(frozen=True)
class _Truth:
    arms: tuple
    risk_table: bool = True
    x_range: tuple = (0.0, 24.0)
    y_range: tuple = (0.0, 1.0)


def phase2_figure(seed: int) -> tuple[bytes, _Truth]:
    """Two arms of 25 simulated patients drawn like the demo figure (PNG bytes and truth)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    from make_demo_data import draw_figure

    from reconstruct import simulate_arm

    arms = []
    for k, (label, median) in enumerate((("Experimental", 10.0), ("Control", 6.0))):
        sim = simulate_arm(25, seed=1000 + 2 * seed + k, median=median, accrual=12.0, follow_up=12.0,
                           dropout_rate=0.02)
        arms.append(_Arm(label, sim.time, sim.event))
    frame = pd.concat([pd.DataFrame({"arm": a.label, "time": a.time, "event": a.event}) for a in arms])
    return draw_figure(frame), _Truth(arms=tuple(arms))


def _median(time, event):
    return median_survival(kaplan_meier(time, event)).time


def _true_table(truth, folder: Path) -> Path:
    frames = []
    for arm in truth.arms:
        times = np.arange(0.0, arm.time.max(), 6.0)
        frames.append(pd.DataFrame({"arm": arm.label, "time": times, "n_risk": number_at_risk(arm.time, times)}))
    path = folder / "at_risk.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


def _score(truth, run) -> dict[str, float]:
    maes, med_err, rmst_err = [], [], []
    tau = min(a.time.max() for a in truth.arms) * 0.9
    recs = []
    for arm in truth.arms:
        if arm.label not in run.arm_names:
            raise KmreconError(f"arm {arm.label!r} not among the reconstructed arms {run.arm_names}")
        rec = run.reconstruction[arm.label]
        recs.append(rec)
        grid = np.linspace(0.0, arm.time.max(), 400)
        maes.append(float(np.abs(km_at(arm.time, arm.event, grid) - km_at(rec.time, rec.event, grid)).mean()))
        med_true, med_rec = _median(arm.time, arm.event), _median(rec.time, rec.event)
        if np.isfinite(med_true) and np.isfinite(med_rec):
            med_err.append(abs(med_true - med_rec))
        rmst_err.append(abs(rmst(arm.time, arm.event, tau=tau).rmst - rmst(rec.time, rec.event, tau=tau).rmst))
    out = {"mae": max(maes), "median_err": max(med_err) if med_err else np.nan, "rmst_err": max(rmst_err),
           "log_hr_err": np.nan}
    if len(truth.arms) == 2:
        a, b = truth.arms
        g_true = np.r_[np.zeros(a.time.size), np.ones(b.time.size)]
        g_rec = np.r_[np.zeros(recs[0].n_patients), np.ones(recs[1].n_patients)]
        true = cox_hr(np.r_[a.time, b.time], np.r_[a.event, b.event], g_true).log_hr
        rec = cox_hr(np.r_[recs[0].time, recs[1].time], np.r_[recs[0].event, recs[1].event], g_rec).log_hr
        out["log_hr_err"] = abs(rec - true)
    return out


def run_km_corpus() -> None:
    """The same scores on the real lifelines and ggsurvfit figures whose data are in ../shared/km-corpus.

    The true at-risk table (8 equally spaced times, arms named by the data's groups) is given with
    ``--at-risk``, so arms are matched by their numbers; multi-panel figures are not in the case list.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_digitize import KM_CASES, KM_CORPUS

    if not (KM_CORPUS / "index.csv").is_file():
        print("\nkm-corpus: skipped (../shared/km-corpus absent)")
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for image, (data_file, duration, event_col, group, code) in KM_CASES.items():
            frame = pd.read_csv(KM_CORPUS / data_file)
            groups = [("all", frame)] if group is None else [(str(k), g) for k, g in frame.groupby(group)]
            arms = tuple(_Arm(label, g[duration].to_numpy(float), (g[event_col] == code).to_numpy(int))
                         for label, g in groups)
            truth = _Truth(arms=arms)
            t_max = max(a.time.max() for a in arms)
            table = pd.concat([pd.DataFrame({"arm": a.label, "time": np.linspace(0, t_max, 9)[:-1],
                                             "n_risk": number_at_risk(a.time, np.linspace(0, t_max, 9)[:-1])})
                               for a in arms])
            path = Path(tmp) / "at_risk.csv"
            table.to_csv(path, index=False)
            for variant, opts in VARIANTS.items():
                start = time.perf_counter()
                try:
                    run = run_figure(KM_CORPUS / image, at_risk_path=path, **opts)
                    score, status = _score(truth, run), "ok"
                except KmreconError as exc:
                    score, status = {}, f"{type(exc).__name__}: {str(exc)[:60]}"
                rows.append({"image": image.split("/")[-1][-40:], "variant": variant, "status": status,
                             "seconds": time.perf_counter() - start, **score})
    frame = pd.DataFrame(rows)
    print(f"\nkm-corpus, {frame['image'].nunique()} real figures with known data (no hints):")
    ok = frame[frame["status"] == "ok"]
    print(ok.groupby("variant").agg(n=("mae", "size"), km_mae_median=("mae", "median"),
                                    share_mae_le_002=("mae", lambda v: float((v <= 0.02).mean())),
                                    log_hr_err_median=("log_hr_err", "median"),
                                    seconds_median=("seconds", "median")).to_string(float_format=lambda v: f"{v:.4f}"))
    print(frame[frame["variant"] == "steps+marks"][["image", "status", "mae", "log_hr_err"]].to_string(
        index=False, float_format=lambda v: f"{v:.4f}"))


def main() -> None:
    # Plain Guyot's misfits raise ReconstructionWarning; the tables report them, so keep the output clean.
    warnings.simplefilter("ignore", ReconstructionWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-style", type=int, default=10)
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--hints", action="store_true", help="pass the true tick ranges as hints")
    parser.add_argument("--phase2", type=int, default=0, help="add this many 25-per-arm phase II figures")
    parser.add_argument("--km-corpus", action="store_true", help="only the real figures of ../shared/km-corpus")
    args = parser.parse_args()
    if args.km_corpus:
        run_km_corpus()
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [(style, seed) for style in args.styles.split(",") if style for seed in range(args.per_style)]
        cases += [("phase2", seed) for seed in range(args.phase2)]
        for style, seed in cases:
            if style == "phase2":
                image, truth = phase2_figure(seed)
                path = folder / f"phase2_{seed}.png"
                path.write_bytes(image)
            else:
                gen = generate_figure(style, seed)
                path = folder / f"{style}_{seed}{gen.suffix}"
                path.write_bytes(gen.image_bytes)
                truth = gen.truth
            risk_table = truth.risk_table if style == "phase2" else truth.style.risk_table
            at_risk = None if risk_table else _true_table(truth, folder)
            hints = dict(x_range=truth.x_range, y_range=truth.y_range) if args.hints else {}
            for variant, opts in VARIANTS.items():
                start = time.perf_counter()
                try:
                    run = run_figure(path, at_risk_path=at_risk, **hints, **opts)
                    score = _score(truth, run)
                    status = "ok"
                except KmreconError as exc:
                    score, status = {}, type(exc).__name__
                rows.append({"style": style, "seed": seed, "variant": variant, "status": status,
                             "seconds": time.perf_counter() - start, **score})
    frame = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    ok = frame[frame["status"] == "ok"]
    shares = frame.groupby("variant")["status"].apply(lambda s: round(float((s == "ok").mean()), 3)).to_dict()
    print(f"\n{len(frame) // len(VARIANTS)} figures, hints {'on' if args.hints else 'off'}; "
          f"share processed per variant: {shares}")
    table = ok.groupby("variant").agg(
        n=("mae", "size"), km_mae_median=("mae", "median"), km_mae_p90=("mae", lambda v: v.quantile(0.9)),
        log_hr_err_median=("log_hr_err", "median"), log_hr_err_p90=("log_hr_err", lambda v: v.quantile(0.9)),
        median_err_median=("median_err", "median"), rmst_err_median=("rmst_err", "median"),
        seconds_median=("seconds", "median"))
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    per_style = ok[ok["variant"] == "steps+marks"].groupby("style").agg(
        n=("mae", "size"), km_mae_median=("mae", "median"), log_hr_err_median=("log_hr_err", "median"))
    failed = frame[(frame["status"] != "ok") & (frame["variant"] == "steps+marks")].groupby("style").size()
    per_style["failed"] = failed.reindex(per_style.index).fillna(0).astype(int)
    print("\nper style (steps+marks):")
    print(per_style.to_string(float_format=lambda v: f"{v:.4f}"))


if __name__ == "__main__":
    main()
