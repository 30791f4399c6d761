"""``kmrecon compare``: registry (+ IPD) -> comparison tables (CSV, Markdown), forest plots, KM figures, JSON."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import click

from kmrecon.commands.common import library_errors
from reconstruct.io import check_writable, provenance, write_bytes, write_csv, write_json
from reconstruct.errors import InputError, KmreconWarning

ENDPOINT_CHOICES = ("orr", "dcr", "pfs", "os")


def parse_ipd_options(values: tuple[str, ...], source: str = "--ipd") -> dict[tuple[str, str, str], str]:
    """Parse repeated ``TRIAL:ARM[:ENDPOINT]=path.csv[#ARM]`` (endpoint default ``os``) of option ``source``.

    Raises
    ------
    InputError
        For an item without ``=`` or without ``TRIAL:ARM``.
    """
    parsed: dict[tuple[str, str, str], str] = {}
    for item in values:
        key, sep, path = item.partition("=")
        parts = key.strip().split(":")
        if not sep or not path.strip() or len(parts) not in (2, 3) or not all(parts):
            name = "ipd.csv" if source == "--ipd" else "draws.csv"
            raise InputError(f"expected TRIAL:ARM[:ENDPOINT]={name}, got {item!r}", source=source)
        endpoint = parts[2] if len(parts) == 3 else "os"
        if endpoint not in ("os", "pfs"):
            raise InputError(f"expected endpoint os or pfs, got {endpoint!r} in {item!r}", source=source)
        parsed[(parts[0], parts[1], endpoint)] = path.strip()
    return parsed


IPD_CONVENTION = (
    "IPD contrasts (`ipd_*_contrasts`): `hr_arm_vs_ref` is the Cox hazard ratio (Efron ties) of the arm vs the "
    "reference arm (the reference is the denominator; HR < 1 means a lower hazard in the arm), "
    "`rmst_arm_minus_ref` is RMST(arm) - RMST(reference), as in `kmrecon summarize`. An empty HR or log-rank "
    "means not estimable; the `note` column says why."
)


def _kmrecon_warnings_only(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    """Keep kmrecon's own warnings (recorded in comparison.json); re-issue the others (numpy, statsmodels)."""
    kept = []
    for item in caught:
        if issubclass(item.category, KmreconWarning):
            kept.append(item)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return kept


def _forest_rows(n_rows: int) -> tuple[float, float]:
    return 9.0, 1.4 + 0.4 * n_rows


def _figures(report) -> dict[str, bytes]:
    from matplotlib.figure import Figure

    from compare.indirect.comparability import UNLIKE_KINDS
    from figures.forest import plot_hazard_ratio_forest, plot_proportion_forest

    out: dict[str, bytes] = {}

    def save(fig) -> bytes:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
        return buffer.getvalue()

    for rep in report.binary:
        if rep.estimates:
            pooled = set(rep.meta.labels) if rep.meta is not None else set()
            labels = [f"{'* ' if s.key in pooled else ''}{s.key} ({s.criterion})" for s in rep.selections]
            flags = [";".join(k for k in f.split(";") if k in UNLIKE_KINDS) for f in rep.flags]
            fig = Figure(figsize=_forest_rows(len(rep.estimates) + 2))
            plot_proportion_forest(rep.estimates, pooled=rep.meta, ax=fig.subplots(), labels=labels, flags=flags,
                                   title=f"{rep.endpoint.upper()}: Clopper-Pearson 95% CI; * pooled; "
                                         "[unlike vs reference]")
            out[f"forest_{rep.endpoint}.png"] = save(fig)
    for rep in report.hazard_ratios:
        rows = list(rep.published) + list(rep.indirect)
        if rows:
            fig = Figure(figsize=_forest_rows(len(rows)))
            flags = [";".join(k for k in f.split(";") if k in UNLIKE_KINDS)
                     for f in list(rep.published_flags) + list(rep.indirect_flags)]
            plot_hazard_ratio_forest(rows, ax=fig.subplots(), flags=flags,
                                     title=f"{rep.endpoint.upper()} hazard ratios (published; Bucher indirect)")
            out[f"forest_hr_{rep.endpoint}.png"] = save(fig)
    if report.survival:
        from figures.km_plot import add_risk_table, plot_km

        for rep in report.survival:
            fig = Figure(figsize=(8.0, 5.5))
            ax = fig.subplots()
            for key, km in rep.kms.items():
                plot_km(km, ax=ax, label=key)
            ax.legend(loc="upper right", fontsize="small")
            ax.set_xlabel(f"Time ({report.parameters.get('time_unit', 'months')})")
            ticks = [t for t in ax.get_xticks() if 0 <= t <= ax.get_xlim()[1]]
            add_risk_table(ax, dict(rep.kms), ticks)
            out[f"km_{rep.endpoint}.png"] = save(fig)
            if rep.pooled_naive is not None:
                fig = Figure(figsize=(8.0, 5.0))
                ax = fig.subplots()
                plot_km(rep.pooled_naive.curve, ax=ax, label="pooled (naive)")
                plot_km(rep.pooled_stratified.curve, ax=ax, label="pooled (stratified by trial)")
                ax.legend(loc="upper right", fontsize="small")
                out[f"km_{rep.endpoint}_pooled.png"] = save(fig)
    return out


def _tables(report) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for rep in report.binary:
        tables[f"{rep.endpoint}_arms"] = rep.table
        if not rep.meta_table.empty:
            tables[f"{rep.endpoint}_meta"] = rep.meta_table
    for rep in report.hazard_ratios:
        if not rep.table.empty:
            tables[f"hr_{rep.endpoint}"] = rep.table
    for rep in report.survival:
        tables[f"ipd_{rep.endpoint}_arms"] = rep.table
        if not rep.contrast_table.empty:
            tables[f"ipd_{rep.endpoint}_contrasts"] = rep.contrast_table
        if not rep.indirect_table.empty:
            tables[f"ipd_{rep.endpoint}_indirect"] = rep.indirect_table
    return tables


def _summary(report) -> dict[str, Any]:
    return {
        "binary": {r.endpoint: {"meta": None if r.meta is None else r.meta.to_dict(),
                                "pool_comparability": None if r.pool_check is None else r.pool_check.flag}
                   for r in report.binary},
        "indirect": {r.endpoint: [c.to_dict() for c in r.indirect] for r in report.hazard_ratios},
        "indirect_from_ipd": {r.endpoint: [c.to_dict() for c in r.indirect] for r in report.survival},
        "unlike_contrasts": [c.label for c in report.comparabilities if c.unlike],
    }


@click.command("compare")
@click.argument("registry", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for tables, figures and comparison.json.")
@click.option("--endpoint", "endpoints", multiple=True, type=click.Choice(ENDPOINT_CHOICES),
              help="Endpoint to compare (repeatable; default all).")
@click.option("--reference", default=None, metavar="TRIAL:ARM", help="Arm every other arm is contrasted with.")
@click.option("--arm", "arms", multiple=True, metavar="TRIAL:ARM", help="Arm to include (repeatable; default all).")
@click.option("--pool", multiple=True, metavar="TRIAL:ARM",
              help="Arm pooled by the meta-analysis (repeatable). Default: the arms sharing the reference's "
                   "treatment_class in the registry; nothing otherwise.")
@click.option("--pool-class", default=None, metavar="CLASS",
              help="Pool the arms of this registry treatment_class (e.g. haic) instead of naming them.")
@click.option("--ipd", "ipd_options", multiple=True, metavar="TRIAL:ARM[:ENDPOINT]=CSV[#ARM]",
              help="IPD CSV (arm,time,event) of an arm; endpoint os (default) or pfs (repeatable).")
@click.option("--ipd-draws", "ipd_draws", multiple=True, metavar="TRIAL:ARM[:ENDPOINT]=CSV[#ARM]",
              help="Draws CSV (draw,arm,time,event) of an --ipd arm, for reconstruction and total intervals "
                   "(repeatable). Default: the draws the IPD's sidecar names (kmrecon reconstruct/run), or "
                   "IPD_draws.csv beside it.")
@click.option("--no-draws", is_flag=True, help="Ignore reconstruction draws: classical CIs only.")
@click.option("--criterion", type=click.Choice(["mRECIST", "RECIST 1.1", "RECIST 1.0"]), default="mRECIST",
              show_default=True, help="Preferred response criterion; other criteria are flagged.")
@click.option("--measure", type=click.Choice(["PLO", "PFT"]), default="PLO", show_default=True,
              help="Scale of the pooled estimate in the forest plot (logit or Freeman-Tukey).")
@click.option("--method", type=click.Choice(["REML", "DL"]), default="REML", show_default=True,
              help="tau2 estimator of the pooled estimate in the forest plot.")
@click.option("--bclc-threshold", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="Largest tolerated difference in BCLC C share (proportion).")
@click.option("--pvtt-threshold", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="Largest tolerated difference in portal vein invasion share (proportion).")
@click.option("--refuse-unlike", is_flag=True, help="Fail instead of flagging unlike contrasts.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
def command(registry, outdir, endpoints, reference, arms, pool, pool_class, ipd_options, ipd_draws, no_draws, criterion,
            measure, method, bclc_threshold, pvtt_threshold, refuse_unlike, force) -> None:
    """Compare the trials of REGISTRY (YAML): tables, forest plots, and KM curves from IPD.

    For IPD reconstructed by kmrecon, the draws of plausible IPD sets written beside it give every IPD
    statistic a reconstruction and a total interval beside its classical CI (ipd_ENDPOINT_uncertainty.csv,
    comparison.md); arms without draws say so.
    """
    from compare.indirect.comparability import PopulationThresholds
    from compare.registry.loader import load_registry
    from compare.indirect.comparison import build_comparison, frame_to_markdown
    from kmrecon.compare_draws import collect_draws, survival_uncertainties
    from kmrecon.comparison_report import comparison_markdown, uncertainty_lines, write_comparison_html

    with library_errors():
        reg = load_registry(registry)
        specs = {(t.id, a.id, e): path for t, a in reg.iter_arms() for e, path in a.ipd.items()}
        specs.update(parse_ipd_options(ipd_options))
        ipd = {}
        if specs:
            from compare.indirect.survival_comparison import load_ipd_spec

            for (trial_id, arm_id, endpoint), spec in specs.items():
                reg.arm(trial_id, arm_id)
                ipd[(trial_id, arm_id, endpoint)] = load_ipd_spec(spec)
        draws, draw_notes, draw_files = collect_draws(specs, ipd, parse_ipd_options(ipd_draws, "--ipd-draws"),
                                                      enabled=not no_draws)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", KmreconWarning)
            report = build_comparison(
                reg, endpoints=endpoints or ENDPOINT_CHOICES, reference=reference, arms=arms or None,
                pool=pool or None, pool_class=pool_class, criterion=criterion, measure=measure, method=method,
                thresholds=PopulationThresholds(bclc_c=bclc_threshold, pvtt=pvtt_threshold),
                on_mismatch="refuse" if refuse_unlike else "flag", ipd=ipd or None,
            )
        caught = _kmrecon_warnings_only(caught)
        uncertainties = survival_uncertainties(report, ipd, draws, draw_notes)
        tables = _tables(report)
        tables.update({f"ipd_{u.endpoint}_uncertainty": u.table for u in uncertainties if not u.table.empty})
        figures = _figures(report)
        outputs = [outdir / f"{name}.{ext}" for name in tables for ext in ("csv", "md")]
        outputs += [outdir / name for name in figures] + [outdir / "comparison.md", outdir / "report.html",
                                                          outdir / "comparison.json"]
        for path in outputs:
            check_writable(path, force=force)
        for name, frame in tables.items():
            write_csv(outdir / f"{name}.csv", frame, force=force)
            write_bytes(outdir / f"{name}.md", frame_to_markdown(frame).encode("utf-8"), force=force)
        for name, data in figures.items():
            write_bytes(outdir / name, data, force=force)
        markdown = comparison_markdown(report, registry.name, tables, figures, [str(w.message) for w in caught],
                                       IPD_CONVENTION if report.survival else "", uncertainties=uncertainties)
        write_bytes(outdir / "comparison.md", markdown.encode("utf-8"), force=force)
        inputs: dict[str, Any] = {"registry": registry}
        inputs.update({f"ipd {t}:{a}:{e}": spec.partition("#")[0] for (t, a, e), spec in specs.items()})
        inputs.update({f"draws {t}:{a}:{e}": path for (t, a, e), path in draw_files.items()})
        record = provenance(inputs=inputs, parameters=dict(report.parameters), command="kmrecon compare")
        record["outputs"] = [p.name for p in outputs[:-1]]
        record["results"] = _summary(report)
        record["results"]["uncertainty_from_ipd"] = {u.endpoint: u.to_dict() for u in uncertainties}
        record["warnings"] = [str(w.message) for w in caught]
        write_comparison_html(outdir / "report.html", markdown, record, folder=outdir, force=force)
        write_json(outdir / "comparison.json", record, force=force)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    for line in uncertainty_lines(uncertainties):
        click.echo(line)
    click.echo(f"wrote {len(outputs)} files to {outdir}")
