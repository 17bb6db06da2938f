"""Live reload of a 10,000-fact facts.yaml while interactions keep arriving.

Run by hand: ``.venv/bin/python bench/bench_reload.py [--facts 10000] [--edits 5] [--quick]``
(``--quick``: only the baseline, the floor and the chunked rows, in under a minute).

For each way of reloading, the script edits one fact's claim and measures

* save -> in service: from the end of the write to the new version answering, and
* the longest event-loop stall from the save until 50 ms after the swap: a probe task sleeps
  1 ms in a loop and records how late it wakes up. The save is written from a worker thread,
  as an editor's would come from another process (written on the loop, the 3.5 MB write
  itself blocked it for 7-10 ms, counted in every row but the floor),

while a client asks questions: a coroutine answering a fact query (search + compose, as
``/fact`` does) from ``live.book`` about every millisecond, or with ``--discord`` the real bot
(discord.py, in process) answering /fact interactions sent through the local Discord, one in
flight. "answer max" is the longest a question waited for its answer during a reload. The ways:

* ``on the loop``: the baseline: read, parse, validate and index synchronously in the loop;
* ``no reload (floor)``: the same window with no reload at all: what the client and the
  machine cost by themselves;
* ``reload, chunked``: ``LiveFacts.reload()`` (what /facts reload and SIGHUP do) called at the
  save, as shipped: the chunked load with the cache LiveFacts keeps (only the edited fact is
  parsed), the index, the diff and the freeing of the old book in worker threads, under a
  0.2 ms thread switch interval (``bot.live.switching_often``);
* ``reload, chunked, gc``: the same with the collector left alone (no pause while loading, no
  ``gc.freeze`` of the new book): what that handling in bot/live.py and bot/load.py is worth;
* ``reload, thread`` / ``reload, process``: the same with the chunked load switched off, so
  the whole file is parsed in a worker thread, or in the worker process that LiveFacts uses
  for whole-file parses of files of 512 KB and more (the bot before the cache);
* ``watch, chunked``: ``LiveFacts.watch`` sees the save, settles the burst (debounce 0.3 s,
  included in the time) and reloads: the bot as shipped;
* ``watch, thread`` / ``watch, process``: the same, whole file (``watch, process`` was the bot
  as shipped before the cache);
* ``watch, thread+tree``: ``watch, thread`` with the loader's YAML node tree freed a few nodes
  at a time after the load instead of in one cascade inside ``load_bytes`` (a change once
  proposed for bot/load.py, simulated here by wrapping it).

The first line also times the pieces alone, on this machine: a whole-file parse+validate, the
chunked load of a one-fact edit with a warm cache, and ``search.warm`` (the search index) alone,
so that the time a reload takes can be told apart.

Targets: no stall over 50 ms, a one-fact edit of a 10,000-fact file in service under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, SequenceNode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.compose import fact_answer  # noqa: E402
from bot.live import (  # noqa: E402
    PROCESS_THRESHOLD,
    LiveFacts,
    ReloadReport,
    shutdown_process_pool,
)
from bot.load import LoadCache, load_bytes  # noqa: E402
from bot.search import warm  # noqa: E402
from tests.stand_in import StandIn  # noqa: E402
from tests.stand_in.books import WORDS, synthetic_facts  # noqa: E402
from tests.stand_in.harness import BotHandle, launch  # noqa: E402

IDLE_SECONDS = 2.0
QUERIES = ("forced labour wages russia", "passports withheld", "sanctions revenue", "fishing")


@dataclass
class Probe:
    """Loop-lag probe: sleeps 1 ms at a time and keeps the worst overshoot of a window."""

    worst: float = 0.0
    ticks: int = 0
    recording: bool = False
    stop: bool = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stop:
            t = loop.time()
            await asyncio.sleep(0.001)
            late = loop.time() - t - 0.001
            if self.recording:
                self.ticks += 1
                self.worst = max(self.worst, late)

    def start(self) -> None:
        self.worst, self.ticks, self.recording = 0.0, 0, True

    def end(self) -> float:
        self.recording = False
        return self.worst


@dataclass
class Client:
    """Answers a fact query from ``live.book`` about every millisecond (as interactions would)."""

    live: LiveFacts
    answered: int = 0
    stop: bool = False
    mixed: int = 0
    worst: float = 0.0  # longest time from a question's arrival to its answer, while recording
    recording: bool = False

    async def run(self) -> None:
        i = 0
        while not self.stop:
            arrives = time.perf_counter() + 0.001
            await asyncio.sleep(0.001)
            book = self.live.book  # taken once per interaction
            answer = fact_answer(book, QUERIES[i % len(QUERIES)])
            if answer.book is not book:
                self.mixed += 1
            if self.recording:
                self.worst = max(self.worst, time.perf_counter() - arrives)
            self.answered += 1
            i += 1


@dataclass
class Result:
    name: str
    in_service: list[float] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # worst answer latency per reload
    answered: int = 0

    def row(self, baseline: Result | None) -> str:
        svc = f"{statistics.median(self.in_service) * 1000:7.0f} {max(self.in_service) * 1000:7.0f}"
        stall = f"{statistics.median(self.stalls) * 1000:7.1f} {max(self.stalls) * 1000:7.1f}"
        ratio = ""
        if baseline is not None and self is not baseline:
            ratio = f"{max(self.stalls) / max(baseline.stalls):6.2f}x"
        worst = f"{max(self.latencies) * 1000:8.0f}" if any(self.latencies) else f"{'-':>8}"
        return f"{self.name:<18} {svc}   {stall}  {ratio:>7}  {worst}  {self.answered:8d}"


def edit(path: Path, base: str, n: int) -> str:
    """Change one fact's claim (the first fact's), write in place, return the new text."""
    text = base.replace("found ", f"found (edit {n}) ", 1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return text


def release_tree(root: object) -> None:
    """Free a YAML node tree a few nodes at a time: a Python loop, so other threads run
    between steps (what the loader could do before returning; see the "proposed" row)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode | SequenceNode):
            children, node.value = node.value, []
            for item in children:
                stack.extend(item if isinstance(item, tuple) else (item,))


