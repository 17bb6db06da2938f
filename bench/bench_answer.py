"""Answer engine speed: search plus composition on synthetic books of 1,000 and 10,000 facts.

Run by hand:  .venv/bin/python bench/bench_answer.py [--queries 400] [--passes 3]

For each book it times a few hundred mixed queries (hits, typos, misses, summaries) through
``fact_answer`` / ``summary_answer`` (the index built first, as the bot does on each load), and
the same queries through a naive baseline in the same run: a linear scan with substring
matching over every fact, falling back to ``difflib.get_close_matches`` over the vocabulary for
words no fact contains. It prints p50/p99 in milliseconds and the baseline/engine ratio, plus
the index build time and autocomplete latency. Targets: p99 <= 1 ms at 1,000 facts, <= 10 ms
at 10,000.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answers import (
    SearchIndex,
    complete_facts,
    complete_topics,
    english_uses,
    fact_answer,
    fold,
    summary_answer,
)
from bot.factbook import Fact, FactBook, Source, Topic

_REAL = """
    workers abroad russia china logging construction shipyard poland qatar kuwait mongolia
    sanctions resolution repatriation revenue wages currency estimate forced labour trafficking
    regime overseas camps seafood factories restaurants dormitories guards passports quota
    remittances brokers contracts permits visas defectors interviews report panel experts
"""
REAL_WORDS = _REAL.split()
REGIONS = ("russia", "china", "poland", "qatar", "kuwait", "uae", "mongolia", "global")


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    syllables = ["ka", "ro", "mi", "tu", "sen", "dal", "vor", "pli", "na", "gre", "sho", "bek"]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_book(n_facts: int, seed: int = 7) -> FactBook:
    """A book shaped like facts.yaml: ~1 source per 5 facts, 60 topics with aliases, claims of
    18-40 words drawn from a Zipf-like vocabulary, quotes, regions, some secondhand and
    superseded facts.
    """
    rng = random.Random(seed)
    vocab = REAL_WORDS + _pseudo_words(rng, max(2000, n_facts * 2))
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(vocab))]

    def words(k: int) -> str:
        return " ".join(rng.choices(vocab, weights, k=k))

    topics = {}
    for i in range(60):
        tid = f"topic-{i:02d}-{vocab[i % len(REAL_WORDS)]}"
        topics[tid] = Topic(
            id=tid,
            title=f"{words(3).capitalize()} {i}",
            aliases=tuple(words(2) for _ in range(3)),
        )
    sources = {}
    for i in range(max(1, n_facts // 5)):
        sid = f"src-{i}"
        sources[sid] = Source(
            id=sid,
            title=words(6).capitalize(),
            publisher=f"{words(1).capitalize()} {rng.choice(['Times', 'Institute', 'UN'])}",
            date=f"{rng.randint(2000, 2025)}",
            url=f"https://example.org/{sid}",
        )
    topic_ids = list(topics)
    source_ids = list(sources)
    facts = {}
    for i in range(n_facts):
        fid = f"fact-{i:05d}"
        figure = f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}"
        facts[fid] = Fact(
            id=fid,
            claim=f"{words(rng.randint(12, 30)).capitalize()} an estimated {figure} "
            f"{words(rng.randint(4, 8))}.",
            source=rng.choice(source_ids),
            topics=tuple(rng.sample(topic_ids, rng.randint(1, 3))),
            quote=words(rng.randint(10, 30)),
            as_of=str(rng.randint(2000, 2025)) if rng.random() < 0.6 else None,
            regions=tuple(rng.sample(REGIONS, rng.randint(0, 2))),
            confidence="secondhand" if rng.random() < 0.25 else "verified",
            superseded_by=f"fact-{i + 1:05d}" if rng.random() < 0.03 and i + 1 < n_facts else None,
        )
    return FactBook(facts=facts, sources=sources, topics=topics, version=f"bench-{n_facts}")


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("drop", "swap", "double"))
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def queries(book: FactBook, n: int, seed: int = 11) -> list[tuple[str, str]]:
    """(mode, query): 40% hits, 20% typos, 15% misses, 25% summaries (topics and free)."""
    rng = random.Random(seed)
    facts = list(book)
    topics = list(book.topics.values())
    out: list[tuple[str, str]] = []
    for i in range(n):
        r = i % 20
        words = rng.choice(facts).claim.rstrip(".").split()
        if r < 8:
            start = rng.randrange(len(words) - 3)
            out.append(("hit", " ".join(words[start : start + rng.randint(1, 3)])))
        elif r < 12:
            picked = rng.sample(words, 2)
            out.append(("typo", " ".join(_typo(rng, w) for w in picked)))
        elif r < 15:
            out.append(("miss", f"zzq{rng.randint(0, 10**6)} xqv{rng.randint(0, 10**6)}"))
        elif r < 18:
            t = rng.choice(topics)
            out.append(("summary", rng.choice([t.id, t.title, *t.aliases])))
        else:
            out.append(("summary", " ".join(rng.sample(words, 2))))
    return out


# -- the naive baseline --------------------------------------------------------------------------
class Baseline:
    """Linear scan: substring matches over each fact's folded text; difflib for unknown words."""

    def __init__(self, book: FactBook) -> None:
        self.book = book
        self.texts: list[tuple[Fact, str]] = []
        vocab: set[str] = set()
        for fact in book:
            topics = " ".join(
                f"{book.topics[t].id} {book.topics[t].title} {' '.join(book.topics[t].aliases)}"
                for t in fact.topics
            )
            text = fold(f"{fact.id} {fact.claim} {fact.quote or ''} {topics}")
            self.texts.append((fact, text))
            vocab.update(text.split())
        self.vocab = sorted(vocab)

    def search(self, query: str, limit: int = 10) -> list[Fact]:
        words = [w for w in fold(query).split() if w]
        fixed = []
        for w in words:
            if any(w in text for _, text in self.texts):
                fixed.append(w)
            else:
                fixed.extend(difflib.get_close_matches(w, self.vocab, n=1, cutoff=0.8))
        scored = [(sum(w in text for w in fixed), i, f) for i, (f, text) in enumerate(self.texts)]
        scored = [s for s in scored if s[0] > 0]
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [f for _, _, f in scored[:limit]]

    def answer(self, mode: str, query: str) -> str:
        hits = self.search(query, 5 if mode == "summary" else 1)
        if mode == "summary":
            return " ".join(f"{f.claim}[{i}]" for i, f in enumerate(hits, start=1))
        return hits[0].claim if hits else ""


