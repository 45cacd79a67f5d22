"""Reading the SLA forms (``bot.blocks.sla``): what was typed, checked with the core's own
pure checks (zone, hours, holidays, durations, warning levels), errors by block id for
``ack(response_action="errors")``. Pure functions.

What only the database can say (a name taken, a calendar gone, who may change it) is the
policy and calendar services' to refuse when the form is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.blocks.sla import ANY, CALENDAR_BLOCKS, DEFAULT, FIELDS, POLICY_BLOCKS
from bot.blocks.text import short
from bot.forms import State, value
from core.errors import ValidationError
from core.workflow.calendar_store import checked
from core.workflow.sla import DEFAULT_WARN_LEVELS, METRICS, parse_target
from core.workflow.sla_policies import parse_levels, policy_name

POSITION_MAX = 1_000_000
_BLOCK_OF = {field: block for block, field in POLICY_BLOCKS.items()}
_CALENDAR_BLOCK_OF = {field: block for block, field in CALENDAR_BLOCKS.items()}


@dataclass(frozen=True, slots=True)
class CalendarInput:
    name: str
    tz: str
    hours: tuple[str, ...]  # one spec a line, as ``parse_hours`` reads them
    holidays: tuple[date, ...]
    typed: dict[str, str]  # field -> text as typed, to show the form again


@dataclass(frozen=True, slots=True)
class PolicyInput:
    name: str  # "" when editing
    values: dict[str, str]  # FIELDS -> text as typed ("" empty)

    def for_add(self) -> dict[str, Any]:
        """``PolicyService.add``'s keyword arguments (empty fields left to its defaults)."""
        v = self.values
        out: dict[str, Any] = {"calendar": v["calendar"], "is_default": v["is_default"] == DEFAULT}
        for key in ("category", "urgency", *METRICS):
            if v[key]:
                out[key] = v[key]
        out["warn_levels"] = v["warn_levels"] or DEFAULT_WARN_LEVELS
        if v["position"]:
            out["position"] = int(v["position"])
        return out

    def changes(self, was: dict[str, str]) -> dict[str, Any]:
        """``PolicyService.change``'s keyword arguments: the fields that differ from what
        the form was opened with (an emptied target or criterion clears it; emptied
        warning levels are the default ones; an emptied order keeps the order)."""
        out: dict[str, Any] = {}
        for key in FIELDS:
            now = self.values[key]
            if key == "warn_levels" and not now:
                now = ",".join(map(str, DEFAULT_WARN_LEVELS))
            if now == was.get(key, "") or (key == "position" and not now):
                continue
            if key == "position":
                out[key] = int(now)
            elif key == "is_default":
                out[key] = now == DEFAULT
            else:
                out[key] = now
        return out


def _text(state: State, block_id: str) -> str:
    raw = value(state, block_id, "value")
    return raw.strip() if isinstance(raw, str) else ""


def _holidays(text: str) -> tuple[date, ...]:
    days = []
    for word in re.split(r"[\s,;]+", text):
        if not word:
            continue
        try:
            days.append(date.fromisoformat(word))
        except ValueError:
            raise ValidationError(
                f"{word[:20]!r} is not a date like 2026-12-24", field="holidays"
            ) from None
    return tuple(sorted(set(days)))


def calendar_input(state: State) -> tuple[CalendarInput | None, dict[str, str]]:
    """The calendar form's values, or errors by block id."""
    typed = {field: _text(state, block) for block, field in CALENDAR_BLOCKS.items()}
    hours = tuple(line.strip() for line in typed["hours"].splitlines() if line.strip())
    try:
        holidays = _holidays(typed["holidays"])
        checked(typed["name"], tz=typed["tz"], hours=hours, holidays=holidays)
    except ValidationError as exc:
        block = _CALENDAR_BLOCK_OF.get(str(exc.data.get("field")), "cal_hours")
        return None, {block: short(str(exc), 150)}
    return CalendarInput(typed["name"], typed["tz"], hours, holidays, typed), {}


def _selected(state: State, block_id: str) -> str:
    picked = value(state, block_id, "value")
    return "" if picked in (None, ANY) else str(picked)


def policy_input(state: State, *, adding: bool) -> tuple[PolicyInput | None, dict[str, str]]:
    """The policy form's values, or errors by block id (each field checked, so every
    mistake is shown at once)."""
    errors: dict[str, str] = {}

    def check(about: str, fn: Any, *args: Any, **kw: Any) -> None:
        try:
            fn(*args, **kw)
        except ValidationError as exc:
            errors[_BLOCK_OF[about]] = short(str(exc), 150)

    name = _text(state, "pol_name") if adding else ""
    if adding:
        check("name", policy_name, name)
    box = (state.get("pol_default") or {}).get("value") or {}
    picked = [str(o.get("value")) for o in box.get("selected_options") or []]
    values = {
        "calendar": _selected(state, "pol_calendar"),
        "category": _selected(state, "pol_category"),
        "urgency": _selected(state, "pol_urgency"),
        "first_response": _text(state, "pol_first"),
        "next_response": _text(state, "pol_next"),
        "resolution": _text(state, "pol_resolution"),
        "warn_levels": _text(state, "pol_warn"),
        "position": _text(state, "pol_position"),
        "is_default": DEFAULT if DEFAULT in picked else "",
    }
    if not values["calendar"]:
        errors["pol_calendar"] = "Pick the calendar whose business hours count."
    for metric in METRICS:
        if values[metric]:
            check(metric, parse_target, values[metric], field=metric)
    if not any(values[m] for m in METRICS):
        errors["pol_first"] = "A policy needs at least one target, e.g. 4h."
    if values["warn_levels"]:
        check("warn_levels", parse_levels, values["warn_levels"])
    position = values["position"]
    if position and not (
        re.fullmatch(r"-?\d{1,7}", position) and abs(int(position)) <= POSITION_MAX
    ):
        errors["pol_position"] = f"A whole number, -{POSITION_MAX:,} to {POSITION_MAX:,}."
    if errors:
        return None, errors
    return PolicyInput(name=name.strip(), values=values), {}
