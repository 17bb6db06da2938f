"""Insights for curators: the book beside its usage counts, as data, text, JSON and CSV.

This module owns :func:`insights` (the book in service + :class:`~bot.usage.UsageCounts` ->
:class:`Insights`): the most asked facts and topics, the current facts nobody asked for, and the
most frequent questions the book could not answer, each with the topic nearest to it (a topic
its words name, else the topic of the facts that matched part of it) or, when the book has since
gained an answer, the fact that answers it now. And the curators' plain forms of it:
:func:`insights_text` (the terminal), :func:`insights_json`, :func:`insights_csv`. The Discord
wording is the app's. Pure: the counts and the book are passed in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.factbook import Fact, Topic
from bot.words import plural, shorten

if TYPE_CHECKING:  # types only: ``check`` imports curation and stays free of both
    from bot.answers import SearchIndex
    from bot.usage import UsageCounts

#: Entries per list (most asked facts, topics, unanswered questions) unless told.
DEFAULT_LIMIT = 20
#: Characters of a claim a text line shows.
CLAIM_PREVIEW = 70
#: Facts never asked listed in the text before "and N more".
NEVER_SHOWN = 30
#: Width the list of facts never asked is wrapped to in the text form.
TEXT_WIDTH = 100
INSIGHT_FORMATS = ("text", "json", "csv")
CSV_HEADER = ("section", "key", "count", "title", "nearest_topic", "answered_by")
#: Partial matches whose topics count towards a question's nearest topic.
NEAR_HITS = 5


@dataclass(frozen=True, slots=True)
class Counted:
    """A fact or topic with how often it was served; ``title`` None: no longer in the book."""

    id: str
    count: int
    title: str | None  # the fact's claim or the topic's title


@dataclass(frozen=True, slots=True)
class Question:
    """An unanswered question (scrubbed, folded), how often it was asked, and where to look."""

    text: str
    count: int
    nearest_topic: Topic | None  # None: nothing in the book is near it
    answered_by: Fact | None = None  # the book in service answers it now


@dataclass(frozen=True)
class Insights:
    """What the team asked over ``since``..``until`` (UTC days), against one book."""

    since: dt.date
    until: dt.date
    first_day: dt.date | None  # the earliest day recorded (None: nothing recorded)
    commands: tuple[tuple[str, int], ...]  # answers per command, most first
    facts: tuple[Counted, ...]  # most served first
    topics: tuple[Counted, ...]  # most summarised first
    questions: tuple[Question, ...]  # most frequent first
    never_asked: tuple[Fact, ...]  # current facts not served once, in the curators' order
    current_facts: int  # facts not superseded
    unanswered_total: int  # times a question went unanswered
    stores: int = 1

    @property
    def answers(self) -> int:
        return sum(n for _, n in self.commands)

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def _ranked(counts: Mapping[str, int], limit: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def nearest(index: SearchIndex, text: str) -> tuple[Topic | None, Fact | None]:
    """The topic nearest to an unanswered question, and the fact that answers it now (if the
    book has gained one since): the topic its words name, else the topic of the facts that
    matched part of it (weighted by how well each matched); None when nothing is near it.
    """
    hits = index.search(text, limit=NEAR_HITS)
    fact = next((h.fact for h in hits if h.answers and h.fact.superseded_by is None), None)
    book = index.book
    if fact is not None:
        return (book.topics.get(fact.topics[0]) if fact.topics else None), fact
    named = index.resolve_topic(text)
    if named is not None:
        return named, None
    weights: dict[str, float] = {}
    for hit in hits:
        for tid in hit.fact.topics:
            weights[tid] = weights.get(tid, 0.0) + hit.score
    best = max(weights, key=lambda t: weights[t], default=None)  # ties: the first met
    return (book.topics.get(best) if best is not None else None), None


def questions(index: SearchIndex, unanswered: Mapping[str, int], limit: int) -> list[Question]:
    """The ``limit`` most frequent unanswered questions with their nearest topics."""
    out = []
    for text, n in _ranked(unanswered, limit):
        topic, fact = nearest(index, text)
        out.append(Question(text, n, topic, fact))
    return out


def insights(index: SearchIndex, counts: UsageCounts, *, limit: int = DEFAULT_LIMIT) -> Insights:
    """The book in service beside its usage: at most ``limit`` entries per list (the facts
    never asked are all listed).
    """
    book = index.book
    facts = [
        Counted(fid, n, f.claim if (f := book.fact(fid)) is not None else None)
        for fid, n in _ranked(counts.facts, limit)
    ]
    topics = [
        Counted(tid, n, t.title if (t := book.topics.get(tid)) is not None else None)
        for tid, n in _ranked(counts.topics, limit)
    ]
    current = [f for f in book if f.superseded_by is None]
    never = tuple(f for f in current if counts.facts.get(f.id, 0) == 0)
    return Insights(
        since=counts.since,
        until=counts.until,
        first_day=counts.first_day,
        commands=tuple(_ranked(counts.commands, len(counts.commands))),
        facts=tuple(facts),
        topics=tuple(topics),
        questions=tuple(questions(index, counts.unanswered, limit)),
        never_asked=never,
        current_facts=len(current),
        unanswered_total=sum(counts.unanswered.values()),
        stores=counts.stores,
    )


# -- forms -----------------------------------------------------------------------------------------
def window_line(ins: Insights) -> str:
    """Which days the figures cover, and since when anything was recorded."""
    span = f"{ins.since.isoformat()} to {ins.until.isoformat()} UTC"
    head = f"the last {plural(ins.days, 'day')} ({span})"
    if ins.first_day is None:
        return f"{head}; nothing recorded yet"
    if ins.first_day > ins.since:
        head += f"; recorded since {ins.first_day.isoformat()}"
    if ins.stores > 1:
        head += f"; {ins.stores} stores merged"
    return head


def where_to_look(q: Question) -> str:
    """``now answered by ID``, ``nearest topic: ID``, or ``no topic near it``."""
    if q.answered_by is not None:
        return f"now answered by {q.answered_by.id}"
    if q.nearest_topic is not None:
        return f"nearest topic: {q.nearest_topic.id}"
    return "no topic near it"


def insights_text(ins: Insights) -> str:
    """The terminal form: one section per list, counts right-aligned."""
    lines = [f"Usage insights: {window_line(ins)}"]
    per = ", ".join(f"{c} {n}" for c, n in ins.commands)
    lines.append(f"Answers: {ins.answers}" + (f" ({per})" if per else ""))
    width = len(str(max([1, *(c.count for c in (*ins.facts, *ins.topics))], default=1)))
    width = max(width, len(str(max([1, *(q.count for q in ins.questions)]))))

    def section(title: str, rows: list[str], empty: str) -> None:
        lines.append("")
        lines.append(f"{title}:")
        lines.extend(rows or [f"  {empty}"])

    section(
        "Most asked facts",
        [
            f"  {c.count:>{width}}  {c.id}  "
            + (shorten(c.title, CLAIM_PREVIEW) if c.title else "(no longer in the book)")
            for c in ins.facts
        ],
        "none",
    )
    section(
        "Most summarised topics",
        [
            f"  {c.count:>{width}}  {c.id}  {c.title or '(no longer in the book)'}"
            for c in ins.topics
        ],
        "none",
    )
    section(
        f"Questions the book could not answer ({plural(ins.unanswered_total, 'time')} in all)",
        [f"  {q.count:>{width}}  {q.text}  ({where_to_look(q)})" for q in ins.questions],
        "none",
    )
    never = [f.id for f in ins.never_asked]
    shown = ", ".join(never[:NEVER_SHOWN])
    if len(never) > NEVER_SHOWN:
        shown += f", and {len(never) - NEVER_SHOWN} more"
    section(
        f"Facts never asked ({len(never)} of {ins.current_facts} current facts)",
        textwrap.wrap(
            shown, TEXT_WIDTH, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False
        ),
        "none: every current fact was served at least once",
    )
    return "\n".join(lines) + "\n"


def insights_json(ins: Insights) -> dict[str, Any]:
    """A JSON-ready dict of the whole report."""

    def topic(t: Topic | None) -> dict[str, str] | None:
        return None if t is None else {"id": t.id, "title": t.title}

    return {
        "since": ins.since.isoformat(),
        "until": ins.until.isoformat(),
        "days": ins.days,
        "recorded_since": ins.first_day.isoformat() if ins.first_day else None,
        "stores": ins.stores,
        "answers": ins.answers,
        "commands": dict(ins.commands),
        "facts": [{"id": c.id, "count": c.count, "claim": c.title} for c in ins.facts],
        "topics": [{"id": c.id, "count": c.count, "title": c.title} for c in ins.topics],
        "unanswered_total": ins.unanswered_total,
        "unanswered": [
            {
                "text": q.text,
                "count": q.count,
                "nearest_topic": topic(q.nearest_topic),
                "answered_by": q.answered_by.id if q.answered_by else None,
            }
            for q in ins.questions
        ],
        "never_asked": [f.id for f in ins.never_asked],
        "current_facts": ins.current_facts,
    }


def _cell(text: str) -> str:
    """A member's words as a spreadsheet cell that cannot run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def insights_csv(ins: Insights) -> str:
    """One row per entry, a ``section`` column saying which list (``answers``, ``fact``,
    ``topic``, ``unanswered``, ``never_asked``); for a spreadsheet (a question that would
    read as a formula is quoted with ``'``).
    """
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(CSV_HEADER)
    for command, n in ins.commands:
        out.writerow(("answers", command, n, "", "", ""))
    for c in ins.facts:
        out.writerow(("fact", c.id, c.count, c.title or "", "", ""))
    for c in ins.topics:
        out.writerow(("topic", c.id, c.count, c.title or "", "", ""))
    for q in ins.questions:
        near = q.nearest_topic.id if q.nearest_topic else ""
        by = q.answered_by.id if q.answered_by else ""
        out.writerow(("unanswered", _cell(q.text), q.count, "", near, by))
    for f in ins.never_asked:
        out.writerow(("never_asked", f.id, 0, f.claim, "", ""))
    return buf.getvalue()
