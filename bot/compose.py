"""Answers from a FactBook: the best fact, a short cited summary, search lists, citations.

Owns what an answer says, never how it looks (that is :mod:`bot.render`). Every statement in an
answer is a fact's claim copied verbatim from facts.yaml; the only words added are short
labels ("As of 2015: ", "Reported by AFP: ") and citation markers ("[1]").

A summary picks 2 to 5 facts for coverage: relevant ones first, verified ones preferred,
near-duplicates (same figures, mostly the same words) skipped, superseded facts never used.
Two facts that give different figures for the same thing are both kept, each with its date.
The chosen facts appear in the curators' order and the paragraph stays within 700 characters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, overload

from bot.book import Fact, FactBook, Topic
from bot.search import Hit, fact_words, find_fact, resolve_topic, search, suggest, suggest_facts

Kind = Literal["fact", "summary", "search", "source", "topics", "miss"]

SUMMARY_MAX_CHARS = 700
SUMMARY_MAX_FACTS = 5
SUMMARY_CANDIDATES = 12
#: How many candidates (best first, or a topic's first facts) a summary weighs.
SUMMARY_POOL = 12
SEARCH_LIMIT = 10
#: A fact answer first looks at this many hits, and at SEARCH_LIMIT only when they do not
#: settle which fact is best (see ``_best``): a shorter list is cheaper to rank.
FIRST_LOOK = 3
#: A verified fact scoring at least this share of a secondhand best hit answers instead.
VERIFIED_PREFERENCE = 0.9
#: A free-query summary only uses hits scoring at least this share of the best hit.
RELEVANCE_FLOOR = 0.3
#: Claim word overlap (Jaccard) above which two facts with the same figures are duplicates.
DUPLICATE_OVERLAP = 0.6
#: Lower bar when the two facts also share their source.
DUPLICATE_OVERLAP_SAME_SOURCE = 0.45
#: Word overlap above which two facts with different figures describe the same thing.
CONFLICT_OVERLAP = 0.25
#: Lower bar when the two facts are filed under a common topic (curators grouped them).
CONFLICT_OVERLAP_SAME_TOPIC = 0.1
# Summary choice: utility = relevance + verified bonus - overlap with chosen facts (+ conflict).
VERIFIED_BONUS = 0.15
CONFLICT_BONUS = 0.3
OVERLAP_PENALTY = 0.6
SAME_SOURCE_PENALTY = 0.15

MISS_TEXT = "No fact matches."
UNKNOWN_ID_TEXT = "No fact has this id."


@dataclass(frozen=True)
class Answer:
    """What the engine says; :mod:`bot.render` turns it into an embed, plain text or JSON."""

    query: str
    kind: Kind
    text: str  # the claim, or the stitched paragraph with [n] markers
    facts: tuple[Fact, ...]  # citation order: facts[0] is [1]
    book: FactBook  # the book it was answered from (citations come from here)
    suggestions: tuple[str, ...] = ()
    with_quote: bool = False
    today: dt.date | None = None  # set: stale facts get a marker
    topic: Topic | None = None  # the topic a summary is about, when it named one
    note: str | None = None  # a short remark from the engine (e.g. only one fact matched)

    def newer(self) -> Fact | None:
        """For a fact or source answer about a superseded fact: the fact that replaces it."""
        if self.kind in ("fact", "source") and len(self.facts) == 2:
            old, new = self.facts
            if old.superseded_by is not None:
                return new
        return None

    def is_stale(self, fact: Fact) -> bool:
        return self.today is not None and self.book.is_stale(fact, self.today)


# -- helpers ---------------------------------------------------------------------------------
def newest(book: FactBook, fact: Fact) -> Fact:
    """The end of ``fact``'s ``superseded_by`` chain (``fact`` itself if the chain breaks)."""
    seen = {fact.id}
    current = fact
    while current.superseded_by is not None:
        newer = book.fact(current.superseded_by)
        if newer is None or newer.id in seen:
            return current
        seen.add(newer.id)
        current = newer
    return current


def _miss(
    book: FactBook, query: str, suggestions: list[str], today: dt.date | None, text: str = MISS_TEXT
) -> Answer:
    return Answer(query, "miss", text, (), book, tuple(suggestions), today=today)


def _with_newer(book: FactBook, fact: Fact) -> tuple[Fact, ...]:
    if fact.superseded_by is None:
        return (fact,)
    new = newest(book, fact)
    return (fact,) if new is fact else (fact, new)


