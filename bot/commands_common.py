"""Shared plumbing for slash commands: sending an Answer, safe ephemeral notes, autocomplete
choices. Every send here passes ``AllowedMentions.none()`` (the client sets it too).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot import render
from bot.book import FactBook
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
T = TypeVar("T")


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


Rendered = tuple[str, dict[str, Any]]  # (the answer's kind, its embed as a dict)
Compute = Callable[[FactBook, str, dt.date], Answer]


class AnswerCache:
    """Rendered answers by (book version, command, query, day), least recently used first out.

    A team asks the same few things again and again (a topic's summary, a well-known figure);
    the book of a version never changes, so its answers can be kept. Holds no user ids; a new
    version's answers simply push the old ones out.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[tuple[str, str, str, dt.date], Rendered] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, str, str, dt.date]) -> Rendered | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, str, str, dt.date], value: Rendered) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()
        self.hits = self.misses = 0

    def summary(self) -> str:
        asked = self.hits + self.misses
        rate = f"{self.hits / asked:.0%}" if asked else "n/a"
        return f"{len(self)} answers cached, hit rate {rate} over {asked} requests"


def today() -> dt.date:
    """Today in UTC: stale facts get a "review due" marker."""
    return dt.datetime.now(dt.UTC).date()


def rendered(answer: Answer) -> Rendered:
    """The answer as an embed dict, the user's query escaped."""
    return answer.kind, render.embed(for_display(answer))


async def reply(
    interaction: discord.Interaction,
    svc: Services,
    command: str,
    query: str,
    compute: Compute,
    *,
    private: bool,
    off_loop: bool = False,
) -> None:
    """Answer ``query`` with ``compute(book, query, today)`` on the book in service (read once,
    so a reload meanwhile cannot mix versions), from the cache when it was asked before.
    A miss is always ephemeral: it shows suggestions, not something to share."""
    book, day = svc.facts.book, today()
    key = (book.version, command, " ".join(query.split()), day)
    found = svc.answers.get(key)
    if found is None:

        def work() -> Rendered:
            return rendered(compute(book, query, day))

        found = await work_off_loop(interaction, private, work) if off_loop else work()
        svc.answers.put(key, found)
    kind, embed = found
    await send(
        interaction, embed=discord.Embed.from_dict(embed), ephemeral=private or kind == "miss"
    )


async def work_off_loop(
    interaction: discord.Interaction, private: bool, fn: Callable[[], T]
) -> T:
    """``fn()`` in a worker thread; if it runs long, defer the reply first so the interaction
    does not expire (the answer then arrives as the deferred message)."""
    task: asyncio.Future[T] = asyncio.ensure_future(asyncio.to_thread(fn))
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
    answers: AnswerCache = field(default_factory=AnswerCache)
