"""Checks the bot applies to every interaction itself: Manage Server for admin commands, a
per-member cooldown on public answers, and options of the shape the command declares.

Nothing here is persisted: cooldown buckets live in memory and expire with their window.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

import discord
from discord import app_commands

from bot.app._config import Cooldown


class AdminOnly(app_commands.CheckFailure):
    """The member lacks Manage Server (checked by the bot, whatever default_permissions say)."""


class BadOptions(app_commands.CheckFailure):
    """The interaction's options do not match the command (stale client, forged payload)."""


class CooledDown(app_commands.CheckFailure):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"cooldown: retry in {retry_after:.1f}s")
        self.retry_after = retry_after


def can_manage_guild(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator) from the permissions Discord resolved for this member,
    in a server that installed factbot (not where a member uses it as their own app).
    """
    if interaction.guild_id is None or not interaction.is_guild_integration():
        return False
    perms = interaction.permissions
    return perms.manage_guild or perms.administrator


_PY_TYPES: dict[discord.AppCommandOptionType, tuple[type, ...]] = {
    discord.AppCommandOptionType.string: (str,),
    discord.AppCommandOptionType.integer: (int,),
    discord.AppCommandOptionType.boolean: (bool,),
    discord.AppCommandOptionType.number: (int, float),
}


def _is_subcommand(option: object) -> bool:
    return isinstance(option, dict) and option.get("type") in (1, 2)


def _leaf_options(data: object) -> list[dict[str, object]]:
    """The options of the invoked (sub)command, below any subcommand layers."""
    options = data.get("options") if isinstance(data, dict) else None
    while isinstance(options, list) and options and _is_subcommand(options[0]):
        options = options[0].get("options")
    if not isinstance(options, list):
        return []
    return [o for o in options if isinstance(o, dict)]


def payload_well_formed(data: object) -> bool:
    """Whether an application command's ``data`` has the shape Discord sends: a text ``name``
    and well-formed ``options`` (see :func:`options_well_formed`).
    """
    return (
        isinstance(data, dict)
        and isinstance(data.get("name"), str)
        and options_well_formed(data.get("options"))
    )


def options_well_formed(options: object) -> bool:
    """Whether an interaction's ``options`` have the shape Discord sends: a list of objects with
    a text ``name`` and an int ``type``; a subcommand (group) holds its own list, any other
    option a ``value``. discord.py trips over anything else before a check can run.
    """
    if options is None:
        return True
    if not isinstance(options, list):
        return False
    for o in options:
        if not isinstance(o, dict) or not isinstance(o.get("name"), str):
            return False
        kind = o.get("type")
        if not isinstance(kind, int) or isinstance(kind, bool):
            return False
        if kind in (1, 2):
            if not options_well_formed(o.get("options")):
                return False
        elif "value" not in o:
            return False
    return True


def options_match(interaction: discord.Interaction) -> bool:
    """A check: every parameter present when required, with the type the command declares.

    discord.py passes option values through untouched, so a stale client or a forged payload
    could hand a command an int where it expects a str; this refuses that politely instead.
    """
    cmd = interaction.command
    if not isinstance(cmd, app_commands.Command):
        return True
    given = {str(o.get("name")): o for o in _leaf_options(interaction.data)}
    params = {p.name: p for p in cmd.parameters}
    if set(given) - set(params):
        raise BadOptions(f"unknown options {sorted(set(given) - set(params))}")
    for name, param in params.items():
        opt = given.get(name)
        if opt is None:
            if param.required:
                raise BadOptions(f"missing option {name}")
            continue
        value, want = opt.get("value"), _PY_TYPES.get(param.type)
        if opt.get("type") != param.type.value or (
            want is not None
            and (not isinstance(value, want) or (bool not in want and isinstance(value, bool)))
        ):
            raise BadOptions(f"option {name} has the wrong type")
    return True


def require_manage_guild(interaction: discord.Interaction) -> bool:
    if not can_manage_guild(interaction):
        raise AdminOnly("Manage Server required")
    return True


class CooldownBuckets:
    """Sliding-window rate limit per user id, in memory; stale buckets are dropped as we go."""

    def __init__(self, cooldown: Cooldown, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown = cooldown
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._next_sweep = 0.0

    def __len__(self) -> int:
        return len(self._hits)

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        cutoff = now - self.cooldown.per
        for uid in [u for u, q in self._hits.items() if not q or q[-1] <= cutoff]:
            del self._hits[uid]
        self._next_sweep = now + self.cooldown.per

    def hit(self, user_id: int) -> float:
        """Record a use; 0.0 when allowed, else the seconds until the next use is allowed."""
        if not self.cooldown.enabled:
            return 0.0
        now = self._clock()
        self._sweep(now)
        q = self._hits.setdefault(user_id, deque())
        cutoff = now - self.cooldown.per
        while q and q[0] <= cutoff:
            q.popleft()
        if len(q) >= self.cooldown.rate:
            return max(q[0] + self.cooldown.per - now, 0.001)
        q.append(now)
        return 0.0

    def retry_after(self, interaction: discord.Interaction) -> float:
        """Record a public answer for the member; 0.0 when allowed (members with Manage Server
        always are), else the seconds to wait.
        """
        if not self.cooldown.enabled or can_manage_guild(interaction):
            return 0.0
        return self.hit(interaction.user.id)

    def check(self, interaction: discord.Interaction) -> bool:
        """An app_commands check on public answers: a command asked with ``private: true`` is
        never limited (nor is a member with Manage Server).
        """
        if getattr(interaction.namespace, "private", False) is True:
            return True
        wait = self.retry_after(interaction)
        if wait:
            raise CooledDown(wait)
        return True
