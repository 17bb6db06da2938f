"""The usage database: its schema, the one writing connection, reading counts, merging files.

This module owns the SQLite side (stdlib ``sqlite3``): one table of per-day counts, written in
WAL mode (readers never wait for the writer; several processes on one machine may share the
file, each batch in one ``BEGIN IMMEDIATE`` transaction that adds to the counts already
there); retention (rows older than the retention window are deleted on open and on the first
write of each day); and classifying what goes wrong (:class:`UsageUnavailable` with a
``kind``: locked, read-only, cannot-open, corrupt, newer, missing, failed). A corrupt file is
moved aside by :func:`move_aside`; what to do about each problem is the recorder's business.

Every unanswered question passes through :func:`bot.usage._scrub.scrub_query` in
:meth:`UsageStore.write`, the only way into the table. Nothing about users is in the schema:
no user, name, channel, guild or message, and no time finer than the UTC day.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from urllib.parse import quote

from bot.usage._scrub import scrub_query

#: The file's ``PRAGMA user_version``.
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS counts (
    day  TEXT    NOT NULL,  -- the UTC day, YYYY-MM-DD
    kind TEXT    NOT NULL CHECK (kind IN ('command', 'fact', 'topic', 'unanswered')),
    key  TEXT    NOT NULL,  -- command name, fact id, topic id, or scrubbed question
    n    INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (day, kind, key)
) WITHOUT ROWID
"""
UPSERT = (
    "INSERT INTO counts (day, kind, key, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (day, kind, key) DO UPDATE SET n = n + excluded.n"
)
Kind = Literal["command", "fact", "topic", "unanswered"]
KINDS: tuple[Kind, ...] = ("command", "fact", "topic", "unanswered")
#: A batch: (UTC day as YYYY-MM-DD, kind, key) -> how many.
Batch = Mapping[tuple[str, str, str], int]
#: Seconds a write waits for another process's transaction before giving up (in the writer
#: thread, never on the event loop).
BUSY_TIMEOUT = 5.0
DEFAULT_RETENTION_DAYS = 180
MAX_RETENTION_DAYS = 3660
DEFAULT_FILENAME = "usage.sqlite"

Problem = Literal[
    "off", "locked", "read-only", "cannot-open", "corrupt", "newer", "missing", "failed"
]


class UsageUnavailable(Exception):
    """The usage store cannot be used; ``str()`` is one line, safe to log and show."""

    def __init__(self, kind: Problem, message: str) -> None:
        super().__init__(message)
        self.kind: Problem = kind


def default_path(facts_path: Path) -> Path:
    """Where the store lives unless told: beside the facts file."""
    return facts_path.parent / DEFAULT_FILENAME


