"""Knowledge-base articles: create, edit (each edit is a new ``version``), publish,
archive, get, list; every change audited in its own transaction (``kb.created``,
``kb.edited``, ``kb.published``, ``kb.archived``, target ``kb:<id>``).

Who may: managers and admins write (``core.access.permissions.check_knowledge``), the
shell's operator too, but only a person publishes: the article then names its reviewer
(``reviewed_by_id``). Statuses: ``draft`` -> ``published`` -> ``archived``; an archived
article may be published again. An edit may name the version it changes
(compare-and-set): a stale one is an ``InvalidTransition`` naming the current version.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Principal, check_knowledge
from core.audit import record
from core.errors import InvalidTransition, NotFound, ValidationError
from core.knowledge.search import ArticleHit, check_status, language_code, search
from core.vocabulary import category_of
from db.base import storable_id, utcnow
from db.models import KbArticle
from db.session import SessionFactory

MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 100_000
MAX_URL_CHARS = 500
MAX_SOURCES = 50
MAX_PAGE = 1_000
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.I)


def _text(value: str, name: str) -> None:
    if "\x00" in value:
        raise ValidationError(f"the {name} cannot hold a NUL character", field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(f"the {name} must be valid Unicode text", field=name) from exc


def _url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    url = value.strip()
    if len(url) > MAX_URL_CHARS or not _URL.fullmatch(url):
        raise ValidationError(
            f"a public URL is an http(s) address of at most {MAX_URL_CHARS} characters",
            field="public_url",
        )
    return url


def _sources(ids: Sequence[int]) -> list[int]:
    if len(ids) > MAX_SOURCES:
        raise ValidationError(f"at most {MAX_SOURCES} source tickets", field="source_ticket_ids")
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int) or not storable_id(i):
            raise ValidationError(f"{i!r:.30} is not a ticket id", field="source_ticket_ids")
    return sorted(set(ids))


@dataclass(frozen=True, slots=True)
class ArticleSpec:
    """What a person writes; ``validated`` gives it its stored form or says what is wrong."""

    title: str
    body: str
    category: str | None = None
    language: str = "en"
    public_url: str | None = None
    source_ticket_ids: Sequence[int] = ()

    def validated(self) -> ArticleSpec:
        _text(self.title, "title")
        _text(self.body, "body")
        title = " ".join(self.title.split())
        if not title:
            raise ValidationError("an article needs a title", field="title")
        if len(title) > MAX_TITLE_CHARS:
            raise ValidationError(f"a title is at most {MAX_TITLE_CHARS} characters", field="title")
        body = self.body.replace("\r\n", "\n").strip()
        if not body:
            raise ValidationError("an article needs a body", field="body")
        if len(body) > MAX_BODY_CHARS:
            raise ValidationError(f"a body is at most {MAX_BODY_CHARS} characters", field="body")
        category = self.category.strip() if self.category else None
        return replace(
            self,
            title=title,
            body=body,
            category=category_of(category) if category else None,
            language=language_code(self.language),
            public_url=_url(self.public_url),
            source_ticket_ids=_sources(self.source_ticket_ids),
        )


@dataclass(frozen=True, slots=True)
class ArticleView:
    id: int
    title: str
    body: str
    category: str | None
    language: str
    status: str
    version: int
    reviewed_by_id: int | None
    helpful: int
    unhelpful: int
    last_cited_at: datetime | None
    public_url: str | None
    created_at: datetime
    updated_at: datetime
    source_ticket_ids: list[int] = field(default_factory=list)
    origin: str = "manual"  # or "proposal": drafted from a resolved ticket

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "category": self.category,
            "language": self.language,
            "status": self.status,
            "origin": self.origin,
            "version": self.version,
            "source_ticket_ids": self.source_ticket_ids,
            "reviewed_by_id": self.reviewed_by_id,
            "helpful": self.helpful,
            "unhelpful": self.unhelpful,
            "last_cited_at": self.last_cited_at.isoformat() if self.last_cited_at else None,
            "public_url": self.public_url,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _view(a: KbArticle) -> ArticleView:
    return ArticleView(
        id=a.id,
        title=a.title,
        body=a.body,
        category=a.category,
        language=a.language,
        status=a.status,
        version=a.version,
        reviewed_by_id=a.reviewed_by_id,
        helpful=a.helpful_count,
        unhelpful=a.unhelpful_count,
        last_cited_at=a.last_cited_at,
        public_url=a.public_url,
        created_at=a.created_at,
        updated_at=a.updated_at,
        source_ticket_ids=list(a.source_ticket_ids or []),
        origin=a.origin or "manual",
    )


class _Keep:
    """The default of ``KnowledgeBase.edit``'s optional fields: leave it as it is."""


