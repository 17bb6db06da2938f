"""FactBooks built in code for tests: small builders, a sample book, and its facts.yaml text.

Any test may import it (``from tests.bookfactory import make_book, sample_book``). Sources and
topics a fact names but the caller did not give are created with plain defaults, so a test
only spells out what it is about.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

import yaml

from bot.factbook import Fact, FactBook, Source, Topic


def make_source(
    sid: str = "src",
    *,
    title: str | None = None,
    publisher: str = "Example Publisher",
    date: str = "2015",
    url: str | None = None,
    author: str | None = None,
) -> Source:
    return Source(
        id=sid,
        title=title or f"Report {sid}",
        publisher=publisher,
        date=date,
        url=url or f"https://example.org/{sid}",
        author=author,
    )


def make_topic(tid: str, title: str | None = None, aliases: Iterable[str] = ()) -> Topic:
    return Topic(id=tid, title=title or tid.replace("-", " ").capitalize(), aliases=tuple(aliases))


def make_fact(
    fid: str,
    claim: str,
    *,
    source: str = "src",
    topics: Iterable[str] = ("general",),
    **kw: Any,
) -> Fact:
    return Fact(id=fid, claim=claim, source=source, topics=tuple(topics), **kw)


def make_book(
    facts: Iterable[Fact],
    *,
    sources: Iterable[Source] = (),
    topics: Iterable[Topic] = (),
    version: str | None = None,
    review_every: int = 365,
    synonyms: tuple[tuple[str, ...], ...] = (),
) -> FactBook:
    """A FactBook of ``facts`` in the given order; missing sources and topics are made up."""
    fact_list = list(facts)
    src = {s.id: s for s in sources}
    top = {t.id: t for t in topics}
    for f in fact_list:
        src.setdefault(f.source, make_source(f.source))
        for t in f.topics:
            top.setdefault(t, make_topic(t))
    if version is None:
        version = hashlib.sha256(repr(fact_list).encode()).hexdigest()
    return FactBook(
        facts={f.id: f for f in fact_list},
        sources=src,
        topics=top,
        version=version,
        review_every=review_every,
        synonyms=synonyms,
    )


# -- the sample book ---------------------------------------------------------------------------
SAMPLE_SOURCES = (
    make_source(
        "fa-2015",
        title="Outsourcing Oppression: Trafficked Labor from North Korea",
        publisher="Foreign Affairs",
        author="Sarah E. Mendelson",
        date="2015-05-28",
        url="https://www.foreignaffairs.com/articles/north-korea/2015-05-28/outsourcing-oppression",
    ),
    make_source(
        "cfr-2015",
        title="North Korea's Overseas Labor",
        publisher="Council on Foreign Relations",
        date="2015-06",
        url="https://www.cfr.org/blog/north-koreas-overseas-labor",
    ),
    make_source(
        "un-2397",
        title="Resolution 2397 (2017)",
        publisher="UN Security Council",
        date="2017-12-22",
        url="https://www.un.org/securitycouncil/s/res/2397-%282017%29",
    ),
    make_source(
        "ilo-2022",
        title="Global Estimates of Modern Slavery: Forced Labour and Forced Marriage",
        publisher="ILO, Walk Free and IOM",
        date="2022-09-12",
        url="https://www.ilo.org/global/topics/forced-labour/publications/WCMS_854733",
    ),
    make_source(
        "afp-2023",
        title="UN rapporteur on North Korean workers",
        publisher="AFP",
        date="2023-03",
        url="https://www.afp.com/en/news/north-korea-workers",
    ),
    make_source(
        "kbs-2024",
        title="북한 노동자 러시아 입국",
        publisher="KBS",
        date="2024-11",
        url="https://news.kbs.co.kr/news/view.do?ncd=0000000",
    ),
)

SAMPLE_TOPICS = (
    make_topic(
        "nk-overseas-labour",
        "North Korean overseas labour",
        ["dprk workers abroad", "north korean workers"],
    ),
    make_topic("russia-logging", "Russian Far East logging", ["logging camps"]),
    make_topic("revenue", "Revenue for the regime", ["earnings", "hard currency"]),
    make_topic("sanctions", "UN sanctions", ["security council", "resolution 2397"]),
    make_topic("global-estimates", "Global estimates of forced labour", ["ilo estimates"]),
)

SAMPLE_FACTS = (
    make_fact(
        "fa-interviews",
        "A May 2015 Foreign Affairs article described an NKDB report based on interviews with "
        "20 North Koreans sent abroad to earn money.",
        source="fa-2015",
        topics=["nk-overseas-labour"],
        quote="researchers Yoon Yeo-sang and Lee Seung-ju describe interviews with 20 North "
        "Koreans who were sent to foreign countries to earn money for their families",
        regions=("north-korea",),
    ),
    make_fact(
        "fa-revenue",
        "The 2015 Foreign Affairs article said North Korean workers abroad generated an "
        "estimated $1.2 to $2.3 billion a year for their government.",
        source="fa-2015",
        topics=["revenue", "nk-overseas-labour"],
        quote="these workers have generated between $1.2–$2.3 billion a year for the government",
        as_of="2015",
    ),
    make_fact(
        "fa-revenue-hard-cash",
        "The 2015 Foreign Affairs article said North Korean workers abroad generated an "
        "estimated $1.2 to $2.3 billion a year for their government, paid in hard currency.",
        source="fa-2015",
        topics=["revenue"],
        as_of="2015",
    ),
    make_fact(
        "fa-host-countries",
        "The 2015 Foreign Affairs article said Russia and China hosted an estimated 19,000 "
        "North Korean workers each.",
        source="fa-2015",
        topics=["nk-overseas-labour"],
        regions=("russia", "china"),
        as_of="2015",
        confidence="secondhand",
        reported_by="The Freedom Fund",
    ),
    make_fact(
        "cfr-russia-count",
        "A CFR summary of the NKDB report put the number of North Korean workers in Russia at "
        "an estimated 20,000.",
        source="cfr-2015",
        topics=["nk-overseas-labour"],
        regions=("russia",),
        as_of="2015",
    ),
    make_fact(
        "logging-1967",
        "North Korean logging camps in the Russian Far East date to a 1967 Soviet–North Korean "
        "agreement.",
        source="cfr-2015",
        topics=["russia-logging"],
        regions=("russia",),
    ),
    make_fact(
        "logging-conditions",
        "Workers in the Russian logging camps were reported to work long hours under guard.",
        source="afp-2023",
        topics=["russia-logging"],
        regions=("russia",),
        confidence="secondhand",
        reported_by="AFP, citing the UN Special Rapporteur",
    ),
    make_fact(
        "un-2397-repatriation",
        "UN Security Council Resolution 2397 required member states to repatriate North Korean "
        "workers within 24 months.",
        source="un-2397",
        topics=["sanctions"],
        regions=("global",),
        reviewed=dt.date(2024, 1, 10),
    ),
    make_fact(
        "ilo-2016-forced-labour",
        "The ILO estimated 25 million people were in forced labour in 2016.",
        source="ilo-2022",
        topics=["global-estimates"],
        as_of="2016",
        superseded_by="ilo-2021-forced-labour",
    ),
    make_fact(
        "ilo-2021-forced-labour",
        "The ILO, Walk Free and IOM estimated 28 million people were in forced labour in 2021.",
        source="ilo-2022",
        topics=["global-estimates"],
        as_of="2021",
    ),
    make_fact(
        "ilo-2021-modern-slavery",
        "The same 2022 Global Estimates put the number of people in modern slavery at 50 "
        "million in 2021.",
        source="ilo-2022",
        topics=["global-estimates"],
        as_of="2021",
    ),
    make_fact(
        "kbs-russia-entries",
        "2024년 러시아에 입국한 북한 노동자는 13,221명이었다.",
        source="kbs-2024",
        topics=["nk-overseas-labour"],
        regions=("russia",),
        as_of="2024",
    ),
    make_fact(
        "fa-mongolia",
        "The 2015 Foreign Affairs article noted North Korean labourers on construction sites "
        "in Mongolia.",
        source="fa-2015",
        topics=["nk-overseas-labour"],
        regions=("mongolia",),
    ),
)


def sample_book(version: str = "sample-v1") -> FactBook:
    """A dozen facts on North Korean overseas labour with every feature the engine handles:
    aliases, a Korean claim, secondhand facts, a superseded fact, conflicting figures, as_of,
    a near-duplicate, a reviewed date."""
    return make_book(SAMPLE_FACTS, sources=SAMPLE_SOURCES, topics=SAMPLE_TOPICS, version=version)


# -- facts.yaml text -----------------------------------------------------------------------------
def to_yaml(book: FactBook) -> str:
    """``book`` written as a facts.yaml (format version 1), for tests that go through the
    loader."""

    def drop_none(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v not in (None, (), [])}

    doc: dict[str, Any] = {"version": 1, "sources": {}, "topics": {}, "facts": []}
    for s in book.sources.values():
        doc["sources"][s.id] = drop_none(
            {
                "title": s.title,
                "publisher": s.publisher,
                "author": s.author,
                "date": s.date,
                "url": s.url,
            }
        )
    for t in book.topics.values():
        doc["topics"][t.id] = drop_none(
            {"title": t.title, "aliases": list(t.aliases), "description": t.description}
        )
    for f in book.facts.values():
        entry = {
            "id": f.id,
            "claim": f.claim,
            "source": f.source,
            "topics": list(f.topics),
            "quote": f.quote,
            "as_of": f.as_of,
            "regions": list(f.regions),
            "confidence": f.confidence if f.secondhand else None,
            "reported_by": f.reported_by,
            "reviewed": f.reviewed,
            "superseded_by": f.superseded_by,
        }
        doc["facts"].append(drop_none(entry))
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000)
