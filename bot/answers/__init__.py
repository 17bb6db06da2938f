"""FactBook + query -> Answer: search, the answers, and their text and JSON forms.

The face of the answering stage::

    index = SearchIndex(book)                    # built once per version of the book
    answer = fact_answer(index, "Rusia logging")  # or summary_answer, search_answer, ...
    print(plain(answer))                          # or to_json(answer), short_answer(answer)

An answer is a miss when no fact covers the query well enough; a miss carries suggestions.
Nothing here imports discord: the Discord layer renders embeds from the same pieces.
"""

from bot.answers._claims import (
    CLAIMS_MAX,
    NO_MATCH_TEXT,
    ClaimCheck,
    ClaimMatch,
    check_claims,
    claim_sentences,
    related_answer,
)
from bot.answers._complete import complete_facts, complete_topics, fact_label, topic_label
from bot.answers._compose import (
    SEARCH_LIMIT,
    Answer,
    Kind,
    fact_answer,
    newest,
    search_answer,
    source_answer,
    suggest,
    topics_answer,
)
from bot.answers._expected import Outcome, check_expected, judge
from bot.answers._index import ANSWER_COVERAGE, Hit, SearchIndex
from bot.answers._render import (
    and_more,
    citation,
    did_you_mean,
    fit_items,
    heading,
    marks,
    plain,
    quote_text,
    read_at_note,
    sentence,
    source_name,
    to_json,
)
from bot.answers._share import NOTHING_FITS, SHORT_LIMIT, short_answer
from bot.answers._summary import (
    SUMMARY_MAX_CHARS,
    SUMMARY_MAX_FACTS,
    conflicting,
    duplicates,
    split_sentences,
    summary_answer,
)
from bot.answers._text import english_uses, fold, query_terms, raw_tokens, stem, terms

__all__ = [
    "ANSWER_COVERAGE",
    "CLAIMS_MAX",
    "NOTHING_FITS",
    "NO_MATCH_TEXT",
    "SEARCH_LIMIT",
    "SHORT_LIMIT",
    "SUMMARY_MAX_CHARS",
    "SUMMARY_MAX_FACTS",
    "Answer",
    "ClaimCheck",
    "ClaimMatch",
    "Hit",
    "Kind",
    "Outcome",
    "SearchIndex",
    "and_more",
    "check_claims",
    "check_expected",
    "citation",
    "claim_sentences",
    "complete_facts",
    "complete_topics",
    "conflicting",
    "did_you_mean",
    "duplicates",
    "english_uses",
    "fact_answer",
    "fact_label",
    "fit_items",
    "fold",
    "heading",
    "judge",
    "marks",
    "newest",
    "plain",
    "query_terms",
    "quote_text",
    "raw_tokens",
    "read_at_note",
    "related_answer",
    "search_answer",
    "sentence",
    "short_answer",
    "source_answer",
    "source_name",
    "split_sentences",
    "stem",
    "suggest",
    "summary_answer",
    "terms",
    "to_json",
    "topic_label",
    "topics_answer",
]
