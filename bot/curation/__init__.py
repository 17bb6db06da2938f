"""Whole-book outputs for curators: what is due for review, and the book exported.

The face of the curation stage: :func:`stale_facts` and :func:`newly_stale` (facts past their
review interval, and those that became so in a window), :class:`DigestSchedule` (when a
digest goes out), and the export formats :func:`to_markdown`, :func:`to_csv`, :func:`to_json`.
Pure: dates and clocks are passed in, and nothing is worded for Discord here.
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

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_DIGEST_DAYS",
    "FORMATS",
    "DigestSchedule",
    "StaleFact",
    "due_date",
    "escape_markdown",
    "newly_stale",
    "stale_facts",
    "to_csv",
    "to_json",
    "to_markdown",
    "untracked_count",
]
