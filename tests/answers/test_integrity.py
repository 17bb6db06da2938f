"""Answers an advocate can quote: real titles only, one estimate credited once, and summaries
that cannot mislead by what they put side by side (the cases of the December 2026 audit, on
the bundled book, and the same rules on small books built here).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.answers import (
    SearchIndex,
    citation,
    conflicting,
    fact_answer,
    plain,
    search_answer,
    short_answer,
    source_answer,
    summary_answer,
    to_json,
)
from bot.factbook import DEFAULT_PATH, FactBook, Source, load_path
from tests.bookfactory import make_book, make_fact

BOOK_PATH = Path(__file__).parents[2] / DEFAULT_PATH


def _bundled() -> FactBook:
    book = load_path(BOOK_PATH).book
    assert book is not None
    return book


BOOK = _bundled()
INDEX = SearchIndex(BOOK)
PLACEHOLDER = re.compile(r"\[[^\]]*(?:title|captured|slug|report|page|article)[^\]]*\]", re.I)


def _ids(query: str) -> list[str]:
    return [f.id for f in summary_answer(INDEX, query).facts]


# -- citations ----------------------------------------------------------------------------------


def test_no_answer_shows_a_placeholder_or_an_empty_title() -> None:
    for fact in BOOK:
        for answer in (fact_answer(INDEX, fact.id), source_answer(INDEX, fact.id)):
            text = plain(answer)
            assert not PLACEHOLDER.search(text), text
            assert '""' not in text and "None" not in text, text
        assert not PLACEHOLDER.search(short_answer(fact_answer(INDEX, fact.id)) or "")


def test_a_source_without_a_title_is_cited_by_publisher_and_date() -> None:
    untitled = [s for s in BOOK.sources.values() if s.title is None]
    assert len(untitled) >= 15  # the audit's placeholders, now honestly without a title
    for src in untitled:
        assert citation(src) == f"{src.publisher}, {src.date}, {src.url}"
    fact = next(f for f in BOOK if f.source == "rfa-2024-un-poe-workers")
    text = plain(fact_answer(INDEX, fact.id))
    assert "Source: Radio Free Asia, 2024-03-21, https://rfa.org/english/news/korea/" in text
    assert to_json(fact_answer(INDEX, fact.id))["facts"][0]["source"]["title"] is None


def test_words_read_on_another_page_say_where() -> None:
    src = Source(
        "canonical",
        "The Report",
        "Example Institute",
        "2020",
        "https://example.org/report",
        read_at="https://mirror.example.net/copy-of-report",
    )
    book = make_book(
        [make_fact("a", "Example Institute counted 120 workers in 2020.", source="canonical")],
        sources=[src],
    )
    index = SearchIndex(book)
    text = plain(fact_answer(index, "a"))
    assert (
        'Source: Example Institute, "The Report", 2020, https://example.org/report '
        "(words read at https://mirror.example.net/copy-of-report)"
    ) in text
    assert "words read at https://mirror.example.net" in plain(summary_answer(index, "workers"))
    assert to_json(fact_answer(index, "a"))["facts"][0]["source"]["read_at"] == src.read_at


# -- one estimate, credited once ----------------------------------------------------------------

REVENUE_CHAIN = {
    "revenue-estimate-2012-origin",
    "nkdb-2015-workers-revenue-estimate",
    "fa-2015-revenue-hard-cash",
    "unsr-2015-revenue-estimate",
}


def test_a_repeated_figure_is_credited_to_who_first_made_it_and_who_repeated_it() -> None:
    for fid in REVENUE_CHAIN:
        line = BOOK.credit(BOOK.facts[fid])
        assert line is not None
        assert line.startswith("figure first estimated by a 2012 human rights report; repeated by")
        for who in ("NKDB", "Foreign Affairs", "UN Special Rapporteur"):
            assert who in line, line
        assert line.endswith("in 2015")
        assert line in plain(fact_answer(INDEX, fid))
    assert BOOK.credit(BOOK.facts["un-poe-2023-workers-revenue"]) is None


@pytest.mark.parametrize(
    "query",
    [
        "$1.2-2.3 billion",
        "1.2 to 2.3 billion dollars a year",
        "how much do north korean workers abroad earn for the state",
        "revenue estimate",
        "how much money",
        "nk-labour-revenue",
    ],
)
def test_a_summary_never_shows_one_estimate_as_several(query: str) -> None:
    chosen = set(_ids(query))
    assert len(chosen & REVENUE_CHAIN) <= 1, chosen
    answer = summary_answer(INDEX, query)
    if chosen & REVENUE_CHAIN:
        assert "first estimated by a 2012 human rights report" in plain(answer)


@pytest.mark.parametrize(
    "query",
    ["global estimates", "28 million", "27.6 million", "modern slavery", "forced labour worldwide"],
)
def test_rounded_and_unrounded_forms_of_one_estimate_never_stand_together(query: str) -> None:
    chain = {
        "ilo-gems-2021-modern-slavery",
        "ilo-gems-2021-unrounded",
        "ilo-gems-2021-state-imposed",
    }
    assert len(set(_ids(query)) & chain) <= 1


def test_a_chain_in_a_small_book_keeps_the_most_relevant_form() -> None:
    facts = [
        make_fact("first", "An NGO estimated that 12,000 people were held in 2012.", as_of="2012"),
        make_fact(
            "again",
            "A UN report repeated the estimate that 12,000 people were held.",
            repeats="first",
            as_of="2015",
        ),
        make_fact("other", "A census counted 300 people held in camps in 2020."),
    ]
    index = SearchIndex(make_book(facts))
    answer = summary_answer(index, "people held")
    assert len({f.id for f in answer.facts} & {"first", "again"}) == 1
    assert "other" in {f.id for f in answer.facts}


# -- placement ----------------------------------------------------------------------------------

POLAND = {
    "poland-500-a-year",
    "poland-welder-death-2014",
    "poland-2016-up-to-800-workers",
    "poland-danish-patrol-vessel-question",
    "leiden-2016-eu-work-permits",
}


@pytest.mark.parametrize(
    "query",
    [
        "which eastern european state",
        "undisclosed Eastern European state",
        "north korean welders in europe",
        "europe",
        "poland",
    ],
)
def test_the_articles_unnamed_state_never_follows_poland_facts(query: str) -> None:
    chosen = set(_ids(query))
    assert not ("fa-2015-jobs-abroad" in chosen and chosen & POLAND), chosen


def test_a_never_with_mark_is_kept_in_a_small_book() -> None:
    facts = [
        make_fact("article", "The article says workers weld in an unnamed state."),
        make_fact("named", "A report says workers weld in Poland.", never_with=("article",)),
        make_fact("third", "Workers weld ships for export."),
    ]
    index = SearchIndex(make_book(facts))
    for query in ("workers weld", "weld"):
        chosen = {f.id for f in summary_answer(index, query).facts}
        assert not {"article", "named"} <= chosen, chosen
        assert len(chosen) >= 2


@pytest.mark.parametrize(
    ("query", "place"),
    [
        ("how many north korean workers are in russia", "russia"),
        ("north korean workers in russia", "russia"),
        ("how many north korean workers in china", "china"),
        ("north korean workers in china", "china"),
        ("workers in qatar", "qatar"),
    ],
)
def test_a_summary_about_a_place_uses_that_places_facts_first(query: str, place: str) -> None:
    answer = summary_answer(INDEX, query)
    regions = [f.regions for f in answer.facts]
    assert regions and place in regions[0], [f.id for f in answer.facts]
    about = [place in r for r in regions]
    assert about == sorted(about, reverse=True), [f.id for f in answer.facts]  # place first
    assert sum(about) >= min(2, len(about))


def test_a_china_summary_does_not_open_with_workers_abroad() -> None:
    for query in ("how many north korean workers in china", "china", "workers in china"):
        ids = _ids(query)
        assert ids and ids[0] != "un-poe-2024-400000-contracts", ids


def test_global_and_country_figures_are_not_paired_as_conflicting() -> None:
    f = BOOK.facts
    assert not conflicting(INDEX, f["un-poe-2023-workers-revenue"], f["nkdb-2015-russia-china"])
    assert not conflicting(INDEX, f["gsi-2023-north-korea-number"], f["nkdb-2015-russia-china"])
    # the same ground, different figures: both kept, each dated
    facts = [
        make_fact("low", "Officials counted 20,000 workers in Russia.", regions=("russia",)),
        make_fact("high", "Researchers counted 50,000 workers in Russia.", regions=("russia",)),
        make_fact("world", "Researchers counted 30,000 workers worldwide.", regions=("global",)),
    ]
    book = make_book(facts)
    index = SearchIndex(book)
    assert conflicting(index, book.facts["low"], book.facts["high"])
    assert not conflicting(index, book.facts["low"], book.facts["world"])


def test_private_economy_profits_never_stand_beside_north_korean_revenue() -> None:
    revenue = REVENUE_CHAIN | {"un-poe-2023-workers-revenue", "ap-2017-revenue-200-500m"}
    for query in ("forced labour profits", "how much money", "illegal profits billion", "revenue"):
        chosen = set(_ids(query))
        assert not ("ilo-2024-private-economy-profits" in chosen and chosen & revenue), chosen


def test_search_lists_still_show_every_form_of_an_estimate() -> None:
    # A list of matches is not a summary: a curator looking for the figure sees every fact.
    ids = {f.id for f in search_answer(INDEX, "1.2 2.3 billion", limit=10).facts}
    assert ids >= REVENUE_CHAIN


def test_place_facts_come_before_a_better_matching_global_figure() -> None:
    facts = [
        make_fact(
            "world",
            "An estimated 100,000 North Korean workers were abroad, many of them in Russia.",
            regions=("global",),
        ),
        make_fact(
            "permits", "Russia reported 11,490 North Korean workers in 2018.", regions=("russia",)
        ),
        make_fact(
            "entries",
            "Russia said 1,000 North Korean workers remained in 2020.",
            regions=("russia",),
        ),
        make_fact("qatar", "Qatar reported 70 workers.", regions=("qatar",)),
        make_fact("qatar-old", "Qatar had 2,500 workers in 2016.", regions=("qatar",)),
    ]
    index = SearchIndex(make_book(facts))
    ids = [f.id for f in summary_answer(index, "how many north korean workers are in russia").facts]
    assert ids[:2] in (["permits", "entries"], ["entries", "permits"]), ids
    assert "world" not in ids or ids.index("world") == 2
    # without a place in the query, relevance alone decides
    assert summary_answer(index, "how many north korean workers abroad").facts[0].id == "world"