@contextlib.contextmanager
def loader_releases_its_tree() -> Iterator[None]:
    """For the "proposed" row only: make the loader's node tree outlive ``load_bytes`` so that
    it is freed by :func:`release_tree` instead of in one cascade inside the loader."""
    import bot.live
    import bot.load

    trees: list[object] = []
    real_compose, real_load = bot.load.__dict__["compose"], bot.live.__dict__["load_bytes"]

    def compose(*args: Any, **kwargs: Any) -> Any:
        root, problem = real_compose(*args, **kwargs)
        trees.append(root)
        return root, problem

    def load(*args: Any, **kwargs: Any) -> Any:
        result = real_load(*args, **kwargs)
        while trees:
            release_tree(trees.pop())
        return result

    setattr(bot.load, "compose", compose)  # noqa: B010
    setattr(bot.live, "load_bytes", load)  # noqa: B010
    try:
        yield
    finally:
        setattr(bot.load, "compose", real_compose)  # noqa: B010
        setattr(bot.live, "load_bytes", real_load)  # noqa: B010


@contextlib.contextmanager
def whole_file_only() -> Iterator[None]:
    """LiveFacts without its chunked load: every reload parses the whole file (as before)."""
    import bot.live

    real = bot.live.__dict__["load_cached"]
    setattr(bot.live, "load_cached", lambda *args, **kwargs: None)  # noqa: B010
    try:
        yield
    finally:
        setattr(bot.live, "load_cached", real)  # noqa: B010


#: Whether the LiveFacts of the next measurement freezes its books out of the collector's reach.
FREEZE = [True]


@contextlib.contextmanager
def collector_left_alone() -> Iterator[None]:
    """LiveFacts and the loader without their garbage-collector handling: no pause during a
    load, no ``gc.freeze`` after it (to show what that handling is worth)."""
    import bot.live
    import bot.load

    real = bot.live.__dict__["gc_paused"]
    FREEZE[0] = False
    for module in (bot.live, bot.load):
        setattr(module, "gc_paused", contextlib.nullcontext)  # noqa: B010
    try:
        yield
    finally:
        FREEZE[0] = True
        for module in (bot.live, bot.load):
            setattr(module, "gc_paused", real)  # noqa: B010


