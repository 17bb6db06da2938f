"""Live facts: the FactBook in service, reloaded when facts.yaml changes, never lost to a bad edit.

This module owns the running bot's view of facts.yaml:

* :class:`LiveFacts` holds the book in service as one reference. A reload reads, parses,
  validates, indexes and diffs the file in a worker thread, then swaps the reference in one
  assignment, so a handler that took ``live.book`` once answers from one version, never a mix.
  The retired book is freed piece by piece in a worker thread too, and while a reload works
  the thread switch interval is short (:func:`switching_often`), so the event loop keeps
  answering: its longest stall during a one-fact reload of 10,000 facts stays within a few
  milliseconds of what the answers alone cost (``bench/bench_reload.py``).
* A file that is broken (validation errors, empty, half-written, missing) leaves the last good
  book in service; its errors are reported once per distinct broken content, and the fix is
  reported as a recovery.
* :meth:`LiveFacts.watch` follows the file: filesystem events from ``watchfiles`` on the parent
  directory (so rename-over and delete-and-recreate saves are seen), coalesced until the file
  has been quiet for ``debounce`` seconds, plus a cheap stat check every ``poll_interval``
  seconds in case an event is lost (network filesystems, some container mounts).
* :class:`ReloadReport` says what a reload did, with the changelog from :mod:`bot.diff` and the
  text to post to the announce channel.

No discord import here: the Discord layer posts ``report.announcement()`` and answers
``/facts status`` with :meth:`LiveFacts.status_text`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from bot.book import FactBook
from bot.diff import MESSAGE_LIMIT, changelog, diff_books
from bot.load import (
    DEFAULT_MAX_BYTES,
    FactsUnreadable,
    Finding,
    LoadCache,
    LoadResult,
    load_bytes,
    load_cached,
)
from bot.search import warm
from bot.yaml_nodes import gc_paused

log = logging.getLogger("factbot.live")

#: Seconds between the safety-net stat checks of the watched file.
DEFAULT_POLL_INTERVAL = 5.0
#: Longest a continuous stream of saves can hold a reload back, in seconds.
DEFAULT_MAX_WAIT = 5.0
#: Errors shown in an announcement or in the status text before "and N more".
ERRORS_SHOWN = 8
#: Characters of a version hash shown to people.
VERSION_CHARS = 12
#: Thread switch interval (seconds) while a reload works in a thread. The loop thread lets go of
#: the GIL many times per interaction (every ``select``, and inside the search's numpy calls),
#: and each time it waits about this long to get it back from the reload's thread. Measured on
#: a /fact answer (about 1.5 ms of CPU) during a one-fact reload of 10,000 facts: 8.6 ms
#: median, 25 ms worst at 1 ms; 4.2 ms and 10 ms at 0.2 ms. With the loop busy, the reload
#: itself takes a little longer (some 250-350 ms instead of 200-300): the loop gets more turns.
SWITCH_INTERVAL = 0.0002
#: Files of at least this many bytes that the chunked loader cannot take (an unusual layout, or
#: errors) are parsed whole in a worker process (about 1,500 facts).
PROCESS_THRESHOLD = 512 * 1024
#: Times a file that changes while it is being read is read again before giving up.
READ_ATTEMPTS = 4

#: What a stat of the file says about its content: (device, inode, size, mtime in ns).
Signature = tuple[int, int, int, int]
OnReport = Callable[["ReloadReport"], Awaitable[None]]


def signature(path: Path) -> Signature | None:
    """The file's identity and size and modification time; None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def short_version(version: str) -> str:
    return version[:VERSION_CHARS]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _code_block(lines: list[str], budget: int) -> str:
    """Lines in a Markdown code block of at most ``budget`` characters ("and N more" when cut)."""
    safe = [line.replace("```", "'''") for line in lines]
    shown: list[str] = []
    used = len("```\n\n```")
    for i, line in enumerate(safe):
        note = f"... and {len(safe) - i} more"
        if i >= ERRORS_SHOWN or used + len(line) + len(note) + 2 > budget:
            shown.append(note)
            break
        shown.append(line)
        used += len(line) + 1
    return "```\n" + "\n".join(shown) + "\n```"


def _errors_of(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.severity == "error")


