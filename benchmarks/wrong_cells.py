"""List the at-risk cells a run reads wrong, with the height of the digits printed there (issue 12).

For each figure (its truth JSON next to the image), the figure is run with no hints as ``bench_wild`` does, and
each true cell the run's table does not hold right is printed with its cause: ``wrong`` (another number),
``missing`` (no number at that time: unread or set aside), ``unpaired`` (its arm was not reconstructed); with
``raw``, the numbers the at-risk table's OCR read at that time in each row (row index, number, digit height in
pixels: :func:`reconstruct.digitize.risk_cells.digit_height_px` of the cell's box). A figure that stops is listed
as ``FAIL``.

Usage::

    python benchmarks/wrong_cells.py --corpus /work/main/benchmarks/.cache/wild --ids rms_000,stata_000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))


def _capture_tables(store: list) -> None:
    """Keep each table :func:`reconstruct.digitize.risk_table.read_risk_table` reads, with its image, in ``store``."""
    import reconstruct.digitize.risk_table as risk_table

    read = risk_table.read_risk_table

    def kept(image, **kwargs):
        table = read(image, **kwargs)
        store.append((np.asarray(image), table))
        return table

    risk_table.read_risk_table = kept


def _gray(image: np.ndarray) -> np.ndarray:
    import cv2

    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def wrong_cells(json_path: Path, store: list) -> list[str]:
    """Lines naming each cell of one figure read wrong (and its CPU seconds)."""
    import bench_wild

    from reconstruct.digitize.risk_cells import digit_height_px
    from reconstruct.errors import KmreconError

    truth = json.loads(json_path.read_text())
    ipd = pd.read_csv(json_path.parent / truth["ipd"])
    fid = truth["id"]
    store.clear()
    cpu = time.process_time()
    try:
        run = bench_wild.run_one(json_path.parent / truth["image"])
    except KmreconError as exc:
        return [f"{fid} FAIL {str(exc)[:120]}"]
    pairs = bench_wild._pair_arms(truth["arms"], ipd, run, truth["x_range"][1])
    table = run.at_risk
    image, read = store[-1] if store else (None, None)
    rows = read.rows if read is not None else ()
    tol = 1e-3 * truth["x_step"] + 1e-9
    out = []
    for cell in truth["at_risk"]:
        arm, got = cell["arm"], None
        if arm in pairs and table is not None and len(table):
            hit = table[(table["arm"] == pairs[arm][0]) & (np.abs(table["time"].astype(float) - cell["time"]) < tol)]
            got = int(hit["n_risk"].iloc[0]) if len(hit) else None
        if got == cell["n_risk"]:
            continue
        raw = []
        for k, row in enumerate(rows):
            at = np.flatnonzero(np.abs(row.times - cell["time"]) < tol)
            if at.size and row.cell_boxes:
                px = digit_height_px(_gray(image), [row.cell_boxes[at[0]]])
                raw.append((k, int(row.n_risk[at[0]]), px))
        cause = "unpaired" if arm not in pairs else "missing" if got is None else "wrong"
        out.append(f"{fid} arm={arm!r} t={cell['time']:g} true={cell['n_risk']} got={got} {cause} raw={raw}")
    out.append(f"{fid} done cpu={time.process_time() - cpu:.1f}s")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--ids", required=True, help="comma-separated figure ids")
    args = parser.parse_args(argv)
    store: list = []
    _capture_tables(store)
    for fid in args.ids.split(","):
        for line in wrong_cells(args.corpus / f"{fid}.json", store):
            print(line, flush=True)


if __name__ == "__main__":
    main()
