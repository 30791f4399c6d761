"""Curve and at-risk files from other tools: WebPlotDigitizer exports and the inputs of R reconstruction packages.

Formats read (names as written in the sidecar JSON):

curves
    ``kmrecon``
        ``arm,time,survival`` (the CSV contract).
    ``wpd-csv``
        WebPlotDigitizer's "Download .CSV" of one dataset: no header, one ``x<sep>y`` row per point,
        ``sep`` one of ``", "``, ``"; "`` (then with decimal commas) or a tab. WebPlotDigitizer names the
        file after the dataset, so the arm is the file name's stem unless ``arm`` is given.
    ``wpd-wide-csv``
        The "all datasets" export: dataset names in the first row (``Control,,Experimental,``), axis
        names in the second (``X,Y,X,Y``), then the values, shorter datasets padded with empty cells.
    ``wpd-json``
        A WebPlotDigitizer 4 project (``wpd.json``): every non-empty dataset of an ``XYAxes``, each point's
        ``value`` ``[x, y]``.
    ``ipdfromkm``, ``reconstructkm``, ``survhe``
        One arm as a table with a header: ``time,surv`` (IPDfromKM), ``time,survival`` (reconstructKM),
        ``ID time survival`` (survHE's ``digitise`` input, whitespace-separated).
at-risk tables
    ``kmrecon`` (``arm,time,n_risk``), ``ipdfromkm`` (``time,nrisk``), ``reconstructkm`` (``time,NAR``),
    ``survhe`` (``Interval Time Lower Upper nrisk``); the last three hold one arm.

Detection looks at the content (the JSON keys, the header, the shape of the rows); a file that more than
one reader accepts is refused with the candidate names, and ``format=`` overrides detection.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reconstruct.csv_columns import Columns
from reconstruct.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CURVE_FORMATS", "AT_RISK_FORMATS", "TableFile", "read_curves", "read_at_risk", "detect_format"]

CURVE_FORMATS = ("kmrecon", "wpd-csv", "wpd-wide-csv", "wpd-json", "ipdfromkm", "reconstructkm", "survhe")
AT_RISK_FORMATS = ("kmrecon", "ipdfromkm", "reconstructkm", "survhe")

_NUMBER = re.compile(r"^[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class TableFile:
    """A curve or at-risk table read from a user's file.

    Attributes
    ----------
    columns : Columns
        ``arm, time, survival`` (curves) or ``arm, time, n_risk`` (at-risk), as NumPy columns.
    format : str
        The format read (see the module docstring).
    path : str
    """

    columns: Columns
    format: str
    path: str

    @property
    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame (indexed by file line minus 2 for the kmrecon format)."""
        return self.columns.to_frame()


# --------------------------------------------------------------------------- raw text


def _text(path: str) -> str:
    if not os.path.isfile(path):
        raise InputError("expected an existing CSV file, got no such file", source=path)
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("expected a UTF-8 text file (CSV, TXT or JSON), got binary data", source=path) from None


def _split(line: str) -> list[str]:
    """Fields of a line: tab, ';' or ',' separated (in that order of preference), else whitespace."""
    for sep in ("\t", ";", ","):
        if sep in line:
            return [f.strip() for f in line.split(sep)]
    return line.split()


def _rows(text: str) -> list[list[str]]:
    return [_split(line) for line in text.splitlines() if line.strip()]


