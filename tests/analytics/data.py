"""A fixed data set with answers worked out by hand (see the comments)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.models import Draft, Mailbox, Message, ResponseTemplate, TemplateUse, Ticket, User
from server.wiring import Desk

NOW = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)
S = timedelta(seconds=1)


async def seed(desk: Desk) -> dict[str, int]:
    """Mailbox A: T1..T6; mailbox B: T7. Users alice and bob.

    ticket  received   first resp  resolved  category        urgency  escalated
    T1      NOW-2d     +60s        +3600s    Billing         High
    T2      NOW-3d     +120s       +7200s    Technical       Medium
    T3      NOW-5d     +600s       -         Billing         Low      yes
    T4      NOW-10d    +300s       -         Login / Access  High
    T5      NOW-40d    +1000s      -         Billing         Low
    T6      NOW-1d     -           +0 noise  -               -
    T7 (B)  NOW-1d     +50s        -         Other           Low

    draft  ticket  created      status      by     decided  sent     edit
    D1     T1      rec+10s      sent        alice  +30s     +60s     same text
    D2     T2      rec+20s      sent        alice  +60s     +120s    0.5
    D3     T3      rec+100s     sent        bob    +200s    +600s    0.25, escalated
    D4     T3      rec+5s       superseded
    D8     T2      rec+1s       rejected    alice  +2s
    D6     T4      rec+10s      sent        bob    +100s    +300s
    D5     T7      rec+5s       rejected    bob    +10s
    """
    async with desk.sessions.begin() as s:
        a = Mailbox(name="A", address="a@desk.test", kind="maildir")
        b = Mailbox(name="B", address="b@desk.test", kind="maildir", slack_team_id="T_OTHER")
        alice = User(email="alice@team.test", name="Alice")
        bob = User(email="bob@team.test", name="Bob")
        s.add_all([a, b, alice, bob])
        await s.flush()

        def ticket(
            mailbox: Mailbox,
            ago: timedelta,
            frt: int | None,
            resolved: int | None,
            category: str | None,
            urgency: str | None,
            *,
            escalated: bool = False,
            ai: bool = True,
            assigned: User | None = None,
        ) -> Ticket:
            received = NOW - ago
            t = Ticket(
                mailbox_id=mailbox.id,
                requester_email="c@cust.test",
                subject="s",
                received_at=received,
                last_message_at=received,
                first_response_at=received + frt * S if frt is not None else None,
                resolved_at=received + resolved * S if resolved is not None else None,
                status="resolved" if resolved is not None else "answered" if frt else "open",
                category=category,
                urgency=urgency,
                escalation_required=escalated,
                ai_processed=ai,
                assigned_to_id=assigned.id if assigned else None,
                created_at=received,
            )
            s.add(t)
            return t

        t1 = ticket(a, 2 * DAY, 60, 3600, "Billing", "High", assigned=alice)
        t2 = ticket(a, 3 * DAY, 120, 7200, "Technical", "Medium", assigned=alice)
        t3 = ticket(a, 5 * DAY, 600, None, "Billing", "Low", escalated=True, assigned=bob)
        t4 = ticket(a, 10 * DAY, 300, None, "Login / Access", "High")
        t5 = ticket(a, 40 * DAY, 1000, None, "Billing", "Low")
        t6 = ticket(a, 1 * DAY, None, 0, None, None, ai=False)
        t7 = ticket(b, 1 * DAY, 50, None, "Other", "Low")
        await s.flush()

        messages = {}
        for t in (t1, t2, t3, t4, t5, t6, t7):
            m = Message(
                ticket_id=t.id,
                mailbox_id=t.mailbox_id,
                direction="in",
                message_id=f"<m{t.id}@cust.test>",
                date=t.received_at,
                received_at=t.received_at,
            )
            s.add(m)
            messages[t.id] = m
        await s.flush()

        def draft(
            t: Ticket,
            created: int,
            status: str,
            *,
            by: User | None = None,
            decided: int | None = None,
            sent: int | None = None,
            edit: float | None = None,
            escalated: bool = False,
        ) -> Draft:
            base = t.received_at
            approved = status in ("approved", "sending", "sent", "failed")
            d = Draft(
                ticket_id=t.id,
                in_reply_to_message_id=messages[t.id].id,
                status=status,
                ai_body="AI text",
                body="AI text" if edit is None else f"edited {edit}",
                edit_ratio=edit,
                escalation_required=escalated,
                created_at=base + created * S,
                approved_by_id=by.id if by and approved else None,
                approved_at=base + decided * S if approved and decided is not None else None,
                rejected_by_id=by.id if by and status == "rejected" else None,
                rejected_at=base + decided * S if status == "rejected" and decided else None,
                sent_at=base + sent * S if sent is not None else None,
            )
            s.add(d)
            return d

        draft(t1, 10, "sent", by=alice, decided=30, sent=60)
        draft(t2, 20, "sent", by=alice, decided=60, sent=120, edit=0.5)
        draft(t3, 100, "sent", by=bob, decided=200, sent=600, edit=0.25, escalated=True)
        draft(t3, 5, "superseded")
        draft(t2, 1, "rejected", by=alice, decided=2)
        draft(t4, 10, "sent", by=bob, decided=100, sent=300)
        draft(t7, 5, "rejected", by=bob, decided=10)

        refund = ResponseTemplate(name="refund", body="Hi {{ customer_name }}")
        hello = ResponseTemplate(name="hello", body="Hello")
        s.add_all([refund, hello])
        await s.flush()
        for t, ago in ((t1, DAY), (t2, 2 * DAY), (t5, 40 * DAY)):
            s.add(TemplateUse(template_id=refund.id, ticket_id=t.id, used_at=NOW - ago))
        s.add(TemplateUse(template_id=hello.id, ticket_id=t7.id, used_at=NOW - DAY))
        return {"a": a.id, "b": b.id, "alice": alice.id, "bob": bob.id, "refund": refund.id}
