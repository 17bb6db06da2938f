"""factbot: answers slash commands with short summaries in which every statement is sourced.

Packages by stage, imports pointing one way (``cli -> app -> live -> answers -> factbook``;
``curation -> answers, factbook``; ``usage`` beneath app, cli and curation, importing none of
them; ``words`` is shared wording beneath them all):

* ``factbook``: facts.yaml -> FactBook (model, findings, safe YAML, field rules, validation);
* ``answers``: FactBook + query -> Answer (search, compose, summaries, plain text, JSON, short);
* ``curation``: whole-book outputs for curators (review freshness, export, usage insights);
* ``usage``: what the team asks and the book cannot answer, per day, in SQLite;
* ``live``: the book in service (reload, watch, diff), reported as data;
* ``app``: the only package that imports discord (client, commands, replies, limits, wording);
* ``cli``: the command line.
"""

__version__ = "0.2.0"
