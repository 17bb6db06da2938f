"""Answers rendered three ways, always inside Discord's limits: plain text, embed dict, JSON.

Owns how an :class:`bot.compose.Answer` looks. ``plain`` is copy-paste text (at most 2,000
characters, a numbered source list with full URLs); ``plain(answer, discord=True)`` is the same
made safe to post (markdown and mentions escaped, links not unfurled). ``embed`` returns a dict
for ``discord.Embed.from_dict`` (no discord import here) with the source linked. ``to_json`` is
the stable shape scripts read.

Text from facts.yaml is escaped wherever Discord would read it as markdown, URLs inside markdown
links are percent-encoded where they would end the link, and the user's query is escaped the
same way (escaping is idempotent, so text escaped earlier is not escaped twice).
When something must give way to a limit, whole items go first ("…and 3 more"), then long
quotes and titles are cut at a sentence or word boundary with an ellipsis; a claim is never cut
except as the very last resort for a claim longer than the limit itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from bot.book import Fact, Source
from bot.compose import Answer
from bot.text import shorten

MESSAGE_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000

QUOTE_MAX = 600  # longest quote shown in a message before it is cut at a sentence
TITLE_IN_LIST_MAX = 150  # longest source title (or publisher) in a source list
HEADING_MAX = 200  # longest heading line of a plain summary
STALE = "review due"

COLOURS = {
    "fact": 0x2B6CB0,
    "summary": 0x2F855A,
    "search": 0x4A5568,
    "source": 0x6B46C1,
    "topics": 0x4A5568,
    "miss": 0xC05621,
}

# -- escaping ------------------------------------------------------------------------------------
_MD = re.compile(r"(https?://[^\s<>]+)|\\([\s\S])|([\\*_~`|\[\]])")  # URL | pair | lone
_LINE_START = re.compile(r"^(\s*)(>|#{1,3}|-#|[-+*](?=\s)|\d+\.(?=\s))", re.MULTILINE)
#: @everyone, @here, a user or role id, and the <@1>, <@!1>, <@&1>, <#1> and </name:1> forms
#: (any digits): a zero-width space goes after the "@", "#" or "/"
_MENTION = re.compile(
    r"@(?=everyone|here|[!&]?[0-9]{17,20}|[!&]?[0-9]+>)"
    r"|(?<=<)#(?=[0-9]+>)"
    r"|(?<=<)/(?=[^<>\s\u200b][^<>]*:[0-9]+>)"
)
_URL_UNSAFE = str.maketrans(
    {"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E", '"': "%22"}
)
_WEB_URL = re.compile(r"https?://\S*")


#: Text without any of these needs no escaping (each pattern above needs one of them).
_MAY_NEED_ESCAPE = re.compile(r"[\\*_~`|\[\]>#+@<-]|\d\.\s")


def escape_markdown(text: str) -> str:
    """Discord markdown and mentions made inert; text escaped already is left as it is."""
    if _MAY_NEED_ESCAPE.search(text) is None:  # most claims: one scan instead of three
        return text
    return _escape_all(text)


def _escape_all(text: str) -> str:
    out = _MD.sub(lambda m: "\\" + m.group(3) if m.group(3) is not None else m.group(0), text)
    out = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
    return _MENTION.sub(lambda m: m.group(0) + "\u200b", out)


def is_web_url(url: str) -> bool:
    """An http(s) URL without whitespace (one that can be a link)."""
    return _WEB_URL.fullmatch(url) is not None


def link_url(url: str) -> str:
    """``url`` with the characters that would end a markdown link percent-encoded."""
    return url.translate(_URL_UNSAFE)


def md_link(title: str, url: str, title_max: int = TITLE_IN_LIST_MAX) -> str:
    """``[title](url)``, or the escaped title and bare URL when the URL is not a web URL."""
    text = escape_markdown(shorten(" ".join(title.split()), title_max))
    if not is_web_url(url):
        return f"{text} {escape_markdown(url)}"
    return f"[{text}]({link_url(url)})"


# -- truncation ----------------------------------------------------------------------------------
def cut(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` within ``limit`` characters, cut at a line or sentence end when possible, then
    at a word, with an ellipsis."""
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    if room <= 0:
        return text[:limit]
    head = text[:room]
    for sep in ("\n", ". ", "? ", "! ", "; "):
        at = head.rfind(sep)
        if at >= room // 2:
            return head[: at + (1 if sep != "\n" else 0)].rstrip() + ellipsis
    return shorten(text, limit, ellipsis)


