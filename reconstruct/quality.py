"""Does a reconstruction fit its figure? Misfit scores per arm, the quality gate and arm matching by fit.

A reconstruction is a *misfit* when the Kaplan-Meier curve of its IPD misses the digitized curve by
more than the digitization precision allows, or when its at-risk table contradicts the curve (a row
keeps more patients than the curve lets survive). Both are scored in units of their tolerance, so
``score > 1`` is a misfit and scores of different arms add up.

The tolerances are set by ``benchmarks/bench_silent.py`` (runs on generated figures with true,
shifted and swapped tables), not by hand:

- KM miss: the mean ``|KM(reconstruction) - digitized curve|`` over 400 equally spaced times up to the
  curve's end, against ``KM_TOLERANCE_FLOOR + KM_TOLERANCE_PER_PRECISION * precision`` (``precision``
  is the standard error of a digitized survival value: half a pixel of the y axis for an image).
- Table bound: ``n(T_{i+1}) <= n(T_i) S(T_{i+1}-) / S(T_i-)`` is exact for a KM curve; the excess is
  measured against ``1 + n(T_i) * (BOUND_SLACK + 4 precision / S(T_{i+1}-))`` patients, with ``S`` read
  where it is most lenient within the step-time error (two pixels of the time axis in ``run``).
- Trace checks (the reconstruction fits the trace, so they look at the trace itself): a drop of the traced
  curve with no vertical stroke drawn under it (:mod:`reconstruct.digitize.trace_check`; the trace left its
  curve for text or another curve) is measured against ``BARE_DROP_TOLERANCE`` survival units, and a curve
  that ends above S = 0.05 before the last table time with patients at risk (a truncated trace: every
  patient at risk at ``T`` is followed at least to ``T``) against ``SHORT_TOLERANCE`` of the curve's length.
- Matching by fit: the assignment of rows to curves with the smallest summed score is taken when the
  runner-up's sum is larger by at least ``MATCH_MARGIN`` (one full tolerance).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reconstruct.csv_columns import arm_rows

__all__ = ["ArmFit", "FitMatch", "KM_TOLERANCE_FLOOR", "KM_TOLERANCE_PER_PRECISION", "BOUND_SLACK",
           "MATCH_MARGIN", "km_tolerance", "score_arm", "table_bound_ratio", "choose_by_fit", "misfit_message",
           "assess_reconstruction", "check_fit_files", "pair_scorer", "BARE_DROP_TOLERANCE", "SHORT_TOLERANCE",
           "short_of_table", "step_at"]

KM_TOLERANCE_FLOOR = 0.01
KM_TOLERANCE_PER_PRECISION = 4.0
BOUND_SLACK = 0.03
MATCH_MARGIN = 1.0
BARE_DROP_TOLERANCE = 0.05
SHORT_TOLERANCE = 0.03
_GRID = 400


def km_tolerance(precision: float) -> float:
    """Largest mean KM miss (survival units) that a fitting reconstruction shows at this precision."""
    return KM_TOLERANCE_FLOOR + KM_TOLERANCE_PER_PRECISION * float(precision)


@dataclass(frozen=True)
class ArmFit:
    """How one arm's reconstruction fits its digitized curve and table.

    Attributes
    ----------
    arm : str
    km_mean_miss, km_max_miss : float
        Mean and largest ``|KM(reconstruction) - curve|`` on 400 times up to the curve's end.
    km_tolerance : float
        Allowed mean miss (see :func:`km_tolerance`).
    bound_ratio : float
        Largest excess of an at-risk row over the exact bound, in units of its slack (0 when none).
    bound_time : float or None
        Table time of that row.
    score : float
        ``max(km_mean_miss / km_tolerance, bound_ratio, trace_ratio)``; above 1 is a misfit.
    trace_ratio : float
        The worse of the trace checks in units of their tolerance: the largest drop of the trace
        with nothing drawn under it over ``BARE_DROP_TOLERANCE``, and how far the curve ends before
        the table's last time with patients at risk over ``SHORT_TOLERANCE`` of its length.
    trace_note : str
        What the trace check found, for the message ("" when nothing).
    covered_from : float or None
        Where the curve, seen to run on under a box drawn over the panel, was read up to while the
        at-risk table has patients later (not a misfit, a reading to flag); None otherwise.
    cut_at : float or None
        Where the digitizer cut the trace off, having left its curve there (``quality["cut_at_time"]``
        of the digitized arm): the curve's end after it is not read (not a misfit, a reading to flag);
        None otherwise.
    """

    arm: str
    km_mean_miss: float
    km_max_miss: float
    km_tolerance: float
    bound_ratio: float
    bound_time: float | None
    score: float
    trace_ratio: float = 0.0
    trace_note: str = ""
    covered_from: float | None = None
    cut_at: float | None = None

    @property
    def misfit(self) -> bool:
        """Whether the reconstruction is a misfit (``score > 1``)."""
        return self.score > 1.0

    def describe(self) -> str:
        """What misses, in one clause."""
        if self.trace_ratio > 1.0 and self.trace_ratio >= max(self.km_mean_miss / self.km_tolerance,
                                                               self.bound_ratio):
            return self.trace_note
        if self.km_mean_miss / self.km_tolerance >= self.bound_ratio:
            return (f"its KM misses the digitized curve by {self.km_mean_miss:.3f} on average (largest "
                    f"{self.km_max_miss:.3f}; tolerance {self.km_tolerance:.3f})")
        return (f"its at-risk row at t={self.bound_time:g} keeps more patients than the curve lets survive "
                f"({self.bound_ratio:.1f} times the allowed slack)")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"arm": self.arm, "km_mean_miss": self.km_mean_miss, "km_max_miss": self.km_max_miss,
                "km_tolerance": self.km_tolerance, "bound_ratio": self.bound_ratio, "bound_time": self.bound_time,
                "score": self.score, "trace_ratio": self.trace_ratio, "trace_note": self.trace_note,
                "covered_from": self.covered_from, "cut_at": self.cut_at, "misfit": self.misfit}


def step_at(time: NDArray[np.float64], survival: NDArray[np.float64], at: NDArray[np.float64]) -> NDArray[np.float64]:
    """A step curve's value (right-continuous, 1 before its first corner) at times ``at``."""
    idx = np.searchsorted(time, at, side="right") - 1
    return np.where(idx >= 0, survival[np.clip(idx, 0, None)], 1.0)


