"""Chunked loading with a cache: the same result as the whole-file load, with less parsing.

Every test compares ``load_bytes(data, cache=warm)`` against ``load_bytes(data)`` (the whole-file
path) as whole LoadResults: the book (facts with their lines, sources, topics, version), every
finding, and the counts.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.chunks
from bot.chunks import LoadCache, split
from bot.load import LoadResult, load_bytes, load_cached

BROKEN = Path(__file__).parent / "broken"
TODAY = dt.date(2026, 11, 27)
OK = (BROKEN / "ok.yaml").read_text()


def whole(text: str) -> LoadResult:
    return load_bytes(text.encode(), "f.yaml", today=TODAY)


def cached(text: str, cache: LoadCache) -> LoadResult:
    return load_bytes(text.encode(), "f.yaml", today=TODAY, cache=cache)


def warm(text: str) -> LoadCache:
    cache = LoadCache()
    assert cached(text, cache) == whole(text)
    return cache


def same(base: str, edited: str) -> LoadCache:
    """Load ``base`` into a cache, then ``edited`` through it: equal to the whole-file load."""
    cache = warm(base)
    assert cached(edited, cache) == whole(edited)
    return cache


def chunked_ok(text: str) -> bool:
    """Whether the chunked path itself gave the result (no fall back to the whole file)."""
    return load_cached(text.encode(), "f.yaml", LoadCache(), today=TODAY) is not None


# -- a table of one-fact edits of ok.yaml ------------------------------------------------------
FIRST = "    claim: Example claim about workers sent abroad to earn currency for the state.\n"
EDITS: dict[str, Callable[[str], str]] = {
    "claim": lambda t: t.replace("Example claim", "Edited claim"),
    "longer fact": lambda t: t.replace(FIRST, FIRST + "    # a note\n\n"),
    "shorter fact": lambda t: t.replace("    as_of: 2015\n", ""),
    "multi-line claim": lambda t: t.replace(FIRST, FIRST.replace("sent ", "sent\n      ")),
    "block claim": lambda t: t.replace(FIRST, "    claim: |\n      Sent abroad.\n  # comment\n"),
    "removed fact": lambda t: t.replace(t[t.index("  - id: example-estimate") :], ""),
    "moved fact": lambda t: t.replace(
        "  - id: example-estimate",
        "  - id: e2\n    claim: x\n"
        "    source: example-estimates\n    topics: [global-estimates]\n"
        "  - id: example-estimate",
    ),
    "no quote": lambda t: t.replace('    quote: "example estimate words"\n', ""),
    "stale": lambda t: t.replace("reviewed: 2026-06-01", "reviewed: 2020-06-01"),
    "duplicate topic": lambda t: t.replace(
        "[global-estimates]", "[global-estimates, global-estimates]"
    ),
    "unused source": lambda t: t.replace(
        "source: example-estimates", "source: fa-2015-outsourcing"
    ),
    "comment at column 0": lambda t: t.replace("    as_of: 2021\n", "# note\n    as_of: 2021\n"),
    "trailing comment": lambda t: t + "# the end\n",
    "unknown source": lambda t: t.replace("source: example-estimates", "source: example-estimate"),
    "unknown topic": lambda t: t.replace("[global-estimates]", "[global-estimate]"),
    "duplicate id": lambda t: t.replace("id: example-estimate", "id: nk-workers-abroad"),
    "cycle": lambda t: t.replace(
        "    as_of: 2021\n", "    as_of: 2021\n    superseded_by: nk-workers-abroad-old\n"
    ).replace(
        "    reviewed: 2026-06-01\n",
        "    reviewed: 2026-06-01\n    superseded_by: example-estimate\n",
    ),
    "self superseded": lambda t: t.replace(
        "    as_of: 2021\n", "    as_of: 2021\n    superseded_by: example-estimate\n"
    ),
    "unknown successor": lambda t: t.replace(
        "superseded_by: nk-workers-abroad", "superseded_by: nk-workers"
    ),
    "misspelt field": lambda t: t.replace("    as_of: 2021", "    as_off: 2021"),
    "duplicate key": lambda t: t.replace("    as_of: 2021", "    as_of: 2021\n    as_of: 2022"),
    "long claim": lambda t: t.replace("Example claim", "x" * 300),
    "future review": lambda t: t.replace("reviewed: 2026-06-01", "reviewed: 2027-06-01"),
    "unclosed quote": lambda t: t.replace('"example estimate words"', '"example estimate words'),
    "quote across items": lambda t: t.replace(
        '"example estimate words"', '"example\n  - id: x\n  "'
    ),
    "tab": lambda t: t.replace("    as_of: 2021", "\tas_of: 2021"),
    "bad indent": lambda t: t.replace("    as_of: 2021", "   as_of: 2021"),
    "shallow line": lambda t: t.replace("    as_of: 2021", " as_of: 2021"),
    "item at a new indent": lambda t: t.replace(
        "  - id: example-estimate", "    - id: example-estimate"
    ),
    "anchor": lambda t: t.replace("[global-estimates]", "&t [global-estimates]"),
    "alias": lambda t: t.replace("source: example-estimates", "source: *x"),
    "tag": lambda t: t.replace("as_of: 2021", "as_of: !!str 2021"),
    "second document": lambda t: t + "---\nversion: 1\n",
    "flow facts": lambda t: t.replace("facts:\n", "facts: []\nfacts2:\n"),
    "facts mapping": lambda t: t.replace(
        "  - id: example-estimate", "  x: 1\n  - id: example-estimate"
    ),
    "topics after the facts": lambda t: (
        t[: t.index("topics:")] + t[t.index("facts:") :] + t[t.index("topics:") : t.index("facts:")]
    ),
    "sources after the facts": lambda t: (
        t[: t.index("sources:")]
        + t[t.index("facts:") :]
        + t[t.index("sources:") : t.index("facts:")]
    ),
    "second facts key": lambda t: t + "facts:\n  - id: more\n",
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "lone cr": lambda t: t.replace("    as_of: 2021\n", "    as_of: 2021\r"),
    "empty item": lambda t: t.replace("  - id: example-estimate", "  -\n  - id: example-estimate"),
    "item on the next line": lambda t: t.replace(
        "  - id: example-estimate", "  -\n    id: example-estimate"
    ),
    "scalar item": lambda t: t.replace(
        "  - id: example-estimate", "  - just words\n  - id: example-estimate"
    ),
    "empty file": lambda t: "",
    "no facts": lambda t: t[: t.index("facts:")],
    "facts at column 0": lambda t: (
        t[: t.index("facts:")] + t[t.index("facts:") :].replace("\n  ", "\n")
    ),
    "version": lambda t: t.replace("version: 1", "version: 2"),
    "review_every": lambda t: t.replace("review_every: 365", "review_every: 30"),
    "head only": lambda t: t.replace("Global estimates", "Global estimates, renamed"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_one_fact_edit_gives_the_whole_file_result(name: str) -> None:
    edited = EDITS[name](OK)
    assert edited != OK
    same(OK, edited)
    same(edited, OK)  # and back


def test_the_table_goes_through_both_paths() -> None:
    chunked = {name for name, f in EDITS.items() if chunked_ok(f(OK))}
    assert {
        "claim",
        "longer fact",
        "block claim",
        "crlf",
        "stale",
        "sources after the facts",
        "facts at column 0",
        "topics after the facts",
        "item on the next line",
    } <= chunked
    assert not chunked & {
        "unknown source",
        "cycle",
        "anchor",
        "tab",
        "quote across items",
        "second document",
        "lone cr",
        "duplicate id",
        "shallow line",
    }


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_broken_file_gives_the_whole_file_findings(path: Path) -> None:
    data = path.read_bytes()
    cache = LoadCache()
    load_bytes(OK.encode(), path.name, today=TODAY, cache=cache)
    got = load_bytes(data, path.name, today=TODAY, cache=cache)
    assert got == load_bytes(data, path.name, today=TODAY)


# -- the cache ---------------------------------------------------------------------------------
def big(n: int, claim: str = "Claim") -> str:
    head = (
        "version: 1\nsources:\n  s1:\n    title: T\n    publisher: P\n    date: 2020\n"
        "    url: https://example.org/r\ntopics:\n  t1:\n    title: A topic\nfacts:\n"
    )
    items = [
        f"  - id: f{i}\n    claim: {claim} {i}.\n    source: s1\n    topics: [t1]\n    quote: q\n"
        for i in range(n)
    ]
    return head + "".join(items)


def test_a_one_fact_edit_parses_one_chunk() -> None:
    base = big(200)
    cache = warm(base)
    assert (cache.parsed, cache.reused) == (200, 0)
    edited = base.replace("Claim 7.", "Claim seven.")
    same_result = cached(edited, cache)
    assert (cache.parsed, cache.reused) == (1, 199)
    assert same_result == whole(edited)
    assert cached(edited, cache) == whole(edited) and cache.parsed == 0
    assert len(cache) == 200  # the old chunk was dropped


def test_lines_follow_a_moved_chunk() -> None:
    base = big(50)
    cache = warm(base)
    edited = base.replace("Claim 3.\n", "Claim 3.\n    # two more lines\n\n")
    result = cached(edited, cache)
    assert cache.parsed == 1 and result == whole(edited)
    assert result.book is not None
    assert result.book.facts["f4"].line == whole(base).book.facts["f4"].line + 2  # type: ignore[union-attr]
    assert result.book.facts["f2"].line == whole(base).book.facts["f2"].line  # type: ignore[union-attr]


def test_a_broken_edit_keeps_the_cache_warm_for_the_fix() -> None:
    base = big(100)
    cache = warm(base)
    broken = base.replace(
        "source: s1\n    topics: [t1]\n    quote: q\n  - id: f9\n",
        "source: s2\n    topics: [t1]\n    quote: q\n  - id: f9\n",
    )
    assert not cached(broken, cache).ok and cache.parsed == 1
    fixed = broken.replace("source: s2", "source: s1")
    assert cached(fixed, cache) == whole(fixed) and cache.parsed == 1


def test_the_pieces_outlive_a_change_of_day() -> None:
    base = big(10).replace("quote: q\n", "quote: q\n    reviewed: 2026-11-27\n", 1)
    cache = warm(base)
    for day in (TODAY + dt.timedelta(days=400), TODAY - dt.timedelta(days=1)):
        got = load_bytes(base.encode(), "f.yaml", today=day, cache=cache)
        assert got == load_bytes(base.encode(), "f.yaml", today=day)
        assert cache.parsed == 0
    assert [f.code for f in got.findings] == ["future-date"]  # from the whole-file load


def test_layouts_that_are_not_recognised() -> None:
    assert split(OK) is not None
    for text in (
        OK.replace("facts:\n", "facts:   \n# c\n"),  # still the usual layout
    ):
        assert split(text) is not None
    for text in (
        "facts: [a, b]\n",
        OK.replace("facts:", '"facts":'),
        OK.replace("version: 1", "--- \nversion: 1"),
        OK + "...\n",
        "version: 1\nfacts:\n",
    ):
        assert split(text) is None, text


def test_scans_in_slices_find_what_spans_a_slice_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a\r\n- b,\n---\n- c!\r\n..\n%- "
    for size in range(1, len(text) + 2):
        monkeypatch.setattr(bot.chunks, "SCAN_SLICE", size)
        for sub in ("\r", "\r\n", "\n", "- ", ",", "!", "\n---", "\n%", "\n...", "x"):
            assert bot.chunks._count(text, sub) == text.count(sub), (size, sub)
            assert bot.chunks._count(text, sub, 3, 17) == text.count(sub, 3, 17), (size, sub)
            for start in (0, 1, 5, 12):
                assert bot.chunks._find(text, sub, start) == text.find(sub, start), (size, sub)


def test_small_scan_slices_give_the_same_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.chunks, "SCAN_SLICE", 7)
    assert split(OK) is not None and chunked_ok(OK)
    same(OK, OK.replace("Example claim", "Edited claim"))
    same(big(20), big(20).replace("Claim 3.\n", "Claim 3.\n    # two more lines\n\n"))
    for text in (OK.replace("version: 1", "--- \nversion: 1"), OK + "...\n", OK + "\r"):
        assert split(text) is None, text


def test_anchors_and_tags_in_any_piece_send_the_load_to_the_whole_file() -> None:
    for text in (
        OK.replace("as_of: 2015", "as_of: &a 2015"),
        OK.replace("as_of: 2021", "as_of: !!int 2021"),
        OK.replace("title: Global estimates", "title: &g Global estimates"),
        OK.replace("    as_of: 2021", "    as_of:\n" + " " * 32 + "x: 1"),
    ):
        assert split(text) is not None and not chunked_ok(text)
        same(OK, text)


def test_the_cache_does_not_grow_over_reloads() -> None:
    cache = LoadCache()
    base = big(30)
    for n in range(40):
        cached(base.replace("Claim 5.", f"Claim five, edit {n}."), cache)
        assert len(cache) == 30


# -- generated books ----------------------------------------------------------------------------
ids = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
words = st.text(
    st.characters(categories=["L", "N", "P", "Zs"], max_codepoint=0xFFFF), min_size=1, max_size=40
)


@st.composite
def books(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A facts file (a valid one mostly) and the texts of its fact chunks."""
    indent = draw(st.sampled_from([0, 2, 4]))
    pad = " " * indent
    n_src = draw(st.integers(1, 3))
    n_top = draw(st.integers(1, 3))
    out = ["version: 1"]
    if draw(st.booleans()):
        out.append(f"review_every: {draw(st.integers(1, 900))}")
    out.append("sources:")
    for s in range(n_src):
        out += [
            f"  s{s}:",
            "    title: T",
            "    publisher: P",
            "    date: 2020",
            "    url: https://example.org/r",
        ]
    out.append("topics:")
    for t in range(n_top):
        out += [f"  t{t}:", f"    title: {json.dumps(draw(words))}"]
    head = "\n".join(out) + "\n"
    fact_ids = draw(st.lists(ids, min_size=1, max_size=8, unique=True))
    chunks = []
    for fid in fact_ids:
        lines = [
            f"{pad}- id: {fid}",
            f"{pad}  claim: {json.dumps(draw(words))}",
            f"{pad}  source: s{draw(st.integers(0, n_src - 1))}",
        ]
        topics = draw(st.lists(st.integers(0, n_top - 1), min_size=1, max_size=3))
        lines.append(f"{pad}  topics: [{', '.join(f't{t}' for t in topics)}]")
        if draw(st.booleans()):
            lines.append(f"{pad}  quote: {json.dumps(draw(words))}")
        if draw(st.booleans()):
            lines.append(f"{pad}  reviewed: {draw(st.dates(dt.date(2020, 1, 1), TODAY))}")
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"{pad}  superseded_by: {draw(st.sampled_from(fact_ids))}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# note", f"{pad}  # note", "   "])))
        chunks.append("\n".join(lines) + "\n")
    return head + "facts:\n", chunks


