"""/desk settings lists the workspace's mailboxes and marks the inactive ones (not fetched);
the form edits an active mailbox before an inactive one."""

from __future__ import annotations

from typing import Any

from bot.blocks.settings import mailbox_list_text
from core.audit import Actor
from core.control.mailbox_form import MailboxLine
from core.inbound.mailboxes import MailboxSpec
from tests.support.slack_driver import SlackHarness

ME = Actor(name="ann@team.test", source="cli")


def _spec(name: str, host: str) -> MailboxSpec:
    return MailboxSpec(
        name=name,
        address=f"{name}@desk.test",
        imap_host=host,
        imap_user=name,
        smtp_host="smtp.desk.test",
        password="pw",
    )


async def _settings_view(slack: SlackHarness) -> dict[str, Any]:
    before = len(slack.fake.calls_to("views.open"))
    await slack.driver.command(slack.admin, "settings")
    opened = (await slack.fake.wait_for("views.open", count=before + 1))[-1]
    view_id = opened.reply["view"]["id"]
    (filled,) = await slack.fake.wait_for(
        "views.update",
        where=lambda c: (
            c.body.get("view_id") == view_id and c.view.get("callback_id") == "desk_settings"
        ),
    )
    return filled.view


async def test_the_modal_lists_mailboxes_and_marks_the_inactive(slack: SlackHarness) -> None:
    await slack.desk.mailboxes.add(_spec("old", "imap.old.test"))
    await slack.desk.mailboxes.add(_spec("new", "imap.new.test"))
    await slack.desk.mailboxes.set_active("old", False, actor=ME)

    view = await _settings_view(slack)
    [listing] = [b for b in view["blocks"][:3] if b["type"] == "context"]
    text = listing["elements"][0]["text"]
    old, new = text.splitlines()
    assert "*old*" in old and "old@desk.test" in old and "inactive: not fetched" in old
    assert "*new*" in new and "new@desk.test" in new and "inactive" not in new
    # the form shows the active mailbox, not the older inactive one
    host = next(b for b in view["blocks"] if b.get("block_id") == "imap_host")
    assert host["element"]["initial_value"] == "imap.new.test"


def test_a_long_list_is_cut_and_counted() -> None:
    boxes = [MailboxLine(f"box{i}", f"box{i}@desk.test", "imap", i % 2 == 0) for i in range(200)]
    text = mailbox_list_text(boxes)
    assert len(text) <= 2900
    lines = text.splitlines()
    assert lines[-1] == f"… and {200 - (len(lines) - 1)} more: `desk mailbox list`"
    assert "_inactive: not fetched_" in lines[1] and "inactive" not in lines[0]
    assert mailbox_list_text(boxes[:3]).count("\n") == 2  # all of a short list
