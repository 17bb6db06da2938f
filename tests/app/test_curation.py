"""Curation through the local Discord: ``format:`` on /fact and /summary, /facts stale, the stale
count in /facts status, and the digest of newly stale facts in the announce channel (driven by a
fake clock, so no test waits a week)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from bot import answers
from bot.app import ConfigError, load_config
from bot.curation import DigestSchedule
from bot.factbook import FactBook
from tests.stand_in.books import synthetic_facts
from tests.stand_in.harness import SAMPLE_FACTS, BotHandle, StartBot
from tests.stand_in.server import MANAGE_GUILD

SEND_MESSAGES = 1 << 11
SUPPRESS_EMBEDS = 1 << 2
NO_PING: dict[str, list[str]] = {"parse": []}
DEADLINE = 10.0
FA_URL = "https://www.foreignaffairs.com/articles/north-korea/2015-05-28/outsourcing-oppression"
ILO_URL = "https://www.ilo.org/publications/major-publications/global-estimates-modern-slavery"
UN_URL = "https://www.ohchr.org/en/documents/country-reports/a74275-situation-human-rights"
TODAY = dt.datetime.now(dt.UTC).date()
#: The sample book's sources (Foreign Affairs, the ILO), "sources:" line included.
SAMPLE_SOURCES = SAMPLE_FACTS[SAMPLE_FACTS.index("sources:\n") : SAMPLE_FACTS.index("topics:\n")]
#: Within the loader's 280-character limit for a claim, but too long for a post with its link.
LONG_CLAIM = (
    "Workers described shifts of up to sixteen hours a day, seven days a week, on building sites"
    " where supervisors held their passports, where most of their wages were paid to the state,"
    " and where they could not leave the dormitory without a minder."
)


def curation_facts(today: dt.date = TODAY) -> str:
    """Facts with review dates around ``today``: one stale since 2020, one fresh, one
    untracked, one superseded (never listed as stale), and one claim too long for a post."""
    fresh = (today - dt.timedelta(days=10)).isoformat()
    return f"""\
version: 1
review_every: 365
{SAMPLE_SOURCES}  un-2019-report:
    title: "Situation of human rights in the Democratic People's Republic of Korea"
    publisher: UN Special Rapporteur
    date: 2019-07-17
    url: {UN_URL}
topics:
  nk-overseas-labour:
    title: North Korean overseas labour
    aliases: [dprk workers abroad]
  global-estimates:
    title: Global estimates of forced labour
  working-conditions:
    title: Working conditions on building sites
facts:
  - id: nk-revenue-estimate
    claim: >-
      North Korean workers abroad were estimated to earn between $1.2 and $2.3 billion a year
      for their government.
    source: fa-2015-outsourcing
    topics: [nk-overseas-labour]
    as_of: 2015
    reviewed: 2020-01-01
  - id: nk-hard-currency
    claim: The payments to the North Korean government were made in hard currency.
    source: fa-2015-outsourcing
    topics: [nk-overseas-labour]
    reviewed: {fresh}
  - id: nk-workers-un
    claim: The Special Rapporteur reported that overseas workers had no access to their pay.
    source: un-2019-report
    topics: [nk-overseas-labour]
  - id: ilo-forced-labour-25-million
    claim: The ILO estimated that 24.9 million people were in forced labour in 2016.
    source: ilo-2022-estimates
    topics: [global-estimates]
    reviewed: 2019-01-01
    superseded_by: ilo-forced-labour-27-million
  - id: ilo-forced-labour-27-million
    claim: The ILO estimated that 27.6 million people were in forced labour on a given day in 2021.
    source: ilo-2022-estimates
    topics: [global-estimates]
    as_of: 2021
    reviewed: {fresh}
  - id: site-shifts-long
    claim: "{LONG_CLAIM}"
    source: un-2019-report
    topics: [working-conditions]
