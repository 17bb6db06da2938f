"""Shared plumbing for slash commands: sending an Answer, safe ephemeral notes, autocomplete
choices. Every send here passes ``AllowedMentions.none()`` (the client sets it too).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot import render
from bot.checks import CooldownBuckets, safe_echo
from bot.compose import Answer
from bot.live import LiveFacts, ReloadReport

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
#: Discord drops an interaction not answered within 3 s: slow work defers after this long
DEFER_AFTER = 2.0
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100
MAX_CONTENT = 2000


def clip(text: str, limit: int = MAX_CONTENT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def for_display(answer: Answer) -> Answer:
    """The answer with the user's query escaped, so the rendered reply cannot be hijacked."""
    return dataclasses.replace(answer, query=safe_echo(answer.query))


async def send(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = False,
) -> None:
    """Reply, or follow up when the interaction was already answered or deferred."""
    text = clip(content) if content is not None else None
    embeds = [embed] if embed is not None else []
    if interaction.response.is_done():
        await interaction.followup.send(
            text or discord.utils.MISSING, embeds=embeds, ephemeral=ephemeral,
            allowed_mentions=NO_PINGS,
        )
    else:
        await interaction.response.send_message(
            text, embeds=embeds, ephemeral=ephemeral, allowed_mentions=NO_PINGS
        )


async def send_answer(interaction: discord.Interaction, answer: Answer, *, private: bool) -> None:
    """An Answer as an embed; a miss is always ephemeral (it shows the suggestions)."""
    shown = for_display(answer)
    embed = discord.Embed.from_dict(render.embed(shown))
    await send(interaction, embed=embed, ephemeral=private or answer.kind == "miss")


async def work_off_loop(
    interaction: discord.Interaction, private: bool, fn: Callable[..., Answer], *args: Any,
    **kwargs: Any,
) -> Answer:
    """``fn(*args, **kwargs)`` in a worker thread; if it runs long, defer the reply first so
    the interaction does not expire (the answer then arrives as the deferred message)."""
    task = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done:
        await interaction.response.defer(ephemeral=private, thinking=True)
    return await task


def choices(
    pairs: Callable[[], Sequence[tuple[str, str]]], what: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete choices within Discord's limits; never raises (logs and returns none)."""
    try:
        out = []
        for label, value in pairs():
            if not value or len(value) > MAX_CHOICE_CHARS:
                continue  # a value Discord would reject; the user can still type it
            name = clip(label or value, MAX_CHOICE_CHARS)
            out.append(app_commands.Choice(name=name, value=value))
            if len(out) == MAX_CHOICES:
                break
        return out
    except Exception:
        log.exception("autocomplete for %s failed", what)
        return []


@dataclass
class Services:
    """What the commands need from the bot: the facts, the cooldown, where reports go."""

    facts: LiveFacts
    cooldowns: CooldownBuckets
    on_report: Callable[[ReloadReport], Awaitable[None]]