def problem_of(exc: sqlite3.Error, path: Path) -> UsageUnavailable:
    """What a sqlite3 error means for the store, as one line naming the file."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    detail = str(exc) or name
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return UsageUnavailable("locked", f"{path} is locked by another program ({detail})")
    if name.startswith("SQLITE_READONLY"):
        return UsageUnavailable("read-only", f"{path} is read-only ({detail})")
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return UsageUnavailable("cannot-open", f"cannot open {path} ({detail})")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        not isinstance(exc, sqlite3.OperationalError) and isinstance(exc, sqlite3.DatabaseError)
    ):
        return UsageUnavailable("corrupt", f"{path} is not a valid usage database ({detail})")
    return UsageUnavailable("failed", f"writing {path} failed ({detail})")


def move_aside(path: Path, now: dt.datetime) -> Path:
    """Rename a corrupt store (and its ``-wal``) to ``<name>.corrupt-<UTC time>``; drop its
    ``-shm`` (an index SQLite rebuilds). Returns the new name.
    """
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + "-wal"))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    return target


def cutoff(today: dt.date, retention_days: int) -> dt.date:
    """The oldest day kept: ``retention_days`` days including today."""
    return today - dt.timedelta(days=retention_days - 1)


def scrubbed(batch: Batch) -> dict[tuple[str, str, str], int]:
    """The batch as it may be stored: every question scrubbed (those with nothing left are
    dropped), counts of questions that scrub to the same text added up.
    """
    out: dict[tuple[str, str, str], int] = {}
    for (day, kind, key), n in batch.items():
        if n <= 0:
            continue
        if kind == "unanswered":
            text = scrub_query(key)
            if text is None:
                continue
            key = text
        elif kind not in KINDS:
            continue
        k = (day, kind, key)
        out[k] = out.get(k, 0) + n
    return out


class UsageStore:
    """The writing connection to one usage file. Thread-safe; every call blocks, so the bot
    calls it from a worker thread. Raises :class:`UsageUnavailable`.
    """

    def __init__(
        self,
        path: Path,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self.path = path
        self.retention_days = retention_days
        self.busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._pruned_on: dt.date | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def _identity_now(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def open(self, today: dt.date) -> bool:
        """Open (creating the file and the table when missing) and prune; True when the file
        was created now. The file is checked (``PRAGMA quick_check``): a damaged one raises
        ``corrupt``.
        """
        with self._lock:
            self._close()
            created = not self.path.exists()
            try:
                conn = sqlite3.connect(
                    self.path,
                    timeout=self.busy_timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            except sqlite3.Error as exc:
                raise problem_of(exc, self.path) from None
            try:
                self._prepare(conn)
                self._conn = conn
                self._identity = self._identity_now()
                self._prune(today)
            except sqlite3.Error as exc:
                conn.close()
                self._conn = None
                raise problem_of(exc, self.path) from None
            except UsageUnavailable:
                conn.close()
                raise
            return created

    def _prepare(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise UsageUnavailable(
                "newer", f"{self.path} was written by a newer factbot (schema {version})"
            )
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise UsageUnavailable("corrupt", f"{self.path} is damaged ({check})")
        conn.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a committed batch survives the process being killed; a power cut may
        # lose the last batches, never the file.
        conn.execute("PRAGMA synchronous=NORMAL")
        if version < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def still_there(self) -> bool:
        """False when the open file was deleted or replaced (another process moved it aside)."""
        return self._identity is not None and self._identity_now() == self._identity

    def write(self, batch: Batch, today: dt.date) -> int:
        """Add a batch's counts in one transaction (pruning first on a new day); the number of
        rows written.
        """
        rows = [(*k, n) for k, n in scrubbed(batch).items()]
        with self._lock:
            conn = self._conn
            if conn is None:
                raise UsageUnavailable("failed", f"{self.path} is not open")
            try:
                self._prune(today)
                if rows:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        conn.executemany(UPSERT, rows)
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
            except sqlite3.Error as exc:
                raise problem_of(exc, self.path) from None
        return len(rows)

    def _prune(self, today: dt.date) -> None:
        if self._pruned_on == today or self._conn is None:
            return
        oldest = cutoff(today, self.retention_days).isoformat()
        self._conn.execute("DELETE FROM counts WHERE day < ?", (oldest,))
        self._pruned_on = today

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
            self._identity = None
            self._pruned_on = None


# -- reading -------------------------------------------------------------------------------------
def _frozen(d: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class UsageCounts:
    """Counts summed over the days ``since`` to ``until`` (UTC, both included)."""

    since: dt.date
    until: dt.date
    commands: Mapping[str, int] = field(default_factory=dict)  # command name -> answers
    facts: Mapping[str, int] = field(default_factory=dict)  # fact id -> times served
    topics: Mapping[str, int] = field(default_factory=dict)  # topic id -> times summarised
    unanswered: Mapping[str, int] = field(default_factory=dict)  # scrubbed question -> times
    first_day: dt.date | None = None  # the earliest day the store(s) hold, None when empty
    stores: int = 1  # how many files were summed

    @property
    def answers(self) -> int:
        return sum(self.commands.values())

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def __add__(self, other: UsageCounts) -> UsageCounts:
        """Two stores' counts summed (the merge of one store per machine)."""

        def add(a: Mapping[str, int], b: Mapping[str, int]) -> Mapping[str, int]:
            out = dict(a)
            for k, n in b.items():
                out[k] = out.get(k, 0) + n
            return _frozen(out)

        firsts = [d for d in (self.first_day, other.first_day) if d is not None]
        return UsageCounts(
            since=min(self.since, other.since),
            until=max(self.until, other.until),
            commands=add(self.commands, other.commands),
            facts=add(self.facts, other.facts),
            topics=add(self.topics, other.topics),
            unanswered=add(self.unanswered, other.unanswered),
            first_day=min(firsts) if firsts else None,
            stores=self.stores + other.stores,
        )


def _connect_read(path: Path) -> sqlite3.Connection:
    """A read-only connection; on a read-only folder (no ``-shm`` can be made) the file is
    read as it is on disk.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False)
    try:
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if not getattr(exc, "sqlite_errorname", "").startswith(
            ("SQLITE_CANTOPEN", "SQLITE_READONLY")
        ):
            raise
        conn = sqlite3.connect(uri + "&immutable=1", uri=True, check_same_thread=False)
    return conn


def read_counts(path: Path, since: dt.date, until: dt.date) -> UsageCounts:
    """The counts of one store over ``since`` to ``until``; raises :class:`UsageUnavailable`
    (kind ``missing`` when there is no file).
    """
    if not path.is_file():
        raise UsageUnavailable("missing", f"no usage store at {path}")
    totals: dict[str, dict[str, int]] = {k: {} for k in KINDS}
    try:
        conn = _connect_read(path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:  # created but never written: empty
                return UsageCounts(since, until)
            if version > SCHEMA_VERSION:
                raise UsageUnavailable(
                    "newer", f"{path} was written by a newer factbot (schema {version})"
                )
            rows: Iterable[tuple[str, str, int]] = conn.execute(
                "SELECT kind, key, SUM(n) FROM counts WHERE day BETWEEN ? AND ? GROUP BY kind, key",
                (since.isoformat(), until.isoformat()),
            )
            for kind, key, n in rows:
                if kind in totals:
                    totals[kind][key] = int(n)
            (first,) = conn.execute("SELECT MIN(day) FROM counts").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise problem_of(exc, path) from None
    return UsageCounts(
        since,
        until,
        commands=_frozen(totals["command"]),
        facts=_frozen(totals["fact"]),
        topics=_frozen(totals["topic"]),
        unanswered=_frozen(totals["unanswered"]),
        first_day=dt.date.fromisoformat(first) if first else None,
    )


def merge_counts(paths: Iterable[Path], since: dt.date, until: dt.date) -> UsageCounts:
    """Several stores' counts summed: one store per process or machine, read together."""
    total: UsageCounts | None = None
    for path in paths:
        counts = read_counts(path, since, until)
        total = counts if total is None else total + counts
    if total is None:
        raise ValueError("merge_counts needs at least one store")
    return total
