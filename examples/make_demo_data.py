"""Write the bundled demo inputs (simulated, seeded): kmrecon/demo_data/*.csv and figure.png.

Run from the repository root: ``python examples/make_demo_data.py``. The data are
SIMULATED: a two-arm phase II-sized trial (25 and 50 patients), not any real trial. The figure is
drawn by the project itself (figures.plot_km + figures.add_risk_table), labelled as simulated.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from reconstruct import km_step_points, number_at_risk, simulate_arm

OUT = Path(__file__).resolve().parents[1] / "kmrecon" / "demo_data"
ARMS = {"Experimental": dict(n=25, seed=2025, median=9.0), "Control": dict(n=50, seed=2026, median=6.0)}
TABLE_TIMES = np.arange(0.0, 25.0, 3.0)


def draw_figure(truth: pd.DataFrame) -> bytes:
    """The demo KM figure of the simulated truth, with censor marks and an at-risk table (PNG bytes)."""
    import io

    from matplotlib.figure import Figure

    from compare import kaplan_meier
    from figures import add_risk_table, plot_km

    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.16, bottom=0.34, top=0.9)
    kms = {arm: kaplan_meier(g["time"], g["event"]) for arm, g in truth.groupby("arm", sort=False)}
    for (arm, km), colour in zip(kms.items(), ("#1f77b4", "#d62728"), strict=True):
        plot_km(km, ax=ax, ci=False, label=arm, color=colour)
    ax.set_xlim(0, 24)
    ax.set_xticks(np.arange(0, 25, 6))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Months")
    ax.set_ylabel("Overall survival")
    ax.set_title("SIMULATED trial (kmrecon demo)")
    ax.legend(loc="upper right", frameon=False)
    add_risk_table(ax, kms, np.arange(0, 25, 6), title="Number at risk", row_height=0.09)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def main() -> None:
    curves, tables, truth = [], [], []
    for arm, spec in ARMS.items():
        sim = simulate_arm(spec["n"], seed=spec["seed"], median=spec["median"], accrual=12, follow_up=12,
                           dropout_rate=0.02)
        t, s = km_step_points(sim.time, sim.event)
        # Survival to 4 decimals, as read off a vector figure's coordinates (precision 1e-4 in the demo).
        curves.append(pd.DataFrame({"arm": arm, "time": np.round(t, 6), "survival": np.round(s, 4)}))
        times = TABLE_TIMES[TABLE_TIMES <= sim.time.max()]
        tables.append(pd.DataFrame({"arm": arm, "time": times, "n_risk": number_at_risk(sim.time, times)}))
        truth.append(pd.DataFrame({"arm": arm, "time": np.round(sim.time, 6), "event": sim.event}))
    OUT.mkdir(parents=True, exist_ok=True)
    pd.concat(curves).to_csv(OUT / "curves.csv", index=False, lineterminator="\n")
    pd.concat(tables).to_csv(OUT / "at_risk.csv", index=False, lineterminator="\n")
    pd.concat(truth).to_csv(OUT / "true_ipd.csv", index=False, lineterminator="\n")
    (OUT / "figure.png").write_bytes(draw_figure(pd.concat(truth)))


if __name__ == "__main__":
    main()
