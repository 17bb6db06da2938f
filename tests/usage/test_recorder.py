"""UsageRecorder: counting in memory, batches written off the loop, and every way the store can
be unusable (missing folder, read-only, locked, corrupt, deleted, newer): one warning each, the
counting goes on or stops cleanly, nothing raises."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.usage import UsageRecorder, UsageUnavailable, read_counts

EVER = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "factbot.usage" and r.levelno == logging.WARNING
    ]


def total(path: Path) -> int:
    return read_counts(path, *EVER).answers


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Make a store file read-only: by its mode bits, or (for root, whom mode bits do not stop)
    by opening it read-only, as SQLite does with a file it may not write.
    """
    made: list[Path] = []

    def make(path: Path) -> None:
        made.append(path)
        os.chmod(path, 0o444)
        if os.geteuid() == 0:
            connect = sqlite3.connect

            def ro(database: Any, *args: Any, **kw: Any) -> sqlite3.Connection:
                if Path(database) == path:
                    return connect(f"file:{path}?mode=ro", *args, uri=True, **kw)
                return connect(database, *args, **kw)

            monkeypatch.setattr(sqlite3, "connect", ro)

    yield make
    for path in made:
        os.chmod(path, 0o644)


def test_counting_touches_nothing_on_disk_until_a_flush(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    recorder = UsageRecorder(path)
    for _ in range(500):
        recorder.answered("fact", facts=["a"], unanswered=None)
    assert recorder.pending == 500 and not path.exists()
    recorder.flush_now()
    assert recorder.pending == 0 and total(path) == 500


def test_statistics_off_counts_nothing_and_says_why(tmp_path: Path) -> None:
    recorder = UsageRecorder.off()
    recorder.answered("fact", facts=["a"])
    assert recorder.pending == 0 and not recorder.enabled
    with pytest.raises(UsageUnavailable) as off:
        asyncio.run(recorder.counts(*EVER))
    assert off.value.kind == "off" and "STATS=off" in str(off.value)


async def test_the_writer_wakes_after_flush_events_answers(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    recorder = UsageRecorder(path, flush_events=10, flush_seconds=3600)
    writer = asyncio.create_task(recorder.run())
    await until(lambda: path.exists())  # opened at start
    for _ in range(9):
        recorder.answered("fact")
    await asyncio.sleep(0.05)
    assert recorder.written == 0  # 9 < 10: still in memory
    recorder.answered("fact")
    await until(lambda: recorder.written == 10)
    assert total(path) == 10
    recorder.answered("fact")
    await recorder.aclose()  # a clean stop writes the last batch
    writer.cancel()
    assert total(path) == 11 and recorder.lost == 0


async def test_counts_include_what_was_in_memory(tmp_path: Path) -> None:
    recorder = UsageRecorder(tmp_path / "usage.sqlite")
    recorder.answered("fact", facts=["a"])
    recorder.answered("fact", unanswered="Who pays?")
    counts = await recorder.counts(*recorder.window(30))
    assert dict(counts.facts) == {"a": 1} and dict(counts.unanswered) == {"who pays": 1}
    await recorder.aclose()


async def test_answering_never_waits_for_a_slow_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = UsageRecorder(tmp_path / "usage.sqlite", flush_events=1, flush_seconds=3600)
    release = threading.Event()
    entered = threading.Event()
    write = recorder.write_batch

    def stuck(batch: Any, events: int) -> None:
        entered.set()
        release.wait(30)
        write(batch, events)

    monkeypatch.setattr(recorder, "write_batch", stuck)
    writer = asyncio.create_task(recorder.run())
    await until(entered.is_set)  # the writer thread is stuck in its first write
    for _ in range(1000):  # counting goes on meanwhile, on the loop, at once
        recorder.answered("fact", facts=["a"])
    assert recorder.pending == 1000
    release.set()
    await until(lambda: recorder.written == 1000)
    await recorder.aclose()
    writer.cancel()


def test_a_missing_folder_turns_statistics_off_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "no-such-folder" / "usage.sqlite"
    recorder = UsageRecorder(path)
    for _ in range(3):
        recorder.answered("fact")
        recorder.flush_now()
    (warning,) = warnings_of(caplog)
    assert "off until restart" in warning and str(path) in warning
    assert "answering is not affected" in warning and "STATS_PATH" in warning
    assert not recorder.enabled and recorder.lost == 1
    recorder.answered("fact")  # a no-op now
    assert recorder.pending == 0 and not path.parent.exists()


def test_a_read_only_file_turns_statistics_off_with_one_warning_and_stays_readable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, read_only: Callable[[Path], None]
) -> None:
    path = tmp_path / "usage.sqlite"
    first = UsageRecorder(path)
    first.answered("fact", facts=["a"])
    first.flush_now()
    first.flush_now()
    before = path.read_bytes()
    read_only(path)
    recorder = UsageRecorder(path)
    for _ in range(3):
        recorder.answered("fact")
        recorder.flush_now()
    (warning,) = warnings_of(caplog)
    assert "read-only" in warning and "off until restart" in warning
    assert not recorder.enabled
    assert path.read_bytes() == before
    counts = asyncio.run(recorder.counts(*EVER))  # what is there can still be read
    assert dict(counts.facts) == {"a": 1}


def test_a_locked_file_keeps_the_counts_and_writes_them_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="factbot.usage")
    path = tmp_path / "usage.sqlite"
    recorder = UsageRecorder(path, busy_timeout=0.05)
    recorder.answered("fact")
    recorder.flush_now()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        for _ in range(3):
            recorder.answered("fact", facts=["a"])
            recorder.answered("fact", unanswered="who pays")
            recorder.flush_now()
        (warning,) = warnings_of(caplog)
        assert "locked" in warning and "trying again" in warning
        assert recorder.enabled and recorder.written == 1
    finally:
        other.execute("COMMIT")
        other.close()
    caplog.clear()
    recorder.flush_now()
    assert warnings_of(caplog) == []
    assert any("usable again" in r.getMessage() for r in caplog.records)
    counts = read_counts(path, *EVER)
    assert counts.answers == 7 and dict(counts.facts) == {"a": 3}
    assert dict(counts.unanswered) == {"who pays": 3}
    assert recorder.written == 7 and recorder.lost == 0 and recorder.status == ""


