"""Python renderers of the wild corpus: matplotlib defaults, lifelines, plotnine, and the looks of SAS,
Stata, GraphPad Prism, Excel and of NEJM, Lancet and JCO redraws, all drawn with matplotlib.

``draw(spec, truth, ipd, path)`` writes one figure (PNG, or PDF when ``path`` ends in .pdf).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from reconstruct import km_step_points, number_at_risk  # noqa: E402

PALETTE_RGB = {
    "jco": ["#0073C2", "#EFC000", "#868686"], "lancet": ["#00468B", "#ED0000", "#42B540"],
    "nejm": ["#BC3C29", "#0072B5", "#E18727"], "grey": ["#333333", "#888888", "#BBBBBB"],
    "sas": ["#445694", "#A23A2E", "#01665E"], "stata": ["#1A476F", "#90353B", "#55752F"],
    "prism": ["#000000", "#D62728", "#1F77B4"], "excel": ["#4472C4", "#ED7D31", "#A5A5A5"],
}


def _curves(ipd: pd.DataFrame, arms: list[str]):
    out = []
    for arm in arms:
        g = ipd[ipd["arm"] == arm]
        t, s = km_step_points(g["time"].to_numpy(), g["event"].to_numpy())
        cens = np.sort(g.loc[g["event"] == 0, "time"].to_numpy())
        # survival at each censoring time (right-continuous)
        s_c = s[np.searchsorted(t[:-1], cens, side="right") - 1]
        out.append((t, s, cens, s_c))
    return out


def _times(truth) -> np.ndarray:
    return np.arange(0.0, truth["x_range"][1] + truth["x_step"] / 2, truth["x_step"])


def _counts(ipd, arm, times):
    return number_at_risk(ipd.loc[ipd["arm"] == arm, "time"].to_numpy(), times)


def _events(ipd, arm, times):
    g = ipd[ipd["arm"] == arm]
    return np.array([int(((g["time"] <= t) & (g["event"] == 1)).sum()) for t in times])


def _finish(fig, path: Path, spec) -> None:
    width_in = fig.get_size_inches()[0]
    dpi = spec["width_px"] / width_in if spec["width_px"] else 100
    fig.savefig(path, dpi=dpi, bbox_inches="tight", pad_inches=0.08)
    plt.close(fig)


def _table_rows(fig, ax, ipd, arms, times, colours, *, y0, dy, fs, label_style="left", fmt=None,
                heading=None, colour_numbers=False):
    """Write an at-risk table in figure coordinates under ``ax`` (x positions in data units)."""
    trans = matplotlib.transforms.blended_transform_factory(ax.transData, fig.transFigure)
    y = y0
    if heading:
        fig.text(0.01, y, heading, fontsize=fs, fontweight="bold", va="center", ha="left")
        y -= dy
    for k, arm in enumerate(arms):
        counts = _counts(ipd, arm, times)
        texts = [fmt(ipd, arm, times, j) if fmt else str(n) for j, n in enumerate(counts)]
        if label_style == "above":
            fig.text(0.01, y, arm, fontsize=fs, va="center", ha="left", color=colours[k])
            y -= dy * 0.9
        elif label_style == "left":
            fig.text(ax.get_position().x0 - 0.06, y, arm, fontsize=fs, va="center", ha="right")
        for t, text in zip(times, texts):
            fig.text(t, y, text, transform=trans, fontsize=fs, ha="center", va="center",
                     color=colours[k] if colour_numbers else "black")
        y -= dy


def _axes_common(ax, truth, spec, *, ylabel="Survival probability", xlabel="Time (months)"):
    x_max = truth["x_range"][1]
    scale = 100.0 if spec["percent"] else 1.0
    ax.set_xlim(0, x_max * 1.02)
    ax.set_xticks(_times(truth))
    ax.set_ylim(0, 1.02 * scale)
    if spec["axis_titles"]:
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel + (" (%)" if spec["percent"] and "%" not in ylabel and "Percent" not in ylabel else ""))
    return scale


def _plot_arms(ax, curves, arms, colours, scale, *, lw=1.5, mark="|", ms=6, styles=None):
    for k, (t, s, cens, s_c) in enumerate(curves):
        ls = styles[k] if styles else "-"
        ax.step(t, s * scale, where="post", color=colours[k], lw=lw, ls=ls, label=arms[k])
        if mark:
            ax.plot(cens, s_c * scale, ls="none", marker=mark, color=colours[k], ms=ms, mew=1.0)


def _legend(ax, spec, **kw):
    where = {"top": "upper right", "right": "center right", "inside": "lower left"}.get(spec["legend"])
    if where:
        ax.legend(loc=where, frameon=kw.pop("frameon", True), **kw)


def draw(spec: dict, truth: dict, ipd: pd.DataFrame, path: Path) -> None:
    arms = truth["arms"]
    look = spec["look"]
    curves = _curves(ipd, arms)
    times = _times(truth)
    fs = 9 * spec["font_scale"]
    with plt.rc_context({"font.size": fs}):
        fig = _LOOKS[look](spec, truth, ipd, arms, curves, times, fs)
        _finish(fig, path, spec)


def _mpl_default(spec, truth, ipd, arms, curves, times, fs):
    fig, ax = plt.subplots(figsize=(6.4, 4.8 * spec["aspect"] + (1.0 if spec["risk_table"] else 0)))
    colours = [f"C{k}" for k in range(3)]
    scale = _axes_common(ax, truth, spec)
    _plot_arms(ax, curves, arms, colours, scale, mark="+")
    _legend(ax, spec)
    if spec["risk_table"]:
        fig.subplots_adjust(bottom=0.3, left=0.2)
        _table_rows(fig, ax, ipd, arms, times, colours, y0=0.12, dy=0.04, fs=fs, heading="Number at risk")
    return fig


def _lifelines(spec, truth, ipd, arms, curves, times, fs):
    from lifelines import KaplanMeierFitter
    from lifelines.plotting import add_at_risk_counts

    fig, ax = plt.subplots(figsize=(6.4, 4.8 * spec["aspect"] + 1.0))
    fitters = []
    for arm in arms:
        g = ipd[ipd["arm"] == arm]
        kmf = KaplanMeierFitter(label=arm).fit(g["time"], g["event"])
        kmf.plot_survival_function(ax=ax, ci_show=spec["conf_int"], show_censors=True)
        fitters.append(kmf)
    _axes_common(ax, truth, spec, ylabel="Survival probability", xlabel="timeline")
    ax.set_ylim(0, 1.02)
    if spec["legend"] == "none":
        ax.get_legend().remove()
    if spec["risk_table"]:
        rows = ["At risk"] if spec["seed"] % 2 else ["At risk", "Censored", "Events"]
        add_at_risk_counts(*fitters, ax=ax, rows_to_show=rows, xticks=list(times))
    return fig


def _plotnine(spec, truth, ipd, arms, curves, times, fs):
    import plotnine as p9

    rows = []
    for arm, (t, s, _c, _s) in zip(arms, curves):
        rows.append(pd.DataFrame({"arm": arm, "time": t, "surv": s}))
    frame = pd.concat(rows)
    frame["arm"] = pd.Categorical(frame["arm"], categories=arms)
    theme = p9.theme_bw() if spec["seed"] % 3 == 0 else (p9.theme_classic() if spec["seed"] % 3 == 1 else p9.theme_gray())
    plot = (p9.ggplot(frame, p9.aes("time", "surv", color="arm")) + p9.geom_step() + theme
            + p9.scale_x_continuous(breaks=list(times), limits=(0, truth["x_range"][1]))
            + p9.scale_y_continuous(limits=(0, 1))
            + p9.labs(x="Time (months)" if spec["axis_titles"] else "", y="Survival" if spec["axis_titles"] else "")
            + p9.theme(legend_position=spec["legend"] if spec["legend"] in ("top", "right", "none") else "bottom"))
    if spec["risk_table"]:
        # room under the axis title for the table: plotnine's layout engine redoes the layout at savefig and
        # undid a subplots_adjust, so the table was printed over the tick labels and the axis title
        plot = plot + p9.theme(plot_margin_bottom=0.13)
    fig = plot.draw()
    fig.set_size_inches(6.4, 4.8 * spec["aspect"])
    if spec["risk_table"]:
        ax = fig.axes[0]
        _table_rows(fig, ax, ipd, arms, times, ["black"] * 3, y0=0.1, dy=0.045, fs=fs, heading="At risk")
    return fig


def _sas(spec, truth, ipd, arms, curves, times, fs):
    """SAS ODS LIFETEST: numbers at risk inside the panel above the x axis, '+' marks, legend below."""
    fig, ax = plt.subplots(figsize=(6.4, 5.0 * spec["aspect"]))
    colours = PALETTE_RGB["sas"]
    k_arms = len(arms)
    ax.set_ylim(-0.07 * k_arms - 0.02, 1.02)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_xlim(0, truth["x_range"][1] * 1.03)
    ax.set_xticks(times)
    for k, (t, s, cens, s_c) in enumerate(curves):
        ax.step(t, s, where="post", color=colours[k], lw=1.2, label=arms[k])
        ax.plot(cens, s_c, ls="none", marker="+", color=colours[k], ms=6)
        for x, n in zip(times, _counts(ipd, arms[k], times)):
            ax.text(x, -0.07 * (k + 1) + 0.03, str(n), color=colours[k], ha="center", va="center", fontsize=fs * 0.85)
    ax.set_title("Product-Limit Survival Estimates\nWith Number of Subjects at Risk", fontsize=fs * 1.1)
    if spec["axis_titles"]:
        ax.set_ylabel("Survival Probability")
        ax.set_xlabel("Months")
    if spec["legend"] != "none":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=k_arms, title="Stratum", frameon=True)
    return fig


def _stata(spec, truth, ipd, arms, curves, times, fs):
    fig, ax = plt.subplots(figsize=(6.0, 4.8 * spec["aspect"] + 0.8))
    fig.patch.set_facecolor("#EAF2F3")
    colours = PALETTE_RGB["stata"]
    ax.set_xlim(0, truth["x_range"][1])
    ax.set_xticks(times)
    ax.set_ylim(0, 1.0)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_yticklabels(["0.00", "0.25", "0.50", "0.75", "1.00"], rotation=90, va="center")
    ax.grid(axis="y", color="#EAF2F3", lw=1.0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for k, (t, s, _c, _s) in enumerate(curves):
        ax.step(t, s, where="post", color=colours[k], lw=1.2, label=f"group = {arms[k]}")
    ax.set_title("Kaplan-Meier survival estimates", fontsize=fs * 1.2)
    if spec["axis_titles"]:
        ax.set_xlabel("analysis time")
    fig.subplots_adjust(bottom=0.32, left=0.22)
    if spec["risk_table"]:
        _table_rows(fig, ax, ipd, arms, times, colours, y0=0.17, dy=0.04, fs=fs, heading="Number at risk")
    if spec["legend"] != "none":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.42 - 0.05 * len(arms)), ncol=2, frameon=True)
    return fig


def _prism(spec, truth, ipd, arms, curves, times, fs):
    fig, ax = plt.subplots(figsize=(5.5, 4.5 * spec["aspect"] + (0.8 if spec["risk_table"] else 0)))
    colours = PALETTE_RGB["prism"]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_linewidth(2.0)
        ax.spines[side].set_position(("outward", 6))
    ax.tick_params(direction="out", width=2.0, length=6, labelsize=fs * 1.1)
    ax.set_xlim(0, truth["x_range"][1])
    ax.set_xticks(times)
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 25, 50, 75, 100] if spec["seed"] % 2 else [0, 20, 40, 60, 80, 100])
    for k, (t, s, cens, s_c) in enumerate(curves):
        ax.step(t, s * 100, where="post", color=colours[k], lw=3.0, label=arms[k])
        ax.plot(cens, s_c * 100, ls="none", marker="|", color=colours[k], ms=7, mew=2)
    if spec["axis_titles"]:
        ax.set_ylabel("Percent survival", fontweight="bold")
        ax.set_xlabel("Months elapsed", fontweight="bold")
    if spec["legend"] != "none":
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    if spec["risk_table"]:
        fig.subplots_adjust(bottom=0.3, left=0.22)
        _table_rows(fig, ax, ipd, arms, times, colours, y0=0.1, dy=0.045, fs=fs, heading="Number at risk")
    return fig


def _excel(spec, truth, ipd, arms, curves, times, fs):
    """Excel chart: horizontal gridlines, no axis lines, markers, legend below, boxed data table."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2 * spec["aspect"] + 0.9))
    colours = PALETTE_RGB["excel"]
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#D9D9D9")
    ax.grid(axis="y", color="#D9D9D9")
    ax.set_axisbelow(True)
    ax.tick_params(length=0, colors="#595959")
    step = truth["x_step"]
    ax.set_xlim(-step / 2, truth["x_range"][1] + step / 2)  # category axis: each time at its table column's centre
    ax.set_ylim(0, 1.0)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_yticklabels([f"{v:.0%}" for v in np.linspace(0, 1, 6)] if spec["percent"] else
                       [f"{v:.1f}" for v in np.linspace(0, 1, 6)])
    for k, (t, s, _c, _s) in enumerate(curves):
        ax.step(t, s, where="post", color=colours[k], lw=2.0, label=arms[k])
    ax.set_xticks(times)
    cells = [[str(n) for n in _counts(ipd, arm, times)] for arm in arms]
    table = ax.table(cellText=cells, rowLabels=arms, rowColours=colours[: len(arms)], cellLoc="center",
                     colLabels=[f"{t:g}" for t in times], loc="bottom",
                     bbox=[0, -0.02 - 0.09 * (len(arms) + 1), 1, 0.09 * (len(arms) + 1)])
    table.set_fontsize(fs)
    for (r, c), cell in table.get_celld().items():
        cell.set_edgecolor("#BFBFBF")
        if c == -1:
            cell.get_text().set_color("white")
    ax.set_xticklabels([])
    fig.subplots_adjust(left=0.25, bottom=0.35)
    ax.set_title("Survival", color="#595959")
    return fig


