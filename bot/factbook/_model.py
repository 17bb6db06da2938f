"""The FactBook: an immutable, validated snapshot of facts.yaml.

This module owns the data model only. The loader builds it (after all the validation) and every
other stage reads it. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Confidence = Literal["verified", "secondhand"]
CONFIDENCE_VALUES: tuple[Confidence, ...] = ("verified", "secondhand")

#: Default re-verification interval when the book does not set ``review_every``.
DEFAULT_REVIEW_EVERY_DAYS = 365


@dataclass(frozen=True, slots=True)
class Source:
    """Where a claim comes from: one entry of the ``sources`` mapping."""

    id: str
    title: str | None  # None when no title was seen on the page: answers show publisher, date
    publisher: str
    date: str  # as the curator wrote it: "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    url: str
    author: str | None = None
    read_at: str | None = None  # the page the quotes were read on, when it is not ``url``
    line: int = 0  # 1-based line of the source's id in the file (0 when built in code)


@dataclass(frozen=True, slots=True)
class Topic:
    """A subject that facts are filed under: one entry of the ``topics`` mapping."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Fact:
    """One curated claim with its source; ``source`` and ``topics`` hold ids (the loader
    checks that they exist).
    """

    id: str
    claim: str
    source: str
    topics: tuple[str, ...]
    quote: str | None = None
    as_of: str | None = None  # the year or date the figure describes, as written
    regions: tuple[str, ...] = ()
    confidence: Confidence = "verified"
    reviewed: dt.date | None = None  # when a person last checked claim against source
    review_every: int | None = None  # days; overrides the book-wide default
    superseded_by: str | None = None  # id of the newer fact that replaces this one
    reported_by: str | None = None  # for secondhand facts: who reported it (else the publisher)
    estimated_by: str | None = None  # who made the estimate the claim states
    repeats: str | None = None  # id of the fact whose figure this one repeats or restates
    never_with: tuple[str, ...] = ()  # facts a summary must never put beside this one
    line: int = 0

    @property
    def secondhand(self) -> bool:
        return self.confidence == "secondhand"


def _listed(names: list[str]) -> str:
    """Names joined as a list: "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class FactBook:
    """The facts, sources and topics of one version of facts.yaml.

    Mappings keep the file's order (curators' order matters) and are read-only.
    ``version`` is a content hash of the file's bytes: equal files give equal versions.
    """

    facts: Mapping[str, Fact]
    sources: Mapping[str, Source]
    topics: Mapping[str, Topic]
    version: str
    path: str = "facts.yaml"
    review_every: int = DEFAULT_REVIEW_EVERY_DAYS
    #: Groups of words a search takes for one another ("ban", "bar", "prohibit"), as written.
    synonyms: tuple[tuple[str, ...], ...] = ()
    _by_topic: Mapping[str, tuple[Fact, ...]] = field(init=False, repr=False, compare=False)
    _order: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _repeated_by: Mapping[str, tuple[Fact, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "topics", MappingProxyType(dict(self.topics)))
        by_topic: dict[str, list[Fact]] = {t: [] for t in self.topics}
        for fact in self.facts.values():
            for t in fact.topics:
                by_topic.setdefault(t, []).append(fact)
        object.__setattr__(
            self, "_by_topic", MappingProxyType({t: tuple(fs) for t, fs in by_topic.items()})
        )
        object.__setattr__(
            self, "_order", MappingProxyType({fid: i for i, fid in enumerate(self.facts)})
        )
        repeated: dict[str, list[Fact]] = {}
        for fact in self.facts.values():
            if fact.repeats is not None:
                repeated.setdefault(self.origin(fact).id, []).append(fact)
        object.__setattr__(
            self, "_repeated_by", MappingProxyType({k: tuple(v) for k, v in repeated.items()})
        )

    # -- lookups -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.facts)

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts.values())

    def fact(self, fact_id: str) -> Fact | None:
        return self.facts.get(fact_id)

    def source_of(self, fact: Fact) -> Source:
        return self.sources[fact.source]

    def reporter(self, fact: Fact) -> str:
        """Who reported a fact: its ``reported_by``, else its source's publisher."""
        return fact.reported_by or self.sources[fact.source].publisher

    def origin(self, fact: Fact) -> Fact:
        """The fact that first made the figure ``fact`` states: the end of its ``repeats``
        chain (``fact`` itself when it repeats nothing, or when the chain breaks).
        """
        seen = {fact.id}
        current = fact
        while current.repeats is not None:
            earlier = self.facts.get(current.repeats)
            if earlier is None or earlier.id in seen:
                return current
            seen.add(earlier.id)
            current = earlier
        return current

    def repeated_by(self, fact: Fact) -> tuple[Fact, ...]:
        """The facts that repeat or restate the figure of ``fact``'s origin, in the curators'
        order (``fact`` among them when it is a repeat).
        """
        return self._repeated_by.get(self.origin(fact).id, ())

    def credit(self, fact: Fact) -> str | None:
        """Who first made the figure a fact states, and who repeated it ("figure first
        estimated by X in 2012; repeated by A and B in 2015"); None when no fact repeats it,
        or when only its own maker restates it and ``fact`` is the first.
        """
        chain = self.repeated_by(fact)
        if not chain:
            return None
        origin = self.origin(fact)
        first, year = self._maker(origin), self._year(origin)
        text = f"figure first estimated by {first}" + ("" if year in first else f" in {year}")
        by_year: dict[str, list[str]] = {}
        for other in chain:
            name = self._maker(other)
            names = by_year.setdefault(self._year(other), [])
            if name != first and name not in names:
                names.append(name)
        groups = [f"{_listed(names)} in {y}" for y, names in sorted(by_year.items()) if names]
        if not groups:  # only its maker restates it (a rounded form): the fact's words say who
            return None if origin is fact else text
        return text + "; repeated by " + ", ".join(groups)

    def _maker(self, fact: Fact) -> str:
        return fact.estimated_by or self.reporter(fact)

    def _year(self, fact: Fact) -> str:
        return (fact.as_of or self.sources[fact.source].date)[:4]

    def facts_for_topic(self, topic_id: str) -> tuple[Fact, ...]:
        """Facts filed under a topic, in the curators' order."""
        return self._by_topic.get(topic_id, ())

    def topic_counts(self) -> dict[str, int]:
        """Topic id -> number of facts, in the file's topic order."""
        return {t: len(self._by_topic.get(t, ())) for t in self.topics}

    def position(self, fact_id: str) -> int:
        """The fact's index in the curators' order (for stable sorting)."""
        return self._order[fact_id]

    # -- freshness -----------------------------------------------------------------------------
    def review_interval(self, fact: Fact) -> int:
        return fact.review_every if fact.review_every is not None else self.review_every

    def is_stale(self, fact: Fact, today: dt.date) -> bool:
        """A fact is stale when it was reviewed longer ago than its interval.

        Freshness is opt-in per fact: a fact with no ``reviewed`` date is not tracked, so it is
        never stale (the validator does not nag about it either).
        """
        if fact.reviewed is None:
            return False
        return (today - fact.reviewed).days > self.review_interval(fact)

    def summary_line(self) -> str:
        return f"{len(self.facts)} facts, {len(self.sources)} sources, {len(self.topics)} topics"
