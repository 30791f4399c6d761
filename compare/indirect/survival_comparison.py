"""Survival from IPD for ``kmrecon compare``: per-arm tables, contrasts against a reference, pooled curves.

The statistics are the survival core's (:mod:`compare.survival`): Kaplan-Meier with log-log CI,
Brookmeyer-Crowley median CI, landmark rates, RMST, Cox HR (Efron) and log-rank. This module only
assembles them into tables. A contrast between arms of different trials is labelled ``unanchored``:
the HR is then a comparison of two non-randomized groups, not a treatment effect.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from compare.indirect.comparability import ArmSelection, Comparability, PopulationThresholds, check_comparability, check_pool
from compare.indirect.bucher import bucher, relabel
from compare.survival.hazard_ratio import HazardRatio
from compare.registry.loader import Registry
from compare.survival.ipd_summary import contrast_arms
from compare.survival import (
    KMEstimate,
    PooledKM,
    kaplan_meier,
    landmark_survival,
    median_survival,
    pooled_km,
    rmst,
)
from reconstruct.io import read_ipd_csv
from reconstruct.errors import InputError

__all__ = ["SurvivalEndpointReport", "survival_reports", "load_ipd_spec"]


@dataclass(frozen=True, eq=False)
class SurvivalEndpointReport:
    """Survival from IPD for one endpoint.

    Attributes
    ----------
    endpoint : str
    kms : mapping of str to KMEstimate
        ``"trial:arm"`` -> Kaplan-Meier estimate.
    pooled_naive, pooled_stratified : PooledKM or None
        Pooled over every arm with IPD (None with fewer than two arms).
    table : DataFrame
        Per arm: n, events, median with CI, landmark rates with CI, RMST at ``tau``.
    contrast_table : DataFrame
        Each other arm against the reference, from :func:`compare.survival.ipd_summary.contrast_arms` (the same
        contrast as ``kmrecon summarize``): Cox HR of the arm vs the reference (``hr_arm_vs_ref``; the
        reference is the denominator, HR < 1 favours the arm), log-rank, RMST(arm) - RMST(reference)
        (``rmst_arm_minus_ref``), ``anchoring`` ("randomized, same trial" or "unanchored"), comparability
        flag, and ``note`` saying why a statistic is missing (NaN: no events in an arm, monotone likelihood).
    tau : float
        RMST truncation time (shortest last follow-up among the arms).
    indirect : tuple of HazardRatio
        Bucher comparisons from IPD Cox HRs, for trials that share a comparator arm id.
    indirect_table : DataFrame
        One row per ``indirect`` result.
    """

    endpoint: str
    kms: Mapping[str, KMEstimate]
    pooled_naive: PooledKM | None
    pooled_stratified: PooledKM | None
    table: pd.DataFrame
    contrast_table: pd.DataFrame
    tau: float
    indirect: tuple[HazardRatio, ...]
    indirect_table: pd.DataFrame


def load_ipd_spec(spec: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read ``path.csv`` or ``path.csv#ARM`` (IPD CSV ``arm,time,event``) into ``(time, event)``.

    Without ``#ARM`` the file must hold one arm.

    Raises
    ------
    InputError
        For a bad file, an unknown arm, or several arms without ``#ARM``.
    """
    path, sep, arm = os.fspath(spec).partition("#")
    frame = read_ipd_csv(path)
    arms = list(dict.fromkeys(frame["arm"]))
    if sep:
        if arm not in arms:
            raise InputError(f"expected an arm of the IPD file ({', '.join(arms)}), got {arm!r}", source=path)
        frame = frame[frame["arm"] == arm]
    elif len(arms) > 1:
        raise InputError(f"expected one arm in the IPD file, got {len(arms)} ({', '.join(arms)}); "
                         "select one with path.csv#ARM", source=path)
    return frame["time"].to_numpy(dtype=float), frame["event"].to_numpy(dtype=np.int64)