def fit_items(
    head: str, items: Sequence[str], limit: int, more: Callable[[int], str], sep: str = "\n"
) -> str:
    """``head`` then as many whole ``items`` as fit, and ``more(n)`` for the n left out."""
    out = head
    for i, item in enumerate(items):
        candidate = f"{out}{sep}{item}" if out else item
        left = len(items) - i - 1
        tail = f"{sep}{more(left)}" if left else ""
        if len(candidate) + len(tail) <= limit:
            out = candidate
            continue
        if not out:  # the first item is what the answer is: it stays, cut only if it must
            out = cut(item, limit - len(tail))
            continue
        tail = more(len(items) - i)
        return cut(f"{out}{sep}{tail}", limit)
    return cut(out, limit)


def _and_more(noun: str) -> Callable[[int], str]:
    return lambda n: f"…and {n} more {noun}{'' if n == 1 else 's'}"


# -- shared pieces -----------------------------------------------------------------------------
def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def citation(src: Source, *, url: bool = True, title_max: int = TITLE_IN_LIST_MAX) -> str:
    """Publisher (author), "title", date[, URL] as plain text."""
    who = shorten(src.publisher + (f" ({src.author})" if src.author else ""), title_max)
    title = shorten(" ".join(src.title.split()), title_max)
    return f'{who}, "{title}", {src.date}' + (f", {src.url}" if url else "")


def marks(answer: Answer, fact: Fact) -> list[str]:
    """The short remarks on a fact: as of, secondhand (who reported it), stale."""
    out: list[str] = []
    if fact.as_of:
        out.append(f"as of {fact.as_of}")
    if fact.secondhand:
        out.append(f"secondhand: reported by {answer.book.reporter(fact)}")
    if answer.is_stale(fact):
        out.append(STALE)
    return out


def _sentence(parts: list[str]) -> str:
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _quote_text(fact: Fact, limit: int = QUOTE_MAX) -> str | None:
    if not fact.quote:
        return None
    return "“" + cut(" ".join(fact.quote.split()), limit - 2) + "”"


def _heading(answer: Answer) -> str:
    query = " ".join(answer.query.split())  # one line, whatever the user typed
    if answer.kind == "summary":
        return answer.topic.title if answer.topic else f"Summary: {query}"
    if answer.kind == "search":
        return f"Facts matching: {query}"
    if answer.kind == "topics":
        return "Topics"
    if answer.kind == "miss":
        return "No match"
    return answer.facts[0].id if answer.facts else ""


def _did_you_mean(answer: Answer, esc: Callable[[str], str]) -> str:
    if not answer.suggestions:
        return "Nothing close. The topics list shows what the book covers."
    names = [esc(s) for s in answer.suggestions]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"Did you mean {listed}?"


