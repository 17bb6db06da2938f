"""INTERACTION_CREATE payloads as Discord sends them: slash commands, autocomplete, message
commands ("Find sources"), button presses, in a server or a DM, from a server install or a
member's own (user) install.

Mixed into :class:`~tests.stand_in.server.StandIn`, whose registered commands, guilds and ids it
reads. Plain data: nothing here touches the network.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import itertools

#: Discord's application command option types, for building payloads.
OPTION_TYPES: dict[type, int] = {str: 3, int: 4, bool: 5, float: 10}
MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11
USE_APPLICATION_COMMANDS = 1 << 31
#: What a member can do in an ordinary channel (a button press uses these by default).
MEMBER_PERMS = SEND_MESSAGES | USE_APPLICATION_COMMANDS
DEFAULT_USER = "1600000000000000001"
#: Interaction types and contexts (Discord's InteractionType, InteractionContextType).
APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE = 2, 3, 4
GUILD_CONTEXT, BOT_DM_CONTEXT, PRIVATE_CHANNEL_CONTEXT = 0, 1, 2

Install = Literal["guild", "user"]


def now() -> str:
    """The current time as Discord writes timestamps."""
    return dt.datetime.now(dt.UTC).isoformat()


def text_channel(channel_id: str, guild_id: str) -> dict[str, Any]:
    """A server's text channel, as Discord describes it."""
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": guild_id,
        "name": "general",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def message_object(
    message_id: str,
    channel_id: str,
    guild_id: str | None,
    author: dict[str, Any],
    content: str,
    **fields: Any,
) -> dict[str, Any]:
    """A message as the API returns it; ``fields`` (embeds, attachments, flags, type,
    components, webhook_id) replace the defaults of a plain message."""
    return {
        "id": message_id,
        "channel_id": channel_id,
        **({"guild_id": guild_id} if guild_id else {}),
        "author": author,
        "content": content,
        "embeds": [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": now(),
        "edited_timestamp": None,
        "flags": 0,
        "type": 0,
        "components": [],
        **fields,
    }


def user_object(user_id: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": f"user{user_id[-4:]}",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
    }


class PayloadsMixin:
    """Interaction payloads for :class:`~tests.stand_in.server.StandIn`."""

    app_id: str
    guild_id: str
    channel_id: str
    guilds: dict[str, str]
    commands: dict[str | None, list[dict[str, Any]]]
    _ids: itertools.count[int]

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

    def envelope(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        member_perms: int | str = 0,
        user_id: str = DEFAULT_USER,
        guild_id: str | None = "home",
        channel_id: str | None = None,
        install: Install = "guild",
        context: int | None = None,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE around ``data``: in ``guild_id`` ("home" = the stand-in's
        guild; None = a DM with the bot), from a member with ``member_perms`` in the channel,
        authorised by a server install or the member's own (``install="user"``).
        """
        gid = self.guild_id if guild_id == "home" else guild_id
        iid = str(next(self._ids))
        user = user_object(user_id)
        owners = {"0": gid} if install == "guild" and gid else {"1": user_id}
        payload: dict[str, Any] = {
            "id": iid,
            "type": kind,
            "token": f"itoken-{iid}",
            "version": 1,
            "application_id": self.app_id,
            "data": data,
            "app_permissions": str((1 << 11) | (1 << 14)),
            "attachment_size_limit": 8 * 1024 * 1024,
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": owners,
        }
        if gid is not None:
            cid = channel_id or self.guilds.get(gid) or self.channel_id
            payload.update(
                guild_id=gid,
                guild_locale="en-US",
                channel_id=cid,
                context=GUILD_CONTEXT if context is None else context,
                channel={
                    **text_channel(cid, gid),
                    "flags": 0,
                    "permissions": str(member_perms),
                },
                member={
                    "user": user,
                    "roles": [],
                    "flags": 0,
                    "joined_at": now(),
                    "deaf": False,
                    "mute": False,
                    "permissions": str(member_perms),
                    "nick": None,
                    "avatar": None,
                    "pending": False,
                    "premium_since": None,
                    "communication_disabled_until": None,
                },
            )
        else:
            cid = channel_id or f"17{user_id[2:]}"
            payload.update(
                channel_id=cid,
                context=BOT_DM_CONTEXT if context is None else context,
                channel={
                    "id": cid,
                    "type": 1,
                    "recipients": [user],
                    "last_message_id": None,
                    "flags": 0,
                },
                user=user,
            )
        if message is not None:
            payload["message"] = message
        return payload

    def interaction_payload(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        member_perms: int | str = 0,
        user_id: str = DEFAULT_USER,
        focused: str | None = None,
        raw_options: list[dict[str, Any]] | None = None,
        **where: Any,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for ``command`` ("fact" or "facts status").

        Type 2 (a slash command), or type 4 (autocomplete) when ``focused`` names an option.
        ``raw_options`` replaces the built options (to send wrong types on purpose); ``where``
        goes to :meth:`envelope` (guild_id, install, ...).
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
        data: dict[str, Any] = {"id": cmd["id"], "name": top, "type": 1, "options": opts}
        if scope is not None:
            data["guild_id"] = scope
        kind = AUTOCOMPLETE if focused else APPLICATION_COMMAND
        return self.envelope(kind, data, member_perms=member_perms, user_id=user_id, **where)

    def user_message(
        self,
        content: str,
        *,
        author_id: str = "1600000000000000099",
        guild_id: str | None = "home",
        attachments: int = 0,
        embeds: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A message another member posted (the target of a message command)."""
        gid = self.guild_id if guild_id == "home" else guild_id
        files = [
            {
                "id": str(next(self._ids)),
                "filename": f"image{i}.png",
                "size": 1000,
                "url": f"https://cdn.example/image{i}.png",
                "proxy_url": f"https://cdn.example/image{i}.png",
                "content_type": "image/png",
            }
            for i in range(attachments)
        ]
        channel = (self.guilds.get(gid) if gid else None) or self.channel_id
        return message_object(
            str(next(self._ids)),
            channel,
            gid,
            user_object(author_id),
            content,
            embeds=embeds or [],
            attachments=files,
        )

    def message_command_payload(
        self, name: str, target: dict[str, Any], **where: Any
    ) -> dict[str, Any]:
        """A message command ("Find sources") run on ``target`` (a message object): Discord
        sends the message, content included, in ``resolved`` (no Message Content intent).
        """
        found = self.find_command(name)
        scope, cmd = found if found else (None, {"id": "1", "name": name})
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if scope is not None:
            data["guild_id"] = scope
        where.setdefault("guild_id", target.get("guild_id"))
        return self.envelope(APPLICATION_COMMAND, data, **where)

    def press_payload(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        member_perms: int | str = MEMBER_PERMS,
        **where: Any,
    ) -> dict[str, Any]:
        """A press of the button ``custom_id`` on ``message`` (as the API returned it, flags
        and components included): interaction type 3.
        """
        data = {"custom_id": custom_id, "component_type": 2}
        where.setdefault("guild_id", message.get("guild_id"))
        where.setdefault("channel_id", message.get("channel_id"))
        return self.envelope(COMPONENT, data, member_perms=member_perms, message=message, **where)
