"""Buttons under answers: which an answer gets, what each press does, and who may press it.

Every button is a :class:`discord.ui.DynamicItem`: what it does is written in its
``custom_id`` (``fb:post:f:e:<fact id>``), so a button keeps working after a restart, and it
works on the book in service, so after a reload too; a button whose fact a reload removed says
so. The three kinds:

- **Post in channel** (on a private answer): the same answer, worked out again from the book,
  posted publicly with who asked (a mention, never a ping). A public answer, so it counts
  against the member's rate limit and the channel's repeat window, and only a member who may
  send messages in the channel can press it.
- **Look-ups** (private, never limited): "Source and quote" and "Related facts" on a fact
  answer, and a miss's suggestions, each running that look-up for the presser.
- **Reload now** on ``/facts status``: Manage Server, checked by the bot.

Discord lets anyone who sees a message press its buttons: each button checks its presser in
``interaction_check`` and answers a refusal itself; a failure in a press gets the same private
note as a failed command.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord

from bot import answers
from bot.answers import Answer, SearchIndex
from bot.app._checks import CooledDown, can_manage_guild
from bot.app._errors import SOMETHING_WRONG, error_message
from bot.app._find_sources import FIND_SOURCES, ids_in, sources_embed
from bot.app._limits import BUTTON_LABEL_MAX, CUSTOM_ID_MAX
from bot.app._markdown import safe_echo
from bot.app._replies import (
    FORMATS,
    Format,
    Rendered,
    Services,
    deliver,
    rendered,
    send,
    today,
)
from bot.app._reports import announcement
from bot.app._usage import removed_asked
from bot.words import shorten

log = logging.getLogger(__name__)

Button = discord.ui.Button[discord.ui.View]

#: What a button works out, by the letter in its custom id: the command whose answer it is.
#: "f", "r" and "l" are about one fact (the key is its id); "a", "s" and "q" look up text
#: (a miss's suggestion, a summary's topic or query); "c" posts what Find sources found.
LOOKUPS: dict[str, str] = {
    "f": "fact",
    "r": "source",
    "l": "related",
    "a": "fact",
    "s": "summary",
    "q": "search",
    "o": "topics",
    "c": FIND_SOURCES,
}
#: The "Post in channel" letter of each command's answers.
POST_LETTER = {"fact": "f", "source": "r", "related": "l", "summary": "s", "search": "q"}
POST_LETTER |= {"topics": "o", FIND_SOURCES: "c"}
#: The look-up letter of a miss's suggestions, by the command that missed (else "a").
SUGGESTION_LETTER = {"summary": "s", FIND_SOURCES: "s", "search": "q", "source": "r"}
#: Lookups whose key is a fact id (a removed fact is reported as such).
BY_FACT_ID = frozenset("frl")

POST_LABEL = "Post in channel"
SOURCE_LABEL = "Source and quote"
RELATED_LABEL = "Related facts"
RELOAD_LABEL = "Reload now"
CANNOT_POST = (
    "You cannot send messages in this channel, so factbot does not post there for you. "
    "The answer above stays private."
)
ADMIN_BUTTON = "Only members with the Manage Server permission can use this button."
CHANGED = "The book has changed since this answer and no longer answers it:"
SOME_REMOVED = "{n} of these facts are no longer in the book and were left out of the post."


def post_id(letter: str, fmt: Format, key: str) -> str:
    """The custom id of a "Post in channel" button."""
    return f"fb:post:{letter}:{fmt[0]}:{key}"


def lookup_id(letter: str, key: str) -> str:
    """The custom id of a look-up button."""
    return f"fb:ask:{letter}:{key}"


def removed_note(fact_id: str) -> str:
    """What a button for a fact that a reload removed says."""
    return (
        f"The fact {safe_echo(fact_id, 100)} is no longer in the book (facts.yaml changed since "
        "this answer). /search finds what the book says now."
    )


def asked_by(user: discord.abc.User) -> str:
    """The line above a post made for a member: who asked (a mention, which never pings)."""
    return f"-# Asked by {user.mention}"


def _services(interaction: discord.Interaction) -> Services:
    svc = getattr(interaction.client, "services", None)
    if not isinstance(svc, Services):
        raise RuntimeError("a factbot button pressed on a client without factbot's services")
    return svc


async def _guard(interaction: discord.Interaction, what: str, press: Awaitable[None]) -> None:
    """Run a press; a bug is logged and the presser told, privately."""
    try:
        await press
    except Exception:
        log.exception("button %s failed", what)
        try:
            await send(interaction, SOMETHING_WRONG, ephemeral=True)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.warning("could not send the error note for button %s: %s", what, exc)


def render_for(letter: str, answer: Answer, fmt: Format) -> Callable[[str], Rendered] | None:
    """How a button's answer is drawn when it differs from the command's: related facts are
    titled as such (not "Facts matching: <id>").
    """
    if letter != "l":
        return None

    def render(header: str) -> Rendered:
        found = rendered(answer, fmt, header)
        if found.embed is not None:
            found.embed.title = f"Related facts: {answer.query}"
        return found

    return render


def recompute(index: SearchIndex, letter: str, key: str) -> Answer | None:
    """The answer a button stands for, on the book in service; None when it is about a fact
    the book no longer has.
    """
    day = today()
    if letter in BY_FACT_ID and index.find_fact(key) is None:
        return None
    if letter in "fa":
        return answers.fact_answer(index, key, today=day)
    if letter == "r":
        return answers.source_answer(index, key, today=day)
    if letter == "l":
        return answers.related_answer(index, key, today=day)
    if letter == "s":
        return answers.summary_answer(index, key, today=day)
    if letter == "q":
        return answers.search_answer(index, key, today=day)
    return answers.topics_answer(index)


class PostButton(
    discord.ui.DynamicItem[Button],
    template=r"fb:post:(?P<letter>[frlsqoc]):(?P<fmt>[eps]):(?P<key>.*)",
):
    """The "Post in channel" button: the answer worked out again, posted saying who asked."""

    def __init__(self, letter: str, fmt: Format, key: str) -> None:
        self.letter, self.fmt, self.key = letter, fmt, key
        custom_id = post_id(letter, fmt, key)
        super().__init__(
            discord.ui.Button(
                label=POST_LABEL, style=discord.ButtonStyle.primary, custom_id=custom_id
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PostButton:
        fmt = next(f for f in FORMATS if f[0] == match["fmt"])
        return cls(match["letter"], fmt, match["key"])

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Only a member who may send messages here has factbot post for them."""
        perms = interaction.permissions
        in_thread = isinstance(interaction.channel, discord.Thread)
        allowed = (
            interaction.guild_id is None  # a DM: the member is in the conversation
            or perms.administrator
            or (perms.send_messages_in_threads if in_thread else perms.send_messages)
        )
        if not allowed:
            await send(interaction, CANNOT_POST, ephemeral=True)
        return allowed

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guard(interaction, "post", self._post(interaction))

    async def _post(self, interaction: discord.Interaction) -> None:
        svc = _services(interaction)
        wait = svc.cooldowns.retry_after(interaction)
        if wait:
            await send(interaction, error_message(CooledDown(wait)), ephemeral=True)
            return
        if self.letter == "c":
            await self._post_sources(interaction, svc)
            return
        answer = recompute(svc.facts.index, self.letter, self.key)
        if answer is None:
            await send(interaction, removed_note(self.key), ephemeral=True)
            return
        command = LOOKUPS[self.letter]
        if answer.kind == "miss":
            await deliver(interaction, svc, answer, command=command, private=True, header=CHANGED)
            return
        await deliver(
            interaction,
            svc,
            answer,
            command=command,
            private=False,
            fmt=self.fmt,
            header=asked_by(interaction.user),
            render=render_for(self.letter, answer, self.fmt),
        )

    async def _post_sources(self, interaction: discord.Interaction, svc: Services) -> None:
        """Post the facts a Find sources reply cites (their ids are in its footer)."""
        book = svc.facts.book
        ids = ids_in(interaction.message)
        facts = tuple(f for f in (book.fact(i) for i in ids) if f is not None)
        if not facts:
            await send(interaction, removed_note(ids[0] if ids else "?"), ephemeral=True)
            return
        answer = Answer("", "search", "", facts, book, today=today())
        embed = sources_embed(book, facts)

        def render(header: str) -> Rendered:
            return Rendered(answer.kind, content=header or None, embed=embed)

        header = asked_by(interaction.user)
        await deliver(
            interaction,
            svc,
            answer,
            command=FIND_SOURCES,
            private=False,
            header=header,
            render=render,
        )
        if len(facts) < len(ids):
            await send(interaction, SOME_REMOVED.format(n=len(ids) - len(facts)), ephemeral=True)