def _as_proportion(survival: NDArray[np.float64]) -> NDArray[np.float64]:
    return survival / 100.0 if survival.size and np.nanmax(survival) > 1.5 else survival


def table_bound_ratio(curve_time, curve_survival, table_time, n_risk, *, precision: float,
                      time_precision: float | None = None) -> tuple[float, float | None]:
    """Largest excess of a table row over ``n(T_i) S(T_{i+1}-) / S(T_i-)``, in units of its slack.

    A step digitized a little before a table time would otherwise count as a death before it, so
    the bound is taken at its most lenient within ``time_precision``: ``S`` just before
    ``T_{i+1} - time_precision`` over ``S`` just before ``T_i + time_precision``.

    Parameters
    ----------
    curve_time, curve_survival : array_like of shape (n_points,)
        Step corners of the digitized curve (proportion or percent).
    table_time, n_risk : array_like of shape (n_rows,)
    precision : float
    time_precision : float, optional
        How far a digitized step time may be off (default: 0.5% of the curve's end).

    Returns
    -------
    ratio : float
        0 when every row keeps within the bound and its slack.
    time : float or None
        The row where the ratio is largest (None when the ratio is 0).
    """
    t = np.asarray(curve_time, float)
    order = np.argsort(t, kind="stable")
    t, s = t[order], _as_proportion(np.asarray(curve_survival, float))[order]
    rt, n = np.asarray(table_time, float), np.asarray(n_risk, float)
    inside = rt <= t[-1]
    rt, n = rt[inside], n[inside]
    if rt.size < 2:
        return 0.0, None
    delta = 0.005 * float(t[-1]) if time_precision is None else float(time_precision)

    def before(at):
        idx = np.searchsorted(t, at, side="left") - 1
        return np.where(idx >= 0, s[np.clip(idx, 0, None)], 1.0)

    upper, lower = before(rt[1:] - delta), before(rt[:-1] + delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(lower > 0, np.minimum(upper / lower, 1.0), 0.0)
        slack = 1.0 + n[:-1] * (BOUND_SLACK + 4.0 * precision / np.maximum(upper, 0.02))
    excess = (n[1:] - n[:-1] * ratio) / slack
    k = int(np.argmax(excess))
    if excess[k] <= 0:
        return 0.0, None
    return float(excess[k]), float(rt[k + 1])


def _trace_check(curve_end: float, curve_level: float, table_time, n_risk, bare_drop: float,
                 bare_drop_time: float | None, time_limit: float | None,
                 covered_end: bool = False, cut_at_time: float | None = None) -> tuple[float, str, float | None]:
    """``(trace_ratio, note, covered_from)`` of :class:`ArmFit`.

    A curve seen to run on under a box drawn over the panel (``covered_end``) is not short of its
    table: it is read up to the box, and ``covered_from`` says where. A trace cut off where it left
    its curve (``cut_at_time``) gets a note when nothing else is found (the flag is the caller's:
    :attr:`ArmFit.cut_at`).
    """
    ratio, note, covered = 0.0, "", None
    if cut_at_time is not None:
        note = cut_note(cut_at_time)
    if bare_drop > 0:
        ratio = bare_drop / BARE_DROP_TOLERANCE
        note = (f"its traced curve drops by {bare_drop:.3f} at t={bare_drop_time:g} where no line is drawn (the "
                "trace left its curve, for a label or another curve)")
    if table_time is not None and n_risk is not None:
        short_ratio, alive = short_of_table(curve_end, curve_level, table_time, n_risk, time_limit)
        if covered_end and short_ratio > 1.0:
            covered, short_ratio = curve_end, 0.0
        if short_ratio > ratio:
            ratio = short_ratio
            note = (f"its traced curve ends at t={curve_end:g}, before t={alive:g} where the at-risk "
                    "table still has patients (the trace stopped short of its curve)")
    return ratio, note, covered


def cut_note(cut_at_time: float) -> str:
    """The note (and flag) of a trace cut off at ``cut_at_time`` (``quality["cut_at_time"]`` of a digitized arm)."""
    return f"its trace was cut at t={cut_at_time:g}, the curve's end there is not read"


def short_of_table(curve_end: float, curve_level: float, table_time, n_risk,
                   time_limit: float | None = None) -> tuple[float, float]:
    """``(ratio, alive)``: how far a curve ending at ``curve_end`` stops short of its at-risk row, as the fit check
    rules it (short when ``ratio > 1``), and ``alive``, the row's last time with patients (up to ``time_limit``).

    The ratio is the gap to ``alive`` over ``SHORT_TOLERANCE`` of the curve's end; 0 for a row without patients
    and for a curve ending below 0.05 (it may be hidden in the time axis, and cut off there it cannot move the KM
    much). A curve under a box drawn over the panel is the caller's to exempt (``covered_end`` of :func:`score_arm`).
    """
    rt, n = np.asarray(table_time, float), np.asarray(n_risk, float)
    alive = rt[(n > 0) & (rt <= (np.inf if time_limit is None else time_limit))]
    if not alive.size:
        return 0.0, float("nan")
    short = float(alive.max()) - curve_end
    ratio = short / (SHORT_TOLERANCE * max(curve_end, 1e-9)) if curve_level >= 0.05 else 0.0
    return ratio, float(alive.max())


def score_arm(arm: str, curve_time, curve_survival, rec_time, rec_event, *, precision: float,
              table_time=None, n_risk=None, time_precision: float | None = None, bare_drop: float = 0.0,
              bare_drop_time: float | None = None, time_limit: float | None = None,
              covered_end: bool = False, cut_at_time: float | None = None) -> ArmFit:
    """Score one reconstruction against its digitized curve (and table).

    Parameters
    ----------
    arm : str
    curve_time, curve_survival : array_like of shape (n_points,)
        Digitized step corners (proportion or percent).
    rec_time, rec_event : array_like of shape (n_patients,)
        The reconstructed IPD.
    precision : float
        Standard error of a digitized survival value (survival units).
    table_time, n_risk : array_like, optional
        The at-risk table used.
    time_precision : float, optional
        How far a digitized step time may be off (see :func:`table_bound_ratio`).
    bare_drop, bare_drop_time : float, optional
        The trace's largest drop with nothing drawn under it (survival units) and its time, from the
        digitizer's arm quality; 0 and None when unknown or none.
    time_limit : float, optional
        Last time the figure shows (its x axis' end); table times after it are not checked
        against the curve's end. Without it, the end of the curve is checked against every row.
    covered_end : bool, default False
        The digitizer saw the curve run on under a box drawn over the panel (an opaque legend) where
        its trace ends (arm quality ``covered_end``): an end before the table's last patients is then
        no misfit, and ``covered_from`` of the result says where the reading stops.
    cut_at_time : float, optional
        Where the digitizer cut the trace off (arm quality ``cut_at_time``): ``cut_at`` of the result,
        and its note when nothing else is found.

    Returns
    -------
    ArmFit
    """
    from reconstruct.reconstruction import km_at

    t = np.asarray(curve_time, float)
    order = np.argsort(t, kind="stable")
    t, s = t[order], _as_proportion(np.asarray(curve_survival, float))[order]
    grid = np.linspace(0.0, float(t[-1]), _GRID)
    km = km_at(np.asarray(rec_time, float), np.asarray(rec_event, np.int64), grid)
    miss = np.abs(km - step_at(t, s, grid))
    tol = km_tolerance(precision)
    ratio, when = (0.0, None)
    if table_time is not None and n_risk is not None:
        ratio, when = table_bound_ratio(t, s, table_time, n_risk, precision=precision,
                                        time_precision=time_precision)
    mean = float(miss.mean())
    trace, note, covered = _trace_check(float(t[-1]), float(s[-1]), table_time, n_risk, float(bare_drop or 0.0),
                                        bare_drop_time, time_limit, covered_end, cut_at_time)
    return ArmFit(arm=arm, km_mean_miss=mean, km_max_miss=float(miss.max()), km_tolerance=tol,
                  bound_ratio=ratio, bound_time=when, score=max(mean / tol, ratio, trace), trace_ratio=trace,
                  trace_note=note, covered_from=covered, cut_at=cut_at_time)


@dataclass(frozen=True)
class FitMatch:
    """The assignment of at-risk rows to curves that fits best, and by how much.

    Attributes
    ----------
    rows : tuple of int
        ``rows[k]`` is the row of curve ``k``.
    score, runner_up : float
        Summed misfit scores of the best and the second-best assignment (inf when there is none).
    clear : bool
        ``runner_up - score >= MATCH_MARGIN``.
    costs : tuple of tuple of float
        ``costs[k][j]``: misfit score of curve ``k`` reconstructed with row ``j``.
    """

    rows: tuple[int, ...]
    score: float
    runner_up: float
    clear: bool
    costs: tuple[tuple[float, ...], ...] = ()

    def total(self, rows: Sequence[int]) -> float:
        """Summed score of another assignment (``rows[k]`` = row of curve ``k``)."""
        return float(sum(self.costs[k][j] for k, j in enumerate(rows)))

    def allows(self, rows: Sequence[int]) -> bool:
        """Whether an assignment fits within ``MATCH_MARGIN`` of the best one."""
        return self.total(rows) - self.score < MATCH_MARGIN

    @property
    def margin(self) -> float:
        """Runner-up minus best summed score."""
        return self.runner_up - self.score

    def detail(self) -> str:
        """One line for the report."""
        return (f"the reconstruction with this assignment misfits by {self.score:.2f} tolerance units, the next "
                f"best by {self.runner_up:.2f} (needed margin {MATCH_MARGIN:g})")


def choose_by_fit(n_arms: int, n_rows: int, score: Callable[[int, int], float]) -> FitMatch:
    """Score every assignment of rows to arms by the sum of ``score(arm, row)`` and pick the best.

    Parameters
    ----------
    n_arms, n_rows : int
        At most 4 arms (24 assignments; each pair is scored once).
    score : callable
        ``score(k, j)``: misfit score of curve ``k`` reconstructed with row ``j`` (inf if impossible).

    Returns
    -------
    FitMatch
    """
    costs = np.array([[score(k, j) for j in range(n_rows)] for k in range(n_arms)], dtype=float)
    totals = sorted((float(sum(costs[k, p[k]] for k in range(n_arms))), p)
                    for p in itertools.permutations(range(n_rows), n_arms))
    best_total, best = totals[0]
    second = totals[1][0] if len(totals) > 1 else np.inf
    clear = bool(np.isfinite(best_total) and (second - best_total >= MATCH_MARGIN))
    return FitMatch(rows=tuple(int(v) for v in best), score=best_total, runner_up=float(second), clear=clear,
                    costs=tuple(tuple(float(v) for v in row) for row in costs))


def pair_scorer(arms: Sequence[Any], rows: Sequence[Any], *, precision: float, method: str,
                marks: Sequence[Any] | None, time_precision: float | None = None) -> Callable[[int, int], float]:
    """``score(k, j)`` for :func:`choose_by_fit`: reconstruct curve ``k`` with row ``j`` and score it.

    ``arms`` have ``time, survival``; ``rows`` have ``time, n_risk``; ``marks[k]`` are censor times or None.
    With marks, the better of the reconstructions with and without them counts: a mark misread (or
    mishandled) must not make the right row look wrong.
    """
    from reconstruct.reconstruction import reconstruct_arm
    from reconstruct.errors import KmreconError, ReconstructionWarning

    def one(k: int, j: int, censor_times) -> float:
        a, r = arms[k], rows[j]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ReconstructionWarning)
                rec = reconstruct_arm(a.time, a.survival, at_risk_time=r.time, at_risk=r.n_risk, method=method,
                                      precision=precision, censor_times=censor_times, arm=f"curve {k + 1}")
        except KmreconError:
            return np.inf
        fit = score_arm("", a.time, a.survival, rec.time, rec.event, precision=precision,
                        table_time=r.time, n_risk=r.n_risk, time_precision=time_precision)
        return max(fit.km_mean_miss / fit.km_tolerance, fit.bound_ratio)  # the trace checks judge no row

    def score(k: int, j: int) -> float:
        # Marks only refine where censorings go; whether a row belongs to a curve must not hinge on them.
        plain = one(k, j, None)
        return plain if marks is None or marks[k] is None else min(plain, one(k, j, marks[k]))

    return score


