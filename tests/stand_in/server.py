"""A local Discord on 127.0.0.1: REST and the gateway websocket, enough for the real discord.py.

`StandIn` serves the routes the bot uses, records every request, answers unknown routes with a
Discord-style 404 (kept in ``unknown`` so the test fixture can fail the test), and lets a test
inject interactions, await the bot's replies and provoke faults (dropped connections, op 7
RECONNECT, op 9 INVALID_SESSION, 429/500 on the interaction callback).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

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
OWNER_ID = "1400000000000000001"

#: Discord's application command option types, for building payloads.
OPTION_TYPES: dict[type, int] = {str: 3, int: 4, bool: 5, float: 10}
MANAGE_GUILD = 1 << 5


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Content-Type must be exactly application/json: discord.py does not parse "; charset=...".
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=h)


class _Session:
    """One gateway session (survives reconnects through RESUME)."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.seq = 0


class StandIn:
    """The local Discord. ``await start()``, point discord.py at ``api_base``/``gateway_url``."""

    def __init__(self, *, token: str = "stand-in-token", guild_id: str = GUILD_ID) -> None:
        self.token = token
        self.guild_id = guild_id
        self.channel_id = CHANNEL_ID
        self.app_id = APP_ID
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
        self._sessions: dict[str, _Session] = {}
        self._ws: web.WebSocketResponse | None = None
        self._ws_session: _Session | None = None
        self._ws_ready = False
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
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
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

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed and self._ws_ready

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
            echoed.append(out)
        self.commands[scope] = echoed
        self.command_puts.append(scope)
        await self._record(request, 200, body)
        return _json(echoed)

    async def _get_commands(self, request: web.Request) -> web.Response:
        await self._record(request, 200)
        return _json(self.commands.get(request.match_info.get("guild"), []))

    def message(
        self, data: dict[str, Any], *, channel_id: str | None = None, interaction: bool = False
    ) -> dict[str, Any]:
        """A Discord message object built from a message body the bot sent."""
        return {
            "id": str(next(self._ids)),
            "channel_id": channel_id or self.channel_id,
            "guild_id": self.guild_id,
            "author": self.bot_user(),
            "content": data.get("content") or "",
            "embeds": data.get("embeds") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": _now(),
            "edited_timestamp": None,
            "flags": int(data.get("flags") or 0),
            "type": 20 if interaction else 0,
            "components": data.get("components") or [],
            **({"webhook_id": self.app_id} if interaction else {}),
        }

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
            msg = self.message(rec.callback_data, interaction=True)
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
            return _json(self.message(rec.final if rec.messages else {}, interaction=True))
        sent = dict(body or {})
        (rec.edits if action == "edit" else rec.followups).append(sent)
        self._touch()
        return _json(self.message(sent, interaction=True))

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
        return _json(self.message(body or {}, channel_id=cid))

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

    # -- gateway -----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        if self._ws is not None and not self._ws.closed:
            await self._ws.close(code=4000)
        self._ws, self._ws_session, self._ws_ready = ws, None, False
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        self._touch()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            await self._on_gateway(ws, json.loads(msg.data))
        if self._ws is ws:
            self._ws_ready = False
        self._touch()
        return ws

    @staticmethod
    async def _ack(ws: web.WebSocketResponse) -> None:
        if not ws.closed:
            await ws.send_json({"op": 11})

    async def _dispatch(
        self, ws: web.WebSocketResponse, session: _Session, event: str, data: Any
    ) -> None:
        session.seq += 1
        await ws.send_json({"op": 0, "t": event, "s": session.seq, "d": data})

    async def _on_gateway(self, ws: web.WebSocketResponse, msg: dict[str, Any]) -> None:
        op, d = msg.get("op"), msg.get("d")
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
            self.identifies += 1
            session = _Session(f"session-{next(self._ids)}")
            self._sessions[session.session_id] = session
            await self._dispatch(ws, session, "READY", self._ready_payload(session))
            await self._dispatch(ws, session, "GUILD_CREATE", self.guild_payload())
            self._ws_session, self._ws_ready = session, True
        elif op == 6:
            found = self._sessions.get(d.get("session_id", ""))
            if found is None or d.get("token") != self.token:
                await ws.send_json({"op": 9, "d": False})
                return
            self.resumes += 1
            await self._dispatch(ws, found, "RESUMED", {})
            self._ws_session, self._ws_ready = found, True
        self._touch()

    def _ready_payload(self, session: _Session) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot_user(),
            "guilds": [{"id": self.guild_id, "unavailable": True}],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.app_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
        }

    def guild_payload(self) -> dict[str, Any]:
        everyone = {
            "id": self.guild_id,
            "name": "@everyone",
            "permissions": "0",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        channel = {
            "id": self.channel_id,
            "type": 0,
            "name": "general",
            "position": 0,
            "guild_id": self.guild_id,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        return {
            "id": self.guild_id,
            "name": "Stand-in team",
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
            "joined_at": _now(),
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

    # -- gateway faults ----------------------------------------------------------------------
    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket (discord.py reconnects and RESUMEs)."""
        if self._ws is not None:
            self._ws_ready = False
            await self._ws.close(code=code)

    async def send_reconnect(self) -> None:
        """op 7 RECONNECT: the client closes and RESUMEs."""
        assert self._ws is not None
        self._ws_ready = False
        await self._ws.send_json({"op": 7, "d": None})

    async def send_invalid_session(self, resumable: bool = False) -> None:
        """op 9 INVALID_SESSION: the client identifies again (or resumes when ``resumable``)."""
        assert self._ws is not None
        self._ws_ready = False
        if not resumable and self._ws_session is not None:
            self._sessions.pop(self._ws_session.session_id, None)
        await self._ws.send_json({"op": 9, "d": resumable})

    # -- interactions ------------------------------------------------------------------------
    def find_command(self, name: str) -> tuple[str | None, dict[str, Any]] | None:
        """(scope, command) for a registered top-level command, guild first."""
        for scope in (self.guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name:
                    return scope, cmd
        return None

    def build_options(
        self, spec: list[dict[str, Any]], values: dict[str, Any], focused: str | None = None
    ) -> list[dict[str, Any]]:
        """Interaction options for ``values``, typed from the registered option ``spec``
        (a value whose option is unknown gets the type of its Python value)."""
        types = {o["name"]: int(o["type"]) for o in spec}
        out: list[dict[str, Any]] = []
        for name, value in values.items():
            t = types.get(name, OPTION_TYPES.get(type(value), 3))
            opt: dict[str, Any] = {"name": name, "type": t, "value": value}
            if name == focused:
                opt["focused"] = True
            out.append(opt)
        return out

    def interaction_payload(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        member_perms: int | str = 0,
        user_id: str = "1600000000000000001",
        focused: str | None = None,
        raw_options: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for ``command`` ("fact" or "facts status").

        Type 2 (a slash command), or type 4 (autocomplete) when ``focused`` names an option.
        ``raw_options`` replaces the built options (to send wrong types on purpose).
        """
        top, *subs = command.split()
        found = self.find_command(top)
        scope, cmd = found if found else (self.guild_id, {"id": "1", "name": top, "options": []})
        spec: list[dict[str, Any]] = cmd.get("options") or []
        values = dict(options or {})
        opts: list[dict[str, Any]]
        if subs:
            sub = next((o for o in spec if o["name"] == subs[0]), {"options": [], "type": 1})
            opts = [
                {
                    "name": subs[0],
                    "type": int(sub.get("type", 1)),
                    "options": raw_options
                    if raw_options is not None
                    else self.build_options(sub.get("options") or [], values, focused),
                }
            ]
        else:
            opts = (
                raw_options
                if raw_options is not None
                else self.build_options(spec, values, focused)
            )
        iid = str(next(self._ids))
        token = f"itoken-{iid}"
        data: dict[str, Any] = {"id": cmd["id"], "name": top, "type": 1, "options": opts}
        if scope is not None:
            data["guild_id"] = scope
        member = {
            "user": {
                "id": user_id,
                "username": f"user{user_id[-4:]}",
                "discriminator": "0",
                "global_name": None,
                "avatar": None,
            },
            "roles": [],
            "flags": 0,
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "permissions": str(member_perms),
            "nick": None,
            "avatar": None,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        return {
            "id": iid,
            "type": 4 if focused else 2,
            "token": token,
            "version": 1,
            "application_id": self.app_id,
            "guild_id": self.guild_id,
            "data": data,
            "channel_id": self.channel_id,
            "channel": {
                "id": self.channel_id,
                "type": 0,
                "guild_id": self.guild_id,
                "name": "general",
                "permissions": str(member_perms),
            },
            "member": member,
            "app_permissions": str((1 << 11) | (1 << 14)),
            "attachment_size_limit": 8 * 1024 * 1024,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 0,
        }

    async def inject(self, payload: dict[str, Any], timeout: float = 10.0) -> InteractionRecord:
        """Send an INTERACTION_CREATE over the gateway (waits for a live session first)."""
        await self.wait_for(lambda: self.connected and self._ws_session is not None, timeout)
        ws, session = self._ws, self._ws_session
        assert ws is not None and session is not None
        rec = InteractionRecord(
            id=payload["id"], token=payload["token"], payload=payload, injected_at=time.monotonic()
        )
        self.interactions[rec.id] = rec
        await self._dispatch(ws, session, "INTERACTION_CREATE", payload)
        return rec

    async def wait_reply(self, rec: InteractionRecord, timeout: float = 5.0) -> InteractionRecord:
        """Wait until the interaction has a visible answer (message or choices)."""
        await self.wait_for(lambda: rec.complete, timeout)
        return rec

    async def send_message_to_bot(self, payload: dict[str, Any]) -> None:
        """Dispatch any other event (e.g. a raw GUILD_UPDATE) to the connected bot."""
        await self.wait_for(lambda: self.connected, 5.0)
        assert self._ws is not None and self._ws_session is not None
        await self._dispatch(self._ws, self._ws_session, payload["t"], payload["d"])

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


__all__ = ["CB_AUTOCOMPLETE", "MANAGE_GUILD", "StandIn"]
