"""``python -m bot run`` and ``python -m bot sync``: configuration, logging, facts, the bot.

Owns start-up and its one-line failures (exit 2): bad configuration, an invalid or unreadable
facts file, a token Discord refuses, Discord unreachable. Logging gets a filter that redacts the
token from every record, whatever the level (belt and braces: nothing should log it anyway).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import aiohttp
import discord

from bot.app import Config, ConfigError, FactBot, load_config, make_bot
from bot.factbook import FactsUnreadable
from bot.live import LiveFacts
from bot.words import plural

log = logging.getLogger("bot")
REDACTED = "[token redacted]"
TOKEN_REFUSED = (
    "Discord refused the token (401): check DISCORD_TOKEN, or make a new one in the developer "
    "portal (your application, Bot tab, Reset Token)"
)

MISSING_ACCESS = (
    "Discord refused to register the slash commands (403 Missing Access): invite the bot to "
    "the server in DISCORD_GUILD_ID with the scopes bot and applications.commands"
)


class RedactToken(logging.Filter):
    """Replace the token in a record's message, exception and stack text."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        s = self.secret
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep what we can, safely
            message = str(record.msg)
        if s in message:
            record.msg, record.args = message.replace(s, REDACTED), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and s in record.exc_text:
            record.exc_text = record.exc_text.replace(s, REDACTED)
        if record.stack_info and s in record.stack_info:
            record.stack_info = record.stack_info.replace(s, REDACTED)
        return True


def setup_logging(level: str, secret: str) -> RedactToken:
    """Log to stderr at ``level``; every root handler gets the redacting filter."""
    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        root.addHandler(stream)
    root.setLevel(level)
    redact = RedactToken(secret)
    for handler in root.handlers:
        handler.addFilter(redact)
    return redact


def fail(message: str) -> int:
    print(f"factbot: error: {message}", file=sys.stderr)
    return 2


def _prepare(sync_only: bool) -> tuple[Config, LiveFacts] | int:
    try:
        config = load_config()
    except ConfigError as exc:
        return fail(str(exc))
    setup_logging(config.log_level, config.token)
    facts = LiveFacts(config.facts_path)
    try:
        facts.load_initial()
    except FactsUnreadable as exc:
        return fail(f"cannot read the facts file: {exc}")
    if not facts.has_book and not sync_only:
        for finding in facts.last_error:
            print(str(finding), file=sys.stderr)
        errors = plural(len(facts.last_error), "error")
        return fail(f"{config.facts_path} is invalid ({errors}): not starting")
    config.apply_endpoints()
    return config, facts


async def _start(bot: FactBot, token: str, *, sync_only: bool) -> None:
    async with bot:
        if sync_only:
            await bot.login(token)  # setup_hook syncs (forced)
        else:
            await bot.start(token)


def _run(sync_only: bool) -> int:
    prepared = _prepare(sync_only)
    if isinstance(prepared, int):
        return prepared
    config, facts = prepared
    bot = make_bot(
        config, facts, force_sync=sync_only, watch=not sync_only, handle_signals=not sync_only
    )
    try:
        asyncio.run(_start(bot, config.token, sync_only=sync_only))
    except discord.LoginFailure:
        return fail(TOKEN_REFUSED)
    except (aiohttp.ClientConnectionError, OSError) as exc:
        where = config.api_base or "discord.com"
        return fail(f"cannot reach Discord at {where}: {exc.__class__.__name__}")
    except discord.Forbidden:
        return fail(MISSING_ACCESS)
    except discord.HTTPException as exc:
        return fail(f"Discord answered {exc.status} during start-up: {exc.text[:200]}")
    if sync_only:
        print(f"synced {len(bot.command_payload())} commands", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the bot until interrupted."""
    return _run(sync_only=False)


def sync(args: argparse.Namespace) -> int:
    """Log in, sync the command tree (whatever the stored hash says), exit."""
    return _run(sync_only=True)
