"""Findings: the located errors and warnings that the loader reports, and "did you mean".

Owned here so that the YAML layer, the value readers, the validator and the loader share one
type without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a facts file, located at ``path:line:column`` (1-based)."""

    severity: Severity
    path: str  # as displayed, e.g. "facts.yaml"
    line: int | None
    column: int | None
    subject: str | None  # id of the fact/source/topic the problem belongs to
    message: str
    code: str  # stable machine code, e.g. "unknown-source", "duplicate-key", "yaml-syntax"

    @property
    def location(self) -> str:
        """``path:line:col`` (or less when the position is unknown)."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        who = f"{self.subject}: " if self.subject else ""
        return f"{self.location}: {who}{self.message}"

    def report_line(self) -> str:
        """What ``check`` prints: the location, the severity, then the subject and message."""
        who = f"{self.subject}: " if self.subject else ""
        return f"{self.location}: {self.severity}: {who}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "subject": self.subject,
            "message": self.message,
            "code": self.code,
        }

    def sort_key(self) -> tuple[int, int]:
        return (self.line or 0, self.column or 0)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice a curator most likely meant by ``word``, or None when nothing is close.

    A choice that extends the word (``fa-2015`` -> ``fa-2015-outsourcing``) wins over an
    edit-distance match; otherwise the best match of at least 75% similarity.
    """
    options = [c for c in choices if c != word]
    if not word or not options:
        return None
    lowered = word.lower()
    extending = [c for c in options if c.startswith(lowered) or lowered.startswith(c)]
    if len(extending) == 1:
        return extending[0]
    pool = extending or options
    cutoff = 0 if extending else 75
    # Only a file with a mistake gets here: checking a valid file never loads rapidfuzz.
    from rapidfuzz import fuzz, process

    best = process.extractOne(lowered, pool, scorer=fuzz.ratio, score_cutoff=cutoff)
    return None if best is None else str(best[0])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    guess = closest(word, choices)
    return f" (did you mean '{guess}'?)" if guess else ""