def _arm_row(key: str, km: KMEstimate, times: np.ndarray, tau: float, conf_level: float) -> dict[str, Any]:
    med = median_survival(km)
    row: dict[str, Any] = {"arm": key, "n": km.n, "events": int(np.sum(km.n_events)), "median": med.time,
                           "median_ci_low": med.conf_low, "median_ci_high": med.conf_high}
    land = landmark_survival(km, times)
    for i, t in enumerate(times):
        row[f"S({t:g})"] = land.survival[i]
        row[f"S({t:g})_ci_low"] = land.conf_low[i]
        row[f"S({t:g})_ci_high"] = land.conf_high[i]
    est = rmst(km, tau=tau, conf_level=conf_level)
    row.update({"rmst_tau": tau, "rmst": est.rmst, "rmst_ci_low": est.conf_low, "rmst_ci_high": est.conf_high})
    return row


def _contrast_row(ref_key: str, key: str, data: Mapping[str, tuple[np.ndarray, np.ndarray]],
                  kms: Mapping[str, KMEstimate], tau: float, conf_level: float, check: Comparability,
                  same_trial: bool) -> dict[str, Any]:
    """One contrast-table row from :func:`compare.survival.ipd_summary.contrast_arms` (HR of the arm vs the reference)."""
    c = contrast_arms(key, data[key], ref_key, data[ref_key], tau=tau, conf_level=conf_level,
                      arm_km=kms[key], reference_km=kms[ref_key])
    hr, lr, diff = c.hazard_ratio, c.logrank, c.rmst_difference
    nan = float("nan")
    return {"reference": ref_key, "arm": key, "hr_arm_vs_ref": nan if hr is None else hr.hazard_ratio,
            "hr_ci_low": nan if hr is None else hr.conf_low, "hr_ci_high": nan if hr is None else hr.conf_high,
            "hr_p": nan if hr is None else hr.p_value, "logrank_chisq": nan if lr is None else lr.statistic,
            "logrank_p": nan if lr is None else lr.p_value, "rmst_tau": tau, "rmst_arm_minus_ref": diff.difference,
            "rmst_diff_ci_low": diff.conf_low, "rmst_diff_ci_high": diff.conf_high, "rmst_diff_p": diff.p_value,
            "anchoring": "randomized, same trial" if same_trial else "unanchored",
            "comparability": check.flag, "comparability_detail": check.details, "note": c.note}


def survival_reports(
    registry: Registry,
    ipd: Mapping[tuple[str, str, str], tuple[Any, Any]],
    *,
    endpoints: Sequence[str],
    reference: tuple[Any, Any] | None,
    conf_level: float,
    thresholds: PopulationThresholds,
    landmarks: Sequence[float],
    pool: Sequence[str] | None = None,
) -> tuple[list[SurvivalEndpointReport], list[Comparability]]:
    """Build a :class:`SurvivalEndpointReport` per endpoint that has IPD.

    Parameters
    ----------
    registry : Registry
    ipd : mapping of (trial, arm, endpoint) to (time, event)
    endpoints : sequence of str
        Survival endpoints requested (``"os"``, ``"pfs"``).
    reference : (Trial, Arm) or None
        Contrasts are made against it when it has IPD for the endpoint, else against the first arm.
    conf_level : float
    thresholds : PopulationThresholds
    landmarks : sequence of float
    pool : sequence of str, optional
        ``"trial:arm"`` keys whose curves are pooled (default all arms with IPD).

    Returns
    -------
    reports : list of SurvivalEndpointReport
    checks : list of Comparability
    """
    reports, checks = [], []
    times = np.asarray(landmarks, dtype=float)
    for endpoint in endpoints:
        keys = [(t, a) for (t, a, e) in ipd if e == endpoint]
        if not keys:
            continue
        arms = [(registry.trial(t), registry.arm(t, a)) for t, a in keys]
        data = {f"{t}:{a}": (np.asarray(ipd[(t, a, endpoint)][0], dtype=float),
                             np.asarray(ipd[(t, a, endpoint)][1], dtype=np.int64)) for t, a in keys}
        kms = {key: kaplan_meier(*value, conf_level=conf_level) for key, value in data.items()}
        tau = float(min(np.max(value[0]) for value in data.values()))
        ref_key = f"{reference[0].id}:{reference[1].id}" if reference is not None else None
        if ref_key not in data:
            ref_key = next(iter(data))
        ref_sel = next(ArmSelection(t, a, endpoint) for t, a in arms if f"{t.id}:{a.id}" == ref_key)
        rows, arm_rows = [], []
        for trial, arm in arms:
            key = f"{trial.id}:{arm.id}"
            row = _arm_row(key, kms[key], times, tau, conf_level)
            arm_rows.append(row)
            if key == ref_key:
                row.update(comparability="reference", comparability_detail="")
                continue
            check = check_comparability(ref_sel, ArmSelection(trial, arm, endpoint), thresholds=thresholds)
            checks.append(check)
            row.update(comparability=check.flag, comparability_detail=check.details)
            rows.append(_contrast_row(ref_key, key, data, kms, tau, conf_level, check,
                                      trial.id == ref_sel.trial.id))
        table = pd.DataFrame(arm_rows)
        indirect, indirect_table = _indirect_from_ipd(arms, data, endpoint, conf_level, thresholds, checks)
        naive = stratified = None
        chosen = {k: v for k, v in data.items() if pool is None or k in pool}
        if len(chosen) >= 2:
            checks.append(check_pool([ArmSelection(t, a, endpoint) for t, a in arms if f"{t.id}:{a.id}" in chosen],
                                     thresholds=thresholds, label=f"pooled {endpoint} curve"))
            naive = pooled_km(chosen, stratified=False, conf_level=conf_level)
            stratified = pooled_km(chosen, stratified=True, conf_level=conf_level)
        reports.append(SurvivalEndpointReport(endpoint, kms, naive, stratified, table, pd.DataFrame(rows), tau,
                                              tuple(indirect), indirect_table))
    return reports, checks


