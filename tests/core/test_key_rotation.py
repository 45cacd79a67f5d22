"""Key rotation: a key list (DESK_SECRET_KEY newest, DESK_SECRET_KEY_OLD older) opens what
any key sealed and seals with the newest; `desk secrets rotate` moves every stored secret to
the newest key in one transaction, idempotent, and refuses (changing nothing) when a secret
opens with no configured key; signed Message-IDs and API tokens from before a rotation keep
working while the old key is configured, and stop when it is removed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from core.access.tokens import TokenService
from core.access.users import ensure_user
from core.audit import Actor
from core.control.secret_rotation import rotate_secrets
from core.errors import ConfigError, InvalidToken
from core.inbound.mailboxes import MailboxSpec
from core.mail.compose import make_message_id, ticket_from_message_id
from core.mail.maildir import deliver_to_maildir
from core.secrets import EMBEDDED_DEV_KEY, SecretBox, UnknownKey
from db.models import ApiToken, AuditEvent, Mailbox, Message, Setting
from server.wiring import Desk, build_desk
from tests.support.cli import run
from tests.support.desk import SUPPORT, settings_for

OLD = "test-secret-key"  # the key the `desk` fixture seals with
NEW = "rotated-secret-key-0123456789"
CLI = Actor(name="cli", source="cli")

DeskMaker = Callable[..., Desk]


@pytest.fixture()
async def make_desk(database_url: str, tmp_path: Path) -> AsyncIterator[DeskMaker]:
    """More desks on the test database and data directory, with other keys."""
    made: list[Desk] = []

    def make(key: str, old: str = "") -> Desk:
        settings = settings_for(
            database_url, tmp_path / "data", DESK_SECRET_KEY=key, DESK_SECRET_KEY_OLD=old
        )
        made.append(build_desk(settings))
        return made[-1]

    yield make
    for d in made:
        await d.close()


# -- the box ------------------------------------------------------------------------------


def test_box_seals_with_the_newest_and_opens_with_any() -> None:
    old, rotated = SecretBox(OLD), SecretBox(NEW, old=[OLD, "older-key-0000"])
    sealed_before = old.encrypt("imap-pw")
    assert rotated.decrypt(sealed_before) == "imap-pw"
    sealed_now = rotated.encrypt("imap-pw")
    assert SecretBox(NEW).decrypt(sealed_now) == "imap-pw"
    with pytest.raises(UnknownKey, match="DESK_SECRET_KEY_OLD"):
        old.decrypt(sealed_now)
    assert rotated.key_count == 3
    assert rotated.hmac_keys("p") == (
        SecretBox(NEW).hmac_key("p"),
        old.hmac_key("p"),
        SecretBox("older-key-0000").hmac_key("p"),
    )
    assert rotated.hmac_key("p") == SecretBox(NEW).hmac_key("p")


def test_rotate_moves_old_tokens_and_leaves_current_ones() -> None:
    box = SecretBox(NEW, old=[OLD])
    current = box.encrypt("a")
    assert box.rotate(current) is None
    moved = box.rotate(SecretBox(OLD).encrypt("b"))
    assert moved is not None and SecretBox(NEW).decrypt(moved) == "b"
    with pytest.raises(UnknownKey):
        box.rotate(SecretBox("a-third-key").encrypt("c"))


def test_the_development_key_as_an_old_key_opens_secrets_but_verifies_nothing() -> None:
    moving_off = SecretBox(NEW, old=[EMBEDDED_DEV_KEY])
    assert moving_off.decrypt(SecretBox(None).encrypt("pw")) == "pw"
    assert moving_off.hmac_keys("p") == (SecretBox(NEW).hmac_key("p"),)  # public: proves nothing
    forged = make_message_id(ticket_id=3, domain="desk.test", key=SecretBox(None).hmac_key("p"))
    assert ticket_from_message_id(forged, key=moving_off.hmac_keys("p")) is None


def test_old_keys_without_a_new_key_are_refused() -> None:
    with pytest.raises(ConfigError, match="DESK_SECRET_KEY_OLD is set but DESK_SECRET_KEY"):
        SecretBox(None, old=[OLD])
    # blanks and repeats in the list are harmless
    assert SecretBox(NEW, old=[" ", NEW, OLD]).key_count == 2


def test_old_keys_are_read_comma_separated_newest_first(tmp_path: Path) -> None:
    settings = settings_for(
        "sqlite:///x.db", tmp_path, DESK_SECRET_KEY=NEW, DESK_SECRET_KEY_OLD=f" {OLD} ,, k2 "
    )
    assert [k.get_secret_value() for k in settings.data.old_keys()] == [OLD, "k2"]
    assert OLD not in repr(settings)


# -- Message-ID tokens ----------------------------------------------------------------------


async def test_message_ids_signed_before_a_rotation_thread_while_the_old_key_is_set(
    desk: Desk, make_desk: DeskMaker, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    await desk.mailboxes.ensure_maildir(
        name="support", address=SUPPORT, inbox=inbox, outbox=tmp_path / "outbox"
    )
    from tests.support.mail import make_mail, message_id_of

    first = make_mail()
    deliver_to_maildir(inbox, first)
    await desk.fetcher.fetch_all("support")
    async with desk.sessions() as s:
        tid = await s.scalar(
            select(Message.ticket_id).where(Message.message_id == message_id_of(first))
        )
    assert tid is not None
    signed_old = make_message_id(ticket_id=tid, domain="desk.test", key=desk.token_key)

    async def thread_of(d: Desk, references: list[str]) -> int | None:
        reply = make_mail(subject="no tag, no In-Reply-To", references=references)
        deliver_to_maildir(inbox, reply)
        [result] = await d.fetcher.fetch_all("support")
        assert result.error is None, result.error
        async with d.sessions() as s:
            return await s.scalar(
                select(Message.ticket_id).where(Message.message_id == message_id_of(reply))
            )

    rotated = make_desk(NEW, OLD)
    assert rotated.token_key != desk.token_key  # new ids are signed with the new key
    assert await thread_of(rotated, [signed_old]) == tid
    signed_new = make_message_id(ticket_id=tid, domain="desk.test", key=rotated.token_key)
    assert await thread_of(rotated, [signed_new]) == tid

    grace_over = make_desk(NEW)
    assert await thread_of(grace_over, [signed_new]) == tid
    assert await thread_of(grace_over, [signed_old]) != tid  # the old key is gone: not ours


def test_a_key_list_verifies_each_and_an_empty_one_is_refused() -> None:
    a, b = b"a" * 32, b"b" * 32
    mid = make_message_id(ticket_id=7, domain="desk.test", key=b)
    assert ticket_from_message_id(mid, key=(a, b)) == 7
    assert ticket_from_message_id(mid, key=[a]) is None
    with pytest.raises(ValueError, match="empty"):
        ticket_from_message_id(mid, key=())


# -- API tokens ---------------------------------------------------------------------------


async def test_api_tokens_survive_a_rotation_and_move_to_the_new_key(
    desk: Desk, make_desk: DeskMaker
) -> None:
    ann = await ensure_user(desk.sessions, "ann@team.test", role="manager")
    issued = await TokenService(desk.sessions, desk.secrets).create(ann.id, by=CLI)
    async with desk.sessions() as s:
        hashed_old = await s.scalar(select(ApiToken.secret_hash))

    rotated = make_desk(NEW, OLD)
    who = await rotated.tokens.authenticate(issued.token)
    assert who.user_id == ann.id
    async with desk.sessions() as s:
        assert await s.scalar(select(ApiToken.secret_hash)) != hashed_old  # re-hashed on use
    # used once after the rotation, so it no longer needs the old key
    assert (await make_desk(NEW).tokens.authenticate(issued.token)).user_id == ann.id
    with pytest.raises(InvalidToken, match="unknown"):
        await desk.tokens.authenticate(issued.token)  # the old key alone no longer matches


async def test_an_api_token_unused_during_the_grace_period_stops_with_the_old_key(
    desk: Desk, make_desk: DeskMaker
) -> None:
    ann = await ensure_user(desk.sessions, "ann@team.test", role="manager")
    issued = await desk.tokens.create(ann.id, by=CLI)
    with pytest.raises(InvalidToken, match="unknown"):
        await make_desk(NEW).tokens.authenticate(issued.token)


# -- desk secrets rotate ------------------------------------------------------------------


async def seed_secrets(desk: Desk) -> None:
    """Two setting secrets, one plain setting, an IMAP mailbox with both passwords and one
    with an IMAP password only, all sealed by ``desk``'s key."""
    await desk.store.set("ai.api_key", "sk-rotation-test-key", secret=True)
    await desk.store.set("slack.extra", "xoxb-rotation-test", secret=True)
    await desk.store.set("ai.model", "gpt-test")
    for name, smtp in (("support", "smtp-pw-1"), ("sales", None)):
        await desk.mailboxes.add(
            MailboxSpec(
                name=name,
                address=f"{name}@desk.test",
                imap_host="imap.desk.test",
                imap_user=name,
                smtp_host="smtp.desk.test",
                password=f"imap-pw-{name}",
                smtp_password=smtp,
            )
        )


