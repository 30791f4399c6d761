"""Vector plots as real writers and journals' tools write them (issue 13), one small file per mechanism.

matplotlib with its defaults (four spines, no axis titles, autoscaled ticks, Type 3 or Type 42
fonts); a plot inside a Form XObject under ``cm`` and a clip; curves as short segments or one
polyline per step; side-by-side panels sharing one y axis; censor marks drawn as text (ggplot2's
shape "+"); marks on a drop (R's ``plot.survfit``); PDFium-rendered overlays and thumbnails.
Tolerance: writers round coordinates to about 1e-6 pt, so corners and marks match the truth
within 1e-6 of the axis range (1e-5 where positions pass through two ``cm`` matrices).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from reconstruct import km_step_points
from reconstruct.document import overlay_background
from reconstruct.vector.pdf import digitize_pdf, find_km_plots, plot_thumbnails
from tests._km_vector_figures import simulate_arms
from tests._pdf_writer import form_km_pdf, unique_censor_marks


def _figure(n_cols=1, **kwargs):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5 * n_cols, 4))
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, n_cols, **kwargs)


def _truth(seed):
    ((time, event),) = simulate_arms(1, seed=seed)
    st, ss = km_step_points(time, event)
    keep = np.concatenate(([True], (np.diff(st) != 0) | (np.diff(ss) != 0)))
    cens, surv = unique_censor_marks(time, event, st, ss)
    return st, ss, st[keep], ss[keep], cens, surv


def _assert_arm(arm, step_time, step_survival, cens, surv, *, tol=1e-6, mark_tol=None):
    span = float(step_time[-1])
    mark_tol = tol if mark_tol is None else mark_tol
    np.testing.assert_allclose(arm.time, step_time, rtol=0, atol=tol * span)
    np.testing.assert_allclose(arm.survival, step_survival, rtol=0, atol=tol)
    order = np.argsort(arm.censor_time, kind="stable")
    assert arm.censor_time.size == cens.size
    np.testing.assert_allclose(arm.censor_time[order], cens, rtol=0, atol=mark_tol * span)
    np.testing.assert_allclose(arm.censor_survival[order], surv, rtol=0, atol=tol)


@pytest.mark.parametrize("fonttype", [3, 42], ids=["type3", "type42"])
def test_matplotlib_defaults_are_read_without_hints(tmp_path, fonttype):
    st, ss, kt, ks, cens, surv = _truth(11)
    fig, ax = _figure()
    ax.step(st, ss, where="post")  # four spines, autoscaled ticks, no titles, no legend
    ax.plot(cens, surv, "+", color="C0")
    with matplotlib.rc_context({"pdf.fonttype": fonttype}):
        fig.savefig(tmp_path / "km.pdf")
    (arm,) = digitize_pdf(tmp_path / "km.pdf").arms
    _assert_arm(arm, kt, ks, cens, surv)


def test_plot_in_a_form_xobject_moved_scaled_and_clipped(tmp_path):
    st, ss, kt, ks, cens, surv = _truth(12)
    x_max = 6.0 * np.ceil(st[-1] / 6.0)
    path = form_km_pdf(tmp_path / "journal.pdf", st, ss, cens, surv, x_max=x_max,
                       x_ticks=np.arange(0.0, x_max + 1e-9, 6.0), y_ticks=np.round(np.arange(0, 1.01, 0.2), 1))
    (found,) = find_km_plots(path)
    assert (found.page, found.index, found.kind) == (1, 1, "vector")
    (arm,) = digitize_pdf(path).arms
    _assert_arm(arm, kt, ks, cens, surv, tol=1e-5)


@pytest.mark.parametrize("drawing", ["segments", "polyline_per_step"])
def test_curve_drawn_in_pieces(tmp_path, drawing):
    from matplotlib.collections import LineCollection

    st, ss, kt, ks, cens, surv = _truth(13)
    fig, ax = _figure()
    if drawing == "segments":  # horizontal runs cut into short collinear pieces, drops separate
        segs = []
        for j in range(len(st) - 1):
            edges = np.linspace(st[j], st[j + 1], 4)
            segs += [[(a, ss[j]), (b, ss[j])] for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
            if ss[j + 1] != ss[j]:
                segs.append([(st[j + 1], ss[j]), (st[j + 1], ss[j + 1])])
        ax.add_collection(LineCollection(segs, colors="C0"))
        ax.autoscale_view()
    else:
        for j in range(len(st) - 1):
            ax.plot([st[j], st[j + 1], st[j + 1]], [ss[j], ss[j], ss[j + 1]], color="C0")
    ax.plot(cens, surv, "|", color="C0")
    fig.savefig(tmp_path / "km.pdf")
    (arm,) = digitize_pdf(tmp_path / "km.pdf").arms
    _assert_arm(arm, kt, ks, cens, surv)


def test_side_by_side_panels_sharing_one_y_title_are_both_found(tmp_path):
    fig, axes = _figure(2, sharey=True)
    truths = []
    for k, ax in enumerate(axes):
        st, ss, kt, ks, cens, surv = _truth(20 + k)
        ax.step(st, ss, where="post", color="C0")
        ax.plot(cens, surv, "+", color="C0")
        truths.append((kt, ks, cens, surv))
    fig.supylabel("Overall survival")
    fig.savefig(tmp_path / "panels.pdf")
    found = find_km_plots(tmp_path / "panels.pdf")
    assert [(p.page, p.index, p.n_curves) for p in found] == [(1, 1, 1), (1, 2, 1)]
    for k in (1, 2):
        (arm,) = digitize_pdf(tmp_path / "panels.pdf", page=1, index=k).arms
        _assert_arm(arm, *truths[k - 1])


def test_censor_marks_drawn_as_text_and_marks_on_a_drop(tmp_path):
    """ggplot2 draws shape "+" as a character; R's plot.survfit draws a censoring tied with an
    event at the middle of the drop. Both are the patient censored at that time, S after it."""
    st, ss, kt, ks, cens, surv = _truth(14)
    fig, ax = _figure()
    ax.step(st, ss, where="post", color="#f8766d")
    for t, s in zip(cens, surv, strict=True):
        ax.text(t, s, "+", ha="center", va="center", color="#f8766d", fontsize=9)
    drop = int(np.flatnonzero(np.diff(ks) < 0)[3]) + 1  # a drop: mark at its middle, as R does
    ax.plot([kt[drop]], [0.5 * (ks[drop - 1] + ks[drop])], "+", color="#f8766d")
    fig.savefig(tmp_path / "km.pdf")
    (arm,) = digitize_pdf(tmp_path / "km.pdf").arms
    want_t, want_s = np.append(cens, kt[drop]), np.append(surv, ks[drop])
    order = np.argsort(want_t, kind="stable")
    # a character is centred by its advance, not its ink: within 1e-4 of the range (about 0.02 pt)
    _assert_arm(arm, kt, ks, want_t[order], want_s[order], mark_tol=1e-4)


def test_overlays_and_thumbnails_are_the_rendered_page(tmp_path):
    from reconstruct.vector.pdf_render import render_page

    st, ss, *_ = _truth(15)
    fig, ax = _figure()
    ax.step(st, ss, where="post", color="#1f77b4", lw=2)
    fig.savefig(tmp_path / "km.pdf")
    figure = digitize_pdf(tmp_path / "km.pdf")
    background = overlay_background(tmp_path / "km.pdf", figure)
    assert background.shape == (round(figure.image_shape[0]), round(figure.image_shape[1]), 3)
    np.testing.assert_array_equal(background, render_page(tmp_path / "km.pdf", 1))
    # the curve is where the calibration puts it: the rendered pixel under a mid-step is the curve's blue
    k = len(st) // 2
    row = int(round(float(figure.y_calibration.to_px(ss[k]))))
    col = int(round(float(figure.x_calibration.to_px(0.5 * (st[k] + st[k + 1])))))
    assert np.abs(background[row - 1:row + 2, col].astype(int) - [0x1F, 0x77, 0xB4]).sum(axis=1).min() < 60
    import cv2

    (png,) = plot_thumbnails(tmp_path / "km.pdf", find_km_plots(tmp_path / "km.pdf"), width_px=300)
    thumb = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
    assert thumb.shape[1] == 300
    blue = np.abs(thumb.astype(int) - [0x1F, 0x77, 0xB4]).sum(axis=2) < 60
    assert blue.sum() > 100  # the curve, rendered


def test_page_cache_notices_a_rewritten_file(tmp_path):
    import os

    fig, ax = _figure()
    st, ss, *_ = _truth(16)
    ax.step(st, ss, where="post")
    fig.savefig(tmp_path / "km.pdf")
    assert [p.n_curves for p in find_km_plots(tmp_path / "km.pdf")] == [1]
    st2, ss2, *_ = _truth(17)
    ax.step(st2, ss2, where="post")
    fig.savefig(tmp_path / "km.pdf")
    os.utime(tmp_path / "km.pdf", ns=(1, 1))  # even with the old time stamp, the size differs
    assert [p.n_curves for p in find_km_plots(tmp_path / "km.pdf")] == [2]


def test_pdf_text_converted_to_outlines_is_read_from_the_rendered_page(tmp_path):
    """Journal tools convert text to outlines: the labels are paths. PDFium renders them, the OCR
    kmrecon ships reads them, and the tick values come out exact (the curves from the paths)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    st, ss, kt, ks, cens, surv = _truth(18)
    fig = Figure(figsize=(6, 4), dpi=72)  # display units are points, as in the PDF
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.step(st, ss, where="post")
    ax.plot(cens, surv, "+", color="C0")
    ticks = np.arange(0, st[-1] + 10, 10)
    ax.set_xticks(ticks)
    ax.set_yticks([0.0, 0.5, 1.0])
    ax.set_ylim(-0.05, 1.05)
    fig.canvas.draw()
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        box, outline = label.get_window_extent(), TextPath((0, 0), label.get_text(), size=10)
        shift = Affine2D().translate(box.x0 - outline.get_extents().x0, box.y0 - outline.get_extents().y0)
        fig.add_artist(PathPatch(shift.transform_path(outline), transform=None, facecolor="k", edgecolor="none"))
    ax.set_xticklabels([])
    ax.set_yticklabels([])
    fig.savefig(tmp_path / "outlined.pdf")
    figure = digitize_pdf(tmp_path / "outlined.pdf")
    np.testing.assert_array_equal(figure.x_calibration.values, ticks[: figure.x_calibration.values.size])
    np.testing.assert_array_equal(figure.y_calibration.values, [1.0, 0.5, 0.0])
    (arm,) = figure.arms
    _assert_arm(arm, kt, ks, cens, surv)


