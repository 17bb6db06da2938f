"""Command line: argument parsing and dispatch only.

Each command's work lives in its own module (``_check``, ``_ask``, ``_export``,
``_insights``, ``_run``), imported only when that command runs: ``check`` reads the book without
the answers stage, no command but ``insights`` (and ``run``) imports sqlite3, and no command but
``run`` and ``sync`` imports discord.py.

Exit statuses shared by all commands: 0 success, 1 the answer is "no" (invalid file, no match),
2 the command could not run (unreadable file, bad configuration).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.factbook import DEFAULT_PATH as DEFAULT_FACTS

Command = Callable[[argparse.Namespace], int]


def _command(name: str) -> Command:
    """The function behind subcommand ``name``, its module imported now."""
    if name == "check":
        from bot.cli import _check

        return _check.main
    if name == "export":
        from bot.cli import _export

        return _export.export
    if name == "insights":  # sqlite3 and the answers stage: imported only for this command
        from bot.cli import _insights

        return _insights.insights
    if name in ("run", "sync"):
        from bot.cli import _run

        return _run.sync if name == "sync" else _run.run
    from bot.cli import _ask

    command: Command = getattr(_ask, name)
    return command


def _add_facts_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--facts",
        metavar="PATH",
        default=None,
        help=f"facts file (default: $FACTS_PATH or ./{DEFAULT_FACTS})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="factbot",
        description="Sourced answers from a curated facts.yaml, in Discord and in a terminal.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="validate a facts file and report every problem")
    p.add_argument("path", nargs="?", default=None, help=f"facts file (default ./{DEFAULT_FACTS})")
    p.add_argument("--strict", action="store_true", help="warnings fail the check too")
    p.add_argument("--format", choices=("text", "json"), default="text", dest="fmt")
    p.add_argument("--stale", action="store_true", help="list stale facts, oldest review first")
    p.add_argument(
        "--max-bytes", type=int, default=None, metavar="N", help="refuse files larger than N bytes"
    )
    p.add_argument(
        "--queries",
        metavar="FILE",
        default=None,
        help="the team's expected questions: report each that no longer gets its fact first",
    )

    p = sub.add_parser("ask", help="preview the bot's answer to a query")
    p.add_argument("query", nargs="+", help="what to ask")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--summary", action="store_true", help="a short cited summary")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quote", action="store_true", help="include the source's own words")
    _add_facts_option(p)

    p = sub.add_parser("topics", help="list topics with their fact counts")
    _add_facts_option(p)

    p = sub.add_parser("source", help="print a fact's full citation and quote")
    p.add_argument("fact_id", metavar="ID")
    _add_facts_option(p)

    p = sub.add_parser("export", help="write the whole book with citations (Markdown, CSV or JSON)")
    p.add_argument("--format", choices=("markdown", "csv", "json"), default="markdown", dest="fmt")
    p.add_argument(
        "-o", "--output", metavar="FILE", default=None, help="write here (default stdout)"
    )
    _add_facts_option(p)

    p = sub.add_parser(
        "insights", help="most asked facts and topics, facts never asked, unanswered questions"
    )
    p.add_argument("--days", type=int, default=30, metavar="N", help="the last N days (30)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text", dest="fmt")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="entries per list (20)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--stats",
        metavar="PATH",
        default=None,
        help="the usage store (default: $STATS_PATH, or usage.sqlite beside the facts file)",
    )
    where.add_argument(
        "--merge",
        metavar="PATH",
        nargs="+",
        default=None,
        help="several usage stores (one per machine), counted together",
    )
    _add_facts_option(p)

    p = sub.add_parser("run", help="run the Discord bot (configuration from the environment)")

    p = sub.add_parser("sync", help="force a sync of the slash commands with Discord")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = _command(args.command)
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `factbot export | head`
        sys.stderr.close()
        return 0
