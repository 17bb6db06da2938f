"""Live facts: the book in service, reloaded when facts.yaml changes, never lost to a bad edit.

This module owns the running bot's view of facts.yaml:

* :class:`LiveFacts` holds the book in service, with its search index, as one reference. A
  reload reads, validates, indexes and diffs the file in a worker thread, then swaps the
  reference in one assignment, so a handler that took ``live.index`` once answers from one
  version, never a mix.
* A file that is broken (validation errors, empty, half-written, missing) leaves the last good
  book in service; its errors are reported once per distinct broken content, and the fix is
  reported as a recovery.
* :meth:`LiveFacts.watch` follows the file: filesystem events from ``watchfiles`` on the parent
  directory (so rename-over and delete-and-recreate saves are seen), coalesced until the file
  has been quiet for ``debounce`` seconds, plus a cheap stat check every ``poll_interval``
  seconds in case an event is lost (network filesystems, some container mounts).
* :class:`ReloadReport` says what a reload did, as data: the Discord layer words it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from bot.answers import SearchIndex, english_uses
from bot.factbook import DEFAULT_MAX_BYTES, FactBook, FactsUnreadable, Finding, load_bytes
from bot.live._diff import BookDiff, changelog, diff_books
from bot.words import plural

log = logging.getLogger("factbot.live")

#: Seconds between the safety-net stat checks of the watched file.
DEFAULT_POLL_INTERVAL = 5.0
#: Longest a continuous stream of saves can hold a reload back, in seconds.
DEFAULT_MAX_WAIT = 5.0
#: Times a file that changes while it is being read is read again before giving up.
READ_ATTEMPTS = 4
#: Characters of a version hash shown to people.
VERSION_CHARS = 12
#: Longest changelog written to the log.
LOG_CHANGELOG_CHARS = 4000

#: What a stat of the file says about its content: (device, inode, size, mtime in ns).
Signature = tuple[int, int, int, int]
OnReport = Callable[["ReloadReport"], Awaitable[None]]


def signature(path: Path) -> Signature | None:
    """The file's identity, size and modification time; None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def short_version(version: str) -> str:
    return version[:VERSION_CHARS]


def _errors_of(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.severity == "error")


@dataclass(frozen=True)
class ReloadReport:
    """What one reload did. Built by :meth:`LiveFacts.reload`; worded by the Discord layer."""

    ok: bool  # False: the file on disk is broken, the old book stays
    changed: bool  # a new version went into service
    version: str  # the version in service after this reload ("" when none ever loaded)
    findings: tuple[Finding, ...] = ()  # errors (when not ok) and warnings
    diff: BookDiff | None = None  # what changed, when a new version went into service
    should_announce: bool = False  # False for a repeat of an already-reported state
    reason: str = "manual"  # what asked for it: "watch", or the caller's word ("SIGHUP", ...)
    recovered: bool = False  # the file was broken before this reload and is valid now
    previous_version: str = ""  # the version in service before this reload
    path: str = "facts.yaml"  # the file, as shown to people
    seconds: float = 0.0  # time the reload took, read to swap

    @property
    def errors(self) -> tuple[Finding, ...]:
        return _errors_of(self.findings)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def news(self) -> bool:
        """A new version whose content differs (not only in comments or layout)."""
        return self.diff is not None and not self.diff.empty

    def headline(self) -> str:
        """One line: what happened."""
        v = short_version(self.version)
        if not self.ok:
            keep = f"still serving version {v}" if self.version else "no facts in service"
            return f"{self.path} is broken ({plural(len(self.errors), 'error')}); {keep}."
        was = short_version(self.previous_version)
        if self.changed:
            lead = f"{self.path} is valid again. " if self.recovered else ""
            return f"{lead}{self.path} reloaded: version {v} in service" + (
                f" (was {was})." if was else "."
            )
        if self.recovered:
            return f"{self.path} is valid again; version {v} stays in service (same content)."
        return f"{self.path} unchanged; version {v} in service."


@dataclass(frozen=True)
class _Outcome:
    """What the worker thread found; applied to the LiveFacts on the event loop."""

    kind: Literal["same", "same-broken", "broken", "good"]
    key: str  # content hash of the bytes read ("missing" / "unreadable:..." without bytes)
    sig: Signature | None
    findings: tuple[Finding, ...] = ()
    index: SearchIndex | None = None
    diff: BookDiff | None = None


def _unreadable(display: str, code: str, message: str) -> Finding:
    return Finding("error", display, None, None, None, message, code)


def read_stable(path: Path, max_bytes: int) -> tuple[bytes, Signature | None]:
    """The file's bytes (at most ``max_bytes + 1``) and its signature, read while it was still.

    A file whose signature changes during the read is being written: read it again, a few
    times. Raises OSError when the file cannot be read.
    """
    data = b""
    sig = None
    for attempt in range(READ_ATTEMPTS):
        before = signature(path)
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
        sig = signature(path)
        if before == sig:
            break
        time.sleep(0.02 * (attempt + 1))
    return data, sig


