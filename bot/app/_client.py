"""The Discord client: intents, command tree, error handling, command sync, fact-file reports.

Thin by design: commands live in ``_public`` / ``_admin`` / ``_find_sources``, the buttons
under answers in ``_buttons`` (registered here as dynamic items, so they work on any message
after any restart), where each command is synced in ``_install``; this module wires them to a
:class:`discord.Client` (:class:`ShardedFactBot`, an :class:`discord.AutoShardedClient`, when
``SHARD_COUNT`` is set: only the process running shard 0 syncs, announces and posts digests),
decides when to sync (a hash of the command payload beside facts.yaml), answers every failed
interaction with a private note (one ``on_error``), runs the fact-file watcher and forwards its
reports to ``ANNOUNCE_CHANNEL_ID``, and posts the digest of newly stale facts there every
``STALE_DIGEST_DAYS`` (see :meth:`FactBot.digest_loop`). It also runs the usage-statistics
writer (``usage-writer``), whose last batch ``close`` writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.app._admin import admin_group
from bot.app._buttons import BUTTONS, answer_view
from bot.app._channel_limits import ChannelRepeats
from bot.app._checks import (
    BadOptions,
    CooldownBuckets,
    options_match,
    payload_well_formed,
)
from bot.app._config import Config
from bot.app._errors import SOMETHING_WRONG, error_message
from bot.app._find_sources import find_sources_command
from bot.app._install import AnyCommand, place_commands, user_install_url
from bot.app._public import public_commands
from bot.app._replies import NO_PINGS, Services, send
from bot.app._reports import announcement, digest_text
from bot.app._usage import digest_questions, removed_asked
from bot.curation import DigestSchedule
from bot.live import LiveFacts, ReloadReport
from bot.usage import UsageRecorder

log = logging.getLogger(__name__)

#: View Channels + Send Messages: only for ANNOUNCE_CHANNEL_ID (replies to slash commands
#: need no channel permission)
BOT_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True)
#: The digest timer wakes at least this often to re-read the wall clock (a suspended machine or
#: a changed clock then delays a digest by at most this long).
DIGEST_TICK = 3600.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _command_name(interaction: discord.Interaction[discord.Client]) -> str:
    """The invoked command's name for logs, even when the payload is too broken to resolve."""
    try:
        return interaction.command.qualified_name if interaction.command else "?"
    except Exception:
        data = interaction.data
        return str(data.get("name", "?")) if isinstance(data, dict) else "?"


