"""Export: the whole book with its citations, as Markdown, CSV or JSON.

This module owns the export formats (for a website or a briefing pack) and
:func:`escape_markdown`, which makes text from facts.yaml safe to put in (GitHub) Markdown. It
builds strings from a FactBook and does no I/O; the ``export`` command reads the file and
writes the result.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from bot.factbook import Fact, FactBook, Source, Topic

FORMATS = ("markdown", "csv", "json")

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "claim",
    "as_of",
    "confidence",
    "reported_by",
    "topics",
    "regions",
    "quote",
    "source",
    "publisher",
    "author",
    "title",
    "date",
    "url",
    "read_at",
    "estimated_by",
    "repeats",
    "never_with",
    "reviewed",
    "superseded_by",
)
#: Separator for the list-valued CSV columns (topics, regions).
LIST_SEP = ";"

# -- Markdown escaping --------------------------------------------------------------------------

# Characters that can start or end inline syntax anywhere in a line: emphasis, code, links,
# images, autolinks and HTML, tables, strikethrough, entities, closing heading hashes, math
# (``$``, on GitHub and sites with KaTeX), and the escape itself.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&#$])")
# Constructs that only count at the start of a line: lists, thematic breaks, setext underlines.
_LINE_START = re.compile(r"^([+=-]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """Text from the file as literal Markdown: one line, nothing in it read as syntax."""
    flat = " ".join(text.split())
    escaped = _INLINE.sub(r"\\\1", flat)
    return _LINE_START.sub(
        lambda m: (m.group(1) + "\\") if m.group(1).isdigit() else ("\\" + m.group(1)), escaped
    )


def _autolink(url: str) -> str:
    """A URL as a Markdown autolink; characters that would end or break it are percent-encoded."""
    safe = url.strip().replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return f"<{safe}>"


# -- shared walk --------------------------------------------------------------------------------

UNFILED = "Other facts"


def _sections(book: FactBook) -> Iterator[tuple[Topic | None, tuple[Fact, ...]]]:
    """Topics in the file's order with their facts; then facts filed under no known topic."""
    for topic in book.topics.values():
        facts = book.facts_for_topic(topic.id)
        if facts:
            yield topic, facts
    unfiled = tuple(f for f in book if not any(t in book.topics for t in f.topics))
    if unfiled:
        yield None, unfiled


def secondhand_reporter(book: FactBook, fact: Fact) -> str | None:
    """Who reported a secondhand fact (:meth:`FactBook.reporter`); None when verified."""
    return book.reporter(fact) if fact.secondhand else None


# -- Markdown -----------------------------------------------------------------------------------


def _source_entry(number: int, source: Source) -> str:
    who = escape_markdown(source.publisher)
    if source.author:
        who += f" ({escape_markdown(source.author)})"
    title = f'"{escape_markdown(source.title)}", ' if source.title else ""
    entry = f"{number}. {who}, {title}{escape_markdown(source.date)}, {_autolink(source.url)}"
    if source.read_at:
        entry += f" (words read at {_autolink(source.read_at)})"
    return entry


def _fact_notes(book: FactBook, fact: Fact) -> str:
    notes: list[str] = []
    if fact.as_of:
        notes.append(f"as of {escape_markdown(fact.as_of)}")
    first = book.credit(fact)
    if first:
        notes.append(escape_markdown(first))
    who = secondhand_reporter(book, fact)
    if who:
        notes.append(f"secondhand: reported by {escape_markdown(who)}")
    if fact.superseded_by:
        notes.append(f"superseded by `{fact.superseded_by}`")
    return f" _({'; '.join(notes)})_" if notes else ""


