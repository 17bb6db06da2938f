"""Ranked search over a FactBook: the index, scoring, "did you mean", autocomplete.

Owns which facts answer a query and in what order. The index is built once per book (cached
on the book itself; ``warm`` builds it ahead, e.g. in a worker thread during live reload) and
is read-only afterwards, so searches are thread-safe. ``warm(book, previous)`` builds it from
the previous version's index: only facts, sources and topics whose text changed are indexed
again, and the merged structures are updated by difference (see ``_Index``).

Scoring: each fact's terms carry the weight of the strongest field they appear in (fact id >
topic id/title/alias > claim = region > publisher > quote > source title), times the term's
inverse document frequency. A query term matches exactly, by prefix ("work" finds "workers"),
or, when neither finds anything, by edit distance ("Rusia" finds "Russia"). The sum is scaled
by the share of query terms a fact matched. A query that names a topic (its id, title or an
alias, as the whole query or as a phrase inside it, the longest name winning) puts that
topic's facts first, in the curators' order weighed with relevance; a query that is a fact id
puts that fact first. Superseded facts rank below current ones. Ties go to the curators'
order, so results are deterministic.

Ranking is exact and takes one of two ways (``_rank``). A question of several whole words
whose rarest matches few facts (``COMMON_MAX``) is answered in Python from the facts matching
every word, which rank above all others, when there are enough of them, and for two words
from the heads of the two posting lists after them.
Otherwise every matching fact is scored over arrays with one slot per fact (numpy), one
pass in C per posting list, where a Python loop pays a dictionary operation per posting: a
common word matches most of a book, so this keeps the slowest queries fast (against the
earlier dictionary-based pruned scoring: search p99 ×3 lower at 1,000 facts, ×4 at
10,000). Both give the scores of scoring each fact in turn, bit for bit
(tests/test_search.py checks both against that).

Typo tolerance: candidates come from a deletion index (a word and its one-letter deletions),
confirmed with rapidfuzz's OSA distance (a swap of neighbouring letters is one edit), so an
unknown word costs about ``len(word)`` dictionary probes whatever the vocabulary's size;
rapidfuzz (a dependency already) also ranks the "did you mean" suggestions.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.book import Fact, FactBook, Source, Topic
from bot.text import (
    MAX_QUERY_CHARS,
    STOPWORDS,
    fold,
    key,
    query_terms,
    raw_tokens,
    shorten,
    stem,
    terms,
)

# Field weights: how much a term counts depending on where it appears.
W_ID = 3.0
W_TOPIC = 2.5
W_CLAIM = 2.0
W_REGION = 2.0
W_PUBLISHER = 1.2
W_QUOTE = 1.0
W_SOURCE_TITLE = 0.8

#: Every field weight, strongest first.
_WEIGHTS = sorted({W_ID, W_TOPIC, W_CLAIM, W_REGION, W_PUBLISHER, W_QUOTE, W_SOURCE_TITLE})[::-1]

Q_PREFIX = 0.8  # a prefix match counts this much of an exact one (times the length ratio)
Q_FUZZY = 0.7  # an edit-distance match, times its similarity
TOPIC_BONUS = 100.0  # the query names a topic: its facts come first
#: Within a named topic, the i-th fact (curators' order) gets TOPIC_BONUS / (1 + ORDER_STEP * i)
#: on top of its relevance: the curators' order leads, a much better match can move up a place
#: or two, and generic words (low idf) move nothing.
ORDER_STEP = 0.25
#: Query words looked at for a topic name inside a longer query.
PHRASE_SCAN = 40
ID_BONUS = 1000.0  # the query is a fact id: that fact comes first
#: Ordering: a fact named by id (tier 2), then a named topic's facts (tier 1), then the rest by
#: the number of query terms matched (fewer than _TIER_STEP). TIER_TERM spaces these keys in
#: the one float used to narrow the field (a weighted score stays far below it).
_TIER_STEP = 1000
TIER_TERM = 1e6
SUPERSEDED_FACTOR = 0.5
MAX_PREFIX_EXPANSIONS = 8  # a prefix stands for at most this many words (the commonest)
PREFIX_SCAN = 200  # vocabulary words looked at for a prefix
FUZZY_CACHE_SIZE = 4096
#: The arrays kept for posting lists and query terms (``_posting_arrays``, ``_term_arrays``)
#: are all dropped when they would exceed this many bytes; they may hold a retired book's
#: lists until then. The 400 questions of bench/bench_answer.py on 10,000 facts keep ~6 MB.
ARRAY_CACHE_BYTES = 64 << 20
#: ``_rank_common`` is tried when the rarest query term matches at most this many facts (and
#: each term stands for one word of the index, no prefix or typo expansions): it
#: loops in Python over the facts matching every term, which are no more than that
#: (bench/bench_answer.py times both ways).
COMMON_MAX = 200

AUTOCOMPLETE_MAX = 25
CHOICE_MAX = 100  # Discord: choice name and string value at most 100 characters
SUGGESTIONS_MAX = 3

_ATTR = "_factbot_search_index"


#: Spacing of the order keys a full build gives facts (see ``_Index``): room to insert 16
#: facts one by one at the same place before the keys are renumbered. Odd, so that keys spread
#: over the low bits that dicts and sets hash on (multiples of a power of two collide there),
#: and small enough that 10,000 facts' keys stay single-digit ints (below 2**30).
KEY_GAP = (1 << 16) + 1
#: Above this many changed terms, the vocabulary is re-sorted rather than edited in place.
VOCAB_EDITS_MAX = 256

_SIG = attrgetter("id", "claim", "source", "topics", "quote", "regions")  # what the index reads
_ID = attrgetter("id")


_Ints = npt.NDArray[np.int64]
_Floats = npt.NDArray[np.float64]

#: id(posting list) -> (the list, its order keys, its weights, the _Dense its facts' places
#: were found in, those places). The list is held, so that the id stays its own.
_ARRAYS: dict[int, tuple[dict[int, float], _Ints, _Floats, _Dense, _Ints]] = {}


#: id(a query term's expansions) -> (them, the _Dense, places, best scores): see _term_arrays.
_TERMS: dict[int, tuple[list[tuple[dict[int, float], float]], _Dense, _Ints, _Floats]] = {}
_cached_bytes = 0  # the arrays held by _ARRAYS and _TERMS (see _room)


@dataclass(frozen=True, slots=True)
class _Dense:
    """An index's facts as array places: the order keys, ascending, and a superseded mask."""

    keys: _Ints
    superseded: npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a fact and its score (higher is better)."""

    fact: Fact
    score: float


@dataclass(frozen=True, slots=True)
class _SourceData:
    """A source's searchable terms (shared by all its facts)."""

    sig: tuple[str, str, str | None]  # title, publisher, author
    title_terms: tuple[str, ...]
    publisher_terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _TopicData:
    """A topic's searchable terms: its id, title and aliases."""

    sig: tuple[str, str, tuple[str, ...]]  # id, title, aliases
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _FactData:
    """One fact's share of the index. It depends only on the fields in ``sig`` (not on
    ``line``, dates or confidence) and on the terms of its source and topics, so a reload
    reuses it for every fact, source and topic whose text did not change."""

    sig: tuple[object, ...]
    source: _SourceData | None
    topics: tuple[_TopicData | None, ...]
    levels: tuple[tuple[float, tuple[str, ...]], ...]  # (weight, its terms), strongest first
    words: frozenset[str]  # claim words: no stopwords, no numbers (compose)
    folded_id: str

    def weights(self) -> dict[str, float]:
        """Term -> the weight of the strongest field it appears in."""
        return {t: w for w, ts in self.levels for t in ts}


