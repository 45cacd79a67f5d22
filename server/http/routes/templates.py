"""Response templates: list, create, change, delete, preview, render and use."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from core.replies.templates import TemplateSpec
from server.http.deps import DeskDep, QueryActorDep, acting, user_id_of
from server.http.models import TemplateList, TemplateOut, TextOut

router = APIRouter(prefix="/api/v1", tags=["templates"])


class TemplateIn(BaseModel):
    by: str
    name: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(default=None, description="None or 'general': any category")
    description: str = ""
    ai_draft: bool = Field(default=False, description="the offline AI drafts from it")


class TemplatePatch(BaseModel):
    by: str
    name: str | None = None
    body: str | None = None
    category: str | None = None
    description: str | None = None
    ai_draft: bool | None = None
    is_active: bool | None = None


class RenderBody(BaseModel):
    ticket_id: int | None = None
    agent: str | None = Field(default=None, description="email of the agent replying")


class UseBody(BaseModel):
    by: str
    ticket_id: int
    draft_id: int | None = None


class PreviewTemplateBody(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    ticket_id: int | None = None


@router.get("/templates")
async def list_templates(
    desk: DeskDep, category: str | None = None, include_inactive: bool = False
) -> TemplateList:
    items = await desk.templates.list(category=category, include_inactive=include_inactive)
    return TemplateList(items=[TemplateOut.model_validate(t.as_dict()) for t in items])


@router.post("/templates", status_code=201)
async def create_template(body: TemplateIn, desk: DeskDep) -> TemplateOut:
    actor = await acting(desk, body.by)
    spec = TemplateSpec(
        name=body.name,
        body=body.body,
        category=body.category,
        description=body.description,
        ai_draft=body.ai_draft,
    )
    return TemplateOut.model_validate((await desk.templates.create(spec, actor)).as_dict())


@router.post("/templates/preview")
async def preview_template(body: PreviewTemplateBody, desk: DeskDep) -> TextOut:
    """Render an unsaved text (sample values, or a ticket's): the author sees errors."""
    return TextOut(text=await desk.templates.preview(body.body, ticket_id=body.ticket_id))


@router.get("/templates/{ref}")
async def get_template(ref: str, desk: DeskDep) -> TemplateOut:
    return TemplateOut.model_validate((await desk.templates.get(ref)).as_dict())


@router.patch("/templates/{ref}")
async def update_template(ref: str, body: TemplatePatch, desk: DeskDep) -> TemplateOut:
    actor = await acting(desk, body.by)
    changes = body.model_dump(exclude_unset=True, exclude={"by"})
    return TemplateOut.model_validate(
        (await desk.templates.update(ref, actor, **changes)).as_dict()
    )


@router.delete("/templates/{ref}", status_code=204, response_class=Response)
async def delete_template(
    ref: str, desk: DeskDep, actor: QueryActorDep, purge: bool = False
) -> Response:
    await desk.templates.delete(ref, actor, purge=purge)
    return Response(status_code=204)


@router.post("/templates/{ref}/render")
async def render_template(ref: str, body: RenderBody, desk: DeskDep) -> TextOut:
    """A preview for a ticket (or sample values); not counted as a use."""
    agent_id = await user_id_of(desk, body.agent)
    return TextOut(
        text=await desk.templates.render(ref, ticket_id=body.ticket_id, agent_id=agent_id)
    )


@router.post("/templates/{ref}/use")
async def use_template(ref: str, body: UseBody, desk: DeskDep) -> TextOut:
    """The text for a reply on ``ticket_id`` by ``by``, counted in the usage analytics."""
    actor = await acting(desk, body.by)
    text = await desk.templates.use(
        ref, ticket_id=body.ticket_id, actor=actor, draft_id=body.draft_id
    )
    return TextOut(text=text)
