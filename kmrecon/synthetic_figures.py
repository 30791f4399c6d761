"""Seeded Kaplan-Meier figures with known truth: the digitizer's test data and benchmark corpus.

Every figure is drawn by matplotlib (Agg, no pyplot state) from simulated individual
patient data (:func:`reconstruct.simulate.simulate_arm`), in one of the named styles of
:data:`STYLES`; :func:`generate_figure` returns the encoded image together with the truth
(IPD, exact KM step corners, censor-mark positions, axis tick values). Figures are labelled
simulated and are fully determined by ``(style, seed)``.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from reconstruct.simulate import km_step_points, number_at_risk, simulate_arm

__all__ = ["FigureStyle", "ArmTruth", "FigureTruth", "GeneratedFigure", "STYLES", "generate_figure", "generate_corpus"]

_COLOURS = {
    "tab": ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"),
    "ggplot": ("#F8766D", "#00BFC4", "#7CAE00", "#C77CFF"),
    "lancet": ("#00468B", "#ED0000", "#42B540", "#925E9F"),
}
_GREYS = ("#000000", "#8c8c8c", "#c8c8c8", "#505050")
_DASHES = ("-", "--", ":", "-.")


@dataclass(frozen=True)
class FigureStyle:
    """How one family of figures is drawn (see :data:`STYLES` for the named families).

    Attributes
    ----------
    name : str
        Style name, used as the benchmark's grouping.
    n_arms : int
        Number of curves, 1 to 4.
    palette : {"colour", "black_grey", "linestyle"}
        Arms told apart by hue, by grey level, or all black with different dash patterns.
    censor_glyph : str or None
        Matplotlib marker for censored patients ("+", "|", "x", "o", "s") or None.
    ci : {None, "ribbon", "dashed"}
        Confidence band drawn as a shaded ribbon or as dashed limit lines.
    percent : bool
        Survival axis in percent (0-100).
    y_min : float
        Lower end of the survival axis (0 or e.g. 0.4).
    tick_every : float or None
        Spacing of the x ticks in months (3, 6, 12); None picks one from the follow-up.
    risk_table, legend, title, p_value, grid, ggplot : bool
        Decorations: number-at-risk table under the plot, legend, title, p-value text in
        the panel, grid lines, ggplot2 grey panel with white grid lines and no axis lines.
    jpeg_quality : int or None
        Re-encode as JPEG with this quality.
    width_px : int
        Image width in pixels.
    rotation_deg : float
        Maximum absolute rotation (degrees) of a scanned page; the sign and size are drawn.
    cumulative : bool
        Plot cumulative incidence 1 - S(t) instead of S(t).
    overlap : bool
        Arms share the same early data so that their curves coincide for a stretch.
    """

    name: str
    n_arms: int = 2
    palette: Literal["colour", "black_grey", "linestyle"] = "colour"
    censor_glyph: str | None = "+"
    ci: Literal["ribbon", "dashed"] | None = None
    percent: bool = False
    y_min: float = 0.0
    tick_every: float | None = None
    risk_table: bool = False
    legend: bool = True
    title: bool = False
    p_value: bool = False
    grid: bool = False
    ggplot: bool = False
    jpeg_quality: int | None = None
    width_px: int = 640
    rotation_deg: float = 0.0
    cumulative: bool = False
    overlap: bool = False


_BASE = FigureStyle(name="basic")
STYLES: dict[str, FigureStyle] = {
    s.name: s
    for s in (
        _BASE,
        dataclasses.replace(_BASE, name="one_arm", n_arms=1, legend=False),
        dataclasses.replace(_BASE, name="three_arms", n_arms=3),
        dataclasses.replace(_BASE, name="four_arms", n_arms=4),
        dataclasses.replace(_BASE, name="black_grey", palette="black_grey"),
        dataclasses.replace(_BASE, name="dashed", palette="linestyle"),
        dataclasses.replace(_BASE, name="overlap", overlap=True),
        dataclasses.replace(_BASE, name="censor_bar", censor_glyph="|"),
        dataclasses.replace(_BASE, name="censor_other", censor_glyph="x"),
        dataclasses.replace(_BASE, name="no_censor", censor_glyph=None),
        dataclasses.replace(_BASE, name="ci_ribbon", ci="ribbon"),
        dataclasses.replace(_BASE, name="ci_dashed", ci="dashed"),
        dataclasses.replace(_BASE, name="percent", percent=True),
        dataclasses.replace(_BASE, name="y_from_0.4", y_min=0.4),
        dataclasses.replace(_BASE, name="ticks_3", tick_every=3.0),
        dataclasses.replace(_BASE, name="ticks_12", tick_every=12.0),
        dataclasses.replace(_BASE, name="risk_table", risk_table=True),
        dataclasses.replace(_BASE, name="annotated", title=True, p_value=True),
        dataclasses.replace(_BASE, name="grid", grid=True),
        dataclasses.replace(_BASE, name="ggplot", ggplot=True),
        dataclasses.replace(_BASE, name="jpeg", jpeg_quality=70),
        dataclasses.replace(_BASE, name="low_res", width_px=400),
        dataclasses.replace(_BASE, name="rotated", rotation_deg=1.5),
        dataclasses.replace(_BASE, name="cumulative", cumulative=True),
        dataclasses.replace(
            _BASE, name="journal", percent=True, risk_table=True, ci="ribbon", p_value=True, width_px=480,
            jpeg_quality=80,
        ),
    )
}


@dataclass(frozen=True, eq=False)
class ArmTruth:
    """The known data behind one drawn curve.

    Attributes
    ----------
    label : str
        Legend label.
    colour : str
        Line colour (hex).
    line_style : str
        Matplotlib line style.
    time, event : ndarray of shape (n,)
        The simulated IPD (months; 1 = event).
    step_time, step_survival : ndarray of shape (n_steps + 2,)
        Exact KM step corners (see :func:`reconstruct.simulate.km_step_points`).
    censor_time, censor_survival : ndarray of shape (n_marks,)
        Where the censor marks were drawn (survival as a proportion, not cumulative incidence).
    """

    label: str
    colour: str
    line_style: str
    time: NDArray[np.float64]
    event: NDArray[np.int64]
    step_time: NDArray[np.float64]
    step_survival: NDArray[np.float64]
    censor_time: NDArray[np.float64]
    censor_survival: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class FigureTruth:
    """Everything known about a generated figure.

    Attributes
    ----------
    style : FigureStyle
    seed : int
    arms : tuple of ArmTruth
    x_range : tuple of float
        Values of the first and last labelled x tick (months).
    y_range : tuple of float
        Values of the first and last labelled y tick, in the axis' own unit (percent or proportion).
    x_limits : tuple of float
        The plotted time range (matplotlib xlim).
    x_tick_cols, y_tick_rows : ndarray
        Pixel positions of the labelled ticks in the unrotated image (col, row; origin top-left).
    cumulative : bool
        The figure shows cumulative incidence.
    """

    style: FigureStyle
    seed: int
    arms: tuple[ArmTruth, ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_limits: tuple[float, float]
    x_tick_cols: NDArray[np.float64]
    y_tick_rows: NDArray[np.float64]
    cumulative: bool
    rotation_deg: float = 0.0


@dataclass(frozen=True, eq=False)
class GeneratedFigure:
    """An encoded figure and its truth.

    Attributes
    ----------
    image_bytes : bytes
        PNG or JPEG file contents.
    suffix : str
        ".png" or ".jpg".
    truth : FigureTruth
    """

    image_bytes: bytes
    suffix: str
    truth: FigureTruth = field(repr=False)


def _simulate_arms(style: FigureStyle, rng: np.random.Generator, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    n = int(rng.integers(25, 250))
    accrual = float(rng.uniform(6, 18))
    follow_up = float(rng.uniform(12, 36))
    base_median = float(rng.uniform(8, 30)) if style.y_min == 0 else float(rng.uniform(70, 120))
    shape = float(rng.uniform(0.8, 1.5))
    arms = []
    for k in range(style.n_arms):
        median = base_median * (1.0 + 0.45 * k) if style.y_min == 0 else base_median * (1.0 + 0.3 * k)
        sim = simulate_arm(
            n, seed=seed * 10 + k, median=median, shape=shape, accrual=accrual, follow_up=follow_up,
            dropout_rate=float(rng.uniform(0.0, 0.02)), time_grid=1.0 / 30.0,
        )
        arms.append((sim.time, sim.event))
    if style.overlap and len(arms) > 1:
        # arm 2 copies arm 1's patients up to a cut, so the two curves coincide exactly until then;
        # the patients still at risk at the cut take arm 2's own later times
        (t0, e0), (t1, e1) = arms[0], arms[1]
        cut = float(np.quantile(t0, 0.3))
        late = t0 > cut
        pool = np.flatnonzero(t1 > cut)
        if pool.size:
            pick = pool[rng.integers(0, pool.size, size=int(late.sum()))]
            time, event = t0.copy(), e0.copy()
            time[late], event[late] = t1[pick], e1[pick]
            arms[1] = (time, event)
    return arms


def _greenwood_band(time: np.ndarray, event: np.ndarray, step_time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-log 95% band at the step corners (a plotting aid here; the statistics live elsewhere)."""
    uniq = step_time[1:-1]
    risk = number_at_risk(time, uniq).astype(float)
    deaths = np.array([np.sum((time == u) & (event == 1)) for u in uniq], dtype=float)
    surv = np.cumprod(1 - deaths / risk)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        var = np.cumsum(deaths / (risk * np.maximum(risk - deaths, 1e-12)))
        se = np.sqrt(var) / np.abs(np.log(np.clip(surv, 1e-12, 1 - 1e-12)))
        low = surv ** np.exp(1.96 * se)
        high = surv ** np.exp(-1.96 * se)
    low = np.nan_to_num(low, nan=0.0)
    high = np.nan_to_num(high, nan=1.0)
    return np.concatenate(([1.0], low, [low[-1] if low.size else 1.0])), np.concatenate(
        ([1.0], high, [high[-1] if high.size else 1.0])
    )


