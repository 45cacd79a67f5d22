"""Notification preferences in Slack, as pure functions: the App Home button, the modal
(a channel per kind of notice, quiet hours, digest days, draft minutes) and the reading of
its submission into a ``PreferenceChange`` (or the errors by block id)."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.text import escape, mrkdwn, plain
from core.errors import ValidationError
from core.workflow.notices import KINDS
from core.workflow.preferences import DAYS, PreferenceChange, Preferences

View = dict[str, Any]
Block = dict[str, Any]
State = dict[str, dict[str, Any]]
TITLE = "Notifications"

KIND_LABELS = {
    "high_urgency": "A new High-urgency ticket",
    "assigned": "A ticket assigned to you",
    "sla_warning": "SLA warning on your ticket",
    "sla_breach": "SLA breach on your ticket (ignores quiet hours)",
    "customer_replied": "The customer replied on your ticket",
    "draft_waiting": "A draft waiting for your approval",
    "digest": "Daily digest (09:00 on your business days)",
}
CHANNEL_LABELS = {"slack": "Slack DM", "email": "Email", "none": "Off"}
DAY_LABELS = dict(zip(DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def preferences_button() -> list[Block]:
    """The App Home row that opens the modal."""
    return [
        {
            "type": "section",
            "block_id": "notification_prefs",
            "text": mrkdwn("*Notifications*: what you hear of, how, and when not."),
            "accessory": {
                "type": "button",
                "action_id": ids.NOTIFY_PREFS,
                "text": plain("Notification preferences"),
                "value": "open",
            },
        }
    ]


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def preferences_view(prefs: Preferences) -> View:
    blocks: list[Block] = []
    for kind in KINDS:
        current = prefs.channel(kind)
        blocks.append(
            {
                "type": "input",
                "block_id": f"pref_{kind}",
                "label": plain(KIND_LABELS.get(kind, kind)),
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [_option(c, label) for c, label in CHANNEL_LABELS.items()],
                    "initial_option": _option(current, CHANNEL_LABELS[current]),
                },
            }
        )
    for block_id, label, initial in (
        ("quiet_start", "Quiet hours start (your time)", prefs.quiet_start),
        ("quiet_end", "Quiet hours end", prefs.quiet_end),
    ):
        element: Block = {"type": "timepicker", "action_id": "value"}
        if initial:
            element["initial_time"] = initial
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "optional": True,
                "label": plain(label),
                "element": element,
            }
        )
    days: Block = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [_option(d, DAY_LABELS[d]) for d in DAYS],
    }
    if prefs.business_days:
        days["initial_options"] = [_option(d, DAY_LABELS[d]) for d in prefs.business_days]
    blocks.append(
        {
            "type": "input",
            "block_id": "business_days",
            "optional": True,
            "label": plain("Digest days"),
            "element": days,
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": "draft_minutes",
            "label": plain("Tell me of a draft waiting longer than (minutes)"),
            "element": {
                "type": "number_input",
                "action_id": "value",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "10080",
                "initial_value": str(prefs.draft_waiting_minutes),
            },
        }
    )
    zone = escape(prefs.tz) if prefs.tz else "not known yet (taken from Slack)"
    blocks.append(
        {
            "type": "context",
            "elements": [
                mrkdwn(
                    f"Your time zone: {zone}. Quiet hours hold notices until they end; "
                    "SLA breaches still come."
                )
            ],
        }
    )
    return {
        "type": "modal",
        "callback_id": ids.NOTIFY_VIEW,
        "title": plain(TITLE),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def _element(state: State, block_id: str) -> dict[str, Any]:
    return (state.get(block_id) or {}).get("value") or {}


def preferences_input(state: State) -> tuple[PreferenceChange | None, dict[str, str]]:
    """The submitted form as one change, checked whole; or the errors by block id (nothing
    is saved then). Pure: the form holds every field, so no stored value is needed."""
    errors: dict[str, str] = {}
    channels: dict[str, str] = {}
    for kind in KINDS:
        option = _element(state, f"pref_{kind}").get("selected_option") or {}
        channels[kind] = str(option.get("value") or "slack")
    start = _element(state, "quiet_start").get("selected_time") or None
    end = _element(state, "quiet_end").get("selected_time") or None
    quiet: tuple[str, str] | tuple[()] = ()
    if start and end:
        quiet = (str(start), str(end))
    elif start or end:
        errors["quiet_end" if start else "quiet_start"] = "set both times, or neither"
    picked = _element(state, "business_days").get("selected_options") or []
    days = [str(o.get("value")) for o in picked]
    raw = str(_element(state, "draft_minutes").get("value") or "").strip()
    minutes = int(raw) if raw.isdigit() else None
    if minutes is None:
        errors["draft_minutes"] = "a whole number of minutes"
    if errors:
        return None, errors
    change = PreferenceChange(
        channels=channels, quiet_hours=quiet, business_days=days, draft_waiting_minutes=minutes
    )
    try:
        change.applied_to(Preferences(0))
    except ValidationError as exc:
        block = {
            "quiet_hours": "quiet_end",
            "quiet_hours.start": "quiet_start",
            "quiet_hours.end": "quiet_end",
            "business_days": "business_days",
            "draft_waiting_minutes": "draft_minutes",
        }.get(str(exc.data.get("field")), f"pref_{exc.data.get('kind', 'digest')}")
        return None, {block: str(exc)}
    return change, {}
