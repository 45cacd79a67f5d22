"""The notification sweep on fixed clocks: the daily digest (contents, skipped when empty,
not on a day off, once a day), High-urgency tickets, customer replies on your ticket and
drafts waiting for you."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from core.audit import Actor
from core.mail.transport import FetchedMail
from core.workflow.preferences import PreferenceChange
from db.models import Draft, Message, Ticket
from tests.core.flows import drafted_ticket
from tests.notifications.conftest import Notify
from tests.support.mail import make_mail

ME = Actor("test", "test")
# Thursday 3 December 2026; 08:00 UTC is 09:00 in Berlin
NINE_BERLIN = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


async def ticket_for(
    notify: Notify, assignee: int | None, *, at: datetime, **mail: object
) -> tuple[int, int]:
    mailbox = await notify.desk.mailboxes.get("support")
    ticket_id, draft_id = await drafted_ticket(notify.desk, mailbox, **mail)
    async with notify.desk.sessions.begin() as s:
        await s.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(assigned_to_id=assignee, received_at=at, urgency="Low")
        )
        await s.execute(
            update(Message).where(Message.ticket_id == ticket_id).values(received_at=at)
        )
        await s.execute(update(Draft).where(Draft.id == draft_id).values(created_at=at))
    return ticket_id, draft_id


async def test_the_digest_comes_at_nine_local_on_business_days_only(notify: Notify) -> None:
    dora = await notify.person("dora", slack_id="UDORA0001", tz="Europe/Berlin")
    idle = await notify.person("ivan", slack_id="UIVAN0001", tz="Europe/Berlin")
    await notify.only(dora, "digest")
    early = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    await ticket_for(notify, dora, at=early - timedelta(hours=3), subject="Invoice wrong")
    await ticket_for(notify, dora, at=early - timedelta(hours=3), subject="Cannot log in")

    notify.clock.at(NINE_BERLIN - timedelta(minutes=1))  # 08:59 in Berlin
    assert (await notify.sweep.run()).found["digest"] == 0
    assert not notify.dms("UDORA0001")

    notify.clock.at(NINE_BERLIN)
    report = await notify.sweep.run()
    assert report.found["digest"] == 1 and report.empty_digests == 1
    (digest,) = notify.dms("UDORA0001")
    assert digest.body["text"] == ":newspaper: Your support desk digest for 2026-12-03"
    shown = digest.text_of_blocks()
    assert "Open tickets: 2" in shown
    assert "Drafts waiting for your approval: 2" in shown
    assert "At risk of an SLA breach: 0" in shown and "Breached an SLA target: 0" in shown
    assert not notify.dms("UIVAN0001")  # nothing to tell: no message
    (skipped,) = await notify.records(user_id=idle, kind="digest")
    assert (skipped.result, skipped.reason) == ("skipped", "empty digest")
    (sent,) = await notify.records(user_id=dora, kind="digest")
    assert sent.result == "ok" and sent.data["open"] == 2

    notify.clock.advance(hours=3)  # later the same day: once a day
    await notify.sweep.run()
    assert len(notify.dms("UDORA0001")) == 1

    notify.clock.at(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))  # Saturday 10:00 in Berlin
    assert (await notify.sweep.run()).found["digest"] == 0
    notify.clock.at(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # Monday 09:00
    await notify.sweep.run()
    assert len(notify.dms("UDORA0001")) == 2


async def test_the_digest_follows_each_users_zone_and_days(notify: Notify) -> None:
    ny = await notify.person("nora", slack_id="UNORA0001", tz="America/New_York")
    await notify.only(ny, "digest")
    await notify.service.preferences.update(
        ny, PreferenceChange(business_days=["sat", "sun"]), actor=ME
    )
    await ticket_for(notify, ny, at=datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    notify.clock.at(datetime(2026, 12, 5, 13, 59, tzinfo=UTC))  # Saturday 08:59 in New York
    await notify.sweep.run()
    assert not notify.dms("UNORA0001")
    notify.clock.at(datetime(2026, 12, 5, 14, 0, tzinfo=UTC))  # 09:00 in New York
    await notify.sweep.run()
    assert len(notify.dms("UNORA0001")) == 1
    await notify.service.preferences.update(
        ny, PreferenceChange(channels={"digest": "none"}), actor=ME
    )
    notify.clock.at(datetime(2026, 12, 6, 14, 0, tzinfo=UTC))  # Sunday, digest turned off
    assert (await notify.sweep.run()).found["digest"] == 0
    assert not await notify.records(user_id=ny, key=f"digest:user:{ny}:2026-12-06")


async def test_a_high_urgency_ticket_goes_to_its_assignee_else_the_managers(notify: Notify) -> None:
    notify.clock.at(datetime(2026, 12, 3, 6, 0, tzinfo=UTC))  # before anyone's digest
    agent = await notify.person("dora", slack_id="UDORA0001")
    boss = await notify.person("mona", slack_id="UMONA0001", role="manager")
    boss2 = await notify.person("max", slack_id="UMAXX0001", role="manager")
    now = notify.clock()
    mine, _ = await ticket_for(notify, agent, at=now - timedelta(minutes=5), subject="Server down")
    nobody, _ = await ticket_for(notify, None, at=now - timedelta(minutes=5), subject="Data lost")
    old, _ = await ticket_for(notify, None, at=now - timedelta(hours=5), subject="Old news")
    async with notify.desk.sessions.begin() as s:
        await s.execute(
            update(Ticket).where(Ticket.id.in_([mine, nobody, old])).values(urgency="High")
        )

    report = await notify.sweep.run()

    assert report.found["high_urgency"] == 3  # the assignee, and both managers for the other
    (to_agent,) = notify.dms("UDORA0001")
    assert f"#{mine} High urgency: Server down" in to_agent.body["text"]
    for manager in ("UMONA0001", "UMAXX0001"):
        (m,) = notify.dms(manager)
        assert f"#{nobody} High urgency: Data lost" in m.body["text"]
    assert "Old news" not in str([c.body for c in notify.fake.calls_to("chat.postMessage")])
    assert {r.user_id for r in await notify.records(kind="high_urgency")} == {agent, boss, boss2}
    await notify.sweep.run()
    assert len(notify.fake.calls_to("chat.postMessage")) == 3


async def test_a_customer_reply_on_your_ticket_tells_you_once(notify: Notify) -> None:
    notify.clock.at(datetime(2026, 12, 3, 6, 0, tzinfo=UTC))
    agent = await notify.person("dora", slack_id="UDORA0001")
    await notify.only(agent, "customer_replied")
    now = notify.clock()
    ticket_id, _ = await ticket_for(
        notify,
        agent,
        at=now - timedelta(minutes=30),
        message_id="first@example.com",
        subject="Refund",
    )
    assert (await notify.sweep.run()).found["customer_replied"] == 0  # the first mail is no reply
    mailbox = await notify.desk.mailboxes.get("support")
    item = notify.desk.ingestor.parse_one(
        FetchedMail(
            uid=9001,
            raw=make_mail(subject="Re: Refund", in_reply_to="first@example.com", body="Any news?"),
        )
    )
    await notify.desk.ingestor.ingest_batch(mailbox, None, [item])
    async with notify.desk.sessions.begin() as s:
        reply = await s.scalar(
            select(Message)
            .where(Message.ticket_id == ticket_id)
            .order_by(Message.id.desc())
            .limit(1)
        )
        assert reply is not None and reply.message_id != "first@example.com"
        reply.received_at = now - timedelta(minutes=1)

    await notify.sweep.run()
    await notify.sweep.run()

    (dm,) = notify.dms("UDORA0001")
    assert f"#{ticket_id} alice@example.com replied: Refund" in dm.body["text"]
    (record,) = await notify.records(kind="customer_replied")
    assert record.key == f"customer_replied:message:{reply.id}"


async def test_no_reply_notice_when_the_desk_already_answered(notify: Notify) -> None:
    notify.clock.at(datetime(2026, 12, 3, 6, 0, tzinfo=UTC))
    agent = await notify.person("dora", slack_id="UDORA0001")
    now = notify.clock()
    ticket_id, _ = await ticket_for(notify, agent, at=now - timedelta(minutes=30))
    async with notify.desk.sessions.begin() as s:
        first = await s.scalar(select(Message).where(Message.ticket_id == ticket_id))
        assert first is not None
        s.add(
            Message(
                ticket_id=ticket_id,
                mailbox_id=first.mailbox_id,
                direction="in",
                kind="customer",
                message_id="second@example.com",
                from_email="a@example.com",
                received_at=now - timedelta(minutes=10),
            )
        )
        s.add(
            Message(
                ticket_id=ticket_id,
                mailbox_id=first.mailbox_id,
                direction="out",
                kind="reply",
                message_id="answer@desk.test",
                from_email="support@desk.test",
                received_at=now - timedelta(minutes=5),
            )
        )
    assert (await notify.sweep.run()).found["customer_replied"] == 0


async def test_a_draft_waiting_longer_than_your_minutes(notify: Notify) -> None:
    notify.clock.at(datetime(2026, 12, 3, 6, 0, tzinfo=UTC))
    agent = await notify.person("dora", slack_id="UDORA0001")
    await notify.service.preferences.update(
        agent, PreferenceChange(draft_waiting_minutes=45), actor=ME
    )
    created = notify.clock() - timedelta(minutes=44)
    ticket_id, draft_id = await ticket_for(notify, agent, at=created, subject="Where is my order")

    assert (await notify.sweep.run()).found["draft_waiting"] == 0
    notify.clock.advance(minutes=1)
    await notify.sweep.run()
    notify.clock.advance(minutes=10)
    await notify.sweep.run()

    (dm,) = notify.dms("UDORA0001")
    assert f"#{ticket_id} a draft has waited 45 min for your approval" in dm.body["text"]
    (record,) = await notify.records(kind="draft_waiting")
    assert record.key == f"draft_waiting:draft:{draft_id}"
