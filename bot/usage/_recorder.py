"""Counting answers without making them wait: in-memory counts, written in batches off the loop.

This module owns :class:`UsageRecorder`. Recording an answer (:meth:`UsageRecorder.answered`)
adds to a dict in memory and nothing else. :meth:`UsageRecorder.run` swaps that dict for an
empty one every :data:`FLUSH_SECONDS`, or as soon as :data:`FLUSH_EVENTS` answers are
waiting, and hands it to a worker thread that scrubs it and adds it to the database in one
transaction. So a process killed with ``kill -9`` loses at most the batch not yet written: the
answers of the last 5 seconds, and at most about 100 of them. A clean stop (SIGTERM, ``close``)
writes the last batch.

It also owns what happens when the store cannot be used, so that answering never notices:

* locked (another program holds a write lock), or a write failed (disk full): the counts stay in
  memory (at most :data:`HELD_MAX` different keys; beyond that they are given up and counted in
  ``lost``) and are written at the next flush;
* read-only, or the file cannot be opened or created (a folder that does not exist), or it was
  written by a newer factbot: statistics stop until restart;
* corrupt: the file is moved aside (``usage.sqlite.corrupt-<UTC time>``) and a new one started;
* deleted or replaced while running (another process moved it aside): a new one is opened there.

Each of these logs one warning when it starts (not one per batch); the return to normal is
logged at INFO.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.usage._store import (
    DEFAULT_RETENTION_DAYS,
    UsageCounts,
    UsageStore,
    UsageUnavailable,
    cutoff,
    move_aside,
    read_counts,
)

log = logging.getLogger("factbot.usage")

#: Answers counted before the writer is woken early.
FLUSH_EVENTS = 100
#: Longest time, in seconds, counts stay in memory only.
FLUSH_SECONDS = 5.0
#: Most different (day, kind, key) counts kept in memory while the store is locked.
HELD_MAX = 10_000
OFF = "usage statistics are off (STATS=off)"
#: Problems that stop statistics until restart.
FATAL = frozenset({"read-only", "cannot-open", "newer"})

Key = tuple[str, str, str]
#: One day's counts: kind ("command", "fact", "topic", "unanswered") -> key -> how many. Nested
#: dicts of text and numbers, so that counting allocates nothing the garbage collector tracks.
DayCounts = dict[str, dict[str, int]]
#: What waits in memory: UTC day (YYYY-MM-DD) -> that day's counts.
Pending = dict[str, DayCounts]


def _day_counts() -> DayCounts:
    return {"command": {}, "fact": {}, "topic": {}, "unanswered": {}}


def flattened(pending: Pending) -> dict[Key, int]:
    """The counts as (day, kind, key) -> how many (the store's batch)."""
    return {
        (day, kind, key): n
        for day, kinds in pending.items()
        for kind, counts in kinds.items()
        for key, n in counts.items()
    }


def _utc_day(timestamp: float) -> tuple[str, float]:
    """The UTC day of ``timestamp`` as YYYY-MM-DD, and the timestamp at which it ends."""
    day = dt.datetime.fromtimestamp(timestamp, dt.UTC).date()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    return day.isoformat(), end


class UsageRecorder:
    """Per-day counts of answers for one usage file (``path`` None: statistics are off)."""

    def __init__(
        self,
        path: Path | None,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        flush_events: int = FLUSH_EVENTS,
        flush_seconds: float = FLUSH_SECONDS,
        clock: Callable[[], float] = time.time,
        busy_timeout: float | None = None,
        held_max: int = HELD_MAX,
    ) -> None:
        """``clock`` gives the time (a test moves it across days)."""
        self.path = path
        self.retention_days = retention_days
        self.flush_events = flush_events
        self.flush_seconds = flush_seconds
        self.clock = clock
        self.held_max = held_max
        self.enabled = path is not None
        #: Why statistics are off or failing, for people; "" when all is well.
        self.status = "" if path is not None else OFF
        self._store: UsageStore | None = None
        if path is not None:
            options = {} if busy_timeout is None else {"busy_timeout": busy_timeout}
            self._store = UsageStore(path, retention_days=retention_days, **options)
        self._day, self._day_ends = _utc_day(clock())
        self._today = _day_counts()
        self._pending: Pending = {self._day: self._today}
        self._events = 0
        self._held: dict[Key, int] = {}
        self._held_events = 0
        self._problem: str | None = None  # the kind last warned about
        self._fatal: UsageUnavailable | None = None  # what stopped statistics
        self._write_lock = threading.Lock()
        self._flushing: asyncio.Lock | None = None
        self._wake: asyncio.Event | None = None
        #: Answers written to the store, and answers whose counts were given up.
        self.written = 0
        self.lost = 0

    @classmethod
    def off(cls) -> UsageRecorder:
        return cls(None)

    # -- the hot path ----------------------------------------------------------------------
    def answered(
        self,
        command: str,
        *,
        fact: str | None = None,
        facts: Iterable[str] = (),
        topic: str | None = None,
        unanswered: str | None = None,
    ) -> None:
        """Count one answer of ``command``: the fact (or facts) it served, the topic it
        summarised, or the question it could not answer (scrubbed before it is stored). Memory
        only: a few dict increments.
        """
        if not self.enabled:
            return
        if self.clock() >= self._day_ends:
            self._new_day()
        today = self._today
        counts = today["command"]
        counts[command] = counts.get(command, 0) + 1
        counts = today["fact"]
        if fact is not None:
            counts[fact] = counts.get(fact, 0) + 1
        for fact_id in facts:
            counts[fact_id] = counts.get(fact_id, 0) + 1
        if topic is not None:
            counts = today["topic"]
            counts[topic] = counts.get(topic, 0) + 1
        if unanswered is not None:
            counts = today["unanswered"]
            counts[unanswered] = counts.get(unanswered, 0) + 1
        self._events += 1
        if self._events >= self.flush_events and self._wake is not None:
            self._wake.set()

    def _new_day(self) -> None:
        self._day, self._day_ends = _utc_day(self.clock())
        self._today = self._pending.setdefault(self._day, _day_counts())

    @property
    def pending(self) -> int:
        """Answers counted in memory, not yet handed to the writer."""
        return self._events

    # -- writing (worker thread) -----------------------------------------------------------
    def take(self) -> tuple[Pending, int]:
        """The counts waiting, and how many answers they hold; memory starts afresh."""
        pending, events = self._pending, self._events
        self._today = _day_counts()
        self._pending, self._events = {self._day: self._today}, 0
        return pending, events

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC).date()

    def write_batch(self, pending: Pending, events: int) -> None:
        """Write ``pending`` (and whatever is held back) to the store. Blocks: call it from a
        worker thread. Never raises for a store problem.
        """
        batch = flattened(pending)
        with self._write_lock:
            if self._held:
                for key, n in self._held.items():
                    batch[key] = batch.get(key, 0) + n
                events += self._held_events
                self._held, self._held_events = {}, 0
            if not self.enabled or self._store is None:
                self.lost += events
                return
            try:
                self._write(batch)
            except UsageUnavailable as problem:
                self._on_problem(problem, batch, events)
                return
            self.written += events
            if self._problem is not None:
                log.info("usage statistics: %s is usable again", self.path)
                self._problem = None
                self.status = ""

    def _write(self, batch: dict[Key, int]) -> None:
        store = self._store
        assert store is not None
        today = self.today()
        if store.is_open and not store.still_there():
            log.warning(
                "usage statistics: %s was deleted or replaced while the bot ran; starting a "
                "new one there (answering is not affected)",
                self.path,
            )
            store.close()
        if not store.is_open:
            self._open(store, today)
        try:
            store.write(batch, today)
        except UsageUnavailable as problem:
            if problem.kind != "corrupt":
                raise
            self._start_afresh(store, problem, today)
            store.write(batch, today)

    def _open(self, store: UsageStore, today: dt.date) -> None:
        try:
            if store.open(today):
                log.info("usage statistics: created %s", self.path)
        except UsageUnavailable as problem:
            if problem.kind != "corrupt":
                raise
            self._start_afresh(store, problem, today)

    def _start_afresh(self, store: UsageStore, problem: UsageUnavailable, today: dt.date) -> None:
        """Move a corrupt file aside and open a new one (one warning)."""
        store.close()
        try:
            aside = move_aside(store.path, dt.datetime.now(dt.UTC))
        except OSError as exc:
            raise UsageUnavailable(
                "cannot-open", f"{problem} and it cannot be moved aside ({exc.strerror or exc})"
            ) from None
        log.warning(
            "usage statistics: %s; moved it to %s and started a new one (answering is not "
            "affected)",
            problem,
            aside.name,
        )
        self._problem = None
        store.open(today)

    def _warn(self, kind: str, message: str) -> None:
        if self._problem != kind:
            log.warning("%s", message)
        self._problem = kind
        self.status = message

    def _on_problem(self, problem: UsageUnavailable, batch: dict[Key, int], events: int) -> None:
        if problem.kind in FATAL:
            self.enabled = False
            self._fatal = problem
            self.lost += events
            self._warn(
                problem.kind,
                f"usage statistics are off until restart: {problem}; check STATS_PATH "
                "(answering is not affected)",
            )
            if self._store is not None:
                self._store.close()
            return
        if len(batch) > self.held_max:
            self.lost += events
            batch, events = {}, 0
        self._held, self._held_events = batch, events
        self._warn(
            problem.kind,
            f"usage statistics: {problem}; keeping the counts in memory and trying again every "
            f"{self.flush_seconds:g} s (answering is not affected)",
        )

    def flush_now(self) -> None:
        """Write what is waiting, in this thread (for tools and tests; the bot uses
        :meth:`flush`).
        """
        self.write_batch(*self.take())

    def close(self) -> None:
        """Write what is waiting and close the file, in this thread (the bot uses
        :meth:`aclose`).
        """
        self.flush_now()
        self.enabled = False
        if self._store is not None:
            self._store.close()

    # -- the event loop side ---------------------------------------------------------------
    async def flush(self) -> None:
        """Hand what is waiting to a worker thread and wait until it is written."""
        if self._store is None:
            return
        if self._flushing is None:
            self._flushing = asyncio.Lock()
        async with self._flushing:
            pending, events = self.take()
            if events or self._held:
                await asyncio.to_thread(self.write_batch, pending, events)

    async def run(self) -> None:
        """Write a batch every :attr:`flush_seconds`, or sooner once :attr:`flush_events`
        answers wait, until cancelled or statistics stop. Opens the store first, so its
        problems are logged at start-up. Never raises (a bug is logged, the loop goes on).
        """
        if self._store is None:
            return
        self._wake = wake = asyncio.Event()
        try:
            await asyncio.to_thread(self.write_batch, {}, 0)  # opens (or creates) the file
        except Exception:
            log.exception("usage statistics: opening the store failed")
        while self.enabled:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.flush_seconds)
            wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("usage statistics: writing a batch failed")

    async def aclose(self) -> None:
        """Write the last batch and close the file."""
        try:
            await self.flush()
        except Exception:
            log.exception("usage statistics: writing the last batch failed")
        self.enabled = False
        if self._store is not None:
            await asyncio.to_thread(self._store.close)

    # -- reading ---------------------------------------------------------------------------
    def window(self, days: int) -> tuple[dt.date, dt.date]:
        """The last ``days`` UTC days, today included, within the retention."""
        today = self.today()
        oldest = max(today - dt.timedelta(days=days - 1), cutoff(today, self.retention_days))
        return oldest, today

    async def counts(self, since: dt.date, until: dt.date) -> UsageCounts:
        """The counts from ``since`` to ``until``, including what was in memory a moment ago.
        Raises :class:`UsageUnavailable` (statistics off, or the file unreadable).
        """
        if self.path is None:
            raise UsageUnavailable("off", OFF)
        await self.flush()
        path = self.path
        try:
            return await asyncio.to_thread(read_counts, path, since, until)
        except UsageUnavailable as problem:
            if problem.kind == "missing" and self.enabled:
                return UsageCounts(since, until)  # nothing written yet
            if problem.kind == "missing" and self._fatal is not None:
                raise self._fatal from None
            raise
