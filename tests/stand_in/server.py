"""A local Discord on 127.0.0.1: REST and the gateway websocket, enough for the real discord.py.

`StandIn` serves the routes the bot uses, records every request, answers unknown routes with a
Discord-style 404 (kept in ``unknown`` so the test fixture can fail the test), and lets a test
inject interactions (slash commands, autocomplete, message commands, button presses; see
:mod:`.payloads`), await the bot's replies, keep every message it posted (as the API returned
it, components and flags included, so a test can press its buttons) and provoke faults
(dropped connections, op 7 RECONNECT, op 9 INVALID_SESSION, 429/500 on the interaction
callback). The gateway serves one session per shard (:mod:`.gateway`); a stand-in can hold
several guilds (:meth:`StandIn.add_guild`), each routed to its shard.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .gateway import OWNER_ID, GatewayMixin
from .payloads import MANAGE_GUILD, OPTION_TYPES, PayloadsMixin, message_object
from .records import (
    CB_AUTOCOMPLETE,
    CB_DEFERRED,
    CB_MESSAGE,
    Call,
    InteractionRecord,
)

API_PREFIX = "/api/v10"
APP_ID = "1100000000000000001"
BOT_USER_ID = APP_ID
GUILD_ID = "1200000000000000001"
CHANNEL_ID = "1300000000000000001"


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Content-Type must be exactly application/json: discord.py does not parse "; charset=...".
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=h)


class StandIn(GatewayMixin, PayloadsMixin):
    """The local Discord. ``await start()``, point discord.py at ``api_base``/``gateway_url``."""

    def __init__(self, *, token: str = "stand-in-token", guild_id: str = GUILD_ID) -> None:
        self.token = token
        self.guild_id = guild_id
        self.channel_id = CHANNEL_ID
        self.app_id = APP_ID
        #: the bot's guilds: guild id -> its one text channel
        self.guilds: dict[str, str] = {guild_id: CHANNEL_ID}
        #: every message the bot posted, as the API returned it (id -> object)
        self.messages: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.unknown: list[Call] = []
        #: registered commands: None -> global, guild id -> that guild's
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.command_puts: list[str | None] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.channel_messages: dict[str, list[dict[str, Any]]] = {}
        #: faults for the next interaction callbacks: (status, seconds). 429 answers with that
        #: retry-after, 5xx with that status; status 0 holds the callback for that many seconds
        #: and then accepts it (a slow Discord)
        self.callback_faults: deque[tuple[int, float | None]] = deque()
        self.callback_delay = 0.0
        #: answer guild command syncs with 403 Missing Access (bot invited without the
        #: applications.commands scope)
        self.forbid_guild_sync = False
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0
        self._ids = itertools.count(1500000000000000001)
        self._init_gateway()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        p = API_PREFIX
        r = app.router
        r.add_get(p + "/users/@me", self._users_me)
        r.add_get(p + "/oauth2/applications/@me", self._app_info)
        r.add_get(p + "/gateway", self._gateway_info)
        r.add_get(p + "/gateway/bot", self._gateway_info)
        r.add_put(p + "/applications/{app}/commands", self._put_commands)
        r.add_get(p + "/applications/{app}/commands", self._get_commands)
        r.add_put(p + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r.add_get(p + "/applications/{app}/guilds/{guild}/commands", self._get_commands)
        r.add_post(p + "/interactions/{iid}/{token}/callback", self._callback)
        r.add_get(p + "/webhooks/{app}/{token}/messages/@original", self._get_original)
        r.add_patch(p + "/webhooks/{app}/{token}/messages/@original", self._edit_original)
        r.add_delete(p + "/webhooks/{app}/{token}/messages/@original", self._delete_original)
        r.add_post(p + "/webhooks/{app}/{token}", self._followup)
        r.add_post(p + "/channels/{cid}/messages", self._channel_message)
        r.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for conn in list(self._shards.values()):
            if not conn.ws.closed:
                await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def env(self) -> dict[str, str]:
        """Environment variables pointing a bot process at this stand-in."""
        return {
            "DISCORD_TOKEN": self.token,
            "DISCORD_API_BASE": self.api_base,
            "DISCORD_GATEWAY_URL": self.gateway_url,
            "DISCORD_GUILD_ID": self.guild_id,
        }

    # -- waiting -----------------------------------------------------------------------------
    def _touch(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every recorded change)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"stand-in: condition not met within {timeout}s")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(left, 0.25))

    async def wait_ready(self, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: self.connected and self.guild_id in self.commands, timeout)

    # -- REST --------------------------------------------------------------------------------
    async def _record(self, request: web.Request, status: int, body: Any = None) -> Call:
        path = request.path.removeprefix(API_PREFIX)
        call = Call(request.method, path, dict(request.query), body, status)
        self.calls.append(call)
        self._touch()
        return call

    @staticmethod
    async def _body(request: web.Request) -> Any:
        raw = await request.read()
        return json.loads(raw) if raw else None

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    def _unauthorised(self) -> web.Response:
        return _json({"message": "401: Unauthorized", "code": 0}, status=401)

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": BOT_USER_ID,
            "username": "factbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "flags": 0,
            "public_flags": 0,
        }

    async def _users_me(self, request: web.Request) -> web.Response:
        ok = self._authorised(request)
        await self._record(request, 200 if ok else 401)
        return _json(self.bot_user()) if ok else self._unauthorised()

    async def _app_info(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        owner = {"id": OWNER_ID, "username": "owner", "discriminator": "0", "avatar": None}
        return _json(
            {
                "id": self.app_id,
                "name": "factbot",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": owner,
                "verify_key": "0" * 64,
                "interactions_endpoint_url": None,
                "flags": 0,
                "team": None,
                "rpc_origins": [],
                "summary": "",
            }
        )

    async def _gateway_info(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not self._authorised(request):
            await self._record(request, 401, body)
            return self._unauthorised()
        scope = request.match_info.get("guild")
        if scope is not None and self.forbid_guild_sync:
            await self._record(request, 403, body)
            return _json({"message": "Missing Access", "code": 50001}, 403)
        echoed = []
        for cmd in body or []:
            out = dict(cmd)
            out["id"] = str(next(self._ids))
            out["application_id"] = self.app_id
            out["version"] = str(next(self._ids))
            if scope is not None:
                out["guild_id"] = scope
            out.setdefault("type", 1)
            out.setdefault("description", "")  # Discord echoes "" for a message command
            echoed.append(out)
        self.commands[scope] = echoed
        self.command_puts.append(scope)
        await self._record(request, 200, body)
        return _json(echoed)

    async def _get_commands(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        return _json(self.commands.get(request.match_info.get("guild"), []))

    def add_guild(self, guild_id: str, channel_id: str | None = None) -> str:
        """Another guild the bot is in (its events go to its shard); its channel id."""
        cid = channel_id or str(int(guild_id) + 100000000000000000)
        self.guilds[guild_id] = cid
        return cid

    def message(
        self,
        data: dict[str, Any],
        *,
        channel_id: str | None = None,
        interaction: bool = False,
        guild_id: str | None = "home",
        message_id: str | None = None,
    ) -> dict[str, Any]:
        """A Discord message object built from a message body the bot sent (kept in
        :attr:`messages`)."""
        gid = self.guild_id if guild_id == "home" else guild_id
        msg = message_object(
            message_id or str(next(self._ids)),
            channel_id or self.channel_id,
            gid,
            self.bot_user(),
            data.get("content") or "",
            embeds=data.get("embeds") or [],
            flags=int(data.get("flags") or 0),
            type=20 if interaction else 0,
            components=data.get("components") or [],
            **({"webhook_id": self.app_id} if interaction else {}),
        )
        self.messages[msg["id"]] = msg
        return msg

    def _where(self, rec: InteractionRecord) -> dict[str, Any]:
        """Where an interaction's reply goes: its channel and guild."""
        p = rec.payload
        return {"channel_id": p.get("channel_id"), "guild_id": p.get("guild_id")}

    async def _callback(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        iid = request.match_info["iid"]
        if self.callback_delay:
            await asyncio.sleep(self.callback_delay)
        if self.callback_faults and self.callback_faults[0][0] == 0:
            await asyncio.sleep(self.callback_faults.popleft()[1] or 0.0)
        elif self.callback_faults:
            status, retry_after = self.callback_faults.popleft()
            await self._record(request, status, body)
            if status == 429:
                ra = retry_after or 1.0
                return _json(
                    {"message": "You are being rate limited.", "retry_after": ra, "global": False},
                    429,
                    {"Retry-After": str(ra)},
                )
            return _json({"message": "500: Internal Server Error", "code": 0}, status)
        rec = self.interactions.get(iid)
        if rec is None or rec.token != request.match_info["token"]:
            await self._record(request, 404, body)
            return _json({"message": "Unknown interaction", "code": 10062}, 404)
        if rec.callback_type is not None:
            await self._record(request, 400, body)
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        cb_type = int(body["type"])
        rec.callback_type = cb_type
        rec.callback_data = body.get("data") or {}
        rec.answered_at = time.monotonic()
        await self._record(request, 200, body)
        interaction: dict[str, Any] = {"id": iid, "type": rec.payload["type"]}
        resource: dict[str, Any] = {"type": cb_type}
        if cb_type in (CB_MESSAGE, CB_DEFERRED):
            msg = self.message(rec.callback_data, interaction=True, **self._where(rec))
            rec.original = msg
            interaction.update(
                response_message_id=msg["id"],
                response_message_loading=cb_type == CB_DEFERRED,
                response_message_ephemeral=bool(msg["flags"] & 64),
            )
            resource["message"] = msg
        return _json({"interaction": interaction, "resource": resource})

    def _by_token(self, token: str) -> InteractionRecord | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    async def _webhook(self, request: web.Request, action: str) -> web.Response:
        """Interaction webhook routes: get, edit or delete @original, or a followup."""
        body = await self._body(request)
        rec = self._by_token(request.match_info["token"])
        if rec is None or request.match_info["app"] != self.app_id:
            await self._record(request, 404, body)
            return _json({"message": "Unknown Webhook", "code": 10015}, 404)
        await self._record(request, 200, body)
        if action == "delete":
            rec.deleted = True
            return web.Response(status=204)
        if action == "get":
            if rec.original is not None:
                return _json(rec.original)
            return _json(self.message(rec.final if rec.messages else {}, interaction=True))
        sent = dict(body or {})
        where = self._where(rec)
        if action == "edit":
            rec.edits.append(sent)
            mid = rec.original["id"] if rec.original is not None else None
            msg = self.message(sent, interaction=True, message_id=mid, **where)
            rec.original = msg
        else:
            rec.followups.append(sent)
            msg = self.message(sent, interaction=True, **where)
            rec.followup_messages.append(msg)
        self._touch()
        return _json(msg)

    async def _get_original(self, request: web.Request) -> web.Response:
        return await self._webhook(request, "get")

    async def _edit_original(self, request: web.Request) -> web.Response:
        return await self._webhook(request, "edit")

    async def _delete_original(self, request: web.Request) -> web.Response:
        return await self._webhook(request, "delete")

    async def _followup(self, request: web.Request) -> web.Response:
        return await self._webhook(request, "followup")

    async def _channel_message(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not self._authorised(request):
            await self._record(request, 401, body)
            return self._unauthorised()
        cid = request.match_info["cid"]
        self.channel_messages.setdefault(cid, []).append(body or {})
        await self._record(request, 200, body)
        gid = next((g for g, c in self.guilds.items() if c == cid), self.guild_id)
        return _json(self.message(body or {}, channel_id=cid, guild_id=gid))

    async def _unknown(self, request: web.Request) -> web.Response:
        raw = await request.read()
        call = Call(
            request.method,
            request.path,
            dict(request.query),
            raw.decode(errors="replace") or None,
            404,
        )
        self.calls.append(call)
        self.unknown.append(call)
        self._touch()
        return _json({"message": "404: Not Found", "code": 0}, 404)

    # -- interactions ------------------------------------------------------------------------
    async def inject(self, payload: dict[str, Any], timeout: float = 10.0) -> InteractionRecord:
        """Send an INTERACTION_CREATE over the gateway, to the shard of its guild (waits for a
        live session first)."""
        rec = InteractionRecord(
            id=payload["id"], token=payload["token"], payload=payload, injected_at=time.monotonic()
        )
        self.interactions[rec.id] = rec
        shard = await self.dispatch_event("INTERACTION_CREATE", payload, payload.get("guild_id"))
        self.routed[rec.id] = shard
        return rec

    async def wait_reply(self, rec: InteractionRecord, timeout: float = 5.0) -> InteractionRecord:
        """Wait until the interaction has a visible answer (message or choices)."""
        await self.wait_for(lambda: rec.complete, timeout)
        return rec

    async def send_message_to_bot(self, payload: dict[str, Any]) -> None:
        """Dispatch any other event (e.g. a raw GUILD_UPDATE) to the connected bot."""
        data = payload["d"]
        gid = (data.get("guild_id") or data.get("id")) if isinstance(data, dict) else None
        await self.dispatch_event(payload["t"], data, gid if gid in self.guilds else None)

    # -- reading -----------------------------------------------------------------------------
    def calls_to(self, method: str, path_part: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and path_part in c.path]

    def all_sent_bodies(self) -> list[dict[str, Any]]:
        """Every message body the bot sent (interaction replies and channel messages)."""
        bodies: list[dict[str, Any]] = []
        for rec in self.interactions.values():
            bodies.extend(rec.messages)
        for msgs in self.channel_messages.values():
            bodies.extend(msgs)
        return bodies


__all__ = ["CB_AUTOCOMPLETE", "MANAGE_GUILD", "OPTION_TYPES", "StandIn"]
