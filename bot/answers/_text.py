r"""Text normalisation shared by search and compose: folding, tokens, light stemming.

Owns how a string becomes search terms, and what English says about a word (how common it is,
from pyspellchecker's word list, read once). Everything else here is pure.
Folding is NFKD, combining marks dropped, NFC again (so Hangul syllables come back whole),
casefold; zero-width and other format characters are removed. Tokens are Unicode word runs
(``\\w+``), with numbers kept whole ("19,000" -> "19000"). English terms get a light stemmer
that also merges British and American spellings ("labourers" and "laborers" -> "labor").
"""

from __future__ import annotations

import bisect
import gzip
import math
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

#: Longest query we look at; the rest is ignored (a 6,000-character query costs nothing more).
MAX_QUERY_CHARS = 300
#: Most tokens we score per query.
MAX_QUERY_TOKENS = 24

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|\d+", re.UNICODE)
_DIGIT_COMMA = re.compile(r"\d,\d")
_OUR = re.compile(r"(?<=[a-z]{2})our(?=(?:s|ed|ing|er|ers)?$)")
_ISE = re.compile(r"(?<=[a-z]{3})is(?=(?:e|es|ed|ing|ation|ations)$)")
_TRE = re.compile(r"(?<=[a-z]{2})([tb])re(?=s?$)")  # centre, metre, fibre -> center, meter, fiber

# Words that carry no subject: function words, and the fillers of a question ("how many ...
# are there now", "tell me about ...", "what is the figure for ...", Korean 몇 명 "how many").
# "Who wrote / published ..." asks for the source, which every answer carries: fillers too.
# A query is scored on the rest, and a word the book does not know counts against an answer
# (see ``_index``), so a filler missing here would turn an answerable question into a miss.
_STOPWORDS_TEXT = """
    a an and are as at be been being but by can could did do does doing for from had has have
    having how i if in into is it its me my of on or our s so than that the their them then
    there these they this those to too was we were what when where which while who whom whose
    why will with would you your about tell show give find get got know any some much many
    more most number numbers figure figures total amount now today currently current still
    ever also please say says said wrote written write writes published publish
    몇 명 얼마 얼마나 무엇 뭐 언제 어디 누가 누구 왜 어떻게 있나 있나요 인가요 입니까
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` (format characters removed)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return unicodedata.normalize("NFC", kept).casefold()


def raw_tokens(text: str) -> list[str]:
    """Folded word and number tokens of ``text``, in order (numbers without separators; a
    "%" is the word "percent").
    """
    folded = fold(text)
    if "%" in folded:
        folded = folded.replace("%", " percent ")
    toks: list[str] = _TOKEN.findall(folded)
    if "," in folded and _DIGIT_COMMA.search(folded):  # only then does a number hold a comma
        return [t.replace(",", "") if t[0].isdigit() else t for t in toks]
    return toks


# Irregular forms a team types ("who wrote", "wages paid", "workers held") -> the base form the
# stemmer then treats like any other word.
_IRREGULAR_TEXT = """
    paid:pay held:hold wrote:write written:write sent:send sold:sell built:build made:make
    took:take taken:take gave:give given:give women:woman men:man children:child fled:flee
    kept:keep began:begin begun:begin brought:bring caught:catch went:go gone:go ran:run
    bought:buy fought:fight taught:teach thought:think felt:feel led:lead met:meet told:tell
    won:win lost:lose spent:spend died:die dying:die deaths:death seen:see saw:see knew:know
    known:know grew:grow grown:grow drove:drive driven:drive fell:fall fallen:fall rose:rise
    risen:rise chose:choose chosen:choose stole:steal stolen:steal broke:break broken:break
    spoke:speak spoken:speak hid:hide hidden:hide forbade:forbid forbidden:forbid sought:seek
    struck:strike bore:bear borne:bear born:bear laid:lay lent:lend dealt:deal meant:mean
    people:person percentage:percent percentages:percent fishermen:fisherman
    seamen:seaman beaten:beat bn:billion came:come became:become found:find left:leave
