"""core.access.tokens and core.access.throttle: tokens shown once and stored as a keyed hash
only; expiry, revocation, deactivation and demotion take effect at the next authenticate;
durations and scopes validated; role ∩ scopes decides; 20 failures a minute lock out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, Text, inspect, select, update

from core.access.permissions import check_api
from core.access.throttle import AuthThrottle
from core.access.tokens import TokenService, parse_duration, parse_scopes
from core.access.users import ensure_user
from core.audit import Actor
from core.errors import InvalidToken, NotFound, PermissionDenied, ValidationError
from db.base import Base
from db.models import AuditEvent, User
from server.wiring import Desk


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


ADMIN = Actor(name="root@team.test", source="cli")


def test_durations_and_scopes() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("365d") == timedelta(days=365)
    for bad in ("366d", "0d", "90", "1w", "-5d", "", "9999999d"):
        with pytest.raises(ValidationError):
            parse_duration(bad)
    assert parse_scopes("write, read") == ("read", "write")
    with pytest.raises(ValidationError, match="unknown scope root"):
        parse_scopes("read,root")
    with pytest.raises(ValidationError, match="at least one scope"):
        parse_scopes(" , ")


async def test_token_lifecycle(desk: Desk) -> None:
    clock = Clock()
    tokens = TokenService(desk.sessions, desk.secrets, clock)
    ann = await ensure_user(desk.sessions, "ann@team.test", role="manager")
    issued = await tokens.create(ann.id, scopes="read,write", expires="1h", name="ci", by=ADMIN)
    assert issued.token.startswith(f"desk_{issued.info.public_id}_")
    assert issued.info.expires_at == clock.now + timedelta(hours=1)

    who = await tokens.authenticate(issued.token)
    assert (who.user_id, who.role, who.source) == (ann.id, "manager", "api")
    assert who.scopes == {"read", "write"}
    assert (await tokens.get(issued.info.id)).last_used_at == clock.now

    # last_used_at is written at most once a minute
    first = clock.now
    clock.now += timedelta(seconds=30)
    await tokens.authenticate(issued.token)
    assert (await tokens.get(issued.info.id)).last_used_at == first
    clock.now += timedelta(seconds=31)
    await tokens.authenticate(issued.token)
    assert (await tokens.get(issued.info.id)).last_used_at == clock.now

    # a wrong secret with a right id, garbage, and expiry
    wrong = issued.token[:-4] + ("AAAA" if not issued.token.endswith("AAAA") else "BBBB")
    with pytest.raises(InvalidToken, match="unknown"):
        await tokens.authenticate(wrong)
    with pytest.raises(InvalidToken, match="malformed"):
        await tokens.authenticate("Bearer nonsense")
    clock.now = issued.info.expires_at
    with pytest.raises(InvalidToken, match="expired"):
        await tokens.authenticate(issued.token)


async def test_revoke_demote_and_deactivate_apply_at_once(desk: Desk) -> None:
    tokens = TokenService(desk.sessions, desk.secrets, Clock())
    ben = await ensure_user(desk.sessions, "ben@team.test", role="admin")
    one = await tokens.create(ben.id, scopes="read,write,admin", by=ADMIN)
    two = await tokens.create(ben.id, scopes="read", by=ADMIN)

    who = await tokens.authenticate(one.token)
    check_api(who, "admin", "admin", doing="changing settings")
    async with desk.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ben.id).values(role="agent"))
    who = await tokens.authenticate(one.token)
    with pytest.raises(PermissionDenied, match="needs the role admin") as denied:
        check_api(who, "admin", "admin", doing="changing settings")
    assert denied.value.data["reason"] == "forbidden"
    reader = await tokens.authenticate(two.token)
    with pytest.raises(PermissionDenied, match="scope 'write'") as denied:
        check_api(reader, "write", doing="approving")
    assert denied.value.data["reason"] == "insufficient_scope"

    revoked = await tokens.revoke(one.info.id, by=ADMIN)
    assert revoked.revoked_at is not None
    with pytest.raises(InvalidToken, match="revoked"):
        await tokens.authenticate(one.token)
    async with desk.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ben.id).values(is_active=False))
    with pytest.raises(InvalidToken, match="not an active desk user"):
        await tokens.authenticate(two.token)

    async with desk.sessions() as session:
        events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert [e.action for e in events if e.action.startswith("token_")] == [
        "token_created",
        "token_created",
        "token_revoked",
    ]
    assert all(one.token not in str(e.data) for e in events)


async def test_service_tokens_and_bad_requests(desk: Desk) -> None:
    tokens = TokenService(desk.sessions, desk.secrets, Clock())
    agent = await ensure_user(desk.sessions, "cat@team.test")
    admin = await ensure_user(desk.sessions, "dan@team.test", role="admin")
    with pytest.raises(ValidationError, match="owned by an admin"):
        await tokens.create(agent.id, kind="service", name="zapier", by=ADMIN)
    with pytest.raises(ValidationError, match="its own name"):
        await tokens.create(admin.id, kind="service", by=ADMIN)
    with pytest.raises(ValidationError, match="365 days"):
        await tokens.create(admin.id, expires="400d", by=ADMIN)
    made = await tokens.create(admin.id, kind="service", name="zapier", by=ADMIN)
    assert [t.name for t in await tokens.list(admin.id)] == ["zapier"]
    assert await tokens.list(agent.id) == []
    assert "token" not in made.info.as_dict()


async def test_no_table_holds_the_secret(desk: Desk) -> None:
    tokens = TokenService(desk.sessions, desk.secrets, Clock())
    eve = await ensure_user(desk.sessions, "eve@team.test", role="admin")
    made = [await tokens.create(eve.id, scopes="read,admin", by=ADMIN) for _ in range(3)]
    await tokens.revoke(made[0].info.id, by=ADMIN)
    secrets = [m.token.split("_", 2)[2] for m in made]  # the secret may hold "_" itself
    async with desk.sessions() as session:
        names = await session.run_sync(lambda s: inspect(s.connection()).get_table_names())
        assert "api_tokens" in names
        dump = []
        for table in Base.metadata.sorted_tables:
            cols = [
                c
                for c in table.columns
                if isinstance(c.type, String | Text) or c.type.__class__.__name__ == "JSON"
            ]
            if not cols:
                continue
            rows = await session.execute(select(*cols))
            dump += [str(v) for row in rows for v in row]
    blob = "\n".join(dump)
    assert made[1].info.public_id in blob  # the scan sees the token table
    for secret in secrets:
        assert secret not in blob


def test_throttle_locks_out_after_20_failures_a_minute() -> None:
    clock = Clock()
    throttle = AuthThrottle(clock)
    keys = throttle.keys("203.0.113.9", "abcd")
    for _ in range(19):
        assert throttle.failed(keys) is None
        clock.now += timedelta(seconds=2)
    assert throttle.retry_after(keys) is None
    out = throttle.failed(keys)
    assert out is not None and set(out.keys) == {"addr:203.0.113.9", "token:abcd"}
    assert throttle.retry_after(throttle.keys("203.0.113.9", None)) == 300
    clock.now += timedelta(minutes=4)
    assert throttle.retry_after(keys) == 60
    clock.now += timedelta(minutes=1)
    assert throttle.retry_after(keys) is None


def test_throttle_forgets_failures_older_than_a_minute() -> None:
    clock = Clock()
    throttle = AuthThrottle(clock)
    keys = throttle.keys("198.51.100.1", None)
    for _ in range(40):
        assert throttle.failed(keys) is None
        clock.now += timedelta(seconds=4)  # 15 a minute: never 20
    assert throttle.retry_after(keys) is None


async def test_scopes_stay_within_the_role_and_owners_revoke_only_their_own(desk: Desk) -> None:
    tokens = TokenService(desk.sessions, desk.secrets, Clock())
    mia = await ensure_user(desk.sessions, "mia@team.test", role="manager")
    noa = await ensure_user(desk.sessions, "noa@team.test", role="admin")
    with pytest.raises(
        ValidationError, match="admin needs the role admin; mia@team.test is manager"
    ):
        await tokens.create(mia.id, scopes="read,admin", by=ADMIN)
    assert await tokens.list(mia.id) == []
    hers = await tokens.create(mia.id, scopes="read,write", by=ADMIN)
    his = await tokens.create(noa.id, scopes="admin", by=ADMIN)

    with pytest.raises(NotFound, match=f"token {his.info.id} not found"):
        await tokens.revoke(his.info.id, by=ADMIN, owner_id=mia.id)
    assert (await tokens.authenticate(his.token)).user_id == noa.id
    assert (await tokens.revoke(hers.info.id, by=ADMIN, owner_id=mia.id)).revoked_at is not None
    with pytest.raises(InvalidToken, match="revoked"):
        await tokens.authenticate(hers.token)
