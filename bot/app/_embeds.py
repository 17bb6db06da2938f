"""Answers as Discord embeds, within every embed limit.

Owns how an :class:`~bot.answers.Answer` looks in Discord: the colour of each kind, the source
linked in the title, the citation and quote fields, and what gives way when an embed would be
too large (whole source fields first, with a note saying how many; then the description).
The text comes from the same pieces as the plain form (:mod:`bot.answers`).
"""

from __future__ import annotations

from typing import Any

import discord

from bot.answers import (
    Answer,
    and_more,
    citation,
    did_you_mean,
    fit_items,
    heading,
    marks,
    quote_text,
    sentence,
    source_name,
)
from bot.app._limits import (
    EMBED_AUTHOR_MAX,
    EMBED_DESCRIPTION_MAX,
    EMBED_FIELD_NAME_MAX,
    EMBED_FIELD_VALUE_MAX,
    EMBED_FIELDS_MAX,
    EMBED_FOOTER_MAX,
    EMBED_TITLE_MAX,
    EMBED_TOTAL_MAX,
)
from bot.app._markdown import escape_markdown, is_web_url, md_link
from bot.factbook import Fact
from bot.words import plural, shorten

#: Longest source title (or publisher) in a source field.
TITLE_IN_LIST_MAX = 150

COLOURS = {
    "fact": 0x2B6CB0,
    "summary": 0x2F855A,
    "search": 0x4A5568,
    "source": 0x6B46C1,
    "topics": 0x4A5568,
    "miss": 0xC05621,
}


def _field(name: str, value: str, inline: bool = False) -> dict[str, Any]:
    return {
        "name": shorten(name, EMBED_FIELD_NAME_MAX) or "\u200b",
        "value": shorten(value, EMBED_FIELD_VALUE_MAX) or "\u200b",
        "inline": inline,
    }


def _source_field(answer: Answer, n: int | None, fact: Fact) -> dict[str, Any]:
    src = answer.book.source_of(fact)
    label = f"[{n}] " if n is not None else ""
    name = f"{label}{src.publisher} · {src.date}"
    value = md_link(source_name(src), src.url, TITLE_IN_LIST_MAX)
    extra = marks(answer, fact)
    if extra:
        value += " · " + escape_markdown("; ".join(extra))
    if answer.with_quote and fact.quote:
        quote = quote_text(fact, EMBED_FIELD_VALUE_MAX - len(value) - 8)
        if quote:
            value += "\n> " + escape_markdown(quote)
    return _field(escape_markdown(name), value)


def _size(e: dict[str, Any]) -> int:
    total = len(e.get("title", "")) + len(e.get("description", ""))
    total += len(e.get("footer", {}).get("text", "")) + len(e.get("author", {}).get("name", ""))
    return total + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))


def _fit(e: dict[str, Any]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = e.get("fields", [])
    dropped = 0
    while _size(e) > EMBED_TOTAL_MAX and fields:
        fields.pop()
        dropped += 1
    if dropped:
        note = f"…and {plural(dropped, 'more source')} (see the plain form)."
        e["description"] = shorten(e.get("description", ""), EMBED_DESCRIPTION_MAX - len(note) - 1)
        e["description"] += "\n" + note
    over = _size(e) - EMBED_TOTAL_MAX
    if over > 0:
        e["description"] = shorten(e["description"], max(len(e["description"]) - over, 1))
    if not fields:
        e.pop("fields", None)
    return e


def embed_dict(answer: Answer) -> dict[str, Any]:
    """The embed as a dict (``discord.Embed.from_dict`` takes it), within every limit."""
    book = answer.book
    kind = answer.kind
    e: dict[str, Any] = {"type": "rich", "color": COLOURS.get(kind, 0)}
    footer = f"factbot · facts {book.version[:12]}"
    fields: list[dict[str, Any]] = []
    title = heading(answer)
    if kind == "miss":
        description = (
            escape_markdown(answer.text)
            + "\n"
            + did_you_mean(answer, lambda s: f"**{escape_markdown(s)}**")
        )
    elif kind == "topics":
        lines = [escape_markdown(line) for line in answer.text.splitlines()]
        description = fit_items("", lines, EMBED_DESCRIPTION_MAX, and_more("topic"))
    elif kind == "search":
        lines = []
        for i, f in enumerate(answer.facts, start=1):
            src = book.source_of(f)
            lines.append(
                f"**{i}.** `{f.id}` {escape_markdown(f.claim)} "
                f"({md_link(src.publisher, src.url, 80)}, {escape_markdown(src.date)})"
            )
        head = escape_markdown(answer.note) if answer.note else ""
        description = fit_items(head, lines, EMBED_DESCRIPTION_MAX, and_more("fact"))
    elif kind == "summary":
        description = escape_markdown(answer.text)
        if answer.note:
            description += "\n\n*" + escape_markdown(answer.note) + "*"
        fields = [_source_field(answer, i, f) for i, f in enumerate(answer.facts, start=1)]
    else:  # fact, source
        fact = answer.facts[0]
        src = book.source_of(fact)
        title = source_name(src)
        if is_web_url(src.url):
            e["url"] = src.url
        who = src.publisher + (f" ({src.author})" if src.author else "")
        e["author"] = {"name": shorten(who, EMBED_AUTHOR_MAX)}
        parts = [escape_markdown(answer.text)]
        meta = sentence(marks(answer, fact))
        if meta:
            parts.append("*" + escape_markdown(meta) + "*")
        description = "\n".join(parts)
        if answer.with_quote and fact.quote:
            quote = quote_text(fact, EMBED_FIELD_VALUE_MAX - 4) or ""
            fields.append(_field("Quote", "> " + escape_markdown(quote)))
        link = src.url if is_web_url(src.url) else escape_markdown(src.url)
        cited = escape_markdown(citation(src, url=False)) + "\n" + link
        if src.read_at:
            read = src.read_at if is_web_url(src.read_at) else escape_markdown(src.read_at)
            cited += "\nWords read at " + read
        fields.append(_field("Citation", cited))
        if kind == "source" and fact.estimated_by:
            fields.append(_field("Estimated by", escape_markdown(fact.estimated_by)))
        newer = answer.newer()
        if newer is not None:
            nsrc = book.source_of(newer)
            value = escape_markdown(newer.claim) + "\n" + md_link(source_name(nsrc), nsrc.url, 150)
            fields.append(_field(f"Superseded by {newer.id}", value))
        if kind == "source" and fact.reviewed is not None:
            fields.append(_field("Reviewed", fact.reviewed.isoformat(), inline=True))
        footer += f" · fact {fact.id}"
    e["title"] = shorten(escape_markdown(" ".join(title.split())), EMBED_TITLE_MAX)
    e["description"] = shorten(description, EMBED_DESCRIPTION_MAX)
    e["footer"] = {"text": shorten(footer, EMBED_FOOTER_MAX)}
    if fields:
        e["fields"] = fields[:EMBED_FIELDS_MAX]
    return _fit(e)


def to_embed(answer: Answer) -> discord.Embed:
    return discord.Embed.from_dict(embed_dict(answer))
