"""Citations in Discord embeds: a source without a title is named by publisher and date (never
a placeholder), words read on a copy say where, and a repeated figure carries its credit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.answers import SearchIndex, fact_answer, source_answer, summary_answer
from bot.app import embed_dict
from bot.factbook import DEFAULT_PATH, Source, load_path
from tests.bookfactory import make_book, make_fact

BOOK = load_path(Path(__file__).parents[2] / DEFAULT_PATH).book
assert BOOK is not None
INDEX = SearchIndex(BOOK)


def _text(e: dict[str, Any]) -> str:
    return json.dumps(e, ensure_ascii=False)


def test_no_embed_shows_a_bracketed_placeholder_title() -> None:
    for fact in BOOK:
        for answer in (fact_answer(INDEX, fact.id), source_answer(INDEX, fact.id)):
            e = embed_dict(answer)
            assert "title not captured" not in _text(e) and "[AP:" not in _text(e)
            src = BOOK.source_of(fact)
            if src.title is None:  # named by publisher and date
                assert e["title"].endswith(f", {src.date}"), e["title"]


def test_an_untitled_source_is_named_by_publisher_and_date_in_every_place() -> None:
    fact = next(f for f in BOOK if f.source == "rfa-2024-un-poe-workers")
    e = embed_dict(fact_answer(INDEX, fact.id))
    assert e["title"] == "Radio Free Asia, 2024-03-21"
    (cited,) = [f for f in e["fields"] if f["name"] == "Citation"]
    assert cited["value"].startswith("Radio Free Asia, 2024-03-21\nhttps://rfa.org/")
    summary = embed_dict(summary_answer(INDEX, "400,000 more workers abroad"))
    assert "[Radio Free Asia, 2024-03-21](https://rfa.org/" in _text(summary)


def test_words_read_on_a_copy_and_the_estimator_appear_in_the_source_embed() -> None:
    src = Source(
        "canonical",
        "The Report",
        "Example Institute",
        "2020",
        "https://example.org/report",
        read_at="https://mirror.example.net/copy",
    )
    fact = make_fact(
        "a", "An estimated 120 workers in 2020.", source="canonical", estimated_by="Example NGO"
    )
    index = SearchIndex(make_book([fact], sources=[src]))
    fields = {f["name"]: f["value"] for f in embed_dict(source_answer(index, "a"))["fields"]}
    assert fields["Citation"].endswith("\nWords read at https://mirror.example.net/copy")
    assert fields["Estimated by"] == "Example NGO"


def test_a_repeated_figure_carries_its_credit_in_the_embed() -> None:
    e = embed_dict(fact_answer(INDEX, "unsr-2015-revenue-estimate"))
    assert "first estimated by a 2012 human rights report" in e["description"]
