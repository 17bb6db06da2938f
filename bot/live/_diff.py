"""What changed between two FactBooks: the changelog a live reload posts and logs.

This module owns the comparison of two versions of facts.yaml (:func:`diff_books`) and its short
human text (:func:`changelog`, within a limit the caller gives: a log line, a chat message).
Pure functions over frozen data: no I/O.

A fact, source or topic is *changed* when any of its fields differs, except ``line``: a fact
that only moved down because another was added above it has not changed. Facts whose relative
order changed are reported as a reorder, since the curators' order is what summaries follow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.factbook import FactBook
from bot.words import plural, shorten

#: Longest claim quoted in a changelog line before it is shortened with an ellipsis.
CLAIM_CHARS = 160
#: Fields that do not count as a change (positions in the file move when lines are added above).
IGNORED_FIELDS = frozenset({"id", "line"})


@dataclass(frozen=True, slots=True)
class Change:
    """One entry that exists in both versions and differs: its id and the fields that differ."""

    id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SectionDiff:
    """Added, removed and changed ids of one section (facts, sources or topics), in file order."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


@dataclass(frozen=True, slots=True)
class Totals:
    facts: int
    sources: int
    topics: int

    @classmethod
    def of(cls, book: FactBook | None) -> Totals:
        if book is None:
            return cls(0, 0, 0)
        return cls(len(book.facts), len(book.sources), len(book.topics))

    def __str__(self) -> str:
        return ", ".join(
            plural(n, word)
            for n, word in ((self.facts, "fact"), (self.sources, "source"), (self.topics, "topic"))
        )


@dataclass(frozen=True)
class BookDiff:
    """Everything that differs between the old book (None: nothing was in service) and the
    new one. It keeps only what a changelog needs, never the books themselves, so a report
    does not keep a retired version alive.
    """

    first: bool  # nothing was in service before
    facts: SectionDiff
    sources: SectionDiff
    topics: SectionDiff
    old_totals: Totals
    new_totals: Totals
    claims: Mapping[str, str]  # the new claim of every added or changed fact
    reordered: bool = False  # facts present in both appear in a different order
    settings: tuple[str, ...] = ()  # book-wide fields that changed, e.g. "review_every"

    @property
    def empty(self) -> bool:
        """True when the two books hold the same content (whatever their versions)."""
        return not (self.facts or self.sources or self.topics or self.reordered or self.settings)


def changed_fields(old: object, new: object) -> tuple[str, ...]:
    """Names of the dataclass fields of ``old`` and ``new`` that differ (``line`` not counted)."""
    return tuple(
        f.name
        for f in dataclasses.fields(old)  # type: ignore[arg-type]
        if f.name not in IGNORED_FIELDS and getattr(old, f.name) != getattr(new, f.name)
    )


def diff_section(old: Mapping[str, Any], new: Mapping[str, Any]) -> SectionDiff:
    """Compare two id -> dataclass mappings; ids keep the order of the file they come from."""
    added = tuple(k for k in new if k not in old)
    removed = tuple(k for k in old if k not in new)
    changed: list[Change] = []
    for key, item in new.items():
        before = old.get(key)
        if before is None or before is item or before == item:  # most entries are shared
            continue
        fields = changed_fields(before, item)
        if fields:
            changed.append(Change(key, fields))
    return SectionDiff(added, removed, tuple(changed))


def _reordered(old: FactBook, new: FactBook) -> bool:
    common_old = [k for k in old.facts if k in new.facts]
    common_new = [k for k in new.facts if k in old.facts]
    return common_old != common_new


def diff_books(old: FactBook | None, new: FactBook) -> BookDiff:
    """Compare the book in service (or None) with a newly loaded one."""
    before = old if old is not None else FactBook(facts={}, sources={}, topics={}, version="")
    facts = diff_section(before.facts, new.facts)
    shown = (*facts.added, *(c.id for c in facts.changed))
    return BookDiff(
        first=old is None,
        facts=facts,
        sources=diff_section(before.sources, new.sources),
        topics=diff_section(before.topics, new.topics),
        old_totals=Totals.of(old),
        new_totals=Totals.of(new),
        claims={fid: new.facts[fid].claim for fid in shown},
        reordered=old is not None and _reordered(old, new),
        settings=tuple(
            name
            for name in ("review_every", "synonyms")
            if old is not None and getattr(old, name) != getattr(new, name)
        ),
    )


# -- text ------------------------------------------------------------------------------------


def _line(text: str, limit: int) -> str:
    """``text`` on one line, shortened to ``limit``."""
    return shorten(" ".join(text.split()), limit)


