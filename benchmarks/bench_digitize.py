"""Digitizer accuracy and speed on the project's generated corpus and on ../shared/km-corpus.

Usage::

    python benchmarks/bench_digitize.py                  # 12 figures per style, without hints (OCR)
    python benchmarks/bench_digitize.py --hints          # with --x-range/--y-range hints from the truth
    python benchmarks/bench_digitize.py --n-per-style 4 --styles basic,ggplot
    python benchmarks/bench_digitize.py --km-corpus-only

Per style and overall it prints: figures digitized (no error), figures passing the bar (every
arm found and mean absolute error <= 0.01 for every arm), mean and max of the per-arm MAE of
the traced curve against the true KM over the plotted time range, censor-mark recall and
precision, the share of arms whose legend label was read correctly, and the median seconds per
figure (single process; run it on an idle core).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reconstruct.digitize.figure import digitize_figure, digitize_image  # noqa: E402
from kmrecon.synthetic_figures import STYLES, curve_mae, generate_figure  # noqa: E402
from reconstruct.digitize.image import decode_image  # noqa: E402
from reconstruct.errors import KmreconError  # noqa: E402

KM_CORPUS = ROOT / ".." / "shared" / "km-corpus"
BAR_MAE = 0.01


def match_arms(truth_arms, arms, t_max: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Pair true and traced arms minimising total MAE; returns the cost matrix and the pairs."""
    cost = np.array([[curve_mae(a, b.time, b.survival, t_max=t_max) for b in arms] for a in truth_arms])
    if cost.size == 0:
        return cost, []
    rows, cols = linear_sum_assignment(cost)
    return cost, list(zip(rows.tolist(), cols.tolist(), strict=False))


def censor_scores(truth_arm, arm, *, time_tol: float, surv_tol: float = 0.03) -> tuple[int, int, int, int]:
    """(true marks recalled, true marks, detected marks that match a true one, detected marks)."""
    tt, ts = truth_arm.censor_time, truth_arm.censor_survival
    dt, ds = arm.censor_time, arm.censor_survival
    if tt.size == 0 or dt.size == 0:
        return 0, int(tt.size), 0, int(dt.size)
    close = (np.abs(tt[:, None] - dt[None, :]) <= time_tol) & (np.abs(ts[:, None] - ds[None, :]) <= surv_tol)
    return int(close.any(axis=1).sum()), int(tt.size), int(close.any(axis=0).sum()), int(dt.size)


def run_generated(styles, n_per_style: int, *, hints: bool, seed: int) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {}
    for name in styles:
        rows = []
        for i in range(n_per_style):
            fig = generate_figure(name, seed + 1000 * i)
            truth = fig.truth
            t0 = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    image = decode_image(fig.image_bytes)
                    kwargs = {"x_range": truth.x_range, "y_range": truth.y_range} if hints else {}
                    result = digitize_image(image, **kwargs)
            except KmreconError as exc:
                rows.append({"ok": False, "digitized": False, "seconds": time.perf_counter() - t0, "error": str(exc)})
                continue
            seconds = time.perf_counter() - t0
            cost, pairs = match_arms(truth.arms, result.arms, truth.x_limits[1])
            maes = [float(cost[r, c]) for r, c in pairs]
            span = truth.x_limits[1] - truth.x_limits[0]
            marks = np.zeros(4, int)
            for r, c in pairs:
                marks += censor_scores(truth.arms[r], result.arms[c], time_tol=0.015 * span)
            all_found = len(result.arms) == len(truth.arms) and (result.curve_kind == "cumulative_incidence") == (
                truth.cumulative
            )
            has_legend = truth.style.legend and len(truth.arms) > 1  # labels are scored only where drawn
            labels = [result.arms[c].label == truth.arms[r].label for r, c in pairs] if has_legend else []
            rows.append({
                "digitized": True, "seconds": seconds, "maes": maes, "all_found": all_found, "labels": labels,
                "ok": all_found and len(maes) == len(truth.arms) and max(maes) <= BAR_MAE, "marks": marks,
            })
        results[name] = rows
    return results


