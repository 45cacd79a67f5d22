"""People from Slack: the Users section of /desk settings (roles, deactivate, reactivate,
through the directory's rules), and a deactivated user's clicks and commands refused with a
clear message, nothing they clicked done.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from bot import ids
from bot.blocks.people import parse_change, users_blocks
from core.access.directory import UserInfo
from core.errors import InvalidToken, ValidationError
from db.models import AuditEvent, User
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.blockkit import problems
from tests.support.slack_driver import SlackHarness, SlackUser

REFUSED = "your desk account is deactivated: ask an admin"


async def _open_settings(slack: SlackHarness, user: SlackUser | None = None) -> dict[str, Any]:
    before = len(slack.fake.calls_to("views.open"))
    await slack.driver.command(user or slack.admin, "settings")
    opened = (await slack.fake.wait_for("views.open", count=before + 1))[-1]
    view_id = opened.reply["view"]["id"]
    filled = await slack.fake.wait_for(
        "views.update",
        where=lambda c: (
            c.body.get("view_id") == view_id and c.view.get("callback_id") == "desk_settings"
        ),
    )
    return {**filled[-1].view, "id": view_id}


def _menu(view: dict[str, Any], user_id: int) -> tuple[dict[str, Any], list[str]]:
    """The user's menu in the Users section and the labels it offers."""
    block = next(b for b in view["blocks"] if b.get("block_id") == f"user:{user_id}")
    menu = block["accessory"]
    return menu, [o["text"]["text"] for o in menu["options"]]


async def _choose(
    slack: SlackHarness, who: SlackUser, view: dict[str, Any], user_id: int, label: str
) -> str:
    """Pick ``label`` in a user's menu; the Users section's notice afterwards."""
    menu, _labels = _menu(view, user_id)
    value = next(o["value"] for o in menu["options"] if o["text"]["text"] == label)
    before = len(slack.fake.calls_to("views.update"))
    await slack.driver.action(who, menu, block_id=f"user:{user_id}", view=view, option_value=value)
    updated = (await slack.fake.wait_for("views.update", count=before + 1))[-1]
    notice = next(
        (b for b in updated.view.get("blocks", []) if b.get("block_id") == "users_notice"), None
    )
    return notice["text"]["text"] if notice else updated.text_of_blocks()


async def _user(slack: SlackHarness, user_id: int) -> User:
    async with slack.desk.sessions() as s:
        row = await s.get(User, user_id)
    assert row is not None
    return row


async def test_the_users_section_lists_roles_and_changes_a_role(slack: SlackHarness) -> None:
    amy, ben = slack.user("UAMY00001", "amy"), slack.user("UBEN00001", "ben")
    amy_m = await slack.member(amy, "agent")
    ben_m = await slack.member(ben, "manager")
    await _deactivate(slack, ben_m.user_id)
    view = await _open_settings(slack)
    assert problems(view["blocks"], "modal") == []
    shown = json.dumps(view)
    assert "amy@desk.test" in shown and "ben@desk.test" in shown
    assert _menu(view, amy_m.user_id)[1] == ["Make admin", "Make manager", "Deactivate"]
    assert _menu(view, ben_m.user_id)[1] == ["Make admin", "Make agent", "Reactivate"]
    ben_line = next(b for b in view["blocks"] if b.get("block_id") == f"user:{ben_m.user_id}")
    assert "*manager*" in ben_line["text"]["text"] and "deactivated" in ben_line["text"]["text"]

    notice = await _choose(slack, slack.admin, view, amy_m.user_id, "Make manager")
    assert notice == ":white_check_mark: amy is now manager."
    assert (await _user(slack, amy_m.user_id)).role == "manager"
    async with slack.desk.sessions() as s:
        event = await s.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "user.role")
            .order_by(AuditEvent.id.desc())
        )
    assert event is not None and (event.actor, event.source) == ("admin@desk.test", "slack")
    assert event.data["before"]["role"] == "agent" and event.data["after"]["role"] == "manager"