def misfit_message(fits: Sequence[ArmFit], *, accept_hint: bool = True) -> str:
    """One line naming the worst-fitting arm, the size of the miss and what to check."""
    worst = max(fits, key=lambda f: f.score)
    others = [f.arm for f in fits if f.misfit and f is not worst]
    also = f" (also misfit: {', '.join(others)})" if others else ""
    hint = "; or pass --accept-misfit to write the results flagged" if accept_hint else ""
    return (f"arm {worst.arm!r}: expected a reconstruction that fits the figure, got a misfit: {worst.describe()}"
            f"{also}; check overlay.png, the at-risk table times and --arm-names{hint}")


def assess_reconstruction(result, curves, at_risk, *, precision: float) -> tuple[ArmFit, ...]:
    """Score every arm of an :class:`~reconstruct.IPDReconstruction` against its curve CSV and table.

    Parameters
    ----------
    result : IPDReconstruction
    curves : DataFrame
        ``arm, time, survival``.
    at_risk : DataFrame or None
        ``arm, time, n_risk``.
    precision : float

    Returns
    -------
    tuple of ArmFit
    """
    fits = []
    for arm in result.arms:
        c = arm_rows(curves, arm.arm)
        table = None if at_risk is None else arm_rows(at_risk, arm.arm)
        has_table = table is not None and len(table) > 0
        fits.append(score_arm(arm.arm, np.asarray(c["time"], float), np.asarray(c["survival"], float), arm.time,
                              arm.event, precision=precision,
                              table_time=np.asarray(table["time"], float) if has_table else None,
                              n_risk=np.asarray(table["n_risk"], float) if has_table else None))
    return tuple(fits)


def check_fit_files(result, curves, table=None, *, precision: float,
                    accept_misfit: bool = False) -> tuple[ArmFit, ...]:
    """The quality gate for a reconstruction from files (``kmrecon reconstruct``).

    Parameters
    ----------
    result : IPDReconstruction
        From :func:`reconstruct.reconstruct_files`.
    curves, table : DataFrame
        The curve points and (optional) at-risk table it was reconstructed from
        (:func:`reconstruct.reconstruction.read_reconstruction_inputs`).
    precision : float
        Standard error of a digitized survival value used for the reconstruction.
    accept_misfit : bool, default False
        Return the scores of a misfit instead of raising.

    Returns
    -------
    tuple of ArmFit

    Raises
    ------
    MisfitError
        When an arm misfits and ``accept_misfit`` is false; ``error.result`` is ``result``.
    """
    from reconstruct.errors import MisfitError

    fits = assess_reconstruction(result, curves, table, precision=precision)
    if any(f.misfit for f in fits) and not accept_misfit:
        message = misfit_message(fits).replace("check overlay.png, ", "check the fit plot, ")
        raise MisfitError(message.replace("and --arm-names", "and the arm names in both files"), fits=fits,
                          result=result)
    return fits
