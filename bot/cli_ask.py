"""The preview commands: ``ask``, ``topics`` and ``source`` print what the bot would answer.

Owns loading the facts file for these commands and choosing the exit status. Answers go to
stdout (plain text, or JSON with ``--json``); a miss prints "No fact matches." and the "did you
mean" suggestions on stderr and exits 1 (with ``--json`` the JSON, kind "miss", still goes to
stdout). A facts file that cannot be read or is invalid exits 2 with the loader's errors on
stderr. No discord import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

from bot import compose, render
from bot.book import FactBook
from bot.cli import DEFAULT_FACTS

EXIT_OK = 0
EXIT_NO = 1
EXIT_CANNOT = 2


def facts_path(args: argparse.Namespace) -> str:
    """``--facts``, else $FACTS_PATH, else ./facts.yaml."""
    path = getattr(args, "facts", None)
    return str(path or os.environ.get("FACTS_PATH") or DEFAULT_FACTS)


def load_book(args: argparse.Namespace) -> FactBook | int:
    """The book, or the exit status 2 after printing why it could not be loaded."""
    from bot.load import FactsUnreadable, load_path

    path = facts_path(args)
    try:
        result = load_path(path)
    except FactsUnreadable as exc:
        print(f"factbot: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_CANNOT
    if result.book is None or result.errors:
        for finding in result.errors:
            print(str(finding), file=sys.stderr)
        print(f"factbot: {path} is invalid; run `factbot check {path}`", file=sys.stderr)
        return EXIT_CANNOT
    return result.book


def emit(answer: compose.Answer, as_json: bool) -> int:
    """Print ``answer`` and return the exit status (1 for a miss)."""
    if as_json:
        print(json.dumps(render.to_json(answer), ensure_ascii=False, indent=2))
    elif answer.kind == "miss":
        print(render.plain(answer), file=sys.stderr)
    else:
        print(render.plain(answer))
    return EXIT_NO if answer.kind == "miss" else EXIT_OK


def ask(args: argparse.Namespace) -> int:
    """``factbot ask QUERY [--summary] [--json] [--quote] [--facts PATH]``."""
    book = load_book(args)
    if isinstance(book, int):
        return book
    query = " ".join(args.query)
    today = dt.date.today()
    if getattr(args, "summary", False):
        answer = compose.summary_answer(book, query, quote=args.quote, today=today)
    else:
        answer = compose.fact_answer(book, query, quote=args.quote, today=today)
    return emit(answer, args.json)


def topics(args: argparse.Namespace) -> int:
    """``factbot topics``: the topics with their fact counts."""
    book = load_book(args)
    if isinstance(book, int):
        return book
    return emit(compose.topics_answer(book), getattr(args, "json", False))


def source(args: argparse.Namespace) -> int:
    """``factbot source ID``: a fact's full citation and quote; exit 1 for an unknown id."""
    book = load_book(args)
    if isinstance(book, int):
        return book
    answer = compose.source_answer(book, args.fact_id, today=dt.date.today())
    return emit(answer, getattr(args, "json", False))
