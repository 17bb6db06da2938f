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
``BotHandle.autocomplete("fact", "query", "reven")`` an autocomplete request. Both return an
:class:`~tests.stand_in.records.InteractionRecord` once the reply is recorded. The stand-in fails
the test (at teardown) if the bot called any route it does not know.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord.gateway
import discord.http
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so `tests.stand_in` imports however pytest was started
    sys.path.insert(0, str(ROOT))

from bot.config import Config, Cooldown  # noqa: E402
from tests.stand_in import MANAGE_GUILD, InteractionRecord, StandIn  # noqa: E402

if TYPE_CHECKING:  # imported lazily below, so a broken bot module cannot break other tests
    from bot.discord_app import FactBot
    from bot.live import LiveFacts

ANNOUNCE_CHANNEL = 1300000000000000099

SAMPLE_FACTS = """\
version: 1
sources:
  fa-2015-outsourcing:
    title: "Outsourcing Oppression: Trafficked Labor from North Korea"
    publisher: Foreign Affairs
    author: Sarah E. Mendelson
    date: 2015-05-28
    url: https://www.foreignaffairs.com/articles/north-korea/2015-05-28/outsourcing-oppression
  ilo-2022-estimates:
    title: "Global Estimates of Modern Slavery: Forced Labour and Forced Marriage"
    publisher: International Labour Organization
    date: 2022-09-12
    url: https://www.ilo.org/publications/major-publications/global-estimates-modern-slavery
topics:
  nk-overseas-labour:
    title: North Korean overseas labour
    aliases: [dprk workers abroad, north korean workers]
  global-estimates:
    title: Global estimates of forced labour
    aliases: [ilo estimates]
facts:
  - id: nk-revenue-estimate
    claim: >-
      North Korean workers abroad were estimated to earn between $1.2 and $2.3 billion a year
      for their government.
    source: fa-2015-outsourcing
    topics: [nk-overseas-labour]
    quote: "these workers have generated between $1.2–$2.3 billion a year for the government"
    as_of: 2015
  - id: nk-hard-currency
    claim: The payments to the North Korean government were made in hard currency.
    source: fa-2015-outsourcing
    topics: [nk-overseas-labour]
    quote: "Even better for the regime, the payments are in hard cash"
  - id: nk-interviews-twenty
    claim: An NKDB report drew on interviews with 20 North Koreans sent abroad to earn money.
    source: fa-2015-outsourcing
    topics: [nk-overseas-labour]
    quote: "interviews with 20 North Koreans who were sent to foreign countries to earn money"
  - id: ilo-forced-labour-27-million
    claim: The ILO estimated that 27.6 million people were in forced labour on a given day in 2021.
    source: ilo-2022-estimates
    topics: [global-estimates]
    quote: "27.6 million people were in situations of forced labour on any given day in 2021"
    as_of: 2021
"""


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


@dataclass
class BotHandle:
    """A FactBot running in this event loop against ``stand_in``."""

    bot: FactBot
    stand_in: StandIn
    facts: LiveFacts
    config: Config
    task: asyncio.Task[None]
    records: list[InteractionRecord] = field(default_factory=list)

    async def interact(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        member_perms: int = 0,
        user_id: str = "1600000000000000001",
        raw_options: list[dict[str, Any]] | None = None,
        timeout: float = 5.0,
    ) -> InteractionRecord:
        """Run a slash command ("fact", "facts status") and wait for its visible reply."""
        payload = self.stand_in.interaction_payload(
            command, options, member_perms=member_perms, user_id=user_id,
            raw_options=raw_options,
        )
        rec = await self.stand_in.inject(payload)
        self.records.append(rec)
        return await self.stand_in.wait_reply(rec, timeout)

    async def autocomplete(
        self,
        command: str,
        option: str,
        value: str,
        others: dict[str, Any] | None = None,
        *,
        member_perms: int = 0,
        timeout: float = 5.0,
    ) -> InteractionRecord:
        """Ask for autocomplete choices of ``option`` while the user has typed ``value``."""
        options = {**(others or {}), option: value}
        payload = self.stand_in.interaction_payload(
            command, options, member_perms=member_perms, focused=option
        )
        rec = await self.stand_in.inject(payload)
        self.records.append(rec)
        return await self.stand_in.wait_reply(rec, timeout)

    @property
    def announce_messages(self) -> list[dict[str, Any]]:
        """Messages the bot posted to the announce channel (bodies as sent)."""
        cid = self.config.announce_channel_id
        return self.stand_in.channel_messages.get(str(cid), []) if cid else []

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy; re-checked on every stand-in event and 4x/s."""
        return await self.stand_in.wait_for(predicate, timeout)

    async def stop(self) -> None:
        await self.bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await self.task


StartBot = Callable[..., Awaitable[BotHandle]]


def bot_config(stand_in: StandIn, facts_path: Path, **overrides: Any) -> Config:
    """A Config pointing at the stand-in (cooldown off unless given)."""
    values: dict[str, Any] = {
        "token": stand_in.token,
        "facts_path": facts_path,
        "guild_id": int(stand_in.guild_id),
        "api_base": stand_in.api_base,
        "gateway_url": stand_in.gateway_url,
        "log_level": "DEBUG",
        "cooldown": Cooldown(0, 0.0),
    }
    values.update(overrides)
    return Config(**values)


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

    async def start(
        path: Path,
        *,
        announce: bool = False,
        watch: bool = False,
        extra_commands: tuple[Any, ...] = (),
        force_sync: bool = False,
        debounce: float = 0.05,
        **overrides: Any,
    ) -> BotHandle:
        from bot.discord_app import FactBot
        from bot.live import LiveFacts

        if announce:
            overrides.setdefault("announce_channel_id", ANNOUNCE_CHANNEL)
        config = bot_config(stand_in, path, **overrides)
        config.apply_endpoints()
        facts = LiveFacts(path, debounce=debounce)
        facts.load_initial()
        client = FactBot(
            config, facts, watch=watch, extra_commands=extra_commands, force_sync=force_sync,
            guild_ready_timeout=0.05,
        )
        task = asyncio.create_task(client.start(config.token))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=15,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            await client.close()
            if task in done:
                task.result()  # raises what stopped the bot
            raise TimeoutError("the bot did not become ready")
        handle = BotHandle(client, stand_in, facts, config, task)
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


__all__ = ["ANNOUNCE_CHANNEL", "MANAGE_GUILD", "SAMPLE_FACTS", "BotHandle", "StartBot"]
