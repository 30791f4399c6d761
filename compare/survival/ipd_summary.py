"""Summary statistics of (reconstructed) individual patient data: per arm and between arms.

:func:`summarize_ipd` assembles the survival core's validated estimators (:mod:`compare.survival`)
into one fixed-shape result, :class:`IPDSummary`; it computes nothing new. Per arm: n, events,
censored, the median with the Brookmeyer-Crowley CI [2]_, survival at landmark times, and the RMST to
one common ``tau``. Between arms: Cox HR (Efron ties [3]_), log-rank and RMST difference, each arm
against a reference arm. Every number equals an R ``survival`` call (``tests/reference/summary.R``).

References
----------
.. [1] Guyot P, Ades AE, Ouwens MJNM, Welton NJ. Enhanced secondary analysis of survival data:
   reconstructing the data from published Kaplan-Meier survival curves.
   BMC Med Res Methodol 2012;12:9.
.. [2] Brookmeyer R, Crowley J. A confidence interval for the median survival time.
   Biometrics 1982;38:29-41.
.. [3] Efron B. The efficiency of Cox's likelihood function for censored data.
   J Am Stat Assoc 1977;72:557-565.
.. [4] Royston P, Parmar MKB. Restricted mean survival time. BMC Med Res Methodol 2013;13:152.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from compare.survival import (
    HazardRatio,
    KMEstimate,
    LogRankResult,
    cox_hr,
    kaplan_meier,
    landmark_survival,
    logrank_test,
    median_survival,
    rmst,
    rmst_difference,
)
from compare.survival.summary_results import (
    TAU_RULE_DEFAULT,
    TAU_RULE_USER,
    TIME_UNITS,
    ArmContrast,
    ArmSummary,
    IPDSummary,
)
from reconstruct.errors import ComparisonWarning, InputError
from reconstruct.validation import check_choice, check_positive, check_probability, check_survival_data

__all__ = ["ArmSummary", "ArmContrast", "IPDSummary", "contrast_arms", "summarize_ipd", "TIME_UNITS"]


def _check_landmarks(landmarks: ArrayLike) -> tuple[float, ...]:
    try:
        values = np.atleast_1d(np.asarray(landmarks, dtype=float)) if np.size(landmarks) else np.zeros(0)
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if values.ndim != 1 or np.any(~np.isfinite(values)) or np.any(values < 0):
        raise InputError(f"landmarks must be finite times >= 0, got {landmarks!r}")
    return tuple(float(v) for v in np.unique(values))


def _check_ipd(ipd: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(ipd, pd.DataFrame):
        raise InputError(f"ipd must be a DataFrame with columns arm, time, event, got {type(ipd).__name__}")
    missing = [c for c in ("arm", "time", "event") if c not in ipd.columns]
    if missing:
        raise InputError(f"ipd must have columns arm, time, event, got {list(ipd.columns)!r} (missing {missing})")
    time, event = check_survival_data(ipd["time"], ipd["event"])
    arms = ipd["arm"].astype(str).str.strip().to_numpy()
    if np.any(arms == ""):
        raise InputError("ipd arm names must be non-empty, got an empty name")
    return pd.DataFrame({"arm": arms, "time": time, "event": event})


def _summarize_arm(arm: str, rows: pd.DataFrame, *, landmarks: tuple[float, ...], tau: float,
                   conf_level: float) -> ArmSummary:
    km = kaplan_meier(rows["time"], rows["event"], conf_level=conf_level, conf_type="log-log")
    marks = landmark_survival(km, np.asarray(landmarks, dtype=float))
    return ArmSummary(
        arm=arm,
        n=int(len(rows)),
        events=int(rows["event"].sum()),
        censored=int(len(rows) - rows["event"].sum()),
        last_follow_up=float(rows["time"].max()),
        median=median_survival(km),
        landmarks=marks,
        landmark_beyond_follow_up=np.isnan(marks.survival),
        rmst=rmst(km, tau=tau, conf_level=conf_level),
        km=km,
    )


def _infinite_cox_estimate(time: NDArray[np.float64], event: NDArray[np.int64], in_arm: NDArray[np.bool_]) -> str:
    """Why the two-group Cox MLE is at HR 0 or infinity (monotone likelihood), else "".

    statsmodels' PHReg often stops at a huge finite HR here (R warns "coefficient may be infinite"), so the
    condition is checked directly: the MLE is finite only if some reference event happens while an ``arm``
    patient is still at risk, and some ``arm`` event while a reference patient is at risk (the score at
    HR -> infinity, resp. 0, is then negative, resp. positive; the log partial likelihood is concave).
    """
    ref_events, arm_events = time[(event == 1) & ~in_arm], time[(event == 1) & in_arm]
    if arm_events.size and ref_events.size and arm_events.min() > time[~in_arm].max():
        return "every arm event comes after the reference arm's last follow-up (MLE at HR 0)"
    if arm_events.size and ref_events.size and ref_events.min() > time[in_arm].max():
        return "every reference event comes after the arm's last follow-up (MLE at HR infinity)"
    return ""


def _hazard_ratio(time, event, group, reference: str, conf_level: float) -> tuple[HazardRatio | None, str]:
    t, e = check_survival_data(time, event)
    infinite = _infinite_cox_estimate(t, e, np.asarray(group).astype(str) != reference)
    if infinite:
        return None, f"hazard ratio not estimable: monotone likelihood, {infinite}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            hr = cox_hr(time, event, group, reference=reference, ties="efron", conf_level=conf_level)
    except InputError as exc:
        # an arm without events has no finite HR; keep the other statistics and say why
        return None, f"hazard ratio not estimable: {exc}"
    except ConvergenceWarning:
        return None, "hazard ratio not estimable: the Cox fit did not converge (monotone likelihood?)"
    if not all(np.isfinite([hr.hazard_ratio, hr.conf_low, hr.conf_high, hr.se])):
        return None, "hazard ratio not estimable: the Cox fit gave a non-finite HR or CI"
    return hr, ""


def contrast_arms(
    arm: str,
    arm_data: tuple[ArrayLike, ArrayLike],
    reference: str,
    reference_data: tuple[ArrayLike, ArrayLike],
    *,
    tau: float,
    conf_level: float = 0.95,
    arm_km: KMEstimate | None = None,
    reference_km: KMEstimate | None = None,
) -> ArmContrast:
    """Compare ``arm`` with ``reference``: Cox HR of arm vs reference, log-rank, RMST(arm) - RMST(reference).

    The one contrast of ``kmrecon summarize`` and ``kmrecon compare``. The HR has the reference arm as
    denominator (HR < 1: lower hazard in ``arm``). A statistic that is not estimable (an arm without
    events, a monotone Cox likelihood, every patient censored) is None and ``note`` says why.

    Parameters
    ----------
    arm, reference : str
        Distinct arm labels.
    arm_data, reference_data : (time, event) pair of arrays of shape (n_arm,) and (n_ref,)
        Times (>= 0) and events (1 event, 0 censored).
    tau : float
        RMST truncation time, in the data's time unit.
    conf_level : float, optional
    arm_km, reference_km : KMEstimate, optional
        Already computed Kaplan-Meier estimates of the two arms (the RMST uses them).

    Returns
    -------
    ArmContrast

    Warns
    -----
    ComparisonWarning
        When the HR or the log-rank test is not estimable.
    """
    if str(arm) == str(reference):
        raise InputError(f"expected two different arms, got {arm!r} twice")
    (t_arm, e_arm), (t_ref, e_ref) = arm_data, reference_data
    time = np.concatenate([np.asarray(t_arm, dtype=float), np.asarray(t_ref, dtype=float)])
    event = np.concatenate([np.asarray(e_arm), np.asarray(e_ref)])
    group = np.array([str(arm)] * len(t_arm) + [str(reference)] * len(t_ref))
    hr, hr_note = _hazard_ratio(time, event, group, str(reference), conf_level)
    logrank: LogRankResult | None
    lr_note = ""
    try:
        logrank = logrank_test(time, event, group)
    except InputError as exc:
        logrank, lr_note = None, f"log-rank test not estimable: {exc}"
    note = "; ".join(n for n in (hr_note, lr_note) if n)
    if note:
        warnings.warn(f"{arm} vs {reference}: {note}", ComparisonWarning, stacklevel=2)
    diff = rmst_difference(arm_km if arm_km is not None else (t_arm, e_arm),
                           reference_km if reference_km is not None else (t_ref, e_ref),
                           tau=tau, conf_level=conf_level)
    return ArmContrast(arm=str(arm), reference=str(reference), hazard_ratio=hr, logrank=logrank,
                       rmst_difference=diff, note=note)


def summarize_ipd(
    ipd: pd.DataFrame,
    *,
    landmarks: Sequence[float] | ArrayLike = (6, 12, 24),
    tau: float | None = None,
    reference: str | None = None,
    conf_level: float = 0.95,
    time_unit: str = "months",
) -> IPDSummary:
    """Per-arm survival statistics and each arm's contrast with a reference arm [1]_.

    Per arm (Kaplan-Meier with the log-log pointwise CI): n, events, censored; the median with the
    Brookmeyer-Crowley CI [2]_, R ``quantile(survfit(Surv(time, event) ~ 1, conf.type = "log-log"),
    probs = 0.5, conf.int = TRUE)``; S(t) at ``landmarks`` with CI, R ``summary(fit, times =
    landmarks)`` (NaN, and ``landmark_beyond_follow_up`` True, after the last follow-up); the RMST to
    ``tau`` [4]_, R ``summary(fit, rmean = tau)$table[c("rmean", "se(rmean)")]``.
    Between each arm and ``reference``: Cox HR with Efron ties [3]_ and Wald CI/p, R ``coxph(Surv(time,
    event) ~ arm, ties = "efron")``; the log-rank test, R ``survdiff``; and the RMST difference
    (arm - reference) with normal CI, as ``survRM2::rmst2``.

    Parameters
    ----------
    ipd : DataFrame
        Columns ``arm`` (str), ``time`` (>= 0, in ``time_unit``) and ``event`` (1 event, 0 censored),
        one row per patient, e.g. from :func:`reconstruct.read_ipd_csv`.
    landmarks : sequence of float, optional
        Landmark times in ``time_unit``; sorted and de-duplicated.
    tau : float, optional
        Common RMST truncation time. Default: the smallest of the arms' last follow-up times, so
        that no arm's curve is extrapolated (the usual choice; ``tau_rule`` records it). A larger
        ``tau`` carries an arm's last S(t) forward, as R does, with a :class:`ComparisonWarning`.
    reference : str, optional
        Reference arm; default the first arm name in sorted order (R's factor default).
    conf_level : float, optional
        Level of every confidence interval.
    time_unit : {"days", "weeks", "months", "years"}, optional
        Unit of ``time``, ``landmarks`` and ``tau``; carried to reports.

    Returns
    -------
    IPDSummary

    Raises
    ------
    InputError
        For missing columns, invalid times/events, an unknown ``reference`` or a bad parameter.

    Warns
    -----
    ComparisonWarning
        When ``tau`` exceeds an arm's last follow-up, or a hazard ratio is not estimable.

    Examples
    --------
    >>> import pandas as pd
    >>> ipd = pd.DataFrame({"arm": ["A"] * 4 + ["B"] * 4, "time": [1, 2, 3, 4, 2, 4, 6, 8],
    ...                     "event": [1, 1, 0, 1, 1, 0, 1, 1]})
    >>> s = summarize_ipd(ipd, landmarks=[2])
    >>> s.tau, s["A"].median.time, s["B"].landmarks.survival.tolist()
    (4.0, 3.0, [0.75])
    """
    data = _check_ipd(ipd)
    marks = _check_landmarks(landmarks)
    conf_level = check_probability(conf_level, name="conf_level")
    time_unit = check_choice(time_unit, name="time_unit", choices=TIME_UNITS)
    names = sorted(set(data["arm"].tolist()))
    if reference is None:
        reference = names[0]
    elif str(reference) not in names:
        raise InputError(f"reference must be one of the arms {names!r}, got {reference!r}")
    reference = str(reference)
    last = data.groupby("arm")["time"].max()
    if tau is None:
        tau_value, tau_rule = float(last.min()), TAU_RULE_DEFAULT
        if tau_value <= 0:
            raise InputError(f"tau must be > 0, got the smallest last follow-up {tau_value!r}; pass tau")
    else:
        tau_value, tau_rule = check_positive(tau, name="tau"), TAU_RULE_USER
        short = last[last < tau_value]
        if len(short):
            warnings.warn(
                f"tau = {tau_value:g} exceeds the last follow-up of {', '.join(map(str, short.index))} "
                f"({', '.join(f'{v:g}' for v in short)}); S(t) is carried forward there, as R does",
                ComparisonWarning, stacklevel=2,
            )
    order = [reference] + [name for name in names if name != reference]
    arms = tuple(
        _summarize_arm(name, data[data["arm"] == name], landmarks=marks, tau=tau_value, conf_level=conf_level)
        for name in order
    )
    kms = {summary.arm: summary.km for summary in arms}
    pairs = {name: (data.loc[data["arm"] == name, "time"], data.loc[data["arm"] == name, "event"]) for name in order}
    contrasts = tuple(
        contrast_arms(name, pairs[name], reference, pairs[reference], tau=tau_value, conf_level=conf_level,
                      arm_km=kms[name], reference_km=kms[reference])
        for name in order[1:]
    )
    overall = None
    if len(names) > 1:
        try:
            overall = logrank_test(data["time"], data["event"], data["arm"])
        except InputError:
            overall = None  # every patient censored: no test (the contrasts' notes say so)
    return IPDSummary(
        arms=arms, contrasts=contrasts, logrank_all=overall, reference=reference, landmarks=marks,
        tau=tau_value, tau_rule=tau_rule, conf_level=conf_level, time_unit=time_unit,
    )