@dataclass
class _Index:
    """The search index of one book.

    Facts are known by an order key: an int, increasing in the curators' order (positions
    spaced by ``KEY_GAP`` after a full build). An incremental build (``warm(book, previous)``)
    keeps the keys of facts that kept their relative order and gives new or moved facts keys
    between their neighbours', so a one-fact edit touches only that fact's posting entries.
    Every structure here is read-only once built (the two caches aside): a new index shares
    unchanged parts with the previous one and copies what it changes.
    """

    facts: dict[int, Fact]  # key -> fact, in curators' order
    ordered: tuple[Fact, ...]  # the facts in curators' order
    keys: dict[str, int]  # fact id -> key
    data: dict[str, _FactData]  # fact id -> its share of the index
    sources: dict[str, _SourceData]
    topics: dict[str, _TopicData]
    postings: dict[str, dict[int, float]]  # term -> {key: weight}, strongest first, then key
    idf: list[float]  # by document frequency (the length of a posting list)
    vocab: list[str]  # sorted, for prefix lookups
    neighbours: dict[str, list[str]]  # a term and its one-letter deletions -> terms (typos)
    ids_sorted: list[str]  # folded fact ids, sorted, for id-prefix autocomplete
    id_to_pos: dict[str, int]  # folded fact id -> key
    topic_keys: dict[str, str]  # key(id/title/alias) -> topic id, first one wins
    topic_phrases: dict[str, tuple[int, str]]  # the same, not only stopwords -> (rank, id)
    phrase_max: int  # the most terms in a topic name
    topic_facts: dict[str, tuple[int, ...]]  # topic id -> keys of its facts, curators' order
    superseded_positions: tuple[int, ...]  # keys of superseded facts
    superseded_set: frozenset[int]  # the same, for lookups
    topic_names: list[str]  # folded topic ids, titles and aliases (for "did you mean")
    topic_labels: list[str]  # the topic title to show for each name
    ids_folded: list[str]  # folded fact ids in curators' order
    fuzzy_cache: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    term_cache: dict[str, list[tuple[dict[int, float], float]]] = field(default_factory=dict)
    dense: _Dense | None = None  # made on the first search (``_key_arrays``)


