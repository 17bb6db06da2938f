"""Whole-book outputs for curators: what is due for review, the book exported, and insights.

The face of the curation stage: :func:`stale_facts` and :func:`newly_stale` (facts past their
review interval, and those that became so in a window), :class:`DigestSchedule` (when a
digest goes out), the export formats :func:`to_markdown`, :func:`to_csv`, :func:`to_json`, and
:func:`insights` (the book beside its usage counts: most asked, never asked, unanswered
questions with their nearest topics) with :func:`insights_text`, :func:`insights_json`,
:func:`insights_csv`. Pure: dates, clocks and counts are passed in, and nothing is worded for
Discord here.
"""

from bot.curation._export import CSV_COLUMNS, FORMATS, escape_markdown, to_csv, to_json, to_markdown
from bot.curation._freshness import (
    DEFAULT_DIGEST_DAYS,
    DigestSchedule,
    StaleFact,
    due_date,
    newly_stale,
    stale_facts,
    untracked_count,
)
from bot.curation._insights import (
    DEFAULT_LIMIT,
    INSIGHT_FORMATS,
    Counted,
    Insights,
    Question,
    insights,
    insights_csv,
    insights_json,
    insights_text,
    nearest,
    questions,
    where_to_look,
    window_line,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_DIGEST_DAYS",
    "DEFAULT_LIMIT",
    "FORMATS",
    "INSIGHT_FORMATS",
    "Counted",
    "DigestSchedule",
    "Insights",
    "Question",
    "StaleFact",
    "due_date",
    "escape_markdown",
    "insights",
    "insights_csv",
    "insights_json",
    "insights_text",
    "nearest",
    "newly_stale",
    "questions",
    "stale_facts",
    "to_csv",
    "to_json",
    "to_markdown",
    "untracked_count",
    "where_to_look",
    "window_line",
]
