"""Live facts end to end: the real bot on a temporary facts file, edited while it runs.

The bot watches the file and posts to the announce channel of the local Discord; each test
edits the file the way curators do and polls (with a deadline) for what users would see.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.stand_in.harness import SAMPLE_FACTS, BotHandle, StartBot
from tests.stand_in.server import MANAGE_GUILD

DEADLINE = 10.0

NEW_FACT = """\
  - id: nk-logging-camps-russia
    claim: North Korean workers were sent to logging camps in the Russian far east.
    source: fa-2015-outsourcing
    topics: [nk-overseas-labour]
    quote: "workers were sent to logging camps in the Russian far east"
"""
GOOD_LINE = "    claim: The payments to the North Korean government were made in hard currency."
BAD_LINE = "    claim: Payments: made: in hard currency"
BROKEN = SAMPLE_FACTS.replace(GOOD_LINE, BAD_LINE)
BROKEN_LINE = 1 + BROKEN.splitlines().index(BAD_LINE)


def save(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def contents(handle: BotHandle) -> list[str]:
    return [str(m.get("content") or "") for m in handle.announce_messages]


@pytest.fixture
async def live_bot(start_bot: StartBot, facts_file: Path) -> BotHandle:
    """The bot on SAMPLE_FACTS, watching the file, with an announce channel."""
    handle = await start_bot(facts_file, announce=True, watch=True)
    await handle.wait_for(handle.facts.watching.is_set, DEADLINE)
    return handle


async def ask(handle: BotHandle, command: str, options: dict[str, Any]) -> str:
    rec = await handle.interact(command, options)
    return rec.text()


async def test_added_fact_is_answered_announced_and_autocompleted(
    live_bot: BotHandle, facts_file: Path
) -> None:
    before = await live_bot.autocomplete("source", "fact", "nk-logging")
    assert not any(c["value"] == "nk-logging-camps-russia" for c in before.choices)
    save(facts_file, SAMPLE_FACTS + NEW_FACT)
    await live_bot.wait_for(lambda: contents(live_bot), DEADLINE)
    (announcement,) = contents(live_bot)
    assert "+ nk-logging-camps-russia: North Korean workers were sent to logging camps" in (
        announcement
    )
    assert "Totals: 5 facts" in announcement
    # autocomplete sees the new fact as soon as it is in service
    after = await live_bot.autocomplete("source", "fact", "nk-logging")
    assert any(c["value"] == "nk-logging-camps-russia" for c in after.choices)
    text = await ask(live_bot, "fact", {"query": "logging camps russian far east"})
    assert "logging camps" in text and "foreignaffairs.com" in text


async def test_removed_fact_is_gone(live_bot: BotHandle, facts_file: Path) -> None:
    start = SAMPLE_FACTS.index("  - id: ilo-forced-labour-27-million")
    save(facts_file, SAMPLE_FACTS[:start])
    await live_bot.wait_for(lambda: contents(live_bot), DEADLINE)
    assert "- ilo-forced-labour-27-million" in contents(live_bot)[0]
    rec = await live_bot.interact("source", {"fact": "ilo-forced-labour-27-million"})
    assert rec.ephemeral and "27.6 million" not in rec.text()


async def test_broken_file_keeps_answering_reports_once_and_recovers(
    live_bot: BotHandle, facts_file: Path
) -> None:
    live = live_bot.facts
    save(facts_file, BROKEN)
    await live_bot.wait_for(lambda: contents(live_bot), DEADLINE)
    (error,) = contents(live_bot)
    assert f"facts.yaml:{BROKEN_LINE}:" in error and "still serving" in error
    # the old facts are still answered, the broken line's fact included
    text = await ask(live_bot, "fact", {"query": "hard currency payments"})
    assert "hard currency" in text
    status = await live_bot.interact("facts status", member_perms=MANAGE_GUILD)
    assert f"facts.yaml:{BROKEN_LINE}:" in status.text()
    assert live.book.version[:12] in status.text()

    # the same broken content saved again: reloaded, not announced again
    seen = live.last_report
    save(facts_file, BROKEN)
    await live_bot.wait_for(lambda: live.last_report is not seen, DEADLINE)
    assert len(contents(live_bot)) == 1

    save(facts_file, SAMPLE_FACTS + NEW_FACT)
    await live_bot.wait_for(lambda: len(contents(live_bot)) == 2, DEADLINE)
    recovery = contents(live_bot)[1]
    assert "valid again" in recovery and "+ nk-logging-camps-russia" in recovery
    status = await live_bot.interact("facts status", member_perms=MANAGE_GUILD)
    assert "broken" not in status.text()


async def test_delete_and_recreate(live_bot: BotHandle, facts_file: Path) -> None:
    os.remove(facts_file)
    await live_bot.wait_for(lambda: contents(live_bot), DEADLINE)
    assert "missing" in contents(live_bot)[0]
    assert "hard currency" in await ask(live_bot, "fact", {"query": "hard currency"})
    save(facts_file, SAMPLE_FACTS + NEW_FACT)
    await live_bot.wait_for(lambda: len(contents(live_bot)) == 2, DEADLINE)
    assert "valid again" in contents(live_bot)[1]
    assert "logging camps" in await ask(live_bot, "fact", {"query": "logging camps"})


async def test_twenty_quick_saves_one_changelog(live_bot: BotHandle, facts_file: Path) -> None:
    live = live_bot.facts
    for i in range(20):
        save(facts_file, SAMPLE_FACTS + NEW_FACT.replace("logging camps", f"camp {i} sites"))
    final = "North Korean workers were sent to camp 19 sites in the Russian far east."
    await live_bot.wait_for(
        lambda: (
            live.book.facts.get("nk-logging-camps-russia") is not None
            and live.book.facts["nk-logging-camps-russia"].claim == final
        ),
        DEADLINE,
    )
    await live_bot.wait_for(lambda: contents(live_bot), DEADLINE)
    seen = live.last_report
    save(facts_file, SAMPLE_FACTS + NEW_FACT.replace("logging camps", "camp 19 sites"))
    await live_bot.wait_for(lambda: live.last_report is not seen, DEADLINE)  # a quiet no-op
    (changelog,) = contents(live_bot)
    assert "camp 19 sites" in changelog


async def test_rename_over_the_file(live_bot: BotHandle, facts_file: Path) -> None:
    tmp = facts_file.with_name("facts.yaml.tmp")
    save(tmp, SAMPLE_FACTS + NEW_FACT)
    os.replace(tmp, facts_file)
    await live_bot.wait_for(lambda: contents(live_bot), DEADLINE)
    assert "logging camps" in await ask(live_bot, "fact", {"query": "logging camps"})


async def test_reload_command_answers_with_the_same_result(
    start_bot: StartBot, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, announce=True)  # no watcher: only the command reloads
    save(facts_file, SAMPLE_FACTS + NEW_FACT)
    rec = await handle.interact("facts reload", member_perms=MANAGE_GUILD)
    assert rec.ephemeral
    assert "+ nk-logging-camps-russia" in rec.text()
    await handle.wait_for(lambda: contents(handle), DEADLINE)
    assert contents(handle) == [rec.content]
    # a second reload of the same file: nothing new, and nothing posted
    again = await handle.interact("facts reload", member_perms=MANAGE_GUILD)
    assert "unchanged" in again.text()
    assert len(contents(handle)) == 1
    save(facts_file, BROKEN)
    broken = await handle.interact("facts reload", member_perms=MANAGE_GUILD)
    assert f"facts.yaml:{BROKEN_LINE}:" in broken.text()
    await handle.wait_for(lambda: len(contents(handle)) == 2, DEADLINE)
    assert contents(handle)[1] == broken.content
