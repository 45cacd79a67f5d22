"""Shared for the knowledge-base tests: a knowledge base on a fixed clock, and people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.access.permissions import Principal
from core.audit import Actor
from core.knowledge.articles import ArticleSpec, ArticleView, KnowledgeBase
from server.wiring import Desk

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHELL = Principal.operator_of(Actor(name="operator", source="cli"))


@pytest.fixture()
def kb(desk: Desk) -> KnowledgeBase:
    return KnowledgeBase(desk.sessions, clock=lambda: NOW)


@pytest.fixture()
async def manager(desk: Desk) -> Principal:
    user = await desk.directory.add(SHELL, "mia@team.test", role="manager", name="Mia")
    return Principal(user.id, user.email, user.role, "cli")


@pytest.fixture()
async def agent(desk: Desk) -> Principal:
    user = await desk.directory.add(SHELL, "al@team.test", role="agent", name="Al")
    return Principal(user.id, user.email, user.role, "cli")


async def published(
    kb: KnowledgeBase, who: Principal, title: str, body: str, **fields: object
) -> ArticleView:
    return await kb.create(who, ArticleSpec(title, body, **fields), publish=True)  # type: ignore[arg-type]
