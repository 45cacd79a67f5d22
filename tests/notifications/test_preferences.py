"""Preferences: set from the API (GET/PUT /api/v1/me/notifications, your own only), each
bad field a clear 422 that changes nothing, each change audited."""

from __future__ import annotations

import pytest

from core.audit import Actor
from core.errors import ValidationError
from core.reports.audit_log import AuditFilter
from core.workflow.preferences import PreferenceChange, Preferences
from server.wiring import Desk
from tests.support.api import api_client, api_token, bearer

DEFAULTS = {
    "channels": {
        k: "slack"
        for k in (
            "high_urgency",
            "assigned",
            "sla_warning",
            "sla_breach",
            "customer_replied",
            "draft_waiting",
            "digest",
        )
    },
    "tz": None,
    "quiet_hours": None,
    "business_days": ["mon", "tue", "wed", "thu", "fri"],
    "draft_waiting_minutes": 30,
    "digest": True,
}


async def test_people_read_and_change_their_own_preferences(desk: Desk) -> None:
    amy = await api_token(desk, "amy@team.test")
    bob = await api_token(desk, "bob@team.test", role="manager")
    reader = await api_token(desk, "rea@team.test", scopes="read")
    async with api_client(desk) as c:
        got = await c.get("/api/v1/me/notifications", headers=bearer(amy))
        assert got.status_code == 200, got.text
        assert got.json() == DEFAULTS

        put = await c.put(
            "/api/v1/me/notifications",
            json={
                "channels": {"assigned": "email", "sla_warning": "none"},
                "tz": "Europe/Berlin",
                "quiet_hours": {"start": "22:00", "end": "07:00"},
                "business_days": ["Mon", "tue", "sat"],
                "draft_waiting_minutes": 45,
                "digest": False,
            },
            headers=bearer(amy),
        )
        assert put.status_code == 200, put.text
        mine = put.json()
        assert mine["channels"]["assigned"] == "email"
        assert mine["channels"]["sla_warning"] == "none"
        assert mine["channels"]["digest"] == "none" and mine["digest"] is False
        assert mine["quiet_hours"] == {"start": "22:00", "end": "07:00"}
        assert mine["business_days"] == ["mon", "tue", "sat"]
        assert (mine["tz"], mine["draft_waiting_minutes"]) == ("Europe/Berlin", 45)
        assert (await c.get("/api/v1/me/notifications", headers=bearer(amy))).json() == mine
        # somebody else's are their own
        assert (await c.get("/api/v1/me/notifications", headers=bearer(bob))).json() == DEFAULTS

        # only the fields given change; null quiet hours turn them off
        again = await c.put(
            "/api/v1/me/notifications",
            json={"quiet_hours": None, "digest": True},
            headers=bearer(amy),
        )
        assert again.json()["quiet_hours"] is None
        assert again.json()["channels"]["digest"] == "slack"
        assert again.json()["channels"]["assigned"] == "email"

        # the read scope reads, and may not write
        assert (await c.get("/api/v1/me/notifications", headers=bearer(reader))).status_code == 200
        refused = await c.put("/api/v1/me/notifications", json={}, headers=bearer(reader))
        assert refused.status_code == 403 and refused.json()["error"] == "insufficient_scope"
        assert (await c.get("/api/v1/me/notifications")).status_code == 401

    events = await desk.audit_log.page(
        AuditFilter(action="notifications.preferences"),
        limit=10,
        offset=0,
    )
    assert len(events) == 2
    assert events[-1]["changes"]["tz"] == [None, "Europe/Berlin"]
    assert events[-1]["surface"] == "api" and events[-1]["target"].startswith("user:")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"tz": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours.start must be a time"),
        ({"quiet_hours": {"start": "07:00", "end": "07:00"}}, "different times"),
        ({"channels": {"assigned": "pager"}}, "unknown channel 'pager' for assigned"),
        ({"channels": {"birthdays": "slack"}}, "unknown notification kind 'birthdays'"),
        ({"business_days": ["mon", "funday"]}, "unknown day 'fun'"),
        ({"draft_waiting_minutes": 0}, "draft_waiting_minutes must be a whole number"),
    ],
)
async def test_a_bad_field_is_a_422_and_changes_nothing(
    desk: Desk, body: dict[str, object], says: str
) -> None:
    amy = await api_token(desk, "amy@team.test")
    async with api_client(desk) as c:
        r = await c.put(
            "/api/v1/me/notifications",
            json={"channels": {"assigned": "email"}, "tz": "Europe/Berlin"} | body,
            headers=bearer(amy),
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "ValidationError" and says in r.json()["detail"]
        assert (await c.get("/api/v1/me/notifications", headers=bearer(amy))).json() == DEFAULTS


async def test_an_unknown_field_is_refused(desk: Desk) -> None:
    amy = await api_token(desk, "amy@team.test")
    async with api_client(desk) as c:
        r = await c.put("/api/v1/me/notifications", json={"quiet": "yes"}, headers=bearer(amy))
        assert r.status_code == 422


def test_quiet_hours_over_midnight_and_their_end() -> None:
    from datetime import UTC, datetime

    p = PreferenceChange(tz="America/New_York", quiet_hours=("22:00", "07:00")).applied_to(
        Preferences(1)
    )
    # 2026-03-08 is the day New York moves to summer time (02:00 -> 03:00)
    night = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST
    assert p.quiet_at(night)
    assert p.quiet_ends(night) == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # 07:00 EDT
    assert not p.quiet_at(datetime(2026, 3, 8, 11, 0, tzinfo=UTC))
    assert p.quiet_at(datetime(2026, 3, 9, 2, 0, tzinfo=UTC))  # 22:00 EDT
    day = PreferenceChange(quiet_hours=("12:00", "13:00")).applied_to(Preferences(1))
    assert day.quiet_at(datetime(2026, 3, 8, 12, 30, tzinfo=UTC))
    assert not day.quiet_at(datetime(2026, 3, 8, 13, 0, tzinfo=UTC))


def test_a_change_is_checked_whole() -> None:
    with pytest.raises(ValidationError) as err:
        PreferenceChange(channels={"assigned": "email", "digest": "fax"}).applied_to(Preferences(1))
    assert err.value.data["field"] == "channels"


async def test_an_update_for_no_user_is_not_found(desk: Desk) -> None:
    from core.errors import NotFound

    with pytest.raises(NotFound):
        await desk.preferences.update(999, PreferenceChange(tz="UTC"), actor=Actor("t", "t"))
