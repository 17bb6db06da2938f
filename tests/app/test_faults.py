"""Discord faults the lifecycle tests do not already provoke (see tests/test_discord_lifecycle.py
for a dropped gateway, op 7, op 9, a single 429 or 500 and a held callback, and
tests/test_discord_checks.py for unknown commands and wrong option types).

Here: a 429 as Discord really sends it (retried after its retry-after, answered once), a long
retry-after that holds only its own interaction, a 500 that never clears, a callback that times
out (and an error note that times out too), the gateway dropping while a command is answered,
more forged options, and the facts file changing under a slow command (reloaded by the watcher).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
import discord.webhook.async_
import pytest
from aiohttp import web

from bot.app import SOMETHING_WRONG
from tests.stand_in import MANAGE_GUILD, InteractionRecord, StandIn
from tests.stand_in import server as stand_in_server
from tests.stand_in.harness import BotHandle, StartBot

WRONG_OPTIONS = "An option was missing or had the wrong type"
NOT_AVAILABLE = "not (or no longer) available"


@pytest.fixture
def discord_429s(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in's 429s carry the ``Via`` header Discord's edge adds: discord.py only honours
    retry-after on such a 429 (without it, it takes the 429 for a Cloudflare ban and gives up)."""
    plain_json = stand_in_server._json

    def with_via(
        data: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> web.Response:
        if status == 429:
            headers = {**(headers or {}), "Via": "1.1 google"}
        return plain_json(data, status, headers)

    monkeypatch.setattr(stand_in_server, "_json", with_via)


class _QuickRetries:
    """``asyncio`` for discord.py's webhook module with its retry back-off (1, 3, 5, 7, 9 s)
    shortened, so that five 500s in a row take milliseconds."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(min(delay, 0.01), result)


def callbacks(stand_in: StandIn, rec: InteractionRecord) -> list[int]:
    """The statuses of the interaction callbacks the bot made for ``rec``, in order."""
    return [
        c.status
        for c in stand_in.calls
        if c.method == "POST" and c.path.startswith(f"/interactions/{rec.id}/")
    ]


def client_timeout(handle: BotHandle, seconds: float) -> None:
    """Give the bot's HTTP session a total timeout of ``seconds`` (aiohttp's default is 5 min)."""
    session = handle.bot.http._HTTPClient__session  # type: ignore[attr-defined]
    assert isinstance(session, aiohttp.ClientSession) and hasattr(session, "_timeout")
    session._timeout = aiohttp.ClientTimeout(total=seconds)


def records(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == level and text in r.getMessage()]


# -- the interaction callback --------------------------------------------------------------------
@pytest.mark.usefixtures("discord_429s")
async def test_a_429_is_retried_after_its_retry_after_and_answered_once(
    bot: BotHandle, stand_in: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stand_in.callback_faults.append((429, 0.3))
    rec = await bot.interact("fact", {"query": "hard currency"})
    assert callbacks(stand_in, rec) == [429, 200]
    assert rec.latency >= 0.3  # it waited as told
    assert len(rec.messages) == 1 and rec.embeds and not rec.ephemeral
    assert "hard currency" in rec.embeds[0]["description"]
    assert any(
        "rate limited" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (await bot.interact("topics")).embeds


@pytest.mark.usefixtures("discord_429s")
async def test_a_long_retry_after_holds_only_its_own_interaction(
    bot: BotHandle, stand_in: StandIn
) -> None:
    stand_in.callback_faults.append((429, 2.0))
    held = await stand_in.inject(stand_in.interaction_payload("topics"))
    await stand_in.wait_for(lambda: callbacks(stand_in, held) == [429])
    other = await bot.interact("fact", {"query": "hard currency"}, timeout=1.5)
    assert other.embeds and not held.complete  # answered while the first one waits
    await stand_in.wait_reply(held, timeout=5)
    assert callbacks(stand_in, held) == [429, 200] and len(held.messages) == 1


async def test_a_500_that_never_clears_is_logged_and_the_bot_stays_up(
    bot: BotHandle,
    stand_in: StandIn,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(discord.webhook.async_, "asyncio", _QuickRetries())
    stand_in.callback_faults.extend([(500, None)] * 5)  # discord.py tries five times
    with caplog.at_level(logging.INFO, logger="bot"):
        rec = await bot.interact("topics")
    assert callbacks(stand_in, rec) == [500] * 5 + [200]
    assert rec.ephemeral and rec.content == SOMETHING_WRONG  # the note got through after
    (failed,) = records(caplog, logging.ERROR, "command /topics failed")
    assert failed.exc_info and "DiscordServerError" in caplog.text
    assert (await bot.interact("fact", {"query": "hard currency"})).embeds


async def test_a_callback_that_times_out_is_logged_and_the_bot_stays_up(
    bot: BotHandle, stand_in: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    client_timeout(bot, 0.3)
    stand_in.callback_faults.append((0, 1.0))  # Discord holds the callback past the timeout
    with caplog.at_level(logging.INFO, logger="bot"):
        rec = await bot.interact("topics")
    (failed,) = records(caplog, logging.ERROR, "command /topics failed")
    assert failed.exc_info and "TimeoutError" in caplog.text
    assert rec.ephemeral and rec.content == SOMETHING_WRONG and len(rec.messages) == 1
    assert (await bot.interact("fact", {"query": "hard currency"})).embeds


async def test_when_the_error_note_times_out_too_it_is_one_error_and_a_warning(
    bot: BotHandle, stand_in: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """Sending the "something went wrong" note can fail like the answer did: that is a warning,
    not a second failure of the command (nor an exception nobody handles)."""
    client_timeout(bot, 0.3)
    stand_in.callback_faults.extend([(0, 1.0)] * 3)
    with caplog.at_level(logging.INFO, logger="bot"):
        rec = await stand_in.inject(stand_in.interaction_payload("topics"))
        await bot.wait_for(lambda: records(caplog, logging.WARNING, "could not send the error"))
        await bot.wait_for(lambda: len(callbacks(stand_in, rec)) >= 2, timeout=5)
    assert len(records(caplog, logging.ERROR, "command /topics failed")) == 1
    (warned,) = records(caplog, logging.WARNING, "could not send the error note for /topics")
    assert "TimeoutError" in warned.getMessage()
    stand_in.callback_faults.clear()
    assert (await bot.interact("fact", {"query": "hard currency"})).embeds


# -- the gateway -----------------------------------------------------------------------------
async def test_the_gateway_drops_while_a_reply_is_on_its_way(
    bot: BotHandle, stand_in: StandIn
) -> None:
    """The answer goes over REST: it arrives although the gateway went away while Discord was
    still taking it, and the bot resumes and answers the next interaction."""
    stand_in.callback_faults.append((0, 0.5))  # Discord is slow to take the reply
    rec = await stand_in.inject(
        stand_in.interaction_payload("summary", {"topic": "nk-overseas-labour"})
    )
    resumes = stand_in.resumes
    await asyncio.sleep(0.1)
    await stand_in.drop_connection()
    await stand_in.wait_reply(rec)
    assert len(rec.messages) == 1
    assert "hard currency" in rec.embeds[0]["description"]
    nxt = await bot.interact("fact", {"query": "hard currency"})
    assert nxt.embeds and stand_in.resumes == resumes + 1


async def test_a_refused_resume_ends_in_a_fresh_session(bot: BotHandle, stand_in: StandIn) -> None:
    """The connection drops and Discord has meanwhile forgotten the session: the RESUME gets
    op 9 (not resumable), the bot identifies again and answers."""

    async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before a re-IDENTIFY (Discord's rate limit): not needed here."""

    bot.bot.before_identify_hook = no_wait  # type: ignore[method-assign]
    identifies, resumes = stand_in.identifies, stand_in.resumes
    stand_in._sessions.clear()  # the stand-in no longer knows the session
    await stand_in.drop_connection()
    rec = await bot.interact("fact", {"query": "hard currency"})
    assert rec.embeds and len(rec.messages) == 1
    assert stand_in.identifies == identifies + 1 and stand_in.resumes == resumes


