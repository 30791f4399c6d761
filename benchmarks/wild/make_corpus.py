"""Generate the wild corpus: KM figures drawn by R (survminer, base R, rms) and Python (matplotlib, lifelines,
plotnine, software and journal looks), degraded, each with its simulated IPD and a truth JSON.

Run from the repository root::

    python benchmarks/wild/make_corpus.py                         # all families, 50 figures each
    python benchmarks/wild/make_corpus.py --per-family 4 --families survminer_bw,nejm

Images go to ``benchmarks/.cache/wild/`` (git-ignored); existing figures are kept unless --force.
Per figure: ``<id>.png`` or ``<id>.jpg``, ``<id>_ipd.csv`` (``arm,time,event``) and ``<id>.json`` (truth:
IPD file, arms in legend order, at-risk cells as printed, axis ranges, family, degradations, spec).
R is needed only here (``Rscript`` with survival, survminer, rms, jsonlite); R figures are drawn in batches.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from spec import FAMILIES, R_FAMILIES, make_spec, write_truth  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / ".cache" / "wild"
R_BATCH = 60


def degrade(image: np.ndarray, ops: list[dict], seed: int) -> tuple[np.ndarray, int | None]:
    """Apply the spec's degradations to an RGB uint8 image; returns the image and a JPEG quality or None."""
    import cv2

    rng = np.random.default_rng(seed)
    img = image.astype(np.float64)
    quality = None
    for op in ops:
        kind = op["op"]
        if kind == "rotate":
            rows, cols = img.shape[:2]
            matrix = cv2.getRotationMatrix2D((cols / 2, rows / 2), op["deg"], 1.0)
            img = cv2.warpAffine(img, matrix, (cols, rows), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                                 borderValue=(255, 255, 255))
        elif kind == "paper":
            img = img * (np.asarray(op["tint"], dtype=float) / 255.0)
        elif kind == "noise":
            img = img + rng.normal(0.0, op["sigma"], size=img.shape[:2])[..., None]
            specks = rng.random(img.shape[:2]) < 0.0008
            img[specks] = rng.uniform(60, 160)
        elif kind == "blur":
            img = cv2.GaussianBlur(img, (0, 0), op["sigma"])
        elif kind == "grey":
            img = np.repeat(img @ np.array([0.299, 0.587, 0.114])[:, None], 3, axis=2)
        elif kind == "jpeg":
            quality = int(op["quality"])
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), quality


def _read_rgb(path: Path) -> np.ndarray:
    import cv2

    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise RuntimeError(f"{path}: renderer wrote no readable image")
    return bgr[:, :, ::-1].copy()


def _rasterise_pdf(pdf: Path, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        bitmap = doc[0].render(scale=dpi / 72.0)
        return np.asarray(bitmap.to_pil().convert("RGB")).copy()
    finally:
        doc.close()


def _finalise(raw: Path, truth: dict, out: Path) -> None:
    """Degrade the raw drawing, write the final image and the truth JSON."""
    import cv2

    spec = truth["spec"]
    rgb = _rasterise_pdf(raw, spec["pdf_dpi"]) if raw.suffix == ".pdf" else _read_rgb(raw)
    img, quality = degrade(rgb, spec["degrade"], spec["seed"])
    name = f"{spec['id']}.{'jpg' if quality else 'png'}"
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if quality else []
    if not cv2.imwrite(str(out / name), img[:, :, ::-1], params):
        raise RuntimeError(f"{out / name}: could not write")
    truth = dict(truth, image=name, image_size=[int(img.shape[1]), int(img.shape[0])])
    (out / f"{spec['id']}.json").write_text(json.dumps(truth, indent=1))
    raw.unlink()


def _draw_python(job: tuple[dict, str, str]) -> str | None:
    truth, raw, out = job
    from looks_mpl import draw

    try:
        ipd = pd.read_csv(Path(out) / truth["ipd"])
        draw(truth["spec"], truth, ipd, Path(raw))
        _finalise(Path(raw), truth, Path(out))
    except Exception as exc:  # noqa: BLE001 - a failed drawing is reported and skipped, never fatal
        return f"{truth['id']}: {type(exc).__name__}: {exc}"
    return None


def _draw_r(batch: list[tuple[dict, Path]], out: Path) -> list[str]:
    jobs = []
    for truth, raw in batch:
        spec = truth["spec"]
        jobs.append(dict(spec, ipd=str(out / truth["ipd"]), out=str(raw), x_max=truth["x_range"][1],
                         x_step=truth["x_step"], width_px=spec["width_px"] or 900))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(jobs, fh)
    try:
        proc = subprocess.run(["Rscript", str(HERE / "draw_r.R"), fh.name], capture_output=True, text=True,
                              check=False)
    finally:
        os.unlink(fh.name)
    errors = [line for line in proc.stderr.splitlines() if line.strip() and ": " in line and "Warning" not in line]
    for truth, raw in batch:
        if raw.is_file():
            _finalise(raw, truth, out)
        else:
            errors.append(f"{truth['id']}: R drew nothing ({proc.stderr.strip().splitlines()[-1:]})")
    return errors


def build(families, per_family: int, out: Path, *, jobs: int = 1, force: bool = False,
          only: str | None = None, seed: int = 2026) -> list[str]:
    """Generate the corpus; returns the error messages of figures that could not be drawn.

    ``seed`` is the base seed of every figure's spec (:func:`spec.make_spec`): another seed gives
    another corpus of the same looks (a held-out set).
    """
    out.mkdir(parents=True, exist_ok=True)
    r_jobs, py_jobs = [], []
    for family in families:
        for i in range(per_family):
            spec = make_spec(family, i, base_seed=seed)
            if (out / f"{spec['id']}.json").is_file() and not force:
                continue
            is_r = spec["look"] in R_FAMILIES
            if only and only != ("r" if is_r else "python"):
                continue
            truth = write_truth(spec, out)
            suffix = ".pdf" if family == "pdf" else ".png"
            raw = out / f"{spec['id']}_raw{suffix}"
            if is_r:
                r_jobs.append((truth, raw))
            else:
                py_jobs.append((truth, str(raw), str(out)))
    errors: list[str] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        r_futures = [pool.submit(_draw_r, r_jobs[k : k + R_BATCH], out) for k in range(0, len(r_jobs), R_BATCH)]
        errors.extend(e for e in pool.map(_draw_python, py_jobs, chunksize=4) if e)
        for fut in r_futures:
            errors.extend(fut.result())
    return errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--per-family", type=int, default=50)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--only", choices=["r", "python"], default=None, help="draw only the R or Python figures")
    parser.add_argument("--seed", type=int, default=2026,
                        help="base seed of the figures' specs (another seed: a held-out corpus of the same looks)")
    args = parser.parse_args(argv)
    families = [f for f in args.families.split(",") if f]
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        print(f"--families: expected names from {', '.join(FAMILIES)}, got {', '.join(unknown)}", file=sys.stderr)
        return 2
    errors = build(families, args.per_family, args.out, jobs=args.jobs, force=args.force, only=args.only,
                   seed=args.seed)
    n = len(list(args.out.glob("*.json")))
    print(f"{n} figures in {args.out}; {len(errors)} drawing errors")
    for e in errors[:20]:
        print("  " + e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
