"""The exceptions narratives raises; all derive from :class:`NarrativesError`."""

from __future__ import annotations


class NarrativesError(Exception):
    """Base class of every error this library raises on purpose."""


class LabelFileError(NarrativesError, ValueError):
    """One or more label records are invalid; each problem names its file and line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the label files:\n  {shown}{more}")


class ModelError(NarrativesError):
    """A model directory is missing, damaged, of an unknown format or untrusted."""


class OutputError(NarrativesError):
    """An output file or folder cannot be written; the message names the path the user gave."""


class UsageError(NarrativesError, ValueError):
    """Arguments that make no sense together (an output over an input, ...); the CLI exits 2."""


class TrainingDataError(NarrativesError, ValueError):
    """Labels that cannot be cross-validated or trained on (too few documents, one class)."""
