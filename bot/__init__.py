"""factbot: answers slash commands with short summaries in which every statement is sourced.

Core modules (no discord import): ``book`` (data model), ``load`` (facts.yaml -> FactBook),
``search`` (ranking), ``compose`` (answers), ``render`` (text / JSON / embed dicts).
Discord layer: ``discord_app``. Command line: ``cli``.
"""

__version__ = "0.1.0"
