"""The SLA section of the settings modal (calendars, policies in matching order) and the
forms pushed over it: add a calendar, add or edit a policy.

A form's values are strings as typed (``FIELDS`` for a policy); ``bot.sla_forms`` reads
them back. A button's value names a policy; it is untrusted: the policy service checks the
admin again when the form is saved.
"""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.text import escape, mrkdwn, plain, plural, short
from core.vocabulary import CATEGORIES, URGENCIES
from core.workflow.calendar_store import CalendarInfo
from core.workflow.calendars import DAY_NAMES, Hours, format_hours
from core.workflow.sla import DEFAULT_WARN_LEVELS, format_target
from core.workflow.sla_policies import PolicyInfo

Block = dict[str, Any]
View = dict[str, Any]
CALENDAR_TITLE = "SLA calendar"
POLICY_TITLE = "SLA policy"
ANY = "any"
DEFAULT = "default"
# a policy form's fields, in the order the form shows them
FIELDS = (
    "calendar",
    "category",
    "urgency",
    "first_response",
    "next_response",
    "resolution",
    "warn_levels",
    "position",
    "is_default",
)
# form block id -> field (``name`` only when adding)
POLICY_BLOCKS = {
    "pol_name": "name",
    "pol_calendar": "calendar",
    "pol_category": "category",
    "pol_urgency": "urgency",
    "pol_first": "first_response",
    "pol_next": "next_response",
    "pol_resolution": "resolution",
    "pol_warn": "warn_levels",
    "pol_position": "position",
    "pol_default": "is_default",
}
CALENDAR_BLOCKS = {
    "cal_name": "name",
    "cal_tz": "tz",
    "cal_hours": "hours",
    "cal_holidays": "holidays",
}
METRIC_LABELS = {"first_response": "first", "next_response": "next", "resolution": "resolution"}


def _input(block_id: str, label: str, element: Block, *, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "optional": True,  # checked by the desk, which says what is missing
        "label": plain(label),
        "element": element,
    }
    if hint:
        block["hint"] = plain(short(hint, 2000))
    return block


def _text(
    block_id: str,
    label: str,
    initial: str = "",
    *,
    placeholder: str | None = None,
    multiline: bool = False,
    hint: str | None = None,
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:3000]
    if placeholder:
        element["placeholder"] = plain(short(placeholder, 150))
    return _input(block_id, label, element, hint=hint)


