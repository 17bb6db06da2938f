"""The team's expected questions, asked of the book: which still get a right first answer.

Owns the judgement of one expected question (what ``/fact`` answers, where the first right fact
stands among the candidates) and :func:`check_expected`, the located findings ``check
--queries`` prints: an answer id the book does not have, and every question that no longer gets
a right fact first (or, for ``miss: true``, that the book now answers).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers._compose import Answer, fact_answer
from bot.answers._index import SearchIndex
from bot.factbook import ExpectedQuery, Finding, did_you_mean


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the book answers to one expected question."""

    expected: ExpectedQuery
    answer: Answer

    @property
    def ranked(self) -> list[str]:
        """The fact ids in the order a member meets them: the answer, then the other facts
        that answer the query, best first.
        """
        first = [self.answer.facts[0].id] if self.answer.kind != "miss" else []
        rest = [h.fact.id for h in self.answer.candidates if h.answers]
        return list(dict.fromkeys(first + rest))

    @property
    def rank(self) -> int | None:
        """Where the first right fact stands (1 = the answer), or None when none is listed."""
        for place, fid in enumerate(self.ranked, start=1):
            if fid in self.expected.answers:
                return place
        return None

    @property
    def right(self) -> bool:
        """A right first answer, or a miss where a miss is expected."""
        if self.expected.miss:
            return self.answer.kind == "miss"
        return self.rank == 1

    def why(self) -> str:
        """What went wrong, in a few words (for a question that is not right)."""
        got = self.answer.facts[0].id if self.answer.kind != "miss" else "no fact (a miss)"
        if self.expected.miss:
            return f"expected a miss, answered with {got}"
        want = " or ".join(self.expected.answers)
        return f"answered with {got}, expected {want}"


def judge(index: SearchIndex, expected: ExpectedQuery) -> Outcome:
    """Ask the book ``expected.query`` as ``/fact`` does."""
    return Outcome(expected, fact_answer(index, expected.query))


def check_expected(
    index: SearchIndex, queries: tuple[ExpectedQuery, ...], path: str
) -> list[Finding]:
    """Every expected question whose answers name an unknown fact, or that the book no longer
    answers as expected, as a finding at its line.
    """
    book = index.book
    findings: list[Finding] = []
    for expected in queries:
        unknown = [fid for fid in expected.answers if fid not in book.facts]
        if unknown:
            line, column = expected.answers_at
            for fid in unknown:
                msg = f"unknown fact '{fid}'{did_you_mean(fid, book.facts)}"
                findings.append(
                    Finding("error", path, line, column, expected.query, msg, "unknown-fact")
                )
            continue
        outcome = judge(index, expected)
        if not outcome.right:
            findings.append(
                Finding(
                    "error",
                    path,
                    expected.line,
                    expected.column,
                    expected.query,
                    outcome.why(),
                    "wrong-answer",
                )
            )
    return findings
