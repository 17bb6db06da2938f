"""Summaries: 2 to 5 facts on a topic or a question, every sentence cited, within 700 characters.

Owns how a summary chooses and stitches facts. It picks for coverage: relevant facts first,
verified ones preferred, near-duplicates (same figures, mostly the same words) skipped,
superseded facts never used. Two facts that give different figures for the same thing are both
kept, each with its date. The chosen facts appear in the curators' order. Every claim is copied
verbatim; the only words added are short labels ("As of 2015: ", "Reported by AFP: ") and
citation markers ("[1]").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from bot.answers._compose import Answer, miss, search_answer
from bot.answers._index import Hit, SearchIndex
from bot.answers._text import ends_with_abbreviation, raw_tokens
from bot.factbook import Fact, FactBook, Topic, figures

SUMMARY_MAX_CHARS = 700
SUMMARY_MAX_FACTS = 5
#: How many search hits a free-query summary looks at, and how many candidates it weighs.
SUMMARY_CANDIDATES = 12
SUMMARY_POOL = 12
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

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'(\[])")
#: The region of a figure about the whole world, or about all workers abroad.
GLOBAL = "global"
#: In a summary about a place, facts not about it weigh this share of their relevance.
ELSEWHERE_WEIGHT = 0.5


def _comparable(a: frozenset[float], b: frozenset[float]) -> bool:
    """Two figure sets that differ and hold figures of the same order of magnitude."""
    return a != b and any(0.1 <= x / y <= 10 for x in a for y in b if x and y)


def same_scope(a: Fact, b: Fact) -> bool:
    """Whether two facts' figures cover the same ground: both global (or about all workers
    abroad), or sharing a place. A global figure and one country's are never comparable;
    facts without regions are taken as comparable.
    """
    if not a.regions or not b.regions:
        return True
    a_global, b_global = GLOBAL in a.regions, GLOBAL in b.regions
    if a_global or b_global:
        return a_global and b_global
    return not set(a.regions).isdisjoint(b.regions)


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
    origin: str  # the fact that first made its figure (itself unless it ``repeats`` one)

    @classmethod
    def of(cls, index: SearchIndex, fact: Fact) -> _Traits:
        words = index.claim_words(fact)
        origin = index.book.origin(fact).id
        return cls(fact, words, figures(fact.claim), frozenset(fact.topics), origin)

    def conflicts(self, other: _Traits, overlap: float | None = None) -> bool:
        """Different figures of the same order of magnitude about what looks like the same
        thing, on the same ground (:func:`same_scope`): enough words in common, fewer needed
        when a curator filed both under a topic.
        """
        bar = CONFLICT_OVERLAP_SAME_TOPIC if self.topics & other.topics else CONFLICT_OVERLAP
        if (overlap if overlap is not None else _overlap(self.words, other.words)) < bar:
            return False
        return _comparable(self.figures, other.figures) and same_scope(self.fact, other.fact)

    def excludes(self, other: _Traits) -> bool:
        """Whether ``other`` must not stand beside this fact: one estimate in two forms (a
        ``repeats`` chain), or a curator's ``never_with`` either way.
        """
        return (
            self.origin == other.origin
            or other.fact.id in self.fact.never_with
            or self.fact.id in other.fact.never_with
        )

    def duplicates(self, other: _Traits, overlap: float | None = None) -> bool:
        if self.figures != other.figures:
            return False
        same = self.fact.source == other.fact.source
        bar = DUPLICATE_OVERLAP_SAME_SOURCE if same else DUPLICATE_OVERLAP
        return (overlap if overlap is not None else _overlap(self.words, other.words)) >= bar


def conflicting(index: SearchIndex, a: Fact, b: Fact) -> bool:
    """True when two facts give different figures for what looks like the same thing."""
    return _Traits.of(index, a).conflicts(_Traits.of(index, b))


def duplicates(index: SearchIndex, a: Fact, b: Fact) -> bool:
    """True when ``b`` adds nothing to ``a``: same figures and mostly the same words."""
    return _Traits.of(index, a).duplicates(_Traits.of(index, b))


def split_sentences(claim: str) -> list[str]:
    """A claim's sentences (most claims are one); abbreviations like "U.S." do not split."""
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(claim):
        if ends_with_abbreviation(claim[start : m.start()]):
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
    """The label before a claim: "As of 2015: " unless the claim already states that date;
    "Published <source date>: " for a disputed figure without ``as_of``; "reported by X" for a
    secondhand fact unless the claim already names X. The full details are in the source list.
    """
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
    sentence (a final full stop is added when the claim has none).
    """
    marker = f"[{n}]"
    sentences = split_sentences(fact.claim.strip())
    last = sentences[-1]
    if last and last[-1] not in ".!?":
        sentences[-1] = last + "."
    body = " ".join(s + marker for s in sentences)
    return _label(book, fact, dated) + body


def places(index: SearchIndex, query: str) -> frozenset[str]:
    """The places a query names: regions of the book's facts (``russia``, ``middle-east``)
    whose every word the query has. A region most facts share is the book's subject, not a
    place to narrow to.
    """
    words = set(raw_tokens(query))
    half = index.n / 2
    return frozenset(
        region
        for region, n in index.region_counts.items()
        if region != GLOBAL and n <= half and set(region.split("-")) <= words
    )


def _about(fact: Fact, where: frozenset[str]) -> int:
    """0 for a fact about one of ``where`` only, 1 for one about it among others or
    worldwide, 2 for a fact about somewhere else (or when ``where`` is empty).
    """
    if where.isdisjoint(fact.regions):
        return 2
    return 1 if GLOBAL in fact.regions else 0


def _candidates(
    index: SearchIndex, query: str
) -> tuple[Topic | None, list[tuple[Fact, float]], list[Hit]]:
    """The topic the query names (its facts in the curators' order, the first weighing
    most), else the facts that answer it, each with its relevance; and the search's hits.
    """
    book = index.book
    topic = index.resolve_topic(query)
    if topic is not None:  # its facts are the candidates, the curators' first weighing most
        facts = [f for f in book.facts_for_topic(topic.id) if f.superseded_by is None]
        n = max(len(facts), 1)
        ranked = [(f, 1.0 - 0.5 * i / n) for i, f in enumerate(facts)]
        return topic, ranked, [Hit(f, weight, 1.0) for f, weight in ranked]
    hits = index.search(query, limit=SUMMARY_CANDIDATES)
    current = [h for h in hits if h.answers and h.fact.superseded_by is None]
    if not current:
        return None, [], hits
    top = current[0].score
    relevant = [(h.fact, h.score / top) for h in current if h.score >= RELEVANCE_FLOOR * top]
    return None, relevant, hits


def _place_first(
    cands: list[tuple[Fact, float]], where: frozenset[str]
) -> list[tuple[Fact, float]]:
    """For a summary about a place: its facts first, the rest weighing less."""
    if not where:
        return cands
    return sorted(
        ((f, rel * (ELSEWHERE_WEIGHT if _about(f, where) == 2 else 1.0)) for f, rel in cands),
        key=lambda c: _about(c[0], where),
    )


def _select(index: SearchIndex, cands: list[tuple[Fact, float]]) -> list[_Traits]:
    """Greedy choice for coverage within the character budget (see the module docstring).
    Only the first ``SUMMARY_POOL`` candidates are weighed, so a large topic costs no more;
    each candidate's utility is updated against each newly chosen fact only.
    """
    budget = SUMMARY_MAX_CHARS
    traits: list[_Traits] = []
    utility: list[float] = []
    sizes: list[int] = []
    for fact, rel in cands[:SUMMARY_POOL]:
        trait = _Traits.of(index, fact)
        # its longest form (marker [9], dated) and a joining space
        size = len(segment(index.book, fact, 9, dated=True)) + 1
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
            if pick.excludes(other) or pick.duplicates(other, overlap):
                open_.discard(i)
            elif pick.conflicts(other, overlap):
                utility[i] += CONFLICT_BONUS  # the other figure must be shown beside this one
            else:
                same = SAME_SOURCE_PENALTY if pick.fact.source == other.fact.source else 0.0
                utility[i] -= OVERLAP_PENALTY * (overlap + same)
    return chosen


def summary_answer(
    index: SearchIndex, query: str, *, quote: bool = False, today: dt.date | None = None
) -> Answer:
    """A short paragraph on a topic (id, title or alias) or a free query: 2 to 5 facts when
    there are that many, every sentence ending with its citation marker.
    """
    book = index.book
    topic, cands, hits = _candidates(index, query)
    if not cands:
        return miss(index, query, hits, today)
    where = places(index, query) | ({topic.id} if topic is not None else frozenset())
    where = frozenset(w for w in where if any(w in f.regions for f, _ in cands))
    cands = _place_first(cands, where)
    picked = sorted(
        _select(index, cands), key=lambda t: (_about(t.fact, where), book.position(t.fact.id))
    )
    chosen = [t.fact for t in picked]
    if not chosen:  # every matching claim is too long for a summary on its own
        listed = search_answer(index, query, limit=SUMMARY_MAX_FACTS, today=today)
        too_long = "These facts are too long for a summary; here they are one by one."
        return replace(listed, note=too_long)
    dated = {a.fact.id for a in picked for b in picked if a is not b and a.conflicts(b)}
    text = " ".join(segment(book, f, i, dated=f.id in dated) for i, f in enumerate(chosen, start=1))
    one = "Only one fact matches; it is cited below."
    return Answer(
        query,
        "summary",
        text,
        tuple(chosen),
        book,
        tuple(hits),
        with_quote=quote,
        today=today,
        topic=topic,
        note=one if len(chosen) == 1 else None,
    )
