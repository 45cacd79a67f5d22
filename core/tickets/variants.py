"""Prompt variants (A/B): kept, drawn by triage, and paused when they do worse.

``VariantService`` adds, lists, pauses and resumes the ``prompt_variants`` rows; the shares
of the active variants of a category (its own and those for ``all``) add up to at most 100,
the rest of its tickets going to the category's control (else the default prompt).
Triage reads ``active_variants`` once per batch and draws each ticket's variant with
``core.ai.variants`` (a stable hash of ticket and category); the name drawn for the
category the provider chose is stored on the draft (``drafts.prompt_variant``) and, when a
person decides, on its outcome (``draft_outcomes.prompt_variant``).

Auto-pause (``VariantService.auto_pause``, run by the worker's ``learn`` job): a variant,
not a control, whose reject rate over at least ``MIN_DRAFTS`` decided drafts is
``PAUSE_POINTS`` percentage points or more above its control's (the category's control
variant, else the drafts of the default prompt, over at least ``MIN_CONTROL_DRAFTS``), is
paused with the figures as its reason, an audit event ``variant.paused`` and a notice to
``VariantAlerts`` (the triage channel). Rates are compared in exact integers, so a
difference of exactly 10 points pauses and 9.99 does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from core.ai.variants import ALL, Variant, control_of, over_full
from core.audit import Actor, record
from core.errors import InvalidTransition, NotFound, ValidationError
from core.vocabulary import category_of
from db.base import utcnow
from db.models import DraftOutcome, PromptVariant
from db.session import SessionFactory, rows_changed

MIN_DRAFTS = 200  # decided drafts of a variant before it can be paused
MIN_CONTROL_DRAFTS = 50  # decided drafts of its control to compare with
PAUSE_POINTS = 10  # percentage points of reject rate above the control's
NAME_CHARS = 50
INSTRUCTIONS_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class VariantView:
    id: int
    name: str
    category: str
    share: int
    instructions: str
    is_control: bool
    status: str
    paused_reason: str | None
    paused_at: datetime | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``desk variants list --json``."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "share": self.share,
            "instructions": self.instructions,
            "is_control": self.is_control,
            "status": self.status,
            "paused_reason": self.paused_reason,
            "paused_at": self.paused_at.isoformat() if self.paused_at else None,
            "created_at": self.created_at.isoformat(),
        }

    def variant(self) -> Variant:
        return Variant(self.name, self.category, self.share, self.instructions, self.is_control)


@dataclass(frozen=True, slots=True)
class Rates:
    decided: int
    rejected: int

    @property
    def reject_rate(self) -> float | None:
        return self.rejected / self.decided if self.decided else None


@dataclass(frozen=True, slots=True)
class PausedVariant:
    """A variant the desk paused: its figures and its control's (``control`` None: the
    default prompt)."""

    name: str
    category: str
    variant: Rates
    control: Rates
    control_name: str | None
    reason: str


class VariantAlerts(Protocol):
    async def paused(self, items: Sequence[PausedVariant]) -> None: ...


def _view(row: PromptVariant) -> VariantView:
    return VariantView(
        id=row.id,
        name=row.name,
        category=row.category,
        share=row.share,
        instructions=row.instructions,
        is_control=row.is_control,
        status=row.status,
        paused_reason=row.paused_reason,
        paused_at=row.paused_at,
        created_at=row.created_at,
    )


async def active_variants(session: AsyncSession) -> list[Variant]:
    """The active variants, oldest first: the order their shares are laid out in."""
    rows = await session.scalars(
        select(PromptVariant).where(PromptVariant.status == "active").order_by(PromptVariant.id)
    )
    return [_view(r).variant() for r in rows]


def _category(value: str) -> str:
    return ALL if value.strip().lower() == ALL else category_of(value)


def _check_shares(variants: Sequence[Variant]) -> None:
    full = over_full(variants)
    if full:
        said = ", ".join(f"{c}: {n}%" for c, n in full.items())
        raise ValidationError(
            f"the active variants' shares would add up to more than 100% ({said}); "
            "lower a share or pause a variant",
            field="share",
        )


class VariantService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        clock: Callable[[], datetime] = utcnow,
        alerts: VariantAlerts | None = None,
    ) -> None:
        self.sessions = session_factory
        self.clock = clock
        self.alerts = alerts

    async def all(self) -> list[VariantView]:
        async with self.sessions() as session:
            rows = await session.scalars(select(PromptVariant).order_by(PromptVariant.id))
            return [_view(r) for r in rows]

    async def add(
        self,
        *,
        name: str,
        category: str,
        share: int,
        instructions: str = "",
        is_control: bool = False,
        actor: Actor,
    ) -> VariantView:
        name = name.strip()
        if not name or len(name) > NAME_CHARS or name.startswith("("):
            raise ValidationError(
                f"a variant needs a name of 1 to {NAME_CHARS} characters, not in brackets "
                "(the default prompt is shown as (default))",
                field="name",
            )
        if not 0 <= share <= 100:
            raise ValidationError("a share is a percent, 0 to 100", field="share")
        if len(instructions) > INSTRUCTIONS_CHARS:
            raise ValidationError(
                f"instructions are at most {INSTRUCTIONS_CHARS} characters", field="instructions"
            )
        scope = _category(category)
        now = self.clock()
        async with self.sessions.begin() as session:
            if await session.scalar(select(PromptVariant.id).where(PromptVariant.name == name)):
                raise ValidationError(f"there is a variant named {name!r} already", field="name")
            active = await active_variants(session)
            new = Variant(name, scope, share, instructions, is_control)
            if is_control and any(v.is_control and v.category == scope for v in active):
                raise ValidationError(
                    f"{scope} has an active control already; pause it first", field="control"
                )
            _check_shares([*active, new])
            row = PromptVariant(
                name=name,
                category=scope,
                share=share,
                instructions=instructions,
                is_control=is_control,
                status="active",
                created_at=now,
            )
            session.add(row)
            await session.flush()
            record(
                session,
                actor,
                "variant.added",
                target=f"variant:{name}",
                at=now,
                category=scope,
                share=share,
                is_control=is_control,
            )
            return _view(row)

    async def pause(self, name: str, *, actor: Actor, reason: str | None = None) -> VariantView:
        return await self._set(name, "paused", actor=actor, reason=reason)

    async def resume(self, name: str, *, actor: Actor) -> VariantView:
        return await self._set(name, "active", actor=actor)

    async def _set(
        self, name: str, status: str, *, actor: Actor, reason: str | None = None
    ) -> VariantView:
        now = self.clock()
        async with self.sessions.begin() as session:
            row = await session.scalar(select(PromptVariant).where(PromptVariant.name == name))
            if row is None:
                raise NotFound(f"no prompt variant named {name!r}", name=name)
            if row.status == status:
                raise InvalidTransition(f"variant {name!r} is {status} already", current=status)
            if status == "active":
                active = await active_variants(session)
                _check_shares([*active, _view(row).variant()])
            row.status = status
            row.paused_reason = (reason or "paused by a person") if status == "paused" else None
            row.paused_at = now if status == "paused" else None
            record(
                session,
                actor,
                "variant.paused" if status == "paused" else "variant.resumed",
                target=f"variant:{name}",
                at=now,
                reason=row.paused_reason,
            )
            await session.flush()
            return _view(row)

    async def auto_pause(self) -> list[PausedVariant]:
        """Pause every active variant that does worse than its control (see the module);
        tell ``alerts``. Each pause is a compare-and-set on the status, so two workers
        pause a variant once."""
        now = self.clock()
        found: list[PausedVariant] = []
        async with self.sessions() as session:
            active = await active_variants(session)
            for variant in active:
                if variant.is_control:
                    continue
                paused = await _judge(session, variant, active)
                if paused is not None:
                    found.append(paused)
        done: list[PausedVariant] = []
        for item in found:
            async with self.sessions.begin() as session:
                result = await session.execute(
                    update(PromptVariant)
                    .where(PromptVariant.name == item.name, PromptVariant.status == "active")
                    .values(status="paused", paused_reason=item.reason, paused_at=now)
                    .execution_options(synchronize_session=False)
                )
                if rows_changed(result) != 1:
                    continue
                record(
                    session,
                    Actor.worker(),
                    "variant.paused",
                    target=f"variant:{item.name}",
                    at=now,
                    reason=item.reason,
                    decided=item.variant.decided,
                    rejected=item.variant.rejected,
                    control=item.control_name,
                    control_decided=item.control.decided,
                    control_rejected=item.control.rejected,
                )
            done.append(item)
        if done and self.alerts is not None:
            await self.alerts.paused(done)
        return done


async def _rates(session: AsyncSession, *conds: ColumnElement[bool]) -> Rates:
    decided, rejected = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(DraftOutcome.decision == "rejected"),
            ).where(*conds)
        )
    ).one()
    return Rates(int(decided), int(rejected or 0))


async def _judge(
    session: AsyncSession, variant: Variant, active: Sequence[Variant]
) -> PausedVariant | None:
    mine = await _rates(session, DraftOutcome.prompt_variant == variant.name)
    if mine.decided < MIN_DRAFTS:
        return None
    control = control_of(variant.category, active)
    conds: list[ColumnElement[bool]] = [
        DraftOutcome.prompt_variant == control.name
        if control is not None
        else DraftOutcome.prompt_variant.is_(None)
    ]
    if variant.category != ALL:
        conds.append(DraftOutcome.category == variant.category)
    base = await _rates(session, *conds)
    if base.decided < MIN_CONTROL_DRAFTS:
        return None
    # mine/dm - base/db >= PAUSE_POINTS/100, in integers
    gap = 100 * (mine.rejected * base.decided - base.rejected * mine.decided)
    if gap < PAUSE_POINTS * mine.decided * base.decided:
        return None
    against = f"control {control.name}" if control is not None else "the default prompt"
    reason = (
        f"rejected {mine.rejected} of {mine.decided} ({_pct(mine)}) against {against}'s "
        f"{base.rejected} of {base.decided} ({_pct(base)})"
    )
    return PausedVariant(
        name=variant.name,
        category=variant.category,
        variant=mine,
        control=base,
        control_name=control.name if control else None,
        reason=reason,
    )


def _pct(rates: Rates) -> str:
    rate = rates.reject_rate
    return "-" if rate is None else f"{rate * 100:.1f}%"
