"""``factbot insights``: reading the usage store beside the facts file (or --stats, $STATS_PATH,
--merge), the three formats, --days, the exit statuses, and that it never writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.usage import UsageRecorder
from tests.bookfactory import sample_book, to_yaml

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("STATS_PATH", raising=False)
    path = tmp_path / "facts.yaml"
    path.write_text(to_yaml(sample_book()), encoding="utf-8")
    return path


def record(path: Path, days_ago: int = 0) -> None:
    """A morning of questions, ``days_ago`` days back."""
    recorder = UsageRecorder(path, clock=lambda: time.time() - days_ago * DAY)
    for _ in range(3):
        recorder.answered("fact", facts=["logging-conditions"])
    recorder.answered(
        "summary", facts=["logging-1967", "logging-conditions"], topic="russia-logging"
    )
    recorder.answered("fact", unanswered="Russia logging camps wages per month?")
    recorder.answered("fact", unanswered="russia  logging camps WAGES per month")
    recorder.answered("search", unanswered="zebra migration patterns")
    recorder.close()


def test_text_beside_the_facts_file(facts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(facts.parent / "usage.sqlite")
    status, out, err = run(capsys, "insights", "--facts", str(facts))
    assert status == 0 and err == ""
    assert out.startswith("Usage insights: the last 30 days (")
    assert "Answers: 7 (fact 5, search 1, summary 1)" in out
    assert "  4  logging-conditions  Workers in the Russian logging camps" in out
    assert "  1  russia-logging  " in out
    assert "  2  russia logging camps wages per month  (nearest topic: russia-logging)" in out
    assert "  1  zebra migration patterns  (no topic near it)" in out
    assert "Facts never asked (10 of 12 current facts):" in out


def test_json_and_csv(facts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(facts.parent / "usage.sqlite")
    status, out, _ = run(capsys, "insights", "--facts", str(facts), "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["answers"] == 7 and data["days"] == 30
    assert data["facts"][0]["id"] == "logging-conditions" and data["facts"][0]["count"] == 4
    assert data["unanswered"][0]["nearest_topic"]["id"] == "russia-logging"
    assert (
        "fa-revenue" in data["never_asked"] and "ilo-2016-forced-labour" not in data["never_asked"]
    )
    status, out, _ = run(capsys, "insights", "--facts", str(facts), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert status == 0 and rows[0][0] == "section"
    assert ["unanswered", "zebra migration patterns", "1", "", "", ""] in rows


def test_days_picks_the_window(facts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = facts.parent / "usage.sqlite"
    record(store, days_ago=10)
    record(store)
    _, out, _ = run(capsys, "insights", "--facts", str(facts), "--days", "5", "--format", "json")
    assert json.loads(out)["answers"] == 7
    _, out, _ = run(capsys, "insights", "--facts", str(facts), "--days", "11", "--format", "json")
    assert json.loads(out)["answers"] == 14
    status, _, err = run(capsys, "insights", "--facts", str(facts), "--days", "0")
    assert status == 2 and "--days" in err


def test_stats_option_and_environment(
    facts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "stats" / "bot.sqlite"
    elsewhere.parent.mkdir()
    record(elsewhere)
    status, out, _ = run(capsys, "insights", "--facts", str(facts), "--stats", str(elsewhere))
    assert status == 0 and "Answers: 7" in out
    monkeypatch.setenv("STATS_PATH", str(elsewhere))
    status, out, _ = run(capsys, "insights", "--facts", str(facts))
    assert status == 0 and "Answers: 7" in out


def test_merge_counts_stores_together(
    facts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    record(a)
    record(b)
    record(b)
    status, out, _ = run(capsys, "insights", "--facts", str(facts), "--merge", str(a), str(b))
    assert status == 0 and "Answers: 21" in out and "2 stores merged" in out
    assert "  6  russia logging camps wages per month" in out


def test_a_missing_store_exits_2_and_creates_nothing(
    facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "insights", "--facts", str(facts))
    assert status == 2 and out == ""
    assert f"no usage store at {facts.parent / 'usage.sqlite'}" in err and "--stats" in err
    assert sorted(p.name for p in facts.parent.iterdir()) == ["facts.yaml"]


def test_a_corrupt_store_exits_2_and_is_left_as_it_is(
    facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = facts.parent / "usage.sqlite"
    store.write_bytes(b"not a database" * 100)
    status, _, err = run(capsys, "insights", "--facts", str(facts))
    assert status == 2 and "not a valid usage database" in err
    assert store.read_bytes() == b"not a database" * 100


def test_insights_only_reads(facts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = facts.parent / "usage.sqlite"
    record(store)
    before = dt.datetime.fromtimestamp(store.stat().st_mtime_ns / 1e9, dt.UTC)
    content = store.read_bytes()
    for fmt in ("text", "json", "csv"):
        assert run(capsys, "insights", "--facts", str(facts), "--format", fmt)[0] == 0
    assert store.read_bytes() == content
    assert dt.datetime.fromtimestamp(store.stat().st_mtime_ns / 1e9, dt.UTC) == before


def test_check_stays_free_of_sqlite(facts: Path) -> None:
    code = (
        "import sys; from bot.cli import main; status = main(['check', sys.argv[1]]); "
        "print('sqlite3' in sys.modules, 'bot.usage' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(facts)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.stdout.splitlines()[-1] == "False False"
