"""Discord's Markdown: the one escaper for text factbot posts to Discord, links, and the prose
of a message a member asks factbot to read (:func:`readable_text`).

Text from facts.yaml or from a member is escaped wherever Discord would read it as Markdown or
as a mention; escaping is idempotent, so text escaped once (by us or by discord.py) is not
escaped twice. URLs inside Markdown links are percent-encoded where they would end the link.
"""

from __future__ import annotations

import re

from bot.words import shorten

_MD = re.compile(r"(https?://[^\s<>]+)|\\([\s\S])|([\\*_~`|\[\]])")  # URL | pair | lone
_LINE_START = re.compile(r"^(\s*)(>|#{1,3}|-#|[-+*](?=\s)|\d+\.(?=\s))", re.MULTILINE)
#: @everyone, @here, a user or role id, and the <@1>, <@!1>, <@&1>, <#1> and </name:1> forms
#: (any digits): a zero-width space goes after the "@", "#" or "/"
_MENTION = re.compile(
    r"@(?=everyone|here|[!&]?[0-9]{17,20}|[!&]?[0-9]+>)"
    r"|(?<=<)#(?=[0-9]+>)"
    r"|(?<=<)/(?=[^<>\s\u200b][^<>]*:[0-9]+>)"
)
_URL_UNSAFE = str.maketrans(
    {"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E", '"': "%22"}
)
_WEB_URL = re.compile(r"https?://\S*")
#: Control characters (NUL, ESC, DEL, ...) and the bidi embeddings, overrides and isolates that
#: would reverse or reorder the rest of a line: dropped from echoed text.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Longest stretch of a member's text a reply echoes back.
ECHO_MAX = 200


def escape_markdown(text: str) -> str:
    """Discord markdown and mentions made inert; text escaped already is left as it is."""
    out = _MD.sub(lambda m: "\\" + m.group(3) if m.group(3) is not None else m.group(0), text)
    out = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
    return _MENTION.sub(lambda m: m.group(0) + "\u200b", out)


def safe_echo(text: str, limit: int = ECHO_MAX) -> str:
    """A member's text made safe to show: one line, no control characters or bidi overrides,
    shortened to ``limit``, markdown and mentions escaped.
    """
    one_line = " ".join(_UNSHOWABLE.sub("", " ".join(text.split())).split())
    return escape_markdown(shorten(one_line, limit))


def is_web_url(url: str) -> bool:
    """An http(s) URL without whitespace (one that can be a link)."""
    return _WEB_URL.fullmatch(url) is not None


def link_url(url: str) -> str:
    """``url`` with the characters that would end a markdown link percent-encoded."""
    return url.translate(_URL_UNSAFE)


def md_link(title: str, url: str, title_max: int) -> str:
    """``[title](url)``, or the escaped title and bare URL when the URL is not a web URL."""
    text = escape_markdown(shorten(" ".join(title.split()), title_max))
    if not is_web_url(url):
        return f"{text} {escape_markdown(url)}"
    return f"[{text}]({link_url(url)})"


def no_preview(url: str) -> str:
    """A URL Discord shows without a link preview."""
    return f"<{url}>" if is_web_url(url) else escape_markdown(url)


_CODE_BLOCK = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"``?[^`\n]+``?")
#: <@1> <@!1> <@&1> <#1> </cmd:1> <:emoji:1> <a:emoji:1> <t:1:R> <id:home>, and @everyone/@here
_DISCORD_TOKEN = re.compile(
    r"<(?:@[!&]?\d+|#\d+|/[^<>:\n]+:\d+|a?:\w+:\d+|t:-?\d+(?::\w)?|id:\w+)>|@(?:everyone|here)\b"
)
_MASKED_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?https?://[^)\s]*>?\s*\)")
_ANY_URL = re.compile(r"<?https?://[^\s>]+>?")
_EMPHASIS = re.compile(r"\*\*|__|~~|\|\||(?<!\w)[*_]|[*_](?!\w)")
_LINE_MARKS = re.compile(r"^[ \t]*(?:>>> |> |#{1,3} |-# |[-+*] )+", re.MULTILINE)


def readable_text(content: str) -> tuple[str, bool]:
    """A message's prose as a reader takes it, and whether anything was left out: code (blocks
    and inline), links (a masked link keeps its words), mentions, custom emoji and timestamps
    are removed; Markdown marks are dropped. Line breaks are kept.
    """
    text, removed = content, 0
    for pattern, by in (
        (_CODE_BLOCK, "\n"),
        (_INLINE_CODE, " "),
        (_MASKED_LINK, r"\1"),
        (_ANY_URL, " "),
        (_DISCORD_TOKEN, " "),
    ):
        text, n = pattern.subn(by, text)
        removed += n
    text = _EMPHASIS.sub("", _LINE_MARKS.sub("", text))
    lines = (" ".join(_UNSHOWABLE.sub(" ", line).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line), removed > 0
