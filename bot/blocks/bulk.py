"""Bulk actions in Slack, as pure Block Kit builders and parsers.

- App Home: ``pending_checkboxes`` (checkboxes on the pending list, ten per element as
  Slack allows) and ``bulk_buttons``; ``selected_ticket_ids`` reads the ticks back from the
  ``view.state.values`` of the button click.
- ``/desk bulk approve|reject|assign|send <ids or filters>``: ``parse_bulk_command``.
- ``bulk_confirm_view``: the confirmation that says how many and which (and what will be
  skipped and why), with the reason input for reject and the person picker for assign;
  ``encode_bulk_metadata`` / ``decode_bulk_metadata`` carry the confirmed tickets and the
  draft versions shown to ``core.tickets.bulk`` (``versions=``).
- ``bulk_result_blocks``: the summary, done and skipped with reasons.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from bot.blocks.text import escape, mrkdwn, plain, plural, short
from bot.command_text import parse_search
from core.errors import ValidationError
from core.tickets.bulk import ACTIONS, REASONS, BulkPreview, BulkResult, BulkTarget
from core.tickets.queries import TicketQuery

Block = dict[str, Any]
View = dict[str, Any]

# ids (the Slack app may move them into bot/ids.py)
SELECT_BLOCK = "bulk_select"  # block ids bulk_select:0, bulk_select:1, ...
SELECT_ACTION = "bulk_pick"
BUTTONS_BLOCK = "bulk_buttons"
BUTTON_ACTIONS = {a: f"bulk_{a}" for a in ACTIONS}  # bulk_approve, bulk_reject, ...
CONFIRM_VIEW = "bulk_confirm"
REASON_BLOCK, REASON_ACTION = "bulk_reason", "reason"
ASSIGNEE_BLOCK, ASSIGNEE_ACTION = "bulk_assignee", "assignee"
ESCALATED_BLOCK, ESCALATED_ACTION = "bulk_escalated", "include_escalated"

OPTIONS_PER_CHECKBOXES = 10  # Slack: at most 10 options per checkboxes element
OPTION_TEXT = 75
LISTED = 40  # tickets named in the confirmation; the rest are counted
METADATA_MAX = 3000

VERB = {"approve": "Approve", "reject": "Reject", "assign": "Assign", "send": "Send"}
DONE = {"approve": "approved", "reject": "rejected", "assign": "assigned", "send": "sent"}


# --- App Home: checkboxes and buttons ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketChoice:
    ticket_id: int
    subject: str
    requester: str
    urgency: str | None = None
    escalated: bool = False


def _option(c: TicketChoice) -> dict[str, Any]:
    flag = " :rotating_light:" if c.escalated else ""
    return {
        "text": mrkdwn(
            short(
                f"*#{c.ticket_id}* {escape(c.subject) or '(no subject)'}", OPTION_TEXT - len(flag)
            )
            + flag
        ),
        "description": plain(short(f"{c.urgency or 'untriaged'} · {c.requester}", OPTION_TEXT)),
        "value": str(c.ticket_id),
    }


def pending_checkboxes(choices: list[TicketChoice]) -> list[Block]:
    """The pending list with a checkbox per ticket: one actions block per ten tickets."""
    blocks: list[Block] = []
    for n, start in enumerate(range(0, len(choices), OPTIONS_PER_CHECKBOXES)):
        chunk = choices[start : start + OPTIONS_PER_CHECKBOXES]
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{SELECT_BLOCK}:{n}",
                "elements": [
                    {
                        "type": "checkboxes",
                        "action_id": SELECT_ACTION,
                        "options": [_option(c) for c in chunk],
                    }
                ],
            }
        )
    return blocks


def bulk_buttons(*, can_assign: bool = True) -> Block:
    """Approve / Reject / Assign selected, and Send approved (the handler opens the
    confirmation; nothing happens on the click itself)."""
    labels = [
        ("approve", "Approve selected", "primary"),
        ("reject", "Reject selected", "danger"),
        ("assign", "Assign selected", None),
        ("send", "Send selected approved", None),
    ]
    elements = []
    for action, label, style in labels:
        if action == "assign" and not can_assign:
            continue
        button: dict[str, Any] = {
            "type": "button",
            "action_id": BUTTON_ACTIONS[action],
            "text": plain(label),
            "value": action,
        }
        if style:
            button["style"] = style
        elements.append(button)
    return {"type": "actions", "block_id": BUTTONS_BLOCK, "elements": elements}


def selected_ticket_ids(state_values: dict[str, Any]) -> list[int]:
    """The ticked tickets from ``view.state.values`` (in list order, no duplicates)."""
    ids: list[int] = []
    for block_id in sorted(
        (b for b in state_values if b.startswith(f"{SELECT_BLOCK}:")),
        key=lambda b: int(b.partition(":")[2] or 0),
    ):
        picked = (state_values[block_id].get(SELECT_ACTION) or {}).get("selected_options") or []
        for option in picked:
            value = str(option.get("value", ""))
            if value.isdecimal() and int(value) not in ids:
                ids.append(int(value))
    return ids


# --- /desk bulk ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulkCommand:
    action: str
    ticket_ids: list[int] = field(default_factory=list)
    query: TicketQuery | None = None
    filters_text: str = ""  # the filters as typed, to run the query again after confirming
    reason: str | None = None
    assignee_slack_id: str | None = None
    include_escalated: bool = False

    @property
    def selection(self) -> list[int] | TicketQuery:
        return self.ticket_ids if self.ticket_ids else self.query  # type: ignore[return-value]


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
BULK_USAGE = (
    "`/desk bulk approve|reject|assign|send <ticket numbers or filters>`, e.g. "
    "`/desk bulk approve status:pending category:billing`, "
    '`/desk bulk reject 12 13 reason:"duplicate"`, `/desk bulk assign @ann status:pending`'
)


def parse_bulk_command(text: str) -> BulkCommand:
    """``approve status:pending urgency:low``, ``reject 12 #13 reason:"spam"``,
    ``assign <@U123> category:billing``, ``approve 12 13 include:escalated``."""
    head, _, rest = (text or "").strip().partition(" ")
    action = head.lower()
    if action not in ACTIONS:
        raise ValidationError(
            f"unknown bulk action `{head or ' '}`; use {BULK_USAGE}", field="action"
        )
    try:
        tokens = shlex.split(rest)
    except ValueError as exc:
        raise ValidationError(f"cannot read the command: {exc} (close your quotes)") from None
    ids: list[int] = []
    reason: str | None = None
    assignee: str | None = None
    include = False
    filters: list[str] = []
    for token in tokens:
        bare = token.lstrip("#")
        if bare.isdecimal():
            ids.append(int(bare))
        elif token.lower().startswith("reason:"):
            reason = token.partition(":")[2].strip()
        elif mention := _MENTION.match(token):
            assignee = mention.group(1)
        elif token.lower() in ("include:escalated", "--include-escalated"):
            include = True
        else:
            filters.append(token)
    filters_text = " ".join(shlex.quote(f) for f in filters)
    query = parse_search(filters_text).query(limit=1000) if filters else None
    if ids and query is not None:
        raise ValidationError("name tickets by number or by filters, not both")
    if not ids and query is None:
        raise ValidationError(f"name the tickets; {BULK_USAGE}")
    if action == "reject" and not reason:
        raise ValidationError(
            'a bulk reject needs `reason:"..."` (one reason for all)', field="reason"
        )
    if action == "assign" and assignee is None:
        raise ValidationError(
            "say who takes them: `/desk bulk assign @person ...`", field="assignee"
        )
    return BulkCommand(
        action=action,
        ticket_ids=list(dict.fromkeys(ids)),
        query=query,
        filters_text=filters_text,
        reason=reason,
        assignee_slack_id=assignee,
        include_escalated=include,
    )


# --- the confirmation ------------------------------------------------------------------


def encode_bulk_metadata(
    action: str,
    targets: list[BulkTarget],
    *,
    include_escalated: bool = False,
    filters_text: str = "",
    extra: dict[str, Any] | None = None,
) -> str:
    """``private_metadata`` for the confirmation: the tickets shown and the draft version
    each showed (an edit in between is then skipped, not approved unseen). When that is
    too long for Slack's 3,000 characters, the filters are kept instead."""
    data: dict[str, Any] = {"a": action, "e": int(include_escalated), **(extra or {})}
    data["t"] = [[t.ticket_id, t.draft_id or 0, t.draft_version or 0] for t in targets]
    encoded = json.dumps(data, separators=(",", ":"))
    if len(encoded) <= METADATA_MAX:
        return encoded
    data.pop("t")
    data["f"] = filters_text
    encoded = json.dumps(data, separators=(",", ":"))
    if len(encoded) > METADATA_MAX:
        raise ValidationError("too many tickets for one confirmation; narrow the filters")
    return encoded