@dataclass(frozen=True)
class ReloadReport:
    """What one reload did. Built by :meth:`LiveFacts.reload`; read by the Discord layer."""

    ok: bool  # False: the file on disk is broken, the old book stays
    changed: bool  # a new version went into service
    version: str  # the version in service after this reload ("" when none ever loaded)
    findings: tuple[Finding, ...] = ()  # errors (when not ok) and warnings
    changelog: str = ""  # added/removed/changed facts, sources, topics and totals
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

    def headline(self) -> str:
        """One line: what happened, for logs and for the ``/facts reload`` reply's first line."""
        v = short_version(self.version)
        if not self.ok:
            keep = f"still serving version {v}" if self.version else "no facts in service"
            return f"{self.path} is broken ({_plural(len(self.errors), 'error')}); {keep}."
        was = short_version(self.previous_version)
        if self.changed:
            lead = f"{self.path} is valid again. " if self.recovered else ""
            return f"{lead}{self.path} reloaded: version {v} in service" + (
                f" (was {was})." if was else "."
            )
        if self.recovered:
            return f"{self.path} is valid again; version {v} stays in service (same content)."
        return f"{self.path} unchanged; version {v} in service."

    def announcement(self) -> str:
        """The message for the announce channel, at most 2,000 characters."""
        head = self.headline()
        if not self.ok:
            block = _code_block([str(f) for f in self.errors], MESSAGE_LIMIT - len(head) - 1)
            return f"{head}\n{block}"
        parts = [head]
        if self.warnings:
            parts.append(f"({_plural(len(self.warnings), 'warning')}: `factbot check` lists them.)")
        if self.changed and self.changelog:
            parts.append(self.changelog)
        text = "\n".join(parts)
        return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


# -- the work done off the event loop ------------------------------------------------------------
_switch_lock = threading.Lock()
_switch_users = 0
_switch_before = 0.0


@contextlib.contextmanager
def switching_often() -> Iterator[None]:
    """Lower the interpreter's thread switch interval to :data:`SWITCH_INTERVAL` while a reload
    works in a worker thread (all of it: read, load, index, diff, and freeing the retired
    book), so that the event loop waits about that long for the GIL each time it wants it
    back, instead of the default 5 ms. Restored when the last concurrent user ends.

    This only helps while the worker's longest uninterruptible step (one C call, one
    cascade of deallocations) is short too: see :data:`bot.chunks.SCAN_SLICE` and
    :func:`_retire`."""
    global _switch_users, _switch_before
    with _switch_lock:
        if _switch_users == 0:
            _switch_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_before, SWITCH_INTERVAL))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_before)


@dataclass(frozen=True)
class _Outcome:
    """What the worker thread found; applied to the LiveFacts on the event loop."""

    kind: Literal["same", "same-broken", "broken", "good"]
    key: str  # content hash of the bytes read ("missing" / "unreadable:..." without bytes)
    sig: Signature | None
    findings: tuple[Finding, ...] = ()
    book: FactBook | None = None
    news: bool = False  # the content differs from the book in service (not only comments)
    changelog: str = ""


def _unreadable(display: str, code: str, message: str) -> Finding:
    return Finding(
        severity="error",
        path=display,
        line=None,
        column=None,
        subject=None,
        message=message,
        code=code,
    )


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


def _pieces(book: FactBook) -> list[object]:
    """References to the parts of a retired book and its search index, two levels down.

    Freeing a 10,000-fact book with its index in one go is a single cascade of deallocations
    that holds the GIL for 30-60 ms (measured), whatever thread drops the last reference.
    Holding its parts in a list first, then dropping them one at a time, frees it in small
    steps between which the event loop runs. A book still used by a slow interaction is not
    freed here at all: it goes when that interaction lets go of it.
    """
    out: list[object] = []
    for value in vars(book).values():
        out.append(value)
        parts = getattr(value, "__dict__", None)
        for part in parts.values() if isinstance(parts, dict) else (value,):
            if isinstance(part, Mapping):
                out.extend(part.values())
            elif isinstance(part, list | tuple | set | frozenset):
                out.extend(part)
    return out


def _retire(box: list[FactBook]) -> None:
    """Free the retired book in ``box`` (its only holder) a piece at a time, in a worker thread.

    The pieces are gathered here rather than on the loop (some 120,000 references for a
    10,000-fact book: 2-4 ms), then dropped one at a time, with the loop running in between.
    """
    with switching_often():
        pieces = _pieces(box.pop())  # the book itself goes here; its parts are held by pieces
        while pieces:
            pieces.pop()


