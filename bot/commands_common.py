"""Shared plumbing for slash commands: sending an Answer in the format asked for, safe ephemeral
notes, autocomplete choices. Every send here passes ``AllowedMentions.none()`` (the client sets
it too).

Formats (``format:`` on /fact and /summary): ``embed`` (the default), ``plain`` (copy-paste text
from :func:`bot.render.plain`, sources as full URLs wrapped in <...> so Discord shows no link
previews) and ``short`` (:func:`bot.share.short_answer`: at most 280 characters with one source
link, sent as message content with link previews suppressed by a message flag, so the text a
person copies is the post itself).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import discord
from discord import app_commands

from bot import render, share
from bot.book import FactBook
from bot.checks import BadOptions, CooldownBuckets, safe_echo
from bot.compose import Answer
from bot.freshness import DigestSchedule
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
    shown = safe_echo(answer.query)
    return answer if shown == answer.query else dataclasses.replace(answer, query=shown)


async def send(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = False,
    suppress_embeds: bool = False,
) -> None:
    """Reply, or follow up when the interaction was already answered or deferred.

    ``suppress_embeds`` sets the message flag that hides link previews (the text is unchanged).
    """
    text = clip(content) if content is not None else None
    embeds = [embed] if embed is not None else []
    if interaction.response.is_done():
        await interaction.followup.send(
            text or discord.utils.MISSING,
            embeds=embeds,
            ephemeral=ephemeral,
            allowed_mentions=NO_PINGS,
            suppress_embeds=suppress_embeds,
        )
    else:
        await interaction.response.send_message(
            text,
            embeds=embeds,
            ephemeral=ephemeral,
            allowed_mentions=NO_PINGS,
            suppress_embeds=suppress_embeds,
        )


Format = Literal["embed", "plain", "short"]
FORMATS: tuple[Format, ...] = ("embed", "plain", "short")
#: The ``format:`` dropdown of /fact and /summary (Discord shows the names).
FORMAT_CHOICES: list[app_commands.Choice[str]] = [
    app_commands.Choice(name="embed (default)", value="embed"),
    app_commands.Choice(name="plain: text to copy into email or a document", value="plain"),
    app_commands.Choice(
        name="short: 280 characters with one link, for social posts", value="short"
    ),
]
FORMAT_HELP = "How to show the answer: embed (default), plain text, or a short post"


def check_format(value: str) -> Format:
    """The format asked for; a value Discord's dropdown cannot send (a stale client, a forged
    payload) is refused like any other bad option."""
    for fmt in FORMATS:
        if value == fmt:
            return fmt
    raise BadOptions(f"unknown format {value[:20]!r}")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reply ready to send: message content and/or an embed (as a dict)."""

    kind: str  # the answer's kind ("miss" replies are always ephemeral)
    content: str | None = None
    embed: dict[str, Any] | None = None
    only_asker: bool = False  # ephemeral whatever ``private`` says (a miss, nothing fits)
    suppress_embeds: bool = False  # no link previews under the content


CacheKey = tuple[str, str, str, str, dt.date]  # (book version, command, format, query, day)
#: (book version, kind, fact ids, format, with quote, day, note): what a reply about given
#: facts depends on when it does not show the query (see ``AnswerCache.render``)
FactKey = tuple[str, str, tuple[str, ...], str, bool, dt.date | None, str | None]
Compute = Callable[[FactBook, str, dt.date], Answer]
#: Answers whose every format but ``short`` leaves the query out (render._heading, plain):
#: many phrasings of a question find the same fact and get the same reply.
_QUERY_NOT_SHOWN = ("fact", "source")