@dataclass(frozen=True, slots=True)
class BulkMetadata:
    action: str
    include_escalated: bool
    ticket_ids: list[int]
    versions: dict[int, int]  # draft id -> version shown
    filters_text: str | None
    extra: dict[str, Any]


def decode_bulk_metadata(value: str) -> BulkMetadata:
    try:
        data = json.loads(value or "{}")
        action = str(data.pop("a"))
        include = bool(data.pop("e", 0))
        rows = data.pop("t", None)
        filters = data.pop("f", None)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValidationError("not a bulk confirmation", field="private_metadata") from None
    if action not in ACTIONS:
        raise ValidationError("not a bulk confirmation", field="private_metadata")
    ids = [int(r[0]) for r in rows or []]
    versions = {int(r[1]): int(r[2]) for r in rows or [] if r[1] and r[2]}
    return BulkMetadata(action, include, ids, versions, filters, data)


def _target_line(t: BulkTarget) -> str:
    flag = " :rotating_light: escalated" if t.escalation_required else ""
    return (
        f"• *#{t.ticket_id}* {escape(short(t.subject, 80)) or '(no subject)'} — "
        f"{escape(t.requester)}{' · ' + t.urgency if t.urgency else ''}{flag}"
    )


def _lines(lines: list[str], *, limit: int = 2900) -> list[Block]:
    """Sections of bullet lines, each under Slack's 3,000 characters."""
    blocks: list[Block] = []
    current: list[str] = []
    for line in lines:
        if current and len("\n".join([*current, line])) > limit:
            blocks.append({"type": "section", "text": mrkdwn("\n".join(current))})
            current = []
        current.append(line)
    if current:
        blocks.append({"type": "section", "text": mrkdwn("\n".join(current))})
    return blocks