def summarise(rows: list[dict]) -> dict[str, float]:
    n = len(rows)
    done = [r for r in rows if r["digitized"]]
    maes = np.concatenate([r["maes"] for r in done]) if done else np.empty(0)
    marks = np.sum([r["marks"] for r in done], axis=0) if done else np.zeros(4)
    return {
        "n": n,
        "digitized": len(done) / n if n else np.nan,
        "bar": sum(r["ok"] for r in rows) / n if n else np.nan,
        "arms_found": sum(r.get("all_found", False) for r in rows) / n if n else np.nan,
        "mae_mean": float(maes.mean()) if maes.size else np.nan,
        "mae_max": float(maes.max()) if maes.size else np.nan,
        "labels": float(np.mean(np.concatenate([r["labels"] for r in done]))) if done and any(
            r["labels"] for r in done) else np.nan,
        "recall": marks[0] / marks[1] if marks[1] else np.nan,
        "precision": marks[2] / marks[3] if marks[3] else np.nan,
        "sec_median": float(np.median([r["seconds"] for r in rows])) if rows else np.nan,
    }


def print_table(title: str, results: dict[str, list[dict]]) -> None:
    print(f"\n{title}")
    header = (f"{'style':<14}{'n':>4}{'digitized':>10}{'bar ok':>8}{'arms ok':>8}{'MAE mean':>10}{'MAE max':>9}"
              f"{'mark rec':>9}{'mark prec':>10}{'labels':>7}{'s/fig':>7}")
    print(header)
    print("-" * len(header))
    every = []
    for name, rows in results.items():
        every.extend(rows)
        _print_row(name, summarise(rows))
    print("-" * len(header))
    _print_row("overall", summarise(every))
    failures = [(name, r["error"]) for name, rows in results.items() for r in rows if not r["digitized"]]
    for name, error in failures[:10]:
        print(f"  error [{name}]: {error[:110]}")


def _print_row(name: str, s: dict[str, float]) -> None:
    print(f"{name:<14}{s['n']:>4}{s['digitized']:>10.0%}{s['bar']:>8.0%}{s['arms_found']:>8.0%}"
          f"{s['mae_mean']:>10.4f}{s['mae_max']:>9.4f}{s['recall']:>9.2f}{s['precision']:>10.2f}"
          f"{s['labels']:>7.0%}{s['sec_median']:>7.2f}")


# ------------------------------------------------------------------ km-corpus (real renderers)

# Figures whose plotted data can be rebuilt from the corpus' datasets, read from the code that drew
# them (km-corpus/lifelines/docs/*.rst, km-corpus/ggsurvfit/gallery.html). Multi-panel figures
# (small multiples, patchwork/cowplot pairs, parametric fits) are left out.
_WALTONS = ("lifelines/datasets/waltons_dataset.csv", "T", "E")
_DD = ("lifelines/datasets/dd.csv", "duration", "observed")
_COLON = ("ggsurvfit/data/df_colon.csv", "time", "status")
_LUNG = ("ggsurvfit/data/df_lung.csv", "time", "status")
_GALLERY = "ggsurvfit/images/articles__gallery_files__figure-html__unnamed-chunk-{}-1.png"
KM_CASES: dict[str, tuple] = {
    # image: (data file, duration column, event column, group column or None, code of an event)
    "lifelines/images/quickstart_kmf.png": (*_WALTONS, None, 1),
    "lifelines/images/quickstart_kmf_cdf.png": (*_WALTONS, None, 1),
    "lifelines/images/normal_plot.png": (*_WALTONS, None, 1),
    "lifelines/images/flat_plot.png": (*_WALTONS, None, 1),
    "lifelines/images/ci_show_plot.png": (*_WALTONS, None, 1),
    "lifelines/images/single_at_risk_plots.png": (*_WALTONS, None, 1),
    "lifelines/images/quickstart_multi.png": (*_WALTONS, "group", 1),
    "lifelines/images/add_at_risk.png": (*_WALTONS, "group", 1),
    "lifelines/images/plot_survival_difference_at_fixed_point_in_time_test.jpeg": (*_WALTONS, "group", 1),
    "lifelines/images/lifelines_intro_kmf_curve.png": (*_DD, None, 1),
    "lifelines/images/lifelines_intro_kmf_fitter.png": (*_DD, None, 1),
    "lifelines/images/lifelines_intro_multi_kmf_fitter.png": (*_DD, "democracy", 1),
    "lifelines/images/lifelines_intro_multi_kmf_fitter_2.png": (*_DD, "democracy", 1),
    _GALLERY.format(3): (*_COLON, None, 1),
    _GALLERY.format(4): (*_COLON, "surg", 1),
    _GALLERY.format(5): (*_COLON, "surg", 1),
    _GALLERY.format(6): (*_COLON, "surg", 1),
    _GALLERY.format(7): (*_COLON, "surg", 1),
    _GALLERY.format(8): (*_LUNG, "sex", 2),
    _GALLERY.format(9): (*_COLON, "surg", 1),
    _GALLERY.format(16): (*_COLON, "surg", 1),
    _GALLERY.format(17): (*_COLON, "surg", 1),
    "ggsurvfit/images/man__figures__README-example-1.png": (*_COLON, "surg", 1),
    "ggsurvfit/images/man__figures__README-unnamed-chunk-2-1.png": (*_COLON, "surg", 1),
}