async def test_the_last_admin_is_neither_demoted_nor_deactivated(slack: SlackHarness) -> None:
    view = await _open_settings(slack)
    me = await slack.runtime.services.members.find(slack.admin.team_id, slack.admin.id)
    for label in ("Make agent", "Deactivate"):
        notice = await _choose(slack, slack.admin, view, me.user_id, label)
        assert notice.startswith(":warning: Not changed: admin@desk.test is the last active admin")
    row = await _user(slack, me.user_id)
    assert (row.role, row.is_active) == ("admin", True)

    cy = slack.user("UCY000001", "cy")
    cy_m = await slack.member(cy, "agent")
    view = await _open_settings(slack)
    made = await _choose(slack, slack.admin, view, cy_m.user_id, "Make admin")
    assert made == ":white_check_mark: cy is now admin."
    notice = await _choose(slack, slack.admin, view, me.user_id, "Make manager")
    assert notice == ":white_check_mark: ada is now manager."  # cy is an admin now


async def test_a_user_deactivated_in_settings_is_refused_at_once_and_can_come_back(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    ivy = slack.user("UIVY00001", "ivy")
    ivy_m = await slack.member(ivy, "manager")
    token = (await slack.desk.tokens.create(ivy_m.user_id, by=ivy_m.actor)).token

    view = await _open_settings(slack)
    notice = await _choose(slack, slack.admin, view, ivy_m.user_id, "Deactivate")
    assert "ivy is deactivated" in notice
    await slack.driver.click(ivy, message, ids.APPROVE)
    (told,) = await slack.fake.wait_for("chat.postEphemeral")
    assert told.body["user"] == ivy.id and REFUSED in told.body["text"]
    with pytest.raises(InvalidToken):
        await slack.desk.tokens.authenticate(token)
    assert (await draft_row(slack.desk, draft_id)).status == "pending"

    view = await _open_settings(slack)
    assert _menu(view, ivy_m.user_id)[1][-1] == "Reactivate"
    notice = await _choose(slack, slack.admin, view, ivy_m.user_id, "Reactivate")
    assert notice == ":white_check_mark: ivy is active again, as manager."
    assert (await slack.desk.tokens.authenticate(token)).role == "manager"
    await slack.driver.click(ivy, message, ids.APPROVE)
    await slack.wait_update(draft_id, "Sent")
    assert len(smtp_server.messages) == 1


async def test_only_admins_manage_users_and_only_their_workspaces(slack: SlackHarness) -> None:
    mo, far = slack.user("UMO000001", "mo"), slack.user("UFAR00001", "far", team_id="T0OTHER01")
    mo_m = await slack.member(mo, "manager")
    far_m = await slack.member(far, "agent")
    view = await _open_settings(slack)
    menu, _ = _menu(view, mo_m.user_id)

    # a manager replaying an admin's menu gets a refusal, and nothing changes
    await slack.driver.action(
        mo,
        menu,
        block_id=f"user:{mo_m.user_id}",
        view=view,
        option_value=menu["options"][0]["value"],
    )
    (refused,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "needs the role admin" in c.text_of_blocks()
    )
    assert "managing users needs the role admin; you are manager" in refused.text_of_blocks()
    assert (await _user(slack, mo_m.user_id)).role == "manager"

    # a forged value naming a user of another workspace is not found
    forged = {
        **menu,
        "options": [
            {"text": {"type": "plain_text", "text": "x"}, "value": f"deactivate::{far_m.user_id}"}
        ],
    }
    await slack.driver.action(
        slack.admin,
        forged,
        block_id="user:x",
        view=view,
        option_value=f"deactivate::{far_m.user_id}",
    )
    (lost,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "not in this workspace" in c.text_of_blocks()
    )
    assert f"Not changed: user {far_m.user_id} is not in this workspace" in lost.text_of_blocks()
    assert (await _user(slack, far_m.user_id)).is_active
    assert f"user:{far_m.user_id}" not in {b.get("block_id") for b in lost.view["blocks"]}


def _info(i: int, **kw: Any) -> UserInfo:
    base: dict[str, Any] = {
        "id": i,
        "email": f"u{i}@desk.test",
        "name": f"U {i}",
        "role": "agent",
        "is_active": True,
        "slack_team_id": "T1",
        "slack_user_id": f"U{i:08d}",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    return UserInfo(**(base | kw))


def test_the_users_section_stays_within_its_room_and_menus_parse_back() -> None:
    blocks = users_blocks([_info(i) for i in range(1, 201)], room=60, notice="done")
    assert len(blocks) == 60 and problems(blocks, "modal") == []
    assert "144 more users" in json.dumps(blocks[-1])
    (line,) = users_blocks([_info(5, role="admin", is_active=False)], room=10)[2:]
    values = [o["value"] for o in line["accessory"]["options"]]
    assert values == ["role:manager:5", "role:agent:5", "reactivate::5"]
    assert [parse_change(v).kind for v in values] == ["role", "role", "reactivate"]
    assert parse_change("role:manager:5").role == "manager"
    for bad in ("role::5", "role:owner:5", "deactivate:admin:5", "drop::5", "role:agent:x", ""):
        with pytest.raises(ValidationError, match="not a user change"):
            parse_change(bad)


async def _deactivate(slack: SlackHarness, user_id: int) -> None:
    async with slack.desk.sessions.begin() as s:
        await s.execute(update(User).where(User.id == user_id).values(is_active=False))


async def test_a_deactivated_users_clicks_and_commands_are_refused(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    gus = slack.user("UGUS00001", "gus")
    gus_m = await slack.member(gus, "manager")
    await _deactivate(slack, gus_m.user_id)

    await slack.driver.click(gus, message, ids.APPROVE)
    await slack.driver.click(gus, message, ids.ASSIGN, selected_user=gus.id)
    told = await slack.fake.wait_for("chat.postEphemeral", count=2)
    assert [(c.body["user"], REFUSED in c.body["text"]) for c in told] == [(gus.id, True)] * 2

    await slack.driver.click(gus, message, ids.EDIT)
    (edit,) = await slack.fake.wait_for("views.update")
    assert REFUSED in edit.text_of_blocks()
    await slack.driver.click(gus, message, ids.REJECT)
    (reject,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "Reject draft" in str(c.view.get("title"))
    )
    assert REFUSED in reject.text_of_blocks()

    await slack.driver.command(gus, "search refund")
    (answer,) = await slack.fake.wait_for("response_url")
    assert REFUSED in answer.body["text"]
    await slack.driver.command(gus, "settings")  # the modal it opened says so, not "Loading"
    await slack.fake.wait_for(
        "views.update",
        where=lambda c: (
            "Desk settings" in str(c.view.get("title")) and REFUSED in c.text_of_blocks()
        ),
    )

    await slack.driver.event(gus, {"type": "app_home_opened", "tab": "home"})
    await slack.settle()
    assert slack.fake.calls_to("views.publish") == []  # their queue is not shown either
    draft = await draft_row(slack.desk, draft_id)
    assert (draft.status, draft.approved_by_id) == ("pending", None)
    async with slack.desk.sessions() as s:
        row = await s.get(User, gus_m.user_id)
        assert row is not None and not row.is_active  # a new link does not revive them
    assert smtp_server.messages == []


async def test_nobody_can_assign_a_ticket_to_a_deactivated_user(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    hal = slack.user("UHAL00001", "hal")
    hal_m = await slack.member(hal, "agent")
    await _deactivate(slack, hal_m.user_id)

    await slack.driver.click(slack.admin, message, ids.ASSIGN, selected_user=hal.id)
    (told,) = await slack.fake.wait_for("chat.postEphemeral")
    assert told.body["user"] == slack.admin.id
    assert "the desk account of hal@desk.test is deactivated" in told.body["text"]
    assert (await draft_row(slack.desk, draft_id)).status == "pending"


async def test_any_listener_tells_a_deactivated_user_why(slack: SlackHarness) -> None:
    """A listener that lets the refusal through (App Home's filter buttons here) is
    answered by the gate: a DM, as there is no channel to answer in."""
    kim = slack.user("UKIM00001", "kim")
    kim_m = await slack.member(kim, "agent")
    await _deactivate(slack, kim_m.user_id)
    button = {"action_id": f"{ids.HOME_FILTER}_pending", "type": "button", "value": "pending"}
    await slack.driver.action(kim, button, block_id="filters", view={"id": "VHOME0001"})
    (dm,) = await slack.fake.wait_for("chat.postMessage", where=lambda c: REFUSED in c.body["text"])
    assert dm.body["channel"] == kim.id
    assert slack.fake.calls_to("views.publish") == []
