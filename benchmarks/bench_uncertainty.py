"""Reconstruction and total intervals: coverage and width over simulated figures with known truth.

Run from the repository root: ``python benchmarks/bench_uncertainty.py [--raster N --pixel N --vector N]``.

Three families of two-arm figures (seeded; 25-500 patients per arm; an at-risk row every 3, 6, 9 or 12
months; censor marks read or not):

* ``figure``: raster images of the project's generator (``kmrecon.synthetic_figures``, styles with
  ``+`` or ``|`` marks and without marks, 25-250 per arm), digitized by ``kmrecon run``'s pipeline
  with the true tick ranges as hints and the true at-risk table;
* ``pixel``: exact KM step corners rounded to a 250- or 400-pixel survival axis and a 600-pixel time
  axis (precision half a pixel; drawn as a raster reading, each arm's step times on its own), 25-500 per arm;
* ``vector``: exact KM step corners (vector PDF/SVG input, precision 1e-9), 25-500 per arm;
* ``wild`` (when the wild corpus is cached, ``benchmarks/.cache/wild`` or ``--wild-corpus``): two-arm
  figures drawn by other software (survminer, base R, rms, lifelines, plotnine, SAS/Stata/Prism/Excel and
  journal looks, scans, rasterised PDF pages; ``benchmarks/wild/``), the first ``--wild`` of each look
  (after the first ``--wild-skip``: ``--wild 35 --wild-skip 5`` is the development set of
  ``docs/uncertainty.md``), run like ``figure`` (true tick ranges and at-risk table as hints); a second table gives it per look.

For each statistic (log HR, median, S(12), RMST of the reference arm, RMST difference) it prints:

* ``recon_cover``: share of figures whose reconstruction interval (2.5-97.5% over 200 draws) holds the
  statistic computed on the true IPD (target 0.90-0.99);
* ``total_cover``: share whose total interval holds the data-generating parameter; ``classical_cover``
  the same for the classical CI of the reconstruction and ``oracle_cover`` for the classical CI of the
  true IPD (what a trial's own analysis would have);
* ``recon_width`` and ``total_width``: median width as a ratio to the classical CI of the reconstruction;
* ``rec_err``: median |reconstruction - true IPD| over the classical CI width;
* for raster readings (``figure``, ``wild``), ``recon_cover`` split by whether the run flags its reading
  as possibly grossly off (``summary.json`` ``uncertainty.reading``; column ``flagged`` of ``--csv``).

``python benchmarks/bench_uncertainty.py --raster 24 --pixel 0 --vector 0 --wild 2 --csv rows.csv`` is a
modest run (a few minutes on one core). A last table times 200 draws for two arms of 300 patients (draws,
then all statistics).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.integrate import quad

from compare import summarize_ipd
from compare.survival.uncertainty import summary_uncertainty
from reconstruct import km_step_points, number_at_risk, reconstruct_ipd, simulate_arm
from reconstruct.draw_noise import DigitizerNoise
from reconstruct.draws import draw_ipd
from reconstruct.errors import KmreconError

STATS = ("log_hr", "median", "s12", "rmst", "rmst_diff")
INTERVALS = (3.0, 6.0, 9.0, 12.0)
FIGURE_STYLES = ("basic", "censor_bar", "no_censor", "ticks_3", "risk_table", "low_res")
EPS = 1e-9


def _weibull_s(t, median, shape):
    return np.exp(-np.log(2.0) * (np.asarray(t, dtype=float) / median) ** shape)


def _parameters(medians, shape, tau):
    """Data-generating values of the statistics (arm 'A' the reference, 'B' the comparator)."""
    rmst = [quad(lambda t, m=m: float(_weibull_s(t, m, shape)), 0.0, tau, limit=200)[0] for m in medians]
    return {"log_hr": shape * (np.log(medians[0]) - np.log(medians[1])), "median": medians[0],
            "s12": float(_weibull_s(12.0, medians[0], shape)), "rmst": rmst[0], "rmst_diff": rmst[1] - rmst[0]}


def _extract(summary, unc=None):
    """(estimate, classical low, high, recon low, high, total low, high) per statistic."""
    a, c = summary["A"], summary.contrasts[0]
    hr = c.hazard_ratio
    nan = float("nan")
    out = {
        "log_hr": (np.log(hr.hazard_ratio), np.log(hr.conf_low), np.log(hr.conf_high)) if hr else (nan,) * 3,
        "median": (a.median.time, a.median.conf_low, a.median.conf_high),
        "s12": (a.landmarks.survival[0], a.landmarks.conf_low[0], a.landmarks.conf_high[0]),
        "rmst": (a.rmst.rmst, a.rmst.conf_low, a.rmst.conf_high),
        "rmst_diff": (c.rmst_difference.difference, c.rmst_difference.conf_low, c.rmst_difference.conf_high),
    }
    if unc is None:
        return out
    ua, uc = unc.arms["A"], unc.contrasts["B"]
    pieces = {"log_hr": uc["hazard_ratio"], "median": ua["median"], "s12": ua["landmarks"][0], "rmst": ua["rmst"],
              "rmst_diff": uc["rmst_difference"]}
    for name, u in pieces.items():
        if u is None:
            out[name] = out[name] + (nan,) * 4
            continue
        vals = (u.reconstruction.conf_low, u.reconstruction.conf_high, u.total_low, u.total_high)
        if name == "log_hr":
            vals = tuple(np.log(v) for v in vals)
        out[name] = out[name] + vals
    return out


def _inside(x, low, high):
    if not (np.isfinite(x) and np.isfinite(low) and np.isfinite(high)):
        return np.nan
    tol = EPS * (1.0 + abs(x))
    return float(low - tol <= x <= high + tol)


def _flagged(draws) -> float:
    """1 when the draws' reading is flagged (it may be grossly off), 0 when not, NaN without reading errors."""
    reading = draws.parameters.get("reading")
    return float("nan") if reading is None else float(reading.get("status") == "flagged")


