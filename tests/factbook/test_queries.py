"""The queries file: the team's expected questions read with located, explained findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.factbook import FactsUnreadable, load_queries


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "queries.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_gives_every_question() -> None:
    good = Path(__file__).resolve().parents[2] / "queries.yaml"
    result = load_queries(good)
    assert result.ok and len(result.queries) >= 120
    misses = [q for q in result.queries if q.miss]
    assert len(misses) >= 25 and all(not q.answers for q in misses)
    first = result.queries[0]
    assert first.line > 1 and first.answers and first.tags


def test_each_mistake_is_located_and_explained(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\n"
        "queries:\n"
        "  - query: workers in russia\n"
        "    answer: [a-fact]\n"  # line 4: misspelt field
        "  - query: both at once\n"
        "    answers: [a-fact]\n"
        "    miss: true\n"  # line 7
        "  - query: neither\n"  # line 8
        "  - answers: [a-fact]\n"  # line 9: no query
        "  - query: a flag that is not one\n"
        "    miss: maybe\n",  # line 11
    )
    result = load_queries(path)
    assert not result.ok and result.queries == ()
    found = {(f.line, f.code) for f in result.findings}
    assert (4, "unknown-field") in found
    assert (7, "answers-and-miss") in found
    assert (8, "no-answers") in found
    assert (9, "missing-field") in found
    assert (11, "wrong-type") in found
    [misspelt] = [f for f in result.findings if f.code == "unknown-field"]
    assert "did you mean 'answers'?" in misspelt.message
    assert str(misspelt).startswith(f"{path}:4:5: workers in russia: unknown field 'answer'")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("queries: []\n", "bad-version"),
        ("version: 2\nqueries: []\n", "bad-version"),
        ("version: 1\nqueries: {a: 1}\n", "wrong-type"),
        ("- a list\n", "not-a-mapping"),
        ("version: 1\nqueries: [\n", "yaml-syntax"),
    ],
)
def test_a_broken_file_says_why(tmp_path: Path, text: str, code: str) -> None:
    result = load_queries(write(tmp_path, text))
    assert not result.ok and code in {f.code for f in result.findings}


def test_an_unreadable_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FactsUnreadable):
        load_queries(tmp_path / "missing.yaml")
