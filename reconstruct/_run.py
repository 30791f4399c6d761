"""From a KM figure to reconstructed IPD in one call: digitize, read or take the at-risk table, match arms, reconstruct.

The statistics and the report on the result live in :mod:`compare` and :mod:`figures`; the
``kmrecon run`` command chains them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reconstruct._arm_matching import ArmCurve, ArmMatch, RiskRowInfo, match_arms_to_rows
from reconstruct._io import provenance, read_at_risk_csv
from reconstruct._reconstruct import reconstruct_ipd
from reconstruct._results import IPDReconstruction
from reconstruct.errors import DigitizationWarning, InputError, ReconstructionError, ReconstructionWarning

__all__ = ["FigureRun", "run_figure"]


@dataclass(frozen=True, eq=False)
class FigureRun:
    """Everything ``kmrecon run`` derives from one figure.

    Attributes
    ----------
    digitized : DigitizedFigure
        Curves, censor marks and calibration read from the figure.
    arm_names : tuple of str
        Final name of each digitized arm, in digitizer order.
    at_risk : DataFrame
        The at-risk table used (``arm, time, n_risk``); empty when reconstructing from ``n`` only.
    at_risk_source : {"figure", "file", "none"}
        Where the at-risk numbers came from.
    match : ArmMatch or None
        How arms were matched to at-risk rows (None without a table).
    reconstruction : IPDReconstruction
    precision : float
        Precision (survival units) used for the step heights: half a pixel of the y axis.
    warnings : tuple of str
        Digitizer warnings plus the run's own (e.g. no table).
    provenance : dict
    """

    digitized: Any
    arm_names: tuple[str, ...]
    at_risk: pd.DataFrame
    at_risk_source: str
    match: ArmMatch | None
    reconstruction: IPDReconstruction
    precision: float
    warnings: tuple[str, ...]
    provenance: dict[str, Any]


def _rgb(colour: str | None) -> tuple[int, int, int] | None:
    if not colour or not colour.startswith("#") or len(colour) != 7:
        return None
    return tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))  # type: ignore[return-value]


def _is_vector(digitized) -> bool:
    return digitized.provenance.get("source_kind") == "vector"


def _figure_rows(path, digitized) -> list[RiskRowInfo]:
    """At-risk rows printed under the plot: from the text of a vector figure, else by OCR of the image."""
    from reconstruct._pdf import overlay_background, read_document_at_risk
    from reconstruct._risk_table import read_risk_table
    from reconstruct.errors import DigitizationError

    if _is_vector(digitized):
        try:
            frame = read_document_at_risk(path, digitized)
        except DigitizationError:
            return []
        return [RiskRowInfo(label=str(arm), colour=None, time=g["time"].to_numpy(), n_risk=g["n_risk"].to_numpy())
                for arm, g in frame.groupby("arm", sort=False)]
    row0, col0, row1, col1 = digitized.panel
    zero_row = float(digitized.y_calibration.to_px(0.0))
    if row1 - zero_row > 0.06 * (row1 - row0):  # SAS prints the numbers at risk inside the panel, under S = 0
        row1 = min(row1, int(np.ceil(zero_row)) + 2)
    table = read_risk_table(
        overlay_background(path, digitized), panel_bbox=(row0, col0, row1, col1),
        x_calibration=digitized.x_calibration.to_value, tick_values=digitized.x_calibration.values,
    )
    return [RiskRowInfo(label=r.label, colour=r.label_color, time=np.asarray(r.times), n_risk=np.asarray(r.n_risk))
            for r in table.rows]


def _outside_legend(path, digitized, labels: list, notes: list[str]):
    """Fill missing arm labels from legend keys outside the panel; return the keys' (row, col) or None."""
    from reconstruct._legend_outside import legend_keys_outside
    from reconstruct._pdf import overlay_background

    if len(digitized.arms) < 2:
        return None
    found = legend_keys_outside(overlay_background(path, digitized), digitized.panel,
                                [_rgb(a.colour) for a in digitized.arms])
    read = [label for label, _ in found]
    named = [r for r in read if r]
    if any(lab is None for lab in labels) and named and len(set(named)) == len(named):
        labels[:] = [lab or r for lab, r in zip(labels, read, strict=True)]
        notes.append("arm labels read from the legend outside the panel")
    keys = [key for _, key in found]
    return keys if all(k is not None for k in keys) else None


