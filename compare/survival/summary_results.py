"""Result types of :func:`compare.survival.ipd_summary.summarize_ipd`: per arm, per contrast, and the whole.

Frozen dataclasses with the same fields every time; ``to_dict()`` for JSON and ``to_frame()`` for tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from compare.survival import (
    HazardRatio,
    KMEstimate,
    LandmarkSurvival,
    LogRankResult,
    MedianEstimate,
    RMSTDifference,
    RMSTEstimate,
)
from reconstruct.tabular import TableResult

__all__ = ["ArmSummary", "ArmContrast", "IPDSummary", "TIME_UNITS", "TAU_RULE_DEFAULT", "TAU_RULE_USER"]

TIME_UNITS: tuple[str, ...] = ("days", "weeks", "months", "years")
TAU_RULE_DEFAULT = "smallest last follow-up time among the arms"
TAU_RULE_USER = "given by the user"


@dataclass(frozen=True, eq=False)
class ArmSummary(TableResult):
    """Survival summary of one arm.

    Attributes
    ----------
    arm : str
        Arm name.
    n, events, censored : int
        Patients, events and censored patients.
    last_follow_up : float
        Largest observed time (event or censoring), in the summary's time unit.
    median : MedianEstimate
        Median with Brookmeyer-Crowley CI; equals R ``quantile(survfit(...), probs = 0.5)``
        (``time`` NaN when S(t) stays above 0.5, ``conf_high`` NaN when the upper CI curve does).
    landmarks : LandmarkSurvival
        S(t) with CI at the landmark times; equals R ``summary(survfit(...), times = ...)``.
    landmark_beyond_follow_up : ndarray of bool, shape (n_landmarks,)
        True where the landmark lies after the last follow-up while S > 0: S(t) is not
        estimable there and ``landmarks`` holds NaN (R drops the row).
    rmst : RMSTEstimate
        RMST to the summary's common ``tau`` with SE and normal CI (R ``rmean``, ``se(rmean)``).
    km : KMEstimate
        The Kaplan-Meier estimate the numbers come from (log-log pointwise CI).
    not_estimable : dict of str to str
        Statistics set to NaN because the data behind them are not known, with the reason: keys
        ``"median"``, ``"median_conf_high"``, ``"rmst"`` and ``"landmark:<t>"`` (see
        :func:`compare.restrict_to_visible`). Empty by default.
    """

    arm: str
    n: int
    events: int
    censored: int
    last_follow_up: float
    median: MedianEstimate
    landmarks: LandmarkSurvival
    landmark_beyond_follow_up: NDArray[np.bool_]
    rmst: RMSTEstimate
    km: KMEstimate
    not_estimable: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        flags = np.array(self.landmark_beyond_follow_up, dtype=bool, copy=True)
        flags.setflags(write=False)
        object.__setattr__(self, "landmark_beyond_follow_up", flags)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (NaN kept; :func:`reconstruct.io.write_json` writes it as null)."""
        marks = self.landmarks
        return {
            "arm": self.arm,
            "n": self.n,
            "events": self.events,
            "censored": self.censored,
            "last_follow_up": self.last_follow_up,
            "median": _median_dict(self.median),
            "landmarks": [
                {"time": float(t), "survival": float(s), "std_err": float(se), "conf_low": float(lo),
                 "conf_high": float(hi), "n_at_risk": int(n), "beyond_follow_up": bool(b)}
                for t, s, se, lo, hi, n, b in zip(marks.time, marks.survival, marks.std_err, marks.conf_low,
                                                   marks.conf_high, marks.n_at_risk, self.landmark_beyond_follow_up,
                                                   strict=True)
            ],
            "rmst": _rmst_dict(self.rmst),
            "km": self.km.to_dict(),
            "not_estimable": dict(self.not_estimable),
        }


@dataclass(frozen=True)
class ArmContrast(TableResult):
    """One arm against the reference arm.

    Attributes
    ----------
    arm, reference : str
        Comparator arm and reference arm.
    hazard_ratio : HazardRatio or None
        Cox HR of ``arm`` vs ``reference`` (the reference arm is the denominator: HR < 1 means a
        lower hazard in ``arm``; Efron ties, Wald CI and p); equals R
        ``coxph(Surv(time, event) ~ arm, ties = "efron")`` on the two arms with ``reference`` the
        first factor level. None when not estimable (an arm without events, or a monotone
        likelihood whose maximum is at HR 0 or infinity; see ``note``).
    logrank : LogRankResult or None
        Log-rank test of the two arms (R ``survdiff``); None when not estimable (no events in
        either arm; see ``note``).
    rmst_difference : RMSTDifference
        RMST(arm) - RMST(reference) to ``tau``, normal CI and p (as ``survRM2::rmst2``).
    note : str
        Why a field is missing ("; "-joined), else "".
    """

    arm: str
    reference: str
    hazard_ratio: HazardRatio | None
    logrank: LogRankResult | None
    rmst_difference: RMSTDifference
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        hr = self.hazard_ratio
        diff = self.rmst_difference
        lr = self.logrank
        return {
            "arm": self.arm,
            "reference": self.reference,
            "hazard_ratio": None if hr is None else {
                "hazard_ratio": hr.hazard_ratio, "conf_low": hr.conf_low, "conf_high": hr.conf_high,
                "log_hr": hr.log_hr, "se": hr.se, "p_value": hr.p_value, "ties": hr.ties,
                "conf_level": hr.conf_level,
            },
            "logrank": None if lr is None else {
                "statistic": lr.statistic, "df": lr.df, "p_value": lr.p_value,
                "observed": dict(zip(lr.groups, lr.observed.tolist(), strict=True)),
                "expected": dict(zip(lr.groups, lr.expected.tolist(), strict=True))},
            "rmst_difference": {"tau": diff.tau, "difference": diff.difference, "se": diff.se,
                                "conf_low": diff.conf_low, "conf_high": diff.conf_high, "p_value": diff.p_value,
                                "conf_level": diff.conf_level},
            "note": self.note,
        }