def _score(family, case, rec_ipd, true_ipd, draws, params_fn, seconds, flagged=float("nan")):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s_rec = summarize_ipd(rec_ipd, landmarks=(12.0,), reference="A")
        s_true = summarize_ipd(true_ipd, landmarks=(12.0,), reference="A", tau=s_rec.tau)
        unc = summary_uncertainty(s_rec, draws)
    rec, true = _extract(s_rec, unc), _extract(s_true)
    params = params_fn(s_rec.tau)
    rows = []
    for stat in STATS:
        est, lo, hi, r_lo, r_hi, t_lo, t_hi = rec[stat]
        t_est, t_clo, t_chi = true[stat]
        width = hi - lo
        rows.append({
            "family": family, "case": case, "stat": stat, "seconds": seconds, "flagged": flagged,
            "estimate": est, "true_ipd": t_est, "recon_low": r_lo, "recon_high": r_hi,
            "recon_cover": _inside(t_est, r_lo, r_hi), "total_cover": _inside(params[stat], t_lo, t_hi),
            "classical_cover": _inside(params[stat], lo, hi), "oracle_cover": _inside(params[stat], t_clo, t_chi),
            "recon_width": (r_hi - r_lo) / width if width > 0 else np.nan,
            "total_width": (t_hi - t_lo) / width if width > 0 else np.nan,
            "rec_err": abs(est - t_est) / width if width > 0 else np.nan,
        })
    return rows


def _synthetic(seed, kind):
    """Two simulated arms, their digitized-like curves (exact or on a pixel grid), table and marks."""
    rng = np.random.default_rng([seed, 7 if kind == "vector" else 11])
    n = int(rng.integers(25, 501))
    shape = float(rng.uniform(0.8, 1.5))
    medians = (float(rng.uniform(6, 24)), 0.0)
    medians = (medians[0], medians[0] * float(rng.choice([1.0, 1.3, 1.6])))
    accrual, follow_up = 12.0, float(rng.uniform(12, 36))
    dropout = float(rng.uniform(0.0, 0.02))
    every = float(rng.choice(INTERVALS))
    marks_on = bool(rng.integers(0, 2))
    rows_h = int(rng.choice([250, 400]))
    curves, tables, truth, marks = [], [], [], []
    t_max = accrual + follow_up
    for k, arm in enumerate("AB"):
        sim = simulate_arm(n, seed=seed * 10 + k + (0 if kind == "vector" else 5), median=medians[k], shape=shape,
                           accrual=accrual, follow_up=follow_up, dropout_rate=dropout)
        t, s = km_step_points(sim.time, sim.event)
        c_t = sim.time[sim.event == 0]
        if kind == "pixel":
            s = np.round(s * rows_h) / rows_h
            t = np.round(t / t_max * 600) * t_max / 600
            c_t = np.round(c_t / t_max * 600) * t_max / 600
        curves.append(pd.DataFrame({"arm": arm, "time": t, "survival": s}))
        at = np.arange(0.0, sim.time.max(), every)
        tables.append(pd.DataFrame({"arm": arm, "time": at, "n_risk": number_at_risk(sim.time, at)}))
        truth.append(pd.DataFrame({"arm": arm, "time": sim.time, "event": sim.event}))
        marks.append(pd.DataFrame({"arm": arm, "time": c_t}))
    precision = 1e-9 if kind == "vector" else 0.5 / rows_h
    time_precision = 1e-9 * t_max if kind == "vector" else 0.5 * t_max / 600
    return (pd.concat(curves), pd.concat(tables), pd.concat(truth), pd.concat(marks) if marks_on else None,
            precision, time_precision, lambda tau: _parameters(medians, shape, tau), f"n={n},every={every:g},"
            f"marks={int(marks_on)}")


