"""Hostile queries: through the answer engine and every render form, then through the real bot.

Whatever anyone types (6,000 characters, nothing, zero-width and right-to-left characters, emoji,
mentions, markdown, code fences, control characters), every answer is built without an
exception, fits Discord's limits, and the user's text never pings or formats anything in a
form that Discord shows (``plain(discord=True)``, embeds, and the replies the bot sends).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import (
    Answer,
    SearchIndex,
    fact_answer,
    plain,
    search_answer,
    short_answer,
    source_answer,
    summary_answer,
    to_json,
)
from bot.app import discord_plain, embed_dict, escape_markdown, for_display, safe_echo
from tests.app.test_embeds import assert_embed_fits
from tests.bookfactory import sample_book
from tests.stand_in.harness import BotHandle

BOOK = SearchIndex(sample_book())
TODAY = dt.date(2026, 1, 1)
NO_PING = {"parse": []}

#: (id, text): what a member could type into a string option
HOSTILE: list[tuple[str, str]] = [
    ("6000-chars", "x" * 6000),
    ("6000-chars-of-words", "revenue workers " * 375),
    ("6000-chars-of-pings", "@everyone <@&456> " * 333),
    ("empty", ""),
    ("spaces", "   "),
    ("whitespace-mix", " \t\n\r\u00a0\u3000 "),
    ("zwsp", "\u200b"),
    ("zwj", "\u200d"),
    ("bom", "\ufeff"),
    ("zero-widths", "\u200b\u200d\ufeff\u200c"),
    ("zwsp-in-word", "reve\u200bnue"),
    ("zwj-in-word", "curr\u200dency"),
    ("bom-before-word", "\ufeffrevenue"),
    ("hebrew", "שלום עולם"),
    ("arabic", "العمال الكوريون"),
    ("rtl-override", "\u202erevenue"),
    ("rtl-override-mention", "\u202e@everyone\u202c"),
    ("bidi-isolates", "\u2066\u2067\u2068x\u2069"),
    ("emoji", "😀🔥"),
    ("emoji-zwj", "👩\u200d👩\u200d👧\u200d👦"),
    ("emoji-flags", "🇰🇵🇷🇺🇨🇳"),
    ("emoji-skin-tone", "👍🏽"),
    ("korean", "북한 노동자 해외 파견"),
    ("everyone", "@everyone"),
    ("here", "@here"),
    ("user-mention", "<@123>"),
    ("user-mention-nick", "<@!123456789012345678>"),
    ("role-mention", "<@&456>"),
    ("role-mention-snowflake", "<@&1234567890123456789>"),
    ("channel-mention", "<#789>"),
    ("command-mention", "</facts reload:1100000000000000002>"),
    ("bold", "**bold**"),
    ("underline", "__u__"),
    ("strike", "~~s~~"),
    ("spoiler", "||spoiler||"),
    ("quote", "> quote"),
    ("block-quote", ">>> quote"),
    ("heading", "# heading"),
    ("subtext", "-# small"),
    ("list", "- item\n1. item"),
    ("link", "[link](https://evil.example)"),
    ("code", "`code`"),
    ("code-fence", "```py\nprint('x')\n```"),
    ("unclosed-fence", "```"),
    ("url", "https://evil.example/path_(x)?q=*y*"),
    ("backslashes", "\\ \\\\ \\* \\_ end\\"),
    ("newlines", "first\nsecond\r\nthird\n\n"),
    ("nul", "nul\x00byte"),
    ("controls", "\x07\x08\x1b[31mred\x1b[0m\x7f\x85\x9b"),
    ("all-at-once", "@here **x** <@&456> ||y|| ```z``` \u202e\x00 😀 북한"),
]
IDS = [name for name, _ in HOSTILE]
TEXTS = [text for _, text in HOSTILE]

#: Markdown or mention text from a query that must never reach Discord as typed.
FRAGMENTS = (
    "**bold**",
    "__u__",
    "~~s~~",
    "||spoiler||",
    "`code`",
    "```",
    "[link](",
    "||y||",
    "**x**",
)
#: A live mention: @everyone, @here, <@id>, <@!id>, <@&id>, <#id>, </name:id>.
MENTION = re.compile(r"@(?:everyone|here)|<(?:@[!&]?|#)[0-9]+>|</[^<>\s\u200b][^<>]*:[0-9]+>")
#: A query line that would format if it started a line.
LINE_MARKUP = re.compile(r"^(?:> quote|>>> quote|# heading|-# small|- item|1\. item)", re.M)
#: What an echo of the query must not carry: control characters, bidi overrides and isolates.
UNSHOWABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

MESSAGE_MAX, SHORT_MAX = 2000, 280


def variants(text: str) -> list[str]:
    """The text alone, and inside a query that matches (so it is echoed in a heading)."""
    return [text, f"revenue {text}", f"{text} hard currency"]


def embed_strings(e: dict[str, Any]) -> Iterator[str]:
    for key in ("title", "description", "url"):
        if key in e:
            yield str(e[key])
    yield str(e.get("footer", {}).get("text", ""))
    yield str(e.get("author", {}).get("name", ""))
    for f in e.get("fields", []):
        yield str(f["name"])
        yield str(f["value"])


def assert_inert(shown: str, query: str) -> None:
    """Nothing from ``query`` pings or formats in text Discord shows."""
    assert not MENTION.search(shown), MENTION.search(shown)
    for fragment in FRAGMENTS:
        if fragment in query:
            assert fragment not in shown, fragment
    for line in LINE_MARKUP.findall(shown):
        assert line not in query, line


def all_answers(query: str) -> list[Answer]:
    """Every answer the engine gives for ``query``, as the commands ask for them."""
    return [
        fact_answer(BOOK, query),
        fact_answer(BOOK, query, quote=True, today=TODAY),
        summary_answer(BOOK, query, today=TODAY),
        summary_answer(BOOK, query, quote=True, today=TODAY),
        search_answer(BOOK, query, today=TODAY),
        source_answer(BOOK, query, today=TODAY),
        source_answer(BOOK, query.strip()),
    ]


def check_core(query: str) -> None:
    """Every compose function and render form for ``query``: no exception, within limits, and
    nothing from the query live in a form Discord shows."""
    for answer in all_answers(query):
        for shown_answer in (answer, for_display(answer)):
            text = plain(shown_answer)
            assert len(text) <= MESSAGE_MAX
            if answer.kind == "summary" and answer.topic is None:  # the query is the heading
                heading, paragraph = text.split("\n")[:2]
                assert heading.startswith("Summary: ") and paragraph == answer.text
            shown = discord_plain(shown_answer)
            assert len(shown) <= MESSAGE_MAX
            assert_inert(shown, query)
            e = embed_dict(shown_answer)
            assert_embed_fits(e)
            for s in embed_strings(e):
                assert_inert(s, query)
        data = to_json(answer)
        assert data["query"] == answer.query  # verbatim: scripts escape it themselves
        json.loads(json.dumps(data))
        post = short_answer(answer)
        if post is not None:
            assert len(post) <= SHORT_MAX
            assert_inert(escape_markdown(post), query)


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_every_compose_and_render_form_survives(text: str) -> None:
    for query in variants(text):
        check_core(query)


def test_a_matching_hostile_query_is_echoed_escaped_on_one_line() -> None:
    """The query is echoed in summary and search headings: escaped, on one line."""
    query = "revenue **hard currency** @everyone\n# revenue"
    summary = summary_answer(BOOK, query)
    search = search_answer(BOOK, query)
    assert summary.kind == "summary" and search.kind == "search"
    title = embed_dict(for_display(summary))["title"]
    assert title == "Summary: revenue \\*\\*hard currency\\*\\* @\u200beveryone # revenue"
    first = discord_plain(for_display(summary)).split("\n", 1)[0]
    assert first == title  # the whole query on the heading line, nothing starts a new line
    assert plain(summary).split("\n", 1)[0].endswith("@everyone # revenue")
    assert "@\u200beveryone" in embed_dict(for_display(search))["title"]


@pytest.mark.parametrize(
    ("raw", "inert"),
    [
        ("<@123>", "<@\u200b123>"),
        ("<@!123>", "<@\u200b!123>"),
        ("<@&456>", "<@\u200b&456>"),
        ("<#789>", "<#\u200b789>"),
        ("</facts reload:1>", "</\u200bfacts reload:1>"),
        ("<@123456789012345678>", "<@\u200b123456789012345678>"),
        ("@everyone @here", "@\u200beveryone @\u200bhere"),
        ("a@b.org #1 <#x> </a>", "a@b.org #1 <#x> </a>"),  # not mentions: unchanged
    ],
)
def test_mentions_of_any_id_length_are_made_inert_once(raw: str, inert: str) -> None:
    once = escape_markdown(raw)
    assert once == inert
    assert escape_markdown(once) == once
    assert escape_markdown(discord.utils.escape_markdown(raw)) == escape_markdown(
        escape_markdown(discord.utils.escape_markdown(raw))
    )


def test_echo_drops_control_characters_and_bidi_overrides() -> None:
    assert safe_echo("nul\x00byte \x1b[31mred\x7f") == "nulbyte \\[31mred"
    assert safe_echo("\u202erevenue\u202c \u2066x\u2069") == "revenue x"
    assert safe_echo("a\nb\r\nc\x85d") == "a b c d"
    kept = "👩\u200d👩\u200d👧 북한 reve\u200bnue"  # joiners and zero-width spaces stay
    assert safe_echo(kept) == kept


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["", "revenue ", "nk-overseas-labour "]))
def test_any_text_through_the_core(text: str, prefix: str) -> None:
    query = prefix + text
    for answer in all_answers(query):
        for shown_answer in (answer, for_display(answer)):
            assert len(plain(shown_answer)) <= MESSAGE_MAX
            shown = discord_plain(shown_answer)
            assert len(shown) <= MESSAGE_MAX
            assert not MENTION.search(shown)
            e = embed_dict(shown_answer)
            assert_embed_fits(e)
            assert not any(MENTION.search(s) for s in embed_strings(e))
        json.dumps(to_json(answer))
        post = short_answer(answer)
        assert post is None or len(post) <= SHORT_MAX


# -- through the real bot ------------------------------------------------------------------------
def check_reply(rec: Any, query: str) -> None:
    assert len(rec.messages) == 1, rec.messages  # exactly one reply
    body = rec.final
    assert body.get("allowed_mentions") == NO_PING
    assert len(body.get("content") or "") <= MESSAGE_MAX
    embeds = rec.embeds
    assert len(embeds) <= 1
    for e in embeds:
        assert_embed_fits(e)
    shown = rec.text()
    assert shown
    assert_inert(shown, query)
    assert not UNSHOWABLE.search(shown), repr(UNSHOWABLE.search(shown))


async def test_the_bot_answers_every_hostile_query_once_and_safely(
    bot: BotHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    asked = 0
    for text in TEXTS:
        for query in variants(text)[:2]:
            for command, option, fmt in (
                ("fact", "query", None),
                ("summary", "topic", None),
                ("search", "query", None),
                ("fact", "query", "plain"),
                ("summary", "topic", "short"),
                ("source", "fact", None),
            ):
                options: dict[str, Any] = {option: query}
                if fmt:
                    options["format"] = fmt
                rec = await bot.interact(command, options)
                check_reply(rec, query)
                asked += 1
    assert asked == len(TEXTS) * 12
    for rec in bot.records:  # no second message turned up later
        assert len(rec.messages) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_autocomplete_with_hostile_text(
    bot: BotHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    for text in TEXTS:
        for command, option in (("fact", "query"), ("summary", "topic"), ("source", "fact")):
            rec = await bot.autocomplete(command, option, text)
            choices = rec.choices
            assert len(choices) <= 25
            for c in choices:
                assert 1 <= len(c["name"]) <= 100 and 1 <= len(str(c["value"])) <= 100
    # a zero-width character inside a real word still completes it
    rec = await bot.autocomplete("source", "fact", "nk-hard-curr\u200bency")
    assert [c["value"] for c in rec.choices][:1] == ["nk-hard-currency"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
