"""The admin group /facts (status, reload, stale): Manage Server only, checked by the bot itself.

``default_permissions`` is set as a hint for Discord's UI, but server admins can change it, so
every subcommand also checks the member's permissions (``require_manage_guild``).
"""

from __future__ import annotations

import datetime as dt

import discord
from discord import app_commands

from bot.app._checks import require_manage_guild
from bot.app._replies import Services, digest_status, send, today
from bot.app._reports import announcement, stale_report, status_text
from bot.curation import stale_facts
from bot.words import plural


def admin_group(svc: Services) -> app_commands.Group:
    group = app_commands.Group(
        name="facts",
        description="Fact file status, reload and stale facts (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    admin = app_commands.check(require_manage_guild)

    @group.command(name="status", description="Loaded version, counts, load time, last error")
    @admin
    async def status(interaction: discord.Interaction) -> None:
        cd = svc.cooldowns.cooldown
        limit = f"{cd.rate} uses per {cd.per:g} s per member" if cd.enabled else "off"
        stale = len(stale_facts(svc.facts.book, today()))
        text = (
            f"{status_text(svc.facts)}\nStale: {plural(stale, 'fact')} due for review"
            f"{' (list: /facts stale)' if stale else ''}.\n"
            f"{digest_status(svc.digest, dt.datetime.now(dt.UTC))}\n"
            f"Cooldown on public commands: {limit}."
        )
        await send(interaction, text, ephemeral=True)

    @group.command(name="stale", description="Facts due for review, with who should look")
    @admin
    async def stale(interaction: discord.Interaction) -> None:
        await send(interaction, stale_report(svc.facts.book, today()), ephemeral=True)

    @group.command(name="reload", description="Reload facts.yaml now and report what changed")
    @admin
    async def reload(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await svc.facts.reload("slash command")
        await svc.on_report(report)
        await send(interaction, announcement(report), ephemeral=True)

    return group
