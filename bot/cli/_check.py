"""``python -m bot check``: validate a facts file and report every problem.

Owns the command's output (text for people, JSON for CI bots, the stale list) and its exit
status: 0 valid, 1 invalid (or warnings/stale facts with ``--strict``, or an expected question
that no longer gets its fact first with ``--queries``), 2 a file that cannot be read. Only
``--queries`` asks the book anything, so only it loads the answers stage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from bot.curation import StaleFact, stale_facts
from bot.factbook import (
    DEFAULT_MAX_BYTES,
    DEFAULT_PATH,
    FactsUnreadable,
    Finding,
    LoadResult,
    load_path,
    load_queries,
)
from bot.words import plural


def _stale_entry(item: StaleFact) -> dict[str, Any]:
    return {
        "id": item.fact.id,
        "line": item.fact.line,
        "reviewed": item.reviewed.isoformat(),
        "days_overdue": item.days_overdue,
        "publisher": item.publisher,
        "url": item.url,
    }


def _failed(result: LoadResult, stale: list[StaleFact], strict: bool) -> bool:
    if not result.ok:
        return True
    return strict and bool(result.warnings or stale)


def _print_text(result: LoadResult, path: str, stale: list[dict[str, Any]] | None) -> None:
    for finding in result.findings:
        print(finding.report_line())
    if stale is not None:
        if result.book is None:
            print(f"{path}: stale facts not listed: fix the errors first")
        elif not stale:
            print(f"{path}: no stale facts")
        else:
            print(f"{path}: {plural(len(stale), 'stale fact')}, oldest review first:")
            for s in stale:
                print(
                    f"  {s['id']}  reviewed {s['reviewed']}  {s['days_overdue']} days overdue  "
                    f"{s['publisher']}  {s['url']}"
                )
    print(result.summary(path))


def _as_json(
    result: LoadResult, path: str, ok: bool, stale: list[dict[str, Any]] | None
) -> dict[str, Any]:
    counts = dict(result.counts)
    counts.update(errors=len(result.errors), warnings=len(result.warnings))
    out: dict[str, Any] = {
        "path": path,
        "ok": ok,
        "version": result.book.version if result.book else None,
        "counts": counts,
        "errors": [f.to_dict() for f in result.errors],
        "warnings": [f.to_dict() for f in result.warnings],
    }
    if stale is not None:
        out["stale"] = stale
    return out


def expected_findings(result: LoadResult, queries: str) -> list[Finding]:
    """The queries file's own problems, then every question the book no longer answers as
    expected (none asked when the book itself is invalid). Raises FactsUnreadable.
    """
    judged = load_queries(queries)
    if not judged.ok or result.book is None:
        return list(judged.findings)
    from bot.answers import SearchIndex, check_expected  # only --queries needs the engine

    index = SearchIndex(result.book)
    return [*judged.findings, *check_expected(index, judged.queries, queries)]


def main(args: argparse.Namespace) -> int:
    path: str = args.path or DEFAULT_PATH
    max_bytes: int = args.max_bytes if args.max_bytes is not None else DEFAULT_MAX_BYTES
    today = dt.datetime.now(dt.UTC).date()
    try:
        result = load_path(path, max_bytes=max_bytes, today=today)
        expected = expected_findings(result, args.queries) if args.queries else []
    except FactsUnreadable as exc:
        print(f"factbot check: {exc}", file=sys.stderr)
        return 2
    # the same list as /facts stale: oldest review first, superseded facts left out
    stale_list = stale_facts(result.book, today) if result.book is not None else []
    stale = [_stale_entry(item) for item in stale_list]
    failed = _failed(result, stale_list, args.strict) or bool(expected)
    shown = stale if args.stale else None
    if args.fmt == "json":
        out = _as_json(result, path, not failed, shown)
        if args.queries:
            out["queries"] = {"path": args.queries, "failures": [f.to_dict() for f in expected]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_text(result, path, shown)
        if args.queries:
            for finding in expected:
                print(finding.report_line())
            print(f"{args.queries}: {plural(len(expected), 'problem')}")
    return 1 if failed else 0
