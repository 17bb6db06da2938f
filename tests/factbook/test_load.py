"""The loader: values, warnings, encodings, limits and YAML attacks (inline documents)."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import threading
from pathlib import Path

import pytest

from bot.factbook import FactsUnreadable, Finding, LoadResult, closest, load_bytes, load_path

BROKEN = Path(__file__).parent / "broken"
TODAY = dt.date(2026, 11, 27)
OK = (BROKEN / "ok.yaml").read_bytes()

HEAD = """version: 1
sources:
  s1:
    title: A report
    publisher: A publisher
    date: 2020
    url: https://example.org/r
topics:
  t1:
    title: A topic
facts:
"""


def load(text: str | bytes, **kw: object) -> LoadResult:
    data = text.encode() if isinstance(text, str) else text
    return load_bytes(data, "f.yaml", today=TODAY, **kw)  # type: ignore[arg-type]


def fact(extra: str = "", fid: str = "f1") -> str:
    body = "    claim: A claim.\n    source: s1\n    topics: [t1]\n"
    return f"  - id: {fid}\n{body}    quote: q\n{extra}"


def codes(result: LoadResult) -> list[str]:
    return [f.code for f in result.findings]


# -- a valid book ------------------------------------------------------------------------------
def test_values_keep_the_curators_text_and_types() -> None:
    book = load(OK).book
    assert book is not None
    src = book.sources["fa-2015-outsourcing"]
    assert (src.date, src.author, src.line) == ("2015-05-28", "Sarah E. Mendelson", 5)
    assert book.sources["example-estimates"].date == "2022-09"
    f = book.facts["nk-workers-abroad"]
    assert (f.as_of, f.regions, f.reviewed, f.line) == (
        "2015",
        ("china", "russia"),
        dt.date(2026, 6, 1),
        24,
    )
    old = book.facts["nk-workers-abroad-old"]
    assert (old.confidence, old.reported_by, old.superseded_by, old.review_every) == (
        "secondhand",
        "Example Agency",
        "nk-workers-abroad",
        30,
    )
    assert book.topics["nk-overseas-labour"].aliases == (
        "dprk workers abroad",
        "north korean workers",
    )
    assert list(book.facts) == ["nk-workers-abroad", "example-estimate", "nk-workers-abroad-old"]
    assert book.review_every == 365
    assert book.version == hashlib.sha256(OK).hexdigest()[:16]


def test_version_follows_the_bytes() -> None:
    a, b = load(OK).book, load(OK + b"\n# a comment\n").book
    assert a is not None and b is not None
    assert a.version == load(OK).book.version  # type: ignore[union-attr]
    assert a.version != b.version


def test_strings_are_stripped_and_empty_optional_values_are_missing() -> None:
    r = load(
        HEAD
        + '  - id: f1\n    claim: "  padded  "\n    source: s1\n    topics: [t1]\n    quote: ""\n'
    )
    assert r.book is not None
    assert r.book.facts["f1"].claim == "padded"
    assert r.book.facts["f1"].quote is None
    assert codes(r) == ["no-quote"]


def test_plain_words_that_yaml_reads_as_booleans_stay_words_in_ids() -> None:
    r = load(HEAD + fact("    regions: [no, yes, 2015]\n"))
    assert r.book is not None
    assert r.book.facts["f1"].regions == ("no", "yes", "2015")


def test_anchors_and_aliases_within_bounds_are_fine() -> None:
    text = HEAD + fact("    regions: &r [china, russia]\n") + fact("    regions: *r\n", fid="f2")
    r = load(text)
    assert r.book is not None and r.book.facts["f2"].regions == ("china", "russia")


# -- warnings ----------------------------------------------------------------------------------
def test_warnings_do_not_fail_the_load() -> None:
    text = HEAD.replace(
        "topics:\n",
        "  s2:\n    title: B\n    publisher: P\n    date: 2021\n"
        "    url: https://example.org/b\ntopics:\n  t2:\n    title: T2\n",
    )
    text += fact("    reviewed: 2024-01-01\n").replace("    quote: q\n", "")
    r = load(text)
    assert r.ok and r.book is not None
    assert sorted(codes(r)) == ["no-quote", "stale", "unused-source", "unused-topic"]
    stale = next(f for f in r.warnings if f.code == "stale")
    line = text.splitlines().index("    reviewed: 2024-01-01") + 1
    assert (stale.line, stale.subject) == (line, "f1") and "past its 365-day" in stale.message


def test_book_wide_review_every_sets_staleness() -> None:
    text = HEAD.replace("version: 1\n", "version: 1\nreview_every: 2000\n") + fact(
        "    reviewed: 2024-01-01\n"
    )
    assert codes(load(text)) == []
    text = HEAD + fact("    reviewed: 2026-11-01\n    review_every: 7\n")
    assert codes(load(text)) == ["stale"]


def test_synonyms_are_word_groups_as_written() -> None:
    head = HEAD.replace(
        "version: 1\n", "version: 1\nsynonyms:\n  - [ban, Bar, prohibit]\n  - [pay, wage]\n"
    )
    result = load(head + fact())
    assert codes(result) == [] and result.book is not None
    assert result.book.synonyms == (("ban", "Bar", "prohibit"), ("pay", "wage"))
    assert load(HEAD + fact()).book.synonyms == ()  # type: ignore[union-attr]
    lonely = load(HEAD.replace("version: 1\n", "version: 1\nsynonyms:\n  - [ban]\n") + fact())
    assert lonely.ok and [(f.line, f.code) for f in lonely.findings] == [(3, "lonely-synonym")]
    assert lonely.book is not None and lonely.book.synonyms == ()


def test_today_decides_what_is_in_the_future() -> None:
    text = HEAD + fact("    reviewed: 2026-11-28\n")
    assert codes(load(text)) == ["future-date"]
    assert load_bytes(text.encode(), today=dt.date(2026, 12, 1)).ok


# -- every problem, in line order ---------------------------------------------------------------
def test_every_problem_is_reported_in_line_order() -> None:
    text = (
        HEAD
        + fact("    claimm: x\n")
        + "  - id: Bad_Id\n    claim: [a list]\n    source: s2\n    topics: [t9]\n"
    )
    r = load(text)
    assert r.book is None
    assert codes(r) == ["unknown-field", "bad-id", "wrong-type", "unknown-source", "unknown-topic"]
    lines = [f.line or 0 for f in r.findings]
    assert lines == sorted(lines)
    assert r.counts == {"facts": 2, "sources": 1, "topics": 1}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2015", "not a number"),
        ("3.5", "not a number"),
        ("true", "not true/false"),
        ("[a, b]", "not a list"),
        ("{a: b}", "not a mapping"),
    ],
)
def test_a_claim_must_be_text(value: str, fragment: str) -> None:
    text = (
        HEAD + f"  - id: f1\n    claim: {value}\n    source: s1\n    topics: [t1]\n    quote: q\n"
    )
    r = load(text)
    (err,) = r.errors
    assert (err.code, err.line, err.subject) == ("wrong-type", 13, "f1")
    assert fragment in err.message


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ("    review_every: -3\n", "bad-number"),
        ("    review_every: soon\n", "wrong-type"),
        ("    reviewed: 2026-13-01\n", "bad-date"),
        ("    reviewed: 2026\n", "bad-date"),
        ("    as_of: 2015-1\n", "bad-date"),
        ("    regions: china\n", "wrong-type"),
        ("    regions: [china, '']\n", "empty-item"),
        ("    topics2: [t1]\n", "unknown-field"),
        ("    <<: {claim: x}\n", "merge-key"),
        ("    ? [a, b]\n    : c\n", "bad-key"),
        ("    reported_by: [a]\n", "wrong-type"),
    ],
)
def test_field_rules(extra: str, code: str) -> None:
    r = load(HEAD + fact(extra))
    assert [f.code for f in r.errors] == [code], [str(f) for f in r.findings]
    assert r.errors[0].line == 17


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "https://", "example.org", "https://exa mple.org", "http://[::1"]
)
def test_urls_need_http_and_a_host(url: str) -> None:
    r = load(HEAD.replace("https://example.org/r", url) + fact())
    assert [f.code for f in r.errors] == ["bad-url"]


def test_sources_and_topics_sections_must_be_mappings() -> None:
    text = "version: 1\nsources: [a]\ntopics: x\nfacts: []\n"
    r = load(text)
    assert [(f.code, f.line) for f in r.errors] == [("wrong-type", 2), ("wrong-type", 3)]


def test_missing_sources_do_not_drown_the_file_in_unknown_sources() -> None:
    r = load("version: 1\ntopics:\n  t1:\n    title: T\nfacts:\n" + fact())
    assert [f.code for f in r.errors] == ["missing-section"]


# -- encodings ---------------------------------------------------------------------------------
def test_bom_and_crlf_are_accepted() -> None:
    plain = load(OK).book
    both = load(b"\xef\xbb\xbf" + OK.replace(b"\n", b"\r\n")).book
    assert plain is not None and both is not None
    assert dict(both.facts) == dict(plain.facts)


def test_utf16_is_named() -> None:
    r = load(OK.decode().encode("utf-16"))
    assert [(f.code, f.line)] == [("not-utf8", 1)] if (f := r.errors[0]) else False
    assert "UTF-16" in r.errors[0].message


@pytest.mark.parametrize("parser", ["c", "python"])
def test_control_characters_are_located(parser: str) -> None:
    r = load(HEAD + fact().replace("A claim.", "A \x07claim."), parser=parser)
    (err,) = r.errors
    assert (err.code, err.line, err.column) == ("bad-character", 13, 14)


@pytest.mark.parametrize("parser", ["c", "python"])
def test_columns_count_characters_not_bytes(parser: str) -> None:
    text = HEAD + fact().replace("A claim.", "노동자 해외: 파견")
    (err,) = load(text, parser=parser).errors
    assert (err.line, err.column) == (13, 18)  # the colon, counted in characters


def test_two_documents_are_refused() -> None:
    r = load(OK + b"---\nversion: 1\n")
    assert [f.code for f in r.errors] == ["yaml-syntax"] and "one YAML document" in r.errors[
        0
    ].message


# -- limits and attacks ------------------------------------------------------------------------
def test_size_cap_refuses_before_parsing() -> None:
    r = load(b"version: [" * 20, max_bytes=100)
    assert [f.code for f in r.errors] == ["too-large"]
    assert load(OK, max_bytes=len(OK)).ok


def test_size_cap_on_disk(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NULs that must never be read
    r = load_path(big)
    assert [f.code for f in r.errors] == ["too-large"] and "52,428,800 bytes" in r.errors[0].message


def test_unreadable_paths_raise(tmp_path: Path) -> None:
    with pytest.raises(FactsUnreadable, match="No such file"):
        load_path(tmp_path / "missing.yaml")
    with pytest.raises(FactsUnreadable):
        load_path(tmp_path)


@pytest.mark.parametrize("parser", ["c", "python"])
def test_python_tags_are_refused_and_never_run(tmp_path: Path, parser: str) -> None:
    marker = tmp_path / "ran"
    for doc in (
        f'!!python/object/apply:os.system ["touch {marker}"]\n',
        f'version: 1\nextra: !!python/object/apply:os.system ["touch {marker}"]\nfacts: []\n',
        f"version: 1\nfacts:\n  - !!python/object/new:os.system [touch {marker}]\n",
        "version: 1\nfacts: !custom [a]\n",
    ):
        r = load(doc, parser=parser)
        assert r.book is None and "bad-tag" in codes(r), codes(r)
    assert not marker.exists()


@pytest.mark.parametrize("parser", ["c", "python"])
def test_alias_bomb_is_refused(parser: str) -> None:
    r = load((BROKEN / "alias_bomb.yaml").read_bytes(), parser=parser)
    assert [f.code for f in r.findings] == ["alias-bomb"]


@pytest.mark.parametrize("parser", ["c", "python"])
@pytest.mark.parametrize("depth", [65, 5000])
def test_deep_nesting_is_refused_cleanly(parser: str, depth: int) -> None:
    flow = "version: 1\nx: " + "[" * depth + "]" * depth + "\n"
    nested = "".join("  " * (i + 1) + "-\n" for i in range(min(depth, 200)))
    block = "version: 1\nx:\n" + nested
    for doc in (flow, block):
        r = load(doc, parser=parser)
        assert r.book is None and [f.code for f in r.findings] == ["too-deep"], codes(r)


def test_aliased_list_deep_enough_is_refused() -> None:
    inner = "[" * 40 + "]" * 40
    doc = f"version: 1\na: &a {inner}\nb: {'[' * 30}*a{']' * 30}\n"
    assert codes(load(doc)) == ["too-deep"]


def test_pure_and_c_parsers_agree_on_a_valid_book() -> None:
    a, b = load(OK, parser="c"), load(OK, parser="python")
    assert a.book is not None and b.book is not None
    assert dict(a.book.facts) == dict(b.book.facts) and dict(a.book.sources) == dict(b.book.sources)


def test_the_collector_is_back_on_after_loads_in_threads() -> None:
    assert gc.isenabled()
    results: list[LoadResult] = []

    def work() -> None:
        for _ in range(5):
            results.append(load(OK))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled()
    assert len({r.book.version for r in results if r.book}) == 1 and len(results) == 20


# -- findings ----------------------------------------------------------------------------------
def test_finding_text_and_dict() -> None:
    f = Finding("error", "facts.yaml", 12, 5, "nk-revenue", "unknown source 'x'", "unknown-source")
    assert str(f) == "facts.yaml:12:5: nk-revenue: unknown source 'x'"
    assert f.report_line() == "facts.yaml:12:5: error: nk-revenue: unknown source 'x'"
    assert f.to_dict()["line"] == 12 and f.to_dict()["code"] == "unknown-source"
    bare = Finding("warning", "facts.yaml", None, None, None, "empty", "empty")
    assert bare.report_line() == "facts.yaml: warning: empty"


def test_closest_prefers_an_extension_then_a_near_spelling() -> None:
    ids = ["fa-2015-outsourcing", "un-2017-report", "ilo-2022"]
    assert closest("fa-2015", ids) == "fa-2015-outsourcing"
    assert closest("un-2017-reprot", ids) == "un-2017-report"
    assert closest("something-else", ids) is None
    assert closest("x", []) is None


def test_prose_with_ampersands_and_bangs_loads() -> None:
    text = HEAD + fact().replace("A claim.", "R&D and AT&T grew, a & b! Stop!")
    r = load(text)
    assert r.book is not None and r.book.facts["f1"].claim == "R&D and AT&T grew, a & b! Stop!"


@pytest.mark.parametrize("parser", ["c", "python"])
def test_a_flood_of_values_is_refused(monkeypatch: pytest.MonkeyPatch, parser: str) -> None:
    from bot.factbook import _yaml as yaml_nodes  # the bounds, made small for the test

    monkeypatch.setattr(yaml_nodes, "MAX_NODES", 40)
    # ok.yaml: few separators (under 2 x 40), so it is composed, and refused at the 41st node
    assert codes(load(OK, parser=parser)) == ["too-many-nodes"]
    flood = "version: 1\nx: [" + "a," * 100 + "a]\n"  # refused before composing
    assert codes(load(flood, parser=parser)) == ["too-many-nodes"]
    monkeypatch.setattr(yaml_nodes, "MAX_NODES", 1000)
    assert load(OK, parser=parser).ok


def test_a_flood_of_tags_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.factbook import _yaml as yaml_nodes  # the bounds, made small for the test

    monkeypatch.setattr(yaml_nodes, "MAX_BANGS", 10)
    assert codes(load("version: 1\nx: [" + "!!str a, " * 11 + "]\n")) == ["too-many-nodes"]


def test_empty_sections_are_empty_not_wrong() -> None:
    r = load("version: 1\nsources:\ntopics:\nfacts:\n")
    assert r.ok and r.book is not None and len(r.book) == 0 and r.findings == ()
    r = load("version: 1\nsources:\ntopics:\nfacts:\n" + fact())
    assert codes(r) == ["unknown-source", "unknown-topic"]


def test_a_superseded_fact_is_never_stale() -> None:
    text = HEAD + fact() + fact("    superseded_by: f1\n    reviewed: 2020-01-01\n", fid="f2")
    assert codes(load(text)) == []
