"""Answers from a SearchIndex: the best fact, search lists, a fact's citation, the topics, misses.

Owns what an answer says, never how it looks (that is ``_render``). Every statement in an
answer is a fact's claim copied verbatim from facts.yaml; the only words added are short
labels and markers. An answer carries the ranked candidates of its one search, so the other
forms (the short post) choose among them instead of searching again.

A query that no fact covers well enough (see :data:`bot.answers._index.ANSWER_COVERAGE`) is a
miss, and every miss offers one to three suggestions: topics close to the query's words, the
topics of the facts that matched part of it, or else the book's largest topics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from bot.answers._index import Hit, SearchIndex
from bot.answers._text import MAX_QUERY_CHARS, fold
from bot.factbook import Fact, FactBook, Topic
from bot.words import plural

Kind = Literal["fact", "summary", "search", "source", "topics", "miss"]

SEARCH_LIMIT = 10
#: A verified fact scoring at least this share of a secondhand best hit answers instead.
VERIFIED_PREFERENCE = 0.9
SUGGESTIONS_MAX = 3
#: How close (0-100) a topic name or fact id must be to the query to be suggested.
SUGGEST_CUTOFF = 70

MISS_TEXT = "No fact in the book answers this."
UNKNOWN_ID_TEXT = "No fact has this id."


@dataclass(frozen=True)
class Answer:
    """What the engine says; ``_render`` turns it into plain text or JSON, the app into embeds."""

    query: str
    kind: Kind
    text: str  # the claim, or the stitched paragraph with [n] markers
    facts: tuple[Fact, ...]  # citation order: facts[0] is [1]
    book: FactBook  # the book it was answered from (citations come from here)
    candidates: tuple[Hit, ...] = ()  # the ranked hits of the answer's search, best first
    suggestions: tuple[str, ...] = ()  # for a miss: topic titles or fact ids to try
    with_quote: bool = False
    today: dt.date | None = None  # set: stale facts get a marker
    topic: Topic | None = None  # the topic a summary is about, when it named one
    note: str | None = None  # a short remark from the engine (e.g. only one fact matched)

    def newer(self) -> Fact | None:
        """For a fact or source answer about a superseded fact: the fact that replaces it."""
        if self.kind in ("fact", "source") and len(self.facts) == 2:
            old, new = self.facts
            if old.superseded_by is not None:
                return new
        return None

    def is_stale(self, fact: Fact) -> bool:
        return self.today is not None and self.book.is_stale(fact, self.today)


def newest(book: FactBook, fact: Fact) -> Fact:
    """The end of ``fact``'s ``superseded_by`` chain (``fact`` itself if the chain breaks)."""
    seen = {fact.id}
    current = fact
    while current.superseded_by is not None:
        newer = book.fact(current.superseded_by)
        if newer is None or newer.id in seen:
            return current
        seen.add(newer.id)
        current = newer
    return current


def _with_newer(book: FactBook, fact: Fact) -> tuple[Fact, ...]:
    new = newest(book, fact)
    return (fact,) if new is fact else (fact, new)


def miss(
    index: SearchIndex,
    query: str,
    hits: list[Hit],
    today: dt.date | None = None,
    text: str = MISS_TEXT,
) -> Answer:
    """A miss, with what to try instead."""
    found = tuple(suggest(index, query, hits))
    return Answer(query, "miss", text, (), index.book, tuple(hits), found, today=today)


def suggest(index: SearchIndex, query: str, hits: list[Hit] | None = None) -> list[str]:
    """One to three things to try instead of ``query``, best first: topic names close to it
    (a mistyped topic), fact ids close to it (a mistyped id), the topics of the facts that
    matched part of it (``hits``, searched when not given), else the book's largest topics.
    """
    book = index.book
    q = fold(query[:MAX_QUERY_CHARS]).strip()
    out: list[str] = []
    if len(q) >= 3:
        names = index.topic_names
        for name, _, _ in process.extract(
            q, list(names), scorer=fuzz.WRatio, score_cutoff=SUGGEST_CUTOFF, limit=6
        ):
            out.append(names[name])
        if not any(c.isspace() for c in q):
            ids = [fold(f) for f in book.facts]
            for _, _, at in process.extract(
                q, ids, scorer=fuzz.ratio, score_cutoff=SUGGEST_CUTOFF, limit=3
            ):
                out.append(list(book.facts)[at])
    if hits is None:
        hits = index.search(query)
    out += [t.title for t in index.topics_of(hits[:5])]
    if not out:
        counts = book.topic_counts()
        out = [book.topics[t].title for t in sorted(counts, key=lambda t: -counts[t])]
    return list(dict.fromkeys(out))[:SUGGESTIONS_MAX]


def fact_answer(
    index: SearchIndex, query: str, *, quote: bool = False, today: dt.date | None = None
) -> Answer:
    """The best fact for ``query`` (a fact id wins outright), or a miss. A superseded fact is
    only the answer when asked for by id or when nothing current matches; its answer then
    carries the newer fact as [2].
    """
    book = index.book
    hits = index.search(query, limit=SEARCH_LIMIT)
    fact = index.find_fact(query)
    if fact is None:
        answering = [h for h in hits if h.answers]
        if not answering:
            return miss(index, query, hits, today)
        fact = _best(answering)
    return Answer(
        query,
        "fact",
        fact.claim,
        _with_newer(book, fact),
        book,
        tuple(hits),
        with_quote=quote,
        today=today,
    )


def _best(hits: list[Hit]) -> Fact:
    """The first current hit, or a verified one nearly as good; a superseded hit only when
    nothing current matched.
    """
    current = [h for h in hits if h.fact.superseded_by is None]
    if not current:
        return hits[0].fact
    top = current[0]
    if top.fact.secondhand:
        for h in current[1:]:
            if h.score < VERIFIED_PREFERENCE * top.score:
                break
            if not h.fact.secondhand:
                return h.fact
    return top.fact


def source_answer(index: SearchIndex, fact_id: str, *, today: dt.date | None = None) -> Answer:
    """A fact's full citation and quote; a miss (with close ids) for an unknown id."""
    fact = index.find_fact(fact_id)
    if fact is None:
        return miss(index, fact_id, [], today, UNKNOWN_ID_TEXT)
    book = index.book
    return Answer(
        fact_id, "source", fact.claim, _with_newer(book, fact), book, with_quote=True, today=today
    )


def search_answer(
    index: SearchIndex, query: str, limit: int = SEARCH_LIMIT, *, today: dt.date | None = None
) -> Answer:
    """Up to ``limit`` facts that answer the query, best first, one line each with its id."""
    hits = index.search(query, limit=limit)
    answering = [h for h in hits if h.answers]
    if not answering:
        return miss(index, query, hits, today)
    facts = tuple(h.fact for h in answering)
    text = "\n".join(f"{f.id}: {f.claim}" for f in facts)
    return Answer(query, "search", text, facts, index.book, tuple(hits), today=today)


def topics_answer(index: SearchIndex) -> Answer:
    """The topics in the curators' order, with how many facts each holds."""
    book = index.book
    counts = book.topic_counts()
    lines = [f"{t.title} ({t.id}): {plural(counts[t.id], 'fact')}" for t in book.topics.values()]
    return Answer("", "topics", "\n".join(lines), (), book)
