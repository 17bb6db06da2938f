"""A local Discord (REST + gateway on 127.0.0.1) that the real discord.py runs against in tests.

See :class:`tests.stand_in.server.StandIn` for the server and
:class:`tests.stand_in.records.InteractionRecord` for what a test reads back.
"""

from .records import EPHEMERAL, Call, InteractionRecord
from .server import MANAGE_GUILD, StandIn

__all__ = ["EPHEMERAL", "MANAGE_GUILD", "Call", "InteractionRecord", "StandIn"]
