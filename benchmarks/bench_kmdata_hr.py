"""Cox HR from kmdata IPD against the published HR in kmdata_key.csv.

For every two-arm data set in ``../shared/km-corpus/kmdata/ipd`` (reconstructed IPD from 153 phase III
oncology papers, MIT licence), fit ``compare.cox_hr`` (Efron ties) and compare log HR with the published
HazardRatio of ``kmdata_key.csv``. The key does not say which arm is the reference (its ``Arms`` column is
alphabetical), so each data set is scored in the orientation with the smaller discrepancy; the table
reports how many needed the non-alphabetical reference. Skips cleanly when the folder is absent.

Run: ``python benchmarks/bench_kmdata_hr.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from compare.survival.cox import cox_hr  # noqa: E402
from reconstruct.io import read_ipd_csv  # noqa: E402
from reconstruct.errors import InputError  # noqa: E402

KMDATA = REPO / ".." / "shared" / "km-corpus" / "kmdata" / "ipd"


def _key_row(key: pd.DataFrame, name: str) -> pd.Series | None:
    # the index prefixes names that start with a digit by "X" (R's make.names); the key does not
    for candidate in (name, name[1:] if name.startswith("X") else None):
        if candidate is not None and candidate in key.index:
            return key.loc[candidate]
    return None


def score_datasets(folder: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per scored data set: published HR, fitted HR (alphabetical reference), chosen discrepancy."""
    index = pd.read_csv(folder / "_INDEX_kmdata_datasets.csv")
    key = pd.read_csv(folder / "kmdata_key.csv").set_index("name")
    counts = {"data sets": len(index), "two-arm": 0, "no published HR": 0, "no key row": 0, "fit failed": 0}
    rows = []
    for name in index["object"]:
        ipd = read_ipd_csv(folder / f"{name}.csv")
        arms = sorted(ipd["arm"].unique())
        if len(arms) != 2:
            continue
        counts["two-arm"] += 1
        row = _key_row(key, name)
        if row is None:
            counts["no key row"] += 1
            continue
        published = pd.to_numeric(row["HazardRatio"], errors="coerce")
        if not np.isfinite(published) or published <= 0:
            counts["no published HR"] += 1
            continue
        try:
            fit = cox_hr(ipd["time"], ipd["event"], ipd["arm"], reference=arms[0])
        except InputError:
            counts["fit failed"] += 1
            continue
        as_listed = abs(fit.log_hr - np.log(published))
        flipped = abs(-fit.log_hr - np.log(published))
        rows.append({
            "name": name, "published_hr": float(published), "hr_alphabetical_ref": fit.hazard_ratio,
            "n": fit.n, "events": fit.n_events, "flipped": flipped < as_listed,
            "abs_log_hr_diff": min(as_listed, flipped), "abs_log_hr_diff_alphabetical": as_listed,
            "orientation_clear": abs(as_listed - flipped) > 0.2,
        })
    return pd.DataFrame(rows), counts


def summary_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Distribution of |log HR difference|.

    Rows: best orientation (all); best orientation where the two orientations differ by > 0.2 in
    |log HR difference| (so choosing the better one cannot hide a real discrepancy); alphabetical
    reference (no choice, for contrast).
    """
    out = {}
    clear = scores["orientation_clear"].to_numpy()
    for column, label, mask in (
        ("abs_log_hr_diff", "best orientation", np.ones_like(clear)),
        ("abs_log_hr_diff", "best, orientation clear", clear),
        ("abs_log_hr_diff_alphabetical", "alphabetical ref", np.ones_like(clear)),
    ):
        values = scores[column].to_numpy()[mask]
        q25, median, q75, q90 = np.percentile(values, [25, 50, 75, 90])
        out[label] = {"n": values.size, "median": median, "q25": q25, "q75": q75, "p90": q90, "max": values.max(),
                      "share <= 0.05": np.mean(values <= 0.05), "share <= 0.10": np.mean(values <= 0.10)}
    table = pd.DataFrame(out).T
    return table.astype({"n": int})


def main() -> int:
    if not KMDATA.is_dir():
        print(f"skipped: {KMDATA.resolve()} is absent")
        return 0
    scores, counts = score_datasets(KMDATA)
    print("kmdata: Cox HR (Efron) from IPD vs published HR (kmdata_key.csv HazardRatio)")
    print(", ".join(f"{k}: {v}" for k, v in counts.items()) + f", scored: {len(scores)}, "
          f"flipped to the non-alphabetical reference: {int(scores['flipped'].sum())}")
    print()
    print("|log HR(IPD) - log HR(published)|")
    print(summary_table(scores).to_string(float_format=lambda v: f"{v:.4f}"))
    print()
    print("largest discrepancies")
    worst = scores.nlargest(8, "abs_log_hr_diff")
    print(worst[["name", "published_hr", "hr_alphabetical_ref", "n", "events", "flipped", "abs_log_hr_diff"]]
          .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
