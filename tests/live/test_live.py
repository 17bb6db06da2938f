"""bot.live: reload on save, keep the last good book, report once, recover; no Discord here.

Each test writes a facts file in tmp_path, watches it, edits it the way editors and ``git pull``
do, and polls for the expected state with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import bot.live._reload
from bot.live import LiveFacts, ReloadReport, changelog

DEADLINE = 10.0  # seconds; generous for a loaded CI machine, polls return as soon as they can


# -- a facts file -------------------------------------------------------------------------------


def facts_yaml(facts: list[tuple[str, str]], topic_title: str = "Overseas labour") -> str:
    lines = [
        "version: 1",
        "sources:",
        "  src-a:",
        "    title: A report",
        "    publisher: A publisher",
        "    date: 2015",
        "    url: https://example.org/report",
        "topics:",
        "  labour:",
        f"    title: {topic_title}",
        "facts:",
    ]
    for fid, claim in facts:
        lines += [
            f"  - id: {fid}",
            f"    claim: {claim}",
            "    source: src-a",
            "    topics: [labour]",
        ]
    return "\n".join(lines) + "\n"


BASE = [("fact-one", "The first claim."), ("fact-two", "The second claim.")]
BROKEN = facts_yaml(BASE).replace("The second claim.", "Workers: paid: late")
BROKEN_LINE = 1 + BROKEN.splitlines().index("    claim: Workers: paid: late")


def changes(report: ReloadReport) -> str:
    """The report's changelog, as the log and the announce channel get it."""
    assert report.diff is not None
    return changelog(report.diff, 2000)


