"""Vector (PDF, SVG) extraction per writer family, and vector versus raster on generated figures.

Usage::

    python benchmarks/vector_corpus/make_corpus.py          # once: the corpus of real writers (needs R for R families)
    python benchmarks/bench_vector.py                       # per writer family on that corpus (no hints)
    python benchmarks/bench_vector.py --limit 3 --families mpl_pdf_default,r_svg
    python benchmarks/bench_vector.py --generator           # the project's generated figures, 4 per style
    python benchmarks/bench_vector.py --generator --raster  # also the raster digitizer on the same figures

The per-family table is described in ``benchmarks/vector_corpus/score.py``. The generator table:

Each figure of :mod:`kmrecon.synthetic_figures` is saved three ways from the same matplotlib
figure: PNG (what the generator returns), PDF and SVG (``svg.fonttype = "none"``). PDF and SVG are
read with :func:`reconstruct.vector.pdf.digitize_pdf` / :func:`reconstruct.vector.svg.digitize_svg`, the PNG
with :func:`reconstruct.digitize.figure.digitize_figure` (with tick-range hints, so OCR does not enter).
Styles that only change pixels (jpeg, low_res, rotated) are identical to "basic" in vector form.

Per style and source it prints: figures read, figures with every arm found, max absolute error
of the step corners against the true KM (vector only: survival units, and time as a share of
the x range); "grid MAE": the mean over figures of the worst arm's mean absolute curve error on
the digitizer bench's 2000-point grid (arms paired by least MAE; for exact curves it can be
dominated by grid points that coincide with a step time, where 1e-12 decides the side); "IAE":
the same error integrated exactly between the step functions (mean and max over figures);
censor marks found (vector: within 1e-6 of the x range and 1e-6 survival; raster: 1.5 % of the
range and 0.03, the digitizer bench's rule) out of the true marks; median seconds per figure.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kmrecon.synthetic_figures import STYLES, curve_mae, generate_figure, step_value  # noqa: E402
from reconstruct.vector.pdf import digitize_pdf  # noqa: E402
from reconstruct.vector.svg import digitize_svg  # noqa: E402
from reconstruct.errors import KmreconError  # noqa: E402

_PIXEL_ONLY = {"jpeg", "low_res", "rotated"}


@contextlib.contextmanager
def capture_vector(store: dict):
    """Also save PDF and SVG whenever the generator saves its PNG: the generator has no vector
    output, and this keeps the three renderings of one figure identical."""
    import matplotlib
    from matplotlib.figure import Figure

    original = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        if kwargs.get("format") == "png":
            for fmt in ("pdf", "svg"):
                buffer = io.BytesIO()
                with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kmrecon"}):
                    original(self, buffer, format=fmt)
                store[fmt] = buffer.getvalue()
        return original(self, fname, *args, **kwargs)

    Figure.savefig = savefig
    try:
        yield store
    finally:
        Figure.savefig = original


def score(figure, truth, *, exact: bool) -> dict:
    """Errors of a DigitizedFigure against the truth, arms paired by least curve MAE.

    ``exact`` (vector): corners compared one to one and marks counted within 1e-6 of the x range;
    otherwise (raster) corners are not comparable and marks count within 1.5 % of the x range and
    0.03 survival (the digitizer bench's rule).
    """
    from scipy.optimize import linear_sum_assignment

    x_span = truth.x_range[1] - truth.x_range[0]
    cost = np.array([[curve_mae(t, a.time, a.survival, t_max=truth.x_limits[1]) for a in figure.arms]
                     for t in truth.arms]).reshape(len(truth.arms), len(figure.arms))
    rows, cols = linear_sum_assignment(cost) if cost.size else ([], [])
    out = {"all_arms": len(figure.arms) == len(truth.arms), "corner_surv": np.nan, "corner_time": np.nan,
           "mae": float(max(cost[rows, cols], default=np.nan)) if cost.size else np.nan,
           "marks_exact": 0, "marks_true": sum(t.censor_time.size for t in truth.arms), "iae": 0.0}
    for r, c in zip(rows, cols, strict=True):
        true, arm = truth.arms[r], figure.arms[c]
        out["iae"] = max(out["iae"], integrated_error(true, arm.time, arm.survival, t_max=truth.x_limits[1]))
        time_tol, surv_tol = (1e-6 * x_span, 1e-6) if exact else (0.015 * x_span, 0.03)
        if true.censor_time.size and arm.censor_time.size:
            close = ((np.abs(true.censor_time[:, None] - arm.censor_time[None, :]) <= time_tol)
                     & (np.abs(true.censor_survival[:, None] - arm.censor_survival[None, :]) <= surv_tol))
            out["marks_exact"] += int(close.any(axis=1).sum())
        if exact:
            t_true, s_true = _dedupe(true.step_time, true.step_survival)
            t_got, s_got = _dedupe(arm.time, arm.survival)
            same = t_got.size == t_true.size
            dt = float(np.max(np.abs(t_got - t_true))) / x_span if same else np.inf
            ds = float(np.max(np.abs(s_got - s_true))) if same else np.inf
            out["corner_time"] = np.nanmax([out["corner_time"], dt])
            out["corner_surv"] = np.nanmax([out["corner_surv"], ds])
    return out


def integrated_error(true, time, survival, *, t_max: float) -> float:
    """Exact mean |S_true - S_read| over [0, min(t_max, true end)]: the area between the two step
    functions divided by the span (no grid, so no flips where a grid point meets a step time)."""
    end = min(float(t_max), float(true.step_time[-1]))
    edges = np.union1d(np.concatenate([true.step_time, time]), [0.0, end])
    edges = edges[(edges >= 0.0) & (edges <= end)]
    mids = 0.5 * (edges[:-1] + edges[1:])
    diff = np.abs(step_value(true.step_time, true.step_survival, mids) - step_value(time, survival, mids))
    return float(np.sum(diff * np.diff(edges)) / end)


def _dedupe(t, s):
    keep = np.concatenate(([True], (np.diff(t) != 0) | (np.diff(s) != 0)))
    return np.asarray(t)[keep], np.asarray(s)[keep]


def run(styles, n_per_style: int, seed: int, raster: bool) -> dict:
    rows: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in styles:
            for i in range(n_per_style):
                store: dict = {}
                with capture_vector(store):
                    gen = generate_figure(name, seed + 1000 * i)
                paths = {}
                for fmt in ("pdf", "svg"):
                    paths[fmt] = Path(tmp) / f"{name}_{i}.{fmt}"
                    paths[fmt].write_bytes(store[fmt])
                paths["png"] = Path(tmp) / f"{name}_{i}{gen.suffix}"
                paths["png"].write_bytes(gen.image_bytes)
                readers = {"pdf": lambda p: digitize_pdf(p), "svg": lambda p: digitize_svg(p)}
                if raster:
                    from reconstruct.digitize.figure import digitize_figure

                    t = gen.truth
                    readers["raster"] = lambda p, t=t: digitize_figure(p, x_range=t.x_range, y_range=t.y_range)
                for source, reader in readers.items():
                    if source != "raster" and name in _PIXEL_ONLY:
                        continue
                    started = time.perf_counter()
                    try:
                        figure = reader(paths["png" if source == "raster" else source])
                        result = score(figure, gen.truth, exact=source != "raster")
                    except KmreconError as exc:
                        result = {"error": f"{type(exc).__name__}: {exc}"}
                    result["seconds"] = time.perf_counter() - started
                    rows.setdefault((name, source), []).append(result)
    return rows


def print_table(rows: dict) -> None:
    header = (f"{'style':<14} {'source':<6} {'read':>5} {'arms':>5} {'max|dS|':>9} {'max|dt|/range':>13} "
              f"{'grid MAE':>9} {'mean IAE':>9} {'max IAE':>9} {'marks found':>12} {'s/fig':>7}")
    print(header)
    print("-" * len(header))
    totals: dict = {}
    for (name, source), results in rows.items():
        _line(name, source, results)
        totals.setdefault(source, []).extend(results)
    print("-" * len(header))
    for source, results in totals.items():
        _line("overall", source, results)
    errors = [(k, r["error"]) for k, rs in rows.items() for r in rs if "error" in r]
    for (name, source), message in errors[:10]:
        print(f"  failed {name}/{source}: {message[:150]}")


def _line(name, source, results):
    ok = [r for r in results if "error" not in r]
    arms = sum(r["all_arms"] for r in ok)
    ds = np.nanmax([r["corner_surv"] for r in ok] or [np.nan]) if source != "raster" else np.nan
    dt = np.nanmax([r["corner_time"] for r in ok] or [np.nan]) if source != "raster" else np.nan
    maes, iaes = [r["mae"] for r in ok], [r["iae"] for r in ok]
    mae_mean = float(np.nanmean(maes)) if maes else np.nan
    iae_mean, iae_max = (float(np.mean(iaes)), float(np.max(iaes))) if iaes else (np.nan, np.nan)
    exact, true = sum(r["marks_exact"] for r in ok), sum(r["marks_true"] for r in ok)
    secs = statistics.median(r["seconds"] for r in results)
    print(f"{name:<14} {source:<6} {len(ok):>2}/{len(results):<2} {arms:>5} {ds:>9.1e} {dt:>13.1e} {mae_mean:>9.1e} "
          f"{iae_mean:>9.1e} {iae_max:>9.1e} {f'{exact}/{true}':>12} {secs:>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-per-style", type=int, default=4)
    parser.add_argument("--styles", default=None, help="Comma-separated style names (default: all).")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--raster", action="store_true", help="Also run the raster digitizer (slower).")
    parser.add_argument("--generator", action="store_true", help="Score the generated figures, not the corpus.")
    parser.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / ".cache" / "vector")
    parser.add_argument("--families", default=None, help="Comma-separated writer families (default: all).")
    parser.add_argument("--limit", type=int, default=None, help="At most this many files per family.")
    args = parser.parse_args()
    if not args.generator:
        sys.path.insert(0, str(ROOT / "benchmarks" / "vector_corpus"))
        from score import print_corpus_table, run_corpus

        if not (args.corpus / "truth").is_dir():
            parser.error(f"expected the corpus in {args.corpus}, got none; run benchmarks/vector_corpus/make_corpus.py")
        families = set(args.families.split(",")) if args.families else None
        print_corpus_table(run_corpus(args.corpus, families=families, limit=args.limit))
        return
    styles = args.styles.split(",") if args.styles else list(STYLES)
    print_table(run(styles, args.n_per_style, args.seed, args.raster))


if __name__ == "__main__":
    main()
