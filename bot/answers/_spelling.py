"""The book's words as written, for the query words the book does not know as they are.

A query's last word may be a prefix (the user may still be typing) and any word may carry one
typo: both are matched on the words facts use (folded, not stemmed: "wrokers" is one typo from
"workers", not from "work"), and stand for those words' terms.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

#: Match quality: a prefix of a longer word (times the share of it typed), a word one typo away.
Q_PREFIX = 0.8
Q_TYPO = 0.7
#: Most terms a prefix stands for (the commonest).
MAX_PREFIX_EXPANSIONS = 8


class Spelling:
    """The book's words (folded, each with its term); ``postings`` say which facts use a term."""

    def __init__(self, words: dict[str, str], postings: Mapping[str, Mapping[int, float]]) -> None:
        self.words = words
        self.postings = postings
        self.vocab = sorted(words)
        #: The words by length: the candidates for a typo are one letter longer or shorter,
        #: or as long.
        self.by_length: dict[int, list[str]] = {}
        for w in self.vocab:
            if w.isalpha():
                self.by_length.setdefault(len(w), []).append(w)

    def prefixed(self, word: str) -> tuple[tuple[str, float], ...]:
        """The terms of the book's words that ``word`` begins, the commonest first."""
        at = bisect.bisect_left(self.vocab, word)
        found: dict[str, float] = {}
        while at < len(self.vocab) and self.vocab[at].startswith(word):
            longer = self.vocab[at]
            quality = Q_PREFIX * len(word) / len(longer)
            term = self.words[longer]
            found[term] = max(found.get(term, 0.0), quality)
            at += 1
        best = sorted(found, key=lambda t: -len(self.postings[t]))[:MAX_PREFIX_EXPANSIONS]
        return tuple((t, found[t]) for t in best)

    def typos(self, word: str) -> tuple[tuple[str, float], ...]:
        """The terms of the book's words one typo from ``word``: a letter left out, added,
        changed, or two neighbours swapped (OSA distance 1).
        """
        close: list[str] = []
        for length in (len(word) - 1, len(word), len(word) + 1):
            found = process.extract(
                word,
                self.by_length.get(length, ()),
                scorer=OSA.distance,
                score_cutoff=1,
                limit=None,
            )
            close += [w for w, distance, _ in found if distance == 1]
        return tuple(dict.fromkeys((self.words[w], Q_TYPO) for w in sorted(close)))
