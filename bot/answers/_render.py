"""Answers as plain text and as JSON, and the pieces every other form shares.

Owns how an :class:`Answer` reads as text: the citation line of a source (a source without a
title is named by its publisher and date; words read on another page say where), the remarks on
a fact (as of, who first made a repeated figure, secondhand, review due), the heading, "did you
mean", and :func:`plain`, copy-paste text with a numbered source list and full URLs. The
Discord layer renders embeds from the same pieces and passes its own escaping, link style and
message limit to :func:`plain`.
:func:`to_json` is the stable shape scripts read.

When something must give way to a limit, whole items go first ("…and 3 more"), then long quotes
and titles are shortened at a sentence or word; a claim is never cut except as the very last
resort for a claim longer than the limit itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.answers._compose import Answer
from bot.factbook import Fact, Source
from bot.words import plural, shorten

QUOTE_MAX = 600  # longest quote shown before it is shortened at a sentence
TITLE_IN_LIST_MAX = 150  # longest source title (or publisher) in a source list
HEADING_MAX = 200  # longest heading line of a plain summary
STALE = "review due"

Text = Callable[[str], str]


def _same(text: str) -> str:
    return text


def source_name(src: Source) -> str:
    """What a source is called: its title, or its publisher and date when no title was seen."""
    return " ".join(src.title.split()) if src.title else f"{src.publisher}, {src.date}"


def citation(src: Source, *, url: bool = True, title_max: int = TITLE_IN_LIST_MAX) -> str:
    """Publisher (author), "title", date[, URL] as plain text; without a title (none was seen
    on the page), publisher (author), date.
    """
    who = shorten(src.publisher + (f" ({src.author})" if src.author else ""), title_max)
    text = f"{who}, {src.date}"
    if src.title:
        text = f'{who}, "{shorten(" ".join(src.title.split()), title_max)}", {src.date}'
    if url:
        text += f", {src.url}" + read_at_note(src)
    return text


def read_at_note(src: Source, link: Text = _same) -> str:
    """The note " (words read at URL)" for words read on another page, else nothing."""
    return f" (words read at {link(src.read_at)})" if src.read_at else ""


def marks(answer: Answer, fact: Fact) -> list[str]:
    """The short remarks on a fact: as of, who first made its figure, secondhand (who
    reported it), stale.
    """
    out: list[str] = []
    if fact.as_of:
        out.append(f"as of {fact.as_of}")
    first = answer.book.credit(fact)
    if first:
        out.append(first)
    if fact.secondhand:
        out.append(f"secondhand: reported by {answer.book.reporter(fact)}")
    if answer.is_stale(fact):
        out.append(STALE)
    return out


def sentence(parts: list[str]) -> str:
    """Remarks as one sentence: "As of 2015; review due."."""
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def quote_text(fact: Fact, limit: int = QUOTE_MAX) -> str | None:
    """The fact's quote in curly quotes, on one line, within ``limit``."""
    if not fact.quote:
        return None
    return "“" + shorten(" ".join(fact.quote.split()), limit - 2) + "”"


def heading(answer: Answer) -> str:
    """The answer's title line: a topic, "Summary: ...", "Facts matching: ...", a fact id."""
    query = " ".join(answer.query.split())  # one line, whatever the user typed
    if answer.kind == "summary":
        return answer.topic.title if answer.topic else f"Summary: {query}"
    if answer.kind == "search":
        return f"Facts matching: {query}"
    if answer.kind == "topics":
        return "Topics"
    if answer.kind == "miss":
        return "Not in the book"
    return answer.facts[0].id if answer.facts else ""


def did_you_mean(answer: Answer, esc: Text = _same) -> str:
    """What to try after a miss, "Try X, Y or Z." (each suggestion through ``esc``)."""
    if not answer.suggestions:
        return "The topics list shows what the book covers."
    names = [esc(s) for s in answer.suggestions]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"Try {listed}."


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
            out = shorten(item, limit - len(tail))
            continue
        tail = more(len(items) - i)
        return shorten(f"{out}{sep}{tail}", limit)
    return shorten(out, limit)


def and_more(noun: str) -> Callable[[int], str]:
    """The "…and 3 more facts" note for what ``fit_items`` leaves out."""
    return lambda n: f"…and {plural(n, 'more ' + noun)}"


def plain(
    answer: Answer, *, escape: Text = _same, link: Text = _same, limit: int = 1_000_000
) -> str:
    """The answer as plain text: the answer, then numbered sources with full URLs.

    ``escape`` is applied to every piece of text from the book or the user, ``link`` to every
    URL (the Discord layer escapes markdown and wraps URLs in <...>), and the text is kept
    within ``limit`` characters.
    """
    esc = escape
    book = answer.book

    def cite(f: Fact) -> str:
        src = book.source_of(f)
        return esc(citation(src, url=False)) + ", " + link(src.url) + read_at_note(src, link)

    kind = answer.kind
    if kind == "miss":
        return shorten(f"{esc(answer.text)}\n{did_you_mean(answer, esc)}", limit)
    if kind == "topics":
        lines = [esc(line) for line in answer.text.splitlines()]
        return fit_items("Topics:", lines, limit, and_more("topic"))
    if kind == "search":
        head = esc(answer.note) if answer.note else ""
        lines = [
            f"{i}. {esc(f.id)}: {esc(f.claim)} ({esc(book.source_of(f).publisher)}, "
            f"{book.source_of(f).date})"
            for i, f in enumerate(answer.facts, start=1)
        ]
        return fit_items(head, lines, limit, and_more("fact"))
    if kind == "summary":
        head = esc(shorten(heading(answer), HEADING_MAX)) + "\n" + esc(answer.text)
        if answer.note:
            head += "\n" + esc(answer.note)
        sources = []
        for i, f in enumerate(answer.facts, start=1):
            line = f"[{i}] {cite(f)}"
            extra = marks(answer, f)
            if extra:
                line += f" ({esc('; '.join(extra))})"
            quote = quote_text(f, 300) if answer.with_quote else None
            if quote:
                line += "\n    " + esc(quote)
            sources.append(line)
        return fit_items(head + "\nSources:", sources, limit, and_more("source"))
    # fact and source answers
    fact = answer.facts[0]
    lines = [esc(answer.text)]
    meta = sentence(marks(answer, fact))
    if meta:
        lines.append(esc(meta))
    quote = quote_text(fact) if answer.with_quote else None
    if quote:
        lines.append("Quote: " + esc(quote))
    lines.append("Source: " + cite(fact))
    newer = answer.newer()
    if newer is not None:
        lines.append(f"Superseded by {esc(newer.id)}: {esc(newer.claim)}")
        lines.append("Its source: " + cite(newer))
    if kind == "source" and fact.estimated_by:
        lines.append(f"Estimated by: {esc(fact.estimated_by)}.")
    if kind == "source" and fact.reviewed is not None:
        lines.append(f"Reviewed {fact.reviewed.isoformat()}.")
    return fit_items("", lines, limit, and_more("line"))


def fact_json(answer: Answer, fact: Fact) -> dict[str, Any]:
    book = answer.book
    src = book.source_of(fact)
    return {
        "id": fact.id,
        "claim": fact.claim,
        "as_of": fact.as_of,
        "confidence": fact.confidence,
        "estimated_by": fact.estimated_by,
        "first_made_by": book.origin(fact).id if book.repeated_by(fact) else None,
        "credit": book.credit(fact),
        "source": {
            "id": src.id,
            "title": src.title,
            "publisher": src.publisher,
            "date": src.date,
            "url": src.url,
            "read_at": src.read_at,
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
