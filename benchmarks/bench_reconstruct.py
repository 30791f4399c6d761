"""Reconstruction benchmark: speed on a large digitized arm, accuracy of round trips with known truth.

Run from the repository root: ``python benchmarks/bench_reconstruct.py [--quick]``.

Tables printed:
1. seconds for 5,000 patients, ~7,500 digitized points, a 10-row table (median of repeats), per method;
2. per arm size and censoring, for exact KM corners and for a 400-pixel y axis (quantized survival):
   worst max |KM(reconstructed) - KM(true)|, mean |events error|, per method;
3. two-arm trials of 25 patients per arm with an at-risk row every 3 months: |log HR(rec) - log HR(true)|
   (median and 90th percentile over draws), per method and input kind;
4. the same error with and without censor marks (25, 100, 300 per arm, 6-monthly table);
5. censor marks at the edges (issue 18): marks at the curve's end and at S = 0, a curve ending above 0
   with a final table row of 0, heavy late censoring: max |KM(reconstructed) - curve| and |events error|
   without and with marks, and how often marks were set aside.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from compare import cox_hr
from reconstruct import km_at, km_step_points, number_at_risk, reconstruct_arm, simulate_arm
from reconstruct.errors import ReconstructionWarning

PIXEL_PRECISION = 0.0025 / np.sqrt(12)  # rounding to 1/400 of the axis


def speed_table(repeats: int) -> None:
    sim = simulate_arm(5000, seed=7, median=12.0, follow_up=24.0, dropout_rate=0.02)
    t, s = km_step_points(sim.time, sim.event)
    grid = np.linspace(0.0, t[-1], 7500 - t.size)
    pts_t = np.r_[t, grid]
    pts_s = np.round(np.r_[s, km_at(sim.time, sim.event, grid)], 3)  # a digitizer's 3 decimals
    table_t = np.round(np.linspace(0.0, 30.0, 10))
    table_n = number_at_risk(sim.time, table_t)
    print(f"\n1. speed: {sim.time.size} patients, {pts_t.size} digitized points, {table_t.size}-row table")
    print(f"{'method':<8} {'median s':>10} {'min s':>10} {'events':>7} {'true':>6} {'KM max diff':>12}")
    for method in ("steps", "guyot"):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            rec = reconstruct_arm(pts_t, pts_s, at_risk_time=table_t, at_risk=table_n, method=method)
            times.append(time.perf_counter() - start)
        print(f"{method:<8} {np.median(times):>10.4f} {min(times):>10.4f} {rec.n_events:>7} "
              f"{int(sim.event.sum()):>6} {rec.fidelity.km_max_abs_diff:>12.4f}")


def _arm(n, seed, censoring, median=12.0):
    spec = dict(follow_up=3.0, dropout_rate=0.05) if censoring == "heavy" else dict(follow_up=36.0)
    return simulate_arm(n, seed=seed, median=median, accrual=12.0, **spec)


def _reconstruct(sim, kind, method):
    t, s = km_step_points(sim.time, sim.event)
    table_t = np.arange(0.0, sim.time.max(), 3.0)
    table_n = number_at_risk(sim.time, table_t)
    if kind == "exact":
        return reconstruct_arm(t, s, at_risk_time=table_t, at_risk=table_n, method=method, precision=1e-9)
    return reconstruct_arm(t, np.round(s * 400) / 400, at_risk_time=table_t, at_risk=table_n, method=method,
                           precision=PIXEL_PRECISION)


def accuracy_table(draws: int) -> None:
    print(f"\n2. round trips ({draws} draws per row): worst max|KM rec - KM true|, mean |events error|")
    print(f"{'n':>5} {'censoring':<9} {'input':<8} {'steps KM':>9} {'steps ev':>9} {'guyot KM':>9} {'guyot ev':>9}")
    for n in (25, 50, 100, 500, 2000):
        for censoring in ("heavy", "light"):
            for kind in ("exact", "400px"):
                row = {}
                for method in ("steps", "guyot"):
                    gaps, errs = [], []
                    for seed in range(draws):
                        sim = _arm(n, 10_000 * n + seed, censoring)
                        rec = _reconstruct(sim, kind, method)
                        grid = np.linspace(0.0, sim.time.max(), 2001)
                        gaps.append(np.abs(km_at(sim.time, sim.event, grid) - km_at(rec.time, rec.event, grid)).max())
                        errs.append(abs(rec.n_events - int(sim.event.sum())))
                    row[method] = (max(gaps), float(np.mean(errs)))
                print(f"{n:>5} {censoring:<9} {kind:<8} {row['steps'][0]:>9.4f} {row['steps'][1]:>9.2f} "
                      f"{row['guyot'][0]:>9.4f} {row['guyot'][1]:>9.2f}")


def log_hr_table(draws: int) -> None:
    print(f"\n3. two arms x 25 patients, at-risk row every 3 months ({draws} draws): |log HR rec - log HR true|")
    print(f"{'input':<8} {'method':<7} {'median':>8} {'p90':>8} {'max':>8}")
    for kind in ("exact", "400px"):
        for method in ("steps", "guyot"):
            errors = []
            for seed in range(draws):
                a = _arm(25, 2 * seed, "light", median=12.0)
                b = _arm(25, 2 * seed + 1, "light", median=8.0)
                true = cox_hr(np.r_[a.time, b.time], np.r_[a.event, b.event], np.r_[["A"] * 25, ["B"] * 25],
                              reference="A")
                ra, rb = _reconstruct(a, kind, method), _reconstruct(b, kind, method)
                rec = cox_hr(np.r_[ra.time, rb.time], np.r_[ra.event, rb.event],
                             np.r_[["A"] * ra.n_patients, ["B"] * rb.n_patients], reference="A")
                errors.append(abs(rec.log_hr - true.log_hr))
            q = np.quantile(errors, [0.5, 0.9])
            print(f"{kind:<8} {method:<7} {q[0]:>8.4f} {q[1]:>8.4f} {max(errors):>8.4f}")


def marks_table(draws: int) -> None:
    print(f"\n4. censor marks ({draws} draws): two arms, 400-px curves, at-risk row every 6 months, marks at the true")
    print("   censoring times read at 1/500 of the x axis; |log HR rec - log HR true|, median (90th percentile)")
    print(f"{'n/arm':>6} {'steps':>16} {'steps+marks':>16} {'guyot':>16} {'guyot+marks':>16}")
    for n in (25, 100, 300):
        errors: dict[tuple[str, bool], list[float]] = {}
        for seed in range(draws):
            sims = [simulate_arm(n, seed=2 * seed + k, median=(12.0, 8.0)[k], follow_up=24.0, dropout_rate=0.05)
                    for k in (0, 1)]
            step = max(s.time.max() for s in sims) / 500
            groups = np.r_[["A"] * n, ["B"] * n]
            true = cox_hr(np.r_[sims[0].time, sims[1].time], np.r_[sims[0].event, sims[1].event], groups,
                          reference="A")
            for method in ("steps", "guyot"):
                for use in (False, True):
                    recs = []
                    for sim in sims:
                        t, s = km_step_points(sim.time, sim.event)
                        table_t = np.arange(0.0, sim.time.max(), 6.0)
                        marks = np.unique(np.round(sim.time[sim.event == 0] / step) * step) if use else None
                        recs.append(reconstruct_arm(t, np.round(s * 400) / 400, at_risk_time=table_t,
                                                    at_risk=number_at_risk(sim.time, table_t), method=method,
                                                    precision=PIXEL_PRECISION, censor_times=marks))
                    hr = cox_hr(np.r_[recs[0].time, recs[1].time], np.r_[recs[0].event, recs[1].event], groups,
                                reference="A")
                    errors.setdefault((method, use), []).append(abs(hr.log_hr - true.log_hr))
        cells = [f"{np.median(errors[k]):.4f} ({np.quantile(errors[k], 0.9):.4f})"
                 for k in (("steps", False), ("steps", True), ("guyot", False), ("guyot", True))]
        print(f"{n:>6} " + " ".join(f"{c:>16}" for c in cells))


def _edge_case(scenario, n, seed):
    """One edge case of table 5: curve points, table, marks and the true number of events."""
    if scenario.startswith("late"):  # quick accrual, analysis soon after: most censorings late, at once
        sim = simulate_arm(n, seed=seed, median=12.0, accrual=4.0, follow_up=10.0)
    else:
        sim = simulate_arm(n, seed=seed, median=8.0, accrual=12.0, follow_up=60.0, dropout_rate=0.01)
    t, s = km_step_points(sim.time, sim.event)
    step = 2.0
    table_t = np.arange(0.0, t[-1], step)
    table_n = number_at_risk(sim.time, table_t)
    censored = sim.time[sim.event == 0]
    if scenario.startswith("cut"):  # the figure: curve stops above 0, the table's last row is 0
        low = np.flatnonzero((s < max(0.03, 1.5 / n)) & (s > 0))
        k = int(low[0]) if low.size else t.size - 2
        t, s = np.r_[t[: k + 1], t[k] + 0.05], np.r_[s[: k + 1], s[k]]
        table_t = np.arange(0.0, t[-1], step)
        table_n = np.r_[number_at_risk(sim.time, table_t), 0]
        table_t = np.r_[table_t, table_t[-1] + step]
        censored = censored[censored <= t[-1]]
    marks = {
        "cut: one mark before the end": np.array([t[-1] - 0.01]),
        "cut: true marks + 3 at the end": np.r_[censored, np.full(3, t[-1])],
        "to 0: true marks + marks at/after S=0": np.r_[censored, t[np.argmax(s <= 0)] + np.array([0.0, 0.5, 5.0])]
        if np.any(s <= 0) else censored,
        "late: true marks": censored,
        "late: true marks, table to half": censored,
    }[scenario]
    if scenario.endswith("table to half"):
        keep = table_t <= 0.5 * t[-1]
        table_t, table_n = table_t[keep], table_n[keep]
    return t, s, table_t, table_n, marks, int(sim.event[sim.time <= t[-1]].sum())  # events the curve shows


def edge_table(draws: int) -> None:
    print(f"\n5. censor marks at the edges ({draws} draws per row): worst max|KM rec - curve| without / with marks,")
    print("   worst (with - without), mean |events error| without / with, marks set aside (draws)")
    scenarios = ("cut: one mark before the end", "cut: true marks + 3 at the end",
                 "to 0: true marks + marks at/after S=0", "late: true marks", "late: true marks, table to half")
    print(f"{'scenario':<38} {'n':>4} {'input':<6} {'KM no':>7} {'KM mk':>7} {'worse':>7} {'ev no':>6} "
          f"{'ev mk':>6} {'aside':>5}")
    for scenario in scenarios:
        for n in (25, 100, 300):
            for kind in ("exact", "400px"):
                km_no, km_mk, worse, ev_no, ev_mk, aside = [], [], [], [], [], 0
                for seed in range(draws):
                    t, s, table_t, table_n, marks, true_events = _edge_case(scenario, n, 7_000 * n + seed)
                    precision = 1e-9
                    if kind == "400px":
                        s, precision = np.round(s * 400) / 400, PIXEL_PRECISION
                    recs = [reconstruct_arm(t, s, at_risk_time=table_t, at_risk=table_n, precision=precision,
                                            censor_times=m) for m in (None, marks)]
                    km_no.append(recs[0].fidelity.km_max_abs_diff)
                    km_mk.append(recs[1].fidelity.km_max_abs_diff)
                    worse.append(km_mk[-1] - km_no[-1])
                    ev_no.append(abs(recs[0].n_events - true_events))
                    ev_mk.append(abs(recs[1].n_events - true_events))
                    aside += any(note.startswith("set aside") for note in recs[1].fidelity.mark_notes)
                print(f"{scenario:<38} {n:>4} {kind:<6} {max(km_no):>7.4f} {max(km_mk):>7.4f} {max(worse):>7.4f} "
                      f"{np.mean(ev_no):>6.2f} {np.mean(ev_mk):>6.2f} {aside:>5}")


def main() -> None:
    # Plain Guyot's misfits raise ReconstructionWarning; the tables report them, so keep the output clean.
    warnings.simplefilter("ignore", ReconstructionWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and draws")
    args = parser.parse_args()
    speed_table(3 if args.quick else 15)
    accuracy_table(3 if args.quick else 20)
    log_hr_table(20 if args.quick else 200)
    marks_table(10 if args.quick else 100)
    edge_table(3 if args.quick else 20)


if __name__ == "__main__":
    main()
