"""Figure specifications and simulated truth for the 'wild' corpus (figures kmrecon did not draw).

Every figure is described by a JSON-serialisable spec drawn from a seeded generator: the family
(renderer or look), the simulated trial (1-3 arms of 25-500 patients, Weibull hazards, accrual,
follow-up and dropout; time unit months), the drawing options and the degradations applied after
drawing. ``truth_record`` gives what the figure must show: arms in legend order, the at-risk cells as
printed and the axis ranges.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from reconstruct import number_at_risk, simulate_arm

R_FAMILIES = ("survminer_default", "survminer_bw", "survminer_classic", "survminer_minimal", "survminer_light",
              "base_r", "rms")
MPL_FAMILIES = ("mpl_default", "lifelines", "plotnine", "sas", "stata", "prism", "excel", "nejm", "lancet", "jco")
DEGRADED_FAMILIES = ("scan", "pdf")
FAMILIES = R_FAMILIES + MPL_FAMILIES + DEGRADED_FAMILIES

ARM_NAMES = (("Arm A", "Arm B", "Arm C"), ("Placebo", "Nivolumab", "Nivolumab + Ipilimumab"),
             ("Control", "Experimental", "Combination"), ("Sorafenib", "Lenvatinib", "HAIC"),
             ("Observation", "Chemotherapy", "Chemoradiotherapy"), ("Standard", "Intensified", "Maintenance"),
             ("Group 1", "Group 2", "Group 3"), ("Low risk", "Intermediate", "High risk"))
PALETTES = ("default", "jco", "lancet", "nejm", "grey")


def _nice_step(x_max: float) -> float:
    """Break spacing giving 4-9 columns over [0, x_max] (the spacings journals use, in months)."""
    for step in (1, 2, 3, 4, 6, 12, 24):
        if x_max / step <= 8:
            return float(step)
    return 36.0


def simulate_truth(seed: int, n_arms: int) -> tuple[pd.DataFrame, float, float]:
    """Simulated IPD (``arm, time, event``, arms in legend order), x-axis end and break spacing."""
    rng = np.random.default_rng(seed)
    names = ARM_NAMES[int(rng.integers(len(ARM_NAMES)))][:n_arms]
    accrual = float(rng.uniform(6, 24))
    follow_up = float(rng.uniform(6, 36))
    base = float(rng.uniform(4, 30))
    shape = float(rng.uniform(0.7, 1.6))
    dropout = float(rng.choice([0.0, 0.01, 0.03]))
    frames = []
    for k, name in enumerate(names):
        n = int(round(math.exp(rng.uniform(math.log(25), math.log(500)))))
        median = base * float(rng.uniform(0.6, 2.0)) if k else base
        sim = simulate_arm(n, seed=seed * 10 + k, median=median, shape=shape, accrual=accrual,
                           follow_up=follow_up, dropout_rate=dropout, time_grid=1.0 / 30.0)
        frames.append(pd.DataFrame({"arm": name, "time": np.round(sim.time, 4), "event": sim.event}))
    ipd = pd.concat(frames, ignore_index=True)
    t_max = float(ipd["time"].max())
    step = _nice_step(t_max)
    x_max = step * math.ceil(t_max / step)
    return ipd, x_max, step


def risk_cells(ipd: pd.DataFrame, x_max: float, step: float, *, after: bool = False) -> list[dict]:
    """At-risk cells as printed: every arm at every break 0, step, ..., x_max.

    ``after``: the count just after each break (time > t), as lifelines' ``add_at_risk_counts`` prints it;
    it differs from the usual time >= t where a patient's time falls on a break.
    """
    times = np.arange(0.0, x_max + step / 2, step)
    cells = []
    for arm, g in ipd.groupby("arm", sort=False):
        t_arm = g["time"].to_numpy()
        counts = [int(np.sum(t_arm > t)) for t in times] if after else number_at_risk(t_arm, times)
        for t, n in zip(times, counts):
            cells.append({"arm": arm, "time": float(t), "n_risk": int(n)})
    return cells


def _degradations(rng: np.random.Generator, family: str) -> list[dict]:
    """Post-drawing degradations: mild ones on a third of every family, heavy ones on 'scan'."""
    ops: list[dict] = []
    if family == "scan":
        ops.append({"op": "rotate", "deg": float(rng.uniform(-2, 2))})
        ops.append({"op": "paper", "tint": [int(rng.integers(225, 250)), int(rng.integers(220, 245)),
                                            int(rng.integers(200, 235))]})
        ops.append({"op": "noise", "sigma": float(rng.uniform(3, 10))})
        if rng.random() < 0.5:
            ops.append({"op": "blur", "sigma": float(rng.uniform(0.4, 1.0))})
        if rng.random() < 0.5:
            ops.append({"op": "grey"})
        ops.append({"op": "jpeg", "quality": int(rng.integers(40, 90))})
        return ops
    if family == "pdf" or rng.random() > 0.35:
        return ops
    kind = rng.choice(["jpeg", "grey", "blur", "jpeg+grey"])
    if "grey" in kind:
        ops.append({"op": "grey"})
    if kind == "blur":
        ops.append({"op": "blur", "sigma": float(rng.uniform(0.4, 0.9))})
    if "jpeg" in kind:
        ops.append({"op": "jpeg", "quality": int(rng.integers(30, 90))})
    return ops


def make_spec(family: str, index: int, base_seed: int = 2026) -> dict:
    """Seeded spec of figure ``index`` of ``family``."""
    seed = base_seed * 1000 + FAMILIES.index(family) * 10000 + index
    rng = np.random.default_rng(seed)
    n_arms = int(rng.choice([1, 2, 3], p=[0.15, 0.65, 0.2]))
    look = family
    if family in DEGRADED_FAMILIES:  # drawn by one of the other renderers, then degraded
        look = str(rng.choice(("survminer_default", "survminer_bw", "base_r", "mpl_default", "nejm", "lancet",
                               "jco", "sas", "stata", "lifelines")))
    spec = {
        "id": f"{family}_{index:03d}", "family": family, "look": look, "seed": seed, "n_arms": n_arms,
        "width_px": int(rng.integers(300, 1201)) if family != "pdf" else 0,
        "aspect": float(rng.uniform(0.7, 1.0)),
        "risk_table": bool(rng.random() < 0.85),
        "table_text": bool(rng.random() < 0.6),          # survminer: row labels as text or coloured bars
        "censor_plot": bool(rng.random() < 0.2),
        "conf_int": bool(rng.random() < 0.3),
        "palette": str(rng.choice(PALETTES)),
        "legend": str(rng.choice(["top", "right", "inside", "none"], p=[0.4, 0.25, 0.2, 0.15])),
        "percent": bool(rng.random() < 0.3),
        "axis_titles": bool(rng.random() < 0.85),
        "font_scale": float(rng.uniform(0.8, 1.2)),
        "pdf_dpi": int(rng.integers(72, 151)),
        "degrade": _degradations(rng, family),
    }
    if family in ("prism", "plotnine", "excel"):
        spec["risk_table"] = family == "excel" or bool(rng.random() < 0.5)
    if family in ("nejm", "lancet", "jco", "sas", "stata", "rms", "base_r", "lifelines"):
        spec["risk_table"] = bool(rng.random() < 0.95)
    if family == "prism":
        spec["percent"] = True
    return spec


def _printed(cells: list[dict], spec: dict, t_last: float) -> list[dict]:
    """rms::survplot prints no column after the last observed time."""
    if spec["look"] == "rms":
        return [c for c in cells if c["time"] <= t_last]
    return cells


def write_truth(spec: dict, folder: Path) -> dict:
    """Simulate the figure's IPD, write ``<id>_ipd.csv`` and return the truth record (without the image)."""
    ipd, x_max, step = simulate_truth(spec["seed"], spec["n_arms"])
    ipd_path = folder / f"{spec['id']}_ipd.csv"
    ipd.to_csv(ipd_path, index=False)
    arms = list(dict.fromkeys(ipd["arm"]))
    return {
        "id": spec["id"], "family": spec["family"], "look": spec["look"], "ipd": ipd_path.name, "arms": arms,
        "n": {a: int((ipd["arm"] == a).sum()) for a in arms},
        "x_range": [0.0, x_max], "x_step": step, "y_range": [0.0, 100.0 if spec["percent"] else 1.0],
        "risk_table": spec["risk_table"],
        "at_risk": _printed(risk_cells(ipd, x_max, step, after=spec["look"] == "lifelines"), spec,
                            float(ipd["time"].max())) if spec["risk_table"] else [],
        "degrade": spec["degrade"], "spec": spec,
    }
