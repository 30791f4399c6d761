"""Reading and writing the kmrecon data contracts, atomically, with provenance.

Contracts (stable; outside tools rely on them):

* curve CSV: ``arm,time,survival`` (survival a proportion in [0, 1])
* at-risk CSV: ``arm,time,n_risk``
* IPD CSV: ``arm,time,event`` (1 = event, 0 = censored)

Every writer refuses to replace an existing file unless ``force=True`` and
writes through a temporary file in the same folder followed by
:func:`os.replace`, so an interrupted run leaves either the old file or the
new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reconstruct.csv_columns import Columns, format_csv, read_csv_columns
from reconstruct.errors import InputError, OutputExistsError
from reconstruct.limits import check_file_size, check_limit, load_yaml_limited

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "read_table_csv",
    "read_curves_csv",
    "read_at_risk_csv",
    "read_ipd_csv",
    "read_censor_marks_csv",
    "read_yaml",
    "write_csv",
    "write_columns_csv",
    "read_curves_columns",
    "read_at_risk_columns",
    "read_censor_marks_columns",
    "write_json",
    "write_bytes",
    "atomic_path",
    "check_writable",
    "sha256_file",
    "provenance",
    "package_version",
]

CURVE_COLUMNS = ("arm", "time", "survival")
AT_RISK_COLUMNS = ("arm", "time", "n_risk")
IPD_COLUMNS = ("arm", "time", "event")


def package_version() -> str:
    """Return the installed kmrecon version (the source tree's when not installed)."""
    try:
        return metadata.version("kmrecon")
    except metadata.PackageNotFoundError:
        from reconstruct._version import __version__

        return __version__


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def provenance(
    *,
    inputs: Mapping[str, str | os.PathLike[str] | None],
    parameters: Mapping[str, Any],
    command: str,
) -> dict[str, Any]:
    """Build the provenance record written beside every result.

    Parameters
    ----------
    inputs : mapping of str to path or None
        Role of each input file (e.g. ``"curves"``) to its path; ``None`` entries are skipped.
    parameters : mapping
        Every parameter that influenced the result, JSON-serialisable.
    command : str
        The library function or CLI command that produced the result.

    Returns
    -------
    dict
        ``{"kmrecon_version", "command", "inputs": {role: {"path", "sha256"}}, "parameters"}``.
        No timestamps, so that identical runs write identical bytes.
    """
    files = {
        role: {"path": os.fspath(path), "sha256": sha256_file(path)}
        for role, path in inputs.items()
        if path is not None
    }
    return {
        "kmrecon_version": package_version(),
        "command": command,
        "inputs": files,
        "parameters": _jsonable(dict(parameters)),
    }


def _jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, paths and tuples to plain JSON types; NaN to None."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


# --------------------------------------------------------------------------- writing


def check_writable(path: str | os.PathLike[str], *, force: bool) -> Path:
    """Refuse an existing output unless ``force``; return the path.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``force`` is false.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(
            "expected a new output file, got an existing one; pass --force (force=True) to overwrite",
            source=os.fspath(path),
        )
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    Parameters
    ----------
    path : path-like
        The final output path. Its folder is created when missing.
    force : bool, default False
        Allow replacing an existing file.
    """
    final = check_writable(path, force=force)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared like any written file
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; return the path.

    A failed write (a full disk, ``ENOSPC``) leaves neither a partial file nor the temporary one, and
    raises :class:`OSError` naming ``path``.
    """
    with atomic_path(path, force=force) as tmp:
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:  # e.g. ENOSPC: the partial temporary file is removed by atomic_path
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
    return Path(path)


def write_csv(path: str | os.PathLike[str], frame: pd.DataFrame, *, force: bool = False) -> Path:
    """Write a DataFrame as CSV (no index, ``%.10g`` floats, ``\\n`` line ends) atomically."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.10g", lineterminator="\n")
    return write_bytes(path, buffer.getvalue().encode("utf-8"), force=force)


def write_columns_csv(path: str | os.PathLike[str], columns: Mapping[str, Any], *, force: bool = False) -> Path:
    """Write named columns as CSV atomically, the same text :func:`write_csv` gives for their DataFrame."""
    return write_bytes(path, format_csv(columns).encode("utf-8"), force=force)


def write_json(path: str | os.PathLike[str], record: Mapping[str, Any], *, force: bool = False) -> Path:
    """Write a mapping as indented, key-ordered JSON atomically (NaN written as null)."""
    text = json.dumps(_jsonable(record), indent=2, sort_keys=False, allow_nan=False)
    return write_bytes(path, (text + "\n").encode("utf-8"), force=force)


# --------------------------------------------------------------------------- reading


