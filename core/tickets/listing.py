"""What a ticket list asks for (``TicketQuery``), the one SQL statement that answers it, and
the ticket view of one of its rows.

Filters, sort and page of a ``TicketQuery`` become SQL text with named parameters
(``:name``), the latest draft and the emails of the people it names joined in. Nothing
here imports SQLAlchemy or a driver, so two executors run the very same statement:
``TicketReader`` through its session (``sqlalchemy.text``), and the CLI's quick read
(``desk tickets``, through ``db.lite`` and the plain driver), which starts in a fraction of
the time the ORM takes to load. ``ticket_view`` decodes a row the same way for both:
datetimes come back as text from SQLite and as values from PostgreSQL, JSON likewise.

A search (``q``) finds the tickets with a message whose full-text document (the database
keeps one per message, ``db.fulltext.MESSAGES``: its subject, sender and own text; 0020)
holds the words, all of them in that one message, with the knowledge base's grammar
(``core.knowledge.query_text``: words, ``"phrases"``, ``-word``, ``or``; ``INV-2291`` and
addresses as typed), or ``q`` as typed inside the requester's address or name or the
subject (``LIKE``, a trigram index on PostgreSQL). With no sort given the newest
``RANK_WINDOW`` (1,000) matches are ordered by relevance, each ticket by its best message
(``ts_rank_cd`` / ``bm25``): a rank reads each ranked ticket's messages, so it is bounded as
the total is. ``count`` stops at ``COUNT_CAP`` + 1 tickets; ``snippets`` marks the words
found in each ticket's best message, for one page only. Statements that differ per
database take ``postgres``.

See docs/architecture.md ("A CLI that starts at once").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.errors import ValidationError
from core.knowledge.query_text import parse
from core.knowledge.text_sql import (
    ELLIPSIS,
    MARKS,
    SNIPPET_WORDS,
    bm25_weights,
    pg_config,
    pg_match,
    pg_match_one_scan,
)
from core.vocabulary import (
    APPROVAL_STATUSES,
    CATEGORIES,
    STATUSES,
    URGENCIES,
    canonical,
    category_of,
    language_of,
    urgency_of,
)
from db.fulltext import FALLBACK_CONFIG, LANGUAGE_CONFIGS, MESSAGES

# ``relevance``: the best match first (the default of a search; without words: ``-date``)
SORTS = ("date", "-date", "urgency", "-urgency", "status", "-status", "due", "-due", "relevance")
# a ticket's SLA standing, from its open clocks (``core.tickets.sla_due`` says the same of one):
# ``breached`` once a clock's breach fired, ``at_risk`` once a warning level did and none breached
SLA_STATES = ("at_risk", "breached")
MAX_OFFSET = 2**63 - 1  # what LIMIT ... OFFSET takes on both databases
COUNT_CAP = 1000  # a total past this is told as "1000+" (``count`` reads one row more)


@dataclass(frozen=True, slots=True)
class TicketQuery:
    status: str | None = None  # a ticket status or a draft (approval) status
    category: str | None = None
    urgency: str | None = None
    q: str | None = None  # words to find in sender, subject and message text
    sender: str | None = None
    assigned_to_id: int | None = None
    assignee_email: str | None = None  # the owner's address (any case)
    unassigned: bool = False  # only tickets nobody owns
    language: str | None = None  # an ISO 639-1 code: only the tickets in that language
    escalated: bool | None = None  # True: flagged for escalation only; False: not flagged
    sla: str | None = None  # one of SLA_STATES
    sort: str | None = None  # None: ``relevance`` for a search, else ``-date``
    limit: int = 50
    offset: int = 0

    def validated(self) -> TicketQuery:
        if self.status and self.status not in STATUSES + APPROVAL_STATUSES:
            raise ValidationError(
                f"unknown status {self.status!r:.200}; use one of {', '.join(STATUSES + APPROVAL_STATUSES)}",
                field="status",
            )
        if self.category:
            category_of(self.category)
        if self.urgency:
            urgency_of(self.urgency)
        if self.sla is not None and self.sla not in SLA_STATES:
            raise ValidationError(
                f"unknown SLA state {self.sla!r:.200}; use one of {', '.join(SLA_STATES)}",
                field="sla",
            )
        if self.language is not None:
            language_of(self.language)
        if self.q is not None:
            parse(self.q.strip())  # a NUL, broken Unicode, too long: a ValidationError
        if self.sort is not None and self.sort not in SORTS:
            raise ValidationError(
                f"unknown sort {self.sort!r:.200}; use one of {', '.join(SORTS)}", field="sort"
            )
        if not 1 <= self.limit <= 1000 or not 0 <= self.offset <= MAX_OFFSET:
            raise ValidationError(
                f"limit must be 1..1000 and offset 0..{MAX_OFFSET}", field="limit"
            )
        if self.assignee_email is not None and "@" not in self.assignee_email.strip()[1:-1]:
            raise ValidationError(
                f"not an email address: {self.assignee_email!r:.200}", field="assignee"
            )
        return self


SORT_KEYS = {
    "date": "t.received_at",
    "urgency": "CASE t.urgency WHEN 'High' THEN 3 WHEN 'Medium' THEN 2 WHEN 'Low' THEN 1 ELSE 0 END",
    "status": "CASE t.status WHEN 'open' THEN 1 WHEN 'answered' THEN 2 WHEN 'waiting' THEN 3 "
    "WHEN 'resolved' THEN 4 ELSE 5 END",
    # the running clock due first; tickets with none come last either way (see ``page``)
    "due": "(SELECT MIN(c.due_at) FROM sla_clocks c"
    " WHERE c.ticket_id = t.id AND c.stopped_at IS NULL AND c.paused_at IS NULL)",
}
_OPEN_CLOCK = "SELECT 1 FROM sla_clocks c WHERE c.ticket_id = t.id AND c.stopped_at IS NULL"
_BREACHED = f"EXISTS ({_OPEN_CLOCK} AND c.breached_at IS NOT NULL)"
# ``warned`` is a JSON list: '[]' until the first level fires
_WARNED = f"EXISTS ({_OPEN_CLOCK} AND c.breached_at IS NULL AND CAST(c.warned AS TEXT) <> '[]')"
SLA_CONDITIONS = {"breached": _BREACHED, "at_risk": f"{_WARNED} AND NOT {_BREACHED}"}

_COLUMNS = """
    t.id, t.requester_email, t.requester_name, t.subject, t.received_at, t.status,
    t.category, t.urgency, t.language, t.summary, t.thread_id, t.message_id, t.assigned_to_id,
    t.ai_processed, t.escalation_required, t.last_message_at, t.first_response_at,
    d.id AS draft_id, d.fix_steps, d.citations, d.body AS draft_body, d.version AS draft_version,
    d.status AS draft_status, d.approved_at, d.sent_at, d.confidence, d.escalation_reason,
    d.raw_confidence, d.prompt_variant,
    assignee.email AS assigned_to_email, approver.email AS approved_by_email"""

# the latest draft per row (ix_drafts_ticket_id), not an aggregate of every ticket's drafts:
# a page sorted by an index reads only the drafts of the rows it shows
_DRAFT = """
LEFT JOIN drafts d ON d.id = (
    SELECT MAX(dd.id) FROM drafts dd WHERE dd.ticket_id = t.id AND dd.status <> 'superseded'
)"""
_FROM = "\nFROM tickets t" + _DRAFT
# ``relevance`` ranks the newest this many matching tickets (the rest: a sort by date, or a
# narrower search); a search's rank is read from every ranked row's document, so it is
# bounded like the total is
RANK_WINDOW = COUNT_CAP + 1  # one more than the total tells: the same rows ``count`` counts

_PEOPLE = """
LEFT JOIN users assignee ON assignee.id = t.assigned_to_id
LEFT JOIN users approver ON approver.id = d.approved_by_id"""


@dataclass(frozen=True, slots=True)
class Workspace:
    """Only the tickets of one Slack workspace's mailboxes (and, for the app's home
    workspace, of the mailboxes bound to none): see ``core.access.teams``."""

    team_id: str
    home: bool


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    # PostgreSQL: plan it for its parameters every time (``plan_cache_mode =
    # force_custom_plan``). A search's best plan depends on its words: psycopg prepares a
    # statement run five times, and PostgreSQL's generic plan for a rare word would then
    # read every match of a common one (the capped count of "account" at 100,000 tickets:
    # 5 ms planned for its words, 70-90 ms generic)
    custom_plan: bool = False


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _searching(query: TicketQuery) -> bool:
    return bool((query.q or "").strip())


def _worded(query: TicketQuery) -> bool:
    """A search with words to match (not only words to leave out: a substring then)."""
    return _searching(query) and not parse((query.q or "").strip()).empty


def _where(
    query: TicketQuery | None,
    workspace: Workspace | None = None,
    *,
    postgres: bool = False,
    search: bool = True,
    extra: Sequence[str] = (),
) -> Statement:
    """The WHERE clause of ``query`` (validated) and its parameters; ``search=False``:
    its filters only (the search's parameters still bound); ``extra``: more conditions."""
    conds: list[str] = []
    params: dict[str, Any] = {}
    if query is not None:
        _filters(query, conds, params)
        if _searching(query):
            found: list[str] = []
            _search(query, found, params, postgres=postgres)
            conds.extend(found if search else [])
    if workspace is not None:
        unbound = " OR slack_team_id IS NULL" if workspace.home else ""
        conds.append(
            f"t.mailbox_id IN (SELECT id FROM mailboxes WHERE slack_team_id = :team_id{unbound})"
        )
        params["team_id"] = workspace.team_id
    conds.extend(extra)
    return Statement(f"\nWHERE {' AND '.join(conds)}" if conds else "", params)


def _filters(query: TicketQuery, conds: list[str], params: dict[str, Any]) -> None:
    if query.status in STATUSES:
        conds.append("t.status = :status")
        params["status"] = query.status
    elif query.status:
        # the latest draft's status; the EXISTS (implied by it, so the same rows) lets the
        # planner start from the drafts in that status (ix_drafts_status_ticket, 0022)
        # instead of every ticket's latest draft: App Home's pending lists
        conds.append(
            "d.status = :status AND EXISTS (SELECT 1 FROM drafts ds"
            " WHERE ds.ticket_id = t.id AND ds.status = :status)"
        )
        params["status"] = query.status
    if query.category:
        conds.append("t.category = :category")
        params["category"] = canonical(query.category, CATEGORIES)
    if query.urgency:
        conds.append("t.urgency = :urgency")
        params["urgency"] = canonical(query.urgency, URGENCIES)
    if query.sender:
        conds.append("lower(t.requester_email) = :sender")
        params["sender"] = query.sender.strip().lower()
    if query.assigned_to_id is not None:
        conds.append("t.assigned_to_id = :assigned_to_id")
        params["assigned_to_id"] = query.assigned_to_id
    if query.assignee_email is not None:
        conds.append(
            "t.assigned_to_id IN (SELECT id FROM users WHERE lower(email) = :assignee_email)"
        )
        params["assignee_email"] = query.assignee_email.strip().lower()
    if query.unassigned:
        conds.append("t.assigned_to_id IS NULL")
    if query.language is not None:
        conds.append("t.language = :language")
        params["language"] = language_of(query.language)
    if query.escalated is not None:
        conds.append("t.escalation_required = :escalated")
        params["escalated"] = bool(query.escalated)
    if query.sla is not None:
        conds.append(f"({SLA_CONDITIONS[query.sla]})")


# what a substring of the search is looked for in (trigram GIN indexes on PostgreSQL, 0020)
SUBSTRING_COLUMNS = ("requester_email", "requester_name", "subject")
_FTS = MESSAGES.fts
_FTS_HITS = f"{_FTS} JOIN messages m ON m.id = {_FTS}.rowid WHERE {_FTS} MATCH :q"
_HITS = "hits"  # SQLite's ranked page: the best FTS5 hit per ticket


def _search(
    query: TicketQuery, conds: list[str], params: dict[str, Any], *, postgres: bool
) -> None:
    """Add the search's condition: a message of the ticket matches the words, or the query
    as typed is inside the ticket's requester or subject. One ``IN`` over the union of both
    (a semi-join on the tickets' key: the words a Bitmap Index Scan on the messages' GIN
    index, the substrings on the trigram indexes), never an OR the tickets would be read
    whole for."""
    typed = (query.q or "").strip()
    parsed = parse(typed)
    params["q_like"] = f"%{_escape_like(typed.lower())}%"
    if parsed.empty:
        conds.append(f"({_like('t')})")
        return
    params["q"] = parsed.websearch() if postgres else parsed.fts5()
    source, match = _words_from(postgres)
    words = f"SELECT m.ticket_id FROM {source} WHERE {match}"
    conds.append(f"t.id IN ({words}\n UNION ALL SELECT s.id FROM tickets s WHERE {_like('s')})")


def _like(alias: str) -> str:
    """The query as typed inside one of ``SUBSTRING_COLUMNS`` of ``alias``."""
    return " OR ".join(f"lower({alias}.{c}) LIKE :q_like ESCAPE '\\'" for c in SUBSTRING_COLUMNS)


def _words_from(postgres: bool) -> tuple[str, str]:
    """The ``FROM`` and the condition of the messages ``m`` matching the words."""
    if postgres:
        return "messages m", _pg_words()
    return f"{_FTS} JOIN messages m ON m.id = {_FTS}.rowid", f"{_FTS} MATCH :q"


def _newest(
    query: TicketQuery, workspace: Workspace | None, *, postgres: bool, limit: str
) -> Statement:
    """The ids of the newest ``:limit`` tickets ``query`` (with words) matches, newest
    first: the newest ``:limit`` tickets with a matching message (their distinct ids read
    down ``ix_messages_ticket``, which stops early for a common word, or the words' bitmap
    sorted, for a rare one: the planner weighs them per query) and the newest ``:limit``
    found by a substring, merged. Without the limit a common word would read every
    matching message's row (95,743 of 100,000 tickets' messages for "account": 200 ms)."""
    source, match = _words_from(postgres)
    filters = _where(query, workspace, postgres=postgres, search=False)
    joined = f" JOIN tickets t ON t.id = m.ticket_id{_DRAFT}" if filters.sql else ""
    words = _where(query, workspace, postgres=postgres, search=False, extra=[match])
    like = _where(query, workspace, postgres=postgres, search=False, extra=[f"({_like('t')})"])
    sql = (
        f"SELECT id FROM (SELECT DISTINCT m.ticket_id AS id FROM {source}{joined}{words.sql}"
        f"\n ORDER BY m.ticket_id DESC LIMIT :{limit}) w"
        f"\nUNION SELECT id FROM (SELECT t.id FROM tickets t{_DRAFT}{like.sql}"
        f"\n ORDER BY t.id DESC LIMIT :{limit}) s\nORDER BY id DESC LIMIT :{limit}"
    )
    return Statement(sql, words.params)


def _pg_words(*, one_scan: bool = True) -> str:
    """PostgreSQL: a message ``m`` matches the words, each in its language's configuration
    (the message's, not the ticket's: each message's document is in its own)."""
    if one_scan:
        return pg_match_one_scan(MESSAGES, None, alias="m")
    return pg_match(MESSAGES, None, lowered=True, alias="m")


def _pg_tsquery() -> str:
    """PostgreSQL: the query in message ``m``'s configuration, each arm a constant of the
    statement rather than a query parsed per row."""
    arms = " ".join(
        f"WHEN '{code}' THEN websearch_to_tsquery('{config}', :q)"
        for code, config in LANGUAGE_CONFIGS.items()
    )
    return f"CASE m.language {arms} ELSE websearch_to_tsquery('{FALLBACK_CONFIG}', :q) END"


def sort_of(query: TicketQuery) -> str:
    """The sort a page is in: the one asked for, else ``relevance`` for a search, ``-date``
    otherwise (and ``-date`` for ``relevance`` without words)."""
    ranked = _worded(query)
    sort = query.sort or ("relevance" if ranked else "-date")
    return "-date" if sort == "relevance" and not ranked else sort


def page(
    query: TicketQuery, *, workspace: Workspace | None = None, postgres: bool = False
) -> Statement:
    """One page of ``query`` (a validated ``TicketQuery``), sorted, newest id last on ties."""
    where = _where(query, workspace, postgres=postgres)
    sort = sort_of(query)
    paging = {"limit": query.limit, "offset": query.offset}
    if sort == "relevance":
        newest = _newest(query, workspace, postgres=postgres, limit="window")
        return _ranked_page(newest, postgres=postgres, paging=paging)
    key = SORT_KEYS[sort.lstrip("-")]
    order = f"{key} {'DESC' if sort.startswith('-') else 'ASC'}, t.id DESC"
    if sort.lstrip("-") == "due":  # NULLs sort first on SQLite, last on PostgreSQL
        order = f"{key} IS NULL, {order}"
    sql = (
        f"SELECT{_COLUMNS}{_FROM}{_PEOPLE}{where.sql}"
        f"\nORDER BY {order}\nLIMIT :limit OFFSET :offset"
    )
    return Statement(sql, {**where.params, **paging}, custom_plan=_searching(query))


def _ranked_page(newest: Statement, *, postgres: bool, paging: dict[str, int]) -> Statement:
    """The newest ``RANK_WINDOW`` matches (``newest``), each ranked by its best message
    (higher: better; a ticket found by a substring only: 0); the page of them; then its
    columns (the joins of the view for the page's rows only)."""
    if postgres:  # the ranked tickets' own messages (ix_messages_ticket), rechecked
        joins = ""
        score = (
            f"coalesce((SELECT max(ts_rank_cd(m.{MESSAGES.vector}, {_pg_tsquery()}, 1))"
            f" FROM messages m WHERE m.ticket_id = t.id AND {_pg_words(one_scan=False)}), 0)"
        )
    else:  # the hits once, their best per ticket (bm25: lower is better; ``LIMIT -1``
        # keeps SQLite from flattening bm25 into the aggregate, where it cannot run)
        joins = (
            f"\nLEFT JOIN (SELECT id, min(score) AS score FROM (SELECT m.ticket_id AS id,"
            f" bm25({_FTS}, {bm25_weights(MESSAGES)}) AS score FROM {_FTS_HITS}"
            f" LIMIT -1) GROUP BY id) {_HITS} ON {_HITS}.id = t.id"
        )
        score = f"coalesce(-{_HITS}.score, 0)"
    ranked = (
        f"SELECT t.id AS id, {score} AS score, count(*) OVER () AS window_total"
        f"\nFROM tickets t{joins}\nWHERE t.id IN ({newest.sql})"
        "\nORDER BY score DESC, t.id DESC LIMIT :limit OFFSET :offset"
    )
    sql = (
        f"SELECT{_COLUMNS}, p.window_total AS {WINDOW_TOTAL}"
        f"\nFROM ({ranked}) p\nJOIN tickets t ON t.id = p.id{_DRAFT}{_PEOPLE}"
        "\nORDER BY p.score DESC, t.id DESC"
    )
    return Statement(sql, {**newest.params, **paging, "window": RANK_WINDOW}, custom_plan=True)


WINDOW_TOTAL = "matched_in_window"  # a ranked page's column: the matches it ranked


def page_total(rows: Sequence[Mapping[str, Any]], cap: int = COUNT_CAP) -> tuple[int, bool] | None:
    """A ranked page's total, from its own rows: the matches it ranked (the newest
    ``RANK_WINDOW``, one more than ``COUNT_CAP``: the rows ``count`` would count), as
    (n, capped); None when the page cannot tell (not ranked, or past its last row), and
    ``count`` must. Saves a search a second pass over its matches."""
    if not rows or WINDOW_TOTAL not in rows[0] or cap != COUNT_CAP:
        return None
    n = int(rows[0][WINDOW_TOTAL])
    return min(n, cap), n > cap


def count(
    query: TicketQuery,
    *,
    workspace: Workspace | None = None,
    postgres: bool = False,
    cap: int | None = COUNT_CAP,
) -> Statement:
    """How many tickets ``query`` matches: at most ``cap`` + 1 (more than ``cap``: "cap+"),
    read through the same indexes as the page; ``cap=None``: all of them. A capped search
    with words counts ``_newest``."""
    if cap is not None and _worded(query):
        newest = _newest(query, workspace, postgres=postgres, limit="cap")
        return Statement(
            f"SELECT count(*) AS n FROM ({newest.sql}) matched",
            {**newest.params, "cap": cap + 1},
            custom_plan=True,
        )
    where = _where(query, workspace, postgres=postgres)
    inner = f"SELECT 1 AS one{_FROM}{where.sql}"
    custom = _searching(query)
    if cap is None:
        return Statement(f"SELECT count(*) AS n FROM ({inner}) matched", where.params, custom)
    return Statement(
        f"SELECT count(*) AS n FROM ({inner}\nLIMIT :cap) matched",
        {**where.params, "cap": cap + 1},
        custom,
    )


SNIPPET_CHARS = 2500  # of the message's text: ts_headline parses all it is given


def snippets(ticket_ids: Sequence[int], query: TicketQuery, *, postgres: bool) -> Statement | None:
    """Where the words of ``query``'s search matched in each ticket of one page: its best
    matching message's subject and text with the words between ``MARKS`` (``ts_headline`` /
    FTS5 ``snippet``), best message first per ticket; None without words to mark. A
    ticket found by a substring only has none."""
    parsed = parse((query.q or "").strip())
    if parsed.empty or not ticket_ids:
        return None
    names = {f"s{i}": tid for i, tid in enumerate(ticket_ids)}
    wanted = ", ".join(f":{n}" for n in names)
    if postgres:
        tsquery = _pg_tsquery()
        options = (
            f'\'StartSel="{MARKS[0]}", StopSel="{MARKS[1]}", MaxWords={SNIPPET_WORDS}, '
            f'MinWords={SNIPPET_WORDS // 3}, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "\''
        )
        text = (
            f"m.subject || ' ' || left(coalesce(nullif(m.reply_text, ''), m.body_text),"
            f" {SNIPPET_CHARS})"
        )
        best = (  # each ticket's best message, then the headline of that one only
            f"SELECT DISTINCT ON (m.ticket_id) m.id FROM messages m WHERE m.ticket_id IN"
            f" ({wanted}) AND {_pg_words(one_scan=False)}\n ORDER BY m.ticket_id,"
            f" ts_rank_cd(m.{MESSAGES.vector}, {tsquery}, 1) DESC, m.id DESC"
        )
        sql = (
            f"SELECT m.ticket_id AS id,"
            f" ts_headline({pg_config(MESSAGES, alias='m')}, {text}, {tsquery}, {options})"
            f" AS snippet FROM messages m WHERE m.id IN ({best})"
        )
        return Statement(sql, {**names, "q": parsed.websearch()})
    sql = (
        f"SELECT m.ticket_id AS id, snippet({_FTS}, -1, '{MARKS[0]}', '{MARKS[1]}',"
        f" '{ELLIPSIS}', {SNIPPET_WORDS}) AS snippet FROM {_FTS_HITS}"
        f" AND m.ticket_id IN ({wanted})"
        f"\nORDER BY m.ticket_id, bm25({_FTS}, {bm25_weights(MESSAGES)}), m.id DESC"
    )
    return Statement(sql, {**names, "q": parsed.fts5()})


def attach_snippets(views: list[dict[str, Any]], rows: Iterable[Mapping[Any, Any]]) -> None:
    """Give each ticket view ``snippet`` (its first row of ``snippets``, or None)."""
    join = MARKS[1] + MARKS[0]  # one word in two lexemes (INV-2291) is marked once
    found: dict[int, str | None] = {}
    for r in rows:
        if r["id"] not in found:
            found[r["id"]] = (r["snippet"] or "").replace(join, "") or None
    for v in views:
        v["snippet"] = found.get(v["id"])


def user_by_email(email: str) -> Statement:
    """The desk user with this address (any case), to tell a filter naming nobody."""
    return Statement(
        "SELECT id FROM users WHERE lower(email) = :email", {"email": email.strip().lower()}
    )


def one(ticket_id: int) -> Statement:
    """The list row of one ticket (its head in ``TicketReader.get``)."""
    return Statement(
        f"SELECT{_COLUMNS}{_FROM}{_PEOPLE}\nWHERE t.id = :ticket_id", {"ticket_id": ticket_id}
    )


def sla_clocks(ticket_ids: Sequence[int]) -> Statement:
    """The SLA clocks of the tickets of one page (``attach_sla`` puts them on the views)."""
    names = {f"t{i}": tid for i, tid in enumerate(ticket_ids)}
    wanted = ", ".join(f":{n}" for n in names) or "NULL"
    return Statement(
        "SELECT ticket_id, metric, cycle, due_at, breached_at, paused_at, stopped_at,"
        f" stop_reason FROM sla_clocks WHERE ticket_id IN ({wanted})"
        " ORDER BY ticket_id, metric, cycle",
        names,
    )


def cited_articles(views: Sequence[Mapping[str, Any]]) -> Statement:
    """The titles of the articles the drafts of ``views`` cite (``attach_citations`` puts
    them on the views)."""
    cited = sorted({i for v in views for i in v["citations"]})
    names = {f"a{i}": aid for i, aid in enumerate(cited)}
    wanted = ", ".join(f":{n}" for n in names) or "NULL"
    return Statement(f"SELECT id, title FROM kb_articles WHERE id IN ({wanted})", names)


def attach_citations(views: list[dict[str, Any]], articles: Iterable[Mapping[Any, Any]]) -> None:
    """Turn each view's ``citations`` (the article ids its draft cites, from ``ticket_view``)
    into ``[{"id", "title"}]`` in the draft's order; an article since deleted is left out."""
    titles = {a["id"]: a["title"] for a in articles}
    for v in views:
        v["citations"] = [
            {"id": aid, "title": titles[aid]} for aid in v["citations"] if aid in titles
        ]


# a stopped clock was met by what it measures: a sent reply, or the ticket's resolution
_MET_BY = {"first_response": "reply", "next_response": "reply", "resolution": "resolved"}


def attach_sla(views: list[dict[str, Any]], clocks: Iterable[Mapping[Any, Any]]) -> None:
    """Give each ticket view ``sla``: metric -> ``{"due", "breached", "state"}`` (state
    ``running``, ``paused``, ``met`` or ``stopped``; the next response's latest cycle)."""
    by_ticket: dict[int, dict[str, dict[str, Any]]] = {v["id"]: {} for v in views}
    for c in clocks:
        state = "running"
        if c["stopped_at"] is not None:
            state = "met" if c["stop_reason"] == _MET_BY.get(c["metric"]) else "stopped"
        elif c["paused_at"] is not None:
            state = "paused"
        by_ticket.setdefault(c["ticket_id"], {})[c["metric"]] = {
            "due": _when(c["due_at"]),
            "breached": c["breached_at"] is not None,
            "state": state,
        }
    for v in views:
        v["sla"] = by_ticket[v["id"]]


def _when(value: Any) -> str | None:
    """A stored UTC datetime as ISO text: SQLite gives text without a zone, PostgreSQL an
    aware datetime; both read as what the ORM's ``UTCDateTime`` gives."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    when = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return when.isoformat()


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


def calibrated(confidence: float | None, raw: float | None) -> bool:
    """Whether a draft's confidence is not the provider's own (its calibration changed it)."""
    return confidence is not None and raw is not None and abs(confidence - raw) > 1e-9


def ticket_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The seed's ticket fields plus the desk's own, from a row of ``page`` or ``one``."""
    drafted = row["draft_id"] is not None
    return {
        "id": row["id"],
        "sender_email": row["requester_email"],
        "sender_name": row["requester_name"],
        "subject": row["subject"],
        "received_at": _when(row["received_at"]),
        "status": row["status"],
        "category": row["category"],
        "urgency": row["urgency"],
        "language": row["language"],
        "summary": row["summary"],
        "fix_steps": _json(row["fix_steps"], []) if drafted else [],
        # ids until ``attach_citations`` gives them their titles
        "citations": [int(i) for i in _json(row["citations"], [])] if drafted else [],
        # the A/B prompt variant the draft was written with (null: the default prompt)
        "prompt_variant": row["prompt_variant"] if drafted else None,
        "draft_response": row["draft_body"],
        "draft_id": row["draft_id"],
        "draft_version": row["draft_version"],
        "approval_status": row["draft_status"],
        "approved_by": row["approved_by_email"],
        "approved_at": _when(row["approved_at"]),
        "sent_at": _when(row["sent_at"]),
        "confidence": row["confidence"],
        # ``confidence`` is calibrated (core.ai.calibration): the provider's own is raw
        "raw_confidence": row["raw_confidence"] if drafted else None,
        "confidence_calibrated": calibrated(row["confidence"], row["raw_confidence"]),
        "thread_id": row["thread_id"],
        "message_id": row["message_id"],
        "assigned_to": row["assigned_to_id"],
        "assigned_to_email": row["assigned_to_email"],
        "ai_processed": bool(row["ai_processed"]),
        "escalation_required": bool(row["escalation_required"]),
        "escalation_reason": row["escalation_reason"],
        "last_message_at": _when(row["last_message_at"]),
        "first_response_at": _when(row["first_response_at"]),
    }