def bulk_confirm_view(
    preview: BulkPreview,
    *,
    metadata: str,
    assignee_slack_id: str | None = None,
    reason: str | None = None,
) -> View:
    """ "Approve 12 tickets?": which ones, what will be skipped and why, and the inputs the
    action needs (reason, assignee; for approve, whether to include escalated drafts)."""
    action = preview.action
    n = len(preview.act_on)
    blocks: list[Block] = [
        {
            "type": "section",
            "text": mrkdwn(
                f"*{VERB[action]} {plural(n, 'ticket')}?* Each one is decided on its own; "
                "anything someone else decided meanwhile is skipped and listed."
            ),
        }
    ]
    shown = preview.act_on[:LISTED]
    blocks += _lines([_target_line(t) for t in shown])
    if n > len(shown):
        blocks.append({"type": "context", "elements": [mrkdwn(f"…and {n - len(shown)} more")]})
    if preview.skip:
        by_reason: dict[str, list[int]] = {}
        for item in preview.skip:
            by_reason.setdefault(item.reason or "other", []).append(item.ticket_id)
        lines = [
            f"• {REASONS.get(r, r)}: "
            + ", ".join(f"#{i}" for i in ids[:30])
            + (" …" if len(ids) > 30 else "")
            for r, ids in by_reason.items()
        ]
        blocks.append({"type": "section", "text": mrkdwn(f"*Left out ({len(preview.skip)})*")})
        blocks += _lines(lines)
    if action == "reject":
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": REASON_ACTION,
            "multiline": True,
            "max_length": 3000,
            "placeholder": plain("Why these drafts should not go out (one reason for all)"),
        }
        if reason:
            element["initial_value"] = reason[:3000]
        blocks.append(
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": plain("Reason"),
                "element": element,
            }
        )
    if action == "assign":
        picker: dict[str, Any] = {
            "type": "users_select",
            "action_id": ASSIGNEE_ACTION,
            "placeholder": plain("Who takes them"),
        }
        if assignee_slack_id:
            picker["initial_user"] = assignee_slack_id
        blocks.append(
            {
                "type": "input",
                "block_id": ASSIGNEE_BLOCK,
                "label": plain("Assign to"),
                "element": picker,
            }
        )
    escalated = [i for i in preview.skip if i.reason == "escalated"]
    if action == "approve" and escalated:
        blocks.append(
            {
                "type": "input",
                "block_id": ESCALATED_BLOCK,
                "optional": True,
                "label": plain("Escalated drafts"),
                "element": {
                    "type": "checkboxes",
                    "action_id": ESCALATED_ACTION,
                    "options": [
                        {
                            "text": plain(
                                f"Also approve the {plural(len(escalated), 'escalated draft')}"
                            ),
                            "value": "yes",
                        }
                    ],
                },
            }
        )
    view: View = {
        "type": "modal",
        "callback_id": CONFIRM_VIEW,
        "title": plain(short(f"{VERB[action]} {plural(n, 'ticket')}", 24)),
        "close": plain("Cancel"),
        "private_metadata": metadata,
        "blocks": blocks[:100],
    }
    if n:
        view["submit"] = plain(short(f"{VERB[action]} {n}", 24))
    return view