def _select(block_id: str, label: str, choices: list[str], initial: str) -> Block:
    options = [{"text": plain(short(c, 75)), "value": c[:150]} for c in choices]
    element: Block = {"type": "static_select", "action_id": "value", "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return _input(block_id, label, element)


def _notice(block_id: str, notice: str | None, ok: bool) -> list[Block]:
    if not notice:
        return []
    icon = ":white_check_mark:" if ok else ":warning:"
    text = mrkdwn(f"{icon} {escape(short(notice, 2900))}")
    return [{"type": "section", "block_id": block_id, "text": text}]


# -- the section in /desk settings ------------------------------------------------------


def hours_text(hours: Hours) -> str:
    """``mon-fri 09:00-17:00; sat 10:00-14:00``: days in a row with the same hours as one
    range (as ``parse_hours`` reads it back)."""
    spans = {d: format_hours({d: s}).split(" ", 1)[1] for d, s in hours.items() if s}
    runs: list[list[int]] = []
    for day in sorted(spans):
        if runs and runs[-1][-1] == day - 1 and spans[runs[-1][0]] == spans[day]:
            runs[-1].append(day)
        else:
            runs.append([day])
    return "; ".join(
        (DAY_NAMES[r[0]] if len(r) == 1 else f"{DAY_NAMES[r[0]]}-{DAY_NAMES[r[-1]]}")
        + f" {spans[r[0]]}"
        for r in runs
    )


def calendar_line(c: CalendarInfo) -> str:
    holidays = plural(len(c.holidays), "holiday")
    return (
        f"*{escape(short(c.name, 80))}* · {escape(c.tz)} · "
        f"{escape(short(hours_text(c.hours), 300))} · {holidays}"
    )


def match_text(info: PolicyInfo) -> str:
    p = info.policy
    return " and ".join(x for x in (p.category, p.urgency) if x) or "any ticket"


def policy_line(info: PolicyInfo) -> Block:
    """One policy: position, name, what it matches, calendar, targets, warning levels."""
    p = info.policy
    targets = " · ".join(
        f"{label} {format_target(p.targets[metric])}"
        for metric, label in METRIC_LABELS.items()
        if p.targets[metric] is not None
    )
    warn = ", ".join(f"{x}%" for x in p.warn_levels) or "no warnings"
    text = (
        f"*{p.position} · {escape(short(p.name, 80))}*{' (default)' if p.is_default else ''}"
        f" · matches {escape(match_text(info))}\n"
        f"calendar *{escape(short(p.calendar_name, 80))}* · {targets} · warn at {warn}"
    )
    return {
        "type": "section",
        "block_id": f"sla_policy:{p.id}",
        "text": mrkdwn(text),
        "accessory": {
            "type": "button",
            "action_id": ids.SLA_POLICY_EDIT,
            "text": plain("Edit"),
            "value": str(p.id),
        },
    }


def sla_blocks(
    calendars: list[CalendarInfo],
    policies: list[PolicyInfo],
    *,
    room: int,
    notice: str | None = None,
    ok: bool = True,
) -> list[Block]:
    """The SLA section: a header, the outcome of the last change (``notice``), the
    calendars, the policies in matching order (as many as ``room`` blocks allow; the rest
    counted), and the Add buttons."""
    blocks: list[Block] = [{"type": "header", "text": plain("SLA")}]
    blocks += _notice("sla_notice", notice, ok)
    blocks.append(
        {
            "type": "context",
            "elements": [
                mrkdwn(
                    "A ticket takes the first policy in order whose category and urgency "
                    "match, else the default. Targets are business time on the policy's "
                    "calendar; a change recomputes the open clocks."
                )
            ],
        }
    )
    lines = [calendar_line(c) for c in calendars] or ["_No calendars yet: add one first._"]
    text = "*Calendars*\n" + "\n".join(lines)
    blocks.append(
        {"type": "section", "block_id": "sla_calendars", "text": mrkdwn(short_lines(text))}
    )
    shown = policies[: max(0, room - len(blocks) - 2)]
    if not policies:
        blocks.append({"type": "context", "elements": [mrkdwn("No policies yet.")]})
    blocks += [policy_line(p) for p in shown]
    if len(shown) < len(policies):
        n = len(policies) - len(shown)
        more = f"{n:,} more {'policy' if n == 1 else 'policies'}"
        blocks.append(
            {"type": "context", "elements": [mrkdwn(f"{more}: `desk sla list` lists all.")]}
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": "sla_add",
            "elements": [
                {
                    "type": "button",
                    "action_id": ids.SLA_CALENDAR_NEW,
                    "text": plain("Add calendar"),
                    "value": "calendar",
                },
                {
                    "type": "button",
                    "action_id": ids.SLA_POLICY_NEW,
                    "text": plain("Add policy"),
                    "value": "policy",
                },
            ],
        }
    )
    return blocks


