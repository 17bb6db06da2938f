"""Short share form: at most 280 characters counting the URL in full, claims verbatim, never cut."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import (
    SHORT_LIMIT,
    SearchIndex,
    fact_answer,
    search_answer,
    short_answer,
    summary_answer,
    topics_answer,
)

# the module's own helpers, as the oracle of the property test below
from bot.answers._share import attributions, compose_short, ranked_facts
from bot.factbook import Fact, FactBook, Source, Topic


def short_fact(index: SearchIndex, query: str) -> str | None:
    return short_answer(fact_answer(index, query))


def short_summary(index: SearchIndex, query: str) -> str | None:
    return short_answer(summary_answer(index, query))


LONG_URL = "https://www.example.org/reports/2017/panel-of-experts/final-report-" + "x" * 60
SHORT_URL = "https://ex.org/a"


def _src(sid: str, url: str, publisher: str = "UN Panel", date: str = "2017-03") -> Source:
    return Source(id=sid, title="Report", publisher=publisher, date=date, url=url)


def _fact(fid: str, claim: str, source: str = "short", **kw: object) -> Fact:
    return Fact(id=fid, claim=claim, source=source, topics=("labour",), **kw)  # type: ignore[arg-type]


def _book(*facts: Fact) -> FactBook:
    sources = {
        "short": _src("short", SHORT_URL, "Foreign Affairs", "2015"),
        "long": _src("long", LONG_URL),
        "afp": _src("afp", "https://ex.org/afp", "AFP", "2019"),
    }
    return FactBook(
        facts={f.id: f for f in facts},
        sources=sources,
        topics={"labour": Topic(id="labour", title="Overseas labour", aliases=("workers",))},
        version="v",
    )


def _verbatim_parts(book: FactBook, text: str) -> list[Fact]:
    """Split a short answer back into its facts; fails unless it is claims + attribution + URL."""
    url = text.rsplit(" ", 1)[1]
    [source] = [s for s in book.sources.values() if s.url == url]
    body = text[: -len(url) - 1]
    candidates = [f for f in book if f.source == source.id and f.superseded_by is None]
    for attribution in {a for f in candidates for a in attributions(book, f)}:
        if attribution and body.endswith(" " + attribution):
            body = body[: -len(attribution) - 1]
            break
    used: list[Fact] = []
    while body:
        fact = next(
            (f for f in candidates if body == f.claim or body.startswith(f.claim + " ")), None
        )
        assert fact is not None, f"not verbatim claims: {body!r}"
        used.append(fact)
        body = body[len(fact.claim) + 1 :]
    return used


def test_short_fact_is_claim_attribution_and_full_url() -> None:
    book = _book(_fact("w", "About 50,000 North Korean workers were abroad in 2015."))
    text = short_fact(SearchIndex(book), "workers abroad")
    assert text == (
        "About 50,000 North Korean workers were abroad in 2015. (Foreign Affairs, 2015) "
        + SHORT_URL
    )


def test_long_url_counts_in_full_and_attribution_goes_first() -> None:
    room = SHORT_LIMIT - len(LONG_URL) - 1  # the claim alone just fits
    claim = ("Workers " + "w" * room)[: room - 1] + "."
    book = _book(_fact("w", claim, source="long"))
    text = short_fact(SearchIndex(book), "workers")
    assert text == f"{claim} {LONG_URL}"
    assert len(text) == SHORT_LIMIT


def test_a_claim_that_does_not_fit_is_skipped_never_cut() -> None:
    long_claim = "Workers abroad sent money home to the state. " * 6
    book = _book(
        _fact("long", long_claim.strip(), source="long"),
        _fact("ok", "Workers abroad numbered about 50,000.", source="short"),
    )
    assert len(long_claim) + len(LONG_URL) > SHORT_LIMIT
    text = short_fact(SearchIndex(book), "workers abroad")
    assert text is not None and text.startswith("Workers abroad numbered about 50,000.")
    assert [f.id for f in _verbatim_parts(book, text)] == ["ok"]


def test_none_when_nothing_fits_or_nothing_matches() -> None:
    book = _book(_fact("long", "Workers abroad. " * 20, source="long"))
    assert short_fact(SearchIndex(book), "workers") is None
    assert short_summary(SearchIndex(book), "workers") is None
    assert short_fact(SearchIndex(_book(_fact("w", "Workers abroad."))), "zzzz qqqq") is None


def test_superseded_is_never_chosen_even_by_id() -> None:
    book = _book(
        _fact(
            "old-count",
            "Workers abroad numbered 100,000 by an old count.",
            superseded_by="new-count",
        ),
        _fact("new-count", "Workers abroad numbered 50,000 by a newer count."),
    )
    assert short_fact(SearchIndex(book), "old-count") == (
        "Workers abroad numbered 50,000 by a newer count. (Foreign Affairs, 2015) " + SHORT_URL
    )
    for query in ("100,000 old count", "workers", "old-count"):
        for text in (short_fact(SearchIndex(book), query), short_summary(SearchIndex(book), query)):
            assert text is None or "100,000" not in text
    only_old = _book(_fact("old", "Workers numbered 100,000.", superseded_by="gone"))
    assert short_fact(SearchIndex(only_old), "workers") is None
    assert short_fact(SearchIndex(only_old), "old") is None


def test_superseded_chain_is_followed_and_a_loop_gives_nothing() -> None:
    book = _book(
        _fact("a", "Alpha count.", superseded_by="b"),
        _fact("b", "Beta count.", superseded_by="c"),
        _fact("c", "Gamma count."),
        _fact("x", "Xenon tally.", superseded_by="y"),
        _fact("y", "Yttrium tally.", superseded_by="x"),
    )
    assert short_fact(SearchIndex(book), "a") == "Gamma count. (Foreign Affairs, 2015) " + SHORT_URL
    assert short_fact(SearchIndex(book), "x") is None
    assert short_fact(SearchIndex(book), "tally") is None


def test_summary_prefers_verified_facts_first() -> None:
    book = _book(
        _fact(
            "rumour",
            "Workers abroad were paid nothing at all.",
            source="afp",
            confidence="secondhand",
        ),
        _fact("count", "Workers abroad numbered about 50,000."),
    )
    text = short_summary(SearchIndex(book), "Overseas labour")
    assert text is not None and text.startswith("Workers abroad numbered about 50,000.")
    assert "paid nothing" not in text  # another source: not in the same post


def test_short_answer_of_lists_and_misses_is_none() -> None:
    book = _book(_fact("a", "Workers abroad numbered about 50,000."))
    assert short_answer(topics_answer(SearchIndex(book))) is None
    assert short_answer(search_answer(SearchIndex(book), "zzzz qqqq")) is None
    listed = short_answer(search_answer(SearchIndex(book), "workers"))
    assert listed is not None and listed.startswith("Workers abroad numbered about 50,000.")


def test_secondhand_always_says_who_reported_it() -> None:
    claim = "Workers abroad earned $120 a month."
    book = _book(
        _fact(
            "s",
            claim,
            source="afp",
            confidence="secondhand",
            reported_by="AFP, citing the UN Special Rapporteur",
        ),
    )
    text = short_fact(SearchIndex(book), "workers")
    assert text == f"{claim} (reported by AFP, citing the UN Special Rapporteur) https://ex.org/afp"
    # When the attribution does not fit, the secondhand fact is not used at all.
    room = SHORT_LIMIT - len("https://ex.org/afp") - 1
    tight = _book(
        _fact(
            "s", ("Workers " + "w" * room)[: room - 1] + ".", source="afp", confidence="secondhand"
        ),
    )
    assert short_fact(SearchIndex(tight), "workers") is None


def _fill(prefix: str, suffix: str, size: int) -> str:
    """A claim of exactly ``size`` characters: prefix, padding words, suffix."""
    pad = size - len(prefix) - len(suffix)
    return prefix + ("w" * pad) + suffix


def test_secondhand_falls_back_to_the_linked_publisher_then_to_the_claims_own_credit() -> None:
    url = "https://ex.org/afp"
    long_credit = "AFP via The Himalayan Times, citing the UN Special Rapporteur"
    # Room for the publisher's credit but not for reported_by.
    size = SHORT_LIMIT - len(url) - len(" (reported by AFP) ") - 2
    claim = _fill("Workers ", ".", size)
    book = _book(_fact("s", claim, source="afp", confidence="secondhand", reported_by=long_credit))
    assert short_fact(SearchIndex(book), "workers") == f"{claim} (reported by AFP) {url}"
    # A claim that names its reporter may go without the credit when that is what fits.
    named = _fill("Workers ", ", AFP reported.", SHORT_LIMIT - len(url) - 1)
    book = _book(_fact("s", named, source="afp", confidence="secondhand", reported_by=long_credit))
    assert short_fact(SearchIndex(book), "workers") == f"{named} {url}"
    # ... but not a claim that does not ("AFPX" is not "AFP").
    unnamed = _fill("Workers ", ", AFPX said.", SHORT_LIMIT - len(url) - 1)
    book = _book(_fact("s", unnamed, source="afp", confidence="secondhand"))
    assert short_fact(SearchIndex(book), "workers") is None


def test_summary_adds_same_source_claims_while_they_fit() -> None:
    book = _book(
        _fact("a", "Workers abroad numbered about 50,000."),
        _fact("b", "Workers abroad sent most wages to the state."),
        _fact("c", "Workers abroad worked 12 to 16 hours a day.", source="afp"),
        _fact("d", "Workers abroad " + "lived in camps, " * 12 + "far from home."),
    )
    summary = short_summary(SearchIndex(book), "workers abroad")
    assert summary is not None and len(summary) <= SHORT_LIMIT
    used = [f.id for f in _verbatim_parts(book, summary)]
    assert used[:2] == ["a", "b"] and "c" not in used and "d" not in used
    single = short_fact(SearchIndex(book), "workers abroad")
    assert single is not None and [f.id for f in _verbatim_parts(book, single)] == ["a"]


def test_summary_runs_claims_together_only_after_a_full_sentence() -> None:
    book = _book(
        _fact("a", "Workers abroad numbered about 50,000 by one count"),
        _fact("b", "Workers abroad sent most wages to the state."),
    )
    summary = short_summary(SearchIndex(book), "workers abroad")
    assert summary is not None
    assert [f.id for f in _verbatim_parts(book, summary)] == ["a"]


@settings(max_examples=80, deadline=None)
@given(
    lengths=st.lists(st.integers(5, 300), min_size=1, max_size=8),
    sources=st.lists(st.sampled_from(["short", "long", "afp"]), min_size=8, max_size=8),
    secondhand=st.lists(st.booleans(), min_size=8, max_size=8),
    summary=st.booleans(),
)
def test_any_answer_fits_and_is_verbatim(
    lengths: list[int], sources: list[str], secondhand: list[bool], summary: bool
) -> None:
    facts = [
        _fact(
            f"f{i}",
            f"Workers abroad {i}" + ("ab " * n)[:n].rstrip() + ".",
            source=sources[i],
            confidence="secondhand" if secondhand[i] else "verified",
        )
        for i, n in enumerate(lengths)
    ]
    book = _book(*facts)
    text = (short_summary if summary else short_fact)(SearchIndex(book), "workers")
    # The engine's pick for a fact answer comes first (it may prefer a verified fact), then hits.
    answer = fact_answer(SearchIndex(book), "workers")
    ranked = [*answer.facts[:1], *ranked_facts(answer)]
    fitting = [f for f in ranked if compose_short(book, [f]) is not None]
    if text is None:
        assert fitting == []
        return
    assert len(text) <= SHORT_LIMIT
    used = _verbatim_parts(book, text)
    assert used and len({f.source for f in used}) == 1
    if not summary:
        assert used[0] == fitting[0]  # the best-ranked fact that fits comes first
    elif any(
        not f.secondhand and f in fitting
        for f in summary_answer(SearchIndex(book), "workers").facts
    ):
        assert not used[0].secondhand  # a summary leads with a verified fact when one fits
    if any(f.secondhand for f in used):
        assert "(reported by " in text
