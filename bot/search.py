"""Ranked search over a FactBook: the index, scoring, "did you mean", autocomplete.

Owns which facts answer a query and in what order. The index is built once per book (cached
on the book itself; ``warm`` builds it ahead, e.g. in a worker thread during live reload) and
is read-only afterwards, so searches are thread-safe.

Scoring: each fact's terms carry the weight of the strongest field they appear in (fact id >
topic id/title/alias > claim = region > publisher > quote > source title), times the term's
inverse document frequency. A query term matches exactly, by prefix ("work" finds "workers"),
or, when neither finds anything, by edit distance ("Rusia" finds "Russia"). The sum is scaled
by the share of query terms a fact matched. A query that names a topic (id, title or alias)
puts that topic's facts first; a query that is a fact id puts that fact first. Superseded facts
rank below current ones. Ties go to the curators' order, so results are deterministic.

Typo tolerance uses rapidfuzz (a dependency already): ``process.extract`` with the Levenshtein
distance and a cutoff runs in C over the vocabulary, bucketed by word length, so an unknown word
costs tens of microseconds on a 10,000-fact book; difflib's ``get_close_matches`` is pure Python
and about a hundred times slower on the same vocabulary (see bench/bench_answer.py).
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.book import Fact, FactBook, Topic
from bot.text import MAX_QUERY_CHARS, content_terms, fold, key, query_terms, shorten, terms

# Field weights: how much a term counts depending on where it appears.
W_ID = 3.0
W_TOPIC = 2.5
W_CLAIM = 2.0
W_REGION = 2.0
W_PUBLISHER = 1.2
W_QUOTE = 1.0
W_SOURCE_TITLE = 0.8

Q_PREFIX = 0.8  # a prefix match counts this much of an exact one (times the length ratio)
Q_FUZZY = 0.7  # an edit-distance match, times its similarity
TOPIC_BONUS = 100.0  # the query names a topic: its facts come first
ID_BONUS = 1000.0  # the query is a fact id: that fact comes first
# Ordering tiers (added to a score only to sort; a weighted score stays far below TIER_TERM).
TIER_TERM = 1e6
TIER_TOPIC = 1e9
TIER_ID = 1e11
#: At most this many facts matching every query term are scored (those strongest for the
#: rarest term); the ranking is exact while fewer facts match every term.
PRUNE = 1000
SUPERSEDED_FACTOR = 0.5
MAX_PREFIX_EXPANSIONS = 8  # a prefix stands for at most this many words (the commonest)
PREFIX_SCAN = 200  # vocabulary words looked at for a prefix
FUZZY_CACHE_SIZE = 4096

AUTOCOMPLETE_MAX = 25
CHOICE_MAX = 100  # Discord: choice name and string value at most 100 characters
SUGGESTIONS_MAX = 3

_ATTR = "_factbot_search_index"


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a fact and its score (higher is better)."""

    fact: Fact
    score: float


@dataclass
class _Index:
    facts: tuple[Fact, ...]
    postings: dict[str, dict[int, float]]
    idf: dict[str, float]
    vocab: list[str]  # sorted, for prefix lookups
    neighbours: dict[str, list[str]]  # a term and its one-letter deletions -> terms (typos)
    ids_sorted: list[str]  # folded fact ids, sorted, for id-prefix autocomplete
    id_to_pos: dict[str, int]  # folded fact id -> position
    topic_keys: dict[str, str]  # key(id/title/alias) -> topic id, first one wins
    topic_facts: dict[str, tuple[int, ...]]
    fact_words: tuple[frozenset[str], ...]  # claim words: no stopwords, no numbers (compose)
    superseded_positions: tuple[int, ...]
    topic_names: list[str]  # folded topic ids, titles and aliases (for "did you mean")
    topic_labels: list[str]  # the topic title to show for each name
    ids_folded: list[str]  # folded fact ids in curators' order
    fuzzy_cache: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)