def _decimal_commas(text: str) -> bool:
    """WebPlotDigitizer writes '; ' between columns when the locale's decimal mark is a comma."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" in first and "\t" not in first


def _is_number(token: str) -> bool:
    return bool(_NUMBER.match(token.strip()))


def _number(token: str, comma: bool) -> float:
    return float(token.replace(",", ".") if comma else token)


def _header(rows: list[list[str]]) -> list[str]:
    return [h.strip().strip('"').lower() for h in rows[0]] if rows else []


# --------------------------------------------------------------------------- detection


def _curve_candidates(path: str, text: str) -> list[str]:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            return []
        return ["wpd-json"] if isinstance(data, dict) and ("datasetColl" in data or "wpd" in data) else []
    rows = _rows(text)
    if not rows:
        return []
    head = _header(rows)
    found = []
    if {"arm", "time", "survival"} <= set(head):
        found.append("kmrecon")
    if "arm" not in head and "time" in head:
        if "surv" in head:
            found.append("ipdfromkm")
        if "survival" in head:
            found.append("survhe" if "id" in head else "reconstructkm")
    if all(len(r) == 2 and all(_is_number(t) for t in r) for r in rows):
        found.append("wpd-csv")
    if len(rows) >= 2 and len(rows[1]) >= 2 and len(rows[1]) % 2 == 0:
        axes = [t.lower() for t in rows[1]]
        if axes == ["x", "y"] * (len(axes) // 2) and rows[0] and rows[0][0]:
            found.append("wpd-wide-csv")
    return found


def _at_risk_candidates(path: str, text: str) -> list[str]:
    rows = _rows(text)
    head = _header(rows)
    found = []
    if {"arm", "time", "n_risk"} <= set(head):
        found.append("kmrecon")
    if "arm" not in head:
        if {"interval", "time", "lower", "upper", "nrisk"} <= set(head):
            found.append("survhe")
        elif {"time", "nrisk"} <= set(head):
            found.append("ipdfromkm")
        if {"time", "nar"} <= set(head):
            found.append("reconstructkm")
    return found


def detect_format(path: str | os.PathLike[str], *, kind: str = "curves") -> str:
    """The one format a file is in.

    Parameters
    ----------
    path : path-like
    kind : {"curves", "at_risk"}

    Returns
    -------
    str
        One of :data:`CURVE_FORMATS` or :data:`AT_RISK_FORMATS`.

    Raises
    ------
    InputError
        When more than one format fits (the message names the candidates), or a JSON file is not a
        WebPlotDigitizer project. A text file no other reader accepts is read as the kmrecon CSV
        contract, whose reader names the missing column or the bad cell.
    """
    src = os.fspath(path)
    text = _text(src)
    found = _curve_candidates(src, text) if kind == "curves" else _at_risk_candidates(src, text)
    known = CURVE_FORMATS if kind == "curves" else AT_RISK_FORMATS
    if len(found) > 1:
        raise InputError(f"expected one {kind.replace('_', '-')} format, got a file that fits several: "
                         f"{', '.join(found)}; pass --format to choose", source=src)
    if not found and not text.lstrip().startswith("{"):
        return "kmrecon"  # the CSV contract's reader names the missing column or the bad cell
    if not found:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")[:60]
        raise InputError(f"expected a {kind.replace('_', '-')} file in one of the formats {', '.join(known)}, "
                         f"got first line {first!r}", source=src)
    return found[0]


# --------------------------------------------------------------------------- readers


def _numeric_frame(path: str, values: dict[str, list[str]], comma: bool) -> dict[str, np.ndarray]:
    out = {}
    for name, cells in values.items():
        bad = next((i for i, c in enumerate(cells) if not _is_number(c)), None)
        if bad is not None:
            raise InputError(f"{name}: expected a number, got {cells[bad]!r} (data row {bad + 1})", source=path)
        out[name] = np.array([_number(c, comma) for c in cells], dtype=float)
    return out


def _curve_frame(arm: str, time: np.ndarray, survival: np.ndarray) -> pd.DataFrame:
    import pandas as pd

    order = np.argsort(time, kind="stable")  # digitizer clicks come in any order
    return pd.DataFrame({"arm": arm, "time": time[order], "survival": survival[order]})


def _read_wpd_csv(path: str, text: str, arm: str | None) -> pd.DataFrame:
    comma = _decimal_commas(text)
    rows = _rows(text)
    bad = next((i for i, r in enumerate(rows) if len(r) != 2), None)
    if bad is not None:
        raise InputError(f"line {bad + 1}: expected 2 fields (x, y), got {len(rows[bad])}", source=path)
    data = _numeric_frame(path, {"x": [r[0] for r in rows], "y": [r[1] for r in rows]}, comma)
    return _curve_frame(arm or Path(path).stem, data["x"], data["y"])


def _read_wpd_wide(path: str, text: str) -> pd.DataFrame:
    import pandas as pd

    lines = [line for line in text.splitlines() if line.strip()]
    names = [c.strip() for c in lines[0].split(",")]
    axes = [c.strip().lower() for c in lines[1].split(",")]
    body = [[c.strip() for c in line.split(",")] for line in lines[2:]]
    frames = []
    for k in range(0, len(axes), 2):
        name = names[k] if k < len(names) else ""
        if not name:
            raise InputError(f"row 1, column {k + 1}: expected a dataset name, got an empty cell", source=path)
        cells = [(r[k] if k < len(r) else "", r[k + 1] if k + 1 < len(r) else "") for r in body]
        cells = [c for c in cells if c[0] or c[1]]
        data = _numeric_frame(path, {f"{name} X": [c[0] for c in cells], f"{name} Y": [c[1] for c in cells]},
                              False)
        frames.append(_curve_frame(name, data[f"{name} X"], data[f"{name} Y"]))
    return pd.concat(frames, ignore_index=True)


def _read_wpd_json(path: str, text: str) -> pd.DataFrame:
    import pandas as pd

    data = json.loads(text)
    if "datasetColl" not in data:
        raise InputError("expected a WebPlotDigitizer 4 project (key datasetColl), got an older project; open "
                         "and save it again in WebPlotDigitizer 4", source=path)
    axes = {a.get("name"): a.get("type") for a in data.get("axesColl", [])}
    frames = []
    for number, ds in enumerate(data["datasetColl"], start=1):
        points = ds.get("data") or []
        if not points:
            continue
        name = str(ds.get("name") or f"dataset {number}")
        if axes.get(ds.get("axesName")) != "XYAxes":
            raise InputError(f"datasetColl[{number - 1}] ({name}): expected a dataset on XY axes, got axes "
                             f"{ds.get('axesName')!r} of type {axes.get(ds.get('axesName'))!r}", source=path)
        if any(not isinstance(p.get("value"), list) or len(p["value"]) < 2 for p in points):
            raise InputError(f"{name}: expected calibrated points with a value [x, y], got pixel points only; "
                             "calibrate the axes in WebPlotDigitizer and save the project again", source=path)
        values = np.array([[float(p["value"][0]), float(p["value"][1])] for p in points])
        frames.append(_curve_frame(name, values[:, 0], values[:, 1]))
    if not frames:
        raise InputError("expected at least one dataset with points, got none", source=path)
    names = [f["arm"].iat[0] for f in frames]
    if len(set(names)) != len(names):
        raise InputError(f"expected distinct dataset names, got {names}; rename them in WebPlotDigitizer",
                         source=path)
    return pd.concat(frames, ignore_index=True)


def _named_columns(path: str, text: str, wanted: Sequence[str], rename: dict[str, str], arm: str,
                   integer: str | None = None) -> pd.DataFrame:
    import pandas as pd

    rows = _rows(text)
    head = _header(rows)
    index = {name: head.index(name) for name in wanted}
    body = rows[1:]
    bad = next((i for i, r in enumerate(body) if len(r) != len(head)), None)
    if bad is not None:
        raise InputError(f"line {bad + 2}: expected {len(head)} fields as in the header, got {len(body[bad])}",
                         source=path)
    data = _numeric_frame(path, {name: [r[i] for r in body] for name, i in index.items()}, False)
    frame = pd.DataFrame({"arm": arm, **{rename[k]: v for k, v in data.items()}})
    if integer is not None:
        values = frame[integer].to_numpy()
        if np.any(values != np.round(values)) or np.any(values < 0):
            raise InputError(f"{integer}: expected whole numbers >= 0", source=path)
        frame[integer] = values.astype(np.int64)
    return frame.sort_values("time", kind="stable").reset_index(drop=True)


def _check_format(fmt: str, known: Sequence[str], option: str) -> None:
    if fmt not in known:
        raise InputError(f"expected one of {', '.join(known)}, got {fmt!r}", source=option)


def read_curves(path: str | os.PathLike[str], *, format: str | None = None, arm: str | None = None) -> TableFile:
    """Read digitized curve points in any of :data:`CURVE_FORMATS`.

    Parameters
    ----------
    path : path-like
    format : str, optional
        Skip detection and read the file in this format.
    arm : str, optional
        Arm name of a one-arm format (default: the file name's stem).

    Returns
    -------
    TableFile
        ``frame`` with columns ``arm, time, survival``; survival as in the file (percent is detected
        downstream, as for the CSV contract).

    Raises
    ------
    InputError
        For an undetectable or ambiguous format, or a cell that is not a number (naming the row).
    """
    from reconstruct.io import read_curves_columns

    src = os.fspath(path)
    fmt = format or detect_format(src, kind="curves")
    _check_format(fmt, CURVE_FORMATS, "--format")
    name = arm or Path(src).stem
    if fmt == "kmrecon":
        return TableFile(read_curves_columns(src), fmt, src)
    text = _text(src)
    readers: dict[str, Callable[[], pd.DataFrame]] = {
        "wpd-csv": lambda: _read_wpd_csv(src, text, arm),
        "wpd-wide-csv": lambda: _read_wpd_wide(src, text),
        "wpd-json": lambda: _read_wpd_json(src, text),
        "ipdfromkm": lambda: _named_columns(src, text, ("time", "surv"), {"time": "time", "surv": "survival"}, name),
        "reconstructkm": lambda: _named_columns(src, text, ("time", "survival"),
                                                {"time": "time", "survival": "survival"}, name),
        "survhe": lambda: _named_columns(src, text, ("time", "survival"), {"time": "time", "survival": "survival"},
                                         name),
    }
    try:
        frame = readers[fmt]()
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"expected a {fmt} file, got content it cannot be read as ({type(exc).__name__}: "
                         f"{exc})", source=src) from None
    if frame.empty:
        raise InputError(f"expected curve points, got none ({fmt})", source=src)
    if frame["survival"].min() < 0 or frame["survival"].max() > 100:
        raise InputError("survival: expected a proportion in [0, 1] or percent in [0, 100]", source=src)
    return TableFile(Columns.from_frame(frame), fmt, src)


def read_at_risk(path: str | os.PathLike[str], *, format: str | None = None, arms: Sequence[str] = (),
                 arm: str | None = None) -> TableFile:
    """Read a number-at-risk table in any of :data:`AT_RISK_FORMATS`.

    Parameters
    ----------
    path : path-like
    format : str, optional
        Skip detection.
    arms : sequence of str
        Arms of the curves: a one-arm table belongs to the only arm (else pass ``arm``).
    arm : str, optional
        Arm of a one-arm table.

    Returns
    -------
    TableFile
        ``frame`` with columns ``arm, time, n_risk``.

    Raises
    ------
    InputError
        For an undetectable or ambiguous format, bad cells, or a one-arm table for several arms.
    """
    from reconstruct.io import read_at_risk_columns

    src = os.fspath(path)
    fmt = format or detect_format(src, kind="at_risk")
    _check_format(fmt, AT_RISK_FORMATS, "--at-risk-format")
    if fmt == "kmrecon":
        return TableFile(read_at_risk_columns(src), fmt, src)
    if arm is None:
        if len(arms) != 1:
            raise InputError(f"expected a table with an arm column for the {len(arms)} arms {list(arms)}, got a "
                             f"one-arm {fmt} table; use the kmrecon format arm,time,n_risk", source=src)
        arm = arms[0]
    text = _text(src)
    column = {"ipdfromkm": "nrisk", "reconstructkm": "nar", "survhe": "nrisk"}[fmt]
    frame = _named_columns(src, text, ("time", column), {"time": "time", column: "n_risk"}, arm, integer="n_risk")
    if frame.empty or frame["time"].min() < 0:
        raise InputError("expected at-risk rows at times >= 0", source=src)
    return TableFile(Columns.from_frame(frame), fmt, src)
