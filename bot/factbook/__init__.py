"""facts.yaml -> FactBook: the data model, located findings, safe YAML, field rules, validation.

The face of the first stage. Everything else reads facts through it::

    result = load_path("facts.yaml")        # never raises for bad content
    for finding in result.findings:         # facts.yaml:12:5: error: id: message (did you mean ...)
        print(finding.report_line())
    book = result.book                      # None when there is any error

Nothing here imports discord or knows about answers.
"""

from bot.factbook._findings import Finding, Severity, closest, did_you_mean
from bot.factbook._integrity import figures, is_placeholder, same_figure
from bot.factbook._load import (
    DEFAULT_MAX_BYTES,
    DEFAULT_PATH,
    FactsUnreadable,
    LoadResult,
    content_version,
    load_bytes,
    load_path,
)
from bot.factbook._model import Confidence, Fact, FactBook, Source, Topic
from bot.factbook._queries import ExpectedQuery, QueriesResult, load_queries
from bot.factbook._yaml import has_libyaml

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_PATH",
    "Confidence",
    "ExpectedQuery",
    "Fact",
    "FactBook",
    "FactsUnreadable",
    "Finding",
    "LoadResult",
    "QueriesResult",
    "Severity",
    "Source",
    "Topic",
    "closest",
    "content_version",
    "did_you_mean",
    "figures",
    "has_libyaml",
    "is_placeholder",
    "load_bytes",
    "load_path",
    "load_queries",
    "same_figure",
]