def _source_data(src: Source, old: _SourceData | None) -> _SourceData:
    sig = (src.title, src.publisher, src.author)
    if old is not None and old.sig == sig:
        return old
    publisher = terms(src.publisher) + (terms(src.author) if src.author else [])
    return _SourceData(sig, tuple(terms(src.title)), tuple(publisher))


def _topic_data(tid: str, topic: Topic, old: _TopicData | None) -> _TopicData:
    sig = (tid, topic.title, topic.aliases)
    if old is not None and old.sig == sig:
        return old
    found = terms(tid) + terms(topic.title)
    for alias in topic.aliases:
        found += terms(alias)
    return _TopicData(sig, tuple(found))


def _fact_data(
    fact: Fact,
    sig: tuple[object, ...],
    src: _SourceData | None,
    tops: tuple[_TopicData | None, ...],
) -> _FactData:
    """Each term counts once per fact, at the weight of the strongest field it appears in:
    the fields are taken strongest first, each keeping only the terms not seen yet."""
    raw = raw_tokens(fact.claim)
    seen = set(terms(fact.id))
    levels: list[tuple[float, tuple[str, ...]]] = [(W_ID, tuple(seen))]
    fields: list[tuple[float, set[str]]] = [
        (W_TOPIC, set().union(*[t.terms for t in tops if t is not None])),
        (W_CLAIM, set(map(stem, raw)).union(*map(terms, fact.regions))),
    ]
    if src is not None:
        fields.append((W_PUBLISHER, set(src.publisher_terms)))
    if fact.quote:
        fields.append((W_QUOTE, set(terms(fact.quote))))
    if src is not None:
        fields.append((W_SOURCE_TITLE, set(src.title_terms)))
    for weight, found in fields:
        found -= seen
        if found:
            levels.append((weight, tuple(found)))
            seen |= found
    plain = set(raw).difference(STOPWORDS)
    words = frozenset(stem(t) for t in plain if not t[0].isdigit())
    return _FactData(sig, src, tops, tuple(levels), words, fold(fact.id))


def _order_keys(ids: list[str], old: dict[str, int]) -> list[int] | None:
    """Keys for ``ids`` (the new curators' order) that keep as many old keys as the order
    allows (a longest increasing run of them); the others go between their neighbours.
    None when no old key is kept or there is no room left: the caller renumbers."""
    seq = [old.get(fid) for fid in ids]
    present = [i for i, k in enumerate(seq) if k is not None]
    if not present:
        return None
    olds = [old[ids[i]] for i in present]
    if all(a < b for a, b in itertools.pairwise(olds)):
        if len(present) == len(ids):  # no fact added or moved
            return olds
        kept = set(present)
    else:  # a fact moved: keep a longest increasing subsequence of the old keys
        tails: list[int] = []  # index into present of the smallest tail of each length
        prev: list[int] = [-1] * len(present)
        for j, k in enumerate(olds):
            lo = _bisect_tails(olds, tails, k)
            if lo > 0:
                prev[j] = tails[lo - 1]
            if lo == len(tails):
                tails.append(j)
            else:
                tails[lo] = j
        kept = set()
        j = tails[-1] if tails else -1
        while j >= 0:
            kept.add(present[j])
            j = prev[j]
    out: list[int] = [0] * len(ids)
    run: list[int] = []
    lo_key: int | None = None
    for i in [*range(len(ids)), len(ids)]:
        if i < len(ids) and i not in kept:
            run.append(i)
            continue
        hi_key = seq[i] if i < len(ids) else None
        if run:
            m = len(run)
            if lo_key is not None:
                lo = lo_key
                hi = hi_key if hi_key is not None else lo + KEY_GAP * (m + 1)
            else:  # a run before the first kept fact (so hi_key is set)
                hi = hi_key if hi_key is not None else 0
                lo = hi - KEY_GAP * (m + 1)
            step = (hi - lo) // (m + 1)
            if step == 0:
                return None
            for j, at in enumerate(run, start=1):
                out[at] = lo + step * j
            run = []
        if hi_key is not None:
            out[i] = hi_key
            lo_key = hi_key
    return out


