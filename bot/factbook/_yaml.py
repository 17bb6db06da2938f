"""Bytes -> a YAML node tree, safely: decoding, composing, and the checks that need the whole tree.

This module owns everything that happens before the facts schema is looked at:

* UTF-8 decoding (a BOM is accepted; a bad byte is reported with its line and column);
* composing the events of PyYAML's parser (libyaml's when available, pure Python otherwise) into
  nodes that keep their line and column (plain tuples, see "nodes" below; nesting, the number
  of values and aliases are bounded as they are built). No Python object is ever constructed
  from a tag: scalars are resolved lazily by :func:`scalar_tag`, and nothing but
  the standard data tags is accepted;
* :func:`check_tree`: refuses alias bombs and nesting made deep by aliases before anyone walks
  the tree, and flags non-standard tags (``!!python/object...``) wherever they are;
* turning PyYAML's exceptions into located, curator-readable findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, Literal

import yaml
from yaml import events
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from bot.factbook._findings import Finding

if TYPE_CHECKING:
    from typing_extensions import TypeIs

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

#: Node counts added by alias re-use beyond which a document is refused ("billion laughs").
ALIAS_BUDGET = 100_000
#: Collections nested deeper than this are refused (facts.yaml needs four levels).
MAX_DEPTH = 64
#: Values (nodes) in one document, and explicit tags (``!``): each node costs ~400 bytes of
#: memory, so this bounds a load near 450 MB. A 10,000-fact book has about 240,000 nodes.
MAX_NODES = 1_000_000
MAX_BANGS = 100_000

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
#: The tag the composer gives an untagged plain scalar; :func:`scalar_tag` resolves it on demand.
PLAIN_TAG = "tag:factbot,2026:plain"
_SCALAR_TAGS = frozenset(
    {PLAIN_TAG, STR_TAG, INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG, TIMESTAMP_TAG}
)
# first character -> ((tag, regexp), ...): PyYAML's YAML 1.1 implicit resolvers, read only
_IMPLICIT_BY_FIRST = {
    first: tuple(pairs) + tuple(Resolver.yaml_implicit_resolvers.get(None, []))
    for first, pairs in Resolver.yaml_implicit_resolvers.items()
    if first is not None
}
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


# -- nodes ------------------------------------------------------------------------------------
# A node is a plain tuple, (kind, tag, value, line, column): its kind ("scalar", "sequence" or
# "mapping"), its tag (PLAIN_TAG for an untagged plain scalar), its value (a scalar's text, a
# list's items, a mapping's keys and values alternating, in the file's order: read them with
# pairs()) and where it starts (1-based). Plain tuples, not classes, on purpose: the garbage
# collector stops tracking a tuple that holds only strings, numbers and such tuples, so a whole
# tree ends up untracked. It does so one level of the tree per collection, so the tree is kept
# shallow: a tuple per (key, value) pair was one level more and 70,000 more tuples.
# A 10,000-fact book has about 240,000 nodes; held as named tuples, every full collection
# while the book loaded walked all of them, and each stalled the event loop by 50-100 ms.
ScalarNode = tuple[Literal["scalar"], str, str, int, int]
SequenceNode = tuple[Literal["sequence"], str, "tuple[Node, ...]", int, int]
MappingNode = tuple[Literal["mapping"], str, "tuple[Node, ...]", int, int]
Node = ScalarNode | SequenceNode | MappingNode
#: Where a node keeps its tag and its value (read its place with :func:`position`).
TAG: Final = 1
VALUE: Final = 2


def is_scalar(node: Node | None) -> TypeIs[ScalarNode]:
    """Whether ``node`` is a scalar."""
    return node is not None and node[0] == "scalar"


def is_sequence(node: Node | None) -> TypeIs[SequenceNode]:
    """Whether ``node`` is a list."""
    return node is not None and node[0] == "sequence"


def is_mapping(node: Node | None) -> TypeIs[MappingNode]:
    """Whether ``node`` is a mapping."""
    return node is not None and node[0] == "mapping"


def is_collection(node: Node | None) -> TypeIs[SequenceNode | MappingNode]:
    """Whether ``node`` is a list or a mapping."""
    return node is not None and node[0] != "scalar"


def pairs(node: MappingNode) -> Iterator[tuple[Node, Node]]:
    """A mapping's (key, value) pairs, in the file's order."""
    items = iter(node[VALUE])
    return zip(items, items, strict=False)


def peek(node: Node, key: str) -> str | None:
    """The text under ``key`` in a mapping, as written (to label findings about the entry
    before it is validated): None when ``node`` is no mapping or the value no text.
    """
    if is_mapping(node):
        for k, value in pairs(node):
            if is_scalar(k) and k[VALUE] == key and is_scalar(value):
                return value[VALUE].strip() or None
    return None


def empty_sequence(at: Node) -> SequenceNode:
    """An empty list where ``at`` is (``facts:`` with nothing under it)."""
    return ("sequence", SEQ_TAG, (), at[3], at[4])


def empty_mapping(at: Node) -> MappingNode:
    """An empty mapping where ``at`` is (``sources:`` with nothing under it)."""
    return ("mapping", MAP_TAG, (), at[3], at[4])


def scalar_tag(node: ScalarNode) -> str:
    """The YAML 1.1 tag of a scalar (``!!int`` for ``2015``, ``!!str`` for ``"2015"``)."""
    tag, value = node[TAG], node[VALUE]
    if tag is not PLAIN_TAG and tag != PLAIN_TAG:
        return tag
    for tag, regexp in _IMPLICIT_BY_FIRST.get(value[:1], ()):
        if regexp.match(value):
            return str(tag)
    return STR_TAG


def is_null(node: ScalarNode) -> bool:
    """``~``, ``null``, an empty plain value, or an explicit ``!!null``."""
    tag = node[TAG]
    if tag is PLAIN_TAG or tag == PLAIN_TAG:
        return node[VALUE] in _NULL_WORDS
    return bool(tag == NULL_TAG)


def is_blank(node: Node | None) -> bool:
    """A scalar with nothing in it: null (``~``, empty) or only spaces (``" "``)."""
    return is_scalar(node) and (is_null(node) or not node[VALUE].strip())


def short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


def position(node: Node) -> tuple[int, int]:
    """1-based (line, column) where a node starts."""
    return node[3], node[4]


# -- composing -------------------------------------------------------------------------------
_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"
_TOO_MANY = f"more than {MAX_NODES:,} values in the file (a 10,000-fact book has ~240,000): refused"


class _Refused(Exception):
    """The document is refused while it is composed (too many values, recursion)."""

    def __init__(self, message: str, code: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.code, self.line, self.column = code, line, column


class _PureParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser (its events only)."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


def _place(event: events.Event) -> tuple[int, int]:
    """1-based (line, column) where an event starts."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _build(next_event: Callable[[], Any]) -> Node | None:
    """The single document of an event stream as nodes; aliases share the anchored node."""
    anchors: dict[str, Node | None] = {}  # None: the anchored collection is still open
    stack: list[tuple[bool, str | None, tuple[int, int], list[Node], str | None]] = []
    root: Node | None = None
    count = 0
    documents = 0
    while True:
        event = next_event()
        kind = event.__class__
        node: Node
        if kind is events.ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = PLAIN_TAG if event.implicit[0] else STR_TAG
            line, column = _place(event)
            node = ("scalar", tag, event.value, line, column)
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise _Refused(_TOO_DEEP, "too-deep", *_place(event))
            if event.anchor is not None:
                anchors[event.anchor] = None
            tag = None if event.tag in (None, "!") else event.tag
            is_map = kind is events.MappingStartEvent
            stack.append((is_map, tag, _place(event), [], event.anchor))
            continue
        elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            is_map, tag, (line, column), items, anchor = stack.pop()
            if is_map:
                node = ("mapping", tag or MAP_TAG, tuple(items), line, column)
            else:
                node = ("sequence", tag or SEQ_TAG, tuple(items), line, column)
            if anchor is not None:
                anchors[anchor] = node
        elif kind is events.AliasEvent:
            anchor = str(event.anchor)
            if anchor not in anchors:
                msg = f"*{anchor} refers to no anchor (&name) defined above it"
                raise _Refused(msg, "undefined-alias", *_place(event))
            target = anchors[anchor]
            if target is None:  # an alias inside the collection it names
                line, column = next(f[2] for f in reversed(stack) if f[4] == anchor)
                msg = "recursive alias: this value contains itself"
                raise _Refused(msg, "recursive-alias", line, column)
            node = target
        elif kind is events.DocumentStartEvent:
            documents += 1
            if documents > 1:
                msg = "the file holds more than one YAML document ('---'): keep everything in one"
                raise _Refused(msg, "yaml-syntax", *_place(event))
            continue
        elif kind is events.StreamEndEvent:
            return root
        else:  # stream start, document end
            continue
        count += 1
        if count > MAX_NODES:
            raise _Refused(_TOO_MANY, "too-many-nodes", None, None)
        if stack:
            stack[-1][3].append(node)
        else:
            root = node