# -- forged or stale interactions ------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "raw"),
    [
        ("summary", [{"name": "topic", "type": 4, "value": 7}]),
        (
            "summary",
            [{"name": "topic", "type": 3, "value": "x"}, {"name": "format", "type": 4, "value": 1}],
        ),
        ("search", [{"name": "query", "type": 5, "value": True}]),
        ("search", [{"name": "query", "type": 3, "value": None}]),
        ("source", [{"name": "fact", "type": 10, "value": 1.5}]),
        ("source", [{"name": "fact", "type": 3, "value": ["nk-hard-currency"]}]),
        ("topics", [{"name": "query", "type": 3, "value": "x"}]),
        ("facts status", [{"name": "verbose", "type": 5, "value": True}]),
    ],
    ids=[
        "summary-int",
        "format-int",
        "search-bool",
        "search-null",
        "source-number",
        "source-list",
        "topics-extra",
        "status-extra",
    ],
)
async def test_wrong_options_on_every_command_get_a_clear_private_note(
    bot: BotHandle, command: str, raw: list[dict[str, Any]]
) -> None:
    rec = await bot.interact(command, raw_options=raw, member_perms=MANAGE_GUILD)
    assert rec.ephemeral and WRONG_OPTIONS in rec.content and len(rec.messages) == 1


