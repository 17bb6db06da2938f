"""Facts that match a piece of text: a message's claims, sentence by sentence, or another fact.

Owns how a message someone posted is read as claims to check (:func:`claim_sentences`: lines,
then sentences, at most :data:`CLAIMS_MAX` of them, each long enough to say something) and
which facts of the book each claim matches (:func:`check_claims`: the sentence whole, else
each of its clauses, for a sentence that makes several claims). A match means the fact is
about what the sentence says, by the same search as every answer with a lower bar
(:data:`CLAIM_COVERAGE`: a member paraphrases, a fact is worded by its source); it is not a
judgement that the sentence is true. :func:`related_answer` is the same search run on a fact's
own claim: the other facts on what it says.

The text is plain: the Discord layer removes code, links and mentions before it gets here.
Nothing here imports discord; no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.answers._compose import SEARCH_LIMIT, Answer, _best, suggest
from bot.answers._index import Hit, SearchIndex
from bot.answers._text import MAX_QUERY_CHARS, ends_with_abbreviation, query_terms
from bot.factbook import Fact, FactBook

#: Most sentences of one message that are checked (the rest are counted, not checked).
CLAIMS_MAX = 10
#: A sentence needs this many informative words to be a claim ("lol, wild" is not).
CLAIM_MIN_TERMS = 2
#: Share of a sentence's informative weight a fact must cover to match it (an answer to a
#: question needs more: ``ANSWER_COVERAGE``).
CLAIM_COVERAGE = 0.5
#: Most facts listed as related to one fact.
RELATED_MAX = 5
#: Share of a fact's claim another fact must cover to be related, unless they share a topic.
RELATED_COVERAGE = 0.3

NO_MATCH_TEXT = "No fact in the book matches this message."
UNKNOWN_FACT_TEXT = "No fact has this id."

_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+")
#: Where a sentence that makes several claims is cut into clauses.
_CLAUSE = re.compile(r",\s+|\s+(?:and|but|while|whereas|because|although|as)\s+", re.IGNORECASE)
#: Most clauses of one sentence matched on their own.
CLAUSES_MAX = 3
#: Chat spelling the search would read as words: "don't", "isn't" (whole), the "'s", "'re" of
#: "Korea's", "they're" (the ending), and single letters ("U.S." is "u" and "s").
_NOT = re.compile(r"\b\w+n['’]t\b", re.IGNORECASE)
_ENDING = re.compile(r"['’](?:s|re|ve|ll|d|m)\b", re.IGNORECASE)
_LETTER = re.compile(r"(?<!\w)[^\W\d_](?!\w)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class ClaimMatch:
    """One sentence of the message and the facts it matches (none: nothing in the book):
    one for the sentence as a whole, or one for each of its clauses that matches.
    """

    sentence: str
    hits: tuple[Hit, ...] = ()

    @property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(h.fact for h in self.hits)


@dataclass(frozen=True)
class ClaimCheck:
    """A message checked against the book: each sentence with its match, in message order."""

    text: str
    matches: tuple[ClaimMatch, ...]
    book: FactBook
    unchecked: int = 0  # sentences past CLAIMS_MAX
    suggestions: tuple[str, ...] = ()  # when nothing matched: topics to try
    today: dt.date | None = None

    @property
    def facts(self) -> tuple[Fact, ...]:
        """The matched facts, each once, in the order the message first meets them."""
        return tuple(dict.fromkeys(f for m in self.matches for f in m.facts))

    def number(self, fact: Fact) -> int:
        """The fact's source number ([1], [2], ...) in this check."""
        return self.facts.index(fact) + 1

    @property
    def answer(self) -> Answer:
        """The matched facts as a search answer (their citations, remarks and stale markers
        come from it), or a miss with the suggestions.
        """
        facts = self.facts
        if not facts:
            found = self.suggestions
            return Answer(
                self.text, "miss", NO_MATCH_TEXT, (), self.book, (), found, today=self.today
            )
        text = "\n".join(f"{f.id}: {f.claim}" for f in facts)
        return Answer(self.text, "search", text, facts, self.book, today=self.today)