def has_libyaml() -> bool:
    return bool(yaml.__with_libyaml__)


def decode(data: bytes, path: str) -> tuple[str | None, Finding | None]:
    """UTF-8 text (BOM removed), or a finding at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        start = exc.start
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        msg = "the file is UTF-16, not UTF-8: save it as UTF-8"
        return None, Finding("error", path, 1, 1, None, msg, "not-utf8")
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    prefix = data[line_start:start].removeprefix(b"\xef\xbb\xbf")
    column = len(prefix.decode("utf-8", errors="replace")) + 1
    msg = f"byte 0x{data[start]:02x} is not UTF-8: save the file as UTF-8"
    return None, Finding("error", path, line, column, None, msg, "not-utf8")


def compose(text: str, path: str, *, pure: bool = False) -> tuple[Node | None, Finding | None]:
    """The document's root node (None for an empty document), or the syntax error."""
    use_c = has_libyaml() and not pure
    if text.count("!") > MAX_BANGS:  # explicitly tagged nodes are not counted while composing
        msg = f"more than {MAX_BANGS:,} '!' characters (YAML tags): refused unread"
        return None, Finding("error", path, None, None, None, msg, "too-many-nodes")
    # Values are separated by commas, line breaks or "- ": far more separators than the node
    # bound can only be a flood of tiny values; refuse it before spending time composing it.
    if text.count(",") + text.count("\n") + text.count("- ") > 2 * MAX_NODES:
        return None, Finding("error", path, None, None, None, _TOO_MANY, "too-many-nodes")
    parser: _PureParser | CParser | None = None
    try:
        # the pure reader checks the characters as soon as it is built: inside the try
        parser = CParser(text) if use_c else _PureParser(text)
        return _build(parser.get_event), None
    except yaml.MarkedYAMLError as exc:
        return None, _syntax_finding(exc, text, path)
    except yaml.reader.ReaderError as exc:
        return None, _reader_finding(exc, text, path)
    except _Refused as exc:
        return None, Finding("error", path, exc.line, exc.column, None, str(exc), exc.code)
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        msg = f"YAML error: {exc}"
        return None, Finding("error", path, None, None, None, msg, "yaml-syntax")
    finally:
        if parser is not None:
            parser.dispose()