def synthetic_case(seed, kind):
    curves, table, truth, marks, precision, time_precision, params_fn, label = _synthetic(seed, kind)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = reconstruct_ipd(curves, table, precision=precision, censor_marks=marks)
        # pixel input is a raster reading: two arms' steps in one pixel column are tied only by the rounding
        # (DigitizerNoise: their order is drawn); its axes are exact, so no calibration error
        draws = draw_ipd(curves, table, reconstruction=rec, censor_marks=marks, precision=precision,
                         time_precision=time_precision, seed=seed,
                         noise=DigitizerNoise() if kind == "pixel" else None)
    return _score(kind, label, rec.to_frame(), truth, draws.to_frame(), params_fn, time.perf_counter() - start)


def _generator_parameters(style, seed):
    """Replay the generator's first random draws: shape and medians of the arms (see ``_simulate_arms``)."""
    rng = np.random.default_rng([seed, sum(map(ord, style.name))])
    rng.integers(25, 250)
    rng.uniform(6, 18)
    rng.uniform(12, 36)
    base = float(rng.uniform(8, 30))
    shape = float(rng.uniform(0.8, 1.5))
    return (base, base * 1.45), shape


def figure_case(seed, folder: Path):
    from kmrecon.synthetic_figures import STYLES, generate_figure
    from kmrecon.run import run_figure

    style = STYLES[FIGURE_STYLES[seed % len(FIGURE_STYLES)]]
    gen = generate_figure(style, seed)
    truth = gen.truth
    path = folder / f"fig{seed}{gen.suffix}"
    path.write_bytes(gen.image_bytes)
    every = INTERVALS[(seed // len(FIGURE_STYLES)) % len(INTERVALS)]
    names = {arm.label: name for name, arm in zip(("A", "B"), truth.arms, strict=True)}
    frames, true_rows = [], []
    for arm in truth.arms:
        at = np.arange(0.0, arm.time.max(), every)
        frames.append(pd.DataFrame({"arm": arm.label, "time": at, "n_risk": number_at_risk(arm.time, at)}))
        true_rows.append(pd.DataFrame({"arm": names[arm.label], "time": arm.time, "event": arm.event}))
    table = folder / f"fig{seed}_at_risk.csv"
    pd.concat(frames).to_csv(table, index=False)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_figure(path, at_risk_path=table, x_range=truth.x_range, y_range=truth.y_range,
                         use_censor_marks=style.censor_glyph is not None, draws=200, seed=seed)
        draws = run.draws
    medians, shape = _generator_parameters(style, seed)
    label = f"{style.name},n={truth.arms[0].time.size},every={every:g}"
    rec = run.reconstruction.to_frame().assign(arm=lambda f: f["arm"].map(names))
    sample = draws.to_frame().assign(arm=lambda f: f["arm"].map(names))
    return _score("figure", label, rec, pd.concat(true_rows), sample,
                  lambda tau: _parameters(medians, shape, tau), time.perf_counter() - start, _flagged(draws))


def _wild_parameters(spec):
    """Replay ``benchmarks/wild/spec.py:simulate_truth``'s random draws: medians, Weibull shape, arm sizes."""
    import math
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent / "wild"))
    from spec import ARM_NAMES

    rng = np.random.default_rng(spec["seed"])
    rng.integers(len(ARM_NAMES))
    rng.uniform(6, 24), rng.uniform(6, 36)  # accrual, follow-up
    base, shape = float(rng.uniform(4, 30)), float(rng.uniform(0.7, 1.6))
    rng.choice([0.0, 0.01, 0.03])
    n_a = int(round(math.exp(rng.uniform(math.log(25), math.log(500)))))
    n_b = int(round(math.exp(rng.uniform(math.log(25), math.log(500)))))
    return (base, base * float(rng.uniform(0.6, 2.0))), shape, (n_a, n_b)