def _journal(spec, truth, ipd, arms, curves, times, fs, *, journal):
    fig, ax = plt.subplots(figsize=(6.0, 4.2 * spec["aspect"] + 1.2))
    colours = PALETTE_RGB[journal] if journal != "nejm" else PALETTE_RGB["nejm"]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(direction="out")
    percent = journal != "jco" or spec["percent"]
    scale = 100.0 if percent else 1.0
    ax.set_xlim(0, truth["x_range"][1])
    ax.set_xticks(times)
    ax.set_ylim(0, 100 if percent else 1.0)
    ax.set_yticks(np.linspace(0, scale, 6))
    for k, (t, s, cens, s_c) in enumerate(curves):
        ax.step(t, s * scale, where="post", color=colours[k], lw=1.6, label=arms[k])
        ax.plot(cens, s_c * scale, ls="none", marker="|", color=colours[k], ms=5)
        if spec["legend"] != "none":
            ax.text(t[-1] * 0.98, s[-1] * scale + 0.04 * scale, arms[k], color=colours[k], ha="right",
                    fontsize=fs)
    if spec["axis_titles"]:
        ax.set_ylabel("Overall Survival (%)" if percent else "Probability of Overall Survival")
        ax.set_xlabel("Months since Randomization" if journal == "nejm" else "Time (months)")
    n_rows = len(arms) * (2 if journal == "nejm" else 1) + 1
    fig.subplots_adjust(bottom=0.13 + 0.045 * n_rows + 0.05, left=0.22)
    if spec["risk_table"]:
        if journal == "nejm":
            _table_rows(fig, ax, ipd, arms, times, colours, y0=0.045 * n_rows + 0.02, dy=0.045, fs=fs,
                        heading="No. at Risk", label_style="above")
        elif journal == "lancet":
            _table_rows(fig, ax, ipd, arms, times, colours, y0=0.045 * n_rows + 0.02, dy=0.05, fs=fs,
                        heading="Number at risk", colour_numbers=bool(spec["seed"] % 2))
        else:
            def fmt(ipd_, arm, ts, j):
                return f"{_counts(ipd_, arm, ts)[j]} ({_events(ipd_, arm, ts)[j]})"
            _table_rows(fig, ax, ipd, arms, times, colours, y0=0.045 * n_rows + 0.02, dy=0.05, fs=fs * 0.85,
                        heading="No. at risk (events)", fmt=fmt)
    return fig


_LOOKS = {
    "mpl_default": _mpl_default, "lifelines": _lifelines, "plotnine": _plotnine, "sas": _sas, "stata": _stata,
    "prism": _prism, "excel": _excel,
    "nejm": lambda *a: _journal(*a, journal="nejm"), "lancet": lambda *a: _journal(*a, journal="lancet"),
    "jco": lambda *a: _journal(*a, journal="jco"),
}
