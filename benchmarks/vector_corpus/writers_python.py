"""The Python writers of the vector corpus: matplotlib, lifelines, and PDFs reshaped as journals do.

Called by ``make_corpus.py``; each ``write`` returns the truth of the plots it drew.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from make_corpus import COLOURS, plot_truth

from reconstruct import km_step_points


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed + 77)


def _marks(arm):
    st, ss = km_step_points(arm["time"], arm["event"])
    cens = np.unique(arm["time"][arm["event"] == 0])
    return st, ss, cens, ss[np.searchsorted(st[:-1], cens, side="right") - 1]


def _table_ticks(ax) -> np.ndarray:
    lo, hi = ax.get_xlim()
    ticks = ax.get_xticks()
    return ticks[(ticks >= max(lo, 0.0)) & (ticks <= hi)]


def _risk_table(ax, case, ticks) -> None:
    """Numbers at risk as text under the axes, one row per arm, centred on the x ticks."""
    from matplotlib.transforms import blended_transform_factory

    from reconstruct import number_at_risk

    trans = blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(-0.02, -0.2, "Number at risk", transform=ax.transAxes, ha="right", fontsize=8)
    for k, arm in enumerate(case["arms"]):
        row = -0.27 - 0.07 * k
        ax.text(-0.02, row, arm["label"], transform=ax.transAxes, ha="right", fontsize=8, color=COLOURS[k])
        for t, n in zip(ticks, number_at_risk(arm["time"], ticks), strict=True):
            ax.text(t, row, str(int(n)), transform=trans, ha="center", fontsize=8)


def draw_mpl(ax, case, rng, *, curve="step", table=None):
    """A KM plot as users write it with matplotlib: ``ax.step`` (or pieces), '+' or '|' censor marks,
    autoscaled axes; axis titles, legend and a risk table by chance. Returns the plot's truth."""
    marker = "+" if rng.random() < 0.6 else "|"
    for k, arm in enumerate(case["arms"]):
        st, ss, cens, surv = _marks(arm)
        colour = COLOURS[k]
        if curve == "step":
            ax.step(st, ss, where="post", color=colour, label=arm["label"])
        elif curve == "segments":
            _segments(ax, st, ss, colour, arm["label"])
        else:
            for j in range(len(st) - 1):  # one polyline per step: along, then down
                ax.plot([st[j], st[j + 1], st[j + 1]], [ss[j], ss[j], ss[j + 1]], color=colour,
                        label=arm["label"] if j == 0 else None)
        if cens.size:
            ax.plot(cens, surv, ls="none", marker=marker, color=colour, ms=6)
    if rng.random() < 0.5:
        ax.set_xlabel("Time (months)")
        ax.set_ylabel("Overall survival")
    if len(case["arms"]) > 1:
        ax.legend(loc="upper right" if rng.random() < 0.5 else "lower left")
    want_table = rng.random() < 0.5 if table is None else table
    ticks = _table_ticks(ax) if want_table else None
    if want_table:
        _risk_table(ax, case, ticks)
    return plot_truth(case, table_times=ticks)


