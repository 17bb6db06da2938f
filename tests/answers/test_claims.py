"""A message's claims against the book, sentence by sentence, and a fact's related facts."""

from __future__ import annotations

import pytest

from bot.answers import (
    CLAIMS_MAX,
    NO_MATCH_TEXT,
    SearchIndex,
    check_claims,
    claim_sentences,
    related_answer,
)
from bot.factbook import load_bytes
from tests.stand_in.harness import SAMPLE_FACTS


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    result = load_bytes(SAMPLE_FACTS.encode(), "facts.yaml")
    assert result.book is not None
    return SearchIndex(result.book)


def test_lines_and_sentences_are_claims_a_capital_is_not_needed() -> None:
    text = (
        "north korean workers earn billions. the regime is paid in hard cash!\n"
        "In the U.S. few people know this; the ILO counts forced labour worldwide"
    )
    sentences, more = claim_sentences(text)
    assert sentences == [
        "north korean workers earn billions.",
        "the regime is paid in hard cash!",
        "In the U.S. few people know this;",  # "U.S." does not end the sentence
        "the ILO counts forced labour worldwide",
    ]
    assert more == 0


def test_chatter_and_repeats_are_not_checked() -> None:
    sentences, _ = claim_sentences("lol. wow!! Hard currency payments. hard currency payments.")
    assert sentences == ["Hard currency payments."]  # one informative word is not a claim


def test_at_most_claims_max_sentences_and_the_rest_counted() -> None:
    text = " ".join(f"Workers number {i} earned wages in hard currency." for i in range(25))
    sentences, more = claim_sentences(text)
    assert len(sentences) == CLAIMS_MAX and more == 25 - CLAIMS_MAX


def test_a_run_on_sentence_is_cut_where_the_search_reads_it_whole() -> None:
    text = ", ".join(["north korean workers earned hard currency abroad"] * 20)
    sentences, _ = claim_sentences(text)
    assert sentences and all(len(s) <= 300 for s in sentences)


def test_each_claim_gets_the_fact_it_matches(index: SearchIndex) -> None:
    check = check_claims(
        index,
        "North Korean workers abroad earn billions a year for the government. "
        "The payments were made in hard currency. I had pizza for lunch today.",
    )
    matched = [[f.id for f in m.facts] for m in check.matches]
    assert matched == [["nk-revenue-estimate"], ["nk-hard-currency"], []]
    assert [f.id for f in check.facts] == ["nk-revenue-estimate", "nk-hard-currency"]
    assert check.number(check.facts[1]) == 2
    answer = check.answer
    assert answer.kind == "search" and answer.facts == check.facts


def test_contractions_and_letters_do_not_match_by_themselves(index: SearchIndex) -> None:
    """ "don't" is not the words "don" and "t", and "U.S." is not "u" and "s"."""
    check = check_claims(index, "In the U.S. people don't know it's true.")
    assert not check.facts


def test_a_sentence_of_several_claims_matches_each_clause(index: SearchIndex) -> None:
    (match,) = check_claims(
        index,
        "North Korean workers abroad earned billions a year for the government in 2010, "
        "the payments were made in hard currency and twenty North Koreans were interviewed.",
    ).matches
    assert {f.id for f in match.facts} == {
        "nk-revenue-estimate",
        "nk-hard-currency",
        "nk-interviews-twenty",
    }


def test_a_figure_the_book_does_not_give_does_not_stop_the_match(index: SearchIndex) -> None:
    """ "$3 billion" is what the fact on the subject corrects, not evidence against it."""
    (match,) = check_claims(index, "North Korean workers abroad earn $3 billion a year.").matches
    assert [f.id for f in match.facts] == ["nk-revenue-estimate"]


def test_nothing_matches_a_miss_with_suggestions(index: SearchIndex) -> None:
    check = check_claims(index, "The weather in Paris was lovely on our holiday trip.")
    assert not check.facts
    answer = check.answer
    assert answer.kind == "miss" and answer.text == NO_MATCH_TEXT
    assert answer.suggestions  # the largest topics at least


def test_a_fact_quoted_word_for_word_matches_it(index: SearchIndex) -> None:
    for fact in index.book.facts.values():
        (match,) = check_claims(index, fact.claim).matches
        assert match.facts == (fact,)


def test_related_facts_leave_out_the_fact_itself(index: SearchIndex) -> None:
    answer = related_answer(index, "nk-hard-currency")
    assert answer is not None and answer.kind == "search"
    ids = [f.id for f in answer.facts]
    assert "nk-hard-currency" not in ids
    assert set(ids) == {"nk-revenue-estimate", "nk-interviews-twenty"}  # its topic's others
    assert answer.query == "nk-hard-currency" and answer.note


def test_related_facts_of_an_unknown_fact_is_none(index: SearchIndex) -> None:
    assert related_answer(index, "no-such-fact") is None
    lonely = related_answer(index, "ilo-forced-labour-27-million")
    assert lonely is not None and not lonely.facts  # alone in its topic, no shared words
    assert lonely.note and "No other fact" in lonely.note
