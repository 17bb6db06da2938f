"""How factbot words things in every stage: one ``plural``, one way to ``shorten`` text.

Text that must fit a limit (a Discord message, an autocomplete label, a changelog line) is cut
here and nowhere else: at a line or sentence end when one is close to the limit, else at a word,
always with an ellipsis, and never longer than the limit.
"""

from __future__ import annotations

ELLIPSIS = "…"
_SENTENCE_ENDS = ("\n", ". ", "? ", "! ", "; ")


def plural(n: int, noun: str) -> str:
    """``1 fact``, ``2 facts``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: cut at a line or sentence end in the last half,
    else at a word in the last half, else where the limit falls; an ellipsis marks the cut.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    if room <= 0:
        return text[: max(limit, 0)]
    head = text[:room]
    for end in _SENTENCE_ENDS:
        at = head.rfind(end)
        if at >= room // 2:
            return head[: at + (0 if end == "\n" else 1)].rstrip() + ELLIPSIS
    space = head.rfind(" ")
    if space > room // 2:
        head = head[:space]
    return head.rstrip(" ,;:-") + ELLIPSIS
