"""Benchmark: load time of synthetic fact books, and the cost of refusing hostile files.

Run by hand: ``.venv/bin/python bench/bench_load.py``. Prints, for books of 1,000 and 10,000
facts, the median load time with PyYAML's C parser and the pure-Python one, next to a plain
``json.loads`` of the same data (the floor), with ratios; then the time to refuse a 50 MB file
and an alias bomb, and the peak memory of loading the largest accepted input.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.factbook import DEFAULT_MAX_BYTES, has_libyaml, load_bytes, load_path

TODAY = dt.date(2026, 11, 27)


def synthetic_book(n_facts: int) -> dict[str, object]:
    """A book shaped like the real one: one source per ten facts, twenty topics."""
    n_sources = max(1, n_facts // 10)
    sources = {
        f"src-{i}": {
            "title": f"Report {i} on overseas labour and forced labour",
            "publisher": f"Publisher {i % 37}",
            "date": f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "url": f"https://example.org/reports/{i}",
        }
        for i in range(n_sources)
    }
    topics = {
        f"topic-{i}": {"title": f"Topic {i}", "aliases": [f"alias {i}", f"other name {i}"]}
        for i in range(20)
    }
    facts = [
        {
            "id": f"fact-{i}",
            "claim": f"Fact {i} states that workers were sent abroad in {2000 + i % 25}.",
            "source": f"src-{i % n_sources}",
            "topics": [f"topic-{i % 20}", f"topic-{(i + 7) % 20}"],
            "quote": f"The exact words of the source for fact {i}, quoted.",
            "as_of": 2000 + i % 25,
            "regions": ["china", "russia"],
            "confidence": "verified" if i % 5 else "secondhand",
            "reviewed": f"2026-{1 + i % 10:02d}-15",
        }
        for i in range(n_facts)
    ]
    return {"version": 1, "review_every": 365, "sources": sources, "topics": topics, "facts": facts}


def to_yaml(book: dict[str, object]) -> str:
    """Block-style YAML as a curator writes it (no PyYAML dumper: quoting stays predictable)."""
    out = ["version: 1", "review_every: 365", "sources:"]
    for sid, s in book["sources"].items():  # type: ignore[attr-defined]
        out += [f"  {sid}:", f'    title: "{s["title"]}"', f"    publisher: {s['publisher']}"]
        out += [f"    date: {s['date']}", f"    url: {s['url']}"]
    out.append("topics:")
    for tid, t in book["topics"].items():  # type: ignore[attr-defined]
        out += [
            f"  {tid}:",
            f"    title: {t['title']}",
            f"    aliases: [{', '.join(t['aliases'])}]",
        ]
    out.append("facts:")
    for f in book["facts"]:  # type: ignore[attr-defined]
        out += [
            f"  - id: {f['id']}",
            f"    claim: {f['claim']}",
            f"    source: {f['source']}",
            f"    topics: [{', '.join(f['topics'])}]",
            f'    quote: "{f["quote"]}"',
            f"    as_of: {f['as_of']}",
            f"    regions: [{', '.join(f['regions'])}]",
            f"    confidence: {f['confidence']}",
            f"    reviewed: {f['reviewed']}",
        ]
    return "\n".join(out) + "\n"


def median_time(fn: Callable[[], object], runs: int) -> float:
    """Median CPU seconds of this process (steadier than wall time on a shared machine)."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def wall_time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alias_bomb() -> bytes:
    lines = ["version: 1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    print(f"libyaml available: {has_libyaml()}; times are median CPU seconds of this process")
    print(
        f"{'facts':>6} {'bytes':>10} {'json.loads':>10} {'C loader':>9} {'pure':>8}"
        f" {'C/json':>7} {'pure/json':>9} {'pure/C':>7} {'C wall':>8}"
    )
    for n in (1_000, 10_000):
        book = synthetic_book(n)
        data = to_yaml(book).encode()
        as_json = json.dumps(book)
        check = load_bytes(data, today=TODAY)
        assert check.ok and len(check.book or ()) == n, check.findings[:3]
        runs = 7 if n <= 1_000 else 5
        t_json = median_time(lambda j=as_json: json.loads(j), runs)  # type: ignore[misc]
        t_c = median_time(lambda d=data: load_bytes(d, today=TODAY, parser="c"), runs)  # type: ignore[misc]
        py_runs = 3 if n <= 1_000 else 1
        t_py = median_time(lambda d=data: load_bytes(d, today=TODAY, parser="python"), py_runs)  # type: ignore[misc]
        t_wall = wall_time(lambda d=data: load_bytes(d, today=TODAY))  # type: ignore[misc]
        print(
            f"{n:>6} {len(data):>10,} {t_json * 1000:>8.1f}ms {t_c * 1000:>7.0f}ms"
            f" {t_py * 1000:>6.0f}ms {t_c / t_json:>6.0f}x {t_py / t_json:>8.0f}x"
            f" {t_py / t_c:>6.1f}x {t_wall * 1000:>6.0f}ms"
        )

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.yaml"
        with big.open("wb") as fh:
            fh.write(b"# " + b"x" * (50 * 1024 * 1024 - 3) + b"\n")
        t_big = median_time(lambda: load_path(big), 5)
        refused = load_path(big)
        print(f"50 MB file refused ({refused.errors[0].code}): {t_big * 1000:.2f} ms (median of 5)")
    ten_mb = b"version: 1\nfacts: []\n" + b"# " + b"x" * (DEFAULT_MAX_BYTES - 40) + b"\n"
    t_cap = median_time(lambda: load_bytes(ten_mb + b"x" * 100), 5)
    print(f"10 MB + 100 bytes in memory refused: {t_cap * 1000:.3f} ms")

    bomb = alias_bomb()
    for parser in ("c", "python"):
        t_bomb = median_time(lambda p=parser: load_bytes(bomb, parser=p), 5)  # type: ignore[misc]
        code = load_bytes(bomb, parser=parser).errors[0].code  # type: ignore[arg-type]
        print(
            f"alias bomb (10^9 nodes expanded) refused by {parser} parser ({code}): "
            f"{t_bomb * 1000:.2f} ms"
        )
    deep = b"version: 1\nx: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    t_deep = median_time(lambda: load_bytes(deep), 3)
    print(
        f"100,000-deep nesting refused ({load_bytes(deep).errors[0].code}): {t_deep * 1000:.1f} ms"
    )

    flood = b"version: 1\nx: [" + b"a," * 4_900_000 + b"a]\n"
    t_flood = median_time(lambda: load_bytes(flood), 3)
    print(
        f"{len(flood) / 1e6:.1f} MB of tiny values ('a,' x 4.9M) refused "
        f"({load_bytes(flood).errors[0].code}): {t_flood * 1000:.0f} ms"
    )
    sneaky = b"version: 1\nx: [" + b"abcd, " * 1_200_000 + b"a]\n"  # passes the separator count
    t_sneaky = median_time(lambda: load_bytes(sneaky), 1)
    tracemalloc.start()
    code = load_bytes(sneaky).errors[0].code
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{len(sneaky) / 1e6:.1f} MB of 1.2M values refused at the node bound ({code}): "
        f"{t_sneaky * 1000:.0f} ms CPU, peak {peak / 1e6:.0f} MB"
    )

    n_big = 30_000  # about 9.5 MB: near the largest file the default cap accepts
    largest = to_yaml(synthetic_book(n_big)).encode()
    t_big_ok = median_time(lambda: load_bytes(largest, today=TODAY), 3)
    tracemalloc.start()
    accepted = load_bytes(largest, today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert accepted.ok and len(accepted.book or ()) == n_big
    print(
        f"largest accepted input: {len(largest):,} bytes, {n_big:,} facts: "
        f"{t_big_ok * 1000:.0f} ms CPU, peak {peak / 1e6:.0f} MB (tracemalloc)"
    )
    one_line = b"version: 1\nfacts: []\nnote: " + b"x" * (DEFAULT_MAX_BYTES - 40) + b"\n"
    t_line = median_time(lambda: load_bytes(one_line), 3)
    print(
        f"a {len(one_line) / 1e6:.0f} MB single line: {t_line * 1000:.0f} ms "
        f"({load_bytes(one_line).errors[0].code})"
    )


if __name__ == "__main__":
    main()
