"""The Discord client: intents, command tree, error handling, command sync, fact-file reports.

Thin by design: commands live in ``_public`` / ``_admin``; this module wires them to a
:class:`discord.Client`, decides when to sync (a hash of the command payload beside
facts.yaml), answers every failed interaction with a private note (one ``on_error``), runs the
fact-file watcher and forwards its reports to ``ANNOUNCE_CHANNEL_ID``, and posts the digest of
newly stale facts there every ``STALE_DIGEST_DAYS`` (see :meth:`FactBot.digest_loop`).
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
from bot.app._checks import (
    AdminOnly,
    BadOptions,
    CooldownBuckets,
    CooledDown,
    options_match,
    payload_well_formed,
)
from bot.app._config import Config
from bot.app._public import public_commands
from bot.app._replies import NO_PINGS, Services, send
from bot.app._reports import announcement, digest_text
from bot.curation import DigestSchedule
from bot.live import LiveFacts, ReloadReport

log = logging.getLogger(__name__)

#: View Channels + Send Messages: only for ANNOUNCE_CHANNEL_ID (replies to slash commands
#: need no channel permission)
BOT_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True)
SOMETHING_WRONG = "Something went wrong while answering; it has been logged. Please try again."
#: The digest timer wakes at least this often to re-read the wall clock (a suspended machine or
#: a changed clock then delays a digest by at most this long).
DIGEST_TICK = 3600.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def error_message(error: app_commands.AppCommandError) -> str | None:
    """The user-facing note for an expected failure; None for a bug (gets a traceback)."""
    if isinstance(error, CooledDown):
        when = int(time.time() + error.retry_after + 0.999)
        return (
            f"You are asking quickly: please try again in {error.retry_after:.0f} s (<t:{when}:R>)."
        )
    if isinstance(error, AdminOnly):
        return "Only members with the Manage Server permission can use this command."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server only."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return (
            "This command is not (or no longer) available in factbot. "
            "Type / to see the current commands."
        )
    if isinstance(error, BadOptions | app_commands.TransformerError):
        return "An option was missing or had the wrong type: please pick the command again from /."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    return None


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
        super().__init__(
            intents=intents, allowed_mentions=NO_PINGS, guild_ready_timeout=guild_ready_timeout
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
        self.services = Services(
            facts=facts,
            cooldowns=CooldownBuckets(config.cooldown),
            on_report=self.on_report,
            digest=self.digest,
        )
        self.tree = FactTree(self)
        self.target = discord.Object(config.guild_id) if config.guild_id else None
        commands: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = [
            *public_commands(self.services),
            admin_group(self.services),
            *extra_commands,
        ]
        for cmd in commands:
            self.tree.add_command(cmd, guild=self.target)
        for leaf in self.tree.walk_commands(guild=self.target):
            if isinstance(leaf, app_commands.Command):
                leaf.add_check(options_match)

    # -- start-up ------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        await self.sync_commands(force=self.force_sync)
        if self._watch:
            self._spawn(self.facts.watch(self.on_report), "facts-watch")
        if self.digest.enabled:
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
        return [c.to_dict(self.tree) for c in self.tree.get_commands(guild=self.target)]

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync the command tree unless its hash matches the last sync; True when synced."""
        target = f"app={self.application_id};guild={self.config.guild_id or 'global'}"
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
        synced = await self.tree.sync(guild=self.target)
        where = f"guild {self.config.guild_id}" if self.config.guild_id else "all servers (global)"
        log.info("synced %d commands to %s", len(synced), where)
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

    # -- reports ---------------------------------------------------------------------------------
    async def on_report(self, report: ReloadReport) -> None:
        """Post a reload report to the announce channel when LiveFacts says it is news (a new
        version, a newly broken file, a recovery; not a repeat).
        """
        if report.should_announce:  # LiveFacts logs the report itself
            await self.announce(announcement(report), "the reload")

    async def announce(self, text: str, what: str) -> bool:
        """Post ``text`` to ANNOUNCE_CHANNEL_ID (never pinging); False when there is none or
        Discord refused or could not be reached (logged).
        """
        channel_id = self.config.announce_channel_id
        if channel_id is None:
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
            text = digest_text(self.facts.book, since, today)
        except Exception:
            log.exception("could not build the stale-facts digest")
            return False
        if text is None:
            log.info("stale-facts digest for %s: no fact became stale", today.isoformat())
            return False
        return await self.announce(text, "the stale-facts digest")

    async def close(self) -> None:
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
