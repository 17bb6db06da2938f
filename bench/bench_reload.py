"""Live reload: how soon a saved facts.yaml is in service, and how long the event loop stalls.

Run by hand:  .venv/bin/python bench/bench_reload.py [--sizes 1000 10000] [--edits 5]

For each size it writes a synthetic facts.yaml, keeps a client answering ``/fact`` questions
from the book in service (one every millisecond, as interactions would) and a probe that sleeps
1 ms at a time and records how late it wakes (the loop's stall). Then, for each way:

* ``floor``: no reload at all; the stall the client and the probe cause themselves;
* ``reload on the loop`` (the baseline): load, validate and index the file on the event loop;
* ``watch`` (as shipped): the file is saved from another thread (as an editor's save comes
  from another process), ``LiveFacts.watch`` sees it, waits for the burst to settle (0.3 s),
  and reloads in a worker thread.

It prints, per way, the save-to-service time and the worst stall (median and maximum over the
edits), and the stall as a multiple of the floor's. Targets: a 1,000-fact file in service
within 1 s and a 10,000-fact one within 5 s, with no stall over 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The bot's process has discord.py and the app loaded (about 28,000 more objects that the
# collector walks on every full collection): load them here too, so the stall is the bot's.
import bot.app  # noqa: F401
from bot.answers import SearchIndex, english_uses, fact_answer
from bot.factbook import load_bytes
from bot.live import LiveFacts, ReloadReport
from tests.stand_in.books import synthetic_facts

QUERIES = ("forced labour wages russia", "passports withheld", "sanctions revenue", "fishing")


@dataclass
class Probe:
    """Sleeps 1 ms at a time; keeps the worst lateness while recording."""

    worst: float = 0.0
    recording: bool = False
    stop: bool = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stop:
            t = loop.time()
            await asyncio.sleep(0.001)
            if self.recording:
                self.worst = max(self.worst, loop.time() - t - 0.001)


@dataclass
class Client:
    """Answers a question from the book in service every millisecond."""

    live: LiveFacts
    answered: int = 0
    stop: bool = False

    async def run(self) -> None:
        while not self.stop:
            await asyncio.sleep(0.001)
            fact_answer(self.live.index, QUERIES[self.answered % len(QUERIES)])
            self.answered += 1


@dataclass
class Result:
    """One way's figures over the edits."""

    name: str
    in_service: list[float] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)

    def row(self, floor: float) -> str:
        if self.in_service:
            med, top = statistics.median(self.in_service), max(self.in_service)
            svc = f"{med * 1000:8.0f} {top * 1000:8.0f}"
        else:
            svc = f"{'-':>8} {'-':>8}"
        stall = f"{statistics.median(self.stalls) * 1000:8.1f} {max(self.stalls) * 1000:8.1f}"
        ratio = f"{max(self.stalls) / floor:6.1f}x" if floor else ""
        return f"   {self.name:<20} {svc}   {stall}  {ratio}"


def edited(base: str, n: int) -> str:
    """The book with one fact's claim changed (edit number ``n``)."""
    return base.replace("found ", f"found (edit {n}) ", 1)


def save_from_another_thread(path: Path, text: str) -> None:
    def write() -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


async def measure(n: int, edits: int) -> None:
    base = synthetic_facts(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facts.yaml"
        path.write_text(base, encoding="utf-8")
        live = LiveFacts(path)
        t0 = time.perf_counter()
        live.load_initial()
        first, size = time.perf_counter() - t0, len(base.encode()) / 1e6
        print(f"\n== {n:,} facts ({size:.1f} MB): first load {first:.2f} s")
        probe, client = Probe(), Client(live)
        tasks = [asyncio.create_task(probe.run()), asyncio.create_task(client.run())]
        await asyncio.sleep(0.5)

        floor = Result("floor (no reload)")
        for _ in range(edits):
            probe.worst, probe.recording = 0.0, True
            await asyncio.sleep(1.0)
            probe.recording = False
            floor.stalls.append(probe.worst)

        on_loop = Result("reload on the loop")
        for i in range(edits):
            text = edited(base, 1000 + i)
            path.write_text(text, encoding="utf-8")
            probe.worst, probe.recording = 0.0, True
            t = time.perf_counter()
            result = load_bytes(text.encode(), "facts.yaml")  # on the loop: the baseline
            assert result.book is not None
            SearchIndex(result.book)
            on_loop.in_service.append(time.perf_counter() - t)
            await asyncio.sleep(0.05)
            probe.recording = False
            on_loop.stalls.append(probe.worst)
        del result  # the bot holds one book in service (and the one it loads), not a spare

        shipped = Result("watch (as shipped)")
        reports: list[ReloadReport] = []

        async def on_report(report: ReloadReport) -> None:
            reports.append(report)

        watcher = asyncio.create_task(live.watch(on_report))
        await live.watching.wait()
        await asyncio.sleep(0.5)
        for i in range(edits):
            before = live.version
            probe.worst, probe.recording = 0.0, True
            t = time.perf_counter()
            await asyncio.to_thread(save_from_another_thread, path, edited(base, i))
            while live.version == before:
                await asyncio.sleep(0.001)
            shipped.in_service.append(time.perf_counter() - t)
            await asyncio.sleep(0.2)
            probe.recording = False
            shipped.stalls.append(probe.worst)
        watcher.cancel()
        probe.stop = client.stop = True
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(watcher, return_exceptions=True)

        worst_floor = max(floor.stalls)
        print(f"   {'':20} {'in service, ms':>17}   {'worst stall, ms':>17}")
        print(f"   {'':20} {'median':>8} {'max':>8}   {'median':>8} {'max':>8}  vs floor")
        for r in (floor, on_loop, shipped):
            print(r.row(worst_floor))
        limit = 1.0 if n <= 1_000 else 5.0
        ok = max(shipped.in_service) <= limit and max(shipped.stalls) <= 0.050
        print(
            f"   target: in service within {limit:g} s, no stall over 50 ms: "
            f"{'met' if ok else 'MISSED'}; {client.answered:,} questions answered meanwhile"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    ap.add_argument("--edits", type=int, default=5)
    args = ap.parse_args()
    english_uses("")
    for n in args.sizes:
        asyncio.run(measure(n, args.edits))


if __name__ == "__main__":
    main()
