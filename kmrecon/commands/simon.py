"""``kmrecon simon``: Simon two-stage designs (optimal and minimax), or the characteristics of one design."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from compare.audit.simon import TwoStageDesign, evaluate_simon_design, parse_simon_design, simon_designs
from kmrecon.commands.common import library_errors
from reconstruct.io import provenance, write_json

#: Largest --nmax accepted: the exhaustive search takes about 20 s at 300 and grows as nmax^3 (hours near 1000).
NMAX_LIMIT = 300

_HEADER = f"{'design':<9} {'r1/n1':>7} {'r/n':>7} {'alpha':>8} {'power':>8} {'EN(p0)':>8} {'PET(p0)':>8}"


def format_design(name: str, design: TwoStageDesign) -> str:
    """One table row for a design."""
    return (f"{name:<9} {f'{design.r1}/{design.n1}':>7} {f'{design.r}/{design.n}':>7} {design.alpha:>8.4f} "
            f"{design.power:>8.4f} {design.expected_n_p0:>8.2f} {design.pet_p0:>8.4f}")


@click.command("simon")
@click.option("--p0", type=float, required=True, help="Uninteresting response rate (proportion).")
@click.option("--p1", type=float, required=True, help="Target response rate (proportion).")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="One-sided type I error bound.")
@click.option("--power", type=float, default=0.8, show_default=True, help="Power bound (1 - beta).")
@click.option("--nmax", type=click.IntRange(2, NMAX_LIMIT), default=100, show_default=True,
              help=f"Largest total sample size searched, at most {NMAX_LIMIT} (the search time grows as nmax^3: "
                   "about 1 s at 150, 20 s at 300).")
@click.option("--design", "design_text", default=None, metavar="R1/N1,R/N",
              help="Evaluate this design instead of searching (e.g. 1/10,5/29).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the result as JSON with provenance.")
@click.option("--force", is_flag=True, help="Overwrite an existing --json file.")
def command(p0, p1, alpha, power, nmax, design_text, json_out, force) -> None:
    """Simon's optimal and minimax two-stage designs by exact binomial search (Simon 1989)."""
    params = {"p0": p0, "p1": p1, "alpha": alpha, "power": power, "nmax": nmax, "design": design_text}
    with library_errors():
        if design_text is not None:
            design = evaluate_simon_design(*parse_simon_design(design_text), p0=p0, p1=p1)
            rows = {"design": design}
            record = {"design": dataclasses.asdict(design),
                      "meets_bounds": bool(design.alpha <= alpha and design.power >= power)}
        else:
            search = simon_designs(p0, p1, alpha=alpha, power=power, nmax=nmax)
            rows = {"optimal": search.optimal, "minimax": search.minimax}
            record = {"optimal": dataclasses.asdict(search.optimal), "minimax": dataclasses.asdict(search.minimax)}
        if json_out is not None:
            record["provenance"] = provenance(inputs={}, parameters=params, command="kmrecon simon")
            write_json(json_out, record, force=force)
    click.echo(f"Simon two-stage design: p0 = {p0:g}, p1 = {p1:g}, alpha <= {alpha:g}, power >= {power:g}")
    click.echo("stop after stage 1 if responses <= r1 of n1; promising if responses > r of n")
    click.echo(_HEADER)
    for name, design in rows.items():
        click.echo(format_design(name, design))
    if design_text is None and max(d.n for d in rows.values()) > nmax - 10:
        click.echo(f"note: a design's n is within 10 of --nmax {nmax}; a larger --nmax may find a better one")
    if design_text is not None:
        ok = record["meets_bounds"]
        click.echo(f"bounds alpha <= {alpha:g} and power >= {power:g}: {'met' if ok else 'NOT met'}")
    if json_out is not None:
        click.echo(f"wrote {json_out}")
