"""Seeded KM figures drawn by matplotlib and saved as PDF, SVG or a raster image inside a PDF.

Test data for tests/test_pdf.py, tests/test_svg.py and tests/test_vector.py; the truth is the
simulated IPD, its exact KM corners (:func:`reconstruct.km_step_points`) and the censor marks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reconstruct import km_step_points, number_at_risk, simulate_arm

COLOURS = ("#1f77b4", "#d62728", "#2ca02c")


@dataclass(frozen=True, eq=False)
class ArmTruth:
    """One drawn arm: IPD, KM corners (duplicates removed) and the censor marks' positions."""

    label: str
    colour: str
    time: np.ndarray
    event: np.ndarray
    step_time: np.ndarray
    step_survival: np.ndarray
    censor_time: np.ndarray
    censor_survival: np.ndarray


def simulate_arms(n_arms: int, *, seed: int, n: int = 80, median: float = 12.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """IPD of ``n_arms`` arms (months, with ties on a daily grid)."""
    return [
        (s.time, s.event)
        for s in (simulate_arm(n, seed=seed + k, median=median * (1 + 0.5 * k), dropout_rate=0.02,
                               time_grid=1 / 30) for k in range(n_arms))
    ]


def draw_km(
    arms_ipd,
    *,
    percent: bool = False,
    y_min: float = 0.0,
    tick_every: float = 6.0,
    marker: str | None = "+",
    ci: str | None = None,
    dashed_arms: bool = False,
    risk_table: bool = False,
):
    """Draw a KM figure with ``ax.step(where="post")`` and censor markers; return (Figure, truths, x_max)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.12, 0.4, 0.84, 0.54) if risk_table else (0.12, 0.14, 0.84, 0.8))
    scale = 100.0 if percent else 1.0
    truths = []
    for k, (time, event) in enumerate(arms_ipd):
        colour = "#000000" if dashed_arms else COLOURS[k]
        st, ss = km_step_points(time, event)
        if ci == "dashed":
            for factor in (0.9, 1.1):
                ax.step(st, np.clip(ss * factor, 0, 1) * scale, where="post", color=colour, lw=0.7, ls="--")
        elif ci == "ribbon":
            ax.fill_between(st, ss * 0.9 * scale, np.clip(ss * 1.1, 0, 1) * scale, step="post", color=colour,
                            alpha=0.2, lw=0)
        ax.step(st, ss * scale, where="post", color=colour, lw=1.5, ls=("-", "--", ":")[k] if dashed_arms else "-",
                label=f"Arm {chr(65 + k)}")
        cens = np.unique(time[event == 0])
        surv = ss[np.searchsorted(st[:-1], cens, side="right") - 1]
        if marker is not None and cens.size:
            ax.plot(cens, surv * scale, ls="none", marker=marker, color=colour, ms=6 + k)
        else:
            cens, surv = cens[:0], surv[:0]
        keep = np.concatenate(([True], (np.diff(st) != 0) | (np.diff(ss) != 0)))
        truths.append(ArmTruth(f"Arm {chr(65 + k)}", colour, time, event, st[keep], ss[keep], cens, surv))
    x_max = tick_every * np.ceil(max(t.max() for t, _ in arms_ipd) / tick_every)
    ax.set_xticks(np.arange(0, x_max + tick_every / 2, tick_every))
    ax.set_xlim(0, x_max)
    yticks = np.round(np.arange(y_min, 1.0 + 1e-9, 0.1 if y_min > 0 else 0.2), 10)
    ax.set_yticks(yticks * scale)
    ax.set_ylim((y_min - 0.02) * scale, 1.02 * scale)
    ax.set_xlabel("Months")
    ax.set_ylabel("Survival (%)" if percent else "Survival probability")
    if len(arms_ipd) > 1:
        ax.legend(loc="upper right")
    if risk_table:
        fig.text(0.01, 0.22, "Number at risk", fontsize=8)
        ticks = ax.get_xticks()
        for k, truth in enumerate(truths):
            row_y = 0.17 - 0.05 * k
            fig.text(0.01, row_y, truth.label, fontsize=7)
            for tick, n_risk in zip(ticks, number_at_risk(truth.time, ticks), strict=True):
                x_fig = fig.transFigure.inverted().transform(ax.transData.transform((tick, 0)))[0]
                fig.text(x_fig, row_y, str(int(n_risk)), fontsize=7, ha="center")
    return fig, truths, x_max


def save(fig, path: Path) -> Path:
    """Save as PDF or SVG (SVG text kept as <text>)."""
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kmrecon"}):
        fig.savefig(path, format=path.suffix[1:])
    return path


def raster_in_pdf(fig, path: Path) -> np.ndarray:
    """Render ``fig`` to RGB pixels and place them unscaled on a PDF page; return the pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    import cv2

    rgb = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1].copy()
    page = Figure(figsize=(rgb.shape[1] / 72 + 1, rgb.shape[0] / 72 + 1), dpi=72)
    FigureCanvasAgg(page)
    page.figimage(rgb, xo=36, yo=36)
    page.savefig(path, format="pdf")
    return rgb


def at_risk_frame(truths, times):
    """Number-at-risk rows ``arm,time,n_risk`` at ``times`` (the printed convention)."""
    import pandas as pd

    return pd.DataFrame([{"arm": t.label, "time": float(x), "n_risk": int(n)}
                         for t in truths for x, n in zip(times, number_at_risk(t.time, times), strict=False)])


def pdf_with_image_stream(path: Path, data: bytes, *, width: int, height: int, filters: str,
                          colour_space: str = "/DeviceRGB") -> Path:
    """Write a one-page PDF whose only content is one image XObject with the given encoded stream
    (matplotlib always writes Flate images; this makes JPEG- or otherwise-encoded ones)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width + 72} {height + 72}] "
        f"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace {colour_space} "
        f"/BitsPerComponent 8 /Filter {filters} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream",
    ]
    content = f"q {width} 0 0 {height} 36 36 cm /Im0 Do Q".encode()
    objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    path.write_bytes(assemble_pdf(objects))
    return path


def assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF file from its numbered objects (object 1 the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
