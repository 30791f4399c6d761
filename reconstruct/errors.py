"""The kmrecon exception and warning hierarchy, shared by every package.

Every error raised on purpose by kmrecon derives from :class:`KmreconError`.
Errors caused by the caller's data or parameters also derive from
:class:`ValueError`, so ``except ValueError`` keeps working for them.
Messages read "expected X, got Y", plus a hint where one helps.
"""

from __future__ import annotations

__all__ = [
    "KmreconError",
    "InputError",
    "ImageError",
    "CalibrationError",
    "DigitizationError",
    "ReconstructionError",
    "AmbiguousMatchError",
    "MisfitError",
    "OutputExistsError",
    "KmreconWarning",
    "DigitizationWarning",
    "ReconstructionWarning",
    "ComparisonWarning",
]


class KmreconError(Exception):
    """Base class for all kmrecon errors."""


class InputError(KmreconError, ValueError):
    """Invalid user-supplied data, file or parameter.

    Parameters
    ----------
    message : str
        What was expected and what was found.
    source : str, optional
        The file (and row or field) the problem is in, prefixed to the message.
    row : int, optional
        Position (0-based) of the offending entry in the array or table that was checked, so
        that a caller who read it from a file can name the line.
    """

    def __init__(self, message: str, *, source: str | None = None, row: int | None = None) -> None:
        self.source = source
        self.row = row
        self.detail = message
        super().__init__(f"{source}: {message}" if source else message)


class ImageError(InputError):
    """An image that cannot be read or is not supported."""


class CalibrationError(KmreconError):
    """The axis calibration of a figure could not be determined."""


class XTickLabelError(CalibrationError):
    """The x tick labels read cannot calibrate (too few, one value, off the ticks' step). Raised without the tick
    grid's vote, a panel is tried again with it; raised with it, no three labels agreed with the grid."""


class DigitizationError(KmreconError):
    """A curve could not be extracted from a figure."""


class ReconstructionError(KmreconError):
    """A Guyot reconstruction is infeasible or inconsistent with its inputs."""


class AmbiguousMatchError(ReconstructionError):
    """Labels, colours and the at-risk numbers leave open which at-risk row is which curve's.

    The message is one line: what was expected, the reasons, and the hint.

    Parameters
    ----------
    reasons : tuple of str
        Why the match is open (at most two plain reasons), for a caller that adds what it knows or says them again.
    hint : str
        What to do, after the reasons.
    close : tuple of tuple of int
        The pairings (row of each curve, 0-based) that come closest, best first.
    """

    def __init__(self, reasons: tuple[str, ...], hint: str = "", close: tuple[tuple[int, ...], ...] = ()):
        self.reasons, self.hint, self.close = tuple(reasons), hint, tuple(close)
        super().__init__("expected at-risk rows that can be told apart by label, colour or numbers, got an ambiguous "
                         f"match: {'; '.join(self.reasons)}; {hint}")

    def __reduce__(self):
        return type(self), (self.reasons, self.hint, self.close)

    def because(self, reasons: tuple[str, ...]) -> AmbiguousMatchError:
        """The same error with ``reasons`` in place of its own."""
        return AmbiguousMatchError(reasons, self.hint, self.close)


class MisfitError(KmreconError):
    """A reconstruction that does not fit its figure: its KM misses the digitized curve beyond the
    digitization precision, or its at-risk table contradicts the curve.

    Parameters
    ----------
    message : str
        One line naming the arm, the size of the miss and what to check.
    fits : tuple of ArmFit
        Per-arm fit scores (see :mod:`reconstruct.quality`).
    result : FigureRun or IPDReconstruction, optional
        The flagged result (``status == "misfit"``), so that a caller can write diagnostics.
    """

    def __init__(self, message: str, *, fits: tuple = (), result: object = None) -> None:
        self.fits = tuple(fits)
        self.result = result
        super().__init__(message)


class OutputExistsError(InputError):
    """An output file exists and overwriting was not allowed."""


class KmreconWarning(UserWarning):
    """Base class for kmrecon warnings."""


class DigitizationWarning(KmreconWarning):
    """A digitization result of doubtful quality (gaps filled, low contrast...)."""


class ReconstructionWarning(KmreconWarning):
    """Inputs adjusted or found inconsistent during reconstruction."""


class ComparisonWarning(KmreconWarning):
    """A contrast between unlike quantities, populations or criteria."""
