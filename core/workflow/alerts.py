"""The notification service: the real ``NoticeSink``.

``send(notices)`` takes what the producers (SLA sweep, assignment, the notification sweep)
built and, for each notice:

1. chooses the channel from the user's preferences (Slack DM by default, email, none); a
   Slack DM for a user with no Slack account, or a desk without Slack, goes by email;
2. claims it by inserting its ``notifications_sent`` row first: the key is unique, so a
   notice whose key was claimed before (a repeated sweep, a second worker) is dropped here;
3. holds a non-urgent notice in the user's quiet hours (row ``held``); urgent ones (SLA
   breaches) go through. Held notices are delivered by the sweep (``release``) once the
   user's quiet hours are over, grouped like any other;
4. delivers what it claimed grouped: all the notices of one kind for one user in one call
   (or one sweep) become one message ("50 tickets were assigned to you"), then records the
   result of each notice (``ok``, ``failed`` with the reason, ``skipped`` with why).

A failed delivery is tried again by the sweep (``MAX_ATTEMPTS`` in all, ``RETRY_AFTER``
apart). A crash between the claim and the record of the result leaves the row ``sending``;
the sweep marks it ``failed`` ("interrupted") after ``STALE_AFTER`` and does *not* deliver it
again: the message may or may not have gone out, and a notice sent twice is what this
design rules out, so such a notice is at most once, and visible in the record.

Slack goes through the ``DirectMessages`` port (``bot.notifier``), mail through a
``NoticeMail`` (``core.outbound.notice_mail``). A delivery problem never raises out of
``send``: the producer's own work is done, the record says what happened.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.workflow.notices import Notice
from core.workflow.preferences import Preferences, PreferenceStore
from db.base import utcnow
from db.models import NotificationSent, User
from db.session import SessionFactory

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
STALE_AFTER = timedelta(minutes=10)
MAX_LINES = 20  # lines of a grouped message; the rest are counted
MAX_KEY = 300
CHUNK = 500  # ids per IN (...)

# the title of a grouped message, by kind; {n} is how many notices it groups
TITLES = {
    "high_urgency": "{n} new High-urgency tickets",
    "assigned": "{n} tickets were assigned to you",
    "sla_warning": "{n} of your tickets are close to an SLA target",
    "sla_breach": "{n} of your tickets breached an SLA target",
    "customer_replied": "Customers replied on {n} of your tickets",
    "draft_waiting": "{n} drafts are waiting for your approval",
    "digest": "{n} digests",
}


@dataclass(frozen=True, slots=True)
class NoticeLine:
    text: str
    ticket_id: int | None = None


@dataclass(frozen=True, slots=True)
class NoticeMessage:
    """What one delivery says: a title, and for a group one line per notice."""

    kind: str
    title: str
    lines: tuple[NoticeLine, ...] = ()
    more: int = 0  # lines left out
    urgent: bool = False
    count: int = 1

    def as_text(self) -> str:
        out = [self.title, ""] if self.lines else [self.title]
        out += [f"- {line.text}" for line in self.lines]
        if self.more:
            out.append(f"... and {self.more} more")
        return "\n".join(out).rstrip()


class DirectMessages(Protocol):
    """A Slack DM to one user (``bot.notifier.SlackNotifier``)."""

    async def direct_message(
        self, *, team_id: str | None, slack_user_id: str, message: NoticeMessage
    ) -> None:
        """Raises ``core.errors.DeliveryFailed`` when Slack did not take it."""
        ...

    async def user_zone(self, *, team_id: str | None, slack_user_id: str) -> str | None:
        """The user's time zone as Slack has it (``users.info`` ``tz``), or None."""
        ...


class NoticeMail(Protocol):
    async def send_notice(self, *, to: str, subject: str, body: str, kind: str) -> None:
        """Raises ``core.errors.MailError``."""
        ...


@dataclass
class SendReport:
    """Notices by what happened to them, and how many messages went out."""

    sent: int = 0
    failed: int = 0
    held: int = 0
    skipped: int = 0
    duplicate: int = 0  # claimed before: not sent again
    messages: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: SendReport) -> None:
        for name in ("sent", "failed", "held", "skipped", "duplicate", "messages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "held": self.held,
            "skipped": self.skipped,
            "duplicate": self.duplicate,
            "messages": self.messages,
        }


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    user_id: int
    kind: str
    channel: str
    text: str
    ticket_id: int | None
    urgent: bool
    attempts: int
    result: str = "sending"


@dataclass(frozen=True, slots=True)
class _Person:
    id: int
    email: str
    active: bool
    slack_team_id: str | None
    slack_user_id: str | None


