"""Trial registry: published results of trials, per arm, with the source and flag of every value.

The registry is a YAML file read with :func:`yaml.safe_load` and validated once, on load, by
:func:`load_registry`. Every problem is reported in one line naming the file, the trial/arm and
the field, "expected X, got Y", and unknown keys are rejected with a hint (closest known key).
The result is a tree of frozen dataclasses (:class:`Registry` > :class:`Trial` > :class:`Arm` >
records). This format is also the input of ``kmrecon audit``; it is versioned and stable.

Format (``registry_version: 1``)
--------------------------------
::

    registry_version: 1              # required, int; this module reads version 1
    time_unit: months                # required: days | weeks | months | years (medians, landmarks, follow-up)
    sources:                         # required: source key -> citation or URL (str)
      SEED: "Shen L et al. BMC Med 2025 ..."
    trials:                          # required, non-empty list
      - id: double_ia_001            # required, [a-z0-9_]+, unique in the file
        citation: "..."              # required str
        design:                      # required mapping
          description: "single-arm phase II, Simon two-stage"   # required str
          randomized: false          # required bool
          phase: "II"                # optional str
          simon:                     # optional; the Simon two-stage design the paper states
            p0: 0.4                  #   null allowed for any of these when not stated
            p1: 0.6
            alpha: 0.05
            power: 0.9
            r1: 7                    #   stage-1 rule: stop if responses <= r1 of n1
            n1: 17
            r: 30                    #   reject H0 if responses > r of n
            n: 62
            src: SEED                #   provenance, as for every record (below)
            flag: confirmed
          methods:                   # optional: the methods the paper says it used (str each)
            proportion_ci: clopper-pearson   # keys: proportion_ci, median_ci, survival_ci, hr_model,
            median_ci: brookmeyer-crowley    #       survival_estimator, response_assessment
        note: "..."                  # optional str (any mapping below may also carry `note`)
        arms:                        # required, non-empty list
          - id: triple               # required, [a-z0-9_]+, unique in the trial
            label: "IA camrelizumab + HAIC-FOLFOX + sorafenib"   # required str
            treatment_class: haic    # optional, [a-z0-9_]+: arms sharing a class may be pooled by default
            n: {value: 25, src: SEED, flag: confirmed}           # required; value int >= 1 or null (flag nf)
            ipd:                     # optional; endpoint -> IPD CSV (arm,time,event), relative to the file;
              os: ipd/triple_os.csv  #   "path.csv#ARM" picks rows of that arm, else the file must hold one arm
            population:              # optional; descriptor -> share record
              bclc_c:      {pct: 100, src: SEED, flag: confirmed}
              pvtt:        {x: 18, n: 25, pct: 72.0, src: SEED, flag: confirmed}
              # descriptors: bclc_a, bclc_b, bclc_c, pvtt (portal vein invasion/thrombus),
              # hepatic_vein_invasion, ivc_invasion, extrahepatic_spread, child_pugh_b, high_risk, asian
              # a share record has pct (percent, as printed) and/or x and n (counts)
            binary:                  # optional list: response-type endpoints as counts x/n
              - endpoint: orr        # orr | dcr | cr | pr | sd | pd | conversion
                criterion: mRECIST   # mRECIST | RECIST 1.1 | RECIST 1.0 | unknown (required)
                x: 11                # count; null when only pct is published
                n: 25                # denominator; null when unknown
                pct: 44.0            # optional, percent as printed
                ci_pct: [24.6, 63.5] # optional, percent as printed
                ci_method: clopper-pearson   # optional, as stated for this value
                subgroup: high_risk  # optional; absent = all patients of the arm
                analysis: primary    # optional data cut label; default "primary"
                src: SEED
                flag: confirmed
            medians:                 # optional list: median times
              - endpoint: pfs        # os | pfs | ttp | ttr | dor | liver_pfs | followup
                criterion: mRECIST   # optional (as for binary); for pfs/ttp/ttr/dor
                value: 4.87          # number in time_unit; null with note when not reached ("NE"/"NR" read as null)
                ci: [2.07, 7.66]     # optional; a bound may be null / "NE" (not estimable)
                ci_method: brookmeyer-crowley   # optional
                analysis: primary
                src: SEED
                flag: confirmed
            landmarks:               # optional list: survival / event-free rates at a time
              - endpoint: os
                time: 12             # in time_unit
                pct: 40.3            # percent, as printed
                ci_pct: [25.0, 55.0] # optional
                criterion: ...       # optional, as for medians
                analysis: primary
                src: SEED
                flag: confirmed
            hazard_ratios:           # optional list: HR of this arm against a named comparator arm
              - endpoint: os
                comparator: sorafenib   # arm id in the same trial (required)
                value: 0.35
                ci: [0.26, 0.48]        # optional, 95 %
                p: "<0.001"             # optional str, as printed
                analysis: primary
                criterion: ...          # optional
                src: HE-ILCA
                flag: confirmed

Provenance (every record above, including ``n``, population shares and ``simon``):

* ``src``: a key of ``sources`` or a list of keys (required);
* ``flag``: ``confirmed`` (seen in the source), ``derived`` (computed here, e.g. a count from a
  percentage and n), ``unverified`` (recalled, not confirmed: verify before relying on it),
  ``conflict`` (sources or places disagree), ``seed-only`` (only the seed paper reports it),
  ``nf`` (not found; the value is null). Read case-insensitively, stored lower case. Required.
* ``alternatives`` (optional, usually with ``flag: conflict``): a list of the other published values,
  each ``{value | pct: ..., ci | ci_pct: [..] (optional), src: KEY, where: "table 2"}``.
* ``note``: optional free text.

Percentages are kept as printed (``pct``, ``ci_pct``) so that rounding can be audited; use
:attr:`BinaryRecord.proportion` for x/n.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType
from typing import Any

from compare.registry.checks import _Ctx
from compare.registry.types import (
    BINARY_ENDPOINTS,
    CRITERIA,
    FLAGS,
    METHOD_KEYS,
    POPULATION_DESCRIPTORS,
    REGISTRY_VERSION,
    TIME_ENDPOINTS,
    TIME_UNITS,
    Alternative,
    Arm,
    BinaryRecord,
    Count,
    Design,
    HazardRatioRecord,
    LandmarkRecord,
    MedianRecord,
    PopulationShare,
    Provenance,
    Registry,
    SimonDesign,
    Trial,
)
from reconstruct.io import read_yaml, sha256_file

__all__ = [
    "REGISTRY_VERSION",
    "FLAGS",
    "CRITERIA",
    "BINARY_ENDPOINTS",
    "TIME_ENDPOINTS",
    "POPULATION_DESCRIPTORS",
    "Provenance",
    "Alternative",
    "Count",
    "PopulationShare",
    "BinaryRecord",
    "MedianRecord",
    "LandmarkRecord",
    "HazardRatioRecord",
    "SimonDesign",
    "Design",
    "Arm",
    "Trial",
    "Registry",
    "load_registry",
    "parse_registry",
    "default_registry_path",
]


# --------------------------------------------------------------------------- loading


def default_registry_path() -> Path:
    """Return the path of the bundled HCC registry (``compare/data/hcc_registry.yaml``)."""
    return Path(__file__).resolve().parent.parent / "data" / "hcc_registry.yaml"


def load_registry(path: str | os.PathLike[str]) -> Registry:
    """Read and validate a registry YAML file.

    Parameters
    ----------
    path : path-like
        The YAML file (format in the module docstring).

    Returns
    -------
    Registry
        With ``path`` and ``sha256`` set; relative IPD paths resolved against the file's folder.

    Raises
    ------
    InputError
        One line naming the file, trial/arm and field, for any invalid or unknown entry.
    """
    src = os.fspath(path)
    data = read_yaml(src, what="registry YAML file")
    registry = parse_registry(data, source=src, base_dir=Path(src).resolve().parent)
    return Registry(
        trials=registry.trials,
        sources=registry.sources,
        time_unit=registry.time_unit,
        path=Path(src),
        sha256=sha256_file(src),
        version=registry.version,
    )


def parse_registry(data: Any, *, source: str = "<registry>", base_dir: Path | None = None) -> Registry:
    """Validate an already-parsed registry mapping (as from :func:`yaml.safe_load`).

    Parameters
    ----------
    data : Any
        The parsed YAML document.
    source : str, optional
        Name used in error messages.
    base_dir : Path, optional
        Folder against which relative ``ipd`` paths are resolved (default: current folder).

    Returns
    -------
    Registry

    Raises
    ------
    InputError
        As :func:`load_registry`.
    """
    ctx = _Ctx(source, "", base_dir or Path.cwd())
    if isinstance(data, dict) and "meta" in data and "trials" in data and "registry_version" not in data:
        # the compiled comparator file (../shared/trials/hcc_comparators.yaml) is a source, not a registry
        ctx.fail("document", "expected a kmrecon registry (registry_version: 1); this looks like a compiled "
                 "comparator file (meta, sources, trials), which kmrecon's bundled registry "
                 "compare/data/hcc_registry.yaml was built from: use that file", "keys " + str(sorted(data)))
    top = ctx.mapping(data, "document", required=("registry_version", "time_unit", "sources", "trials"),
                      optional=())
    version = ctx.integer(top["registry_version"], "registry_version", minimum=1)
    if version != REGISTRY_VERSION:
        ctx.fail("registry_version", f"expected {REGISTRY_VERSION}", version)
    time_unit = ctx.choice(top["time_unit"], "time_unit", TIME_UNITS)
    raw_sources = ctx.mapping(top["sources"], "sources", required=(), optional=None)
    if not raw_sources:
        ctx.fail("sources", "expected at least one source key", raw_sources)
    sources = {str(k): ctx.text(v, f"sources.{k}") for k, v in raw_sources.items()}
    ctx.sources = frozenset(sources)
    trials_raw = ctx.sequence(top["trials"], "trials", nonempty=True)
    trials = []
    seen: set[str] = set()
    for index, item in enumerate(trials_raw):
        trial = _parse_trial(ctx.at(f"trials[{index}]"), item)
        if trial.id in seen:
            ctx.at(f"trial {trial.id}").fail("id", "expected a trial id unique in the file", trial.id)
        seen.add(trial.id)
        trials.append(trial)
    return Registry(trials=tuple(trials), sources=MappingProxyType(sources), time_unit=time_unit, version=version)


def _parse_trial(ctx: _Ctx, raw: Any) -> Trial:
    body = ctx.mapping(raw, "trial", required=("id", "citation", "design", "arms"), optional=("note",))
    trial_id = ctx.identifier(body["id"], "id")
    ctx = ctx.at(f"trial {trial_id}")
    design = _parse_design(ctx, body["design"])
    arms = []
    for index, item in enumerate(ctx.sequence(body["arms"], "arms", nonempty=True)):
        arms.append(_parse_arm(ctx, index, item))
    ids = [a.id for a in arms]
    for arm_id in ids:
        if ids.count(arm_id) > 1:
            ctx.fail("arms", "expected arm ids unique in the trial", arm_id)
    for arm in arms:
        for hr in arm.hazard_ratios:
            if hr.comparator not in ids or hr.comparator == arm.id:
                ctx.at(f"trial {trial_id}/arm {arm.id}").fail(
                    "hazard_ratios.comparator", f"expected another arm id of this trial ({', '.join(ids)})",
                    hr.comparator,
                )
    return Trial(id=trial_id, citation=ctx.text(body["citation"], "citation"), design=design, arms=tuple(arms),
                 note=ctx.optional_text(body.get("note"), "note"))


def _parse_design(ctx: _Ctx, raw: Any) -> Design:
    body = ctx.mapping(raw, "design", required=("description", "randomized"),
                       optional=("phase", "simon", "methods", "note"))
    simon = None
    if body.get("simon") is not None:
        s = ctx.mapping(body["simon"], "design.simon", required=("src", "flag"),
                        optional=("p0", "p1", "alpha", "power", "r1", "n1", "r", "n", "note", "alternatives"))
        probs = {k: ctx.optional_number(s.get(k), f"design.simon.{k}", low=0.0, high=1.0)
                 for k in ("p0", "p1", "alpha", "power")}
        ints = {k: ctx.optional_integer(s.get(k), f"design.simon.{k}", minimum=0) for k in ("r1", "n1", "r", "n")}
        simon = SimonDesign(**probs, **ints, provenance=ctx.provenance(s, "design.simon"))
    methods: dict[str, str] = {}
    if body.get("methods") is not None:
        m = ctx.mapping(body["methods"], "design.methods", required=(), optional=METHOD_KEYS)
        methods = {k: ctx.text(v, f"design.methods.{k}") for k, v in m.items()}
    if not isinstance(body["randomized"], bool):
        ctx.fail("design.randomized", "expected true or false", body["randomized"])
    return Design(
        description=ctx.text(body["description"], "design.description"),
        randomized=body["randomized"],
        phase=ctx.optional_text(body.get("phase"), "design.phase"),
        simon=simon,
        methods=MappingProxyType(methods),
    )


def _parse_arm(trial_ctx: _Ctx, index: int, raw: Any) -> Arm:
    body = trial_ctx.mapping(
        raw, f"arms[{index}]", required=("id", "label", "n"),
        optional=("ipd", "population", "binary", "medians", "landmarks", "hazard_ratios", "note", "treatment_class"),
    )
    arm_id = trial_ctx.identifier(body["id"], f"arms[{index}].id")
    ctx = trial_ctx.at(f"{trial_ctx.where}/arm {arm_id}")
    n_body = ctx.mapping(body["n"], "n", required=("value", "src", "flag"), optional=("note", "alternatives"))
    n = Count(ctx.optional_integer(n_body["value"], "n.value", minimum=1), ctx.provenance(n_body, "n"))
    if n.value is None and n.provenance.flag != "nf":
        ctx.fail("n.flag", "expected flag nf for a null n", n.provenance.flag)
    population = []
    if body.get("population") is not None:
        pop = ctx.mapping(body["population"], "population", required=(), optional=POPULATION_DESCRIPTORS)
        for key, value in pop.items():
            population.append(_parse_share(ctx, key, value))
    ipd: dict[str, str] = {}
    if body.get("ipd") is not None:
        raw_ipd = ctx.mapping(body["ipd"], "ipd", required=(), optional=TIME_ENDPOINTS)
        for endpoint, value in raw_ipd.items():
            text = ctx.text(value, f"ipd.{endpoint}")
            path_text, sep, arm_name = text.partition("#")
            path = Path(path_text)
            path = path if path.is_absolute() else ctx.base_dir / path
            ipd[endpoint] = f"{path}{sep}{arm_name}"
    return Arm(
        id=arm_id,
        label=ctx.text(body["label"], "label"),
        n=n,
        population=tuple(population),
        binary=tuple(_parse_binary(ctx.at_field(f"binary[{i}]"), r)
                     for i, r in enumerate(ctx.sequence(body.get("binary", []), "binary"))),
        medians=tuple(_parse_median(ctx.at_field(f"medians[{i}]"), r)
                      for i, r in enumerate(ctx.sequence(body.get("medians", []), "medians"))),
        landmarks=tuple(_parse_landmark(ctx.at_field(f"landmarks[{i}]"), r)
                        for i, r in enumerate(ctx.sequence(body.get("landmarks", []), "landmarks"))),
        hazard_ratios=tuple(_parse_hr(ctx.at_field(f"hazard_ratios[{i}]"), r)
                            for i, r in enumerate(ctx.sequence(body.get("hazard_ratios", []), "hazard_ratios"))),
        ipd=MappingProxyType(ipd),
        note=ctx.optional_text(body.get("note"), "note"),
        treatment_class=(None if body.get("treatment_class") is None
                         else ctx.identifier(body["treatment_class"], "treatment_class")),
    )


_PROV = ("src", "flag")
_PROV_OPT = ("note", "alternatives", "analysis")


def _parse_share(ctx: _Ctx, key: str, raw: Any) -> PopulationShare:
    name = f"population.{key}"
    body = ctx.mapping(raw, name, required=_PROV, optional=("pct", "x", "n", "note", "alternatives"))
    pct = ctx.optional_number(body.get("pct"), f"{name}.pct", low=0.0, high=100.0)
    x = ctx.optional_integer(body.get("x"), f"{name}.x", minimum=0)
    n = ctx.optional_integer(body.get("n"), f"{name}.n", minimum=1)
    if pct is None and (x is None or n is None) and ctx.flag_of(body) != "nf":
        ctx.fail(name, "expected pct or both x and n", dict(body))
    ctx.check_counts(x, n, name)
    return PopulationShare(key, pct, x, n, ctx.provenance(body, name))


def _parse_binary(ctx: _Ctx, raw: Any) -> BinaryRecord:
    body = ctx.mapping(raw, "", required=("endpoint", "criterion", "x", "n") + _PROV,
                       optional=("pct", "ci_pct", "ci_method", "subgroup") + _PROV_OPT)
    endpoint = ctx.choice(body["endpoint"], "endpoint", BINARY_ENDPOINTS)
    x = ctx.optional_integer(body["x"], "x", minimum=0)
    n = ctx.optional_integer(body["n"], "n", minimum=1)
    ctx.check_counts(x, n, "x")
    pct = ctx.optional_number(body.get("pct"), "pct", low=0.0, high=100.0)
    if x is None and pct is None and ctx.flag_of(body) != "nf":
        ctx.fail("x", "expected a count x or a pct (or flag nf)", None)
    return BinaryRecord(
        endpoint=endpoint,
        criterion=ctx.choice(body["criterion"], "criterion", CRITERIA),
        x=x,
        n=n,
        pct=pct,
        ci_pct=ctx.interval(body.get("ci_pct"), "ci_pct", low=0.0, high=100.0, open_ends=False),
        ci_method=ctx.optional_text(body.get("ci_method"), "ci_method"),
        subgroup=ctx.optional_text(body.get("subgroup"), "subgroup"),
        analysis=ctx.analysis(body),
        provenance=ctx.provenance(body, ""),
    )


def _parse_median(ctx: _Ctx, raw: Any) -> MedianRecord:
    body = ctx.mapping(raw, "", required=("endpoint", "value") + _PROV,
                       optional=("criterion", "ci", "ci_method") + _PROV_OPT)
    return MedianRecord(
        endpoint=ctx.choice(body["endpoint"], "endpoint", TIME_ENDPOINTS),
        criterion=None if body.get("criterion") is None else ctx.choice(body["criterion"], "criterion", CRITERIA),
        value=ctx.optional_number(body["value"], "value", low=0.0, not_estimable=True),
        ci=ctx.interval(body.get("ci"), "ci", low=0.0, open_ends=True),
        ci_method=ctx.optional_text(body.get("ci_method"), "ci_method"),
        analysis=ctx.analysis(body),
        provenance=ctx.provenance(body, ""),
    )


def _parse_landmark(ctx: _Ctx, raw: Any) -> LandmarkRecord:
    body = ctx.mapping(raw, "", required=("endpoint", "time", "pct") + _PROV,
                       optional=("criterion", "ci_pct") + _PROV_OPT)
    return LandmarkRecord(
        endpoint=ctx.choice(body["endpoint"], "endpoint", TIME_ENDPOINTS),
        criterion=None if body.get("criterion") is None else ctx.choice(body["criterion"], "criterion", CRITERIA),
        time=ctx.number(body["time"], "time", low=0.0),
        pct=ctx.optional_number(body["pct"], "pct", low=0.0, high=100.0),
        ci_pct=ctx.interval(body.get("ci_pct"), "ci_pct", low=0.0, high=100.0, open_ends=False),
        analysis=ctx.analysis(body),
        provenance=ctx.provenance(body, ""),
    )


def _parse_hr(ctx: _Ctx, raw: Any) -> HazardRatioRecord:
    body = ctx.mapping(raw, "", required=("endpoint", "comparator", "value") + _PROV,
                       optional=("ci", "p", "criterion") + _PROV_OPT)
    value = ctx.optional_number(body["value"], "value", low=0.0)
    if value == 0.0:
        ctx.fail("value", "expected a hazard ratio > 0", value)
    ci = ctx.interval(body.get("ci"), "ci", low=0.0, open_ends=False)
    if ci is not None and (ci[0] <= 0 or (value is not None and not ci[0] <= value <= ci[1])):
        ctx.fail("ci", f"expected 0 < lower <= HR ({value}) <= upper", list(ci))
    p = body.get("p")
    return HazardRatioRecord(
        endpoint=ctx.choice(body["endpoint"], "endpoint", TIME_ENDPOINTS),
        comparator=ctx.identifier(body["comparator"], "comparator"),
        value=value,
        ci=ci,
        p=None if p is None else str(p),
        criterion=None if body.get("criterion") is None else ctx.choice(body["criterion"], "criterion", CRITERIA),
        analysis=ctx.analysis(body),
        provenance=ctx.provenance(body, ""),
    )