class AnswerCache:
    """Rendered answers by (book version, command, format, query, day), least recently used
    first out.

    A team asks the same few things again and again (a topic's summary, a well-known figure);
    the book of a version never changes, so its answers can be kept. Holds no user ids; a new
    version's answers simply push the old ones out.

    Beside it, replies by the facts they show (``render``): different words that find the
    same fact get the reply already made for it. That part may be used from worker threads
    (one dictionary read or write at a time, emptied when full).
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self.fact_hits = 0
        self._items: OrderedDict[CacheKey, Rendered] = OrderedDict()
        self._by_fact: dict[FactKey, Rendered] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: CacheKey) -> Rendered | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return found

    def put(self, key: CacheKey, value: Rendered) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()
        self._by_fact.clear()
        self.hits = self.misses = self.fact_hits = 0

    def render(self, answer: Answer, fmt: Format) -> Rendered:
        """``rendered(answer, fmt)``, the same reply again when another query found the same
        facts (a fact or source answer, any format but ``short``, which words itself from
        the query)."""
        if self.size <= 0 or fmt == "short" or answer.kind not in _QUERY_NOT_SHOWN:
            return rendered(answer, fmt)
        ids = tuple(f.id for f in answer.facts)
        key = (
            answer.book.version,
            answer.kind,
            ids,
            fmt,
            answer.with_quote,
            answer.today,
            answer.note,
        )
        found = self._by_fact.get(key)
        if found is not None:
            self.fact_hits += 1
            return found
        found = rendered(answer, fmt)
        if len(self._by_fact) >= self.size:
            self._by_fact.clear()
        self._by_fact[key] = found
        return found

    def summary(self) -> str:
        asked = self.hits + self.misses
        rate = f"{self.hits / asked:.0%}" if asked else "n/a"
        return (
            f"{len(self)} answers cached, hit rate {rate} over {asked} requests; "
            f"{self.fact_hits} more made already for the same facts"
        )


def today() -> dt.date:
    """Today in UTC: stale facts get a "review due" marker."""
    return dt.datetime.now(dt.UTC).date()


def rendered(answer: Answer, fmt: Format = "embed") -> Rendered:
    """The answer in format ``fmt``, the user's query escaped.

    ``plain``: :func:`bot.render.plain` made safe for Discord (markdown and mentions escaped, URLs
    in <...>), at most 2,000 characters. ``short``: the share text with its markdown escaped; when
    no fact fits, an ephemeral note pointing to ``format: plain``. A miss keeps its suggestions
    in every format.
    """
    shown = for_display(answer)
    only_asker = answer.kind == "miss"
    if fmt == "short" and not only_asker:
        post = share.short_answer(answer)  # the raw answer: its query drives the search
        if post is None:
            return Rendered(answer.kind, content=share.NOTHING_FITS, only_asker=True)
        return Rendered(answer.kind, content=render.escape_markdown(post), suppress_embeds=True)
    if fmt == "embed":
        return Rendered(answer.kind, embed=render.embed(shown), only_asker=only_asker)
    return Rendered(
        answer.kind, content=clip(render.plain(shown, discord=True)), only_asker=only_asker
    )


async def reply(
    interaction: discord.Interaction,
    svc: Services,
    command: str,
    query: str,
    compute: Compute,
    *,
    private: bool,
    off_loop: bool = False,
    fmt: Format = "embed",
) -> None:
    """Answer ``query`` with ``compute(book, query, today)`` on the book in service (read once,
    so a reload meanwhile cannot mix versions), in format ``fmt``, from the cache when it was
    asked before. A miss is always ephemeral: it shows suggestions, not something to share."""
    book, day = svc.facts.book, today()
    key = (book.version, command, fmt, " ".join(query.split()), day)
    found = svc.answers.get(key)
    if found is None:

        def work() -> Rendered:
            return svc.answers.render(compute(book, query, day), fmt)

        # a short post searches again for a fact that fits: off the loop like a summary
        slow = off_loop or fmt == "short"
        found = await work_off_loop(interaction, private, work) if slow else work()
        svc.answers.put(key, found)
    await send(
        interaction,
        found.content,
        embed=discord.Embed.from_dict(found.embed) if found.embed is not None else None,
        ephemeral=private or found.only_asker,
        suppress_embeds=found.suppress_embeds,
    )


async def work_off_loop(interaction: discord.Interaction, private: bool, fn: Callable[[], T]) -> T:
    """``fn()`` in a worker thread; if it runs long, defer the reply first so the interaction
    does not expire (the answer then arrives as the deferred message)."""
    task: asyncio.Future[T] = asyncio.ensure_future(asyncio.to_thread(fn))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done:
        await interaction.response.defer(ephemeral=private, thinking=True)
    return await task


def choices(
    pairs: Callable[[], Sequence[tuple[str, str]]], what: str, typed: object = ""
) -> list[app_commands.Choice[str]]:
    """Autocomplete choices within Discord's limits; never raises (logs and returns none).

    ``typed`` is what the user has typed: a value that is not text (a forged or stale payload)
    gets no choices."""
    if not isinstance(typed, str):
        log.info("autocomplete for %s: the typed value is not text", what)
        return []
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
    digest: DigestSchedule = field(default_factory=lambda: DigestSchedule(enabled=False))


def digest_status(schedule: DigestSchedule, now: dt.datetime) -> str:
    """One line for /facts status: how often the review digest goes out and when next."""
    nxt = schedule.next_run(now)
    if nxt is None:
        return "Review digest: off (needs ANNOUNCE_CHANNEL_ID and STALE_DIGEST_DAYS above 0)."
    days = schedule.interval_days
    every = "every day" if days == 1 else f"every {days} days"
    return f"Review digest: {every}, next <t:{int(nxt.timestamp())}:f>."
