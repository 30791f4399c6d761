"""Classical, reconstruction and total intervals of one run, and whether its reading is flagged, as
``batch_summary.csv`` columns."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["INTERVAL_COLUMNS", "interval_columns"]

INTERVAL_COLUMNS = ("median_ci", "median_reconstruction", "median_total",
                    "hr", "hr_ci", "hr_reconstruction", "hr_total", "reading")


def _pair(record: dict[str, Any] | None) -> str:
    if not record:
        return "NE"
    fmt = lambda v: "NR" if v is None or not math.isfinite(v) else f"{v:.4g}"  # noqa: E731
    return f"{fmt(record.get('conf_low'))} to {fmt(record.get('conf_high'))}"


def _run_reading(run_json: Path) -> str:
    """``reading.status`` of a run's ``run.json`` (written with or without draws), or "" when absent."""
    try:
        return str((json.loads(run_json.read_text(encoding="utf-8")).get("reading") or {}).get("status", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def interval_columns(summary_json: str | Path) -> tuple[tuple[str, str], ...]:
    """Per-arm median and per-contrast HR intervals from a run's ``summary.json`` (``;`` between arms).

    Columns :data:`INTERVAL_COLUMNS`; reconstruction and total are ``NE`` when the run has no draws.
    ``reading`` is ``flagged`` when the figure's own evidence says its reading may be grossly off (which the
    draws do not cover; ``summary.json`` ``uncertainty.reading`` says why, or ``run.json`` ``reading`` when
    the run has no draws), ``ok``, or empty when not assessed (a run written before ``run.json`` had it).
    A missing or unreadable file gives no columns (the batch row then leaves them empty).
    """
    try:
        summary = json.loads(Path(summary_json).read_text(encoding="utf-8"))["summary"]
    except (OSError, ValueError, KeyError):
        return ()
    arms, contrasts = summary.get("arms", []), summary.get("contrasts", [])
    hrs = [c.get("hazard_ratio") or {} for c in contrasts]
    values = {
        "median_ci": ";".join(_pair(a["median"]) for a in arms),
        "median_reconstruction": ";".join(_pair(a["median"].get("reconstruction")) for a in arms),
        "median_total": ";".join(_pair(a["median"].get("total")) for a in arms),
        "hr": ";".join("NE" if h.get("hazard_ratio") is None else f"{h['hazard_ratio']:.4g}" for h in hrs),
        "hr_ci": ";".join(_pair(h) for h in hrs),
        "hr_reconstruction": ";".join(_pair(h.get("reconstruction")) for h in hrs),
        "hr_total": ";".join(_pair(h.get("total")) for h in hrs),
        "reading": (summary.get("uncertainty") or {}).get("reading", {}).get("status", "")
                   or _run_reading(Path(summary_json).with_name("run.json")),
    }
    return tuple((name, values[name]) for name in INTERVAL_COLUMNS)
