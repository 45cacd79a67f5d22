"""Block Kit stays within Slack's limits for big mail and big drafts, and nothing is cut."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks.draft import draft_message
from bot.blocks.lists import TicketLine, home_view, search_blocks
from bot.blocks.modals import edit_view
from bot.ids import ModalContext
from core.reports.headlines import QueueCounts
from core.tickets.draft_details import DraftCard
from tests.core.flows import agent, drafted_ticket, smtp_mailbox
from tests.support.blockkit import problems, view_problems
from tests.support.slack_driver import SlackHarness

NOW = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)


def _prose(n: int, seed: str = "line") -> str:
    out, i = [], 0
    while sum(len(x) for x in out) < n:
        out.append(
            f"{seed} {i}: the customer explains <what> & why, again and again. "
            + ("\n" if i % 7 == 6 else "")
        )
        i += 1
    return "".join(out)[:n]


def _card(**over: object) -> DraftCard:
    values: dict[str, object] = dict(
        draft_id=7,
        version=2,
        status="pending",
        body="Hello",
        category="Billing",
        urgency="High",
        summary="s",
        fix_steps=["a", "b", "c"],
        confidence=0.8,
        escalation_required=True,
        escalation_reason="asks for a refund over the limit",
        created_at=NOW,
        ticket_id=3,
        subject="Invoice",
        requester_email="alice@example.com",
        requester_name="Alice",
        ticket_status="open",
        team_id="T1",
        customer_text="Please help",
        customer_from="alice@example.com",
        customer_date=NOW,
    )
    values.update(over)
    return DraftCard(**values)  # type: ignore[arg-type]


def _plain_sections(blocks: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and b.get("text", {}).get("type") == "plain_text"
    ]


def test_every_state_of_a_draft_message_is_valid() -> None:
    for status in ("pending", "approved", "sending", "sent", "failed", "rejected", "superseded"):
        msg = draft_message(
            _card(status=status, failure_reason="550 no such user", rejection_reason="wrong")
        )
        assert problems(msg.main.blocks) == [], status
        has_buttons = any(b["type"] == "actions" for b in msg.main.blocks)
        assert has_buttons == (status in ("pending", "failed")), status


def test_a_100k_draft_is_split_and_continued_in_the_thread_without_loss() -> None:
    body = _prose(100_000)
    summary = _prose(7_000, "summary")
    msg = draft_message(
        _card(body=body, summary=summary, fix_steps=[_prose(900, f"step{i}") for i in range(5)])
    )
    assert problems(msg.main.blocks) == []
    for part in msg.thread:
        assert problems(part.blocks) == []
    all_sections = _plain_sections(msg.main.blocks) + [
        t for p in msg.thread for t in _plain_sections(p.blocks)
    ]
    joined = "".join(all_sections)
    assert body in joined and summary in joined
    assert any(
        "rest of this draft" in b["elements"][0]["text"]
        for b in msg.main.blocks
        if b["type"] == "context"
    )


def test_the_edit_modal_holds_a_100k_draft_in_parts() -> None:
    body = _prose(100_000)
    view = edit_view(_card(body=body), ModalContext(7, 2, "C1", "1.2"))
    assert view_problems(view) == []
    assert len(view["private_metadata"]) < 3000


def test_lists_stay_within_limits() -> None:
    line = TicketLine(
        1,
        "S" * 5000,
        "a@b.c" * 100,
        "Billing",
        "High",
        "open",
        "pending",
        NOW,
        True,
        "x@y.z",
        "https://x/p1",
    )
    assert (
        problems(search_blocks([line] * 10, total=500, offset=10, text="x " * 2000, page_size=10))
        == []
    )
    home = home_view(
        name="N" * 400,
        role="agent",
        counts=QueueCounts(1, 2, 3, 4, 5),
        mine=[line] * 60,
        oldest=[line] * 60,
    )
    assert view_problems(home) == []


async def test_a_20kb_email_is_posted_within_limits_and_in_full(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    email_text = _prose(20_000)
    _ticket, draft_id = await drafted_ticket(
        slack.desk, mailbox, body=email_text, subject="A very long story"
    )
    await slack.desk.drafts.edit(
        draft_id, await agent(slack.desk, "w@desk.test"), body=_prose(20_000, "reply")
    )
    (message,) = await slack.post(draft_id)  # the fake refuses invalid Block Kit, like Slack
    assert message.reply["ok"], message.reply
    assert len(message.blocks) <= 50
    card = await slack.runtime.services.cards.get(draft_id)
    thread = slack.fake.calls_to(
        "chat.postMessage", lambda c: c.body.get("thread_ts") == message.reply["ts"]
    )
    assert thread and all(c.reply["ok"] for c in thread)
    shown = "".join(t for c in thread for t in _plain_sections(c.blocks))
    assert card.customer_text.strip() in shown
    assert card.body in "".join(_plain_sections(message.blocks))
    assert len(card.customer_text) > 15_000


def _context_text(msg_blocks: list[dict]) -> str:  # type: ignore[type-arg]
    return " ".join(e["text"] for b in msg_blocks if b["type"] == "context" for e in b["elements"])


def test_the_card_names_the_customers_language_unless_english_or_unknown() -> None:
    german = draft_message(_card(language="de")).main.blocks
    assert problems(german) == []
    assert "Language: *de*" in _context_text(german)
    for language in ("en", None):
        assert "Language" not in _context_text(draft_message(_card(language=language)).main.blocks)
