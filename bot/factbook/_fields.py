"""Field readers for facts.yaml: one located value at a time -> a Python value, or a finding.

This module owns the value rules of format version 1 (what text, ids, dates, URLs, numbers and
lists must look like) and the wording that explains each mistake. It reads nodes made by
the YAML layer (``_yaml``), so every value keeps its line and column. The validator
(``_validate``) builds the sections and cross-references on top of it. Nothing here raises
for bad input.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.factbook._findings import Finding, Severity, closest, did_you_mean
from bot.factbook._model import CONFIDENCE_VALUES, DEFAULT_REVIEW_EVERY_DAYS, Fact, Source, Topic
from bot.factbook._yaml import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    STR_TAG,
    TAG,
    VALUE,
    MappingNode,
    Node,
    ScalarNode,
    is_blank,
    is_mapping,
    is_null,
    is_scalar,
    is_sequence,
    pairs,
    position,
    scalar_tag,
)

FORMAT_VERSION = 1
MAX_CLAIM_CHARS = 280
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

TOP_FIELDS = ("version", "review_every", "synonyms", "sources", "topics", "facts")
SOURCE_REQUIRED = ("publisher", "date", "url")
FACT_REQUIRED = ("id", "claim", "source", "topics")

MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG_NAMES = {INT_TAG: "a number", FLOAT_TAG: "a number", BOOL_TAG: "true/false"}


#: A value reader: an unbound ``FieldReader`` method, ``reader(self, node, subject, what)``.
Reader = Callable[["FieldReader", Node, str | None, str], object]


@dataclass
class Checked:
    """What the validator made of the file: the parts of a book, and every finding."""

    findings: list[Finding]
    sources: dict[str, Source] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    review_every: int = DEFAULT_REVIEW_EVERY_DAYS
    synonyms: tuple[tuple[str, ...], ...] = ()
    counts: dict[str, int] = field(default_factory=lambda: {"facts": 0, "sources": 0, "topics": 0})


@dataclass
class Entry:
    """One fact/source/topic as read: its values and the nodes they came from."""

    ident: str | None
    node: Node
    values: dict[str, object] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    shaped: bool = True  # False when the entry is not a mapping (reported once, no more)
    guessed: frozenset[str] = frozenset()  # fields a misspelt key was taken for


def kebab_problem(text: str) -> str | None:
    if ID_PATTERN.fullmatch(text):
        return None
    hint = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return "ids are lowercase words joined by '-'" + (f", e.g. '{hint}'" if hint else "")


class FieldReader:
    """Reads values and collects findings for one load."""

    def __init__(self, path: str, today: dt.date, skip: frozenset[int]) -> None:
        self.path = path
        self.today = today
        self.skip = skip  # nodes whose refused tag has been reported already
        self.out = Checked(findings=[])

    # -- reporting -----------------------------------------------------------------------------
    def report(
        self, severity: Severity, node: Node | None, subject: str | None, code: str, msg: str
    ) -> None:
        line, col = position(node) if node is not None else (None, None)
        self.out.findings.append(Finding(severity, self.path, line, col, subject, msg, code))

    def error(self, node: Node | None, subject: str | None, code: str, msg: str) -> None:
        self.report("error", node, subject, code, msg)

    def wrong_kind(self, node: Node, subject: str | None, what: str, expected: str) -> None:
        if id(node) in self.skip:
            return
        if is_scalar(node):
            found = _TAG_NAMES.get(scalar_tag(node), "text")
        else:
            found = "a mapping" if is_mapping(node) else "a list"
        self.error(node, subject, "wrong-type", f"{what} should be {expected}, not {found}")

    # -- mappings ------------------------------------------------------------------------------
    def items(
        self,
        node: MappingNode,
        subject: str | None,
        known: Collection[str] | None,
        kind: str = "",
        id_of: str = "",
        guesses: set[str] | None = None,
    ) -> list[tuple[str, ScalarNode, Node]]:
        """Key/value pairs of a mapping; duplicate, complex and (with ``known``) unknown keys
        are reported and left out. ``kind`` names the entry ("fact") in messages; ``id_of``
        says the keys are ids ("source"); ``guesses`` collects the fields that misspelt keys
        were taken for.
        """
        seen: dict[str, ScalarNode] = {}
        skip = self.skip
        out: list[tuple[str, ScalarNode, Node]] = []
        for key, value in pairs(node):
            if not is_scalar(key) or (skip and id(key) in skip):
                if id(key) not in skip:
                    self.error(key, subject, "bad-key", "a key must be plain text")
                continue
            name = key[VALUE]
            first = seen.get(name)
            if first is not None:
                lines = f"first at line {position(first)[0]}, again at line {position(key)[0]}"
                if id_of:
                    msg = f"duplicate {id_of} id '{name}' ({lines})"
                    self.error(key, name, "duplicate-id", msg)
                else:
                    msg = f"duplicate key '{name}' ({lines}): YAML would keep only the last one"
                    self.error(key, subject, "duplicate-key", msg)
                continue
            seen[name] = key
            if known is not None and name not in known:
                if name == "<<" and scalar_tag(key) == MERGE_TAG:
                    self.error(key, subject, "merge-key", "merge keys ('<<') are not supported")
                    continue
                where = f" in a {kind}" if kind else ""
                guess = closest(name, list(known))
                hint = f" (did you mean '{guess}'?)" if guess else ""
                if guess and guesses is not None:
                    guesses.add(guess)
                msg = f"unknown field '{name}'{where}{hint}"
                self.error(key, subject, "unknown-field", msg)
                continue
            out.append((name, key, value))
        return out

    # -- scalar readers (each returns None after reporting, or for an empty value) ---------------
    def text(self, node: Node, subject: str | None, what: str) -> str | None:
        if not is_scalar(node):
            self.wrong_kind(node, subject, what, "text")
            return None
        tag, value = node[TAG], node[VALUE]
        if tag is not STR_TAG:  # quoted text skips the checks below (the common case)
            if self.skip and id(node) in self.skip:
                return None
            if is_null(node):
                return None
            tag = scalar_tag(node)
            if tag in _TAG_NAMES:
                msg = f"{what} should be text, not {_TAG_NAMES[tag]}: put '{value}' in quotes"
                self.error(node, subject, "wrong-type", msg)
                return None
        return value.strip() or None

    def raw(self, node: Node, subject: str | None, what: str) -> str | None:
        """A scalar's text whatever YAML would read it as (``2015``, ``no``): ids, refs, dates."""
        if not is_scalar(node):
            self.wrong_kind(node, subject, what, "text")
            return None
        if (self.skip and id(node) in self.skip) or is_null(node):
            return None
        return node[VALUE].strip() or None

    def ident(self, node: Node, subject: str | None, what: str) -> str | None:
        text = self.raw(node, subject, what)
        if text is None:
            return None
        problem = kebab_problem(text)
        if problem:
            self.error(node, subject, "bad-id", f"{what} '{text}' is not a valid id: {problem}")
        return text

    def text_list(
        self, node: Node, subject: str | None, what: str, read: Callable[..., str | None]
    ) -> tuple[str, ...] | None:
        if not is_sequence(node):
            if is_scalar(node) and is_null(node):
                return None
            self.wrong_kind(node, subject, what, "a list, e.g. [a, b]")
            return None
        out: list[str] = []
        for item in node[VALUE]:
            value = read(item, subject, f"an item of {what}")
            if value is None and is_blank(item) and id(item) not in self.skip:
                self.error(item, subject, "empty-item", f"empty item in {what}")
            elif value is not None:
                out.append(value)
        return tuple(out)

    def aliases(self, node: Node, subject: str | None, what: str) -> tuple[str, ...] | None:
        return self.text_list(node, subject, what, self.text)

    def id_refs(self, node: Node, subject: str | None, what: str) -> tuple[str, ...] | None:
        """A list of ids as written (checked against what they name elsewhere)."""
        return self.text_list(node, subject, what, self.raw)

    def regions(self, node: Node, subject: str | None, what: str) -> tuple[str, ...] | None:
        return self.text_list(node, subject, what, self.ident)

    def partial_date(self, node: Node, subject: str | None, what: str) -> str | None:
        text = self.raw(node, subject, what)
        if text is None:
            return None
        match = _PARTIAL_DATE.fullmatch(text)
        ok = match is not None
        if match is not None:
            year, month, day = (int(g) if g else 1 for g in match.groups())
            try:
                dt.date(year, month, day)
            except ValueError:
                ok = False
        if not ok:
            msg = f"{what} '{text}' should be a real date: YYYY, YYYY-MM or YYYY-MM-DD"
            self.error(node, subject, "bad-date", msg)
            return None
        return text

    def full_date(self, node: Node, subject: str | None, what: str) -> dt.date | None:
        text = self.raw(node, subject, what)
        if text is None:
            return None
        try:
            if len(text) != 10:
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            msg = f"{what} '{text}' should be a real date written YYYY-MM-DD"
            self.error(node, subject, "bad-date", msg)
            return None
        if day > self.today:
            msg = f"{what} {text} is in the future (today is {self.today.isoformat()})"
            self.error(node, subject, "future-date", msg)
            return None
        return day

    def positive_int(self, node: Node, subject: str | None, what: str) -> int | None:
        if not is_scalar(node) or scalar_tag(node) != INT_TAG:
            if not (is_scalar(node) and is_null(node)):
                self.wrong_kind(node, subject, what, "a whole number of days")
            return None
        value = _yaml_int(node[VALUE])
        if value is None or value <= 0:
            self.error(node, subject, "bad-number", f"{what} should be a positive number of days")
            return None
        return value

    def flag(self, node: Node, subject: str | None, what: str) -> bool | None:
        """``true`` or ``false`` (YAML 1.1 also reads yes/no, on/off)."""
        if not is_scalar(node) or scalar_tag(node) != BOOL_TAG:
            self.wrong_kind(node, subject, what, "true or false")
            return None
        return node[VALUE].lower() in ("true", "yes", "on", "y")

    def url(self, node: Node, subject: str | None, what: str) -> str | None:
        text = self.text(node, subject, what)
        if text is None:
            return None
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:
            host, parts = None, None
        if parts is None or parts.scheme not in ("http", "https") or not host or " " in text:
            msg = f"{what} '{text}' should be a web address starting with https:// or http://"
            self.error(node, subject, "bad-url", msg)
            return None
        return text

    def confidence(self, node: Node, subject: str | None, what: str) -> str | None:
        text = self.text(node, subject, what)
        if text is None:
            return None
        if text not in CONFIDENCE_VALUES:
            choices = " or ".join(CONFIDENCE_VALUES)
            hint = did_you_mean(text.lower(), CONFIDENCE_VALUES)
            self.error(
                node, subject, "bad-confidence", f"confidence '{text}' should be {choices}{hint}"
            )
            return None
        return text

    # -- records -------------------------------------------------------------------------------
    def record(
        self,
        entry: Entry,
        node: Node,
        readers: Mapping[str, Reader],
        what: str,
    ) -> None:
        """Read an entry's fields into ``entry``; ``readers`` names the fields an entry may have."""
        if not is_mapping(node):
            self.wrong_kind(node, entry.ident, what, "a mapping of fields (name: value)")
            entry.shaped = False
            return
        guessed: set[str] = set()
        for name, _key, value in self.items(node, entry.ident, readers, what, "", guessed):
            entry.nodes[name] = value
            got = readers[name](self, value, entry.ident, name)
            if got is not None:
                entry.values[name] = got
        if guessed:  # most entries have none: no set kept for them
            entry.guessed = frozenset(guessed)

    def require(self, entry: Entry, required: Iterable[str]) -> bool:
        if not entry.shaped:
            return False
        missing = [name for name in required if name not in entry.values]
        for name in missing:
            if name in entry.nodes:  # present but empty or wrong (wrong is reported already)
                value = entry.nodes[name]
                if is_blank(value):
                    self.error(value, entry.ident, "missing-field", f"'{name}' is empty")
            elif name not in entry.guessed:  # else "unknown field ... did you mean" said it
                self.error(entry.node, entry.ident, "missing-field", f"missing '{name}'")
        return not missing


def _yaml_int(text: str) -> int | None:
    """A YAML 1.1 integer (``365``, ``1_000``, ``0x10``); None for a sexagesimal oddity."""
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    value = value.lstrip("+-")
    try:
        if value.startswith("0b"):
            return sign * int(value[2:], 2)
        if value.startswith("0x"):
            return sign * int(value[2:], 16)
        if len(value) > 1 and value.startswith("0"):
            return sign * int(value, 8)
        return sign * int(value)
    except ValueError:
        return None
