"""The Discord layer, the only package that imports discord: the client, its configuration,
the checks, the commands (slash commands and the "Find sources" message command), the buttons
under answers, the replies and their limits, Discord's limits and the Discord wording of reports.

Each command maps an interaction to one call into the answers stage and an Answer to a reply.
"""

from bot.app._checks import CooldownBuckets
from bot.app._client import FactBot, ShardedFactBot, make_bot
from bot.app._config import (
    TOKEN_HELP,
    Config,
    ConfigError,
    Cooldown,
    load_config,
    parse_cooldown,
    parse_digest_days,
    parse_dotenv,
    parse_repeat_window,
    parse_shards,
    parse_switch,
)
from bot.app._embeds import embed_dict, to_embed
from bot.app._errors import SOMETHING_WRONG, error_message
from bot.app._limits import MESSAGE_MAX
from bot.app._markdown import escape_markdown, is_web_url, safe_echo
from bot.app._replies import Rendered, discord_plain, for_display, rendered
from bot.app._reports import announcement, digest_text, stale_report, status_text

__all__ = [
    "MESSAGE_MAX",
    "SOMETHING_WRONG",
    "TOKEN_HELP",
    "Config",
    "ConfigError",
    "Cooldown",
    "CooldownBuckets",
    "FactBot",
    "Rendered",
    "ShardedFactBot",
    "announcement",
    "digest_text",
    "discord_plain",
    "embed_dict",
    "error_message",
    "escape_markdown",
    "for_display",
    "is_web_url",
    "load_config",
    "make_bot",
    "parse_cooldown",
    "parse_digest_days",
    "parse_dotenv",
    "parse_repeat_window",
    "parse_shards",
    "parse_switch",
    "rendered",
    "safe_echo",
    "stale_report",
    "status_text",
    "to_embed",
]