"""
IRREGULAR: dict[str, str] = dict(pair.split(":") for pair in _IRREGULAR_TEXT.split())


#: Stems already worked out (a book's index stems each of its words thousands of times). A
#: plain dict of strings, which the garbage collector never walks (an ``lru_cache`` keeps a
#: tracked list per entry); it stops growing at STEM_CACHE_MAX words.
_STEMS: dict[str, str] = {}
STEM_CACHE_MAX = 100_000


def stem(token: str) -> str:
    """A light, deterministic English stemmer; other scripts and numbers pass through.

    Irregular forms go to their base first (``wrote`` and ``written`` -> ``write``).
    """
    found = _STEMS.get(token)
    if found is None:
        found = _stem(token)
        if len(_STEMS) < STEM_CACHE_MAX:
            _STEMS[token] = found
    return found


def _stem(token: str) -> str:
    token = IRREGULAR.get(token, token)
    if not token.isascii() or not token.isalpha() or len(token) <= 3:
        return token
    t = _OUR.sub("or", token)
    t = _ISE.sub("iz", t)
    t = _TRE.sub(r"\1er", t)
    if t.endswith("ally") and len(t) > 6:  # legally -> legal
        t = t[:-2]
    elif t.endswith("ly") and len(t) > 5 and t[-3] not in "aeiouyl" and t[-3] != t[-4]:
        t = t[:-2]  # monthly -> month (not family, supply)
    if t.endswith("ies") and len(t) > 4:
        t = t[:-3] + "y"
    elif t.endswith("sses"):
        t = t[:-2]
    elif t.endswith("s") and not t.endswith(("ss", "us", "is")) and len(t) > 3:
        t = t[:-1]
    if t.endswith("ian") and len(t) > 5:  # Syrian -> Syria, Russians -> Russia
        t = t[:-1]
    elif t.endswith("ator") and len(t) > 6:  # coordinator -> coordinat(e), as coordinated
        t = t[:-2]
    if t.endswith("ing") and len(t) > 5:
        t = _undouble(t[:-3])
    elif (t.endswith("ed") and len(t) > 4) or (t.endswith("er") and len(t) > 5):
        t = _undouble(t[:-2])
    if t.endswith("e") and len(t) > 4:
        t = t[:-1]
    return t


def _undouble(t: str) -> str:
    """A doubled last consonant left by a suffix undone: "kidnapp" -> "kidnap", "logg" -> "log"."""
    if len(t) >= 3 and t[-1] == t[-2] and t[-1] not in "aeioulsz":
        return t[:-1]
    return t


def terms(text: str) -> list[str]:
    """Stemmed tokens of ``text`` in order, stopwords included (callers decide)."""
    return list(map(stem, raw_tokens(text)))


def query_terms(query: str) -> list[str]:
    """The terms a query is scored on: bounded, stopwords dropped, duplicates removed."""
    toks = raw_tokens(query[:MAX_QUERY_CHARS])
    kept = [t for t in toks if t not in STOPWORDS]
    seen: dict[str, None] = {}
    for t in kept:
        seen.setdefault(stem(t), None)
    return list(seen)[:MAX_QUERY_TOKENS]


def key(text: str) -> str:
    """A comparison key for names: stemmed terms joined by spaces ("North-Korea labour" and
    "north korea labor" share one).
    """
    return " ".join(terms(text))


_OPENERS = "(\"'“‘["  # punctuation that may open an abbreviation: "(No. 29)"
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "no", "vs", "inc", "ltd", "co", "jr"})


def ends_with_abbreviation(piece: str) -> bool:
    """Whether ``piece`` ends at "U.S.", "No." or a single letter rather than at the end of a
    sentence (a split there would cut one sentence in two).
    """
    words = piece.rsplit(maxsplit=1)
    last = (words[-1] if words else "").rstrip(".!?…;").lstrip(_OPENERS).lower()
    return "." in last or len(last) <= 1 or last in _ABBREVIATIONS


# -- what a word says --------------------------------------------------------------------------
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: The least a word the book does not know counts against an answer (the commonest words).
RARITY_FLOOR = 0.2


def has_hangul(text: str) -> bool:
    return not text.isascii() and _HANGUL.search(text) is not None


_CAPITALS = re.compile(r"[A-Z]{2,}")


def acronyms(text: str) -> tuple[str, ...]:
    """Words written in capitals that would otherwise be stopwords ("IT" workers, the "WHO"
    report), as their own terms: the word in capitals. A text all in capitals has none.
    """
    if text.isupper():
        return ()
    found: dict[str, None] = {}
    for match in _CAPITALS.finditer(text):
        start, end = match.span()
        whole = not text[start - 1 : start].isalnum() and not text[end : end + 1].isalnum()
        if whole and match.group().lower() in STOPWORDS:
            found[match.group()] = None
    return tuple(found)


def index_terms(tokens: Iterable[str]) -> list[str]:
    """The terms a field's tokens are indexed under: stems, and for a Hangul word its leading
    syllables from two on ("노동자는" -> "노동", "노동자", "노동자는").
    """
    out: list[str] = []
    for token in tokens:
        if len(token) > 2 and has_hangul(token):
            out.extend(token[:n] for n in range(2, len(token)))
        out.append(stem(token))
    return out


@cache
def _english_lines() -> tuple[bytes, ...]:
    """The lines of pyspellchecker's English word list: ``"word": uses,`` one word a line,
    sorted by word (its file is JSON written that way; a test holds it). Read once; kept as
    the lines, not parsed into a dict: a question looks up a few words, by bisection, and
    parsing 160,000 of them took a cold ``ask`` 60-80 ms.
    """
    data = resources.files("spellchecker") / "resources" / "en.json.gz"
    return tuple(gzip.decompress(data.read_bytes()).split(b"\n")[1:-1])  # not "{" and "}"


def english_uses(word: str) -> int:
    """How often ordinary English uses ``word`` (counted in film subtitles; 0: not a word
    English uses). A word used often is never taken for a typo of another, and a word the
    book does not know weighs less the commoner it is.
    """
    lines = _english_lines()
    key = b'"' + word.encode(errors="replace") + b'": '  # a lone surrogate matches nothing
    at = bisect.bisect_left(lines, key)
    if at < len(lines) and lines[at].startswith(key):
        return int(lines[at][len(key) :].rstrip(b","))
    return 0


def rarity(word: str) -> float:
    """How much a query word says, 0.2 to 1, by how rarely English uses it: a name, a figure
    or a term ("Lazarus", "2018", "crypto") fully, an everyday word ("start", "told") little.
    A book of a few dozen facts is too small to tell that from its own counts alone.
    """
    if not word.isalpha() or has_hangul(word):
        return 1.0
    uses = english_uses(word)
    return min(1.0, max(RARITY_FLOOR, 1.25 - math.log10(uses + 1) / 5))