def _bisect_tails(olds: list[int], tails: list[int], k: int) -> int:
    lo, hi = 0, len(tails)
    while lo < hi:
        mid = (lo + hi) // 2
        if olds[tails[mid]] < k:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _posting_order(entry: tuple[int, float]) -> tuple[float, int]:
    return -entry[1], entry[0]


def _merge_all(keys: list[int], data: list[_FactData]) -> dict[str, dict[int, float]]:
    """Posting lists from scratch, strongest first, then curators' order: each field weight
    in turn, strongest first, over the facts in order (``keys`` ascend)."""
    by_weight: dict[float, list[tuple[int, tuple[str, ...]]]] = {w: [] for w in _WEIGHTS}
    for k, d in zip(keys, data, strict=True):
        for w, ts in d.levels:
            by_weight[w].append((k, ts))
    postings: defaultdict[str, dict[int, float]] = defaultdict(dict)
    for w, entries in by_weight.items():
        for k, ts in entries:
            for t in ts:
                postings[t][k] = w
    return dict(postings)


def _neighbours_of(vocab: Iterable[str]) -> dict[str, list[str]]:
    neighbours: defaultdict[str, list[str]] = defaultdict(list)
    for t in vocab:
        if len(t) >= 3 and t.isalpha():
            for variant in _deletions(t):
                neighbours[variant].append(t)
    return dict(neighbours)


def _merge_diff(
    prev: _Index, keys: dict[str, int], data: dict[str, _FactData], fresh: list[str]
) -> tuple[dict[str, dict[int, float]], list[str], dict[str, list[str]]]:
    """The previous index's postings, vocabulary and deletion index updated for the facts
    whose data or key changed (``fresh``: the ids of new or moved facts)."""
    removed: defaultdict[str, set[int]] = defaultdict(set)
    added: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for fid, old in prev.data.items():
        new = data.get(fid)
        k = prev.keys[fid]
        if new is old and keys.get(fid) == k:
            continue
        if new is not None and keys[fid] == k:  # same place, new text: diff its terms
            was, now = old.weights(), new.weights()
            for t, w in was.items():
                if now.get(t) != w:
                    removed[t].add(k)
            for t, w in now.items():
                if was.get(t) != w:
                    added[t].append((k, w))
        else:
            for _, ts in old.levels:
                for t in ts:
                    removed[t].add(k)
    for fid in fresh:
        k = keys[fid]
        for w, ts in data[fid].levels:
            for t in ts:
                added[t].append((k, w))
    postings = dict(prev.postings)
    gone: list[str] = []
    new_terms: list[str] = []
    for t in removed.keys() | added.keys():
        old_p = postings.get(t)
        if old_p is None:
            new_terms.append(t)
            items: list[tuple[int, float]] = []
        else:
            drop = removed.get(t)
            items = [kw for kw in old_p.items() if kw[0] not in drop] if drop else [*old_p.items()]
        more = added.get(t)
        if more:
            if len(more) <= 4:
                for kw in more:
                    bisect.insort(items, kw, key=_posting_order)
            else:
                items.extend(more)
                items.sort(key=_posting_order)
        if items:
            postings[t] = dict(items)
        elif old_p is not None:
            del postings[t]
            gone.append(t)
    if not gone and not new_terms:
        return postings, prev.vocab, prev.neighbours
    if len(gone) + len(new_terms) > VOCAB_EDITS_MAX:
        vocab = sorted(postings)
        return postings, vocab, _neighbours_of(vocab)
    vocab = list(prev.vocab)
    neighbours = dict(prev.neighbours)
    for t in gone:
        del vocab[bisect.bisect_left(vocab, t)]
        if len(t) >= 3 and t.isalpha():
            for variant in _deletions(t):
                rest = [x for x in neighbours[variant] if x != t]
                if rest:
                    neighbours[variant] = rest
                else:
                    del neighbours[variant]
    for t in new_terms:
        bisect.insort(vocab, t)
        if len(t) >= 3 and t.isalpha():
            for variant in _deletions(t):
                neighbours[variant] = [*neighbours.get(variant, ()), t]
    return postings, vocab, neighbours


