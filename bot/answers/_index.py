"""The search index of one FactBook, and the ranking of its facts for a query.

Owns which facts answer a query, in what order, and whether any answers it at all.

Each fact is a short document with fields: its claim, its id, its regions, its quote, the names
of its topics (inherited: every fact filed under a topic gets the topic's id, title and
aliases), who published or reported it, its source's title, and its year (the year its
figure describes, else the year it was published). Scoring is BM25F: a term's
presence in each field (fields are short: a word is there or not), times the field's weight
(:data:`FIELD_WEIGHTS`: a fact's own claim words count most, words inherited from its topics
little), normalised for the claim's and the quote's length, summed over the fields, then
saturated (``K1``) and multiplied by the term's rarity (idf). So the fact that covers more, and
rarer, query words wins. Two query words that stand side by side in a claim add a phrase bonus
(a figure and the word it counts may stand two words apart: "800 North Korean workers").

A query word matches a term exactly (after stemming: "labourers" is "laborers"), the other
words of its group in the book's ``synonyms:`` ("ban" finds "bars"), by prefix when it is the
last word of the query (the user may still be typing), or by one typo when the word is unknown
to the book, has at least four letters and is not an ordinary English word ("nuclear" never
matches "unclear"), or is one but the word it would be stands beside the query word's
neighbour in a claim ("royal ordnance" finds "Royal Ordinance"). Hangul words are indexed with
their leading syllables, so two-syllable Korean words match longer inflected forms, and a
Hangul query prefers facts written in Hangul.

Every hit carries its *coverage*: the share of the query's informative weight that the fact
matched. A word's weight is its rarity in the book (idf; a word the book does not know is the
rarest) times its rarity in English (an everyday word like "start" says little, a name or a
figure much). An answer needs :data:`ANSWER_COVERAGE`; below it the query is a miss ("not in
the book"). Some questions say what an answer must have (``_question``): "how many North Korean
workers ..." needs a fact that states a number and whose own words name them, "how long ..." one
that says how long, a question naming a year a fact of that year, and one naming a place the
book knows a fact about that place. "Who wrote X" ranks higher the facts whose claim says who
wrote X ("X was written by ...").

The order is: score, with near-ties (within 5%) broken by the curators' order; superseded
facts score half; a query that is exactly a fact id puts that fact first. Everything is plain
dicts, rebuilt whole for each version of the book (well under a second for a thousand facts);
an index is read-only once built, so searches are thread-safe.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from rapidfuzz import fuzz, process

from bot.answers._question import (
    ANYONE,
    ASKS_FOR_FIGURE,
    ASKS_HOW_LONG,
    ASKS_WHO_WROTE,
    BYLINE,
    COUNTS,
    DURATION,
    NUMBER_WORDS,
    YEAR,
    Needs,
    counted_words,
    names_place,
    typed_in_capitals,
)
from bot.answers._spelling import Spelling
from bot.answers._text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TOKENS,
    STOPWORDS,
    acronyms,
    english_uses,
    fold,
    has_hangul,
    index_terms,
    key,
    rarity,
    raw_tokens,
    stem,
)
from bot.factbook import Fact, FactBook, Topic, figures

#: How much a term counts in each field of a fact.
FIELD_WEIGHTS = {
    "claim": 1.0,
    "id": 1.0,
    "topic": 0.8,
    "quote": 0.4,
    "publisher": 0.4,
    "title": 0.35,
    "region": 0.3,
    "year": 0.3,
}
#: Length normalisation of the fields whose length varies (BM25's ``b``); the others are
#: names, where a term is there or not.
FIELD_B = {"claim": 0.5, "quote": 0.5}
K1 = 1.6
#: A word of the curators' synonym group of the query word ("bar" for "ban").
Q_SYNONYM = 0.9
#: Two query words side by side in a claim add this share of the commoner one's weight.
PHRASE_BONUS = 0.5
#: Share of the query's informative weight a fact must cover to be an answer.
ANSWER_COVERAGE = 0.65
SUPERSEDED_FACTOR = 0.5
HANGUL_FACTOR = 1.5
#: A question that asks for a number ("how many ...", "how much ...") ranks the facts that
#: state one higher (their score times this): only they can answer it.
FIGURE_FACTOR = 1.2
#: A "who wrote X" question ranks the facts whose claim says who wrote X ("X was written by
#: ...", "an X by ...") higher (their score times this).
BYLINE_FACTOR = 1.2
#: The words before a claim's "written by <Name>" that may name what was written.
BYLINE_WINDOW = 4
#: Scores within this share of each other are near-ties: the curators' order decides.
NEAR_TIE = 0.05
MIN_PREFIX = 3
#: No typo match for words shorter than this (one typo at most, whatever the length): four, as
#: Typesense's default, so a name typed short ("Vela" for "Vella") is still found.
MIN_TYPO = 4
#: A word the book does not know that is shorter than this is noise ("zz"), not evidence.
MIN_UNKNOWN = 3
#: A word used at least this often in English is ordinary: never taken for a typo ("nuclear"
#: is no typo of "unclear"; "chian", used 50 times, may be one of "chain").
ORDINARY_USES = 1000
#: An ordinary English word the book does not have is still a typo when the book's word stands
#: beside its neighbour in a claim; from this length ("went" is not "sent").
MIN_REAL_WORD_TYPO = 5
#: How close (0-100) a text must be to a topic's name to name that topic.
TOPIC_SPELLING = 88
#: Hits scored for the phrase bonus (the rest cannot reach the top with it).
PHRASE_POOL = 30
#: A figure and the word it counts may stand this many words apart ("800 North Korean workers").
COUNT_GAP = 2

#: A fact's fields: (field name, its terms), in FIELD_WEIGHTS' order.
Fields = tuple[tuple[str, tuple[str, ...]], ...]


def _follows(terms: tuple[str, ...], first: str, second: str, gap: int = 1) -> bool:
    """Whether ``second`` comes after ``first`` in ``terms``, at most ``gap`` terms between."""
    at = -1
    while first in terms[at + 1 :]:
        at = terms.index(first, at + 1)
        if second in terms[at + 1 : at + 2 + gap]:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked fact: its score (higher is better) and the share of the query it covers."""

    fact: Fact
    score: float
    coverage: float

    @property
    def answers(self) -> bool:
        """Whether the fact covers the query well enough to be given as an answer."""
        return self.coverage >= ANSWER_COVERAGE


