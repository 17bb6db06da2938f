"""Export: Markdown grouping and source numbering, CSV round-trip, JSON keys, the CLI command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.curation import CSV_COLUMNS, escape_markdown, to_csv, to_json, to_markdown
from bot.factbook import Fact, FactBook, Source, Topic

REPO = Path(__file__).resolve().parents[2]

TRICKY = 'Wages, "paid" to the state: 90% — 북한 노동자 ✓'


def _book() -> FactBook:
    sources = {
        "fa": Source(
            id="fa",
            title="Kim's Work Force",
            publisher="Foreign Affairs",
            date="2015",
            url="https://example.org/fa",
            author="A. Writer",
        ),
        "un": Source(
            id="un",
            title="Panel *report*",
            publisher="UN Panel",
            date="2017-03-01",
            url="https://example.org/un",
        ),
        "afp": Source(
            id="afp", title="Story", publisher="AFP", date="2019", url="https://example.org/afp"
        ),
    }
    topics = {
        "labour": Topic(id="labour", title="Overseas labour", description="Workers _sent_ abroad."),
        "money": Topic(id="money", title="Revenue"),
        "empty": Topic(id="empty", title="Nothing yet"),
    }
    facts = [
        Fact(
            id="workers",
            claim="About 50,000 workers abroad.",
            source="un",
            topics=("labour", "money"),
            as_of="2015",
        ),
        Fact(
            id="wages",
            claim=TRICKY,
            source="fa",
            topics=("labour",),
            quote="the state takes most",
            reviewed=dt.date(2025, 1, 2),
        ),
        Fact(
            id="revenue",
            claim="Up to $2bn a year.",
            source="fa",
            topics=("money",),
            review_every=30,
            regions=("russia", "china"),
        ),
        Fact(
            id="rumour",
            claim="1. A listed-looking claim [x](y).",
            source="afp",
            topics=("money",),
            confidence="secondhand",
            reported_by="AFP, citing the UN",
        ),
        Fact(
            id="old", claim="Old figure.", source="un", topics=("money",), superseded_by="workers"
        ),
    ]
    return FactBook(
        facts={f.id: f for f in facts},
        sources=sources,
        topics=topics,
        version="abc123",
        review_every=365,
    )


# -- Markdown -----------------------------------------------------------------------------------


def _section(md: str, heading: str) -> str:
    return md.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_markdown_groups_by_topic_in_file_order_and_skips_empty_topics() -> None:
    md = to_markdown(_book())
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == ["Overseas labour", "Revenue", "Sources"]
    assert r"Workers \_sent\_ abroad." in _section(md, "Overseas labour")


def test_markdown_numbers_each_source_once_in_first_use_order() -> None:
    md = to_markdown(_book())
    labour, money = _section(md, "Overseas labour"), _section(md, "Revenue")
    # un is used first (workers), then fa (wages), then afp (rumour).
    assert "- About 50,000 workers abroad. [1]" in labour
    assert "[2]" in next(line for line in labour.splitlines() if "Wages" in line)
    # A fact under two topics keeps its number; fa keeps 2 in the second section.
    assert "- About 50,000 workers abroad. [1]" in money
    assert "- Up to \\$2bn a year. [2]" in money
    assert "[3]" in next(line for line in money.splitlines() if "listed" in line)
    sources = _section(md, "Sources").strip().splitlines()
    assert sources == [
        '1. UN Panel, "Panel \\*report\\*", 2017-03-01, <https://example.org/un>',
        '2. Foreign Affairs (A. Writer), "Kim\'s Work Force", 2015, <https://example.org/fa>',
        '3. AFP, "Story", 2019, <https://example.org/afp>',
    ]


def test_markdown_marks_as_of_secondhand_and_superseded() -> None:
    md = to_markdown(_book())
    lines = md.splitlines()
    workers = next(line for line in lines if "50,000" in line)
    rumour = next(line for line in lines if "listed" in line)
    old = next(line for line in lines if "Old figure" in line)
    assert "as of 2015" in workers
    assert "reported by AFP, citing the UN" in rumour
    assert "superseded by `workers`" in old


def test_markdown_escapes_text_from_the_file() -> None:
    md = to_markdown(_book())
    rumour = next(line for line in md.splitlines() if "listed" in line)
    # A claim that looks like a list item and a link stays literal text.
    assert rumour.startswith(r"- 1\. A listed-looking claim \[x\](y). [3]")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("*a* _b_ `c`", r"\*a\* \_b\_ \`c\`"),
        ("[t](u) <b> a|b ~s~ &amp; #1", r"\[t\](u) \<b\> a\|b \~s\~ \&amp; \#1"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("12) item", r"12\) item"),
        ("back\\slash", r"back\\slash"),
        ("two\nlines  and   spaces", "two lines and spaces"),
        ("plain text, 3.5 million", "plain text, 3.5 million"),
        ("$2bn to $3bn", r"\$2bn to \$3bn"),
    ],
)
def test_escape_markdown(raw: str, escaped: str) -> None:
    assert escape_markdown(raw) == escaped


# -- CSV ----------------------------------------------------------------------------------------


def test_csv_round_trips_commas_quotes_and_unicode() -> None:
    book = _book()
    rows = list(csv.DictReader(io.StringIO(to_csv(book), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["id"] for r in rows] == list(book.facts)
    wages = rows[1]
    assert wages["claim"] == TRICKY
    assert wages["quote"] == "the state takes most"
    assert wages["reviewed"] == "2025-01-02"
    assert (wages["publisher"], wages["author"], wages["url"]) == (
        "Foreign Affairs",
        "A. Writer",
        "https://example.org/fa",
    )
    assert rows[0]["topics"] == "labour;money"
    assert rows[2]["regions"] == "russia;china"
    assert rows[3]["confidence"] == "secondhand"
    assert rows[3]["reported_by"] == "AFP, citing the UN"
    assert rows[4]["superseded_by"] == "workers"
    assert rows[0]["reported_by"] == rows[0]["quote"] == rows[0]["reviewed"] == ""


# -- JSON ---------------------------------------------------------------------------------------


def test_json_has_stable_keys_and_file_order() -> None:
    data = to_json(_book())
    assert list(data) == ["version", "facts", "sources", "topics"]
    assert data["version"] == "abc123"
    assert [f["id"] for f in data["facts"]] == ["workers", "wages", "revenue", "rumour", "old"]
    keys = {tuple(f) for f in data["facts"]}
    assert len(keys) == 1  # every fact has the same keys, missing values are null
    by_id = {f["id"]: f for f in data["facts"]}
    assert by_id["workers"]["quote"] is None and by_id["workers"]["reviewed"] is None
    assert by_id["wages"]["reviewed"] == "2025-01-02"
    assert by_id["revenue"]["review_every"] == 30 and by_id["wages"]["review_every"] == 365
    assert by_id["rumour"]["reported_by"] == "AFP, citing the UN"
    assert by_id["workers"]["topics"] == ["labour", "money"]
    assert list(data["sources"]) == ["fa", "un", "afp"]
    assert data["sources"]["un"] == {
        "title": "Panel *report*",
        "publisher": "UN Panel",
        "author": None,
        "date": "2017-03-01",
        "url": "https://example.org/un",
        "read_at": None,
    }
    assert data["topics"]["money"]["facts"] == ["workers", "revenue", "rumour", "old"]
    assert data["topics"]["empty"]["facts"] == []
    json.dumps(data)  # serialisable as it is


# -- the command --------------------------------------------------------------------------------


def _facts_file(tmp_path: Path, name: str = "facts.yaml") -> Path:
    from tests.bookfactory import to_yaml

    path = tmp_path / name
    path.write_text(to_yaml(_book()), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json"])
def test_cli_writes_each_format_to_a_file(tmp_path: Path, fmt: str) -> None:
    facts = _facts_file(tmp_path)
    out = tmp_path / f"out.{fmt}"
    assert main(["export", "--format", fmt, "--facts", str(facts), "-o", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        text = fh.read()
    if fmt == "csv":  # the loaded file gives the same rows as the book it was written from
        assert text == to_csv(_book())
    elif fmt == "markdown":
        assert _section(text, "Sources") == _section(to_markdown(_book()), "Sources")
    else:
        assert [f["claim"] for f in json.loads(text)["facts"]] == [f.claim for f in _book()]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["facts.yaml", out.name])


def test_cli_replaces_an_existing_output(tmp_path: Path) -> None:
    facts = _facts_file(tmp_path)
    out = tmp_path / "book.md"
    out.write_text("old export", encoding="utf-8")
    out.chmod(0o640)
    assert main(["export", "--facts", str(facts), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Facts\n")
    assert out.stat().st_mode & 0o777 == 0o640
    assert main(["export", "--facts", str(facts), "-o", str(tmp_path / "no" / "dir.md")]) == 2


def test_cli_reads_facts_path_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _facts_file(tmp_path, "elsewhere.yaml")
    monkeypatch.setenv("FACTS_PATH", str(tmp_path / "elsewhere.yaml"))
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["facts"][1]["claim"] == TRICKY


def test_cli_invalid_or_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _facts_file(tmp_path)
    bad.write_text(bad.read_text(encoding="utf-8").replace("source: un", "source: nowhere"))
    out = tmp_path / "out.md"
    assert main(["export", "--facts", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err
    assert not out.exists()
    assert main(["export", "--facts", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml" in capsys.readouterr().err


def test_bundled_facts_export_as_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    bundled = REPO / "facts.yaml"
    if not bundled.exists():
        pytest.skip("facts.yaml is not there yet")
    assert main(["export", "--format", "markdown", "--facts", str(bundled)]) == 0
    assert capsys.readouterr().out.startswith("# Facts\n")
