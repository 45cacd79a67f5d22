"""The knowledge base: articles (``articles``) and full-text search over them (``search``),
with the search machinery any table with a ``db.fulltext.TextIndex`` can use
(``query_text``: what a person typed, made safe for each database; ``text_sql``: the SQL
text of a match, without SQLAlchemy, for statements written elsewhere (ticket search);
``text_search``: one ranked query on PostgreSQL and on SQLite).

Layer: below ``core.tickets`` (the triager and ticket search use it), above ``core.access``
(publishing needs a manager or an admin). Imports ``core.access``, ``core.audit``,
``core.errors``, ``core.vocabulary`` and ``db``; nothing of Slack or the web.
"""
