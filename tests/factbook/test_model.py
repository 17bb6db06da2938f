"""FactBook: read-only mappings, curator order, topic index, freshness."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.factbook import Fact, FactBook, Source, Topic


def _book(review_every: int = 365) -> FactBook:
    src = Source(id="s1", title="T", publisher="P", date="2015", url="https://example.org/a")
    topics = {"a": Topic(id="a", title="A"), "b": Topic(id="b", title="B")}
    facts = {
        "f2": Fact(id="f2", claim="Second.", source="s1", topics=("a",)),
        "f1": Fact(
            id="f1",
            claim="First.",
            source="s1",
            topics=("a", "b"),
            reviewed=dt.date(2025, 1, 1),
            review_every=30,
        ),
        "f3": Fact(
            id="f3", claim="Third.", source="s1", topics=("b",), reviewed=dt.date(2025, 1, 1)
        ),
    }
    return FactBook(
        facts=facts, sources={"s1": src}, topics=topics, version="v", review_every=review_every
    )


def test_order_and_topic_index_follow_the_file() -> None:
    book = _book()
    assert list(book.facts) == ["f2", "f1", "f3"]
    assert [f.id for f in book.facts_for_topic("a")] == ["f2", "f1"]
    assert book.topic_counts() == {"a": 2, "b": 2}
    assert book.position("f3") == 2
    assert book.facts_for_topic("nope") == ()


def test_mappings_are_read_only() -> None:
    book = _book()
    with pytest.raises(TypeError):
        book.facts["x"] = book.facts["f1"]  # type: ignore[index]


def test_staleness_uses_fact_interval_then_book_default() -> None:
    book = _book(review_every=365)
    today = dt.date(2025, 3, 1)
    assert book.is_stale(book.facts["f1"], today)  # 59 days > its own 30
    assert not book.is_stale(book.facts["f3"], today)  # 59 days < book's 365
    assert not book.is_stale(book.facts["f2"], today)  # never reviewed: not tracked
    assert book.is_stale(book.facts["f3"], dt.date(2026, 1, 2))