class FactTree(app_commands.CommandTree[discord.Client]):
    """A command tree whose every failure ends in a reply (never an unanswered interaction)."""

    async def interaction_check(self, interaction: discord.Interaction[discord.Client]) -> bool:
        """Refuse, with a note, options of a shape Discord never sends (discord.py would trip
        over them before any command check could run).
        """
        if interaction.type in (
            discord.InteractionType.application_command,
            discord.InteractionType.autocomplete,
        ) and not payload_well_formed(interaction.data):
            await self.on_error(interaction, BadOptions("malformed payload"))
            return False
        return True

    async def on_error(
        self,
        interaction: discord.Interaction[discord.Client],
        error: app_commands.AppCommandError,
    ) -> None:
        note = error_message(error)
        name = _command_name(interaction)
        if note is None:
            log.error("command /%s failed", name, exc_info=error)
            note = SOMETHING_WRONG
        else:
            log.info("command /%s refused: %s", name, error.__class__.__name__)
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                if not interaction.response.is_done():
                    await interaction.response.autocomplete([])
                return
            await send(interaction, note, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not send the error note for /%s: %s", name, exc.status)
        except (aiohttp.ClientError, OSError) as exc:  # Discord unreachable or timed out
            log.warning("could not send the error note for /%s: %s", name, type(exc).__name__)


def command_hash(payload: list[dict[str, Any]], target: str) -> str:
    """Stable hash of the command payload Discord would receive, plus where it goes."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{target}\n{text}".encode()).hexdigest()


class FactBot(discord.Client):
    """factbot's client; ``facts`` holds the book in service and reloads it."""

    def __init__(
        self,
        config: Config,
        facts: LiveFacts,
        *,
        force_sync: bool = False,
        watch: bool = True,
        handle_signals: bool = False,
        extra_commands: Iterable[app_commands.Command[Any, ..., Any]] = (),
        guild_ready_timeout: float = 2.0,
        now: Callable[[], dt.datetime] = utc_now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``now`` and ``sleep`` are the digest timer's clock (a test passes a fake one)."""
        # factbot never joins voice: skip discord.py's start-up warnings about voice libraries
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True
        shards: dict[str, Any] = {}
        if isinstance(self, discord.AutoShardedClient):
            ids = config.shard_ids
            shards = {"shard_count": config.shard_count, "shard_ids": list(ids) if ids else None}
        super().__init__(
            intents=intents,
            allowed_mentions=NO_PINGS,
            guild_ready_timeout=guild_ready_timeout,
            **shards,
        )
        self.config = config
        self.facts = facts
        self.force_sync = force_sync
        self.synced: bool | None = None  # None until setup decided; False when skipped
        self._watch = watch
        self.now = now
        self.sleep = sleep
        self.digest = DigestSchedule.for_channel(
            config.announce_channel_id, config.stale_digest_days
        )
        self._handle_signals = handle_signals
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Task[None] | None = None
        #: Usage statistics (off when STATS=off): counted in memory, written by ``usage-writer``.
        self.usage = UsageRecorder(
            config.usage_path,
            retention_days=config.stats_retention_days,
            clock=time.time if now is utc_now else lambda: now().timestamp(),
        )
        self.services = Services(
            usage=self.usage,
            facts=facts,
            cooldowns=CooldownBuckets(config.cooldown),
            on_report=self.on_report,
            digest=self.digest,
            repeats=ChannelRepeats(config.repeat_window),
            view_for=answer_view,
        )
        self.tree = FactTree(self)
        self.target = discord.Object(config.guild_id) if config.guild_id else None
        commands: list[AnyCommand] = [
            *public_commands(self.services),
            find_sources_command(self.services),
            admin_group(self.services),
            *extra_commands,
        ]
        #: Where each command is synced (None: global); see ``_install``.
        self.scopes = place_commands(commands, home=self.target, user_install=config.user_install)
        for scope, placed in self.scopes.items():
            for cmd in placed:
                self.tree.add_command(cmd, guild=scope)
            for leaf in self.tree.walk_commands(guild=scope):
                if isinstance(leaf, app_commands.Command):
                    leaf.add_check(options_match)
        self.add_dynamic_items(*BUTTONS)  # buttons work on any message, after any restart

    # -- start-up ------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        if self.usage.enabled:
            self._spawn(self.usage.run(), "usage-writer")
        if self.config.primary or self.force_sync:
            await self.sync_commands(force=self.force_sync)
        else:
            log.info("shards %s: the process running shard 0 syncs commands", self.config.shards)
        if self._watch:
            self._spawn(self.facts.watch(self.on_report), "facts-watch")
        if self.digest.enabled and self.config.primary:
            self._spawn(self.digest_loop(), "stale-digest")
        if self._handle_signals:
            self._add_signal_handlers()

    def _add_signal_handlers(self) -> None:
        """SIGHUP reloads the facts file; SIGTERM closes cleanly (where the platform has them)."""
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            self.loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
        with contextlib.suppress(NotImplementedError, RuntimeError):
            self.loop.add_signal_handler(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self) -> None:
        log.info("SIGTERM: closing")
        self._closing = asyncio.create_task(self.close(), name="close")

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s stopped", task.get_name(), exc_info=task.exception())

    def _on_sighup(self) -> None:
        log.info("SIGHUP: reloading the facts file")
        self._spawn(self._reload_and_report("SIGHUP"), "facts-sighup")

    async def _reload_and_report(self, reason: str) -> None:
        await self.on_report(await self.facts.reload(reason))

    def command_payload(self) -> list[dict[str, Any]]:
        """What Discord receives: every scope's commands, in order."""
        return [c.to_dict(self.tree) for s in self.scopes for c in self.tree.get_commands(guild=s)]

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync the command tree unless its hash matches the last sync; True when synced."""
        where = ",".join(str(s.id) if s else "global" for s in self.scopes)
        target = f"app={self.application_id};guild={self.config.guild_id or 'global'}"
        if self.config.user_install:
            target += f";scopes={where}"
        digest = command_hash(self.command_payload(), target)
        path = self.config.sync_hash_path
        try:
            previous = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            previous = ""
        if not force and previous == digest:
            log.info("commands unchanged since the last sync: not syncing")
            self.synced = False
            return False
        for scope in self.scopes:
            synced = await self.tree.sync(guild=scope)
            to = f"guild {scope.id}" if scope is not None else "all servers (global)"
            log.info("synced %d commands to %s", len(synced), to)
        try:
            path.write_text(digest + "\n", encoding="ascii")
        except OSError as exc:
            log.warning("could not store the command hash in %s: %s", path, exc.strerror)
        self.synced = True
        return True

    def invite_url(self) -> str:
        """The link a server admin opens to add the bot (announcements need these permissions)."""
        return discord.utils.oauth_url(
            self.application_id or 0,
            permissions=BOT_PERMISSIONS,
            scopes=("bot", "applications.commands"),
            guild=self.target or discord.utils.MISSING,
        )

    async def on_ready(self) -> None:
        log.info("ready: connected as %s in %d server(s)", self.user, len(self.guilds))
        gid = self.config.guild_id
        if gid is not None and self.get_guild(gid) is None:
            log.warning(
                "the bot is not in DISCORD_GUILD_ID %s: invite it with %s", gid, self.invite_url()
            )
        elif not self.guilds:
            log.warning("the bot is in no server yet: invite it with %s", self.invite_url())
        if self.config.user_install:
            link = user_install_url(self.application_id or 0)
            log.info("user install on: members add factbot to their apps with %s", link)

    # -- reports ---------------------------------------------------------------------------------
    async def on_report(self, report: ReloadReport) -> None:
        """Post a reload report to the announce channel when LiveFacts says it is news (a new
        version, a newly broken file, a recovery; not a repeat).
        """
        if report.should_announce:  # LiveFacts logs the report itself
            asked = await removed_asked(self.usage, report)
            await self.announce(announcement(report, asked), "the reload")

    async def announce(self, text: str, what: str) -> bool:
        """Post ``text`` to ANNOUNCE_CHANNEL_ID (never pinging); False when there is none or
        Discord refused or could not be reached (logged).
        """
        channel_id = self.config.announce_channel_id
        if channel_id is None or not self.config.primary:
            return False
        log.debug("announcing %s in channel %s", what, channel_id)
        try:
            await self.get_partial_messageable(channel_id).send(text, allowed_mentions=NO_PINGS)
            return True
        except discord.HTTPException as exc:
            log.warning("could not announce in channel %s: %s", channel_id, exc.status)
        except (aiohttp.ClientError, OSError) as exc:  # Discord unreachable: the log has it
            log.warning("could not announce in channel %s: %s", channel_id, type(exc).__name__)
        return False

    # -- digest of newly stale facts ---------------------------------------------------------
    async def digest_loop(self) -> None:
        """Post the digest at every slot of :attr:`digest` until cancelled.

        Sleeps toward the next slot in steps of at most :data:`DIGEST_TICK`, re-reading
        :attr:`now` after each, so a clock that jumps is noticed. When the timer wakes after
        several slots went by (a suspended machine), one digest covers them all: from the day
        the last digest covered (or the first slot's window) to the latest slot.
        """
        step = dt.timedelta(days=self.digest.interval_days)
        first_slot = self.digest.next_run(self.now())
        log.info(
            "stale-facts digest every %d days in channel %s; next at %s",
            self.digest.interval_days,
            self.config.announce_channel_id,
            first_slot.isoformat() if first_slot else "never",
        )
        since: dt.date | None = None
        last: dt.datetime | None = None
        while True:
            now = self.now()
            if last is not None and now < last:
                now = last  # a clock set back does not repeat a digest
            slot = self.digest.next_run(now)
            if slot is None:
                return
            wait = (slot - now).total_seconds()
            while wait > 0:
                await self.sleep(min(wait, DIGEST_TICK))
                wait = (slot - self.now()).total_seconds()
            latest = self.digest.next_run(max(self.now(), slot) - step) or slot
            first, today = self.digest.window(latest)
            if since is None:
                since = self.digest.window(slot)[0]
            await self.post_digest(min(since, first), today)
            since, last = today, latest

    async def post_digest(self, since: dt.date, today: dt.date) -> bool:
        """Post the digest of facts that became stale in ``(since, today]``; nothing when there
        are none. True when a digest was posted. Never raises (a bug is logged, the timer goes
        on).
        """
        try:
            index = self.facts.index
            questions = await digest_questions(self.usage, index, since, today)
            text = digest_text(index.book, since, today, questions)
        except Exception:
            log.exception("could not build the stale-facts digest")
            return False
        if text is None:
            log.info("stale-facts digest for %s: no fact became stale", today.isoformat())
            return False
        return await self.announce(text, "the stale-facts digest")

    async def close(self) -> None:
        await self.usage.aclose()  # the last batch of usage counts, before the writer stops
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._handle_signals:
            for sig in ("SIGHUP", "SIGTERM"):
                with contextlib.suppress(
                    NotImplementedError, RuntimeError, ValueError, AttributeError
                ):
                    self.loop.remove_signal_handler(getattr(signal, sig))
        await super().close()


class ShardedFactBot(FactBot, discord.AutoShardedClient):
    """factbot over ``SHARD_COUNT`` shards, running those of ``SHARD_IDS`` (all when unset):
    several processes can split the gateway, each with its own shards.
    """


def make_bot(config: Config, facts: LiveFacts, **options: Any) -> FactBot:
    """The client ``config`` asks for: sharded when ``SHARD_COUNT`` is set."""
    cls = ShardedFactBot if config.shard_count is not None else FactBot
    return cls(config, facts, **options)
