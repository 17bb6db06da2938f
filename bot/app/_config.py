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

from bot.usage import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, default_path

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_COOLDOWN = (30, 60.0)
#: Seconds within which the same public answer in one channel is answered privately instead,
#: with a link to the earlier post (0 = off).
DEFAULT_REPEAT_WINDOW = 600.0
MAX_REPEAT_WINDOW = 86400.0
#: Most shards one deployment may declare (Discord asks for a shard per 2,500 servers or so).
MAX_SHARD_COUNT = 1024
_ON = ("on", "1", "yes", "true")
_OFF = ("off", "0", "no", "false", "none")
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
    repeat_window: float = DEFAULT_REPEAT_WINDOW  # 0: a channel may get the same answer again
    user_install: bool = False  # /fact, /summary and Find sources also as a user app
    shard_count: int | None = None  # set: discord.AutoShardedClient over ``shards``
    shard_ids: tuple[int, ...] | None = None  # None: every shard of shard_count
    stats: bool = True  # False: no usage statistics are kept (STATS=off)
    stats_path: Path | None = None  # the usage store; None: usage.sqlite beside facts.yaml
    stats_retention_days: int = DEFAULT_RETENTION_DAYS  # days of usage kept

    def __repr__(self) -> str:
        return (
            f"Config(token='***', facts_path={str(self.facts_path)!r}, guild_id={self.guild_id}, "
            f"api_base={self.api_base!r}, gateway_url={self.gateway_url!r}, "
            f"announce_channel_id={self.announce_channel_id}, log_level={self.log_level!r}, "
            f"cooldown={self.cooldown.rate}/{self.cooldown.per:g}, "
            f"stale_digest_days={self.stale_digest_days}, repeat_window={self.repeat_window:g}, "
            f"user_install={self.user_install}, shard_count={self.shard_count}, "
            f"shard_ids={self.shard_ids}, stats={self.usage_path}, "
            f"stats_retention_days={self.stats_retention_days})"
        )

    __str__ = __repr__

    @property
    def shards(self) -> tuple[int, ...]:
        """The shards this process runs (``(0,)`` unsharded)."""
        if self.shard_count is None:
            return (0,)
        return self.shard_ids if self.shard_ids is not None else tuple(range(self.shard_count))

    @property
    def primary(self) -> bool:
        """Whether this process runs shard 0: it alone syncs commands and posts to the announce
        channel, so several processes splitting the shards do not each do it.
        """
        return 0 in self.shards

    @property
    def usage_path(self) -> Path | None:
        """Where usage statistics are kept; None when they are off."""
        if not self.stats:
            return None
        return self.stats_path or default_path(self.facts_path)

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


def parse_repeat_window(value: str | None) -> float:
    """``REPEAT_WINDOW``: seconds (``600``), or ``off``/``0``; empty -> the default (600)."""
    if value is None or not value.strip():
        return DEFAULT_REPEAT_WINDOW
    v = value.strip().lower()
    if v in _OFF:
        return 0.0
    try:
        seconds = float(v)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_REPEAT_WINDOW:
        raise ConfigError(
            f"REPEAT_WINDOW must be seconds from 0 to {MAX_REPEAT_WINDOW:g}, or off, "
            f"got {value.strip()[:40]!r}"
        )
    return seconds


def parse_switch(name: str, value: str | None, default: bool = False) -> bool:
    """``on``/``off`` (also yes/no, true/false, 1/0); empty -> ``default``."""
    if value is None or not value.strip():
        return default
    v = value.strip().lower()
    if v in _ON:
        return True
    if v in _OFF:
        return False
    raise ConfigError(f"{name} must be on or off, got {value.strip()[:40]!r}")


def _count(value: str) -> int | None:
    v = value.strip()
    return int(v) if v.isascii() and v.isdigit() else None


def parse_shards(count: str | None, ids: str | None) -> tuple[int | None, tuple[int, ...] | None]:
    """``SHARD_COUNT`` (how many shards the whole bot has) and ``SHARD_IDS`` (which of them
    this process runs: ``0,1`` or ``0-3``; empty = all). No count: not sharded.
    """
    if count is None or not count.strip():
        if ids is not None and ids.strip():
            raise ConfigError("SHARD_IDS needs SHARD_COUNT (the number of shards in all)")
        return None, None
    n = _count(count)
    if n is None or not 1 <= n <= MAX_SHARD_COUNT:
        raise ConfigError(
            f"SHARD_COUNT must be a whole number from 1 to {MAX_SHARD_COUNT}, "
            f"got {count.strip()[:40]!r}"
        )
    if ids is None or not ids.strip():
        return n, None
    chosen: list[int] = []
    for part in ids.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        lo, hi = _count(first), _count(last) if dash else _count(first)
        if lo is None or hi is None or not lo <= hi < n:
            raise ConfigError(
                f"SHARD_IDS must list shards from 0 to {n - 1} (like 0,1 or 0-3), "
                f"got {ids.strip()[:40]!r}"
            )
        chosen += range(lo, hi + 1)
    return n, tuple(sorted(set(chosen)))


def parse_retention_days(value: str | None) -> int:
    """``STATS_RETENTION_DAYS``: whole days of usage statistics kept; empty -> 180."""
    if value is None or not value.strip():
        return DEFAULT_RETENTION_DAYS
    v = value.strip()
    if not (v.isascii() and v.isdigit()) or not 1 <= int(v) <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"STATS_RETENTION_DAYS must be a whole number of days from 1 to "
            f"{MAX_RETENTION_DAYS}, got {v[:40]!r}"
        )
    return int(v)


def _stats_path(value: str | None, base: Path) -> Path | None:
    if value is None or not value.strip():
        return None
    path = Path(value.strip())
    return path if path.is_absolute() else base / path


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
    shard_count, shard_ids = parse_shards(env.get("SHARD_COUNT"), env.get("SHARD_IDS"))
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
        repeat_window=parse_repeat_window(env.get("REPEAT_WINDOW")),
        user_install=parse_switch("USER_INSTALL", env.get("USER_INSTALL")),
        shard_count=shard_count,
        shard_ids=shard_ids,
        stats=parse_switch("STATS", env.get("STATS"), default=True),
        stats_path=_stats_path(env.get("STATS_PATH"), base),
        stats_retention_days=parse_retention_days(env.get("STATS_RETENTION_DAYS")),
    )
