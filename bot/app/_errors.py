"""What a member is told when an interaction cannot be answered: one note per expected failure.

Owns the wording of refusals (a cooldown, a missing permission, a command Discord no longer
has, a malformed option) and :data:`SOMETHING_WRONG` for a bug, shared by the command tree's
``on_error`` and the buttons.
"""

from __future__ import annotations

import time

from discord import app_commands

from bot.app._checks import AdminOnly, BadOptions, CooledDown

SOMETHING_WRONG = "Something went wrong while answering; it has been logged. Please try again."


def error_message(error: app_commands.AppCommandError) -> str | None:
    """The user-facing note for an expected failure; None for a bug (gets a traceback)."""
    if isinstance(error, CooledDown):
        when = int(time.time() + error.retry_after + 0.999)
        return (
            f"You are posting quickly: please try again in {error.retry_after:.0f} s "
            f"(<t:{when}:R>). Private answers (private: true) are never limited."
        )
    if isinstance(error, AdminOnly):
        return "Only members with the Manage Server permission can use this command."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server only."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return (
            "This command is not (or no longer) available in factbot. "
            "Type / to see the current commands."
        )
    if isinstance(error, BadOptions | app_commands.TransformerError):
        return "An option was missing or had the wrong type: please pick the command again from /."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    return None
