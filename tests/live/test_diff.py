"""bot.diff: which facts, sources and topics changed between two books, and the changelog text."""

from __future__ import annotations

import dataclasses
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.factbook import Fact, FactBook, Source, Topic
from bot.live import Change, changelog, diff_books

MESSAGE_LIMIT = 2000

SRC = Source(id="s1", title="T", publisher="P", date="2015", url="https://example.org/a")
TOPIC = Topic(id="t1", title="Topic one")


def fact(fid: str, claim: str | None = None, line: int = 0, **kw: object) -> Fact:
    return Fact(
        id=fid, claim=claim or f"Claim of {fid}.", source="s1", topics=("t1",), line=line, **kw
    )  # type: ignore[arg-type]


def book(
    facts: list[Fact],
    sources: list[Source] | None = None,
    topics: list[Topic] | None = None,
    version: str = "v",
    review_every: int = 365,
    synonyms: tuple[tuple[str, ...], ...] = (),
) -> FactBook:
    return FactBook(
        facts={f.id: f for f in facts},
        sources={s.id: s for s in sources or [SRC]},
        topics={t.id: t for t in topics or [TOPIC]},
        version=version,
        review_every=review_every,
        synonyms=synonyms,
    )


def test_added_removed_changed_facts_in_file_order() -> None:
    old = book([fact("a"), fact("b"), fact("c", "Old claim.")])
    new = book([fact("z"), fact("a"), fact("c", "New claim.", quote="q"), fact("y")])
    d = diff_books(old, new)
    assert d.facts.added == ("z", "y")
    assert d.facts.removed == ("b",)
    assert d.facts.changed == (Change("c", ("claim", "quote")),)
    assert not d.reordered
    assert d.old_totals.facts == 3 and d.new_totals.facts == 4
    assert not d.empty


def test_a_fact_that_only_moved_lines_has_not_changed() -> None:
    old = book([fact("a", line=10), fact("b", line=20)])
    new = book([fact("new", line=10), fact("a", line=15), fact("b", line=25)])
    d = diff_books(old, new)
    assert d.facts.added == ("new",)
    assert d.facts.changed == ()


def test_reorder_and_settings_are_reported() -> None:
    old = book([fact("a"), fact("b")], review_every=365)
    new = book([fact("b"), fact("a")], review_every=180)
    d = diff_books(old, new)
    assert d.reordered and d.settings == ("review_every",)
    text = changelog(d, MESSAGE_LIMIT)
    assert "reordered" in text and "review_every" in text
    d = diff_books(old, book([fact("a"), fact("b")], synonyms=(("ban", "bar"),)))
    assert d.settings == ("synonyms",) and not d.empty
    assert "Settings changed: synonyms." in changelog(d, MESSAGE_LIMIT)


def test_sources_and_topics_sections() -> None:
    s2 = Source(id="s2", title="T2", publisher="P2", date="2016", url="https://example.org/b")
    moved = dataclasses.replace(SRC, url="https://example.org/moved")
    t2 = Topic(id="t2", title="Two", aliases=("deux",))
    old = book([fact("a")], sources=[SRC], topics=[TOPIC, t2])
    new = book(
        [fact("a")],
        sources=[moved, s2],
        topics=[TOPIC, dataclasses.replace(t2, aliases=("zwei",))],
    )
    d = diff_books(old, new)
    assert d.sources.added == ("s2",)
    assert d.sources.changed == (Change("s1", ("url",)),)
    assert d.topics.changed == (Change("t2", ("aliases",)),)
    text = changelog(d, MESSAGE_LIMIT)
    assert "Sources: added s2; changed s1 (url)" in text
    assert "Topics: changed t2 (aliases)" in text
    assert text.endswith("Totals: 1 fact, 2 sources, 2 topics (was 1 fact, 1 source, 2 topics)")


def test_same_content_different_version_is_empty() -> None:
    d = diff_books(book([fact("a")], version="1"), book([fact("a")], version="2"))
    assert d.empty
    assert changelog(d, MESSAGE_LIMIT).startswith("No change in content.")


def test_first_load_lists_everything_as_added() -> None:
    d = diff_books(None, book([fact("a"), fact("b")]))
    assert d.facts.added == ("a", "b")
    assert changelog(d, MESSAGE_LIMIT).startswith("Facts: first load")


def test_changelog_shows_new_claims_and_fields() -> None:
    old = book([fact("a"), fact("b", "Before."), fact("gone")])
    new = book([fact("a", as_of="2019"), fact("b", "After the edit."), fact("fresh", "Brand new.")])
    text = changelog(diff_books(old, new), MESSAGE_LIMIT)
    assert "+ fresh: Brand new." in text
    assert "- gone" in text
    assert "~ b (claim): After the edit." in text
    assert "~ a (as_of)" in text
    assert "Before." not in text
    assert text.splitlines()[0] == "Facts: +1 -1 ~2"


def test_long_changelog_lists_first_ids_and_how_many_more() -> None:
    long_claim = "A long claim about overseas workers and their wages. " * 5
    old = book([fact(f"old-{i}") for i in range(300)])
    new = book([fact(f"new-fact-number-{i}", long_claim) for i in range(500)])
    text = changelog(diff_books(old, new), MESSAGE_LIMIT)
    assert len(text) <= MESSAGE_LIMIT
    assert "Added (500): new-fact-number-0, new-fact-number-1" in text
    assert "Removed (300): old-0, old-1" in text
    added_more = int(re.search(r"Added \(500\):.*and (\d+) more", text).group(1))  # type: ignore[union-attr]
    added_line = next(line for line in text.splitlines() if line.startswith("Added"))
    listed = added_line.split(": ", 1)[1].split(", ")[:-1]
    assert len(listed) + added_more == 500
    totals = "Totals: 500 facts, 1 source, 1 topic (was 300 facts, 1 source, 1 topic)"
    assert text.endswith(totals)
    assert len(text) > MESSAGE_LIMIT - 100  # the room is used, not wasted


ids = st.from_regex(r"[a-z][a-z0-9-]{0,40}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    old_ids=st.lists(ids, unique=True, max_size=80),
    new_ids=st.lists(ids, unique=True, max_size=80),
    claim=st.text(min_size=1, max_size=280),
    limit=st.integers(min_value=40, max_value=MESSAGE_LIMIT),
)
def test_changelog_always_fits_and_counts_add_up(
    old_ids: list[str], new_ids: list[str], claim: str, limit: int
) -> None:
    old = book([fact(i) for i in old_ids])
    new = book([fact(i, claim) for i in new_ids])
    d = diff_books(old, new)
    assert set(d.facts.added) == set(new_ids) - set(old_ids)
    assert set(d.facts.removed) == set(old_ids) - set(new_ids)
    assert {c.id for c in d.facts.changed} == set(old_ids) & set(new_ids)
    assert len(changelog(d, limit)) <= limit