def _fields(change: Change) -> str:
    return ", ".join(change.fields)


def _fact_lines(d: BookDiff) -> list[tuple[str, list[str], list[str]]]:
    """Per kind of fact change: (title, detailed lines, bare ids)."""
    out: list[tuple[str, list[str], list[str]]] = []
    if d.facts.added:
        out.append(
            (
                "Added",
                [f"+ {k}: {_line(d.claims[k], CLAIM_CHARS)}" for k in d.facts.added],
                list(d.facts.added),
            )
        )
    if d.facts.removed:
        out.append(("Removed", [f"- {k}" for k in d.facts.removed], list(d.facts.removed)))
    if d.facts.changed:
        lines = []
        for c in d.facts.changed:
            line = f"~ {c.id} ({_fields(c)})"
            if "claim" in c.fields:
                line += f": {_line(d.claims[c.id], CLAIM_CHARS)}"
            lines.append(line)
        out.append(("Changed", lines, [c.id for c in d.facts.changed]))
    return out


def _section_summary(name: str, s: SectionDiff) -> str:
    parts: list[str] = []
    if s.added:
        parts.append("added " + ", ".join(s.added))
    if s.removed:
        parts.append("removed " + ", ".join(s.removed))
    if s.changed:
        parts.append("changed " + ", ".join(f"{c.id} ({_fields(c)})" for c in s.changed))
    return f"{name}: " + "; ".join(parts)


def _counts(s: SectionDiff) -> str:
    parts = []
    if s.added:
        parts.append(f"+{len(s.added)}")
    if s.removed:
        parts.append(f"-{len(s.removed)}")
    if s.changed:
        parts.append(f"~{len(s.changed)}")
    return " ".join(parts) if parts else "no change"


def _fit_list(
    items: Sequence[str], budget: int, sep: str, more: Callable[[int], str]
) -> tuple[list[str], int]:
    """As many leading ``items`` as fit in ``budget`` characters with room for the "more" note."""
    taken: list[str] = []
    used = 0
    for i, item in enumerate(items):
        rest = len(items) - i - 1
        tail = len(sep) + len(more(rest)) if rest else 0
        cost = len(item) + (len(sep) if taken else 0)
        if used + cost + tail > budget:
            break
        taken.append(item)
        used += cost
    return taken, len(items) - len(taken)


def changelog(d: BookDiff, limit: int) -> str:
    """A short human changelog of ``d``, at most ``limit`` characters.

    One line per added, removed or changed fact (with its new claim) while they fit; when there
    are too many, the first ids of each kind and "and N more". Sources, topics and the new
    totals always close the text.
    """
    head = "Facts: first load" if d.first else f"Facts: {_counts(d.facts)}"
    tail: list[str] = []
    for name, section in (("Sources", d.sources), ("Topics", d.topics)):
        if section:
            tail.append(_line(_section_summary(name, section), 400))
    if d.reordered:
        tail.append("Facts reordered.")
    if d.settings:
        tail.append("Settings changed: " + ", ".join(d.settings) + ".")
    tail.append(f"Totals: {d.new_totals}" + ("" if d.first else f" (was {d.old_totals})"))
    if d.empty and not d.first:
        head = "No change in content."

    groups = _fact_lines(d)
    fixed = len(head) + sum(len(t) + 1 for t in tail) + 1
    budget = max(0, limit - fixed)

    detailed = "\n".join(f"{title}:\n" + "\n".join(lines) for title, lines, _ in groups)
    if len(detailed) + 1 <= budget:
        body = [detailed] if detailed else []
    else:
        lines_by_title: dict[str, str] = {}
        remaining = budget
        # Share the budget among the kinds, shortest list first so that what a short list does
        # not use goes to the longer ones.
        by_size = sorted(groups, key=lambda g: len(g[2]))
        for i, (title, _, ids) in enumerate(by_size):
            share = remaining // (len(by_size) - i) - 1
            prefix = f"{title} ({len(ids)}): "
            taken, left = _fit_list(ids, share - len(prefix), ", ", lambda n: f"and {n} more")
            line = prefix + ", ".join(taken)
            if left:
                line += (", " if taken else "") + f"and {left} more"
            if len(line) > share:
                line = f"{title}: {len(ids)}"
            if len(line) <= share:
                lines_by_title[title] = line
                remaining -= len(line) + 1
        body = [lines_by_title[title] for title, _, _ in groups if title in lines_by_title]
    return shorten("\n".join([head, *body, *tail]), limit)