def save(path: Path, text: str) -> None:
    """Save in place, as most editors and ``echo >`` do."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


async def until(cond: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.01)


class Watched:
    """A LiveFacts being watched, with the reports it chose to announce."""

    def __init__(self, live: LiveFacts) -> None:
        self.live = live
        self.reports: list[ReloadReport] = []

    async def on_report(self, report: ReloadReport) -> None:
        self.reports.append(report)

    async def quiet(self) -> None:
        """Wait until the watcher has nothing pending (no burst being settled, no reload)."""
        live = self.live
        stable = 0
        while stable < 3:
            await asyncio.sleep(live.debounce)
            busy = live._dirty.is_set() or live._lock.locked()
            stable = 0 if busy else stable + 1


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    path = tmp_path / "facts.yaml"
    save(path, facts_yaml(BASE))
    return path


@contextlib.asynccontextmanager
async def watching(live: LiveFacts) -> AsyncIterator[Watched]:
    w = Watched(live)
    task = asyncio.create_task(live.watch(w.on_report))
    await asyncio.wait_for(live.watching.wait(), DEADLINE)
    try:
        yield w
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.fixture
async def watched(facts_file: Path) -> AsyncIterator[Watched]:
    live = LiveFacts(facts_file, debounce=0.15, poll_interval=0.5)
    live.load_initial()
    assert live.has_book
    async with watching(live) as w:
        yield w


# -- the flows ----------------------------------------------------------------------------------


async def test_added_fact_goes_into_service_with_a_changelog(watched: Watched) -> None:
    live = watched.live
    old_version = live.book.version
    save(live.path, facts_yaml([*BASE, ("fact-new", "Workers were sent abroad.")]))
    await until(lambda: "fact-new" in live.book.facts, "the new fact in service")
    await until(lambda: len(watched.reports) == 1, "one report")
    report = watched.reports[0]
    assert report.ok and report.changed and report.should_announce
    assert report.previous_version == old_version and report.version == live.book.version
    assert "+ fact-new: Workers were sent abroad." in changes(report)
    assert "Totals: 3 facts" in changes(report)
    assert report.news and live.loaded_at is not None and live.watching.is_set()


async def test_removed_fact_leaves_service(watched: Watched) -> None:
    live = watched.live
    save(live.path, facts_yaml(BASE[:1]))
    await until(lambda: "fact-two" not in live.book.facts, "fact-two gone")
    await until(lambda: len(watched.reports) == 1, "one report")
    assert "- fact-two" in changes(watched.reports[0])


async def test_broken_file_keeps_old_book_reports_once_then_recovers(watched: Watched) -> None:
    live = watched.live
    good = live.book
    save(live.path, BROKEN)
    await until(lambda: len(watched.reports) == 1, "the error report")
    report = watched.reports[0]
    assert not report.ok and not report.changed and report.should_announce
    assert live.book is good  # the last good book is still in service
    assert report.version == good.version
    assert report.errors[0].line == BROKEN_LINE
    assert str(report.errors[0]).startswith(f"facts.yaml:{BROKEN_LINE}:")
    assert "is broken (1 error); still serving version" in report.headline()
    assert live.last_error and live.last_error[0].line == BROKEN_LINE

    # The same broken content saved again is reloaded but not announced again.
    parses = live.parses
    reloads = live.last_report
    save(live.path, BROKEN)
    await until(lambda: live.last_report is not reloads, "the reload of the second save")
    assert live.last_report is not None and not live.last_report.should_announce
    assert live.parses == parses  # same bytes as the reported broken version: not even parsed
    await watched.quiet()
    assert len(watched.reports) == 1

    save(live.path, facts_yaml([*BASE, ("fact-fixed", "Fixed.")]))
    await until(lambda: len(watched.reports) == 2, "the recovery report")
    fixed = watched.reports[1]
    assert fixed.ok and fixed.changed and fixed.recovered
    assert "valid again" in fixed.headline()
    assert "fact-fixed" in live.book.facts and live.last_error == ()
    assert live.broken_since is None


async def test_restoring_the_good_content_after_an_error_is_a_recovery(watched: Watched) -> None:
    live = watched.live
    good = live.book
    save(live.path, BROKEN)
    await until(lambda: len(watched.reports) == 1, "the error report")
    save(live.path, facts_yaml(BASE))
    await until(lambda: len(watched.reports) == 2, "the recovery report")
    report = watched.reports[1]
    assert report.ok and report.recovered and not report.changed
    assert live.book is good
    assert "valid again" in report.headline()


async def test_a_second_distinct_breakage_is_reported_too(watched: Watched) -> None:
    live = watched.live
    save(live.path, BROKEN)
    await until(lambda: len(watched.reports) == 1, "the first error report")
    save(live.path, "")
    await until(lambda: len(watched.reports) == 2, "the second error report")
    assert not watched.reports[1].ok and watched.reports[1].errors


async def test_delete_and_recreate(watched: Watched) -> None:
    live = watched.live
    good = live.book
    os.remove(live.path)
    await until(lambda: len(watched.reports) == 1, "the missing-file report")
    report = watched.reports[0]
    assert not report.ok and report.errors[0].code == "missing"
    assert live.book is good
    assert "missing" in str(live.last_error[0])
    save(live.path, facts_yaml([*BASE, ("fact-back", "Back again.")]))
    await until(lambda: "fact-back" in live.book.facts, "the re-created file in service")
    await until(lambda: len(watched.reports) == 2, "the recovery report")
    assert watched.reports[1].recovered and watched.reports[1].changed


async def test_rename_over_the_file(watched: Watched) -> None:
    live = watched.live
    tmp = live.path.with_name(".facts.yaml.swp")
    save(tmp, facts_yaml([*BASE, ("fact-renamed", "Saved through a rename.")]))
    os.replace(tmp, live.path)
    await until(lambda: "fact-renamed" in live.book.facts, "the renamed-over file in service")
    await until(lambda: len(watched.reports) == 1, "one report")


async def test_twenty_quick_saves_give_one_reload_of_the_final_content(watched: Watched) -> None:
    live = watched.live
    parses = live.parses
    for i in range(20):
        save(live.path, facts_yaml([*BASE, (f"fact-{i}", f"Claim number {i}.")]))
        await asyncio.sleep(0.005)
    await until(lambda: "fact-19" in live.book.facts, "the final version in service")
    await watched.quiet()
    assert list(live.book.facts) == ["fact-one", "fact-two", "fact-19"]
    assert len(watched.reports) == 1
    assert "+ fact-19" in changes(watched.reports[0])
    assert live.parses == parses + 1


async def test_endless_saves_still_reload_after_max_wait(facts_file: Path) -> None:
    live = LiveFacts(facts_file, debounce=0.2, max_wait=0.3, poll_interval=30)
    live.load_initial()
    async with watching(live):
        loop = asyncio.get_running_loop()
        end = loop.time() + DEADLINE
        i = 0
        while live.book.facts.keys() == {"fact-one", "fact-two"}:  # saves never pause 0.2 s
            assert loop.time() < end, "no reload while saves kept coming"
            save(facts_file, facts_yaml([*BASE, (f"fact-{i}", "Saved again.")]))
            i += 1
            await asyncio.sleep(0.05)
        assert i >= 4  # it waited for a pause first, then gave up waiting


async def test_stat_check_catches_a_change_when_events_are_lost(
    facts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_events(self: LiveFacts, stop: asyncio.Event) -> None:
        await stop.wait()

    monkeypatch.setattr(LiveFacts, "_follow_events", no_events)
    live = LiveFacts(facts_file, debounce=0.05, poll_interval=0.1)
    live.load_initial()
    async with watching(live) as watched:
        save(facts_file, facts_yaml([*BASE, ("fact-polled", "Seen by the stat check.")]))
        await until(lambda: "fact-polled" in live.book.facts, "the change seen by stat")
        reports = watched.reports
        await until(lambda: len(reports) == 1, "one report")
        await watched.quiet()
        assert len(reports) == 1


async def test_change_between_start_up_and_watch_is_picked_up(facts_file: Path) -> None:
    live = LiveFacts(facts_file, debounce=0.05, poll_interval=30)
    live.load_initial()
    save(facts_file, facts_yaml([*BASE, ("fact-early", "Saved before the watch began.")]))
    async with watching(live):
        await until(lambda: "fact-early" in live.book.facts, "the early change in service")


async def test_failing_announcer_does_not_stop_the_watch(
    facts_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = LiveFacts(facts_file, debounce=0.05, poll_interval=30)
    live.load_initial()
    calls: list[ReloadReport] = []

    async def flaky(report: ReloadReport) -> None:
        calls.append(report)
        raise RuntimeError("the channel is gone")

    task = asyncio.create_task(live.watch(flaky))
    await asyncio.wait_for(live.watching.wait(), DEADLINE)
    try:
        save(facts_file, facts_yaml([*BASE, ("fact-a", "A.")]))
        await until(lambda: len(calls) == 1, "first announcement")
        save(facts_file, facts_yaml([*BASE, ("fact-b", "B.")]))
        await until(lambda: "fact-b" in live.book.facts, "second change in service")
        await until(lambda: len(calls) == 2, "second announcement")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert "announcing the reload" in caplog.text


async def test_a_crashing_reload_does_not_end_the_watch(
    watched: Watched, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    live = watched.live
    calls = 0
    real = bot.live._reload.load_bytes

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug in the loader")
        return real(*args, **kwargs)

    monkeypatch.setattr(bot.live._reload, "load_bytes", crash_once)
    save(live.path, facts_yaml([*BASE, ("fact-crash", "First try crashes.")]))
    await until(lambda: calls == 1, "the crashing reload")
    save(live.path, facts_yaml([*BASE, ("fact-after", "Second try works.")]))
    await until(lambda: "fact-after" in live.book.facts, "the next save in service")
    assert "reloading facts.yaml failed" in caplog.text


# -- reload() itself ------------------------------------------------------------------------------


async def test_reload_of_unchanged_file_is_quiet(facts_file: Path) -> None:
    live = LiveFacts(facts_file)
    live.load_initial()
    book = live.book
    report = await live.reload("command")
    assert report.ok and not report.changed and not report.should_announce
    assert live.book is book
    assert "unchanged" in report.headline()


async def test_concurrent_reloads_end_with_the_newest_content(facts_file: Path) -> None:
    live = LiveFacts(facts_file)
    live.load_initial()
    first = asyncio.create_task(live.reload())
    await asyncio.sleep(0)
    save(facts_file, facts_yaml([*BASE, ("fact-last", "Last.")]))
    second = asyncio.create_task(live.reload())
    _, r2 = await asyncio.gather(first, second)
    assert "fact-last" in live.book.facts
    assert r2.version == live.book.version


async def test_readers_never_see_a_mix(facts_file: Path) -> None:
    """A handler that took ``live.book`` once sees one version: all claims of one generation."""
    live = LiveFacts(facts_file)
    live.load_initial()
    seen_mix: list[str] = []
    stop = asyncio.Event()

    async def reader() -> None:
        while not stop.is_set():
            book = live.book
            gens = {f.claim.split()[-1] for f in book}
            await asyncio.sleep(0)
            if {f.claim.split()[-1] for f in book} != gens or len(gens) > 1:
                seen_mix.append(book.version)

    task = asyncio.create_task(reader())
    for gen in range(5):
        save(facts_file, facts_yaml([(f"f-{i}", f"Claim of generation g{gen}") for i in range(50)]))
        await live.reload()
    stop.set()
    await task
    assert not seen_mix
    assert {f.claim.split()[-1] for f in live.book} == {"g4"}


async def test_initially_broken_file_serves_nothing_until_fixed(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    save(path, BROKEN)
    live = LiveFacts(path)
    findings = live.load_initial()
    assert any(f.severity == "error" for f in findings) and not live.has_book
    assert len(live.book) == 0 and live.last_error
    again = await live.reload()
    assert not again.ok and not again.should_announce  # already reported by load_initial
    save(path, facts_yaml(BASE))
    fixed = await live.reload()
    assert fixed.ok and fixed.changed and fixed.recovered and fixed.should_announce
    assert live.has_book and len(live.book) == 2
    assert "first load" in changes(fixed)


async def test_reloads_are_logged(facts_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="factbot.live")
    live = LiveFacts(facts_file)
    live.load_initial()
    save(facts_file, facts_yaml([*BASE, ("fact-logged", "Logged.")]))
    await live.reload()
    save(facts_file, BROKEN)
    await live.reload()
    messages = [r.getMessage() for r in caplog.records if r.name == "factbot.live"]
    assert any("+ fact-logged" in m for m in messages)
    assert any(f"facts.yaml:{BROKEN_LINE}:" in m for m in messages)


# -- off the loop -------------------------------------------------------------------------------


async def _ticks_during(work: Awaitable[object]) -> int:
    ticks = 0
    done = False

    async def probe() -> None:
        nonlocal ticks
        while not done:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(probe())
    await asyncio.sleep(0)
    try:
        await work
        during = ticks  # read before the probe runs again
    finally:
        done = True
        await task
    return during


async def test_large_file_loads_off_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    save(path, facts_yaml([(f"fact-{i}", f"Claim number {i} about labour.") for i in range(4000)]))
    live = LiveFacts(path)
    live.load_initial()
    save(path, facts_yaml([(f"fact-{i}", f"Claim number {i} about work.") for i in range(4000)]))
    ticks = await _ticks_during(live.reload())
    assert live.book.facts["fact-0"].claim.endswith("about work.")
    assert ticks > 0  # the loop kept running while the file was parsed


async def test_retired_book_is_freed_and_a_held_one_stays_whole(facts_file: Path) -> None:
    live = LiveFacts(facts_file)
    live.load_initial()
    held = live.book  # an interaction still answering from the first version
    claims = {f.id: f.claim for f in held}
    save(facts_file, facts_yaml([*BASE, ("fact-2", "Second version.")]))
    await live.reload()
    second = weakref.ref(live.book)
    save(facts_file, facts_yaml([*BASE, ("fact-3", "Third version.")]))
    await live.reload()
    assert second() is None  # nothing keeps a retired version alive (no cycle, no report)
    assert {f.id: f.claim for f in held} == claims and len(held.facts_for_topic("labour")) == 2


async def test_many_reloads_do_not_accumulate_objects(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    facts = [(f"fact-{i}", f"Claim number {i} about labour.") for i in range(30)]

    done = 0

    async def edits(n: int) -> None:
        nonlocal done
        for _ in range(n):
            done += 1
            facts[done % 30] = (f"fact-{done % 30}", f"Edited claim {done}.")
            save(path, facts_yaml(facts))
            assert (await live.reload()).changed

    save(path, facts_yaml(facts))
    live = LiveFacts(path)
    live.load_initial()
    await edits(10)
    gc.collect()
    before = len(gc.get_objects())
    await edits(50)
    gc.collect()
    grown = len(gc.get_objects()) - before
    # 50 reloads: about 40 measured alone, more after other tests (caches of other modules
    # filling up); keeping every retired book alive would add some 30 objects per fact each time
    assert grown < 1000, grown
