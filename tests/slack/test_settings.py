"""/desk settings: an admin configures the desk; Test buttons say exactly what failed."""

from __future__ import annotations

import json

import pytest

from bot.ids import SETTINGS_TEST
from core.control.mailbox_form import MailboxForm
from tests.support.slack_driver import SlackHarness

pytestmark = pytest.mark.dovecot


async def _open_settings(slack: SlackHarness) -> dict:  # type: ignore[type-arg]
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
    return {**filled.view, "id": view_id}


def _mailbox_values(config, password: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "mb_address": "support@desk.test",
        "imap_host": config.host,
        "imap_port": str(config.port),
        "imap_user": config.username,
        "imap_password": password,
        "imap_tls": "none",
        "smtp_host": "127.0.0.1",
        "smtp_port": "9",
        "smtp_tls": "none",
    }


async def test_a_wrong_imap_password_shows_the_error_in_the_modal(
    slack: SlackHarness, imap_account
) -> None:
    view = await _open_settings(slack)
    test_imap = {"action_id": f"{SETTINGS_TEST}_imap", "type": "button", "value": "imap"}

    wrong = slack.driver.with_state(view, _mailbox_values(imap_account.config, "not-the-password"))
    await slack.driver.action(slack.admin, test_imap, block_id="tests", view=wrong)
    updates = await slack.fake.wait_for(
        "views.update", where=lambda c: ":x: *IMAP*" in c.text_of_blocks(), timeout=30
    )
    shown = updates[-1].text_of_blocks()
    assert "auth" in shown.lower() and imap_account.config.username in shown, shown
    assert "not-the-password" not in json.dumps(updates[-1].body)
    # the inputs keep their block and action ids, so Slack keeps what the admin typed
    assert [b.get("block_id") for b in updates[-1].view["blocks"]] == [
        b.get("block_id") for b in view["blocks"]
    ]

    right = slack.driver.with_state(
        view, _mailbox_values(imap_account.config, imap_account.password)
    )
    await slack.driver.action(slack.admin, test_imap, block_id="tests", view=right)
    await slack.fake.wait_for(
        "views.update",
        where=lambda c: ":white_check_mark: *IMAP*" in c.text_of_blocks(),
        timeout=30,
    )


async def test_saving_settings_stores_secrets_and_never_shows_them(
    slack: SlackHarness, imap_account
) -> None:
    view = await _open_settings(slack)
    values = _mailbox_values(imap_account.config, imap_account.password) | {
        "ai_api_key": "sk-test-secret-key",
        "ai_model": "gpt-5-mini",
        "company_name": "Acme",
        "triage_channel": "CNEWTRIAGE",
    }
    acked = await slack.driver.submit(slack.admin, view, values)
    assert acked.json()["response_action"] == "update"
    done = await slack.fake.wait_for("views.update", where=lambda c: "Saved:" in c.text_of_blocks())
    assert "ai.api_key (hidden)" in done[0].text_of_blocks()

    store = slack.desk.store
    assert await store.get("ai.api_key") == "sk-test-secret-key"
    assert (await store.public())["ai.api_key"] == "set"
    assert await store.get("slack.triage_channel") == "CNEWTRIAGE"
    form = await slack.runtime.services.mailbox_settings.current(
        slack.admin.team_id, slack.admin.team_id
    )
    assert (
        isinstance(form, MailboxForm)
        and form.imap_password_set
        and form.imap_user == imap_account.config.username
    )
    mailbox = await slack.desk.mailboxes.get(form.name)
    assert mailbox.slack_team_id == slack.admin.team_id

    again = await _open_settings(slack)
    dumped = json.dumps(again)
    assert "sk-test-secret-key" not in dumped and imap_account.password not in dumped
    secret_box = next(b for b in again["blocks"] if b.get("block_id") == "imap_password")
    assert "initial_value" not in secret_box["element"]
    assert secret_box["element"]["placeholder"]["text"].startswith("set")
    # saving again with the secret fields empty keeps the stored ones
    await slack.driver.submit(slack.admin, again, {"ai_model": "gpt-5"})
    await slack.fake.wait_for(
        "views.update", count=2, where=lambda c: "Saved:" in c.text_of_blocks()
    )
    assert await store.get("ai.api_key") == "sk-test-secret-key"
    assert (await slack.desk.mailboxes.test(mailbox))["imap"] == "ok"


async def test_bad_values_are_answered_in_the_form(slack: SlackHarness) -> None:
    view = await _open_settings(slack)
    acked = await slack.driver.submit(
        slack.admin,
        view,
        {"imap_host": "imap.example.com", "imap_port": "99999", "ai_base_url": "ftp://x"},
    )
    errors = acked.json()["errors"]
    assert set(errors) >= {"imap_port", "ai_base_url", "mb_address", "imap_user", "smtp_host"}


async def test_an_admin_changes_a_role(slack: SlackHarness) -> None:
    amy = slack.user("UAMY00001", "amy")
    await slack.member(amy, "agent")
    view = await _open_settings(slack)
    await slack.driver.submit(slack.admin, view, {"role_user": amy.id, "role": "manager"})
    await slack.fake.wait_for(
        "views.update", where=lambda c: "amy is now manager" in c.text_of_blocks()
    )
    assert (await slack.runtime.services.members.find(amy.team_id, amy.id)).role == "manager"


async def test_the_ai_test_button_checks_what_is_typed_and_never_echoes_the_key(
    slack: SlackHarness,
) -> None:
    from tests.support.fake_openai import FakeOpenAI

    view = await _open_settings(slack)
    test_ai = {"action_id": f"{SETTINGS_TEST}_ai", "type": "button", "value": "ai"}
    with FakeOpenAI(api_key="the-right-key") as api:
        wrong = slack.driver.with_state(
            view,
            {
                "ai_provider": "openai",
                "ai_api_key": "sk-wrong-key-123",
                "ai_base_url": api.base_url,
            },
        )
        await slack.driver.action(slack.admin, test_ai, block_id="ai_tests", view=wrong)
        updates = await slack.fake.wait_for(
            "views.update", where=lambda c: ":x: *AI*" in c.text_of_blocks(), timeout=30
        )
        assert "sk-wrong-key-123" not in json.dumps(updates[-1].body)
        assert "refused the API key" in updates[-1].text_of_blocks()
        assert api.requests  # the real client reached the loopback server

        right = slack.driver.with_state(
            view,
            {"ai_provider": "openai", "ai_api_key": "the-right-key", "ai_base_url": api.base_url},
        )
        await slack.driver.action(slack.admin, test_ai, block_id="ai_tests", view=right)
        ok = await slack.fake.wait_for(
            "views.update",
            where=lambda c: ":white_check_mark: *AI*" in c.text_of_blocks(),
            timeout=30,
        )
    assert "the-right-key" not in json.dumps(ok[-1].body)