async def stored(desk: Desk) -> list[str]:
    async with desk.sessions() as s:
        settings = list(await s.scalars(select(Setting.value).order_by(Setting.key)))
        boxes = (
            await s.execute(
                select(Mailbox.password_enc, Mailbox.smtp_password_enc).order_by(Mailbox.id)
            )
        ).all()
    return [*settings, *(v or "" for row in boxes for v in row)]


async def plain_secrets(desk: Desk) -> dict[str, str | None]:
    support, sales = await desk.mailboxes.get("support"), await desk.mailboxes.get("sales")
    return {
        "ai": await desk.store.get("ai.api_key"),
        "slack": await desk.store.get("slack.extra"),
        "model": await desk.store.get("ai.model"),
        "support": desk.mailboxes.imap_config(support).password,
        "support_smtp": desk.mailboxes.smtp_config(support).password,
        "sales": desk.mailboxes.imap_config(sales).password,
    }


async def test_rotate_reencrypts_every_stored_secret_once(desk: Desk, make_desk: DeskMaker) -> None:
    await seed_secrets(desk)
    before = await plain_secrets(desk)
    rotated = make_desk(NEW, OLD)

    report = await rotate_secrets(rotated.sessions, rotated.secrets, actor=CLI)
    assert report.as_dict() == {
        "rotated": 5,
        "current": 0,
        "keys": 2,
        "kinds": {"setting": 2, "imap_password": 2, "smtp_password": 1},
    }
    # the new key alone opens everything, and it reads as before
    assert await plain_secrets(make_desk(NEW)) == before
    with pytest.raises(UnknownKey):
        await desk.store.get("ai.api_key")

    after_first = await stored(desk)
    again = await rotate_secrets(rotated.sessions, rotated.secrets, actor=CLI)
    assert (again.rotated, again.current) == (0, 5)
    assert await stored(desk) == after_first  # idempotent: not a byte changed
    async with desk.sessions() as s:
        events = list(
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "secrets_rotated")
                .order_by(AuditEvent.id)
            )
        )
    assert [e.data for e in events] == [
        {"rotated": 5, "current": 0, "keys": 2},
        {"rotated": 0, "current": 5, "keys": 2},
    ]
    assert {(e.source, e.target) for e in events} == {("cli", "secrets")}
    assert all("sk-rotation" not in json.dumps(e.data) for e in events)


