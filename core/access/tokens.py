"""API tokens: create (shown once), list, revoke, authenticate.

A token reads ``desk_<public id>_<secret>``. Only ``HMAC-SHA256(key, secret)`` is stored,
the key from ``SecretBox.hmac_key("api-token")``, compared with ``hmac.compare_digest``
(with each configured key, so a key rotation does not void the tokens issued before it).
``authenticate`` loads the owner from the database on every call, so a user demoted or
deactivated after creating a token loses the rights at the next request, and so does a
revoked token. Effective rights are the owner's role ∩ the token's scopes (see
``core.access.permissions.check_api``).

    tokens = TokenService(desk.sessions, desk.secrets)
    issued = await tokens.create(owner_id, scopes=["read"], expires="30d", by=admin)
    print(issued.token)  # the only time it is seen
    who = await tokens.authenticate(issued.token)  # a Principal with scopes={"read"}
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core.access.permissions import SCOPES, Principal, scopes_for_role
from core.audit import Actor, record
from core.errors import InvalidToken, NotFound, ValidationError
from core.secrets import SecretBox
from db.base import utcnow
from db.models import ApiToken, User
from db.session import SessionFactory

PREFIX = "desk"
DEFAULT_EXPIRY = "90d"
MAX_EXPIRY = timedelta(days=365)
KINDS = ("personal", "service")
# last_used_at is written at most this often per token (one UPDATE a minute, not a request)
TOUCH_EVERY = timedelta(minutes=1)
_DURATION = re.compile(r"^([1-9][0-9]{0,5})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_TOKEN = re.compile(r"^desk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$")


def parse_duration(text: str) -> timedelta:
    """``30m``, ``12h``, ``90d`` -> a timedelta of at most 365 days; else ValidationError."""
    found = _DURATION.match(text.strip())
    if found is None:
        raise ValidationError(
            f"expiry {text[:40]!r} is not a duration like 30m, 12h or 90d", expires=text[:40]
        )
    delta = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    if delta > MAX_EXPIRY:
        raise ValidationError("a token expires within 365 days at most", expires=text[:40])
    return delta


def parse_scopes(scopes: str | Iterable[str]) -> tuple[str, ...]:
    """``"read,write"`` or a list -> the scopes in canonical order; unknown: ValidationError."""
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    wanted = {s.strip() for s in items if s.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ValidationError(
            f"unknown scope {', '.join(unknown)}: use read, write or admin", scopes=unknown
        )
    if not wanted:
        raise ValidationError("a token needs at least one scope: read, write or admin")
    return tuple(s for s in SCOPES if s in wanted)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about a token: never the token or its hash."""

    id: int
    public_id: str
    name: str
    kind: str
    user_id: int
    user_email: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "public_id": self.public_id,
            "name": self.name,
            "kind": self.kind,
            "user_id": self.user_id,
            "user": self.user_email,
            "scopes": list(self.scopes),
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "last_used_at": iso(self.last_used_at),
            "revoked_at": iso(self.revoked_at),
        }


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``token`` is the only copy there will ever be."""

    token: str
    info: TokenInfo


def _info(row: ApiToken, email: str) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        public_id=row.public_id,
        name=row.name,
        kind=row.kind,
        user_id=row.user_id,
        user_email=email,
        scopes=parse_scopes(row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def public_id_of(token: str) -> str | None:
    """The public id of a well-formed token string (for throttling and logs), else None."""
    found = _TOKEN.match(token)
    return found.group(1) if found else None


class TokenService:
    def __init__(
        self,
        sessions: SessionFactory,
        box: SecretBox,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        # newest first: tokens are hashed with the first; a token hashed with an old key
        # (before a key rotation) still matches, and is hashed again with the newest on use
        self._keys = box.hmac_keys("api-token")
        self.clock = clock

    def _hash(self, secret: str, key: bytes | None = None) -> str:
        return hmac.new(key or self._keys[0], secret.encode(), hashlib.sha256).hexdigest()

    async def create(
        self,
        owner_id: int,
        *,
        scopes: str | Iterable[str] = ("read",),
        expires: str = DEFAULT_EXPIRY,
        name: str = "",
        kind: str = "personal",
        by: Actor,
    ) -> IssuedToken:
        if kind not in KINDS:
            raise ValidationError(f"token kind {kind!r}: use personal or service", kind=kind)
        wanted = parse_scopes(scopes)
        lifetime = parse_duration(expires)
        name = name.strip()
        if len(name) > 200:
            raise ValidationError("a token name has at most 200 characters")
        public_id = "".join(secrets.choice(_ALNUM) for _ in range(16))
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        async with self.sessions() as session, session.begin():
            owner = await session.get(User, owner_id)
            if owner is None:
                raise NotFound(f"user {owner_id} not found", user_id=owner_id)
            if not owner.is_active:
                raise ValidationError(f"{owner.email} is deactivated: no token for them")
            beyond = [s for s in wanted if s not in scopes_for_role(owner.role)]
            if beyond:
                raise ValidationError(
                    f"the scope {', '.join(beyond)} needs the role admin; "
                    f"{owner.email} is {owner.role}",
                    field="scopes",
                    scopes=beyond,
                )
            if kind == "service":
                if owner.role != "admin":
                    raise ValidationError("a service token is owned by an admin", user=owner.email)
                if not name:
                    raise ValidationError("a service token needs its own name (--name)")
            row = ApiToken(
                public_id=public_id,
                name=name,
                kind=kind,
                user_id=owner.id,
                scopes=",".join(wanted),
                secret_hash=self._hash(secret),
                created_at=now,
                created_by_id=by.user_id,
                expires_at=now + lifetime,
            )
            session.add(row)
            await session.flush()
            record(
                session,
                by,
                "token_created",
                target=f"token:{public_id}",
                token_id=row.id,
                public_id=public_id,
                owner=owner.email,
                kind=kind,
                scopes=list(wanted),
                expires_at=row.expires_at.isoformat(),
            )
            info = _info(row, owner.email)
        return IssuedToken(token=f"{PREFIX}_{public_id}_{secret}", info=info)

    async def list(self, user_id: int | None = None) -> list[TokenInfo]:
        query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
        if user_id is not None:
            query = query.where(ApiToken.user_id == user_id)
        async with self.sessions() as session:
            rows = (await session.execute(query.order_by(ApiToken.id))).all()
        return [_info(row, email) for row, email in rows]

    async def get(self, token_id: int) -> TokenInfo:
        async with self.sessions() as session:
            found = (
                await session.execute(
                    select(ApiToken, User.email)
                    .join(User, User.id == ApiToken.user_id)
                    .where(ApiToken.id == token_id)
                )
            ).first()
        if found is None:
            raise NotFound(f"token {token_id} not found", token_id=token_id)
        return _info(found[0], found[1])

    async def revoke(self, token_id: int, *, by: Actor, owner_id: int | None = None) -> TokenInfo:
        """Revoke a token (idempotent). ``owner_id``: only if it is that user's token (a
        person revoking their own); another's is answered as not found."""
        async with self.sessions() as session, session.begin():
            row = await session.get(ApiToken, token_id)
            if row is None or (owner_id is not None and row.user_id != owner_id):
                raise NotFound(f"token {token_id} not found", token_id=token_id)
            owner = await session.get(User, row.user_id)
            if row.revoked_at is None:
                row.revoked_at, row.revoked_by_id = self.clock(), by.user_id
                record(
                    session,
                    by,
                    "token_revoked",
                    target=f"token:{row.public_id}",
                    changes={"revoked_at": [None, row.revoked_at.isoformat()]},
                    token_id=row.id,
                    public_id=row.public_id,
                    owner=owner.email if owner else None,
                )
            info = _info(row, owner.email if owner else "")
        return info

    async def authenticate(self, token: str, now: datetime | None = None) -> Principal:
        """The token's owner as a Principal with the token's scopes; InvalidToken if the
        token is malformed, unknown, expired, revoked, or its owner is not active."""
        now = now or self.clock()
        found = _TOKEN.match(token)
        if found is None:
            raise InvalidToken("the token is malformed: expected desk_<id>_<secret>")
        public_id, secret = found.groups()
        async with self.sessions() as session, session.begin():
            row = await session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
            # hash even when unknown, so timing says nothing about which ids exist
            digests = [self._hash(secret, key) for key in self._keys]
            stored = row.secret_hash if row is not None else "0" * 64
            matches = [hmac.compare_digest(digest, stored) for digest in digests]
            if row is None or not any(matches):
                raise InvalidToken("the token is unknown", public_id=public_id)
            if row.revoked_at is not None:
                raise InvalidToken("the token was revoked", public_id=public_id)
            if row.expires_at <= now:
                raise InvalidToken("the token has expired", public_id=public_id)
            owner = await session.get(User, row.user_id)
            if owner is None or not owner.is_active:
                raise InvalidToken("the token's owner is not an active desk user")
            if not matches[0]:  # hashed with an old key: move it to the newest
                row.secret_hash = digests[0]
            if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
                row.last_used_at = now
            return Principal(
                owner.id,
                owner.email,
                owner.role,
                "api",
                scopes=frozenset(parse_scopes(row.scopes)),
            )


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
