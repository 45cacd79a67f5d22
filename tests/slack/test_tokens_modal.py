"""/desk token: a token is created for the person who asks, shown once in the modal and
nowhere else (no message, no log line), works with the token service, and is revoked from
the same modal. The form offers only the scopes the role allows; the service refuses more.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot import ids
from bot.blocks.tokens import token_shown_view, token_view
from bot.forms import token_input
from bot.redaction import redact
from core.access.tokens import IssuedToken, TokenInfo
from core.errors import InvalidToken
from db.models import AuditEvent, User
from tests.support.blockkit import view_problems
from tests.support.fake_slack import Call
from tests.support.slack_driver import SlackHarness, SlackUser, find_action, state_for

TOKEN = re.compile(r"desk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}")


async def _open(slack: SlackHarness, user: SlackUser) -> dict[str, Any]:
    """``/desk token`` as ``user``: the filled-in modal (with its id)."""
    before = len(slack.fake.calls_to("views.open"))
    await slack.driver.command(user, "token")
    opened = (await slack.fake.wait_for("views.open", count=before + 1))[-1]
    view_id = opened.reply["view"]["id"]
    filled = await slack.fake.wait_for(
        "views.update",
        where=lambda c: (
            c.body.get("view_id") == view_id and c.view.get("callback_id") == "desk_token"
        ),
    )
    return {**filled[-1].view, "id": view_id}


async def _shown(slack: SlackHarness, view_id: str) -> Call:
    (shown,) = await slack.fake.wait_for(
        "views.update",
        where=lambda c: c.body.get("view_id") == view_id and "Copy it now" in c.text_of_blocks(),
    )
    return shown


def _options(view: dict[str, Any], block_id: str) -> list[str]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return [o["value"] for o in block["element"]["options"]]


async def test_the_token_is_shown_once_in_the_modal_and_never_in_a_message_or_a_log(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # Slack's SDK and Bolt log bodies at DEBUG
    ann = slack.user("UANN00001", "ann")
    await slack.member(ann, "agent")
    view = await _open(slack, ann)
    assert _options(view, "token_scopes") == ["read", "write"]  # no admin for an agent
    assert "token_kind" not in {b.get("block_id") for b in view["blocks"]}  # admins only
    assert "No live tokens" in json.dumps(view)

    acked = await slack.driver.submit(
        ann,
        view,
        {"token_name": "nightly report", "token_scopes": ["read", "write"], "token_expiry": "30d"},
    )
    assert acked.json()["response_action"] == "update"
    assert not TOKEN.search(acked.response.text)  # the ack shows "Creating…", not the token
    shown = await _shown(slack, view["id"])
    assert view_problems(shown.view) == []
    (token,) = TOKEN.findall(shown.text_of_blocks())
    assert "it will not be shown again" in shown.text_of_blocks()

    who = await slack.desk.tokens.authenticate(token)
    assert (who.name, who.role, who.scopes) == ("ann@desk.test", "agent", {"read", "write"})
    (info,) = await slack.desk.tokens.list(who.user_id)
    assert (info.name, info.kind, info.expires_at - info.created_at) == (
        "nightly report",
        "personal",
        timedelta(days=30),
    )

    await slack.settle()
    holding = [c for c in slack.fake.calls if token in json.dumps(c.body)]
    assert holding == [shown]  # once, in the modal; never in chat.postMessage or elsewhere
    assert slack.fake.calls_to("chat.postMessage", lambda c: token in json.dumps(c.body)) == []
    secret = token.split("_", 2)[2]
    assert token not in caplog.text and secret not in caplog.text
    # the SDK did log the body, with the secret blanked: the check above could fail
    assert f"desk_{info.public_id}_[redacted]" in caplog.text

    again = await _open(slack, ann)  # the list names it, never shows it again
    assert token not in json.dumps(again) and f"desk_{info.public_id}_" in json.dumps(again)
    assert "nightly report" in json.dumps(again)


async def test_revoke_from_the_modal_stops_the_token_and_is_audited(slack: SlackHarness) -> None:
    ben = slack.user("UBEN00001", "ben")
    cat = slack.user("UCAT00001", "cat")
    ben_m = await slack.member(ben, "manager")
    cat_m = await slack.member(cat, "agent")
    mine = await slack.desk.tokens.create(ben_m.user_id, name="ci", by=ben_m.actor)
    theirs = await slack.desk.tokens.create(cat_m.user_id, name="cats", by=cat_m.actor)

    view = await _open(slack, ben)
    button, block_id = find_action(
        [b | {"elements": [b["accessory"]]} for b in view["blocks"] if "accessory" in b],
        ids.TOKEN_REVOKE,
    )
    assert button["value"] == str(mine.info.id) and "confirm" in button
    await slack.driver.action(ben, button, block_id=block_id, view=view)
    done = await slack.fake.wait_for(
        "views.update", where=lambda c: "Revoked ci" in c.text_of_blocks()
    )
    assert f"token:{mine.info.id}" not in {b.get("block_id") for b in done[-1].view["blocks"]}
    assert "1 revoked or expired token not shown" in done[-1].text_of_blocks()
    with pytest.raises(InvalidToken, match="revoked"):
        await slack.desk.tokens.authenticate(mine.token)

    # a forged Revoke naming another person's token is refused as unknown; it still works
    forged = {**button, "value": str(theirs.info.id)}
    await slack.driver.action(ben, forged, block_id=f"token:{theirs.info.id}", view=view)
    refused = await slack.fake.wait_for(
        "views.update", where=lambda c: "Not revoked" in c.text_of_blocks()
    )
    assert f"token {theirs.info.id} not found" in refused[-1].text_of_blocks()
    assert (await slack.desk.tokens.authenticate(theirs.token)).user_id == cat_m.user_id

    async with slack.desk.sessions() as s:
        events = list(
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "token_revoked"))
        )
    assert [(e.actor, e.source, e.data["token_id"]) for e in events] == [
        ("ben@desk.test", "slack", mine.info.id)
    ]


async def test_an_agent_cannot_create_an_admin_scoped_token(slack: SlackHarness) -> None:
    dan = slack.user("UDAN00001", "dan")
    dan_m = await slack.member(dan, "agent")
    view = await _open(slack, dan)
    # the form does not offer admin; a forged submission that ticks it anyway is refused
    await slack.driver.submit(dan, view, {"token_scopes": ["read", "admin"]})
    refused = await slack.fake.wait_for(
        "views.update", where=lambda c: "No token created" in c.text_of_blocks()
    )
    text = refused[-1].text_of_blocks()
    assert "the scope admin needs the role admin" in text and "dan@desk.test is agent" in text
    assert refused[-1].view["callback_id"] == "desk_token"  # back to the form
    assert await slack.desk.tokens.list(dan_m.user_id) == []
    assert not TOKEN.search(json.dumps([c.body for c in slack.fake.calls]))


async def test_bad_input_is_answered_in_the_form_and_nothing_is_created(
    slack: SlackHarness,
) -> None:
    eve = slack.user("UEVE00001", "eve")
    eve_m = await slack.member(eve, "manager")
    view = await _open(slack, eve)
    acked = await slack.driver.submit(
        eve, view, {"token_scopes": [], "token_expiry_text": "2y", "token_name": "x" * 201}
    )
    assert acked.json()["response_action"] == "errors"
    errors = acked.json()["errors"]
    assert set(errors) == {"token_scopes", "token_expiry_text", "token_name"}
    assert "at least one scope" in errors["token_scopes"]
    assert "30m, 12h or 90d" in errors["token_expiry_text"]
    too_long = await slack.driver.submit(eve, view, {"token_expiry_text": "400d"})
    assert "365 days" in too_long.json()["errors"]["token_expiry_text"]
    assert await slack.desk.tokens.list(eve_m.user_id) == []


async def test_an_admin_creates_a_service_token_with_its_own_name(slack: SlackHarness) -> None:
    view = await _open(slack, slack.admin)
    assert _options(view, "token_scopes") == ["read", "write", "admin"]
    assert _options(view, "token_kind") == ["personal", "service"]
    unnamed = await slack.driver.submit(slack.admin, view, {"token_kind": "service"})
    assert unnamed.json()["errors"] == {"token_name": "a service token needs its own name"}

    await slack.driver.submit(
        slack.admin,
        view,
        {
            "token_kind": "service",
            "token_name": "zapier",
            "token_scopes": ["read", "admin"],
            "token_expiry_text": "12h",
        },
    )
    shown = await _shown(slack, view["id"])
    (token,) = TOKEN.findall(shown.text_of_blocks())
    who = await slack.desk.tokens.authenticate(token)
    assert who.role == "admin" and who.scopes == {"read", "admin"}
    (info,) = await slack.desk.tokens.list(who.user_id)
    assert (info.kind, info.name, info.expires_at - info.created_at) == (
        "service",
        "zapier",
        timedelta(hours=12),
    )


async def test_a_deactivated_user_gets_no_token_modal(slack: SlackHarness) -> None:
    fay = slack.user("UFAY00001", "fay")
    fay_m = await slack.member(fay, "agent")
    async with slack.desk.sessions.begin() as s:
        await s.execute(update(User).where(User.id == fay_m.user_id).values(is_active=False))
    await slack.driver.command(fay, "token")
    (opened,) = await slack.fake.wait_for("views.open")
    refused = await slack.fake.wait_for(
        "views.update", where=lambda c: c.body.get("view_id") == opened.reply["view"]["id"]
    )
    assert "your desk account is deactivated: ask an admin" in refused[-1].text_of_blocks()


# -- the pure parts ------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _info(token_id: int, **kw: Any) -> TokenInfo:
    base: dict[str, Any] = {
        "id": token_id,
        "public_id": f"{token_id:016d}",
        "name": f"t{token_id}",
        "kind": "personal",
        "user_id": 1,
        "user_email": "a@b.test",
        "scopes": ("read",),
        "created_at": NOW - timedelta(days=1),
        "expires_at": NOW + timedelta(days=1),
        "last_used_at": None,
        "revoked_at": None,
    }
    return TokenInfo(**(base | kw))


def test_the_form_lists_live_tokens_only_and_stays_within_slack_limits() -> None:
    tokens = [
        _info(1),
        _info(2, revoked_at=NOW - timedelta(hours=1)),
        _info(3, expires_at=NOW),
        _info(4, kind="service", last_used_at=NOW),
    ]
    view = token_view(role="manager", tokens=tokens, now=NOW, notice="Revoked t9.")
    ids_ = [b.get("block_id") for b in view["blocks"]]
    assert (
        "token:1" in ids_ and "token:4" in ids_ and "token:2" not in ids_ and "token:3" not in ids_
    )
    assert ids_[0] == "notice" and "2 revoked or expired tokens not shown" in json.dumps(view)
    assert view_problems(view) == []
    many = token_view(role="admin", tokens=[_info(i) for i in range(1, 120)], now=NOW)
    assert view_problems(many) == [] and len(many["blocks"]) <= 100
    assert "79 more tokens not shown" in json.dumps(many)


def test_the_shown_token_screen_has_no_form_and_says_copy_it_now() -> None:
    issued = IssuedToken(token="desk_" + "a" * 16 + "_" + "b" * 43, info=_info(7))
    view = token_shown_view(issued)
    assert view_problems(view) == [] and "submit" not in view
    assert issued.token in json.dumps(view) and "Copy it now" in json.dumps(view)


def test_reading_the_form() -> None:
    view = token_view(role="admin", tokens=[], now=NOW)
    form, errors = token_input(state_for(view))
    assert errors == {} and form is not None
    assert (form.scopes, form.expires, form.kind, form.name) == (("read",), "90d", "personal", "")
    form, errors = token_input(
        state_for(view, {"token_scopes": ["admin", "read"], "token_expiry_text": " 45d "})
    )
    assert form is not None and (form.scopes, form.expires) == (("read", "admin"), "45d")
    form, errors = token_input(state_for(view, {"token_scopes": ["root"]}))
    assert form is None and "unknown scope root" in errors["token_scopes"]


def test_redaction_blanks_the_secret_and_keeps_the_public_id() -> None:
    token = "desk_" + "A1" * 8 + "_" + "x-_" * 14 + "y"
    assert redact(f"body: {{'text': '```{token}```'}}") == (
        "body: {'text': '```desk_" + "A1" * 8 + "_[redacted]```'}"
    )
    assert redact("desk_short_abc") == "desk_short_abc"
