"""Write the vector corpus: KM plots saved by real writers, each with its known IPD.

Usage::

    python benchmarks/vector_corpus/make_corpus.py                 # 20 plots per family
    python benchmarks/vector_corpus/make_corpus.py --n 4 --families mpl_pdf_default,r_pdf

Every case is a seeded simulation (:func:`reconstruct.simulate_arm`); its IPD goes to
``ipd/<case>.csv`` (``arm,time,event``) and its truth to ``truth/<family>__<case>.json``: per plot
the exact KM corners, the censor marks (unique censored times at the survival after that time,
as matplotlib, lifelines, ``plot.survfit`` and survminer draw them) and the printed at-risk table
when there is one. Files go to ``benchmarks/.cache/vector/<family>/`` (git-ignored).

Families (see ``FAMILIES``): matplotlib PDF with its default Type 3 fonts and with
``pdf.fonttype = 42``; matplotlib SVG with glyph outlines (default) and with ``<text>``;
lifelines' own plots; structural variants that journal production tools write (the plot inside a
Form XObject, a scaled and clipped page, curves as many short segments or one polyline per step,
four plots on a page, side-by-side panels sharing one y title); R ``pdf()``, ``cairo_pdf()``,
``svg()`` with ``plot.survfit`` and ``ggsave`` of survminer plots with a risk table
(``r_writers.R``, run when ``Rscript`` is on the path); and those PDFs after Ghostscript converted
their text to outlines (``gs -sDEVICE=pdfwrite -dNoOutputFonts``, as prepress tools do; run when ``gs``
is on the path), so tick labels and risk tables must be read by OCR.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reconstruct import km_step_points, number_at_risk, simulate_arm  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "vector"
PY_FAMILIES = ("mpl_pdf_default", "mpl_pdf_type42", "mpl_svg_path", "mpl_svg_text", "lifelines_pdf",
               "lifelines_svg", "xobject", "clip_cm", "segments", "polyline_steps", "multi_grid", "shared_y")
R_FAMILIES = ("r_pdf", "r_cairo_pdf", "r_svg", "survminer_pdf")
GS_FAMILIES = {"gs_outlined_mpl": "mpl_pdf_default", "gs_outlined_survminer": "survminer_pdf"}  # family: source
FAMILIES = PY_FAMILIES + R_FAMILIES + tuple(GS_FAMILIES)
COLOURS = ("#1f77b4", "#d62728", "#2ca02c")


def simulate_case(seed: int) -> dict:
    """Arms of one case: 1 to 3 arms of 25 to 150 patients, times in days as months (ties)."""
    rng = np.random.default_rng(seed)
    n_arms = int(rng.integers(1, 4))
    arms = []
    for k in range(n_arms):
        sim = simulate_arm(int(rng.integers(25, 151)), seed=seed * 10 + k, median=float(rng.uniform(6, 30)),
                           shape=float(rng.uniform(0.8, 1.5)), dropout_rate=float(rng.uniform(0.0, 0.04)),
                           time_grid=1 / 30)
        arms.append({"label": ["Control", "Treatment", "Combination"][k], "time": sim.time, "event": sim.event})
    return {"seed": seed, "arms": arms}


def arm_truth(arm: dict) -> dict:
    """Exact KM corners and censor marks of one arm (as every writer of the corpus draws them)."""
    st, ss = km_step_points(arm["time"], arm["event"])
    keep = np.concatenate(([True], (np.diff(st) != 0) | (np.diff(ss) != 0)))
    cens = np.unique(arm["time"][arm["event"] == 0])
    surv = ss[np.searchsorted(st[:-1], cens, side="right") - 1] if cens.size else cens
    return {"label": arm["label"], "step_time": st[keep].tolist(), "step_survival": ss[keep].tolist(),
            "censor_time": cens.tolist(), "censor_survival": np.asarray(surv, float).tolist()}


def plot_truth(case: dict, *, table_times=None, page: int = 1) -> dict:
    table = None
    if table_times is not None:
        table = {"times": [float(t) for t in table_times],
                 "rows": {a["label"]: number_at_risk(a["time"], table_times).astype(int).tolist()
                          for a in case["arms"]}}
    return {"page": page, "arms": [arm_truth(a) for a in case["arms"]], "at_risk": table}


def write_ipd(case: dict, path: Path) -> None:
    lines = ["arm,time,event"] + [f"{a['label']},{float(t)!r},{int(e)}" for a in case["arms"]
                                  for t, e in zip(a["time"], a["event"], strict=True)]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="Plots (files) per family.")
    parser.add_argument("--families", default=None, help="Comma-separated families (default: all).")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--out", type=Path, default=CACHE)
    args = parser.parse_args()
    families = args.families.split(",") if args.families else list(FAMILIES)
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        parser.error(f"unknown families {unknown}; choose from {list(FAMILIES)}")
    import writers_python

    (args.out / "ipd").mkdir(parents=True, exist_ok=True)
    (args.out / "truth").mkdir(parents=True, exist_ok=True)
    r_jobs = []
    for family in families:
        (args.out / family).mkdir(exist_ok=True)
        for i in range(args.n):
            seed = args.seed + 1000 * FAMILIES.index(family) + i  # the same files whichever families are made
            name = f"case{i:03d}"
            cases = [simulate_case(seed * 7 + j) for j in range(4 if family == "multi_grid" else
                                                                2 if family == "shared_y" else 1)]
            if family in GS_FAMILIES:
                continue  # made from the source family's files below
            if family in R_FAMILIES:
                write_ipd(cases[0], args.out / "ipd" / f"{family}__{name}.csv")
                r_jobs.append((family, name))
                # R writes the break times of its risk table into <case>.times, read below
                truth = {"plots": [plot_truth(cases[0], table_times=None)],
                         "file": name + (".svg" if family == "r_svg" else ".pdf")}
            else:
                truth = writers_python.write(family, cases, args.out / family / name, seed=seed)
            truth.update(family=family, case=name, seed=seed)
            (args.out / "truth" / f"{family}__{name}.json").write_text(json.dumps(truth))
    if r_jobs:
        rscript = shutil.which("Rscript")
        if rscript is None:
            print("Rscript not found: R families skipped", file=sys.stderr)
            return
        subprocess.run([rscript, str(Path(__file__).with_name("r_writers.R")), str(args.out)], check=True)
        for family, name in r_jobs:  # the break times R chose for the risk table
            times_file = args.out / family / f"{name}.times"
            truth_file = args.out / "truth" / f"{family}__{name}.json"
            truth = json.loads(truth_file.read_text())
            if times_file.exists():
                times = [float(v) for v in times_file.read_text().split()]
                import pandas as pd

                ipd = pd.read_csv(args.out / "ipd" / f"{family}__{name}.csv")
                truth["plots"][0]["at_risk"] = {
                    "times": times,
                    "rows": {arm: number_at_risk(g["time"].to_numpy(), times).astype(int).tolist()
                             for arm, g in ipd.groupby("arm", sort=False)}}
                times_file.unlink()
            truth_file.write_text(json.dumps(truth))
    outline_text(args.out, [f for f in families if f in GS_FAMILIES], args.n)
    print(f"wrote {len(families)} families x {args.n} to {args.out}")


def outline_text(out: Path, families: list[str], n: int) -> None:
    """Each derived family: its source family's PDFs with every glyph converted to a path by Ghostscript."""
    gs = shutil.which("gs")
    if families and gs is None:
        print("gs not found: outlined-text families skipped", file=sys.stderr)
        return
    for family in families:
        source = GS_FAMILIES[family]
        (out / family).mkdir(exist_ok=True)
        for i in range(n):
            name = f"case{i:03d}"
            truth_file = out / "truth" / f"{source}__{name}.json"
            if not truth_file.exists():
                print(f"{family}: {source}/{name} absent (make {source} first): skipped", file=sys.stderr)
                continue
            truth = json.loads(truth_file.read_text())
            subprocess.run([gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-dNoOutputFonts",
                            f"-sOutputFile={out / family / truth['file']}", str(out / source / truth["file"])],
                           check=True)
            ipd = out / "ipd" / f"{source}__{name}.csv"
            if ipd.exists():
                shutil.copyfile(ipd, out / "ipd" / f"{family}__{name}.csv")
            truth.update(family=family)
            (out / "truth" / f"{family}__{name}.json").write_text(json.dumps(truth))


if __name__ == "__main__":
    main()