def _add(weights: dict[str, float], text: str | None, weight: float) -> None:
    if not text:
        return
    for t in terms(text):
        if weights.get(t, 0.0) < weight:
            weights[t] = weight


def _build(book: FactBook) -> _Index:
    facts = tuple(book.facts.values())
    postings: dict[str, dict[int, float]] = {}
    topic_weights: dict[str, dict[str, float]] = {}
    for tid, topic in book.topics.items():
        tw: dict[str, float] = {}
        _add(tw, tid, W_TOPIC)
        _add(tw, topic.title, W_TOPIC)
        for alias in topic.aliases:
            _add(tw, alias, W_TOPIC)
        topic_weights[tid] = tw
    source_weights: dict[str, dict[str, float]] = {}
    for sid, src in book.sources.items():
        sw: dict[str, float] = {}
        _add(sw, src.title, W_SOURCE_TITLE)
        _add(sw, src.publisher, W_PUBLISHER)
        _add(sw, src.author, W_PUBLISHER)
        source_weights[sid] = sw

    fact_words: list[frozenset[str]] = []
    for pos, fact in enumerate(facts):
        w: dict[str, float] = dict(source_weights.get(fact.source, {}))
        _add(w, fact.quote, W_QUOTE)
        for region in fact.regions:
            _add(w, region, W_REGION)
        _add(w, fact.claim, W_CLAIM)
        for tid in fact.topics:
            for t, weight in topic_weights.get(tid, {}).items():
                if w.get(t, 0.0) < weight:
                    w[t] = weight
        _add(w, fact.id, W_ID)
        for t, weight in w.items():
            postings.setdefault(t, {})[pos] = weight
        fact_words.append(frozenset(t for t in content_terms(fact.claim) if not t[0].isdigit()))

    for t, p in postings.items():  # strongest first (then curators' order): see _best_per_fact
        if len(p) > 1:
            postings[t] = dict(sorted(p.items(), key=lambda kv: (-kv[1], kv[0])))
    n = len(facts)
    idf = {t: math.log(1.0 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
    vocab = sorted(postings)
    neighbours: dict[str, list[str]] = {}
    for t in vocab:
        if len(t) >= 3 and t.isalpha():
            for variant in _deletions(t):
                neighbours.setdefault(variant, []).append(t)

    topic_keys: dict[str, str] = {}
    choices: list[str] = []
    labels: list[str] = []
    for tid, topic in book.topics.items():
        for name in (tid, topic.title, *topic.aliases):
            topic_keys.setdefault(key(name), tid)
            choices.append(fold(name))
            labels.append(topic.title)
    id_to_pos = {fold(f.id): i for i, f in enumerate(facts)}
    topic_facts = {
        tid: tuple(book.position(f.id) for f in book.facts_for_topic(tid)) for tid in book.topics
    }
    return _Index(
        facts=facts,
        postings=postings,
        idf=idf,
        vocab=vocab,
        neighbours=neighbours,
        ids_sorted=sorted(id_to_pos),
        id_to_pos=id_to_pos,
        topic_keys=topic_keys,
        topic_facts=topic_facts,
        fact_words=tuple(fact_words),
        superseded_positions=tuple(i for i, f in enumerate(facts) if f.superseded_by),
        topic_names=choices,
        topic_labels=labels,
        ids_folded=[fold(f.id) for f in facts],
    )


def _index(book: FactBook) -> _Index:
    idx = book.__dict__.get(_ATTR)
    if isinstance(idx, _Index):
        return idx
    idx = _build(book)
    object.__setattr__(book, _ATTR, idx)
    return idx


def warm(book: FactBook) -> None:
    """Build and cache the search index for ``book`` (safe to call from a worker thread)."""
    _index(book)


def fact_words(book: FactBook, fact: Fact) -> frozenset[str]:
    """The claim's words (stemmed; no stopwords, no numbers), from the index."""
    return _index(book).fact_words[book.position(fact.id)]


# -- matching ------------------------------------------------------------------------------------
def _max_edits(term: str) -> int:
    if len(term) < 4 or term.isdigit():
        return 0
    return 1 if len(term) <= 5 else 2


def _deletions(term: str) -> set[str]:
    """``term`` and every string one letter shorter."""
    return {term} | {term[:i] + term[i + 1 :] for i in range(len(term))}


def _fuzzy(idx: _Index, term: str) -> tuple[tuple[str, float], ...]:
    """Up to three vocabulary terms within ``_max_edits`` (OSA distance: a swap of two
    neighbouring letters is one edit). Candidates come from the deletion index: two words
    within one edit share a one-letter deletion (or one is a deletion of the other), so a
    lookup costs about ``len(term)`` dictionary probes whatever the vocabulary's size."""
    cached = idx.fuzzy_cache.get(term)
    if cached is not None:
        return cached
    k = _max_edits(term)
    candidates: set[str] = set()
    for variant in _deletions(term):
        candidates.update(idx.neighbours.get(variant, ()))
    found = []
    for c in candidates:
        d = OSA.distance(term, c, score_cutoff=k)
        if d <= k:
            found.append((d, -len(idx.postings[c]), c))
    found.sort()
    result = tuple((c, Q_FUZZY * (1.0 - d / max(len(term), len(c)))) for d, _, c in found[:3])
    if len(idx.fuzzy_cache) >= FUZZY_CACHE_SIZE:
        idx.fuzzy_cache.clear()
    idx.fuzzy_cache[term] = result
    return result


def _expand(idx: _Index, term: str) -> list[tuple[str, float]]:
    """Index terms a query term stands for, each with a match quality in (0, 1]."""
    out: list[tuple[str, float]] = []
    if term in idx.postings:
        out.append((term, 1.0))
    if len(term) >= 3:
        vocab = idx.vocab
        i = bisect.bisect_left(vocab, term)
        longer: list[str] = []
        while i < len(vocab) and vocab[i].startswith(term) and len(longer) < PREFIX_SCAN:
            if vocab[i] != term:
                longer.append(vocab[i])
            i += 1
        longer.sort(key=lambda t: -len(idx.postings[t]))  # the commonest completions
        for t in longer[:MAX_PREFIX_EXPANSIONS]:
            out.append((t, Q_PREFIX * (0.5 + 0.5 * len(term) / len(t))))
    if not out and _max_edits(term):
        out.extend(_fuzzy(idx, term))
    return out


def _term_postings(idx: _Index, term: str) -> list[tuple[dict[int, float], float]]:
    """(postings, factor) for each index term a query term stands for."""
    # a rarer word that merely starts like the query term must not outweigh the term itself
    cap = idx.idf.get(term, math.inf)
    return [(idx.postings[t], min(idx.idf[t], cap) * q) for t, q in _expand(idx, term)]


def _by_score(postings: dict[int, float], factor: float) -> Iterator[tuple[float, int]]:
    """(-score, position) pairs, best first (posting lists are stored strongest first)."""
    for pos, w in postings.items():
        yield -(w * factor), pos


def _best_per_fact(
    expansions: list[tuple[dict[int, float], float]],
    restrict: set[int] | None,
    known: set[int],
    budget: int,
) -> dict[int, float]:
    """Each fact's best score for one query term over its expansions. With ``restrict``, only
    those facts. Otherwise the posting lists (strongest entries first) are read, merged in
    score order, for their ``budget`` best facts, plus the ``known`` facts: the facts this term
    alone would rank highest are all among those, so nothing that can reach the top is missed.
    """
    per: dict[int, float] = {}
    keys: list[tuple[dict[int, float], float, AbstractSet[int]]]
    if restrict is not None:
        keys = [(p, f, p.keys() & restrict) for p, f in expansions]
    elif sum(len(p) for p, _ in expansions) <= budget:
        keys = [(p, f, p.keys()) for p, f in expansions]
    else:
        for negative, pos in heapq.merge(*(_by_score(p, f) for p, f in expansions)):
            if pos not in per:  # the first time a fact comes up is its best score
                per[pos] = -negative
                if len(per) >= budget:
                    break
        keys = [(p, f, p.keys() & known) for p, f in expansions]
    if len(keys) == 1 and not per:
        postings, factor, ks = keys[0]
        return {pos: postings[pos] * factor for pos in ks}
    for postings, factor, ks in keys:
        for pos in ks:
            score = postings[pos] * factor
            if per.get(pos, 0.0) < score:
                per[pos] = score
    return per


def _keys(expansions: list[tuple[dict[int, float], float]]) -> AbstractSet[int]:
    """The facts a query term matches (through any of its expansions)."""
    if len(expansions) == 1:
        return expansions[0][0].keys()
    return set().union(*(p.keys() for p, _ in expansions))


def _in_two(keysets: list[AbstractSet[int]]) -> set[int]:
    """Facts matching at least two of the query terms."""
    out: set[int] = set()
    for i, a in enumerate(keysets):
        for b in keysets[i + 1 :]:
            out |= a & b
    return out


def _everywhere(
    per_term: list[list[tuple[dict[int, float], float]]], keysets: list[AbstractSet[int]]
) -> set[int]:
    """Facts matching every query term (``per_term`` is rarest first). When every term is
    very common, only facts among some term's ``PRUNE`` strongest entries are kept."""
    everywhere = set(keysets[0])
    for keys in keysets[1:]:
        everywhere.intersection_update(keys)
    if len(everywhere) <= PRUNE:
        return everywhere
    capped: set[int] = set()
    for tp in per_term:
        for p, _ in sorted(tp, key=lambda e: -e[1]):  # the best expansion first
            for pos in p:  # long posting lists are in descending weight
                if pos in everywhere:
                    capped.add(pos)
                    if len(capped) >= PRUNE:
                        return capped
    return capped


def _rank(idx: _Index, query: str, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (position, score) pairs. Order: a fact id named by the query, then
    the facts of a topic it names, then more query terms matched, then score, then the
    curators' order. When at least ``limit`` facts match every term, only those are scored."""
    qterms = query_terms(query)
    q = query[:MAX_QUERY_CHARS]
    fid = idx.id_to_pos.get(fold(q).strip())
    tid = idx.topic_keys.get(key(q)) if qterms else None
    per_term = [tp for tp in (_term_postings(idx, t) for t in qterms) if tp]
    per_term.sort(key=lambda tp: sum(len(p) for p, _ in tp))  # rarest first
    acc: dict[int, float] = {}
    matched: dict[int, int] = {}
    if per_term:
        # One word: its posting lists are already in rank order, so the union path reads
        # only their heads. Several: facts matching every word first.
        keysets = [_keys(tp) for tp in per_term] if len(per_term) > 1 else []
        everywhere = _everywhere(per_term, keysets) if keysets else set()
        if len(everywhere) >= limit:  # enough facts match every term: score only those
            for i, tp in enumerate(per_term):
                per = _best_per_fact(tp, everywhere, everywhere, 0)
                if i == 0:
                    acc = per
                else:
                    for pos, score in per.items():
                        acc[pos] += score
            matched = dict.fromkeys(acc, len(per_term))
        else:
            # Facts matching two or more terms rank above those matching one: score them all.
            # A fact matching one term is ranked by that term alone, so the heads of its
            # posting lists hold the best of them (superseded facts lose half their score:
            # read far enough past them).
            known = _in_two(keysets) if len(keysets) > 2 else everywhere
            budget = limit + len(known) + len(idx.superseded_positions)
            for tp in per_term:
                per = _best_per_fact(tp, None, known, budget)
                for pos, score in per.items():
                    acc[pos] = acc.get(pos, 0.0) + score
                    matched[pos] = matched.get(pos, 0) + 1
        n = len(qterms)
        if len(per_term) < n or len(set(matched.values())) > 1:
            acc = {pos: score * matched[pos] / n for pos, score in acc.items()}
    tier: dict[int, float] = {}
    if tid is not None:
        for pos in idx.topic_facts.get(tid, ()):
            acc[pos] = acc.get(pos, 0.0) + TOPIC_BONUS
            tier[pos] = TIER_TOPIC
    if fid is not None:
        acc[fid] = acc.get(fid, 0.0) + ID_BONUS
        tier[fid] = TIER_ID
    for pos in idx.superseded_positions:
        if pos in acc and pos != fid:
            acc[pos] *= SUPERSEDED_FACTOR
    # One float orders by tier, then terms matched, then score; ties go to curators' order.
    order = acc
    if tier or len(set(matched.values())) > 1:
        order = {
            pos: tier.get(pos, 0.0) + matched.get(pos, 0) * TIER_TERM + score
            for pos, score in acc.items()
        }
    if len(order) > limit:
        cutoff = heapq.nlargest(limit, order.values())[-1]
        keep = [pos for pos, v in order.items() if v >= cutoff]
    else:
        keep = list(order)
    keep.sort()
    keep.sort(key=order.__getitem__, reverse=True)  # stable: equal values keep curators' order
    return [(pos, acc[pos]) for pos in keep[:limit]]


def search(book: FactBook, query: str, limit: int = 10) -> list[Hit]:
    """Facts matching ``query``, best first (ties in curators' order); [] on a miss."""
    if limit <= 0:
        return []
    idx = _index(book)
    return [Hit(idx.facts[pos], score) for pos, score in _rank(idx, query, limit)]


def _close_ids(idx: _Index, q: str, cutoff: float) -> list[tuple[float, int, str]]:
    found = process.extract(q, idx.ids_folded, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3)
    return [(score, pos, idx.facts[pos].id) for _, score, pos in found]


def suggest(book: FactBook, query: str) -> list[str]:
    """Up to three "did you mean" strings, best first: topic titles close to ``query`` and,
    when the query is one word (it may be a mistyped id), fact ids."""
    idx = _index(book)
    q = fold(query[:MAX_QUERY_CHARS]).strip()
    if len(q) < 3:
        return []
    scored = [
        (score, i, idx.topic_labels[i])
        for _, score, i in process.extract(
            q, idx.topic_names, scorer=fuzz.WRatio, score_cutoff=70, limit=12
        )
    ]
    if not any(c.isspace() for c in q):
        scored += [
            (score, len(idx.topic_names) + pos, fid) for score, pos, fid in _close_ids(idx, q, 70)
        ]
    scored.sort(key=lambda s: (-s[0], s[1]))
    out: list[str] = []
    for _, _, label in scored:
        if label not in out:
            out.append(label)
    return out[:SUGGESTIONS_MAX]


def suggest_facts(book: FactBook, text: str) -> list[str]:
    """Up to three fact ids close to ``text`` (for an unknown id)."""
    q = fold(text[:MAX_QUERY_CHARS]).strip()
    return [fid for _, _, fid in _close_ids(_index(book), q, 60)] if q else []


def resolve_topic(book: FactBook, text: str) -> Topic | None:
    """The topic ``text`` names: its id, title or an alias (folded, spelling-insensitive);
    failing that, a near-exact spelling of one, or a unique prefix of a cut-off id."""
    idx = _index(book)
    text = text[:MAX_QUERY_CHARS]
    k = key(text)
    if not k:
        return None
    tid = idx.topic_keys.get(k)
    if tid is None:
        match = process.extractOne(k, list(idx.topic_keys), scorer=fuzz.ratio, score_cutoff=88)
        if match is not None:
            tid = idx.topic_keys[match[0]]
    if tid is None and len(text) >= CHOICE_MAX:
        tid = _unique_prefix(book.topics, text)
    return book.topics.get(tid) if tid is not None else None


def find_fact(book: FactBook, text: str) -> Fact | None:
    """The fact whose id is ``text`` (folded), or whose id a cut-off value uniquely starts."""
    idx = _index(book)
    pos = idx.id_to_pos.get(fold(text[:MAX_QUERY_CHARS]).strip())
    if pos is not None:
        return idx.facts[pos]
    if len(text) >= CHOICE_MAX:
        fid = _unique_prefix(book.facts, text)
        if fid is not None:
            return book.facts[fid]
    return None


def _unique_prefix(ids: Iterable[str], text: str) -> str | None:
    found = [i for i in ids if i.startswith(text)]
    return found[0] if len(found) == 1 else None


# -- autocomplete --------------------------------------------------------------------------------
def choice_value(value: str) -> str:
    """A value that fits an autocomplete choice (ids longer than 100 are cut; the lookups
    accept a unique cut-off prefix)."""
    return value[:CHOICE_MAX]


def topic_label(book: FactBook, topic: Topic) -> str:
    n = len(book.facts_for_topic(topic.id))
    suffix = f" · {n} fact" + ("" if n == 1 else "s")
    return shorten(topic.title, CHOICE_MAX - len(suffix)) + suffix


def fact_label(fact: Fact) -> str:
    return shorten(f"{fact.id}: {fact.claim}", CHOICE_MAX)


def _topic_rank(names: list[str], p: str) -> float:
    if p in names:
        return 300.0
    if any(n.startswith(p) for n in names):
        return 200.0
    if any(w.startswith(p) for n in names for w in n.replace("-", " ").split()):
        return 150.0
    best = max((fuzz.partial_ratio(p, n) for n in names), default=0.0)
    return best if best >= 70 else 0.0


def complete_topics(book: FactBook, partial: str) -> list[tuple[str, str]]:
    """Autocomplete for topics: up to 25 (label, value) pairs, best first; on empty input the
    curators' first topics."""
    p = fold(partial[:MAX_QUERY_CHARS]).strip()
    topics = list(book.topics.values())
    if p:
        ranked: list[tuple[float, int, Topic]] = []
        for i, topic in enumerate(topics):
            names = [fold(n) for n in (topic.id, topic.title, *topic.aliases)]
            score = _topic_rank(names, p)
            if score:
                ranked.append((-score, i, topic))
        ranked.sort(key=lambda r: (r[0], r[1]))
        topics = [t for _, _, t in ranked]
        if not topics:  # no name is close: the topics of the facts the words find
            seen: dict[str, None] = {}
            for hit in search(book, partial, limit=AUTOCOMPLETE_MAX):
                for tid in hit.fact.topics:
                    seen.setdefault(tid, None)
            topics = [book.topics[t] for t in seen if t in book.topics]
    return [(topic_label(book, t), choice_value(t.id)) for t in topics[:AUTOCOMPLETE_MAX]]


def complete_facts(book: FactBook, partial: str) -> list[tuple[str, str]]:
    """Autocomplete for fact ids: ids starting with the input first, then search hits; on
    empty input the curators' first current (not superseded) facts."""
    idx = _index(book)
    p = fold(partial[:MAX_QUERY_CHARS]).strip()
    chosen: list[Fact] = []
    if not p:
        chosen = [f for f in idx.facts if f.superseded_by is None][:AUTOCOMPLETE_MAX]
    else:
        ids = idx.ids_sorted
        i = bisect.bisect_left(ids, p)
        prefixed: list[int] = []
        while i < len(ids) and ids[i].startswith(p) and len(prefixed) < AUTOCOMPLETE_MAX:
            prefixed.append(idx.id_to_pos[ids[i]])
            i += 1
        chosen = [idx.facts[pos] for pos in sorted(prefixed)]
        seen = {f.id for f in chosen}
        if len(chosen) < AUTOCOMPLETE_MAX:
            for hit in search(book, partial, limit=AUTOCOMPLETE_MAX):
                if hit.fact.id not in seen:
                    chosen.append(hit.fact)
                    seen.add(hit.fact.id)
    return [(fact_label(f), choice_value(f.id)) for f in chosen[:AUTOCOMPLETE_MAX]]
