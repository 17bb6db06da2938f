"""``factbot export``: load the facts file and write the whole book as Markdown, CSV or JSON.

This module owns where the output goes (stdout, or a file replaced atomically) and the exit
status; the formats live in :mod:`bot.curation`, and the facts file is found and loaded as for
``ask`` (``--facts``, else ``$FACTS_PATH``, else ./facts.yaml). Exit 0 on success, 2 when the
facts file cannot be read or is invalid (its errors on stderr) or the output cannot be written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from bot import curation
from bot.cli._ask import load_book
from bot.factbook import FactBook


def render(book: FactBook, fmt: str) -> str:
    """The export text of ``book`` in one of :data:`bot.curation.FORMATS`."""
    if fmt == "markdown":
        return curation.to_markdown(book)
    if fmt == "csv":
        return curation.to_csv(book)
    if fmt == "json":
        return json.dumps(curation.to_json(book), ensure_ascii=False, indent=2) + "\n"
    formats = ", ".join(curation.FORMATS)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {formats}")


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees a half-written export."""
    mode = path.stat().st_mode & 0o777 if path.is_file() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_stdout(text: str) -> None:
    """UTF-8 bytes as they are (no newline translation, whatever the locale)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def export(args: argparse.Namespace) -> int:
    """``factbot export [--format markdown|csv|json] [-o FILE] [--facts PATH]``."""
    book = load_book(args)
    if isinstance(book, int):
        return book
    text = render(book, args.fmt)
    if args.output in (None, "-"):
        _write_stdout(text)
        return 0
    try:
        _write_atomically(Path(args.output), text)
    except OSError as exc:
        print(f"factbot export: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    return 0
