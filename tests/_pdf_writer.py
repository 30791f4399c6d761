"""A one-page PDF written operator by operator: a KM plot inside a Form XObject, moved, scaled and
clipped by ``cm`` and ``re W n``, as journals' production tools rewrite figures.

Test data for tests/test_vector_writers.py. The plot is drawn in its own unit square scaled to
the panel, so every position comes out of a transformation; the truth is the data itself.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tests._km_vector_figures import assemble_pdf

PANEL = (60.0, 50.0, 360.0, 230.0)  # x0, y0, x1, y1 of the panel in the form's space (points)


def _num(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


def form_km_pdf(path: Path, step_time, step_survival, censor_time, censor_survival, *, x_max: float,
                x_ticks, y_ticks) -> Path:
    """Write the plot: page content ``q <cm> cm <clip> re W n /Fm0 Do Q``; the form holds axes,
    tick labels (Helvetica), the curve (drawn in a scaled unit square) and '+' marks."""
    x0, y0, x1, y1 = PANEL
    sx, sy = (x1 - x0) / x_max, (y1 - y0) / 1.0
    ops = ["0 0 0 RG 0.8 w", f"{_num(x0)} {_num(y0)} m {_num(x1)} {_num(y0)} l S",
           f"{_num(x0)} {_num(y0)} m {_num(x0)} {_num(y1)} l S"]
    for t in x_ticks:
        x = x0 + sx * t
        ops.append(f"{_num(x)} {_num(y0)} m {_num(x)} {_num(y0 - 4)} l S")
        ops.append(f"BT /F1 8 Tf {_num(x - 2.2 * len(f'{t:g}'))} {_num(y0 - 13)} Td ({t:g}) Tj ET")
    for s in y_ticks:
        y = y0 + sy * s
        ops.append(f"{_num(x0)} {_num(y)} m {_num(x0 - 4)} {_num(y)} l S")
        ops.append(f"BT /F1 8 Tf {_num(x0 - 18)} {_num(y - 2.8)} Td ({s:.1f}) Tj ET")
    # the curve in data units under its own cm (x: time, y: survival)
    pts = [(step_time[0], step_survival[0])]
    for k in range(1, len(step_time)):
        pts += [(step_time[k], step_survival[k - 1]), (step_time[k], step_survival[k])]
    curve = " ".join(f"{_num(t)} {_num(s)} {'m' if k == 0 else 'l'}" for k, (t, s) in enumerate(pts))
    ops.append(f"q {_num(sx)} 0 0 {_num(sy)} {_num(x0)} {_num(y0)} cm 0.12 0.47 0.71 RG {_num(1.5 / sy)} w "
               f"{curve} S Q")
    for t, s in zip(censor_time, censor_survival, strict=True):
        x, y = x0 + sx * t, y0 + sy * s
        ops.append(f"0.12 0.47 0.71 RG 0.8 w {_num(x - 3)} {_num(y)} m {_num(x + 3)} {_num(y)} l "
                   f"{_num(x)} {_num(y - 3)} m {_num(x)} {_num(y + 3)} l S")
    form = "\n".join(ops).encode()
    page = b"q 0.8 0 0 0.8 40 60 cm 0 0 420 280 re W n /Fm0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 320] /Resources << /XObject << /Fm0 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        f"<< /Length {len(page)} >>\nstream\n".encode() + page + b"\nendstream",
        f"<< /Type /XObject /Subtype /Form /BBox [0 0 420 280] /Resources << /Font << /F1 6 0 R >> >> "
        f"/Length {len(form)} >>\nstream\n".encode() + form + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.write_bytes(assemble_pdf(objects))
    return path


def unique_censor_marks(time, event, step_time, step_survival):
    """Censored times and the survival after each (where a writer draws the mark)."""
    cens = np.unique(np.asarray(time)[np.asarray(event) == 0])
    return cens, np.asarray(step_survival)[np.searchsorted(step_time[:-1], cens, side="right") - 1]
