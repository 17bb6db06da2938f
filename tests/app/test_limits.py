"""Limits that fit a team: private answers never limited, public answers limited per channel
(the same answer again within the window goes privately with a link), a generous per-member
rate limit against scripts.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.answers import SearchIndex, fact_answer, summary_answer
from bot.app import Cooldown, parse_cooldown
from bot.app._channel_limits import ChannelRepeats, jump_url, repeat_key
from bot.factbook import load_bytes
from tests.stand_in import MANAGE_GUILD
from tests.stand_in.harness import SAMPLE_FACTS, BotHandle, StartBot

LINK = re.compile(
    r"This was posted in this channel <t:\d+:R>: (\S+)\nHere it is again, only for you."
)


async def test_private_answers_are_never_limited(start_bot: StartBot, facts_file: Path) -> None:
    handle = await start_bot(facts_file, cooldown=Cooldown(1, 60.0))
    for _ in range(5):
        for command, options in (("fact", {"query": "revenue"}), ("summary", {"topic": "ilo"})):
            rec = await handle.interact(command, {**options, "private": True})
            assert rec.ephemeral and rec.embeds and "try again" not in rec.content
    assert not (await handle.interact("topics")).ephemeral  # the public quota is untouched
    refused = await handle.interact("fact", {"query": "revenue"})
    assert refused.ephemeral and "try again in" in refused.content
    assert "Private answers (private: true) are never limited" in refused.content


async def test_the_default_rate_limit_is_generous(start_bot: StartBot, facts_file: Path) -> None:
    handle = await start_bot(facts_file, cooldown=parse_cooldown(None))  # the default: 30/60
    for _ in range(30):  # a burst of research, each answer public
        assert not (await handle.interact("search", {"query": "north korean workers"})).ephemeral
    assert "try again in" in (await handle.interact("topics")).content  # the 31st: a script?
    admin = await handle.interact("topics", member_perms=MANAGE_GUILD)
    assert not admin.ephemeral  # admins exempt


async def test_the_same_answer_again_in_a_channel_links_to_the_first(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, repeat_window=600.0)
    s = handle.stand_in
    first = await handle.interact("fact", {"query": "hard currency"})
    assert not first.ephemeral
    again = await handle.interact(
        "fact", {"query": "payments in hard currency"}, user_id="16" + "9" * 17
    )
    assert again.ephemeral  # the same fact: only the asker sees it again
    found = LINK.fullmatch(again.content)
    assert found, again.content
    assert (
        found[1]
        == f"https://discord.com/channels/{s.guild_id}/{s.channel_id}/{first.message['id']}"
    )
    assert again.embeds == first.embeds and again.labels() == ["Source and quote", "Related facts"]
    other_fact = await handle.interact("fact", {"query": "billion a year revenue"})
    assert not other_fact.ephemeral
    other_channel = await handle.interact(
        "fact", {"query": "hard currency"}, channel_id="1300000000000000123"
    )
    assert not other_channel.ephemeral
    summary = await handle.interact("summary", {"topic": "nk-overseas-labour"})
    same_summary = await handle.interact("summary", {"topic": "north korean workers"})
    assert not summary.ephemeral and same_summary.ephemeral  # an alias: the same facts
    assert LINK.match(same_summary.content)


async def test_post_in_channel_of_an_answer_already_there_links_to_it(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, repeat_window=600.0)
    first = await handle.interact("fact", {"query": "hard currency"})
    private = await handle.interact("fact", {"query": "hard currency", "private": True})
    assert private.labels()[0] == "Post in channel"
    pressed = await handle.press(private, "Post in channel")
    assert pressed.ephemeral and LINK.match(pressed.content)
    assert first.message["id"] in pressed.content
    assert not handle.stand_in.channel_messages


async def test_the_window_can_be_switched_off(start_bot: StartBot, facts_file: Path) -> None:
    handle = await start_bot(facts_file, repeat_window=0.0)
    for _ in range(3):
        assert not (await handle.interact("fact", {"query": "hard currency"})).ephemeral


def test_channel_repeats_expire_and_stay_bounded() -> None:
    now = [100.0]
    repeats = ChannelRepeats(60.0, clock=lambda: now[0], max_entries=3)
    repeats.remember(1, "fact:a", "https://discord.com/channels/9/1/5")
    now[0] += 59
    earlier = repeats.earlier(1, "fact:a")
    assert earlier is not None and earlier.url.endswith("/5") and earlier.age == 59
    assert repeats.earlier(2, "fact:a") is None and repeats.earlier(1, "fact:b") is None
    now[0] += 2
    assert repeats.earlier(1, "fact:a") is None and len(repeats) == 0  # expired and dropped
    for i in range(5):
        repeats.remember(1, f"fact:{i}", f"u{i}")
    assert len(repeats) == 3 and repeats.earlier(1, "fact:0") is None  # the oldest went first
    assert repeats.earlier(1, "fact:4") is not None
    off = ChannelRepeats(0.0)
    off.remember(1, "fact:a", "u")
    assert off.earlier(1, "fact:a") is None and len(off) == 0


def test_what_counts_as_the_same_answer() -> None:
    result = load_bytes(SAMPLE_FACTS.encode(), "facts.yaml")
    assert result.book is not None
    index = SearchIndex(result.book)
    by_words = repeat_key(fact_answer(index, "payments in hard currency"))
    assert by_words == repeat_key(fact_answer(index, "nk-hard-currency")) == "fact:nk-hard-currency"
    assert repeat_key(summary_answer(index, "nk-overseas-labour")) == repeat_key(
        summary_answer(index, "dprk workers abroad")
    )
    assert repeat_key(fact_answer(index, "zzqx vvkp")) is None  # a miss is never public
    assert jump_url(None, 2, 3) == "https://discord.com/channels/@me/2/3"


async def test_nothing_about_members_is_kept(bot: BotHandle, facts_file: Path) -> None:
    """The window keeps a channel, an answer and a link; no user id, and nothing on disk."""
    handle = bot
    handle.bot.services.repeats.window = 600.0
    user = "1600000000000000777"
    await handle.interact("fact", {"query": "hard currency"}, user_id=user)
    kept = repr(handle.bot.services.repeats._posts)
    assert "nk-hard-currency" in kept and user not in kept
    written = {p.name for p in facts_file.parent.iterdir()}
    assert written <= {
        "facts.yaml",
        ".factbot-sync-hash",
        "usage.sqlite",
        "usage.sqlite-wal",
        "usage.sqlite-shm",
    }
