"""What a question asks beyond its words: the years, places and counts an answer must match.

A question naming a year is answered by a fact of that year; one naming a place the book knows
(a region of its facts) by a fact about that place; "how many North Korean workers ..." by a
fact that names, in its own words, what is counted; one asking for a number ("how many",
"what share") by a fact that states one; "how long ..." by a fact that says how long; and
"who wrote X" first by a fact whose byline says so ("X was written by ..."). A
short word typed in capitals ("EU") is a word, not noise. These are the rules' pure parts; the
index (``_index``) checks a fact against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answers._text import STOPWORDS, fold

#: "how many children ...": the thing a question counts, which an answer must match.
COUNTS = re.compile(
    r"\bhow many\s+(?:more\s+|of\s+(?:the\s+)?)?([^\W\d_]+(?:[\s-]+[^\W\d_]+)*)", re.I
)
#: What "how many ..." may count that any figure of people answers.
ANYONE = frozenset({"person"})  # "people" and "persons" stem to it
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
ASKS_FOR_FIGURE = re.compile(
    r"\bhow (?:many|much|large|big)\b|\bwhat (?:share|percentage|proportion|number|figure)\b"
    r"|몇|얼마",
    re.I,
)
#: "how long ...": an answer states a duration.
ASKS_HOW_LONG = re.compile(r"\bhow long\b|얼마나 오래", re.I)
#: "who wrote ...": an answer says who wrote it.
ASKS_WHO_WROTE = re.compile(
    r"\bwho (?:wrote|authored|edited|compiled|(?:is|was|were|are) the authors? of)\b", re.I
)
#: A byline in a claim: "... was written by Sarah E. Mendelson", "a report by Yoon Yeo-sang"
#: (group 1: the verb that says so).
BYLINE = re.compile(r"\b(?:(written|authored|co-authored|edited|compiled)\s+)?by\s+(?=[A-Z])")
#: A duration or a start: "three years", "20-hour shifts", "since 2003", "23rd consecutive year".
DURATION = re.compile(r"\b(?:since|hours?|days?|weeks?|months?|years?|decades?)\b|동안|년간", re.I)

#: A number in words ("eight employees", "thousands of workers", "70 percent"): a claim that
#: states one answers "how many ..." as a claim with digits does.
NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty"
    r"|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|third|quarter|twice"
    r"|percent)\b|%|[만억]",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Needs:
    """What an answer must have beyond the query's words (see ``SearchIndex._meets``)."""

    years: frozenset[str]
    counted: tuple[frozenset[str], ...]
    places: tuple[str, ...]
    number: bool  # "how many ...", "what share ...": an answer states a number
    duration: bool  # "how long ...": an answer states how long


def names_place(own: tuple[str, ...], place: tuple[str, ...]) -> bool:
    """Whether a fact's own words name a place: each of its words, or that word as an
    adjective in "-n" ("North Korean" names North Korea, "Syrian" Syria).
    """
    return all(w in own or w + "n" in own for w in place)


def counted_words(words: str) -> list[str]:
    """What "how many <words>" counts: its words up to the first plural ("North Korean
    workers" are in Russia, "North Koreans" work abroad), else its first word ("children").
    """
    run: list[str] = []
    for word in re.split(r"[\s-]+", words):
        if fold(word) in STOPWORDS:
            break
        run.append(word)
        if len(word) > 3 and word.lower().endswith("s"):
            return run
    return run[:1]


def typed_in_capitals(word: str, text: str) -> bool:
    """Whether ``word`` was typed in capitals ("EU", "UK"): a short word that means something."""
    return re.search(rf"\b{re.escape(word.upper())}\b", text) is not None
