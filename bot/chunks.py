"""Chunked loading: a facts file read piece by piece, each piece's result kept for the next load.

This module owns the fast path of reloading a big, mostly unchanged file. The text is split,
only when its layout is recognised with certainty, into

* the head: everything but the items of the top-level ``facts:`` list (version, review_every,
  sources, topics), with the items' lines left blank so that every line keeps its number;
* one chunk per fact: from a ``- `` line at the list's indent up to the next one (blank lines and
  comments go with the chunk before). A block sequence indented by N spaces is a YAML document
  by itself, so a chunk parses on its own with the same columns; only lines shift.

Each chunk's result (its :class:`bot.validate.FactPart`) is kept in a :class:`LoadCache` under
the chunk's exact text, so a reload parses only the chunks that changed. The rules across
entries (references, duplicate ids, superseding cycles, unused sources and topics, stale
reviews) run over the whole book every time (:func:`bot.validate.assemble`).

The path gives up (``None``: the caller loads the whole file) on any doubt: an unrecognised
layout, anchors, aliases, tags (looked for in each piece as it is parsed: the hint of
:func:`bot.yaml_nodes.needs_tree_check` reads lines, and a piece is whole lines), document
markers, unusual line breaks, a syntax error in any piece, or any error at all in the result.
So the findings a curator sees are always those of the whole-file path, and a clean result
equals the whole-file one (the same FactBook, lines included, and the same warnings).

Live reload runs this in a worker thread beside the event loop, so no step holds the GIL for
long: the checks that scan the whole text go a slice at a time (:data:`SCAN_SLICE`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import threading
from dataclasses import dataclass

from yaml.nodes import SequenceNode

from bot import yaml_nodes
from bot.book import Fact, FactBook
from bot.findings import Finding
from bot.validate import FactPart, HeadPart, assemble, read_fact, read_head

_FACTS_LINE = re.compile(r"facts:[ \t]*(?:#[^\n]*)?(?:\r?\n|$)")
_CONTENT = re.compile(r"\n( *)(?=[^ #\r\n])")  # a line with something but a comment
_MARKERS = ("---", "...", "%")  # document markers and directives at the start of a line
_ODD_BREAKS = ("\x85", "\u2028", "\u2029", "\t")
#: Characters one C call of a whole-text search covers. The scans of the text (a 3.5 MB file
#: for 10,000 facts) go slice by slice, so that the worker thread a reload runs in gives the
#: event loop the GIL between slices: a scan of the whole text is one call that holds the GIL
#: for 1-4 ms, and a reload made a dozen of them.
SCAN_SLICE = 1 << 18


def _count(text: str, sub: str, start: int = 0, end: int | None = None) -> int:
    """``text.count(sub, start, end)`` slice by slice, for a ``sub`` that cannot overlap itself
    (each occurrence is counted in the slice where it starts)."""
    stop = len(text) if end is None else min(end, len(text))
    reach = len(sub) - 1
    return sum(
        text.count(sub, a, min(a + SCAN_SLICE + reach, stop))
        for a in range(start, stop, SCAN_SLICE)
    )


def _find(text: str, sub: str, start: int = 0) -> int:
    """``text.find(sub, start)``, slice by slice."""
    reach = len(sub) - 1
    for a in range(start, len(text), SCAN_SLICE):
        at = text.find(sub, a, a + SCAN_SLICE + reach)
        if at != -1:
            return at
    return -1


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the pieces of a facts file are (character offsets into its text)."""

    head: str  # the text with the facts' lines blanked (or cut when nothing follows them)
    starts: tuple[int, ...]  # offset of each fact chunk; the last one ends at ``end``
    end: int


def split(text: str) -> Layout | None:
    """The head and fact chunks of ``text``, or None when the layout is not plainly the usual
    one: ``facts:`` at column 0 in block style, its items at one indent, every other line of an
    item deeper (or blank, or a comment), and the list ending at a line at column 0."""
    if any(_find(text, c) != -1 for c in _ODD_BREAKS):
        return None
    if _count(text, "\r") != _count(text, "\r\n"):
        return None
    if text.startswith(_MARKERS) or any(_find(text, "\n" + m) != -1 for m in _MARKERS):
        return None
    at = -1 if text.startswith("facts:") else _find(text, "\nfacts:")
    if at == -2 or _find(text, "\nfacts:", at + 1) != -1 or not _FACTS_LINE.match(text, at + 1):
        return None
    body = text.find("\n", at + 1)  # the line break before the first item
    if body == -1:
        return None
    first = _CONTENT.search(text, body)
    if first is None:
        return None
    indent = len(first.group(1))
    starts: list[int] = []
    end = len(text)
    pattern = re.compile(rf"\n( {{0,{indent}}})(?=[^ #\r\n])")
    for m in pattern.finditer(text, body):
        line, after = m.start() + 1, m.end()
        item = text[after] == "-" and text[after + 1 : after + 2] in ("", " ", "\n", "\r")
        if len(m.group(1)) == indent and item:
            starts.append(line)
            continue
        if after == line:  # a line at column 0: the list has ended
            end = line
            break
        return None  # a line between the item indent and column 0, or at it but no item
    if not starts or starts[0] != first.start() + 1:
        return None
    body += 1
    if end == len(text):
        head = text[:body]
    else:
        head = text[:body] + "\n" * _count(text, "\n", body, end) + text[end:]
    return Layout(head, tuple(starts), end)


