"""Replies: an Answer sent in the format asked for, safe notes, autocomplete choices.

Every send here passes ``AllowedMentions.none()`` (the client sets it too). Formats
(``format:`` on /fact and /summary): ``embed`` (the default), ``plain`` (copy-paste text,
sources as full URLs wrapped in <...> so Discord shows no link previews) and ``short`` (at most
280 characters with one source link, sent as message content with previews suppressed by a
message flag, so the text a member copies is the post itself).

Each answer is worked out on the event loop from the book in service, read once: an answer
takes about a millisecond (well under 10 ms even for 10,000 facts: bench/bench_answer.py), so
a worker thread would only add its own hop, and a reload swapping the book meanwhile cannot
mix versions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import discord
from discord import app_commands

from bot import answers
from bot.answers import Answer, SearchIndex
from bot.app._checks import BadOptions, CooldownBuckets
from bot.app._embeds import to_embed
from bot.app._limits import CHOICE_MAX, CHOICES_MAX, MESSAGE_MAX
from bot.app._markdown import escape_markdown, no_preview, safe_echo
from bot.curation import DigestSchedule
from bot.live import LiveFacts, ReloadReport
from bot.words import shorten

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()

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

Compute = Callable[[SearchIndex, str, dt.date], Answer]


def today() -> dt.date:
    """Today in UTC: stale facts get a "review due" marker."""
    return dt.datetime.now(dt.UTC).date()


def check_format(value: str) -> Format:
    """The format asked for; a value Discord's dropdown cannot send (a stale client, a forged
    payload) is refused like any other bad option.
    """
    for fmt in FORMATS:
        if value == fmt:
            return fmt
    raise BadOptions(f"unknown format {value[:20]!r}")


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
    text = shorten(content, MESSAGE_MAX) if content is not None else None
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


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reply ready to send: message content and/or an embed."""

    kind: str  # the answer's kind
    content: str | None = None
    embed: discord.Embed | None = None
    only_asker: bool = False  # ephemeral whatever ``private`` says (a miss, nothing fits)
    suppress_embeds: bool = False  # no link previews under the content


def for_display(answer: Answer) -> Answer:
    """The answer with the member's query made safe to show, so a reply cannot be hijacked."""
    shown = safe_echo(answer.query)
    return answer if shown == answer.query else dataclasses.replace(answer, query=shown)


def discord_plain(answer: Answer) -> str:
    """The plain form made safe to post: markdown and mentions escaped, URLs not unfurled."""
    return answers.plain(answer, escape=escape_markdown, link=no_preview, limit=MESSAGE_MAX)


def rendered(answer: Answer, fmt: Format = "embed") -> Rendered:
    """The answer in format ``fmt``, the member's query escaped. ``short``: the post with its
    markdown escaped, or a private note pointing to ``format: plain`` when no fact fits. A miss
    keeps its suggestions in every format and is shown only to the asker.
    """
    shown = for_display(answer)
    only_asker = answer.kind == "miss"
    if fmt == "short" and not only_asker:
        post = answers.short_answer(answer)
        if post is None:
            return Rendered(answer.kind, content=answers.NOTHING_FITS, only_asker=True)
        return Rendered(answer.kind, content=escape_markdown(post), suppress_embeds=True)
    if fmt == "embed":
        return Rendered(answer.kind, embed=to_embed(shown), only_asker=only_asker)
    return Rendered(answer.kind, content=discord_plain(shown), only_asker=only_asker)


async def reply(
    interaction: discord.Interaction,
    svc: Services,
    query: str,
    compute: Compute,
    *,
    private: bool,
    fmt: Format = "embed",
) -> None:
    """Answer ``query`` with ``compute(index, query, today)`` on the book in service, in
    format ``fmt``. A miss is always private: it shows suggestions, not something to share.
    """
    found = rendered(compute(svc.facts.index, query, today()), fmt)
    await send(
        interaction,
        found.content,
        embed=found.embed,
        ephemeral=private or found.only_asker,
        suppress_embeds=found.suppress_embeds,
    )


def choices(
    pairs: Callable[[], Sequence[tuple[str, str]]], what: str, typed: object = ""
) -> list[app_commands.Choice[str]]:
    """Autocomplete choices within Discord's limits; never raises (logs and returns none).

    ``typed`` is what the member has typed: a value that is not text (a forged or stale
    payload) gets no choices.
    """
    if not isinstance(typed, str):
        log.info("autocomplete for %s: the typed value is not text", what)
        return []
    try:
        return [
            app_commands.Choice(name=shorten(label or value, CHOICE_MAX), value=value)
            for label, value in pairs()[:CHOICES_MAX]
            if 0 < len(value) <= CHOICE_MAX
        ]
    except Exception:
        log.exception("autocomplete for %s failed", what)
        return []


@dataclass
class Services:
    """What the commands need from the bot: the facts, the cooldown, where reports go."""

    facts: LiveFacts
    cooldowns: CooldownBuckets
    on_report: Callable[[ReloadReport], Awaitable[None]]
    digest: DigestSchedule = field(default_factory=lambda: DigestSchedule(enabled=False))


def digest_status(schedule: DigestSchedule, now: dt.datetime) -> str:
    """One line for /facts status: how often the review digest goes out and when next."""
    nxt = schedule.next_run(now)
    if nxt is None:
        return "Review digest: off (needs ANNOUNCE_CHANNEL_ID and STALE_DIGEST_DAYS above 0)."
    days = schedule.interval_days
    every = "every day" if days == 1 else f"every {days} days"
    return f"Review digest: {every}, next <t:{int(nxt.timestamp())}:f>."
