"""Exception and warning hierarchy.

One root, :class:`CoverageError`; every subclass also inherits the matching built-in
exception so callers can catch either (the rasterio pattern).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row (or with a whole file) of one layer.

    Attributes
    ----------
    source : str
        File path, or ``"<memory>"`` for a frame built in code.
    layer : str
        Layer name (``"sites"``, ``"hamlets"`` ...).
    row_id : str or None
        Value of the layer's id field for the offending row; ``None`` for file-level problems.
    field : str or None
        Column concerned (``"geometry"`` for geometry problems); ``None`` for file-level problems.
    message : str
        What is wrong, in words a data owner can act on.
    """

    source: str
    layer: str
    row_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source} [{self.layer}]"
        if self.row_id is not None:
            where += f" row {self.row_id!r}"
        if self.field is not None:
            where += f" field {self.field!r}"
        return f"{where}: {self.message}"


class CoverageError(Exception):
    """Root of every error raised by hamlet-coverage."""


class ValidationError(CoverageError, ValueError):
    """A layer or project broke its data contract.

    Validation gathers every problem, then raises once; ``problems`` holds them all.
    """

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        head = summary or f"{n} problem{'s' if n != 1 else ''} found"
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {n - 50} more" if n > 50 else ""
        super().__init__(f"{head}:\n{shown}{more}" if n else head)


class CRSError(CoverageError, ValueError):
    """A coordinate reference system is missing, unknown or unusable."""


class ExtentError(CoverageError, ValueError):
    """Data or a raster does not cover the area it must cover."""


class ValidityRangeError(CoverageError, ValueError):
    """An input lies outside a propagation model's documented validity range, or outside its formula's domain.

    Raised by the radio models (:mod:`coverage.radio.propagation` and the other modules that check a model's range).
    The message names the model, the quantity, the offending values and the valid range; where the model may
    be extrapolated it says to pass ``extrapolate=True``.

    Attributes
    ----------
    model : str or None
        Model name as in ``coverage.radio.propagation.MODELS`` (``"hata"``, ``"tr38901_rma"`` ...).
    quantities : tuple of str
        The offending input names (``"dist_m"``, ``"freq_mhz"`` ...).
    """

    def __init__(self, message: str, *, model: str | None = None, quantities: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.model = model
        self.quantities = quantities


class MissingLayerError(CoverageError, KeyError):
    """A project lacks a layer that an operation needs."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CoverageWarning(UserWarning):
    """Root of the warnings hamlet-coverage emits."""


class RepairWarning(CoverageWarning):
    """Input was repaired (e.g. an invalid polygon fixed with ``make_valid``)."""


class ExtrapolationWarning(CoverageWarning):
    """A propagation model was evaluated outside its validity range because the caller passed ``extrapolate=True``."""


class DoubleCountingWarning(CoverageWarning):
    """A model chain counts a loss twice (terrain or clutter the model already contains), run on the user's request."""