def wild_files(corpus: Path, per_look: int, skip: int = 0) -> list[Path]:
    """Two-arm figures with an at-risk table of each look of the wild corpus (or none): the first ``skip``
    of each look are passed over, the next ``per_look`` taken (``skip=5, per_look=35``: the 6th to 40th)."""
    import json

    chosen: dict[str, list[Path]] = {}
    for path in sorted(corpus.glob("*.json")):
        truth = json.loads(path.read_text())
        look = chosen.setdefault(truth["family"], [])
        if len(truth["arms"]) == 2 and truth["at_risk"] and len(look) < skip + per_look:
            look.append(path)
    return [p for look in sorted(chosen) for p in chosen[look][skip:]]


def wild_case(json_path: Path, folder: Path):
    """One wild two-arm figure through ``run_figure`` with its true tick ranges and at-risk table."""
    import json

    from kmrecon.run import run_figure

    truth = json.loads(json_path.read_text())
    names = dict(zip(truth["arms"], "AB", strict=True))
    table = folder / f"{truth['id']}_at_risk.csv"
    pd.DataFrame(truth["at_risk"]).assign(arm=lambda f: f["arm"].map(names)).to_csv(table, index=False)
    ipd = pd.read_csv(json_path.parent / truth["ipd"]).assign(arm=lambda f: f["arm"].map(names))
    seed = int(truth["spec"]["seed"]) % 100_000
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_figure(json_path.parent / truth["image"], at_risk_path=table, x_range=truth["x_range"],
                         y_range=truth["y_range"], draws=200, seed=seed)
    if sorted(run.arm_names) != ["A", "B"]:
        raise KmreconError(f"arms {run.arm_names}")
    medians, shape, sizes = _wild_parameters(truth["spec"])
    if sizes != ((ipd["arm"] == "A").sum(), (ipd["arm"] == "B").sum()):  # the replay must follow the generator
        raise RuntimeError(f"{json_path.name}: replayed arm sizes {sizes} differ from the truth's")
    label = f"{truth['family']},n={(ipd['arm'] == 'A').sum()}/{(ipd['arm'] == 'B').sum()}"
    return _score("wild", label, run.reconstruction.to_frame(), ipd, run.draws.to_frame(),
                  lambda tau: _parameters(medians, shape, tau), time.perf_counter() - start, _flagged(run.draws))


