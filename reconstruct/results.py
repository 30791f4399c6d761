"""Result types of the reconstruction: frozen dataclasses with fixed fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FidelityReport", "ArmReconstruction", "IPDReconstruction"]


def _readonly(obj: object, *names: str, dtype: type | None = None) -> None:
    """Replace each named array field of a frozen dataclass with a read-only copy (of ``dtype`` when given)."""
    for name in names:
        arr = np.array(getattr(obj, name), dtype=dtype, copy=True)
        arr.setflags(write=False)
        object.__setattr__(obj, name, arr)


def _structured(time: NDArray[np.float64], event: NDArray[np.int64]) -> np.ndarray:
    """scikit-survival's structured array: fields ``event`` (bool) and ``time`` (float)."""
    from sksurv.util import Surv

    return Surv.from_arrays(event=event.astype(bool), time=time, name_event="event", name_time="time")


@dataclass(frozen=True, eq=False)
class FidelityReport:
    """How well a reconstruction reproduces its inputs, for one arm.

    Attributes
    ----------
    km_max_abs_diff, km_mean_abs_diff : float
        Kaplan-Meier of the reconstructed IPD against the (cleaned) input curve, at
        the input points, in survival units.
    at_risk_time : ndarray of shape (n_rows,)
        Times of the at-risk table used (only time 0 without a table).
    at_risk_given, at_risk_reconstructed : ndarray of int64, shape (n_rows,)
        Given numbers at risk and those of the reconstructed IPD (time >= table time).
    at_risk_max_abs_diff : int
        Largest absolute difference of the two.
    n_events : int
        Events in the reconstructed IPD.
    total_events_given : int or None
        Reported total events, if any.
    interval_censored : ndarray of int64, shape (n_rows,)
        Censored patients of the reconstruction in each table interval ``[T_i, T_{i+1})``
        (the last one runs to the end of the curve).
    interval_marks : ndarray of int64, shape (n_rows,) or None
        Censor marks seen in each interval, when marks were given. A mark can hide several
        censorings, so ``interval_marks > interval_censored`` flags a misread table or mark.
        Counts the marks the reconstruction used (see ``mark_notes``).
    mark_notes : tuple of str
        Censor marks dropped or set aside because they contradict the curve or the table
        (off the curve, where nobody is at risk, or making the fit worse than no marks), one
        line each; empty when every mark was used or none was given.
    """

    km_max_abs_diff: float
    km_mean_abs_diff: float
    at_risk_time: NDArray[np.float64]
    at_risk_given: NDArray[np.int64]
    at_risk_reconstructed: NDArray[np.int64]
    at_risk_max_abs_diff: int
    n_events: int
    total_events_given: int | None
    interval_censored: NDArray[np.int64]
    interval_marks: NDArray[np.int64] | None
    mark_notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _readonly(self, "at_risk_time", "at_risk_given", "at_risk_reconstructed", "interval_censored")
        if self.interval_marks is not None:
            _readonly(self, "interval_marks")

    @property
    def marks_exceed_censored(self) -> bool:
        """Whether some interval shows more censor marks than the reconstruction has censorings."""
        return self.interval_marks is not None and bool(np.any(self.interval_marks > self.interval_censored))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready mapping."""
        return {
            "km_max_abs_diff": float(self.km_max_abs_diff),
            "km_mean_abs_diff": float(self.km_mean_abs_diff),
            "at_risk": [
                {"time": float(t), "given": int(g), "reconstructed": int(r)}
                for t, g, r in zip(self.at_risk_time, self.at_risk_given, self.at_risk_reconstructed, strict=True)
            ],
            "at_risk_max_abs_diff": int(self.at_risk_max_abs_diff),
            "n_events": int(self.n_events),
            "total_events_given": self.total_events_given,
            "interval_censored": self.interval_censored.tolist(),
            "interval_marks": None if self.interval_marks is None else self.interval_marks.tolist(),
            "mark_notes": list(self.mark_notes),
        }


@dataclass(frozen=True, eq=False)
class ArmReconstruction:
    """Reconstructed individual patient data of one arm.

    Attributes
    ----------
    arm : str
        Arm name.
    time : ndarray of shape (n_patients,)
        Event or censoring times, ascending, in the curve's time unit.
    event : ndarray of int64, shape (n_patients,)
        1 = event, 0 = censored.
    fidelity : FidelityReport
    cleaning_notes : tuple of str
        Repairs made to the curve and the table before reconstruction.
    method : {"steps", "guyot"}
        ``"steps"`` refines Guyot with exact step heights; ``"guyot"`` is plain Guyot.
    iterations : int
    converged : bool
    """

    arm: str
    time: NDArray[np.float64]
    event: NDArray[np.int64]
    fidelity: FidelityReport
    cleaning_notes: tuple[str, ...]
    method: str
    iterations: int
    converged: bool

    def __post_init__(self) -> None:
        _readonly(self, "time", "event")

    @property
    def n_patients(self) -> int:
        """Number of reconstructed patients."""
        return int(self.time.size)

    @property
    def n_events(self) -> int:
        """Number of reconstructed events."""
        return int(self.event.sum())

    def to_frame(self) -> pd.DataFrame:
        """IPD as a DataFrame with columns ``arm, time, event``."""
        import pandas as pd

        return pd.DataFrame({"arm": self.arm, "time": self.time, "event": self.event})

    def to_structured(self) -> np.ndarray:
        """IPD as scikit-survival's structured array (fields ``event``, ``time``)."""
        return _structured(self.time, self.event)


