"""``/desk templates``: the list and the template modal (errors under the input), and
"Use template" in the Edit draft modal."""

from __future__ import annotations

from bot import ids
from bot.blocks import templates as tb
from core.audit import Actor
from core.replies.templates import TemplateSpec
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness, find_action


async def test_create_a_template_from_slack(slack: SlackHarness) -> None:
    await slack.driver.command(slack.admin, "templates")
    (listing,) = await slack.fake.wait_for("response_url")
    assert "Response templates" in listing.text_of_blocks()
    new = listing.blocks[0]["accessory"]
    assert new["action_id"] == tb.NEW_TEMPLATE

    await slack.driver.action(slack.admin, new)
    (modal,) = await slack.fake.wait_for(
        "views.update", where=lambda c: c.view.get("callback_id") == tb.TEMPLATE_VIEW
    )
    typed = {tb.NAME_BLOCK: "Refund", tb.BODY_BLOCK: "Hi {{ nonsense }}, refunded."}
    acked = await slack.driver.submit(slack.admin, modal.reply["view"], typed)
    assert acked.json()["response_action"] == "errors"
    assert "unknown variable {{ nonsense }}" in acked.json()["errors"][tb.BODY_BLOCK]
    assert await slack.desk.templates.list() == []

    typed[tb.BODY_BLOCK] = "Hi {{ customer_name }}, refunded."
    acked = await slack.driver.submit(slack.admin, modal.reply["view"], typed)
    assert acked.status == 200 and not acked.response.content
    (saved,) = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == slack.admin.id
    )
    assert "Template *Refund* saved" in saved.body["text"]
    (template,) = await slack.desk.templates.list()
    assert template.name == "Refund" and template.category is None


async def test_use_template_fills_the_edit_modal(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(slack.desk, mailbox, subject="Where is my refund")
    (message,) = await slack.post(draft_id)
    template = await slack.desk.templates.create(
        TemplateSpec(name="Refund", body="Dear {{ customer_name }}, ticket {{ ticket_id }}."),
        Actor(name="test", source="test"),
    )

    await slack.driver.click(slack.admin, message, ids.EDIT)
    (edit,) = await slack.fake.wait_for(
        "views.update", where=lambda c: c.view.get("callback_id") == ids.EDIT_VIEW
    )
    picker, block_id = find_action(edit.view["blocks"], tb.USE_TEMPLATE_ACTION)
    await slack.driver.action(
        slack.admin,
        picker,
        block_id=block_id,
        view=edit.reply["view"],
        option_value=str(template.id),
    )
    filled = await slack.fake.wait_for(
        "views.update", count=2, where=lambda c: c.view.get("callback_id") == ids.EDIT_VIEW
    )
    body = next(b for b in filled[1].view["blocks"] if b.get("block_id", "").startswith("body_0"))
    assert body["block_id"] != "body_0"  # a new block id: Slack shows the new text
    assert body["element"]["initial_value"].endswith(f"ticket {ticket_id}.")
    assert (await slack.desk.templates.get(template.id)).uses == 1

    acked = await slack.driver.submit(slack.admin, filled[1].reply["view"])
    assert acked.status == 200
    await slack.wait_update(draft_id, f"ticket {ticket_id}.")


async def test_edit_and_preview_from_the_list(slack: SlackHarness) -> None:
    template = await slack.desk.templates.create(
        TemplateSpec(name="Hello", body="Hello {{ customer_name }}", category="Billing"),
        Actor(name="test", source="test"),
    )
    await slack.driver.command(slack.admin, "templates")
    (listing,) = await slack.fake.wait_for("response_url")
    menu = next(b["accessory"] for b in listing.blocks if "Hello" in str(b.get("text")))

    await slack.driver.action(slack.admin, menu, option_value=f"preview:{template.id}")
    (preview,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "Template *Hello*" in c.text_of_blocks()
    )
    assert "Hello " in preview.text_of_blocks()

    await slack.driver.action(slack.admin, menu, option_value=f"edit:{template.id}")
    (modal,) = await slack.fake.wait_for(
        "views.update", where=lambda c: c.view.get("callback_id") == tb.TEMPLATE_VIEW
    )
    assert modal.view["private_metadata"] == str(template.id)
    await slack.driver.submit(slack.admin, modal.reply["view"], {tb.NAME_BLOCK: "Hello there"})
    await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: "Hello there* saved" in c.body["text"]
    )
    saved = await slack.desk.templates.get(template.id)
    assert saved.name == "Hello there" and saved.category == "Billing"

    amy = slack.user("UAMY00001", "amy")
    await slack.driver.command(amy, "templates")
    calls = await slack.fake.wait_for("response_url", count=2)
    assert "accessory" not in str(calls[1].blocks)  # agents list, they do not edit
