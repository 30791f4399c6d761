"""One protocol for results that become tables: ``to_dict()`` for JSON and ``to_frame()`` for a DataFrame.

Every result dataclass of kmrecon that is written as a table or JSON derives from :class:`TableResult`,
so the two methods behave the same way everywhere. A result whose natural table has one row per
time point or group (a KM estimate, a log-rank test) overrides :meth:`TableResult.to_frame`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = ["TableResult", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert a result field to plain JSON types: arrays to lists, NumPy scalars to Python, NaN to None."""
    if isinstance(value, TableResult):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class TableResult:
    """Mixin for frozen result dataclasses: the same ``to_dict`` / ``to_frame`` everywhere."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready (arrays as lists, nested results as dicts, non-finite numbers as None)."""
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def to_frame(self):
        """A one-row DataFrame of the scalar fields (results with per-time or per-group rows override this)."""
        import pandas as pd

        row = {k: v for k, v in self.to_dict().items() if not isinstance(v, (list, dict))}
        return pd.DataFrame([row])