mutations = st.sampled_from(
    [
        lambda c: c.replace("claim: ", "claim: x", 1),
        lambda c: c + "\n",
        lambda c: c.replace("source: s", "source: z", 1),
        lambda c: c.replace("topics: [", "topics: [t0, ", 1),
        lambda c: c.replace("claim: ", "claimm: ", 1),
        lambda c: c.replace("- id: ", "- id: dup-", 1),
        lambda c: c.replace("\n", "\n\n", 1),
        lambda c: c.replace('"', "", 1),
        lambda c: c.replace(": ", ":  ", 2),
        lambda c: c.replace("  ", "   ", 1),
        lambda c: "",
        lambda c: c + c,
    ]
)


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(books(), st.data())
def test_generated_books_and_one_mutated_fact(
    book: tuple[str, list[str]], data: st.DataObject
) -> None:
    head, chunks = book
    base = head + "".join(chunks)
    i = data.draw(st.integers(0, len(chunks) - 1))
    mutate = data.draw(mutations)
    edited = head + "".join([*chunks[:i], mutate(chunks[i]), *chunks[i + 1 :]])
    cache = same(base, edited)
    if chunked_ok(base):  # every chunk of the base is in the cache: only the edit is parsed
        assert cache.parsed <= 1


def test_the_counts_are_those_of_the_last_load_even_when_it_never_reached_the_pieces() -> None:
    """A load the layout check sends to the whole-file path parses no piece: the counts left
    by the load before must not look like its own (found by the generated test above)."""
    base = big(3)
    cache = warm(base)
    assert cache.parsed == 3
    odd = base.replace("  - id:", "   - id:", 1)  # the first item deeper than the others
    assert split(odd) is None
    cached(odd, cache)
    assert (cache.parsed, cache.reused) == (0, 0)


def test_nothing_accumulates_over_many_loads() -> None:
    cache = LoadCache()
    base = big(40)
    for n in range(10):
        cached(base.replace("Claim 5.", f"Claim {n}."), cache)
    gc.collect()
    before = len(gc.get_objects())
    for n in range(50):
        cached(base.replace("Claim 5.", f"Claim edit {n}."), cache)
    gc.collect()
    assert len(gc.get_objects()) - before < 200