def to_markdown(book: FactBook, title: str = "Facts") -> str:
    """The book grouped by topic, each claim with a source number, then the numbered sources.

    Sources are numbered once, in order of first use; a fact filed under several topics appears
    under each with the same number.
    """
    numbers: dict[str, int] = {}
    out = [
        f"# {escape_markdown(title)}",
        "",
        f"{book.summary_line()}. Version `{book.version}`.",
    ]
    for topic, facts in _sections(book):
        out += ["", f"## {escape_markdown(topic.title if topic else UNFILED)}", ""]
        if topic and topic.description:
            out += [escape_markdown(topic.description), ""]
        for fact in facts:
            n = numbers.setdefault(fact.source, len(numbers) + 1)
            out.append(f"- {escape_markdown(fact.claim)} [{n}]{_fact_notes(book, fact)}")
    if numbers:
        out += ["", "## Sources", ""]
        out += [_source_entry(n, book.sources[sid]) for sid, n in numbers.items()]
    return "\n".join(out) + "\n"


# -- CSV ----------------------------------------------------------------------------------------


def csv_row(book: FactBook, fact: Fact) -> dict[str, str]:
    """One fact as a CSV row keyed by :data:`CSV_COLUMNS`; missing values are empty strings."""
    src = book.source_of(fact)
    return {
        "id": fact.id,
        "claim": fact.claim,
        "as_of": fact.as_of or "",
        "confidence": fact.confidence,
        "reported_by": secondhand_reporter(book, fact) or "",
        "topics": LIST_SEP.join(fact.topics),
        "regions": LIST_SEP.join(fact.regions),
        "quote": fact.quote or "",
        "source": src.id,
        "publisher": src.publisher,
        "author": src.author or "",
        "title": src.title or "",
        "date": src.date,
        "url": src.url,
        "read_at": src.read_at or "",
        "estimated_by": fact.estimated_by or "",
        "repeats": fact.repeats or "",
        "never_with": LIST_SEP.join(fact.never_with),
        "reviewed": fact.reviewed.isoformat() if fact.reviewed else "",
        "superseded_by": fact.superseded_by or "",
    }


def to_csv(book: FactBook) -> str:
    """A header row, then one row per fact in the file's order (RFC 4180 quoting, CRLF)."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_row(book, fact) for fact in book)
    return buf.getvalue()


# -- JSON ---------------------------------------------------------------------------------------


def _fact_json(book: FactBook, fact: Fact) -> dict[str, Any]:
    return {
        "id": fact.id,
        "claim": fact.claim,
        "source": fact.source,
        "topics": list(fact.topics),
        "quote": fact.quote,
        "as_of": fact.as_of,
        "regions": list(fact.regions),
        "confidence": fact.confidence,
        "reported_by": secondhand_reporter(book, fact),
        "estimated_by": fact.estimated_by,
        "repeats": fact.repeats,
        "never_with": list(fact.never_with),
        "reviewed": fact.reviewed.isoformat() if fact.reviewed else None,
        "review_every": book.review_interval(fact),
        "superseded_by": fact.superseded_by,
    }


def _source_json(src: Source) -> dict[str, Any]:
    return {
        "title": src.title,
        "publisher": src.publisher,
        "author": src.author,
        "date": src.date,
        "url": src.url,
        "read_at": src.read_at,
    }


def _topic_json(book: FactBook, topic: Topic) -> dict[str, Any]:
    return {
        "title": topic.title,
        "aliases": list(topic.aliases),
        "description": topic.description,
        "facts": [f.id for f in book.facts_for_topic(topic.id)],
    }


def to_json(book: FactBook) -> dict[str, Any]:
    """``{"version", "facts": [...], "sources": {id: ...}, "topics": {id: ...}}``.

    Every key is always present (null or empty when the file leaves it out); lists and mappings
    keep the file's order. ``review_every`` is the interval in force (the fact's, else the book's).
    """
    return {
        "version": book.version,
        "facts": [_fact_json(book, f) for f in book],
        "sources": {sid: _source_json(s) for sid, s in book.sources.items()},
        "topics": {tid: _topic_json(book, t) for tid, t in book.topics.items()},
    }
