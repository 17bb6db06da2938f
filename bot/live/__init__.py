"""The book in service: loaded, watched, reloaded off the event loop, diffed, reported as data.

The face of the live stage: :class:`LiveFacts` (``live.index`` is the book in service with its
search index, swapped whole by a reload), :class:`ReloadReport` (what a reload did), and the
diff of two versions with its plain-text changelog. Nothing here words anything for Discord.
"""

from bot.live._diff import BookDiff, Change, SectionDiff, Totals, changelog, diff_books
from bot.live._reload import LiveFacts, ReloadReport, short_version, signature

__all__ = [
    "BookDiff",
    "Change",
    "LiveFacts",
    "ReloadReport",
    "SectionDiff",
    "Totals",
    "changelog",
    "diff_books",
    "short_version",
    "signature",
]