def test_censor_marks_drawn_as_outlined_plus_characters_are_read(tmp_path):
    """survminer draws censor marks as the character "+"; a PDF whose text was converted to outlines
    (Ghostscript -dNoOutputFonts, prepress tools) holds each as a filled cross-shaped path whose ink
    centre is not the data point (the font's metrics place it). They are told from letters by shape
    (the OCR reads a lone "+" as "H"), one mark per cross, and each is put on the curve at its
    column: times within 1e-3 of the span, survival exact."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    st, ss, kt, ks, cens, surv = _truth(19)
    fig = Figure(figsize=(6, 4), dpi=72)  # display units are points, as in the PDF
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.step(st, ss, where="post", color="#f8766d")
    ticks = np.arange(0, st[-1] + 10, 10)
    ax.set_xticks(ticks)
    ax.set_yticks([0.0, 0.5, 1.0])
    ax.set_ylim(-0.05, 1.05)
    fig.canvas.draw()

    def outline(text, x, y, colour, size=10):  # the text's ink box centred on (x, y), in points
        path = TextPath((0, 0), text, size=size)
        ink = path.get_extents()
        shift = Affine2D().translate(x - 0.5 * (ink.x0 + ink.x1), y - 0.5 * (ink.y0 + ink.y1))
        fig.add_artist(PathPatch(shift.transform_path(path), transform=None, facecolor=colour, edgecolor="none"))

    for label in ax.get_xticklabels() + ax.get_yticklabels():
        box = label.get_window_extent()
        outline(label.get_text(), 0.5 * (box.x0 + box.x1), 0.5 * (box.y0 + box.y1), "k")
    ax.set_xticklabels([])
    ax.set_yticklabels([])
    for x, y in ax.transData.transform(np.column_stack([cens, surv])):
        outline("+", x, y + 1.0, "#f8766d", size=9)  # ink 1 pt above the point, as a font places it
    fig.savefig(tmp_path / "outlined_marks.pdf")
    figure = digitize_pdf(tmp_path / "outlined_marks.pdf")
    np.testing.assert_array_equal(figure.x_calibration.values, ticks[: figure.x_calibration.values.size])
    (arm,) = figure.arms
    _assert_arm(arm, kt, ks, cens, surv, mark_tol=1e-3)