@dataclass(frozen=True, slots=True)
class _Term:
    """A query word as matched: the index terms it stands for, each with a quality."""

    word: str
    matches: tuple[tuple[str, float], ...]
    weight: float  # its share of the query's informative weight


class SearchIndex:
    """A FactBook made searchable. Built once per version of the book, read-only after."""

    def __init__(self, book: FactBook) -> None:
        self.book = book
        self.facts: tuple[Fact, ...] = tuple(book.facts.values())
        self.n = len(self.facts)
        #: How many facts name each region (a summary narrows to a place the query names).
        self.region_counts: dict[str, int] = {}
        for fact in self.facts:
            for region in fact.regions:
                self.region_counts[region] = self.region_counts.get(region, 0) + 1
        #: Every word as written in the book (folded) -> its term: typos and prefixes are
        #: matched on the words people type, then stand for the words' terms.
        self.words: dict[str, str] = {}
        topics = {tid: self._names(t.id, t.title, *t.aliases) for tid, t in book.topics.items()}
        sources = {
            sid: (self._names(s.publisher, s.author or ""), self._names(s.title or ""))
            for sid, s in book.sources.items()
        }
        claims = [tuple(raw_tokens(f.claim)) for f in self.facts]
        quotes = [tuple(raw_tokens(f.quote or "")) for f in self.facts]
        fields = [
            self._fields(fact, claim, quote, topics, sources)
            for fact, claim, quote in zip(self.facts, claims, quotes, strict=True)
        ]
        self.postings = self._postings(fields)
        #: The words prefixes and typos are matched on.
        self.spelling = Spelling(
            {w: t for w, t in self.words.items() if t in self.postings},
            self.postings,
        )
        #: Each claim's terms in order, stopwords left out (phrases, and overlap of claims).
        self.claims: tuple[tuple[str, ...], ...] = tuple(
            tuple(stem(t) for t in tokens if t not in STOPWORDS) for tokens in claims
        )
        #: Each fact's own words, its claim's and its quote's (not its topics' names): where a
        #: "how many ..." answer must name what is counted, and may name a place.
        self.own_words: tuple[tuple[str, ...], ...] = tuple(
            (*claim, *(stem(t) for t in quote if t not in STOPWORDS))
            for claim, quote in zip(self.claims, quotes, strict=True)
        )
        #: The places facts are about (their regions, "global" aside), as terms: a question
        #: that names one is answered by a fact about it.
        self.region_terms: dict[str, tuple[str, ...]] = {
            r: tuple(stem(t) for t in raw_tokens(r.replace("-", " ")))
            for r in self.region_counts
            if r != "global"
        }
        #: Topic names (folded) -> the topic's title: what a miss suggests.
        self.topic_names: dict[str, str] = {
            fold(n): t.title for t in book.topics.values() for n in (t.title, *t.aliases)
        }
        self.hangul = frozenset(i for i, f in enumerate(self.facts) if has_hangul(f.claim))
        #: The facts whose claim states a number, in digits or in words.
        self.with_figures = frozenset(
            i for i, f in enumerate(self.facts) if figures(f.claim) or NUMBER_WORDS.search(f.claim)
        )
        #: The facts whose claim says how long something lasted, or since when.
        self.with_durations = frozenset(
            i for i, f in enumerate(self.facts) if DURATION.search(f.claim)
        )
        #: Per fact, the terms of the words just before each byline in its claim ("the
        #: article 'Outsourcing Oppression' was written by ..."): what the claim says someone
        #: wrote.
        self.bylines: dict[int, frozenset[str]] = {}
        for i, fact in enumerate(self.facts):
            for match in BYLINE.finditer(fact.claim):
                # "X was written by": the words before name X; "a report by": the word before
                window = BYLINE_WINDOW if match.group(1) else 1
                before = [t for t in raw_tokens(fact.claim[: match.start()]) if t not in STOPWORDS]
                written = {stem(t) for t in before[-window:]}
                self.bylines[i] = self.bylines.get(i, frozenset()) | written
        self.by_id = {fold(f.id): i for i, f in enumerate(self.facts)}
        self.places = {f.id: i for i, f in enumerate(self.facts)}
        #: A term -> the other terms of its synonym group that facts use.
        self.synonyms: dict[str, tuple[str, ...]] = {}
        for group in book.synonyms:
            group_terms = list(dict.fromkeys(stem(fold(word)) for word in group))
            for term in group_terms:
                others = tuple(t for t in group_terms if t != term and t in self.postings)
                if others:
                    self.synonyms[term] = others
        self.topic_keys: dict[str, str] = {}
        for tid, topic in book.topics.items():
            for name in (tid, topic.title, *topic.aliases):
                self.topic_keys.setdefault(key(name), tid)

    # -- building ------------------------------------------------------------------------------
    def _tokens(self, text: str) -> list[str]:
        """``text``'s tokens, each noted in :attr:`words` with its term."""
        tokens = raw_tokens(text)
        self._note(tokens)
        return tokens

    def _note(self, tokens: Iterable[str]) -> None:
        """Note each token in :attr:`words` with its term."""
        for token in tokens:
            if token not in self.words:
                self.words[token] = stem(token)

    def _names(self, *names: str) -> tuple[str, ...]:
        """The distinct terms of a topic's or a source's names (a name is there or not)."""
        return tuple(sorted({t for name in names for t in index_terms(self._tokens(name))}))

    def _fields(
        self,
        fact: Fact,
        claim: tuple[str, ...],
        quote: tuple[str, ...],
        topics: dict[str, tuple[str, ...]],
        sources: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
    ) -> Fields:
        """A fact's fields and their terms (tuples: the collector need not walk them while a
        reload builds a big index beside the event loop).
        """
        self._note(claim)
        self._note(quote)
        publisher, title = sources[fact.source]
        reporter = self._names(fact.reported_by) if fact.reported_by else ()
        return (
            ("claim", (*index_terms(claim), *acronyms(fact.claim))),
            ("id", tuple(index_terms(self._tokens(fact.id.replace("-", " "))))),
            ("region", tuple(index_terms(self._tokens(" ".join(fact.regions).replace("-", " "))))),
            ("quote", tuple(index_terms(quote))),
            ("publisher", tuple(sorted({*publisher, *reporter}))),
            ("topic", tuple(sorted({t for tid in fact.topics for t in topics.get(tid, ())}))),
            ("title", title),
            # the year its figure describes, or else the year it was published
            ("year", ((fact.as_of or self.book.sources[fact.source].date)[:4],)),
        )

    def _postings(self, fields: list[Fields]) -> dict[str, dict[int, float]]:
        """Term -> {fact's place: its BM25F score for that term}."""
        average: dict[str, float] = {}
        for name in FIELD_B:  # over the facts that have the field (a quote is optional)
            lengths = [len(terms) for doc in fields for field, terms in doc if field == name]
            lengths = [n for n in lengths if n]
            average[name] = sum(lengths) / len(lengths) if lengths else 1.0
        weighted: dict[str, dict[int, float]] = {}
        for place, doc in enumerate(fields):
            for name, field_terms in doc:
                if not field_terms:
                    continue
                b = FIELD_B.get(name, 0.0)
                norm = 1.0 - b + b * len(field_terms) / average[name] if b else 1.0
                weight = FIELD_WEIGHTS[name] / norm
                for term in set(field_terms):  # in a short field, a word is there or not
                    per_fact = weighted.setdefault(term, {})
                    per_fact[place] = per_fact.get(place, 0.0) + weight
        retired = [SUPERSEDED_FACTOR if f.superseded_by else 1.0 for f in self.facts]
        postings: dict[str, dict[int, float]] = {}
        for term, per_fact in weighted.items():
            idf = self.idf(len(per_fact))
            postings[term] = {
                place: retired[place] * idf * tf * (K1 + 1) / (K1 + tf)
                for place, tf in per_fact.items()
            }
        return postings

    def idf(self, df: int) -> float:
        """Rarity of a term found in ``df`` facts (0: unknown to the book, the rarest)."""
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    # -- queries -------------------------------------------------------------------------------
    def analyse(self, query: str) -> list[_Term]:
        """The query's informative words, each with the index terms it matches (a word the
        book does not know matches none, and weighs as much as the rarest term).
        """
        text = query[:MAX_QUERY_CHARS]
        typed: dict[str, str] = {}  # term -> the word as typed, first spelling kept
        capitals = {word.lower(): word for word in acronyms(text)}  # "IT" workers, not "it"
        # "how long" asks for a duration (see _needs): its "long" is not the question's subject
        for token in raw_tokens(ASKS_HOW_LONG.sub(" ", text)):
            if token not in STOPWORDS:
                typed.setdefault(stem(token), token)
            elif token in capitals:
                typed.setdefault(capitals[token], capitals[token])
        pairs = list(typed.items())[:MAX_QUERY_TOKENS]
        typing = bool(text) and not text[-1].isspace()
        found = [
            self._matches(term, word, last=typing and i == len(pairs) - 1)
            for i, (term, word) in enumerate(pairs)
        ]
        out: list[_Term] = []
        for i, (term, word) in enumerate(pairs):
            matches = found[i] or self._typo_in_context(
                word, found[i - 1] if i else (), found[i + 1] if i + 1 < len(found) else ()
            )
            if not matches and len(word) < MIN_UNKNOWN and not typed_in_capitals(word, text):
                continue  # "zz": noise, not evidence ("EU" typed as an acronym counts)
            df = max((len(self.postings[t]) for t, _ in matches), default=0)
            out.append(_Term(term, matches, self.idf(df) * rarity(word)))
        return out

    def _matches(self, term: str, word: str, *, last: bool) -> tuple[tuple[str, float], ...]:
        synonyms = tuple((other, Q_SYNONYM) for other in self.synonyms.get(term, ()))
        if term in self.postings:
            return ((term, 1.0), *synonyms)
        if synonyms:
            return synonyms
        if has_hangul(word):
            for n in range(len(word) - 1, 1, -1):  # the longest leading syllables known
                if word[:n] in self.postings:
                    return ((word[:n], 1.0),)
            return ()
        if not word.isalpha():
            return ()
        if last and len(word) >= MIN_PREFIX:
            found = self.spelling.prefixed(word)
            if found:
                return found
        if len(word) >= MIN_TYPO and english_uses(word) < ORDINARY_USES:
            return self.spelling.typos(word)
        return ()

    def _typo_in_context(
        self, word: str, before: tuple[tuple[str, float], ...], after: tuple[tuple[str, float], ...]
    ) -> tuple[tuple[str, float], ...]:
        """The book's words one typo from ``word``, an English word the book does not have,
        that stand in some claim right beside the word's neighbour in the query ("royal
        ordnance" is the claim's "Royal Ordinance"; "nuclear weapons" is not "unclear").
        """
        if not (before or after) or len(word) < MIN_REAL_WORD_TYPO:
            return ()
        if english_uses(word) < ORDINARY_USES:
            return ()  # no English word: its typos were looked up already
        first = before[0][0] if before else None
        then = after[0][0] if after else None
        return tuple(
            (term, quality)
            for term, quality in self.spelling.typos(word)
            if any(
                (first and _follows(self.claims[place], first, term))
                or (then and _follows(self.claims[place], term, then))
                for place in self.postings[term]
            )
        )

    def claim_words(self, fact: Fact) -> frozenset[str]:
        """The claim's words (terms, no stopwords, no numbers): what two claims share."""
        return frozenset(t for t in self.claims[self.places[fact.id]] if not t[0].isdigit())

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Facts matching ``query``, best first, each with its coverage of the query."""
        if limit <= 0:
            return []
        text = query[:MAX_QUERY_CHARS]
        words = self.analyse(text)
        scores: dict[int, float] = {}
        # The commonest exact word is copied as it is (in C); the others are added to it.
        exact = [w for w in words if len(w.matches) == 1 and w.matches[0][1] == 1.0]
        first = max(exact, key=lambda w: len(self.postings[w.matches[0][0]]), default=None)
        if first is not None:
            scores = dict(self.postings[first.matches[0][0]])
        for word in words:
            if word is first:
                continue
            if len(word.matches) == 1:  # the usual case: one term, added as it is
                term, quality = word.matches[0]
                for place, value in self.postings[term].items():
                    scores[place] = scores.get(place, 0.0) + value * quality
                continue
            # synonyms, a prefix, typos: each fact's best match. The matches score as one term
            # with the commonest one's rarity (as Lucene blends them), so a rarer synonym or
            # completion never outranks the word as typed.
            best: dict[int, float] = {}
            common = self.idf(max((len(self.postings[t]) for t, _ in word.matches), default=0))
            for term, quality in word.matches:
                quality *= common / self.idf(len(self.postings[term]))
                for place, value in self.postings[term].items():
                    if value * quality > best.get(place, 0.0):
                        best[place] = value * quality
            for place, value in best.items():
                scores[place] = scores.get(place, 0.0) + value
        named = self.by_id.get(fold(text).strip())
        if named is not None:
            scores.setdefault(named, 0.0)
        if not scores:
            return []
        if has_hangul(text):
            for place in self.hangul & scores.keys():
                scores[place] *= HANGUL_FACTOR
        needs = self._needs(text, words)
        if needs.number:
            for place in self.with_figures & scores.keys():
                scores[place] *= FIGURE_FACTOR
        if ASKS_WHO_WROTE.search(text):
            asked = {w.word for w in words}
            for place, written in self.bylines.items():
                if place in scores and not written.isdisjoint(asked):
                    scores[place] *= BYLINE_FACTOR
        # Only the best facts can reach the top once phrases are counted: rank those.
        pool = dict(heapq.nlargest(max(limit, PHRASE_POOL), scores.items(), key=itemgetter(1)))
        self._add_phrases(words, pool)
        if named is not None:
            pool[named] = max(pool.values()) * 2 + 1.0
        total = sum(w.weight for w in words)
        return [
            Hit(
                self.facts[p],
                pool[p],
                1.0 if p == named else self._coverage(p, words, total, needs),
            )
            for p in _near_ties_in_order(pool)[:limit]
        ]

    def _coverage(self, place: int, words: list[_Term], total: float, needs: Needs) -> float:
        """The share of the query's informative weight (``total``) the fact at ``place``
        matches; at most half of what an answer needs when it does not meet ``needs``.
        """
        got = 0.0
        for word in words:
            qualities = [q for term, q in word.matches if place in self.postings[term]]
            got += word.weight * max(qualities, default=0.0)
        share = got / total if total else 1.0
        return share if self._meets(place, needs) else min(share, ANSWER_COVERAGE / 2)

    def _needs(self, text: str, words: list[_Term]) -> Needs:
        """What an answer to ``text`` must have beyond its words: the years and the places it
        names, what a "how many ..." question counts, a number if it asks for one, and a
        duration if it asks "how long".
        """
        typed = {word.word for word in words}
        return Needs(
            years=frozenset(YEAR.findall(text)),
            counted=tuple(self._counted(text, words)),
            places=tuple(r for r, ts in self.region_terms.items() if typed.issuperset(ts)),
            number=ASKS_FOR_FIGURE.search(text) is not None,
            duration=ASKS_HOW_LONG.search(text) is not None,
        )

    def _meets(self, place: int, needs: Needs) -> bool:
        """Whether the fact at ``place`` states a number (or how long) when the question asks, is of
        the years the question names, is about the places it names (its regions, or its own
        words), and names in its own words what the question counts (a topic's name is shared
        by all its facts: not evidence here).
        """
        if not (needs.years or needs.places or needs.counted or needs.number or needs.duration):
            return True
        regions = self.facts[place].regions
        own = self.own_words[place]
        return (
            (not needs.number or place in self.with_figures)
            and (not needs.duration or place in self.with_durations)
            and all(place in self.postings.get(year, {}) for year in needs.years)
            and all(r in regions or names_place(own, self.region_terms[r]) for r in needs.places)
            and not any(counted.isdisjoint(own) for counted in needs.counted)
        )

    def _counted(self, text: str, words: list[_Term]) -> list[frozenset[str]]:
        """What a "how many ..." question counts ("Chinese workers"): for each of its words,
        the terms an answer must match one of (none when it counts people: any figure of
        people will do).
        """
        match = COUNTS.search(text)
        if match is None:
            return []
        counted = [stem(fold(w)) for w in counted_words(match.group(1))]
        if ANYONE & set(counted):
            return []  # a figure of workers or defectors is a figure of people
        by_word = {word.word: word for word in words}
        return [frozenset(t for t, _ in by_word[c].matches) for c in counted if c in by_word]

    def _add_phrases(self, words: list[_Term], scores: dict[int, float]) -> None:
        """The phrase bonus: query words that stand side by side in a fact's claim, in the
        query's order (at most one word between them). A figure and the word after it ("800
        workers") are a count: they may stand two words apart ("800 North Korean workers"),
        and add the figure's weight, not the commoner word's.
        """
        pairs = []
        for a, b in itertools.pairwise(words):
            if a.matches and b.matches:
                first, second = a.matches[0][0], b.matches[0][0]
                if first[0].isdigit() and not YEAR.fullmatch(first):
                    pairs.append((first, second, COUNT_GAP, max(a.weight, b.weight)))
                else:
                    pairs.append((first, second, 1, min(a.weight, b.weight)))
        for place in scores if pairs else ():
            claim = self.claims[place]
            for first, second, gap, weight in pairs:
                if _follows(claim, first, second, gap):
                    scores[place] += PHRASE_BONUS * weight

    # -- names -----------------------------------------------------------------------------------
    def find_fact(self, text: str) -> Fact | None:
        """The fact whose id is ``text`` (case and spacing aside)."""
        place = self.by_id.get(fold(text[:MAX_QUERY_CHARS]).strip())
        return self.facts[place] if place is not None else None

    def resolve_topic(self, text: str) -> Topic | None:
        """The topic ``text`` names: its id, title or an alias (folded, spelling-insensitive),
        or a near-exact spelling of one.
        """
        k = key(text[:MAX_QUERY_CHARS])
        if not k:
            return None
        tid = self.topic_keys.get(k)
        if tid is None:
            match = process.extractOne(
                k, list(self.topic_keys), scorer=fuzz.ratio, score_cutoff=TOPIC_SPELLING
            )
            if match is not None:
                tid = self.topic_keys[match[0]]
        return self.book.topics.get(tid) if tid is not None else None

    def topics_of(self, hits: Iterable[Hit]) -> list[Topic]:
        """The topics of ``hits``, the most common first (ties: the best hit's first)."""
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for rank, hit in enumerate(hits):
            for tid in hit.fact.topics:
                counts[tid] += 1
                first.setdefault(tid, rank)
        ordered = sorted(counts, key=lambda t: (-counts[t], first[t]))
        return [self.book.topics[t] for t in ordered if t in self.book.topics]


def _near_ties_in_order(scores: dict[int, float]) -> list[int]:
    """Places best first; a run of scores within NEAR_TIE of the run's best is a near-tie,
    put in the curators' order (a place is a fact's position in the book).
    """
    ranked = sorted(scores, key=lambda p: (-scores[p], p))
    out: list[int] = []
    run: list[int] = []
    for place in ranked:
        if run and scores[place] < scores[run[0]] * (1 - NEAR_TIE):
            out += sorted(run)
            run = []
        run.append(place)
    return out + sorted(run)