class NotificationService:
    def __init__(
        self,
        sessions: SessionFactory,
        *,
        port: DirectMessages | None,
        mailer: NoticeMail | None,
        clock: Callable[[], datetime] = utcnow,
        preferences: PreferenceStore | None = None,
    ) -> None:
        self.sessions = sessions
        self.port = port
        self.mailer = mailer
        self.clock = clock
        self.preferences = preferences or PreferenceStore(sessions, clock=clock)
        self._zone_asked: set[int] = set()

    def use_port(self, port: DirectMessages | None) -> None:
        """Slack DMs through ``port`` from now on (the Slack app, once it is built)."""
        self.port = port

    # -- the sink ------------------------------------------------------------------------------

    async def send(self, notices: Sequence[Notice]) -> None:
        """``NoticeSink.send``: claim, hold or deliver each notice; never raises for a
        delivery problem (see ``deliver_report`` for what happened). A key longer than
        ``MAX_KEY`` is a producer's bug: ``ValueError`` before anything is claimed."""
        await self.deliver_report(notices)

    async def deliver_report(
        self, notices: Sequence[Notice], *, release: bool = False
    ) -> SendReport:
        """``send`` with its report. ``release``: also deliver, in the same groups, the
        held notices whose quiet hours are over and the failed ones due for a retry (what
        the sweep does)."""
        report = SendReport()
        now = self.clock()
        claimed = await self._claim(notices, now, report)
        if release:
            claimed += await self._release(now, report)
        await self._deliver(claimed, now, report)
        return report

    async def record_skipped(self, notices: Iterable[Notice], reason: str) -> int:
        """Record notices that are not worth sending (an empty digest) under their keys,
        so that they are neither sent nor looked at again; how many were new."""
        report = SendReport()
        now = self.clock()
        rows = [_row(n, channel="none", result="skipped", reason=reason, now=now) for n in notices]
        await self._insert(rows, report)
        return report.skipped

    # -- claiming ----------------------------------------------------------------------------

    async def _claim(
        self, notices: Sequence[Notice], now: datetime, report: SendReport
    ) -> list[_Claimed]:
        unique: dict[str, Notice] = {}
        for n in notices:
            if len(n.key) > MAX_KEY:
                raise ValueError(f"notice key longer than {MAX_KEY} characters: {n.key[:60]}...")
            if n.key in unique:
                report.duplicate += 1
            else:
                unique[n.key] = n
        if not unique:
            return []
        people = await self._people({n.user_id for n in unique.values()})
        unknown = [n for n in unique.values() if n.user_id not in people]
        if unknown:  # no row can name a user who does not exist
            report.skipped += len(unknown)
            log.warning(
                "%d notices for users who do not exist (%s): dropped",
                len(unknown),
                ", ".join(sorted({str(n.user_id) for n in unknown})),
            )
        prefs = await self._preferences(people)
        rows = [
            self._plan(n, people[n.user_id], prefs, now)
            for n in unique.values()
            if n.user_id in people
        ]
        return await self._insert(rows, report)

    def _plan(
        self,
        notice: Notice,
        person: _Person,
        prefs: dict[int, Preferences],
        now: datetime,
    ) -> NotificationSent:
        if not person.active:
            return _row(
                notice, channel="none", result="skipped", reason="no active desk user", now=now
            )
        p = prefs[person.id]
        channel = p.channel(notice.kind)
        reason = None
        if channel == "none":
            return _row(
                notice, channel="none", result="skipped", reason="turned off by the user", now=now
            )
        if channel == "slack" and not person.slack_user_id:
            channel, reason = "email", "no Slack account linked: sent by email"
        elif channel == "slack" and self.port is None:
            channel, reason = "email", "Slack is not configured: sent by email"
        if channel == "email" and self.mailer is None:
            return _row(
                notice, channel="email", result="skipped", reason="no mail configured", now=now
            )
        ends = None if notice.urgent else p.quiet_ends(now)
        if ends is not None:
            return _row(
                notice,
                channel=channel,
                result="held",
                reason=f"quiet hours until {ends.isoformat()}",
                now=now,
            )
        return _row(notice, channel=channel, result="sending", reason=reason, now=now)

    async def _insert(self, rows: list[NotificationSent], report: SendReport) -> list[_Claimed]:
        """Insert-first claim: the rows whose key nobody claimed before, in one transaction
        (one per row when another process claimed some of them meanwhile)."""
        if not rows:
            return []
        taken: set[str] = set()
        keys = [r.key for r in rows]
        async with self.sessions() as session:
            for i in range(0, len(keys), CHUNK):
                taken.update(
                    await session.scalars(
                        select(NotificationSent.key).where(
                            NotificationSent.key.in_(keys[i : i + CHUNK])
                        )
                    )
                )
        fresh = [r for r in rows if r.key not in taken]
        report.duplicate += len(rows) - len(fresh)
        try:
            async with self.sessions.begin() as session:
                session.add_all(fresh)
                await session.flush()
                inserted = [_claimed(r) for r in fresh]
        except IntegrityError:  # another worker claimed some at the same moment
            inserted = []
            for r in fresh:
                one = _copy(r)
                try:
                    async with self.sessions.begin() as session:
                        session.add(one)
                        await session.flush()
                        inserted.append(_claimed(one))
                except IntegrityError:
                    report.duplicate += 1
        sending = []
        for c in inserted:
            if c.result == "sending":
                sending.append(c)
            elif c.result == "held":
                report.held += 1
            else:
                report.skipped += 1
        return sending

    async def _release(self, now: datetime, report: SendReport) -> list[_Claimed]:
        """Held notices whose user's quiet hours are over, and failed ones due for a retry,
        claimed back (``held|failed -> sending``, compare-and-set); stale claims closed."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(NotificationSent)
                .where(
                    NotificationSent.result == "sending", NotificationSent.at < now - STALE_AFTER
                )
                .values(
                    result="failed",
                    reason="interrupted between claim and delivery: not sent again",
                    attempts=MAX_ATTEMPTS,
                    done_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        async with self.sessions() as session:
            candidates = (
                await session.execute(
                    select(
                        NotificationSent.id, NotificationSent.user_id, NotificationSent.urgent
                    ).where(
                        or_(
                            NotificationSent.result == "held",
                            and_(
                                NotificationSent.result == "failed",
                                NotificationSent.attempts < MAX_ATTEMPTS,
                                NotificationSent.done_at <= now - RETRY_AFTER,
                            ),
                        )
                    )
                )
            ).all()
        if not candidates:
            return []
        people = await self._people({c.user_id for c in candidates})
        prefs = await self._preferences(people)
        due = [
            c.id
            for c in candidates
            if c.urgent or c.user_id not in prefs or not prefs[c.user_id].quiet_at(now)
        ]
        out: list[_Claimed] = []
        for i in range(0, len(due), CHUNK):
            async with self.sessions.begin() as session:
                rows = await session.execute(
                    update(NotificationSent)
                    .where(
                        NotificationSent.id.in_(due[i : i + CHUNK]),
                        NotificationSent.result.in_(("held", "failed")),
                    )
                    .values(result="sending", at=now)
                    .returning(
                        NotificationSent.id,
                        NotificationSent.user_id,
                        NotificationSent.kind,
                        NotificationSent.channel,
                        NotificationSent.text,
                        NotificationSent.ticket_id,
                        NotificationSent.urgent,
                        NotificationSent.attempts,
                    )
                    .execution_options(synchronize_session=False)
                )
                out += [_Claimed(*r) for r in rows]
        return out

    # -- delivering -------------------------------------------------------------------------

    async def _deliver(self, claimed: list[_Claimed], now: datetime, report: SendReport) -> None:
        if not claimed:
            return
        people = await self._people({c.user_id for c in claimed})
        groups: dict[tuple[int, str, str], list[_Claimed]] = defaultdict(list)
        for c in claimed:
            groups[(c.user_id, c.kind, c.channel)].append(c)
        for (user_id, kind, channel), rows in groups.items():
            rows.sort(key=lambda r: (r.ticket_id or 0, r.id))
            message = group_message(kind, rows)
            person = people.get(user_id)
            error = await self._deliver_one(person, channel, message)
            await self._record(rows, error, now)
            if error is None:
                report.sent += len(rows)
                report.messages += 1
            else:
                report.failed += len(rows)
                report.errors.append(f"user {user_id} {kind} by {channel}: {error}")
                log.warning(
                    "notice to user %s (%s by %s) failed: %s", user_id, kind, channel, error
                )

    async def _deliver_one(
        self, person: _Person | None, channel: str, message: NoticeMessage
    ) -> str | None:
        """None when delivered, else why not."""
        if person is None or not person.active:
            return "no active desk user"
        try:
            if channel == "slack":
                if self.port is None or not person.slack_user_id:
                    return "no Slack DM possible (Slack off or no Slack account)"
                await self.port.direct_message(
                    team_id=person.slack_team_id,
                    slack_user_id=person.slack_user_id,
                    message=message,
                )
            elif channel == "email":
                if self.mailer is None:
                    return "no mail configured"
                await self.mailer.send_notice(
                    to=person.email,
                    subject=f"Support desk: {message.title}",
                    body=message.as_text() + FOOTER,
                    kind=message.kind,
                )
            else:
                return f"unknown channel {channel!r}"
        except Exception as exc:  # any delivery problem is recorded, never raised
            return f"{type(exc).__name__}: {exc}"[:1000]
        return None

    async def _record(self, rows: list[_Claimed], error: str | None, now: datetime) -> None:
        ids = [r.id for r in rows]
        async with self.sessions.begin() as session:
            for i in range(0, len(ids), CHUNK):
                values: dict[str, Any] = {
                    "result": "ok" if error is None else "failed",
                    "done_at": now,
                    "attempts": NotificationSent.attempts + 1,
                }
                if error is not None:
                    values["reason"] = error
                else:  # a retry that got through: the last failure is no longer the story
                    values["reason"] = case(
                        (NotificationSent.attempts > 0, "delivered on a retry"),
                        else_=NotificationSent.reason,
                    )
                await session.execute(
                    update(NotificationSent)
                    .where(
                        NotificationSent.id.in_(ids[i : i + CHUNK]),
                        NotificationSent.result == "sending",
                    )
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )

    # -- who ----------------------------------------------------------------------------------

    async def _people(self, user_ids: set[int]) -> dict[int, _Person]:
        ids = sorted(user_ids)
        out: dict[int, _Person] = {}
        async with self.sessions() as session:
            for i in range(0, len(ids), CHUNK):
                for u in await session.scalars(select(User).where(User.id.in_(ids[i : i + CHUNK]))):
                    out[u.id] = _Person(
                        u.id, u.email, u.is_active, u.slack_team_id, u.slack_user_id
                    )
        return out

    async def preferences_for(self, user_ids: Iterable[int]) -> dict[int, Preferences]:
        """The users' preferences, a zone not known yet asked of Slack (once)."""
        return await self._preferences(await self._people(set(user_ids)))

    async def _preferences(self, people: dict[int, _Person]) -> dict[int, Preferences]:
        """Each person's preferences; a zone not known yet is asked of Slack once."""
        prefs = await self.preferences.many(people)
        if self.port is None:
            return prefs
        for uid, p in prefs.items():
            person = people[uid]
            if p.tz is None and person.slack_user_id and uid not in self._zone_asked:
                self._zone_asked.add(uid)
                try:
                    tz = await self.port.user_zone(
                        team_id=person.slack_team_id, slack_user_id=person.slack_user_id
                    )
                except Exception as exc:  # no zone: UTC until the next process asks
                    log.info("no time zone from Slack for user %s: %s", uid, exc)
                    continue
                if tz:
                    await self.preferences.learn_zone(uid, tz)
        return await self.preferences.many(people)


