"""The team's workload: per agent their open and waiting tickets, at risk and breached,
capacity and availability, as ``desk workload --json`` prints it (``core.reports.workload``).
Managers and admins read it with the ``read`` scope."""

from __future__ import annotations

from typing import Annotated

from core.access.permissions import Principal
from server.http.deps import DeskDep, allowed, api_router
from server.http.models import AgentLoadOut

router = api_router("workload")


@router.get("/workload")
async def workload(
    desk: DeskDep,
    _who: Annotated[Principal, allowed("read", "admin", "manager", doing="reading the workload")],
) -> list[AgentLoadOut]:
    """Every agent, busiest first."""
    return [AgentLoadOut.model_validate(a.as_dict()) for a in await desk.workload.agents()]
