"""Which arms a comparison pools: only those named, or those sharing a declared treatment class.

Pooling a control arm (sorafenib, placebo) with experimental arms gives a number nobody should
compute, so nothing is pooled by guesswork: the arms named with ``pool``, else the arms of
``pool_class``, else the arms sharing the reference arm's ``treatment_class``, else none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconstruct.errors import InputError

__all__ = ["PoolChoice", "choose_pool"]


@dataclass(frozen=True)
class PoolChoice:
    """The arms to pool and why.

    Attributes
    ----------
    keys : tuple of str
        ``"trial:arm"`` keys of the pooled arms (empty: nothing pooled).
    rule : {"named", "class", "reference-class", "none"}
    treatment_class : str or None
        The class pooled (rules ``class`` and ``reference-class``).
    note : str
        One sentence for the report.
    """

    keys: tuple[str, ...]
    rule: str
    treatment_class: str | None
    note: str


def _key(trial: Any, arm: Any) -> str:
    return f"{trial.id}:{arm.id}"


def choose_pool(
    selected: Sequence[tuple[Any, Any]],
    *,
    pool: Sequence[tuple[Any, Any]] | None = None,
    pool_class: str | None = None,
    reference: tuple[Any, Any] | None = None,
) -> PoolChoice:
    """Decide which of the selected arms are pooled.

    Parameters
    ----------
    selected : sequence of (Trial, Arm)
        Arms in the comparison.
    pool : sequence of (Trial, Arm), optional
        Arms named by the user: pooled as given.
    pool_class : str, optional
        Pool the selected arms whose ``treatment_class`` is this.
    reference : (Trial, Arm), optional
        Without ``pool`` or ``pool_class``, the arms sharing the reference's class are pooled.

    Returns
    -------
    PoolChoice

    Raises
    ------
    InputError
        When both ``pool`` and ``pool_class`` are given, or ``pool_class`` matches no selected arm.
    """
    if pool and pool_class:
        raise InputError(f"expected either --pool or --pool-class, got both (--pool-class {pool_class})")
    if pool:
        keys = tuple(_key(t, a) for t, a in pool)
        return PoolChoice(keys, "named", None, f"Pooled: the {len(keys)} arms named with --pool.")
    if pool_class:
        keys = tuple(_key(t, a) for t, a in selected if a.treatment_class == pool_class)
        if not keys:
            classes = sorted({a.treatment_class for _, a in selected if a.treatment_class})
            raise InputError(f"--pool-class: expected a treatment class of the selected arms "
                             f"({', '.join(classes) or 'none declared'}), got {pool_class!r}")
        return PoolChoice(keys, "class", pool_class,
                          f"Pooled: the {len(keys)} arms of treatment class {pool_class} (--pool-class).")
    ref_class = reference[1].treatment_class if reference is not None else None
    if ref_class:
        keys = tuple(_key(t, a) for t, a in selected if a.treatment_class == ref_class)
        return PoolChoice(keys, "reference-class", ref_class,
                          f"Pooled: the {len(keys)} arms sharing the reference's treatment class {ref_class} "
                          "(registry field treatment_class); other arms are not pooled.")
    return PoolChoice((), "none", None,
                      "Nothing pooled: name arms with --pool, a class with --pool-class, or a --reference arm "
                      "whose registry entry declares a treatment_class.")
