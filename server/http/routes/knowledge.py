"""The knowledge base: list, read and search articles (the ``read`` scope, anyone); write,
change, publish and archive them (the ``write`` scope, a manager or an admin). The core
checks the role again (``core.access.permissions.check_knowledge``); publishing names the
token's owner as the article's reviewer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from pydantic import Field

from core.access.permissions import MANAGER_ROLES, Principal
from core.knowledge.articles import KEEP, ArticleSpec, ArticleView
from core.knowledge.query_text import MAX_QUERY_CHARS
from core.knowledge.text_search import MAX_K
from server.http.deps import BodyId, DeskDep, PageDep, PathId, allowed, api_router
from server.http.models import (
    ArticleHitOut,
    ArticleHits,
    ArticleOut,
    ArticlePage,
    In,
    ProposalOut,
    ProposalPage,
)

router = api_router("knowledge")

Reader = Annotated[Principal, allowed("read", doing="reading the knowledge base")]
Author = Annotated[Principal, allowed("write", *MANAGER_ROLES, doing="writing the knowledge base")]
Status = Literal["draft", "published", "archived"]
ProposalState = Literal["open", "published", "discarded"]


class ArticleIn(In):
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=100_000, description="Markdown")
    category: str | None = Field(default=None, max_length=50)
    language: str = Field(default="en", max_length=10, description="ISO 639-1")
    public_url: str | None = Field(default=None, max_length=500)
    source_ticket_ids: list[BodyId] = Field(default_factory=list, max_length=50)
    publish: bool = Field(default=False, description="publish at once, reviewed by you")


class ArticlePatch(In):
    version: BodyId | None = Field(
        default=None, description="the version you changed: a newer one refuses the change (409)"
    )
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=100_000)
    category: str | None = Field(default=None, max_length=50, description="null: none")
    language: str | None = Field(default=None, max_length=10)
    public_url: str | None = Field(default=None, max_length=500, description="null: none")
    source_ticket_ids: list[BodyId] | None = Field(default=None, max_length=50)


def _out(view: ArticleView) -> ArticleOut:
    return ArticleOut.model_validate(view.as_dict())


@router.get("/kb/articles")
async def list_articles(
    desk: DeskDep, _who: Reader, page: PageDep, status: Status | None = None
) -> ArticlePage:
    items = await desk.knowledge.list(status=status, limit=page.limit, offset=page.offset)
    total = await desk.knowledge.count(status=status)
    return ArticlePage(items=[_out(a) for a in items], total=total)


@router.get("/kb/proposals")
async def list_proposals(
    desk: DeskDep, _who: Reader, page: PageDep, state: ProposalState | None = None
) -> ProposalPage:
    """Articles the desk proposed from resolved tickets, the newest first; publish one with
    ``/kb/articles/{id}/publish``, discard it with ``/kb/articles/{id}/archive``."""
    items = await desk.proposals.list(state=state, limit=page.limit, offset=page.offset)
    total = await desk.proposals.count(state=state)
    return ProposalPage(items=[ProposalOut.model_validate(p.as_dict()) for p in items], total=total)


@router.get("/kb/search")
async def search_articles(
    desk: DeskDep,
    _who: Reader,
    q: Annotated[
        str, Query(max_length=MAX_QUERY_CHARS, description='words, "a phrase", -word, or')
    ],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 5,
    status: Status = "published",
    language: Annotated[str | None, Query(max_length=10)] = None,
) -> ArticleHits:
    hits = await desk.knowledge.search(q, k, status=status, language=language)
    return ArticleHits(items=[ArticleHitOut.model_validate(h.as_dict()) for h in hits])


@router.get("/kb/articles/{article_id}")
async def get_article(article_id: PathId, desk: DeskDep, _who: Reader) -> ArticleOut:
    return _out(await desk.knowledge.get(article_id))


@router.post("/kb/articles", status_code=201)
async def create_article(body: ArticleIn, desk: DeskDep, who: Author) -> ArticleOut:
    spec = ArticleSpec(
        title=body.title,
        body=body.body,
        category=body.category,
        language=body.language,
        public_url=body.public_url,
        source_ticket_ids=body.source_ticket_ids,
    )
    return _out(await desk.knowledge.create(who, spec, publish=body.publish))


@router.patch("/kb/articles/{article_id}")
async def update_article(
    article_id: PathId, body: ArticlePatch, desk: DeskDep, who: Author
) -> ArticleOut:
    given = body.model_fields_set
    article = await desk.knowledge.edit(
        who,
        article_id,
        version=body.version,
        title=body.title,
        body=body.body,
        category=body.category if "category" in given else KEEP,
        language=body.language,
        public_url=body.public_url if "public_url" in given else KEEP,
        source_ticket_ids=body.source_ticket_ids,
    )
    return _out(article)


@router.post("/kb/articles/{article_id}/publish")
async def publish_article(article_id: PathId, desk: DeskDep, who: Author) -> ArticleOut:
    return _out(await desk.knowledge.publish(who, article_id))


@router.post("/kb/articles/{article_id}/archive")
async def archive_article(article_id: PathId, desk: DeskDep, who: Author) -> ArticleOut:
    return _out(await desk.knowledge.archive(who, article_id))