async def _thread(live: LiveFacts) -> None:
    """What /facts reload does: LiveFacts.reload (no watcher, no debounce)."""
    await live.reload("bench")


async def _on_loop(live: LiveFacts) -> None:
    data = live.path.read_bytes()
    book = load_bytes(data, live.display).book
    assert book is not None
    warm(book)
    live._book = book  # the baseline swaps directly: no thread, no lock


async def _idle(live: LiveFacts) -> None:
    """No reload: the loop only answers for as long as a reload takes (the noise floor)."""
    await asyncio.sleep(IDLE_SECONDS)


class DiscordClient:
    """Sends /fact interactions through the local Discord, one in flight, and keeps the worst
    latency (injection to the bot's answer) of the recording window."""

    def __init__(self, handle: BotHandle) -> None:
        self.handle = handle
        self.answered = 0
        self.stop = False
        self.mixed = 0  # not observable from outside the bot; the thread client checks it
        self.worst = 0.0
        self.recording = False

    async def run(self) -> None:
        s = self.handle.stand_in
        i = 0
        while not self.stop:
            words = f"{WORDS[i % len(WORDS)]} {WORDS[(i // len(WORDS)) % len(WORDS)]}"
            rec = await s.wait_reply(
                await s.inject(s.interaction_payload("fact", {"query": words})), 30
            )
            if self.recording:
                self.worst = max(self.worst, rec.latency)
            self.answered += 1
            i += 1


