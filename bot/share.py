"""Share-ready short answers: at most 280 characters with one source link, for social posts.

This module owns the ``short`` form of ``/fact`` and ``/summary``. A short answer is one or more
claims copied verbatim from facts.yaml, a very short attribution when it fits, and the full URL of
their one source, counted at its full length (no link shortener is assumed). A claim is never
cut: the best-ranked fact that fits is chosen instead, and when nothing fits the answer is None.
Superseded facts are never chosen. A secondhand fact always says who reported it, in a credit
("(reported by AFP)") or in its own claim ("..., AP reported."); if neither fits, it is not used.

The email/document form is :func:`bot.render.plain`. No I/O and no discord import here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.book import Fact, FactBook
from bot.compose import RELEVANCE_FLOOR, Answer, fact_answer, newest, summary_answer
from bot.search import find_fact, search

#: The limit of a short answer, URL included at full length.
SHORT_LIMIT = 280
#: How many ranked search hits are considered before giving up.
CANDIDATES = 20
#: Where the name in a credit line ends: "AP, republished by ...", "News1 (Korea)", "X via Y".
_NAME_END = re.compile(r"[,;(]| via | citing | quoting | reporting | summari[sz]ing ")
#: What to say instead when no fact fits (the Discord layer may offer ``format:plain``).
NOTHING_FITS = (
    f"No fact on this fits in a {SHORT_LIMIT}-character post with its source link (a claim is"
    " never cut). Try format: plain."
)


def _lead_name(who: str) -> str:
    """The name a credit line starts with: "AP" of "AP, republished by Head Topics"."""
    return _NAME_END.split(who, maxsplit=1)[0].strip()


def names_reporter(book: FactBook, fact: Fact) -> bool:
    """Whether a secondhand claim itself says who reported it ("..., AP reported.")."""
    publisher = book.source_of(fact).publisher
    for who in (fact.reported_by, publisher):
        name = _lead_name(who) if who else ""
        if len(name) >= 2 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", fact.claim):
            return True
    return False


def attributions(book: FactBook, fact: Fact) -> tuple[str, ...]:
    """The attributions to try for a fact, longest first; "" means none is needed.

    Verified: "(Publisher, 2015)", else nothing. Secondhand: "(reported by X)" with X its
    ``reported_by``, else the linked source's publisher; nothing only when the claim already
    names who reported it.
    """
    source = book.source_of(fact)
    if fact.secondhand:
        credits = dict.fromkeys(
            f"(reported by {who})" for who in (fact.reported_by, source.publisher) if who
        )
        return (*credits, "") if names_reporter(book, fact) else tuple(credits)
    year = source.date[:4]
    return (f"({source.publisher}, {year})" if year else f"({source.publisher})", "")


def _group_key(book: FactBook, fact: Fact) -> tuple[str, tuple[str, ...]]:
    """Facts that can share one short post: same link and same attribution."""
    return book.source_of(fact).url, attributions(book, fact)


def compose_short(book: FactBook, facts: Iterable[Fact], limit: int = SHORT_LIMIT) -> str | None:
    """Claims of ``facts`` (one source) + attribution + URL within ``limit``, or None.

    Tries the attribution first and drops it only if that is what makes the text fit.
    """
    group = list(facts)
    if not group:
        return None
    url = book.source_of(group[0]).url
    claims = " ".join(f.claim.strip() for f in group)
    for attribution in attributions(book, group[0]):
        text = " ".join(part for part in (claims, attribution, url) if part)
        if len(text) <= limit:
            return text
    return None


def _unique_current(book: FactBook, facts: Iterable[Fact]) -> Iterator[Fact]:
    seen: set[str] = set()
    for fact in facts:
        if fact.superseded_by is None and fact.id not in seen:
            seen.add(fact.id)
            yield fact


def _ends_sentence(claim: str) -> bool:
    """Claims are only run together when the one before ends its sentence."""
    return claim.rstrip().rstrip("\"'”’)").endswith((".", "!", "?", "…"))


def short_from_facts(
    book: FactBook, ranked: Iterable[Fact], limit: int = SHORT_LIMIT, *, combine: bool = False
) -> str | None:
    """The short form of the best-ranked fact in ``ranked`` that fits, or None.

    With ``combine``, further facts from the same source (and attribution) are added after it,
    in rank order, while the whole still fits and each claim before ends its sentence: a
    summary in one post and one link.
    """
    candidates = list(_unique_current(book, ranked))
    for i, first in enumerate(candidates):
        text = compose_short(book, [first], limit)
        if text is None:
            continue
        if combine:
            chosen = [first]
            key = _group_key(book, first)
            for other in candidates[i + 1 :]:
                if (
                    _group_key(book, other) != key
                    or not _ends_sentence(chosen[-1].claim)
                    or other.claim.strip() in {f.claim.strip() for f in chosen}
                ):
                    continue
                longer = compose_short(book, [*chosen, other], limit)
                if longer is not None:
                    chosen.append(other)
                    text = longer
        return text
    return None


def _current(book: FactBook, fact: Fact) -> list[Fact]:
    """The fact in force for ``fact`` (itself or the end of its chain), or [] if none is."""
    new = newest(book, fact)
    return [new] if new.superseded_by is None else []


def ranked_facts(book: FactBook, query: str, limit: int = CANDIDATES) -> list[Fact]:
    """Facts for ``query``, best first: an exact fact id (or its newer fact), then the search
    hits that score at least :data:`bot.compose.RELEVANCE_FLOOR` of the best one (so a post
    does not drift to a barely related fact because the good ones are too long)."""
    exact = find_fact(book, query)
    out = _current(book, exact) if exact is not None else []
    hits = search(book, query, limit=limit)
    floor = hits[0].score * RELEVANCE_FLOOR if hits else 0.0
    return out + [hit.fact for hit in hits if hit.score >= floor]


def short_answer(answer: Answer, limit: int = SHORT_LIMIT) -> str | None:
    """The short form of an answer from :mod:`bot.compose`, or None when nothing fits.

    A fact answer starts from its fact (the newer one when it is superseded); a summary from its
    chosen facts, verified ones first, and adds same-source claims while they fit. Either falls
    back on the other search hits for the query. Topic lists and misses have no short form.
    """
    book = answer.book
    if answer.kind in ("fact", "source"):
        first = _current(book, answer.facts[0]) if answer.facts else []
        return short_from_facts(book, first + ranked_facts(book, answer.query), limit)
    if answer.kind in ("summary", "search"):
        chosen = sorted(answer.facts, key=lambda f: f.secondhand)
        ranked = chosen + ranked_facts(book, answer.query)
        return short_from_facts(book, ranked, limit, combine=True)
    return None


def short_fact(book: FactBook, query: str, limit: int = SHORT_LIMIT) -> str | None:
    """A social post for ``query``: the best-ranked single fact that fits, or None."""
    return short_answer(fact_answer(book, query), limit)


def short_summary(book: FactBook, query: str, limit: int = SHORT_LIMIT) -> str | None:
    """A social post summing up ``query``: the summary's best fact that fits, verified first,
    with further claims from the same source while the post still fits; or None."""
    return short_answer(summary_answer(book, query), limit)
