"""A local Discord (REST + gateway on 127.0.0.1) that the real discord.py runs against in tests.

See :class:`tests.stand_in.server.StandIn` for the server and
:class:`tests.stand_in.records.InteractionRecord` for what a test reads back.
"""

from .payloads import MEMBER_PERMS, SEND_MESSAGES
from .records import EPHEMERAL, Call, InteractionRecord, buttons_of
from .server import MANAGE_GUILD, StandIn

__all__ = [
    "EPHEMERAL",
    "MANAGE_GUILD",
    "MEMBER_PERMS",
    "SEND_MESSAGES",
    "Call",
    "InteractionRecord",
    "StandIn",
    "buttons_of",
]