def _segments(ax, st, ss, colour, label):
    """The curve as many short segments: each horizontal run cut into pieces of at most 2 % of the span."""
    from matplotlib.collections import LineCollection

    piece = 0.02 * (st[-1] - st[0])
    segs = []
    for j in range(len(st) - 1):
        edges = np.linspace(st[j], st[j + 1], max(1, int(np.ceil((st[j + 1] - st[j]) / piece))) + 1)
        segs += [[(a, ss[j]), (b, ss[j])] for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
        if ss[j + 1] != ss[j]:
            segs.append([(st[j + 1], ss[j]), (st[j + 1], ss[j + 1])])
    ax.add_collection(LineCollection(segs, colors=colour, linewidths=1.5, label=label))
    ax.autoscale_view()


def _figure(n_cols=1, n_rows=1, **kwargs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(n_rows, n_cols, **kwargs)


def _save(fig, path: Path, rc: dict) -> Path:
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.hashsalt": "kmrecon", **rc}):
        fig.savefig(path)
    plt.close(fig)
    return path


def _lifelines(case, rng, path: Path, rc: dict) -> dict:
    from lifelines import KaplanMeierFitter
    from lifelines.plotting import add_at_risk_counts

    fig, ax = _figure()
    fits = []
    for arm in case["arms"]:
        kmf = KaplanMeierFitter().fit(arm["time"], arm["event"], label=arm["label"])
        kmf.plot_survival_function(ax=ax, show_censors=True, ci_show=bool(rng.random() < 0.5))
        fits.append(kmf)
    table = rng.random() < 0.5
    ticks = None
    if table:
        add_at_risk_counts(*fits, ax=ax, rows_to_show=["At risk"])
        fig.tight_layout()
        ticks = _table_ticks(ax)
    _save(fig, path, rc)
    truth = plot_truth(case, table_times=ticks)
    if ticks is not None:  # lifelines prints the number still at risk after the removals at each tick
        truth["at_risk"]["rows"] = {a["label"]: [int(np.sum(a["time"] > t)) for t in ticks] for a in case["arms"]}
    return truth


def _pdf_bytes(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf")
    plt.close(fig)
    return buffer.getvalue()


def _reshape(data: bytes, path: Path, how: str) -> None:
    """Rewrite a one-page PDF as journal production tools do: its content inside a Form XObject
    (``xobject``), or scaled, moved and clipped by a ``cm`` and a clip rectangle (``clip_cm``)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject, NumberObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    page = writer.pages[0]
    content = page.get_contents().get_data()
    box = [float(v) for v in page.mediabox]
    if how == "xobject":
        form = DecodedStreamObject()
        form.set_data(content)
        form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                     NameObject("/BBox"): ArrayObject([FloatObject(v) for v in box]),
                     NameObject("/FormType"): NumberObject(1),
                     NameObject("/Resources"): page["/Resources"]})
        ref = writer._add_object(form)
        resources = DictionaryObject({NameObject("/XObject"): DictionaryObject({NameObject("/Fm0"): ref})})
        page[NameObject("/Resources")] = resources
        new = b"q 1 0 0 1 0 0 cm /Fm0 Do Q"
    else:
        w, h = box[2] - box[0], box[3] - box[1]
        new = (f"q 0.8 0 0 0.8 {0.1 * w:.3f} {0.1 * h:.3f} cm 0 0 {w:.3f} {h:.3f} re W n\n".encode()
               + content + b"\nQ")
    stream = DecodedStreamObject()
    stream.set_data(new)
    page[NameObject("/Contents")] = writer._add_object(stream)
    with open(path, "wb") as handle:
        writer.write(handle)


def write(family: str, cases: list[dict], stem: Path, *, seed: int) -> dict:
    """Draw ``cases`` in the style of ``family`` to ``stem`` + suffix; return ``{"plots": [...], "file": name}``."""
    rng = _rng(seed)
    if family.startswith("mpl_"):
        fig, ax = _figure()
        truth = draw_mpl(ax, cases[0], rng)
        if truth["at_risk"] is not None:
            fig.subplots_adjust(bottom=0.32, left=0.2)
        suffix = ".pdf" if "_pdf_" in family else ".svg"
        rc = {"mpl_pdf_type42": {"pdf.fonttype": 42}, "mpl_svg_text": {"svg.fonttype": "none"}}.get(family, {})
        _save(fig, stem.with_suffix(suffix), rc)
        plots = [truth]
    elif family.startswith("lifelines_"):
        suffix = ".pdf" if family.endswith("pdf") else ".svg"
        plots = [_lifelines(cases[0], rng, stem.with_suffix(suffix), {})]
    elif family in ("xobject", "clip_cm"):
        fig, ax = _figure()
        truth = draw_mpl(ax, cases[0], rng)
        if truth["at_risk"] is not None:
            fig.subplots_adjust(bottom=0.32, left=0.2)
        suffix = ".pdf"
        _reshape(_pdf_bytes(fig), stem.with_suffix(suffix), family)
        plots = [truth]
    elif family in ("segments", "polyline_steps"):
        fig, ax = _figure()
        truth = draw_mpl(ax, cases[0], rng, curve=family)
        if truth["at_risk"] is not None:
            fig.subplots_adjust(bottom=0.32, left=0.2)
        suffix = ".pdf"
        _save(fig, stem.with_suffix(suffix), {})
        plots = [truth]
    elif family == "multi_grid":
        fig, axes = _figure(2, 2, figsize=(10, 8))
        plots = [draw_mpl(ax, case, rng, table=False) for ax, case in zip(axes.ravel(), cases, strict=True)]
        fig.tight_layout()
        suffix = ".pdf"
        _save(fig, stem.with_suffix(suffix), {})
    elif family == "shared_y":
        fig, axes = _figure(2, 1, figsize=(10, 4.5), sharey=True)
        plots = []
        for ax, case in zip(axes, cases, strict=True):
            plots.append(draw_mpl(ax, case, rng, table=False))
            ax.set_ylabel("")
        fig.supylabel("Survival probability")
        suffix = ".pdf"
        _save(fig, stem.with_suffix(suffix), {})
    else:
        raise ValueError(f"family must be a Python family, got {family!r}")
    return {"plots": plots, "file": stem.name + suffix}
