"""Relevance on the judged question sets, held above floors set from the benchmark's measurement.

Quality is deterministic, so it is a test: ``bench/bench_relevance.py`` prints the same figures
with every failure. A floor moves only with a measurement (and, for a judgement changed, the
reason in the commit).
"""

from __future__ import annotations

import pytest

from tests.answers.relevance import BOOKS, baseline, judged_set, ours

#: (hit@1, miss recall, answered share) floors per judged set, measured when set: bundled
#: 95.1% / 91% / 100% (309 questions over 101 facts), Thai 95.7% / 94% / 100% (132 over 45);
#: held out, bundled 92.5% / 85% / 96.2% (100 questions) and Thai 100% / 60% / 100% (50); held
#: out 2, bundled 90.0% / 50% / 96.7% (80) and Thai 92.1% / 75% / 94.7% (50).
FLOORS = {
    "bundled (North Korea)": (0.95, 0.91, 1.0),
    "Thai fishing": (0.95, 0.93, 1.0),
    "bundled, held out": (0.92, 0.85, 0.96),
    "Thai fishing, held out": (1.0, 0.60, 1.0),
    "bundled, held out 2": (0.90, 0.50, 0.96),
    "Thai fishing, held out 2": (0.92, 0.75, 0.94),
}


@pytest.mark.parametrize("name", list(BOOKS))
def test_the_right_fact_comes_first_and_misses_are_honest(name: str) -> None:
    book, queries = judged_set(name)
    mine, outcomes = ours(book, queries)
    hit1, miss_recall, answered = FLOORS[name]
    wrong = [f"{o.expected.query!r}: {o.why()}" for o in outcomes if not o.right]
    assert mine.hit1 >= hit1, wrong
    assert mine.miss_recall >= miss_recall, wrong
    assert mine.answered_share >= answered, wrong
    assert mine.suggested == 1.0  # every miss offers one to three suggestions


@pytest.mark.parametrize("name", list(BOOKS))
def test_ahead_of_an_untuned_bm25_on_the_same_facts(name: str) -> None:
    book, queries = judged_set(name)
    mine, _ = ours(book, queries)
    theirs = baseline(book, queries)
    assert mine.hit1 >= theirs.hit1
    assert mine.mrr5 >= theirs.mrr5
    assert mine.miss_recall >= theirs.miss_recall