@contextlib.asynccontextmanager
async def running(
    path: Path, base: str, *, watch: bool, discord: bool, process: bool
) -> AsyncIterator[tuple[LiveFacts, Client | DiscordClient]]:
    """A LiveFacts on a fresh copy of ``base`` and a client asking questions of it: a bare
    coroutine, or the real bot driven through the local Discord."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(base)
    threshold = PROCESS_THRESHOLD if process else sys.maxsize
    if not discord:
        live = LiveFacts(path, process_threshold=threshold, freeze_gc=FREEZE[0])
        live.load_initial()
        tasks: list[asyncio.Task[None]] = []
        if watch:
            tasks.append(asyncio.create_task(live.watch(_ignore)))
            await live.watching.wait()
        try:
            yield live, Client(live)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return
    stand_in = StandIn()
    await stand_in.start()
    handle = await launch(stand_in, path, watch=watch, debounce=0.3)
    handle.facts.process_threshold = threshold
    handle.facts.freeze_gc = FREEZE[0]
    try:
        if watch:
            await handle.facts.watching.wait()
        yield handle.facts, DiscordClient(handle)
    finally:
        await handle.stop()
        await stand_in.close()


async def _ignore(report: ReloadReport) -> None:
    pass


async def measure(
    name: str,
    path: Path,
    base: str,
    edits: int,
    reload: Callable[[LiveFacts], Awaitable[object]] | None,
    discord: bool,
    process: bool = True,
) -> Result:
    """Edit ``edits`` times; ``reload`` None means the watcher does the reload."""
    watch = reload is None
    async with running(path, base, watch=watch, discord=discord, process=process) as (
        live,
        client,
    ):
        probe = Probe()
        tasks = [asyncio.create_task(probe.run()), asyncio.create_task(client.run())]
        result = Result(name)
        await asyncio.sleep(0.3)  # warm up the probe and client
        start_answers = client.answered
        for n in range(1, edits + 1):
            before = live.book.version
            probe.start()
            client.worst, client.recording = 0.0, True
            if reload is not _idle:  # the save, from another thread as an editor's would be:
                # writing 3.5 MB on the loop blocks it for 7-10 ms (not the bot's doing)
                await asyncio.to_thread(edit, path, base, n)
            saved = time.perf_counter()
            if reload is not None:
                await reload(live)
            while live.book.version == before and reload is not _idle:
                await asyncio.sleep(0.0005)
            result.in_service.append(time.perf_counter() - saved)
            await asyncio.sleep(0.05)  # let the stall after the swap (if any) show
            result.stalls.append(probe.end())
            client.recording = False
            result.latencies.append(client.worst)
            assert reload is _idle or "(edit" in next(iter(live.book)).claim
            await asyncio.sleep(0.1)
        result.answered = client.answered - start_answers
        probe.stop = client.stop = True
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert client.mixed == 0
    return result


async def main(n_facts: int, edits: int, discord: bool, quick: bool = False) -> None:
    base = synthetic_facts(n_facts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facts.yaml"
        path.write_text(base, encoding="utf-8")
        t = time.perf_counter()
        book = load_bytes(path.read_bytes(), "facts.yaml").book
        parse = time.perf_counter() - t
        assert book is not None
        cache = LoadCache()
        load_bytes(base.encode(), "facts.yaml", cache=cache)
        warm(book)
        chunked, index, full = [], [], []
        previous = book
        for n in range(1, 4):  # successive one-fact edits, each loaded then indexed
            data = base.replace("found ", f"found (edit {n}) ", 1).encode()
            t = time.perf_counter()
            edited = load_bytes(data, "facts.yaml", cache=cache).book
            chunked.append(time.perf_counter() - t)
            assert cache.parsed == 1 and edited is not None
            t = time.perf_counter()
            warm(edited, previous)  # as LiveFacts does: from the index of the book in service
            index.append(time.perf_counter() - t)
            fresh = load_bytes(data, "facts.yaml", cache=cache).book
            assert fresh is not None
            t = time.perf_counter()
            warm(fresh)
            full.append(time.perf_counter() - t)
            previous = edited
        t = time.perf_counter()
        for q in QUERIES:
            fact_answer(book, q)
        answer = (time.perf_counter() - t) / len(QUERIES)
        print(
            f"{n_facts:,} facts, {len(base.encode()) / 1e6:.1f} MB; whole parse+validate "
            f"{parse * 1000:.0f} ms; chunked load of a one-fact edit "
            f"{statistics.median(chunked) * 1000:.0f} ms; search.warm alone "
            f"{statistics.median(index) * 1000:.0f} ms from the previous index "
            f"({statistics.median(full) * 1000:.0f} ms from scratch); one /fact answer "
            f"{answer * 1000:.1f} ms (on this machine)"
        )
        args = (path, base, edits)
        results = [
            await measure("on the loop", *args, _on_loop, discord),
            await measure("no reload (floor)", *args, _idle, discord),
            await measure("reload, chunked", *args, _thread, discord),
        ]
        with collector_left_alone():
            results.append(await measure("reload, chunked, gc", *args, _thread, discord))
        if not quick:  # the whole-file rows: most of the run's time
            with whole_file_only():
                results += [
                    await measure("reload, thread", *args, _thread, discord, process=False),
                    await measure("reload, process", *args, _thread, discord),
                    await measure("watch, thread", *args, None, discord, process=False),
                ]
                with loader_releases_its_tree():
                    results.append(
                        await measure("watch, thread+tree", *args, None, discord, process=False)
                    )
                results.append(await measure("watch, process", *args, None, discord))
        results.append(await measure("watch, chunked", *args, None, discord))
        shutdown_process_pool()
    baseline = results[0]
    print(f"{edits} one-fact edits each; times in ms; ratio = worst stall / on-the-loop worst")
    print(
        f"{'':<18} {'in service':>15}   {'loop stall':>15}  {'ratio':>7}  {'answer':>8}"
        f"  {'answers':>8}"
    )
    print(f"{'':<18} {'median':>7} {'max':>7}   {'median':>7} {'max':>7}  {'':>7}  {'max':>8}")
    for r in results:
        print(r.row(baseline))
    ours = results[-1]
    ok_stall = max(ours.stalls) <= 0.050
    ok_time = max(ours.in_service) <= 1.0
    print(
        f"targets (watch, chunked: as shipped): stall <= 50 ms {'met' if ok_stall else 'MISSED'}; "
        f"in service < 1 s {'met' if ok_time else 'MISSED'}"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument(
        "--discord", action="store_true", help="drive the real bot through the local Discord"
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="only the baseline, the floor and the chunked rows (no whole-file rows)",
    )
    args = ap.parse_args()
    asyncio.run(main(args.facts, args.edits, args.discord, args.quick))