# -- loading in a worker process -------------------------------------------------------------------
_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _process_pool() -> concurrent.futures.ProcessPoolExecutor:
    """The one worker process of this interpreter, started on first use ("spawn": forking a
    process that runs threads can copy a lock in a held state)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context)
        return _pool


def shutdown_process_pool() -> None:
    """Stop the worker process (it is started again when a large file next loads)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def spawn_is_safe() -> bool:
    """Whether a spawned process can start without running this program a second time.

    A spawned process imports the main script again (as ``__mp_main__``) unless the program was
    started with ``-m`` (``python -m bot``). The ``factbot`` command and ``python -m bot`` are
    safe; a launcher script is safe only behind ``if __name__ == "__main__":``, and one without
    that guard would start a second bot in the worker: then large files load in a thread.
    """
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None:
        return bool(name == "__main__" or name.endswith(".__main__"))
    path = getattr(main, "__file__", None)
    if path is None:
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            source = fh.read(1_000_000)
    except OSError:
        return False
    return "__name__ ==" in source or "__name__==" in source


def _load_in_worker(
    data: bytes, display: str, max_bytes: int, today: dt.date | None
) -> tuple[tuple[Finding, ...], dict[str, object] | None]:
    """In the worker process: load, and return the findings and the book's fields (a
    FactBook's read-only mappings do not pickle; plain dicts do, and the book is rebuilt)."""
    result = load_bytes(data, display, max_bytes=max_bytes, today=today)
    book = result.book
    if book is None:
        return result.findings, None
    fields = {}
    for f in dataclasses.fields(book):
        if f.init:
            value = getattr(book, f.name)
            fields[f.name] = dict(value) if isinstance(value, MappingProxyType) else value
    return result.findings, fields


def _load_elsewhere(
    data: bytes, display: str, max_bytes: int, today: dt.date | None
) -> LoadResult | None:
    """Load ``data`` in the worker process; None when the process cannot be used.

    Why a process for large files: parsing a 10,000-fact file in a thread still stalls the
    event loop for 70-80 ms, because freeing the loader's YAML node tree is one cascade of
    deallocations that holds the GIL; in a process it costs the loop nothing, the parse runs
    on another core beside the loop instead of sharing the GIL with it, and the book comes
    back pickled, which unpickles in small steps (measured: worst stall 20-25 ms instead of
    70-80, and a one-fact edit in service sooner).
    """
    try:
        findings, fields = (
            _process_pool().submit(_load_in_worker, data, display, max_bytes, today).result()
        )
    except (concurrent.futures.process.BrokenProcessPool, OSError, RuntimeError) as exc:
        log.warning("the loader process failed (%s): loading in a thread instead", exc)
        shutdown_process_pool()
        return None
    book = FactBook(**fields) if fields is not None else None  # type: ignore[arg-type]
    return LoadResult(book, findings)


# -- the live book ---------------------------------------------------------------------------------


