"""The stand-in's gateway: websocket sessions, one per shard, and the faults a test provokes.

A client IDENTIFYs with ``shard: [i, n]`` (none: shard 0 of 1); each shard gets a READY and the
GUILD_CREATEs of its guilds only, and every event for a guild goes to shard
``(guild_id >> 22) % n``, as Discord does (DMs to shard 0). Mixed into :class:`StandIn`, whose
attributes (token, guilds, ids, ``_touch``) it uses.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from .payloads import now, text_channel

if TYPE_CHECKING:
    import itertools

OWNER_ID = "1400000000000000001"


@dataclass
class _Session:
    """One gateway session (survives reconnects through RESUME)."""

    session_id: str
    shard: tuple[int, int] = (0, 1)
    seq: int = 0


@dataclass
class _Conn:
    """One open websocket: the session it carries once IDENTIFY or RESUME said which."""

    ws: web.WebSocketResponse
    session: _Session | None = None
    ready: bool = False

    @property
    def live(self) -> bool:
        return self.ready and self.session is not None and not self.ws.closed


def shard_of(guild_id: str | int | None, shard_count: int) -> int:
    """The shard Discord sends a guild's events to (DMs: shard 0)."""
    return (int(guild_id) >> 22) % shard_count if guild_id else 0


class GatewayMixin:
    """Gateway sessions per shard for :class:`~tests.stand_in.server.StandIn`."""

    token: str
    app_id: str
    guild_id: str
    channel_id: str
    guilds: dict[str, str]
    identifies: int
    resumes: int
    heartbeats: int
    _ids: itertools.count[int]

    def _touch(self) -> None:
        raise NotImplementedError

    def bot_user(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def gateway_url(self) -> str:
        raise NotImplementedError

    def _init_gateway(self) -> None:
        self._sessions: dict[str, _Session] = {}
        #: the current connection of each shard
        self._shards: dict[int, _Conn] = {}
        #: how many shards the client said it runs in all (from IDENTIFY)
        self.shard_count = 1
        #: (shard, shard count) of every IDENTIFY, in order
        self.identified: list[tuple[int, int]] = []
        #: interaction id -> the shard its INTERACTION_CREATE went to
        self.routed: dict[str, int] = {}

    # -- reading -------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """Every shard that connected is connected now, ready."""
        return bool(self._shards) and all(c.live for c in self._shards.values())

    def _conn(self, shard: int | None = None) -> _Conn | None:
        """The connection of ``shard`` (default: shard 0, else the lowest connected)."""
        if shard is not None:
            return self._shards.get(shard)
        return self._shards.get(0) or next(iter(sorted(self._shards.items())), (0, None))[1]

    def guilds_of_shard(self, shard: int, count: int) -> list[str]:
        return [g for g in self.guilds if shard_of(g, count) == shard]

    # -- the socket ----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        conn = _Conn(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        self._touch()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            await self._on_gateway(conn, json.loads(msg.data))
        conn.ready = False
        self._touch()
        return ws

    @staticmethod
    async def _ack(ws: web.WebSocketResponse) -> None:
        if not ws.closed:
            await ws.send_json({"op": 11})

    async def _dispatch(self, conn: _Conn, event: str, data: Any) -> None:
        assert conn.session is not None
        conn.session.seq += 1
        await conn.ws.send_json({"op": 0, "t": event, "s": conn.session.seq, "d": data})

    async def _take_shard(self, conn: _Conn, session: _Session) -> None:
        """``conn`` now carries ``session``'s shard; an older socket of that shard is closed."""
        shard = session.shard[0]
        old = self._shards.get(shard)
        if old is not None and old is not conn and not old.ws.closed:
            old.ready = False
            await old.ws.close(code=4000)
        conn.session, conn.ready = session, True
        self._shards[shard] = conn

    async def _on_gateway(self, conn: _Conn, msg: dict[str, Any]) -> None:
        op, d = msg.get("op"), msg.get("d")
        ws = conn.ws
        if op == 1:
            # acked a moment later, as over a network: discord.py measures latency from the
            # end of its send, so an instant loopback ack reads as "41 s behind"
            self.heartbeats += 1
            asyncio.get_running_loop().call_later(
                0.005, lambda: asyncio.ensure_future(self._ack(ws))
            )
        elif op == 2:
            if d.get("token") != self.token:
                await ws.close(code=4004, message=b"Authentication failed.")
                return
            shard, count = (d.get("shard") or [0, 1])[:2]
            self.identifies += 1
            self.identified.append((shard, count))
            self.shard_count = count
            session = _Session(f"session-{next(self._ids)}", (shard, count))
            self._sessions[session.session_id] = session
            conn.session = session
            await self._dispatch(conn, "READY", self._ready_payload(session))
            for guild_id in self.guilds_of_shard(shard, count):
                await self._dispatch(conn, "GUILD_CREATE", self.guild_payload(guild_id))
            await self._take_shard(conn, session)
        elif op == 6:
            found = self._sessions.get(d.get("session_id", ""))
            if found is None or d.get("token") != self.token:
                await ws.send_json({"op": 9, "d": False})
                return
            self.resumes += 1
            conn.session = found
            await self._dispatch(conn, "RESUMED", {})
            await self._take_shard(conn, found)
        self._touch()

    def _ready_payload(self, session: _Session) -> dict[str, Any]:
        shard, count = session.shard
        return {
            "v": 10,
            "user": self.bot_user(),
            "guilds": [{"id": g, "unavailable": True} for g in self.guilds_of_shard(shard, count)],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.app_id, "flags": 0},
            "shard": [shard, count],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
        }

    def guild_payload(self, guild_id: str | None = None) -> dict[str, Any]:
        gid = guild_id or self.guild_id
        everyone = {
            "id": gid,
            "name": "@everyone",
            "permissions": "0",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        channel = text_channel(self.guilds.get(gid, self.channel_id), gid)
        return {
            "id": gid,
            "name": "Stand-in team" if gid == self.guild_id else f"Server {gid[-4:]}",
            "icon": None,
            "owner_id": OWNER_ID,
            "roles": [everyone],
            "channels": [channel],
            "threads": [],
            "members": [],
            "member_count": 2,
            "emojis": [],
            "stickers": [],
            "features": [],
            "large": False,
            "unavailable": False,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "joined_at": now(),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "afk_timeout": 300,
            "description": None,
        }

    # -- faults --------------------------------------------------------------------------------
    async def drop_connection(self, code: int = 4000, shard: int | None = None) -> None:
        """Close the gateway socket (discord.py reconnects and RESUMEs)."""
        conn = self._conn(shard)
        if conn is not None:
            conn.ready = False
            await conn.ws.close(code=code)

    async def send_reconnect(self, shard: int | None = None) -> None:
        """op 7 RECONNECT: the client closes and RESUMEs."""
        conn = self._conn(shard)
        assert conn is not None
        conn.ready = False
        await conn.ws.send_json({"op": 7, "d": None})

    async def send_invalid_session(self, resumable: bool = False, shard: int | None = None) -> None:
        """op 9 INVALID_SESSION: the client identifies again (or resumes when ``resumable``)."""
        conn = self._conn(shard)
        assert conn is not None
        conn.ready = False
        if not resumable and conn.session is not None:
            self._sessions.pop(conn.session.session_id, None)
        await conn.ws.send_json({"op": 9, "d": resumable})

    # -- events --------------------------------------------------------------------------------
    async def wait_for(self, predicate: Any, timeout: float = 5.0) -> Any:
        raise NotImplementedError

    async def dispatch_event(
        self, event: str, data: dict[str, Any], guild_id: str | None = None
    ) -> int:
        """Send a dispatch to the shard of ``guild_id`` (waits for it to be live); its shard."""
        shard = shard_of(guild_id, self.shard_count)
        await self.wait_for(lambda: (c := self._shards.get(shard)) is not None and c.live, 10.0)
        await self._dispatch(self._shards[shard], event, data)
        return shard
