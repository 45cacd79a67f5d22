"""Response templates: list, create, change, delete, preview, render and use.

Reading (list, get, render) needs the ``read`` scope; using one on a ticket the ``write``
scope. Writing one (create, change, delete, and the author's preview) needs the ``write``
scope and a manager or an admin: an AI-drafting template is what every matching draft will
say. Archived templates are listed for managers and admins only (as in Slack)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from fastapi.responses import Response
from pydantic import Field

from core.access.permissions import MANAGER_ROLES, Principal, check_api
from core.errors import ValidationError
from core.replies.templates import TemplateSpec
from server.http.deps import (
    MAX_ID,
    BodyId,
    DeskDep,
    allowed,
    api_router,
    removed_by,
    user_id_of,
)
from server.http.models import In, TemplateList, TemplateOut, TextOut

router = api_router("templates")

Reader = Annotated[Principal, allowed("read", doing="reading templates")]
Replier = Annotated[Principal, allowed("write", doing="using a template")]
Author = Annotated[Principal, allowed("write", *MANAGER_ROLES, doing="writing templates")]
Ref = Annotated[str, Path(min_length=1, max_length=200, description="a template's id or name")]


def _ref(ref: str) -> int | str:
    """A template's id (digits, within the ids' bounds) or its name."""
    if not (ref.isascii() and ref.isdigit()):  # '¹'.isdigit(), yet int('¹') fails
        return ref
    number = int(ref)
    if not 1 <= number <= MAX_ID:
        raise ValidationError(f"template id {ref[:30]} is out of range", field="ref")
    return number


class TemplateIn(In):
    name: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(
        default=None, max_length=50, description="None or 'general': any category"
    )
    description: str = Field(default="", max_length=2_000)
    ai_draft: bool = Field(default=False, description="the offline AI drafts from it")


class TemplatePatch(In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)
    category: str | None = Field(default=None, max_length=50)
    description: str | None = Field(default=None, max_length=2_000)
    ai_draft: bool | None = None
    is_active: bool | None = None


class RenderBody(In):
    ticket_id: BodyId | None = None
    agent: str | None = Field(
        default=None,
        max_length=320,
        description="email of the desk user replying (None: sample values)",
    )


class UseBody(In):
    ticket_id: BodyId
    draft_id: BodyId | None = None


class PreviewTemplateBody(In):
    body: str = Field(min_length=1, max_length=20_000)
    ticket_id: BodyId | None = None


@router.get("/templates")
async def list_templates(
    desk: DeskDep,
    who: Reader,
    category: Annotated[str | None, Query(max_length=50)] = None,
    include_inactive: bool = False,
) -> TemplateList:
    if include_inactive:
        check_api(who, "read", *MANAGER_ROLES, doing="listing archived templates")
    items = await desk.templates.list(category=category, include_inactive=include_inactive)
    return TemplateList(items=[TemplateOut.model_validate(t.as_dict()) for t in items])


@router.post("/templates", status_code=201)
async def create_template(body: TemplateIn, desk: DeskDep, who: Author) -> TemplateOut:
    spec = TemplateSpec(
        name=body.name,
        body=body.body,
        category=body.category,
        description=body.description,
        ai_draft=body.ai_draft,
    )
    return TemplateOut.model_validate((await desk.templates.create(spec, who.actor)).as_dict())


@router.post("/templates/preview")
async def preview_template(body: PreviewTemplateBody, desk: DeskDep, _who: Author) -> TextOut:
    """Render an unsaved text (sample values, or a ticket's): the author sees errors."""
    return TextOut(text=await desk.templates.preview(body.body, ticket_id=body.ticket_id))


@router.get("/templates/{ref}")
async def get_template(ref: Ref, desk: DeskDep, _who: Reader) -> TemplateOut:
    return TemplateOut.model_validate((await desk.templates.get(_ref(ref))).as_dict())


@router.patch("/templates/{ref}")
async def update_template(ref: Ref, body: TemplatePatch, desk: DeskDep, who: Author) -> TemplateOut:
    changes = body.model_dump(exclude_unset=True)
    return TemplateOut.model_validate(
        (await desk.templates.update(_ref(ref), who.actor, **changes)).as_dict()
    )


@router.delete("/templates/{ref}", status_code=204, response_class=Response)
async def delete_template(
    ref: Ref,
    desk: DeskDep,
    who: Author,
    purge: bool = False,
    by: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> Response:
    removed_by(by)
    await desk.templates.delete(_ref(ref), who.actor, purge=purge)
    return Response(status_code=204)


@router.post("/templates/{ref}/render")
async def render_template(ref: Ref, body: RenderBody, desk: DeskDep, _who: Reader) -> TextOut:
    """A preview for a ticket (or sample values); not counted as a use."""
    agent_id = await user_id_of(desk, body.agent, field="agent")
    return TextOut(
        text=await desk.templates.render(_ref(ref), ticket_id=body.ticket_id, agent_id=agent_id)
    )


@router.post("/templates/{ref}/use")
async def use_template(ref: Ref, body: UseBody, desk: DeskDep, who: Replier) -> TextOut:
    """The text for a reply on ``ticket_id`` by the caller, counted in the usage analytics."""
    text = await desk.templates.use(
        _ref(ref), ticket_id=body.ticket_id, actor=who.actor, draft_id=body.draft_id
    )
    return TextOut(text=text)
