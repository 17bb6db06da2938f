"""What a citation needs, and how facts may lean on each other: the rules of an honest book.

This module owns the checks that keep an advocate from quoting something shaky:

* a source's title is a real title, never a placeholder ("[report; title not captured]"); a
  page whose title was not seen has none, and answers show its publisher and date;
* a URL names a page, not only a site's root;
* a fact marked ``verified`` was read on its source's own page: a source whose words were read
  on a copy elsewhere (``read_at`` on another site) gets ``secondhand`` facts;
* every estimate says who made it (``estimated_by``);
* ``repeats`` names the fact whose figure this one repeats or restates (a repost, a news report
  of a report, the rounded form of an unrounded estimate): it must exist, not go round in a
  circle, and (when either claim states a figure) share a figure with it, rounding aside;
* ``never_with`` names facts a summary must never put beside this one: they must exist.

It also owns :func:`figures`, the figures a claim states, used here and by the summaries.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.factbook._findings import did_you_mean
from bot.factbook._model import Fact, FactBook
from bot.factbook._yaml import VALUE, is_scalar, is_sequence

if TYPE_CHECKING:
    from bot.factbook._fields import Entry, FieldReader

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_FIGURE = re.compile(
    r"(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*(?:(thousand|million|billion|bn|m)\b|(만|억)))?", re.I
)
_SCALE = {
    "thousand": 1e3,
    "million": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "만": 1e4,
    "억": 1e8,
}
_PLACEHOLDER = re.compile(
    r"^\s*\[.*\]\s*$|title not (?:captured|seen|known)|\buntitled\b|^\s*(?:n/?a|tbd|todo|\?+)\s*$",
    re.I,
)
#: Figures within this share of each other are one figure rounded (28 and 27.6 million).
ROUNDING = 0.05
_ESTIMATE = re.compile(r"\bestimat|추정", re.I)


def figures(claim: str) -> frozenset[float]:
    """The figures a claim states, scaled by a following "thousand"/"million"/"billion" (or
    Korean 만 / 억); years excluded (a year dates a figure, it is not one: four digits written
    without a separator, so "2,000 slaves" is a figure).
    """
    out: set[float] = set()
    for m in _FIGURE.finditer(claim):
        digits = m.group(1).replace(",", "")
        if _YEAR.match(m.group(1)):  # "2018" is a year; "2,000" is a figure
            continue
        out.add(float(digits) * _SCALE.get((m.group(2) or m.group(3) or "").lower(), 1.0))
    return frozenset(out)


def same_figure(a: frozenset[float], b: frozenset[float]) -> bool:
    """Whether two claims share a figure, rounding aside."""
    return any(x and y and abs(x - y) <= ROUNDING * max(x, y) for x in a for y in b)


def is_placeholder(title: str) -> bool:
    """A title that only stands in for one: in [brackets], "title not captured", "n/a"."""
    return _PLACEHOLDER.search(title) is not None


def is_site_root(url: str) -> bool:
    """A URL that names a whole site, not a page (https://example.org/)."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def check_sources(reader: FieldReader, entries: list[Entry], book: FactBook) -> None:
    """Warnings for sources: placeholder titles, site roots, verified facts read elsewhere."""
    verified = {f.source for f in book if not f.secondhand}
    for e in entries:
        source = book.sources.get(e.ident or "")
        if source is None:
            continue
        if source.title is not None and is_placeholder(source.title):
            msg = (
                f"title '{source.title}' is a placeholder: give the page's title as seen, or "
                "leave 'title' out (answers then show the publisher and date)"
            )
            reader.report("warning", e.nodes["title"], source.id, "placeholder-title", msg)
        if is_site_root(source.url):
            msg = f"url {source.url} is a whole site, not the page: give the page's own address"
            reader.report("warning", e.nodes["url"], source.id, "site-url", msg)
        read_at = source.read_at
        if read_at is not None and _host(read_at) != _host(source.url) and source.id in verified:
            msg = (
                f"its words were read on {_host(read_at)}, not on {_host(source.url)}: mark "
                "the facts citing it 'confidence: secondhand' (or cite the page read)"
            )
            reader.report("warning", e.nodes["read_at"], source.id, "read-elsewhere", msg)


def check_facts(reader: FieldReader, entries: dict[str, Entry], book: FactBook) -> None:
    """Warnings for estimates that do not say who made them."""
    for fact in book:
        if fact.estimated_by is None and _ESTIMATE.search(fact.claim):
            msg = "the claim gives an estimate: say who made it ('estimated_by: ...')"
            reader.report("warning", entries[fact.id].node, fact.id, "no-estimator", msg)


def check_links(reader: FieldReader, entries: list[Entry], facts: dict[str, Fact]) -> set[str]:
    """Errors for ``repeats`` and ``never_with`` that name no fact, the fact itself, a circle,
    or (``repeats``) a fact whose figures differ; the ids of the facts in error.
    """
    known = {str(e.values["id"]) for e in entries if isinstance(e.values.get("id"), str)}
    bad: set[str] = set()
    for e in entries:
        fid = e.values.get("id")
        if not isinstance(fid, str):
            continue
        target = e.values.get("repeats")
        if isinstance(target, str):
            node = e.nodes["repeats"]
            if target == fid:
                reader.error(
                    node,
                    fid,
                    "bad-repeats",
                    "a fact cannot repeat itself: name the fact whose figure it repeats",
                )
                bad.add(fid)
            elif target not in known:
                hint = did_you_mean(target, known)
                msg = f"repeats: unknown fact '{target}'{hint}"
                reader.error(node, fid, "unknown-fact", msg)
                bad.add(fid)
            elif fid in facts and target in facts:
                mine, theirs = figures(facts[fid].claim), figures(facts[target].claim)
                if (mine or theirs) and not same_figure(mine, theirs):
                    msg = (
                        f"repeats {target}, but the two claims share no figure: a repeat "
                        "restates the same estimate (rounding aside)"
                    )
                    reader.error(node, fid, "repeats-other-figure", msg)
                    bad.add(fid)
        others = e.values.get("never_with")
        listed = e.nodes.get("never_with")
        listed = listed if is_sequence(listed) else None
        items = [i for i in listed[VALUE] if is_scalar(i)] if listed else []
        for other, node in zip(others if isinstance(others, tuple) else (), items, strict=False):
            if other == fid:
                reader.error(
                    node,
                    fid,
                    "bad-never-with",
                    "never_with lists the fact itself: name the facts to keep out of its summaries",
                )
                bad.add(fid)
            elif other not in known:
                msg = f"never_with: unknown fact '{other}'{did_you_mean(other, known)}"
                reader.error(node, fid, "unknown-fact", msg)
                bad.add(fid)
    for circle in link_cycles(reader, entries, "repeats", "repeats-cycle"):
        bad.update(circle)
    return bad


def link_cycles(
    reader: FieldReader, entries: list[Entry], field: str, code: str
) -> list[list[str]]:
    """Errors for facts whose ``field`` (``superseded_by``, ``repeats``) leads round in a
    circle back to them, one per circle, at its first fact; the circles found, each from that
    fact.
    """
    nxt = {
        str(e.values["id"]): str(e.values[field])
        for e in entries
        if isinstance(e.values.get("id"), str) and isinstance(e.values.get(field), str)
    }
    by_id = {str(e.values.get("id")): e for e in entries}
    reported: set[str] = set()
    circles: list[list[str]] = []
    for start in nxt:
        chain = [start]
        cur = nxt.get(start)
        while cur is not None and cur not in chain:
            chain.append(cur)
            cur = nxt.get(cur)
        if cur == start and len(chain) > 1 and start not in reported:
            reported.update(chain)
            loop = " -> ".join([*chain, start])
            msg = f"{field} goes round in a circle: {loop}"
            reader.error(by_id[start].nodes[field], start, code, msg)
            circles.append(chain)
    return circles
