"""Response templates: reply texts with variables, rendered in Jinja2's sandbox.

    Hi {{ customer_first_name }},

    thanks for writing about "{{ subject }}" (ticket #{{ ticket_id }}).
    ...
    {{ agent_name }}, {{ company_name }}

- A template cannot reach Python internals (``SandboxedEnvironment``); ``*`` and ``**`` are
  bounded so a template cannot build a gigabyte string.
- An unknown variable is an error for the template's author (``ValidationError`` naming
  it), checked when the template is saved and again when it is rendered
  (``StrictUndefined``), never a blank in a customer's mail.
- Templates are general (``category`` None) or for one category; ``ai_draft`` marks the one
  the offline provider drafts from for its category (a general one for every category
  without its own).
- Each insertion into a reply is recorded (``template_uses``) for usage analytics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import Actor, record
from core.errors import NotFound, ValidationError
from core.replies.rendering import (
    SAMPLE,
    VARIABLES,
    check_template,
    first_name,
    render_text,
    template_variables,
)
from core.vocabulary import CATEGORIES
from db.base import storable_id, utcnow
from db.models import ResponseTemplate, TemplateUse, Ticket, User
from db.session import SessionFactory

MAX_NAME_CHARS = 100
GENERAL = "*"  # key of the general template in ``TemplateService.for_triage``


def _canon_category(category: str | None) -> str | None:
    if category is None or not category.strip() or category.strip().lower() in ("general", "*"):
        return None
    low = category.strip().lower()
    for c in CATEGORIES:
        if c.lower() == low or c.lower().split(" ")[0] == low:
            return c
    raise ValidationError(
        f"unknown category {category!r}; use one of {', '.join(CATEGORIES)} or general",
        field="category",
    )


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    name: str
    body: str
    category: str | None = None  # None: general
    description: str = ""
    ai_draft: bool = False
    is_active: bool = True

    def validated(self) -> TemplateSpec:
        name = " ".join(self.name.split())
        if not name:
            raise ValidationError("a template needs a name", field="name")
        if len(name) > MAX_NAME_CHARS:
            raise ValidationError(f"a name is at most {MAX_NAME_CHARS} characters", field="name")
        if name.isdigit():
            raise ValidationError("a template name cannot be only digits", field="name")
        body = self.body.replace("\r\n", "\n").strip()
        check_template(body)
        return replace(self, name=name, body=body, category=_canon_category(self.category))


@dataclass(frozen=True, slots=True)
class TemplateView:
    id: int
    name: str
    category: str | None
    description: str
    body: str
    is_active: bool
    ai_draft: bool
    uses: int
    created_at: datetime
    updated_at: datetime
    variables: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "description": self.description,
            "body": self.body,
            "is_active": self.is_active,
            "ai_draft": self.ai_draft,
            "uses": self.uses,
            "variables": self.variables,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _view(t: ResponseTemplate, uses: int) -> TemplateView:
    try:
        variables = template_variables(t.body)
    except ValidationError:
        variables = []
    return TemplateView(
        id=t.id,
        name=t.name,
        category=t.category,
        description=t.description,
        body=t.body,
        is_active=t.is_active,
        ai_draft=t.ai_draft,
        uses=uses,
        created_at=t.created_at,
        updated_at=t.updated_at,
        variables=variables,
    )


class _Keep:
    """The default of ``TemplateService.update(category=...)``: leave it as it is."""


KEEP = _Keep()


class TemplateService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        branding: Callable[[], Any] | None = None,
        company_name: str = "Support",
        signature: str = "",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """``branding``: an async callable returning ``(company_name, signature)`` as set in
        the app now (settings); without it, the fixed ``company_name`` / ``signature``."""
        self.sessions = session_factory
        self.branding = branding
        self.company_name = company_name
        self.signature = signature
        self.clock = clock

    # -- reading ----------------------------------------------------------------------------

    async def list(
        self, *, category: str | None = None, include_inactive: bool = False
    ) -> list[TemplateView]:
        """Templates, general ones included; with ``category``, that category's and the
        general ones (category-specific first)."""
        cat = _canon_category(category) if category else None
        uses = func.count(TemplateUse.id)
        q = (
            select(ResponseTemplate, uses)
            .outerjoin(TemplateUse, TemplateUse.template_id == ResponseTemplate.id)
            .group_by(ResponseTemplate.id)
        )
        if not include_inactive:
            q = q.where(ResponseTemplate.is_active.is_(True))
        if cat is not None:
            q = q.where((ResponseTemplate.category == cat) | ResponseTemplate.category.is_(None))
        async with self.sessions() as session:
            rows = (await session.execute(q)).all()
        views = [_view(t, int(n)) for t, n in rows]
        return sorted(views, key=lambda v: (v.category is None, v.category or "", v.name.lower()))

    async def get(self, ref: int | str) -> TemplateView:
        async with self.sessions() as session:
            t = await self._load(session, ref)
            uses = await session.scalar(
                select(func.count()).select_from(TemplateUse).where(TemplateUse.template_id == t.id)
            )
        return _view(t, int(uses or 0))

    async def _load(self, session: AsyncSession, ref: int | str) -> ResponseTemplate:
        if isinstance(ref, int) and not storable_id(ref):
            t = None
        elif isinstance(ref, int) or (ref.isascii() and ref.isdigit() and storable_id(int(ref))):
            t = await session.get(ResponseTemplate, int(ref))
        else:
            t = await session.scalar(
                select(ResponseTemplate).where(
                    func.lower(ResponseTemplate.name) == " ".join(ref.split()).lower()
                )
            )
        if t is None:
            raise NotFound(f"template {ref!r} not found", template=ref)
        return t

    # -- writing ----------------------------------------------------------------------------

    async def create(self, spec: TemplateSpec, actor: Actor) -> TemplateView:
        spec = spec.validated()
        try:
            async with self.sessions.begin() as session:
                await self._check_name_free(session, spec.name, None)
                if spec.ai_draft:
                    await self._clear_ai_draft(session, spec.category)
                t = ResponseTemplate(
                    name=spec.name,
                    category=spec.category,
                    description=spec.description.strip(),
                    body=spec.body,
                    is_active=spec.is_active,
                    ai_draft=spec.ai_draft and spec.is_active,
                    created_by_id=actor.user_id,
                    updated_by_id=actor.user_id,
                    created_at=self.clock(),
                    updated_at=self.clock(),
                )
                session.add(t)
                await session.flush()
                record(
                    session,
                    actor,
                    "template.created",
                    target=f"template:{t.id}",
                    template_id=t.id,
                    name=t.name,
                )
        except IntegrityError as exc:
            raise ValidationError(
                f"a template named {spec.name!r} exists already", field="name"
            ) from exc
        return _view(t, 0)

    async def update(
        self,
        ref: int | str,
        actor: Actor,
        *,
        name: str | None = None,
        body: str | None = None,
        category: str | None | _Keep = KEEP,
        description: str | None = None,
        ai_draft: bool | None = None,
        is_active: bool | None = None,
    ) -> TemplateView:
        """Change some fields; ``category=None`` makes it general; unset ones stay."""
        async with self.sessions.begin() as session:
            t = await self._load(session, ref)
            spec = TemplateSpec(
                name=t.name if name is None else name,
                body=t.body if body is None else body,
                category=t.category if isinstance(category, _Keep) else category,
                description=t.description if description is None else description,
                ai_draft=t.ai_draft if ai_draft is None else ai_draft,
                is_active=t.is_active if is_active is None else is_active,
            ).validated()
            await self._check_name_free(session, spec.name, t.id)
            if spec.ai_draft and spec.is_active:
                await self._clear_ai_draft(session, spec.category, keep=t.id)
            changed = [
                k
                for k, old, new in (
                    ("name", t.name, spec.name),
                    ("body", t.body, spec.body),
                    ("category", t.category, spec.category),
                    ("description", t.description, spec.description),
                    ("ai_draft", t.ai_draft, spec.ai_draft),
                    ("is_active", t.is_active, spec.is_active),
                )
                if old != new
            ]
            t.name, t.body, t.category = spec.name, spec.body, spec.category
            t.description, t.is_active = spec.description.strip(), spec.is_active
            t.ai_draft = spec.ai_draft and spec.is_active
            t.updated_by_id, t.updated_at = actor.user_id, self.clock()
            record(
                session,
                actor,
                "template.updated",
                target=f"template:{t.id}",
                template_id=t.id,
                changed=changed,
            )
            await session.flush()
            uses = await session.scalar(
                select(func.count()).select_from(TemplateUse).where(TemplateUse.template_id == t.id)
            )
        return _view(t, int(uses or 0))

    async def delete(self, ref: int | str, actor: Actor, *, purge: bool = False) -> None:
        """Archive (``is_active`` off, its usage history kept) or, ``purge``, delete."""
        async with self.sessions.begin() as session:
            t = await self._load(session, ref)
            if purge:
                await session.delete(t)
            else:
                t.is_active, t.ai_draft = False, False
                t.updated_by_id, t.updated_at = actor.user_id, self.clock()
            record(
                session,
                actor,
                "template.deleted" if purge else "template.archived",
                target=f"template:{t.id}",
                template_id=t.id,
                name=t.name,
            )

    async def _check_name_free(self, session: AsyncSession, name: str, own_id: int | None) -> None:
        other = await session.scalar(
            select(ResponseTemplate.id).where(func.lower(ResponseTemplate.name) == name.lower())
        )
        if other is not None and other != own_id:
            raise ValidationError(f"a template named {name!r} exists already", field="name")

    async def _clear_ai_draft(
        self, session: AsyncSession, category: str | None, *, keep: int | None = None
    ) -> None:
        cond = (
            ResponseTemplate.category.is_(None)
            if category is None
            else ResponseTemplate.category == category
        )
        q = update(ResponseTemplate).where(cond, ResponseTemplate.ai_draft.is_(True))
        if keep is not None:
            q = q.where(ResponseTemplate.id != keep)
        await session.execute(q.values(ai_draft=False).execution_options(synchronize_session=False))

    # -- rendering --------------------------------------------------------------------------

    async def variables_for(
        self,
        *,
        ticket_id: int | None = None,
        agent_id: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The values of every variable for a reply on ``ticket_id`` by ``agent_id``;
        sample values stand in for what is not given (a preview)."""
        values = dict(SAMPLE)
        company, signature = await self._branding()
        values["company_name"] = company
        values["signature"] = signature or f"The {company} team"
        values["today"] = self.clock().date().isoformat()
        async with self.sessions() as session:
            if ticket_id is not None:
                ticket = await session.get(Ticket, ticket_id) if storable_id(ticket_id) else None
                if ticket is None:
                    raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
                name = ticket.requester_name.strip() or ticket.requester_email.split("@")[0]
                values |= {
                    "customer_name": name,
                    "customer_first_name": first_name(ticket.requester_name) or name,
                    "customer_email": ticket.requester_email,
                    "ticket_id": ticket.id,
                    "subject": ticket.subject,
                    "category": ticket.category or "",
                    "urgency": ticket.urgency or "",
                }
            if agent_id is not None:
                user = await session.get(User, agent_id)
                if user is not None:
                    values["agent_name"] = user.name or user.email.split("@")[0]
                    values["agent_email"] = user.email
        if extra:
            values |= {k: v for k, v in extra.items() if k in VARIABLES}
        return values

    async def _branding(self) -> tuple[str, str]:
        if self.branding is not None:
            company, signature = await self.branding()
            return company or self.company_name, signature or self.signature
        return self.company_name, self.signature

    async def render(
        self,
        ref: int | str,
        *,
        ticket_id: int | None = None,
        agent_id: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        """A preview: the template rendered for a ticket (or sample values); not recorded."""
        t = await self.get(ref)
        return render_text(
            t.body, await self.variables_for(ticket_id=ticket_id, agent_id=agent_id, extra=extra)
        )

    async def preview(self, body: str, *, ticket_id: int | None = None) -> str:
        """Render an unsaved template text (the author's preview)."""
        check_template(body)
        return render_text(body, await self.variables_for(ticket_id=ticket_id))

    async def use(
        self, ref: int | str, *, ticket_id: int, actor: Actor, draft_id: int | None = None
    ) -> str:
        """Render for ``ticket_id`` by ``actor`` and record the use ("Use template")."""
        t = await self.get(ref)
        if not t.is_active:
            raise ValidationError(f"template {t.name!r} is archived", field="template")
        text = render_text(
            t.body, await self.variables_for(ticket_id=ticket_id, agent_id=actor.user_id)
        )
        async with self.sessions.begin() as session:
            session.add(
                TemplateUse(
                    template_id=t.id,
                    ticket_id=ticket_id,
                    draft_id=draft_id,
                    used_by_id=actor.user_id,
                    source=actor.source,
                    used_at=self.clock(),
                )
            )
            record(
                session,
                actor,
                "template.used",
                ticket_id=ticket_id,
                draft_id=draft_id,
                template_id=t.id,
                name=t.name,
            )
        return text

    async def for_triage(self) -> dict[str, str]:
        """The AI-draft templates: category value -> body; ``GENERAL`` for the general one.
        The offline provider drafts from these (``TriageRequest.reply_templates``)."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(ResponseTemplate.category, ResponseTemplate.body).where(
                    ResponseTemplate.ai_draft.is_(True), ResponseTemplate.is_active.is_(True)
                )
            )
            return {(category or GENERAL): body for category, body in rows}
