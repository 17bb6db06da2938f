"""The harness behind the Discord fixtures: a bot handle, its configuration, sample facts.

Fixtures in ``tests/conftest.py`` build on this; tests import the types and constants from here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app import Config, Cooldown

from .payloads import MEMBER_PERMS
from .records import InteractionRecord, buttons_of
from .server import StandIn

if TYPE_CHECKING:
    from bot.app import FactBot
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
        **where: Any,
    ) -> InteractionRecord:
        """Run a slash command ("fact", "facts status") and wait for its visible reply.
        ``where``: guild_id (None: a DM), channel_id, install ("user"), context.
        """
        payload = self.stand_in.interaction_payload(
            command,
            options,
            member_perms=member_perms,
            user_id=user_id,
            raw_options=raw_options,
            **where,
        )
        return await self._run(payload, timeout)

    async def _run(self, payload: dict[str, Any], timeout: float) -> InteractionRecord:
        rec = await self.stand_in.inject(payload)
        self.records.append(rec)
        return await self.stand_in.wait_reply(rec, timeout)

    async def find_sources(
        self,
        content: str,
        *,
        attachments: int = 0,
        user_id: str = "1600000000000000001",
        timeout: float = 5.0,
        **where: Any,
    ) -> InteractionRecord:
        """Run "Find sources" on a message another member posted with ``content``."""
        gid = where.get("guild_id", "home")
        target = self.stand_in.user_message(content, attachments=attachments, guild_id=gid)
        payload = self.stand_in.message_command_payload(
            "Find sources", target, user_id=user_id, **where
        )
        return await self._run(payload, timeout)

    async def press(
        self,
        message: dict[str, Any] | InteractionRecord,
        label: str,
        *,
        user_id: str = "1600000000000000001",
        member_perms: int = MEMBER_PERMS,
        timeout: float = 5.0,
        **where: Any,
    ) -> InteractionRecord:
        """Press the button labelled ``label`` (or with that custom id) on ``message`` (a
        message object, or the message a record ends with) and wait for the bot's answer.
        """
        msg = message.message if isinstance(message, InteractionRecord) else message
        buttons = buttons_of(msg)
        found = [b for b in buttons if label in (b.get("label"), b.get("custom_id"))]
        assert found, f"no button {label!r} among {[b.get('label') for b in buttons]}"
        payload = self.stand_in.press_payload(
            msg, found[0]["custom_id"], user_id=user_id, member_perms=member_perms, **where
        )
        return await self._run(payload, timeout)

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


async def _no_identify_wait(shard_id: int | None, *, initial: bool = False) -> None:
    """discord.py waits 5 s before each IDENTIFY after the first (Discord's limit on starting
    sessions): a local Discord has none, so shards connect at once."""


def bot_config(stand_in: StandIn, facts_path: Path, **overrides: Any) -> Config:
    """A Config pointing at the stand-in (cooldown and repeat window off unless given)."""
    values: dict[str, Any] = {
        "token": stand_in.token,
        "facts_path": facts_path,
        "guild_id": int(stand_in.guild_id),
        "api_base": stand_in.api_base,
        "gateway_url": stand_in.gateway_url,
        "log_level": "DEBUG",
        "cooldown": Cooldown(0, 0.0),
        "repeat_window": 0.0,
    }
    values.update(overrides)
    return Config(**values)


async def launch(
    stand_in: StandIn,
    path: Path,
    *,
    announce: bool = False,
    watch: bool = False,
    extra_commands: tuple[Any, ...] = (),
    force_sync: bool = False,
    debounce: float = 0.05,
    client_options: dict[str, Any] | None = None,
    **overrides: Any,
) -> BotHandle:
    """Start a FactBot on the facts file at ``path`` against ``stand_in``; wait for READY.

    ``announce=True`` sets ANNOUNCE_CHANNEL_ID to :data:`ANNOUNCE_CHANNEL`; ``watch=True`` runs
    the file watcher; ``client_options`` go to FactBot as keywords (``now``, ``sleep``: the digest
    timer's clock); other keywords override :class:`Config` fields. Points discord.py's
    endpoints at the stand-in (the ``start_bot`` fixture restores them).
    """
    # imported here, so that a broken bot module cannot break every other test
    from bot.app import make_bot
    from bot.live import LiveFacts

    if announce:
        overrides.setdefault("announce_channel_id", ANNOUNCE_CHANNEL)
    config = bot_config(stand_in, path, **overrides)
    config.apply_endpoints()
    facts = LiveFacts(path, debounce=debounce)
    facts.load_initial()
    client = make_bot(
        config,
        facts,
        watch=watch,
        extra_commands=extra_commands,
        force_sync=force_sync,
        guild_ready_timeout=0.05,
        **(client_options or {}),
    )
    client.before_identify_hook = _no_identify_wait  # type: ignore[method-assign]
    task = asyncio.create_task(client.start(config.token))
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        await client.close()
        if task in done:
            task.result()  # raises what stopped the bot
        raise TimeoutError("the bot did not become ready")
    return BotHandle(client, stand_in, facts, config, task)
