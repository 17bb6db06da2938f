"""What usage statistics cost an answer, and how big a year of a busy team's data grows.

1. /fact end to end through the local Discord (the real discord.py, in process, as in
   bench_discord.py) on a synthetic 1,000-fact book, with statistics on and off in the same run:
   rounds in a shuffled order on one bot whose ``Services.usage`` is switched between the live
   recorder (its writer flushing batches in a worker thread meanwhile) and one that is off, and
   a second "off" whose difference from the first shows the machine's noise. The queries are
   bench_discord's 676 word pairs, so many are misses whose text is recorded.
   Beside it, the store's own costs: recording one answer on the event loop (the hot path),
   and the writer's CPU per answer in its thread (scrubbing and writing a batch of 100).
2. A year of a busy team: 500 questions a day for 365 days (60% /fact over a skewed choice of
   1,000 facts, 15% /summary of 20 topics, 10% /search, 5% /source, 10% unanswered: a pool of
   200 recurring questions and new ones), written day by day; the file's size with a year kept
   and with the default 180 days, and how long an insights read takes.

    .venv/bin/python bench/bench_usage.py [--n 1600] [--rounds 32]

Target: statistics on cost under 5% of /fact's end-to-end time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.usage import UsageRecorder, read_counts  # noqa: E402
from tests.stand_in import StandIn  # noqa: E402
from tests.stand_in.books import WORDS, synthetic_facts  # noqa: E402
from tests.stand_in.harness import BotHandle, launch  # noqa: E402

TARGET = 0.05
DAY = 86400.0


def _query(i: int) -> dict[str, str]:
    w = len(WORDS)
    return {"query": f"{WORDS[i % w]} {WORDS[(i // w) % w]}"}


async def _fact_latencies(handle: BotHandle, first: int, n: int) -> list[float]:
    s = handle.stand_in
    out = []
    for i in range(first, first + n):
        rec = await s.inject(s.interaction_payload("fact", _query(i)))
        await s.wait_reply(rec, timeout=10)
        assert rec.callback_type == 4 and (rec.embeds or rec.content)
        out.append(rec.latency)
    return out


class Collections:
    """Time the garbage collector spent per mode (read through ``gc.callbacks``, not tuned):
    a full collection of this process's heap takes tens of milliseconds and falls on
    whichever round is running, so it is shown apart from the latencies.
    """

    def __init__(self) -> None:
        self.mode = "warm-up"
        self.spent: dict[str, float] = {}
        self.full: dict[str, int] = {}
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        took = time.perf_counter() - self._start
        self.spent[self.mode] = self.spent.get(self.mode, 0.0) + took
        if info["generation"] == 2:
            self.full[self.mode] = self.full.get(self.mode, 0) + 1


MODES = ("off", "off again", "on")


async def end_to_end(n: int, rounds: int) -> tuple[float, float]:
    """Trimmed mean /fact latency (ms, slowest 1% left out) with statistics off and on; prints
    the figures. Three modes share the rounds, in a shuffled order each round: off, off again
    (the same as off: the difference between the two is this machine's noise), and on.
    """
    stand_in = StandIn()
    await stand_in.start()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facts.yaml"
        path.write_text(synthetic_facts(1000, n_topics=20), encoding="utf-8")
        handle = await launch(stand_in, path)
        live = handle.bot.usage
        off = UsageRecorder.off()
        lat: dict[str, list[float]] = {m: [] for m in MODES}
        collections = Collections()
        gc.callbacks.append(collections)
        try:
            await _fact_latencies(handle, 0, 50)  # warm-up
            per = max(n // rounds, 1)
            q = 50
            for _ in range(rounds):
                for mode in rng.sample(MODES, len(MODES)):
                    collections.mode = mode
                    handle.bot.services.usage = live if mode == "on" else off
                    lat[mode] += await _fact_latencies(handle, q, per)
                    q += per
            await live.flush()
            written, lost = live.written, live.lost
        finally:
            gc.callbacks.remove(collections)
            handle.bot.services.usage = live
            await handle.stop()
            await stand_in.close()
    mean = {m: statistics.fmean(v) * 1000 for m, v in lat.items()}
    trimmed = {m: statistics.fmean(sorted(v)[: len(v) * 99 // 100]) * 1000 for m, v in lat.items()}
    p50 = {m: statistics.median(v) * 1000 for m, v in lat.items()}
    print(f"/fact end to end, one in flight, {len(lat['on'])} per mode in {rounds} rounds:")
    for m in MODES:
        print(
            f"  statistics {m:<9}  p50 {p50[m]:.3f} ms   mean {mean[m]:.3f} ms   "
            f"mean of the fastest 99% {trimmed[m]:.3f} ms   garbage collector "
            f"{collections.spent.get(m, 0) * 1000:.0f} ms ({collections.full.get(m, 0)} full)"
        )
    for name, figures in (("p50", p50), ("mean of the fastest 99%", trimmed)):
        for other in ("off again", "on"):
            diff = figures[other] - figures["off"]
            print(
                f"  {other} - off, {name}: {diff * 1000:+.1f} µs per answer "
                f"({diff / figures['off'] * 100:+.1f}% of /fact)"
            )
    print(f"  answers written by the store: {written}, lost: {lost}")
    return trimmed["off"], trimmed["on"]


def hot_path_us(n: int = 200_000) -> float:
    """Microseconds for one ``answered()`` (a /fact that served a fact), statistics on."""
    with tempfile.TemporaryDirectory() as tmp:
        recorder = UsageRecorder(Path(tmp) / "u.sqlite", flush_events=10**9)
        ids = [f"fact-{i:04d}" for i in range(1000)]
        start = time.perf_counter()
        for i in range(n):
            recorder.answered("fact", fact=ids[i % 1000])
        return (time.perf_counter() - start) / n * 1e6


def writer_us_per_answer(batches: int = 200, size: int = 100) -> float:
    """Microseconds of the writer thread's time per answer: batches of ``size`` answers with
    one miss in ten (scrubbed), each written in one transaction.
    """
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        recorder = UsageRecorder(Path(tmp) / "u.sqlite")
        recorder.flush_now()  # opened
        spent = 0.0
        for _ in range(batches):
            for i in range(size):
                if i % 10 == 0:
                    words = " ".join(rng.choice(WORDS) for _ in range(4))
                    recorder.answered("fact", unanswered=f"What about {words}?")
                else:
                    recorder.answered("fact", fact=f"fact-{rng.randrange(1000):04d}")
            start = time.perf_counter()
            recorder.flush_now()
            spent += time.perf_counter() - start
        recorder.close()
    return spent / (batches * size) * 1e6


def simulate_year(path: Path, retention: int, per_day: int = 500, days: int = 365) -> float:
    """Write ``days`` days of a busy team's questions; seconds it took."""
    rng = random.Random(42)
    facts = [
        f"fact-{i:04d}-{WORDS[i % len(WORDS)]}-{WORDS[(i * 3) % len(WORDS)]}" for i in range(1000)
    ]
    weights = [1 / (i + 1) for i in range(len(facts))]  # a few facts are asked most
    topics = [f"topic-{t:02d}-{WORDS[t % len(WORDS)]}" for t in range(20)]
    recurring = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))) for _ in range(200)]
    clock = [dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC).timestamp()]
    recorder = UsageRecorder(path, retention_days=retention, clock=lambda: clock[0])
    start = time.perf_counter()
    for _ in range(days):
        for i in range(per_day):
            r = rng.random()
            if r < 0.60:
                recorder.answered("fact", fact=rng.choices(facts, weights)[0])
            elif r < 0.75:
                topic = rng.choice(topics)
                recorder.answered("summary", facts=rng.choices(facts, weights, k=3), topic=topic)
            elif r < 0.85:
                recorder.answered("search")
            elif r < 0.90:
                recorder.answered("source", fact=rng.choices(facts, weights)[0])
            else:
                if rng.random() < 0.5:
                    text = rng.choice(recurring)
                else:
                    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
                recorder.answered("fact", unanswered=f"{text} {i}?" if rng.random() < 0.3 else text)
            if recorder.pending >= 100:
                recorder.flush_now()
        recorder.flush_now()
        clock[0] += DAY
    recorder.close()
    return time.perf_counter() - start


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def year_figures() -> None:
    print("\na year of a busy team (500 questions a day, 365 days):")
    with tempfile.TemporaryDirectory() as tmp:
        for retention in (366, 180):
            path = Path(tmp) / f"usage-{retention}.sqlite"
            took = simulate_year(path, retention)
            counts = read_counts(path, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
            end = dt.date(2025, 12, 31)
            start = time.perf_counter()
            read_counts(path, end - dt.timedelta(days=29), end)
            read_30 = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            read_counts(path, end - dt.timedelta(days=retention - 1), end)
            read_all = (time.perf_counter() - start) * 1000
            kept = min(retention, 365)
            print(
                f"  kept {kept} days: {_size(path) / 1e6:.2f} MB on disk, "
                f"{counts.answers:,} answers, {len(counts.unanswered):,} distinct unanswered "
                f"questions; written in {took:.1f} s; insights read: 30 days {read_30:.0f} ms, "
                f"all {read_all:.0f} ms"
            )


async def main(n: int, rounds: int) -> int:
    logging.basicConfig(level=logging.WARNING)
    off, _ = await end_to_end(n, rounds)
    hot = hot_path_us()
    writer = writer_us_per_answer()
    print("\nthe store's own cost per answer:")
    print(f"  on the event loop (count in memory): {hot:.2f} µs")
    print(f"  in the writer thread (scrub + SQLite, batches of 100): {writer:.2f} µs")
    ratio = (hot + writer) / (off * 1000)
    print(
        f"  together {hot + writer:.2f} µs = {ratio * 100:.2f}% of /fact's {off:.3f} ms "
        f"end to end (only the {hot:.2f} µs, {hot / (off * 1000) * 100:.3f}%, is on the loop)"
    )
    year_figures()
    met = ratio < TARGET
    verdict = "met" if met else "NOT met"
    print(f"\ntarget: the store's cost under {TARGET * 100:g}% of /fact end to end: {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1600, help="/fact interactions per mode")
    parser.add_argument("--rounds", type=int, default=32, help="rounds, each mode once a round")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.n, args.rounds)))