class LiveFacts:
    """The FactBook in service for one facts file, and what keeps it current."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        debounce: float = 0.3,
        max_bytes: int = DEFAULT_MAX_BYTES,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_wait: float = DEFAULT_MAX_WAIT,
        today: dt.date | None = None,
    ) -> None:
        self.path = Path(path)
        self.display = self.path.name
        self.debounce = debounce
        self.max_bytes = max_bytes
        self.poll_interval = poll_interval
        self.max_wait = max_wait
        self.today = today
        self._index: SearchIndex | None = None
        self._empty = SearchIndex(
            FactBook(facts={}, sources={}, topics={}, version="", path=self.display)
        )
        self.loaded_at: dt.datetime | None = None
        self.last_error: tuple[Finding, ...] = ()
        self.broken_since: dt.datetime | None = None
        self.last_report: ReloadReport | None = None
        #: Number of times the file was parsed (a reload of unchanged bytes does not parse).
        self.parses = 0
        self._good_key: str | None = None  # content hash of the bytes in service
        self._reported_broken: set[str] = set()  # broken contents already reported
        self._sig: Signature | None = None  # the file's signature at the last read
        self._lock = asyncio.Lock()
        self._dirty = asyncio.Event()
        self._last_event = 0.0
        #: Set once :meth:`watch` is receiving filesystem events.
        self.watching = asyncio.Event()

    # -- the book in service -------------------------------------------------------------------
    @property
    def index(self) -> SearchIndex:
        """The book in service with its search index (an empty book until a valid file has
        loaded). Read it once per answer: a reload swaps it whole.
        """
        return self._index if self._index is not None else self._empty

    @property
    def book(self) -> FactBook:
        return self.index.book

    @property
    def has_book(self) -> bool:
        return self._index is not None

    @property
    def version(self) -> str:
        return self.book.version

    # -- loading ---------------------------------------------------------------------------------
    def _load(self, data: bytes) -> tuple[tuple[Finding, ...], SearchIndex | None]:
        """Validate and index ``data``: the findings, and the index of a valid book."""
        self.parses += 1
        result = load_bytes(data, self.display, max_bytes=self.max_bytes, today=self.today)
        if result.book is None:
            return result.findings, None
        english_uses("")  # reads the word list once, here, off the event loop
        return result.findings, SearchIndex(result.book)

    def load_initial(self) -> tuple[Finding, ...]:
        """Load the file at start-up (synchronously); the findings. Nothing is in service when
        the file is invalid. Raises FactsUnreadable when the file cannot be read at all.
        """
        try:
            data, sig = read_stable(self.path, self.max_bytes)
        except OSError as exc:
            raise FactsUnreadable(f"{self.path}: {exc.strerror or exc}") from exc
        findings, index = self._load(data)
        key = hashlib.sha256(data).hexdigest()
        self._sig = sig
        if index is not None:
            self._index = index
            self._good_key = key
            self.loaded_at = dt.datetime.now(dt.UTC)
            book = index.book
            log.info(
                "loaded %s: version %s, %s",
                self.display,
                short_version(book.version),
                book.summary_line(),
            )
        else:
            self.last_error = _errors_of(findings)
            self.broken_since = dt.datetime.now(dt.UTC)
            self._reported_broken.add(key)
            log.error("%s is invalid:\n%s", self.display, "\n".join(map(str, self.last_error)))
        return findings

    def _prepare(self, good_key: str | None, broken: frozenset[str]) -> _Outcome:
        """Read, hash, validate, index and diff: runs in a worker thread."""
        old = self._index
        try:
            data, sig = read_stable(self.path, self.max_bytes)
        except FileNotFoundError:
            msg = "the file is missing (deleted, or being replaced)"
            return _Outcome("broken", "missing", None, (_unreadable(self.display, "missing", msg),))
        except OSError as exc:
            msg = f"the file cannot be read: {exc.strerror or exc}"
            finding = _unreadable(self.display, "unreadable", msg)
            return _Outcome("broken", f"unreadable:{exc.errno}", signature(self.path), (finding,))
        key = hashlib.sha256(data).hexdigest()
        if key == good_key:
            return _Outcome("same", key, sig)
        if key in broken:
            return _Outcome("same-broken", key, sig)
        findings, index = self._load(data)
        if index is None:
            return _Outcome("broken", key, sig, findings)
        if old is not None and index.book.version == old.book.version:
            return _Outcome("same", key, sig, findings)
        old_book = old.book if old is not None else None
        return _Outcome("good", key, sig, findings, index, diff_books(old_book, index.book))

    async def reload(self, reason: str = "manual") -> ReloadReport:
        """Read the file again and put a valid new version in service; the old one stays if not.

        Reloads are serialised: one that starts while another runs waits for it, then reads
        the file afresh, so the newest content always wins.
        """
        async with self._lock:
            started = time.perf_counter()
            outcome = await asyncio.to_thread(
                self._prepare, self._good_key, frozenset(self._reported_broken)
            )
            report = self._apply(outcome, reason, time.perf_counter() - started)
        self.last_report = report
        self._log(report)
        return report

    def _apply(self, o: _Outcome, reason: str, seconds: float) -> ReloadReport:
        """Swap or keep, and say what happened. Runs on the event loop, under the lock."""
        self._sig = o.sig
        previous = self._index.book.version if self._index is not None else ""
        unchanged = ReloadReport(
            ok=True,
            changed=False,
            version=previous,
            findings=o.findings,
            reason=reason,
            previous_version=previous,
            path=self.display,
            seconds=seconds,
        )
        if o.kind == "same-broken":
            return replace(unchanged, ok=False, findings=self.last_error)
        if o.kind == "broken":
            self.last_error = _errors_of(o.findings)
            if self.broken_since is None:
                self.broken_since = dt.datetime.now(dt.UTC)
            self._reported_broken.add(o.key)
            return replace(unchanged, ok=False, should_announce=True)
        recovered = bool(self.last_error)
        self.last_error = ()
        self.broken_since = None
        self._reported_broken.clear()
        self._good_key = o.key
        if o.kind == "same":
            return replace(unchanged, should_announce=recovered, recovered=recovered)
        assert o.index is not None
        first = self._index is None
        self._index = o.index  # the swap: one assignment
        self.loaded_at = dt.datetime.now(dt.UTC)
        report = replace(
            unchanged,
            changed=True,
            version=o.index.book.version,
            diff=o.diff,
            recovered=recovered,
        )
        return replace(report, should_announce=recovered or first or report.news)

    def _log(self, report: ReloadReport) -> None:
        took = f"({report.reason}, {report.seconds * 1000:.0f} ms)"
        if not report.ok:
            if report.should_announce:
                errors = "\n".join(str(f) for f in report.errors)
                log.info("%s %s\n%s", report.headline(), took, errors)
            else:
                log.info("%s %s (already reported)", report.headline(), took)
        elif report.changed and report.diff is not None:
            text = changelog(report.diff, LOG_CHANGELOG_CHARS)
            log.info("%s %s\n%s", report.headline(), took, text)
        else:
            log.info("%s %s", report.headline(), took)

    # -- watching --------------------------------------------------------------------------------
    def _poke(self) -> None:
        """Note that the file may have changed (an event or the stat check)."""
        self._last_event = asyncio.get_running_loop().time()
        self._dirty.set()

    def _concerns_file(self, _change: object, path: str) -> bool:
        return os.path.basename(path) == self.display

    async def _follow_events(self, stop: asyncio.Event) -> None:
        """Poke on every filesystem event about the file; retry if the watch itself fails."""
        from watchfiles import awatch

        while not stop.is_set():
            try:
                async for _changes in awatch(
                    self.path.parent,
                    watch_filter=self._concerns_file,
                    debounce=100,
                    step=20,
                    stop_event=stop,
                    rust_timeout=1000,
                    recursive=False,
                ):
                    self._poke()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the directory vanished, too many watches, ...
                log.warning("watching %s failed (%s); the stat check continues", self.path, exc)
                await asyncio.sleep(max(self.poll_interval, 1.0))

    async def _check_stat(self) -> None:
        """The safety net: poke when the file's signature differs from the one last read.

        The first check comes after a second: a polling watcher (``WATCHFILES_FORCE_POLLING``,
        for mounts without inotify) takes its first snapshot in the background and can miss a
        save made meanwhile.
        """
        delay = min(self.poll_interval, 1.0)
        while True:
            await asyncio.sleep(delay)
            delay = self.poll_interval
            if signature(self.path) != self._sig and not self._lock.locked():
                self._poke()

    async def _settle(self) -> None:
        """Wait until no event has come for ``debounce`` seconds (at most ``max_wait``)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            now = loop.time()
            quiet_at = self._last_event + self.debounce
            if now >= quiet_at or now - start >= self.max_wait:
                return
            await asyncio.sleep(quiet_at - now)

    async def watch(self, on_report: OnReport) -> None:
        """Follow the file until cancelled: reload after each burst of saves, and call
        ``on_report`` with every report worth announcing (a new version, a newly broken file,
        a recovery). A failing ``on_report`` is logged and does not stop the watch.
        """
        stop = asyncio.Event()
        events = asyncio.create_task(self._follow_events(stop), name="factbot-live-events")
        stat = asyncio.create_task(self._check_stat(), name="factbot-live-stat")
        try:
            await asyncio.sleep(0)  # the event task sets up its watch before its first await
            self.watching.set()
            if signature(self.path) != self._sig:  # changed between load_initial and now
                self._poke()
            while True:
                await self._dirty.wait()
                await self._settle()
                self._dirty.clear()
                try:
                    report = await self.reload("watch")
                except Exception:  # a bug in loading must not end the watch
                    log.exception("reloading %s failed", self.display)
                    continue
                if report.should_announce:
                    try:
                        await on_report(report)
                    except Exception:
                        log.exception("announcing the reload of %s failed", self.display)
        finally:
            self.watching.clear()
            stop.set()
            for task in (events, stat):
                task.cancel()
            for task in (events, stat):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