def _idf_table(n: int) -> list[float]:
    return [math.log(1.0 + (n - df + 0.5) / (df + 0.5)) for df in range(n + 1)]


def _build(book: FactBook, prev: _Index | None = None) -> _Index:
    """The index of ``book``; with ``prev`` (the index of an earlier version), reusing the
    data of every unchanged fact, source and topic and updating only what changed."""
    old_sources = prev.sources if prev is not None else {}
    old_topics = prev.topics if prev is not None else {}
    sources = {sid: _source_data(s, old_sources.get(sid)) for sid, s in book.sources.items()}
    topics = {tid: _topic_data(tid, t, old_topics.get(tid)) for tid, t in book.topics.items()}
    ordered = tuple(book.facts.values())
    ids = list(book.facts)
    old_data = prev.data if prev is not None else {}
    data: dict[str, _FactData] = {}
    for fid, fact in zip(ids, ordered, strict=True):
        sig = _SIG(fact)
        src = sources.get(fact.source)
        tops = tuple(map(topics.get, fact.topics))
        old = old_data.get(fid)
        if old is not None and old.sig == sig and old.source is src and old.topics == tops:
            data[fid] = old
        else:
            data[fid] = _fact_data(fact, sig, src, tops)
    key_list = _order_keys(ids, prev.keys) if prev is not None else None
    if prev is None or key_list is None:
        key_list = [i * KEY_GAP for i in range(len(ids))]
        postings = _merge_all(key_list, list(data.values()))
        vocab = sorted(postings)
        neighbours = _neighbours_of(vocab)
        keys = dict(zip(ids, key_list, strict=True))
    else:
        keys = dict(zip(ids, key_list, strict=True))
        fresh = [fid for fid in ids if prev.keys.get(fid) != keys[fid]]
        postings, vocab, neighbours = _merge_diff(prev, keys, data, fresh)
    n = len(ordered)
    idf = prev.idf if prev is not None and len(prev.idf) == n + 1 else _idf_table(n)

    topic_keys: dict[str, str] = {}
    phrases: dict[str, tuple[int, str]] = {}
    choices: list[str] = []
    labels: list[str] = []
    for rank, (tid, topic) in enumerate(book.topics.items()):
        for name in (tid, topic.title, *topic.aliases):
            k = key(name)
            topic_keys.setdefault(k, tid)
            if any(t not in STOPWORDS for t in raw_tokens(name)):
                phrases.setdefault(k, (rank, tid))
            choices.append(fold(name))
            labels.append(topic.title)
    ids_folded = [data[fid].folded_id for fid in ids]
    id_to_pos = dict(zip(ids_folded, key_list, strict=True))
    same_ids = prev is not None and prev.id_to_pos.keys() == id_to_pos.keys()
    key_of = keys.__getitem__
    topic_facts = {
        tid: tuple(map(key_of, map(_ID, book.facts_for_topic(tid)))) for tid in book.topics
    }
    superseded = tuple(k for k, f in zip(key_list, ordered, strict=True) if f.superseded_by)
    return _Index(
        facts=dict(zip(key_list, ordered, strict=True)),
        ordered=ordered,
        keys=keys,
        data=data,
        sources=sources,
        topics=topics,
        postings=postings,
        idf=idf,
        vocab=vocab,
        neighbours=neighbours,
        ids_sorted=prev.ids_sorted if prev is not None and same_ids else sorted(id_to_pos),
        id_to_pos=id_to_pos,
        topic_keys=topic_keys,
        topic_phrases=phrases,
        phrase_max=max((k.count(" ") + 1 for k in phrases), default=0),
        topic_facts=topic_facts,
        superseded_positions=superseded,
        superseded_set=frozenset(superseded),
        topic_names=choices,
        topic_labels=labels,
        ids_folded=ids_folded,
    )


