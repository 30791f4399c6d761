"""The contract CSVs as named NumPy columns, read and written without pandas.

Importing pandas takes about 0.4 s, half of a whole ``kmrecon reconstruct`` of 5,000 patients
(``python benchmarks/bench_startup.py``). The contract files (``arm,time,survival``,
``arm,time,n_risk``, ``arm,time,event``) need only the standard library's :mod:`csv` and float
parsing, so the command reads them into :class:`Columns` and writes its IPD from columns. The
library's DataFrame readers (:mod:`reconstruct.io`) are built on the same parser.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reconstruct.errors import InputError
from reconstruct.limits import check_file_size, check_limit

__all__ = ["Columns", "read_csv_columns", "format_csv", "arm_names", "arm_rows"]

# What pandas' C parser accepts as a number; Python's float() also takes "1_0" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True, eq=False)
class Columns:
    """Equal-length columns by name, in file order, with each row's file line.

    Indexing takes a column name (giving its array) or a boolean mask of rows (giving the rows), as a
    DataFrame does, so the reconstruction code reads both alike.

    Attributes
    ----------
    data : dict of str to ndarray, each of shape (n,)
        ``arm`` as an object array of str; numeric columns as float64 (int64 for whole-number ones).
    line : ndarray of int64, shape (n,)
        The 1-based file line of each row.
    """

    data: Mapping[str, NDArray[Any]]
    line: NDArray[np.int64]

    def __getitem__(self, key: str | NDArray[np.bool_]) -> Any:
        if isinstance(key, str):
            return self.data[key]
        mask = np.asarray(key, dtype=bool)
        return Columns({name: values[mask] for name, values in self.data.items()}, self.line[mask])

    def __len__(self) -> int:
        return int(self.line.size)

    @property
    def columns(self) -> list[str]:
        """Column names, in order."""
        return list(self.data)

    @property
    def index(self) -> NDArray[np.int64]:
        """File line minus 2 of each row: the index of the DataFrame readers."""
        return self.line - 2

    @classmethod
    def from_frame(cls, frame: Any) -> Columns:
        """The columns of a DataFrame, its index taken as file line minus 2 (as :meth:`to_frame` gives)."""
        return cls({str(name): frame[name].to_numpy() for name in frame.columns},
                   np.asarray(frame.index, dtype=np.int64) + 2)

    def to_frame(self) -> Any:
        """The columns as a pandas DataFrame indexed by file line minus 2."""
        import pandas as pd

        return pd.DataFrame(dict(self.data), index=pd.Index(self.index))


def arm_names(table: Any) -> list[str]:
    """The distinct arm names of a table (a DataFrame or :class:`Columns`), in order of first appearance."""
    return list(dict.fromkeys(str(a) for a in np.asarray(table["arm"])))


def arm_rows(table: Any, arm: str) -> Any:
    """The rows of one arm of a curve, at-risk or censor-mark table (a DataFrame or :class:`Columns`)."""
    return table[np.asarray(table["arm"]).astype(str) == arm]


def _rows(src: str) -> list[list[str]]:
    try:
        with open(src, encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle, skipinitialspace=True, strict=True))
    except UnicodeDecodeError as exc:
        raise InputError(f"expected a comma-separated text file, got unparsable content ({exc.reason})",
                         source=src) from None
    except csv.Error as exc:
        raise InputError(f"expected a comma-separated text file, got unparsable content ({exc})", source=src) from None


def _numbers(cells: list[str], name: str, src: str, lines: NDArray[np.int64], *, whole: bool) -> NDArray[Any]:
    values = np.array([float(c) if _NUMBER.fullmatch(c) else np.nan for c in (c.strip() for c in cells)])
    bad = np.flatnonzero(~np.isfinite(values))  # not a number, or not finite
    if bad.size:
        row = int(bad[0])
        raise InputError(f"field '{name}': expected a finite number, got {cells[row]!r}",
                         source=f"{src}:{int(lines[row])}")
    if not whole:
        return values
    frac = np.flatnonzero((values != np.round(values)) | (np.abs(values) > 2.0**53))
    if frac.size:
        row = int(frac[0])
        size = " of at most 2^53" if abs(values[row]) > 2.0**53 else ""
        raise InputError(f"field '{name}': expected a whole number{size}, got {cells[row]!r}",
                         source=f"{src}:{int(lines[row])}")
    return values.astype(np.int64)


def read_csv_columns(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    *,
    numeric: Sequence[str],
    integer: Sequence[str] = (),
) -> Columns:
    """Read a CSV with required columns, checking every cell with a message naming file, line and field.

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8, comma-separated, optional header case and spaces, extra columns ignored).
    columns : sequence of str
        Required column names, the first one the text column ``arm``.
    numeric : sequence of str
        Columns that must hold finite numbers.
    integer : sequence of str, optional
        Columns (among ``numeric``) that must hold whole numbers.

    Returns
    -------
    Columns
        The required columns in file order, blank lines dropped.

    Raises
    ------
    InputError
        For a missing, empty or unparsable file, missing columns, a line with more fields than the
        header, or a bad cell.
    """
    src = os.fspath(path)
    if not os.path.isfile(src):
        raise InputError("expected an existing CSV file, got no such file", source=src)
    check_file_size(src)
    with open(src, "rb") as handle:
        if handle.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            raise InputError("expected UTF-8 text, got UTF-16 (a byte-order mark); save the CSV as UTF-8", source=src)
    rows = _rows(src)
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError(f"expected a CSV with header {','.join(columns)}, got an empty file"
                         if not rows else f"expected columns {','.join(columns)}, got none", source=src)
    header = [c.strip().lower() for c in rows[0]]
    width = len(header) + (1 if header[-1] else 0)  # one trailing empty field is a trailing comma, not data
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(
            f"expected columns {','.join(columns)}, got {','.join(header)} (missing {','.join(missing)})"
            + ("; the file seems to use ';' between fields: save it with ',' between fields and '.' for decimals"
               if any(";" in c for c in header) else ""),
            source=src,
        )
    where = [header.index(c) for c in columns]
    kept: list[list[str]] = []
    lines: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > width or (len(row) == width and width > len(header) and row[-1].strip()):
            raise InputError("expected the same number of fields on every line as in the header, got more",
                             source=src)
        if not any(c.strip() for c in row):
            continue
        kept.append([row[i] if i < len(row) else "" for i in where])
        lines.append(number)
    if not kept:
        raise InputError(f"expected at least one data row under the header {','.join(columns)}, got none",
                         source=src)
    line = np.asarray(lines, dtype=np.int64)
    cells = list(zip(*kept, strict=True))
    arm = [c.strip() for c in cells[0]]
    longest = max(range(len(arm)), key=lambda i: len(arm[i]))
    check_limit("field_chars", len(arm[longest]), source=f"{src}:{int(line[longest])}")
    if "" in arm:
        raise InputError("field 'arm': expected a non-empty arm name, got an empty cell",
                         source=f"{src}:{int(line[arm.index('')])}")
    data: dict[str, NDArray[Any]] = {columns[0]: np.array(arm, dtype=object)}
    for k, name in enumerate(columns[1:], start=1):
        if name in numeric:
            data[name] = _numbers(list(cells[k]), name, src, line, whole=name in integer)
        else:
            data[name] = np.array([c.strip() for c in cells[k]], dtype=object)
    return Columns(data, line)


def format_csv(columns: Mapping[str, NDArray[Any]]) -> str:
    """CSV text of named columns: a header, ``%.10g`` floats, ``\\n`` line ends, minimal quoting.

    The same text as :func:`reconstruct.io.write_csv` gives for a DataFrame of str, float and
    integer columns (a test checks it).
    """
    names = list(columns)
    cells = []
    for name in names:
        values = np.asarray(columns[name])
        if values.dtype.kind == "f":
            cells.append(["" if math.isnan(v) else f"{v:.10g}" for v in values.tolist()])
        elif values.dtype.kind in "iub":
            cells.append([str(v) for v in values.tolist()])
        else:
            cells.append(["" if v is None else str(v) for v in values.tolist()])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue()