def _file_rows(at_risk_path) -> list[RiskRowInfo]:
    frame = read_at_risk_csv(at_risk_path)
    return [
        RiskRowInfo(label=str(arm), colour=None, time=g["time"].to_numpy(), n_risk=g["n_risk"].to_numpy())
        for arm, g in frame.groupby("arm", sort=False)
    ]


def run_figure(
    path: str | os.PathLike[str],
    *,
    at_risk_path: str | os.PathLike[str] | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    arm_names: Sequence[str] | None = None,
    n_patients: Mapping[str, int] | None = None,
    total_events: Mapping[str, int] | None = None,
    method: str = "steps",
    use_censor_marks: bool = True,
    page: int | None = None,
    index: int | None = None,
) -> FigureRun:
    """Digitize a KM figure and reconstruct the IPD of every arm.

    Parameters
    ----------
    path : path-like
        Figure: an image (PNG, JPEG, TIFF, BMP), a PDF or an SVG. Vector plots in a PDF or SVG are
        read from their drawing operations and text (exact coordinates, no OCR).
    at_risk_path : path-like, optional
        At-risk CSV (``arm,time,n_risk``); otherwise the table printed under the plot is read.
    x_range, y_range : (float, float), optional
        Values of the first and last labelled ticks (hints; otherwise read by OCR).
    arm_names : sequence of str, optional
        Names of the curves in digitizer order (see ``overlay.png``); also fixes the number of arms.
    n_patients : mapping of arm to int, optional
        Patients per arm, for figures without an at-risk table.
    total_events : mapping of arm to int, optional
        Reported total events per arm.
    method : {"steps", "guyot"}
        Reconstruction method (see :func:`reconstruct.reconstruct_arm`).
    use_censor_marks : bool, default True
        Place censored patients at the censor marks found on the curves.
    page, index : int, optional
        Which plot of a PDF (``page``) or of a page / SVG (``index``), 1-based.

    Returns
    -------
    FigureRun

    Raises
    ------
    InputError
        For unreadable inputs or names that do not fit the figure.
    ReconstructionError
        When arms and at-risk rows cannot be matched without guessing, or neither a table nor
        ``n_patients`` is available.
    """
    from reconstruct._pdf import digitize_document

    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DigitizationWarning)
        fig = digitize_document(path, page=page, index=index, x_range=x_range, y_range=y_range)
    notes.extend(str(w.message) for w in caught)
    if arm_names and len(arm_names) != len(fig.arms):
        raise InputError(f"--arm-names: expected {len(fig.arms)} names (curves found), got {len(arm_names)}")
    labels = list(arm_names) if arm_names else [a.label for a in fig.arms]
    keys = None
    if not arm_names and not _is_vector(fig) and any(lab is None for lab in labels):
        keys = _outside_legend(path, fig, labels, notes)
    curves_in = [
        ArmCurve(label=labels[k], colour=_rgb(a.colour), time=np.asarray(a.time), survival=np.asarray(a.survival))
        for k, a in enumerate(fig.arms)
    ]
    rows = _file_rows(at_risk_path) if at_risk_path is not None else _figure_rows(path, fig)
    source = "file" if at_risk_path is not None else ("figure" if rows else "none")
    match = None
    if rows:
        match = match_arms_to_rows(curves_in, rows)
        if match.basis == "guess" and keys is not None and len(rows) == len(fig.arms):
            # rows top to bottom follow the legend (survminer, lifelines and journal tables do)
            order = sorted(range(len(keys)), key=lambda k: keys[k])
            chosen = [0] * len(order)
            for row_index, arm_index in enumerate(order):
                chosen[arm_index] = row_index
            match = ArmMatch(rows=tuple(chosen), basis="legend order",
                             detail="at-risk rows taken in legend order (labels, colours and numbers left it open)")
        if match.basis in ("guess", "legend order"):
            notes.append(f"arm matching: {match.detail}")
        # Names: --arm-names, then those of a user's at-risk file, then legend labels, then printed row labels.
        given = [rows[match.rows[k]].label for k in range(len(fig.arms))]
        first, second = (given, labels) if at_risk_path is not None and not arm_names else (labels, given)
        names = [first[k] or second[k] or f"arm{k + 1}" for k in range(len(fig.arms))]
    else:
        names = [lab or f"arm{k + 1}" for k, lab in enumerate(labels)]
        if not n_patients:
            raise ReconstructionError(
                "expected a number-at-risk table under the plot, got none; pass --at-risk AT_RISK.csv or the "
                "number of patients per arm with --n ARM=N"
            )
        notes.append("no at-risk table: reconstructed from the number of patients per arm only")
    if len(set(names)) != len(names):
        raise InputError(f"expected distinct arm names, got {names}; pass --arm-names")
    curves = pd.concat(
        [pd.DataFrame({"arm": names[k], "time": a.time, "survival": a.survival}) for k, a in enumerate(fig.arms)],
        ignore_index=True,
    )
    if match is not None and source == "figure":  # cells the OCR missed: named in the notes, time 0 filled
        from reconstruct._table_gaps import complete_rows

        filled, gap_notes = complete_rows([rows[j] for j in match.rows], curves_in)
        rows = list(rows)
        for k, j in enumerate(match.rows):
            rows[j] = filled[k]
        notes.extend(gap_notes)
    table = pd.DataFrame(columns=["arm", "time", "n_risk"])
    if match is not None:
        table = pd.concat(
            [pd.DataFrame({"arm": names[k], "time": rows[j].time, "n_risk": rows[j].n_risk})
             for k, j in enumerate(match.rows)],
            ignore_index=True,
        )
    marks = pd.concat(
        [pd.DataFrame({"arm": names[k], "time": a.censor_time}) for k, a in enumerate(fig.arms)], ignore_index=True
    )
    # How far a step height can be trusted: half a pixel of the survival axis for an image; for a
    # vector figure 0.005 pt, half the coarsest coordinate rounding seen in PDF writers (R: 0.01 pt).
    unit = float(abs(fig.y_calibration.to_value(1.0) - fig.y_calibration.to_value(0.0)))
    precision = max((0.005 if _is_vector(fig) else 0.5) * unit, 1e-9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReconstructionWarning)
        result = reconstruct_ipd(
            curves,            table if match is not None else None,
            n_patients=n_patients,
            total_events=total_events,
            method=method,
            precision=precision,
            censor_marks=marks if use_censor_marks and len(marks) else None,
            source=os.fspath(path),
        )
    notes.extend(str(w.message) for w in caught if issubclass(w.category, ReconstructionWarning))
    params = {
        "x_range": x_range, "y_range": y_range, "page": page, "index": index,
        "arm_names": list(arm_names or []), "method": method,
        "use_censor_marks": use_censor_marks, "precision": precision, "n_patients": dict(n_patients or {}),
        "total_events": dict(total_events or {}), "at_risk_source": source,
        "arm_match": None if match is None else {"basis": match.basis, "detail": match.detail},
    }
    prov = provenance(inputs={"figure": path, "at_risk": at_risk_path}, parameters=params,
                      command="reconstruct.run_figure")
    return FigureRun(
        digitized=fig, arm_names=tuple(names), at_risk=table, at_risk_source=source, match=match,
        reconstruction=result, precision=precision, warnings=tuple(notes), provenance=prov,
    )
