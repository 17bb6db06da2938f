"""Freshness with a fixed "today": stale facts, newly stale facts, the digest schedule."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.curation import DigestSchedule, due_date, newly_stale, stale_facts
from bot.factbook import Fact, FactBook, Source, Topic

TODAY = dt.date(2026, 6, 1)
D = dt.date


def _fact(fid: str, reviewed: dt.date | None, every: int | None = None, **kw: object) -> Fact:
    return Fact(
        id=fid,
        claim=f"Claim of {fid}.",
        source=str(kw.pop("source", "s1")),
        topics=("t",),
        reviewed=reviewed,
        review_every=every,
        **kw,  # type: ignore[arg-type]
    )


def _book(*facts: Fact, review_every: int = 365) -> FactBook:
    sources = {
        "s1": Source(
            id="s1", title="Report", publisher="UN Panel", date="2017", url="https://example.org/un"
        ),
        "s2": Source(
            id="s2", title="Story", publisher="AFP", date="2019-03", url="https://example.org/afp"
        ),
    }
    return FactBook(
        facts={f.id: f for f in facts},
        sources=sources,
        topics={"t": Topic(id="t", title="T")},
        version="v1",
        review_every=review_every,
    )


def test_interval_is_the_facts_own_else_the_book_default() -> None:
    book = _book(
        _fact("own", D(2026, 4, 1), every=30),  # due 2026-05-01: 31 days over
        _fact("default", D(2025, 5, 1)),  # due 2026-05-01 by the book's 365: 31 days over
        _fact("fresh", D(2026, 4, 1)),  # 61 days of 365
        _fact("untracked", None),
    )
    found = {s.fact.id: s for s in stale_facts(book, TODAY)}
    assert set(found) == {"own", "default"}
    assert found["own"].interval == 30 and found["default"].interval == 365
    assert found["own"].due == D(2026, 5, 1) == found["default"].due
    assert found["own"].days_overdue == 31
    assert found["own"].stale_since == D(2026, 5, 2)
    assert due_date(book, book.facts["untracked"]) is None


def test_boundary_matches_factbook_is_stale() -> None:
    # Due on TODAY exactly: still fresh today, stale tomorrow.
    book = _book(_fact("edge", TODAY - dt.timedelta(days=10), every=10))
    assert stale_facts(book, TODAY) == []
    tomorrow = TODAY + dt.timedelta(days=1)
    [item] = stale_facts(book, tomorrow)
    assert item.days_overdue == 1
    assert book.is_stale(item.fact, tomorrow) and not book.is_stale(item.fact, TODAY)


def test_oldest_review_first_then_curators_order() -> None:
    book = _book(
        _fact("b", D(2024, 1, 1)),
        _fact("c", D(2023, 6, 1)),
        _fact("a", D(2024, 1, 1)),
        _fact("d", D(2025, 1, 1), every=10),
    )
    assert [s.fact.id for s in stale_facts(book, TODAY)] == ["c", "b", "a", "d"]


def test_superseded_facts_are_left_out_unless_asked() -> None:
    book = _book(_fact("old", D(2020, 1, 1), superseded_by="new"), _fact("new", D(2026, 1, 1)))
    assert stale_facts(book, TODAY) == []
    assert [s.fact.id for s in stale_facts(book, TODAY, include_superseded=True)] == ["old"]


def test_newly_stale_window_is_half_open() -> None:
    # stale_since = reviewed + 11 days
    book = _book(*(_fact(f"f{d}", D(2026, 5, d), every=10) for d in range(1, 11)))
    since, today = D(2026, 5, 14), D(2026, 5, 17)
    got = [s.fact.id for s in newly_stale(book, since, today)]
    # stale_since in (05-14, 05-17] -> reviewed 05-04 .. 05-06
    assert got == ["f4", "f5", "f6"]
    assert newly_stale(book, today, today) == []


@settings(max_examples=60, deadline=None)
@given(
    reviewed=st.lists(st.integers(0, 120), min_size=1, max_size=12),
    cuts=st.lists(st.integers(0, 200), min_size=2, max_size=6),
)
def test_consecutive_windows_report_each_newly_stale_fact_once(
    reviewed: list[int], cuts: list[int]
) -> None:
    start = D(2026, 1, 1)
    book = _book(
        *(_fact(f"f{i}", start + dt.timedelta(days=r), every=30) for i, r in enumerate(reviewed))
    )
    days = sorted({start + dt.timedelta(days=c) for c in cuts})
    reported: list[str] = []
    for since, today in itertools.pairwise(days):
        reported += [s.fact.id for s in newly_stale(book, since, today)]
    expected = {s.fact.id for s in stale_facts(book, days[-1])} - {
        s.fact.id for s in stale_facts(book, days[0])
    }
    assert sorted(reported) == sorted(expected)


# -- schedule ---------------------------------------------------------------------------------

UTC = dt.UTC


def test_schedule_slots_are_every_interval_from_the_anchor() -> None:
    anchor = dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
    sched = DigestSchedule(interval_days=7, anchor=anchor)
    assert sched.next_run(dt.datetime(2026, 1, 5, 8, 59, tzinfo=UTC)) == anchor
    # Exactly at a slot: the next one (a restart right after posting does not post again).
    assert sched.next_run(anchor) == anchor + dt.timedelta(days=7)
    assert sched.next_run(dt.datetime(2026, 3, 1, tzinfo=UTC)) == dt.datetime(
        2026, 3, 2, 9, 0, tzinfo=UTC
    )
    # Before the anchor too.
    assert sched.next_run(dt.datetime(2025, 12, 31, tzinfo=UTC)) == anchor
    assert sched.next_run(dt.datetime(2025, 12, 29, 8, tzinfo=UTC)) == anchor - dt.timedelta(days=7)


def test_schedule_interval_is_configurable_and_windows_tile() -> None:
    sched = DigestSchedule(interval_days=3, anchor=dt.datetime(2026, 1, 1, 12, tzinfo=UTC))
    first = sched.next_run(dt.datetime(2026, 1, 1, 13, tzinfo=UTC))
    assert first == dt.datetime(2026, 1, 4, 12, tzinfo=UTC)
    second = sched.next_run(first)
    assert second == dt.datetime(2026, 1, 7, 12, tzinfo=UTC)
    assert sched.window(first) == (D(2026, 1, 1), D(2026, 1, 4))
    assert sched.window(second)[0] == sched.window(first)[1]


def test_schedule_seconds_and_timezones() -> None:
    sched = DigestSchedule(anchor=dt.datetime(2026, 1, 5, 9, tzinfo=UTC))
    plus9 = dt.timezone(dt.timedelta(hours=9))
    now = dt.datetime(2026, 1, 5, 17, 0, tzinfo=plus9)  # 08:00 UTC
    assert sched.seconds_until_next(now) == 3600
    naive = dt.datetime(2026, 1, 5, 8, 0)  # noqa: DTZ001 - a naive time is taken as UTC
    assert sched.seconds_until_next(naive) == 3600


def test_schedule_off_without_announce_channel() -> None:
    off = DigestSchedule.for_channel(None)
    assert not off.enabled
    assert off.next_run(dt.datetime(2026, 1, 1, tzinfo=UTC)) is None
    assert off.seconds_until_next(dt.datetime(2026, 1, 1, tzinfo=UTC)) is None
    on = DigestSchedule.for_channel(1234, interval_days=14)
    assert on.enabled and on.interval_days == 14
    assert not DigestSchedule.for_channel(1234, interval_days=0).enabled


def test_schedule_rejects_a_zero_interval() -> None:
    with pytest.raises(ValueError):
        DigestSchedule(interval_days=0)
