"""The SLA section of /desk settings (issue 12): an admin adds a calendar and a policy and
edits it through forms pushed over the settings, each saved by the core call `desk sla`
and the API make; bad input is answered under its input; anyone else is refused by the
core, nothing stored; `desk sla list --json` sees what Slack changed."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot import ids
from db.models import AuditEvent, SlaCalendar, SlaPolicy
from tests.support.blockkit import problems
from tests.support.cli import run
from tests.support.slack_driver import SlackHarness, SlackUser, find_action

CALENDAR = {
    "cal_name": "berlin",
    "cal_tz": "Europe/Berlin",
    "cal_hours": "mon-fri 09:00-12:00,13:00-17:00\nsat 10:00-14:00",
    "cal_holidays": "2026-12-24, 2026-12-25\n2026-12-31",
}


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


async def _push(
    slack: SlackHarness, who: SlackUser, settings: dict[str, Any], action_id: str, **kw: Any
) -> dict[str, Any]:
    """Click ``action_id`` in the settings view (a policy's Edit: ``block_id`` names the
    policy's line); the view pushed over it."""
    if action_id == ids.SLA_POLICY_EDIT:
        wanted = kw.pop("block_id")
        line = next(b for b in settings["blocks"] if b.get("block_id") == wanted)
        element, block_id = line["accessory"], line["block_id"]
    else:
        element, block_id = find_action(settings["blocks"], action_id)
    before = len(slack.fake.calls_to("views.push"))
    await slack.driver.action(who, element, block_id=block_id, view=settings, **kw)
    pushed = (await slack.fake.wait_for("views.push", count=before + 1))[-1]
    assert problems(pushed.view["blocks"], "modal") == []
    return pushed.reply["view"]


def _policy_button(settings: dict[str, Any], name: str) -> dict[str, Any]:
    for block in settings["blocks"]:
        if block.get("block_id", "").startswith("sla_policy:") and f" {name}*" in str(block):
            return block
    raise AssertionError(f"no policy {name} in the SLA section")


async def _submit(
    slack: SlackHarness, who: SlackUser, form: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """Submit a pushed form; what the form shows once the core call is done (the settings
    underneath are updated by then too)."""
    acked = await slack.driver.submit(who, form, values)
    assert acked.status == 200
    assert acked.json()["response_action"] == "update", acked.json()
    shown = await slack.fake.wait_for(
        "views.update", where=lambda c: c.body.get("view_id") == form["id"]
    )
    await slack.settle()
    return shown[-1].view


def _settings_after(slack: SlackHarness, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings view as the last update of it left it."""
    calls = slack.fake.calls_to("views.update", lambda c: c.body.get("view_id") == settings["id"])
    return {**calls[-1].view, "id": settings["id"]}


def _notice(view: dict[str, Any], block_id: str) -> str:
    block = next((b for b in view["blocks"] if b.get("block_id") == block_id), None)
    return block["text"]["text"] if block else ""


def _text(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


async def _audit(slack: SlackHarness, action: str) -> list[AuditEvent]:
    async with slack.desk.sessions() as s:
        return list(
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


async def _add_calendar(slack: SlackHarness, settings: dict[str, Any]) -> dict[str, Any]:
    form = await _push(slack, slack.admin, settings, ids.SLA_CALENDAR_NEW)
    shown = await _submit(slack, slack.admin, form, CALENDAR)
    assert "Calendar berlin added: Europe/Berlin" in _text(shown), _text(shown)
    return _settings_after(slack, settings)


async def test_an_admin_adds_a_calendar_and_a_policy_then_edits_it(
    slack: SlackHarness, capsys: pytest.CaptureFixture[str], cli_env: Any
) -> None:
    settings = await _open_settings(slack)
    assert problems(settings["blocks"], "modal") == []
    assert "No calendars yet" in _text(settings) and "No policies yet" in _text(settings)

    settings = await _add_calendar(slack, settings)
    assert _notice(settings, "sla_notice").startswith(":white_check_mark: Calendar berlin added")
    line = _notice(settings, "sla_calendars")
    assert "*berlin* · Europe/Berlin · mon-fri 09:00-12:00,13:00-17:00" in line, line
    assert "3 holidays" in line
    (cal,) = await slack.desk.calendars.list()
    assert cal.holidays == (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31))
    assert format(cal.calendar.hours[5][0][0], "%H:%M") == "10:00"  # Saturday

    form = await _push(slack, slack.admin, settings, ids.SLA_POLICY_NEW)
    assert form["callback_id"] == ids.SLA_POLICY_VIEW and form["submit"]["text"] == "Add"
    shown = await _submit(
        slack,
        slack.admin,
        form,
        {
            "pol_name": "urgent",
            "pol_calendar": "berlin",
            "pol_urgency": "High",
            "pol_first": "4h",
            "pol_resolution": "3d",
        },
    )
    assert "Policy urgent added (version 1, position 10)" in _text(shown)
    settings = _settings_after(slack, settings)
    assert problems(settings["blocks"], "modal") == []
    block = _policy_button(settings, "urgent")
    assert "matches High" in block["text"]["text"]
    assert "first 4h · resolution 3d · warn at 75%, 90%" in block["text"]["text"]

    form = await _push(
        slack, slack.admin, settings, ids.SLA_POLICY_EDIT, block_id=block["block_id"]
    )
    assert form["submit"]["text"] == "Save" and "*urgent*" in _text(form)
    first = next(b for b in form["blocks"] if b.get("block_id") == "pol_first")
    assert first["element"]["initial_value"] == "4h"
    shown = await _submit(slack, slack.admin, form, {"pol_first": "2h", "pol_warn": "50,90"})
    assert "Policy urgent changed (version 2" in _text(shown)
    info = await slack.desk.sla_policies.get("urgent")
    assert info.policy.targets == {"first_response": 120, "next_response": None, "resolution": 4320}
    assert (info.policy.urgency, info.policy.warn_levels) == ("High", (50, 90))

    (changed,) = await _audit(slack, "sla.policy_changed")
    assert (changed.actor, changed.source) == ("admin@desk.test", "slack")
    assert changed.changes["first_response"] == ["4h", "2h"]
    assert set(changed.changes) == {"first_response", "targets_minutes", "warn_levels", "version"}
    for action in ("sla.calendar_added", "sla.policy_added"):
        (event,) = await _audit(slack, action)
        assert (event.actor, event.source) == ("admin@desk.test", "slack")

    # the CLI reads what Slack stored
    code, out, err = await asyncio.to_thread(run, capsys, "sla", "list", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [c["name"] for c in listed["calendars"]] == ["berlin"]
    assert listed["calendars"][0]["holidays"] == ["2026-12-24", "2026-12-25", "2026-12-31"]
    (policy,) = listed["policies"]
    assert (policy["name"], policy["first_response"], policy["version"]) == ("urgent", "2h", 2)


async def test_an_unchanged_edit_closes_the_form_and_changes_nothing(slack: SlackHarness) -> None:
    settings = await _add_calendar(slack, await _open_settings(slack))
    await slack.desk.sla_policies.add("std", calendar="berlin", first_response="8h")
    settings = await _open_settings(slack)
    block = _policy_button(settings, "std")
    form = await _push(
        slack, slack.admin, settings, ids.SLA_POLICY_EDIT, block_id=block["block_id"]
    )
    acked = await slack.driver.submit(slack.admin, form, {})
    assert acked.status == 200 and not acked.json()  # an empty ack: back to the settings
    assert (await slack.desk.sla_policies.get("std")).policy.version == 1


@pytest.mark.parametrize(
    ("typed", "block", "says"),
    [
        ({"cal_tz": "Europe/Berlinn"}, "cal_tz", "unknown time zone 'Europe/Berlinn'"),
        ({"cal_tz": ""}, "cal_tz", "unknown time zone"),
        ({"cal_hours": "mon-fri 9-17"}, "cal_hours", "'9-17' in 'mon-fri 9-17' is not an interval"),
        ({"cal_hours": "funday 09:00-17:00"}, "cal_hours", "funday"),
        ({"cal_hours": ""}, "cal_hours", "no business hours given"),
        ({"cal_holidays": "2026-12-24 24.12.2026"}, "cal_holidays", "'24.12.2026' is not a date"),
        ({"cal_name": " "}, "cal_name", "a calendar's name is 1 to 100 characters"),
    ],
)
async def test_a_bad_calendar_is_answered_under_its_input(
    slack: SlackHarness, typed: dict[str, str], block: str, says: str
) -> None:
    settings = await _open_settings(slack)
    form = await _push(slack, slack.admin, settings, ids.SLA_CALENDAR_NEW)
    acked = await slack.driver.submit(slack.admin, form, {**CALENDAR, **typed})
    answer = acked.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [block] and says in answer["errors"][block], answer
    assert await slack.desk.calendars.list() == []


async def test_a_bad_policy_is_answered_under_each_input(slack: SlackHarness) -> None:
    settings = await _add_calendar(slack, await _open_settings(slack))
    form = await _push(slack, slack.admin, settings, ids.SLA_POLICY_NEW)
    acked = await slack.driver.submit(
        slack.admin,
        form,
        {
            "pol_name": "",
            "pol_first": "4 hours",
            "pol_next": "0m",
            "pol_resolution": "3w",
            "pol_warn": "75,120",
            "pol_position": "first",
        },
    )
    answer = acked.json()
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {
        "pol_name",
        "pol_calendar",
        "pol_first",
        "pol_next",
        "pol_resolution",
        "pol_warn",
        "pol_position",
    }
    assert "'4 hours' is not a duration like 30m, 4h or 3d" in errors["pol_first"]
    assert "a target is 1 minute to 366 days" in errors["pol_next"]
    assert "warning level 120 is not between 1 and 99" in errors["pol_warn"]
    acked = await slack.driver.submit(
        slack.admin, form, {"pol_name": "x", "pol_calendar": "berlin"}
    )
    assert acked.json()["errors"] == {"pol_first": "A policy needs at least one target, e.g. 4h."}
    assert await slack.desk.sla_policies.list() == []


async def test_a_name_taken_shows_the_form_again_with_what_was_typed(slack: SlackHarness) -> None:
    settings = await _add_calendar(slack, await _open_settings(slack))
    form = await _push(slack, slack.admin, settings, ids.SLA_CALENDAR_NEW)
    shown = await _submit(slack, slack.admin, form, {**CALENDAR, "cal_tz": "UTC"})
    assert "Not added: a calendar named 'berlin' exists already" in _notice(shown, "cal_notice")
    tz = next(b for b in shown["blocks"] if b.get("block_id") == "cal_tz")
    assert tz["element"]["initial_value"] == "UTC"
    (cal,) = await slack.desk.calendars.list()
    assert cal.tz == "Europe/Berlin"


async def test_only_admins_change_sla_settings_and_the_core_says_so(slack: SlackHarness) -> None:
    settings = await _add_calendar(slack, await _open_settings(slack))
    await slack.desk.sla_policies.add("std", calendar="berlin", first_response="8h")
    mo = slack.user("UMO000001", "mo")
    await slack.member(mo, "manager")

    # a manager replaying the admin's buttons: the forms open, the core refuses the saves
    form = await _push(slack, mo, settings, ids.SLA_CALENDAR_NEW)
    shown = await _submit(slack, mo, form, {**CALENDAR, "cal_name": "mo's"})
    assert "Not added: changing SLA settings needs the role admin; you are manager" in _notice(
        shown, "cal_notice"
    )
    settings = await _open_settings(slack)
    block = _policy_button(settings, "std")
    form = await _push(slack, mo, settings, ids.SLA_POLICY_EDIT, block_id=block["block_id"])
    shown = await _submit(slack, mo, form, {"pol_first": "1h"})
    assert "Not changed: changing SLA settings needs the role admin" in _notice(shown, "pol_notice")
    form = await _push(slack, mo, settings, ids.SLA_POLICY_NEW)
    shown = await _submit(
        slack, mo, form, {"pol_name": "mine", "pol_calendar": "berlin", "pol_first": "1h"}
    )
    assert "Not added: changing SLA settings needs the role admin" in _notice(shown, "pol_notice")

    async with slack.desk.sessions() as s:
        assert await s.scalar(select(SlaCalendar.name).where(SlaCalendar.name == "mo's")) is None
        assert (await s.scalars(select(SlaPolicy.name))).all() == ["std"]
    assert (await slack.desk.sla_policies.get("std")).policy.version == 1
    assert await _audit(slack, "sla.policy_changed") == []


def test_many_policies_and_users_fit_the_modal_and_are_counted() -> None:
    from datetime import UTC, datetime

    from bot.blocks.settings import SettingsSnapshot, settings_view
    from core.access.directory import UserInfo
    from core.workflow.calendar_store import CalendarInfo
    from core.workflow.calendars import parse_hours
    from core.workflow.sla import Policy
    from core.workflow.sla_policies import PolicyInfo

    cal = CalendarInfo(1, "berlin", "Europe/Berlin", parse_hours("mon-fri 09:00-17:00"), ())
    policies = [
        PolicyInfo(
            Policy(
                id=i,
                name=f"p{i}",
                position=i * 10,
                category=None,
                urgency="High",
                calendar_id=1,
                calendar_name="berlin",
                calendar=cal.calendar,
                targets={"first_response": 240, "next_response": None, "resolution": None},
                warn_levels=(75, 90),
                version=1,
                is_default=False,
                escalate_raise_urgency=False,
                escalate_to_id=None,
            )
        )
        for i in range(1, 41)
    ]
    users = [
        UserInfo(
            i,
            f"u{i}@x.test",
            f"u{i}",
            "agent",
            True,
            "T1",
            f"U{i:08d}",
            datetime(2026, 1, 1, tzinfo=UTC),
        )
        for i in range(1, 61)
    ]
    view = settings_view(
        SettingsSnapshot(
            mailbox=None,
            stored={},
            triage_channel=None,
            users=users,
            calendars=[cal] * 3,
            policies=policies,
        )
    )
    assert problems(view["blocks"], "modal") == []
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert "more policies: `desk sla list` lists all." in text
    assert "more users: `desk users list` lists all." in text
    assert "*berlin* · Europe/Berlin · mon-fri 09:00-17:00 · 0 holidays" in text


async def test_a_form_that_lost_its_context_says_so(slack: SlackHarness) -> None:
    settings = await _open_settings(slack)
    form = await _push(slack, slack.admin, settings, ids.SLA_CALENDAR_NEW)
    acked = await slack.driver.submit(slack.admin, {**form, "private_metadata": "{oops"}, CALENDAR)
    answer = acked.json()
    assert answer["response_action"] == "update"
    assert "this form lost its context; open it again" in json.dumps(answer["view"])
    assert await slack.desk.calendars.list() == []


async def test_add_policy_without_a_calendar_says_to_add_one_first(slack: SlackHarness) -> None:
    settings = await _open_settings(slack)
    pushed = await _push(slack, slack.admin, settings, ids.SLA_POLICY_NEW)
    assert "Add a calendar first" in _text(pushed) and "submit" not in pushed
