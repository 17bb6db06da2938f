"""The per-channel limit on public answers: the same answer twice in one channel, within
``REPEAT_WINDOW``, is answered privately with a link to the earlier post.

Owns what counts as "the same answer" (:func:`repeat_key`: a fact by its id, a summary or a
list by the facts it cites) and the memory of recent posts (:class:`ChannelRepeats`): for each
channel and answer, the link to the message and when it was posted. Nothing about the member
who asked is kept, nothing is written to disk, entries expire with the window and there are at
most :data:`REPEATS_MAX` of them.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.answers import Answer

#: Most remembered posts (the oldest go first); a few hundred bytes each.
REPEATS_MAX = 5000


def repeat_key(answer: Answer) -> str | None:
    """What makes two public answers the same, or None for an answer never posted publicly
    (a miss). A fact or source answer is its fact; a summary or list, the facts it cites.
    """
    if answer.kind == "miss":
        return None
    if answer.kind == "topics":
        return "topics"
    ids = ",".join(f.id for f in answer.facts)
    return f"{answer.kind}:{ids}" if ids else f"{answer.kind}?{answer.query}"


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    """The link that opens a message in Discord (``@me`` outside a server)."""
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


@dataclass(frozen=True, slots=True)
class EarlierPost:
    """A public answer already in the channel: its link, and its age in seconds."""

    url: str
    age: float

    @property
    def posted_at(self) -> int:
        """When it was posted, as Unix time (for a Discord ``<t:...:R>`` timestamp)."""
        return int(time.time() - self.age)


class ChannelRepeats:
    """Recent public answers per channel, in memory, bounded and expiring."""

    def __init__(
        self,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = REPEATS_MAX,
    ) -> None:
        self.window = window
        self._clock = clock
        self._max = max_entries
        self._posts: OrderedDict[tuple[int, str], tuple[str, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.window > 0

    def __len__(self) -> int:
        return len(self._posts)

    def _expire(self, now: float) -> None:
        while self._posts:
            _, (_, at) = next(iter(self._posts.items()))
            if now - at < self.window and len(self._posts) <= self._max:
                return
            self._posts.popitem(last=False)

    def earlier(self, channel_id: int | None, key: str | None) -> EarlierPost | None:
        """The same answer posted in this channel within the window, if there is one."""
        if not self.enabled or channel_id is None or key is None:
            return None
        now = self._clock()
        self._expire(now)
        found = self._posts.get((channel_id, key))
        return EarlierPost(found[0], now - found[1]) if found else None

    def remember(self, channel_id: int | None, key: str | None, url: str) -> None:
        """Note a public answer just posted in the channel."""
        if not self.enabled or channel_id is None or key is None:
            return
        now = self._clock()
        self._posts.pop((channel_id, key), None)
        self._posts[(channel_id, key)] = (url, now)
        self._expire(now)


def repeat_status(repeats: ChannelRepeats) -> str:
    """One line for /facts status: the per-channel repeat window."""
    if not repeats.enabled:
        return "Repeat window: off (the same answer may be posted again in a channel at once)."
    return (
        f"Repeat window: {repeats.window:g} s (the same answer again in a channel goes "
        "privately, with a link to the earlier post)."
    )
