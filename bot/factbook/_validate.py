"""The facts.yaml sections and cross-references (format version 1): node tree -> book parts.

This module owns the shape of the file (a mapping with ``version``, ``review_every``,
``sources``, ``topics`` and ``facts``), the rules that span entries (unique ids, references to
sources, topics and superseding facts) and the warnings (no quote, stale review, unused source or
topic). What a citation needs and how facts lean on each other is ``_integrity``'s. Single
values are read by the field readers (``_fields``). Every problem is reported, none raises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.factbook._fields import (
    FACT_REQUIRED,
    FORMAT_VERSION,
    MAX_CLAIM_CHARS,
    SOURCE_REQUIRED,
    TOP_FIELDS,
    Checked,
    Entry,
    FieldReader,
    Reader,
)
from bot.factbook._findings import Finding, did_you_mean
from bot.factbook._integrity import check_facts, check_links, check_sources, link_cycles
from bot.factbook._model import Fact, FactBook, Source, Topic
from bot.factbook._yaml import (
    INT_TAG,
    VALUE,
    MappingNode,
    Node,
    empty_mapping,
    empty_sequence,
    is_blank,
    is_mapping,
    is_null,
    is_scalar,
    is_sequence,
    peek,
    position,
    scalar_tag,
)


class _Validator(FieldReader):
    def __init__(self, path: str, today: dt.date, skip: frozenset[int]) -> None:
        super().__init__(path, today, skip)
        self.fact_entries: dict[str, Entry] = {}
        self.source_entries: list[Entry] = []
        self.topic_entries: list[Entry] = []
        self.facts_node: Node | None = None
        # ids of every source and topic written down, valid or not (references resolve to these)
        self.declared: dict[str, dict[str, None]] = {"source": {}, "topic": {}}

    # -- the whole file ------------------------------------------------------------------------
    def document(self, root: Node | None) -> None:
        if root is None:
            msg = "the file is empty: it should start with 'version: 1'"
            self.out.findings.append(Finding("error", self.path, 1, 1, None, msg, "empty"))
            return
        if not is_mapping(root):
            if id(root) in self.skip:
                return
            kind = "a list" if is_sequence(root) else "a single value"
            msg = f"the file is {kind}; it should be a mapping of version, sources, topics, facts"
            self.error(root, None, "not-a-mapping", msg)
            return
        sections = {name: value for name, _key, value in self.items(root, None, TOP_FIELDS)}
        self.version(sections.get("version"), root)
        if "review_every" in sections:
            every = self.positive_int(sections["review_every"], None, "review_every")
            if every is not None:
                self.out.review_every = every
        if "synonyms" in sections:
            self.synonyms(sections["synonyms"])
        sources = self.section(sections, "sources", root)
        topics = self.section(sections, "topics", root)
        facts_node = sections.get("facts")
        if is_scalar(facts_node) and is_null(facts_node):
            facts_node = empty_sequence(facts_node)
        if facts_node is None:
            self.error(root, None, "missing-section", "missing 'facts' section (a list of facts)")
        self.facts_node = facts_node
        entries = self.facts(facts_node) if facts_node is not None else []
        source_entries = self.entries(sources, _SOURCE_READERS, "source")
        topic_entries = self.entries(topics, _TOPIC_READERS, "topic")
        self.source_entries, self.topic_entries = source_entries, topic_entries
        self.build_sources(source_entries)
        self.build_topics(topic_entries)
        self.build_facts(entries, sources_ok=sources is not None, topics_ok=topics is not None)
        if facts_node is not None and is_sequence(facts_node):
            self.unused(source_entries, topic_entries, entries)

    def version(self, node: Node | None, root: MappingNode) -> None:
        if node is None:
            self.error(root, None, "no-version", "missing 'version: 1' at the top of the file")
            return
        shown = node[VALUE] if is_scalar(node) else "?"
        if is_scalar(node) and scalar_tag(node) == INT_TAG and shown.strip() == str(FORMAT_VERSION):
            return
        msg = (
            f"unsupported format version '{shown}': this factbot reads 'version: {FORMAT_VERSION}'"
        )
        self.error(node, None, "bad-version", msg)

    def synonyms(self, node: Node) -> None:
        """``synonyms:``, a list of word groups (``- [ban, bar, prohibit]``): a query word of a
        group also finds the facts that use another word of it.
        """
        if is_scalar(node) and is_null(node):
            return
        if not is_sequence(node):
            what = "a list of word groups (each line '- [ban, prohibit]')"
            self.wrong_kind(node, None, "'synonyms'", what)
            return
        groups: list[tuple[str, ...]] = []
        group_line: dict[str, int] = {}  # folded word -> line of the group it is in
        for item in node[VALUE]:
            if not is_sequence(item):
                self.wrong_kind(
                    item, None, "a synonym group", "a list of words, e.g. [ban, prohibit]"
                )
                continue
            group: list[str] = []
            flawed = False  # a word of the group was reported: no more about the group
            for word_node in item[VALUE]:
                word = self.text(word_node, None, "a synonym")
                if word is None:
                    flawed = True
                    if is_blank(word_node) and id(word_node) not in self.skip:  # else reported
                        self.error(word_node, None, "empty-item", "empty word in a synonym group")
                    continue
                if len(word.split()) > 1:
                    msg = (
                        f"'{word}' is {len(word.split())} words: a synonym is one word "
                        "(for 'work permit' = 'work authorization', write [permit, authorization])"
                    )
                    self.error(word_node, None, "synonym-phrase", msg)
                    flawed = True
                    continue
                folded = word.casefold()
                if folded in group_line:
                    msg = (
                        f"'{word}' is already in the synonym group at line {group_line[folded]}: "
                        "a word belongs to one group (merge the two groups)"
                    )
                    self.error(word_node, None, "duplicate-synonym", msg)
                    flawed = True
                    continue
                group_line[folded] = position(item)[0]
                group.append(word)
            if len(group) == 1 and not flawed:
                msg = f"the synonym group [{group[0]}] has one word: add the words it stands for"
                self.report("warning", item, None, "lonely-synonym", msg)
            elif len(group) > 1:
                groups.append(tuple(group))
        self.out.synonyms = tuple(groups)

    def section(
        self, sections: dict[str, Node], name: str, root: MappingNode
    ) -> MappingNode | None:
        node = sections.get(name)
        if node is None:
            self.error(
                root,
                None,
                "missing-section",
                f"missing '{name}' section (a mapping of id -> {name[:-1]})",
            )
            return None
        if is_scalar(node) and is_null(node):  # "sources:" with nothing under it
            return empty_mapping(node)
        if not is_mapping(node):
            self.wrong_kind(node, None, f"'{name}'", f"a mapping of id -> {name[:-1]}")
            return None
        return node

    # -- sources and topics --------------------------------------------------------------------
    def entries(
        self,
        node: MappingNode | None,
        readers: Mapping[str, Reader],
        what: str,
    ) -> list[Entry]:
        if node is None:
            return []
        out: list[Entry] = []
        for name, key, value in self.items(node, None, None, id_of=what):
            self.out.counts[f"{what}s"] += 1
            readable = self.ident(key, name, f"{what} id") is not None
            entry = Entry(ident=name, node=key)
            self.record(entry, value, readers, what)
            if readable:
                out.append(entry)
                self.declared[what][name] = None
        return out

    def build_sources(self, entries: list[Entry]) -> None:
        for e in entries:
            if self.require(e, SOURCE_REQUIRED) and e.ident is not None:
                v = e.values
                self.out.sources[e.ident] = Source(
                    id=e.ident,
                    title=_opt_str(v.get("title")),
                    publisher=str(v["publisher"]),
                    date=str(v["date"]),
                    url=str(v["url"]),
                    author=_opt_str(v.get("author")),
                    read_at=_opt_str(v.get("read_at")),
                    line=position(e.node)[0],
                )

    def build_topics(self, entries: list[Entry]) -> None:
        for e in entries:
            if self.require(e, ("title",)) and e.ident is not None:
                aliases = e.values.get("aliases", ())
                self.out.topics[e.ident] = Topic(
                    id=e.ident,
                    title=str(e.values["title"]),
                    aliases=aliases if isinstance(aliases, tuple) else (),
                    description=_opt_str(e.values.get("description")),
                    line=position(e.node)[0],
                )

    # -- facts ---------------------------------------------------------------------------------
    def facts(self, node: Node) -> list[Entry]:
        if not is_sequence(node):
            self.wrong_kind(
                node, None, "'facts'", "a list of facts (each item starts with '- id:')"
            )
            return []
        out: list[Entry] = []
        first_line: dict[str, int] = {}
        for item in node[VALUE]:
            self.out.counts["facts"] += 1
            entry = Entry(ident=peek(item, "id"), node=item)
            self.record(entry, item, _FACT_READERS, "fact")
            ident = entry.values.get("id")
            if isinstance(ident, str):
                if ident in first_line:
                    msg = (
                        f"duplicate fact id '{ident}' (first at line {first_line[ident]}, "
                        f"again at line {position(item)[0]})"
                    )
                    self.error(entry.nodes["id"], ident, "duplicate-id", msg)
                    continue
                first_line[ident] = position(item)[0]
            out.append(entry)
        self.fact_entries = {str(e.values["id"]): e for e in out if "id" in e.values}
        return out

    def build_facts(self, entries: list[Entry], *, sources_ok: bool, topics_ok: bool) -> None:
        known = {e.values["id"] for e in entries if isinstance(e.values.get("id"), str)}
        for e in entries:
            subject = e.ident
            v = e.values
            complete = self.require(e, FACT_REQUIRED)
            claim = v.get("claim")
            if isinstance(claim, str) and len(claim) > MAX_CLAIM_CHARS:
                msg = (
                    f"claim is {len(claim)} characters; the limit is {MAX_CLAIM_CHARS} "
                    "(split it into two facts)"
                )
                self.error(e.nodes["claim"], subject, "claim-too-long", msg)
                complete = False
            source = v.get("source")
            if sources_ok and isinstance(source, str) and source not in self.declared["source"]:
                hint = did_you_mean(source, self.declared["source"])
                self.error(
                    e.nodes["source"], subject, "unknown-source", f"unknown source '{source}'{hint}"
                )
            topics = v.get("topics")
            if isinstance(topics, tuple):
                complete = self.fact_topics(e, topics, topics_ok) and complete
            successor = v.get("superseded_by")
            if isinstance(successor, str):
                complete = self.successor(e, successor, known) and complete
            if complete and isinstance(subject, str):
                self.out.facts[subject] = _make_fact(e)
        self.supersede_cycles(entries)
        for fid in check_links(self, entries, self.out.facts):
            self.out.facts.pop(fid, None)

    def fact_topics(self, e: Entry, topics: tuple[str, ...], topics_ok: bool) -> bool:
        node = e.nodes["topics"]
        if not topics:
            self.error(
                node,
                e.ident,
                "no-topics",
                "topics is empty: file the fact under at least one topic",
            )
            return False
        if not topics_ok or not is_sequence(node):
            return True
        ok = True
        seen: set[str] = set()
        items = [i for i in node[VALUE] if is_scalar(i)]
        for topic, item in zip(topics, items, strict=False):
            if topic not in self.declared["topic"]:
                hint = did_you_mean(topic, self.declared["topic"])
                self.error(item, e.ident, "unknown-topic", f"unknown topic '{topic}'{hint}")
                ok = False
            elif topic in seen:
                self.report(
                    "warning", item, e.ident, "duplicate-topic", f"topic '{topic}' is listed twice"
                )
            seen.add(topic)
        return ok

    def successor(self, e: Entry, successor: str, known: set[object]) -> bool:
        node = e.nodes["superseded_by"]
        if successor == e.ident:
            self.error(node, e.ident, "bad-superseded", "a fact cannot be superseded by itself")
            return False
        if successor not in known:
            hint = did_you_mean(successor, [str(k) for k in known])
            self.error(
                node, e.ident, "unknown-fact", f"superseded_by: unknown fact '{successor}'{hint}"
            )
            return False
        return True

    def supersede_cycles(self, entries: list[Entry]) -> None:
        for circle in link_cycles(self, entries, "superseded_by", "supersede-cycle"):
            self.out.facts.pop(circle[0], None)

    # -- warnings ------------------------------------------------------------------------------
    def unused(self, sources: list[Entry], topics: list[Entry], facts: list[Entry]) -> None:
        cited = {e.values.get("source") for e in facts}
        filed = {t for e in facts for t in _tuple(e.values.get("topics"))}
        for s in sources:
            if s.ident not in cited:
                self.report(
                    "warning", s.node, s.ident, "unused-source", "no fact cites this source"
                )
        for t in topics:
            if t.ident not in filed:
                self.report(
                    "warning", t.node, t.ident, "unused-topic", "no fact is filed under this topic"
                )

    def fact_warnings(self, book: FactBook) -> None:
        check_sources(self, self.source_entries, book)
        check_facts(self, self.fact_entries, book)
        for fact in book:
            e = self.fact_entries[fact.id]
            if fact.quote is None:
                msg = "no quote: add the source's own words so answers can show them"
                self.report("warning", e.node, fact.id, "no-quote", msg)
            stale = fact.superseded_by is None and book.is_stale(fact, self.today)
            if stale and fact.reviewed is not None:  # a superseded fact needs no review
                days = (self.today - fact.reviewed).days
                interval = book.review_interval(fact)
                msg = (
                    f"stale: reviewed {fact.reviewed.isoformat()}, {days} days ago, past its "
                    f"{interval}-day review interval; check it against the source"
                )
                self.report("warning", e.nodes["reviewed"], fact.id, "stale", msg)


# Readers are unbound functions in class-level tables, never bound methods stored on the
# instance: that reference cycle would keep the whole node tree alive until the next collection.
_SOURCE_READERS: Mapping[str, Reader] = {
    "title": _Validator.text,
    "publisher": _Validator.text,
    "date": _Validator.partial_date,
    "url": _Validator.url,
    "author": _Validator.text,
    "read_at": _Validator.url,
}
_TOPIC_READERS: Mapping[str, Reader] = {
    "title": _Validator.text,
    "aliases": FieldReader.aliases,
    "description": _Validator.text,
}
_FACT_READERS: Mapping[str, Reader] = {
    "id": _Validator.ident,
    "claim": _Validator.text,
    "source": _Validator.raw,
    "topics": FieldReader.id_refs,
    "quote": _Validator.text,
    "as_of": _Validator.partial_date,
    "regions": FieldReader.regions,
    "confidence": _Validator.confidence,
    "reviewed": _Validator.full_date,
    "review_every": _Validator.positive_int,
    "superseded_by": _Validator.raw,
    "reported_by": _Validator.text,
    "estimated_by": _Validator.text,
    "repeats": _Validator.raw,
    "never_with": FieldReader.id_refs,
}


def _tuple(value: object) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ()


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _make_fact(e: Entry) -> Fact:
    v = e.values
    return Fact(
        id=str(v["id"]),
        claim=str(v["claim"]),
        source=str(v["source"]),
        topics=_tuple(v["topics"]),
        quote=_opt_str(v.get("quote")),
        as_of=_opt_str(v.get("as_of")),
        regions=_tuple(v.get("regions")),
        confidence="secondhand" if v.get("confidence") == "secondhand" else "verified",
        reviewed=reviewed if isinstance(reviewed := v.get("reviewed"), dt.date) else None,
        review_every=every if isinstance(every := v.get("review_every"), int) else None,
        superseded_by=_opt_str(v.get("superseded_by")),
        reported_by=_opt_str(v.get("reported_by")),
        estimated_by=_opt_str(v.get("estimated_by")),
        repeats=_opt_str(v.get("repeats")),
        never_with=_tuple(v.get("never_with")),
        line=position(e.node)[0],
    )


def validate(
    root: Node | None, path: str, today: dt.date, skip: frozenset[int], version: str
) -> tuple[Checked, FactBook]:
    """Check a composed document; the book holds every entry that passed (the caller drops it
    when there are errors). Findings come back sorted by line.
    """
    v = _Validator(path, today, skip)
    v.document(root)
    out = v.out

    book = FactBook(
        facts=out.facts,
        sources=out.sources,
        topics=out.topics,
        version=version,
        path=path,
        review_every=out.review_every,
        synonyms=out.synonyms,
    )
    v.fact_warnings(book)
    return out, book
