"""What the team asks and what the book cannot answer: per-day usage counts kept in SQLite.

The face of the usage stage::

    recorder = UsageRecorder(default_path(facts_path))   # or UsageRecorder.off()
    recorder.answered("fact", facts=["nk-revenue-estimate"])      # memory only: the hot path
    recorder.answered("fact", unanswered="who runs the lazarus group?")
    asyncio.create_task(recorder.run())                   # batches written off the event loop
    counts = await recorder.counts(*recorder.window(30))  # UsageCounts
    merged = merge_counts([a, b], since, until)           # one store per machine, summed

Counts per UTC day: answers per command, facts served (by id), topics summarised, and
unanswered questions as scrubbed, folded text (:func:`scrub_query`). Never a user, name,
channel or message. Imports nothing from the Discord, live or answers stages.
"""

from bot.usage._recorder import FLUSH_EVENTS, FLUSH_SECONDS, HELD_MAX, UsageRecorder
from bot.usage._scrub import QUERY_MAX, scrub_query
from bot.usage._store import (
    DEFAULT_FILENAME,
    DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    SCHEMA,
    SCHEMA_VERSION,
    UsageCounts,
    UsageStore,
    UsageUnavailable,
    default_path,
    merge_counts,
    move_aside,
    read_counts,
)

__all__ = [
    "DEFAULT_FILENAME",
    "DEFAULT_RETENTION_DAYS",
    "FLUSH_EVENTS",
    "FLUSH_SECONDS",
    "HELD_MAX",
    "MAX_RETENTION_DAYS",
    "QUERY_MAX",
    "SCHEMA",
    "SCHEMA_VERSION",
    "UsageCounts",
    "UsageRecorder",
    "UsageStore",
    "UsageUnavailable",
    "default_path",
    "merge_counts",
    "move_aside",
    "read_counts",
    "scrub_query",
]
