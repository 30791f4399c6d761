"""Audit check of a stated Simon two-stage design against the design its parameters imply."""

from __future__ import annotations

from functools import lru_cache

from compare.audit.types import AuditFinding, AuditOptions
from compare.registry.loader import Trial
from compare.audit.simon import TwoStageDesign, evaluate_simon_design, simon_designs
from reconstruct.errors import InputError

__all__ = ["check_simon_design"]


_FIELDS = ("p0", "p1", "alpha", "power", "r1", "n1", "r", "n")
#: Largest total sample size searched for the implied design (the search grows as nmax^3: about 1 s at 150,
#: 20 s at 300). A stated design with a larger n is still evaluated exactly; only the search is skipped.
SIMON_AUDIT_NMAX = 150


@lru_cache(maxsize=64)
def _search(p0: float, p1: float, alpha: float, power: float, nmax: int):
    """Cached :func:`simon_designs` (pure, and a search takes up to a second)."""
    return simon_designs(p0, p1, alpha=alpha, power=power, nmax=nmax)


def _which(description: str) -> tuple[str, ...]:
    text = description.lower()
    if "minimax" in text:
        return ("minimax",)
    if "optimal" in text:
        return ("optimal",)
    return ("optimal", "minimax")


def _decision(design: TwoStageDesign, responders: int) -> str:
    return "stop" if responders <= design.r1 else "continue"


def check_simon_design(trial: Trial, options: AuditOptions) -> list[AuditFinding]:
    """Stated decision rules against the Simon design implied by the stated p0, p1, alpha and power.

    The implied design is the optimal one when the design description says "optimal", the
    minimax one when it says "minimax", else either. Findings:

    * ``simon-design-mismatch``: error when the stated rules miss the stated alpha or power,
      warning when they meet them but are not the implied design (e.g. an off-by-one stage-1 rule,
      "more than 12" where the design says "12 or more");
    * ``simon-stage1-decision``: error when the arm's observed stage-1 responses (the primary ORR
      with ``n == n1``) lead to different decisions under the stated and implied rules, note otherwise
      (given only when the rules differ);
    * ``simon-incomplete`` (note): rules or parameters missing, so the design cannot be checked;
    * ``simon-search-capped`` (note): the stated ``n`` exceeds :data:`SIMON_AUDIT_NMAX` (150), so the
      implied design is not searched (the search time grows as nmax^3); the stated rules are still
      evaluated exactly and an error is given when they miss the stated alpha or power.

    The implied design is searched up to ``n <= min(max(100, 2 * n), SIMON_AUDIT_NMAX)``.
    """
    simon = trial.design.simon
    if simon is None:
        return []
    params = (simon.p0, simon.p1, simon.alpha, simon.power)
    rules = (simon.r1, simon.n1, simon.r, simon.n)
    if None in params or None in rules:
        return [AuditFinding(
            "simon-incomplete", "note", trial.id, "", "Simon design",
            "stated Simon design lacks "
            + ", ".join(k for k, v in zip(_FIELDS, params + rules, strict=True) if v is None)
            + "; not checked", {"p0": simon.p0, "p1": simon.p1, "alpha": simon.alpha, "power": simon.power,
                                "r1": simon.r1, "n1": simon.n1, "r": simon.r, "n": simon.n})]
    try:
        stated = evaluate_simon_design(simon.r1, simon.n1, simon.r, simon.n, p0=simon.p0, p1=simon.p1)
        if simon.n > SIMON_AUDIT_NMAX:
            return _capped(trial, simon, stated)
        search = _search(simon.p0, simon.p1, simon.alpha, simon.power, min(max(100, 2 * simon.n), SIMON_AUDIT_NMAX))
    except InputError as exc:
        return [AuditFinding("simon-incomplete", "note", trial.id, "", "Simon design",
                             f"stated Simon design could not be checked: {exc}", {})]
    kinds = _which(trial.design.description)
    implied = {k: getattr(search, k) for k in kinds}
    rules_t = (stated.r1, stated.n1, stated.r, stated.n)
    if any(rules_t == (d.r1, d.n1, d.r, d.n) for d in implied.values()):
        return []
    feasible = stated.alpha <= simon.alpha and stated.power >= simon.power
    implied_text = "; ".join(f"{k} {d.label()} (alpha {d.alpha:.4f}, power {d.power:.4f}, EN(p0) "
                             f"{d.expected_n_p0:.1f}, PET(p0) {d.pet_p0:.2f})" for k, d in implied.items())
    hint = ""
    first = next(iter(implied.values()))
    if stated.n1 == first.n1 and stated.r1 == first.r1 + 1:
        hint = (f" The stage-1 rule looks off by one: the design stops with {first.r1} or fewer responses "
                f"(continues with {first.r1 + 1} or more), the paper continues only with more than {stated.r1}.")
    numbers = {
        "p0": simon.p0, "p1": simon.p1, "alpha": simon.alpha, "power": simon.power,
        "stated": {"r1": stated.r1, "n1": stated.n1, "r": stated.r, "n": stated.n, "alpha": stated.alpha,
                   "power": stated.power, "expected_n_p0": stated.expected_n_p0, "pet_p0": stated.pet_p0},
        **{k: {"r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n, "alpha": d.alpha, "power": d.power,
               "expected_n_p0": d.expected_n_p0, "pet_p0": d.pet_p0} for k, d in implied.items()},
    }
    findings = [AuditFinding(
        "simon-design-mismatch", "warning" if feasible else "error", trial.id, "", "Simon design",
        f"stated rules {stated.label()} (stop if <= {stated.r1}/{stated.n1}; promising if > {stated.r}/{stated.n}) "
        f"give alpha {stated.alpha:.4f} and power {stated.power:.4f} for p0 = {simon.p0:g}, p1 = {simon.p1:g} "
        + ("(both bounds met)" if feasible else f"(bounds alpha <= {simon.alpha:g}, power >= {simon.power:g} not met)")
        + f"; the stated parameters imply {implied_text}.{hint}",
        numbers,
    )]
    findings += _stage1_decision(trial, stated, implied)
    return findings


