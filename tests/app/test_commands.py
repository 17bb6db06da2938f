"""The public slash commands end to end: real discord.py against the local Discord."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.stand_in import StandIn
from tests.stand_in.books import synthetic_facts
from tests.stand_in.harness import BotHandle, StartBot

NO_PING = {"parse": []}
FA_URL = "https://www.foreignaffairs.com/articles/north-korea/2015-05-28/outsourcing-oppression"


def _opts(cmd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in cmd.get("options") or []}


def assert_no_pings(stand_in: StandIn) -> None:
    bodies = stand_in.all_sent_bodies()
    assert bodies
    for body in bodies:
        assert body.get("allowed_mentions") == NO_PING, body


async def test_commands_synced_to_the_guild_with_their_options(bot: BotHandle) -> None:
    s = bot.stand_in
    assert s.command_puts == [s.guild_id]  # guild sync only, never global
    cmds = {c["name"]: c for c in s.commands[s.guild_id]}
    assert set(cmds) == {"fact", "summary", "search", "source", "topics", "facts", "Find sources"}
    assert cmds["Find sources"]["type"] == 3  # a message command: right-click a message, Apps
    fact = _opts(cmds["fact"])
    assert fact["query"]["type"] == 3 and fact["query"]["required"]
    assert fact["query"]["autocomplete"] is True
    assert fact["private"]["type"] == 5 and not fact["private"].get("required")
    assert _opts(cmds["summary"])["topic"]["autocomplete"] is True
    assert not _opts(cmds["search"])["query"].get("autocomplete")
    assert _opts(cmds["source"])["fact"]["autocomplete"] is True
    assert _opts(cmds["source"])["fact"]["required"]
    assert not cmds["topics"].get("options")
    admin = cmds["facts"]
    assert str(admin["default_member_permissions"]) == str(1 << 5)  # Manage Server (a hint only)
    assert {n: o["type"] for n, o in _opts(admin).items()} == {
        "status": 1,
        "reload": 1,
        "stale": 1,
        "insights": 1,
    }


async def test_fact_is_an_embed_citing_its_source(bot: BotHandle) -> None:
    rec = await bot.interact("fact", {"query": "billion a year revenue"})
    assert not rec.ephemeral
    (embed,) = rec.embeds
    fact = bot.facts.book.facts["nk-revenue-estimate"]
    src = bot.facts.book.source_of(fact)
    assert embed["url"] == src.url == FA_URL
    assert "1.2" in embed["description"] and "2.3 billion" in embed["description"]
    assert "Foreign Affairs" in rec.text() and src.url in rec.text()
    assert rec.final["allowed_mentions"] == NO_PING


async def test_private_answers_are_ephemeral(bot: BotHandle) -> None:
    rec = await bot.interact("fact", {"query": "hard currency", "private": True})
    assert rec.ephemeral and rec.embeds
    rec = await bot.interact("summary", {"topic": "nk-overseas-labour", "private": True})
    assert rec.ephemeral
    rec = await bot.interact("search", {"query": "forced labour", "private": True})
    assert rec.ephemeral


async def test_a_miss_is_ephemeral_with_suggestions(bot: BotHandle) -> None:
    rec = await bot.interact("fact", {"query": "zzqx vvkp"})
    assert rec.ephemeral
    assert "Not in the book" in rec.text() and "Try " in rec.text()
    rec = await bot.interact("summary", {"topic": "north koren overseas labor"})
    assert rec.embeds and rec.final["allowed_mentions"] == NO_PING
    miss = await bot.interact("source", {"fact": "nk-revenue-estimat"})
    assert miss.ephemeral and "nk-revenue-estimate" in miss.text()  # did you mean


async def test_summary_cites_every_fact(bot: BotHandle) -> None:
    rec = await bot.interact("summary", {"topic": "nk-overseas-labour"})
    assert not rec.ephemeral
    (embed,) = rec.embeds
    assert re.search(r"\\?\[1\\?\]", embed["description"])  # [1], escaped for markdown
    assert any(FA_URL in f["value"] for f in embed.get("fields", []))


async def test_search_lists_fact_ids(bot: BotHandle) -> None:
    rec = await bot.interact("search", {"query": "north korean workers"})
    text = rec.text()
    assert "nk-revenue-estimate" in text or "nk-interviews-twenty" in text
    assert len(rec.embeds[0]["description"]) <= 4096


async def test_source_shows_citation_and_quote(bot: BotHandle) -> None:
    rec = await bot.interact("source", {"fact": "ilo-forced-labour-27-million"})
    assert not rec.ephemeral
    text = rec.text()
    assert "International Labour Organization" in text
    assert "situations of forced labour" in text  # the quote
    assert "https://www.ilo.org/" in text


async def test_topics_lists_titles_and_counts(bot: BotHandle) -> None:
    rec = await bot.interact("topics")
    text = rec.text()
    assert "North Korean overseas labour" in text and "3" in text
    assert "Global estimates of forced labour" in text


async def test_echoed_user_text_cannot_ping_or_format(bot: BotHandle) -> None:
    hostile = "@everyone **revenue** <@&1234567890123456789> `x` ||spoiler|| @here"
    for cmd, opt in (("search", "query"), ("summary", "topic"), ("fact", "query")):
        rec = await bot.interact(cmd, {opt: hostile})
        text = rec.text()
        assert "@everyone" not in text and "@here" not in text
        assert "<@&1234567890123456789>" not in text
        assert "**revenue**" not in text and "||spoiler||" not in text
    assert_no_pings(bot.stand_in)


async def test_very_long_query_stays_within_limits(bot: BotHandle) -> None:
    rec = await bot.interact("search", {"query": "labour " * 850})
    (embed,) = rec.embeds
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096


async def test_autocomplete_within_discord_limits(start_bot: StartBot, tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(synthetic_facts(300, n_topics=40), encoding="utf-8")
    handle = await start_bot(path)
    for command, option, typed in (
        ("fact", "query", ""),
        ("fact", "query", "wages"),
        ("summary", "topic", ""),
        ("summary", "topic", "topic"),
        ("source", "fact", "fact-00"),
        ("fact", "query", "x" * 300),
    ):
        rec = await handle.autocomplete(command, option, typed)
        choices = rec.choices
        assert len(choices) <= 25
        for c in choices:
            assert 1 <= len(c["name"]) <= 100 and 1 <= len(str(c["value"])) <= 100
    rec = await handle.autocomplete("source", "fact", "fact-0001")
    assert any(c["value"].startswith("fact-0001") for c in rec.choices)


async def test_autocomplete_value_is_validated_not_trusted(bot: BotHandle) -> None:
    rec = await bot.interact("source", {"fact": "<script>@everyone"})
    assert rec.ephemeral and "@everyone" not in rec.text()


async def test_the_same_question_gets_the_same_answer_until_the_book_changes(
    bot: BotHandle, facts_file: Path
) -> None:
    first = await bot.interact("summary", {"topic": "nk-overseas-labour"})
    again = await bot.interact("summary", {"topic": "  nk-overseas-labour "})
    assert again.embeds == first.embeds
    private = await bot.interact("summary", {"topic": "nk-overseas-labour", "private": True})
    assert private.ephemeral and private.embeds == first.embeds  # shown only to the asker
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("in hard currency", "in hard cash"), encoding="utf-8")
    assert (await bot.facts.reload("test")).changed
    fresh = await bot.interact("summary", {"topic": "nk-overseas-labour"})
    assert "hard cash" in fresh.embeds[0]["description"]