def _true_arms(case):
    import pandas as pd

    from kmrecon.synthetic_figures import ArmTruth
    from reconstruct.simulate import km_step_points

    data_file, duration, event, group, event_code = case
    frame = pd.read_csv(KM_CORPUS / data_file)
    groups = [(None, frame)] if group is None else list(frame.groupby(group))
    arms = []
    for label, sub in groups:
        st, ss = km_step_points(sub[duration].to_numpy(float), (sub[event] == event_code).to_numpy(int))
        empty = np.empty(0)
        arms.append(ArmTruth(str(label), "", "-", empty, empty, st, ss, empty, empty))
    return arms


def run_km_corpus(*, hints: bool) -> None:
    import csv

    if not (KM_CORPUS / "index.csv").is_file():
        print("\nkm-corpus: skipped (../shared/km-corpus absent)")
        return
    with open(KM_CORPUS / "index.csv", newline="") as handle:
        index = list(csv.DictReader(handle))
    print("\nkm-corpus (" + ("hints not used: no hint table for real figures" if hints else "no hints") + ")")
    print(f"{'image':<70}{'arms':>5}{'truth':>6}{'MAE per arm':>28}{'s':>6}  note")
    passed = scored = 0
    seconds = []
    for row in index:
        image = row["image"]
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = digitize_figure(KM_CORPUS / image)
        except KmreconError as exc:
            seconds.append(time.perf_counter() - t0)
            scored += image in KM_CASES  # a figure with truth that fails counts against the bar
            print(f"{image[-70:]:<70}{'-':>5}{'':>6}{'':>28}{seconds[-1]:>6.2f}  {str(exc)[:60]}")
            continue
        seconds.append(time.perf_counter() - t0)
        note = result.curve_kind
        maes = ""
        n_true = ""
        if image in KM_CASES:
            truth = _true_arms(KM_CASES[image])
            n_true = str(len(truth))
            t_max = float(result.x_calibration.to_value(result.panel[3]))
            cost, pairs = match_arms(truth, result.arms, t_max)
            values = [float(cost[r, c]) for r, c in pairs]
            maes = " ".join(f"{v:.4f}" for v in values)
            scored += 1
            passed += bool(values) and len(result.arms) == len(truth) and max(values) <= 0.02
        print(f"{image[-70:]:<70}{len(result.arms):>5}{n_true:>6}{maes:>28}{seconds[-1]:>6.2f}  {note}")
    if scored:
        print(f"km-corpus figures with rebuilt truth: {passed}/{scored} with every arm found and MAE <= 0.02")
    print(f"km-corpus median seconds per figure: {np.median(seconds):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-style", type=int, default=12)
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--hints", action="store_true", help="give the true tick values as hints")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--km-corpus-only", action="store_true")
    args = parser.parse_args()
    if not args.km_corpus_only:
        styles = [s for s in args.styles.split(",") if s]
        results = run_generated(styles, args.n_per_style, hints=args.hints, seed=args.seed)
        print_table(f"generated corpus ({args.n_per_style} per style, {'with' if args.hints else 'without'} hints)",
                    results)
    run_km_corpus(hints=args.hints)


if __name__ == "__main__":
    main()
