"""Usage statistics in the bot: what each answer counts, and the counts the reports ask for.

This module owns the mapping from an Answer to the usage counters (:func:`count_answer`, called
for every answer sent, in memory only) and the reads behind the reports: the insights of
``/facts insights``, the week's unanswered questions for the digest, and how often the facts a
reload removed had been asked. A read never raises: when statistics are off or the store is
unusable, a report simply goes without them (``/facts insights`` says why).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot import curation
from bot.answers import Answer, ClaimCheck, SearchIndex
from bot.live import ReloadReport
from bot.usage import UsageRecorder, UsageUnavailable

log = logging.getLogger(__name__)

#: Commands whose misses are not questions (a mistyped fact id is not a gap in the book).
ID_COMMANDS = frozenset({"source"})
#: Unanswered questions in the weekly digest.
DIGEST_QUESTIONS = 5


@dataclass(frozen=True)
class RemovedAsked:
    """How often each fact a reload removed had been served, counted from ``since``."""

    counts: Mapping[str, int]
    since: dt.date


def count_answer(usage: UsageRecorder, command: str, answer: Answer) -> None:
    """Count an answer sent for ``command``: the fact a /fact or /source served, the facts and
    topic of a summary, or the question nobody could answer. Memory only.
    """
    if answer.kind == "miss":
        question = answer.query if command not in ID_COMMANDS else None
        usage.answered(command, unanswered=question)
    elif answer.kind in ("fact", "source") and answer.facts:
        usage.answered(command, fact=answer.facts[0].id)
    elif answer.kind == "summary":
        topic = answer.topic.id if answer.topic is not None else None
        usage.answered(command, facts=[f.id for f in answer.facts], topic=topic)
    else:
        usage.answered(command)


def count_check(usage: UsageRecorder, command: str, check: ClaimCheck) -> None:
    """Count a message checked against the book: the facts it matched. The message's own
    words are never kept, matched or not: they are a member's post, not a question to the book.
    Memory only.
    """
    usage.answered(command, facts=[f.id for f in check.facts])


async def insights_for(
    usage: UsageRecorder, index: SearchIndex, days: int, limit: int
) -> curation.Insights:
    """The insights over the last ``days`` days; raises UsageUnavailable (with the reason)."""
    counts = await usage.counts(*usage.window(days))
    return curation.insights(index, counts, limit=limit)


async def digest_questions(
    usage: UsageRecorder, index: SearchIndex, since: dt.date, today: dt.date
) -> list[curation.Question]:
    """The most frequent questions unanswered in ``(since, today]``; none when statistics are
    off or unusable.
    """
    if usage.path is None:
        return []
    try:
        counts = await usage.counts(since + dt.timedelta(days=1), today)
    except UsageUnavailable as problem:
        log.info("the digest goes without unanswered questions: %s", problem)
        return []
    return curation.questions(index, counts.unanswered, DIGEST_QUESTIONS)


async def removed_asked(usage: UsageRecorder, report: ReloadReport) -> RemovedAsked | None:
    """How often each fact a reload removed was served within the retention (None when none
    was removed, or statistics are off or unusable).
    """
    removed = report.diff.facts.removed if report.diff is not None else ()
    if not removed or usage.path is None:
        return None
    since, today = usage.window(usage.retention_days)
    try:
        counts = await usage.counts(since, today)
    except UsageUnavailable as problem:
        log.info("the changelog goes without usage counts: %s", problem)
        return None
    if counts.first_day is None:  # nothing recorded yet: no figures to give
        return None
    since = max(since, counts.first_day)
    return RemovedAsked({fid: counts.facts.get(fid, 0) for fid in removed}, since)