"""


@pytest.fixture
async def cbot(start_bot: StartBot, tmp_path: Path) -> BotHandle:
    path = tmp_path / "facts.yaml"
    path.write_text(curation_facts(), encoding="utf-8")
    handle = await start_bot(path)
    book = handle.facts.book
    assert handle.facts.last_error == () and len(book) == 6
    assert {s.url for s in book.sources.values()} == {FA_URL, ILO_URL, UN_URL}
    return handle


def _opts(cmd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in cmd.get("options") or []}


def strip_claims(text: str, book: FactBook) -> tuple[list[str], str]:
    """Claims of ``book`` that ``text`` starts with, one after another, and what is left."""
    claims = sorted({f.claim for f in book}, key=len, reverse=True)
    found: list[str] = []
    rest = text
    while True:
        head = next((c for c in claims if rest.startswith(c)), None)
        if head is None:
            return found, rest
        found.append(head)
        rest = rest[len(head) :].lstrip()


def unwrapped_urls(text: str) -> list[str]:
    """URLs in ``text`` not wrapped in <...> (those Discord would unfurl)."""
    return [
        m.group(0)
        for m in re.finditer(r"https?://\S+", text)
        if m.start() == 0 or text[m.start() - 1] != "<"
    ]


# -- format: ------------------------------------------------------------------------------------
async def test_format_is_a_dropdown_of_three_on_fact_and_summary(cbot: BotHandle) -> None:
    s = cbot.stand_in
    cmds = {c["name"]: c for c in s.commands[s.guild_id]}
    for name in ("fact", "summary"):
        fmt = _opts(cmds[name])["format"]
        assert fmt["type"] == 3 and not fmt.get("required")
        assert [c["value"] for c in fmt["choices"]] == ["embed", "plain", "short"]
        assert all(1 <= len(c["name"]) <= 100 for c in fmt["choices"])
        assert not fmt.get("autocomplete")
    for name in ("search", "source", "topics"):
        assert "format" not in _opts(cmds[name])


async def test_short_fact_is_a_post_with_one_verbatim_claim_and_its_link(
    cbot: BotHandle,
) -> None:
    book = cbot.facts.book
    rec = await cbot.interact("fact", {"query": "billion a year revenue", "format": "short"})
    assert not rec.ephemeral and not rec.embeds
    text = rec.content
    assert 0 < len(text) <= answers.SHORT_LIMIT
    assert text.endswith(FA_URL) and text.count("https://") == 1
    claims, rest = strip_claims(text, book)
    assert claims == [book.facts["nk-revenue-estimate"].claim]
    assert re.fullmatch(r"(\(Foreign Affairs, 2015\) )?" + re.escape(FA_URL), rest), rest
    assert rec.final["flags"] & SUPPRESS_EMBEDS  # no link preview under the post
    assert rec.final["allowed_mentions"] == NO_PING


async def test_short_of_a_superseded_fact_is_the_newer_fact(cbot: BotHandle) -> None:
    book = cbot.facts.book
    rec = await cbot.interact("fact", {"query": "ilo-forced-labour-25-million", "format": "short"})
    claims, rest = strip_claims(rec.content, book)
    assert claims == [book.facts["ilo-forced-labour-27-million"].claim]
    assert rest.endswith(ILO_URL) and len(rec.content) <= answers.SHORT_LIMIT


async def test_short_summary_claims_are_all_verbatim_from_one_source(cbot: BotHandle) -> None:
    book = cbot.facts.book
    rec = await cbot.interact("summary", {"topic": "nk-overseas-labour", "format": "short"})
    assert not rec.ephemeral and not rec.embeds
    text = rec.content
    assert len(text) <= answers.SHORT_LIMIT
    claims, rest = strip_claims(text, book)
    assert claims
    urls = {book.source_of(f).url for f in book if f.claim in claims}
    assert len(urls) == 1
    (url,) = urls
    assert rest.endswith(url) and text.count("https://") == 1


async def test_short_when_nothing_fits_says_so_privately(cbot: BotHandle) -> None:
    assert len(LONG_CLAIM) + len(UN_URL) + 1 > answers.SHORT_LIMIT >= len(LONG_CLAIM)
    rec = await cbot.interact("fact", {"query": "site-shifts-long", "format": "short"})
    assert rec.ephemeral
    assert rec.content == answers.NOTHING_FITS and "format: plain" in rec.content
    plain = await cbot.interact("fact", {"query": "site-shifts-long", "format": "plain"})
    assert LONG_CLAIM in plain.content and not plain.ephemeral


async def test_plain_fact_is_copyable_text_with_full_source_urls(cbot: BotHandle) -> None:
    rec = await cbot.interact("fact", {"query": "billion a year revenue", "format": "plain"})
    assert not rec.ephemeral and not rec.embeds
    text = rec.content
    assert len(text) <= 2000
    assert "North Korean workers abroad were estimated" in text
    assert f"<{FA_URL}>" in text and "Foreign Affairs" in text
    assert not unwrapped_urls(text)  # every link wrapped: no wall of previews
    assert rec.final["allowed_mentions"] == NO_PING


async def test_plain_summary_lists_every_cited_source_url(cbot: BotHandle) -> None:
    book = cbot.facts.book
    rec = await cbot.interact("summary", {"topic": "nk-overseas-labour", "format": "plain"})
    assert not rec.embeds and len(rec.content) <= 2000
    cited = answers.summary_answer(answers.SearchIndex(book), "nk-overseas-labour").facts
    assert len({book.source_of(f).url for f in cited}) >= 2
    for fact in cited:
        assert f"<{book.source_of(fact).url}>" in rec.content
    assert not unwrapped_urls(rec.content)


async def test_plain_stays_within_a_message_on_a_big_book(
    start_bot: StartBot, tmp_path: Path
) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(synthetic_facts(400, n_topics=4), encoding="utf-8")
    handle = await start_bot(path)
    rec = await handle.interact("summary", {"topic": "topic-01-wages", "format": "plain"})
    assert rec.content and len(rec.content) <= 2000 and not rec.embeds
    assert "https://example.org/reports/" in rec.content


async def test_plain_and_short_escape_the_echoed_query(cbot: BotHandle) -> None:
    hostile = "@everyone **labour** <@&1234567890123456789> ||x||"
    for fmt in ("plain", "short"):
        for cmd, opt in (("fact", "query"), ("summary", "topic")):
            rec = await cbot.interact(cmd, {opt: hostile, "format": fmt})
            text = rec.text()
            assert "@everyone" not in text and "<@&1234567890123456789>" not in text
            assert "**labour**" not in text and "||x||" not in text


async def test_each_format_is_its_own_reply(cbot: BotHandle) -> None:
    embed = await cbot.interact("fact", {"query": "hard currency"})
    plain = await cbot.interact("fact", {"query": "hard currency", "format": "plain"})
    short = await cbot.interact("fact", {"query": "hard currency", "format": "short"})
    assert embed.embeds and not plain.embeds and not short.embeds
    assert plain.content != short.content
    again = await cbot.interact("fact", {"query": " hard  currency", "format": "plain"})
    assert again.content == plain.content


async def test_an_unknown_format_is_refused(cbot: BotHandle) -> None:
    raw = [
        {"name": "query", "type": 3, "value": "revenue"},
        {"name": "format", "type": 3, "value": "pdf"},
    ]
    rec = await cbot.interact("fact", raw_options=raw)
    assert rec.ephemeral and "wrong type" in rec.content


# -- /facts stale and status --------------------------------------------------------------------
async def test_facts_stale_refused_without_manage_server(cbot: BotHandle) -> None:
    rec = await cbot.interact("facts stale", member_perms=SEND_MESSAGES)
    assert rec.ephemeral and "Manage Server" in rec.content
    assert "nk-revenue-estimate" not in rec.content


async def test_facts_stale_lists_stale_facts_with_who_should_look(cbot: BotHandle) -> None:
    rec = await cbot.interact("facts stale", member_perms=MANAGE_GUILD)
    assert rec.ephemeral and len(rec.content) <= 2000
    text = rec.content
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "nk-revenue-estimate" in line)
    entry = "\n".join(lines[at : at + 2])  # the fact's line and its "check:" line
    assert "Foreign Affairs" in entry and f"<{FA_URL}>" in entry
    assert "reviewed 2020-01-01" in entry
    assert "1 fact is due for review" in text
    for fresh in ("nk-hard-currency", "ilo-forced-labour-27-million"):
        assert fresh not in text
    assert "ilo-forced-labour-25-million" not in text  # superseded: retired, not stale
    assert rec.final["allowed_mentions"] == NO_PING


async def test_facts_status_counts_stale_facts(cbot: BotHandle) -> None:
    rec = await cbot.interact("facts status", member_perms=MANAGE_GUILD)
    assert rec.ephemeral
    assert "Stale: 1 fact due for review (list: /facts stale)." in rec.content
    assert "Review digest: off" in rec.content  # no announce channel


# -- digest -------------------------------------------------------------------------------------
class FakeClock:
    """``now``/``sleep`` for the digest timer: time moves only as the timer sleeps, and never
    past ``limit``; a sleep that would pass it parks until the test moves the limit."""

    def __init__(self, start: dt.datetime) -> None:
        self.t = start
        self.limit = start
        self.parked = False
        self._go = asyncio.Event()

    def now(self) -> dt.datetime:
        return self.t

    async def sleep(self, seconds: float) -> None:
        while self.t + dt.timedelta(seconds=seconds) > self.limit:
            self.parked = True
            self._go.clear()
            await self._go.wait()
        self.parked = False
        self.t += dt.timedelta(seconds=seconds)
        await asyncio.sleep(0)

    def run_until(self, limit: dt.datetime) -> None:
        self.limit = limit
        self.parked = False
        self._go.set()

    def parked_at_or_after(self, moment: dt.datetime) -> bool:
        return self.parked and self.t >= moment


def digest_facts(slot: dt.date) -> str:
    """A book whose facts go stale at chosen days around the digest slot ``slot``: with
    ``review_every: 30`` a fact reviewed on R is stale from R + 31."""

    def fact(fid: str, stale_from: dt.date) -> str:
        reviewed = stale_from - dt.timedelta(days=31)
        return (
            f"  - id: {fid}\n    claim: Claim of {fid}.\n    source: un-2019-report\n"
            f"    topics: [t]\n    reviewed: {reviewed.isoformat()}\n    review_every: 30\n"
        )

    day = dt.timedelta(days=1)
    return (
        "version: 1\nsources:\n  un-2019-report:\n    title: Report\n"
        f"    publisher: UN Special Rapporteur\n    date: 2019-07-17\n    url: {UN_URL}\n"
        "topics:\n  t:\n    title: T\nfacts:\n"
        + fact("long-stale", dt.date(2020, 1, 1))
        + fact("stale-this-week", slot - 2 * day)
        + fact("stale-next-week", slot + 4 * day)
        + fact("stale-in-three-weeks", slot + 15 * day)
        + fact("fresh-for-long", slot + 100 * day)
    )


async def digest_bot(
    start_bot: StartBot, tmp_path: Path, **config: Any
) -> tuple[BotHandle, FakeClock, dt.datetime]:
    start = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
    slot = DigestSchedule(7).next_run(start)
    assert slot is not None
    clock = FakeClock(slot - dt.timedelta(minutes=30))
    path = tmp_path / "facts.yaml"
    path.write_text(digest_facts(slot.date()), encoding="utf-8")
    handle = await start_bot(
        path, announce=True, client_options={"now": clock.now, "sleep": clock.sleep}, **config
    )
    return handle, clock, slot


def posted(handle: BotHandle) -> list[str]:
    return [str(m.get("content") or "") for m in handle.announce_messages]


async def test_weekly_digest_posts_newly_stale_facts_to_the_announce_channel(
    start_bot: StartBot, tmp_path: Path
) -> None:
    handle, clock, slot = await digest_bot(start_bot, tmp_path)
    week = dt.timedelta(days=7)
    await handle.wait_for(lambda: clock.parked, DEADLINE)
    assert not posted(handle)  # nothing before the slot

    clock.run_until(slot + dt.timedelta(minutes=1))
    await handle.wait_for(lambda: clock.parked_at_or_after(slot), DEADLINE)
    (first,) = posted(handle)
    assert "stale-this-week" in first and "UN Special Rapporteur" in first
    assert f"<{UN_URL}>" in first
    for other in ("long-stale", "stale-next-week", "fresh-for-long"):
        assert other not in first  # stale long ago, or not yet
    assert handle.announce_messages[0]["allowed_mentions"] == NO_PING

    clock.run_until(slot + week + dt.timedelta(minutes=1))
    await handle.wait_for(lambda: clock.parked_at_or_after(slot + week), DEADLINE)
    assert len(posted(handle)) == 2
    assert "stale-next-week" in posted(handle)[1] and "stale-this-week" not in posted(handle)[1]

    clock.run_until(slot + 2 * week + dt.timedelta(minutes=1))  # nothing new: nothing posted
    await handle.wait_for(lambda: clock.parked_at_or_after(slot + 2 * week), DEADLINE)
    assert len(posted(handle)) == 2


async def test_a_digest_after_missed_slots_covers_them_all(
    start_bot: StartBot, tmp_path: Path
) -> None:
    handle, clock, slot = await digest_bot(start_bot, tmp_path)
    clock.run_until(slot + dt.timedelta(minutes=1))
    await handle.wait_for(lambda: clock.parked_at_or_after(slot), DEADLINE)
    assert len(posted(handle)) == 1
    # the machine slept through two slots: the clock jumps past them
    wake = slot + dt.timedelta(days=21, hours=5)
    clock.t = wake
    clock.run_until(wake + dt.timedelta(hours=2))
    await handle.wait_for(lambda: clock.parked_at_or_after(wake + dt.timedelta(hours=1)), DEADLINE)
    assert len(posted(handle)) == 2
    late = posted(handle)[1]
    assert "stale-next-week" in late and "stale-in-three-weeks" in late
    assert "stale-this-week" not in late  # the first digest had it


async def test_no_digest_without_announce_channel_or_when_off(
    start_bot: StartBot, tmp_path: Path
) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(curation_facts(), encoding="utf-8")
    for announce, days in ((False, 7), (True, 0)):
        handle = await start_bot(path, announce=announce, stale_digest_days=days)
        assert not handle.bot.digest.enabled
        assert not any(t.get_name() == "stale-digest" for t in asyncio.all_tasks())
        await handle.stop()
    handle = await start_bot(path, announce=True, stale_digest_days=14)
    assert handle.bot.digest.interval_days == 14
    assert any(t.get_name() == "stale-digest" for t in asyncio.all_tasks())
    rec = await handle.interact("facts status", member_perms=MANAGE_GUILD)
    (when,) = re.findall(r"Review digest: every 14 days, next <t:(\d+):f>\.", rec.content)
    next_slot = dt.datetime.fromtimestamp(int(when), dt.UTC)
    now = dt.datetime.now(dt.UTC)
    assert now < next_slot <= now + dt.timedelta(days=14)


def test_stale_digest_days_setting(tmp_path: Path) -> None:
    def days(value: str | None) -> int:
        env = {"DISCORD_TOKEN": "tok"} | ({"STALE_DIGEST_DAYS": value} if value is not None else {})
        return load_config(env, cwd=tmp_path).stale_digest_days

    assert days(None) == 7 and days("") == 7
    assert days("14") == 14 and days("0") == 0 and days("off") == 0
    for bad in ("-1", "weekly", "1.5", "9999"):
        with pytest.raises(ConfigError) as err:
            days(bad)
        assert "STALE_DIGEST_DAYS" in str(err.value) and "\n" not in str(err.value)
