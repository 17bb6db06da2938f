"""`python -m bot check`: output, summary line, JSON, --stale, --strict and exit statuses."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

BROKEN = Path(__file__).parent.parent / "factbook" / "broken"


def _fresh_ok(tmp_path: Path, *, old_review: int | None = None, name: str = "ok") -> Path:
    """A file of tests/broken/ with review dates relative to today (check uses the real date)."""
    today = dt.datetime.now(dt.UTC).date()
    text = (BROKEN / f"{name}.yaml").read_text()
    text = text.replace("reviewed: 2026-06-01", f"reviewed: {today - dt.timedelta(days=10)}")
    text = text.replace("reviewed: 2026-11-01", f"reviewed: {today - dt.timedelta(days=5)}")
    if old_review is not None:  # two stale facts (oldest first) and a stale superseded one
        text = text.replace(
            f"reviewed: {today - dt.timedelta(days=10)}",
            f"reviewed: {today - dt.timedelta(days=old_review)}",
        )
        text = text.replace(
            "    as_of: 2021\n",
            f"    as_of: 2021\n    reviewed: {today - dt.timedelta(days=400)}\n",
        )
        text = text.replace(
            f"reviewed: {today - dt.timedelta(days=5)}",
            f"reviewed: {today - dt.timedelta(days=40)}",
        )
    path = tmp_path / "facts.yaml"
    path.write_text(text)
    return path


def test_valid_file_exits_0_with_the_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _fresh_ok(tmp_path)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{path}: 3 facts, 2 sources, 2 topics; 0 errors, 0 warnings"]


def test_default_path_is_facts_yaml_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fresh_ok(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("facts.yaml: 3 facts")


def test_invalid_file_prints_every_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _fresh_ok(tmp_path, name="unknown_source")
    path.write_text(path.read_text().replace("claim: An older", "claimm: An older"))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    unknown = f"{path}:35:13: error: example-estimate: unknown source 'example-estimate' (did you"
    assert any(line.startswith(unknown) for line in out)
    assert any(line.startswith(f"{path}:11:3: warning: example-estimates:") for line in out)
    assert any("did you mean 'claim'?" in line for line in out)
    assert out[-1] == f"{path}: 3 facts, 2 sources, 2 topics; 2 errors, 1 warning"


def test_warnings_fail_only_with_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fresh_ok(tmp_path)
    path.write_text(path.read_text().replace('    quote: "example estimate words"\n', ""))
    assert main(["check", str(path)]) == 0
    assert main(["check", "--strict", str(path)]) == 1
    out = capsys.readouterr().out
    assert "warning: example-estimate: no quote" in out and "0 errors, 1 warning" in out


def test_json_for_ci(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fresh_ok(tmp_path, name="duplicate_key")
    assert main(["check", "--format", "json", str(path)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["path"] == str(path)
    assert doc["counts"] == {"facts": 3, "sources": 2, "topics": 2, "errors": 1, "warnings": 0}
    (err,) = doc["errors"]
    assert (err["line"], err["column"], err["code"], err["subject"]) == (
        35,
        5,
        "duplicate-key",
        "example-estimate",
    )
    assert main(["check", "--format", "json", str(_fresh_ok(tmp_path))]) == 0
    good = json.loads(capsys.readouterr().out)
    assert good["ok"] is True and good["errors"] == [] and len(good["version"]) == 16


def test_stale_lists_oldest_first_and_fails_with_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _fresh_ok(tmp_path, old_review=500)
    assert main(["check", "--stale", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    listed = [line.split()[0] for line in out if line.startswith("  ")]
    assert listed == ["nk-workers-abroad", "example-estimate"]  # superseded facts left out
    first = next(line for line in out if line.startswith("  nk-workers-abroad "))
    assert "135 days overdue" in first and "Foreign Affairs" in first
    assert "https://www.foreignaffairs.com/" in first
    assert out[-1].endswith("0 errors, 2 warnings")
    assert main(["check", "--stale", "--strict", str(path)]) == 1


def test_stale_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fresh_ok(tmp_path, old_review=500)
    assert main(["check", "--stale", "--format", "json", str(path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in doc["stale"]] == ["nk-workers-abroad", "example-estimate"]
    assert doc["stale"][0]["days_overdue"] == 135 and doc["stale"][1]["days_overdue"] == 35


def test_no_stale_facts_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--stale", str(_fresh_ok(tmp_path))]) == 0
    assert "no stale facts" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["missing", "directory"])
def test_unreadable_file_exits_2_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    path = tmp_path / "nope.yaml" if where == "missing" else tmp_path
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "cannot read" in captured.err and str(path) in captured.err


def test_max_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _fresh_ok(tmp_path)
    assert main(["check", "--max-bytes", "100", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error: the file is" in out and "over the 100-byte limit" in out


def test_python_m_bot_check(tmp_path: Path) -> None:
    path = _fresh_ok(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{path}: 3 facts, 2 sources, 2 topics; 0 errors, 0 warnings"
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(BROKEN / "tab.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1 and ":38:1: error: a tab character" in bad.stdout


def test_expected_questions_that_no_longer_get_their_fact_first_fail_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = str(Path(__file__).resolve().parents[2] / "facts.yaml")
    queries = tmp_path / "queries.yaml"
    queries.write_text(
        "version: 1\nqueries:\n"
        "  - query: what does resolution 2397 require\n"
        "    answers: [unscr-2397-repatriation]\n"
        "  - query: Lazarus Group crypto hacking\n"
        "    miss: true\n",
        encoding="utf-8",
    )
    assert main(["check", facts, "--queries", str(queries)]) == 0
    assert f"{queries}: 0 problems" in capsys.readouterr().out
    queries.write_text(
        "version: 1\nqueries:\n"
        "  - query: what does resolution 2397 require\n"
        "    answers: [fa-2015-mongolia]\n"  # line 4: not what the book answers
        "  - query: Mongolia\n"
        "    answers: [fa-2015-mongolai]\n"  # line 6: no such fact
        "  - query: Kuwait\n"
        "    miss: true\n",
        encoding="utf-8",
    )
    assert main(["check", facts, "--queries", str(queries)]) == 1
    out = capsys.readouterr().out
    assert (
        f"{queries}:3:5: error: what does resolution 2397 require: answered with "
        "unscr-2397-repatriation, expected fa-2015-mongolia" in out
    )
    assert "unknown fact 'fa-2015-mongolai' (did you mean 'fa-2015-mongolia'?)" in out
    assert f"{queries}:7:5: error: Kuwait: expected a miss, answered with" in out
    assert main(["check", facts, "--queries", str(queries), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert not data["ok"] and len(data["queries"]["failures"]) == 3
    assert main(["check", facts, "--queries", str(tmp_path / "none.yaml")]) == 2
