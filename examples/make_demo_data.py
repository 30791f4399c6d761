"""Write the bundled demo inputs (simulated, seeded): kmrecon/demo_data/*.csv.

Run from the repository root: ``python examples/make_demo_data.py``. The data are
SIMULATED: a two-arm phase II-sized trial (25 and 50 patients), not any real trial.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from reconstruct import km_step_points, number_at_risk, simulate_arm

OUT = Path(__file__).resolve().parents[1] / "kmrecon" / "demo_data"
ARMS = {"Experimental": dict(n=25, seed=2025, median=9.0), "Control": dict(n=50, seed=2026, median=6.0)}
TABLE_TIMES = np.arange(0.0, 25.0, 3.0)


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


if __name__ == "__main__":
    main()
