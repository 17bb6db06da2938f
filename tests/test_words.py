"""The shared wording: plural, and the one way text is shortened to a limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.words import plural, shorten


def test_plural() -> None:
    assert plural(1, "fact") == "1 fact"
    assert plural(0, "fact") == "0 facts"
    assert plural(3, "more source") == "3 more sources"


def test_shorten_cuts_at_a_sentence_then_a_word() -> None:
    assert shorten("one two three four", 100) == "one two three four"
    assert shorten("one two three four", 12) == "one two…"
    assert len(shorten("x" * 50, 10)) == 10
    assert shorten("First sentence. Second one goes on and on.", 30) == "First sentence.…"
    assert shorten("a much longer first line\nand a second", 30) == "a much longer first line…"


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_shorten_never_exceeds_the_limit(text: str, limit: int) -> None:
    out = shorten(text, limit)
    assert len(out) <= limit
    assert out == text or len(text) > limit
