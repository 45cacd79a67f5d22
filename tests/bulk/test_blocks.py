"""Slack builders for bulk actions: pure, inside Block Kit's limits."""

from __future__ import annotations

import json

import pytest

from bot.blocks import bulk as b
from core.errors import ValidationError
from core.tickets.bulk import BulkItem, BulkPreview, BulkResult, BulkTarget
from core.tickets.queries import TicketQuery
from tests.support.blockkit import problems, view_problems


def _target(i: int, *, escalated: bool = False) -> BulkTarget:
    return BulkTarget(
        i,
        f"Subject <{i}> & more " * 3,
        f"c{i}@cust.test",
        None,
        100 + i,
        "pending",
        2,
        escalated,
        "High",
    )


def _checkbox_problems(blocks: list[dict]) -> list[str]:  # type: ignore[type-arg]
    out = []
    for block in blocks:
        for el in block.get("elements", []):
            if el.get("type") == "checkboxes":
                if not 1 <= len(el["options"]) <= 10:
                    out.append(f"{len(el['options'])} options")
                for o in el["options"]:
                    if len(o["text"]["text"]) > 75 or len(o["description"]["text"]) > 75:
                        out.append(f"long option {o}")
    return out


def test_checkboxes_ten_per_element_and_read_back() -> None:
    choices = [
        b.TicketChoice(i, "x" * 200, f"c{i}@cust.test", "Low", escalated=i == 3)
        for i in range(1, 24)
    ]
    blocks = b.pending_checkboxes(choices) + [b.bulk_buttons()]
    assert not problems(blocks, "home") and not _checkbox_problems(blocks)
    assert [len(x["elements"][0]["options"]) for x in blocks[:-1]] == [10, 10, 3]
    state = {
        "bulk_select:1": {
            b.SELECT_ACTION: {"selected_options": [{"value": "12"}, {"value": "15"}]}
        },
        "bulk_select:0": {b.SELECT_ACTION: {"selected_options": [{"value": "3"}]}},
        "bulk_select:2": {b.SELECT_ACTION: {"selected_options": []}},
        "other": {"x": {"value": "9"}},
    }
    assert b.selected_ticket_ids(state) == [3, 12, 15]
    assert [e["action_id"] for e in b.bulk_buttons(can_assign=False)["elements"]] == [
        "bulk_approve",
        "bulk_reject",
        "bulk_send",
    ]


def test_parse_bulk_command() -> None:
    cmd = b.parse_bulk_command(
        'approve status:pending category:"Feature Request" include:escalated'
    )
    assert cmd.action == "approve" and cmd.include_escalated and cmd.ticket_ids == []
    assert isinstance(cmd.selection, TicketQuery) and cmd.query.category == "Feature Request"  # type: ignore[union-attr]
    cmd = b.parse_bulk_command('reject 12 #13 12 reason:"duplicate of #4"')
    assert (cmd.ticket_ids, cmd.reason) == ([12, 13], "duplicate of #4")
    cmd = b.parse_bulk_command("assign <@U123ABC|ann> urgency:low")
    assert cmd.assignee_slack_id == "U123ABC" and cmd.query.urgency == "low"  # type: ignore[union-attr]
    for bad, match in [
        ("launch 1", "unknown bulk action"),
        ("approve", "name the tickets"),
        ("approve 1 status:pending", "not both"),
        ("reject 1", "reason"),
        ("assign 1", "who takes them"),
        ("approve urgency:extreme", "urgency"),
        ('approve "oops', "quotes"),
    ]:
        with pytest.raises(ValidationError, match=match):
            b.parse_bulk_command(bad)


def test_confirmation_says_how_many_and_which() -> None:
    targets = [_target(i) for i in range(1, 61)]
    preview = BulkPreview("approve", targets, [BulkItem(99, 199, False, "escalated", "flagged")])
    meta = b.encode_bulk_metadata("approve", targets, filters_text="status:pending")
    view = b.bulk_confirm_view(preview, metadata=meta)
    assert not view_problems(view), view_problems(view)
    text = json.dumps(view)
    assert view["title"]["text"] == "Approve 60 tickets" and view["submit"]["text"] == "Approve 60"
    assert "#1*" in text and "and 20 more" in text and "flagged for escalation: #99" in text
    assert any(x.get("block_id") == b.ESCALATED_BLOCK for x in view["blocks"])
    decoded = b.decode_bulk_metadata(view["private_metadata"])
    assert decoded.ticket_ids == list(range(1, 61)) and decoded.versions[101] == 2

    reject = b.bulk_confirm_view(BulkPreview("reject", targets[:2]), metadata="{}", reason="spam")
    assign = b.bulk_confirm_view(
        BulkPreview("assign", targets[:2]), metadata="{}", assignee_slack_id="U1"
    )
    assert not view_problems(reject) and not view_problems(assign)
    state = {
        b.REASON_BLOCK: {b.REASON_ACTION: {"value": "  spam  "}},
        b.ASSIGNEE_BLOCK: {b.ASSIGNEE_ACTION: {"selected_user": "U1"}},
        b.ESCALATED_BLOCK: {b.ESCALATED_ACTION: {"selected_options": [{"value": "yes"}]}},
    }
    assert b.confirm_inputs(state) == {
        "reason": "spam",
        "assignee_slack_id": "U1",
        "include_escalated": True,
    }
    empty = b.bulk_confirm_view(BulkPreview("send", []), metadata="{}")
    assert "submit" not in empty and not view_problems(empty)


def test_metadata_falls_back_to_the_filters_when_too_long() -> None:
    many = [_target(i) for i in range(10_000, 10_400)]
    meta = b.encode_bulk_metadata("send", many, filters_text="status:approved")
    assert len(meta) <= 3000
    decoded = b.decode_bulk_metadata(meta)
    assert decoded.ticket_ids == [] and decoded.filters_text == "status:approved"
    with pytest.raises(ValidationError):
        b.decode_bulk_metadata("not json")


def test_result_lists_every_skip_with_its_reason() -> None:
    result = BulkResult("approve")
    for i in range(3):
        result.add(BulkItem(i, i, True))
    result.add(BulkItem(7, 7, False, "already_decided", "already approved by ann@team.test"))
    result.add(BulkItem(8, 8, False, "not_permitted", "ticket 8 is assigned to bob"))
    blocks = b.bulk_result_blocks(result, by="<@U1>")
    assert not problems(blocks)
    text = json.dumps(blocks)
    assert "3 tickets approved* by <@U1>, 2 tickets skipped" in text
    assert "#7* already decided: already approved by ann@team.test" in text
    assert b.bulk_result_text(result) == "approved 3; skipped 2: 1 already decided, 1 not permitted"
