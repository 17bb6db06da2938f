"""Throughput and latency of the bot through the local Discord, against a trivial command.

Drives the real bot (discord.py, in process) through the stand-in on 127.0.0.1 with a synthetic
1,000-fact book: /fact and /summary side by side with /ping, a command registered only here
that answers a constant (the floor discord.py itself sets). Latency is injection -> callback
recorded by the stand-in. One interaction in flight at a time, then a concurrent burst. /fact
queries are 676 different word pairs; /summary cycles over the book's 20 topics.

    .venv/bin/python bench/bench_discord.py [--n 800] [--rounds 16] [--concurrency 8]

Target: /fact's and /summary's p99 latency within 2x of /ping's, one in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import discord  # noqa: E402
from discord import app_commands  # noqa: E402

from tests.stand_in import StandIn  # noqa: E402
from tests.stand_in.books import WORDS, synthetic_facts  # noqa: E402
from tests.stand_in.harness import BotHandle, launch  # noqa: E402

TARGET = 2.0  # p99 latency as a multiple of /ping's


@app_commands.command(name="ping", description="Answers a constant (benchmark floor)")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong", allowed_mentions=discord.AllowedMentions.none())


def _queries(kind: str) -> Callable[[int], dict[str, Any]]:
    if kind == "fact":
        # 676 different two-word queries: free text rarely repeats
        w = len(WORDS)
        return lambda i: {"query": f"{WORDS[i % w]} {WORDS[(i // w) % w]}"}
    if kind == "summary":
        # the 20 topics of the book: summaries of the same topics are asked again and again
        return lambda i: {"topic": f"topic-{i % 20:02d}-{WORDS[(i % 20) % len(WORDS)]}"}
    return lambda i: {}


class Tally:
    """Latencies and busy time of one command, accumulated over rounds."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.elapsed = 0.0

    def figures(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        return {
            "rate": len(lat) / self.elapsed,
            "p50": statistics.median(lat) * 1000,
            "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
        }


_next_query: dict[str, int] = {cmd: 0 for cmd in ("ping", "fact", "summary")}


async def _run(handle: BotHandle, command: str, n: int, concurrency: int, tally: Tally) -> None:
    s = handle.stand_in
    options = _queries(command)
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int) -> float:
        async with sem:
            rec = await s.inject(s.interaction_payload(command, options(i)))
            await s.wait_reply(rec, timeout=10)
            assert rec.callback_type == 4 and (rec.embeds or rec.content), rec.callback_data
            return rec.latency

    start = time.perf_counter()
    first = _next_query[command]  # every run goes on where the last stopped: no query is
    _next_query[command] += n  # repeated unless the command's own cycle repeats it
    tally.latencies += await asyncio.gather(*(one(i) for i in range(first, first + n)))
    tally.elapsed += time.perf_counter() - start


COMMANDS = ("ping", "fact", "summary")


async def _compare(handle: BotHandle, n: int, concurrency: int, rounds: int) -> bool:
    """Commands interleaved in rounds, so that machine noise falls on all of them alike."""
    tallies = {cmd: Tally() for cmd in COMMANDS}
    for cmd in COMMANDS:  # warm-up
        await _run(handle, cmd, 10, concurrency, Tally())
    for _ in range(rounds):
        for cmd in COMMANDS:
            await _run(handle, cmd, max(n // rounds, 1), concurrency, tallies[cmd])
    results = {cmd: t.figures() for cmd, t in tallies.items()}
    floor = results["ping"]
    print(f"\nconcurrency {concurrency}:")
    print(f"  {'command':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99 / ping':>11}")
    ok = True
    for cmd, r in results.items():
        ratio = r["p99"] / floor["p99"]
        print(f"  /{cmd:<8} {r['rate']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {ratio:10.2f}x")
        ok = ok and ratio <= TARGET
    return ok


def _engine_ms(handle: BotHandle, n: int) -> dict[str, float]:
    """The answer engine alone (compose + render, no Discord) on the same queries: the part of
    a command's latency that is not the Discord layer's.
    """
    from bot import answers
    from bot.app import embed_dict

    index = handle.facts.index
    calls: dict[str, Callable[[dict[str, Any]], answers.Answer]] = {
        "fact": lambda o: answers.fact_answer(index, o["query"]),
        "summary": lambda o: answers.summary_answer(index, o["topic"]),
    }
    out = {"ping": 0.0}
    for cmd, call in calls.items():
        options = _queries(cmd)
        start = time.perf_counter()
        for i in range(n):
            embed_dict(call(options(i)))
        out[cmd] = (time.perf_counter() - start) / n * 1000
    return out


async def _autocomplete(handle: BotHandle, n: int) -> None:
    """Autocomplete latency (Discord drops choices that arrive after ~3 s)."""
    s = handle.stand_in
    tally = Tally()
    start = time.perf_counter()
    for i in range(n):
        for command, option, typed in (
            ("fact", "query", WORDS[i % len(WORDS)][: 1 + i % 6]),
            ("summary", "topic", WORDS[i % len(WORDS)][:3]),
        ):
            payload = s.interaction_payload(command, {option: typed}, focused=option)
            rec = await s.wait_reply(await s.inject(payload), timeout=10)
            assert len(rec.choices) <= 25
            tally.latencies.append(rec.latency)
    tally.elapsed = time.perf_counter() - start
    r = tally.figures()
    print(
        f"\nautocomplete (/fact query, /summary topic): {r['rate']:.0f}/s, "
        f"p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms"
    )


async def main(n: int, concurrency: int, rounds: int) -> int:
    logging.basicConfig(level=logging.WARNING)
    stand_in = StandIn()
    await stand_in.start()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facts.yaml"
        path.write_text(synthetic_facts(1000, n_topics=20), encoding="utf-8")
        handle = await launch(stand_in, path, extra_commands=(ping,))
        print(f"book: {handle.facts.book.summary_line()}; n={n} per command")
        try:
            engine = _engine_ms(handle, n)
            print(
                "answer engine alone (compose + render), mean ms per call: "
                + ", ".join(f"/{k} {v:.2f}" for k, v in engine.items() if v)
            )
            ok = [await _compare(handle, n, conc, rounds) for conc in (1, concurrency)]
            await _autocomplete(handle, n)
        finally:
            await handle.stop()
            await stand_in.close()
    met = ok[0]  # the target: one interaction in flight
    verdict = "met" if met else "NOT met"
    print(f"\ntarget: /fact and /summary p99 within {TARGET:g}x of /ping's: {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=800, help="interactions per command")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=16, help="interleaved rounds")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.n, args.concurrency, args.rounds)))
