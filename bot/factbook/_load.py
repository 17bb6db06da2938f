"""facts.yaml -> FactBook: the public loader (size cap, decoding, parsing, validation).

This module owns the loading pipeline and its result type. The steps live beside it: ``_yaml``
(bytes -> checked node tree), ``_fields`` (values) and ``_validate`` (sections, references,
warnings). Pure and thread-safe: no state survives a call, so live reload runs it in a worker
thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from bot.factbook._findings import Finding
from bot.factbook._model import FactBook
from bot.factbook._validate import validate
from bot.factbook._yaml import check_tree, compose, decode, needs_tree_check
from bot.words import plural

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: The facts file a command reads when it is given none.
DEFAULT_PATH = "facts.yaml"
Parser = Literal["auto", "c", "python"]


def _empty_counts() -> Mapping[str, int]:
    return MappingProxyType({"facts": 0, "sources": 0, "topics": 0})


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A book (None when there is any error) and every finding, sorted by line.

    ``counts`` says how many facts, sources and topics the file holds, valid or not.
    """

    book: FactBook | None
    findings: tuple[Finding, ...]
    counts: Mapping[str, int] = field(default_factory=_empty_counts)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.book is not None

    def summary(self, path: str | None = None) -> str:
        """``facts.yaml: 52 facts, 14 sources, 7 topics; 0 errors, 3 warnings``."""
        c = self.counts
        shown = path if path is not None else (self.findings[0].path if self.findings else "")
        if self.book is not None and path is None:
            shown = self.book.path
        parts = (
            plural(c.get("facts", 0), "fact"),
            plural(c.get("sources", 0), "source"),
            plural(c.get("topics", 0), "topic"),
        )
        tail = f"{plural(len(self.errors), 'error')}, {plural(len(self.warnings), 'warning')}"
        return f"{shown}: {', '.join(parts)}; {tail}"


class FactsUnreadable(Exception):
    """The facts file cannot be read at all: missing, a directory, no permission."""


def content_version(data: bytes) -> str:
    """The book version: the first 16 hex digits of the SHA-256 of the file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def _too_large(path: str, size: int, max_bytes: int) -> LoadResult:
    msg = f"the file is {size:,} bytes, over the {max_bytes:,}-byte limit: refused unread"
    return LoadResult(None, (Finding("error", path, None, None, None, msg, "too-large"),))


def load_bytes(
    data: bytes,
    path: str = "facts.yaml",
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: dt.date | None = None,
    parser: Parser = "auto",
) -> LoadResult:
    """Load and validate a facts file's bytes. Never raises for bad content.

    ``parser`` picks PyYAML's C parser ("auto" when present, "c") or the pure one ("python").
    ``today`` (UTC by default) decides what counts as a future date or an overdue review.
    """
    if len(data) > max_bytes:
        return _too_large(path, len(data), max_bytes)
    text, problem = decode(data, path)
    if text is None:
        return LoadResult(None, (problem,) if problem else ())
    day = today or dt.datetime.now(dt.UTC).date()
    return _parse_and_check(text, data, path, day, parser)


def _parse_and_check(
    text: str, data: bytes, path: str, today: dt.date, parser: Parser
) -> LoadResult:
    root, problem = compose(text, path, pure=parser == "python")
    if problem is not None:
        return LoadResult(None, (problem,))
    skip: frozenset[int] = frozenset()
    findings: list[Finding] = []
    if root is not None and needs_tree_check(text):
        findings, skip = check_tree(root, path)
        if any(f.code in ("alias-bomb", "recursive-alias", "too-deep") for f in findings):
            return LoadResult(None, tuple(findings))
    checked, book = validate(root, path, today, skip, content_version(data))
    findings.extend(checked.findings)
    findings.sort(key=Finding.sort_key)
    failed = any(f.severity == "error" for f in findings)
    counts = MappingProxyType(dict(checked.counts))
    return LoadResult(None if failed else book, tuple(findings), counts)


def load_path(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: dt.date | None = None,
    parser: Parser = "auto",
) -> LoadResult:
    """Load a facts file from disk. A file over ``max_bytes`` is refused without being read.

    Raises :class:`FactsUnreadable` when the file cannot be read at all.
    """
    shown = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return _too_large(shown, size, max_bytes)
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise FactsUnreadable(f"cannot read {shown}: {reason}") from exc
    if len(data) > max_bytes:  # grew while being read, or a pipe
        return _too_large(shown, len(data), max_bytes)
    return load_bytes(data, shown, max_bytes=max_bytes, today=today, parser=parser)
