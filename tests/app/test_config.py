"""bot.config: environment and .env, one-line errors, token masking, discord.py endpoints."""

from __future__ import annotations

from pathlib import Path

import discord.gateway
import discord.http
import pytest
import yarl

from bot.app import TOKEN_HELP, Config, ConfigError, Cooldown, load_config, parse_dotenv

TOKEN = "MTIz.secret-token-value.xyz"


def test_minimal_environment_gives_defaults(tmp_path: Path) -> None:
    cfg = load_config({"DISCORD_TOKEN": TOKEN}, cwd=tmp_path)
    assert cfg.token == TOKEN
    assert cfg.facts_path == tmp_path / "facts.yaml"
    assert cfg.guild_id is None and cfg.announce_channel_id is None
    assert cfg.log_level == "INFO"
    assert cfg.cooldown == Cooldown(30, 60.0)  # generous: against scripts, not members
    assert cfg.repeat_window == 600.0 and not cfg.user_install
    assert cfg.shard_count is None and cfg.shards == (0,) and cfg.primary
    assert cfg.sync_hash_path == tmp_path / ".factbot-sync-hash"


def test_missing_token_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config({}, cwd=tmp_path)
    msg = str(err.value)
    assert msg == TOKEN_HELP and "\n" not in msg
    assert "Bot tab" in msg and "Reset Token" in msg


def test_dotenv_beside_facts_and_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text("version: 1\n")
    (tmp_path / ".env").write_text(
        f"# comment\nexport DISCORD_TOKEN='{TOKEN}'\nDISCORD_GUILD_ID=42\nLOG_LEVEL=debug\n"
    )
    cfg = load_config({"FACTS_PATH": str(tmp_path / "facts.yaml"), "LOG_LEVEL": "WARNING"})
    assert cfg.token == TOKEN and cfg.guild_id == 42
    assert cfg.log_level == "WARNING"


def test_parse_dotenv_quotes_and_junk() -> None:
    assert parse_dotenv('A="x y"\n\nnot a pair\nB = 2 \n=nokey\n') == {"A": "x y", "B": "2"}


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID"),
        ("ANNOUNCE_CHANNEL_ID", "-5", "ANNOUNCE_CHANNEL_ID"),
        ("DISCORD_API_BASE", "127.0.0.1:8123/api", "DISCORD_API_BASE"),
        ("DISCORD_GATEWAY_URL", "http://127.0.0.1/gateway", "DISCORD_GATEWAY_URL"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL"),
        ("COOLDOWN", "fast", "COOLDOWN"),
        ("COOLDOWN", "0/10", "COOLDOWN"),
        ("REPEAT_WINDOW", "ten minutes", "REPEAT_WINDOW"),
        ("REPEAT_WINDOW", "-5", "REPEAT_WINDOW"),
        ("USER_INSTALL", "maybe", "USER_INSTALL"),
        ("SHARD_COUNT", "two", "SHARD_COUNT"),
        ("SHARD_COUNT", "0", "SHARD_COUNT"),
        ("SHARD_IDS", "0", "SHARD_IDS needs SHARD_COUNT"),
    ],
)
def test_bad_values_are_one_line_errors(tmp_path: Path, key: str, value: str, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config({"DISCORD_TOKEN": TOKEN, key: value}, cwd=tmp_path)
    assert needle in str(err.value) and "\n" not in str(err.value)
    assert TOKEN not in str(err.value)


def test_cooldown_forms(tmp_path: Path) -> None:
    def cd(v: str) -> Cooldown:
        return load_config({"DISCORD_TOKEN": TOKEN, "COOLDOWN": v}, cwd=tmp_path).cooldown

    assert cd("3/10") == Cooldown(3, 10.0)
    assert not cd("off").enabled
    assert cd("") == Cooldown(30, 60.0)


def test_repeat_window_user_install_and_shards(tmp_path: Path) -> None:
    def cfg(**env: str) -> Config:
        return load_config({"DISCORD_TOKEN": TOKEN, **env}, cwd=tmp_path)

    assert cfg(REPEAT_WINDOW="90").repeat_window == 90.0
    assert cfg(REPEAT_WINDOW="off").repeat_window == 0.0
    assert cfg(USER_INSTALL="on").user_install and not cfg(USER_INSTALL="off").user_install
    all_of_four = cfg(SHARD_COUNT="4")
    assert all_of_four.shards == (0, 1, 2, 3) and all_of_four.primary
    some = cfg(SHARD_COUNT="4", SHARD_IDS="3, 1-2")
    assert some.shard_ids == (1, 2, 3) and not some.primary  # shard 0 runs elsewhere
    for bad in ("4", "0-9", "2-1", "x"):
        with pytest.raises(ConfigError, match="SHARD_IDS must list shards from 0 to 3"):
            cfg(SHARD_COUNT="4", SHARD_IDS=bad)


def test_repr_masks_the_token(tmp_path: Path) -> None:
    cfg = load_config({"DISCORD_TOKEN": TOKEN, "DISCORD_GUILD_ID": "7"}, cwd=tmp_path)
    for text in (repr(cfg), str(cfg), f"{cfg}"):
        assert TOKEN not in text and "***" in text and "guild_id=7" in text


def test_endpoints_go_where_discord_py_reads_them(tmp_path: Path) -> None:
    """Route.BASE and DiscordWebSocket.DEFAULT_GATEWAY are discord.py internals: this test
    fails if a discord.py upgrade moves or renames them."""
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    assert isinstance(saved[0], str) and saved[0].startswith("https://discord.com/api/v")
    assert isinstance(saved[1], yarl.URL)
    cfg = Config(
        token=TOKEN,
        facts_path=tmp_path / "f.yaml",
        api_base="http://127.0.0.1:9/api/v10/",
        gateway_url="ws://127.0.0.1:9/gateway",
    )
    try:
        cfg.apply_endpoints()
        assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
        gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        assert gateway == yarl.URL("ws://127.0.0.1:9/gateway")
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
