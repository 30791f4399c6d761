"""Resource limits on hostile or runaway inputs: each named, set in one place, raised by environment variable.

A figure file or table can be built to exhaust memory or time (a PDF whose 1 MB stream inflates to
1 GiB, a plot of a million paths, a YAML anchor bomb). Every reader checks the limits below before or
while it does the expensive work, and refuses with a :class:`LimitError` that names the limit, the value
found and how to raise it. Each limit is read from its environment variable at the moment of the check,
so a batch, a notebook or a single command can raise one without code changes::

    KMRECON_MAX_PDF_STREAM_BYTES=1073741824 kmrecon run big.pdf -o out/

====================  ==============================  ===========  ==================================================
name                  environment variable            default      what it bounds
====================  ==============================  ===========  ==================================================
pdf_stream_bytes      KMRECON_MAX_PDF_STREAM_BYTES    128 MiB      decompressed bytes of one PDF stream (Flate)
pdf_total_bytes       KMRECON_MAX_PDF_TOTAL_BYTES     512 MiB      decompressed bytes of all PDF streams together
pdf_pages             KMRECON_MAX_PDF_PAGES           2,000        pages of one PDF
vector_paths          KMRECON_MAX_VECTOR_PATHS        100,000      paths drawn on one PDF page or in one SVG
vector_segments       KMRECON_MAX_VECTOR_SEGMENTS     250,000      path segments on one PDF page or in one SVG
image_pixels          KMRECON_MAX_IMAGE_PIXELS        40,000,000   rows x cols of an image (a page at 600 dpi: 35 M)
text_chars            KMRECON_MAX_TEXT_CHARS          100,000      characters of text on one page, in one SVG or YAML line
at_risk_rows          KMRECON_MAX_AT_RISK_ROWS        10,000       rows of an at-risk table (CSV or read from a plot)
field_chars           KMRECON_MAX_FIELD_CHARS         1,000        characters of one text field of a CSV (an arm name)
input_bytes           KMRECON_MAX_INPUT_BYTES         16 MiB       size of a CSV, YAML or SVG input file
yaml_nodes            KMRECON_MAX_YAML_NODES          1,000,000    nodes of a YAML document after alias expansion
====================  ==============================  ===========  ==================================================

Values are whole numbers; ``0`` or a negative value is refused (a limit cannot be switched off, only
raised). Functions here import nothing heavy, so every layer may use them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from reconstruct.errors import InputError

__all__ = ["Limit", "LIMITS", "LimitError", "limit_value", "check_limit", "check_file_size", "load_yaml_limited"]


@dataclass(frozen=True)
class Limit:
    """One named resource limit.

    Attributes
    ----------
    name : str
        Short name used in messages (``pdf_stream_bytes``).
    env : str
        Environment variable that raises (or lowers) it.
    default : int
        Value when the variable is not set.
    what : str
        What it bounds, for messages and documentation.
    """

    name: str
    env: str
    default: int
    what: str


_MIB = 1 << 20

LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        Limit("pdf_stream_bytes", "KMRECON_MAX_PDF_STREAM_BYTES", 128 * _MIB, "decompressed bytes of one PDF stream"),
        Limit("pdf_total_bytes", "KMRECON_MAX_PDF_TOTAL_BYTES", 512 * _MIB, "decompressed bytes of all PDF streams"),
        Limit("pdf_pages", "KMRECON_MAX_PDF_PAGES", 2_000, "pages of one PDF"),
        Limit("vector_paths", "KMRECON_MAX_VECTOR_PATHS", 100_000, "paths on one PDF page or in one SVG"),
        Limit("vector_segments", "KMRECON_MAX_VECTOR_SEGMENTS", 250_000,
              "path segments on one PDF page or in one SVG"),
        Limit("image_pixels", "KMRECON_MAX_IMAGE_PIXELS", 40_000_000, "pixels (rows x cols) of an image"),
        Limit("text_chars", "KMRECON_MAX_TEXT_CHARS", 100_000,
              "text characters on one page, in one SVG or on one YAML line"),
        Limit("at_risk_rows", "KMRECON_MAX_AT_RISK_ROWS", 10_000, "rows of an at-risk table"),
        Limit("field_chars", "KMRECON_MAX_FIELD_CHARS", 1_000, "characters in one CSV text field"),
        Limit("input_bytes", "KMRECON_MAX_INPUT_BYTES", 16 * _MIB, "bytes of a CSV, YAML or SVG input file"),
        Limit("yaml_nodes", "KMRECON_MAX_YAML_NODES", 1_000_000, "YAML nodes after alias expansion"),
    )
}


class LimitError(InputError):
    """An input over one of the named :data:`LIMITS`; the message names the limit and how to raise it.

    Attributes
    ----------
    limit : Limit
    value : int
        What was found (a lower bound when the reader stopped early).
    """

    def __init__(self, limit: Limit, value: int, *, source: str | None = None, at_least: bool = False) -> None:
        self.limit = limit
        self.value = value
        found = f"at least {value:,}" if at_least else f"{value:,}"
        super().__init__(
            f"expected at most {limit_value(limit.name):,} {limit.what} (limit {limit.name}), got {found}; "
            f"raise it with the environment variable {limit.env}=N if the input is trusted",
            source=source,
        )


def limit_value(name: str) -> int:
    """The current value of limit ``name``: its environment variable if set, else its default.

    Raises
    ------
    KeyError
        For an unknown limit name (a programming error).
    InputError
        For an environment variable that is not a whole number > 0.
    """
    limit = LIMITS[name]
    raw = os.environ.get(limit.env)
    if raw is None or not raw.strip():
        return limit.default
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(f"expected a whole number > 0, got {raw!r}", source=limit.env)
    return value


def check_limit(name: str, value: int, *, source: str | None = None, at_least: bool = False) -> None:
    """Raise :class:`LimitError` if ``value`` exceeds limit ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`LIMITS`.
    value : int
        The size found (or reached so far, with ``at_least=True``).
    source : str, optional
        The file the value belongs to, put in front of the message.
    at_least : bool, default False
        The reader stopped counting early; the message says "at least".
    """
    if value > limit_value(name):
        raise LimitError(LIMITS[name], int(value), source=source, at_least=at_least)


def check_file_size(path: str | os.PathLike[str], *, source: str | None = None) -> None:
    """Raise :class:`LimitError` for a text input (CSV, YAML, SVG) larger than ``input_bytes``."""
    check_limit("input_bytes", os.path.getsize(path), source=source if source is not None else os.fspath(path))


def _expanded_nodes(node, memo: dict[int, int], cap: int) -> int:
    """Nodes of a composed YAML tree with every alias expanded (shared subtrees counted once per use)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = cap + 1  # a node reached again while being counted refers to itself: treat as over the limit
    value = node.value
    children = []
    if isinstance(value, list):
        for item in value:
            children.extend(item if isinstance(item, tuple) else (item,))
    count = 1
    for child in children:
        count += _expanded_nodes(child, memo, cap)
        if count > cap:
            break
    memo[key] = count
    return count


def load_yaml_limited(stream, *, source: str | None = None):
    """``yaml.safe_load`` that refuses documents expanding to more than ``yaml_nodes`` nodes (anchor bombs).

    The document is composed into nodes first (aliases are shared references there, so a bomb costs
    little), counted with aliases expanded, and only then constructed.

    Raises
    ------
    LimitError
        Over ``yaml_nodes``.
    yaml.YAMLError
        Invalid YAML, as ``yaml.safe_load`` raises it.
    """
    import yaml

    loader = yaml.SafeLoader(stream)  # not libyaml (CSafeLoader): it overflows the C stack on deep nesting
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        cap = limit_value("yaml_nodes")
        count = _expanded_nodes(node, {}, cap)
        if count > cap:
            raise LimitError(LIMITS["yaml_nodes"], count, source=source, at_least=True)
        return loader.construct_document(node)
    finally:
        loader.dispose()