def read_table_csv(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    *,
    numeric: Sequence[str],
    integer: Sequence[str] = (),
) -> pd.DataFrame:
    """:func:`reconstruct.csv_columns.read_csv_columns` as a DataFrame (parameters and errors as there).

    Returns
    -------
    DataFrame
        The required columns, ``arm`` as str, numeric columns as float64 (int64 for ``integer``), in
        file order; the index is the file line minus 2, so later checks can name the line.
    """
    return read_csv_columns(path, columns, numeric=numeric, integer=integer).to_frame()


def _check_range(table: Columns, name: str, src: str, *, low: float, high: float, what: str) -> None:
    values = np.asarray(table[name])
    bad = np.flatnonzero((values < low) | (values > high))
    if len(bad):
        row = int(bad[0])
        raise InputError(f"field '{name}': expected {what}, got {values[row]:g}",
                         source=f"{src}:{int(table.line[row])}")


def read_curves_columns(path: str | os.PathLike[str]) -> Columns:
    """:func:`read_curves_csv` as :class:`~reconstruct.csv_columns.Columns` (no pandas)."""
    src = os.fspath(path)
    table = read_csv_columns(path, CURVE_COLUMNS, numeric=("time", "survival"))
    _check_range(table, "survival", src, low=0.0, high=100.0,
                 what="a survival proportion in [0, 1] or percent in [0, 100]")
    return table


def read_at_risk_columns(path: str | os.PathLike[str]) -> Columns:
    """:func:`read_at_risk_csv` as :class:`~reconstruct.csv_columns.Columns` (no pandas)."""
    src = os.fspath(path)
    table = read_csv_columns(path, AT_RISK_COLUMNS, numeric=("time", "n_risk"), integer=("n_risk",))
    check_limit("at_risk_rows", len(table), source=src)
    _check_range(table, "n_risk", src, low=0, high=np.inf, what="a number at risk >= 0")
    _check_range(table, "time", src, low=0.0, high=np.inf, what="a time >= 0")
    return table


def read_censor_marks_columns(path: str | os.PathLike[str]) -> Columns:
    """:func:`read_censor_marks_csv` as :class:`~reconstruct.csv_columns.Columns` (no pandas)."""
    src = os.fspath(path)
    table = read_csv_columns(path, CURVE_COLUMNS, numeric=("time", "survival"))
    _check_range(table, "time", src, low=0.0, high=np.inf, what="a time >= 0")
    return table


def read_curves_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a curve CSV (``arm,time,survival``).

    Survival may be a proportion or a percentage (a column whose maximum exceeds
    1.5 is read as percent and divided by 100; the cleaning step records it).
    Cleaning of small digitization defects is left to :func:`reconstruct.clean_curve`.

    Raises
    ------
    InputError
        For missing columns, non-numeric or non-finite cells, negative survival
        or survival above 100.
    """
    return read_curves_columns(path).to_frame()


def read_at_risk_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a number-at-risk CSV (``arm,time,n_risk``) of whole, non-negative numbers at times >= 0."""
    return read_at_risk_columns(path).to_frame()


def read_censor_marks_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a censor-mark CSV (``arm,time,survival``, as the digitizer writes it) with times >= 0."""
    return read_censor_marks_columns(path).to_frame()


def read_yaml(path: str | os.PathLike[str], *, what: str = "YAML file") -> Any:
    """Load a YAML file with the safe loader (no Python tags), errors naming the file and line.

    Parameters
    ----------
    path : path-like
    what : str
        What the file should be, for the message (e.g. "registry YAML file").

    Raises
    ------
    InputError
        For a missing file, bytes that are not UTF-8, or invalid YAML (including unsafe tags).
    """
    import yaml

    src = os.fspath(path)
    if not os.path.isfile(src):
        raise InputError(f"expected an existing {what}, got no such file", source=src)
    check_file_size(src)
    try:
        with open(src, encoding="utf-8") as handle:
            text = handle.read()
        lengths = [len(line) for line in text.splitlines()] or [0]  # the pure-Python scanner is slow on huge lines
        line = int(np.argmax(lengths))
        check_limit("text_chars", lengths[line], source=f"{src}:{line + 1}")
        return load_yaml_limited(text, source=src)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{src}:{mark.line + 1}" if mark is not None else src
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise InputError(f"expected valid YAML, got a syntax error ({problem})", source=where) from None
    except UnicodeDecodeError:
        raise InputError("expected a UTF-8 text file, got undecodable bytes", source=src) from None
    except RecursionError:
        raise InputError("expected YAML nested a few hundred levels deep at most, got deeper nesting",
                         source=src) from None


def read_ipd_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an IPD CSV (``arm,time,event``): times >= 0, event 0 (censored) or 1 (event)."""
    src = os.fspath(path)
    table = read_csv_columns(path, IPD_COLUMNS, numeric=("time", "event"), integer=("event",))
    _check_range(table, "time", src, low=0.0, high=np.inf, what="a time >= 0")
    _check_range(table, "event", src, low=0, high=1, what="event 0 (censored) or 1 (event)")
    return table.to_frame()