@dataclass(frozen=True, eq=False)
class IPDSummary(TableResult):
    """Per-arm and between-arm survival statistics of an IPD set.

    Attributes
    ----------
    arms : tuple of ArmSummary
        One per arm, the reference arm first, the others in sorted order.
    contrasts : tuple of ArmContrast
        Each non-reference arm against ``reference`` (empty with one arm).
    logrank_all : LogRankResult or None
        Log-rank test across all arms (k - 1 df); None with one arm or when every patient is
        censored. Equals the single contrast's test when there are two arms.
    reference : str
        Reference arm of the contrasts.
    landmarks : tuple of float
        Landmark times, ascending, in ``time_unit``.
    tau : float
        Common RMST truncation time, in ``time_unit``.
    tau_rule : str
        How ``tau`` was chosen: the smallest last follow-up time among the arms (default), or given.
    conf_level : float
        Level of every CI.
    time_unit : {"days", "weeks", "months", "years"}
    """

    arms: tuple[ArmSummary, ...]
    contrasts: tuple[ArmContrast, ...]
    logrank_all: LogRankResult | None
    reference: str
    landmarks: tuple[float, ...]
    tau: float
    tau_rule: str
    conf_level: float
    time_unit: str

    def __getitem__(self, arm: str) -> ArmSummary:
        for summary in self.arms:
            if summary.arm == arm:
                return summary
        raise KeyError(f"arm must be one of {[a.arm for a in self.arms]!r}, got {arm!r}")

    @property
    def kms(self) -> dict[str, KMEstimate]:
        """Arm name -> Kaplan-Meier estimate, in ``arms`` order."""
        return {summary.arm: summary.km for summary in self.arms}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping of everything (NaN kept for the writer to turn into null)."""
        overall = self.logrank_all
        return {
            "time_unit": self.time_unit,
            "conf_level": self.conf_level,
            "reference": self.reference,
            "landmarks": list(self.landmarks),
            "tau": self.tau,
            "tau_rule": self.tau_rule,
            "arms": [summary.to_dict() for summary in self.arms],
            "contrasts": [contrast.to_dict() for contrast in self.contrasts],
            "logrank_all": None if overall is None else {
                "statistic": overall.statistic, "df": overall.df, "p_value": overall.p_value,
                "groups": list(overall.groups)},
        }

    def to_frame(self) -> pd.DataFrame:
        """Per-arm table: arm, n, events, censored, last_follow_up, median (CI), rmst (se, CI) to tau."""
        rows = [
            {"arm": s.arm, "n": s.n, "events": s.events, "censored": s.censored, "last_follow_up": s.last_follow_up,
             "median": s.median.time, "median_conf_low": s.median.conf_low, "median_conf_high": s.median.conf_high,
             "tau": s.rmst.tau, "rmst": s.rmst.rmst, "rmst_se": s.rmst.se, "rmst_conf_low": s.rmst.conf_low,
             "rmst_conf_high": s.rmst.conf_high}
            for s in self.arms
        ]
        return pd.DataFrame(rows)

    def landmarks_frame(self) -> pd.DataFrame:
        """Long table, one row per arm and landmark, with a ``beyond_follow_up`` column."""
        frames = []
        for s in self.arms:
            frame = s.landmarks.to_frame()
            frame.insert(0, "arm", s.arm)
            frame["beyond_follow_up"] = s.landmark_beyond_follow_up
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def contrasts_frame(self) -> pd.DataFrame:
        """One row per contrast: HR (CI, Wald p), log-rank chi2 and p, RMST difference (CI, p)."""
        columns = ["arm", "reference", "hazard_ratio", "hr_conf_low", "hr_conf_high", "hr_p_value",
                   "logrank_chi2", "logrank_p_value", "tau", "rmst_difference", "rmst_difference_conf_low",
                   "rmst_difference_conf_high", "rmst_difference_p_value", "note"]
        rows = []
        for c in self.contrasts:
            hr, lr = c.hazard_ratio, c.logrank
            nan = float("nan")
            rows.append([
                c.arm, c.reference, nan if hr is None else hr.hazard_ratio, nan if hr is None else hr.conf_low,
                nan if hr is None else hr.conf_high, nan if hr is None else hr.p_value,
                nan if lr is None else lr.statistic, nan if lr is None else lr.p_value, c.rmst_difference.tau,
                c.rmst_difference.difference, c.rmst_difference.conf_low, c.rmst_difference.conf_high,
                c.rmst_difference.p_value, c.note,
            ])
        return pd.DataFrame(rows, columns=columns)


def _median_dict(median: MedianEstimate) -> dict[str, Any]:
    return {"time": median.time, "conf_low": median.conf_low, "conf_high": median.conf_high,
            "conf_level": median.conf_level, "conf_type": median.conf_type, "method": median.method}


def _rmst_dict(estimate: RMSTEstimate) -> dict[str, Any]:
    return {"tau": estimate.tau, "rmst": estimate.rmst, "se": estimate.se, "conf_low": estimate.conf_low,
            "conf_high": estimate.conf_high, "conf_level": estimate.conf_level}
