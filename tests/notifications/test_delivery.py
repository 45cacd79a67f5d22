"""The notification service through the fake Slack and aiosmtpd: each user's channel,
quiet hours, grouping of bursts, one delivery per key, and mail that stays out of customer
conversations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.audit import Actor
from core.mail.compose import ticket_from_message_id
from core.workflow.notices import Notice
from core.workflow.preferences import PreferenceChange
from tests.core.flows import smtp_mailbox
from tests.notifications.conftest import Notify
from tests.support.fake_slack import Reply

ME = Actor("test", "test")


def assigned(user_id: int, ticket_id: int, *, batch: str = "a") -> Notice:
    return Notice(
        kind="assigned",
        user_id=user_id,
        key=f"assigned:{batch}:ticket:{ticket_id}:user:{user_id}",
        text=f"#{ticket_id} Question {ticket_id} was assigned to you",
        ticket_id=ticket_id,
    )


async def test_each_user_hears_by_the_channel_they_chose(notify: Notify) -> None:
    dm = await notify.person("dora", slack_id="UDORA0001")
    mail = await notify.person("emil", slack_id="UEMIL0001")
    off = await notify.person("nina", slack_id="UNINA0001")
    no_slack = await notify.person("otto")
    await notify.service.preferences.update(
        mail, PreferenceChange(channels={"assigned": "email"}), actor=ME
    )
    await notify.service.preferences.update(
        off, PreferenceChange(channels={"assigned": "none"}), actor=ME
    )

    report = await notify.service.deliver_report(
        [assigned(u, 7) for u in (dm, mail, off, no_slack)]
    )

    assert report.as_dict() == {
        "sent": 3,
        "failed": 0,
        "held": 0,
        "skipped": 1,
        "duplicate": 0,
        "messages": 3,
    }
    (opened,) = notify.fake.calls_to("conversations.open")
    assert opened.body["users"] == "UDORA0001"
    (message,) = notify.dms("UDORA0001")
    assert "#7 Question 7 was assigned to you" in message.body["text"]
    assert not notify.dms("UEMIL0001") and not notify.dms("UNINA0001")
    assert sorted(m.rcpt_tos[0] for m in notify.smtp.messages) == [
        "emil@desk.test",
        "otto@desk.test",
    ]
    by_user = {r.user_id: r for r in await notify.records()}
    assert (by_user[dm].channel, by_user[dm].result) == ("slack", "ok")
    assert (by_user[mail].channel, by_user[mail].result) == ("email", "ok")
    assert (by_user[off].result, by_user[off].reason) == ("skipped", "turned off by the user")
    assert by_user[no_slack].channel == "email"
    assert by_user[no_slack].reason == "no Slack account linked: sent by email"


async def test_a_notice_mail_is_auto_generated_and_never_threaded(notify: Notify) -> None:
    user = await notify.person("emil")
    await notify.service.send([assigned(user, 42)])

    (captured,) = notify.smtp.messages
    msg = captured.message()
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    for header in ("In-Reply-To", "References", "X-Desk-Ticket"):
        assert msg[header] is None, header
    assert "[#" not in msg["Subject"]
    assert msg["Subject"] == "Support desk: #42 Question 42 was assigned to you"
    assert msg["From"].addresses[0].addr_spec == "support@desk.test"
    assert ticket_from_message_id(msg["Message-ID"].strip("<>"), key=notify.desk.token_key) is None
    assert "#42 Question 42 was assigned to you" in msg.get_content()


async def test_a_burst_of_50_assignments_is_one_message(notify: Notify) -> None:
    user = await notify.person("dora", slack_id="UDORA0001")
    burst = [assigned(user, t) for t in range(1, 51)]

    report = await notify.service.deliver_report(burst)

    assert (report.sent, report.messages) == (50, 1)
    (message,) = notify.dms("UDORA0001")
    assert message.body["text"] == ":inbox_tray: 50 tickets were assigned to you"
    shown = message.text_of_blocks()
    assert "#1 Question 1" in shown and "#20 Question 20" in shown
    assert "#21 Question 21" not in shown and "and 30 more" in shown
    records = await notify.records(result="ok")
    assert len(records) == 50 and {r.channel for r in records} == {"slack"}


async def test_the_same_notices_twice_are_sent_once(notify: Notify) -> None:
    user = await notify.person("dora", slack_id="UDORA0001")
    burst = [assigned(user, t) for t in range(1, 51)]

    await notify.service.send(burst)
    again = await notify.service.deliver_report(burst + burst[:3])
    first_sweep = await notify.sweep.run()
    second_sweep = await notify.sweep.run()

    assert (again.sent, again.duplicate, again.messages) == (0, 53, 0)
    assert first_sweep.send.messages == second_sweep.send.messages == 0
    assert len(notify.dms("UDORA0001")) == 1
    assert len(await notify.records(kind="assigned")) == 50
    (digest,) = await notify.records(kind="digest")  # nothing to tell: recorded, not sent
    assert (digest.result, digest.reason) == ("skipped", "empty digest")


async def test_quiet_hours_hold_a_warning_but_not_a_breach(notify: Notify) -> None:
    user = await notify.person("dora", slack_id="UDORA0001", tz="Europe/Berlin")
    await notify.service.preferences.update(
        user, PreferenceChange(quiet_hours=("22:00", "07:00")), actor=ME
    )
    notify.clock.at(datetime(2026, 12, 3, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    warning = Notice(
        kind="sla_warning",
        user_id=user,
        key="sla_warning:ticket:5:first_response:75",
        text="#5 first response due in 1 h",
        ticket_id=5,
    )
    breach = Notice(
        kind="sla_breach",
        user_id=user,
        key="sla_breach:ticket:6:first_response",
        text="#6 breached its first response target",
        ticket_id=6,
        urgent=True,
    )

    report = await notify.service.deliver_report([warning, breach])

    assert (report.sent, report.held) == (1, 1)
    (message,) = notify.dms("UDORA0001")
    assert "#6 breached" in message.body["text"]
    (held,) = await notify.records(result="held")
    assert held.key == warning.key
    assert held.reason == "quiet hours until 2026-12-04T06:00:00+00:00"
    # the zone came from Slack's users.info
    assert (await notify.service.preferences.get(user)).tz == "Europe/Berlin"

    notify.clock.at(datetime(2026, 12, 4, 5, 59, tzinfo=UTC))  # 06:59 in Berlin: still quiet
    assert (await notify.sweep.run()).send.sent == 0
    assert len(notify.dms("UDORA0001")) == 1

    notify.clock.at(datetime(2026, 12, 4, 6, 0, tzinfo=UTC))  # 07:00 in Berlin
    assert (await notify.sweep.run()).send.sent == 1
    assert "#5 first response due" in notify.dms("UDORA0001")[-1].body["text"]
    assert (await notify.records(key=warning.key))[0].result == "ok"
    assert (await notify.sweep.run()).send.sent == 0
    assert len(notify.dms("UDORA0001")) == 2


async def test_a_dm_slack_refuses_is_recorded_and_tried_again(notify: Notify) -> None:
    user = await notify.person("dora", slack_id="UDORA0001")
    notify.fake.script("conversations.open", Reply(body={"ok": False, "error": "user_disabled"}))

    report = await notify.service.deliver_report([assigned(user, 3)])

    assert (report.sent, report.failed) == (0, 1)
    (record,) = await notify.records(kind="assigned")
    assert record.result == "failed" and "user_disabled" in (record.reason or "")
    assert (await notify.sweep.run()).send.sent == 0  # not before the retry delay
    notify.clock.advance(minutes=5)
    assert (await notify.sweep.run()).send.sent == 1
    (record,) = await notify.records(kind="assigned")
    assert (record.result, record.attempts) == ("ok", 2)
    assert record.reason == "delivered on a retry"
    assert len(notify.dms("UDORA0001")) == 1


async def test_a_claim_never_delivered_is_closed_not_sent_twice(notify: Notify) -> None:
    """A crash between the claim and the delivery: the row stays ``sending``; after
    STALE_AFTER the sweep records it as failed and does not deliver it."""
    from sqlalchemy import update

    from db.models import NotificationSent

    user = await notify.person("dora", slack_id="UDORA0001")
    await notify.service.send([assigned(user, 3)])
    async with notify.desk.sessions.begin() as s:  # as if the process died after the claim
        await s.execute(update(NotificationSent).values(result="sending", done_at=None))
    notify.clock.advance(minutes=11)
    await notify.sweep.run()
    (record,) = await notify.records(kind="assigned")
    assert record.result == "failed" and "interrupted" in (record.reason or "")
    notify.clock.advance(hours=1)
    await notify.sweep.run()
    assert len(notify.dms("UDORA0001")) == 1


async def test_email_preference_without_a_mailbox_is_recorded_failed(notify: Notify) -> None:
    user = await notify.person("emil")
    await notify.desk.mailboxes.remove("support", actor=ME)
    report = await notify.service.deliver_report([assigned(user, 9)])
    assert report.failed == 1
    (record,) = await notify.records(kind="assigned")
    assert record.result == "failed"
    assert "no mailbox to send notifications from" in (record.reason or "")


async def test_notice_mail_comes_from_the_first_active_mailbox(notify: Notify) -> None:
    user = await notify.person("emil")
    await smtp_mailbox(notify.desk, notify.smtp.host, notify.smtp.port, name="new")
    await notify.desk.mailboxes.update("new", changes={"address": "new@desk.test"}, actor=ME)
    await notify.desk.mailboxes.set_active("support", False, actor=ME)
    await notify.service.send([assigned(user, 42)])
    (captured,) = notify.smtp.messages
    assert captured.message()["From"].addresses[0].addr_spec == "new@desk.test"


async def test_two_workers_sending_the_same_burst_at_once_send_it_once(notify: Notify) -> None:
    import asyncio

    from core.workflow.alerts import NotificationService

    user = await notify.person("dora", slack_id="UDORA0001")
    other = NotificationService(
        notify.desk.sessions,
        port=notify.service.port,
        mailer=notify.service.mailer,
        clock=notify.clock,
    )
    burst = [assigned(user, t) for t in range(1, 21)]

    one, two = await asyncio.gather(
        notify.service.deliver_report(burst), other.deliver_report(burst)
    )

    assert one.sent + two.sent == 20 and one.duplicate + two.duplicate == 20
    assert len(await notify.records(kind="assigned", result="ok")) == 20
    assert len(await notify.records()) == 20
    assert 1 <= len(notify.dms("UDORA0001")) <= 2  # each sent only what it claimed
    sent = [line for c in notify.dms("UDORA0001") for line in c.text_of_blocks().split("\n")]
    assert sum("was assigned to you" in line for line in sent) == 20


async def test_mail_the_server_defers_is_recorded_and_tried_again(
    notify: Notify, smtp_flaky_server: Any
) -> None:
    from sqlalchemy import update

    from db.models import Mailbox

    flaky = smtp_flaky_server(["451 4.3.0 try later"])
    async with notify.desk.sessions.begin() as s:
        await s.execute(update(Mailbox).values(smtp_port=flaky.port))
    user = await notify.person("emil")
    await notify.only(user, "assigned")

    report = await notify.service.deliver_report([assigned(user, 8)])

    assert report.failed == 1 and not flaky.messages
    (record,) = await notify.records(kind="assigned")
    assert record.result == "failed" and "try later" in (record.reason or "")
    notify.clock.advance(minutes=5)
    assert (await notify.sweep.run()).send.sent == 1
    (mail,) = flaky.messages
    assert mail.rcpt_tos == ["emil@desk.test"]