def _capped(trial: Trial, simon, stated: TwoStageDesign) -> list[AuditFinding]:
    """A stated n beyond the search cap: check the stated rules against the bounds only, note the skipped search."""
    feasible = stated.alpha <= simon.alpha and stated.power >= simon.power
    numbers = {"p0": simon.p0, "p1": simon.p1, "alpha": simon.alpha, "power": simon.power,
               "search_nmax": SIMON_AUDIT_NMAX,
               "stated": {"r1": stated.r1, "n1": stated.n1, "r": stated.r, "n": stated.n, "alpha": stated.alpha,
                          "power": stated.power, "expected_n_p0": stated.expected_n_p0, "pet_p0": stated.pet_p0}}
    findings = [AuditFinding(
        "simon-search-capped", "note", trial.id, "", "Simon design",
        f"stated n = {stated.n} exceeds the search limit n <= {SIMON_AUDIT_NMAX}: the implied optimal/minimax design "
        f"was not searched (run `kmrecon simon --nmax` to search further); the stated rules {stated.label()} give "
        f"alpha {stated.alpha:.4f} and power {stated.power:.4f}",
        numbers,
    )]
    if not feasible:
        findings.append(AuditFinding(
            "simon-design-mismatch", "error", trial.id, "", "Simon design",
            f"stated rules {stated.label()} (stop if <= {stated.r1}/{stated.n1}; promising if > {stated.r}/{stated.n}) "
            f"give alpha {stated.alpha:.4f} and power {stated.power:.4f} for p0 = {simon.p0:g}, p1 = {simon.p1:g} "
            f"(bounds alpha <= {simon.alpha:g}, power >= {simon.power:g} not met)",
            numbers,
        ))
    return findings


def _stage1_decision(trial: Trial, stated: TwoStageDesign, implied: dict[str, TwoStageDesign]) -> list[AuditFinding]:
    criterion = trial.design.methods.get("response_assessment")
    for arm in trial.arms:
        for r in arm.binary:
            if (r.endpoint != "orr" or r.subgroup is not None or r.x is None or r.n != stated.n1
                    or (criterion is not None and r.criterion != criterion)):
                continue
            decisions = {"stated": _decision(stated, r.x), **{k: _decision(d, r.x) for k, d in implied.items()}}
            same = len(set(decisions.values())) == 1
            return [AuditFinding(
                "simon-stage1-decision", "note" if same else "error", trial.id, arm.id, f"orr ({r.criterion})",
                f"observed {r.x}/{r.n} in stage 1: "
                + ", ".join(f"{k} rule -> {v}" for k, v in decisions.items())
                + (" (the conclusion does not depend on the rule)" if same
                   else " (the conclusion depends on the rule)"),
                {"responders": r.x, "n1": r.n, "decisions": decisions},
            )]
    return []
