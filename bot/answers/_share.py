"""Share-ready short answers: at most 280 characters with one source link, for social posts.

This module owns the ``short`` form of ``/fact`` and ``/summary``. A short answer is one or more
claims copied verbatim from facts.yaml, a very short attribution when it fits, and the full URL of
their one source, counted at its full length (no link shortener is assumed). A claim is never
cut: the best-ranked fact that fits is chosen instead, and when nothing fits the answer is None.
Superseded facts are never chosen. A secondhand fact always says who reported it, in a credit
("(reported by AFP)") or in its own claim ("..., AP reported."); if neither fits, it is not used.

It chooses among the answer's own ranked candidates (the search behind the answer), so a
post never searches again. The email/document form is ``plain``. No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.answers._compose import Answer, newest
from bot.answers._summary import RELEVANCE_FLOOR
from bot.factbook import Fact, FactBook

#: The limit of a short answer, URL included at full length.
SHORT_LIMIT = 280
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


def ranked_facts(answer: Answer) -> list[Fact]:
    """The answer's candidates that answer its query and score at least
    :data:`RELEVANCE_FLOOR` of the best one (so a post does not drift to a barely related
    fact because the good ones are too long), best first.
    """
    hits = [h for h in answer.candidates if h.answers]
    floor = hits[0].score * RELEVANCE_FLOOR if hits else 0.0
    return [h.fact for h in hits if h.score >= floor]


def short_answer(answer: Answer, limit: int = SHORT_LIMIT) -> str | None:
    """The short form of an answer, or None when nothing fits.

    A fact answer starts from its fact (the newer one when it is superseded); a summary from its
    chosen facts, verified ones first, and adds same-source claims while they fit. Either falls
    back on the answer's other candidates. Topic lists and misses have no short form.
    """
    book = answer.book
    if answer.kind in ("fact", "source"):
        first = _current(book, answer.facts[0]) if answer.facts else []
        return short_from_facts(book, first + ranked_facts(answer), limit)
    if answer.kind in ("summary", "search"):
        chosen = sorted(answer.facts, key=lambda f: f.secondhand)
        return short_from_facts(book, chosen + ranked_facts(answer), limit, combine=True)
    return None
