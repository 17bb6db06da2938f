"""Autocomplete: the facts and topics that fit what a member has typed so far, best first.

Owns the order of choices, not the limits of any client: each function returns up to ``limit``
(label, value) pairs with whole labels, and the Discord layer fits them to Discord's limits.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.answers._index import SearchIndex
from bot.answers._text import MAX_QUERY_CHARS, fold
from bot.factbook import Fact, Topic
from bot.words import plural

#: Below this partial-match score (0-100) a topic name is not offered for a typo.
TOPIC_TYPO_CUTOFF = 70


def topic_label(index: SearchIndex, topic: Topic) -> str:
    """The label of a topic choice: its title and how many facts it holds."""
    return f"{topic.title} · {plural(len(index.book.facts_for_topic(topic.id)), 'fact')}"


def fact_label(fact: Fact) -> str:
    """The label of a fact choice: its id, then its claim."""
    return f"{fact.id}: {fact.claim}"


def _topic_rank(names: list[str], typed: str) -> float:
    if typed in names:
        return 300.0
    if any(n.startswith(typed) for n in names):
        return 200.0
    if any(w.startswith(typed) for n in names for w in n.replace("-", " ").split()):
        return 150.0
    best = max((fuzz.partial_ratio(typed, n) for n in names), default=0.0)
    return best if best >= TOPIC_TYPO_CUTOFF else 0.0


def complete_topics(index: SearchIndex, partial: str, limit: int) -> list[tuple[str, str]]:
    """Topics whose id, title or alias fits ``partial`` (exact, prefix, a word's prefix, close
    spelling), else the topics of the facts its words find; on empty input the curators'
    first topics.
    """
    typed = fold(partial[:MAX_QUERY_CHARS]).strip()
    topics = list(index.book.topics.values())
    if typed:
        ranked: list[tuple[float, int, Topic]] = []
        for i, topic in enumerate(topics):
            score = _topic_rank([fold(n) for n in (topic.id, topic.title, *topic.aliases)], typed)
            if score:
                ranked.append((-score, i, topic))
        ranked.sort(key=lambda r: (r[0], r[1]))
        topics = [t for _, _, t in ranked] or index.topics_of(index.search(partial, limit))
    return [(topic_label(index, t), t.id) for t in topics[:limit]]


def complete_facts(index: SearchIndex, partial: str, limit: int) -> list[tuple[str, str]]:
    """Facts whose id starts with ``partial`` (curators' order), then the facts its words
    find; on empty input the curators' first current (not superseded) facts.
    """
    typed = fold(partial[:MAX_QUERY_CHARS]).strip()
    if not typed:
        chosen = [f for f in index.facts if f.superseded_by is None][:limit]
    else:
        chosen = [f for f in index.facts if fold(f.id).startswith(typed)][:limit]
        seen = {f.id for f in chosen}
        for hit in index.search(partial, limit):
            if len(chosen) >= limit:
                break
            if hit.fact.id not in seen:
                chosen.append(hit.fact)
                seen.add(hit.fact.id)
    return [(fact_label(f), f.id) for f in chosen]
