"""The bot's life: command sync and its hash, gateway and REST faults, reports, secrets in logs."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot import answers
from bot.app import Cooldown
from tests.stand_in import MANAGE_GUILD, StandIn
from tests.stand_in.harness import BotHandle, StartBot


async def test_second_start_does_not_sync_again(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path
) -> None:
    first = await start_bot(facts_file)
    assert first.bot.synced is True and stand_in.command_puts == [stand_in.guild_id]
    await first.stop()
    second = await start_bot(facts_file)
    assert second.bot.synced is False
    assert stand_in.command_puts == [stand_in.guild_id]  # no second PUT
    assert (await second.interact("topics")).embeds  # the commands still work
    await second.stop()
    forced = await start_bot(facts_file, force_sync=True)
    assert forced.bot.synced is True and len(stand_in.command_puts) == 2
    await forced.stop()
    other_guild = await start_bot(facts_file, guild_id=1200000000000000777)
    assert other_guild.bot.synced is True  # a different target is a different hash
    assert stand_in.command_puts[-1] == "1200000000000000777"


async def test_global_sync_without_a_guild(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path
) -> None:
    handle = await start_bot(facts_file, guild_id=None)
    assert stand_in.command_puts == [None]
    names = {c["name"] for c in stand_in.commands[None]}
    assert "fact" in names and "facts" in names
    rec = await handle.interact("fact", {"query": "hard currency"})
    assert rec.embeds


@pytest.mark.parametrize("fault", ["drop", "reconnect", "invalid", "invalid-resumable"])
async def test_gateway_faults_then_the_next_interaction_is_answered(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path, fault: str
) -> None:
    handle = await start_bot(facts_file)

    async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before a re-IDENTIFY (Discord's rate limit): not needed here."""

    handle.bot.before_identify_hook = no_wait  # type: ignore[method-assign]
    before = (stand_in.identifies, stand_in.resumes)
    if fault == "drop":
        await stand_in.drop_connection()
    elif fault == "reconnect":
        await stand_in.send_reconnect()
    else:
        await stand_in.send_invalid_session(resumable=fault.endswith("resumable"))
    rec = await handle.interact("fact", {"query": "hard currency"})
    assert rec.embeds
    assert (stand_in.identifies, stand_in.resumes) != before  # it really reconnected
    if fault == "invalid":
        assert stand_in.identifies == before[0] + 1  # a fresh session, not a resume


@pytest.mark.parametrize("status", [429, 500])
async def test_callback_faults_are_logged_and_the_bot_stays_up(
    bot: BotHandle, stand_in: StandIn, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    stand_in.callback_faults.append((status, 0.05))
    with caplog.at_level(logging.DEBUG):
        payload = stand_in.interaction_payload("topics")
        await stand_in.inject(payload)
        await stand_in.wait_for(
            lambda: any(c.status == status and "/callback" in c.path for c in stand_in.calls), 5
        )
        if status == 500:  # discord.py retries a 5xx once a second later: that one succeeds
            await stand_in.wait_reply(stand_in.interactions[payload["id"]], 5)
    assert (await bot.interact("topics")).embeds
    if status == 429:
        assert "429" in caplog.text or "rate limited" in caplog.text.lower()


async def test_a_hanging_callback_does_not_hold_up_other_interactions(
    bot: BotHandle, stand_in: StandIn
) -> None:
    stand_in.callback_faults.append((0, 3.0))  # Discord holds the next callback for 3 s
    slow = await stand_in.inject(stand_in.interaction_payload("topics"))
    fast = await bot.interact("fact", {"query": "hard currency"}, timeout=2.0)
    assert fast.embeds and not slow.complete  # answered while the other one still waits
    await stand_in.wait_reply(slow, timeout=5)


async def test_file_change_is_announced(start_bot: StartBot, facts_file: Path) -> None:
    handle = await start_bot(facts_file, announce=True, watch=True)
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("hard currency", "foreign currency"), encoding="utf-8")
    (msg,) = await handle.wait_for(lambda: handle.announce_messages, timeout=10)
    assert "nk-hard-currency" in msg["content"] and msg["allowed_mentions"] == {"parse": []}
    rec = await handle.interact("source", {"fact": "nk-hard-currency"})
    assert "foreign currency" in rec.text()
    facts_file.write_text("version: 1\nfacts: [oops\n", encoding="utf-8")
    await handle.wait_for(lambda: len(handle.announce_messages) == 2, timeout=10)
    assert (await handle.interact("topics")).embeds  # the last good book stays in service


async def test_token_never_logged_in_a_full_debug_session(
    start_bot: StartBot, stand_in: StandIn, facts_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    handle = await start_bot(facts_file, announce=True, cooldown=Cooldown(1, 60.0))
    await handle.interact("fact", {"query": "revenue"})
    await handle.interact("fact", {"query": "revenue"})  # cooled down
    await handle.interact("facts status", member_perms=MANAGE_GUILD)
    await handle.interact("facts reload", member_perms=MANAGE_GUILD)
    await handle.autocomplete("fact", "query", "rev", member_perms=MANAGE_GUILD)
    await stand_in.send_reconnect()
    await handle.interact("topics", member_perms=MANAGE_GUILD)
    await handle.stop()
    assert len(caplog.records) > 20  # DEBUG really was captured
    token = stand_in.token
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in (record.exc_text or "")
    assert token not in caplog.text
    assert all(token not in str(b) for b in stand_in.all_sent_bodies())
    assert token not in repr(handle.config)


def test_redact_filter_masks_the_token_in_messages_args_and_tracebacks() -> None:
    from bot.cli._run import REDACTED, RedactToken

    secret = "MTIz.abc.never-shown"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactToken(secret))
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("plain %s", secret)
        logger.warning(f"inline {secret}")
        try:
            raise ValueError(f"boom {secret}")
        except ValueError:
            logger.exception("failed")
        logger.warning("bad format %s %s", secret)  # a malformed record is still redacted
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert secret not in out
    assert out.count(REDACTED) >= 3 and "boom" in out


async def test_an_answer_stays_consistent_while_the_file_changes(
    start_bot: StartBot, facts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The book is read once per command: a reload during a slow summary does not mix versions."""
    handle = await start_bot(facts_file)
    old = handle.facts.book.version
    started = threading.Event()
    summary_answer = answers.summary_answer

    def slow(*args: Any, **kwargs: Any) -> answers.Answer:
        started.set()
        time.sleep(0.5)
        return summary_answer(*args, **kwargs)

    monkeypatch.setattr(answers, "summary_answer", slow)
    pending = asyncio.create_task(handle.interact("summary", {"topic": "nk-overseas-labour"}))
    assert await asyncio.to_thread(started.wait, 5)
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("in hard currency", "in hard cash"), encoding="utf-8")
    report = await handle.facts.reload("test")
    assert report.changed and handle.facts.book.version != old
    rec = await pending
    (embed,) = rec.embeds
    assert old[:12] in embed["footer"]["text"]
    assert "hard currency" in embed["description"] and "hard cash" not in embed["description"]


async def test_not_in_the_configured_guild_logs_the_invite_link(
    start_bot: StartBot, facts_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app._client")
    handle = await start_bot(facts_file, guild_id=1200000000000000777)
    await handle.wait_for(lambda: "invite it with" in caplog.text, 5)
    url = handle.bot.invite_url()
    assert url in caplog.text
    assert "scope=bot+applications.commands" in url and "permissions=3072" in url
    assert "guild_id=1200000000000000777" in url
