"""Freshness: which facts are due for re-verification, and the weekly digest of newly stale ones.

This module owns the staleness workflow on top of ``FactBook.is_stale``: the stale facts with
who should look (``check --stale``, ``/facts stale``), the facts that became stale since the
last digest, and :class:`DigestSchedule`, which says when digests go out. Everything is pure:
"today" and "now" are always passed in, and nothing here does I/O or words anything for Discord
(the Discord layer runs the timer and words the lists).

Dates: a fact reviewed on ``R`` with an interval of ``N`` days is *due* on ``R + N`` (the last day
it is fresh) and stale from the day after, matching ``FactBook.is_stale``. A fact with no
``reviewed`` date is not tracked and never stale. Superseded facts are retired, so they are left
out of the lists unless asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.factbook import Fact, FactBook

DEFAULT_DIGEST_DAYS = 7


@dataclass(frozen=True, slots=True)
class StaleFact:
    """A fact past its review interval, with what a curator needs to act on it."""

    fact: Fact
    reviewed: dt.date  # when a person last checked it
    interval: int  # days between reviews (the fact's own, else the book's)
    due: dt.date  # last day the review was fresh: reviewed + interval
    days_overdue: int  # today - due, at least 1
    publisher: str  # who should look: the source's publisher ...
    url: str  # ... and where

    @property
    def stale_since(self) -> dt.date:
        """The first day the fact counted as stale."""
        return self.due + dt.timedelta(days=1)


def due_date(book: FactBook, fact: Fact) -> dt.date | None:
    """The last day a fact's review is fresh, or None when the fact is not tracked."""
    if fact.reviewed is None:
        return None
    return fact.reviewed + dt.timedelta(days=book.review_interval(fact))


def _stale_fact(book: FactBook, fact: Fact, today: dt.date) -> StaleFact | None:
    due = due_date(book, fact)
    if due is None or fact.reviewed is None or not book.is_stale(fact, today):
        return None
    source = book.source_of(fact)
    return StaleFact(
        fact=fact,
        reviewed=fact.reviewed,
        interval=book.review_interval(fact),
        due=due,
        days_overdue=(today - due).days,
        publisher=source.publisher,
        url=source.url,
    )


def _oldest_first(book: FactBook, items: list[StaleFact]) -> list[StaleFact]:
    return sorted(items, key=lambda s: (s.reviewed, s.due, book.position(s.fact.id)))


def stale_facts(
    book: FactBook, today: dt.date, *, include_superseded: bool = False
) -> list[StaleFact]:
    """Every stale fact, oldest review first (ties: earlier due date, then the curators' order)."""
    found = [
        s
        for fact in book
        if (include_superseded or fact.superseded_by is None)
        and (s := _stale_fact(book, fact, today)) is not None
    ]
    return _oldest_first(book, found)


def newly_stale(
    book: FactBook, since: dt.date, today: dt.date, *, include_superseded: bool = False
) -> list[StaleFact]:
    """Facts that became stale in the window ``(since, today]``: stale today, fresh on ``since``.

    Consecutive windows ``(a, b]``, ``(b, c]`` report every fact exactly once.
    """
    return [
        s
        for s in stale_facts(book, today, include_superseded=include_superseded)
        if since < s.stale_since
    ]


def untracked_count(book: FactBook) -> int:
    """How many facts carry no ``reviewed`` date (freshness is opt-in per fact)."""
    return sum(1 for fact in book if fact.reviewed is None)


# -- schedule -----------------------------------------------------------------------------------

#: Digest slots are counted from this moment (a Monday, 09:00 UTC), every ``interval_days``.
DEFAULT_ANCHOR = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    """Aware datetimes are converted to UTC; naive ones are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """When the digest of newly stale facts goes out: fixed slots every ``interval_days``.

    Slots are ``anchor + k * interval_days`` for whole ``k``, so the schedule needs no memory of
    the last post: the digest at slot ``t`` covers the facts that became stale in
    ``(t.date() - interval_days, t.date()]`` (see :meth:`window`), and consecutive slots cover
    every day exactly once. A bot that restarts waits for the next slot. ``enabled`` is False when
    there is no announce channel; then there is no next slot.
    """

    interval_days: int = DEFAULT_DIGEST_DAYS
    enabled: bool = True
    anchor: dt.datetime = DEFAULT_ANCHOR

    def __post_init__(self) -> None:
        if self.interval_days < 1:
            raise ValueError(f"digest interval must be at least 1 day, got {self.interval_days}")

    @classmethod
    def for_channel(
        cls, channel_id: int | None, interval_days: int = DEFAULT_DIGEST_DAYS
    ) -> DigestSchedule:
        """A schedule that is on when an announce channel is configured and the interval is
        positive (so a setting of 0 days turns digests off).
        """
        if channel_id is None or interval_days <= 0:
            return cls(enabled=False)
        return cls(interval_days=interval_days)

    def next_run(self, now: dt.datetime) -> dt.datetime | None:
        """The first slot strictly after ``now`` (UTC), or None when digests are off."""
        if not self.enabled:
            return None
        anchor = _utc(self.anchor)
        step = dt.timedelta(days=self.interval_days)
        k = (_utc(now) - anchor) // step + 1
        return anchor + k * step

    def seconds_until_next(self, now: dt.datetime) -> float | None:
        """How long the timer should sleep before the next digest, or None when off."""
        nxt = self.next_run(now)
        return None if nxt is None else (nxt - _utc(now)).total_seconds()

    def window(self, run_at: dt.datetime) -> tuple[dt.date, dt.date]:
        """``(since, today)``: the window a digest at the slot ``run_at`` covers."""
        today = _utc(run_at).date()
        return today - dt.timedelta(days=self.interval_days), today
