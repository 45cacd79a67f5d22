"""The audit log, read: who did what, when, through which surface. Managers and admins
read it with the ``read`` scope; filters as ``desk audit`` (``core.reports.audit_log``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from core.access.permissions import Principal
from core.reports.audit_log import AuditFilter, parse_when
from server.http.deps import DeskDep, PageDep, allowed, api_router
from server.http.models import AuditPage

router = api_router("audit")


@router.get("/audit")
async def audit_events(
    desk: DeskDep,
    page: PageDep,
    _who: Annotated[Principal, allowed("read", "admin", "manager", doing="reading the audit log")],
    actor: Annotated[str | None, Query(max_length=320, description="user id or name")] = None,
    ticket: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    action: Annotated[
        str | None, Query(max_length=100, description="an action, or a prefix ending in . or *")
    ] = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601, inclusive")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601, exclusive")] = None,
) -> AuditPage:
    """Audit events, newest first, and how many match the filters."""
    filters = AuditFilter(
        actor=actor,
        ticket=ticket,
        action=action,
        since=None if since is None else parse_when(since, field="since"),
        until=None if until is None else parse_when(until, field="until"),
    )
    limit = min(page.limit, 500)
    items = await desk.audit_log.page(filters, limit=limit, offset=page.offset)
    return AuditPage.model_validate({"items": items, "total": await desk.audit_log.count(filters)})
