"""core.control.settings_form: the /desk settings form's save and connection tests as one
service. Admins only; a save names each step it stored and the error that stopped it; a
person the desk does not know yet is looked up (their Slack profile) only when needed."""

from __future__ import annotations

import pytest

from core.access.members import Member, MemberService, SlackProfile
from core.ai.config import AISettings
from core.control.settings_form import SettingsForm, SettingsInput
from core.errors import PermissionDenied, ValidationError
from server.wiring import Desk

TEAM = "T0FORM001"
CHANNEL_KEY = "slack.triage_channel"


def _form(desk: Desk, members: MemberService) -> SettingsForm:
    return SettingsForm(
        store=desk.store,
        mailboxes=desk.mailbox_settings,
        scheduler=desk.scheduler,
        members=members,
        ai_defaults=AISettings(),
        channel_key=CHANNEL_KEY,
        default_channel="CDEFAULT1",
    )


def _change(**kw: object) -> SettingsInput:
    base: dict[str, object] = {
        "mailbox": None,
        "settings": {},
        "secrets": {},
        "triage_channel": None,
        "role_user": None,
        "role": None,
    }
    return SettingsInput(**{**base, **kw})  # type: ignore[arg-type]


async def _people(desk: Desk) -> tuple[MemberService, Member, Member]:
    members = MemberService(desk.sessions, admin_ids=frozenset({"UADA00001"}))
    ada = await members.link(TEAM, "UADA00001", SlackProfile("ada@form.test", "ada"))
    bob = await members.link(TEAM, "UBOB00001", SlackProfile("bob@form.test", "bob"))
    return members, ada, bob


async def test_a_save_names_each_step_and_what_stopped_it(desk: Desk) -> None:
    members, ada, bob = await _people(desk)
    form = _form(desk, members)
    asked: list[str] = []

    async def profile(uid: str) -> SlackProfile:
        asked.append(uid)
        return SlackProfile("cy@form.test", "cy")

    saved = await form.save(
        ada,
        _change(
            settings={"company_name": "Acme"},
            triage_channel="CDEFAULT1",  # the configured one: not a change
            role_user="UCY000001",
            role="manager",
        ),
        home_team=TEAM,
        profile=profile,
    )
    assert (saved.done, saved.failed) == (["company_name", "cy is now manager"], None)
    assert asked == ["UCY000001"]  # not known yet: looked up once
    assert await desk.store.get("company_name") == "Acme"

    # the last admin demoting herself: what came before is kept, and said so
    saved = await form.save(
        ada,
        _change(
            settings={"company_name": "Acme 2"},
            triage_channel="CNEW0001",
            role_user=ada.slack_user_id,
            role="agent",
        ),
        home_team=TEAM,
        profile=profile,
    )
    assert saved.done == ["company_name", "triage channel"]
    assert isinstance(saved.failed, ValidationError) and "last active admin" in str(saved.failed)
    assert await form.channel() == "CNEW0001"
    assert asked == ["UCY000001"]  # ada is known

    # anyone else: nothing stored
    saved = await form.save(
        bob, _change(settings={"company_name": "Bob's"}), home_team=TEAM, profile=profile
    )
    assert saved.done == [] and isinstance(saved.failed, PermissionDenied)
    assert "changing settings needs the role admin; you are agent" in str(saved.failed)
    assert await desk.store.get("company_name") == "Acme 2"


async def test_a_connection_test_is_for_admins_with_the_mailbox_filled_in(desk: Desk) -> None:
    members, ada, bob = await _people(desk)
    form = _form(desk, members)
    with pytest.raises(PermissionDenied, match="testing the connections needs the role admin"):
        await form.test(bob, _change(), {}, which="imap", home_team=TEAM)
    for errors, says in (
        ({}, "fill in the mailbox fields first: "),
        ({"imap_host": "needed"}, "imap_host: needed"),
    ):
        with pytest.raises(ValidationError, match=says) as err:
            await form.test(ada, _change(), errors, which="smtp", home_team=TEAM)
        assert err.value.data["field"] == "mailbox"
    with pytest.raises(ValidationError) as err:
        await form.test(ada, _change(), {"ai_base_url": "a URL"}, which="ai", home_team=TEAM)
    assert str(err.value) == "ai_base_url: a URL"
