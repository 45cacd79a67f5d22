"""The audit trail: append-only on both databases (the triggers refuse UPDATE and DELETE),
what ``record`` writes (actor id, request, target, changes, never a secret), every decision,
settings change, role change, token and send as an event, the reader's filters, and
migration 0006 up and down."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, inspect, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.access.members import Member, MemberService
from core.access.permissions import Principal, principal_by_email
from core.access.users import ensure_user
from core.audit import Actor, record, record_many
from core.control.scheduler import ENABLED_KEY
from core.errors import ValidationError
from core.reports.audit_log import AuditFilter, AuditLog, parse_when
from core.vocabulary import URGENCIES
from db.migrate import downgrade, upgrade
from db.models import AuditEvent, Ticket, User
from db.session import install_sqlite_pragmas, sync_url
from server.wiring import Desk
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.db import scratch_postgres

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
KEYS = {
    "id", "at", "actor", "actor_id", "surface", "action", "target", "ticket_id", "draft_id",
    "request_id", "client_addr", "changes", "data",
}  # fmt: skip


async def _events(desk: Desk, **where: Any) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    async with desk.sessions() as s:
        return list(await s.scalars(query))


def _snapshot(events: list[AuditEvent]) -> list[tuple[Any, ...]]:
    return [
        (e.id, e.at, e.actor, e.action, e.target, e.ticket_id, e.draft_id, e.changes, e.data)
        for e in events
    ]


# -- append-only ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'forged' WHERE id = :id",
        "UPDATE audit_events SET changes = '{}'",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ],
)
async def test_the_database_refuses_to_change_or_delete_an_event(
    desk: Desk, statement: str
) -> None:
    async with desk.sessions.begin() as s:
        record(s, Actor("ann@team.test", "cli", user_id=3), "draft.approved", ticket_id=9)
    [event] = await _events(desk)
    before = _snapshot([event])
    with pytest.raises(DBAPIError, match="append-only"):
        async with desk.engine.begin() as conn:
            await conn.execute(text(statement), {"id": event.id})
    assert _snapshot(await _events(desk)) == before


async def test_the_orm_cannot_change_or_delete_an_event_either(desk: Desk) -> None:
    async with desk.sessions.begin() as s:
        record(s, Actor.worker(), "ticket.created", ticket_id=1)
    [event] = await _events(desk)
    with pytest.raises(DBAPIError, match="append-only"):
        async with desk.sessions.begin() as s:
            await s.execute(update(AuditEvent).values(actor="someone else"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with desk.sessions.begin() as s:
            found = await s.get(AuditEvent, event.id)
            await s.delete(found)
    assert _snapshot(await _events(desk)) == _snapshot([event])


async def test_deleting_a_ticket_leaves_its_events_as_they_were(desk: Desk) -> None:
    """No foreign key: a ticket's deletion (its mailbox's, by cascade) updates no event."""
    mailbox = await smtp_mailbox(desk)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox)
    before = _snapshot(await _events(desk, ticket_id=ticket_id))
    assert {e[3] for e in before} >= {"ticket.created", "draft.created"}
    async with desk.sessions.begin() as s:
        await s.execute(delete(Ticket).where(Ticket.id == ticket_id))
    async with desk.sessions() as s:
        assert await s.get(Ticket, ticket_id) is None
    after = _snapshot(await _events(desk, ticket_id=ticket_id))
    assert after == before and all(e[6] in (None, draft_id) for e in after)


# -- what record writes -----------------------------------------------------------------------


async def test_record_names_who_from_where_on_what_and_hides_secrets(desk: Desk) -> None:
    who = Actor("ann@team.test", "api", user_id=7, request_id="r" * 300, client_addr="203.0.113.9")
    async with desk.sessions.begin() as s:
        record(
            s,
            who,
            "setting.changed",
            target="setting:mail",
            changes={
                "value": ["old", "new"],
                "smtp_password": ["old-pw-1", "new-pw-2"],
                "nested": {"api_key": "sk-live-3", "token_id": 4},
            },
            at=NOW,
            password="hunter2-4",
            password_changed=True,
            token="desk_abc_secret5",
            token_id=3,
            public_id="abc",
            secret=False,
            headers=[{"X-Api-Key": "k-6"}],
        )
        record(s, Actor.worker(), "draft.sent", ticket_id=12, draft_id=3, at=NOW)
        record(s, Actor.system(), "user.role", target="user:5", at=NOW)
    setting, sent, role = await _events(desk)
    assert (setting.actor, setting.actor_id, setting.source) == ("ann@team.test", 7, "api")
    assert setting.request_id == "r" * 100 and setting.client_addr == "203.0.113.9"
    assert setting.target == "setting:mail" and setting.at == NOW
    assert setting.changes == {
        "value": ["old", "new"],
        "smtp_password": ["***", "***"],
        "nested": {"api_key": "***", "token_id": 4},
    }
    assert setting.data == {
        "password": "***",
        "password_changed": True,
        "token": "***",
        "token_id": 3,
        "public_id": "abc",
        "secret": False,
        "headers": [{"X-Api-Key": "***"}],
    }
    stored = json.dumps([setting.changes, setting.data])
    for secret in ("old-pw-1", "new-pw-2", "sk-live-3", "hunter2-4", "secret5", "k-6"):
        assert secret not in stored
    # a ticket's event targets the ticket; the desk's own work is the worker's
    assert (sent.target, sent.ticket_id, sent.draft_id) == ("ticket:12", 12, 3)
    assert (sent.actor, sent.source, sent.actor_id, sent.changes) == ("worker", "worker", None, {})
    assert (role.actor, role.source, role.target, role.ticket_id) == (
        "system",
        "system",
        "user:5",
        None,
    )


async def test_record_many_targets_each_ticket(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    first, _ = await drafted_ticket(desk, mailbox, subject="one")
    second, _ = await drafted_ticket(desk, mailbox, subject="two")
    async with desk.sessions.begin() as s:
        await record_many(
            s,
            Actor("ops@team.test", "cli", user_id=2, request_id="q1"),
            "ticket.touched",
            ticket_ids=[second, first, second],
            api_key="sk-9",
            n=2,
        )
    events = await _events(desk, action="ticket.touched")
    assert [(e.ticket_id, e.target) for e in events] == [
        (first, f"ticket:{first}"),
        (second, f"ticket:{second}"),
    ]
    assert all(
        (e.actor_id, e.request_id, e.changes, e.data) == (2, "q1", {}, {"api_key": "***", "n": 2})
        for e in events
    )


# -- every decision, setting, role, token and send --------------------------------------------


async def _principal(desk: Desk, email: str, role: str) -> Principal:
    await ensure_user(desk.sessions, email, role=role)
    who = await principal_by_email(desk.sessions, email, "api")
    return dataclasses.replace(who, request_id=f"req-{email}", client_addr="198.51.100.4")


def _trail(events: list[AuditEvent]) -> list[tuple[Any, ...]]:
    return [(e.action, e.source, e.actor, e.target, e.changes) for e in events]


async def test_every_decision_and_the_send_are_events(desk: Desk, smtp_server) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    t1, d1 = await drafted_ticket(desk, mailbox, subject="one")
    t2, d2 = await drafted_ticket(desk, mailbox, subject="two")
    boss = await _principal(desk, "boss@team.test", "manager")
    ann = await _principal(desk, "ann@team.test", "agent")
    async with desk.sessions() as s:
        urgency = (await s.get(Ticket, t1)).urgency  # type: ignore[union-attr]
    new_urgency = next(u for u in URGENCIES if u != urgency)
    start = (await _events(desk))[-1].id

    await desk.decisions.assign(boss, ticket_id=t1, assignee_id=ann.user_id)  # type: ignore[arg-type]
    await desk.decisions.recategorise(ann, ticket_id=t1, urgency=new_urgency)
    await desk.decisions.edit(ann, ticket_id=t1, body="We are on it.")
    await desk.decisions.approve(ann, ticket_id=t1)
    await desk.decisions.reject(boss, ticket_id=t2, reason="duplicate")
    assert (await desk.sender.send_due()).sent == [d1]

    events = [e for e in await _events(desk) if e.id > start]
    assert _trail(events) == [
        ("ticket.assigned", "api", "boss@team.test", f"ticket:{t1}",
         {"assigned_to_id": [None, ann.user_id]}),
        ("ticket.classified", "api", "ann@team.test", f"ticket:{t1}",
         {"urgency": [urgency, new_urgency]}),
        ("draft.edited", "api", "ann@team.test", f"ticket:{t1}",
         {"version": [1, 2], "chars": [len((await draft_row(desk, d1)).ai_body), 13]}),
        ("draft.approved", "api", "ann@team.test", f"ticket:{t1}",
         {"status": ["pending", "approved"]}),
        ("draft.rejected", "api", "boss@team.test", f"ticket:{t2}",
         {"status": ["pending", "rejected"]}),
        ("draft.sent", "worker", "worker", f"ticket:{t1}", {"status": ["sending", "sent"]}),
    ]  # fmt: skip
    people = events[:-1]
    assert [e.actor_id for e in people] == [boss.user_id] + [ann.user_id] * 3 + [boss.user_id]
    assert all(e.client_addr == "198.51.100.4" for e in people)
    assert [e.request_id for e in people] == [f"req-{e.actor}" for e in people]
    assert [e.draft_id for e in events[2:]] == [d1, d1, d2, d1]
    sent = await draft_row(desk, d1)  # each event has its change's time, from one clock
    assert (events[3].at, events[5].at) == (sent.approved_at, sent.sent_at)
    assert events[4].at == (await draft_row(desk, d2)).rejected_at


async def test_a_failed_send_and_its_retry_are_events(desk: Desk, smtp_flaky_server) -> None:
    server = smtp_flaky_server(["550 5.1.1 no such user"])
    mailbox = await smtp_mailbox(desk, server.host, server.port)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox)
    ops = await _principal(desk, "ops@team.test", "manager")
    await desk.decisions.approve(ops, draft_id=draft_id)
    assert (await desk.sender.send_due()).failed == [draft_id]
    await desk.decisions.retry(ops, ticket_id=ticket_id)
    assert (await desk.sender.send_due(ignore_backoff=True)).sent == [draft_id]
    trail = [
        (e.action, e.source, e.changes)
        for e in await _events(desk, ticket_id=ticket_id)
        if e.action.startswith(("draft.send", "draft.retry", "draft.sent"))
    ]
    assert trail == [
        ("draft.send_failed", "worker", {"status": ["sending", "failed"]}),
        ("draft.retry", "api", {"status": ["failed", "approved"]}),
        ("draft.sent", "worker", {"status": ["sending", "sent"]}),
    ]


async def test_settings_changes_say_what_changed_and_never_a_secret(desk: Desk) -> None:
    await smtp_mailbox(desk)
    admin = (await _principal(desk, "root@team.test", "admin")).actor
    await desk.store.set("ai.provider", "openai", actor=admin)
    await desk.store.set("ai.provider", "offline", actor=admin)
    await desk.store.set("ai.openai_key", "sk-secret-111", secret=True, actor=admin)
    await desk.store.set("ai.openai_key", "sk-secret-222", secret=True, actor=admin)
    await desk.store.set("ai.api_key", "sk-plain-333", actor=admin)  # named as a secret
    await desk.scheduler.set_interval(admin, 300, mailbox="support")
    await desk.scheduler.stop(admin)
    events = await _events(desk)
    settings = [(e.target, e.changes) for e in events if e.action == "setting.changed"]
    assert settings == [
        ("setting:ai.provider", {"value": [None, "openai"]}),
        ("setting:ai.provider", {"value": ["openai", "offline"]}),
        ("setting:ai.openai_key", {"value": [None, "***"]}),
        ("setting:ai.openai_key", {"value": ["***", "***"]}),
        ("setting:ai.api_key", {"value": [None, "***"]}),
        (f"setting:{ENABLED_KEY}", {"value": [None, "false"]}),
    ]
    [interval] = [e for e in events if e.action == "scheduler.interval"]
    assert interval.target == "mailbox:support"
    assert interval.changes == {"fetch_interval_seconds": [120, 300]}
    assert {e.actor_id for e in events if e.source == "api"} == {admin.user_id}
    dump = json.dumps([[e.changes, e.data] for e in events])
    assert "sk-secret" not in dump and "sk-plain" not in dump


async def test_mailbox_changes_name_the_fields_and_hide_the_passwords(desk: Desk) -> None:
    await smtp_mailbox(desk)
    ops = Actor("ops@team.test", "cli", user_id=1)
    await desk.mailboxes.update(
        "support", changes={"smtp_port": 2525}, password="pw-new-444", actor=ops
    )
    [event] = await _events(desk, action="mailbox.changed")
    assert event.target == "mailbox:support"
    assert event.changes == {"smtp_port": [9, 2525], "password": ["***", "***"]}
    assert "pw-new-444" not in json.dumps([event.changes, event.data])


async def test_a_role_change_and_tokens_are_events(desk: Desk) -> None:
    admin_user = await ensure_user(desk.sessions, "root@team.test", role="admin")
    agent = await ensure_user(desk.sessions, "cat@team.test")
    async with desk.sessions.begin() as s:
        await s.execute(update(User).values(slack_team_id="T1"))
    admin = Member(admin_user.id, admin_user.email, "Root", "admin", "T1", "U_ROOT")
    await MemberService(desk.sessions).set_role(admin, agent.id, "manager")
    issued = await desk.tokens.create(agent.id, scopes="read", by=admin.actor)
    await desk.tokens.revoke(issued.info.id, by=admin.actor)
    role, created, revoked = [
        e
        for e in await _events(desk)
        if e.action in ("user.role", "token_created", "token_revoked")
    ]
    assert (role.target, role.changes, role.actor_id, role.source) == (
        f"user:{agent.id}",
        {"role": ["agent", "manager"]},
        admin_user.id,
        "slack",
    )
    public_id = issued.token.split("_")[1]
    assert created.target == revoked.target == f"token:{public_id}"
    assert revoked.changes["revoked_at"][0] is None
    assert issued.token not in json.dumps([[e.changes, e.data] for e in (created, revoked)])


# -- the reader -------------------------------------------------------------------------------


async def _seed(desk: Desk) -> dict[str, int]:
    """Six events an hour or so apart; returns the users' ids and the events' ids by name."""
    ann = await ensure_user(desk.sessions, "ann@team.test")
    ben = await ensure_user(desk.sessions, "ben@team.test")
    as_ann = Actor(ann.email, "api", user_id=ann.id, request_id="r-1", client_addr="192.0.2.1")
    as_ben = Actor(ben.email, "cli", user_id=ben.id)
    rows: list[tuple[str, Actor, str, dict[str, Any], datetime]] = [
        ("approved", as_ann, "draft.approved", {"ticket_id": 1, "draft_id": 11}, NOW - timedelta(hours=3)),
        ("rejected", as_ben, "draft.rejected", {"ticket_id": 2, "draft_id": 12}, NOW - timedelta(hours=2)),
        ("sent", Actor.worker(), "draft.sent", {"ticket_id": 1, "draft_id": 11}, NOW - timedelta(hours=1)),
        ("token", as_ann, "token_created", {"target": "token:abc"}, NOW - timedelta(minutes=30)),
        ("role", as_ben, "user.role", {"target": "user:5", "changes": {"role": ["agent", "manager"]}}, NOW),
        ("created", Actor.worker(), "ticket.created", {"ticket_id": 3}, NOW),
    ]  # fmt: skip
    async with desk.sessions.begin() as s:
        for _name, actor, action, fields, at in rows:
            record(s, actor, action, at=at, **fields)
    events = await _events(desk)
    return {"ann": ann.id, "ben": ben.id} | {r[0]: e.id for r, e in zip(rows, events, strict=True)}


async def test_the_log_reads_newest_first_as_json_ready_dicts(desk: Desk) -> None:
    ids = await _seed(desk)
    log = AuditLog(desk.sessions)
    items = await log.page(AuditFilter(), limit=50, offset=0)
    order = ["created", "role", "token", "sent", "rejected", "approved"]  # a tie: by id
    assert [i["id"] for i in items] == [ids[n] for n in order]
    assert await log.count(AuditFilter()) == 6
    assert all(set(i) == KEYS for i in items)
    json.dumps(items)  # JSON-ready as it is
    approved = items[-1]
    assert approved == {
        "id": ids["approved"],
        "at": (NOW - timedelta(hours=3)).isoformat(),
        "actor": "ann@team.test",
        "actor_id": ids["ann"],
        "surface": "api",
        "action": "draft.approved",
        "target": "ticket:1",
        "ticket_id": 1,
        "draft_id": 11,
        "request_id": "r-1",
        "client_addr": "192.0.2.1",
        "changes": {},
        "data": {},
    }
    assert items[1]["changes"] == {"role": ["agent", "manager"]}
    paged = await log.page(AuditFilter(), limit=2, offset=1)
    assert [i["id"] for i in paged] == [ids["role"], ids["token"]]
    assert await log.page(AuditFilter(), limit=5, offset=6) == []


async def test_the_filters(desk: Desk) -> None:
    ids = await _seed(desk)
    log = AuditLog(desk.sessions)

    async def names(**given: Any) -> list[str]:
        f = AuditFilter(**given)
        found = await log.page(f, limit=500)
        assert await log.count(f) == len(found)
        by_id = {v: k for k, v in ids.items() if k not in ("ann", "ben")}
        return [by_id[i["id"]] for i in found]

    assert await names(actor="ann@team.test") == ["token", "approved"]
    assert await names(actor=" Ann@Team.TEST ") == ["token", "approved"]
    assert await names(actor=str(ids["ben"])) == ["role", "rejected"]
    assert await names(actor="worker") == ["created", "sent"]
    assert await names(actor="nobody@team.test") == []
    assert await names(ticket=1) == ["sent", "approved"]
    assert await names(action="draft.sent") == ["sent"]
    assert await names(action="draft") == []  # exact unless it ends in . or *
    assert await names(action="draft.") == ["sent", "rejected", "approved"]
    assert await names(action="draft.*") == ["sent", "rejected", "approved"]
    assert await names(action="token*") == ["token"]
    assert await names(action="*") == ["created", "role", "token", "sent", "rejected", "approved"]
    since, until = NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    assert await names(since=since) == ["created", "role", "token", "sent", "rejected"]
    assert await names(until=until) == ["rejected", "approved"]  # until is exclusive
    assert await names(since=since, until=until) == ["rejected"]
    assert await names(since=since.replace(tzinfo=None), until=until) == ["rejected"]  # UTC
    assert await names(since=since.astimezone(_zone(5)), until=until) == ["rejected"]
    assert await names(actor="ann@team.test", action="draft.", ticket=1) == ["approved"]


def _zone(hours: int) -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    ("given", "paging", "message"),
    [
        ({}, {"limit": 0}, "limit: 0 is not 1 to 500"),
        ({}, {"limit": 501}, "limit: 501"),
        ({}, {"offset": -1}, "offset: -1"),
        ({"ticket": 0}, {}, "ticket: 0 is not an id"),
        ({"ticket": 2**40}, {}, "ticket: 1099511627776 is not an id"),
        ({"actor": "  "}, {}, "actor: empty"),
        ({"actor": "a\x00b"}, {}, "actor: holds a NUL"),
        ({"actor": "9" * 30}, {}, "actor: 9999"),
        ({"action": "draft.\ud800"}, {}, "action: holds a NUL or a lone surrogate"),
        ({"action": "x" * 400}, {}, "action: longer than 320"),
        ({"since": NOW, "until": NOW}, {}, "until must be later than since"),
    ],
)
async def test_bad_filters_are_refused_naming_the_field(
    desk: Desk, given: dict[str, Any], paging: dict[str, int], message: str
) -> None:
    await _seed(desk)
    log = AuditLog(desk.sessions)
    with pytest.raises(ValidationError, match=message.replace("\ud800", "")):
        await log.page(AuditFilter(**given), **paging)
    if not paging:
        with pytest.raises(ValidationError, match=message):
            await log.count(AuditFilter(**given))


def test_parse_when() -> None:
    assert parse_when("2026-12-01") == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_when("2026-12-01T09:30") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert parse_when("2026-12-01T09:30:00Z") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert parse_when("2026-12-01T11:30:00+02:00") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    for bad in (
        "yesterday",
        "2026-13-01",
        "2026-12-01T25:00",
        "",
        "1" * 200,
        "20261201",
        "0001-01-01T00:00+05:00",
    ):
        with pytest.raises(ValidationError, match="is not an ISO 8601 date or time") as err:
            parse_when(bad, field="until")
        assert str(err.value).startswith("until: ") and "\n" not in str(err.value)


# -- migration 0006 -----------------------------------------------------------------------------


def _fresh_database(tmp_path: Path) -> tuple[str, Callable[[], None]]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        return scratch_postgres(base, "desk_audit_migrate")
    return f"sqlite:///{tmp_path / 'migrate.db'}", lambda: None


def test_migration_0006_fills_the_trail_makes_it_append_only_and_goes_back(
    tmp_path: Path,
) -> None:
    url, drop = _fresh_database(tmp_path)
    engine = create_engine(sync_url(url))
    install_sqlite_pragmas(engine)
    old_event = (
        "INSERT INTO audit_events (at, actor, source, action, ticket_id, draft_id, data)"
        " VALUES (:at, :actor, :source, :action, :ticket_id, NULL, '{}')"
    )
    try:
        upgrade(url, "0005_api_tokens")
        with Session(engine) as s, s.begin():
            # the rows as the 0005 schema has them (the models have columns added since)
            mailbox_id = s.execute(
                text(
                    "INSERT INTO mailboxes (name, address, kind, imap_host, imap_port,"
                    " imap_user, imap_tls, imap_folder, smtp_host, smtp_port, smtp_user,"
                    " smtp_tls, fetch_interval_seconds, consecutive_failures, created_at)"
                    " VALUES ('m', 'm@x.test', 'imap', '', 993, '', 'ssl', 'INBOX', '', 587,"
                    " '', 'starttls', 120, 0, :at) RETURNING id"
                ),
                {"at": NOW.replace(tzinfo=None)},
            ).scalar_one()
            at = {"at": NOW.replace(tzinfo=None)}
            ticket = (
                "INSERT INTO tickets (mailbox_id, requester_email, requester_name, subject,"
                " status, thread_id, message_id, escalation_required, ai_processed,"
                " received_at, last_message_at, created_at, updated_at)"
                " VALUES (:m, :email, '', '', 'open', '', '', false, false, :at, :at, :at, :at)"
                " RETURNING id"
            )
            ids = {
                name: s.execute(text(ticket), {**at, "m": mailbox_id, "email": email}).scalar_one()
                for name, email in (("kept", "a@x.test"), ("gone", "b@x.test"))
            }
            ids["ann"] = s.execute(
                text(
                    "INSERT INTO users (email, name, role, is_active, created_at)"
                    " VALUES ('ann@team.test', 'Ann', 'agent', true, :at) RETURNING id"
                ),
                at,
            ).scalar_one()
        with engine.begin() as conn:
            for actor, ticket in (("ann@team.test", ids["kept"]), ("system", ids["gone"])):
                conn.execute(
                    text(old_event),
                    {"at": NOW.replace(tzinfo=None), "actor": actor, "source": "cli",
                     "action": "ticket.x", "ticket_id": ticket},
                )  # fmt: skip

        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT actor, actor_id, target, ticket_id FROM audit_events ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [
            ("ann@team.test", ids["ann"], f"ticket:{ids['kept']}", ids["kept"]),
            ("system", None, f"ticket:{ids['gone']}", ids["gone"]),
        ]
        assert inspect(engine).get_foreign_keys("audit_events") == []
        for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.begin() as conn:  # the ticket goes; its event stays as it was
            conn.execute(text("DELETE FROM tickets WHERE id = :id"), {"id": ids["gone"]})
            assert (
                conn.execute(
                    text("SELECT ticket_id FROM audit_events WHERE actor = 'system'")
                ).scalar_one()
                == ids["gone"]
            )

        downgrade(url, "0005_api_tokens")
        columns = {c["name"] for c in inspect(engine).get_columns("audit_events")}
        assert columns == {"id", "at", "actor", "source", "action", "ticket_id", "draft_id", "data"}
        keys = {
            tuple(k["constrained_columns"])
            for k in inspect(engine).get_foreign_keys("audit_events")
        }
        assert keys == {("ticket_id",), ("draft_id",)}
        with engine.begin() as conn:  # a gone ticket's id cleared, as SET NULL would have
            rows = conn.execute(text("SELECT actor, ticket_id FROM audit_events ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [("ann@team.test", ids["kept"]), ("system", None)]
            conn.execute(text("DELETE FROM audit_events WHERE actor = 'system'"))  # no trigger
        upgrade(url)
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))
    finally:
        engine.dispose()
        drop()


async def test_the_reader_only_reads(desk: Desk) -> None:
    from tests.core.test_reports_read_only import recording

    await _seed(desk)
    log = AuditLog(desk.sessions)
    with recording(desk.engine) as rec:
        for f in (AuditFilter(), AuditFilter(actor="worker", action="draft.", since=NOW)):
            await log.page(f, limit=3, offset=1)
            await log.count(f)
    assert len(rec.statements) == 4 and rec.writes() == [] and rec.commits == 0