class LiveFacts:
    """The FactBook in service for one facts file, and the machinery that keeps it current."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        debounce: float = 0.3,
        max_bytes: int = DEFAULT_MAX_BYTES,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_wait: float = DEFAULT_MAX_WAIT,
        today: dt.date | None = None,
        freeze_gc: bool = True,
        process_threshold: int = PROCESS_THRESHOLD,
    ) -> None:
        self.path = Path(path)
        self.display = self.path.name
        self.debounce = debounce
        self.max_bytes = max_bytes
        self.poll_interval = poll_interval
        self.max_wait = max_wait
        self.today = today
        self.freeze_gc = freeze_gc
        self.process_threshold = process_threshold
        self._book: FactBook | None = None
        self._empty = FactBook(facts={}, sources={}, topics={}, version="", path=self.display)
        self.loaded_at: dt.datetime | None = None
        self.last_error: tuple[Finding, ...] = ()
        self.broken_since: dt.datetime | None = None
        self.last_report: ReloadReport | None = None
        #: Number of times the file was parsed (a reload of unchanged bytes does not parse).
        self.parses = 0
        #: The pieces of the last load (see :mod:`bot.chunks`): a reload parses only the facts
        #: whose text changed. ``cache.parsed`` says how many the last load parsed.
        self.cache = LoadCache()
        #: How the last load went: "chunked", "process" or "thread" (the whole file).
        self.last_path: Literal["chunked", "process", "thread", ""] = ""
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
    def book(self) -> FactBook:
        """The book in service (an empty book with version "" until a valid file has loaded)."""
        return self._book if self._book is not None else self._empty

    @property
    def has_book(self) -> bool:
        return self._book is not None

    @property
    def version(self) -> str:
        return self.book.version

    # -- loading ---------------------------------------------------------------------------------
    def load_initial(self) -> LoadResult:
        """Load the file at start-up (synchronously). The book stays unset when it is invalid.

        Raises FactsUnreadable when the file cannot be read at all.
        """
        try:
            data, sig = read_stable(self.path, self.max_bytes)
        except OSError as exc:
            raise FactsUnreadable(f"{self.path}: {exc.strerror or exc}") from exc
        result = self._load(data)
        key = hashlib.sha256(data).hexdigest()
        self._sig = sig
        if result.book is not None:
            self._book = result.book
            self._good_key = key
            self.loaded_at = dt.datetime.now(dt.UTC)
            log.info(
                "loaded %s: version %s, %s",
                self.display,
                short_version(result.book.version),
                result.book.summary_line(),
            )
        else:
            self.last_error = result.errors
            self.broken_since = dt.datetime.now(dt.UTC)
            self._reported_broken.add(key)
            log.error("%s is invalid:\n%s", self.display, "\n".join(map(str, result.errors)))
        return result

    def _load(self, data: bytes) -> LoadResult:
        """Parse, validate and index ``data`` in a way that spares the event loop's thread.

        * The file is loaded piece by piece through :attr:`cache` (:mod:`bot.chunks`): only the
          facts whose text changed since the last load are parsed, the rest come from the
          cache. A one-fact edit of a 10,000-fact file costs some 0.1-0.2 s here, with no
          stall of the loop worth the name; a load with a cold cache (start-up, or a file
          rewritten throughout) parses every fact in small pieces, each freed at once, so the
          loop stalls less than with one big parse in this thread (measured: 30-35 ms
          against 45-55 ms on 10,000 facts).
        * When that cannot give the result (an unusual layout, or any error: the findings
          must be the whole-file ones), the whole file is parsed: in a worker process for a
          file of :data:`PROCESS_THRESHOLD` bytes or more (see :func:`_load_elsewhere` and
          :func:`spawn_is_safe`), here for a smaller one.
        * The cyclic garbage collector is paused throughout. A whole-file load allocates some
          500,000 short-lived objects for a 10,000-fact file; left to itself, the collector's
          first pass after the load scans all of them while holding the GIL (a 250-400 ms
          stall of the loop, measured). Paused until the load's garbage has been freed (by
          reference counting) and the index is built, with the new book and the cache then
          frozen out of the collector's reach (``gc.freeze``: they hold no reference cycles,
          and frozen objects are still freed by reference counting when let go), the reload
          costs the loop no collection at all.
        * A reload runs this in a worker thread under :func:`switching_often`.
        """
        self.parses += 1
        with gc_paused():
            result = load_cached(
                data, self.display, self.cache, max_bytes=self.max_bytes, today=self.today
            )
            self.last_path = "chunked"
            if result is None and len(data) >= self.process_threshold and spawn_is_safe():
                result = _load_elsewhere(data, self.display, self.max_bytes, self.today)
                self.last_path = "process"
            if result is None:
                result = load_bytes(data, self.display, max_bytes=self.max_bytes, today=self.today)
                self.last_path = "thread"
            if result.book is not None:
                # built here, so the swap puts a ready index in service; from the index of
                # the book in service, only what changed is indexed
                warm(result.book, self._book)
                if self.freeze_gc:
                    gc.freeze()
        return result

    def _prepare(self, good_key: str | None, broken: frozenset[str]) -> _Outcome:
        """Read, hash, parse, validate, index and diff: runs in a worker thread.

        Reads the book in service itself (reloads hold the lock, so it cannot change), so that
        no reference to it outlives this call in the executor's bookkeeping. All of it runs
        under :func:`switching_often`, the diff included.
        """
        with switching_often():
            return self._prepare_now(good_key, broken)

    def _prepare_now(self, good_key: str | None, broken: frozenset[str]) -> _Outcome:
        old = self._book
        try:
            data, sig = read_stable(self.path, self.max_bytes)
        except FileNotFoundError:
            msg = "the file is missing (deleted, or being replaced)"
            return _Outcome("broken", "missing", None, (_unreadable(self.display, "missing", msg),))
        except OSError as exc:
            key = f"unreadable:{exc.errno}"
            msg = f"the file cannot be read: {exc.strerror or exc}"
            finding = _unreadable(self.display, "unreadable", msg)
            return _Outcome("broken", key, signature(self.path), (finding,))
        key = hashlib.sha256(data).hexdigest()
        if key == good_key:
            return _Outcome("same", key, sig)
        if key in broken:
            return _Outcome("same-broken", key, sig)
        result = self._load(data)
        book = result.book
        if book is None:
            return _Outcome("broken", key, sig, result.findings)
        if old is not None and book.version == old.version:
            return _Outcome("same", key, sig, result.findings)
        d = diff_books(old, book)
        text = changelog(d, MESSAGE_LIMIT - 200)  # room for the announcement's first lines
        return _Outcome("good", key, sig, result.findings, book, not d.empty, text)

    async def reload(self, reason: str = "manual") -> ReloadReport:
        """Read the file again and put a valid new version in service; the old one stays if not.

        Reloads are serialised: one that starts while another runs waits for it, then reads
        the file afresh, so the newest content always wins.
        """
        async with self._lock:
            started = time.perf_counter()
            old = self._book
            outcome = await asyncio.to_thread(
                self._prepare, self._good_key, frozenset(self._reported_broken)
            )
            report = self._apply(outcome, reason, old, time.perf_counter() - started)
            del outcome
            if report.changed and old is not None:
                box = [old]
                del old  # the box holds the last reference the reload had
                await asyncio.to_thread(_retire, box)
        self.last_report = report
        self._log(report)
        return report

    def _apply(
        self, o: _Outcome, reason: str, old: FactBook | None, seconds: float
    ) -> ReloadReport:
        """Swap or keep, and say what happened. Runs on the event loop, under the lock."""
        self._sig = o.sig
        previous = old.version if old is not None else ""
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
        assert o.book is not None
        self._book = o.book  # the swap: one assignment
        self.loaded_at = dt.datetime.now(dt.UTC)
        return replace(
            unchanged,
            changed=True,
            version=o.book.version,
            changelog=o.changelog,
            should_announce=recovered or old is None or o.news,
            recovered=recovered,
        )

    def _log(self, report: ReloadReport) -> None:
        took = f"({report.reason}, {report.seconds * 1000:.0f} ms)"
        if not report.ok:
            if report.should_announce:
                errors = "\n".join(str(f) for f in report.errors)
                log.info("%s %s\n%s", report.headline(), took, errors)
            else:
                log.info("%s %s (already reported)", report.headline(), took)
        elif report.changed:
            log.info("%s %s\n%s", report.headline(), took, report.changelog)
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
        a recovery). A failing ``on_report`` is logged and does not stop the watch."""
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

    # -- status --------------------------------------------------------------------------------
    def status_text(self) -> str:
        """Version in service, when it was loaded, totals, and the errors of a broken file."""
        lines: list[str] = []
        if self._book is None:
            lines.append(f"No facts in service: {self.display} has not loaded yet.")
        else:
            when = self.loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC") if self.loaded_at else "?"
            lines.append(
                f"Version {short_version(self._book.version)} of {self.display} in service, "
                f"loaded {when}."
            )
            lines.append(self._book.summary_line() + ".")
        if self.last_error:
            since = self.broken_since.strftime("%H:%M:%S UTC") if self.broken_since else "start-up"
            n = _plural(len(self.last_error), "error")
            lines.append(f"The file on disk is broken (since {since}, {n}); it is not in service:")
            head = "\n".join(lines)
            block = _code_block([str(f) for f in self.last_error], MESSAGE_LIMIT - len(head) - 1)
            return f"{head}\n{block}"
        lines.append("The file on disk is valid and in service.")
        if self.watching.is_set():
            lines.append(
                f"Watching {self.display} for changes (and checking it every "
                f"{self.poll_interval:g} s)."
            )
        return "\n".join(lines)
