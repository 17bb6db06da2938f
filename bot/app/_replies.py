"""Replies: an Answer sent in the format asked for, safe notes, autocomplete choices.

Every send here passes ``AllowedMentions.none()`` (the client sets it too). A public answer is
sent with its buttons (``Services.view_for``) unless the same answer is already in the channel
within ``REPEAT_WINDOW``: then it goes privately, with a link to the earlier post. Formats
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
from typing import Any, Literal

import discord
from discord import app_commands

from bot import answers
from bot.answers import Answer, SearchIndex
from bot.app._channel_limits import ChannelRepeats, jump_url, repeat_key
from bot.app._checks import BadOptions, CooldownBuckets
from bot.app._embeds import to_embed
from bot.app._limits import CHOICE_MAX, CHOICES_MAX, MESSAGE_MAX
from bot.app._markdown import escape_markdown, no_preview, safe_echo
from bot.app._usage import count_answer
from bot.curation import DigestSchedule
from bot.live import LiveFacts, ReloadReport
from bot.usage import UsageRecorder
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
#: The buttons under an answer: (answer, the command that asked, its format, whether to offer
#: "Post in channel": a private answer that is not a repeat).
ViewFor = Callable[[Answer, str, Format, bool], discord.ui.View | None]


def no_view(answer: Answer, command: str, fmt: Format, post: bool) -> discord.ui.View | None:
    """No buttons (a bot built without them)."""
    return None


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
    view: discord.ui.View | None = None,
) -> int | None:
    """Reply, or follow up when the interaction was already answered or deferred; the id of
    the message sent (None when Discord did not say).

    ``suppress_embeds`` sets the message flag that hides link previews (the text is unchanged).
    """
    text = shorten(content, MESSAGE_MAX) if content is not None else None
    embeds = [embed] if embed is not None else []
    buttons = view if view is not None else discord.utils.MISSING
    options: dict[str, Any] = {
        "embeds": embeds,
        "ephemeral": ephemeral,
        "allowed_mentions": NO_PINGS,
        "suppress_embeds": suppress_embeds,
        "view": buttons,
    }
    try:
        if interaction.response.is_done():
            message = await interaction.followup.send(
                text or discord.utils.MISSING, wait=True, **options
            )
            return message.id
        response = await interaction.response.send_message(text, **options)
        return response.message_id
    finally:
        # Every button is a DynamicItem, found by its custom id through the classes the client
        # registered at start-up: the view is not needed once sent. discord.py would keep a
        # private answer's view, and a timer task, for 15 minutes: one per private answer.
        if view is not None:
            view.stop()


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


def discord_plain(answer: Answer, limit: int = MESSAGE_MAX) -> str:
    """The plain form made safe to post: markdown and mentions escaped, URLs not unfurled."""
    return answers.plain(answer, escape=escape_markdown, link=no_preview, limit=limit)


def rendered(answer: Answer, fmt: Format = "embed", header: str = "") -> Rendered:
    """The answer in format ``fmt``, the member's query escaped. ``short``: the post with its
    markdown escaped, or a private note pointing to ``format: plain`` when no fact fits. A miss
    keeps its suggestions in every format and is shown only to the asker. ``header`` (a line
    of ours, e.g. who asked) goes first in the message content.
    """
    found = _rendered(answer, fmt, MESSAGE_MAX - len(header) - 1)
    if not header:
        return found
    content = f"{header}\n{found.content}" if found.content else header
    return dataclasses.replace(found, content=content)


def _rendered(answer: Answer, fmt: Format, limit: int) -> Rendered:
    shown = for_display(answer)
    only_asker = answer.kind == "miss"
    if fmt == "short" and not only_asker:
        post = answers.short_answer(answer)
        if post is None:
            return Rendered(answer.kind, content=answers.NOTHING_FITS, only_asker=True)
        return Rendered(answer.kind, content=escape_markdown(post), suppress_embeds=True)
    if fmt == "embed":
        return Rendered(answer.kind, embed=to_embed(shown), only_asker=only_asker)
    return Rendered(answer.kind, content=discord_plain(shown, limit), only_asker=only_asker)


def repeat_note(url: str, posted_at: int) -> str:
    """What a member is told instead of a repeat of a public answer in the channel."""
    return (
        f"This was posted in this channel <t:{posted_at}:R>: {url}\nHere it is again, only for you."
    )


async def deliver(
    interaction: discord.Interaction,
    svc: Services,
    answer: Answer,
    *,
    command: str,
    private: bool,
    fmt: Format = "embed",
    header: str = "",
    render: Callable[[str], Rendered] | None = None,
) -> None:
    """Send ``answer`` (what ``command`` found) with its buttons. A miss is always private: it
    shows suggestions, not something to share. A public answer already posted in the channel
    within the repeat window is sent privately with a link to that post; one that is not is
    remembered (its link, for the window). ``render(header)`` replaces :func:`rendered`.
    """
    render = render or (lambda head: rendered(answer, fmt, head))
    found = render(header)
    ephemeral = private or found.only_asker
    channel_id = interaction.channel_id
    key = repeat_key(answer)
    earlier = None if ephemeral else svc.repeats.earlier(channel_id, key)
    if earlier is not None:
        ephemeral = True
        found = render(repeat_note(earlier.url, earlier.posted_at))
    offer_post = ephemeral and earlier is None and not found.only_asker
    view = svc.view_for(answer, command, fmt, offer_post)
    message_id = await send(
        interaction,
        found.content,
        embed=found.embed,
        ephemeral=ephemeral,
        suppress_embeds=found.suppress_embeds,
        view=view,
    )
    count_answer(svc.usage, command, answer)  # memory only: never waits for the store
    if not ephemeral and message_id is not None and channel_id is not None:
        url = jump_url(interaction.guild_id, channel_id, message_id)
        svc.repeats.remember(channel_id, key, url)


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
    format ``fmt`` (see :func:`deliver`).
    """
    command = interaction.command.name if interaction.command is not None else ""
    answer = compute(svc.facts.index, query, today())
    await deliver(interaction, svc, answer, command=command, private=private, fmt=fmt)


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
    """What the commands need from the bot: the facts, the limits, where reports go, the
    buttons under an answer, and the usage counters.
    """

    facts: LiveFacts
    cooldowns: CooldownBuckets
    on_report: Callable[[ReloadReport], Awaitable[None]]
    digest: DigestSchedule = field(default_factory=lambda: DigestSchedule(enabled=False))
    repeats: ChannelRepeats = field(default_factory=lambda: ChannelRepeats(0.0))
    view_for: ViewFor = no_view
    usage: UsageRecorder = field(default_factory=UsageRecorder.off)


def digest_status(schedule: DigestSchedule, now: dt.datetime) -> str:
    """One line for /facts status: how often the review digest goes out and when next."""
    nxt = schedule.next_run(now)
    if nxt is None:
        return "Review digest: off (needs ANNOUNCE_CHANNEL_ID and STALE_DIGEST_DAYS above 0)."
    days = schedule.interval_days
    every = "every day" if days == 1 else f"every {days} days"
    return f"Review digest: {every}, next <t:{int(nxt.timestamp())}:f>."
