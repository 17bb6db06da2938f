"""The command line: ``check``, ``ask``, ``topics``, ``source``, ``export``, ``insights``, ``run``,
``sync``.

``python -m bot COMMAND`` and the ``factbot`` script both call :func:`main`.
"""

from bot.cli._main import build_parser, main

__all__ = ["build_parser", "main"]
