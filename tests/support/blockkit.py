"""Slack's Block Kit limits, checked the way Slack answers ``invalid_blocks``.

Only the limits this app can run into are checked, each from Slack's reference:
blocks per surface, text lengths per element, element counts, id lengths, modal fields.
"""

from __future__ import annotations

from typing import Any

LIMITS = {"message": 50, "modal": 100, "home": 100}


def _text(obj: Any, where: str, limit: int, out: list[str], *, kind: str | None = None) -> None:
    if not isinstance(obj, dict) or "text" not in obj:
        out.append(f"{where}: missing text object")
        return
    if kind and obj.get("type") != kind:
        out.append(f"{where}: must be {kind}, is {obj.get('type')}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        out.append(f"{where}: empty text")
    elif len(text) > limit:
        out.append(f"{where}: text of {len(text)} > {limit} characters")


def _element(el: dict[str, Any], where: str, out: list[str]) -> None:
    kind = el.get("type")
    if len(str(el.get("action_id", ""))) > 255:
        out.append(f"{where}: action_id over 255")
    if kind == "button":
        _text(el.get("text"), f"{where}.text", 75, out, kind="plain_text")
        if len(str(el.get("value", ""))) > 2000:
            out.append(f"{where}: value over 2000")
        if "confirm" in el:
            c = el["confirm"]
            _text(c.get("title"), f"{where}.confirm.title", 100, out, kind="plain_text")
            _text(c.get("text"), f"{where}.confirm.text", 300, out)
            _text(c.get("confirm"), f"{where}.confirm.confirm", 30, out)
            _text(c.get("deny"), f"{where}.confirm.deny", 30, out)
    elif kind in ("static_select", "overflow", "radio_buttons", "checkboxes"):
        options = el.get("options") or []
        low, high = (2, 5) if kind == "overflow" else (1, 100 if kind == "static_select" else 10)
        values = {str(o.get("value")) for o in options}
        for initial in el.get("initial_options") or []:
            if str(initial.get("value")) not in values:
                out.append(f"{where}: initial option {initial.get('value')!r} is not an option")
        if not low <= len(options) <= high:
            out.append(f"{where}: {kind} has {len(options)} options (allowed {low}-{high})")
        for i, o in enumerate(options):
            _text(o.get("text"), f"{where}.options[{i}]", 75, out)
            if len(str(o.get("value", ""))) > 150:
                out.append(f"{where}.options[{i}]: value over 150")
    elif kind == "plain_text_input":
        if el.get("max_length", 3000) > 3000:
            out.append(f"{where}: max_length over 3000")
        if len(el.get("initial_value", "")) > 3000:
            out.append(f"{where}: initial_value of {len(el['initial_value'])} > 3000")
        if "placeholder" in el:
            _text(el["placeholder"], f"{where}.placeholder", 150, out, kind="plain_text")
    elif kind in ("users_select", "conversations_select", "channels_select", "number_input"):
        if "placeholder" in el:
            _text(el["placeholder"], f"{where}.placeholder", 150, out, kind="plain_text")
    elif kind is None:
        out.append(f"{where}: element without type")


def problems(blocks: Any, surface: str = "message") -> list[str]:
    """Every limit ``blocks`` breaks on ``surface`` (message, modal, home)."""
    out: list[str] = []
    if not isinstance(blocks, list):
        return [f"blocks is {type(blocks).__name__}, not a list"]
    if len(blocks) > LIMITS[surface]:
        out.append(f"{len(blocks)} blocks > {LIMITS[surface]} for a {surface}")
    block_ids = set()
    for i, b in enumerate(blocks):
        where = f"blocks[{i}]({b.get('type')})"
        if "block_id" in b:
            if len(b["block_id"]) > 255:
                out.append(f"{where}: block_id over 255")
            if b["block_id"] in block_ids:
                out.append(f"{where}: duplicate block_id {b['block_id']}")
            block_ids.add(b["block_id"])
        kind = b.get("type")
        if kind == "section":
            if "text" in b:
                _text(b["text"], f"{where}.text", 3000, out)
            fields = b.get("fields") or []
            if len(fields) > 10:
                out.append(f"{where}: {len(fields)} fields > 10")
            for j, f in enumerate(fields):
                _text(f, f"{where}.fields[{j}]", 2000, out)
            if "text" not in b and not fields:
                out.append(f"{where}: section without text or fields")
            if "accessory" in b:
                _element(b["accessory"], f"{where}.accessory", out)
        elif kind == "header":
            _text(b.get("text"), f"{where}.text", 150, out, kind="plain_text")
        elif kind == "context":
            elements = b.get("elements") or []
            if not 1 <= len(elements) <= 10:
                out.append(f"{where}: {len(elements)} context elements (allowed 1-10)")
            for j, e in enumerate(elements):
                _text(e, f"{where}.elements[{j}]", 3000, out)
        elif kind == "actions":
            elements = b.get("elements") or []
            if not 1 <= len(elements) <= 25:
                out.append(f"{where}: {len(elements)} action elements (allowed 1-25)")
            for j, e in enumerate(elements):
                _element(e, f"{where}.elements[{j}]", out)
        elif kind == "input":
            if surface == "message":
                out.append(f"{where}: input blocks are for modals and Home")
            _text(b.get("label"), f"{where}.label", 2000, out, kind="plain_text")
            if "hint" in b:
                _text(b["hint"], f"{where}.hint", 2000, out, kind="plain_text")
            _element(b.get("element") or {}, f"{where}.element", out)
        elif kind == "image":
            if "image_url" not in b and "slack_file" not in b:
                out.append(f"{where}: image without a source")
        elif kind != "divider":
            out.append(f"{where}: unknown block type {kind}")
    return out


def view_problems(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["view is not an object"]
    surface = "home" if view.get("type") == "home" else "modal"
    out = problems(view.get("blocks"), surface)
    if surface == "modal":
        for key, limit in (("title", 24), ("submit", 24), ("close", 24)):
            if key in view:
                _text(view[key], f"view.{key}", limit, out, kind="plain_text")
            elif key == "title":
                out.append("view.title missing")
        if len(view.get("private_metadata", "")) > 3000:
            out.append("view.private_metadata over 3000")
        if any(b.get("type") == "input" for b in view.get("blocks", [])) and "submit" not in view:
            out.append("a modal with inputs needs a submit button")
    return out
