"""What a citation needs and how facts lean on each other: the validator's integrity rules,
tried on the base book of tests/factbook/broken/ with one change each, and on the bundled book.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.factbook import (
    DEFAULT_PATH,
    Finding,
    figures,
    is_placeholder,
    load_bytes,
    load_path,
    same_figure,
)

BASE = (Path(__file__).parent / "broken" / "ok.yaml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 27)
BUNDLED = Path(__file__).parents[2] / DEFAULT_PATH


def _changed(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def _warnings(text: str) -> list[Finding]:
    result = load_bytes(text.encode(), "book.yaml", today=TODAY)
    assert result.ok, [str(f) for f in result.errors]
    return list(result.warnings)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_the_base_book_has_no_integrity_warning() -> None:
    assert _warnings(BASE) == []


@pytest.mark.parametrize(
    "title",
    [
        "[Report on repatriated N. Korean workers; title not captured]",
        "[AP: UN deadline (title from URL slug)]",
        "Newser story; title not captured",
        "n/a",
        "TBD",
        "Untitled",
    ],
)
def test_a_placeholder_title_is_located_and_explained(title: str) -> None:
    text = _changed("    title: Example Global Estimates", f'    title: "{title}"')
    (warning,) = _warnings(text)
    assert (warning.code, warning.subject) == ("placeholder-title", "example-estimates")
    assert (warning.line, warning.column) == (_line_of(text, title), 12)
    assert "leave 'title' out" in warning.message and "publisher and date" in warning.message


def test_real_titles_with_brackets_inside_are_not_placeholders() -> None:
    assert not is_placeholder("Slaves to the System [second edition]: the Polish case")
    assert not is_placeholder("N/A: a study of absent answers in surveys")
    assert is_placeholder("  [anything in brackets]  ")


def test_a_source_may_have_no_title_at_all() -> None:
    text = _changed("    title: Example Global Estimates\n", "")
    assert _warnings(text) == []
    book = load_bytes(text.encode(), today=TODAY).book
    assert book is not None and book.sources["example-estimates"].title is None


def test_a_url_that_is_only_a_site_root_is_a_warning() -> None:
    text = _changed("url: https://example.org/estimates", "url: https://www.example.org/")
    (warning,) = _warnings(text)
    assert (warning.code, warning.subject) == ("site-url", "example-estimates")
    assert warning.line == _line_of(text, "https://www.example.org/")
    assert "the page's own address" in warning.message


def test_words_read_on_another_site_need_the_facts_marked_secondhand() -> None:
    read = "    url: https://example.org/estimates\n    read_at: https://mirror.example.net/copy\n"
    text = _changed("    url: https://example.org/estimates\n", read)
    # example-estimate is verified (the default) and cites this source
    (warning,) = _warnings(text)
    assert (warning.code, warning.subject) == ("read-elsewhere", "example-estimates")
    assert "mirror.example.net" in warning.message and "secondhand" in warning.message
    quiet = text.replace(
        '    quote: "example estimate words"\n',
        '    quote: "example estimate words"\n    confidence: secondhand\n'
        "    reported_by: Example Mirror\n",
    )
    assert _warnings(quiet) == []
    book = load_bytes(quiet.encode(), today=TODAY).book
    assert book is not None
    assert book.sources["example-estimates"].read_at == "https://mirror.example.net/copy"


def test_words_read_on_another_page_of_the_same_site_are_fine() -> None:
    read = "    url: https://example.org/estimates\n    read_at: https://example.org/print/1\n"
    assert _warnings(_changed("    url: https://example.org/estimates\n", read)) == []


def test_an_estimate_says_who_made_it() -> None:
    claim = "    claim: Example figure of people in forced labour on a given day."
    text = _changed(claim, claim.replace("Example figure", "An estimated 28 million"))
    (warning,) = _warnings(text)
    assert (warning.code, warning.subject) == ("no-estimator", "example-estimate")
    said = text.replace(
        "    as_of: 2021\n", '    as_of: 2021\n    estimated_by: "Example Institute"\n'
    )
    assert _warnings(said) == []
    book = load_bytes(said.encode(), today=TODAY).book
    assert book is not None and book.facts["example-estimate"].estimated_by == "Example Institute"


def test_repeats_and_never_with_are_read_into_the_book() -> None:
    text = _changed(
        "    claim: An older example figure for workers abroad.\n",
        "    claim: An older example figure for workers abroad.\n"
        "    repeats: nk-workers-abroad\n"
        "    never_with: [example-estimate]\n",
    )
    book = load_bytes(text.encode(), today=TODAY).book
    assert book is not None
    old, new = book.facts["nk-workers-abroad-old"], book.facts["nk-workers-abroad"]
    assert old.repeats == "nk-workers-abroad" and old.never_with == ("example-estimate",)
    assert book.origin(old) is new and book.origin(new) is new
    assert book.repeated_by(new) == (old,) == book.repeated_by(old)
    assert book.repeated_by(book.facts["example-estimate"]) == ()


def test_a_repeat_must_share_a_figure_rounding_aside() -> None:
    assert same_figure(figures("28 million in forced labour"), figures("27.6 million people"))
    assert same_figure(figures("US$1.2–2.3 billion"), figures("$1.2-2.3 billion a year"))
    assert not same_figure(figures("20,000 workers"), figures("50,000 workers"))
    assert not same_figure(figures("in 2015 and 2016"), figures("in 2015"))  # years are not figures
    assert figures("freed 2,000 slaves in 2016") == {2000}  # "2,000" is written as a figure


def test_figures_read_scales_and_korean_units() -> None:
    assert figures("50,000–60,000 labourers, $1.2–2.3 billion") == {50_000, 60_000, 1.2, 2.3e9}
    assert figures("노동자는 3만명으로 추정됐다") == {30_000}
    assert figures("약 10만 명을 파견해 연간 5억 달러") == {100_000, 5e8}
    assert figures("in 2019, as of 2023") == frozenset()


def test_the_bundled_book_passes_strictly_and_credits_its_estimates() -> None:
    result = load_path(BUNDLED)
    assert result.ok and result.findings == (), [str(f) for f in result.findings]
    book = result.book
    assert book is not None and len(book) >= 90
    assert not any(s.title and is_placeholder(s.title) for s in book.sources.values())
    origin = book.facts["revenue-estimate-2012-origin"]
    repeats = {f.id for f in book.repeated_by(origin)}
    assert repeats == {
        "nkdb-2015-workers-revenue-estimate",
        "fa-2015-revenue-hard-cash",
        "unsr-2015-revenue-estimate",
    }
    assert all(book.origin(book.facts[r]) is origin for r in repeats)
    for fid in ("fa-2015-author", "fa-2015-host-countries"):  # read on the Freedom Fund repost
        assert "freedomfund.org" in book.source_of(book.facts[fid]).url