def short_lines(text: str, limit: int = 3000) -> str:
    """``text`` cut at a line end to fit a section (lines are never split)."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 40)
    rest = text[cut:].count("\n")
    return text[:cut] + f"\n…and {plural(rest, 'more')}: `desk sla list` lists all."


# -- the forms ---------------------------------------------------------------------------


def calendar_view(
    ctx: ids.SlaFormContext, values: dict[str, str] | None = None, *, notice: str | None = None
) -> View:
    """Add a calendar: name, zone, hours lines, holidays; ``values``: what was typed
    (shown again after a refusal, with ``notice``)."""
    v = values or {}
    blocks = _notice("cal_notice", notice, False) + [
        _text("cal_name", "Name", v.get("name", ""), placeholder="berlin"),
        _text("cal_tz", "Time zone", v.get("tz", ""), placeholder="Europe/Berlin"),
        _text(
            "cal_hours",
            "Business hours",
            v.get("hours", ""),
            placeholder="mon-fri 09:00-17:00",
            multiline=True,
            hint="One line per days: mon-fri 09:00-12:00,13:00-17:00 then sat 10:00-14:00.",
        ),
        _text(
            "cal_holidays",
            "Holidays",
            v.get("holidays", ""),
            placeholder="2026-12-24 2026-12-25",
            multiline=True,
            hint="Dates (YYYY-MM-DD), separated by spaces, commas or lines.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.SLA_CALENDAR_VIEW,
        "private_metadata": ctx.dump(),
        "title": plain(CALENDAR_TITLE),
        "submit": plain("Add"),
        "close": plain("Back"),
        "blocks": blocks,
    }


def policy_values(info: PolicyInfo) -> dict[str, str]:
    """A policy's fields as its form shows them."""
    p = info.policy
    return {
        "calendar": p.calendar_name,
        "category": p.category or "",
        "urgency": p.urgency or "",
        **{
            m: format_target(p.targets[m]) if p.targets[m] is not None else ""
            for m in METRIC_LABELS
        },
        "warn_levels": ",".join(str(x) for x in p.warn_levels),
        "position": str(p.position),
        "is_default": DEFAULT if p.is_default else "",
    }


def policy_view(
    ctx: ids.SlaFormContext,
    calendars: list[str],
    values: dict[str, str] | None = None,
    *,
    notice: str | None = None,
) -> View:
    """Add a policy, or edit the one ``ctx`` names (its name is not changed here);
    ``values``: what was typed (shown again after a refusal, with ``notice``), else what
    the policy holds (``ctx.was``)."""
    v = values if values is not None else (ctx.was or {})
    editing = ctx.policy_id is not None
    default_box: Block = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [
            {"text": plain("The default policy (for tickets nothing matches)"), "value": DEFAULT}
        ],
    }
    if v.get("is_default") == DEFAULT:
        default_box["initial_options"] = list(default_box["options"])
    blocks = _notice("pol_notice", notice, False)
    if editing:
        blocks.append(
            {
                "type": "section",
                "block_id": "pol_title",
                "text": mrkdwn(
                    f"*{escape(short((ctx.was or {}).get('name', ''), 100))}*: a change raises its version and "
                    "recomputes the open clocks, keeping the business time they used."
                ),
            }
        )
    else:
        blocks.append(_text("pol_name", "Name", v.get("name", ""), placeholder="urgent"))
    blocks += [
        _select("pol_calendar", "Calendar", calendars[:100], v.get("calendar", "")),
        _select("pol_category", "Category", [ANY, *CATEGORIES], v.get("category") or ANY),
        _select("pol_urgency", "Urgency", [ANY, *URGENCIES], v.get("urgency") or ANY),
        _text(
            "pol_first",
            "First response within",
            v.get("first_response", ""),
            placeholder="4h",
            hint="Business time: 30m, 4h, 3d (a day is 24 business hours). Empty: none.",
        ),
        _text("pol_next", "Next response within", v.get("next_response", ""), placeholder="8h"),
        _text("pol_resolution", "Resolution within", v.get("resolution", ""), placeholder="3d"),
        _text(
            "pol_warn",
            "Warning levels (percent of a target)",
            v.get("warn_levels", ""),
            placeholder=",".join(map(str, DEFAULT_WARN_LEVELS)) + " (the default)",
        ),
        _text(
            "pol_position",
            "Order (low first)",
            v.get("position", ""),
            placeholder="empty: last",
        ),
        _input("pol_default", "Default", default_box),
    ]
    return {
        "type": "modal",
        "callback_id": ids.SLA_POLICY_VIEW,
        "private_metadata": ctx.dump(),
        "title": plain(POLICY_TITLE),
        "submit": plain("Save" if editing else "Add"),
        "close": plain("Back"),
        "blocks": blocks,
    }


def calendar_added(c: CalendarInfo) -> str:
    return (
        f"Calendar {c.name} added: {c.tz}, {hours_text(c.hours)}; "
        f"{plural(len(c.holidays), 'holiday')}."
    )


def policy_saved(info: PolicyInfo, *, added: bool) -> str:
    p = info.policy
    verb = "added" if added else "changed"
    return f"Policy {p.name} {verb} (version {p.version}, position {p.position})."
