"""Shared fixtures: a local Discord (``stand_in``) and the real bot running in process against it.

Typical use::

    async def test_something(bot: BotHandle) -> None:          # bot on SAMPLE_FACTS
        rec = await bot.interact("fact", {"query": "revenue", "private": True})
        assert rec.ephemeral and "foreignaffairs.com" in rec.text()

    async def test_live(start_bot, tmp_path) -> None:          # bot on your own facts file
        path = tmp_path / "facts.yaml"; path.write_text(MY_YAML)
        handle = await start_bot(path, announce=True, watch=True)
        path.write_text(CHANGED_YAML)
        await handle.wait_for(lambda: handle.announce_messages, timeout=5)

``BotHandle.interact("facts status", member_perms=MANAGE_GUILD)`` sends a subcommand;
``BotHandle.autocomplete("fact", "query", "reven")`` an autocomplete request;
``BotHandle.find_sources("a message's text")`` runs the message command on a member's message;
``BotHandle.press(rec, "Post in channel")`` presses a button on the message a reply ended with.
Each returns an :class:`~tests.stand_in.records.InteractionRecord` once the reply is recorded
(``rec.message`` is the message as the API returned it, ``rec.labels()`` its buttons). Where
it happens: ``guild_id=None`` (a DM), ``guild_id=...`` (another server), ``install="user"``
(a member's own install), ``channel_id=...``. ``stand_in.add_guild(id)`` adds a server;
``start_bot(path, shard_count=2, shard_ids=(1,))`` runs shards (``stand_in.identified``,
``stand_in.routed`` say which shard got what). The stand-in fails
the test (at teardown) if the bot called any route it does not know.

Types and constants (``BotHandle``, ``StartBot``, ``SAMPLE_FACTS``, ``ANNOUNCE_CHANNEL``) come
from :mod:`tests.stand_in.harness`; ``tests.stand_in.books.synthetic_facts(n)`` writes big books.
Faults on the ``stand_in`` fixture: ``drop_connection()``, ``send_reconnect()`` (op 7),
``send_invalid_session(resumable)`` (op 9), ``callback_faults.append((429, retry_after))`` or
``((500, None))`` or ``((0, seconds))`` (a callback held that long), ``forbid_guild_sync``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so `tests.stand_in` imports however pytest was started
    sys.path.insert(0, str(ROOT))

from tests.stand_in import StandIn  # noqa: E402
from tests.stand_in.harness import (  # noqa: E402
    SAMPLE_FACTS,
    BotHandle,
    StartBot,
    launch,
)


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    """A running local Discord; the test fails if the bot hit a route it does not serve."""
    server = StandIn()
    await server.start()
    try:
        yield server
    finally:
        await server.close()
    unknown = [f"{c.method} {c.path}" for c in server.unknown]
    assert not unknown, f"the bot called routes the stand-in does not know: {unknown}"


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    """SAMPLE_FACTS written to a temporary facts.yaml."""
    path = tmp_path / "facts.yaml"
    path.write_text(SAMPLE_FACTS, encoding="utf-8")
    return path


@pytest.fixture
async def start_bot(stand_in: StandIn) -> AsyncIterator[StartBot]:
    """Factory: ``await start_bot(path, announce=False, watch=False, **config_overrides)``.

    Starts a FactBot on the facts file at ``path`` (LiveFacts, real loader), waits for READY and
    returns a :class:`BotHandle`. ``announce=True`` sets ANNOUNCE_CHANNEL_ID to
    ``ANNOUNCE_CHANNEL``; ``watch=True`` runs the file watcher; ``extra_commands`` and
    ``force_sync`` go to FactBot; other keywords override Config fields (``cooldown``, ...).
    Every bot is stopped, and discord.py's endpoints restored, at teardown.
    """
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    handles: list[BotHandle] = []

    async def start(path: Path, **kwargs: Any) -> BotHandle:
        handle = await launch(stand_in, path, **kwargs)
        handles.append(handle)
        return handle

    try:
        yield start
    finally:
        for h in handles:
            await h.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


@pytest.fixture
async def bot(start_bot: StartBot, facts_file: Path) -> BotHandle:
    """The bot running on SAMPLE_FACTS (no watcher, no announce channel, cooldown off)."""
    return await start_bot(facts_file)
