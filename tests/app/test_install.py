"""Beyond one server: a member's own install (USER_INSTALL=on) and sharding (SHARD_COUNT,
SHARD_IDS), end to end against the local Discord.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord

from bot.app import Cooldown, ShardedFactBot
from tests.stand_in import MANAGE_GUILD, StandIn
from tests.stand_in.harness import ANNOUNCE_CHANNEL, StartBot

#: Two more servers, on shard 0 and shard 1 of 2 (the home guild is on shard 1).
GUILD_ON_0 = "1200000000004194305"
GUILD_ON_1 = "1200000000008388609"
ELSEWHERE = "1200000000000000555"  # a server where factbot is not installed
USER_APP = {"guild", "user"}


def _by_name(cmds: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in cmds}


async def test_without_user_install_everything_stays_in_the_home_server(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path
) -> None:
    await start_bot(facts_file)
    assert stand_in.command_puts == [stand_in.guild_id]
    for cmd in stand_in.commands[stand_in.guild_id]:
        assert cmd.get("integration_types") is None and cmd.get("contexts") is None


async def test_user_install_puts_three_commands_everywhere_and_admin_at_home(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path
) -> None:
    await start_bot(facts_file, user_install=True)
    assert stand_in.command_puts == [None, stand_in.guild_id]  # global, then the home guild
    anywhere = _by_name(stand_in.commands[None])
    assert set(anywhere) == {"fact", "summary", "Find sources"}
    for cmd in anywhere.values():
        assert cmd["integration_types"] == [0, 1]  # server install and user install
        assert cmd["contexts"] == [0, 1, 2]  # servers, DMs with the bot, group DMs
    home = _by_name(stand_in.commands[stand_in.guild_id])
    assert set(home) == {"search", "source", "topics", "facts"}
    assert home["facts"]["integration_types"] == [0] and home["facts"]["contexts"] == [0]


async def test_a_members_own_install_answers_in_dms_and_other_servers(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, user_install=True, cooldown=Cooldown(2, 60.0))
    dm = await handle.interact("fact", {"query": "hard currency"}, guild_id=None, install="user")
    assert dm.embeds and "hard currency" in dm.text()
    summary = await handle.interact(
        "summary", {"topic": "nk-overseas-labour", "private": True}, guild_id=None, install="user"
    )
    assert summary.ephemeral and summary.labels() == ["Post in channel"]
    posted = await handle.press(summary, "Post in channel", guild_id=None, install="user")
    assert not posted.ephemeral  # in a DM the member is part of the conversation
    found = await handle.find_sources(
        "The payments were made in hard currency.", guild_id=ELSEWHERE, install="user"
    )
    assert found.ephemeral and found.embeds[0]["title"] == "Sources for this message"
    # Manage Server in someone else's server is not Manage Server here: no exemption
    elsewhere = await handle.interact(
        "fact",
        {"query": "hard currency"},
        guild_id=ELSEWHERE,
        install="user",
        member_perms=MANAGE_GUILD,
    )
    assert elsewhere.ephemeral and "try again in" in elsewhere.content


async def test_two_shards_in_one_process(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path
) -> None:
    stand_in.add_guild(GUILD_ON_0)
    stand_in.add_guild(GUILD_ON_1)
    handle = await start_bot(facts_file, shard_count=2)
    assert isinstance(handle.bot, ShardedFactBot)
    assert isinstance(handle.bot, discord.AutoShardedClient)
    assert sorted(stand_in.identified) == [(0, 2), (1, 2)]
    assert {g.id for g in handle.bot.guilds} == {
        int(stand_in.guild_id),
        int(GUILD_ON_0),
        int(GUILD_ON_1),
    }
    for guild, shard in ((GUILD_ON_0, 0), (GUILD_ON_1, 1), (stand_in.guild_id, 1)):
        rec = await handle.interact("fact", {"query": "hard currency"}, guild_id=guild)
        assert rec.embeds and stand_in.routed[rec.id] == shard
    dm = await handle.interact("fact", {"query": "hard currency"}, guild_id=None)
    assert dm.embeds and stand_in.routed[dm.id] == 0  # DMs go to shard 0
    assert handle.bot.synced is True and stand_in.command_puts == [stand_in.guild_id]


async def test_two_processes_split_the_shards(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path
) -> None:
    """SHARD_IDS=0 in one process and SHARD_IDS=1 in another: each gets its shard's servers;
    only the process running shard 0 syncs commands and posts to the announce channel."""
    stand_in.add_guild(GUILD_ON_0)
    second = await start_bot(facts_file, shard_count=2, shard_ids=(1,), announce=True)
    assert stand_in.identified == [(1, 2)] and not stand_in.command_puts
    assert second.bot.synced is None  # not the primary: left to shard 0's process
    first = await start_bot(facts_file, shard_count=2, shard_ids=(0,), announce=True)
    assert stand_in.identified == [(1, 2), (0, 2)] and first.bot.synced is True
    assert {g.id for g in first.bot.guilds} == {int(GUILD_ON_0)}
    assert {g.id for g in second.bot.guilds} == {int(stand_in.guild_id)}
    on_0 = await first.interact("fact", {"query": "hard currency"}, guild_id=GUILD_ON_0)
    on_1 = await second.interact("fact", {"query": "hard currency"})
    assert on_0.embeds and on_1.embeds
    assert await first.bot.announce("hello", "a test") is True
    assert await second.bot.announce("hello", "a test") is False  # one announcement, not two
    assert len(stand_in.channel_messages[str(ANNOUNCE_CHANNEL)]) == 1
