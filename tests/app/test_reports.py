"""The Discord wording of reports: reloads, the status, /facts stale and the review digest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.app import MESSAGE_MAX, announcement, digest_text, stale_report, status_text
from bot.curation import stale_facts
from bot.factbook import Fact, FactBook, Source, Topic
from bot.live import LiveFacts
from tests.curation.test_freshness import TODAY, _book, _fact

D = dt.date


def test_who_should_look_is_the_sources_publisher_and_url() -> None:
    book = _book(_fact("x", D(2020, 1, 1), source="s2"))
    [item] = stale_facts(book, TODAY)
    assert (item.publisher, item.url) == ("AFP", "https://example.org/afp")
    text = stale_report(book, TODAY)
    assert "`x`" in text and "AFP <https://example.org/afp>" in text


def test_report_when_nothing_is_stale_counts_untracked() -> None:
    text = stale_report(_book(_fact("a", TODAY), _fact("b", None)), TODAY)
    assert text.startswith("No stale facts")
    assert "Not tracked (no `reviewed` date): 1 of 2 facts." in text


def test_report_limit_and_and_more() -> None:
    book = _book(*(_fact(f"f{i:03}", D(2020, 1, 1) + dt.timedelta(days=i)) for i in range(40)))
    text = stale_report(book, TODAY)
    assert text.count("• ") == 10
    assert "…and 30 more." in text
    assert text.index("`f000`") < text.index("`f004`")


def test_report_never_exceeds_discord_limit() -> None:
    long_url = "https://example.org/" + "x" * 300
    facts = [
        Fact(
            id=f"f{i}",
            claim="A long claim. " * 30,
            source="long",
            topics=("t",),
            reviewed=D(2020, 1, 1),
        )
        for i in range(30)
    ]
    book = FactBook(
        facts={f.id: f for f in facts},
        sources={
            "long": Source(id="long", title="T", publisher="P" * 80, date="2020", url=long_url)
        },
        topics={"t": Topic(id="t", title="T")},
        version="v",
    )
    text = stale_report(book, TODAY)
    assert len(text) <= MESSAGE_MAX
    assert "more." in text
    shown = text.count("• ")
    assert f"…and {30 - shown} more." in text


def test_report_escapes_markdown_in_claims() -> None:
    fact = Fact(
        id="m", claim="**bold** _x_ `code`", source="s1", topics=("t",), reviewed=D(2020, 1, 1)
    )
    text = stale_report(_book(fact), TODAY)
    assert r"\*\*bold\*\* \_x\_ \`code\`" in text


def test_digest_lists_only_the_window_and_is_none_when_empty() -> None:
    book = _book(_fact("old", D(2020, 1, 1)), _fact("new", D(2025, 5, 28)))
    # "new" is due 2026-05-28 and stale from 2026-05-29.
    text = digest_text(book, D(2026, 5, 25), TODAY)
    assert text is not None
    assert "`new`" in text and "`old`" not in text
    assert "2 stale in all" in text
    assert digest_text(book, TODAY - dt.timedelta(days=1), TODAY) is None


def _facts_file(path: Path, claims: list[str]) -> None:
    lines = [
        "version: 1",
        "sources:",
        "  src-a: {title: A report, publisher: A publisher, date: 2015, url: https://example.org/r}",
        "topics:",
        "  labour: {title: Overseas labour}",
        "facts:",
    ]
    for i, claim in enumerate(claims):
        lines.append(f"  - {{id: fact-{i}, claim: {claim}, source: src-a, topics: [labour]}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def test_reload_announcements_and_the_status_fit_a_message(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    _facts_file(path, ["The first claim.", "The second claim."])
    live = LiveFacts(path)
    live.load_initial()
    assert "Version" in status_text(live) and "2 facts" in status_text(live)
    _facts_file(path, ["The first claim.", "The second claim.", "Workers were sent abroad."])
    added = await live.reload()
    text = announcement(added)
    assert "reloaded: version" in text and "+ fact-2: Workers were sent abroad." in text
    unchanged = await live.reload()
    assert "unchanged" in announcement(unchanged)
    path.write_text(
        "version: 1\nfacts:\n" + "".join(f"  - id: x{i}\n    bogus: 1\n" for i in range(400)),
        encoding="utf-8",
    )
    broken = await live.reload()
    assert not broken.ok and len(broken.errors) > 10
    text = announcement(broken)
    assert len(text) <= MESSAGE_MAX and text.startswith("facts.yaml is broken")
    assert "more" in text.splitlines()[-2] and "facts.yaml:" in text
    status = status_text(live)
    assert len(status) <= MESSAGE_MAX and "The file on disk is broken" in status
    missing = tmp_path / "none.yaml"
    assert "No facts in service" in status_text(LiveFacts(missing))
