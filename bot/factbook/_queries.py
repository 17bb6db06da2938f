"""The team's expected questions: a queries file -> ExpectedQuery entries, or located findings.

A queries file lists the questions a team expects the book to answer, each with the facts that
are a right first answer (or ``miss: true``: the book must say it cannot answer)::

    version: 1
    queries:
      - query: what does resolution 2397 require
        answers: [unscr-2397-repatriation]
        tags: [question]          # optional: what kind of question it is (for the benchmark)
      - query: Lazarus Group crypto hacking
        miss: true

This module reads and checks the file's own shape, with the same safe YAML and the same
``file:line:col`` findings as facts.yaml. Whether the book still answers each question is the
answers stage's to say.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from bot.factbook._fields import Entry, FieldReader, Reader
from bot.factbook._findings import Finding
from bot.factbook._load import DEFAULT_MAX_BYTES, FactsUnreadable
from bot.factbook._yaml import (
    INT_TAG,
    VALUE,
    Node,
    check_tree,
    compose,
    decode,
    is_mapping,
    is_scalar,
    is_sequence,
    needs_tree_check,
    peek,
    position,
    scalar_tag,
)

QUERIES_VERSION = 1
_TOP = ("version", "queries")


@dataclass(frozen=True, slots=True)
class ExpectedQuery:
    """One question the team expects an answer to: the facts that are a right first answer,
    or none when the book must answer it as a miss.
    """

    query: str
    answers: tuple[str, ...]  # empty when ``miss``
    miss: bool
    tags: tuple[str, ...]
    line: int
    column: int
    answers_at: tuple[int, int]  # where the answers were written (for an unknown id)


@dataclass(frozen=True, slots=True)
class QueriesResult:
    """The expected questions that were read, and every problem with the file."""

    queries: tuple[ExpectedQuery, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


class _QueriesReader(FieldReader):
    def document(self, root: Node | None) -> list[ExpectedQuery]:
        if not is_mapping(root):
            node: Node = root if root is not None else ("scalar", "", "", 1, 1)
            self.error(
                node, None, "not-a-mapping", "the file should be a mapping: version, queries"
            )
            return []
        sections = {name: value for name, _key, value in self.items(root, None, _TOP)}
        version = sections.get("version")
        if (
            not is_scalar(version)
            or scalar_tag(version) != INT_TAG
            or version[VALUE].strip() != str(QUERIES_VERSION)
        ):
            msg = f"missing or unsupported version: this factbot reads 'version: {QUERIES_VERSION}'"
            self.error(version or root, None, "bad-version", msg)
        items = sections.get("queries")
        if not is_sequence(items):
            what = "a list of queries (each item starts with '- query:')"
            self.wrong_kind(items or root, None, "'queries'", what)
            return []
        return [q for item in items[VALUE] if (q := self.entry(item)) is not None]

    def entry(self, item: Node) -> ExpectedQuery | None:
        entry = Entry(ident=peek(item, "query"), node=item)
        self.record(entry, item, _READERS, "query")
        if not self.require(entry, ("query",)):
            return None
        v = entry.values
        query = str(v["query"])
        answers = v.get("answers")
        answers = answers if isinstance(answers, tuple) else ()
        miss = v.get("miss") is True
        if miss and answers:
            msg = "a query has either 'answers' or 'miss: true', not both"
            self.error(entry.nodes["miss"], query, "answers-and-miss", msg)
            return None
        if not miss and not answers:
            msg = (
                "say which facts answer it ('answers: [fact-id]') or that it misses ('miss: true')"
            )
            self.error(item, query, "no-answers", msg)
            return None
        tags = v.get("tags")
        line, column = position(item)
        at = position(entry.nodes["answers"]) if "answers" in entry.nodes else (line, column)
        return ExpectedQuery(
            query, answers, miss, tags if isinstance(tags, tuple) else (), line, column, at
        )


_READERS: dict[str, Reader] = {
    "query": FieldReader.text,
    "answers": FieldReader.id_refs,
    "miss": FieldReader.flag,
    "tags": FieldReader.aliases,  # a list of words
}


def load_queries(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> QueriesResult:
    """Read a queries file. Raises :class:`FactsUnreadable` when it cannot be read at all."""
    shown = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise FactsUnreadable(f"cannot read {shown}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        msg = f"the file is over the {max_bytes:,}-byte limit: refused"
        return QueriesResult((), (Finding("error", shown, None, None, None, msg, "too-large"),))
    text, problem = decode(data, shown)
    if text is None:
        return QueriesResult((), (problem,) if problem else ())
    root, problem = compose(text, shown)
    if problem is not None:
        return QueriesResult((), (problem,))
    reader = _QueriesReader(shown, dt.datetime.now(dt.UTC).date(), frozenset())
    if root is not None and needs_tree_check(text):
        refused, _bad = check_tree(root, shown)
        if refused:
            return QueriesResult((), tuple(refused))
    queries = reader.document(root)
    findings = sorted(reader.out.findings, key=Finding.sort_key)
    return QueriesResult(tuple(queries), tuple(findings))
