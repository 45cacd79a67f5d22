"""``/desk search assignee:`` with the owner named as Slack names people: ``<@U123>`` (an
escaped mention), ``@name`` (typed), or an address; end to end through signed slash commands,
and the parsing on its own."""

from __future__ import annotations

import pytest

from bot.command_text import Mention, mention_of, parse_search
from core.access.permissions import Principal
from core.audit import Actor
from core.errors import ValidationError
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.slack.test_assignment_commands import _answer
from tests.support.slack_driver import SlackHarness


@pytest.mark.parametrize(
    ("value", "mention"),
    [
        ("<@U0AMY>", Mention(slack_user_id="U0AMY")),
        ("<@u0amy|amy>", Mention(slack_user_id="U0AMY")),
        ("@amy.pond", Mention(name="amy.pond")),
        ("amy@desk.test", None),
        ("@amy@desk.test", None),
        ("<#C0123|triage>", None),
    ],
)
def test_mention_of(value: str, mention: Mention | None) -> None:
    assert mention_of(value) == mention


def test_parse_search_keeps_a_mention_for_the_caller_to_resolve() -> None:
    s = parse_search("refund assignee:<@U0AMY|amy> urgency:high")
    assert (s.words, s.assignee, s.assignee_mention, s.urgency) == (
        "refund",
        None,
        Mention(slack_user_id="U0AMY"),
        "high",
    )
    s = parse_search("assignee:@amy assignee:ann@team.test")  # the last one counts
    assert (s.assignee, s.assignee_mention) == ("ann@team.test", None)
    s = parse_search("assignee:ann@team.test assignee:@amy")
    assert (s.assignee, s.assignee_mention) == (None, Mention(name="amy"))
    with pytest.raises(ValidationError, match="not an email address"):
        parse_search("assignee:amy")


async def test_search_by_mention_name_or_address(slack: SlackHarness, smtp_server) -> None:  # type: ignore[no-untyped-def]
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    amy = slack.user("U0AMY", "amy")
    member = await slack.member(amy, "agent")
    ticket_id, _ = await drafted_ticket(slack.desk, mailbox, subject="Refund please")
    await drafted_ticket(slack.desk, mailbox, subject="Someone else's")
    await slack.desk.assignments.assign(ticket_id, member.user_id, Actor.system())
    operator = Principal.operator_of(Actor.system())
    await slack.desk.directory.add(operator, "amy.pond@team.test", name="Amy Pond")
    # another workspace's Bob: not found from this one, by id or by name
    await slack.desk.directory.add(
        operator, "bob@other.test", name="bob", slack_team_id="TOTHER01", slack_user_id="U0BOB"
    )

    for how in ("<@U0AMY>", "<@U0AMY|amy>", "@amy", "@AMY", "amy@desk.test"):
        found = (await _answer(slack, slack.admin, f"search assignee:{how}")).text_of_blocks()
        assert "Refund please" in found and "1–1 of 1 ticket" in found, how
        assert "Someone else's" not in found, how
    pond = (await _answer(slack, slack.admin, "search assignee:@amy.pond")).text_of_blocks()
    assert "0 of 0 tickets" in pond and "Refund please" not in pond  # Amy Pond owns none

    unknown = (await _answer(slack, slack.admin, "search assignee:<@U0NOBODY>")).text_of_blocks()
    assert "the Slack user U0NOBODY has no desk account yet" in unknown
    other = (await _answer(slack, slack.admin, "search assignee:<@U0BOB>")).text_of_blocks()
    assert "the Slack user U0BOB has no desk account yet" in other
    nobody = (await _answer(slack, slack.admin, "search assignee:@bob")).text_of_blocks()
    assert "nobody on the desk is called @bob" in nobody

    await slack.desk.directory.add(operator, "amy@team.test", name="Amy Lee")
    twice = (await _answer(slack, slack.admin, "search assignee:@amy")).text_of_blocks()
    assert "@amy could be amy@desk.test, amy@team.test" in twice