# -- PyYAML errors -> findings ---------------------------------------------------------------
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _reader_finding(exc: yaml.reader.ReaderError, text: str, path: str) -> Finding:
    bad = _NON_PRINTABLE.search(text)
    index = bad.start() if bad else min(int(exc.position), len(text))
    line, col = _line_col(text, index)
    char = ord(text[index]) if index < len(text) else exc.character
    msg = f"control character U+{char:04X} is not allowed in YAML: delete it"
    return Finding("error", path, line, col, None, msg, "bad-character")


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str) -> Finding:
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    if problem == _TOO_DEEP or "maximum nesting depth" in problem:
        return Finding("error", path, line + 1, col + 1, None, _TOO_DEEP, "too-deep")
    is_tab = "tab" in problem or _char_at(text, line, col) == "\t"
    quote = None if is_tab or "quoted scalar" in context else _open_quote(text, line)
    if quote is not None:
        q_line, q_col = quote
        msg = (
            f"unclosed quote: the quoted text that starts here does not end on this line "
            f"(YAML read on and failed at line {line + 1})"
        )
        return Finding("error", path, q_line, q_col, None, msg, "unclosed-quote")
    ctx = exc.context_mark
    ctx_at = f"line {ctx.line + 1}" if ctx is not None else "above"
    code = "yaml-syntax"
    if is_tab:
        msg, code = "a tab character: indent with spaces, not tabs", "tab"
    elif "quoted scalar" in context and ctx is not None:
        line, col = ctx.line, ctx.column
        msg, code = "unclosed quote: the quoted text that starts here never ends", "unclosed-quote"
    elif "mapping values are not allowed" in problem:
        msg = (
            "unexpected ':' here: put text that contains ': ' in quotes, "
            "or check the indentation of this line"
        )
    elif "block" in context or "block end" in problem or "expected key" in problem:
        msg = (
            f"bad indentation: this line does not line up with the lines above (block at {ctx_at})"
        )
        code = "indentation"
    elif "flow sequence" in context or "flow mapping" in context:
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        msg = f"the '{opener}' at {ctx_at} is never closed with '{closer}'"
    else:
        detail = f" ({context} at {ctx_at})" if context else ""
        msg = f"YAML syntax error: {problem}{detail}"
    return Finding("error", path, line + 1, col + 1, None, msg, code)


_QUOTED_VALUE = re.compile(r"""[ \t]*(?:-[ \t]+)?(?:[^\s#'"][^:#]*:[ \t]+)?(["'])(.*)""")
_DOUBLE_CLOSED = re.compile(r'(?:[^"\\]|\\.)*"')
_SINGLE_CLOSED = re.compile(r"(?:[^']|'')*'")


