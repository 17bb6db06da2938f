"""Each file in tests/broken/ holds one mistake: the loader must locate and explain it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.factbook import load_path

BROKEN = Path(__file__).parent / "broken"
TODAY = dt.date(2026, 11, 27)

# name, line:column, subject ("-" for none), code, number of errors, a fragment of the message
TABLE = """
duplicate_key      35:5   example-estimate      duplicate-key   1 first at line 34, again at line 35
misspelt_field     30:5   nk-workers-abroad     unknown-field   1 did you mean 'regions'?
unknown_source     35:13  example-estimate      unknown-source  1 mean 'example-estimates'?
unknown_topic      42:14  nk-workers-abroad-old unknown-topic   1 mean 'nk-overseas-labour'?
tab                38:1   -                     tab             1 indent with spaces
bad_indent         37:4   -                     indentation     1 bad indentation
unclosed_quote     37:12  -                     unclosed-quote  1 unclosed quote
colon_in_value     40:24  -                     yaml-syntax     1 in quotes
duplicate_fact_id  39:9   example-estimate      duplicate-id    1 first at line 33, again at line 39
duplicate_source   11:3   fa-2015-outsourcing   duplicate-id    2 first at line 5, again at line 11
bad_id             33:9   Example_Estimate      bad-id          1 e.g. 'example-estimate'
bad_url            15:10  example-estimates     bad-url         1 https://
bad_date           14:11  example-estimates     bad-date        1 '2022-02-30' should be a real
future_reviewed    32:15  nk-workers-abroad     future-date     1 in the future
number_claim       40:12  nk-workers-abroad-old wrong-type      1 not a number
list_title         22:12  global-estimates      wrong-type      1 should be text, not a list
empty_topics       36:13  example-estimate      no-topics       1 at least one topic
missing_url        11:3   example-estimates     missing-field   1 missing 'url'
empty_claim        34:12  example-estimate      missing-field   1 'claim' is empty
bad_confidence     44:17  nk-workers-abroad-old bad-confidence  1 did you mean 'secondhand'?
self_superseded    46:20  nk-workers-abroad-old bad-superseded  1 by itself
supersede_cycle    33:20  nk-workers-abroad     supersede-cycle 1 abroad -> nk-workers-abroad-old
unknown_superseded 46:20  nk-workers-abroad-old unknown-fact    1 did you mean 'nk-workers-abroad'?
bad_version        2:10   -                     bad-version     1 'version: 1'
no_version         2:1    -                     no-version      1 missing 'version: 1'
bad_review_every   3:15   -                     bad-number      1 positive number of days
bad_region         30:22  nk-workers-abroad     bad-id          1 'North Korea'
bad_as_of          38:12  example-estimate      bad-date        1 'last year'
python_tag         20:18  -                     bad-tag         1 !!python/object/apply:os.system
long_claim         40:12  nk-workers-abroad-old claim-too-long  1 the limit is 280
facts_mapping      24:3   -                     wrong-type      1 should be a list of facts
undefined_alias    36:13  -                     undefined-alias 1 *estimates
misspelt_claim     40:5   nk-workers-abroad-old unknown-field   1 did you mean 'claim'?
unknown_section    2:1    -                     missing-section 2 missing 'facts' section
no_facts           2:1    -                     missing-section 1 missing 'facts' section
top_list           2:1    -                     not-a-mapping   1 the file is a list
top_string         2:1    -                     not-a-mapping   1 a single value
empty              1:1    -                     empty           1 the file is empty
comments_only      1:1    -                     empty           1 the file is empty
not_utf8           12:40  -                     not-utf8        1 0xe9 is not UTF-8
alias_bomb         8:4    -                     alias-bomb      1 alias expansion
recursive_alias    3:7    -                     recursive-alias 1 contains itself
deep               3:70   -                     too-deep        1 nesting deeper than 64
unknown_repeats    39:14  example-estimate      unknown-fact    1 did you mean 'nk-workers-abroad'?
self_repeats       39:14  example-estimate      bad-repeats     1 cannot repeat itself
repeats_other_figure 41:14 nk-workers-abroad-old repeats-other-figure 1 share no figure
repeats_cycle      33:14  nk-workers-abroad     repeats-cycle   1 goes round in a circle
unknown_never_with 39:37  example-estimate      unknown-fact    1 did you mean 'nk-workers-abroad'?
self_never_with    39:18  example-estimate      bad-never-with  1 lists the fact itself
synonym_phrase     6:6    -                     synonym-phrase  1 write [permit, authorization]
duplicate_synonym  6:11   -                     duplicate-synonym 1 the synonym group at line 5
synonyms_mapping   5:3    -                     wrong-type      1 a list of word groups
"""


def _expected() -> dict[str, tuple[int, int | None, str | None, str, int, str]]:
    out = {}
    for row in TABLE.strip().splitlines():
        name, where, subject, code, n_errors, fragment = row.split(maxsplit=5)
        line, column = where.split(":")
        out[name] = (
            int(line),
            None if column == "-" else int(column),
            None if subject == "-" else subject,
            code,
            int(n_errors),
            fragment,
        )
    return out


EXPECTED = _expected()


def test_every_broken_file_has_an_expectation() -> None:
    files = {p.stem for p in BROKEN.glob("*.yaml")} - {"ok"}
    assert files == set(EXPECTED)


def test_the_base_file_is_valid_and_quiet() -> None:
    result = load_path(BROKEN / "ok.yaml", today=TODAY)
    assert result.ok and result.findings == ()
    assert result.book is not None and len(result.book) == 3


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_is_located_and_explained(name: str) -> None:
    line, column, subject, code, n_errors, fragment = EXPECTED[name]
    result = load_path(BROKEN / f"{name}.yaml", today=TODAY)
    assert result.book is None
    assert len(result.errors) == n_errors, [str(f) for f in result.errors]
    first = result.errors[0]
    assert (first.line, first.code, first.subject) == (line, code, subject), str(first)
    if column is not None:
        assert first.column == column, str(first)
    hit = [f for f in result.errors if fragment in f.message]
    assert hit, [f.message for f in result.errors]
    assert str(first).startswith(f"{BROKEN / name}.yaml:{line}:")


def test_the_misspelt_claim_suggests_claim() -> None:
    result = load_path(BROKEN / "misspelt_claim.yaml", today=TODAY)
    unknown = [f for f in result.errors if f.code == "unknown-field"]
    assert [(f.line, f.message) for f in unknown] == [
        (40, "unknown field 'claimm' in a fact (did you mean 'claim'?)")
    ]