class LookupButton(
    discord.ui.DynamicItem[Button],
    template=r"fb:ask:(?P<letter>[frlasq]):(?P<key>.+)",
):
    """A private look-up for the presser: a fact's source and quote, its related facts, or a
    suggestion after a miss. Private, so never rate limited.
    """

    def __init__(self, letter: str, key: str, label: str) -> None:
        self.letter, self.key = letter, key
        super().__init__(
            discord.ui.Button(
                label=shorten(label, BUTTON_LABEL_MAX),
                style=discord.ButtonStyle.secondary,
                custom_id=lookup_id(letter, key),
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> LookupButton:
        label = getattr(item, "label", None) or match["key"]
        return cls(match["letter"], match["key"], label)

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guard(interaction, "look-up", self._look_up(interaction))

    async def _look_up(self, interaction: discord.Interaction) -> None:
        svc = _services(interaction)
        answer = recompute(svc.facts.index, self.letter, self.key)
        if answer is None:
            await send(interaction, removed_note(self.key), ephemeral=True)
            return
        command = LOOKUPS[self.letter]
        render = render_for(self.letter, answer, "embed")
        await deliver(interaction, svc, answer, command=command, private=True, render=render)


class ReloadButton(discord.ui.DynamicItem[Button], template=r"fb:admin:reload"):
    """Reload facts.yaml now (on /facts status): Manage Server, checked here."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label=RELOAD_LABEL, style=discord.ButtonStyle.danger, custom_id="fb:admin:reload"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReloadButton:
        return cls()

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        allowed = can_manage_guild(interaction)
        if not allowed:
            await send(interaction, ADMIN_BUTTON, ephemeral=True)
        return allowed

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guard(interaction, "reload", self._reload(interaction))

    async def _reload(self, interaction: discord.Interaction) -> None:
        await reload_now(interaction, _services(interaction), "button")


async def reload_now(interaction: discord.Interaction, svc: Services, reason: str) -> None:
    """Reload facts.yaml, announce it as any reload, and tell the admin what changed."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    report = await svc.facts.reload(reason)
    await svc.on_report(report)
    asked = await removed_asked(svc.usage, report)
    await send(interaction, announcement(report, asked), ephemeral=True)


BUTTONS: tuple[type[discord.ui.DynamicItem[Button]], ...] = (PostButton, LookupButton, ReloadButton)


def _post_key(answer: Answer, command: str) -> tuple[str, str] | None:
    """(letter, key) for "Post in channel", or None when the answer cannot be posted again."""
    letter = POST_LETTER.get(command)
    if letter is None or answer.kind == "miss":
        return None
    if letter == "l":
        return letter, answer.query  # a related answer's query is its fact's id
    if letter in BY_FACT_ID:
        return letter, answer.facts[0].id
    if letter == "s" and answer.topic is not None:
        return letter, answer.topic.id
    if letter in "sq":
        return letter, " ".join(answer.query.split())
    return letter, ""


def answer_view(answer: Answer, command: str, fmt: Format, post: bool) -> discord.ui.View | None:
    """The buttons under an answer ``command`` gave: "Post in channel" when ``post`` (a private
    answer), "Source and quote" and "Related facts" under a fact, a miss's suggestions. Any
    button whose custom id would pass Discord's limit is left out.
    """
    items: list[discord.ui.DynamicItem[Button]] = []
    if answer.kind == "miss":
        letter = SUGGESTION_LETTER.get(command, "a")
        for suggestion in answer.suggestions:
            if len(lookup_id(letter, suggestion)) <= CUSTOM_ID_MAX:
                items.append(LookupButton(letter, suggestion, suggestion))
    else:
        found = _post_key(answer, command) if post else None
        if found is not None:
            letter, key = found
            shown: Format = fmt if letter in "fs" else "embed"  # /fact and /summary formats
            if len(post_id(letter, shown, key)) <= CUSTOM_ID_MAX:
                items.append(PostButton(letter, shown, key))
        if answer.kind in ("fact", "source") and answer.facts:
            fact_id = answer.facts[0].id
            if len(lookup_id("l", fact_id)) <= CUSTOM_ID_MAX:
                if answer.kind == "fact":
                    items.append(LookupButton("r", fact_id, SOURCE_LABEL))
                items.append(LookupButton("l", fact_id, RELATED_LABEL))
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


def admin_view() -> discord.ui.View:
    """The buttons under /facts status."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReloadButton())
    return view
