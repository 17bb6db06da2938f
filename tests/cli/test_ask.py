"""The preview commands: ask, topics, source; exit statuses; the bundled facts.yaml."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.factbook import load_path
from tests.bookfactory import sample_book, to_yaml

ROOT = Path(__file__).resolve().parents[2]
BOOK = sample_book()


@pytest.fixture
def facts(tmp_path: Path) -> str:
    path = tmp_path / "facts.yaml"
    path.write_text(to_yaml(BOOK), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_ask_prints_the_fact_with_its_source(
    facts: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "ask", "Rusia", "logging", "--facts", facts)
    assert status == 0 and err == ""
    claims = [BOOK.facts[i].claim for i in ("logging-1967", "logging-conditions")]
    assert any(out.startswith(c) for c in claims)
    assert "Source: " in out and "https://" in out


def test_ask_quote(facts: str, capsys: pytest.CaptureFixture[str]) -> None:
    quote = BOOK.facts["fa-interviews"].quote
    assert quote
    _, out, _ = run(capsys, "ask", "fa-interviews", "--quote", "--facts", facts)
    assert quote in out
    _, out, _ = run(capsys, "ask", "fa-interviews", "--facts", facts)
    assert quote not in out


def test_ask_summary(facts: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "ask", "--summary", "logging camps", "--facts", facts)
    assert status == 0
    assert out.startswith("Russian Far East logging\n")
    assert "[1]" in out and "[2]" in out and "\nSources:\n[1] " in out


def test_ask_json(facts: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "ask", "--json", "--summary", "revenue", "--facts", facts)
    data = json.loads(out)
    assert status == 0 and data["kind"] == "summary" and data["query"] == "revenue"
    assert data["facts"][0]["source"]["url"].startswith("https://")
    status, out, _ = run(capsys, "ask", "--json", "러시아", "--facts", facts)
    assert json.loads(out)["facts"][0]["id"] == "kbs-russia-entries"


def test_a_miss_exits_1_with_suggestions(facts: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "ask", "xyzzy", "--facts", facts)
    assert status == 1 and out == "" and "No fact in the book answers this." in err
    status, out, err = run(capsys, "ask", "--json", "xyzzy", "--facts", facts)
    assert status == 1 and json.loads(out)["kind"] == "miss"
    status, out, err = run(capsys, "source", "fa-revnue", "--facts", facts)
    assert status == 1 and "Try fa-revenue" in err


def test_topics_and_source(facts: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "topics", "--facts", facts)
    assert status == 0
    assert "UN sanctions (sanctions): 1 fact" in out
    assert "North Korean overseas labour (nk-overseas-labour): 6 facts" in out
    status, out, _ = run(capsys, "source", "fa-interviews", "--facts", facts)
    assert status == 0
    assert BOOK.sources["fa-2015"].url in out and "Quote: “researchers Yoon" in out


def test_facts_path_from_environment(
    facts: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTS_PATH", facts)
    status, out, _ = run(capsys, "ask", "mongolia")
    assert status == 0 and "Mongolia" in out


def test_unreadable_or_invalid_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "ask", "x", "--facts", str(tmp_path / "missing.yaml"))
    assert status == 2 and out == "" and "missing.yaml" in err
    bad = tmp_path / "facts.yaml"
    bad.write_text(to_yaml(BOOK).replace("source: fa-2015\n", "source: fa-2051\n", 1))
    status, out, err = run(capsys, "ask", "x", "--facts", str(bad))
    assert status == 2 and out == ""
    assert "fa-2051" in err and "facts.yaml:" in err


def test_bundled_facts_answer_an_obvious_query(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "facts.yaml")
    book = load_path(path).book
    assert book is not None
    status, out, _ = run(capsys, "ask", "north korean workers abroad", "--facts", path)
    assert status == 0
    assert any(out.startswith(f.claim) for f in book)


def test_the_preview_does_not_import_discord() -> None:
    code = (
        "import sys, bot.cli, bot.factbook, bot.answers, bot.curation, bot.live;"
        "assert 'discord' not in sys.modules, 'discord imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
