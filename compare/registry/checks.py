"""Validation context of the registry loader: one-line "file: trial/arm: field 'F': expected X, got Y" errors."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compare.registry.types import _ID, _NOT_ESTIMABLE, FLAGS, Alternative, Provenance, _closest
from reconstruct.errors import InputError


@dataclass
class _Ctx:
    """Where we are in the file, for one-line messages: ``file: trial X/arm Y: field F: expected ..., got ...``."""

    source: str
    where: str
    base_dir: Path
    prefix: str = ""
    sources: frozenset[str] = field(default_factory=frozenset)

    def at(self, where: str) -> _Ctx:
        return _Ctx(self.source, where, self.base_dir, "", self.sources)

    def at_field(self, prefix: str) -> _Ctx:
        return _Ctx(self.source, self.where, self.base_dir, prefix, self.sources)

    def _name(self, name: str) -> str:
        return ".".join(p for p in (self.prefix, name) if p) or "entry"

    def fail(self, name: str, expected: str, got: Any) -> None:
        location = f"{self.where}: " if self.where else ""
        raise InputError(f"{location}field '{self._name(name)}': {expected}, got {got!r}", source=self.source)

    def mapping(self, raw: Any, name: str, *, required: tuple[str, ...], optional: tuple[str, ...] | None) -> dict:
        if not isinstance(raw, Mapping):
            self.fail(name, "expected a mapping", raw if not isinstance(raw, (list, tuple)) else "a list")
        body = dict(raw)
        for key in required:
            if key not in body:
                self.fail(name, f"expected key {key!r}", f"keys {sorted(map(str, body))}")
        if optional is not None:
            known = set(required) | set(optional)
            for key in body:
                if key not in known:
                    hint = _closest(key, known) or f" (known keys: {', '.join(sorted(known))})"
                    self.fail(name, "expected only known keys", f"unknown key {key!r}{hint}")
        return body

    def sequence(self, raw: Any, name: str, *, nonempty: bool = False) -> list:
        if not isinstance(raw, list):
            self.fail(name, "expected a list", raw)
        if nonempty and not raw:
            self.fail(name, "expected a non-empty list", raw)
        return raw

    def text(self, raw: Any, name: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            self.fail(name, "expected a non-empty string", raw)
        return raw.strip()

    def optional_text(self, raw: Any, name: str) -> str | None:
        return None if raw is None else self.text(raw, name)

    def identifier(self, raw: Any, name: str) -> str:
        if not isinstance(raw, str) or not _ID.match(raw):
            self.fail(name, "expected an id of lower-case letters, digits and _", raw)
        return raw

    def choice(self, raw: Any, name: str, choices: tuple[str, ...]) -> str:
        if raw not in choices:
            self.fail(name, f"expected one of {', '.join(choices)}", f"{raw!r}{_closest(raw, choices)}")
        return raw

    def number(self, raw: Any, name: str, *, low: float = -math.inf, high: float = math.inf) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            self.fail(name, "expected a finite number", raw)
        if not low <= raw <= high:
            self.fail(name, f"expected a number in [{low:g}, {high:g}]", raw)
        return float(raw)

    def optional_number(self, raw: Any, name: str, *, low: float = -math.inf, high: float = math.inf,
                        not_estimable: bool = False) -> float | None:
        if raw is None or (not_estimable and isinstance(raw, str) and raw.strip().upper() in _NOT_ESTIMABLE):
            return None
        return self.number(raw, name, low=low, high=high)

    def integer(self, raw: Any, name: str, *, minimum: int = 0) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(name, "expected a whole number", raw)
        if raw < minimum:
            self.fail(name, f"expected a whole number >= {minimum}", raw)
        return int(raw)

    def optional_integer(self, raw: Any, name: str, *, minimum: int = 0) -> int | None:
        return None if raw is None else self.integer(raw, name, minimum=minimum)

    def check_counts(self, x: int | None, n: int | None, name: str) -> None:
        if x is not None and n is not None and x > n:
            self.fail(name, f"expected a count x <= n ({n})", x)

    def interval(self, raw: Any, name: str, *, low: float = -math.inf, high: float = math.inf,
                 open_ends: bool) -> tuple | None:
        if raw is None:
            return None
        if not isinstance(raw, list) or len(raw) != 2:
            self.fail(name, "expected a list [lower, upper]", raw)
        bounds = [self.optional_number(b, name, low=low, high=high, not_estimable=open_ends) for b in raw]
        if not open_ends and None in bounds:
            self.fail(name, "expected two numbers", raw)
        if None not in bounds and bounds[0] > bounds[1]:
            self.fail(name, "expected lower <= upper", raw)
        return tuple(bounds)

    def analysis(self, body: Mapping) -> str:
        return "primary" if body.get("analysis") is None else self.text(body["analysis"], "analysis")

    def flag_of(self, body: Mapping) -> str:
        raw = body.get("flag")
        return raw.lower() if isinstance(raw, str) else ""

    def src_keys(self, raw: Any, name: str) -> tuple[str, ...]:
        keys = raw if isinstance(raw, list) else [raw]
        if not keys:
            self.fail(name, "expected a source key or a list of them", raw)
        for key in keys:
            if not isinstance(key, str) or key not in self.sources:
                self.fail(name, "expected a key of 'sources'", f"{key!r}{_closest(key, self.sources)}")
        return tuple(keys)

    def provenance(self, body: Mapping, name: str) -> Provenance:
        base = f"{name}." if name else ""
        flag = self.flag_of(body)
        if flag not in FLAGS:
            self.fail(f"{base}flag", f"expected one of {', '.join(FLAGS)}", body.get("flag"))
        alternatives = []
        for i, alt in enumerate(self.sequence(body.get("alternatives") or [], f"{base}alternatives")):
            aname = f"{base}alternatives[{i}]"
            a = self.mapping(alt, aname, required=("src",), optional=("value", "pct", "ci", "ci_pct", "where"))
            value = a.get("value", a.get("pct"))
            ci = a.get("ci", a.get("ci_pct"))
            alternatives.append(Alternative(
                value=self.optional_number(value, f"{aname}.value", not_estimable=True),
                ci=self.interval(ci, f"{aname}.ci", open_ends=True),
                src=self.src_keys(a["src"], f"{aname}.src"),
                where=self.optional_text(a.get("where"), f"{aname}.where"),
            ))
        return Provenance(
            src=self.src_keys(body["src"], f"{base}src"),
            flag=flag,
            note=self.optional_text(body.get("note"), f"{base}note"),
            alternatives=tuple(alternatives),
        )
