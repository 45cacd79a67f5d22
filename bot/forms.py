"""Reading what people typed: ``view.state.values`` into plain values. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.blocks.settings import BREACH_CHANNEL_KEY, KB_CHANNEL_KEY, SETTING_KEYS
from bot.blocks.text import join_parts
from core.access.tokens import DEFAULT_EXPIRY, KINDS, parse_duration, parse_scopes
from core.control.mailbox_form import MailboxForm
from core.control.scheduler import MAX_INTERVAL, MIN_INTERVAL
from core.control.settings_form import SettingsInput
from core.errors import ValidationError
from core.workflow.presence import PRESENCE_KEY

State = dict[str, dict[str, dict[str, Any]]]
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")


def state_of(view: dict[str, Any]) -> State:
    return ((view or {}).get("state") or {}).get("values") or {}


def value(state: State, block_id: str, action_id: str) -> Any:
    """The value of one input, whatever its element type; None when empty."""
    element = (state.get(block_id) or {}).get(action_id) or {}
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons", "external_select"):
        option = element.get("selected_option")
        return option.get("value") if option else None
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    return element.get("value")


def text(state: State, block_id: str, action_id: str = "text") -> str:
    raw = value(state, block_id, action_id)
    return raw if isinstance(raw, str) else ""


def body_blocks(state: State) -> list[str]:
    """The edit modal's part inputs in order: ``body_0``, ``body_1``… (``body_0-2`` after
    a template replaced the text: new block ids, so Slack shows the new text)."""
    found = []
    for block_id in state:
        head, _, rest = block_id.partition("_")
        index = rest.partition("-")[0]
        if head == "body" and index.isdecimal():
            found.append((int(index), block_id))
    return [b for _, b in sorted(found)]


def edit_body(state: State, seps: tuple[str, ...]) -> str:
    """The edit modal's parts joined back into one text."""
    return join_parts([text(state, b) for b in body_blocks(state)], seps)


def _port(state: State, block_id: str, default: int, errors: dict[str, str]) -> int:
    raw = text(state, block_id, "value").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        errors[block_id] = "a port is a number from 1 to 65535"
        return default
    return port


def settings_input(state: State) -> tuple[SettingsInput, dict[str, str]]:
    """The settings modal's values, and errors by block id (empty when all is well)."""
    errors: dict[str, str] = {}

    def get(block_id: str) -> str:
        return text(state, block_id, "value").strip()

    mailbox = None
    if any(get(b) for b in ("mb_address", "imap_host", "smtp_host", "imap_user")):
        for block_id in ("mb_address", "imap_host", "imap_user", "smtp_host"):
            if not get(block_id):
                errors[block_id] = "needed for a mailbox"
        if get("mb_address") and "@" not in get("mb_address"):
            errors["mb_address"] = "an email address, like support@example.com"
        mailbox = MailboxForm(
            name=get("mb_name") or "support",
            address=get("mb_address"),
            imap_host=get("imap_host"),
            imap_port=_port(state, "imap_port", 993, errors),
            imap_user=get("imap_user"),
            imap_tls=value(state, "imap_tls", "value") or "ssl",
            imap_password=text(state, "imap_password", "value") or None,
            smtp_host=get("smtp_host"),
            smtp_port=_port(state, "smtp_port", 587, errors),
            smtp_user=get("smtp_user"),
            smtp_tls=value(state, "smtp_tls", "value") or "starttls",
            smtp_password=text(state, "smtp_password", "value") or None,
        )
    settings = {key: get(block_id) for block_id, key in SETTING_KEYS.items()}
    provider = value(state, "ai_provider", "value")
    if provider:
        settings["ai.provider"] = provider
    if presence := value(state, "slack_presence", "value"):
        settings[PRESENCE_KEY] = presence
    secrets = {}
    if key := get("ai_api_key"):
        secrets["ai.api_key"] = key
    base_url = settings.get("ai.base_url", "")
    if base_url and not base_url.startswith(("http://", "https://")):
        errors["ai_base_url"] = "a URL starting with https:// (or http:// for a local server)"
    breach_channel = settings.get(BREACH_CHANNEL_KEY, "")
    if breach_channel and not CHANNEL_ID.match(breach_channel):
        errors["breach_channel"] = (
            "a channel id, like C0123ABCD (the channel's details show it); empty: none"
        )
    kb_channel = settings.get(KB_CHANNEL_KEY, "")
    if kb_channel and not CHANNEL_ID.match(kb_channel):
        errors["kb_channel"] = (
            "a channel id, like C0123ABCD (the channel's details show it); empty: the triage one"
        )
    interval = get("fetch_interval")
    if interval and not (interval.isascii() and interval.isdecimal()):
        errors["fetch_interval"] = "a number of seconds"
    elif interval and not MIN_INTERVAL <= int(interval) <= MAX_INTERVAL:
        errors["fetch_interval"] = f"{MIN_INTERVAL} to {MAX_INTERVAL} seconds (30 s to 24 h)"
    role_user, role = value(state, "role_user", "value"), value(state, "role", "value")
    if bool(role_user) != bool(role):
        errors["role" if role_user else "role_user"] = "pick both a person and a role"
    return (
        SettingsInput(
            mailbox=mailbox,
            settings=settings,
            secrets=secrets,
            triage_channel=value(state, "triage_channel", "value"),
            role_user=role_user,
            role=role,
            auto_fetch=value(state, "auto_fetch", "value"),
            fetch_interval=int(interval) if interval.isascii() and interval.isdecimal() else None,
        ),
        errors,
    )


@dataclass(frozen=True, slots=True)
class TokenInput:
    """What the API token form asks for (checked; the token service checks the role)."""

    name: str
    scopes: tuple[str, ...]
    expires: str
    kind: str = "personal"


def token_input(state: State) -> tuple[TokenInput | None, dict[str, str]]:
    """The token form's values, or errors by block id. Pure: the scopes a role allows are
    the token service's to refuse (the form offers only those)."""
    errors: dict[str, str] = {}
    name = text(state, "token_name", "value").strip()
    element = (state.get("token_scopes") or {}).get("value") or {}
    picked = [str(o.get("value")) for o in element.get("selected_options") or []]
    scopes: tuple[str, ...] = ()
    try:
        scopes = parse_scopes(picked)
    except ValidationError as exc:
        errors["token_scopes"] = str(exc)
    typed = text(state, "token_expiry_text", "value").strip()
    expires = typed or value(state, "token_expiry", "value") or DEFAULT_EXPIRY
    try:
        parse_duration(expires)
    except ValidationError as exc:
        errors["token_expiry_text" if typed else "token_expiry"] = str(exc)
    kind = value(state, "token_kind", "value") or "personal"
    if kind not in KINDS:
        errors["token_kind"] = "personal or service"
    elif kind == "service" and not name:
        errors["token_name"] = "a service token needs its own name"
    if len(name) > 200:
        errors["token_name"] = "at most 200 characters"
    if errors:
        return None, errors
    return TokenInput(name=name, scopes=scopes, expires=expires, kind=kind), errors
