"""``factbot insights``: what the team asked and what the book could not answer, from usage stores.

This module owns finding the store (``--stats``, else ``$STATS_PATH``, else ``usage.sqlite``
beside the facts file), reading it, or several summed with ``--merge`` (one store per machine),
and the exit status; the report and its text, JSON and CSV forms live in :mod:`bot.curation`.
Exit 0 on success, 2 when the facts file or a store cannot be read. The store is only read,
never written. No discord import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from bot import curation
from bot.answers import SearchIndex
from bot.cli._ask import EXIT_CANNOT, EXIT_OK, facts_path, load_book, today
from bot.cli._export import _write_stdout
from bot.usage import UsageUnavailable, default_path, merge_counts


def store_paths(args: argparse.Namespace) -> list[Path]:
    """The stores to read: ``--merge`` files, else ``--stats``, ``$STATS_PATH``, or the default
    beside the facts file.
    """
    if args.merge:
        return [Path(p) for p in args.merge]
    chosen = args.stats or os.environ.get("STATS_PATH")
    return [Path(chosen) if chosen else default_path(Path(facts_path(args)))]


def render(report: curation.Insights, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(curation.insights_json(report), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return curation.insights_csv(report)
    return curation.insights_text(report)


def insights(args: argparse.Namespace) -> int:
    """``factbot insights [--days N] [--format text|json|csv] [--stats PATH | --merge A B ...]``."""
    if args.days < 1 or args.limit < 1:
        print("factbot insights: --days and --limit must be at least 1", file=sys.stderr)
        return EXIT_CANNOT
    book = load_book(args)
    if isinstance(book, int):
        return book
    until = today()
    since = until - dt.timedelta(days=args.days - 1)
    try:
        counts = merge_counts(store_paths(args), since, until)
    except UsageUnavailable as problem:
        hint = "" if args.merge or args.stats else " (pass --stats PATH, or set STATS_PATH)"
        print(f"factbot insights: {problem}{hint}", file=sys.stderr)
        return EXIT_CANNOT
    report = curation.insights(SearchIndex(book), counts, limit=args.limit)
    _write_stdout(render(report, args.fmt))
    return EXIT_OK
