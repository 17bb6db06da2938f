"""A long fuzzing run of the loader: the property tests of tests/test_load_fuzz.py, many times.

Run by hand: ``.venv/bin/python bench/fuzz_load.py [EXAMPLES_PER_TEST]`` (default 5,000).
Prints how many inputs ran through the loader, how long it took, and the slowest single load.
Any failure is raised with hypothesis's minimal example.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PER_TEST = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
os.environ["FACTBOT_FUZZ_EXAMPLES"] = str(PER_TEST)

from bot import factbook as load  # noqa: E402
from tests.factbook import test_load_fuzz as fuzz  # noqa: E402

TESTS = (
    fuzz.test_random_bytes,
    fuzz.test_yamlish_text,
    fuzz.test_random_documents,
    fuzz.test_valid_book_with_one_field_mutated,
    fuzz.test_valid_text_with_one_edit,
)


def main() -> None:
    slowest = [0.0, b""]
    original = load.load_bytes

    def timed(data: bytes, *args: object, **kw: object) -> load.LoadResult:
        start = time.perf_counter()
        try:
            return original(data, *args, **kw)  # type: ignore[arg-type]
        finally:
            spent = time.perf_counter() - start
            if spent > slowest[0]:
                slowest[:] = [spent, data]

    fuzz.load_bytes = timed  # type: ignore[assignment]
    print(f"{PER_TEST:,} examples per test")
    start = time.perf_counter()
    for test in TESTS:
        before = fuzz.RUNS[0]
        t0 = time.perf_counter()
        test()
        spent = time.perf_counter() - t0
        print(f"{test.__name__:<42} {fuzz.RUNS[0] - before:>7,} inputs  {spent:6.1f} s")
    total = time.perf_counter() - start
    print(
        f"total: {fuzz.RUNS[0]:,} inputs through the loader in {total:.1f} s, no escaped exception"
    )
    data = slowest[1]
    assert isinstance(data, bytes)
    print(f"slowest single load: {slowest[0] * 1000:.1f} ms ({len(data)} bytes, wall time)")
    again = min(_seconds(lambda: original(data)) for _ in range(5))
    print(f"the same input loaded again: {again * 1000:.1f} ms (best of 5): {data[:80]!r}")


def _seconds(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