# -- fact --------------------------------------------------------------------------------------
def fact_answer(
    book: FactBook, query: str, *, quote: bool = False, today: dt.date | None = None
) -> Answer:
    """The best fact for ``query`` (a fact id wins outright). A superseded fact is only the
    answer when asked for by id or when nothing current matches; its answer then carries the
    newer fact as [2]."""
    fact = find_fact(book, query)
    if fact is None:
        hits = search(book, query, limit=FIRST_LOOK)
        if not hits:
            return _miss(book, query, suggest(book, query), today)
        fact = _best(hits, complete=len(hits) < FIRST_LOOK)
        if fact is None:
            fact = _best(search(book, query, limit=SEARCH_LIMIT), complete=True)
    return Answer(
        query, "fact", fact.claim, _with_newer(book, fact), book, with_quote=quote, today=today
    )


@overload
def _best(hits: list[Hit], complete: Literal[True]) -> Fact: ...
@overload
def _best(hits: list[Hit], complete: bool) -> Fact | None: ...
def _best(hits: list[Hit], complete: bool) -> Fact | None:
    """The first current hit, or a verified one nearly as good; a superseded hit only when
    nothing current matched. ``hits`` are the best ones in order; unless ``complete`` (every
    hit there is), None when the hits after them could change the choice."""
    current = [h for h in hits if h.fact.superseded_by is None]
    if not current:
        return hits[0].fact if complete else None
    top = current[0]
    if top.fact.secondhand:
        for h in current[1:]:
            if h.score < VERIFIED_PREFERENCE * top.score:
                break
            if not h.fact.secondhand:
                return h.fact
        else:
            if not complete:
                return None
    return top.fact


def source_answer(book: FactBook, fact_id: str, *, today: dt.date | None = None) -> Answer:
    """A fact's full citation and quote; kind "miss" (with close ids) for an unknown id."""
    fact = find_fact(book, fact_id)
    if fact is None:
        return _miss(book, fact_id, suggest_facts(book, fact_id), today, UNKNOWN_ID_TEXT)
    return Answer(
        fact_id, "source", fact.claim, _with_newer(book, fact), book, with_quote=True, today=today
    )


def search_answer(
    book: FactBook, query: str, limit: int = SEARCH_LIMIT, *, today: dt.date | None = None
) -> Answer:
    """Up to ``limit`` matching facts, best first, one line each with its id."""
    hits = search(book, query, limit=limit)
    if not hits:
        return _miss(book, query, suggest(book, query), today)
    facts = tuple(h.fact for h in hits)
    text = "\n".join(f"{f.id}: {f.claim}" for f in facts)
    return Answer(query, "search", text, facts, book, today=today)


def topics_answer(book: FactBook) -> Answer:
    """The topics in the curators' order, with how many facts each holds."""
    counts = book.topic_counts()
    lines = [
        f"{t.title} ({t.id}): {counts[t.id]} fact{'' if counts[t.id] == 1 else 's'}"
        for t in book.topics.values()
    ]
    return Answer("", "topics", "\n".join(lines), (), book)


# -- summary -----------------------------------------------------------------------------------
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_FIGURE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(thousand|million|billion|bn|m)\b)?", re.I)
_SCALE = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'(\[])")
_OPENERS = "(\"'“‘["  # punctuation that may open an abbreviation: "(No. 29)"
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "no", "vs", "inc", "ltd", "co", "jr"})


def figures(fact: Fact) -> frozenset[float]:
    """The figures a claim states, scaled by a following "thousand"/"million"/"billion";
    years excluded (a year dates a figure, it is not one)."""
    return _claim_figures(fact.claim)


@lru_cache(maxsize=65536)
def _claim_figures(claim: str) -> frozenset[float]:
    out: set[float] = set()
    for m in _FIGURE.finditer(claim):
        digits = m.group(1).replace(",", "")
        if _YEAR.match(digits):
            continue
        scale = _SCALE.get((m.group(2) or "").lower(), 1.0)
        out.add(float(digits) * scale)
    return frozenset(out)


def _comparable(a: frozenset[float], b: frozenset[float]) -> bool:
    """Two figure sets that differ and hold figures of the same order of magnitude."""
    return a != b and any(0.1 <= x / y <= 10 for x in a for y in b if x and y)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    common = len(a & b)
    union = len(a) + len(b) - common  # without building the union
    return common / union if union else 0.0


