"""Insights: the book beside its usage counts (most asked, never asked, unanswered questions
with their nearest topics) and its text, JSON and CSV forms."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from bot import curation
from bot.answers import SearchIndex
from bot.usage import UsageCounts
from tests.bookfactory import make_book, make_fact, make_topic

SINCE, UNTIL = dt.date(2026, 2, 3), dt.date(2026, 3, 4)

BOOK = make_book(
    [
        make_fact(
            "wages-withheld",
            "Workers sent abroad said most of their wages were withheld by the state.",
            topics=["wages"],
        ),
        make_fact(
            "wages-withheld-old",
            "Workers abroad kept little of their pay.",
            topics=["wages"],
            superseded_by="wages-withheld",
        ),
        make_fact(
            "qatar-building-sites",
            "About 2,800 North Korean labourers worked on building sites in Qatar.",
            topics=["qatar"],
        ),
        make_fact(
            "lazarus-crypto-theft",
            "The Lazarus Group stole cryptocurrency worth billions for the state.",
            topics=["cyber"],
        ),
    ],
    topics=[
        make_topic("wages", "Wages and pay"),
        make_topic("qatar", "Qatar"),
        make_topic("cyber", "Cyber theft", aliases=["hacking"]),
    ],
)
INDEX = SearchIndex(BOOK)
COUNTS = UsageCounts(
    SINCE,
    UNTIL,
    commands={"fact": 20, "summary": 5, "search": 2},
    facts={"wages-withheld": 5, "qatar-building-sites": 2, "removed-fact": 3},
    topics={"wages": 4, "removed-topic": 1},
    unanswered={
        "qatar football stadiums": 4,
        "lazarus group crypto theft": 2,
        "zebra migration patterns": 1,
        "=cmd|' /c calc'!a1": 1,
    },
    first_day=dt.date(2026, 2, 20),
)


def test_most_asked_first_and_what_is_gone_is_marked() -> None:
    ins = curation.insights(INDEX, COUNTS)
    assert [(c.id, c.count) for c in ins.facts] == [
        ("wages-withheld", 5),
        ("removed-fact", 3),
        ("qatar-building-sites", 2),
    ]
    assert ins.facts[1].title is None  # no longer in the book
    assert ins.facts[0].title == BOOK.facts["wages-withheld"].claim
    assert [(c.id, c.count, c.title) for c in ins.topics] == [
        ("wages", 4, "Wages and pay"),
        ("removed-topic", 1, None),
    ]
    assert ins.commands == (("fact", 20), ("summary", 5), ("search", 2)) and ins.answers == 27


def test_never_asked_lists_current_facts_only() -> None:
    ins = curation.insights(INDEX, COUNTS)
    assert [f.id for f in ins.never_asked] == ["lazarus-crypto-theft"]  # superseded: retired
    assert ins.current_facts == 3


def test_each_unanswered_question_gets_where_to_look() -> None:
    ins = curation.insights(INDEX, COUNTS)
    by_text = {q.text: q for q in ins.questions}
    assert [q.text for q in ins.questions][:2] == [
        "qatar football stadiums",
        "lazarus group crypto theft",
    ]
    stadiums = by_text["qatar football stadiums"]
    assert stadiums.count == 4 and stadiums.answered_by is None
    assert stadiums.nearest_topic is not None and stadiums.nearest_topic.id == "qatar"
    crypto = by_text["lazarus group crypto theft"]  # the book has an answer now
    assert crypto.answered_by is not None and crypto.answered_by.id == "lazarus-crypto-theft"
    zebra = by_text["zebra migration patterns"]
    assert zebra.nearest_topic is None and zebra.answered_by is None
    assert curation.where_to_look(zebra) == "no topic near it"
    assert ins.unanswered_total == 8


def test_limit_caps_every_list_but_never_asked() -> None:
    ins = curation.insights(INDEX, COUNTS, limit=1)
    assert len(ins.facts) == len(ins.topics) == len(ins.questions) == 1
    assert [f.id for f in ins.never_asked] == ["lazarus-crypto-theft"]


def test_text_form() -> None:
    text = curation.insights_text(curation.insights(INDEX, COUNTS))
    lines = text.splitlines()
    assert lines[0] == (
        "Usage insights: the last 30 days (2026-02-03 to 2026-03-04 UTC); recorded since 2026-02-20"
    )
    assert lines[1] == "Answers: 27 (fact 20, summary 5, search 2)"
    assert "  5  wages-withheld  Workers sent abroad said most of their wages" in text
    assert "  3  removed-fact  (no longer in the book)" in text
    assert "  4  qatar football stadiums  (nearest topic: qatar)" in text
    assert "  2  lazarus group crypto theft  (now answered by lazarus-crypto-theft)" in text
    assert "Facts never asked (1 of 3 current facts):\n  lazarus-crypto-theft" in text


def test_text_when_nothing_was_recorded() -> None:
    empty = UsageCounts(SINCE, UNTIL)
    text = curation.insights_text(curation.insights(INDEX, empty))
    assert "nothing recorded yet" in text.splitlines()[0]
    assert "Answers: 0" in text and "Facts never asked (3 of 3 current facts)" in text


def test_json_form_has_every_list() -> None:
    data = curation.insights_json(curation.insights(INDEX, COUNTS))
    json.dumps(data)  # serialisable as it is
    assert data["days"] == 30 and data["recorded_since"] == "2026-02-20"
    assert data["commands"] == {"fact": 20, "summary": 5, "search": 2}
    assert data["facts"][0] == {
        "id": "wages-withheld",
        "count": 5,
        "claim": BOOK.facts["wages-withheld"].claim,
    }
    first = data["unanswered"][0]
    assert first == {
        "text": "qatar football stadiums",
        "count": 4,
        "nearest_topic": {"id": "qatar", "title": "Qatar"},
        "answered_by": None,
    }
    assert data["never_asked"] == ["lazarus-crypto-theft"]


def test_csv_form_one_row_per_entry_and_no_formulas() -> None:
    text = curation.insights_csv(curation.insights(INDEX, COUNTS))
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["section", "key", "count", "title", "nearest_topic", "answered_by"]
    sections = [row[0] for row in table[1:]]
    assert sections.count("answers") == 3 and sections.count("fact") == 3
    assert sections.count("unanswered") == 4 and sections.count("never_asked") == 1
    cells = [cell for row in table[1:] for cell in row]
    assert not any(c[:1] in ("=", "+", "@") for c in cells)
    assert "'=cmd|' /c calc'!a1" in cells
    row = next(r for r in table if r[1] == "qatar football stadiums")
    assert row == ["unanswered", "qatar football stadiums", "4", "", "qatar", ""]


def test_merged_stores_say_so() -> None:
    merged = COUNTS + UsageCounts(SINCE, UNTIL, commands={"fact": 1}, first_day=SINCE)
    ins = curation.insights(INDEX, merged)
    assert ins.stores == 2 and ins.answers == 28
    assert "2 stores merged" in curation.window_line(ins)
    assert "recorded since" not in curation.window_line(ins)  # data from the first day