def _style_colours(style: FigureStyle, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    if style.palette == "black_grey":
        return list(_GREYS[: style.n_arms]), ["-"] * style.n_arms
    if style.palette == "linestyle":
        return ["#000000"] * style.n_arms, list(_DASHES[: style.n_arms])
    key = "ggplot" if style.ggplot else ("tab", "lancet")[int(rng.integers(0, 2))]
    return list(_COLOURS[key][: style.n_arms]), ["-"] * style.n_arms


def _draw_arm(ax, style: FigureStyle, rng, label, time, event, colour, dash, *, line_width, scale) -> ArmTruth:
    """Draw one arm's KM step curve, its band and censor marks; return its truth."""
    st, ss = km_step_points(time, event)
    plotted = (1 - ss) if style.cumulative else ss
    if style.ci is not None:
        low, high = _greenwood_band(time, event, st)
        if style.cumulative:
            low, high = 1 - high, 1 - low
        if style.ci == "ribbon":
            ax.fill_between(st, low * scale, high * scale, step="post", color=colour, alpha=0.2, lw=0)
        else:
            for band in (low, high):
                ax.step(st, band * scale, where="post", color=colour, lw=0.8, ls="--")
    ax.step(st, plotted * scale, where="post", color=colour, lw=line_width, ls=dash, label=label, zorder=3)
    cens = np.unique(time[event == 0])
    cens_surv = ss[np.searchsorted(st[:-1], cens, side="right") - 1] if cens.size else cens
    if style.censor_glyph is not None and cens.size:
        shown = (1 - cens_surv) if style.cumulative else cens_surv
        ax.plot(cens, shown * scale, ls="none", marker=style.censor_glyph, color=colour,
                ms=float(rng.uniform(5, 8)), mew=1.0, zorder=4)
    else:
        cens, cens_surv = cens[:0], cens_surv[:0]
    return ArmTruth(label, colour, dash, time, event, st, ss, cens, cens_surv)


def _decorate(ax, style: FigureStyle, rng) -> None:
    """Background, grid, spines, legend, title and p-value text."""
    if style.ggplot:
        ax.set_facecolor("#EBEBEB")
        ax.grid(True, color="white", lw=1.1)
        ax.set_axisbelow(True)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.tick_params(color="#333333", labelcolor="#4d4d4d", length=3.5)
    elif style.grid:
        ax.grid(True, color="#b0b0b0", lw=0.8, alpha=0.8)
        ax.set_axisbelow(True)
    if not style.ggplot and rng.random() < 0.5:
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
    if style.legend and style.n_arms > 1:
        ax.legend(loc="upper right" if not style.cumulative else "upper left", frameon=bool(rng.random() < 0.5))
    if style.title:
        ax.set_title("Overall survival (simulated)")
    if style.p_value:
        ax.text(0.04, 0.08 if not style.cumulative else 0.85, "Log-rank p = 0.032\nHR 0.71 (0.52-0.97)",
                transform=ax.transAxes, fontsize=8)


def _draw_risk_table(fig, ax, truths, xticks, bottom: float) -> None:
    """Number-at-risk rows under the plot, one per arm, at the x ticks."""
    fig.text(0.01, bottom - 0.12, "No. at risk", fontsize=8)
    for k, truth in enumerate(truths):
        row_y = bottom - 0.16 - 0.045 * k
        fig.text(0.01, row_y, truth.label, fontsize=7, color=truth.colour)
        at = xticks[xticks <= ax.get_xlim()[1]]
        for tick, n_risk in zip(at, number_at_risk(truth.time, at), strict=True):
            x_fig = fig.transFigure.inverted().transform(ax.transData.transform((tick, 0)))[0]
            fig.text(x_fig, row_y, str(int(n_risk)), fontsize=7, ha="center")


def _draw(style: FigureStyle, rng: np.random.Generator, arms_ipd, colours, dashes):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    t_end = max(float(t.max()) for t, _ in arms_ipd)
    every = style.tick_every or float(rng.choice([6.0, 12.0]) if t_end > 30 else rng.choice([3.0, 6.0]))
    last_tick = every * np.ceil(t_end / every)
    height_px = int(style.width_px * (0.95 if style.risk_table else 0.72))
    fig = Figure(figsize=(style.width_px / 100, height_px / 100), dpi=100)
    FigureCanvasAgg(fig)
    bottom = 0.36 if style.risk_table else 0.14
    ax = fig.add_axes((0.14, bottom, 0.82, 0.92 - bottom - (0.04 if style.title else 0)))
    scale = 100.0 if style.percent else 1.0
    line_width = float(rng.uniform(1.0, 2.0))
    truths = [
        _draw_arm(ax, style, rng, f"Arm {chr(65 + k)}", time, event, colour, dash, line_width=line_width, scale=scale)
        for k, ((time, event), colour, dash) in enumerate(zip(arms_ipd, colours, dashes, strict=True))
    ]
    ax.set_xlim(0 - (0.02 * last_tick if rng.random() < 0.5 else 0.0), last_tick * (1.0 + 0.02 * rng.random()))
    xticks = np.arange(0.0, last_tick + every / 2, every)
    ax.set_xticks(xticks)
    if style.y_min > 0:
        yticks = np.round(np.arange(style.y_min, 1.0 + 1e-9, 0.1), 10)
        lo, hi = style.y_min - 0.01, 1.02
    else:
        yticks = np.linspace(0.0, 1.0, 6 if rng.random() < 0.6 else 5)
        lo, hi = (-0.02 if rng.random() < 0.5 else 0.0), 1.04
    ax.set_yticks(yticks * scale)
    ax.set_ylim(lo * scale, hi * scale)
    ax.set_xlabel("Months since randomisation")
    ax.set_ylabel(("Cumulative incidence" if style.cumulative else "Survival") + (" (%)" if style.percent else ""))
    _decorate(ax, style, rng)
    if style.risk_table:
        _draw_risk_table(fig, ax, truths, xticks, bottom)
    fig.canvas.draw()
    to_px = ax.transData.transform
    x_cols = np.array([to_px((t, lo * scale))[0] for t in xticks]) - 0.5
    y_rows = height_px - np.array([to_px((0.0, v * scale))[1] for v in yticks]) - 0.5
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    y_range = (float(yticks[0] * scale), float(yticks[-1] * scale))
    return buffer.getvalue(), truths, (float(xticks[0]), float(xticks[-1])), y_range, ax.get_xlim(), x_cols, y_rows


def generate_figure(style: FigureStyle | str, seed: int) -> GeneratedFigure:
    """Draw one simulated KM figure in ``style``.

    Parameters
    ----------
    style : FigureStyle or str
        A style or the name of one in :data:`STYLES`.
    seed : int
        Seed for everything random (data, colours, layout, rotation).

    Returns
    -------
    GeneratedFigure
        Encoded image bytes and :class:`FigureTruth`.
    """
    if isinstance(style, str):
        style = STYLES[style]
    rng = np.random.default_rng([seed, sum(map(ord, style.name))])
    arms_ipd = _simulate_arms(style, rng, seed)
    colours, dashes = _style_colours(style, rng)
    png, truths, x_range, y_range, x_lim, x_cols, y_rows = _draw(style, rng, arms_ipd, colours, dashes)
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    angle = 0.0
    if style.rotation_deg:
        angle = float(rng.uniform(0.4, 1.0) * style.rotation_deg * rng.choice([-1.0, 1.0]))
        rows, cols = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((cols / 2.0, rows / 2.0), angle, 1.0)
        image = cv2.warpAffine(image, matrix, (cols, rows), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    if style.jpeg_quality:
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(style.jpeg_quality)])
        suffix = ".jpg"
    else:
        ok, encoded = cv2.imencode(".png", image)
        suffix = ".png"
    truth = FigureTruth(
        style=style, seed=seed, arms=tuple(truths), x_range=x_range, y_range=y_range, x_limits=tuple(x_lim),
        x_tick_cols=x_cols, y_tick_rows=y_rows, cumulative=style.cumulative, rotation_deg=angle,
    )
    return GeneratedFigure(image_bytes=encoded.tobytes(), suffix=suffix, truth=truth)


