"""Answers as Discord embeds and Discord-safe text: every embed limit under adversarial content,
escaping of Markdown and mentions, links and previews."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import SearchIndex, fact_answer, plain, source_answer, summary_answer
from bot.app import discord_plain, embed_dict, escape_markdown, is_web_url
from tests.answers.test_render import adversarial_book, all_answers
from tests.bookfactory import make_book, make_fact, make_source, sample_book

BOOK = sample_book()
INDEX = SearchIndex(BOOK)
TODAY = dt.date(2026, 1, 1)


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


def test_every_form_fits_discord_limits_under_adversarial_content() -> None:
    for answer in all_answers(adversarial_book(), "claim bold"):
        assert len(discord_plain(answer)) <= 2000, answer.kind
        assert_embed_fits(embed_dict(answer))


def test_a_fact_embed_links_its_source_and_says_who_reported_it() -> None:
    e = embed_dict(fact_answer(INDEX, "fa-host-countries", today=TODAY))
    assert "reported by The Freedom Fund" in e["description"]
    assert e["url"] == BOOK.sources["fa-2015"].url
    fields = embed_dict(fact_answer(INDEX, "ilo-2016-forced-labour"))["fields"]
    assert any(f["name"] == "Superseded by ilo-2021-forced-labour" for f in fields)
    assert "**fa-revenue**" in embed_dict(source_answer(INDEX, "fa-revnue"))["description"]


def test_markdown_and_mentions_in_facts_are_escaped_in_embeds() -> None:
    book = make_book(
        [make_fact("md", "Workers *were* paid_late, see `x` and @everyone.")],
        sources=[make_source("src", title="A [bracket] (title)", url="https://ex.org/a_(b)")],
    )
    e = embed_dict(fact_answer(SearchIndex(book), "md", quote=True))
    assert r"Workers \*were\* paid\_late, see \`x\` and @" + "\u200beveryone." in e["description"]
    s = embed_dict(summary_answer(SearchIndex(book), "md"))
    value = s["fields"][0]["value"]
    assert r"[A \[bracket\] (title)](https://ex.org/a_%28b%29)" in value


def test_escape_is_idempotent_and_leaves_urls_alone() -> None:
    raw = "a *b* _c_ \\*d https://ex.org/x_y_(z) <@123456789012345678>\n> quote\n# head"
    once = escape_markdown(raw)
    assert escape_markdown(once) == once
    assert "https://ex.org/x_y_(z)" in once
    assert "\n\\> quote" in once and "\n\\# head" in once
    assert "<@\u200b123456789012345678>" in once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab *_~`|>#[]()\\@-\n"), max_size=40))
def test_escape_markdown_is_idempotent(text: str) -> None:
    once = escape_markdown(text)
    assert escape_markdown(once) == once
    # No unescaped formatting character is left.
    assert not re.search(r"(?<!\\)(?:\\\\)*[*_~`|]", once.replace("\\\\", ""))


def test_plain_for_discord_escapes_and_suppresses_previews() -> None:
    a = fact_answer(INDEX, "fa-mongolia")
    text = discord_plain(a)
    assert "<https://www.foreignaffairs.com/" in text
    assert plain(a).count("<") == 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab *_~`|>#[]()@-:\n"), max_size=40))
def test_text_escaped_by_discord_py_is_not_escaped_twice(text: str) -> None:
    once = discord.utils.escape_markdown(text)
    assert "\\\\" not in escape_markdown(once)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["https://", "http://", "ftp://", "http:/", ""]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
)
def test_a_web_url_is_http_without_whitespace(scheme: str, rest: str) -> None:
    url = scheme + rest
    want = url.startswith(("https://", "http://")) and not any(c.isspace() for c in url)
    assert is_web_url(url) == want
