"""The Discord wording of usage insights: the ``/facts insights`` reply, the digest's unanswered
questions, and the line a reload changelog gains about the removed facts.

Every list here fits one message: the longest list gives up its last entries ("…and N more")
until the reply fits. Questions are members' words (scrubbed before they were stored), so they
are echoed as any member text is: one line, markdown and mentions escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.app._limits import MESSAGE_MAX
from bot.app._markdown import escape_markdown, safe_echo
from bot.app._usage import RemovedAsked
from bot.curation import Insights, Question, window_line
from bot.usage import UsageRecorder
from bot.words import plural, shorten

#: Characters of a claim or a question one line shows.
CLAIM_PREVIEW = 80
QUESTION_PREVIEW = 90
#: Entries per list before the fitting starts.
LIST_SHOWN = 8
#: Characters the never-asked ids may take.
NEVER_BUDGET = 400
#: Characters the removed-facts line of a changelog may take.
ASKED_BUDGET = 300
CLI_HINT = "Every list in full: `python -m bot insights --days {days}` (or `--format csv`)."


def _times(n: int) -> str:
    return "never" if n == 0 else "once" if n == 1 else f"{n} times"


def question_line(q: Question) -> str:
    """``• "the question" ×N · nearest topic: Title (`id`)``, escaped."""
    text = safe_echo(q.text, QUESTION_PREVIEW)
    if q.answered_by is not None:
        where = f"now answered by `{q.answered_by.id}`"
    elif q.nearest_topic is not None:
        where = f"nearest topic: {escape_markdown(q.nearest_topic.title)} (`{q.nearest_topic.id}`)"
    else:
        where = "no topic near it"
    return f'• "{text}" ×{q.count} · {where}'


def _fit(head: list[str], sections: list[tuple[str, list[str]]], tail: list[str]) -> str:
    """``head``, each titled section, ``tail``: the longest section loses entries (noting how
    many) until the text fits a message.
    """
    cut = {title: 0 for title, _ in sections}

    def text() -> str:
        lines = list(head)
        for title, rows in sections:
            lines.append(title)
            shown = rows[: len(rows) - cut[title]]
            lines.extend(shown)
            if cut[title]:
                lines.append(f"…and {cut[title]} more")
        return "\n".join([*lines, *tail])

    out = text()
    while len(out) > MESSAGE_MAX:
        title, rows = max(sections, key=lambda s: len(s[1]) - cut[s[0]])
        if len(rows) - cut[title] <= 1:
            break
        cut[title] += 1
        out = text()
    return shorten(out, MESSAGE_MAX)


def insights_reply(ins: Insights) -> str:
    """The ``/facts insights`` reply."""
    head = [f"**Usage insights**: {window_line(ins)}"]
    if ins.answers == 0:
        head.append("No answers recorded in these days.")
    else:
        per = " · ".join(f"{_command_name(c)} {n}" for c, n in ins.commands)
        head.append(f"{plural(ins.answers, 'answer')}: {per}")
    facts = [
        f"• `{c.id}` ×{c.count}: "
        + (
            escape_markdown(shorten(c.title, CLAIM_PREVIEW))
            if c.title
            else "(no longer in the book)"
        )
        for c in ins.facts[:LIST_SHOWN]
    ]
    topics = [
        f"• {escape_markdown(c.title) if c.title else '(no longer in the book)'} (`{c.id}`) "
        f"×{c.count}"
        for c in ins.topics[:LIST_SHOWN]
    ]
    questions = [question_line(q) for q in ins.questions[:LIST_SHOWN]]
    sections = [
        ("**Most asked facts**", facts or ["none"]),
        ("**Most summarised topics**", topics or ["none"]),
        (
            f"**Questions the book could not answer** ({plural(ins.unanswered_total, 'time')})",
            questions or ["none"],
        ),
    ]
    return _fit(head, sections, [never_line(ins), CLI_HINT.format(days=ins.days)])


def never_line(ins: Insights) -> str:
    """How many current facts nobody asked for, and as many of their ids as fit a line."""
    if not ins.never_asked:
        return "**Never asked**: none; every current fact was served at least once."
    listed: list[str] = []
    used = 0
    for fact in ins.never_asked:
        item = f"`{fact.id}`"
        if used + len(item) > NEVER_BUDGET:
            break
        listed.append(item)
        used += len(item) + 2
    rest = len(ins.never_asked) - len(listed)
    more = f", and {rest} more" if rest and listed else ""
    return (
        f"**Never asked**: {len(ins.never_asked)} of "
        f"{plural(ins.current_facts, 'current fact')}: " + ", ".join(listed) + more
    )


def digest_questions_text(questions: Sequence[Question], since: dt.date, today: dt.date) -> str:
    """The digest's section of unanswered questions ("" when there were none)."""
    if not questions:
        return ""
    when = (
        "this week"
        if (today - since).days == 7
        else f"since {(since + dt.timedelta(days=1)).isoformat()}"
    )
    lines = [f"**Questions the book could not answer {when}** (most asked first):"]
    lines += [question_line(q) for q in questions]
    lines.append("A curator can see them all with `/facts insights`.")
    return "\n".join(lines)


def removed_asked_line(asked: RemovedAsked | None) -> str:
    """The changelog's line on how often the removed facts had been asked ("" without data)."""
    if asked is None or not asked.counts:
        return ""
    ranked = sorted(asked.counts.items(), key=lambda kv: (-kv[1], kv[0]))
    head = f"Asked before removal (since {asked.since.isoformat()}): "
    parts: list[str] = []
    for i, (fid, n) in enumerate(ranked):
        part = f"{fid} {_times(n)}"
        rest = len(ranked) - i
        if len(head) + sum(len(p) + 2 for p in parts) + len(part) + 20 > ASKED_BUDGET:
            parts.append(f"and {rest} more")
            break
        parts.append(part)
    return head + ", ".join(parts) + "."


def usage_status(usage: UsageRecorder) -> str:
    """One line for /facts status: whether usage statistics are kept, where, and any trouble."""
    if usage.path is None:
        return "Usage statistics: off (STATS=off)."
    if usage.status:
        return f"Usage statistics: {escape_markdown(usage.status)}."
    return (
        f"Usage statistics: on, kept {plural(usage.retention_days, 'day')} in "
        f"`{usage.path.name}` (see /facts insights)."
    )


def _command_name(command: str) -> str:
    """How a member finds a command: "/fact" for a slash command, "Find sources" for a
    message command (its name has a space or a capital, which a slash command cannot).
    """
    return command if command != command.lower() or " " in command else f"/{command}"