def _indirect_from_ipd(arms, data, endpoint, conf_level, thresholds, checks):
    """Bucher comparisons from IPD Cox HRs: arms of two trials against a comparator arm id both trials hold."""
    ids_by_trial: dict[str, set[str]] = {}
    for trial, arm in arms:
        ids_by_trial.setdefault(trial.id, set()).add(arm.id)
    shared = {a for ids in ids_by_trial.values() for a in ids
              if sum(a in other for other in ids_by_trial.values()) >= 2}
    within = []
    for trial, arm in arms:
        for anchor in sorted(shared & ids_by_trial[trial.id] - {arm.id}):
            key, anchor_key = f"{trial.id}:{arm.id}", f"{trial.id}:{anchor}"
            tau = float(min(np.max(data[key][0]), np.max(data[anchor_key][0])))
            hr = contrast_arms(key, data[key], anchor_key, data[anchor_key], tau=tau,
                               conf_level=conf_level).hazard_ratio
            if hr is not None:  # not estimable: contrast_arms warned; no Bucher comparison through it
                within.append((trial, arm, anchor, hr))
    results, rows = [], []
    for (t1, a1, c1, hr1), (t2, a2, c2, hr2) in itertools.combinations(within, 2):
        if t1.id == t2.id or c1 != c2 or a1.id == a2.id:
            continue
        label = f"{t1.id}:{a1.id} vs {t2.id}:{a2.id} via {c1} ({endpoint}, IPD)"
        res = bucher(relabel(hr1, f"{t1.id}: {a1.id} vs {c1}"),
                     relabel(hr2, f"{t2.id}: {a2.id} vs {c2}"),
                     anchor=c1, conf_level=conf_level, label=label)
        check = check_comparability(ArmSelection(t1, a1, endpoint), ArmSelection(t2, a2, endpoint),
                                    thresholds=thresholds)
        check = Comparability(label, tuple(i for i in check.issues if i.kind != "unanchored"))
        checks.append(check)
        results.append(res)
        rows.append({"label": label, "anchor": c1, "hr_1_vs_anchor": hr1.hazard_ratio,
                     "hr_2_vs_anchor": hr2.hazard_ratio, "hazard_ratio": res.hazard_ratio, "conf_low": res.conf_low,
                     "conf_high": res.conf_high, "p_value": res.p_value, "anchoring": "anchored (Bucher)",
                     "comparability": check.flag, "comparability_detail": check.details})
    return results, pd.DataFrame(rows)
