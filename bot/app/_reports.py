"""The Discord wording of what the bot reports: reloads, the status, stale facts, the digest.

Owns the text posted to the announce channel and the admin replies, each within one message.
The reports themselves are data from the live and curation stages; the usage figures some of
them carry (how often a removed fact was asked, the week's unanswered questions) are worded by
``_insights`` and passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.app._insights import digest_questions_text, removed_asked_line
from bot.app._limits import MESSAGE_MAX
from bot.app._markdown import escape_markdown
from bot.app._usage import RemovedAsked
from bot.curation import Question, StaleFact, newly_stale, stale_facts, untracked_count
from bot.factbook import FactBook, Finding
from bot.live import LiveFacts, ReloadReport, changelog, short_version
from bot.words import plural, shorten

#: Errors shown in an announcement or in the status before "and N more".
ERRORS_SHOWN = 8
#: How much of a claim a stale-list line shows.
CLAIM_PREVIEW = 90
#: Stale facts listed in one reply.
STALE_SHOWN = 10
#: Room kept for the lines above a changelog in an announcement.
ANNOUNCEMENT_HEAD = 200


def code_block(lines: list[str], budget: int) -> str:
    """Lines in a Markdown code block of at most ``budget`` characters ("and N more" when cut)."""
    safe = [line.replace("```", "'''") for line in lines]
    shown: list[str] = []
    used = len("```\n\n```")
    for i, line in enumerate(safe):
        note = f"... and {len(safe) - i} more"
        if i >= ERRORS_SHOWN or used + len(line) + len(note) + 2 > budget:
            shown.append(note)
            break
        shown.append(line)
        used += len(line) + 1
    return "```\n" + "\n".join(shown) + "\n```"


def announcement(report: ReloadReport, asked: RemovedAsked | None = None) -> str:
    """The message for the announce channel (and the ``/facts reload`` reply); ``asked``: how
    often the removed facts had been asked (a line after the changelog).
    """
    head = report.headline()
    if not report.ok:
        return f"{head}\n{code_block([str(f) for f in report.errors], MESSAGE_MAX - len(head) - 1)}"
    parts = [head]
    if report.warnings:
        parts.append(f"({plural(len(report.warnings), 'warning')}: `factbot check` lists them.)")
    if report.changed and report.diff is not None:
        usage = removed_asked_line(asked)
        parts.append(changelog(report.diff, MESSAGE_MAX - ANNOUNCEMENT_HEAD - len(usage)))
        if usage:
            parts.append(usage)
    return shorten("\n".join(parts), MESSAGE_MAX)


def status_text(live: LiveFacts) -> str:
    """Version in service, when it was loaded, totals, and the errors of a broken file."""
    lines: list[str] = []
    if not live.has_book:
        lines.append(f"No facts in service: {live.display} has not loaded yet.")
    else:
        when = live.loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC") if live.loaded_at else "?"
        lines.append(
            f"Version {short_version(live.version)} of {live.display} in service, loaded {when}."
        )
        lines.append(live.book.summary_line() + ".")
    if live.last_error:
        since = live.broken_since.strftime("%H:%M:%S UTC") if live.broken_since else "start-up"
        lines.append(
            f"The file on disk is broken (since {since}, {plural(len(live.last_error), 'error')});"
            " it is not in service:"
        )
        head = "\n".join(lines)
        return f"{head}\n{errors_block(live.last_error, MESSAGE_MAX - len(head) - 1)}"
    lines.append("The file on disk is valid and in service.")
    if live.watching.is_set():
        lines.append(
            f"Watching {live.display} for changes (and checking it every {live.poll_interval:g} s)."
        )
    return "\n".join(lines)


def errors_block(findings: tuple[Finding, ...], budget: int) -> str:
    return code_block([str(f) for f in findings], budget)


def _days(n: int) -> str:
    return plural(n, "day")


def stale_line(item: StaleFact) -> str:
    """One list entry: id, claim preview, how overdue, and who should look (link not embedded)."""
    claim = escape_markdown(shorten(" ".join(item.fact.claim.split()), CLAIM_PREVIEW))
    return (
        f"• `{item.fact.id}` {claim}\n"
        f"  {_days(item.days_overdue)} overdue (reviewed {item.reviewed.isoformat()}, "
        f"every {_days(item.interval)}) · check: {escape_markdown(item.publisher)} <{item.url}>"
    )


def _listing(head: str, items: list[StaleFact], tail: str = "", limit: int = MESSAGE_MAX) -> str:
    """``head``, then up to STALE_SHOWN entries while the text fits ``limit``, "and N more",
    then tail.
    """
    lines = [head]
    shown = 0
    for item in items[:STALE_SHOWN]:
        rest = len(items) - shown - 1
        more = f"…and {rest} more." if rest else ""
        candidate = "\n".join([*lines, stale_line(item), more, tail]).rstrip()
        if len(candidate) > limit:
            break
        lines.append(stale_line(item))
        shown += 1
    if shown < len(items):
        lines.append(f"…and {len(items) - shown} more.")
    if tail:
        lines.append(tail)
    return shorten("\n".join(lines), limit)


def stale_report(book: FactBook, today: dt.date) -> str:
    """The ``/facts stale`` reply: stale facts, oldest review first."""
    items = stale_facts(book, today)
    untracked = untracked_count(book)
    tail = (
        f"Not tracked (no `reviewed` date): {untracked} of {len(book)} facts." if untracked else ""
    )
    if not items:
        head = f"No stale facts on {today.isoformat()}: every reviewed fact is within its interval."
        return "\n".join(x for x in (head, tail) if x)
    noun = "fact is" if len(items) == 1 else "facts are"
    head = f"**{len(items)} {noun} due for review** (oldest first, as of {today.isoformat()}):"
    return _listing(head, items, tail)


def digest_text(
    book: FactBook, since: dt.date, today: dt.date, questions: Sequence[Question] = ()
) -> str | None:
    """The announce-channel digest of facts that became stale in ``(since, today]``, then the
    questions the book could not answer in those days (most asked first); None when there is
    nothing new to report (post nothing).
    """
    items = newly_stale(book, since, today)
    asked = digest_questions_text(questions, since, today)
    if not items:
        return asked or None
    total = len(stale_facts(book, today))
    head = (
        f"**Review digest:** {plural(len(items), 'fact')} became stale between "
        f"{(since + dt.timedelta(days=1)).isoformat()} and {today.isoformat()}:"
    )
    tail = f"{total} stale in all; a curator can list them with `/facts stale`."
    if not asked:
        return _listing(head, items, tail)
    return _listing(head, items, tail, MESSAGE_MAX - len(asked) - 1) + "\n" + asked
