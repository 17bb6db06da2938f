"""``python -m bot run`` / ``sync`` as separate processes against the local Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.stand_in import StandIn
from tests.stand_in.harness import ANNOUNCE_CHANNEL, SAMPLE_FACTS

ROOT = Path(__file__).resolve().parents[2]


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "FACTS_"))}
    env.pop("ANNOUNCE_CHANNEL_ID", None)
    env.pop("COOLDOWN", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


async def _spawn(command: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        command,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finish(proc: asyncio.subprocess.Process, timeout: float = 20) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_bot_process_answers_and_never_prints_the_token(
    stand_in: StandIn, tmp_path: Path
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(SAMPLE_FACTS, encoding="utf-8")
    env = _env(
        {
            **stand_in.env(),
            "FACTS_PATH": str(facts),
            "LOG_LEVEL": "DEBUG",
            "ANNOUNCE_CHANNEL_ID": str(ANNOUNCE_CHANNEL),
        }
    )
    proc = await _spawn("run", env, tmp_path)
    try:
        await stand_in.wait_ready(timeout=30)
        payload = stand_in.interaction_payload("fact", {"query": "hard currency"})
        rec = await stand_in.wait_reply(await stand_in.inject(payload), timeout=10)
        assert "hard currency" in rec.text()
        assert rec.final["allowed_mentions"] == {"parse": []}
        # SIGHUP reloads the file; the change is announced in the channel
        facts.write_text(SAMPLE_FACTS.replace("hard currency", "hard cash"), encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        await stand_in.wait_for(lambda: stand_in.channel_messages.get(str(ANNOUNCE_CHANNEL)), 10)
    finally:
        proc.send_signal(signal.SIGTERM)
        code, out, err = await _finish(proc)
    assert (tmp_path / ".factbot-sync-hash").is_file()
    assert "synced 7 commands" in err and "DEBUG" in err  # the log really ran at DEBUG
    assert "SIGHUP" in err
    assert stand_in.token not in out and stand_in.token not in err
    assert code == 0  # SIGTERM closes cleanly
    assert "Traceback" not in err


async def test_bad_token_exits_2_with_one_line(stand_in: StandIn, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(SAMPLE_FACTS, encoding="utf-8")
    wrong = "MTAw.wrong-token-never-to-be-printed.abc"
    env = _env(
        {**stand_in.env(), "DISCORD_TOKEN": wrong, "FACTS_PATH": str(facts), "LOG_LEVEL": "DEBUG"}
    )
    code, out, err = await _finish(await _spawn("run", env, tmp_path))
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("factbot: error:")]
    assert len(errors) == 1 and "401" in errors[0] and "refused the token" in errors[0]
    assert wrong not in out + err
    assert not stand_in.command_puts


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "t", "DISCORD_GUILD_ID": "team"}, "DISCORD_GUILD_ID"),
        ({"DISCORD_TOKEN": "t", "DISCORD_API_BASE": "nonsense"}, "DISCORD_API_BASE"),
        ({"DISCORD_TOKEN": "t"}, "cannot read the facts file"),
    ],
)
async def test_config_errors_exit_2_with_one_line(
    tmp_path: Path, extra: dict[str, str], needle: str
) -> None:
    env = _env({**extra, "FACTS_PATH": str(tmp_path / "facts.yaml")})
    code, out, err = await _finish(await _spawn("run", env, tmp_path))
    assert code == 2 and not out
    assert err.count("\n") == 1 and needle in err and err.startswith("factbot: error:")


async def test_missing_access_on_sync_says_how_to_invite(stand_in: StandIn, tmp_path: Path) -> None:
    stand_in.forbid_guild_sync = True
    facts = tmp_path / "facts.yaml"
    facts.write_text(SAMPLE_FACTS, encoding="utf-8")
    env = _env({**stand_in.env(), "FACTS_PATH": str(facts)})
    code, _, err = await _finish(await _spawn("run", env, tmp_path))
    assert code == 2
    (line,) = [x for x in err.splitlines() if x.startswith("factbot: error:")]
    assert "403" in line and "applications.commands" in line
    assert not (tmp_path / ".factbot-sync-hash").exists()


async def test_invalid_facts_print_the_errors_and_exit_2(stand_in: StandIn, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        SAMPLE_FACTS.replace("source: ilo-2022-estimates", "source: ilo-2021"), encoding="utf-8"
    )
    env = _env({**stand_in.env(), "FACTS_PATH": str(facts)})
    code, _, err = await _finish(await _spawn("run", env, tmp_path))
    assert code == 2
    assert "facts.yaml:" in err and "ilo-2021" in err and "not starting" in err
    assert not stand_in.calls  # never reached Discord


async def test_sync_command_forces_a_sync_and_exits(stand_in: StandIn, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(SAMPLE_FACTS, encoding="utf-8")
    env = _env({**stand_in.env(), "FACTS_PATH": str(facts)})
    for expected_puts in (1, 2):  # forced: the stored hash does not stop it
        code, _, err = await _finish(await _spawn("sync", env, tmp_path))
        assert code == 0, err
        assert len(stand_in.command_puts) == expected_puts
    assert "synced 7 commands" in err
