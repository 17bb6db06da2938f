"""Buttons under answers end to end: each press goes through the real discord.py (a component
interaction routed to a ``DynamicItem`` by its custom id) against the local Discord.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot import answers
from bot.app import SOMETHING_WRONG, Cooldown
from bot.app._buttons import ADMIN_BUTTON, CANNOT_POST, answer_view
from tests.stand_in import EPHEMERAL, MANAGE_GUILD, SEND_MESSAGES, StandIn
from tests.stand_in.harness import BotHandle, StartBot

ALICE = "1600000000000000011"
BOB = "1600000000000000012"
NO_PING = {"parse": []}


async def test_post_in_channel_posts_the_private_answer_saying_who_asked(bot: BotHandle) -> None:
    private = await bot.interact("fact", {"query": "hard currency", "private": True}, user_id=ALICE)
    assert private.ephemeral
    assert private.labels() == ["Post in channel", "Source and quote", "Related facts"]
    posted = await bot.press(private, "Post in channel", user_id=ALICE)
    assert not posted.ephemeral and posted.callback_type == 4  # a new message in the channel
    assert posted.content == f"-# Asked by <@{ALICE}>"
    assert posted.final["allowed_mentions"] == NO_PING  # the mention shows the name, no ping
    assert posted.embeds == private.embeds  # the same answer
    assert posted.labels() == ["Source and quote", "Related facts"]  # no "Post" on a post
    assert not int(posted.message["flags"]) & EPHEMERAL


async def test_answers_keep_no_view_behind_and_their_buttons_still_work(bot: BotHandle) -> None:
    first = await bot.interact("fact", {"query": "hard currency", "private": True})
    tasks = len(asyncio.all_tasks())
    answered = [
        await bot.interact("fact", {"query": query, "private": True})
        for query in ("revenue", "Qatar", "Poland", "xyzzy lazarus")  # the last is a miss
    ]
    assert all(a.labels() for a in answered)
    assert len(asyncio.all_tasks()) <= tasks  # no 15-minute timer per private answer
    posted = await bot.press(first, "Post in channel")  # the oldest answer's buttons work
    assert not posted.ephemeral and posted.embeds == first.embeds
    assert (await bot.press(answered[-1], answered[-1].labels()[0])).ephemeral


@pytest.mark.parametrize("fmt", ["plain", "short"])
async def test_post_in_channel_keeps_the_format(bot: BotHandle, fmt: str) -> None:
    private = await bot.interact(
        "fact", {"query": "billion a year revenue", "private": True, "format": fmt}
    )
    posted = await bot.press(private, "Post in channel")
    assert not posted.ephemeral and not posted.embeds
    header, _, body = posted.content.partition("\n")
    assert header.startswith("-# Asked by <@") and body == private.content


async def test_post_in_channel_for_a_summary_and_a_search(bot: BotHandle) -> None:
    for command, options in (
        ("summary", {"topic": "nk-overseas-labour"}),
        ("search", {"query": "north korean workers"}),
    ):
        private = await bot.interact(command, {**options, "private": True})
        posted = await bot.press(private, "Post in channel")
        assert not posted.ephemeral and posted.embeds == private.embeds


async def test_post_in_channel_only_for_a_member_who_may_send_messages(bot: BotHandle) -> None:
    private = await bot.interact("fact", {"query": "hard currency", "private": True})
    refused = await bot.press(private, "Post in channel", member_perms=0)
    assert refused.ephemeral and refused.content == CANNOT_POST
    assert not bot.stand_in.channel_messages  # nothing posted anywhere


async def test_post_in_channel_counts_against_the_members_rate_limit(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, cooldown=Cooldown(1, 60.0))
    private = await handle.interact("fact", {"query": "hard currency", "private": True})
    assert not (await handle.press(private, "Post in channel")).ephemeral
    again = await handle.interact("fact", {"query": "revenue", "private": True})
    refused = await handle.press(again, "Post in channel")
    assert refused.ephemeral and "try again in" in refused.content
    assert "Private answers (private: true) are never limited" in refused.content
    lookup = await handle.press(again, "Source and quote")  # private: not limited
    assert lookup.ephemeral and lookup.embeds


async def test_source_and_quote_and_related_facts_answer_the_presser_privately(
    bot: BotHandle,
) -> None:
    public = await bot.interact("fact", {"query": "hard currency"}, user_id=ALICE)
    assert public.labels() == ["Source and quote", "Related facts"]
    source = await bot.press(public, "Source and quote", user_id=BOB)  # anyone may press
    assert source.ephemeral
    assert "Even better for the regime, the payments are in hard cash" in source.text()
    assert source.labels() == ["Post in channel", "Related facts"]
    related = await bot.press(public, "Related facts", user_id=BOB)
    assert related.ephemeral
    (embed,) = related.embeds
    assert embed["title"] == "Related facts: nk-hard-currency"
    assert "nk-revenue-estimate" in embed["description"]
    assert "`nk-hard-currency`" not in embed["description"]  # not itself
    posted = await bot.press(related, "Post in channel", user_id=BOB)
    assert not posted.ephemeral and posted.embeds[0]["title"] == embed["title"]


async def test_a_miss_offers_its_suggestions_as_buttons(bot: BotHandle) -> None:
    miss = await bot.interact("fact", {"query": "zzqx vvkp"})
    assert miss.ephemeral
    labels = miss.labels()
    assert labels and all(label in miss.text() for label in labels)
    found = await bot.press(miss, labels[0])
    assert found.ephemeral and found.embeds and "Not in the book" not in found.text()
    source_miss = await bot.interact("source", {"fact": "nk-revenue-estimat"})
    assert source_miss.labels() == ["nk-revenue-estimate"]
    source = await bot.press(source_miss, "nk-revenue-estimate")
    assert "these workers have generated" in source.text()


async def test_buttons_keep_working_after_a_restart(
    start_bot: StartBot, facts_file: Path, stand_in: StandIn
) -> None:
    first = await start_bot(facts_file)
    private = await first.interact("fact", {"query": "hard currency", "private": True})
    await first.stop()
    second = await start_bot(facts_file)  # a new process would be the same: nothing is kept
    posted = await second.press(private, "Post in channel")
    assert not posted.ephemeral and posted.embeds == private.embeds
    source = await second.press(posted, "Source and quote")
    assert source.ephemeral and "hard cash" in source.text()


async def test_a_button_for_a_fact_a_reload_removed_says_so(
    bot: BotHandle, facts_file: Path
) -> None:
    public = await bot.interact("fact", {"query": "hard currency"})
    private = await bot.interact("fact", {"query": "hard currency", "private": True})
    text = facts_file.read_text(encoding="utf-8")
    start = text.index("  - id: nk-hard-currency")
    end = text.index("  - id: nk-interviews-twenty")
    facts_file.write_text(text[:start] + text[end:], encoding="utf-8")
    assert (await bot.facts.reload("test")).changed
    for message, label in ((public, "Source and quote"), (public, "Related facts")):
        gone = await bot.press(message, label)
        assert gone.ephemeral
        assert gone.content.startswith("The fact nk-hard-currency is no longer in the book")
    gone = await bot.press(private, "Post in channel")
    assert gone.ephemeral and "no longer in the book" in gone.content
    assert not any(not r.ephemeral for r in bot.records[2:])  # nothing was posted


async def test_a_button_after_a_reload_posts_what_the_book_says_now(
    bot: BotHandle, facts_file: Path
) -> None:
    private = await bot.interact("fact", {"query": "hard currency", "private": True})
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("in hard currency", "in hard cash"), encoding="utf-8")
    assert (await bot.facts.reload("test")).changed
    posted = await bot.press(private, "Post in channel")
    assert not posted.ephemeral and "in hard cash" in posted.embeds[0]["description"]


async def test_find_sources_post_in_channel_posts_the_facts_not_the_message(
    bot: BotHandle,
) -> None:
    words = "Workers abroad earn billions a year for the government. Paid in hard currency!"
    private = await bot.find_sources(words)
    posted = await bot.press(private, "Post in channel")
    assert not posted.ephemeral
    (embed,) = posted.embeds
    assert embed["title"] == "Sources"
    assert embed["description"].startswith("[1] North Korean workers abroad were estimated")
    assert "Paid in hard currency" not in embed["description"]  # the member's words stay
    assert len(embed["fields"]) == 2 and posted.content.startswith("-# Asked by <@")


async def test_reload_now_checks_manage_server_in_the_bot(bot: BotHandle, facts_file: Path) -> None:
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("in hard currency", "in hard cash"), encoding="utf-8")
    status = await bot.interact("facts status", member_perms=MANAGE_GUILD)
    assert status.labels() == ["Reload now"]
    refused = await bot.press(status, "Reload now", member_perms=SEND_MESSAGES)
    assert refused.ephemeral and refused.content == ADMIN_BUTTON
    assert bot.facts.parses == 1  # nothing reloaded
    foreign = await bot.press(  # Manage Server in another server, factbot as a member's app
        status, "Reload now", member_perms=MANAGE_GUILD, install="user"
    )
    assert foreign.content == ADMIN_BUTTON and bot.facts.parses == 1
    done = await bot.press(status, "Reload now", member_perms=MANAGE_GUILD)
    assert done.ephemeral and done.callback_type == 5 and "nk-hard-currency" in done.content
    assert bot.facts.parses == 2


async def test_a_failing_press_gets_a_private_note_and_a_traceback(
    bot: BotHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    public = await bot.interact("fact", {"query": "hard currency"})

    def broken(*args: object, **kwargs: object) -> answers.Answer:
        raise RuntimeError("source exploded")

    monkeypatch.setattr(answers, "source_answer", broken)
    with caplog.at_level(logging.ERROR, logger="bot.app._buttons"):
        rec = await bot.press(public, "Source and quote")
    assert rec.ephemeral and rec.content == SOMETHING_WRONG
    assert "source exploded" in caplog.text
    assert (await bot.press(public, "Related facts")).embeds  # the others still work


async def test_a_button_whose_custom_id_would_not_fit_is_left_out(bot: BotHandle) -> None:
    """A custom id holds at most 100 characters: a private answer to a long query keeps its
    answer but offers no "Post in channel" (the member can ask again with private: false)."""
    short = await bot.interact("search", {"query": "north korean workers", "private": True})
    assert short.labels() == ["Post in channel"]
    long_query = "north korean workers abroad " * 4
    long = await bot.interact("search", {"query": long_query, "private": True})
    assert long.ephemeral and long.embeds and long.labels() == []
    summary = await bot.interact("summary", {"topic": "dprk workers abroad", "private": True})
    (post,) = summary.buttons
    assert post["custom_id"] == "fb:post:s:e:nk-overseas-labour"  # the topic, not the words


async def test_a_view_that_stops_leaves_the_buttons_registered(bot: BotHandle) -> None:
    """discord.py stops a private answer's view after 15 minutes and then forgets its items;
    the buttons are dynamic items registered with the client, so they keep working."""
    private = await bot.interact("fact", {"query": "hard currency", "private": True})
    answer = answers.fact_answer(bot.facts.index, "nk-hard-currency")
    view = answer_view(answer, "fact", "embed", True)
    assert view is not None
    bot.bot.add_view(view)
    view.stop()  # what the timeout does
    posted = await bot.press(private, "Post in channel")
    assert not posted.ephemeral and posted.embeds == private.embeds
