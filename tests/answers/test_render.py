"""Plain text and JSON: limits under adversarial content, markers, source lists, the JSON shape.

The embed form of the same answers is tested with the Discord layer (tests/app/test_embeds.py)."""

from __future__ import annotations

import datetime as dt
import json
import re

from bot import answers
from bot.answers import (
    Answer,
    SearchIndex,
    fact_answer,
    search_answer,
    source_answer,
    summary_answer,
    topics_answer,
)
from bot.factbook import FactBook
from tests.bookfactory import make_book, make_fact, make_source, make_topic, sample_book

BOOK = sample_book()
INDEX = SearchIndex(BOOK)
TODAY = dt.date(2026, 1, 1)

NASTY = "*bold* _under_ ~~strike~~ `code` ||spoiler|| > quote # head [link](https://x.y) @everyone "


def adversarial_book() -> FactBook:
    """25 sources with long titles and URLs with parentheses, 280-character claims full of
    markdown, 3,000-character quotes, 30 topics with long titles."""
    sources = [
        make_source(
            f"s{i}",
            title=f"Source {i} " + "Very *long* title_with_markdown " * 10,
            publisher=f"Publisher {i} " + "Name " * 40,
            url=f"https://example.org/wiki/Page_(part_{i})/" + "a" * 150,
            date="2020-01-02",
        )
        for i in range(25)
    ]
    topics = [make_topic(f"t{i}", f"Topic {i} " + "long title " * 30) for i in range(30)]
    facts = []
    for i in range(25):
        claim = (f"Claim {i}: " + NASTY * 4)[:279] + "."
        assert len(claim) == 280
        facts.append(
            make_fact(
                f"f{i}",
                claim,
                source=f"s{i}",
                topics=["t0", f"t{i}"],
                quote="Quoted words. " * 215,
                as_of="2019",
                confidence="secondhand" if i % 2 else "verified",
                reported_by=("Reporter " * 30) if i % 2 else None,
                reviewed=dt.date(2020, 1, 1),
            )
        )
    return make_book(facts, sources=sources, topics=topics)


def all_answers(book: FactBook, query: str) -> list[Answer]:
    index = SearchIndex(book)
    return [
        fact_answer(index, query, quote=True, today=TODAY),
        fact_answer(index, query),
        summary_answer(index, query, quote=True, today=TODAY),
        summary_answer(index, "t0", quote=True, today=TODAY),
        search_answer(index, query, today=TODAY),
        source_answer(index, "f1", today=TODAY),
        topics_answer(index),
        fact_answer(index, "xyzzy qqq"),
    ]


def test_plain_fits_a_limit_under_adversarial_content() -> None:
    book = adversarial_book()
    for answer in all_answers(book, "claim bold"):
        assert len(answers.plain(answer, limit=2000)) <= 2000, answer.kind
        json.dumps(answers.to_json(answer))


def test_long_lists_drop_whole_items_and_say_how_many() -> None:
    book = adversarial_book()
    answer = search_answer(SearchIndex(book), "claim", limit=10)
    assert len(answer.facts) == 10
    text = answers.plain(answer, limit=2000)
    assert re.search(r"…and \d+ more facts", text)
    shown = [f for f in answer.facts if f.id + ":" in text]
    assert shown and all(f.claim in text for f in shown)  # never cut mid-claim
    topics = answers.plain(topics_answer(SearchIndex(book)), limit=2000)
    assert "…and" in topics or len(book.topics) * 330 < 2000


def test_summary_plain_has_numbered_sources_with_full_urls() -> None:
    answer = summary_answer(INDEX, "nk-overseas-labour")
    text = answers.plain(answer)
    for n, fact in enumerate(answer.facts, start=1):
        line = next(ln for ln in text.splitlines() if ln.startswith(f"[{n}] "))
        assert BOOK.source_of(fact).url in line
    assert answer.text in text


def test_fact_answer_shows_as_of_secondhand_reporter_and_stale_marker() -> None:
    a = fact_answer(INDEX, "fa-host-countries", today=TODAY)
    text = answers.plain(a)
    assert "as of 2015" in text.lower()
    assert "reported by The Freedom Fund" in text
    stale = fact_answer(INDEX, "un-2397-repatriation", today=TODAY)
    assert "review due" in answers.plain(stale).lower()
    assert "review due" not in answers.plain(fact_answer(INDEX, "un-2397-repatriation")).lower()


def test_quote_only_when_asked() -> None:
    quote = BOOK.facts["fa-interviews"].quote
    assert quote is not None
    assert quote in answers.plain(fact_answer(INDEX, "fa-interviews", quote=True))
    assert quote not in answers.plain(fact_answer(INDEX, "fa-interviews"))
    assert quote in answers.plain(source_answer(INDEX, "fa-interviews"))


def test_superseded_answer_points_to_the_newer_fact() -> None:
    a = fact_answer(INDEX, "ilo-2016-forced-labour")
    text = answers.plain(a)
    assert "Superseded by ilo-2021-forced-labour" in text
    assert BOOK.facts["ilo-2021-forced-labour"].claim in text


def test_miss_shows_suggestions() -> None:
    a = source_answer(INDEX, "fa-revnue")
    assert "Try fa-revenue" in answers.plain(a)
    assert "Try North Korean overseas labour" in answers.plain(fact_answer(INDEX, "xyzzy"))


# -- escaping ------------------------------------------------------------------------------------


# -- JSON ----------------------------------------------------------------------------------------
def test_json_shape_is_stable() -> None:
    a = summary_answer(INDEX, "nk-overseas-labour")
    data = answers.to_json(a)
    assert list(data) == ["query", "kind", "text", "facts", "suggestions"]
    assert data["kind"] == "summary" and data["text"] == a.text
    assert [f["id"] for f in data["facts"]] == [f.id for f in a.facts]  # citation order
    for item in data["facts"]:
        assert list(item) == [
            "id",
            "claim",
            "as_of",
            "confidence",
            "estimated_by",
            "first_made_by",
            "credit",
            "source",
        ]
        assert list(item["source"]) == ["id", "title", "publisher", "date", "url", "read_at"]
        fact = BOOK.facts[item["id"]]
        assert item["claim"] == fact.claim and item["source"]["id"] == fact.source
    miss = answers.to_json(fact_answer(INDEX, "fa-revnue zzz qqq"))
    assert miss["kind"] in ("miss", "fact")
    miss = answers.to_json(source_answer(INDEX, "fa-revnue"))
    assert miss == {
        "query": "fa-revnue",
        "kind": "miss",
        "text": miss["text"],
        "facts": [],
        "suggestions": miss["suggestions"],
    }
    assert "fa-revenue" in miss["suggestions"]
    json.loads(json.dumps(data))
