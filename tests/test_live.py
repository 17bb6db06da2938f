"""bot.live: reload on save, keep the last good book, report once, recover; no Discord here.

Each test writes a facts file in tmp_path, watches it, edits it the way editors and ``git pull``
do, and polls for the expected state with a deadline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import importlib.util
import logging
import os
import sys
import types
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import bot.live
from bot.live import MESSAGE_LIMIT, LiveFacts, ReloadReport
from bot.load import load_bytes

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
    assert live.load_initial().ok
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
    assert "+ fact-new: Workers were sent abroad." in report.changelog
    assert "Totals: 3 facts" in report.changelog
    assert "fact-new" in report.announcement() and len(report.announcement()) <= MESSAGE_LIMIT
    assert live.loaded_at is not None
    status = live.status_text()
    assert live.book.version[:12] in status and "3 facts" in status and "Watching" in status


async def test_removed_fact_leaves_service(watched: Watched) -> None:
    live = watched.live
    save(live.path, facts_yaml(BASE[:1]))
    await until(lambda: "fact-two" not in live.book.facts, "fact-two gone")
    await until(lambda: len(watched.reports) == 1, "one report")
    assert "- fact-two" in watched.reports[0].changelog


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
    assert f"facts.yaml:{BROKEN_LINE}:" in report.announcement()
    assert live.last_error and live.last_error[0].line == BROKEN_LINE
    assert f"facts.yaml:{BROKEN_LINE}:" in live.status_text()

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
    assert "valid again" in fixed.announcement()
    assert "fact-fixed" in live.book.facts and live.last_error == ()
    assert "broken" not in live.status_text()


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
    assert "valid again" in report.announcement()


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
    assert "missing" in live.status_text()
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
    assert "+ fact-19" in watched.reports[0].changelog
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
    real = bot.live.load_cached

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug in the loader")
        return real(*args, **kwargs)

    monkeypatch.setattr(bot.live, "load_cached", crash_once)
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
    assert "unchanged" in report.announcement()


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
    result = live.load_initial()
    assert not result.ok and not live.has_book
    assert len(live.book) == 0 and live.last_error
    assert "No facts in service" in live.status_text()
    again = await live.reload()
    assert not again.ok and not again.should_announce  # already reported by load_initial
    save(path, facts_yaml(BASE))
    fixed = await live.reload()
    assert fixed.ok and fixed.changed and fixed.recovered and fixed.should_announce
    assert live.has_book and len(live.book) == 2
    assert "first load" in fixed.changelog


async def test_announcement_of_many_errors_fits_a_message(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    save(path, facts_yaml(BASE))
    live = LiveFacts(path)
    live.load_initial()
    save(
        path, "version: 1\nfacts:\n" + "".join(f"  - id: x{i}\n    bogus: 1\n" for i in range(400))
    )
    report = await live.reload()
    assert not report.ok and len(report.errors) > 10
    text = report.announcement()
    assert len(text) <= MESSAGE_LIMIT
    assert "more" in text.splitlines()[-2]
    assert len(live.status_text()) <= MESSAGE_LIMIT


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
    switch = sys.getswitchinterval()
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
    assert gc.isenabled() and sys.getswitchinterval() == switch


async def test_the_whole_reload_runs_with_the_short_switch_interval(
    facts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, float] = {}

    def spy(name: str) -> Any:
        real = getattr(bot.live, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            seen[name] = sys.getswitchinterval()
            return real(*args, **kwargs)

        return call

    for name in ("load_cached", "diff_books", "_pieces"):
        monkeypatch.setattr(bot.live, name, spy(name))
    before = sys.getswitchinterval()
    live = LiveFacts(facts_file)
    live.load_initial()
    save(facts_file, facts_yaml([*BASE, ("fact-3", "Third.")]))
    assert (await live.reload()).changed
    short = pytest.approx(min(before, bot.live.SWITCH_INTERVAL), abs=1e-6)  # kept in µs
    assert seen == {"load_cached": short, "diff_books": short, "_pieces": short}
    assert sys.getswitchinterval() == before


def test_the_switch_interval_comes_back_when_the_last_reload_ends() -> None:
    before = sys.getswitchinterval()
    short = pytest.approx(min(before, bot.live.SWITCH_INTERVAL), abs=1e-6)
    with bot.live.switching_often():
        with bot.live.switching_often():  # two reloads (of two files) at once
            assert sys.getswitchinterval() == short
        assert sys.getswitchinterval() == short
    assert sys.getswitchinterval() == before


def unusual(text: str) -> str:
    """The same book in a layout the chunked loader leaves to the whole-file parse (an anchor)."""
    return text.replace("    topics: [labour]", "    topics: &t [labour]", 1)


async def test_large_files_the_chunks_cannot_take_load_in_a_worker_process(
    tmp_path: Path,
) -> None:
    path = tmp_path / "facts.yaml"
    save(path, unusual(facts_yaml(BASE)))
    here = LiveFacts(path, process_threshold=10**9)
    elsewhere = LiveFacts(path, process_threshold=0)  # every whole-file parse goes there
    assert here.load_initial().ok and elsewhere.load_initial().ok
    assert (here.last_path, elsewhere.last_path) == ("thread", "process")
    assert elsewhere.book == here.book and elsewhere.book is not here.book
    assert bot.live._pool is not None  # it did go through the worker process
    save(path, unusual(facts_yaml([*BASE, ("fact-far", "Parsed in another process.")])))
    report = await elsewhere.reload()
    assert report.changed and "+ fact-far: Parsed in another process." in report.changelog
    assert [f.id for f in elsewhere.book.facts_for_topic("labour")][-1] == "fact-far"
    assert elsewhere.last_path == "process"
    save(path, BROKEN)  # the usual layout, but broken: the findings come from the process
    broken = await elsewhere.reload()
    assert not broken.ok and broken.errors[0].line == BROKEN_LINE
    assert elsewhere.last_path == "process" and "fact-far" in elsewhere.book.facts
    save(path, facts_yaml(BASE))
    assert (await elsewhere.reload()).ok and str(elsewhere.last_path) == "chunked"
    bot.live.shutdown_process_pool()
    assert bot.live._pool is None


async def test_a_one_fact_edit_parses_one_fact(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    facts = [(f"fact-{i}", f"Claim number {i} about labour.") for i in range(300)]
    save(path, facts_yaml(facts))
    live = LiveFacts(path, process_threshold=0)
    assert live.load_initial().ok and live.cache.parsed == 300
    facts[120] = ("fact-120", "An edited claim.")
    save(path, facts_yaml(facts))
    report = await live.reload()
    assert report.changed and "An edited claim." in report.changelog
    assert live.last_path == "chunked" and live.cache.parsed == 1
    assert live.book == load_bytes(path.read_bytes(), "facts.yaml").book
    facts.insert(3, ("fact-new", "A new fact that moves the rest down."))
    save(path, facts_yaml(facts))
    await live.reload()
    assert live.cache.parsed == 1 and live.book.facts["fact-200"].line == (
        load_bytes(path.read_bytes()).book.facts["fact-200"].line  # type: ignore[union-attr]
    )


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
    before = len(gc.get_objects()) + gc.get_freeze_count()
    await edits(50)
    gc.collect()
    grown = len(gc.get_objects()) + gc.get_freeze_count() - before
    # 50 reloads: about 40 measured alone, more after other tests (caches of other modules
    # filling up); keeping every retired book alive would add some 30 objects per fact each time
    assert grown < 1000, grown


async def test_a_failing_worker_process_falls_back_to_a_thread(
    facts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_pool() -> Any:
        raise concurrent.futures.process.BrokenProcessPool("the worker died")

    monkeypatch.setattr(bot.live, "_process_pool", broken_pool)
    live = LiveFacts(facts_file, process_threshold=0)
    assert live.load_initial().ok and len(live.book) == 2


def test_spawning_is_refused_for_an_unguarded_launcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unguarded = tmp_path / "start.py"
    unguarded.write_text("from bot.cli import main\nmain(['run'])\n")
    guarded = tmp_path / "start_guarded.py"
    guarded.write_text("from bot.cli import main\nif __name__ == '__main__':\n    main(['run'])\n")
    fake = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", fake)
    fake.__file__ = str(unguarded)
    assert not bot.live.spawn_is_safe()
    fake.__file__ = str(guarded)
    assert bot.live.spawn_is_safe()
    fake.__spec__ = importlib.util.find_spec("bot.__main__")
    assert bot.live.spawn_is_safe()  # python -m bot


async def test_an_unguarded_launcher_loads_large_files_in_a_thread(
    facts_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool() -> Any:
        raise AssertionError("the worker process must not be started")

    monkeypatch.setattr(bot.live, "spawn_is_safe", lambda: False)
    monkeypatch.setattr(bot.live, "_process_pool", no_pool)
    live = LiveFacts(facts_file, process_threshold=0)
    assert live.load_initial().ok and len(live.book) == 2