def confirm_inputs(state_values: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation's inputs say: ``reason``, ``assignee_slack_id``,
    ``include_escalated``."""

    def value(block: str, action: str) -> dict[str, Any]:
        return (state_values.get(block) or {}).get(action) or {}

    return {
        "reason": (value(REASON_BLOCK, REASON_ACTION).get("value") or "").strip() or None,
        "assignee_slack_id": value(ASSIGNEE_BLOCK, ASSIGNEE_ACTION).get("selected_user"),
        "include_escalated": bool(value(ESCALATED_BLOCK, ESCALATED_ACTION).get("selected_options")),
    }


# --- the result ------------------------------------------------------------------------


def bulk_result_blocks(result: BulkResult, *, by: str | None = None) -> list[Block]:
    """The summary: how many were done, and every skipped ticket grouped by reason."""
    done = len(result.done)
    who = f" by {by}" if by else ""
    icon = ":white_check_mark:" if done and not result.skipped else ":information_source:"
    blocks: list[Block] = [
        {
            "type": "section",
            "text": mrkdwn(
                f"{icon} *{plural(done, 'ticket')} {DONE.get(result.action, result.action)}*{who}"
                + (f", {plural(len(result.skipped), 'ticket')} skipped" if result.skipped else "")
            ),
        }
    ]
    if result.done:
        ids = ", ".join(f"#{i.ticket_id}" for i in result.done[:60])
        more = f" and {len(result.done) - 60} more" if len(result.done) > 60 else ""
        blocks.append({"type": "context", "elements": [mrkdwn(f"Done: {ids}{more}")]})
    lines = [
        f"• *#{i.ticket_id}* {REASONS.get(i.reason or '', i.reason or '')}: {escape(short(i.detail, 200))}"
        for i in result.skipped
    ]
    blocks += _lines(lines)[:45]
    return blocks


def bulk_result_text(result: BulkResult) -> str:
    """The notification text (and the fallback when blocks cannot be shown)."""
    return result.summary()