# -- plain ---------------------------------------------------------------------------------------
def plain(answer: Answer, *, discord: bool = False) -> str:
    """Plain text of at most 2,000 characters: the answer, then numbered sources with full URLs.

    ``discord=True`` escapes markdown and mentions and wraps URLs in <...> (no link previews),
    for posting the text as a Discord message.
    """
    esc: Callable[[str], str] = escape_markdown if discord else (lambda s: s)

    def url(u: str) -> str:
        return f"<{u}>" if discord and is_web_url(u) else u

    def cite(f: Fact) -> str:
        src = answer.book.source_of(f)
        return esc(citation(src, url=False)) + ", " + url(src.url)

    kind = answer.kind
    if kind == "miss":
        return cut(f"{esc(answer.text)}\n{_did_you_mean(answer, esc)}", MESSAGE_MAX)
    if kind == "topics":
        return fit_items(
            "Topics:",
            [esc(line) for line in answer.text.splitlines()],
            MESSAGE_MAX,
            _and_more("topic"),
        )
    if kind == "search":
        head = esc(answer.note) if answer.note else ""
        lines = [
            f"{i}. {esc(f.id)}: {esc(f.claim)} ({esc(answer.book.source_of(f).publisher)}, "
            f"{answer.book.source_of(f).date})"
            for i, f in enumerate(answer.facts, start=1)
        ]
        return fit_items(head, lines, MESSAGE_MAX, _and_more("fact"))
    if kind == "summary":
        head = esc(shorten(_heading(answer), HEADING_MAX)) + "\n" + esc(answer.text)
        if answer.note:
            head += "\n" + esc(answer.note)
        sources = []
        for i, f in enumerate(answer.facts, start=1):
            line = f"[{i}] {cite(f)}"
            extra = marks(answer, f)
            if extra:
                line += f" ({esc('; '.join(extra))})"
            quote = _quote_text(f, 300) if answer.with_quote else None
            if quote:
                line += "\n    " + esc(quote)
            sources.append(line)
        return fit_items(head + "\nSources:", sources, MESSAGE_MAX, _and_more("source"))
    # fact and source answers
    fact = answer.facts[0]
    lines = [esc(answer.text)]
    meta = _sentence(marks(answer, fact))
    if meta:
        lines.append(esc(meta))
    quote = _quote_text(fact) if answer.with_quote else None
    if quote:
        lines.append("Quote: " + esc(quote))
    lines.append("Source: " + cite(fact))
    newer = answer.newer()
    if newer is not None:
        lines.append(f"Superseded by {esc(newer.id)}: {esc(newer.claim)}")
        lines.append("Its source: " + cite(newer))
    if kind == "source" and fact.reviewed is not None:
        lines.append(f"Reviewed {fact.reviewed.isoformat()}.")
    return fit_items("", lines, MESSAGE_MAX, _and_more("line"))


# -- embed ---------------------------------------------------------------------------------------
def _field(name: str, value: str, inline: bool = False) -> dict[str, Any]:
    return {
        "name": cut(name, FIELD_NAME_MAX) or "\u200b",
        "value": cut(value, FIELD_VALUE_MAX) or "\u200b",
        "inline": inline,
    }


def _source_field(answer: Answer, n: int | None, fact: Fact) -> dict[str, Any]:
    src = answer.book.source_of(fact)
    label = f"[{n}] " if n is not None else ""
    name = f"{label}{src.publisher} · {src.date}"
    value = md_link(src.title, src.url)
    extra = marks(answer, fact)
    if extra:
        value += " · " + escape_markdown("; ".join(extra))
    if answer.with_quote and fact.quote:
        quote = _quote_text(fact, FIELD_VALUE_MAX - len(value) - 8)
        if quote:
            value += "\n> " + escape_markdown(quote)
    return _field(escape_markdown(name), value)


def _size(e: dict[str, Any]) -> int:
    total = len(e.get("title", "")) + len(e.get("description", ""))
    total += len(e.get("footer", {}).get("text", "")) + len(e.get("author", {}).get("name", ""))
    return total + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))