def _sentences(line: str) -> list[str]:
    """A line's sentences; a capital letter is not needed after the stop (chat is lowercase)."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(line):
        if out and ends_with_abbreviation(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def _within(sentence: str, limit: int = MAX_QUERY_CHARS) -> list[str]:
    """A run-on sentence cut into pieces the search reads whole (at commas, else words)."""
    pieces: list[str] = []
    rest = sentence
    while len(rest) > limit:
        head = rest[:limit]
        cut = max(head.rfind(", "), head.rfind(" "))
        cut = cut if cut > limit // 2 else limit
        pieces.append(rest[:cut].strip(" ,"))
        rest = rest[cut:].strip(" ,")
    return [*pieces, rest] if rest else pieces


def searchable(sentence: str) -> str:
    """A sentence as the search should read it: contractions and single letters left out."""
    return _LETTER.sub(" ", _ENDING.sub("", _NOT.sub(" ", sentence)))


def claim_sentences(text: str, limit: int = CLAIMS_MAX) -> tuple[list[str], int]:
    """The sentences of ``text`` worth checking, at most ``limit``, and how many more there
    were. A line is a sentence of its own; a repeated sentence is checked once; a sentence
    with fewer than :data:`CLAIM_MIN_TERMS` informative words is not a claim.
    """
    seen: set[tuple[str, ...]] = set()
    kept: list[str] = []
    more = 0
    for line in text.splitlines():
        for sentence in _sentences(" ".join(line.split())):
            for piece in _within(sentence):
                words = tuple(query_terms(searchable(piece)))
                if len(words) < CLAIM_MIN_TERMS or words in seen:
                    continue
                seen.add(words)
                if len(kept) < limit:
                    kept.append(piece)
                else:
                    more += 1
    return kept, more


def _known_figures(index: SearchIndex, text: str) -> str:
    """``text`` without the figures the book never gives: a member's "$3 billion" is no
    evidence against the fact that says "$1.2 to $2.3 billion"; that fact is what to show.
    """
    return _NUMBER.sub(lambda m: m[0] if m[0].replace(",", "") in index.postings else " ", text)


def _best_match(index: SearchIndex, text: str) -> Hit | None:
    """The search's best current fact that covers :data:`CLAIM_COVERAGE` of ``text`` (a
    verified one when it is nearly as good), or None.
    """
    found = index.search(_known_figures(index, searchable(text)), limit=SEARCH_LIMIT)
    hits = [h for h in found if h.coverage >= CLAIM_COVERAGE]
    if not hits:
        return None
    best = _best(hits)
    return next(h for h in hits if h.fact is best)


def match_claim(index: SearchIndex, sentence: str) -> tuple[Hit, ...]:
    """The facts one sentence matches: the best for the whole sentence, and for a sentence of
    several clauses (a sentence may make several claims) the best for each clause, each fact
    once, at most :data:`CLAUSES_MAX`.
    """
    hits: dict[str, Hit] = {}
    whole = _best_match(index, sentence)
    if whole is not None:
        hits[whole.fact.id] = whole
    clauses = [
        c for c in _CLAUSE.split(sentence) if len(query_terms(searchable(c))) >= CLAIM_MIN_TERMS
    ]
    for clause in clauses[:CLAUSES_MAX] if len(clauses) > 1 else ():
        hit = _best_match(index, clause)
        if hit is not None:
            hits.setdefault(hit.fact.id, hit)
    return tuple(hits.values())[:CLAUSES_MAX]


def check_claims(
    index: SearchIndex, text: str, *, today: dt.date | None = None, limit: int = CLAIMS_MAX
) -> ClaimCheck:
    """Each claim of ``text`` with the facts it matches; suggestions when none matches."""
    sentences, more = claim_sentences(text, limit)
    matches = tuple(ClaimMatch(s, match_claim(index, s)) for s in sentences)
    check = ClaimCheck(text, matches, index.book, more, today=today)
    if check.facts:
        return check
    tried = " ".join(sentences) or text
    found = tuple(suggest(index, tried[:MAX_QUERY_CHARS]))
    return ClaimCheck(text, matches, index.book, more, found, today)


def related_answer(
    index: SearchIndex, fact_id: str, *, today: dt.date | None = None, limit: int = RELATED_MAX
) -> Answer | None:
    """The facts on what fact ``fact_id`` says, best first, as a search answer (its query is
    the fact's id); None when the book has no such fact. A fact is related when it covers
    :data:`RELATED_COVERAGE` of the claim or shares a topic with it; when the search finds
    fewer than ``limit``, the fact's topics fill in, in the curators' order.
    """
    fact = index.find_fact(fact_id)
    if fact is None:
        return None
    book = index.book
    topics = set(fact.topics)
    related: list[Fact] = []
    for hit in index.search(fact.claim, limit=SEARCH_LIMIT + 1):
        other = hit.fact
        if other.id != fact.id and (hit.coverage >= RELATED_COVERAGE or topics & set(other.topics)):
            related.append(other)
    for tid in fact.topics:
        related += [f for f in book.facts_for_topic(tid) if f.id != fact.id]
    chosen = tuple(dict.fromkeys(related))[:limit]
    text = "\n".join(f"{f.id}: {f.claim}" for f in chosen)
    note = (
        f"Facts on the topics or in the words of {fact.id}."
        if chosen
        else f"No other fact shares a topic or words with {fact.id}."
    )
    return Answer(fact.id, "search", text, chosen, book, today=today, note=note)
