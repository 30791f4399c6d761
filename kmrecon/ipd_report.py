"""The report of an IPD summary: ``summary.json``, ``report.md``, ``km.png`` and ``fit.png``.

:func:`write_ipd_report` formats an :class:`compare.survival.ipd_summary.IPDSummary`; it computes no statistic.
Figures are drawn by :mod:`figures.fit_plot` on a bare :class:`matplotlib.figure.Figure` with the
Agg canvas (no pyplot state) and every file is written atomically through :mod:`reconstruct.io`,
refusing to replace existing files unless ``force``.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from compare.survival.ipd_summary import IPDSummary
from reconstruct.io import check_writable, write_bytes, write_json
from reconstruct.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["IPDReportFiles", "write_ipd_report", "format_ipd_summary", "render_png"]

REPORT_FORMAT_VERSION = 1
PERCENT_THRESHOLD = 1.5  # same rule as reconstruct.clean_curve: a survival maximum above 1.5 means percent

REFERENCES = (
    "Guyot P, Ades AE, Ouwens MJNM, Welton NJ. Enhanced secondary analysis of survival data: reconstructing "
    "the data from published Kaplan-Meier survival curves. BMC Med Res Methodol 2012;12:9.",
    "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc 1958;53:457-481.",
    "Brookmeyer R, Crowley J. A confidence interval for the median survival time. Biometrics 1982;38:29-41.",
    "Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.",
    "Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat Assoc 1977;72:557-565.",
    "Mantel N. Evaluation of survival data and two new rank order statistics arising in its consideration. "
    "Cancer Chemother Rep 1966;50:163-170.",
    "Royston P, Parmar MKB. Restricted mean survival time: an alternative to the hazard ratio for the design "
    "and analysis of randomized trials with a time-to-event outcome. BMC Med Res Methodol 2013;13:152.",
    "Therneau TM. A Package for Survival Analysis in R. R package survival.",
)


@dataclass(frozen=True)
class IPDReportFiles:
    """Paths written by :func:`write_ipd_report`.

    Attributes
    ----------
    summary_json, report_md, km_png : Path
    fit_png : Path or None
        Only when digitized curves were given.
    """

    summary_json: Path
    report_md: Path
    km_png: Path
    fit_png: Path | None


# --------------------------------------------------------------------------- number formatting


def _num(value: float, digits: int = 2) -> str:
    return "NE" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _with_ci(value: float, low: float, high: float, digits: int = 2, *, missing: str = "NE") -> str:
    """'v (lo-hi)'; a missing estimate or limit is written ``missing`` (e.g. NR: not reached)."""
    fmt = lambda x: missing if not math.isfinite(x) else f"{x:.{digits}f}"  # noqa: E731
    if not math.isfinite(value):
        return f"{missing} ({fmt(low)} to {fmt(high)})"
    return f"{fmt(value)} ({fmt(low)} to {fmt(high)})"


def _p(value: float) -> str:
    if not math.isfinite(value):
        return "NE"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _level(summary: IPDSummary) -> str:
    return f"{100 * summary.conf_level:g}%"


def format_ipd_summary(summary: IPDSummary) -> str:
    """Short plain-text lines for a terminal: per-arm median (CI) and each HR (CI), log-rank p.

    Parameters
    ----------
    summary : IPDSummary

    Returns
    -------
    str
        Newline-separated lines, no trailing newline.
    """
    unit, level = summary.time_unit, _level(summary)
    lines = []
    for arm in summary.arms:
        median = _median_cell(arm)
        lines.append(f"  {arm.arm}: n={arm.n}, events={arm.events}, median {median} {unit} "
                     f"({level} CI, Brookmeyer-Crowley)")
    for c in summary.contrasts:
        hr = c.hazard_ratio
        hr_text = "HR not estimable" if hr is None else (
            f"HR {_with_ci(hr.hazard_ratio, hr.conf_low, hr.conf_high)} ({level} CI, Cox Efron), p={_p(hr.p_value)}")
        lr_text = "NE" if c.logrank is None else _p(c.logrank.p_value)
        lines.append(f"  {c.arm} vs {c.reference}: {hr_text}; log-rank p={lr_text}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- figures


def render_png(draw: Callable[[Axes], Any], *, figsize: tuple[float, float] = (7.0, 5.0), dpi: int = 150) -> bytes:
    """Draw on a fresh Agg-backed Figure (no pyplot) and return the PNG bytes.

    Parameters
    ----------
    draw : callable
        Called with the new Axes; draws on it.
    figsize : (float, float), optional
        Inches.
    dpi : int, optional

    Returns
    -------
    bytes
        PNG data, tight bounding box (keeps the at-risk table below the axes).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    draw(fig.subplots())
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _curves_as_proportions(curves: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if not isinstance(curves, pd.DataFrame) or not {"arm", "time", "survival"} <= set(curves.columns):
        raise InputError(f"curves must be a DataFrame with columns arm, time, survival, got {type(curves).__name__}")
    if len(curves) and float(curves["survival"].max()) > PERCENT_THRESHOLD:
        return curves.assign(survival=curves["survival"] / 100.0), "digitized survival read as percent"
    return curves, ""


# --------------------------------------------------------------------------- markdown


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _arm_rows(summary: IPDSummary) -> list[str]:
    level = _level(summary)
    header = ["Arm", "N", "Events", "Censored", f"Last follow-up ({summary.time_unit})",
              f"Median ({level} CI)", f"RMST to {summary.tau:.2f} {summary.time_unit} ({level} CI)"]
    rows = [[a.arm, str(a.n), str(a.events), str(a.censored), _num(a.last_follow_up), _median_cell(a),
             _ne(a, "rmst") or _with_ci(a.rmst.rmst, a.rmst.conf_low, a.rmst.conf_high)] for a in summary.arms]
    return _table(header, rows)


def _ne(arm, key: str) -> str:
    """``NE (reason)`` for a statistic the figure cannot show, else ""."""
    reason = arm.not_estimable.get(key)
    return f"NE ({reason})" if reason else ""


def _median_cell(arm) -> str:
    med = arm.median
    if _ne(arm, "median"):
        return _ne(arm, "median")
    text = _with_ci(med.time, med.conf_low, med.conf_high, missing="NR")
    if "median_conf_high" in arm.not_estimable:
        text = text.rsplit(" to ", 1)[0] + f" to NE; {arm.not_estimable['median_conf_high']})"
    return text


def _landmark_rows(summary: IPDSummary) -> list[str]:
    if not summary.landmarks:
        return ["No landmark times were requested.", ""]
    header = ["Arm"] + [f"S({t:g}) ({_level(summary)} CI)" for t in summary.landmarks]
    rows = []
    for a in summary.arms:
        cells = [a.arm]
        for i in range(len(summary.landmarks)):
            marks = a.landmarks
            reason = _ne(a, f"landmark:{summary.landmarks[i]:g}")
            if reason:
                cells.append(reason)
            elif a.landmark_beyond_follow_up[i]:
                cells.append(f"NE (beyond follow-up, last {a.last_follow_up:.2f})")
            else:
                cells.append(_with_ci(marks.survival[i], marks.conf_low[i], marks.conf_high[i], 3))
        rows.append(cells)
    return _table(header, rows)


def _contrast_rows(summary: IPDSummary) -> list[str]:
    if not summary.contrasts:
        return ["Only one arm: no between-arm comparison.", ""]
    level = _level(summary)
    header = ["Comparison", f"HR ({level} CI)", "Wald p", "Log-rank chi2 (df)", "Log-rank p",
              f"RMST difference to {summary.tau:.2f} {summary.time_unit} ({level} CI)", "RMST p"]
    rows = []
    for c in summary.contrasts:
        hr, d = c.hazard_ratio, c.rmst_difference
        rows.append([
            f"{c.arm} vs {c.reference}",
            "NE" if hr is None else _with_ci(hr.hazard_ratio, hr.conf_low, hr.conf_high),
            "NE" if hr is None else _p(hr.p_value),
            "NE" if c.logrank is None else f"{c.logrank.statistic:.3f} ({c.logrank.df})",
            "NE" if c.logrank is None else _p(c.logrank.p_value),
            _with_ci(d.difference, d.conf_low, d.conf_high), _p(d.p_value),
        ])
    lines = ["HR: Cox hazard ratio (Efron ties) of the arm vs the reference arm (the reference is the denominator; "
             "HR < 1 means a lower hazard in the arm). RMST difference: arm - reference. NE: not estimable.", ""]
    lines += _table(header, rows)
    lines += [f"- {c.arm} vs {c.reference}: {c.note}" for c in summary.contrasts if c.note]
    overall = summary.logrank_all
    if overall is not None and overall.df > 1:
        lines += [f"Log-rank test across all {overall.df + 1} arms: chi2 = {overall.statistic:.3f} "
                  f"on {overall.df} df, p = {_p(overall.p_value)}.", ""]
    return lines


def _methods(summary: IPDSummary) -> list[str]:
    level, unit = _level(summary), summary.time_unit
    return [
        "## Methods",
        "",
        f"- Times are in {unit}. Kaplan-Meier estimates [2] with Greenwood variances and pointwise {level} "
        "log-log confidence intervals (R `survfit(..., conf.type = \"log-log\")`).",
        f"- Median survival with the Brookmeyer-Crowley {level} CI [3]: where the lower and upper pointwise "
        "curves cross 0.5 (R `quantile(survfit(...), probs = 0.5)`). NR: not reached.",
        "- Survival at landmark times: S(t) with the same pointwise CI (R `summary(survfit(...), times = ...)`); "
        "NE beyond an arm's last follow-up, where S(t) is not estimable.",
        f"- Restricted mean survival time (RMST) [7] to tau = {summary.tau:g} {unit} ({summary.tau_rule}), "
        "with the R `survfit` rmean standard error and a normal CI; the difference is arm minus reference "
        "with SE sqrt(se1^2 + se2^2), as survRM2.",
        f"- Hazard ratio of each arm versus {summary.reference} from a Cox model [4] with Efron's handling of "
        "tied event times [5], Wald CI and p (R `coxph(..., ties = \"efron\")`); log-rank test [6] "
        "(R `survdiff`).",
        "- Every statistic is checked against R's survival package [8] (tests/reference/summary.R).",
        "",
    ]


def _caveats(unanchored: bool, reconstructed: bool, draws: int = 0) -> list[str]:
    lines = ["## Caveats", ""]
    if reconstructed and draws:
        from compare.survival.uncertainty_report import UNCERTAINTY_CAVEAT

        lines.append(UNCERTAINTY_CAVEAT.format(draws=draws))
    elif reconstructed:
        lines.append(
            "- The patient data are **reconstructed** from a published Kaplan-Meier figure (Guyot et al. 2012 "
            "[1], refined), not the trial's data. Event and censoring times are approximations; the confidence "
            "intervals and p-values here do not include digitization or reconstruction error and are too narrow "
            "by that amount. Check the fit figure before quoting a number.")
    if unanchored:
        lines.append(
            "- The arms come from **different trials**: every comparison is **unanchored** (a comparison of "
            "non-randomized groups). Differences in populations, follow-up and endpoint definitions are not "
            "adjusted for; the hazard ratio is not a treatment effect.")
    else:
        lines.append(
            "- If the arms come from different trials, the comparisons are unanchored (non-randomized) and "
            "the hazard ratio is not a treatment effect.")
    lines.append("- Hazard ratios assume proportional hazards; the RMST difference does not.")
    return lines + [""]


def _provenance_lines(provenance: Mapping[str, Any]) -> list[str]:
    lines = ["## Data", ""]
    lines.append(f"- Produced by `{provenance.get('command', '?')}`, kmrecon {provenance.get('kmrecon_version', '?')}.")
    for role, record in dict(provenance.get("inputs", {})).items():
        lines.append(f"- Input {role}: `{record.get('path')}` (sha256 `{record.get('sha256')}`)")
    return lines + [""]


def _markdown(summary: IPDSummary, *, provenance: Mapping[str, Any], fit: bool, overlay: str | None,
              unanchored: bool, notes: list[str], data_note: str | None, banner: str | None = None,
              uncertainty_lines: list[str] | None = None, draws: int = 0, warnings: Sequence[str] = ()) -> str:
    title = "Survival summary of reconstructed individual patient data"
    lines = [f"> **{banner}**", ""] if banner else []
    lines += [f"# {title}", "",
             "> Reconstructed data: the numbers below are estimates from IPD rebuilt from a published figure. "
             "See the caveats.", ""]
    if data_note:
        lines += [f"> **{data_note}**", ""]
    if warnings:
        lines += ["## Warnings", "", "Read these before quoting a number: the figure or the reconstruction "
                  "did not fit everywhere.", ""] + [f"- {w}" for w in warnings] + [""]
    lines += _provenance_lines(provenance)
    lines += [f"## Per arm ({summary.time_unit})", ""] + _arm_rows(summary)
    lines += [f"## Survival at landmark times ({summary.time_unit})", ""] + _landmark_rows(summary)
    lines += [f"## Between arms (reference: {summary.reference})", ""] + _contrast_rows(summary)
    lines += uncertainty_lines or []
    lines += ["## Figures", "", "Reconstructed Kaplan-Meier curves with number at risk:", "",
              "![Reconstructed KM](km.png)", ""]
    if fit:
        lines += ["Digitized curve points over the reconstructed curves:", "",
                  "![Digitized vs reconstructed](fit.png)", ""]
    if overlay is not None:
        lines += [f"Digitization overlay on the input figure: [{overlay}]({overlay})", ""]
    lines += [f"- Note: {note}." for note in notes] + ([""] if notes else [])
    lines += _methods(summary) + _caveats(unanchored, reconstructed=True, draws=draws)
    lines += ["## References", ""] + [f"{i}. {ref}" for i, ref in enumerate(REFERENCES, start=1)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- writer


def _check_ipd_matches(summary: IPDSummary, ipd: pd.DataFrame) -> None:
    if not isinstance(ipd, pd.DataFrame) or not {"arm", "time", "event"} <= set(ipd.columns):
        raise InputError(f"ipd must be a DataFrame with columns arm, time, event, got {type(ipd).__name__}")
    counts = ipd.assign(arm=ipd["arm"].astype(str).str.strip()).groupby("arm")["event"].agg(["size", "sum"])
    given = {str(a): (int(r["size"]), int(r["sum"])) for a, r in counts.iterrows()}
    expected = {a.arm: (a.n, a.events) for a in summary.arms}
    if given != expected:
        raise InputError(f"ipd must be the data the summary was computed from: expected (n, events) per arm "
                         f"{expected!r}, got {given!r}")


def _annotated(summary: IPDSummary, uncertainty: Any) -> dict[str, Any]:
    from compare.survival.uncertainty import annotate_summary_dict

    return annotate_summary_dict(summary.to_dict(), uncertainty)


def write_ipd_report(
    summary: IPDSummary,
    outdir: str | os.PathLike[str],
    *,
    ipd: pd.DataFrame,
    curves: pd.DataFrame | None = None,
    overlay_png: str | os.PathLike[str] | None = None,
    provenance: Mapping[str, Any],
    unanchored: bool = False,
    data_note: str | None = None,
    status: str = "ok",
    banner: str | None = None,
    force: bool = False,
    uncertainty: Any = None,
    uncertainty_note: str = "",
    warnings: Sequence[str] = (),
    table_notes: Sequence[str] = (),
) -> IPDReportFiles:
    """Write ``summary.json``, ``report.md``, ``km.png`` and (with ``curves``) ``fit.png`` into ``outdir``.

    Parameters
    ----------
    summary : IPDSummary
        From :func:`compare.survival.ipd_summary.summarize_ipd`.
    outdir : path-like
        Output folder, created when missing.
    ipd : DataFrame
        The IPD (arm, time, event) the summary came from; checked against it (n and events per arm).
    curves : DataFrame, optional
        Digitized points (arm, time, survival as proportion or percent); adds ``fit.png``.
    overlay_png : path-like, optional
        An existing digitization overlay image; linked (relative path) from ``report.md``.
    provenance : mapping
        From :func:`reconstruct.io.provenance`; stored in ``summary.json`` and listed in the report.
    unanchored : bool, optional
        The arms come from different trials: the report says every comparison is unanchored.
    data_note : str, optional
        A line shown in bold at the top of the report and stored in ``summary.json`` (e.g. that the
        data are simulated).
    status : {"ok", "misfit"}, optional
        Quality status of the reconstruction, stored in ``summary.json``.
    banner : str, optional
        A warning shown first in the report, above the title (e.g. that the reconstruction misfits).
    force : bool, optional
        Replace existing files; otherwise nothing is written if any output exists.
    uncertainty : SummaryUncertainty, optional
        Reconstruction and total intervals (:func:`compare.survival.uncertainty.summary_uncertainty`): added
        beside each CI in ``summary.json`` and as a report section.
    uncertainty_note : str, optional
        Why there are no such intervals (shown in the report when ``uncertainty`` is None and a note is given).
    warnings : sequence of str, optional
        Problems found on the way (e.g. the run's digitizer and reconstruction warnings): a "Warnings"
        section near the top of the report and ``warnings`` in ``summary.json``.
    table_notes : sequence of str, optional
        At-risk cells that were set aside, missing or filled in, one note each (report and ``summary.json``;
        a note also in ``warnings`` is shown once, under Warnings).

    Returns
    -------
    IPDReportFiles

    Raises
    ------
    OutputExistsError
        If an output exists and ``force`` is false (checked before anything is written).
    InputError
        If ``ipd`` does not match the summary, ``curves`` lack columns or arms, or ``overlay_png``
        does not exist.
    """
    out = Path(outdir)
    if not isinstance(summary, IPDSummary):
        raise InputError(f"summary must be an IPDSummary, got {type(summary).__name__}")
    _check_ipd_matches(summary, ipd)
    notes: list[str] = []
    if curves is not None:
        curves, note = _curves_as_proportions(curves)
        notes += [note] if note else []
    notes += [str(n).rstrip(".") for n in table_notes if n not in warnings]  # else listed under Warnings
    overlay: str | None = None
    if overlay_png is not None:
        if not Path(overlay_png).is_file():
            raise InputError("overlay_png must be an existing image file, got no such file",
                             source=os.fspath(overlay_png))
        overlay = Path(os.path.relpath(Path(overlay_png).resolve(), out.resolve())).as_posix()
    files = IPDReportFiles(summary_json=out / "summary.json", report_md=out / "report.md", km_png=out / "km.png",
                           fit_png=None if curves is None else out / "fit.png")
    targets = [files.summary_json, files.report_md, files.km_png] + ([files.fit_png] if files.fit_png else [])
    for path in targets:
        check_writable(path, force=force)

    from figures.fit_plot import plot_digitized_vs_reconstructed, plot_reconstructed_km

    km_png = render_png(lambda ax: plot_reconstructed_km(summary, ax=ax))
    fit_png = None if curves is None else render_png(lambda ax: plot_digitized_vs_reconstructed(curves, summary, ax=ax))
    record = {
        "format": "kmrecon-ipd-summary",
        "format_version": REPORT_FORMAT_VERSION,
        "data": "reconstructed individual patient data",
        "status": status,
        "banner": banner,
        "unanchored": bool(unanchored),
        "data_note": data_note,
        "provenance": dict(provenance),
        "summary": summary.to_dict() if uncertainty is None else _annotated(summary, uncertainty),
        "files": {"report": "report.md", "km": "km.png", "fit": None if fit_png is None else "fit.png",
                  "overlay": overlay},
        "notes": notes,
        "warnings": [str(w) for w in warnings],
    }
    section = None
    if uncertainty is not None or uncertainty_note:
        from compare.survival.uncertainty_report import uncertainty_section

        section = uncertainty_section(summary, uncertainty, uncertainty_note)
        record["uncertainty_note"] = uncertainty_note
    write_json(files.summary_json, record, force=force)
    write_bytes(files.km_png, km_png, force=force)
    if fit_png is not None and files.fit_png is not None:
        write_bytes(files.fit_png, fit_png, force=force)
    text = _markdown(summary, provenance=provenance, fit=fit_png is not None, overlay=overlay,
                     unanchored=unanchored, notes=notes, data_note=data_note, banner=banner,
                     uncertainty_lines=section, draws=0 if uncertainty is None else uncertainty.n_draws,
                     warnings=[str(w) for w in warnings])
    write_bytes(files.report_md, text.encode("utf-8"), force=force)
    return files