def _fit_embed(e: dict[str, Any]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = e.get("fields", [])
    dropped = 0
    while _size(e) > EMBED_TOTAL_MAX and fields:
        fields.pop()
        dropped += 1
    if dropped:
        note = f"…and {_plural(dropped, 'more source')} (see the plain form)."
        e["description"] = cut(e.get("description", ""), DESCRIPTION_MAX - len(note) - 1)
        e["description"] += "\n" + note
    over = _size(e) - EMBED_TOTAL_MAX
    if over > 0:
        e["description"] = cut(e["description"], max(len(e["description"]) - over, 1))
    if not fields:
        e.pop("fields", None)
    return e


def embed(answer: Answer) -> dict[str, Any]:
    """A dict for ``discord.Embed.from_dict``, within every embed limit."""
    book = answer.book
    kind = answer.kind
    e: dict[str, Any] = {"type": "rich", "color": COLOURS.get(kind, 0)}
    footer = f"factbot · facts {book.version[:12]}"
    fields: list[dict[str, Any]] = []
    title = _heading(answer)
    if kind == "miss":
        bold: Callable[[str], str] = lambda s: f"**{escape_markdown(s)}**"  # noqa: E731
        description = f"{escape_markdown(answer.text)}\n{_did_you_mean(answer, bold)}"
    elif kind == "topics":
        lines = [escape_markdown(line) for line in answer.text.splitlines()]
        description = fit_items("", lines, DESCRIPTION_MAX, _and_more("topic"))
    elif kind == "search":
        lines = []
        for i, f in enumerate(answer.facts, start=1):
            src = book.source_of(f)
            lines.append(
                f"**{i}.** `{f.id}` {escape_markdown(f.claim)} "
                f"({md_link(src.publisher, src.url, 80)}, {escape_markdown(src.date)})"
            )
        head = escape_markdown(answer.note) if answer.note else ""
        description = fit_items(head, lines, DESCRIPTION_MAX, _and_more("fact"))
    elif kind == "summary":
        description = escape_markdown(answer.text)
        if answer.note:
            description += "\n\n*" + escape_markdown(answer.note) + "*"
        fields = [_source_field(answer, i, f) for i, f in enumerate(answer.facts, start=1)]
    else:  # fact, source
        fact = answer.facts[0]
        src = book.source_of(fact)
        title = src.title
        if is_web_url(src.url):
            e["url"] = src.url
        e["author"] = {
            "name": cut(src.publisher + (f" ({src.author})" if src.author else ""), AUTHOR_MAX)
        }
        parts = [escape_markdown(answer.text)]
        meta = _sentence(marks(answer, fact))
        if meta:
            parts.append("*" + escape_markdown(meta) + "*")
        description = "\n".join(parts)
        if answer.with_quote and fact.quote:
            quote = _quote_text(fact, FIELD_VALUE_MAX - 4) or ""
            fields.append(_field("Quote", "> " + escape_markdown(quote)))
        fields.append(
            _field(
                "Citation",
                escape_markdown(citation(src, url=False))
                + "\n"
                + (src.url if is_web_url(src.url) else escape_markdown(src.url)),
            )
        )
        newer = answer.newer()
        if newer is not None:
            nsrc = book.source_of(newer)
            fields.append(
                _field(
                    f"Superseded by {newer.id}",
                    escape_markdown(newer.claim) + "\n" + md_link(nsrc.title, nsrc.url),
                )
            )
        if kind == "source" and fact.reviewed is not None:
            fields.append(_field("Reviewed", fact.reviewed.isoformat(), inline=True))
        footer += f" · fact {fact.id}"
    e["title"] = cut(escape_markdown(" ".join(title.split())), TITLE_MAX)
    e["description"] = cut(description, DESCRIPTION_MAX)
    e["footer"] = {"text": cut(footer, FOOTER_MAX)}
    if fields:
        e["fields"] = fields[:FIELDS_MAX]
    return _fit_embed(e)


# -- JSON ----------------------------------------------------------------------------------------
def fact_json(answer: Answer, fact: Fact) -> dict[str, Any]:
    src = answer.book.source_of(fact)
    return {
        "id": fact.id,
        "claim": fact.claim,
        "as_of": fact.as_of,
        "confidence": fact.confidence,
        "source": {
            "id": src.id,
            "title": src.title,
            "publisher": src.publisher,
            "date": src.date,
            "url": src.url,
        },
    }


def to_json(answer: Answer) -> dict[str, Any]:
    """``{"query", "kind", "text", "facts": [...], "suggestions"}``; facts in citation order."""
    return {
        "query": answer.query,
        "kind": answer.kind,
        "text": answer.text,
        "facts": [fact_json(answer, f) for f in answer.facts],
        "suggestions": list(answer.suggestions),
    }
