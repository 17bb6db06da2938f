"""Usage statistics through the local Discord: what answers count, /facts insights, nothing about
who asked, STATS=off, a store that cannot be used (the bot answers regardless, one warning), an
answer never waiting for a write, the digest's unanswered questions, the changelog's counts of
removed facts, and counting while the book is reloaded."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.app import ConfigError, load_config
from bot.curation import DigestSchedule
from bot.usage import read_counts
from tests.app.test_curation import DEADLINE, FakeClock, digest_facts
from tests.stand_in.harness import SAMPLE_FACTS, BotHandle, StartBot
from tests.stand_in.server import MANAGE_GUILD

EVER = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))
HARD_CURRENCY_FACT = """\
  - id: nk-hard-currency
    claim: The payments to the North Korean government were made in hard currency.
    source: fa-2015-outsourcing
    topics: [nk-overseas-labour]
    quote: "Even better for the regime, the payments are in hard cash"
"""
WITHOUT_HARD_CURRENCY = SAMPLE_FACTS.replace(HARD_CURRENCY_FACT, "")
assert WITHOUT_HARD_CURRENCY != SAMPLE_FACTS


def usage_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "factbot.usage" and r.levelno >= logging.WARNING
    ]


async def counts_of(handle: BotHandle) -> Any:
    await handle.bot.usage.flush()
    path = handle.config.usage_path
    assert path is not None
    return read_counts(path, *EVER)


async def test_answers_are_counted_and_insights_show_them(bot: BotHandle) -> None:
    for _ in range(3):
        await bot.interact("fact", {"query": "billion a year revenue"})
    await bot.interact("fact", {"query": "hard currency", "private": True})
    await bot.interact("summary", {"topic": "nk-overseas-labour"})
    await bot.interact("source", {"fact": "no-such-fact-id"})  # a typo, not a question
    for asked in ("Lazarus Group hacking?", "<@123456789012345678> lazarus   group HACKING"):
        miss = await bot.interact("fact", {"query": asked})
        assert miss.ephemeral
    await bot.interact("topics")
    counts = await counts_of(bot)
    summary_facts = [f for f, n in counts.facts.items() if f != "nk-hard-currency" and n]
    assert dict(counts.commands) == {"fact": 6, "summary": 1, "source": 1, "topics": 1}
    assert counts.facts["nk-revenue-estimate"] >= 3 and counts.facts["nk-hard-currency"] >= 1
    assert dict(counts.topics) == {"nk-overseas-labour": 1}
    assert dict(counts.unanswered) == {"lazarus group hacking": 2}
    assert summary_facts

    rec = await bot.interact("facts insights", member_perms=MANAGE_GUILD)
    assert rec.ephemeral and len(rec.content) <= 2000
    text = rec.content
    assert text.startswith("**Usage insights**: the last 30 days (")
    assert "9 answers: /fact 6 · /source 1 · /summary 1 · /topics 1" in text
    assert f"• `nk-revenue-estimate` ×{counts.facts['nk-revenue-estimate']}: North Korean" in text
    assert "• North Korean overseas labour (`nk-overseas-labour`) ×1" in text
    assert re.search(r'• "lazarus group hacking" ×2 · (nearest topic: |no topic near it)', text)
    assert "**Never asked**: 1 of 4 current facts: `ilo-forced-labour-27-million`" in text
    assert "python -m bot insights --days 30" in text
    assert rec.final["allowed_mentions"] == {"parse": []}

    week = await bot.interact("facts insights", {"days": 7}, member_perms=MANAGE_GUILD)
    assert "the last 7 days (" in week.content


async def test_insights_need_manage_server(bot: BotHandle) -> None:
    await bot.interact("fact", {"query": "lazarus group hacking"})
    rec = await bot.interact("facts insights", member_perms=1 << 11)
    assert rec.ephemeral and "Manage Server" in rec.content
    assert "lazarus" not in rec.content


async def test_the_store_holds_nothing_about_who_asked(bot: BotHandle) -> None:
    users = ["1600000000000000001", "1600000000000000777"]
    for user in users:
        await bot.interact("fact", {"query": "billion a year revenue"}, user_id=user)
        await bot.interact("fact", {"query": f"what did <@{users[0]}> say about lazarus"})
    await bot.bot.usage.aclose()
    path = bot.config.usage_path
    assert path is not None
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    s = bot.stand_in
    ids = {*users, s.guild_id, s.channel_id, s.app_id}
    for rec in bot.records:
        ids |= {rec.id, rec.token, str(rec.payload.get("channel_id", ""))}
        ids |= {str(m.get("id", "")) for m in rec.messages}
    ids.discard("")
    assert len(ids) > 8
    for secret in ids:
        assert secret.encode() not in stored, secret
    assert b"lazarus" in stored  # the question is there, scrubbed of the mention
    assert dict(read_counts(path, *EVER).unanswered) == {"what did say about lazarus": 2}


async def test_stats_off_keeps_nothing(start_bot: StartBot, facts_file: Path) -> None:
    handle = await start_bot(facts_file, stats=False)
    await handle.interact("fact", {"query": "lazarus group hacking"})
    await handle.interact("fact", {"query": "billion a year revenue"})
    rec = await handle.interact("facts insights", member_perms=MANAGE_GUILD)
    assert rec.content == "No insights: usage statistics are off (STATS=off)."
    status = await handle.interact("facts status", member_perms=MANAGE_GUILD)
    assert "Usage statistics: off (STATS=off)." in status.content
    await handle.stop()
    assert sorted(p.name for p in facts_file.parent.iterdir() if "usage" in p.name) == []


async def test_status_says_where_usage_is_kept(bot: BotHandle) -> None:
    rec = await bot.interact("facts status", member_perms=MANAGE_GUILD)
    assert "Usage statistics: on, kept 180 days in `usage.sqlite` (see /facts insights)." in (
        rec.content
    )


async def test_a_corrupt_store_is_moved_aside_and_the_bot_answers(
    start_bot: StartBot, facts_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = facts_file.parent / "usage.sqlite"
    store.write_bytes(b"garbage, not a database " * 100)
    handle = await start_bot(facts_file)
    rec = await handle.interact("fact", {"query": "billion a year revenue"})
    assert rec.embeds and not rec.ephemeral
    insights = await handle.interact("facts insights", member_perms=MANAGE_GUILD)
    assert "1 answer: /fact 1" in insights.content
    (warning,) = usage_warnings(caplog)
    (aside,) = facts_file.parent.glob("usage.sqlite.corrupt-*")
    assert re.fullmatch(r"usage\.sqlite\.corrupt-\d{8}T\d{6}Z", aside.name)
    assert aside.name in warning and "answering is not affected" in warning
    assert aside.read_bytes() == b"garbage, not a database " * 100


async def test_a_store_that_cannot_be_opened_costs_no_answer(
    start_bot: StartBot, facts_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = facts_file.parent / "no-such-folder" / "usage.sqlite"
    handle = await start_bot(facts_file, stats_path=nowhere)
    for _ in range(3):
        rec = await handle.interact("fact", {"query": "billion a year revenue"})
        assert rec.embeds
    miss = await handle.interact("fact", {"query": "lazarus group hacking"})
    assert miss.ephemeral and miss.embeds
    await handle.bot.usage.flush()
    (warning,) = usage_warnings(caplog)
    assert "off until restart" in warning and str(nowhere) in warning
    rec = await handle.interact("facts insights", member_perms=MANAGE_GUILD)
    assert rec.content.startswith("No insights: cannot open ") and str(nowhere) in rec.content
    status = await handle.interact("facts status", member_perms=MANAGE_GUILD)
    assert "Usage statistics: usage statistics are off until restart" in status.content
    assert not nowhere.parent.exists()


async def test_an_answer_never_waits_for_the_store(
    bot: BotHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = bot.bot.usage
    usage.flush_events = 1  # wake the writer at the first answer
    release, entered = threading.Event(), threading.Event()
    write = usage.write_batch

    def stuck(batch: Any, events: int) -> None:
        entered.set()
        release.wait(30)
        write(batch, events)

    monkeypatch.setattr(usage, "write_batch", stuck)
    try:
        await bot.interact("fact", {"query": "billion a year revenue"})
        await bot.wait_for(entered.is_set, DEADLINE)  # a write is stuck in the worker thread
        for _ in range(5):  # answers go on meanwhile
            rec = await bot.interact("fact", {"query": "hard currency"})
            assert rec.embeds
    finally:
        release.set()
    counts = await counts_of(bot)
    assert counts.commands["fact"] == 6


# -- the digest and the changelog -----------------------------------------------------------------
async def test_the_digest_gains_the_weeks_unanswered_questions(
    start_bot: StartBot, tmp_path: Path
) -> None:
    start = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
    week = dt.timedelta(days=7)
    slot = DigestSchedule(7).next_run(start)
    assert slot is not None
    clock = FakeClock(slot - week - dt.timedelta(minutes=30))
    path = tmp_path / "facts.yaml"
    path.write_text(digest_facts((slot - week).date()), encoding="utf-8")
    handle = await start_bot(
        path, announce=True, client_options={"now": clock.now, "sleep": clock.sleep}
    )
    await handle.interact("fact", {"query": "asked the week before"})  # not this week's
    clock.run_until(slot - week + dt.timedelta(minutes=1))
    await handle.wait_for(lambda: clock.parked_at_or_after(slot - week), DEADLINE)
    assert len(handle.announce_messages) == 1
    clock.t = slot - dt.timedelta(hours=1)
    asked = {"zebra migration": 6, "lazarus hacking": 5, "qatar stadiums": 4}
    asked |= {"poland shipyards": 3, "mongolia mines": 2, "kuwait towers": 1}
    for question, times in asked.items():
        for _ in range(times):
            await handle.interact("fact", {"query": f"{question.title()}?"})
    clock.run_until(slot + dt.timedelta(minutes=1))
    await handle.wait_for(lambda: clock.parked_at_or_after(slot), DEADLINE)
    posted = [str(m.get("content") or "") for m in handle.announce_messages]
    assert len(posted) == 2
    digest = posted[1]
    assert "**Questions the book could not answer this week** (most asked first):" in digest
    lines = [line for line in digest.splitlines() if line.startswith('• "')]
    assert [line.split('"')[1] for line in lines] == list(asked)[:5]  # the top 5
    assert '• "zebra migration" ×6 · ' in digest
    assert "kuwait towers" not in digest and "asked the week before" not in digest
    assert "/facts insights" in digest and len(digest) <= 2000
    assert handle.announce_messages[1]["allowed_mentions"] == {"parse": []}


async def test_the_changelog_says_how_often_a_removed_fact_was_asked(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, announce=True)
    for _ in range(3):
        await handle.interact("fact", {"query": "hard currency"})
    facts_file.write_text(WITHOUT_HARD_CURRENCY, encoding="utf-8")
    rec = await handle.interact("facts reload", member_perms=MANAGE_GUILD)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    line = f"Asked before removal (since {today}): nk-hard-currency 3 times."
    assert "- nk-hard-currency" in rec.content and line in rec.content
    posted = [str(m.get("content") or "") for m in handle.announce_messages]
    assert any(line in p for p in posted)


async def test_counting_goes_on_while_the_book_is_reloaded(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file)
    s = handle.stand_in
    n = 60

    async def ask(i: int) -> None:
        query = "billion a year revenue" if i % 2 else "hard currency payments"
        rec = await s.inject(s.interaction_payload("fact", {"query": query, "private": True}))
        await s.wait_reply(rec, timeout=DEADLINE)
        assert rec.embeds

    async def reloads() -> None:
        for i in range(6):
            facts_file.write_text(WITHOUT_HARD_CURRENCY if i % 2 == 0 else SAMPLE_FACTS, "utf-8")
            report = await handle.facts.reload("test")
            assert report.ok
            await asyncio.sleep(0)

    await asyncio.gather(reloads(), *(ask(i) for i in range(n)))
    counts = await counts_of(handle)
    assert counts.commands["fact"] == n
    # every answer served one fact or was a question the book (that version) could not answer
    assert sum(counts.facts.values()) + sum(counts.unanswered.values()) == n
    assert counts.facts["nk-revenue-estimate"] == n // 2


def test_stats_settings(tmp_path: Path) -> None:
    def config(**env: str) -> Any:
        return load_config({"DISCORD_TOKEN": "tok", **env}, cwd=tmp_path)

    default = config()
    assert default.usage_path == tmp_path / "usage.sqlite"
    assert default.stats_retention_days == 180
    assert config(STATS="off").usage_path is None
    assert config(STATS="on", STATS_PATH="data/u.sqlite").usage_path == tmp_path / "data/u.sqlite"
    assert config(STATS_PATH="/var/lib/factbot/u.sqlite").usage_path == Path(
        "/var/lib/factbot/u.sqlite"
    )
    assert config(STATS_RETENTION_DAYS="30").stats_retention_days == 30
    for name, bad in (("STATS", "maybe"), ("STATS_RETENTION_DAYS", "0")):
        with pytest.raises(ConfigError) as err:
            config(**{name: bad})
        assert name in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ConfigError):
        config(STATS_RETENTION_DAYS="half a year")


async def test_find_sources_counts_the_facts_it_matched_and_keeps_no_words(
    bot: BotHandle,
) -> None:
    posted = "North Korean workers abroad earn billions a year for the government. Zyxwv qwerty."
    await bot.find_sources(posted)
    await bot.find_sources("The weather in Paris was lovely on our holiday trip.")  # no match
    counts = await counts_of(bot)
    assert counts.commands["Find sources"] == 2
    assert counts.facts["nk-revenue-estimate"] == 1
    assert dict(counts.unanswered) == {}  # a member's post is not a question to the book
    await bot.bot.usage.aclose()
    path = bot.config.usage_path
    assert path is not None
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"zyxwv" not in stored.lower() and b"paris" not in stored.lower()
