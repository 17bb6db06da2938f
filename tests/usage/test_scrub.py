"""scrub_query: what of an unanswered question may be stored, and how questions are folded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.usage import QUERY_MAX, UsageRecorder, scrub_query


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        # mentions of every kind, and @names typed by hand
        ("<@123456789012345678> what is the ILO estimate", "what is the ilo estimate"),
        ("<@!123456789012345678> <@&987654321098765432> <#111111111111111111> wages", "wages"),
        ("@everyone @here what about Qatar", "what about qatar"),
        ("ask @jane.doe_99 about Russia", "ask about russia"),
        ("</fact:1234567890> <:pepe:123456789> <a:wave:987654321> logging", "logging"),
        # links
        ("see https://example.org/private?token=abc and tell me", "see and tell me"),
        ("www.my-site.example.net/page wages", "wages"),
        ("discord.gg/invite123 join", "join"),
        ("is mysite.com a source", "is a source"),
        # email-like
        ("mail jane.doe+work@example.co.uk now", "mail now"),
        ("jane (at) example (dot) org hours", "hours"),
        # phone-like and ids
        ("call +44 20 7946 0958 about wages", "call about wages"),
        ("555-123-4567 Russia", "russia"),
        ("(555) 123 4567 Qatar", "qatar"),
        ("user 123456789012345678 asked", "user asked"),
        ("07700900123", None),
    ],
)
def test_personal_details_are_removed(raw: str, stored: str | None) -> None:
    assert scrub_query(raw) == stored


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("resolution 2397 of 2017", "resolution 2397 of 2017"),
        ("workers 2015-2023", "workers 2015-2023"),
        ("what happened on 2017-12-22", "what happened on 2017-12-22"),
        ("$1.2–2.3 billion a year", "$1.2–2.3 billion a year"),
        ("27.6 million in forced labour", "27.6 million in forced labour"),
    ],
)
def test_figures_years_and_dates_stay(raw: str, stored: str) -> None:
    assert scrub_query(raw) == stored


def test_case_spacing_and_edge_punctuation_are_folded() -> None:
    forms = ["What is X?", "what  is\tx", "  WHAT IS X!!", "¿what is x?", "what is x…"]
    assert {scrub_query(f) for f in forms} == {"what is x"}
    assert scrub_query("ＡＢＣ ﬁnance") == "abc finance"  # compatibility forms
    assert scrub_query("Łódź\u202e workers") == "łódź workers"  # bidi override dropped


def test_nothing_left_is_nothing_stored() -> None:
    for raw in (
        "",
        "   ",
        "???",
        "<@123456789012345678>",
        "https://x.example/y",
        "+1 555 0100 999",
    ):
        assert scrub_query(raw) is None


def test_long_questions_are_cut() -> None:
    text = scrub_query("wages " * 100)
    assert text is not None and len(text) <= QUERY_MAX and not text.endswith(" ")


def test_the_database_never_holds_what_was_scrubbed(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    recorder = UsageRecorder(path)
    secrets = [
        "<@123456789012345678>",
        "jane.doe@example.com",
        "+44 20 7946 0958",
        "https://example.org/private",
        "987654321098765432",
    ]
    recorder.answered("fact", unanswered=f"{secrets[0]} who pays {secrets[1]}?")
    recorder.answered("search", unanswered=f"wages {secrets[2]} {secrets[3]} {secrets[4]}")
    recorder.answered("fact", unanswered="Who PAYS?")
    recorder.flush_now()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT kind, key, n FROM counts WHERE kind = 'unanswered'").fetchall()
    conn.close()
    assert sorted(rows) == [("unanswered", "wages", 1), ("unanswered", "who pays", 2)]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in secrets:
        assert secret.encode() not in raw
    for fragment in (b"123456789012345678", b"example.com", b"7946", b"jane"):
        assert fragment not in raw
