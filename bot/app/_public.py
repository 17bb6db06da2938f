"""The public slash commands: /fact, /summary, /search, /source, /topics.

Each maps an interaction to one call into the answers stage on the book in service.
/fact and /summary also take ``format:`` (embed, plain, short; see ``_replies``).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot import answers
from bot.app._limits import CHOICES_MAX
from bot.app._replies import FORMAT_CHOICES, FORMAT_HELP, Services, check_format, choices, reply

PRIVATE = "Only you see the answer"


def public_commands(svc: Services) -> list[app_commands.Command[Any, ..., None]]:
    """Build the public commands bound to ``svc`` (cooldown check included)."""
    cooldown = app_commands.check(svc.cooldowns.check)

    async def fact_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        index = svc.facts.index
        return choices(lambda: answers.complete_facts(index, current, CHOICES_MAX), "fact", current)

    async def topic_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        index = svc.facts.index
        return choices(
            lambda: answers.complete_topics(index, current, CHOICES_MAX), "topic", current
        )

    @app_commands.command(name="fact", description="One fact with its source")
    @app_commands.describe(
        query="What to look up (words, or pick a fact)", format=FORMAT_HELP, private=PRIVATE
    )
    @app_commands.autocomplete(query=fact_choices)
    @app_commands.choices(format=FORMAT_CHOICES)
    @cooldown
    async def fact(
        interaction: discord.Interaction, query: str, format: str = "embed", private: bool = False
    ) -> None:
        await reply(
            interaction,
            svc,
            query,
            lambda index, q, day: answers.fact_answer(index, q, today=day),
            private=private,
            fmt=check_format(format),
        )

    @app_commands.command(name="summary", description="A short summary of a topic, all cited")
    @app_commands.describe(
        topic="The topic (pick one or type its name)", format=FORMAT_HELP, private=PRIVATE
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.choices(format=FORMAT_CHOICES)
    @cooldown
    async def summary(
        interaction: discord.Interaction, topic: str, format: str = "embed", private: bool = False
    ) -> None:
        await reply(
            interaction,
            svc,
            topic,
            lambda index, q, day: answers.summary_answer(index, q, today=day),
            private=private,
            fmt=check_format(format),
        )

    @app_commands.command(name="search", description="Up to 10 matching facts, one line each")
    @app_commands.describe(query="Words to search for", private=PRIVATE)
    @cooldown
    async def search(interaction: discord.Interaction, query: str, private: bool = False) -> None:
        await reply(
            interaction,
            svc,
            query,
            lambda index, q, day: answers.search_answer(index, q, today=day),
            private=private,
        )

    @app_commands.command(name="source", description="The full citation and quote of one fact")
    @app_commands.describe(fact="The fact's id (pick one)")
    @app_commands.autocomplete(fact=fact_choices)
    @cooldown
    async def source(interaction: discord.Interaction, fact: str) -> None:
        await reply(
            interaction,
            svc,
            fact.strip(),
            lambda index, q, day: answers.source_answer(index, q, today=day),
            private=False,
        )

    @app_commands.command(name="topics", description="The topics and how many facts each has")
    @cooldown
    async def topics(interaction: discord.Interaction) -> None:
        await reply(
            interaction,
            svc,
            "",
            lambda index, q, day: answers.topics_answer(index),
            private=False,
        )

    return [fact, summary, search, source, topics]