FOOTER = (
    "\n\n--\nAn automatic notification from the support desk. Choose how you hear of each"
    " kind in Slack's App Home (Notification preferences) or with"
    " PUT /api/v1/me/notifications."
)


def group_message(kind: str, rows: Sequence[_Claimed] | Sequence[Notice]) -> NoticeMessage:
    """One message for notices of one kind to one user: a single notice says its own
    text (first line the title); several get a counted title and a line each."""
    urgent = any(r.urgent for r in rows)
    if len(rows) == 1:
        first, _, rest = rows[0].text.partition("\n")
        lines = tuple(NoticeLine(t) for t in rest.splitlines() if t.strip())
        return NoticeMessage(kind, first, lines, urgent=urgent)
    title = TITLES.get(kind, "{n} notices").format(n=len(rows))
    shown = tuple(NoticeLine(r.text.partition("\n")[0], r.ticket_id) for r in rows[:MAX_LINES])
    return NoticeMessage(
        kind, title, shown, more=max(0, len(rows) - MAX_LINES), urgent=urgent, count=len(rows)
    )


def _row(
    notice: Notice, *, channel: str, result: str, reason: str | None, now: datetime
) -> NotificationSent:
    return NotificationSent(
        user_id=notice.user_id,
        kind=notice.kind,
        key=notice.key,
        channel=channel,
        result=result,
        reason=reason,
        at=now,
        done_at=now if result == "skipped" else None,
        attempts=0,
        ticket_id=notice.ticket_id,
        urgent=notice.urgent,
        text=notice.text,
        data=dict(notice.data),
    )


def _copy(r: NotificationSent) -> NotificationSent:
    return NotificationSent(
        **{
            c: getattr(r, c)
            for c in (
                "user_id",
                "kind",
                "key",
                "channel",
                "result",
                "reason",
                "at",
                "done_at",
                "attempts",
                "ticket_id",
                "urgent",
                "text",
                "data",
            )
        }
    )


def _claimed(r: NotificationSent) -> _Claimed:
    return _Claimed(
        r.id, r.user_id, r.kind, r.channel, r.text, r.ticket_id, r.urgent, r.attempts, r.result
    )
