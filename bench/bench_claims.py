"""Find sources speed: a message's claims checked against synthetic books of 1,000 and 10,000
facts, sentence by sentence.

Run by hand:  .venv/bin/python bench/bench_claims.py [--messages 200]

For each book it times ``check_claims`` on messages of one sentence to a full 4,000-character
post (up to ``CLAIMS_MAX`` sentences checked, each whole and by clause), beside the baseline of
the same run: one ``fact_answer`` per message, what a member retyping it into /fact would cost.
It prints p50/p99 in milliseconds. An interaction must be answered within 3 s: the check runs
on the event loop without deferring while the longest message stays far below that.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_answer import REAL_WORDS, synthetic_book

from bot.answers import SearchIndex, check_claims, english_uses, fact_answer


def messages(rng: random.Random, n: int) -> list[str]:
    """Chat messages of 1 to 30 sentences (cut at 4,000 characters), some words off-book."""
    out = []
    for _ in range(n):
        sentences = []
        for _ in range(rng.choice((1, 2, 5, 12, 30))):
            words = rng.choices(REAL_WORDS, k=rng.randint(6, 22))
            words += rng.choices(("lol", "really", "said", "2019", "$3bn", "they"), k=2)
            rng.shuffle(words)
            sentences.append(" ".join(words).capitalize() + rng.choice(".!?"))
        out.append(" ".join(sentences)[:4000])
    return out


def timed(work: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    times = []
    for text in texts:
        start = time.perf_counter()
        work(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    english_uses("")  # read once, as the bot does on its first query
    rng = random.Random(11)
    texts = messages(rng, args.messages)
    for n in (1_000, 10_000):
        index = SearchIndex(synthetic_book(n))
        check = timed(lambda t, i=index: check_claims(i, t), texts)
        base = timed(lambda t, i=index: fact_answer(i, t), texts)
        longest = [t for t in texts if len(t) >= 3500] or texts
        worst = timed(lambda t, i=index: check_claims(i, t), longest)
        print(
            f"{n:>6} facts: check_claims p50 {check[0]:.2f} ms p99 {check[1]:.2f} ms; "
            f"longest messages p50 {worst[0]:.2f} ms p99 {worst[1]:.2f} ms; "
            f"baseline one fact_answer p50 {base[0]:.2f} ms p99 {base[1]:.2f} ms"
        )


if __name__ == "__main__":
    main()
