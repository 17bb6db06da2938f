"""Search: ranking, folding, Unicode tokens, stemming, typos, determinism, misses, autocomplete."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import time
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import search as S
from bot.book import Fact, Source, Topic
from bot.text import fold, query_terms, raw_tokens, stem, terms
from tests.bookfactory import make_book, make_fact, make_source, make_topic, sample_book

BOOK = sample_book()


def ids(query: str, limit: int = 10, book: object = BOOK) -> list[str]:
    return [h.fact.id for h in S.search(book, query, limit)]  # type: ignore[arg-type]


# -- text helpers --------------------------------------------------------------------------------
def test_fold_drops_case_accents_and_invisible_characters() -> None:
    assert fold("SANCIÓN Économique") == "sancion economique"
    assert fold("Ru\u200bssia") == "russia"
    assert fold("ﬁnance") == "finance"  # compatibility ligature
    assert fold("노동자") == "노동자"  # Hangul syllables come back whole


def test_tokens_keep_numbers_whole_and_read_hangul() -> None:
    assert raw_tokens("19,000 workers; $1.2 billion") == ["19000", "workers", "1.2", "billion"]
    assert raw_tokens("북한 노동자는 13,221명") == ["북한", "노동자는", "13221", "명"]


def test_stemming_merges_plurals_and_british_american_spelling() -> None:
    assert stem("workers") == stem("worker") == stem("working")
    assert stem("labourers") == stem("laborers") == stem("labour") == stem("labor")
    assert stem("organisation") == stem("organization")
    assert stem("countries") == stem("country")
    assert terms("Estimated estimates") == [stem("estimate")] * 2


def test_query_terms_drop_stopwords_and_are_bounded() -> None:
    assert query_terms("How many of the workers are in Russia?") == ["work", "russia"]
    assert len(query_terms("word " * 5000)) == 1
    assert len(query_terms(" ".join(f"w{i}x" for i in range(500)))) <= 24


# -- ranking -------------------------------------------------------------------------------------
def test_topic_alias_beats_a_passing_word() -> None:
    book = make_book(
        [
            # Listed first and says "timber" twice, but only in passing.
            make_fact("passing", "Timber prices and timber exports rose.", topics=["economy"]),
            make_fact("on-topic", "Loggers worked in camps in the taiga.", topics=["logging"]),
        ],
        topics=[make_topic("economy", "Economy"), make_topic("logging", "Logging", ["timber"])],
    )
    assert ids("timber", book=book) == ["on-topic", "passing"]
    assert ids("logging", book=book)[0] == "on-topic"


def test_field_weights_order_claim_over_quote_over_source_title() -> None:
    book = make_book(
        [
            make_fact("in-title", "Nothing here.", source="s-title"),
            make_fact("in-quote", "Nothing either.", quote="the shipyard was busy"),
            make_fact("in-claim", "A shipyard employed them."),
        ],
        sources=[make_source("s-title", title="Shipyard report"), make_source("src")],
    )
    assert ids("shipyard", book=book) == ["in-claim", "in-quote", "in-title"]


def test_fact_id_query_puts_that_fact_first() -> None:
    assert ids("fa-mongolia")[0] == "fa-mongolia"
    assert ids("  FA-Mongolia ")[0] == "fa-mongolia"


def test_more_query_words_matched_ranks_higher() -> None:
    got = ids("russia logging camps")
    assert set(got[:2]) == {"logging-1967", "logging-conditions"}


def test_superseded_fact_ranks_below_its_replacement() -> None:
    got = ids("ILO forced labour estimate")
    assert got.index("ilo-2021-forced-labour") < got.index("ilo-2016-forced-labour")
    assert ids("ilo-2016-forced-labour")[0] == "ilo-2016-forced-labour"  # findable by id


def test_accents_and_case_are_folded() -> None:
    book = make_book(
        [
            make_fact("es", "La sanción económica afectó a los trabajadores."),
            make_fact("x", "Other."),
        ]
    )
    assert ids("SANCION economica", book=book) == ["es"]


def test_korean_claims_are_searchable() -> None:
    assert ids("러시아")[0] == "kbs-russia-entries"
    assert ids("노동자")[0] == "kbs-russia-entries"  # a prefix of 노동자는


def test_prefix_and_stemming() -> None:
    assert "fa-mongolia" in ids("labourers")
    assert "fa-mongolia" in ids("laborers")
    assert "fa-mongolia" in ids("construc")
    book = make_book([make_fact("w", "One worker was paid."), make_fact("z", "Unrelated.")])
    assert ids("workers", book=book) == ["w"]
    assert ids("work", book=book) == ["w"]


def test_typos_find_the_logging_facts() -> None:
    assert set(ids("Rusia logging")[:2]) == {"logging-1967", "logging-conditions"}
    assert set(ids("Russia loging")[:2]) == {"logging-1967", "logging-conditions"}
    assert ids("Mongolai")[0] == "fa-mongolia"


def test_order_is_deterministic_with_ties_in_curator_order() -> None:
    facts = [make_fact(f"f{i}", "Identical claim about shipyards.") for i in range(6)]
    forward = make_book(facts)
    backward = make_book(list(reversed(facts)))
    assert ids("shipyards", book=forward) == [f"f{i}" for i in range(6)]
    assert ids("shipyards", book=backward) == [f"f{i}" for i in reversed(range(6))]
    for q in ("workers", "Rusia logging", "revenue", "러시아"):
        assert ids(q) == ids(q) == [h.fact.id for h in S.search(sample_book("other"), q)]


def test_limit_is_respected() -> None:
    assert len(S.search(BOOK, "north korean", limit=3)) == 3
    assert S.search(BOOK, "north korean", limit=0) == []


def test_a_miss_returns_nothing_and_suggests_close_names() -> None:
    assert S.search(BOOK, "xyzzy") == []
    assert S.search(BOOK, "the of and") == []  # only stopwords
    assert S.search(BOOK, "") == []
    assert S.suggest(BOOK, "xyzzy") == []
    assert S.suggest(BOOK, "russian far east loging")[0] == "Russian Far East logging"
    got = S.suggest(BOOK, "fa-revnue")
    assert "fa-revenue" in got and len(got) <= 3


def test_hostile_queries_do_not_raise_and_stay_fast() -> None:
    queries = [
        "x" * 6000,
        "workers " * 1000,
        "   \t\n",
        "\u200b\u200f\u202e",
        "🚢🚢🚢 workers",
        "@everyone <@&123456789012345678>",
        "```*bold* _x_```",
        "https://example.org/a_(b)",
    ]
    for q in queries:
        start = time.perf_counter()
        S.search(BOOK, q)
        S.suggest(BOOK, q)
        S.complete_topics(BOOK, q)
        S.complete_facts(BOOK, q)
        S.resolve_topic(BOOK, q)
        assert time.perf_counter() - start < 0.5, q[:40]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_any_query_gives_bounded_consistent_results(query: str) -> None:
    hits = S.search(BOOK, query, limit=5)
    assert len(hits) <= 5
    longer = S.search(BOOK, query, limit=12)
    assert [h.fact.id for h in longer[:5]] == [h.fact.id for h in hits]  # top-k is a prefix
    assert len(S.suggest(BOOK, query)) <= 3


def test_facts_matching_more_words_come_first() -> None:
    book = make_book(
        [
            make_fact("alpha-one", "Alpha alpha alpha."),  # strong (its id), but one word
            make_fact("two", "Alpha and bravo.", source="s2"),
            make_fact("three", "Alpha, bravo and charlie.", source="s3"),
            make_fact("none", "Delta."),
        ],
        topics=[make_topic("general")],
    )
    assert ids("alpha bravo charlie", book=book) == ["three", "two", "alpha-one"]
    assert ids("alpha bravo charlie", limit=1, book=book) == ["three"]


# -- a topic named inside a question --------------------------------------------------------------
def _revenue_book() -> object:
    """A topic whose curators put a secondhand estimate first; generic words everywhere."""
    return make_book(
        [
            make_fact(
                "general-workers",
                "North Korea sends workers abroad, and North Korean workers earn wages.",
                topics=["overseas"],
            ),
            make_fact(
                "panel-estimate",
                "A UN panel estimated the workers earned US$500 million in 2023.",
                topics=["overseas", "revenue"],
                confidence="secondhand",
            ),
            make_fact(
                "older-estimate",
                "A 2015 report estimated $1.2 to $2.3 billion a year.",
                topics=["revenue"],
            ),
            make_fact(
                "proceeds",
                "North Korea used proceeds from workers abroad to fund the government.",
                topics=["overseas", "revenue"],
            ),
            make_fact("logging", "Logging camps in the Russian Far East.", topics=["russia"]),
        ],
        topics=[
            make_topic(
                "overseas",
                "North Korean overseas labour",
                ["workers abroad", "north korean workers"],
            ),
            make_topic("revenue", "Revenue from labour exports", ["how much money", "earnings"]),
            make_topic("russia", "North Korean workers in Russia", ["russian far east"]),
            make_topic("questions", "Questions", ["how many"]),  # stopwords only
        ],
    )


def test_a_topic_alias_inside_a_question_leads_in_curators_order() -> None:
    book = _revenue_book()
    q = "how much money does north korea earn from workers abroad"
    # "how much money" (3 words) beats "workers abroad" (2): the revenue topic leads, in the
    # curators' order, although "proceeds" shares more generic words with the question.
    assert ids(q, book=book)[:3] == ["panel-estimate", "older-estimate", "proceeds"]
    assert S.search(book, q)[0].score > 1.2 * S.search(book, q)[2].score  # type: ignore[arg-type]
    # The exact alias still names the topic; other words in the query do not break it.
    assert ids("how much money", book=book)[:3] == ["panel-estimate", "older-estimate", "proceeds"]
    assert ids("HOW MUCH MONEY?", book=book)[0] == "panel-estimate"
    # The longest name wins: the title of the Russia topic over "north korean workers".
    assert ids("how many north korean workers in russia", book=book)[0] == "logging"
    # A name of stopwords only ("how many") never names a topic inside a longer query.
    assert ids("how many estimates", book=book)[0] != "general-workers"
    assert set(ids("how many estimates", book=book)) == {"panel-estimate", "older-estimate"}


def test_a_much_better_match_can_move_up_within_the_named_topic() -> None:
    facts = [
        make_fact(f"f{i}", f"Workers abroad, report {i}.", topics=["overseas"]) for i in range(8)
    ]
    facts.insert(3, make_fact("yard", "Workers abroad in a Gdansk shipyard.", topics=["overseas"]))
    facts += [make_fact(f"other{i}", f"Unrelated claim {i}.") for i in range(40)]
    book = make_book(facts, topics=[make_topic("overseas", "Overseas", ["workers abroad"])])
    assert ids("workers abroad", book=book)[:5] == ["f0", "f1", "f2", "yard", "f3"]
    # Two rare words move it up a place; the curators' first facts keep their lead.
    assert ids("workers abroad gdansk shipyard", book=book)[:5] == ["f0", "f1", "yard", "f2", "f3"]


# -- topics --------------------------------------------------------------------------------------
def test_resolve_topic_by_id_title_alias_and_spelling_variants() -> None:
    for text in (
        "russia-logging",
        "Russian Far East logging",
        "logging camps",
        "LOGGING CAMP",
        "russian far-east logging",
        "Russian Far East loging",  # one typo
    ):
        topic = S.resolve_topic(BOOK, text)
        assert topic is not None and topic.id == "russia-logging", text
    assert S.resolve_topic(BOOK, "north korean workers").id == "nk-overseas-labour"  # type: ignore[union-attr]
    assert S.resolve_topic(BOOK, "bananas") is None
    assert S.resolve_topic(BOOK, "") is None


# -- autocomplete --------------------------------------------------------------------------------
def _long_book() -> object:
    topics = [
        make_topic(f"topic-{i:02d}", f"Topic {i:02d} " + "long title " * 20) for i in range(40)
    ]
    facts = [
        make_fact(f"fact-{i:02d}-" + "x" * 120, "Claim " + "very long words " * 30, topics=[t.id])
        for i, t in enumerate(topics)
    ]
    return make_book(facts, topics=topics)


def test_autocomplete_limits_and_empty_input() -> None:
    book = _long_book()
    for partial in ("", "topic", "long", "claim", "fact-0", "zzzz"):
        for pairs in (S.complete_topics(book, partial), S.complete_facts(book, partial)):  # type: ignore[arg-type]
            assert len(pairs) <= 25
            assert all(0 < len(label) <= 100 and 0 < len(value) <= 100 for label, value in pairs)
    empty = S.complete_topics(book, "")  # type: ignore[arg-type]
    assert [v for _, v in empty] == [f"topic-{i:02d}" for i in range(25)]
    facts = S.complete_facts(book, "")  # type: ignore[arg-type]
    assert len(facts) == 25
    # A cut-off id still finds its fact.
    value = facts[3][1]
    assert len(value) == 100
    found = S.find_fact(book, value)  # type: ignore[arg-type]
    assert found is not None and found.id.startswith(value)


def test_complete_topics_ranks_prefix_matches_first() -> None:
    got = [v for _, v in S.complete_topics(BOOK, "rus")]
    assert got[0] == "russia-logging"
    assert S.complete_topics(BOOK, "earn")[0][1] == "revenue"  # an alias
    assert S.complete_topics(BOOK, "Rusian")[0][1] == "russia-logging"  # typo
    labels = dict((v, label) for label, v in S.complete_topics(BOOK, ""))
    assert labels["sanctions"] == "UN sanctions · 1 fact"


def test_complete_facts_ids_then_matches_and_skips_superseded_on_empty() -> None:
    got = [v for _, v in S.complete_facts(BOOK, "fa-")]
    assert got[:5] == [
        "fa-interviews",
        "fa-revenue",
        "fa-revenue-hard-cash",
        "fa-host-countries",
        "fa-mongolia",
    ]
    assert "ilo-2016-forced-labour" not in [v for _, v in S.complete_facts(BOOK, "")]
    assert S.complete_facts(BOOK, "mongolia")[0][1] == "fa-mongolia"


def test_warm_builds_the_index_once() -> None:
    book = sample_book("warm")
    S.warm(book)
    first = book.__dict__[S._ATTR]
    S.search(book, "workers")
    S.warm(book)
    assert book.__dict__[S._ATTR] is first


# -- the bounded-cost ranking equals an exhaustive one --------------------------------------------
_VOCAB = [
    "workers",
    "worker",
    "work",
    "logging",
    "logs",
    "russia",
    "russian",
    "camps",
    "wages",
    "estimated",
    "paid",
    "guards",
    "shipyard",
    "shipyards",
    "seafood",
    "quota",
    "abroad",
]


def _reference_hits(book: object, query: str, limit: int) -> list[tuple[str, float]]:
    """Every fact scored in full, one at a time, ranked by words matched, score, curators'
    order: (fact id, score) pairs."""
    idx = S._index(book)  # type: ignore[arg-type]
    qterms = query_terms(query)
    per_term = [tp for tp in (S._term_postings(idx, t) for t in qterms) if tp]
    per_term.sort(key=lambda tp: sum(len(p) for p, _ in tp))
    acc: dict[int, float] = {}
    matched: dict[int, int] = {}
    for tp in per_term:
        best: dict[int, float] = {}
        for postings, factor in tp:
            for pos, w in postings.items():
                best[pos] = max(best.get(pos, 0.0), w * factor)
        for pos, score in best.items():
            acc[pos] = acc.get(pos, 0.0) + score
            matched[pos] = matched.get(pos, 0) + 1
    if per_term and (len(per_term) < len(qterms) or len(set(matched.values())) > 1):
        acc = {pos: s * matched[pos] / len(qterms) for pos, s in acc.items()}
    for pos in idx.superseded_positions:
        if pos in acc:
            acc[pos] *= S.SUPERSEDED_FACTOR
    ranked = sorted(acc, key=lambda pos: (-matched[pos], -acc[pos], pos))
    return [(idx.facts[pos].id, acc[pos]) for pos in ranked[:limit]]


@contextlib.contextmanager
def ranked_by(way: str) -> Iterator[None]:
    """Force one of the two ways ``search`` ranks: "common" (tried whenever the query allows
    it) or "arrays" (always)."""
    saved = S.COMMON_MAX
    S.COMMON_MAX = 10**9 if way == "common" else -1
    try:
        yield
    finally:
        S.COMMON_MAX = saved


WAYS = st.sampled_from(["common", "arrays"])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_VOCAB), min_size=2, max_size=8), min_size=30, max_size=300),
    st.lists(st.sampled_from([*_VOCAB, "work", "ship", "rusia", "loging"]), min_size=1, max_size=3),
    st.sampled_from([1, 3, 10, 25]),
    WAYS,
)
def test_ranking_equals_exhaustive_scoring(
    claims: list[list[str]], words: list[str], limit: int, way: str
) -> None:
    facts = [
        make_fact(
            f"f{i}",
            " ".join(ws) + ".",
            source=f"s{i % 7}",
            quote=" ".join(reversed(ws)) if i % 3 == 0 else None,
            superseded_by="f0" if i % 11 == 5 else None,
        )
        for i, ws in enumerate(claims)
    ]
    book = make_book(facts)
    query = " ".join(words)
    with ranked_by(way):
        hits = S.search(book, query, limit)
    assert [(h.fact.id, h.score) for h in hits] == _reference_hits(book, query, limit)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_VOCAB), min_size=2, max_size=8), min_size=30, max_size=200),
    st.lists(st.sampled_from(_VOCAB), min_size=3, max_size=5, unique=True),
    st.sampled_from([1, 3, 10]),
    WAYS,
)
def test_scores_equal_exhaustive_scoring_when_facts_match_different_numbers_of_words(
    claims: list[list[str]], words: list[str], limit: int, way: str
) -> None:
    """Several words, facts matching some of them (each score scaled by the share of words
    matched): the exhaustive ranking, and the scores to the last bit."""
    facts = [
        make_fact(f"f{i}", " ".join(ws) + ".", superseded_by="f0" if i % 7 == 3 else None)
        for i, ws in enumerate(claims)
    ]
    book = make_book(facts)
    query = " ".join(words)
    with ranked_by(way):
        hits = S.search(book, query, limit)
    want = _reference_hits(book, query, limit)
    assert [h.fact.id for h in hits] == [fid for fid, _ in want]
    assert [h.score for h in hits] == [score for _, score in want]


def test_both_ways_of_ranking_agree_on_the_sample_book() -> None:
    """Pairs and triples of the sample book's words (whole, cut short, misspelt): the
    common-facts ranking and the array ranking give the same facts with the same scores."""
    words = sorted({w for f in BOOK for w in raw_tokens(f.claim) if len(w) > 3})[:40]
    words += ["work", "rusia", "loging"]
    queries = [f"{a} {b}" for a in words[::3] for b in words[1::4]]
    queries += [f"{a} {b} {c}" for a, b, c in zip(words, words[5:], words[11:], strict=False)]
    used = 0
    for query in queries:
        for limit in (1, 3, 10):
            with ranked_by("common"):
                common = [(h.fact.id, h.score) for h in S.search(BOOK, query, limit)]
            with ranked_by("arrays"):
                arrays = [(h.fact.id, h.score) for h in S.search(BOOK, query, limit)]
            assert common == arrays, query
            used += bool(common)
    assert used > 20


# -- incremental index: warm(book, previous) behaves exactly like a fresh build -------------------
_WORDS = ["workers", "logging", "russia", "camps", "wages", "seafood", "quota", "abroad", "ship"]


def _normal(book: object) -> dict[str, object]:
    """The index with order keys replaced by positions (what a fresh build would hold)."""
    idx = S._index(book)  # type: ignore[arg-type]
    pos = {k: i for i, k in enumerate(idx.facts)}
    assert list(idx.facts) == sorted(idx.facts)  # keys ascend in curators' order
    assert [f.id for f in idx.ordered] == list(book.facts)  # type: ignore[attr-defined]
    return {
        "postings": {t: [(pos[k], w) for k, w in p.items()] for t, p in idx.postings.items()},
        "vocab": idx.vocab,
        "neighbours": {v: sorted(ts) for v, ts in idx.neighbours.items()},
        "idf": idx.idf,
        "ids": (idx.ids_sorted, {i: pos[k] for i, k in idx.id_to_pos.items()}, idx.ids_folded),
        "topics": (
            idx.topic_keys,
            idx.topic_phrases,
            idx.phrase_max,
            idx.topic_names,
            idx.topic_labels,
        ),
        "topic_facts": {t: [pos[k] for k in ks] for t, ks in idx.topic_facts.items()},
        "superseded": [pos[k] for k in idx.superseded_positions],
        "words": {fid: d.words for fid, d in idx.data.items()},
        "facts": idx.ordered,
    }


def _behaviour(book: object) -> list[object]:
    out: list[object] = []
    queries = [*_WORDS, "work", "rusia", "logs camps", "f3", "t1", "topic one", "seafod quota"]
    for q in queries:
        out.append([(h.fact.id, h.score) for h in S.search(book, q, 7)])  # type: ignore[arg-type]
        out.append(S.suggest(book, q))  # type: ignore[arg-type]
        out.append(S.complete_facts(book, q[:3]))  # type: ignore[arg-type]
        out.append(S.complete_topics(book, q))  # type: ignore[arg-type]
        topic = S.resolve_topic(book, q)  # type: ignore[arg-type]
        out.append(topic.id if topic else None)
    return out


_claim = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map(lambda ws: " ".join(ws))
_edit = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 40), _claim),
    st.tuples(st.just("remove"), st.integers(0, 40)),
    st.tuples(st.just("claim"), st.integers(0, 40), _claim),
    st.tuples(st.just("move"), st.integers(0, 40), st.integers(0, 40)),
    st.tuples(st.just("topics"), st.integers(0, 40), st.sampled_from([("t0",), ("t1", "t2")])),
    st.tuples(st.just("source"), st.integers(0, 40), st.sampled_from(["s0", "s1", "s2"])),
    st.tuples(st.just("line"), st.integers(0, 40)),
    st.tuples(st.just("supersede"), st.integers(0, 40)),
    st.tuples(st.just("alias"), st.sampled_from(["t0", "t1", "t2"]), _claim),
    st.tuples(st.just("publisher"), st.sampled_from(["s0", "s1", "s2"]), _claim),
)


def _apply(
    facts: list[Fact], topics: dict[str, Topic], sources: dict[str, Source], edit: tuple[Any, ...]
) -> None:
    op, *args = edit
    at = args[0] % len(facts) if facts and isinstance(args[0], int) else 0
    if op == "add":
        n = 1 + max((int(f.id[1:]) for f in facts), default=0)
        facts.insert(min(args[0], len(facts)), make_fact(f"f{n}", args[1], topics=["t0"]))
    elif op == "alias":
        topics[args[0]] = dataclasses.replace(topics[args[0]], aliases=(args[1],))
    elif op == "publisher":
        sources[args[0]] = dataclasses.replace(sources[args[0]], publisher=args[1])
    elif not facts:
        return
    elif op == "remove":
        del facts[at]
    elif op == "claim":
        facts[at] = dataclasses.replace(facts[at], claim=args[1])
    elif op == "move":
        facts.insert(args[1] % len(facts), facts.pop(at))
    elif op == "topics":
        facts[at] = dataclasses.replace(facts[at], topics=args[1])
    elif op == "source":
        facts[at] = dataclasses.replace(facts[at], source=args[1])
    elif op == "line":  # a fact above grew by a line: nothing the index reads changes
        facts[at:] = [dataclasses.replace(f, line=f.line + 1) for f in facts[at:]]
    elif op == "supersede":
        facts[at] = dataclasses.replace(facts[at], superseded_by=facts[0].id)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(_claim, min_size=0, max_size=25),
    st.lists(st.lists(_edit, min_size=1, max_size=4), min_size=1, max_size=4),
)
def test_incremental_index_equals_a_fresh_build(
    claims: list[str], rounds: list[list[tuple[Any, ...]]]
) -> None:
    topics = {
        "t0": make_topic("t0", "Topic one", ["logging camps"]),
        "t1": make_topic("t1", "Seafood quota"),
        "t2": make_topic("t2", "Wages"),
    }
    sources = {f"s{i}": make_source(f"s{i}", title=f"Report on {_WORDS[i]}") for i in range(3)}
    facts = [
        make_fact(f"f{i}", c, source=f"s{i % 3}", topics=[f"t{i % 3}"], line=i)
        for i, c in enumerate(claims)
    ]
    book = make_book(facts, topics=topics.values(), sources=sources.values())
    S.warm(book)
    for edits in rounds:  # each round is one reload, warmed from the book before it
        for edit in edits:
            _apply(facts, topics, sources, edit)
        new = make_book(facts, topics=topics.values(), sources=sources.values())
        before = _normal(book)
        S.warm(new, book)
        fresh = make_book(facts, topics=topics.values(), sources=sources.values())
        assert _normal(new) == _normal(fresh)
        assert _behaviour(new) == _behaviour(fresh)
        assert _normal(book) == before  # the book in service is untouched
        book = new


def test_incremental_index_renumbers_when_keys_run_out_and_keeps_moves_exact() -> None:
    facts = [make_fact(f"f{i}", f"{_WORDS[i % 9]} claim {i}") for i in range(6)]
    book = make_book(facts)
    S.warm(book)
    for n in range(30):  # always between f0 and f1: the gap halves each time
        facts.insert(1, make_fact(f"n{n}", f"new {_WORDS[n % 9]} claim"))
        new = make_book(facts)
        S.warm(new, book)
        assert _normal(new) == _normal(make_book(facts))
        book = new
    facts.reverse()  # every fact moves
    new = make_book(facts)
    S.warm(new, book)
    assert _normal(new) == _normal(make_book(facts))
    assert _behaviour(new) == _behaviour(make_book(facts))


def test_incremental_index_reuses_unchanged_facts() -> None:
    facts = [make_fact(f"f{i}", f"{_WORDS[i % 9]} claim {i}", line=i) for i in range(50)]
    book = make_book(facts)
    S.warm(book)
    edited = [dataclasses.replace(f, line=f.line + 3) for f in facts]
    edited[10] = dataclasses.replace(edited[10], claim="An entirely new claim.")
    new = make_book(edited)
    S.warm(new, book)
    old_idx, new_idx = S._index(book), S._index(new)
    reused = [fid for fid in new.facts if new_idx.data[fid] is old_idx.data[fid]]
    assert reused == [f"f{i}" for i in range(50) if i != 10]
    assert new_idx.keys == old_idx.keys
    assert S.search(new, "entirely")[0].fact is new.facts["f10"]  # the new book's objects
    S.warm(new, book)  # already warm: nothing happens
    assert S._index(new) is new_idx
    cold = make_book(facts)  # a previous book without an index: a full build, and it stays cold
    other = make_book(edited)
    S.warm(other, cold)
    assert S._ATTR not in cold.__dict__
    assert _normal(other) == _normal(new)


def test_field_weights_are_laid_down_strongest_first() -> None:
    # _fact_data gives each term its strongest field by taking fields in this order.
    order = [S.W_ID, S.W_TOPIC, S.W_CLAIM, S.W_PUBLISHER, S.W_QUOTE, S.W_SOURCE_TITLE]
    assert order == sorted(order, reverse=True) and S.W_REGION == S.W_CLAIM


def test_the_array_caches_stay_within_their_byte_budget(monkeypatch: Any) -> None:
    """Emptied when full, they keep giving the same answers."""
    words = sorted({w for f in BOOK for w in raw_tokens(f.claim) if len(w) > 3})
    queries = [f"{a[:4]} {b}" for a, b in itertools.pairwise(words)]
    with ranked_by("arrays"):
        want = [ids(q) for q in queries]
        monkeypatch.setattr(S, "ARRAY_CACHE_BYTES", 2_000)
        S._ARRAYS.clear()
        S._TERMS.clear()
        monkeypatch.setattr(S, "_cached_bytes", 0)
        for _ in range(2):
            assert [ids(q) for q in queries] == want
            held = sum(e[1].nbytes + e[2].nbytes + e[4].nbytes for e in S._ARRAYS.values())
            held += sum(e[2].nbytes + e[3].nbytes for e in S._TERMS.values())
            assert 0 < held <= S._cached_bytes <= 2_000