def _index(book: FactBook) -> _Index:
    idx = book.__dict__.get(_ATTR)
    if isinstance(idx, _Index):
        return idx
    idx = _build(book)
    object.__setattr__(book, _ATTR, idx)
    return idx


def warm(book: FactBook, previous: FactBook | None = None) -> None:
    """Build and cache the search index for ``book`` (safe to call from a worker thread).

    With ``previous`` (the book in service, whose index is built), only what changed is
    indexed: the result behaves exactly like a fresh build, at a cost that follows the size
    of the edit rather than of the book. ``previous`` is not modified.
    """
    if isinstance(book.__dict__.get(_ATTR), _Index):
        return
    prev = previous.__dict__.get(_ATTR) if previous is not None else None
    idx = _build(book, prev if isinstance(prev, _Index) else None)
    object.__setattr__(book, _ATTR, idx)


def fact_words(book: FactBook, fact: Fact) -> frozenset[str]:
    """The claim's words (stemmed; no stopwords, no numbers), from the index."""
    return _index(book).data[fact.id].words


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
    """(postings, factor) for each index term a query term stands for (kept per index: a
    team's questions use the same words again and again)."""
    cached = idx.term_cache.get(term)
    if cached is not None:
        return cached
    # a rarer word that merely starts like the query term must not outweigh the term itself
    postings, idf = idx.postings, idx.idf
    own = postings.get(term)
    cap = idf[len(own)] if own is not None else math.inf
    found = [(postings[t], min(idf[len(postings[t])], cap) * q) for t, q in _expand(idx, term)]
    if len(idx.term_cache) >= FUZZY_CACHE_SIZE:
        idx.term_cache.clear()
    idx.term_cache[term] = found
    return found


def _key_arrays(idx: _Index) -> _Dense:
    """The index's order keys as an array (ascending, so a key's place in it is the fact's
    place in the curators' order) and which places hold superseded facts; made on first use."""
    dense = idx.dense
    if dense is None:
        keys = np.fromiter(idx.facts, np.int64, len(idx.facts))
        superseded = np.zeros(len(keys), np.bool_)
        if idx.superseded_positions:
            superseded[np.searchsorted(keys, list(idx.superseded_positions))] = True
        dense = idx.dense = _Dense(keys, superseded)
    return dense


def _posting_arrays(postings: dict[int, float], dense: _Dense) -> tuple[_Ints, _Floats]:
    """A posting list as two arrays: its facts' places in ``dense`` and their weights. Made
    on first use and kept while the list lives: an incremental build shares unchanged lists
    with the previous index, so their arrays carry over (the places are looked up again
    when the facts' places moved)."""
    found = _ARRAYS.get(id(postings))
    if found is not None and found[0] is postings:
        _, keys, weights, seen, places = found
        if seen is dense:
            return places, weights
    else:
        n = len(postings)
        keys = np.fromiter(postings.keys(), np.int64, n)
        weights = np.fromiter(postings.values(), np.float64, n)
    places = np.searchsorted(dense.keys, keys)
    _room(keys.nbytes + weights.nbytes + places.nbytes)
    _ARRAYS[id(postings)] = (postings, keys, weights, dense, places)
    return places, weights


def _room(nbytes: int) -> None:
    """Count ``nbytes`` more into the array caches, emptying both first when that would take
    them over ``ARRAY_CACHE_BYTES`` (a count kept loosely: threads may race on it)."""
    global _cached_bytes
    if _cached_bytes + nbytes > ARRAY_CACHE_BYTES:
        _ARRAYS.clear()
        _TERMS.clear()
        _cached_bytes = 0
    _cached_bytes += nbytes


