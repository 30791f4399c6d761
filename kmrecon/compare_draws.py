"""The draws behind ``kmrecon compare --ipd``: found beside each IPD file, checked, and turned into intervals.

For an IPD file ``path.csv`` the draws are, in this order:

1. the file given with ``--ipd-draws TRIAL:ARM[:ENDPOINT]=draws.csv[#ARM]``;
2. the file named by the sidecar: ``path.json`` (``kmrecon reconstruct -o path.csv``) or, for an
   ``ipd.csv``, the ``run.json`` beside it (``kmrecon run``): its ``draws.file``. A sidecar that
   records no draws (``--draws 0``, skipped as too costly, a batch) says why, and that reason is shown;
3. ``path_draws.csv`` beside the IPD when no sidecar records anything.

The draws must hold the IPD's arm with exactly its number of patients in every draw; anything else
means they belong to another reconstruction and is an input error (exit status 2), never a silent
interval. ``--no-draws`` ignores them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reconstruct.errors import InputError
from reconstruct.io import read_ipd_csv, read_table_csv

__all__ = ["find_draws", "load_arm_draws", "collect_draws", "survival_uncertainties", "DRAWS_COLUMNS"]

DRAWS_COLUMNS = ("draw", "arm", "time", "event")


def _sidecar_draws(ipd_path: Path) -> tuple[dict[str, Any] | None, Path | None]:
    """The ``draws`` record of the IPD's sidecar and the sidecar's path, or (None, None)."""
    candidates = [ipd_path.with_suffix(".json")]
    if ipd_path.name == "ipd.csv":
        candidates.append(ipd_path.with_name("run.json"))
    for sidecar in candidates:
        if not sidecar.is_file():
            continue
        try:
            record = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("draws"), dict):
            return record["draws"], sidecar
    return None, None


def find_draws(ipd_path: str | os.PathLike[str]) -> tuple[Path | None, str]:
    """Where the draws of an IPD file are (rules 2 and 3 of the module docstring), or why there are none.

    Parameters
    ----------
    ipd_path : path-like
        The IPD CSV (without ``#ARM``).

    Returns
    -------
    path : Path or None
    note : str
        Why there are no draws, else "".
    """
    ipd_path = Path(ipd_path)
    record, sidecar = _sidecar_draws(ipd_path)
    if record is not None:
        name = record.get("file")
        if not name:
            return None, f"no draws: {sidecar.name} records none ({record.get('note') or 'no reason given'})"
        path = ipd_path.parent / str(name)
        if not path.is_file():
            return None, f"no draws: {sidecar.name} names {name}, which is not beside {ipd_path.name}"
        return path, ""
    beside = ipd_path.with_name(f"{ipd_path.stem}_draws.csv")
    if beside.is_file():
        return beside, ""
    return None, (f"no draws: no sidecar of {ipd_path.name} records draws and there is no {beside.name} "
                  "(real IPD, or reconstructed without draws)")


def load_arm_draws(draws_spec: str | os.PathLike[str], ipd_spec: str | os.PathLike[str], n_patients: int,
                   ) -> pd.DataFrame:
    """Read the draws of one IPD arm and check that they belong to it.

    Parameters
    ----------
    draws_spec : path-like
        ``draws.csv`` or ``draws.csv#ARM`` (columns ``draw, arm, time, event``).
    ipd_spec : path-like
        The ``--ipd`` value ``ipd.csv[#ARM]``: without ``#ARM`` on the draws, its arm is used.
    n_patients : int
        Patients of the IPD arm: every draw must have exactly as many.

    Returns
    -------
    DataFrame
        Columns ``draw, time, event`` of the arm, draws numbered 0..M-1.

    Raises
    ------
    InputError
        For a malformed file, a missing arm, draws not numbered 0..M-1, or a draw whose number of
        patients differs from the IPD's.
    """
    path, sep, arm = os.fspath(draws_spec).partition("#")
    if not sep:
        ipd_path, ipd_sep, arm = os.fspath(ipd_spec).partition("#")
        if not ipd_sep:
            arm = str(read_ipd_csv(ipd_path)["arm"].iloc[0])
    frame = read_table_csv(path, DRAWS_COLUMNS, numeric=("draw", "time", "event"), integer=("draw", "event"))
    arms = list(dict.fromkeys(frame["arm"]))
    rows = frame[frame["arm"] == arm]
    if rows.empty:
        raise InputError(f"expected draws of arm {arm!r}, got arms {arms}; select one with draws.csv#ARM",
                         source=path)
    draw = rows["draw"].to_numpy(dtype=np.int64)
    time, event = rows["time"].to_numpy(dtype=float), rows["event"].to_numpy(dtype=np.int64)
    if np.any(time < 0) or np.any((event != 0) & (event != 1)):
        raise InputError("expected times >= 0 and event 0 or 1 in every draw", source=path)
    counts = np.bincount(draw) if draw.min() >= 0 else np.zeros(0, dtype=np.int64)
    if counts.size == 0 or np.any(counts == 0):
        raise InputError(f"expected draws numbered 0..M-1 for arm {arm!r}, got {sorted(set(draw.tolist()))[:5]}...",
                         source=path)
    wrong = np.flatnonzero(counts != n_patients)
    if wrong.size:
        raise InputError(f"expected {n_patients} patients of arm {arm!r} in every draw (as in its IPD), got "
                         f"{int(counts[wrong[0]])} in draw {int(wrong[0])}; these draws belong to another "
                         "reconstruction: re-run it, or pass --no-draws", source=path)
    return pd.DataFrame({"draw": draw, "time": time, "event": event})


def collect_draws(specs: Mapping[tuple[str, str, str], str], ipd: Mapping[tuple[str, str, str], tuple[Any, Any]],
                  explicit: Mapping[tuple[str, str, str], str], *, enabled: bool = True,
                  ) -> tuple[dict[tuple[str, str, str], pd.DataFrame], dict[tuple[str, str, str], str],
                             dict[tuple[str, str, str], str]]:
    """The draws of every IPD arm: frames, notes for arms without, and the files read.

    Parameters
    ----------
    specs : mapping of (trial, arm, endpoint) to str
        The IPD specs ``path.csv[#ARM]``.
    ipd : mapping of (trial, arm, endpoint) to (time, event)
        The IPD read from them.
    explicit : mapping of (trial, arm, endpoint) to str
        ``--ipd-draws`` specs; each key must be an IPD arm.
    enabled : bool, default True
        False (``--no-draws``): no draws at all.

    Returns
    -------
    draws, notes, files : dict
    """
    unknown = [k for k in explicit if k not in specs]
    if unknown:
        t, a, e = unknown[0]
        raise InputError(f"expected --ipd-draws for an arm given with --ipd, got {t}:{a}:{e}", source="--ipd-draws")
    draws, notes, files = {}, {}, {}
    for key, spec in specs.items():
        if not enabled:
            notes[key] = "no draws: turned off (--no-draws)"
            continue
        found = explicit.get(key)
        if found is None:
            path, note = find_draws(spec.partition("#")[0])
            if path is None:
                notes[key] = note
                continue
            found = os.fspath(path)
        draws[key] = load_arm_draws(found, spec, len(ipd[key][0]))
        files[key] = found.partition("#")[0]
    return draws, notes, files


def survival_uncertainties(report: Any, ipd: Mapping[tuple[str, str, str], tuple[Any, Any]],
                           draws: Mapping[tuple[str, str, str], pd.DataFrame],
                           notes: Mapping[tuple[str, str, str], str]) -> list[Any]:
    """:func:`compare.indirect.survival_uncertainty.endpoint_uncertainty` for every survival endpoint of a report."""
    from compare.indirect.survival_uncertainty import endpoint_uncertainty

    params = report.parameters
    out = []
    for rep in report.survival:
        keys = {f"{t}:{a}": (t, a, e) for (t, a, e) in ipd if e == rep.endpoint}
        order = [str(k) for k in rep.table["arm"]]
        reference = (str(rep.contrast_table["reference"].iloc[0]) if not rep.contrast_table.empty else order[0])
        out.append(endpoint_uncertainty(
            rep.endpoint, {k: ipd[keys[k]] for k in order}, {k: draws.get(keys[k]) for k in order},
            reference=reference, tau=rep.tau, landmarks=params.get("landmarks", (6, 12, 24)),
            conf_level=params.get("conf_level", 0.95), time_unit=params.get("time_unit", "months"),
            notes={k: notes[keys[k]] for k in order if keys[k] in notes}))
    return out
