"""Admin permission checks, the per-user cooldown, and the one error handler, end to end."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import answers
from bot.app import SOMETHING_WRONG, Cooldown, CooldownBuckets
from tests.stand_in import MANAGE_GUILD
from tests.stand_in.harness import BotHandle, StartBot

ADMINISTRATOR = 1 << 3
SEND_MESSAGES = 1 << 11


async def test_facts_status_refused_without_manage_server(bot: BotHandle) -> None:
    rec = await bot.interact("facts status", member_perms=SEND_MESSAGES)
    assert rec.ephemeral
    assert "Manage Server" in rec.content
    assert bot.facts.book.version[:8] not in rec.content


async def test_facts_status_with_manage_server_or_administrator(bot: BotHandle) -> None:
    for perms in (MANAGE_GUILD, ADMINISTRATOR):
        rec = await bot.interact("facts status", member_perms=perms)
        assert rec.ephemeral
        assert "Manage Server" not in rec.content
        assert "4 facts, 2 sources, 2 topics" in rec.content
        assert "Cooldown on public answers: off" in rec.content
        assert "Repeat window: off" in rec.content
        assert bot.facts.book.version[:12] in rec.content


async def test_refused_even_when_default_permissions_are_opened(bot: BotHandle) -> None:
    """A server admin can set the command's permissions so everyone sees it: the bot still
    checks Manage Server itself."""
    s = bot.stand_in
    for cmd in s.commands[s.guild_id]:
        if cmd["name"] == "facts":
            cmd["default_member_permissions"] = None  # as Discord would after the admin's change
    for sub in ("status", "reload"):
        rec = await bot.interact(f"facts {sub}", member_perms=SEND_MESSAGES)
        assert rec.ephemeral and "Manage Server" in rec.content
    assert bot.facts.parses == 1  # the refused reload did not run


async def test_reload_reports_to_the_admin(start_bot: StartBot, facts_file: Path) -> None:
    bot = await start_bot(facts_file, announce=True)
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("in hard currency", "in hard cash"), encoding="utf-8")
    rec = await bot.interact("facts reload", member_perms=MANAGE_GUILD)
    assert rec.ephemeral and rec.callback_type == 5  # deferred, then the report
    assert "nk-hard-currency" in rec.content
    assert bot.facts.book.facts["nk-hard-currency"].claim.endswith("in hard cash.")
    (announced,) = await bot.wait_for(lambda: bot.announce_messages)
    assert "nk-hard-currency" in announced["content"]
    assert announced["allowed_mentions"] == {"parse": []}


async def test_cooldown_per_user_with_polite_reply(start_bot: StartBot, facts_file: Path) -> None:
    bot = await start_bot(facts_file, cooldown=Cooldown(2, 60.0))
    alice, bob = "1600000000000000011", "1600000000000000012"
    for _ in range(2):
        assert not (await bot.interact("topics", user_id=alice)).ephemeral
    refused = await bot.interact("fact", {"query": "revenue"}, user_id=alice)
    assert refused.ephemeral and "try again in" in refused.content
    assert "<t:" in refused.content  # Discord shows the time to wait, in the user's clock
    assert not (await bot.interact("topics", user_id=bob)).ephemeral  # others unaffected
    for _ in range(3):  # Manage Server members are never cooled down
        rec = await bot.interact("topics", user_id=alice, member_perms=MANAGE_GUILD)
        assert not rec.ephemeral


def test_cooldown_buckets_expire() -> None:
    now = [1000.0]
    buckets = CooldownBuckets(Cooldown(2, 10.0), clock=lambda: now[0])
    assert buckets.hit(1) == 0 and buckets.hit(1) == 0
    assert buckets.hit(1) == pytest.approx(10.0)
    now[0] += 4
    assert buckets.hit(1) == pytest.approx(6.0)
    assert buckets.hit(2) == 0
    now[0] += 10.5
    assert buckets.hit(3) == 0  # sweeping drops users whose window has passed
    assert len(buckets) == 1
    assert buckets.hit(1) == 0
    assert CooldownBuckets(Cooldown(0, 0.0)).hit(1) == 0  # off


async def test_an_exception_becomes_an_ephemeral_note_and_a_traceback(
    bot: BotHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> answers.Answer:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(answers, "fact_answer", broken)
    with caplog.at_level(logging.ERROR, logger="bot.app._client"):
        rec = await bot.interact("fact", {"query": "revenue"})
    assert rec.ephemeral and rec.content == SOMETHING_WRONG
    (record,) = [r for r in caplog.records if r.name == "bot.app._client"]
    assert record.exc_info and "engine exploded" in caplog.text
    assert not (await bot.interact("topics")).ephemeral  # still answering


async def test_unknown_command_and_wrong_option_types(bot: BotHandle) -> None:
    rec = await bot.interact("retired", {"x": "y"})
    assert rec.ephemeral and "not (or no longer) available" in rec.content
    rec = await bot.interact("facts purge", member_perms=MANAGE_GUILD)
    assert rec.ephemeral and "available" in rec.content
    wrong = [
        {"name": "query", "type": 3, "value": "revenue"},
        {"name": "private", "type": 3, "value": "definitely"},
    ]
    wrong_type = "An option was missing or had the wrong type"
    rec = await bot.interact("fact", raw_options=wrong)
    assert rec.ephemeral and wrong_type in rec.content
    rec = await bot.interact("fact", raw_options=[{"name": "query", "type": 4, "value": 5}])
    assert rec.ephemeral and wrong_type in rec.content
    rec = await bot.interact("fact", raw_options=[{"name": "query", "type": 3, "value": 5}])
    assert rec.ephemeral and wrong_type in rec.content
    rec = await bot.interact("fact", raw_options=[])
    assert rec.ephemeral and wrong_type in rec.content
    extra = [{"name": "query", "type": 3, "value": "x"}, {"name": "page", "type": 4, "value": 2}]
    rec = await bot.interact("fact", raw_options=extra)
    assert rec.ephemeral and wrong_type in rec.content
    rec = await bot.autocomplete("retired", "x", "y")
    assert rec.choices == []


async def test_autocomplete_never_raises(bot: BotHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> list[tuple[str, str]]:
        raise ValueError("index broken")

    monkeypatch.setattr(answers, "complete_facts", broken)
    rec = await bot.autocomplete("fact", "query", "rev")
    assert rec.choices == []


async def test_a_malformed_payload_still_gets_a_reply(bot: BotHandle) -> None:
    """A payload of a shape Discord never sends (no command name) is refused with a note by
    the tree's public ``interaction_check``, before discord.py would trip over it."""
    s = bot.stand_in
    payload = s.interaction_payload("topics")
    del payload["data"]["name"]
    rec = await s.wait_reply(await s.inject(payload))
    assert rec.ephemeral and "please pick the command again" in rec.content


async def test_an_exception_after_deferring_is_reported_in_a_followup(
    bot: BotHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(reason: str = "manual") -> object:
        raise OSError("disk on fire")

    monkeypatch.setattr(bot.facts, "reload", broken)
    rec = await bot.interact("facts reload", member_perms=MANAGE_GUILD)
    assert rec.callback_type == 5 and rec.ephemeral
    assert rec.followups and rec.content == SOMETHING_WRONG
