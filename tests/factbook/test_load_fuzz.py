"""Property-based fuzzing of the loader: nothing escapes as an exception, and every input gives
either a book or located errors. Short here; ``bench/fuzz_load.py`` runs the same tests long."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.factbook import LoadResult, load_bytes

OK_TEXT = (Path(__file__).parent / "broken" / "ok.yaml").read_text()
OK_DATA: dict[str, Any] = yaml.safe_load(OK_TEXT)
TODAY = dt.date(2026, 11, 27)
#: Examples per test: small in the suite; bench/fuzz_load.py raises it for a long run.
EXAMPLES = int(os.environ.get("FACTBOT_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

#: How many inputs went through :func:`check` (bench/fuzz_load.py prints it).
RUNS = [0]


def check(data: bytes, parser: str = "auto") -> LoadResult:
    """The property every input must satisfy."""
    RUNS[0] += 1
    result = load_bytes(data, "fuzz.yaml", today=TODAY, parser=parser)  # type: ignore[arg-type]
    if result.book is not None:
        assert not result.errors
        assert len(result.book) == result.counts["facts"]
    else:
        assert result.errors, "no book and no error"
        for err in result.errors:
            assert err.line is not None and err.line >= 1, str(err)
            assert err.message and err.code
    lines = [f.line or 0 for f in result.findings]
    assert lines == sorted(lines)
    return result


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.dates().map(str),
    st.sampled_from(["verified", "secondhand", "2015", "2015-05", "https://example.org/x", "no"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
YAMLISH = ":-[]{}&*!|>'\"#%@`,?\n\t\r\x07\ufeff  abcxyz019_\\é한"


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["c", "python"]))
def test_random_bytes(data: bytes, parser: str) -> None:
    check(data, parser)


@FUZZ
@given(st.text(alphabet=YAMLISH, max_size=200), st.sampled_from(["c", "python"]))
def test_yamlish_text(text: str, parser: str) -> None:
    check(text.encode(), parser)


@FUZZ
@given(values)
def test_random_documents(doc: object) -> None:
    check(yaml.safe_dump(doc, allow_unicode=True).encode())


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(OK_DATA)


@FUZZ
@given(st.sampled_from(PATHS), st.one_of(values, st.just(KeyError)), st.booleans())
def test_valid_book_with_one_field_mutated(
    path: tuple[Any, ...], new: object, rename: bool
) -> None:
    doc = yaml.safe_load(OK_TEXT)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    renamed = rename and isinstance(parent, dict)
    if renamed:
        parent[f"{last}x"] = parent.pop(last)
    elif new is KeyError:
        del parent[last]
    else:
        parent[last] = new
    result = check(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode())
    if renamed:  # an unknown field, or an id that references no longer reach
        assert result.errors, "a renamed key must be noticed"


@FUZZ
@given(st.integers(0, len(OK_TEXT)), st.integers(0, 5), st.text(alphabet=YAMLISH, max_size=5))
def test_valid_text_with_one_edit(at: int, cut: int, insert: str) -> None:
    check((OK_TEXT[:at] + insert + OK_TEXT[at + cut :]).encode())
