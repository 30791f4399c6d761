"""Shared pieces of the command-line layer: error translation and option types.

Errors are translated in exactly one place, :func:`library_errors`, and this is
the whole exit-status map of the CLI:

- 0: done;
- 1: valid input that could not be processed (any other :class:`~reconstruct.errors.KmreconError`);
- 2: bad input or usage (:class:`~reconstruct.errors.InputError`: file, field or parameter);
- 3: a reconstruction that does not fit its figure (:class:`~reconstruct.errors.MisfitError`);
  only diagnostics were written.

Each ends with a one-line message. Unexpected exceptions keep their traceback, because they are bugs.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import click

from reconstruct.errors import InputError, KmreconError, KmreconWarning, MisfitError

__all__ = ["library_errors", "UsageFailure", "ProcessingFailure", "MisfitFailure", "parse_assignments",
           "parse_landmarks", "run_with_warnings", "EXIT_MISFIT"]

EXIT_MISFIT = 3


class UsageFailure(click.ClickException):
    """Bad input or usage: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: D102 - click's signature
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


class ProcessingFailure(click.ClickException):
    """Valid input that could not be processed: one line on stderr, exit status 1."""

    exit_code = 1


class MisfitFailure(click.ClickException):
    """A reconstruction that does not fit its figure: one line on stderr, exit status 3."""

    exit_code = EXIT_MISFIT


@contextlib.contextmanager
def library_errors() -> Iterator[None]:
    """Translate kmrecon errors into one-line CLI failures (exit 2 for input, 3 for a misfit, 1 otherwise)."""
    try:
        yield
    except InputError as exc:
        raise UsageFailure(_one_line(exc)) from None
    except MisfitError as exc:
        raise MisfitFailure(_one_line(exc)) from None
    except KmreconError as exc:
        raise ProcessingFailure(_one_line(exc)) from None
    except OSError as exc:  # an output folder that cannot be created or written
        where = exc.filename if exc.filename is not None else "output"
        raise UsageFailure(f"{where}: expected a writable path, got {exc.strerror or type(exc).__name__}") from None


def run_with_warnings(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function``; echo kmrecon warnings to stderr as one ``warning:`` line each, pass others on."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KmreconWarning)
        result = function(*args, **kwargs)
    for item in caught:
        if issubclass(item.category, KmreconWarning):
            click.echo(f"warning: {' '.join(str(item.message).split())}", err=True)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return result


def parse_landmarks(text: str) -> tuple[float, ...]:
    """Parse ``"6,12,24"`` into times; an empty string means no landmarks.

    Raises
    ------
    InputError
        For an item that is not a finite number >= 0.
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    values = []
    for item in items:
        try:
            value = float(item)
        except ValueError:
            value = float("nan")
        if not (value >= 0 and value != float("inf")):
            raise InputError(f"expected comma-separated times >= 0 such as 6,12,24, got {text!r}",
                             source="--landmarks")
        values.append(value)
    return tuple(values)


def _one_line(exc: BaseException, *, width: int = 2000) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= width else text[: width - 25] + " ... (message shortened)"


def parse_assignments(values: tuple[str, ...], *, option: str, kind: type = int) -> dict[str, int]:
    """Parse repeated ``ARM=N`` options into a dict.

    Raises
    ------
    InputError
        For an item without ``=``, an empty arm or a value that is not a whole number >= 0.
    """
    parsed: dict[str, int] = {}
    for item in values:
        arm, sep, raw = item.rpartition("=")
        arm = arm.strip()
        try:
            number = kind(raw.strip())
        except ValueError:
            number = None
        if not sep or not arm or number is None or number < 0:
            raise InputError(f"expected ARM=N with N a whole number >= 0, got {item!r}", source=option)
        parsed[arm] = number
    return parsed