@dataclass(slots=True)
class _Kept:
    """A chunk's result, and its fact placed at the lines where the chunk was last seen."""

    part: FactPart
    nodes: int
    lines: int  # line breaks in the chunk
    offset: int
    fact: Fact


class LoadCache:
    """Results of the pieces of the last load, for :func:`load_chunked` (one load at a time).

    Holds only what the last load used: an edit's old chunks are dropped as it completes, so
    nothing accumulates over reloads. ``parsed`` and ``reused`` count the chunks of the last
    load that were parsed and that came from the cache.
    """

    def __init__(self) -> None:
        self._facts: dict[str, _Kept] = {}
        self._head: tuple[str, HeadPart, int] | None = None
        self._context: str | None = None
        self._lock = threading.Lock()
        self.parsed = 0
        self.reused = 0

    def __len__(self) -> int:
        return len(self._facts)

    def clear(self) -> None:
        with self._lock:
            self._facts, self._head, self._context = {}, None, None


def _chunks(text: str, layout: Layout) -> list[str]:
    bounds = (*layout.starts, layout.end)
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


@dataclass(frozen=True, slots=True)
class Chunked:
    """What a chunked load gives when it succeeds."""

    book: FactBook
    findings: tuple[Finding, ...]
    counts: dict[str, int]


def load_chunked(
    text: str, path: str, today: dt.date, version: str, cache: LoadCache, *, pure: bool = False
) -> Chunked | None:
    """Load ``text`` piece by piece, reusing ``cache``; None when the whole file must be loaded
    instead (see the module's docstring). The cache keeps every good piece either way."""
    cache.parsed = cache.reused = 0  # a load that never gets to the pieces counts none
    if _count(text, "!") > yaml_nodes.MAX_BANGS or _flood(text):
        return None
    layout = split(text)
    if layout is None:
        return None
    with cache._lock:
        # A piece's result depends on the day only through "reviewed is in the future", which
        # a later day never makes true: so a new day keeps the pieces (assemble checks again).
        if cache._context != path:
            cache._facts, cache._head, cache._context = {}, None, path
        return _load(text, layout, path, today, version, cache, pure)


def _load(
    text: str,
    layout: Layout,
    path: str,
    today: dt.date,
    version: str,
    cache: LoadCache,
    pure: bool,
) -> Chunked | None:
    old = cache._facts
    kept: dict[str, _Kept] = {}
    parts: list[tuple[FactPart, Fact, int]] = []
    failed = False
    nodes = 0
    parsed = 0
    offset = text.count("\n", 0, layout.starts[0])  # lines before the chunk
    for chunk in _chunks(text, layout):
        k = old.get(chunk) or kept.get(chunk)
        if k is None:
            parsed += 1
            k = _read_chunk(chunk, path, today, offset, pure)
        elif k.offset != offset:
            k = _Kept(k.part, k.nodes, k.lines, offset, _placed(k.part.fact, offset))
        if k is None:
            failed = True
            offset += chunk.count("\n")
            continue
        kept[chunk] = k
        nodes += k.nodes
        parts.append((k.part, k.fact, offset))
        offset += k.lines
    cache._facts = kept
    cache.parsed, cache.reused = parsed, len(layout.starts) - parsed
    head = _head(layout.head, path, today, cache, pure)
    if failed or head is None or nodes + head[1] > yaml_nodes.MAX_NODES:
        return None
    built = assemble(head[0], parts, path, today, version)
    if built is None:
        return None
    book, findings = built
    findings.sort(key=Finding.sort_key)
    counts = {"facts": len(parts), **head[0].counts}
    return Chunked(book, tuple(findings), counts)


def _flood(text: str) -> bool:
    """The whole-file composer's refusal of a flood of tiny values (see yaml_nodes.compose)."""
    separators = _count(text, ",") + _count(text, "\n") + _count(text, "- ")
    return separators > 2 * yaml_nodes.MAX_NODES


def _placed(fact: Fact, offset: int) -> Fact:
    return dataclasses.replace(fact, line=fact.line + offset)


def _read_chunk(chunk: str, path: str, today: dt.date, offset: int, pure: bool) -> _Kept | None:
    if yaml_nodes.needs_tree_check(chunk):  # anchors, aliases, tags: the whole-file checks
        return None
    root, problem, nodes = yaml_nodes.compose_counted(chunk, path, pure=pure)
    if problem is not None or not isinstance(root, SequenceNode) or len(root.value) != 1:
        return None
    part = read_fact(root.value[0], path, today)
    if part is None:
        return None
    return _Kept(part, nodes - 1, chunk.count("\n"), offset, _placed(part.fact, offset))


def _head(
    head: str, path: str, today: dt.date, cache: LoadCache, pure: bool
) -> tuple[HeadPart, int] | None:
    """The head's part and node count, from the cache when the head is unchanged."""
    if cache._head is not None and cache._head[0] == head:
        return cache._head[1], cache._head[2]
    if yaml_nodes.needs_tree_check(head):
        return None
    root, problem, nodes = yaml_nodes.compose_counted(head, path, pure=pure)
    if problem is not None:
        return None
    part = read_head(root, path, today)
    if part is None:
        return None
    cache._head = (head, part, nodes)
    return part, nodes
