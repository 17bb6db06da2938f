"""The "Find sources" message command: any message's claims checked against the book.

Owns the Discord side of a claim check: reading the target message's text (Discord sends it
with the interaction, no Message Content intent needed; code, links and mentions are left out),
the private reply (each claim, quoted and escaped, with the fact it matches and that fact's
source) and the public post the reply's "Post in channel" button makes (the facts and their
sources, without the other member's words). The matching itself is :func:`answers.check_claims`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot import answers
from bot.answers import Answer, ClaimCheck
from bot.app._embeds import COLOURS, _fit, _source_field, to_embed
from bot.app._limits import EMBED_DESCRIPTION_MAX, EMBED_FIELDS_MAX, EMBED_FOOTER_MAX
from bot.app._markdown import escape_markdown, readable_text, safe_echo
from bot.app._replies import Services, send, today
from bot.app._usage import count_check
from bot.factbook import Fact, FactBook
from bot.words import plural, shorten

FIND_SOURCES = "Find sources"
TITLE = "Sources for this message"
POSTED_TITLE = "Sources"
EMPTY_TEXT = (
    "This message has no text to check: only an image, an attachment, a link, code or mentions."
)
CAUTION = "A match is a fact on what the sentence says: read it before you cite it."
LEFT_OUT = "Code, links and mentions in the message were left out."
#: Longest stretch of a sentence quoted back, and of an unmatched one listed.
SENTENCE_SHOWN = 150
UNMATCHED_SHOWN = 60
#: Where the fact ids go in the footer (the "Post in channel" button reads them back).
IDS_MARK = " · facts: "


def footer(book: FactBook, facts: Sequence[Fact]) -> str:
    """The footer of a claim check: the book's version and the ids of the facts it cites."""
    return shorten(
        f"factbot · facts {book.version[:12]}{IDS_MARK}{', '.join(f.id for f in facts)}",
        EMBED_FOOTER_MAX,
    )


def ids_in(message: discord.Message | None) -> list[str]:
    """The fact ids a claim check's footer cites ([] for any other message)."""
    if message is None or not message.embeds:
        return []
    text = message.embeds[0].footer.text or ""
    _, mark, ids = text.partition(IDS_MARK)
    return [i.strip() for i in ids.split(",") if i.strip()] if mark else []


def _fact_line(answer: Answer, n: int, fact: Fact) -> str:
    line = f"[{n}] {escape_markdown(fact.claim)}"
    meta = answers.sentence(answers.marks(answer, fact))
    return f"{line} *({escape_markdown(meta)})*" if meta else line


def _embed(answer: Answer, title: str, lines: list[str], notes: list[str]) -> discord.Embed:
    tail = "\n".join(notes)
    room = EMBED_DESCRIPTION_MAX - len(tail) - 2
    body = answers.fit_items("", lines, room, answers.and_more("line"))
    facts = answer.facts
    e: dict[str, Any] = {
        "type": "rich",
        "color": COLOURS["source"],
        "title": title,
        "description": f"{body}\n\n{tail}".strip(),
        "fields": [_source_field(answer, n, f) for n, f in enumerate(facts, start=1)][
            :EMBED_FIELDS_MAX
        ],
        "footer": {"text": footer(answer.book, facts)},
    }
    return discord.Embed.from_dict(_fit(e))


def claims_embed(check: ClaimCheck, left_out: bool = False) -> discord.Embed:
    """The private reply: each claim with the fact it matches, then the sources; for a miss,
    what to try instead.
    """
    answer = check.answer
    notes: list[str] = []
    if check.unchecked:
        more = plural(check.unchecked, "more sentence")
        notes.append(f"Checked the first {len(check.matches)} sentences; {more} not checked.")
    if left_out:
        notes.append(LEFT_OUT)
    if answer.kind == "miss":
        embed = to_embed(answer)
        if notes:
            embed.description = shorten(
                f"{embed.description}\n\n" + "\n".join(notes), EMBED_DESCRIPTION_MAX
            )
        return embed
    lines: list[str] = []
    unmatched: list[str] = []
    for match in check.matches:
        if not match.facts:
            unmatched.append(f"“{safe_echo(match.sentence, UNMATCHED_SHOWN)}”")
            continue
        lines.append(f"**“{safe_echo(match.sentence, SENTENCE_SHOWN)}”**")
        lines += ["→ " + _fact_line(answer, check.number(f), f) for f in match.facts]
    if unmatched:
        lines.append("Not in the book: " + " · ".join(unmatched))
    return _embed(answer, TITLE, lines, [*notes, f"*{CAUTION}*"])


def sources_embed(book: FactBook, facts: Sequence[Fact]) -> discord.Embed:
    """The public post: the facts a claim check found, each with its source."""
    answer = Answer("", "search", "", tuple(facts), book, today=today())
    lines = [_fact_line(answer, n, f) for n, f in enumerate(facts, start=1)]
    return _embed(answer, POSTED_TITLE, lines, [])


def find_sources_command(svc: Services) -> app_commands.ContextMenu:
    """The message command, bound to ``svc``; always private, so never rate limited."""

    async def find_sources(interaction: discord.Interaction, message: discord.Message) -> None:
        text, left_out = readable_text(message.content or "")
        if not text:
            await send(interaction, EMPTY_TEXT, ephemeral=True)
            return
        check = answers.check_claims(svc.facts.index, text, today=today())
        view = svc.view_for(check.answer, FIND_SOURCES, "embed", True)
        await send(interaction, embed=claims_embed(check, left_out), ephemeral=True, view=view)
        count_check(svc.usage, FIND_SOURCES, check)  # memory only: never waits for the store

    return app_commands.ContextMenu(name=FIND_SOURCES, callback=find_sources)
