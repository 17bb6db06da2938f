"""Search: folding, tokens, stemming, field weights, typos, prefixes, Korean, coverage and misses,
determinism, topics and autocomplete."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import (
    ANSWER_COVERAGE,
    SearchIndex,
    complete_facts,
    complete_topics,
    english_uses,
    fold,
    query_terms,
    raw_tokens,
    stem,
    suggest,
    terms,
)
from bot.factbook import FactBook
from tests.bookfactory import make_book, make_fact, make_source, make_topic, sample_book

BOOK = sample_book()
INDEX = SearchIndex(BOOK)


def ids(query: str, limit: int = 10, book: FactBook = BOOK) -> list[str]:
    index = INDEX if book is BOOK else SearchIndex(book)
    return [h.fact.id for h in index.search(query, limit)]


def answering(query: str, book: FactBook = BOOK) -> list[str]:
    """The facts that cover ``query`` well enough to be an answer, best first."""
    index = INDEX if book is BOOK else SearchIndex(book)
    return [h.fact.id for h in index.search(query) if h.answers]


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
    assert stem("centre") == stem("center") and stem("metres") == stem("meter")
    assert stem("legally") == stem("legal") and stem("monthly") == stem("month")
    assert stem("family") == "family" and stem("supply") == "supply"
    assert stem("syrian") == stem("syria") and stem("russians") == stem("russia")
    assert stem("fibre") == stem("fiber") and stem("genre") != stem("gener")
    assert stem("countries") == stem("country")
    assert stem("coordinator") == stem("coordinated") == stem("coordinate")
    assert stem("investigators") == stem("investigated") and stem("actor") == "actor"
    assert terms("Estimated estimates") == [stem("estimate")] * 2


def test_query_terms_drop_stopwords_and_are_bounded() -> None:
    assert query_terms("How many of the workers are in Russia now?") == ["work", "russia"]
    assert len(query_terms("word " * 5000)) == 1
    assert len(query_terms(" ".join(f"w{i}x" for i in range(500)))) <= 24


def test_irregular_forms_meet_their_base() -> None:
    assert stem("wrote") == stem("written") == stem("write")
    assert stem("paid") == stem("pay") and stem("held") == stem("holds")
    assert stem("women") == stem("woman") and stem("children") == stem("child")


# -- ranking -------------------------------------------------------------------------------------
def test_a_claim_word_beats_the_same_word_inherited_from_a_topic() -> None:
    book = make_book(
        [
            make_fact("on-topic", "Loggers worked in camps in the taiga.", topics=["logging"]),
            make_fact("says-it", "Timber exports rose in 2015.", topics=["economy"]),
        ],
        topics=[make_topic("economy", "Economy"), make_topic("logging", "Logging", ["timber"])],
    )
    # both carry the word; the fact that says it comes first, the topic's fact still answers
    assert ids("timber", book=book) == ["says-it", "on-topic"]
    assert answering("timber", book=book) == ["says-it", "on-topic"]
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


def test_english_uses_reads_the_word_list_as_its_json_says() -> None:
    """The lookup bisects the list's lines: it must agree with the file read as JSON, for
    every word in it (a reordered or reformatted file fails here) and for words not in it.
    """
    data = resources.files("spellchecker") / "resources" / "en.json.gz"
    counts: dict[str, int] = json.loads(gzip.decompress(data.read_bytes()))
    assert len(counts) > 100_000
    assert {w for w, n in counts.items() if english_uses(w) != n} == set()
    assert english_uses("\ud800") == 0  # not encodable: matches nothing, raises nothing
    for word in ("", "zzzzq", "aaaa", "russiaq", "\uc784\uae08", "caf\u00e9x"):
        assert english_uses(word) == counts.get(word, 0)
    assert english_uses("the") > english_uses("wages") > english_uses("lazarus") > 0


def test_the_fact_covering_more_and_rarer_words_wins() -> None:
    assert set(ids("russia logging camps")[:2]) == {"logging-1967", "logging-conditions"}
    book = make_book(
        [
            make_fact("alpha-one", "Alpha alpha alpha."),
            make_fact("two", "Alpha and bravo.", source="s2"),
            make_fact("three", "Alpha, bravo and charlie.", source="s3"),
            make_fact("none", "Delta."),
        ],
        topics=[make_topic("general")],
    )
    assert ids("alpha bravo charlie", book=book) == ["three", "two", "alpha-one"]
    assert ids("alpha bravo charlie", limit=1, book=book) == ["three"]


def test_words_side_by_side_in_a_claim_add_a_phrase_bonus() -> None:
    book = make_book(
        [
            make_fact("apart", "Construction work went on while sites in Mongolia closed."),
            make_fact("phrase", "Workers were seen on construction sites in Mongolia."),
        ]
    )
    assert ids("construction sites", book=book)[0] == "phrase"


def test_a_figure_and_the_word_it_counts_are_a_phrase_words_apart() -> None:
    # "800 workers" counts workers: the fact where 800 counts them beats one where it is a wage
    book = make_book(
        [
            make_fact("wage", "4,000 North Korean workers were paid US$800 a month."),
            make_fact(
                "count",
                "A construction firm in Syria asked for at least 800 North Korean workers for"
                " its building sites in October 2019.",
                source="s2",
            ),
            *(make_fact(f"other{i}", f"Workers were sent to site {i}.") for i in range(6)),
        ]
    )
    assert ids("800 workers", book=book)[0] == "count"
    assert ids("4,000 workers", book=book)[0] == "wage"


def test_who_wrote_a_work_is_answered_by_the_fact_that_says_who_wrote_it() -> None:
    book = make_book(
        [
            make_fact("mentions", "The article 'Hidden Hands' described a report by Kim Lee."),
            make_fact(
                "byline",
                "The article 'Hidden Hands' was written by Jane Roe of the Ocean Institute.",
                source="s2",
            ),
            *(make_fact(f"other{i}", f"Crews were held at port {i}.") for i in range(4)),
        ]
    )
    assert ids("who wrote hidden hands", book=book)[0] == "byline"
    assert ids("hidden hands", book=book)[0] == "mentions"  # no question: the curators' order


def test_superseded_fact_ranks_below_its_replacement() -> None:
    got = ids("ILO forced labour estimate")
    assert got.index("ilo-2021-forced-labour") < got.index("ilo-2016-forced-labour")
    assert ids("ilo-2016-forced-labour")[0] == "ilo-2016-forced-labour"  # findable by id


def test_near_ties_go_to_the_curators_order() -> None:
    facts = [make_fact(f"f{i}", "Identical claim about shipyards.") for i in range(6)]
    forward = make_book(facts)
    backward = make_book(list(reversed(facts)))
    assert ids("shipyards", book=forward) == [f"f{i}" for i in range(6)]
    assert ids("shipyards", book=backward) == [f"f{i}" for i in reversed(range(6))]


def test_accents_and_case_are_folded() -> None:
    book = make_book(
        [
            make_fact("es", "La sanción económica afectó a los trabajadores."),
            make_fact("x", "Other."),
        ]
    )
    assert ids("SANCION economica", book=book) == ["es"]


def test_korean_words_match_their_inflected_forms_and_prefer_hangul_facts() -> None:
    assert ids("러시아")[0] == "kbs-russia-entries"
    assert ids("노동자")[0] == "kbs-russia-entries"  # 노동자는 in the claim
    assert ids("노동")[0] == "kbs-russia-entries"  # a two-syllable word
    assert ids("러시아에서 노동자")[0] == "kbs-russia-entries"  # 러시아 + a particle
    # a number both a Hangul and an English fact state: the Hangul query prefers Hangul
    book = make_book(
        [
            make_fact("en", "In 2024 some 13,221 North Koreans entered Russia."),
            make_fact("ko", "2024년 러시아에 입국한 북한 사람은 13,221명이었다."),
        ]
    )
    assert ids("13,221명", book=book)[0] == "ko"
    assert ids("13,221 North Koreans", book=book)[0] == "en"


def test_prefix_on_the_last_word_and_stemming() -> None:
    assert "fa-mongolia" in ids("labourers")
    assert "fa-mongolia" in ids("laborers")
    assert ids("construc")[0] == "fa-mongolia"  # still typing
    assert ids("construc ") == []  # a finished word is a word
    book = make_book([make_fact("w", "One worker was paid."), make_fact("z", "Unrelated.")])
    assert ids("workers", book=book) == ["w"]
    assert ids("work", book=book) == ["w"]


def test_typos_of_longer_words_match_and_ordinary_words_never_do() -> None:
    assert set(ids("Rusia logging")[:2]) == {"logging-1967", "logging-conditions"}
    assert set(ids("Russia loging")[:2]) == {"logging-1967", "logging-conditions"}
    assert ids("Mongolai")[0] == "fa-mongolia"
    book = make_book(
        [
            make_fact("unclear", "The figure is unclear."),
            make_fact("back", "Workers were sent back."),
            make_fact("vella", "Commissioner Karmenu Vella spoke.", source="s2"),
        ]
    )
    assert ids("nuclear", book=book) == []  # an English word, not a typo of "unclear"
    assert ids("hack", book=book) == []  # an English word, not a typo of "back"
    assert ids("unclaer", book=book) == ["unclear"]
    assert ids("Vela", book=book) == ["vella"]  # four letters: a name typed short
    assert ids("Vla", book=book) == []  # three: too short for a typo


def test_an_english_word_is_a_typo_only_beside_the_word_the_claim_has_next_to_it() -> None:
    book = make_book(
        [
            make_fact("ordinance", "The Royal Ordinance on Fisheries bans forced labour."),
            make_fact("unclear", "Whether the weapons were sold is unclear.", source="s2"),
        ]
    )
    # "ordnance" is English, one typo from "ordinance", which stands beside "royal"
    assert answering("royal ordnance fisheries", book=book) == ["ordinance"]
    assert answering("fisheries royal ordnance", book=book) == ["ordinance"]
    # no claim has "unclear" beside "weapons": "nuclear" stays a word the book lacks
    assert ids("nuclear weapons", book=book) == ["unclear"]
    assert answering("nuclear weapons", book=book) == []
    assert answering("ordnance", book=book) == []  # no neighbour to confirm it


def test_coverage_is_the_share_of_the_query_a_fact_matches() -> None:
    [hit] = INDEX.search("fa-mongolia", 1)
    assert hit.coverage == 1.0 and hit.answers
    top = INDEX.search("Mongolia construction")[0]
    assert top.fact.id == "fa-mongolia" and top.coverage == 1.0
    partial = INDEX.search("Mongolia zebra giraffe")[0]
    assert partial.fact.id == "fa-mongolia" and partial.coverage < ANSWER_COVERAGE
    assert not partial.answers


def test_words_the_book_does_not_know_make_a_miss() -> None:
    for query in ("Kim Jong Un nuclear tests", "Lazarus Group crypto hacking", "xyzzy"):
        assert answering(query) == [], query
    assert answering("the of and") == []  # only stopwords
    assert answering("") == []
    assert answering("russian far east loging camps zz")  # "zz" is noise, not a word


def test_a_synonym_finds_the_facts_that_use_another_word_of_its_group() -> None:
    facts = [
        make_fact("bars", "Resolution 2375 bars work authorizations for these nationals."),
        make_fact("bans", "The law bans imports made with forced labour.", source="s2"),
        make_fact("other", "Workers were sent home in 2019.", source="s3"),
    ]
    plain = make_book(facts)
    book = make_book(facts, synonyms=(("ban", "bar", "prohibit"), ("permit", "authorization")))
    assert answering("what did resolution 2375 prohibit", book=plain) == []
    assert answering("what did resolution 2375 prohibit", book=book)[0] == "bars"
    assert answering("work permits", book=plain) == []
    assert answering("work permits", book=book) == ["bars"]
    # the word typed beats its synonym; both answer
    assert answering("ban", book=book) == ["bans", "bars"]
    assert answering("bar", book=book) == ["bars", "bans"]


def test_the_word_typed_beats_a_rarer_synonym() -> None:
    # "ban" is in four facts, "prohibit" in one: a rare synonym must not score as a rare word
    facts = [
        make_fact(f"ban{i}", f"Country {i} bans imports of seafood.", source=f"s{i}")
        for i in range(4)
    ]
    facts.append(make_fact("prohibits", "The law prohibits imports of seafood.", source="s9"))
    book = make_book(facts, synonyms=(("ban", "prohibit"),))
    ranked = answering("ban imports", book=book)
    assert ranked[-1] == "prohibits", ranked
    assert answering("prohibit imports", book=book)[0] == "prohibits"


def test_a_how_many_question_needs_a_fact_about_what_it_counts() -> None:
    book = make_book(
        [
            make_fact("adults", "An estimated 28 million people were in forced labour worldwide."),
            make_fact("mine", "About 300 children worked in the Oyu mine.", source="s2"),
        ]
    )
    assert answering("how many people are in forced labour worldwide", book=book) == ["adults"]
    # "children": the worldwide figure counts people, not children: an honest miss
    assert answering("how many children are in forced labour worldwide", book=book) == []
    assert answering("forced labour worldwide children", book=book) == ["adults"]
    assert answering("how many children worked in the mine", book=book) == ["mine"]
    # people: a figure of children is a figure of people
    assert answering("how many people worked in the mine", book=book) == ["mine"]


def test_what_a_how_many_question_counts_is_named_by_the_fact_itself() -> None:
    russia = make_topic("russia", "North Korean workers in Russia")
    book = make_book(
        [
            make_fact("entries", "About 13,000 North Koreans entered Russia.", topics=["russia"]),
            make_fact(
                "permits",
                "Russia counted 30,000 permits of North Koreans.",
                topics=["russia"],
                quote="30,000 North Korean workers held valid permits.",
                source="s2",
            ),
        ],
        topics=[russia],
    )
    # the topic's name says "workers" for both; only the permits fact counts workers (its quote)
    assert answering("how many North Korean workers are in Russia", book=book) == ["permits"]
    # what is counted runs to its first plural: "Chinese workers", not "workers" alone
    assert answering("how many Chinese workers are in Russia", book=book) == []
    assert answering("how many North Koreans entered Russia", book=book)[:1] == ["entries"]


def test_a_question_asking_for_a_number_needs_a_fact_that_states_one() -> None:
    book = make_book(
        [
            make_fact("hosts", "Nigeria and Congo hosted North Korean workers."),
            make_fact("trial", "Eight employees of the firm went on trial.", source="s2"),
            make_fact("freed", "The reporting freed 2,000 slaves.", source="s3"),
        ]
    )
    assert answering("North Korean workers in Nigeria", book=book) == ["hosts"]
    assert answering("how many North Korean workers are in Nigeria", book=book) == []
    assert answering("how many employees went on trial", book=book) == ["trial"]  # in words
    assert answering("how many slaves were freed", book=book) == ["freed"]  # not the year 2000


def test_a_how_long_question_needs_a_fact_that_says_how_long() -> None:
    book = make_book(
        [
            make_fact("rated", "The report kept the country on Tier 3."),
            make_fact("since", "The country has been on Tier 3 since 2003.", source="s2"),
            make_fact("shifts", "Crews on the boats worked 20-hour shifts.", source="s3"),
        ]
    )
    assert answering("country on tier 3", book=book)[0] == "rated"
    assert answering("how long has the country been on tier 3", book=book) == ["since"]
    assert answering("how long did crews work on the boats", book=book) == ["shifts"]
    assert answering("how long was the country kept on tier 3", book=book) == ["since"]


def test_a_question_naming_a_year_needs_a_fact_of_that_year() -> None:
    book = make_book(
        [
            make_fact("permits", "Russia counted 11,490 North Korean work permits in 2018."),
            make_fact("entries", "About 13,000 North Koreans entered Russia.", as_of="2024"),
            make_fact("report", "North Koreans kept working in Russia.", source="s22"),
        ],
        sources=[make_source("src"), make_source("s22", date="2022-06-01")],
    )
    assert answering("North Koreans in Russia in 2018", book=book) == ["permits"]
    assert answering("North Koreans in Russia in 2024", book=book) == ["entries"]  # as_of
    assert answering("North Koreans in Russia in 2022", book=book) == ["report"]  # its source
    assert answering("North Koreans in Russia in 2020", book=book) == []  # no fact of 2020
    assert len(answering("North Koreans in Russia", book=book)) == 3


def test_a_stopword_typed_in_capitals_is_an_acronym() -> None:
    book = make_book(
        [
            make_fact("site", "North Korean workers said it was a building site abroad."),
            make_fact("it", "North Korean IT workers abroad earned $88 million.", source="s2"),
            make_fact("who", "The WHO counted North Korean doctors abroad.", source="s3"),
        ]
    )
    assert ids("North Korean IT workers", book=book)[0] == "it"
    assert ids("north korean it workers", book=book)[0] == "site"  # "it", a stopword, says nothing
    assert ids("WHO North Korean", book=book)[0] == "who"
    assert ids("who north korean", book=book)[0] != "who"  # "who", a stopword
    assert ids("NORTH KOREAN IT WORKERS", book=book)[0] == "site"  # a shouted query has none


def test_a_question_naming_a_place_needs_a_fact_about_it() -> None:
    book = make_book(
        [
            make_fact(
                "gsi",
                "Walk Free ranked the North Korean state first for modern slavery.",
                regions=("global",),
            ),
            make_fact(
                "gulf",
                "Some 2,500 workers were sent back from Qatar.",
                regions=("qatar",),
                source="s2",
            ),
            make_fact("camps", "Prison camps held 120,000.", regions=("north-korea",), source="s3"),
            make_fact("russia", "Russia kept 1,000 workers.", regions=("russia",), source="s4"),
        ]
    )
    # North Korea is a place the book knows; "North Korean" in the claim names it
    assert answering("modern slavery ranking North Korea", book=book) == ["gsi"]
    # Russia too, and no fact ranks Russia for modern slavery: an honest miss
    assert answering("modern slavery ranking Russia", book=book) == []
    assert answering("workers sent back from Qatar", book=book) == ["gulf"]  # its region
    assert answering("2,500 workers sent back from Russia", book=book) == []  # not the Qatar one


def test_limit_is_respected() -> None:
    assert len(INDEX.search("north korean", limit=3)) == 3
    assert INDEX.search("north korean", limit=0) == []


def test_suggestions_for_a_miss() -> None:
    assert suggest(INDEX, "russian far east loging")[0] == "Russian Far East logging"
    got = suggest(INDEX, "fa-revnue")
    assert "fa-revenue" in got and len(got) <= 3
    nothing = suggest(INDEX, "xyzzy")  # nothing close: the largest topics
    assert nothing and nothing[0] == "North Korean overseas labour" and len(nothing) <= 3


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
        INDEX.search(q)
        suggest(INDEX, q)
        complete_topics(INDEX, q, 25)
        complete_facts(INDEX, q, 25)
        INDEX.resolve_topic(q)
        assert time.perf_counter() - start < 0.5, q[:40]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_any_query_gives_bounded_consistent_results(query: str) -> None:
    hits = INDEX.search(query, limit=5)
    assert len(hits) <= 5
    longer = INDEX.search(query, limit=12)
    assert [h.fact.id for h in longer[:5]] == [h.fact.id for h in hits]  # top-k is a prefix
    assert all(0.0 <= h.coverage <= 1.0 for h in longer)
    assert 1 <= len(suggest(INDEX, query)) <= 3


def test_the_same_book_gives_the_same_ranking() -> None:
    other = SearchIndex(sample_book("other"))
    for q in ("workers", "Rusia logging", "revenue", "러시아", "how many workers in russia"):
        assert ids(q) == ids(q) == [h.fact.id for h in other.search(q)]


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
        topic = INDEX.resolve_topic(text)
        assert topic is not None and topic.id == "russia-logging", text
    found = INDEX.resolve_topic("north korean workers")
    assert found is not None and found.id == "nk-overseas-labour"
    assert INDEX.resolve_topic("bananas") is None
    assert INDEX.resolve_topic("") is None


# -- autocomplete --------------------------------------------------------------------------------
def test_autocomplete_returns_at_most_the_limit_best_first() -> None:
    topics = [
        make_topic(f"topic-{i:02d}", f"Topic {i:02d} " + "long title " * 20) for i in range(40)
    ]
    facts = [
        make_fact(f"fact-{i:02d}", "Claim " + "very long words " * 30, topics=[t.id])
        for i, t in enumerate(topics)
    ]
    index = SearchIndex(make_book(facts, topics=topics))
    for partial in ("", "topic", "long", "claim", "fact-0", "zzzz"):
        assert len(complete_topics(index, partial, 25)) <= 25
        assert len(complete_facts(index, partial, 7)) <= 7
    empty = complete_topics(index, "", 25)
    assert [v for _, v in empty] == [f"topic-{i:02d}" for i in range(25)]
    assert empty[0][0].endswith(" · 1 fact") and len(empty[0][0]) > 100  # whole: the app fits it
    assert [v for _, v in complete_facts(index, "fact-1", 25)][:3] == [
        "fact-10",
        "fact-11",
        "fact-12",
    ]


def test_complete_topics_ranks_prefix_matches_first() -> None:
    got = [v for _, v in complete_topics(INDEX, "rus", 25)]
    assert got[0] == "russia-logging"
    assert complete_topics(INDEX, "earn", 25)[0][1] == "revenue"  # an alias
    assert complete_topics(INDEX, "Rusian", 25)[0][1] == "russia-logging"  # typo
    labels = {v: label for label, v in complete_topics(INDEX, "", 25)}
    assert labels["sanctions"] == "UN sanctions · 1 fact"


def test_complete_facts_ids_then_matches_and_skips_superseded_on_empty() -> None:
    got = [v for _, v in complete_facts(INDEX, "fa-", 25)]
    assert got[:5] == [
        "fa-interviews",
        "fa-revenue",
        "fa-revenue-hard-cash",
        "fa-host-countries",
        "fa-mongolia",
    ]
    assert "ilo-2016-forced-labour" not in [v for _, v in complete_facts(INDEX, "", 25)]
    assert complete_facts(INDEX, "mongolia", 25)[0][1] == "fa-mongolia"