def _open_quote(text: str, error_line: int) -> tuple[int, int] | None:
    """(line, column), 1-based, of the first value before ``error_line`` (0-based) whose opening
    quote is not closed on its own line: the usual cause of a syntax error further down.
    """
    for number, line in enumerate(text.splitlines()[: error_line + 1]):
        match = _QUOTED_VALUE.match(line)
        if match is None:
            continue
        closed = _DOUBLE_CLOSED if match.group(1) == '"' else _SINGLE_CLOSED
        if not closed.match(match.group(2)):
            return number + 1, match.start(1) + 1
    return None


# -- whole-tree checks -----------------------------------------------------------------------
def _children(node: MappingNode | SequenceNode) -> list[Node]:
    return list(node[VALUE])


def needs_tree_check(text: str) -> bool:
    """Whether :func:`check_tree` has anything to find in this text.

    Aliases need anchors and refused tags need a ``!``: a file with neither skips the walk of
    every node. Prose such as "R&D" or "Stop!" does not match, and a false match only costs
    the walk. (Nesting is bounded while the tree is built.)
    """
    return _has_anchor_or_tag(text)


def _has_anchor_or_tag(text: str) -> bool:
    """An ``&`` or ``!`` after a separator and before a name (not "R&D", "Stop!" or "a & b")."""
    for mark in "&!":
        i = text.find(mark)
        while i != -1:
            before = text[i - 1] if i else "\n"
            after = text[i + 1 : i + 2]
            if before in " \t\r\n[{," and after and after not in " \t\r\n[]{},":
                return True
            i = text.find(mark, i + 1)
    return False


class _Frame:
    """A collection being measured: its children, the next one to visit, size and height."""

    __slots__ = ("height", "kids", "next", "node", "size")

    def __init__(self, node: MappingNode | SequenceNode) -> None:
        self.node = node
        self.kids = _children(node)
        self.next = 0
        self.size = 1  # expanded node count of the subtree, aliases included
        self.height = 0  # of the tallest child so far


def check_tree(
    root: Node, path: str, *, alias_budget: int = ALIAS_BUDGET, max_depth: int = MAX_DEPTH
) -> tuple[list[Finding], frozenset[int]]:
    """Refuse alias bombs and nesting made deep by aliases; flag non-standard tags.

    Each distinct node is visited once (iteratively: no recursion). A collection reached again
    through an alias adds its expanded size to a budget; past ``alias_budget`` the document is
    refused. Returns the findings and the ids of nodes with a refused tag (the validator skips
    those instead of reporting them twice). A refusal is a single finding: stop there.
    """
    findings: list[Finding] = []
    bad: set[int] = set()

    def check_tag(node: Node) -> None:
        tag = str(node[TAG])
        if is_scalar(node):
            ok = tag in _SCALAR_TAGS
        else:
            ok = tag == (MAP_TAG if is_mapping(node) else SEQ_TAG)
        if not ok:
            bad.add(id(node))
            line, col = position(node)
            why = "Python objects are never loaded" if "python/" in tag else "not a plain data tag"
            msg = f"tag '{short_tag(tag)}' refused ({why}): use plain text, numbers and dates"
            findings.append(Finding("error", path, line, col, None, msg, "bad-tag"))

    def refuse(node: Node, message: str, code: str) -> tuple[list[Finding], frozenset[int]]:
        line, col = position(node)
        return [Finding("error", path, line, col, None, message, code)], frozenset(bad)

    check_tag(root)
    if not is_collection(root) or bad:
        return findings, frozenset(bad)
    done: dict[int, tuple[int, int]] = {}  # id(collection) -> (expanded size, height)
    extra = 0  # nodes added by aliases
    stack = [_Frame(root)]
    while stack:
        frame = stack[-1]
        if frame.next == len(frame.kids):
            stack.pop()
            height = frame.height + 1
            done[id(frame.node)] = (frame.size, height)
            if stack:
                stack[-1].size += frame.size
                stack[-1].height = max(stack[-1].height, height)
            continue
        child = frame.kids[frame.next]
        frame.next += 1
        if not is_collection(child):
            if child[TAG] is not PLAIN_TAG:
                check_tag(child)
            frame.size += 1
            frame.height = max(frame.height, 1)
            continue
        seen = done.get(id(child))
        if seen is not None:
            size, height = seen
            extra += size
            if extra > alias_budget:
                line, _ = position(child)
                msg = (
                    f"alias expansion: aliases of the value at line {line} expand the document "
                    f"past {alias_budget:,} nodes (an alias bomb); refused"
                )
                return refuse(frame.node, msg, "alias-bomb")
            if len(stack) + height > max_depth:
                return refuse(child, _TOO_DEEP, "too-deep")
            frame.size += size
            frame.height = max(frame.height, height)
            continue
        if len(stack) >= max_depth:
            return refuse(child, _TOO_DEEP, "too-deep")
        check_tag(child)
        stack.append(_Frame(child))
    return findings, frozenset(bad)
