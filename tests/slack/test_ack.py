"""Every handler acknowledges before its slow work: proved by the order of events.

The fake Slack answers no call at all until every handler has been driven: a handler that
called Slack (and so waited for an answer) before its ack could not acknowledge. Each one
acknowledges while every Slack call is still unanswered; once Slack answers, the work it
owes arrives. How fast the acks are is measured in bench/slack_ack.py, not here.
"""

from __future__ import annotations

import time

from bot import ids
from bot.blocks import knowledge as kb_blocks
from bot.blocks.knowledge import article_view
from bot.blocks.modals import classify_view, edit_view, reject_view
from bot.blocks.settings import SettingsSnapshot, settings_view
from bot.blocks.sla import calendar_view
from bot.ids import ModalContext
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness


async def test_every_handler_acks_before_slow_work(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    drafts = [(await drafted_ticket(slack.desk, mailbox, subject=f"case {i}"))[1] for i in range(5)]
    messages = await slack.post(*drafts)
    amy = slack.user("UAMY00001", "amy")
    await slack.member(amy, "manager")
    cards = [await slack.runtime.services.cards.get(d) for d in drafts]
    snapshot = SettingsSnapshot(mailbox=None, stored={}, triage_channel=slack.channel)
    start = time.monotonic()  # calls from here on are answered only after release()
    slack.fake.hold()

    d = slack.driver
    acks = {
        "approve": await d.click(slack.admin, messages[0], ids.APPROVE),
        "edit": await d.click(slack.admin, messages[1], ids.EDIT),
        "reject": await d.click(slack.admin, messages[1], ids.REJECT),
        "assign": await d.click(slack.admin, messages[2], ids.ASSIGN, selected_user=amy.id),
        "urgency": await d.click(
            slack.admin,
            messages[2],
            ids.MORE,
            option_value=ids.more_value(
                "urgency", drafts[2], "High" if cards[2].urgency != "High" else "Low"
            ),
        ),
        "category": await d.click(
            slack.admin, messages[2], ids.MORE, option_value=ids.more_value("category", drafts[2])
        ),
        "/desk help": await d.command(slack.admin, "help"),
        "/desk search": await d.command(slack.admin, "search case status:pending"),
        "/desk stats": await d.command(slack.admin, "stats 30d"),
        "/desk settings": await d.command(slack.admin, "settings"),
        "/desk fetch": await d.command(slack.admin, "fetch"),
        "/desk bogus": await d.command(slack.admin, "bogus"),
        "/desk bulk": await d.command(slack.admin, "bulk approve status:pending"),
        "/desk templates": await d.command(slack.admin, "templates"),
        "/desk kb": await d.command(slack.admin, "kb refund"),
        "/desk kb new": await d.command(slack.admin, "kb new"),
        "bulk button": await d.action(
            slack.admin,
            {"action_id": "bulk_approve", "type": "button", "value": "approve"},
            view={"id": "VHOME", "type": "home", "blocks": [], "state": {"values": {}}},
        ),
        "new template": await d.action(
            slack.admin, {"action_id": "template_new", "type": "button", "value": "new"}
        ),
        "search page": await d.action(
            slack.admin,
            {"action_id": f"{ids.SEARCH_PAGE}_10", "type": "button", "value": '{"q":"","o":10}'},
        ),
        "home filter": await d.action(
            slack.admin,
            {"action_id": f"{ids.HOME_FILTER}_high", "type": "button", "value": "high"},
            channel=None,
        ),
        "home opened": await d.event(slack.admin, {"type": "app_home_opened", "tab": "home"}),
        "settings test": await d.action(
            slack.admin,
            {"action_id": f"{ids.SETTINGS_TEST}_imap", "type": "button", "value": "imap"},
            view=d.with_state(
                {**settings_view(snapshot), "id": "VSETTINGS"},
                {
                    "mb_address": "s@desk.test",
                    "imap_host": "127.0.0.1",
                    "imap_port": "1",
                    "imap_user": "x",
                    "imap_password": "y",
                    "smtp_host": "127.0.0.1",
                    "imap_tls": "none",
                },
            ),
        ),
        "edit submit": await d.submit(
            slack.admin,
            {
                **edit_view(
                    cards[3], ModalContext(drafts[3], 1, slack.channel, messages[3].reply["ts"])
                ),
                "id": "VEDIT",
            },
            {"body_0": "A shorter reply."},
        ),
        "reject submit": await d.submit(
            slack.admin,
            {
                **reject_view(ModalContext(drafts[4], 1, slack.channel, messages[4].reply["ts"])),
                "id": "VREJECT",
            },
            {"reason": "not our product"},
        ),
        "category submit": await d.submit(
            slack.admin,
            {**classify_view(cards[2], ModalContext(drafts[2], 1)), "id": "VCAT"},
            {"category": "Technical"},
        ),
        "settings submit": await d.submit(
            slack.admin, {**settings_view(snapshot), "id": "VSET2"}, {"company_name": "Acme"}
        ),
        "kb submit": await d.submit(
            slack.admin,
            {**article_view(), "id": "VKB"},
            {kb_blocks.TITLE_BLOCK: "Refunds", kb_blocks.BODY_BLOCK: "Within 5 days."},
        ),
        "sla add calendar": await d.action(
            slack.admin,
            {"action_id": ids.SLA_CALENDAR_NEW, "type": "button", "value": "calendar"},
            view={**settings_view(snapshot), "id": "VSET3"},
        ),
        "sla calendar submit": await d.submit(
            slack.admin,
            {**calendar_view(ids.SlaFormContext(root="VSET3")), "id": "VCAL"},
            {"cal_name": "utc", "cal_tz": "UTC", "cal_hours": "mon-fri 09:00-17:00"},
        ),
    }
    failed = {name: a.status for name, a in acks.items() if a.status != 200}
    assert not failed, f"failed: {failed}"
    f = slack.fake
    held = await f.wait_for_any(since=start)  # the owed work reaches Slack, held there
    assert held, "the handlers owe Slack calls"  # so the hold was in their way
    answered = [c.method for c in held if c.done_at]
    assert not answered, f"Slack answered before every handler acked: {answered}"
    f.release()

    # the work owed arrives, after the acks (nothing was answered before release())
    await slack.wait_update(drafts[0], "Sent", timeout=20)
    assert len(smtp_server.messages) == 1
    await f.wait_for("views.open", count=5, timeout=20)  # edit, reject, category, settings, kb
    await f.wait_for(
        "response_url", count=7, timeout=20
    )  # help, search, stats, fetch x2, bogus, kb
    await f.wait_for(
        "response_url",
        where=lambda c: "page" not in c.body and c.body.get("replace_original"),
        timeout=20,
    )
    await f.wait_for(  # /desk kb refund, /desk kb new
        "response_url", where=lambda c: "*Knowledge base*" in c.text_of_blocks(), timeout=20
    )
    await f.wait_for(
        "views.update", where=lambda c: c.view.get("callback_id") == ids.KB_VIEW, timeout=20
    )
    await f.wait_for("views.publish", count=2, timeout=20)  # home filter, home opened
    await f.wait_for("files.completeUploadExternal", timeout=20)  # the stats chart
    await f.wait_for(
        "views.update",
        where=lambda c: c.body.get("view_id") == "VSETTINGS" and ":x: *IMAP*" in c.text_of_blocks(),
        timeout=20,
    )
    await f.wait_for("views.push", timeout=20)  # the calendar form
    for view_id in ("VEDIT", "VREJECT", "VCAT", "VSET2", "VCAL", "VKB"):
        await f.wait_for(
            "views.update",
            where=lambda c, v=view_id: (
                c.body.get("view_id") == v
                and "Saving" not in c.text_of_blocks()
                and "Rejecting" not in c.text_of_blocks()
            ),
            timeout=20,
        )
    await slack.wait_update(drafts[2], "Owner: <@UAMY00001>", timeout=20)
    await slack.wait_update(drafts[4], "Rejected by", timeout=20)
    late = [c for c in f.calls if c.at >= start and c.done_at and c.method != "upload"]
    assert late and min(c.done_at for c in late) >= f.released_at  # the hold was real
    await slack.settle(timeout=30)
