"""Helpful / unhelpful counts of the articles a decided draft cited, on both databases:
approved unchanged or lightly edited counts helpful, rejected or heavily edited unhelpful,
shown by `desk kb show --json` and the API with last_cited_at."""

from __future__ import annotations

from core.access.permissions import Principal
from core.knowledge.articles import KnowledgeBase
from server.wiring import Desk
from tests.core.flows import agent, smtp_mailbox
from tests.knowledge.conftest import published
from tests.knowledge.test_draft_citations import TRIAGED_AT, _draft
from tests.support.api import api_client, api_token, bearer


async def test_decisions_count_for_the_cited_articles(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    refund = await published(
        kb, manager, "Refund policy", "A double charge is refunded to the card within five days."
    )
    other = await published(
        kb, manager, "Password reset", "Use the reset link on the sign-in page."
    )
    mailbox = await smtp_mailbox(desk)
    ann = await agent(desk, "ann@team.test")
    drafts = [
        await _draft(desk, mailbox, uid, f"Charged twice {uid}", "Please refund the double charge.")
        for uid in range(1, 5)
    ]
    assert all(d.citations == [refund.id] for d in drafts)
    unchanged, light, heavy, rejected = drafts

    await desk.drafts.approve(unchanged.id, ann)  # as written: helpful
    await desk.drafts.edit(light.id, ann, body=light.ai_body + " Thanks!")  # light: helpful
    await desk.drafts.approve(light.id, ann)
    await desk.drafts.edit(heavy.id, ann, body="We looked into it; nothing was charged twice.")
    await desk.drafts.approve(heavy.id, ann)  # heavy edit: unhelpful
    await desk.drafts.reject(rejected.id, ann, reason="wrong article")  # unhelpful
    after = await kb.get(refund.id)
    assert (after.helpful, after.unhelpful) == (2, 2)
    untouched = await kb.get(other.id)
    assert (untouched.helpful, untouched.unhelpful) == (0, 0)

    shown = after.as_dict()
    assert (shown["helpful"], shown["unhelpful"]) == (2, 2)
    assert shown["last_cited_at"] == TRIAGED_AT.isoformat()
    token = await api_token(desk, "rita@team.test", role="agent", scopes="read")
    async with api_client(desk) as c:
        r = await c.get(f"/api/v1/kb/articles/{refund.id}", headers=bearer(token))
        assert r.status_code == 200, r.text
        got = r.json()
        assert (got["helpful"], got["unhelpful"], got["origin"]) == (2, 2, "manual")
        assert got["last_cited_at"] is not None
