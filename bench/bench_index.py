"""Search index build: a full build against an incremental one after small edits.

Run by hand:  .venv/bin/python bench/bench_index.py [--sizes 1000 10000] [--repeat 5]

For each synthetic book (the one of bench_answer.py), it times a full ``search.warm(book)``
and then ``search.warm(edited, book)`` for a few one-fact edits: a changed claim in the
middle, a fact added in the middle, one removed, one moved from the end to the top, a topic's
aliases changed, and a line-only shift (a fact above grew by a line: every later fact's
``line`` changes, nothing the index reads does). Each figure is the best of ``--repeat`` runs
with the garbage collector paused (as live reload does); the full build is also shown with the
collector running. The incremental result is checked against a fresh build on every edit.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_answer import synthetic_book

from bot import search
from bot.book import Fact, FactBook


def rebuild(book: FactBook, facts: list[Fact], **kw: object) -> FactBook:
    return FactBook(
        facts={f.id: f for f in facts},
        sources=kw.get("sources", book.sources),  # type: ignore[arg-type]
        topics=kw.get("topics", book.topics),  # type: ignore[arg-type]
        version=book.version + "+",
    )


def edits(book: FactBook) -> dict[str, FactBook]:
    facts = list(book)
    mid = len(facts) // 2
    out: dict[str, FactBook] = {}
    changed = list(facts)
    changed[mid] = dataclasses.replace(facts[mid], claim=facts[mid].claim + " Newly revised.")
    out["claim changed"] = rebuild(book, changed)
    added = list(facts)
    added.insert(mid, dataclasses.replace(facts[mid], id="fact-new", claim="A brand new claim."))
    out["fact added"] = rebuild(book, added)
    out["fact removed"] = rebuild(book, facts[:mid] + facts[mid + 1 :])
    out["fact moved"] = rebuild(book, [facts[-1], *facts[:-1]])
    topics = dict(book.topics)
    tid = next(iter(topics))
    topics[tid] = dataclasses.replace(topics[tid], aliases=("brand new alias",))
    out["topic aliases"] = rebuild(book, facts, topics=topics)
    shifted = facts[:mid] + [dataclasses.replace(f, line=f.line + 1) for f in facts[mid:]]
    out["lines shifted"] = rebuild(book, shifted)
    return out


def best_ms(run: Callable[[], object], repeat: int, paused: bool = True) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        if paused:
            gc.disable()
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000.0)
        gc.enable()
    return min(times)


def same(a: FactBook, b: FactBook) -> bool:
    for q in ("an estimated", "russia", "brand new", "revised", "kaka", "fact-00012"):
        if [(h.fact.id, h.score) for h in search.search(a, q, 25)] != [
            (h.fact.id, h.score) for h in search.search(b, q, 25)
        ]:
            return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    for n in args.sizes:
        book = synthetic_book(n)
        search.warm(book)
        build = functools.partial(search._build, book)
        full = best_ms(build, args.repeat)
        full_gc = best_ms(build, max(1, args.repeat // 2), paused=False)
        print(f"\n== {n:,} facts: full build {full:.0f} ms (gc paused), {full_gc:.0f} ms (gc on)")
        print(f"   {'edit':16} {'incremental ms':>15} {'full/incremental':>17}  equal")
        for label, edited in edits(book).items():
            prev = search._index(book)
            inc = best_ms(functools.partial(search._build, edited, prev), args.repeat)
            search.warm(edited, book)
            fresh = FactBook(
                facts=edited.facts, sources=edited.sources, topics=edited.topics, version="x"
            )
            ok = same(edited, fresh)
            print(f"   {label:16} {inc:15.1f} {full / inc:16.0f}x  {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
