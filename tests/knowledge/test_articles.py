"""core.knowledge.articles: drafts, versions, publishing by a person with the right role,
archiving, and the audit trail of each change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.access.permissions import Principal
from core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from core.knowledge.articles import ArticleSpec, KnowledgeBase
from db.models import AuditEvent
from server.wiring import Desk
from tests.knowledge.conftest import NOW, SHELL


async def kb_events(desk: Desk) -> list[AuditEvent]:
    async with desk.sessions() as session:
        rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [e for e in rows if e.action.startswith("kb.")]


async def test_a_draft_is_written_edited_and_published(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    draft = await kb.create(
        SHELL,
        ArticleSpec(
            "  Refund   policy ",
            "Money back **within five days**.\r\n",
            category="billing",
            language="EN",
            source_ticket_ids=[7, 3, 7],
        ),
    )
    assert (draft.status, draft.version, draft.title, draft.body) == (
        "draft",
        1,
        "Refund policy",
        "Money back **within five days**.",
    )
    assert (draft.category, draft.language, draft.source_ticket_ids) == ("Billing", "en", [3, 7])
    assert (draft.created_at, draft.reviewed_by_id, draft.helpful, draft.unhelpful) == (
        NOW,
        None,
        0,
        0,
    )
    edited = await kb.edit(manager, draft.id, version=1, body="Money back within a week.")
    assert (edited.version, edited.body, edited.status) == (2, "Money back within a week.", "draft")
    same = await kb.edit(manager, draft.id, body="Money back within a week.")
    assert same.version == 2  # nothing changed, no new version
    done = await kb.publish(manager, draft.id)
    assert (done.status, done.reviewed_by_id, done.version) == ("published", manager.user_id, 2)
    assert (await kb.get(draft.id)).as_dict() == done.as_dict()

    events = await kb_events(desk)
    assert [e.action for e in events] == ["kb.created", "kb.edited", "kb.published"]
    assert all(e.target == f"kb:{draft.id}" for e in events)
    assert (events[0].actor, events[0].source, events[0].at) == ("operator", "cli", NOW)
    assert events[1].changes == {"version": [1, 2]}
    assert events[1].data["changed"] == ["body"]
    assert (events[2].actor_id, events[2].changes) == (
        manager.user_id,
        {"status": ["draft", "published"]},
    )


async def test_an_edit_of_a_stale_version_is_refused(kb: KnowledgeBase, manager: Principal) -> None:
    article = await kb.create(manager, ArticleSpec("Refunds", "Five days."))
    await kb.edit(manager, article.id, version=1, title="Refunds and returns")
    with pytest.raises(InvalidTransition, match="at version 2, not 1") as caught:
        await kb.edit(manager, article.id, version=1, title="Something else")
    assert caught.value.data["current"] == 2
    assert (await kb.get(article.id)).title == "Refunds and returns"


async def test_only_a_manager_or_an_admin_publishes(
    desk: Desk, kb: KnowledgeBase, manager: Principal, agent: Principal
) -> None:
    article = await kb.create(manager, ArticleSpec("Refunds", "Five days."))
    with pytest.raises(PermissionDenied, match="needs a person"):
        await kb.publish(SHELL, article.id)
    with pytest.raises(PermissionDenied, match="needs the role admin or manager; you are agent"):
        await kb.publish(agent, article.id)
    with pytest.raises(PermissionDenied, match="editing an article needs the role"):
        await kb.edit(agent, article.id, title="Mine now")
    with pytest.raises(PermissionDenied, match="creating an article"):
        await kb.create(agent, ArticleSpec("Mine", "Text."))
    with pytest.raises(PermissionDenied, match="needs a person"):
        await kb.create(SHELL, ArticleSpec("Mine", "Text."), publish=True)
    gone = Principal(agent.user_id, agent.name, None, "cli")
    with pytest.raises(PermissionDenied, match="not an active desk user"):
        await kb.archive(gone, article.id)
    assert (await kb.get(article.id)).status == "draft"
    assert [e.action for e in await kb_events(desk)] == ["kb.created"]


async def test_statuses_move_forward_and_back(kb: KnowledgeBase, manager: Principal) -> None:
    article = await kb.create(manager, ArticleSpec("Refunds", "Five days."), publish=True)
    assert article.status == "published"
    with pytest.raises(InvalidTransition, match="is published already"):
        await kb.publish(manager, article.id)
    assert (await kb.archive(manager, article.id)).status == "archived"
    with pytest.raises(InvalidTransition, match="is archived already"):
        await kb.archive(manager, article.id)
    assert (await kb.publish(manager, article.id)).status == "published"
    assert [a.id for a in await kb.list(status="published")] == [article.id]
    assert await kb.list(status="draft") == []
    assert await kb.count() == 1


async def test_list_newest_change_first(kb: KnowledgeBase, manager: Principal) -> None:
    first = await kb.create(manager, ArticleSpec("One", "Text."))
    second = await kb.create(manager, ArticleSpec("Two", "Text."))
    assert [a.id for a in await kb.list()] == [second.id, first.id]
    with pytest.raises(ValidationError, match="unknown status"):
        await kb.list(status="deleted")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ArticleSpec("  ", "Text."), "needs a title"),
        (ArticleSpec("T" * 301, "Text."), "at most 300"),
        (ArticleSpec("Title", " \n "), "needs a body"),
        (ArticleSpec("Title", "x\x00"), "NUL"),
        (ArticleSpec("Title", "Text.", language="english"), "ISO 639"),
        (ArticleSpec("Title", "Text.", category="Gardening"), "unknown category"),
        (ArticleSpec("Title", "Text.", public_url="javascript:alert(1)"), "http"),
        (ArticleSpec("Title", "Text.", source_ticket_ids=[0]), "not a ticket id"),
    ],
)
async def test_bad_articles_are_refused_naming_the_field(
    spec: ArticleSpec, message: str, kb: KnowledgeBase, manager: Principal
) -> None:
    with pytest.raises(ValidationError, match=message):
        await kb.create(manager, spec)
    assert await kb.count() == 0


async def test_unknown_ids_are_not_found(kb: KnowledgeBase, manager: Principal) -> None:
    for missing in (999, 2**40):
        with pytest.raises(NotFound, match=f"article {missing} not found"):
            await kb.get(missing)
        with pytest.raises(NotFound):
            await kb.publish(manager, missing)
