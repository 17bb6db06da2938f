"""What the stand-in records: every REST call, and per interaction the replies the bot sent.

Plain data, no networking: the server in :mod:`tests.stand_in.server` fills these in and tests
read them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

EPHEMERAL = 64

#: Interaction callback types (Discord's InteractionResponseType).
CB_MESSAGE = 4
CB_DEFERRED = 5
CB_AUTOCOMPLETE = 8


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a message (a body the bot sent, or an object the API returned)."""
    return [c for row in message.get("components") or [] for c in row.get("components") or []]


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any  # parsed JSON, or None
    status: int
    at: float = field(default_factory=time.monotonic)


@dataclass
class InteractionRecord:
    """One injected interaction and everything the bot sent back for it."""

    id: str
    token: str
    payload: dict[str, Any]
    injected_at: float
    callback_type: int | None = None
    callback_data: dict[str, Any] | None = None
    answered_at: float | None = None  # when the first callback arrived
    edits: list[dict[str, Any]] = field(default_factory=list)  # PATCH @original bodies
    followups: list[dict[str, Any]] = field(default_factory=list)  # POST webhook bodies
    deleted: bool = False
    #: the messages as the API returned them (ids, flags, components): the original response
    #: (updated by edits) and each followup
    original: dict[str, Any] | None = None
    followup_messages: list[dict[str, Any]] = field(default_factory=list)

    # -- reading the outcome -----------------------------------------------------------------
    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message body the bot sent for this interaction, in order (not the defer)."""
        out: list[dict[str, Any]] = []
        if self.callback_type == CB_MESSAGE and self.callback_data is not None:
            out.append(self.callback_data)
        out.extend(self.edits)
        out.extend(self.followups)
        return out

    @property
    def complete(self) -> bool:
        """True once the user would see an answer (a message, or autocomplete choices)."""
        if self.callback_type in (CB_MESSAGE, CB_AUTOCOMPLETE):
            return True
        return self.callback_type == CB_DEFERRED and bool(self.edits or self.followups)

    @property
    def final(self) -> dict[str, Any]:
        """The message the user ends up seeing (the last edit/followup, else the callback)."""
        msgs = self.messages
        if not msgs:
            raise AssertionError(f"interaction {self.id} has no message reply")
        return msgs[-1]

    @property
    def message(self) -> dict[str, Any]:
        """The message object the user ends up seeing (the last followup, else the original),
        as the API returned it: press its buttons with ``BotHandle.press``."""
        if self.followup_messages:
            return self.followup_messages[-1]
        if self.original is None:
            raise AssertionError(f"interaction {self.id} has no message reply")
        return self.original

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The buttons of :attr:`final`, row by row."""
        return buttons_of(self.final)

    def labels(self) -> list[str]:
        return [str(b.get("label")) for b in self.buttons]

    @property
    def content(self) -> str:
        return str(self.final.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.final.get("embeds") or [])

    @property
    def ephemeral(self) -> bool:
        """Ephemeral as the user sees it: a deferred reply keeps the defer's flags."""
        if self.callback_type == CB_DEFERRED:
            return bool(int((self.callback_data or {}).get("flags", 0)) & EPHEMERAL)
        return bool(int(self.final.get("flags", 0) or 0) & EPHEMERAL)

    @property
    def choices(self) -> list[dict[str, Any]]:
        if self.callback_type != CB_AUTOCOMPLETE:
            raise AssertionError(f"interaction {self.id} was not answered with choices")
        return list((self.callback_data or {}).get("choices") or [])

    @property
    def latency(self) -> float:
        """Seconds from injection to the first callback."""
        assert self.answered_at is not None
        return self.answered_at - self.injected_at

    def text(self) -> str:
        """All visible text of the final message: content plus every embed string."""
        parts = [self.content]
        for e in self.embeds:
            parts.extend(str(e.get(k) or "") for k in ("title", "description", "url"))
            parts.extend(f"{f.get('name')}\n{f.get('value')}" for f in e.get("fields") or [])
            parts.append(str((e.get("footer") or {}).get("text") or ""))
            parts.append(str((e.get("author") or {}).get("name") or ""))
        return "\n".join(p for p in parts if p)
