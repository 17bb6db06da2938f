"""Synthetic facts files (format version 1) for Discord tests and the benchmark."""

from __future__ import annotations

import json

WORDS = (
    "workers",
    "wages",
    "revenue",
    "sanctions",
    "construction",
    "logging",
    "fishing",
    "textiles",
    "seafood",
    "restaurants",
    "dormitories",
    "passports",
    "overtime",
    "remittances",
    "contractors",
    "quotas",
    "surveillance",
    "brokers",
    "visas",
    "shipyards",
    "factories",
    "agriculture",
    "mining",
    "debt",
    "recruitment",
    "inspections",
)
REGIONS = ("russia", "china", "poland", "qatar", "kuwait", "mongolia", "malta", "uruguay")


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def synthetic_facts(n_facts: int, n_topics: int = 20, n_sources: int = 50) -> str:
    """A valid facts.yaml with ``n_facts`` facts, long-ish ids and claims, every topic used."""
    out = ["version: 1", "sources:"]
    for s in range(n_sources):
        out += [
            f"  src-{s:03d}:",
            f"    title: {_q(f'Report {s} on overseas labour and {WORDS[s % len(WORDS)]}')}",
            f"    publisher: {_q(f'Publisher {s % 7}')}",
            f"    date: {2010 + s % 15}-0{1 + s % 9}-1{s % 9}",
            f"    url: https://example.org/reports/{s}",
        ]
    out.append("topics:")
    for t in range(n_topics):
        word = WORDS[t % len(WORDS)]
        out += [
            f"  topic-{t:02d}-{word}:",
            f"    title: {_q(f'Topic {t}: {word} and forced labour')}",
            f"    aliases: [{_q(f'{word} {t}')}]",
        ]
    out.append("facts:")
    for i in range(n_facts):
        a, b, c = (WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7))
        region = REGIONS[i % len(REGIONS)]
        claim = (
            f"In {region}, report {i} found {a} linked to {b} and {c}, "
            f"with {i % 97 + 3} percent of cases involving withheld {b}."
        )
        out += [
            f"  - id: fact-{i:04d}-{a}-{b}-{region}",
            f"    claim: {_q(claim)}",
            f"    source: src-{i % n_sources:03d}",
            f"    topics: [topic-{i % n_topics:02d}-{WORDS[(i % n_topics) % len(WORDS)]}]",
            f"    quote: {_q(f'The {a} of workers in {region} were tied to {b}.')}",
            f"    as_of: {2010 + i % 15}",
            f"    regions: [{region}]",
        ]
    return "\n".join(out) + "\n"
