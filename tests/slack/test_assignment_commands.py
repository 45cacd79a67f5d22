"""/desk away, /desk available, /desk workload and search by assignee, through signed
slash commands."""

from __future__ import annotations

from sqlalchemy import update

from bot.blocks.workload import unassigned_message, workload_blocks
from bot.queue_alerts import SlackQueueAlerts
from core.reports.workload import AgentLoad
from core.workflow.assignment import LeftUnassigned
from db.models import AgentProfile, Ticket
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.blockkit import problems
from tests.support.slack_driver import SlackHarness


async def _answer(slack: SlackHarness, user, text: str):  # type: ignore[no-untyped-def]
    before = len(slack.fake.calls_to("response_url"))
    acked = await slack.driver.command(user, text)
    assert acked.status == 200 and not acked.response.content
    calls = await slack.fake.wait_for("response_url", count=before + 1)
    return calls[before]


async def test_an_agent_goes_away_and_comes_back(slack: SlackHarness) -> None:
    amy = slack.user("U0AMY", "amy")
    member = await slack.member(amy, "agent")

    answer = await _answer(slack, amy, "away")
    assert "You are away" in answer.body["text"] and answer.body["response_type"] == "ephemeral"
    async with slack.desk.sessions() as s:
        profile = await s.get(AgentProfile, member.user_id)
    assert profile is not None and profile.available is False and profile.away_since is not None

    answer = await _answer(slack, amy, "available")
    assert "You are available" in answer.body["text"] and "up to 15 open" in answer.body["text"]
    async with slack.desk.sessions() as s:
        profile = await s.get(AgentProfile, member.user_id)
    assert profile is not None and profile.available is True and profile.away_since is None


async def test_workload_is_for_managers(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    amy = slack.user("U0AMY", "amy")
    ann = await slack.member(amy, "agent")
    await _answer(slack, amy, "available")
    ticket_id, _ = await drafted_ticket(slack.desk, mailbox, subject="Refund please")
    async with slack.desk.sessions.begin() as s:
        await s.execute(
            update(Ticket).where(Ticket.id == ticket_id).values(assigned_to_id=ann.user_id)
        )

    refused = await _answer(slack, amy, "workload")
    assert "/desk workload" in refused.text_of_blocks()
    assert "Team workload" not in refused.text_of_blocks()

    answer = await _answer(slack, slack.admin, "workload")
    text = answer.text_of_blocks()
    assert "Team workload" in text
    assert "amy@desk.test" in text and "open 1/15" in text and "available" in text

    found = await _answer(slack, slack.admin, "search assignee:amy@desk.test")
    assert "Refund please" in found.text_of_blocks()
    assert "1–1 of 1 ticket" in found.text_of_blocks()
    none = await _answer(slack, slack.admin, "search assignee:nobody@desk.test")
    assert "Refund please" not in none.text_of_blocks()
    bad = await _answer(slack, slack.admin, "search assignee:amy")
    assert "not an email address" in bad.text_of_blocks()
    english = await _answer(slack, slack.admin, "search language:EN")
    assert "Refund please" in english.text_of_blocks()
    german = await _answer(slack, slack.admin, "search language:de")
    assert "Refund please" not in german.text_of_blocks()
    wrong = await _answer(slack, slack.admin, "search language:english")
    assert "not a language code" in wrong.text_of_blocks()


def test_workload_blocks_stay_within_slacks_limits() -> None:
    agents = [
        AgentLoad(
            user_id=n,
            email=f"agent{n}@team.test",
            name="A" * 300,
            open=n % 20,
            waiting=1,
            at_risk=0,
            breached=0,
            capacity=15,
            available=n % 2 == 0,
            away_since=None,
        )
        for n in range(80)
    ]
    blocks = workload_blocks(agents)
    assert problems(blocks) == []
    assert "and 35 more" in str(blocks[-1])
    assert "(full)" in str(blocks[16])  # agent 15: open 15 of 15
    assert problems(workload_blocks([])) == []


async def test_tickets_left_unassigned_are_told_in_the_triage_channel(
    slack: SlackHarness,
) -> None:
    alerts = SlackQueueAlerts(slack.runtime.notifier)
    items = [
        LeftUnassigned(n, "support", f"Invoice {n}", "Billing", "no available agent")
        for n in range(1, 24)
    ]
    await alerts.left_unassigned(items)

    [posted] = await slack.fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == slack.channel
    assert "23 tickets left unassigned" in posted.body["text"]
    text = posted.text_of_blocks()
    assert "*#1* Invoice 1 (support, Billing)" in text and "…and 3 more" in text
    assert "language" not in posted.body["text"]
    assert problems(posted.body["blocks"]) == []


def test_a_ticket_left_for_want_of_a_language_says_which() -> None:
    item = LeftUnassigned(7, "support", "Rechnung", "Billing", "no available agent", "de")
    text, blocks = unassigned_message([item])
    assert text.endswith("nobody available has the skill or speaks the language")
    assert "*#7* Rechnung (support, Billing, language de)" in str(blocks)
    assert "--languages" in str(blocks)
    assert problems(blocks) == []