def test_what_is_held_back_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    recorder = UsageRecorder(path, busy_timeout=0.05, held_max=10)
    recorder.flush_now()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        for i in range(20):
            recorder.answered("fact", unanswered=f"question {i}")
        recorder.flush_now()
    finally:
        other.execute("COMMIT")
        other.close()
    recorder.flush_now()
    assert recorder.lost == 20 and total(path) == 0


@pytest.mark.parametrize("damage", ["not a database", "damaged pages"])
def test_a_corrupt_file_is_moved_aside_and_a_new_one_started(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    path = tmp_path / "usage.sqlite"
    if damage == "not a database":
        path.write_bytes(b"garbage, not sqlite " * 500)
    else:
        old = UsageRecorder(path)
        for i in range(2000):
            old.answered("fact", facts=[f"fact-number-{i}"])
        old.flush_now()
        asyncio.run(old.aclose())  # checkpointed into the main file
        with open(path, "r+b") as fh:
            fh.seek(4096 * 2)
            fh.write(b"\xff" * 4096 * 3)
    damaged = path.read_bytes()
    recorder = UsageRecorder(path)
    recorder.answered("fact", facts=["a"])
    recorder.flush_now()
    recorder.answered("fact", facts=["a"])
    recorder.flush_now()
    (warning,) = warnings_of(caplog)
    (aside,) = tmp_path.glob("usage.sqlite.corrupt-*")
    assert aside.name in warning and "started a new one" in warning
    assert aside.read_bytes() == damaged  # kept for whoever wants to look
    assert dict(read_counts(path, *EVER).facts) == {"a": 2}
    assert recorder.enabled and recorder.lost == 0


def test_a_file_deleted_while_running_is_started_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "usage.sqlite"
    recorder = UsageRecorder(path)
    recorder.answered("fact")
    recorder.flush_now()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    recorder.answered("fact", facts=["after"])
    recorder.flush_now()
    recorder.answered("fact", facts=["after"])
    recorder.flush_now()
    (warning,) = warnings_of(caplog)
    assert "deleted or replaced" in warning
    assert dict(read_counts(path, *EVER).facts) == {"after": 2}


def test_a_file_from_a_newer_factbot_is_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "usage.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    recorder = UsageRecorder(path)
    recorder.answered("fact")
    recorder.flush_now()
    (warning,) = warnings_of(caplog)
    assert "newer factbot" in warning and not recorder.enabled
    assert path.read_bytes() == before and not list(tmp_path.glob("*.corrupt-*"))
