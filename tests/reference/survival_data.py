"""Write the seeded survival data sets that ``survival.R`` reads (run once; outputs are committed).

Usage: ``python tests/reference/survival_data.py`` (refuses to overwrite; pass ``--force`` to regenerate).
Every file is an IPD CSV (``arm,time,event``) in ``tests/reference/data/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from reconstruct.io import write_csv  # noqa: E402


def _arm(
    rng: np.random.Generator, name: str, n: int, *, median: float, follow_up: float, decimals: int
) -> pd.DataFrame:
    event_time = rng.exponential(median / np.log(2), size=n)
    censor_time = rng.uniform(0.3 * follow_up, follow_up, size=n)
    time = np.minimum(event_time, censor_time)
    event = (event_time <= censor_time).astype(int)
    if decimals == 0:
        time = np.ceil(time)  # whole months: many ties, as in small phase II figures
    else:
        time = np.round(time, decimals)
    return pd.DataFrame({"arm": name, "time": time, "event": event})


def make_datasets() -> dict[str, pd.DataFrame]:
    """Return the reference data sets by name (deterministic: seed 20240101)."""
    rng = np.random.default_rng(20240101)
    sets = {
        "phase2_ties": _arm(rng, "A", 25, median=9.0, follow_up=30.0, decimals=0),
        "twoarm25": pd.concat(
            [
                _arm(rng, "control", 25, median=6.0, follow_up=24.0, decimals=0),
                _arm(rng, "treatment", 25, median=10.0, follow_up=24.0, decimals=0),
            ]
        ),
        "large300": pd.concat(
            [
                _arm(rng, "control", 150, median=12.0, follow_up=48.0, decimals=2),
                _arm(rng, "treatment", 150, median=17.0, follow_up=48.0, decimals=2),
            ]
        ),
        "pooled3": pd.concat(
            [
                _arm(rng, "trial1", 25, median=8.0, follow_up=30.0, decimals=1),
                _arm(rng, "trial2", 60, median=12.0, follow_up=36.0, decimals=1),
                _arm(rng, "trial3", 120, median=10.0, follow_up=40.0, decimals=1),
            ]
        ),
        # S(t) = 0.5 exactly on [5, 6): R averages the two ends of the flat stretch
        "flat_mid": pd.DataFrame({"arm": "A", "time": np.arange(1.0, 11.0), "event": 1}),
        # S(t) = 0.5 from t = 5 to the last (censored) time 10
        "flat_end": pd.DataFrame({"arm": "A", "time": np.arange(1.0, 11.0), "event": [1] * 5 + [0] * 5}),
        # S(t) never reaches 0.5: median and its limits are NA
        "never_half": pd.DataFrame(
            {"arm": "A", "time": np.arange(1.0, 21.0), "event": [1, 0, 1, 0, 0, 1, 0, 0, 0, 1] + [0] * 10}
        ),
    }
    return {name: frame.reset_index(drop=True) for name, frame in sets.items()}


def main(argv: list[str]) -> None:
    force = "--force" in argv
    for name, frame in make_datasets().items():
        frame = frame.assign(event=frame["event"].astype(int))
        write_csv(HERE / "data" / f"{name}.csv", frame, force=force)


if __name__ == "__main__":
    main(sys.argv[1:])
