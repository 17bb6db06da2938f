"""The usage database: schema, sums, retention, reading windows, merging, several processes on
one file, and a process killed with SIGKILL while it writes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.usage import (
    SCHEMA_VERSION,
    UsageCounts,
    UsageRecorder,
    UsageStore,
    UsageUnavailable,
    default_path,
    merge_counts,
    move_aside,
    read_counts,
)

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0
#: 2026-03-04 12:00 UTC
T0 = dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC).timestamp()
D0 = dt.date(2026, 3, 4)


class Clock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def rows(path: Path) -> list[tuple[str, str, str, int]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT day, kind, key, n FROM counts").fetchall())
    finally:
        conn.close()


def test_the_schema_has_counts_per_day_and_nothing_about_people(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    recorder = UsageRecorder(path, clock=Clock())
    recorder.answered("fact", facts=["a"])
    recorder.flush_now()
    conn = sqlite3.connect(path)
    (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(counts)")]
    conn.close()
    assert mode == "wal" and version == SCHEMA_VERSION
    assert tables == ["counts"] and columns == ["day", "kind", "key", "n"]
    assert rows(path) == [("2026-03-04", "command", "fact", 1), ("2026-03-04", "fact", "a", 1)]


def test_counts_add_up_across_batches_and_days(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    clock = Clock()
    recorder = UsageRecorder(path, clock=clock)
    for _ in range(3):
        recorder.answered("fact", facts=["a"])
    recorder.answered("summary", facts=["a", "b"], topic="t")
    recorder.flush_now()
    recorder.answered("fact", facts=["a"], unanswered=None)
    recorder.answered("fact", unanswered="Who pays?")
    clock.t += DAY  # the next UTC day
    recorder.answered("fact", unanswered="who  PAYS")
    recorder.flush_now()
    assert recorder.written == 7 and recorder.pending == 0
    counts = read_counts(path, D0, D0 + dt.timedelta(days=1))
    assert dict(counts.commands) == {"fact": 6, "summary": 1}
    assert dict(counts.facts) == {"a": 5, "b": 1}
    assert dict(counts.topics) == {"t": 1}
    assert dict(counts.unanswered) == {"who pays": 2}
    assert counts.answers == 7 and counts.first_day == D0
    only_first = read_counts(path, D0, D0)
    assert dict(only_first.unanswered) == {"who pays": 1} and only_first.answers == 6


def test_older_rows_are_pruned_beyond_the_retention(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    clock = Clock()
    recorder = UsageRecorder(path, retention_days=30, clock=clock)
    for offset in (0, 10, 40):
        clock.t = T0 + offset * DAY
        recorder.answered("fact", facts=[f"day-{offset}"])
        recorder.flush_now()
    days = {r[0] for r in rows(path)}
    # on day 40, 30 days are kept: day 11 to day 40
    assert days == {(D0 + dt.timedelta(days=40)).isoformat()}
    assert recorder.window(365) == (D0 + dt.timedelta(days=11), D0 + dt.timedelta(days=40))


def test_an_old_file_is_pruned_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    old = UsageRecorder(path, clock=Clock(T0 - 400 * DAY))
    old.answered("fact", facts=["ancient"])
    old.flush_now()
    store = UsageStore(path, retention_days=180)
    store.open(D0)
    store.close()
    assert rows(path) == []


def test_reading_a_missing_or_foreign_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(UsageUnavailable) as missing:
        read_counts(tmp_path / "nope.sqlite", D0, D0)
    assert missing.value.kind == "missing" and "nope.sqlite" in str(missing.value)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UsageUnavailable) as corrupt:
        read_counts(junk, D0, D0)
    assert corrupt.value.kind == "corrupt"
    assert junk.read_bytes() == b"this is not sqlite" * 100  # reading never moves it


def test_merging_stores_sums_them(tmp_path: Path) -> None:
    paths = [tmp_path / "a.sqlite", tmp_path / "b.sqlite"]
    for i, path in enumerate(paths):
        recorder = UsageRecorder(path, clock=Clock(T0 + i * DAY))
        recorder.answered("fact", facts=["a"], unanswered=None)
        recorder.answered("fact", unanswered="who pays")
        recorder.answered("summary", topic=f"t{i}")
        recorder.flush_now()
    merged = merge_counts(paths, D0, D0 + dt.timedelta(days=1))
    assert merged.stores == 2 and merged.answers == 6 and merged.first_day == D0
    assert dict(merged.facts) == {"a": 2} and dict(merged.unanswered) == {"who pays": 2}
    assert dict(merged.topics) == {"t0": 1, "t1": 1}
    assert read_counts(paths[0], D0, D0) + read_counts(paths[1], D0, D0) == UsageCounts(
        D0,
        D0,
        commands={"fact": 2, "summary": 1},
        facts={"a": 1},
        topics={"t0": 1},
        unanswered={"who pays": 1},
        first_day=D0,
        stores=2,
    )


def test_move_aside_keeps_the_file_under_a_utc_stamp(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    path.write_bytes(b"x")
    (tmp_path / "usage.sqlite-wal").write_bytes(b"w")
    (tmp_path / "usage.sqlite-shm").write_bytes(b"s")
    when = dt.datetime(2026, 3, 4, 12, 30, 5, tzinfo=dt.UTC)
    aside = move_aside(path, when)
    assert aside.name == "usage.sqlite.corrupt-20260304T123005Z" and aside.read_bytes() == b"x"
    assert (tmp_path / "usage.sqlite.corrupt-20260304T123005Z-wal").read_bytes() == b"w"
    assert not path.exists() and not (tmp_path / "usage.sqlite-shm").exists()
    path.write_bytes(b"y")
    assert move_aside(path, when).name == "usage.sqlite.corrupt-20260304T123005Z-2"


def test_the_default_store_is_beside_the_facts_file(tmp_path: Path) -> None:
    assert default_path(tmp_path / "facts.yaml") == tmp_path / "usage.sqlite"


# -- several processes -------------------------------------------------------------------------
WRITER = """
import sys
from pathlib import Path
from bot.usage import UsageRecorder

