"""The preview commands: ``ask``, ``topics`` and ``source`` print what the bot would answer.

Owns loading the facts file for these commands and choosing the exit status. Answers go to
stdout (plain text, or JSON with ``--json``); a miss prints "No fact in the book answers this."
and what to try on stderr and exits 1 (with ``--json`` the JSON, kind "miss", still goes to
stdout). A facts file that cannot be read or is invalid exits 2 with the loader's errors on
stderr. No discord import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

from bot import answers
from bot.answers import Answer, SearchIndex
from bot.factbook import DEFAULT_PATH, FactBook, FactsUnreadable, load_path

EXIT_OK = 0
EXIT_NO = 1
EXIT_CANNOT = 2


def facts_path(args: argparse.Namespace) -> str:
    """``--facts``, else $FACTS_PATH, else ./facts.yaml."""
    path = getattr(args, "facts", None)
    return str(path or os.environ.get("FACTS_PATH") or DEFAULT_PATH)


def load_book(args: argparse.Namespace) -> FactBook | int:
    """The book, or the exit status 2 after printing why it could not be loaded."""
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


def load_index(args: argparse.Namespace) -> SearchIndex | int:
    """The book made searchable, or the exit status 2 (see :func:`load_book`)."""
    book = load_book(args)
    return book if isinstance(book, int) else SearchIndex(book)


def today() -> dt.date:
    """Today in UTC, as the bot counts it."""
    return dt.datetime.now(dt.UTC).date()


def emit(answer: Answer, as_json: bool) -> int:
    """Print ``answer`` and return the exit status (1 for a miss)."""
    if as_json:
        print(json.dumps(answers.to_json(answer), ensure_ascii=False, indent=2))
    elif answer.kind == "miss":
        print(answers.plain(answer), file=sys.stderr)
    else:
        print(answers.plain(answer))
    return EXIT_NO if answer.kind == "miss" else EXIT_OK


def ask(args: argparse.Namespace) -> int:
    """``factbot ask QUERY [--summary] [--json] [--quote] [--facts PATH]``."""
    index = load_index(args)
    if isinstance(index, int):
        return index
    query = " ".join(args.query)
    if args.summary:
        answer = answers.summary_answer(index, query, quote=args.quote, today=today())
    else:
        answer = answers.fact_answer(index, query, quote=args.quote, today=today())
    return emit(answer, args.json)


def topics(args: argparse.Namespace) -> int:
    """``factbot topics``: the topics with their fact counts."""
    index = load_index(args)
    if isinstance(index, int):
        return index
    return emit(answers.topics_answer(index), as_json=False)


def source(args: argparse.Namespace) -> int:
    """``factbot source ID``: a fact's full citation and quote; exit 1 for an unknown id."""
    index = load_index(args)
    if isinstance(index, int):
        return index
    return emit(answers.source_answer(index, args.fact_id, today=today()), as_json=False)