@dataclass(frozen=True, slots=True)
class _Traits:
    """What the summary's choice compares between facts, computed once per candidate."""

    fact: Fact
    words: frozenset[str]
    figures: frozenset[float]
    topics: frozenset[str]

    @classmethod
    def of(cls, book: FactBook, fact: Fact) -> _Traits:
        return cls(fact, fact_words(book, fact), figures(fact), frozenset(fact.topics))

    def conflicts(self, other: _Traits, overlap: float | None = None) -> bool:
        """Different figures of the same order of magnitude about what looks like the same
        thing: enough words in common, fewer needed when a curator filed both under a topic."""
        bar = CONFLICT_OVERLAP_SAME_TOPIC if self.topics & other.topics else CONFLICT_OVERLAP
        if (overlap if overlap is not None else _overlap(self.words, other.words)) < bar:
            return False
        return _comparable(self.figures, other.figures)

    def duplicates(self, other: _Traits, overlap: float | None = None) -> bool:
        if self.figures != other.figures:
            return False
        same = self.fact.source == other.fact.source
        bar = DUPLICATE_OVERLAP_SAME_SOURCE if same else DUPLICATE_OVERLAP
        return (overlap if overlap is not None else _overlap(self.words, other.words)) >= bar


def conflicting(book: FactBook, a: Fact, b: Fact) -> bool:
    """True when two facts give different figures for what looks like the same thing."""
    return _Traits.of(book, a).conflicts(_Traits.of(book, b))


def duplicates(book: FactBook, a: Fact, b: Fact) -> bool:
    """True when ``b`` adds nothing to ``a``: same figures and mostly the same words."""
    return _Traits.of(book, a).duplicates(_Traits.of(book, b))


def split_sentences(claim: str) -> list[str]:
    """A claim's sentences (most claims are one); abbreviations like "U.S." do not split."""
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(claim):
        before = claim[start : m.start()].rsplit(" ", 1)[-1].rstrip(".!?").lstrip(_OPENERS)
        before = before.lower()
        if "." in before or len(before) <= 1 or before in _ABBREVIATIONS:
            continue
        parts.append(claim[start : m.start()])
        start = m.end()
    parts.append(claim[start:])
    return parts


def short_reporter(book: FactBook, fact: Fact) -> str:
    """The reporter's name without its qualifications ("AP, republished by X" -> "AP")."""
    who = book.reporter(fact)
    return who.split(", ")[0].strip() or who


def _label(book: FactBook, fact: Fact, dated: bool) -> str:
    """ "As of 2015: " unless the claim already states that date; "Published <source date>: "
    for a disputed figure without ``as_of``; "reported by X" for a secondhand fact unless the
    claim already names X. The full details are in the source list."""
    when = ""
    if fact.as_of:
        if fact.as_of not in fact.claim:
            when = f"As of {fact.as_of}"
    elif dated:
        when = f"Published {book.source_of(fact).date}"
    who = ""
    if fact.secondhand:
        name = short_reporter(book, fact)
        if name not in fact.claim:
            who = f"reported by {name}"
    if when and who:
        return f"{when}, {who}: "
    if who:
        return f"{who[0].upper()}{who[1:]}: "
    return f"{when}: " if when else ""


def segment(book: FactBook, fact: Fact, n: int, *, dated: bool) -> str:
    """One fact as summary text: optional label, the claim verbatim, ``[n]`` after every
    sentence (a final full stop is added when the claim has none)."""
    marker = f"[{n}]"
    sentences = split_sentences(fact.claim.strip())
    last = sentences[-1]
    if last and last[-1] not in ".!?":
        sentences[-1] = last + "."
    body = " ".join(s + marker for s in sentences)
    return _label(book, fact, dated) + body


def _max_segment_size(book: FactBook, fact: Fact) -> int:
    """An upper bound of ``len(segment(...))`` for any marker up to [9], without building it."""
    claim = fact.claim.strip()
    sentences = 1 + sum(claim.count(end) for end in (". ", "! ", "? "))
    return len(_label(book, fact, True)) + len(claim) + 1 + 3 * sentences


#: Where a book keeps each fact's summary traits and segment size (see ``_traits``).
_TRAITS_ATTR = "_factbot_summary_traits"