def generate_corpus(n_per_style: int, *, seed: int = 20240101, styles: tuple[str, ...] | None = None):
    """Yield ``n_per_style`` figures of every style (or of ``styles``), seeded from ``seed``.

    Yields
    ------
    GeneratedFigure
    """
    for name in styles or tuple(STYLES):
        for i in range(n_per_style):
            yield generate_figure(name, seed + 1000 * i)


def step_value(step_time: NDArray[np.float64], step_survival: NDArray[np.float64], at: NDArray[np.float64]):
    """Right-continuous step function through corners ``(step_time, step_survival)`` evaluated at ``at``."""
    index = np.searchsorted(step_time, at, side="right") - 1
    return np.asarray(step_survival)[np.clip(index, 0, None)]


def curve_mae(truth: ArmTruth, time: NDArray[np.float64], survival: NDArray[np.float64], *, t_max: float) -> float:
    """Mean absolute difference between a traced step curve and the true KM over ``[0, t_max]``.

    Both are evaluated on 2000 equally spaced times up to the earlier of ``t_max`` and the true
    curve's end (the truth is undefined after its last observed time).
    """
    end = min(float(t_max), float(truth.step_time[-1]))
    grid = np.linspace(0.0, end, 2000)
    true_values = step_value(truth.step_time, truth.step_survival, grid)
    return float(np.mean(np.abs(true_values - step_value(time, survival, grid))))