def speed_table(repeats=5):
    from compare.survival.draw_stats import draw_cox_logrank, draw_km, draw_landmarks, draw_medians, draw_rmst

    rows = []
    for kind in ("vector", "pixel"):
        sims = [simulate_arm(300, seed=40 + k, median=12.0 * (1 + 0.3 * k), accrual=12.0, follow_up=24.0)
                for k in range(2)]
        curves, tables = [], []
        for arm, sim in zip("AB", sims, strict=True):
            t, s = km_step_points(sim.time, sim.event)
            if kind == "pixel":
                s = np.round(s * 400) / 400
            curves.append(pd.DataFrame({"arm": arm, "time": t, "survival": s}))
            at = np.arange(0.0, sim.time.max(), 6.0)
            tables.append(pd.DataFrame({"arm": arm, "time": at, "n_risk": number_at_risk(sim.time, at)}))
        curves, table = pd.concat(curves), pd.concat(tables)
        precision = 1e-9 if kind == "vector" else 0.5 / 400
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rec = reconstruct_ipd(curves, table, precision=precision)
        t_draw, t_stat = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            d = draw_ipd(curves, table, reconstruction=rec, precision=precision, n_draws=200, seed=1)
            mid = time.perf_counter()
            parts = {}
            for arm in "AB":
                b = d.arm_bounds(arm)
                sl = slice(b[0], b[-1])
                parts[arm] = (d.draw[sl], d.time[sl], d.event[sl])
                km = draw_km(*parts[arm], 200)
                draw_medians(km, 200), draw_landmarks(km, [12.0], 200), draw_rmst(km, 24.0, 200)
            draw_cox_logrank(parts["A"], parts["B"], 200)
            t_draw.append(mid - start)
            t_stat.append(time.perf_counter() - mid)
        rows.append({"input": kind, "patients": 600, "points": len(curves), "draws_s": np.median(t_draw),
                     "statistics_s": np.median(t_stat), "total_s": np.median(np.add(t_draw, t_stat))})
    print("\nspeed: 200 draws, two arms of 300 patients, one process (median of repeats)")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raster", type=int, default=200, help="generated raster figures")
    parser.add_argument("--pixel", type=int, default=200, help="pixel-rounded KM corners")
    parser.add_argument("--vector", type=int, default=150, help="exact KM corners")
    parser.add_argument("--wild", type=int, default=5, help="two-arm wild figures per look (when cached)")
    parser.add_argument("--wild-skip", type=int, default=0,
                        help="pass over the first K two-arm wild figures of each look, then take --wild "
                             "(--wild 35 --wild-skip 5: the development set of docs/uncertainty.md)")
    parser.add_argument("--wild-corpus", type=Path, default=Path(__file__).resolve().parent / ".cache" / "wild",
                        help="the cached wild corpus (python benchmarks/wild/make_corpus.py)")
    parser.add_argument("--csv", default=None, help="also write every row here")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed table")
    args = parser.parse_args()
    rows, failed = [], {}
    for seed in range(args.vector):
        rows += synthetic_case(seed, "vector")
    for seed in range(args.pixel):
        rows += synthetic_case(seed, "pixel")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.raster):
            try:
                rows += figure_case(seed, Path(tmp))
            except KmreconError as exc:
                failed[type(exc).__name__] = failed.get(type(exc).__name__, 0) + 1
        wild = wild_files(args.wild_corpus, args.wild, args.wild_skip) if args.wild else []
        if args.wild and not wild:
            print(f"wild family skipped: no cached corpus in {args.wild_corpus}")
        for path in wild:
            try:
                rows += wild_case(path, Path(tmp))
            except KmreconError as exc:
                key = f"wild {type(exc).__name__}"
                failed[key] = failed.get(key, 0) + 1
    frame = pd.DataFrame(rows)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    n_fig = frame.groupby("family")["case"].size() // len(STATS)
    print(f"\nfigures scored per family: {n_fig.to_dict()}; figures not processed: {failed or 0}")
    table = frame.groupby(["family", "stat"]).agg(
        n=("recon_cover", "count"), recon_cover=("recon_cover", "mean"), total_cover=("total_cover", "mean"),
        classical_cover=("classical_cover", "mean"), oracle_cover=("oracle_cover", "mean"),
        recon_width=("recon_width", "median"), total_width=("total_width", "median"),
        rec_err=("rec_err", "median"))
    pd.set_option("display.width", 200)
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nall families:")
    print(frame.groupby("stat").agg(n=("recon_cover", "count"), recon_cover=("recon_cover", "mean"),
                                    total_cover=("total_cover", "mean"), classical_cover=("classical_cover", "mean"),
                                    recon_width=("recon_width", "median"), total_width=("total_width", "median"))
          .to_string(float_format=lambda v: f"{v:.3f}"))
    wild_rows = frame[frame["family"] == "wild"]
    if len(wild_rows):
        looks = wild_rows.assign(look=wild_rows["case"].str.split(",").str[0])
        print("\nwild, per look: recon_cover per statistic (figures scored)")
        print(looks.pivot_table(index="look", columns="stat", values="recon_cover", aggfunc="mean")
              .assign(figures=looks.groupby("look")["case"].size() // len(STATS))
              .to_string(float_format=lambda v: f"{v:.2f}"))
    read = frame[frame["flagged"].notna()]
    if len(read):
        print("\nraster readings, flagged (1: the reading may be grossly off) or not: recon_cover (figures)")
        split = read.groupby(["family", "flagged", "stat"])["recon_cover"].agg(["mean", "count"])
        print(split.unstack("stat").to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"\nmedian seconds per figure (reconstruct/run + draws): "
          f"{frame.groupby('family')['seconds'].median().round(3).to_dict()}")
    if not args.no_speed:
        speed_table()


if __name__ == "__main__":
    main()