async def test_rotate_refuses_and_changes_nothing_when_a_secret_opens_with_no_key(
    desk: Desk, make_desk: DeskMaker
) -> None:
    await seed_secrets(desk)
    foreign = make_desk("a-key-nobody-configured")
    await foreign.store.set("ai.other_key", "sk-foreign", secret=True)
    before = await stored(desk)

    rotated = make_desk(NEW, OLD)
    with pytest.raises(UnknownKey) as caught:
        await rotate_secrets(rotated.sessions, rotated.secrets, actor=CLI)
    message = str(caught.value)
    assert "1 stored secret(s) open with no configured key: setting ai.other_key" in message
    assert "nothing was changed" in message and "sk-foreign" not in message
    assert caught.value.data["secrets"] == ["setting ai.other_key"]
    assert await stored(desk) == before  # lost nothing, moved nothing
    async with desk.sessions() as s:
        assert (
            await s.scalar(select(AuditEvent.id).where(AuditEvent.action == "secrets_rotated"))
            is None
        )


async def test_rotate_hints_at_the_development_key(
    desk: Desk, make_desk: DeskMaker, tmp_path: Path, database_url: str
) -> None:
    embedded = build_desk(settings_for(database_url, tmp_path / "data", DESK_SECRET_KEY=""))
    try:
        assert embedded.secrets.is_default
        await embedded.store.set("ai.api_key", "sk-from-the-dev-key", secret=True)
    finally:
        await embedded.close()
    box = make_desk(NEW, OLD)
    with pytest.raises(UnknownKey, match="embedded development key opens them"):
        await rotate_secrets(box.sessions, box.secrets, actor=CLI)
    moving_off = make_desk(NEW, EMBEDDED_DEV_KEY)
    assert (await rotate_secrets(moving_off.sessions, moving_off.secrets, actor=CLI)).rotated == 1
    assert await make_desk(NEW).store.get("ai.api_key") == "sk-from-the-dev-key"


def test_desk_secrets_rotate_command(
    database_url: str,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def seed() -> None:  # sealed with OLD, before the rotation
        old = build_desk(settings_for(database_url, cli_env, DESK_SECRET_KEY=OLD))
        try:
            await seed_secrets(old)
        finally:
            await old.close()

    asyncio.run(seed())
    monkeypatch.setenv("DESK_SECRET_KEY", NEW)
    monkeypatch.setenv("DESK_SECRET_KEY_OLD", OLD)
    code, out, err = run(capsys, "secrets", "rotate")
    assert (code, err) == (0, "")
    assert (
        out
        == "re-encrypted 5 stored secret(s) with the newest key (0 already used it; 2 key(s) configured)\n"
    )
    code, out, _ = run(capsys, "secrets", "rotate", "--json")
    assert code == 0
    assert json.loads(out) == {
        "rotated": 0,
        "current": 5,
        "keys": 2,
        "kinds": {},
    }

    monkeypatch.setenv("DESK_SECRET_KEY", "yet-another-key-9999")
    monkeypatch.delenv("DESK_SECRET_KEY_OLD")
    code, out, err = run(capsys, "secrets", "rotate", "--json")
    assert (code, out) == (1, "")
    assert err.startswith(
        "desk: 5 stored secret(s) open with no configured key: setting ai.api_key"
    )
    assert err.count("\n") == 1

    monkeypatch.delenv("DESK_SECRET_KEY")
    monkeypatch.setenv("DESK_SECRET_KEY_OLD", NEW)
    code, _, err = run(capsys, "secrets", "rotate")
    assert code == 1 and "DESK_SECRET_KEY_OLD is set but DESK_SECRET_KEY is not" in err
