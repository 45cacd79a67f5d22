"""Edit, Reject and Change category: modals opened at once, checked, saved, reflected."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import select

from bot import ids
from bot.blocks.draft import URGENCY_ICON
from db.models import DraftEdit, DraftOutcome
from tests.core.flows import agent, draft_row, drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness


def _long_reply(n: int) -> str:
    """About ``n`` characters of words, a paragraph break every 40 words."""
    text, i = "", 0
    while len(text) < n:
        text += f"word{i}" + ("\n\n" if i % 40 == 39 else " ")
        i += 1
    return text.rstrip() + " end."


async def test_edit_a_5000_character_draft_then_save_and_approve(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    long_text = _long_reply(5000)
    assert len(long_text) >= 5000
    await slack.desk.drafts.edit(
        draft_id, await agent(slack.desk, "writer@desk.test"), body=long_text
    )
    (message,) = await slack.post(draft_id)

    await slack.driver.click(slack.admin, message, ids.EDIT)
    (opened,) = await slack.fake.wait_for("views.open")
    assert "Loading" in opened.text_of_blocks()
    (form,) = await slack.fake.wait_for("views.update")
    view = form.view
    inputs = [
        b for b in view["blocks"] if b["type"] == "input" and b["block_id"].startswith("body_")
    ]
    assert len(inputs) == 2
    parts = [b["element"]["initial_value"] for b in inputs]
    assert all(len(p) <= 3000 for p in parts)

    edited_tail = parts[1] + "\n\nKind regards, the desk"
    acked = await slack.driver.submit(
        slack.admin,
        {**view, "id": form.reply["view"]["id"]},
        {"body_1": edited_tail, "after": "save_approve"},
    )
    assert acked.status == 200 and acked.json()["response_action"] == "update"
    await slack.wait_update(draft_id, "Sent")

    draft = await draft_row(slack.desk, draft_id)
    assert draft.body == long_text + "\n\nKind regards, the desk"
    assert draft.version == 3 and draft.status == "sent"
    async with slack.desk.sessions() as s:
        edits = list(await s.scalars(select(DraftEdit).where(DraftEdit.draft_id == draft_id)))
    assert [e.body_after for e in edits][-1] == draft.body
    sent = message_from_bytes(smtp_server.messages[0].raw, policy=policy.default)
    assert "Kind regards, the desk" in sent.get_body(("plain",)).get_content()
    done = await slack.fake.wait_for("views.update", count=2)
    assert "Saved as version 3" in done[-1].text_of_blocks()


async def test_edit_with_an_emptied_reply_is_refused_in_the_modal(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    await slack.driver.click(slack.admin, message, ids.EDIT)
    (form,) = await slack.fake.wait_for("views.update")
    acked = await slack.driver.submit(slack.admin, {**form.view, "id": "V1"}, {"body_0": "   "})
    assert acked.json() == {
        "response_action": "errors",
        "errors": {"body_0": "The reply is empty."},
    }
    assert (await draft_row(slack.desk, draft_id)).version == 1


async def test_reject_needs_a_reason_and_keeps_it(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    await slack.driver.click(slack.admin, message, ids.REJECT)
    (opened,) = await slack.fake.wait_for("views.open")
    view = {**opened.view, "id": opened.reply["view"]["id"]}

    empty = await slack.driver.submit(slack.admin, view, {"reason": ""})
    assert empty.json()["response_action"] == "errors" and "reason" in empty.json()["errors"]
    ok = await slack.driver.submit(
        slack.admin, view, {"reason": "Wrong product: they use the cloud plan"}
    )
    assert ok.json()["response_action"] == "update"
    rejected = await slack.wait_update(draft_id, "Rejected by <@UADMIN001>")
    assert "cloud plan" in rejected.text_of_blocks()
    assert not [b for b in rejected.blocks if b["type"] == "actions"]
    draft = await draft_row(slack.desk, draft_id)
    assert (draft.status, draft.rejection_reason) == (
        "rejected",
        "Wrong product: they use the cloud plan",
    )
    async with slack.desk.sessions() as s:  # kept for learning, as the API and CLI keep it
        kept = (await s.execute(select(DraftOutcome.decision, DraftOutcome.rejection_reason))).all()
    assert kept == [("rejected", "Wrong product: they use the cloud plan")]

    await slack.driver.click(slack.admin, message, ids.APPROVE)  # the old buttons, clicked late
    (late,) = await slack.fake.wait_for("chat.postEphemeral")
    assert "Already rejected by <@UADMIN001>" in late.body["text"]
    assert smtp_server.messages == []


async def test_change_urgency_and_category_from_the_overflow(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    card = await slack.runtime.services.cards.get(draft_id)
    new_urgency = next(u for u in ("High", "Low") if u != card.urgency)

    await slack.driver.click(
        slack.admin,
        message,
        ids.MORE,
        option_value=ids.more_value("urgency", draft_id, new_urgency),
    )
    await slack.wait_update(draft_id, f"*Urgency*\n{URGENCY_ICON[new_urgency]} {new_urgency}")
    await slack.driver.click(
        slack.admin, message, ids.MORE, option_value=ids.more_value("category", draft_id)
    )
    (form,) = await slack.fake.wait_for("views.update")
    await slack.driver.submit(
        slack.admin, {**form.view, "id": form.reply["view"]["id"]}, {"category": "Feature Request"}
    )
    await slack.wait_update(draft_id, "Feature Request")
    view = await slack.desk.tickets.get(ticket_id)
    assert (view["category"], view["urgency"]) == ("Feature Request", new_urgency)
