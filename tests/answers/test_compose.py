"""Answers: the best fact, summaries (coverage, limits, markers, verbatim claims), misses."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.answers import (
    SEARCH_LIMIT,
    SUMMARY_MAX_CHARS,
    Answer,
    SearchIndex,
    conflicting,
    duplicates,
    fact_answer,
    search_answer,
    source_answer,
    split_sentences,
    summary_answer,
    topics_answer,
)
from bot.factbook import FactBook
from tests.bookfactory import make_book, make_fact, make_source, make_topic, sample_book

BOOK = sample_book()
INDEX = SearchIndex(BOOK)
MARKER = re.compile(r"\[\d+\]")
#: A summary: sentences, each ending with one or more markers, separated by single spaces.
SUMMARY_SHAPE = re.compile(r"^[^\[\]]+?[.!?](?:\[\d+\])+(?: [^\[\]]+?[.!?](?:\[\d+\])+)*$")


def check_summary(answer: Answer) -> None:
    """Every invariant a summary must keep."""
    book = answer.book
    index = SearchIndex(book)
    text = answer.text
    assert answer.kind == "summary"
    assert 1 <= len(answer.facts) <= 5
    assert len(text) <= SUMMARY_MAX_CHARS
    assert SUMMARY_SHAPE.match(text), text
    # Markers are 1..n, first used in order.
    used = [int(m) for m in re.findall(r"\[(\d+)\]", text)]
    assert sorted(set(used)) == list(range(1, len(answer.facts) + 1))
    assert [u for i, u in enumerate(used) if u not in used[:i]] == sorted(set(used))
    # Curators' order, nothing superseded, no near-duplicates.
    positions = [book.position(f.id) for f in answer.facts]
    assert positions == sorted(positions)
    assert all(f.superseded_by is None for f in answer.facts)
    for i, a in enumerate(answer.facts):
        for b in answer.facts[i + 1 :]:
            assert not duplicates(index, a, b), (a.id, b.id)
    # Every claim appears verbatim once the markers are taken out; nothing else but labels.
    bare = MARKER.sub("", text)
    rest = bare
    for f in answer.facts:
        claim = f.claim.strip()
        assert claim.rstrip(".") in bare, f.id
        rest = rest.replace(claim, "", 1)
    leftover = re.sub(r"(As of [^:,]+|Published [^:,]+|[Rr]eported by [^:]+)[:,]", "", rest)
    assert re.fullmatch(r"[\s.]*", leftover), leftover


_ANSWER_WORDS = ["workers", "shipyard", "unpaid", "logging", "russia", "wages", "camps"]


# -- fact answers --------------------------------------------------------------------------------
def test_fact_answer_is_the_best_match_with_its_claim() -> None:
    a = fact_answer(INDEX, "Rusia logging")
    assert a.kind == "fact" and a.facts[0].id in {"logging-1967", "logging-conditions"}
    assert a.text == a.facts[0].claim
    assert not a.with_quote
    assert fact_answer(INDEX, "fa-interviews", quote=True).with_quote


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_ANSWER_WORDS), min_size=2, max_size=6),
            st.sampled_from(["verified", "secondhand", "secondhand", "superseded"]),
        ),
        min_size=5,
        max_size=60,
    ),
    st.lists(st.sampled_from(_ANSWER_WORDS), min_size=1, max_size=3),
)
@example(  # the first hits are all superseded: a current fact further down is the answer
    [(["camps", "wages"], "verified")]
    + [(["workers", "shipyard"], "superseded")] * 3
    + [(["workers", "logging"], "verified")],
    ["workers", "shipyard"],
)
@example(  # the first hits are all secondhand and close: a verified one further down wins
    [(["workers", "shipyard", "unpaid"], "secondhand")] * 3
    + [(["workers", "shipyard", "unpaid", "camps"], "verified")],
    ["workers", "shipyard", "unpaid"],
)
def test_fact_answer_is_a_current_hit_and_prefers_a_verified_one(
    facts: list[tuple[list[str], str]], words: list[str]
) -> None:
    """The answer is a hit that answers the query: a current one when any current hit answers,
    and a secondhand one only when no verified current hit scores nearly as well."""
    book = make_book(
        make_fact(
            f"f{i}",
            " ".join(ws) + ".",
            confidence="secondhand" if kind == "secondhand" else "verified",
            superseded_by="f0" if kind == "superseded" and i else None,
        )
        for i, (ws, kind) in enumerate(facts)
    )
    query = " ".join(words)
    index = SearchIndex(book)
    hits = [h for h in index.search(query, limit=SEARCH_LIMIT) if h.answers]
    answer = fact_answer(index, query)
    if not hits:
        assert answer.kind == "miss"
        return
    chosen = answer.facts[0]
    assert chosen in [h.fact for h in hits]
    current = [h for h in hits if h.fact.superseded_by is None]
    if current:
        assert chosen.superseded_by is None
        score = next(h.score for h in current if h.fact == chosen)
        if chosen.secondhand:
            assert not any(not h.fact.secondhand and h.score >= 0.9 * score for h in current)


def test_fact_answer_prefers_a_verified_fact_nearly_as_good() -> None:
    book = make_book(
        [
            make_fact("heard", "Shipyard workers were unpaid, AFP said.", confidence="secondhand"),
            make_fact("read", "Shipyard workers were unpaid for months."),
        ]
    )
    assert fact_answer(SearchIndex(book), "shipyard workers unpaid").facts[0].id == "read"


def test_superseded_fact_by_id_points_to_the_newer_fact() -> None:
    a = fact_answer(INDEX, "ilo-2016-forced-labour")
    assert [f.id for f in a.facts] == ["ilo-2016-forced-labour", "ilo-2021-forced-labour"]
    assert a.newer() is not None and a.newer().id == "ilo-2021-forced-labour"  # type: ignore[union-attr]
    # A query that is not the id answers with the current fact.
    assert fact_answer(INDEX, "people in forced labour ILO").facts[0].id == "ilo-2021-forced-labour"


def test_superseded_chains_and_loops_end() -> None:
    book = make_book(
        [
            make_fact("a", "Old figure 1.", superseded_by="b"),
            make_fact("b", "Newer figure 2.", superseded_by="c"),
            make_fact("c", "Newest figure 3."),
            make_fact("x", "Loop one.", superseded_by="y"),
            make_fact("y", "Loop two.", superseded_by="x"),
        ]
    )
    assert [f.id for f in fact_answer(SearchIndex(book), "a").facts] == ["a", "c"]
    assert fact_answer(SearchIndex(book), "x").facts[0].id == "x"  # no hang


def test_miss_has_no_facts_and_suggestions() -> None:
    a = fact_answer(INDEX, "xyzzy")
    assert a.kind == "miss" and a.facts == ()
    # nothing close: the book's largest topics, so there is always something to try
    counts = BOOK.topic_counts()
    largest = sorted(counts, key=lambda t: -counts[t])[:3]
    assert a.suggestions == tuple(BOOK.topics[t].title for t in largest)
    a = fact_answer(INDEX, "russian far east loging camps zz")
    assert a.kind == "fact"  # typo-tolerant, not a miss
    a = source_answer(INDEX, "fa-revnue")
    assert a.kind == "miss" and "fa-revenue" in a.suggestions


def test_source_answer_carries_the_quote() -> None:
    a = source_answer(INDEX, "fa-interviews")
    assert a.kind == "source" and a.with_quote and a.facts[0].quote


def test_search_answer_lists_ids() -> None:
    a = search_answer(INDEX, "russia", limit=4)
    assert a.kind == "search" and len(a.facts) == 4
    lines = a.text.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == [f.id for f in a.facts]
    assert search_answer(INDEX, "xyzzy").kind == "miss"


def test_topics_answer_counts() -> None:
    a = topics_answer(INDEX)
    assert a.kind == "topics"
    assert "UN sanctions (sanctions): 1 fact" in a.text.splitlines()
    assert "North Korean overseas labour (nk-overseas-labour): 6 facts" in a.text


# -- summaries -----------------------------------------------------------------------------------
def test_topic_summary_keeps_every_invariant() -> None:
    for topic in BOOK.topics.values():
        for text in (topic.id, topic.title, *topic.aliases):
            a = summary_answer(INDEX, text)
            check_summary(a)
            assert a.topic == topic
            assert {f.id for f in a.facts} <= {f.id for f in BOOK.facts_for_topic(topic.id)}


def test_summary_skips_near_duplicates_and_says_when_only_one_fact() -> None:
    a = summary_answer(INDEX, "revenue")
    assert [f.id for f in a.facts] == ["fa-revenue"]  # fa-revenue-hard-cash adds nothing
    assert a.note and "one fact" in a.note.lower()
    check_summary(a)


def test_summary_never_uses_superseded_facts() -> None:
    a = summary_answer(INDEX, "global-estimates")
    assert "ilo-2016-forced-labour" not in [f.id for f in a.facts]
    assert len(a.facts) == 2


def test_summary_prefers_verified_facts_when_coverage_allows() -> None:
    facts = [make_fact("heard", "Dockers were beaten in port.", confidence="secondhand")]
    facts += [
        make_fact(f"v{i}", f"Dockers {word} in port.", source=f"s{i}")
        for i, word in enumerate(
            ["were unpaid", "lived aboard", "came home", "were watched", "sent money"]
        )
    ]
    a = summary_answer(SearchIndex(make_book(facts)), "dockers port")
    assert len(a.facts) == 5
    assert "heard" not in [f.id for f in a.facts]
    check_summary(a)


def test_summary_keeps_within_700_characters_with_long_claims() -> None:
    facts = [
        make_fact(
            f"f{i}", f"Claim {i} about ports " + f"word{i} " * 35 + "ends here.", topics=["t"]
        )
        for i in range(8)
    ]
    book = make_book(facts, topics=[make_topic("t", "Ports")])
    a = summary_answer(SearchIndex(book), "Ports")
    assert 2 <= len(a.facts) <= 3
    check_summary(a)


def test_a_claim_too_long_for_any_summary_falls_back_to_a_list() -> None:
    book = make_book([make_fact("long", "Very long claim. " * 50, topics=["t"])])
    a = summary_answer(SearchIndex(book), "t")
    assert a.kind == "search" and [f.id for f in a.facts] == ["long"] and a.note


def test_conflicting_figures_both_appear_with_their_dates() -> None:
    book = make_book(
        [
            make_fact(
                "low",
                "Researchers estimated that 50,000 North Korean workers were abroad.",
                source="a",
                as_of="2015",
            ),
            make_fact(
                "high",
                "Officials estimated that 100,000 North Korean workers were abroad.",
                source="b",
            ),
            make_fact("other", "Workers abroad sent money home.", source="c"),
        ],
        sources=[
            make_source("a", date="2015-10"),
            make_source("b", date="2024-03-21"),
            make_source("c"),
        ],
    )
    assert conflicting(SearchIndex(book), book.facts["low"], book.facts["high"])
    a = summary_answer(SearchIndex(book), "north korean workers abroad")
    ids = [f.id for f in a.facts]
    assert "low" in ids and "high" in ids
    assert "As of 2015: Researchers estimated that 50,000" in a.text
    assert "Published 2024-03-21: Officials estimated that 100,000" in a.text
    check_summary(a)


def test_same_figures_and_words_are_duplicates_but_different_figures_are_not() -> None:
    book = make_book(
        [
            make_fact("a", "An estimated 19,000 workers were in Russia in 2015."),
            make_fact("b", "An estimated 19,000 workers were in Russia in 2015, it said."),
            make_fact("c", "An estimated 20,000 workers were in Russia in 2015.", source="other"),
            make_fact("d", "Some 20 people were interviewed in Seoul about Russia."),
        ]
    )
    f = book.facts
    index = SearchIndex(book)
    assert duplicates(index, f["a"], f["b"])
    assert not duplicates(index, f["a"], f["c"]) and conflicting(index, f["a"], f["c"])
    assert not conflicting(index, f["c"], f["d"])  # 20 people vs 20,000 workers


def test_secondhand_in_a_summary_says_who_reported_it() -> None:
    a = summary_answer(INDEX, "russia-logging")
    assert "Reported by AFP: Workers in the Russian logging camps" in a.text
    check_summary(a)


def test_multi_sentence_claims_get_a_marker_after_each_sentence() -> None:
    assert split_sentences("U.S. officials met. They agreed. Mr. Kim left.") == [
        "U.S. officials met.",
        "They agreed.",
        "Mr. Kim left.",
    ]
    convention = "The ILO Forced Labour Convention (No. 29) bans it. States ratified it."
    assert split_sentences(convention) == [
        "The ILO Forced Labour Convention (No. 29) bans it.",
        "States ratified it.",
    ]
    book = make_book(
        [
            make_fact("two", "Ships left port. They carried workers", topics=["t"]),
            make_fact("one", "Workers were paid late.", topics=["t"]),
        ]
    )
    a = summary_answer(SearchIndex(book), "t")
    assert a.text == "Ships left port.[1] They carried workers.[1] Workers were paid late.[2]"
    check_summary(a)


def test_free_query_summary_and_miss() -> None:
    a = summary_answer(INDEX, "russia workers")
    assert a.topic is None and len(a.facts) >= 2
    check_summary(a)
    assert summary_answer(INDEX, "xyzzy").kind == "miss"


def test_stale_marker_needs_a_today() -> None:
    fact = BOOK.facts["un-2397-repatriation"]
    assert fact_answer(INDEX, fact.id, today=dt.date(2026, 1, 1)).is_stale(fact)
    assert not fact_answer(INDEX, fact.id).is_stale(fact)


def _random_book(claims: list[str]) -> FactBook:
    facts = [
        make_fact(
            f"f{i}",
            claim,
            topics=["t"],
            confidence="secondhand" if i % 3 == 0 else "verified",
            superseded_by="f0" if i % 4 == 3 else None,
        )
        for i, claim in enumerate(claims)
    ]
    return make_book(facts, topics=[make_topic("t", "Topic")])


_WORDS = st.sampled_from(
    ["workers", "Russia", "19,000", "20,000", "camps", "paid", "abroad", "2015"]
)
_CLAIM = st.lists(_WORDS, min_size=1, max_size=40).map(lambda ws: " ".join(ws) + ".")


@settings(max_examples=80, deadline=None)
@given(st.lists(_CLAIM, min_size=1, max_size=12), st.sampled_from(["t", "workers russia", "paid"]))
def test_summary_invariants_hold_for_random_books(claims: list[str], query: str) -> None:
    book = _random_book(claims)
    a = summary_answer(SearchIndex(book), query)
    if a.kind == "summary":
        check_summary(a)
    else:
        assert a.kind in ("miss", "search")


def test_figures_filed_under_one_topic_conflict_with_fewer_words_in_common() -> None:
    """Two estimates of the same thing worded differently: a curator filing both under one
    topic is enough for the summary to show both, each with its date."""
    new = "The UN Panel of Experts estimated that around 100,000 North Koreans worked overseas."
    old = "NKDB estimated that about 50,000-60,000 North Korean labourers were sent abroad."
    facts = [
        make_fact("new", new, source="a", topics=["workers"], as_of="2023"),
        make_fact("other", "Workers are kept in the dark about contracts.", topics=["workers"]),
        make_fact("old", old, source="b", topics=["workers"], as_of="2015"),
    ]
    filed_apart = make_book(
        [
            make_fact("new", new, source="a", topics=["un"], as_of="2023"),
            make_fact("old", old, source="b", topics=["ngo"], as_of="2015"),
        ]
    )
    apart = SearchIndex(filed_apart)
    assert not conflicting(apart, filed_apart.facts["new"], filed_apart.facts["old"])
    book = make_book(facts)
    assert conflicting(SearchIndex(book), book.facts["new"], book.facts["old"])
    a = summary_answer(SearchIndex(book), "workers")
    ids = [f.id for f in a.facts]
    assert ids[0] == "new" and "old" in ids
    assert "As of 2015: NKDB estimated" in a.text
    check_summary(a)