KEEP = _Keep()


class KnowledgeBase:
    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = session_factory
        self.clock = clock

    # -- reading ----------------------------------------------------------------------------

    async def get(self, article_id: int) -> ArticleView:
        async with self.sessions() as session:
            return _view(await self._load(session, article_id))

    async def list(
        self, *, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[ArticleView]:
        """Articles, the most recently changed first; ``status``: only those."""
        check_status(status)
        if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= 2**31 - 1:
            raise ValidationError(f"limit is 1 to {MAX_PAGE}, offset 0 or more", field="limit")
        q = select(KbArticle).order_by(KbArticle.updated_at.desc(), KbArticle.id.desc())
        if status is not None:
            q = q.where(KbArticle.status == status)
        async with self.sessions() as session:
            rows = (await session.scalars(q.limit(limit).offset(offset))).all()
        return [_view(a) for a in rows]

    async def count(self, *, status: str | None = None) -> int:
        check_status(status)
        q = select(func.count()).select_from(KbArticle)
        if status is not None:
            q = q.where(KbArticle.status == status)
        async with self.sessions() as session:
            return int(await session.scalar(q) or 0)

    async def search(
        self,
        query: str,
        k: int = 5,
        *,
        status: str | None = "published",
        language: str | None = None,
        category: str | None = None,
    ) -> builtins.list[ArticleHit]:
        """``core.knowledge.search.search`` in a session of its own."""
        async with self.sessions() as session:
            return await search(
                session, query, k, status=status, language=language, category=category
            )

    async def _load(self, session: AsyncSession, article_id: int) -> KbArticle:
        article = await session.get(KbArticle, article_id) if storable_id(article_id) else None
        if article is None:
            raise NotFound(f"article {article_id} not found", article_id=article_id)
        return article

    # -- writing ----------------------------------------------------------------------------

    async def create(
        self, who: Principal, spec: ArticleSpec, *, publish: bool = False
    ) -> ArticleView:
        """A new article, a draft unless ``publish`` (which needs a manager or an admin)."""
        check_knowledge(who, "publish" if publish else "create")
        spec = spec.validated()
        now = self.clock()
        async with self.sessions.begin() as session:
            article = KbArticle(
                title=spec.title,
                body=spec.body,
                category=spec.category,
                language=spec.language,
                status="published" if publish else "draft",
                version=1,
                source_ticket_ids=list(spec.source_ticket_ids),
                reviewed_by_id=who.user_id if publish else None,
                helpful_count=0,
                unhelpful_count=0,
                public_url=spec.public_url,
                created_at=now,
                updated_at=now,
            )
            session.add(article)
            await session.flush()
            record(
                session,
                who.actor,
                "kb.created",
                target=f"kb:{article.id}",
                at=now,
                article_id=article.id,
                title=article.title,
                status=article.status,
                language=article.language,
            )
            return _view(article)

    async def edit(
        self,
        who: Principal,
        article_id: int,
        *,
        version: int | None = None,
        title: str | None = None,
        body: str | None = None,
        category: str | None | _Keep = KEEP,
        language: str | None = None,
        public_url: str | None | _Keep = KEEP,
        source_ticket_ids: Sequence[int] | None = None,
    ) -> ArticleView:
        """Change some fields: the article's next version (its status stays). ``version``:
        the one the editor saw (a newer one refuses the edit)."""
        check_knowledge(who, "edit")
        now = self.clock()
        async with self.sessions.begin() as session:
            article = await self._load(session, article_id)
            if version is not None and version != article.version:
                raise InvalidTransition(
                    f"article {article_id} is at version {article.version}, not {version}: "
                    "reload it and edit again",
                    current=article.version,
                )
            spec = ArticleSpec(
                title=article.title if title is None else title,
                body=article.body if body is None else body,
                category=article.category if isinstance(category, _Keep) else category,
                language=article.language if language is None else language,
                public_url=article.public_url if isinstance(public_url, _Keep) else public_url,
                source_ticket_ids=(
                    article.source_ticket_ids if source_ticket_ids is None else source_ticket_ids
                ),
            ).validated()
            before = {
                "title": article.title,
                "category": article.category,
                "language": article.language,
                "public_url": article.public_url,
                "source_ticket_ids": list(article.source_ticket_ids or []),
            }
            after = {
                "title": spec.title,
                "category": spec.category,
                "language": spec.language,
                "public_url": spec.public_url,
                "source_ticket_ids": list(spec.source_ticket_ids),
            }
            changes: dict[str, list[Any]] = {
                k: [before[k], after[k]] for k in before if before[k] != after[k]
            }
            changed = sorted([*changes, *(["body"] if spec.body != article.body else [])])
            if not changed:
                return _view(article)
            changes["version"] = [article.version, article.version + 1]
            done = await session.execute(
                update(KbArticle)
                .where(KbArticle.id == article.id, KbArticle.version == article.version)
                .values(
                    title=spec.title,
                    body=spec.body,
                    category=spec.category,
                    language=spec.language,
                    public_url=spec.public_url,
                    source_ticket_ids=list(spec.source_ticket_ids),
                    version=article.version + 1,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(done, "rowcount", 1) != 1:
                raise InvalidTransition(
                    f"article {article_id} changed meanwhile: reload it and edit again",
                    current=None,
                )
            record(
                session,
                who.actor,
                "kb.edited",
                target=f"kb:{article.id}",
                at=now,
                changes=changes,
                article_id=article.id,
                changed=changed,
            )
            await session.refresh(article)
            return _view(article)

    async def publish(
        self, who: Principal, article_id: int, *, frm: tuple[str, ...] = ("draft", "archived")
    ) -> ArticleView:
        """The article goes public, reviewed by ``who`` (a manager or an admin); ``frm``:
        the statuses it may be in (a proposal: ``draft`` only)."""
        check_knowledge(who, "publish")
        return await self._move(who, article_id, "published", frm=frm)

    async def archive(
        self, who: Principal, article_id: int, *, frm: tuple[str, ...] = ("draft", "published")
    ) -> ArticleView:
        """Withdrawn: no longer found by default searches, kept with its history."""
        check_knowledge(who, "archive")
        return await self._move(who, article_id, "archived", frm=frm)

    async def _move(
        self, who: Principal, article_id: int, to: str, *, frm: tuple[str, ...]
    ) -> ArticleView:
        now = self.clock()
        async with self.sessions.begin() as session:
            article = await self._load(session, article_id)
            current = article.status
            values: dict[str, Any] = {"status": to, "updated_at": now}
            if to == "published":
                values["reviewed_by_id"] = who.user_id
            done = await session.execute(
                update(KbArticle)
                .where(KbArticle.id == article.id, KbArticle.status.in_(frm))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if getattr(done, "rowcount", 1) != 1:
                raise InvalidTransition(
                    f"article {article_id} is {current} already", current=current
                )
            record(
                session,
                who.actor,
                f"kb.{to}",
                target=f"kb:{article.id}",
                at=now,
                changes={"status": [current, to]},
                article_id=article.id,
                version=article.version,
            )
            await session.refresh(article)
            return _view(article)
