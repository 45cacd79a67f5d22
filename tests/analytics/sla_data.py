"""SLA clocks with answers worked out by hand, for ``core.reports.sla_compliance``.

NOW is the analytics data set's (Monday 2025-03-31 12:00 UTC). Targets: first response 60
min (3600 s), next response 120 min, resolution 480 min (28800 s). ``used``: the clock's
``elapsed_seconds`` (business seconds).

ticket  mailbox  category   urgency  assignee  started
T1      A        Billing    High     alice     NOW-2d
T2      A        Billing    Low      bob       NOW-3d
T3      A        Technical  High     -         NOW-5d
T4      A        -          -        alice     NOW-1d
T5      A        Billing    Low      bob       NOW-40d (its next response cycle: NOW-3d)
T6      B        Other      Low      -         NOW-1d

clock                 state                                        counts as   used
T1 first_response     stopped (reply)                              met          600
T2 first_response     stopped (reply)                              met         1800
T3 first_response     stopped (reply), breached_at set             breached    5400
T4 first_response     running, due NOW-1h, not swept yet           breached       -
T5 first_response     stopped (reply), NOW-40d                     met          100
T6 first_response     stopped (reply)                              met           50
T1 resolution         stopped (resolved)                           met         7200
T2 resolution         paused, 3600 of 28800 used                   paused         -
T3 resolution         paused, 30000 of 28800 used                  breached       -
T4 resolution         running, due NOW+1d                          open           -
T1 next_response.1    stopped (reply)                              met          300
T2 next_response.1    running, breached_at set (the sweep told)    breached       -
T4 next_response.1    stopped by a policy without the metric       (left out)   100
T5 next_response.1    stopped (reply), started NOW-3d              met          900
"""

from __future__ import annotations

from datetime import timedelta

from db.models import Mailbox, SlaClock, Ticket, User
from server.wiring import Desk
from tests.analytics.data import DAY, NOW

H = timedelta(hours=1)
TARGETS = {"first_response": 60, "next_response": 120, "resolution": 480}


async def seed_sla(desk: Desk) -> dict[str, int]:
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
            category: str | None,
            urgency: str | None,
            assigned: User | None,
        ) -> Ticket:
            t = Ticket(
                mailbox_id=mailbox.id,
                requester_email="c@cust.test",
                subject="s",
                received_at=NOW - ago,
                last_message_at=NOW - ago,
                status="open",
                category=category,
                urgency=urgency,
                assigned_to_id=assigned.id if assigned else None,
                created_at=NOW - ago,
            )
            s.add(t)
            return t

        t1 = ticket(a, 2 * DAY, "Billing", "High", alice)
        t2 = ticket(a, 3 * DAY, "Billing", "Low", bob)
        t3 = ticket(a, 5 * DAY, "Technical", "High", None)
        t4 = ticket(a, 1 * DAY, None, None, alice)
        t5 = ticket(a, 40 * DAY, "Billing", "Low", bob)
        t6 = ticket(b, 1 * DAY, "Other", "Low", None)
        await s.flush()

        def clock(
            t: Ticket,
            metric: str,
            *,
            used: int,
            cycle: int = 0,
            started: timedelta | None = None,
            due: timedelta = DAY,  # from NOW
            stopped: str | None = None,
            paused: bool = False,
            breached: bool = False,
        ) -> None:
            start = NOW - started if started is not None else t.received_at
            s.add(
                SlaClock(
                    ticket_id=t.id,
                    metric=metric,
                    cycle=cycle,
                    policy_id=None,
                    target_minutes=TARGETS[metric],
                    started_at=start,
                    resumed_at=start,
                    elapsed_seconds=used,
                    due_at=NOW + due,
                    next_alert_at=None,
                    paused_at=NOW - H if paused else None,
                    stopped_at=NOW - H if stopped else None,
                    stop_reason=stopped,
                    breached_at=NOW - 2 * H if breached else None,
                    warned=[100] if breached else [],
                )
            )

        clock(t1, "first_response", used=600, stopped="reply")
        clock(t2, "first_response", used=1800, stopped="reply")
        clock(t3, "first_response", used=5400, stopped="reply", breached=True)
        clock(t4, "first_response", used=0, due=-H)
        clock(t5, "first_response", used=100, stopped="reply")
        clock(t6, "first_response", used=50, stopped="reply")
        clock(t1, "resolution", used=7200, stopped="resolved")
        clock(t2, "resolution", used=3600, paused=True, due=-H)  # a paused clock's due is stale
        clock(t3, "resolution", used=30000, paused=True)
        clock(t4, "resolution", used=0)
        clock(t1, "next_response", cycle=1, used=300, stopped="reply", started=DAY)
        clock(t2, "next_response", cycle=1, used=7300, breached=True, started=2 * DAY)
        clock(t4, "next_response", cycle=1, used=100, stopped="policy", started=H * 20)
        clock(t5, "next_response", cycle=1, used=900, stopped="reply", started=3 * DAY)
        return {"a": a.id, "b": b.id, "alice": alice.id, "bob": bob.id}
