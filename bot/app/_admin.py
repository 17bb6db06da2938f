"""The admin group /facts (status, reload, stale, insights): Manage Server only, checked by the
bot itself.

``default_permissions`` is set as a hint for Discord's UI, but server admins can change it, so
every subcommand also checks the member's permissions (``require_manage_guild``).
"""

from __future__ import annotations

import datetime as dt

import discord
from discord import app_commands

from bot.app._buttons import admin_view, reload_now
from bot.app._channel_limits import repeat_status
from bot.app._checks import require_manage_guild
from bot.app._insights import insights_reply, usage_status
from bot.app._replies import Services, digest_status, send, today
from bot.app._reports import stale_report, status_text
from bot.app._usage import insights_for
from bot.curation import stale_facts
from bot.usage import MAX_RETENTION_DAYS, UsageUnavailable
from bot.words import plural

#: Days ``/facts insights`` covers unless asked.
INSIGHTS_DAYS = 30
#: Entries per list worked out for the reply (it shows what fits).
INSIGHTS_LIMIT = 10


def admin_group(svc: Services) -> app_commands.Group:
    group = app_commands.Group(
        name="facts",
        description="Fact file status, reload, stale facts and usage insights (Manage Server)",
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
            f"Cooldown on public answers: {limit} (private answers: never).\n"
            f"{repeat_status(svc.repeats)}\n"
            f"{usage_status(svc.usage)}"
        )
        await send(interaction, text, ephemeral=True, view=admin_view())

    @group.command(name="stale", description="Facts due for review, with who should look")
    @admin
    async def stale(interaction: discord.Interaction) -> None:
        await send(interaction, stale_report(svc.facts.book, today()), ephemeral=True)

    @group.command(name="reload", description="Reload facts.yaml now and report what changed")
    @admin
    async def reload(interaction: discord.Interaction) -> None:
        await reload_now(interaction, svc, "slash command")

    @group.command(
        name="insights",
        description="Most asked facts and topics, facts never asked, questions without an answer",
    )
    @app_commands.describe(days=f"How many days back (default {INSIGHTS_DAYS})")
    @admin
    async def insights(
        interaction: discord.Interaction,
        days: app_commands.Range[int, 1, MAX_RETENTION_DAYS] = INSIGHTS_DAYS,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            found = await insights_for(svc.usage, svc.facts.index, days, INSIGHTS_LIMIT)
        except UsageUnavailable as problem:
            await send(interaction, f"No insights: {problem}.", ephemeral=True)
            return
        await send(interaction, insights_reply(found), ephemeral=True)

    return group