@dataclass(frozen=True, eq=False)
class IPDReconstruction:
    """Reconstructed IPD of all arms of a figure, with provenance.

    Attributes
    ----------
    arms : tuple of ArmReconstruction
        In the order of the input curves.
    parameters : dict
        Every parameter of the run (method, precision, total events...).
    provenance : dict
        kmrecon version, input sha256 and parameters (see :func:`reconstruct.provenance`);
        empty when built from in-memory arrays.
    draws : IPDDraws or None
        Plausible IPD sets around this reconstruction (:func:`reconstruct.draw_ipd`) when asked for
        (``draws=`` of :func:`reconstruct.reconstruct_ipd`); ``draws.to_frame()`` is the long table
        ``draw, arm, time, event``. None when off.
    draws_note : str
        Why there are no draws, else "".
    """

    arms: tuple[ArmReconstruction, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    draws: Any = None
    draws_note: str = ""

    def __getitem__(self, arm: str) -> ArmReconstruction:
        for item in self.arms:
            if item.arm == arm:
                return item
        raise KeyError(arm)

    @property
    def arm_names(self) -> tuple[str, ...]:
        """Arm names in input order."""
        return tuple(a.arm for a in self.arms)

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """All arms' IPD as arrays ``arm, time, event`` (what :meth:`to_frame` holds, without pandas)."""
        return {"arm": np.repeat(np.array([a.arm for a in self.arms], dtype=object), [a.n_patients for a in self.arms]),
                "time": np.concatenate([a.time for a in self.arms]) if self.arms else np.zeros(0),
                "event": np.concatenate([a.event for a in self.arms]) if self.arms else np.zeros(0, np.int64)}

    def to_frame(self) -> pd.DataFrame:
        """All arms' IPD, columns ``arm, time, event`` (the IPD CSV contract)."""
        import pandas as pd

        return pd.DataFrame(self.to_columns())

    def to_structured(self) -> np.ndarray:
        """All arms' IPD as one scikit-survival structured array (arm order as in :meth:`to_frame`)."""
        columns = self.to_columns()
        return _structured(columns["time"], columns["event"])

    def summary_rows(self) -> list[dict[str, Any]]:
        """One record per arm: patients, events, fidelity figures and whether the solve converged."""
        rows = []
        for a in self.arms:
            f = a.fidelity
            rows.append(
                {
                    "arm": a.arm,
                    "n": a.n_patients,
                    "events": a.n_events,
                    "censored": a.n_patients - a.n_events,
                    "km_max_abs_diff": f.km_max_abs_diff,
                    "km_mean_abs_diff": f.km_mean_abs_diff,
                    "at_risk_max_abs_diff": f.at_risk_max_abs_diff,
                    "converged": a.converged,
                }
            )
        return rows

    def summary(self) -> pd.DataFrame:
        """:meth:`summary_rows` as a DataFrame, one row per arm."""
        import pandas as pd

        return pd.DataFrame(self.summary_rows())