# -- timing --------------------------------------------------------------------------------------
def engine_answer(index: SearchIndex) -> Callable[[str, str], object]:
    def run(mode: str, query: str) -> object:
        if mode == "summary":
            return summary_answer(index, query)
        return fact_answer(index, query)

    return run


def time_all(
    run: Callable[[str, str], object], qs: list[tuple[str, str]], passes: int
) -> list[float]:
    samples: list[float] = []
    for _ in range(passes):
        for mode, q in qs:
            t0 = time.perf_counter()
            run(mode, q)
            samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100.0 * (len(ordered) - 1)))]


def bench_size(n: int, n_queries: int, passes: int, baseline_passes: int) -> None:
    book = synthetic_book(n)
    t0 = time.perf_counter()
    index = SearchIndex(book)
    build = (time.perf_counter() - t0) * 1000.0
    qs = queries(book, n_queries)
    found = sum(bool(index.search(q, 1)) for m, q in qs if m in ("hit", "typo"))
    n_found = sum(m in ("hit", "typo") for m, _ in qs)
    answered = sum(fact_answer(index, q).kind == "miss" for m, q in qs if m == "miss")
    n_empty = sum(m == "miss" for m, _ in qs)
    print(f"\n== {n:,} facts: index built in {build:.0f} ms, {len(index.postings):,} terms")
    print(
        f"   hits+typos found: {found}/{n_found}; misses answered as misses: {answered}/{n_empty}"
    )

    gc.collect()
    ours = time_all(engine_answer(index), qs, passes)
    base = time_all(Baseline(book).answer, qs, baseline_passes)
    by_mode: dict[str, list[float]] = {}
    for (mode, _), ms in zip(qs * passes, ours, strict=True):
        by_mode.setdefault(mode, []).append(ms)

    print(f"   {'':22} {'p50 ms':>9} {'p99 ms':>9} {'mean ms':>9}")
    for label, s in [("engine (all)", ours), ("naive baseline (all)", base)]:
        print(f"   {label:22} {pct(s, 50):9.3f} {pct(s, 99):9.3f} {statistics.fmean(s):9.3f}")
    for mode, s in sorted(by_mode.items()):
        print(f"   {'  engine ' + mode:22} {pct(s, 50):9.3f} {pct(s, 99):9.3f}")
    print(
        f"   baseline/engine ratio: p50 x{pct(base, 50) / pct(ours, 50):.1f}, "
        f"p99 x{pct(base, 99) / pct(ours, 99):.1f}"
    )
    median = [statistics.median(ours[i :: len(qs)]) for i in range(len(qs))]
    print("   slowest queries (median over passes, ms):")
    for i in sorted(range(len(qs)), key=lambda i: (-median[i], i))[:5]:
        print(f"     {median[i]:7.3f}  {qs[i][0]:8} {qs[i][1]!r}")
    target = 1.0 if n <= 1_000 else 10.0
    verdict = "met" if pct(ours, 99) <= target else "MISSED"
    print(f"   target p99 <= {target:g} ms (all samples): {verdict}")

    rng = random.Random(3)
    claims = [f.claim for f in book]
    partials = [rng.choice(claims).split()[0][: rng.randint(1, 6)] for _ in range(200)]

    def complete(_mode: str, partial: str) -> object:
        return complete_facts(index, partial, 25), complete_topics(index, partial, 25)

    auto = time_all(complete, [("auto", p) for p in partials], 1)
    print(f"   autocomplete (facts+topics): p50 {pct(auto, 50):.3f}, p99 {pct(auto, 99):.3f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--baseline-passes", type=int, default=1)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {sys.version.split()[0]}; {args.queries} queries x {args.passes} passes; "
        f"{os.cpu_count()} CPUs, load average {load:.2f}"
    )
    english_uses("")  # the bot reads the word list once, off the event loop, on each load
    for n in args.sizes:
        bench_size(n, args.queries, args.passes, args.baseline_passes)


if __name__ == "__main__":
    main()
