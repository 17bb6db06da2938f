"""What of an unanswered question may be stored: its words, never who or how to reach anyone.

This module owns :func:`scrub_query`, run on every unanswered query before it reaches the
database. It removes, in this order: anything like an email address; links (with a scheme,
``www.``, or a domain followed by a path or a common ending such as ``.com``); Discord mentions
and ``@names`` (users, roles, channels, commands, custom emoji, ``@everyone``); and anything
like a phone number or an id: 7 or more digits in a row or in phone-like groups (``+44 20 7946
0958``, ``555-123-4567``; a date or a range of years such as ``2015-2023`` stays). Then it
folds the text: Unicode compatibility forms, case, spacing, and punctuation at either end, so
"What is X?" and "what  is x" are one question. Nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest scrubbed question kept, in characters.
QUERY_MAX = 200

_LINK = re.compile(
    r"(?<![\w+.-])(?:[a-z][a-z0-9+.-]*://|www\.)\S*"  # a scheme, or www.
    r"|(?<![\w@.-])(?:[a-z0-9-]++\.)+[a-z]{2,}/\S*"  # a domain with a path
    r"|(?<![\w@.-])(?:[a-z0-9-]++\.)+(?:com|org|net|gov|edu|int|io|gg|me|co|uk|info|ly|app|dev"
    r"|xyz|be|ru|cn|kr|kp|de|fr)\b",  # a bare domain with a common ending
    re.IGNORECASE,
)
_EMAIL = re.compile(  # bob@example.com, and bob (at) example (dot) com
    r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.+-])[\w.+-]++\s*[(\[]at[)\]]\s*[\w-]+(?:\s*(?:\.|[(\[]dot[)\]])\s*[\w-]+)+",
    re.IGNORECASE,
)
_MENTION = re.compile(
    r"<(?:@[!&]?|#|/[^<>\s]*:|a?:\w+:)\d*>"  # <@1>, <@!1>, <@&1>, <#1>, </cmd:1>, <:emoji:1>
    r"|@(?:everyone|here)\b"
    r"|@[\w.]{1,32}",  # an @name typed by hand
    re.IGNORECASE,
)
#: A run of digits, optionally grouped by spaces, dots, dashes, slashes or brackets.
_DIGITS = re.compile(r"(?<![\w])\+?\(?\d[\d\s().\-/]*\d\)?(?![\w])")
#: Years and dates are kept: "2015-2023", "2017-12-22", "22/12/2017".
_DATE_LIKE = re.compile(
    r"(?:19|20)\d\d\s*[-/]\s*(?:19|20)\d\d"
    r"|(?:19|20)\d\d[-/.]\d\d?[-/.]\d\d?"
    r"|\d\d?[-/.]\d\d?[-/.](?:19|20)\d\d"
)
#: Digits at which a number counts as a phone number or an id.
PHONE_DIGITS = 7
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_EDGES = " \t.,;:!?¿¡'\"`()[]{}<>-–—…"
_HAS_DIGIT = re.compile(r"\d")


def _phone_or_not(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if digits < PHONE_DIGITS or _DATE_LIKE.fullmatch(text.strip()):
        return text
    return " "


def scrub_query(text: str) -> str | None:
    """The question as it may be stored: links, email addresses, mentions, ``@names`` and
    phone-like numbers removed, then case, spacing and edge punctuation folded; at most
    :data:`QUERY_MAX` characters. None when nothing is left.
    """
    out = text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)
    # each pattern only where the character it needs is present: most questions skip them all
    out = _CONTROL.sub(" ", out)
    low = out.lower()
    if "@" in out or "(at" in low or "[at" in low:
        out = _EMAIL.sub(" ", out)
    if "." in out or ":" in out:
        out = _LINK.sub(" ", out)
    if "@" in out or "<" in out:
        out = _MENTION.sub(" ", out)
    if _HAS_DIGIT.search(out):
        out = _DIGITS.sub(_phone_or_not, out)
    out = " ".join(out.casefold().split()).strip(_EDGES)
    out = out[:QUERY_MAX].rstrip(_EDGES)
    return out or None
