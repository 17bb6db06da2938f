"""Relevance: how often the right fact comes first, on judged questions, beside SQLite FTS5 BM25.

Run by hand:  .venv/bin/python bench/bench_relevance.py [--failures]

On each judged set (see tests/answers/relevance.py: the bundled book, a book on forced labour in
Thailand's fishing industry, and two held-out sets of each written blind), for factbot (``/fact``,
as members get it) and for an untuned SQLite FTS5 ``bm25()`` over the same facts, it prints:

* hit@1: a right fact first; hit@3: one in the first three; MRR@5;
* for the questions the book cannot answer: miss precision (of the answers given as misses, the
  share that should be) and miss recall (of those that should be misses, the share that are);
* answered: of the answerable questions, the share not turned into misses;
* for factbot, the share of misses that offer 1 to 3 suggestions;
* every question factbot gets wrong, with why (``--failures``; the count always).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.answers.relevance import BOOKS, baseline, judged_set, ours


def run(name: str, failures: bool) -> None:
    book, queries = judged_set(name)
    mine, outcomes = ours(book, queries)
    theirs = baseline(book, queries)
    n_answerable = sum(not q.miss for q in queries)
    print(
        f"\n== {name}: {len(book)} facts, {len(queries)} judged questions "
        f"({n_answerable} answerable, {len(queries) - n_answerable} the book cannot answer)"
    )
    print(
        f"   {'':<14} {'hit@1':>7} {'hit@3':>7} {'MRR@5':>7} {'miss prec':>9} {'miss rec':>8}"
        f" {'answered':>9} {'suggests':>9}"
    )
    print(mine.row("factbot"))
    print(theirs.row("FTS5 bm25"))
    wrong = [o for o in outcomes if not o.right]
    print(f"   factbot wrong on {len(wrong)} of {len(queries)}")
    for o in wrong if failures else ():
        top = [f"{h.fact.id} {h.score:.2f}/{h.coverage:.0%}" for h in o.answer.candidates[:3]]
        print(f"     line {o.expected.line}: {o.expected.query!r}: {o.why()}; top: {top}")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--failures", action="store_true", help="list every wrong answer, with why")
    args = ap.parse_args()
    for name in BOOKS:
        run(name, args.failures)


if __name__ == "__main__":
    main()
