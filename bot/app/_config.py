"""The bot's configuration: environment variables, and an optional ``.env`` beside facts.yaml.

Owns parsing and validating every setting (one-line errors, :class:`ConfigError`), masking the
token in ``repr``, and pointing discord.py at another REST base / gateway (``apply_endpoints``).
The environment wins over ``.env``. Nothing here logs the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_COOLDOWN = (5, 60.0)
#: Days between digests of newly stale facts in the announce channel (0 = off).
DEFAULT_STALE_DIGEST_DAYS = 7
MAX_STALE_DIGEST_DAYS = 366

TOKEN_HELP = (
    "DISCORD_TOKEN is not set: create an application at "
    "https://discord.com/developers/applications, open its Bot tab, press Reset Token, and put "
    "the token in DISCORD_TOKEN (environment or a .env file beside facts.yaml)"
)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line, safe to print."""


@dataclass(frozen=True)
class Cooldown:
    """``rate`` uses per ``per`` seconds per user; ``rate == 0`` means off."""

    rate: int
    per: float

    @property
    def enabled(self) -> bool:
        return self.rate > 0


@dataclass(frozen=True)
class Config:
    token: str = field(repr=False)
    facts_path: Path
    guild_id: int | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    announce_channel_id: int | None = None
    log_level: str = "INFO"
    cooldown: Cooldown = field(default_factory=lambda: Cooldown(*DEFAULT_COOLDOWN))
    stale_digest_days: int = DEFAULT_STALE_DIGEST_DAYS  # 0: no digest of newly stale facts

    def __repr__(self) -> str:
        return (
            f"Config(token='***', facts_path={str(self.facts_path)!r}, guild_id={self.guild_id}, "
            f"api_base={self.api_base!r}, gateway_url={self.gateway_url!r}, "
            f"announce_channel_id={self.announce_channel_id}, log_level={self.log_level!r}, "
            f"cooldown={self.cooldown.rate}/{self.cooldown.per:g}, "
            f"stale_digest_days={self.stale_digest_days})"
        )

    __str__ = __repr__

    @property
    def sync_hash_path(self) -> Path:
        """Where the hash of the last synced command tree is kept (beside facts.yaml)."""
        return self.facts_path.parent / ".factbot-sync-hash"

    def apply_endpoints(self) -> None:
        """Point discord.py's REST base and gateway at ``api_base``/``gateway_url`` when set.

        Both are discord.py internals (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``);
        ``tests/test_discord_config.py`` fails if discord.py moves them.
        """
        import discord.gateway
        import discord.http
        import yarl

        if self.api_base:
            discord.http.Route.BASE = self.api_base.rstrip("/")
        if self.gateway_url:
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)


def parse_dotenv(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines; ``#`` comments, blank lines, ``export`` and matching quotes allowed."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key:
            out[key] = value
    return out


def _snowflake(name: str, value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    v = value.strip()
    if not v.isdigit() or not 0 < int(v) < 2**64:
        raise ConfigError(f"{name} must be a numeric Discord id (digits only), got {v!r}")
    return int(v)


def _url(name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
    if value is None or not value.strip():
        return None
    v = value.strip()
    parts = urlsplit(v)
    if parts.scheme not in schemes or not parts.hostname:
        want = " or ".join(f"{s}://" for s in schemes)
        raise ConfigError(f"{name} must be a URL starting with {want} and a host, got {v!r}")
    return v


def parse_cooldown(value: str | None) -> Cooldown:
    """``"5/60"`` (5 uses per 60 s per user), ``"off"`` or ``"0"``; empty -> the default."""
    if value is None or not value.strip():
        return Cooldown(*DEFAULT_COOLDOWN)
    v = value.strip().lower()
    if v in ("off", "0", "none", "no"):
        return Cooldown(0, 0.0)
    rate_s, sep, per_s = v.partition("/")
    try:
        rate, per = int(rate_s), float(per_s)
    except ValueError:
        rate, per = -1, -1.0
    if not sep or rate < 1 or not 0 < per <= 86400:
        raise ConfigError(f"COOLDOWN must look like 5/60 (uses per seconds) or off, got {value!r}")
    return Cooldown(rate, per)


def parse_digest_days(value: str | None) -> int:
    """``STALE_DIGEST_DAYS``: whole days between digests, ``0`` or ``off`` for none; empty ->
    the default (7). Without ANNOUNCE_CHANNEL_ID there is no digest whatever this says.
    """
    if value is None or not value.strip():
        return DEFAULT_STALE_DIGEST_DAYS
    v = value.strip().lower()
    if v in ("off", "none", "no"):
        return 0
    if not (v.isascii() and v.isdigit()) or int(v) > MAX_STALE_DIGEST_DAYS:
        raise ConfigError(
            f"STALE_DIGEST_DAYS must be a whole number of days from 0 (off) to "
            f"{MAX_STALE_DIGEST_DAYS}, got {value.strip()[:40]!r}"
        )
    return int(v)


def load_config(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Config:
    """Build the configuration; raises :class:`ConfigError` with a one-line message."""
    env = dict(os.environ if environ is None else environ)
    base = cwd or Path.cwd()
    facts_path = Path(env.get("FACTS_PATH") or "facts.yaml")
    if not facts_path.is_absolute():
        facts_path = base / facts_path
    dotenv = facts_path.parent / ".env"
    if dotenv.is_file():
        try:
            from_file = parse_dotenv(dotenv.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {dotenv}: {exc.__class__.__name__}") from None
        env = {**from_file, **env}

    token = (env.get("DISCORD_TOKEN") or "").strip()
    if not token:
        raise ConfigError(TOKEN_HELP)
    if any(c.isspace() for c in token):
        raise ConfigError("DISCORD_TOKEN contains whitespace: paste the token exactly as shown")
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    return Config(
        token=token,
        facts_path=facts_path,
        guild_id=_snowflake("DISCORD_GUILD_ID", env.get("DISCORD_GUILD_ID")),
        api_base=_url("DISCORD_API_BASE", env.get("DISCORD_API_BASE"), ("http", "https")),
        gateway_url=_url("DISCORD_GATEWAY_URL", env.get("DISCORD_GATEWAY_URL"), ("ws", "wss")),
        announce_channel_id=_snowflake("ANNOUNCE_CHANNEL_ID", env.get("ANNOUNCE_CHANNEL_ID")),
        log_level=level,
        cooldown=parse_cooldown(env.get("COOLDOWN")),
        stale_digest_days=parse_digest_days(env.get("STALE_DIGEST_DAYS")),
    )