@pytest.mark.parametrize(
    ("command", "raw"),
    [
        ("fact", [{"name": "query", "type": 3}]),
        ("fact", "query=revenue"),
        ("fact", [{"type": 3, "value": "revenue"}]),
        ("fact", [{"name": "query", "type": "3", "value": "revenue"}]),
        ("fact", [["query", 3, "revenue"]]),
        ("facts status", "verbose"),
    ],
    ids=["no-value", "not-a-list", "no-name", "type-as-text", "not-an-object", "sub-not-a-list"],
)
async def test_malformed_options_get_the_options_note_not_a_traceback(
    bot: BotHandle, stand_in: StandIn, caplog: pytest.LogCaptureFixture, command: str, raw: Any
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    rec = await bot.interact(command, raw_options=raw, member_perms=MANAGE_GUILD)
    assert rec.ephemeral and WRONG_OPTIONS in rec.content and len(rec.messages) == 1
    payload = stand_in.interaction_payload("fact", {"query": "rev"}, focused="query")
    payload["data"]["options"] = raw
    done = await stand_in.wait_reply(await stand_in.inject(payload))
    assert done.choices == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_command_the_bot_no_longer_has(bot: BotHandle, stand_in: StandIn) -> None:
    """A context menu or a subcommand of a plain command, from a client with an old list."""
    menu = stand_in.interaction_payload("Check this fact")
    menu["data"].update(type=3, target_id="1500000000000009999")
    menu["data"].pop("options")
    rec = await stand_in.wait_reply(await stand_in.inject(menu))
    assert rec.ephemeral and NOT_AVAILABLE in rec.content
    rec = await bot.interact("fact", raw_options=[{"name": "old", "type": 1, "options": []}])
    assert rec.ephemeral and NOT_AVAILABLE in rec.content
    assert (await bot.interact("topics")).embeds


@pytest.mark.parametrize("value", [5, None, ["rev"], {"q": "rev"}])
async def test_autocomplete_with_a_value_that_is_not_text(
    bot: BotHandle, stand_in: StandIn, caplog: pytest.LogCaptureFixture, value: Any
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    for command, option in (("fact", "query"), ("summary", "topic"), ("source", "fact")):
        payload = stand_in.interaction_payload(command, {option: "x"}, focused=option)
        payload["data"]["options"][0]["value"] = value
        rec = await stand_in.wait_reply(await stand_in.inject(payload))
        assert rec.choices == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- the facts file changes while a reply is on its way ---------------------------------------
@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("search", {"query": "hard currency"}),
        ("fact", {"query": "hard currency", "format": "short"}),
        ("summary", {"topic": "nk-overseas-labour", "format": "plain"}),
    ],
    ids=["search", "fact-short", "summary-plain"],
)
async def test_a_reload_by_the_watcher_under_a_slow_reply_gives_one_version(
    start_bot: StartBot,
    facts_file: Path,
    stand_in: StandIn,
    command: str,
    options: dict[str, Any],
) -> None:
    """The book is read once per command: the file saved (and reloaded by the watcher) while
    the reply is on its way changes nothing in it; the next answer is all new."""
    handle = await start_bot(facts_file, watch=True)
    old = handle.facts.book.version
    stand_in.callback_faults.append((0, 2.0))  # Discord is slow to take the reply
    pending = asyncio.create_task(handle.interact(command, options))
    await asyncio.sleep(0.1)
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("in hard currency", "in hard cash"), encoding="utf-8")
    await handle.wait_for(lambda: handle.facts.book.version != old, timeout=10)
    rec = await pending
    assert len(rec.messages) == 1
    answer = rec.text()
    assert "in hard currency" in answer and "hard cash" not in answer
    for e in rec.embeds:
        assert old[:12] in e["footer"]["text"]
    fresh = (await handle.interact(command, options)).text()
    assert "in hard cash" in fresh and "in hard currency" not in fresh