def _traits(book: FactBook, fact: Fact) -> tuple[_Traits, int]:
    """A fact's traits and the room its segment takes (``_max_segment_size`` plus a joining
    space), computed on first use and kept with the book: both depend on that book only, and
    a summary weighs a dozen candidates, often the same ones as the summary before."""
    cache: dict[str, tuple[_Traits, int]] | None = book.__dict__.get(_TRAITS_ATTR)
    if cache is None:
        cache = {}
        object.__setattr__(book, _TRAITS_ATTR, cache)
    found = cache.get(fact.id)
    if found is None:
        found = cache[fact.id] = (_Traits.of(book, fact), _max_segment_size(book, fact) + 1)
    return found


def _candidates(book: FactBook, query: str) -> tuple[Topic | None, list[tuple[Fact, float]]]:
    topic = resolve_topic(book, query)
    if topic is not None:
        facts = [f for f in book.facts_for_topic(topic.id) if f.superseded_by is None]
        n = max(len(facts), 1)
        return topic, [(f, 1.0 - 0.5 * i / n) for i, f in enumerate(facts)]
    found = search(book, query, limit=SUMMARY_CANDIDATES)
    hits = [h for h in found if h.fact.superseded_by is None]
    if not hits:
        return None, []
    top = hits[0].score
    return None, [(h.fact, h.score / top) for h in hits if h.score >= RELEVANCE_FLOOR * top]


def _select(book: FactBook, cands: list[tuple[Fact, float]]) -> list[_Traits]:
    """Greedy choice for coverage within the character budget (see the module docstring).
    Only the first ``SUMMARY_POOL`` candidates are weighed, so a large topic costs no more;
    each candidate's utility is updated against each newly chosen fact only."""
    budget = SUMMARY_MAX_CHARS
    traits: list[_Traits] = []
    utility: list[float] = []
    sizes: list[int] = []
    for fact, rel in cands[:SUMMARY_POOL]:
        trait, size = _traits(book, fact)
        if size <= budget + 1:
            traits.append(trait)
            utility.append(rel + (0.0 if fact.secondhand else VERIFIED_BONUS))
            sizes.append(size)
    open_ = set(range(len(traits)))
    chosen: list[_Traits] = []
    used = -1  # the first segment needs no joining space
    while open_ and len(chosen) < SUMMARY_MAX_FACTS:
        best = max(open_, key=lambda i: (utility[i], -i))
        open_.discard(best)
        if used + sizes[best] > budget:
            continue
        pick = traits[best]
        chosen.append(pick)
        used += sizes[best]
        for i in list(open_):
            other = traits[i]
            overlap = _overlap(pick.words, other.words)
            if pick.duplicates(other, overlap):
                open_.discard(i)
            elif pick.conflicts(other, overlap):
                utility[i] += CONFLICT_BONUS  # the other figure must be shown beside this one
            else:
                same = SAME_SOURCE_PENALTY if pick.fact.source == other.fact.source else 0.0
                utility[i] -= OVERLAP_PENALTY * (overlap + same)
    return chosen


def summary_answer(
    book: FactBook, query: str, *, quote: bool = False, today: dt.date | None = None
) -> Answer:
    """A short paragraph on a topic (id, title or alias) or a free query: 2 to 5 facts when
    there are that many, every sentence ending with its citation marker."""
    topic, cands = _candidates(book, query)
    if not cands:
        return _miss(book, query, suggest(book, query), today)
    picked = sorted(_select(book, cands), key=lambda t: book.position(t.fact.id))
    chosen = [t.fact for t in picked]
    if not chosen:  # every matching claim is too long for a summary on its own
        answer = search_answer(book, query, limit=SUMMARY_MAX_FACTS, today=today)
        too_long = "These facts are too long for a summary; here they are one by one."
        return Answer(query, "search", answer.text, answer.facts, book, today=today, note=too_long)
    dated = {a.fact.id for a in picked for b in picked if a is not b and a.conflicts(b)}
    text = " ".join(segment(book, f, i, dated=f.id in dated) for i, f in enumerate(chosen, start=1))
    one = "Only one fact matches; it is cited below."
    return Answer(
        query,
        "summary",
        text,
        tuple(chosen),
        book,
        with_quote=quote,
        today=today,
        topic=topic,
        note=one if len(chosen) == 1 else None,
    )