def _rank(idx: _Index, query: str, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (key, score) pairs. Order: a fact id named by the query, then the
    facts of a topic it names, then more query terms matched, then score, then the curators'
    order.

    Two ways to the same result, bit for bit, both following the arithmetic of the
    exhaustive definition in the same order (tests/test_search.py checks both against it):
    ``_rank_arrays`` scores every matching fact over arrays with one slot per fact (numpy:
    one pass in C per posting list, where a loop in Python costs a dictionary operation per
    posting, but each step has a fixed cost); ``_rank_common`` serves the everyday question
    of a few whole words, one of them matching few facts, by scoring in Python only the
    facts that match every word (they are the top) and, for two words, the heads of their
    posting lists."""
    qterms = query_terms(query)
    q = query[:MAX_QUERY_CHARS]
    fid = idx.id_to_pos.get(fold(q).strip())
    tid = _named_topic(idx, q) if qterms else None
    per_term = [tp for tp in (_term_postings(idx, t) for t in qterms) if tp]
    if not per_term and tid is None and fid is None:
        return []
    sizes = [sum(len(p) for p, _ in tp) for tp in per_term]
    per_term = [per_term[i] for i in sorted(range(len(per_term)), key=sizes.__getitem__)]
    if (
        tid is None
        and fid is None
        and len(per_term) > 1
        and min(sizes) <= COMMON_MAX
        and all(len(tp) == 1 for tp in per_term)
    ):
        found = _rank_common(idx, [tp[0] for tp in per_term], len(qterms), limit)
        if found is not None:
            return found
    members = idx.topic_facts.get(tid, ()) if tid is not None else None
    return _rank_arrays(idx, per_term, len(qterms), members, fid, limit)


def _rank_common(
    idx: _Index, per_term: list[tuple[dict[int, float], float]], n: int, limit: int
) -> list[tuple[int, float]] | None:
    """``_rank`` for a query naming no topic or fact id whose terms each stand for one index
    term (``per_term``: its postings and factor, rarest first, the rarest matching few
    facts; ``n`` query terms). The facts matching every term rank above all others, so they
    are scored alone when there are at least ``limit`` of them; with two terms, the places
    left go to the best facts matching one, read from the heads of the two posting lists.
    None when neither applies (three terms or more, and too few facts matching them all)."""
    two = len(per_term) == 2
    if not two and len(per_term[0][0]) < limit:
        return None
    everywhere: AbstractSet[int] = per_term[0][0].keys()
    for postings, _ in per_term[1:]:
        everywhere = postings.keys() & everywhere  # in C, over the smaller of the two
        if not two and len(everywhere) < limit:
            return None
    m = len(per_term)
    # Scaled by the share of terms matched when a term found nothing, or when facts matched
    # different numbers of terms: some every term, some fewer (a term matching more facts
    # than match them all).
    mixed = bool(everywhere) and any(len(p) != len(everywhere) for p, _ in per_term)
    scale = m < n or mixed
    superseded = idx.superseded_set
    scored: list[tuple[float, int]] = []
    for k in everywhere:
        score = 0.0
        for postings, factor in per_term:
            score += postings[k] * factor
        if scale:
            score = score * m / n
        if k in superseded:
            score *= SUPERSEDED_FACTOR
        scored.append((-score, k))
    found = [(k, -negative) for negative, k in heapq.nsmallest(limit, scored)]
    need = limit - len(found)
    if need > 0:
        # A posting list is in score order (weight, then key) but for superseded facts, which
        # lose half: past its first ``need`` current facts, nothing in it can still rank.
        rest: list[tuple[float, int]] = []
        for postings, factor in per_term:
            taken = 0
            for k, w in postings.items():
                if k in everywhere:
                    continue
                score = w * factor
                if scale:
                    score = score * 1 / n
                if k in superseded:
                    score *= SUPERSEDED_FACTOR
                else:
                    taken += 1
                rest.append((-score, k))
                if taken == need:
                    break
        found += [(k, -negative) for negative, k in heapq.nsmallest(need, rest)]
    return found


def _term_arrays(
    expansions: list[tuple[dict[int, float], float]], dense: _Dense
) -> tuple[_Ints, _Floats]:
    """A query term's facts (places in ``dense``) and each one's best score over the term's
    expansions. For a term with several, kept while the list of expansions lives (the index
    keeps it for the term, see ``_term_postings``): many queries share their words."""
    if len(expansions) == 1:
        at, w = _posting_arrays(expansions[0][0], dense)
        return at, w * expansions[0][1]
    found = _TERMS.get(id(expansions))
    if found is not None and found[0] is expansions and found[1] is dense:
        return found[2], found[3]
    parts = [_posting_arrays(p, dense) for p, _ in expansions]
    best = np.zeros(len(dense.keys))
    np.maximum.at(
        best,
        np.concatenate([at for at, _ in parts]),
        np.concatenate([w * f for (_, w), (_, f) in zip(parts, expansions, strict=True)]),
    )
    at = np.flatnonzero(best)
    scores = best[at]
    _room(at.nbytes + scores.nbytes)
    _TERMS[id(expansions)] = (expansions, dense, at, scores)
    return at, scores


def _rank_arrays(
    idx: _Index,
    per_term: list[list[tuple[dict[int, float], float]]],
    n: int,
    members: tuple[int, ...] | None,
    fid: int | None,
    limit: int,
) -> list[tuple[int, float]]:
    """``_rank`` over arrays with one slot per fact: ``per_term`` rarest first, ``n`` query
    terms, ``members`` the keys of the named topic's facts (None: no topic named), ``fid``
    the key of the fact named by id."""
    dense = _key_arrays(idx)
    keys = dense.keys
    acc = np.zeros(len(keys))  # each fact's score: per term, its best expansion, summed
    matched = np.zeros(len(keys), np.int64)  # how many query terms each fact matched
    for tp in per_term:
        at, best = _term_arrays(tp, dense)
        acc[at] += best
        matched[at] += 1
    raw = acc
    mixed = False  # some facts matched more of the terms than others
    if len(per_term) > 1:
        mixed = np.count_nonzero(matched) != np.count_nonzero(matched == matched.max())
    if per_term and (len(per_term) < n or mixed):  # scaled by the share of terms matched
        acc = acc * matched / n
    # The first sort key: the number of terms matched, or for the facts of a topic the query
    # names _TIER_STEP, for the fact it names by id twice that. Zero: not a result.
    first = matched
    superseded = dense.superseded
    if members is not None or fid is not None:
        first = matched.copy()
    if members:
        # The topic's facts lead, in the curators' order weighed with their relevance.
        at = np.searchsorted(keys, list(members))
        bonus = TOPIC_BONUS / (1.0 + ORDER_STEP * np.arange(len(members)))
        acc[at] = raw[at] * matched[at] / n + bonus
        first[at] = _TIER_STEP
    if fid is not None:
        at_id = int(np.searchsorted(keys, fid))
        acc[at_id] += ID_BONUS
        first[at_id] = 2 * _TIER_STEP
        if superseded[at_id]:
            superseded = superseded.copy()
            superseded[at_id] = False  # the fact asked for by id keeps its score
    acc[superseded] *= SUPERSEDED_FACTOR
    places = np.flatnonzero(first)
    scores, firsts = acc[places], first[places]
    if len(places) > limit:
        # A float that never orders two facts the wrong way round (ties aside) narrows the
        # field to the ``limit`` best and whatever ties with the last of them.
        rough = firsts * TIER_TERM + scores
        keep = rough >= np.partition(rough, len(rough) - limit)[len(rough) - limit]
        places, scores, firsts = places[keep], scores[keep], firsts[keep]
    # Exact order: first key, then score (both descending), then the curators' order.
    top = np.lexsort((places, -scores, -firsts))[:limit]
    return list(zip(keys[places[top]].tolist(), scores[top].tolist(), strict=True))


def _named_topic(idx: _Index, query: str) -> str | None:
    """The topic whose id, title or alias appears in ``query`` as a run of whole words (the
    whole query, or a phrase inside it: "how much money does it earn" names the topic with
    alias "how much money"). The longest name wins, then the curators' first topic. Names made
    of stopwords only never match inside a longer query."""
    ts = terms(query)[:PHRASE_SCAN]
    whole = idx.topic_keys.get(" ".join(ts))
    if whole is not None:
        return whole
    best: tuple[int, int, str] | None = None  # (-length, rank, topic id)
    for i in range(len(ts)):
        for j in range(min(len(ts), i + idx.phrase_max), i, -1):  # longest first
            if best is not None and j - i < -best[0]:
                break
            found = idx.topic_phrases.get(" ".join(ts[i:j]))
            if found is not None:
                candidate = (i - j, found[0], found[1])
                if best is None or candidate < best:
                    best = candidate
                break
    return best[2] if best is not None else None


def search(book: FactBook, query: str, limit: int = 10) -> list[Hit]:
    """Facts matching ``query``, best first (ties in curators' order); [] on a miss."""
    if limit <= 0:
        return []
    idx = _index(book)
    return [Hit(idx.facts[pos], score) for pos, score in _rank(idx, query, limit)]


def _close_ids(idx: _Index, q: str, cutoff: float) -> list[tuple[float, int, str]]:
    found = process.extract(q, idx.ids_folded, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3)
    return [(score, pos, idx.ordered[pos].id) for _, score, pos in found]


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
        chosen = [f for f in idx.ordered if f.superseded_by is None][:AUTOCOMPLETE_MAX]
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
