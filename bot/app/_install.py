"""Where factbot's commands live and who can install them: the home server, or also as a
member's own app (``USER_INSTALL=on``).

Owns the placement of commands: without user install every command goes to ``DISCORD_GUILD_ID``
(or, unset, globally), as before. With it, /fact, /summary and "Find sources" are global
commands that a member can install as their own app and use in any server and in DMs, with the
team's book; every other command, the admin group above all, stays a server-install command of
the home server (Discord only offers user-installed commands globally).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands

from bot.app._find_sources import FIND_SOURCES

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu
Scope = discord.Object | None

#: The commands a member may install as their own app.
USER_COMMANDS = frozenset({"fact", "summary", FIND_SOURCES})
#: Install types and contexts, with user install on.
USER_APP = app_commands.AppInstallationType(guild=True, user=True)
SERVER_APP = app_commands.AppInstallationType(guild=True, user=False)
ANYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
IN_SERVERS = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)


def place_commands(
    commands: Iterable[AnyCommand], *, home: Scope, user_install: bool
) -> dict[Scope, list[AnyCommand]]:
    """Each command under the scope it is synced to (None: global), in the order given. With
    ``user_install`` the commands of :data:`USER_COMMANDS` may be installed by a member and used
    anywhere; the others are for servers that installed factbot, in servers only.
    """
    placed: dict[Scope, list[AnyCommand]] = {}
    for cmd in commands:
        scope = home
        if user_install:
            anywhere = cmd.name in USER_COMMANDS
            cmd.allowed_installs = USER_APP if anywhere else SERVER_APP
            cmd.allowed_contexts = ANYWHERE if anywhere else IN_SERVERS
            scope = None if anywhere else home
        placed.setdefault(scope, []).append(cmd)
    return placed


def user_install_url(application_id: int) -> str:
    """The link a member opens to add factbot to their own apps."""
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        "&integration_type=1&scope=applications.commands"
    )
