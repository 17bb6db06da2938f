"""Rendering: Discord limits under adversarial content, escaping, markers, the JSON shape."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import discord
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import render
from bot.book import FactBook
from bot.compose import (
    Answer,
    fact_answer,
    search_answer,
    source_answer,
    summary_answer,
    topics_answer,
)
from tests.bookfactory import make_book, make_fact, make_source, make_topic, sample_book

BOOK = sample_book()
TODAY = dt.date(2026, 1, 1)

NASTY = "*bold* _under_ ~~strike~~ `code` ||spoiler|| > quote # head [link](https://x.y) @everyone "


def assert_embed_fits(e: dict[str, Any]) -> None:
    assert len(e.get("title", "")) <= 256
    assert len(e.get("description", "")) <= 4096
    assert len(e.get("footer", {}).get("text", "")) <= 2048
    assert len(e.get("author", {}).get("name", "")) <= 256
    fields = e.get("fields", [])
    assert len(fields) <= 25
    for f in fields:
        assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024
    total = len(e.get("title", "")) + len(e.get("description", ""))
    total += len(e.get("footer", {}).get("text", "")) + len(e.get("author", {}).get("name", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000
    # discord.py accepts it and gives the same content back.
    again = discord.Embed.from_dict(e).to_dict()
    assert again.get("description") == e.get("description")
    assert len(again.get("fields", [])) == len(fields)


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
    return [
        fact_answer(book, query, quote=True, today=TODAY),
        fact_answer(book, query),
        summary_answer(book, query, quote=True, today=TODAY),
        summary_answer(book, "t0", quote=True, today=TODAY),
        search_answer(book, query, today=TODAY),
        source_answer(book, "f1", today=TODAY),
        topics_answer(book),
        fact_answer(book, "xyzzy qqq"),
    ]


def test_every_form_fits_discord_limits_under_adversarial_content() -> None:
    book = adversarial_book()
    for answer in all_answers(book, "claim bold"):
        for text in (render.plain(answer), render.plain(answer, discord=True)):
            assert len(text) <= 2000, answer.kind
        assert_embed_fits(render.embed(answer))
        json.dumps(render.to_json(answer))


def test_long_lists_drop_whole_items_and_say_how_many() -> None:
    book = adversarial_book()
    answer = search_answer(book, "claim", limit=10)
    assert len(answer.facts) == 10
    text = render.plain(answer)
    assert re.search(r"…and \d+ more facts", text)
    shown = [f for f in answer.facts if f.id + ":" in text]
    assert shown and all(f.claim in text for f in shown)  # never cut mid-claim
    topics = render.embed(topics_answer(book))
    assert "…and" in topics["description"] or len(book.topics) * 330 < 4096


def test_summary_plain_has_numbered_sources_with_full_urls() -> None:
    answer = summary_answer(BOOK, "nk-overseas-labour")
    text = render.plain(answer)
    for n, fact in enumerate(answer.facts, start=1):
        line = next(ln for ln in text.splitlines() if ln.startswith(f"[{n}] "))
        assert BOOK.source_of(fact).url in line
    assert answer.text in text


def test_fact_answer_shows_as_of_secondhand_reporter_and_stale_marker() -> None:
    a = fact_answer(BOOK, "fa-host-countries", today=TODAY)
    text = render.plain(a)
    assert "as of 2015" in text.lower()
    assert "reported by The Freedom Fund" in text
    e = render.embed(a)
    assert "reported by The Freedom Fund" in e["description"]
    assert e["url"] == BOOK.sources["fa-2015"].url
    stale = fact_answer(BOOK, "un-2397-repatriation", today=TODAY)
    assert render.STALE in render.plain(stale).lower()
    assert render.STALE not in render.plain(fact_answer(BOOK, "un-2397-repatriation")).lower()


def test_quote_only_when_asked() -> None:
    quote = BOOK.facts["fa-interviews"].quote
    assert quote is not None
    assert quote in render.plain(fact_answer(BOOK, "fa-interviews", quote=True))
    assert quote not in render.plain(fact_answer(BOOK, "fa-interviews"))
    assert quote in render.plain(source_answer(BOOK, "fa-interviews"))


def test_superseded_answer_points_to_the_newer_fact() -> None:
    a = fact_answer(BOOK, "ilo-2016-forced-labour")
    text = render.plain(a)
    assert "Superseded by ilo-2021-forced-labour" in text
    assert BOOK.facts["ilo-2021-forced-labour"].claim in text
    fields = render.embed(a)["fields"]
    assert any(f["name"] == "Superseded by ilo-2021-forced-labour" for f in fields)


def test_miss_shows_suggestions() -> None:
    a = source_answer(BOOK, "fa-revnue")
    assert "Did you mean fa-revenue" in render.plain(a)
    assert "**fa-revenue**" in render.embed(a)["description"]
    assert "Nothing close" in render.plain(fact_answer(BOOK, "xyzzy"))


# -- escaping ------------------------------------------------------------------------------------
def test_markdown_and_mentions_in_facts_are_escaped_in_embeds() -> None:
    book = make_book(
        [make_fact("md", "Workers *were* paid_late, see `x` and @everyone.")],
        sources=[make_source("src", title="A [bracket] (title)", url="https://ex.org/a_(b)")],
    )
    e = render.embed(fact_answer(book, "md", quote=True))
    assert r"Workers \*were\* paid\_late, see \`x\` and @" + "\u200beveryone." in e["description"]
    s = render.embed(summary_answer(book, "md"))
    value = s["fields"][0]["value"]
    assert r"[A \[bracket\] (title)](https://ex.org/a_%28b%29)" in value


def test_escape_is_idempotent_and_leaves_urls_alone() -> None:
    raw = "a *b* _c_ \\*d https://ex.org/x_y_(z) <@123456789012345678>\n> quote\n# head"
    once = render.escape_markdown(raw)
    assert render.escape_markdown(once) == once
    assert "https://ex.org/x_y_(z)" in once
    assert "\n\\> quote" in once and "\n\\# head" in once
    assert "<@\u200b123456789012345678>" in once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab *_~`|>#[]()\\@-\n"), max_size=40))
def test_escape_markdown_is_idempotent(text: str) -> None:
    once = render.escape_markdown(text)
    assert render.escape_markdown(once) == once
    # No unescaped formatting character is left.
    assert not re.search(r"(?<!\\)(?:\\\\)*[*_~`|]", once.replace("\\\\", ""))


def test_plain_for_discord_escapes_and_suppresses_previews() -> None:
    a = fact_answer(BOOK, "fa-mongolia")
    text = render.plain(a, discord=True)
    assert "<https://www.foreignaffairs.com/" in text
    assert render.plain(a).count("<") == 0


def test_cut_prefers_sentence_and_line_ends() -> None:
    assert render.cut("One two three. Four five six seven.", 25) == "One two three.…"
    assert render.cut("One two. Three four five six.", 20) == "One two. Three…"  # word end
    assert render.cut("short", 10) == "short"
    assert render.cut("line one\nline two is long", 18) == "line one…"
    assert len(render.cut("x" * 50, 10)) == 10


# -- JSON ----------------------------------------------------------------------------------------
def test_json_shape_is_stable() -> None:
    a = summary_answer(BOOK, "nk-overseas-labour")
    data = render.to_json(a)
    assert list(data) == ["query", "kind", "text", "facts", "suggestions"]
    assert data["kind"] == "summary" and data["text"] == a.text
    assert [f["id"] for f in data["facts"]] == [f.id for f in a.facts]  # citation order
    for item in data["facts"]:
        assert list(item) == ["id", "claim", "as_of", "confidence", "source"]
        assert list(item["source"]) == ["id", "title", "publisher", "date", "url"]
        fact = BOOK.facts[item["id"]]
        assert item["claim"] == fact.claim and item["source"]["id"] == fact.source
    miss = render.to_json(fact_answer(BOOK, "fa-revnue zzz qqq"))
    assert miss["kind"] in ("miss", "fact")
    miss = render.to_json(source_answer(BOOK, "fa-revnue"))
    assert miss == {
        "query": "fa-revnue",
        "kind": "miss",
        "text": miss["text"],
        "facts": [],
        "suggestions": miss["suggestions"],
    }
    assert "fa-revenue" in miss["suggestions"]
    json.loads(json.dumps(data))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab *_~`|>#[]()@-:\n"), max_size=40))
def test_text_escaped_by_discord_py_is_not_escaped_twice(text: str) -> None:
    once = discord.utils.escape_markdown(text)
    assert "\\\\" not in render.escape_markdown(once)


_PIECES = [*"ab 1.\n\\*_~`|[]>#+-@<&!/:é", "everyone", "here", "12345678901234567890", "1. "]
_PIECES += ["https://x.org/a_b", "name:1>", "-# ", "> "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
@example("@everyone")
@example("</cmd:1>")
@example("<#123>")
@example("- a")
@example("+ b")
@example("* c")
@example("> q")
@example("# h")
@example("1. first")
@example("trailing \\")
@example("a_b")
@example("~d~")
@example("`e`")
@example("|f|")
@example("[g")
@example("h]")
def test_the_escaping_shortcut_changes_nothing(text: str) -> None:
    """Text the quick scan lets through unescaped is text the full escaping leaves as is."""
    assert render.escape_markdown(text) == render._escape_all(text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["https://", "http://", "ftp://", "http:/", ""]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
)
def test_a_web_url_is_http_without_whitespace(scheme: str, rest: str) -> None:
    url = scheme + rest
    want = url.startswith(("https://", "http://")) and not any(c.isspace() for c in url)
    assert render.is_web_url(url) == want