path, n, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
recorder = UsageRecorder(path, busy_timeout=60)
sys.stdin.readline()  # start together
for i in range(n):
    question = f"Question {i % 5}?" if i % 3 == 0 else None
    recorder.answered("fact", facts=[f"fact-{i % 7}"], unanswered=question)
    if recorder.pending >= batch:
        recorder.flush_now()
recorder.flush_now()
print(recorder.written, recorder.lost, repr(recorder.status))
"""


def _python(code: str, *args: str, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", code, *args], text=True, env=env, cwd=ROOT, **kw
    )


def test_several_processes_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"  # created by whichever process gets there first
    n, batch, procs = 300, 5, 4
    writers = [
        _python(
            WRITER, str(path), str(n), str(batch), stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        for _ in range(procs)
    ]
    for w in writers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    outputs = [w.communicate(timeout=60)[0].split() for w in writers]
    assert all(w.returncode == 0 for w in writers)
    assert outputs == [[str(n), "0", "''"]] * procs  # all written, nothing lost, no trouble
    counts = read_counts(path, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    assert dict(counts.commands) == {"fact": n * procs}
    assert sum(counts.facts.values()) == n * procs
    assert counts.facts["fact-0"] == procs * len(range(0, n, 7))
    assert dict(counts.unanswered) == {
        f"question {k}": procs * sum(1 for i in range(0, n, 3) if i % 5 == k) for k in range(5)
    }


KILLED = """
import sys
from pathlib import Path
from bot.usage import UsageRecorder

recorder = UsageRecorder(Path(sys.argv[1]))
batch = int(sys.argv[2])
done = 0
while True:
    for _ in range(batch):
        recorder.answered("fact", facts=["f"])
    recorder.flush_now()
    done += batch
    print(done, flush=True)
"""


def test_kill_9_mid_batch_loses_at_most_the_last_batch_never_the_file(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    batch = 100
    proc = _python(KILLED, str(path), str(batch), stdout=subprocess.PIPE)
    assert proc.stdout is not None
    for _ in range(30):  # thirty batches committed, the next one on its way
        assert proc.stdout.readline()
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.stdout.read().split()
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    printed = int(rest[-1]) if rest else 30 * batch  # committed before it was killed
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    total = read_counts(path, dt.date(2000, 1, 1), dt.date(2100, 1, 1)).commands["fact"]
    assert printed <= total <= printed + batch  # at most the batch being written is lost
    assert total % batch == 0  # a batch is all or nothing
    recorder = UsageRecorder(path)  # and the file goes on being used
    recorder.answered("fact")
    recorder.flush_now()
    assert recorder.status == "" and recorder.written == 1
