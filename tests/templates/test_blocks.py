"""Slack builders for templates: the list, the modal and its errors, Use template."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.blocks import templates as b
from core.errors import ValidationError
from core.replies.templates import TemplateView
from tests.support.blockkit import problems, view_problems

AT = datetime(2025, 1, 1, tzinfo=UTC)


def _t(i: int, category: str | None, **kw: object) -> TemplateView:
    values: dict = dict(
        id=i,
        name=f"T{i}",
        category=category,
        description="",
        body="Hi {{ customer_name }}",
        is_active=True,
        ai_draft=False,
        uses=i,
        created_at=AT,
        updated_at=AT,
    )
    values.update(kw)
    return TemplateView(**values)


def test_list_and_modal_round_trip() -> None:
    items = [_t(1, None, ai_draft=True), _t(2, "Billing", description="refunds")]
    blocks = b.templates_list_blocks(items)
    assert not problems(blocks)
    text = json.dumps(blocks)
    assert (
        "General (any category)" in text and "used 2 times" in text and "AI drafts from it" in text
    )
    assert b.parse_list_action("preview:2") == ("preview", 2)

    view = b.template_view(items[1])
    assert not view_problems(view), view_problems(view)
    assert view["private_metadata"] == "2" and "{{ customer_name }}" in json.dumps(view)
    state = {
        b.NAME_BLOCK: {b.VALUE: {"value": " Refund "}},
        b.CATEGORY_BLOCK: {b.VALUE: {"selected_option": {"value": "Billing"}}},
        b.BODY_BLOCK: {b.VALUE: {"value": "Hello {{ customer_first_name }}"}},
        b.DESCRIPTION_BLOCK: {b.VALUE: {"value": None}},
        b.AI_BLOCK: {b.VALUE: {"selected_options": [{"value": "ai"}]}},
    }
    spec = b.parse_template_submission(state)
    assert (spec.name, spec.category, spec.ai_draft, spec.description) == (
        "Refund",
        "Billing",
        True,
        "",
    )
    state[b.CATEGORY_BLOCK] = {b.VALUE: {"selected_option": {"value": "general"}}}
    assert b.parse_template_submission(state).category is None
    assert not view_problems(b.template_view())


def test_errors_go_under_the_right_input() -> None:
    err = ValidationError(
        "unknown variable {{ nme }} in the template", field="body", variable="nme"
    )
    assert b.template_errors(err) == {b.BODY_BLOCK: "unknown variable {{ nme }} in the template"}
    assert list(b.template_errors(ValidationError("taken", field="name"))) == [b.NAME_BLOCK]


def test_use_template_select_and_preview() -> None:
    items = [_t(1, None), _t(2, "Billing"), _t(3, "Technical"), _t(4, "Billing", is_active=False)]
    block = b.use_template_block(items, category="Billing")
    assert block is not None and not problems([block])
    assert [o["value"] for o in block["elements"][0]["options"]] == ["2", "1"]
    assert b.use_template_block([], category="Billing") is None
    preview = b.template_preview_blocks("T1", "Hi <Ann> & co\n" * 400, ticket_id=7)
    assert not problems(preview) and "for ticket #7" in json.dumps(preview)
