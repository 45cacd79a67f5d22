"""The admin settings modal: the workspace's mailboxes (inactive ones marked) and its
mailbox form (with Test buttons), AI, Slack and branding, roles, the SLA section
(``bot.blocks.sla``) and the Users section (``bot.blocks.people``).

Secrets are never put back into the form: a password or key field is empty, and its
placeholder says whether one is stored. Leaving it empty keeps the stored value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import ids
from bot.blocks.people import users_blocks
from bot.blocks.sla import sla_blocks
from bot.blocks.text import VIEW_BLOCKS, escape, mrkdwn, plain, short
from core.access.directory import UserInfo
from core.access.members import Member
from core.access.users import ROLES
from core.control.mailbox_form import MailboxForm, MailboxLine
from core.control.scheduler import ENABLED_KEY, INTERVAL_KEY
from core.control.settings_form import SettingsSaved
from core.inbound.mailboxes import TLS_MODES
from core.workflow.calendar_store import CalendarInfo
from core.workflow.presence import PRESENCE_KEY
from core.workflow.sla_policies import PolicyInfo

View = dict[str, Any]
# the Slack user group whose members are mentioned for High urgency mail (a settings key:
# the engine is told the group, it does not know where Slack keeps it)
ONCALL_GROUP_KEY = "slack.oncall_group"
# the channel told of SLA breaches (``bot.breach_alerts``), a channel id; empty: none
BREACH_CHANNEL_KEY = "sla.breach_channel"
# the channel knowledge-base proposals are posted in (``bot.proposals``); empty: the triage one
KB_CHANNEL_KEY = "knowledge.channel"
PROVIDERS = ("offline", "openai")
SETTING_KEYS = {  # form block id -> settings store key
    "ai_model": "ai.model",
    "ai_base_url": "ai.base_url",
    "company_name": "company_name",
    "signature": "signature",
    "oncall_group": ONCALL_GROUP_KEY,
    "breach_channel": BREACH_CHANNEL_KEY,
    "kb_channel": KB_CHANNEL_KEY,
}
AUTO_FETCH = ("on", "off")
SLACK_PRESENCE = ("on", "off")
SLA_ROOM = 30  # blocks the SLA section may take; the Users section has the rest


@dataclass(frozen=True, slots=True)
class SettingsSnapshot:
    mailbox: MailboxForm | None
    stored: dict[str, str]  # SettingsStore.public(): secrets shown as "set"
    triage_channel: str | None
    members: list[Member] = field(default_factory=list)
    users: list[UserInfo] = field(default_factory=list)  # the workspace's, active or not
    users_notice: str | None = None  # the outcome of the last change in the Users section
    users_ok: bool = True
    calendars: list[CalendarInfo] = field(default_factory=list)
    policies: list[PolicyInfo] = field(default_factory=list)  # in matching order
    sla_notice: str | None = None  # the outcome of the last change in the SLA section
    mailboxes: list[MailboxLine] = field(default_factory=list)  # the workspace's, active or not


def _text_input(
    block_id: str,
    label: str,
    initial: str | None = None,
    *,
    placeholder: str | None = None,
    multiline: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial[:3000]
    if placeholder:
        element["placeholder"] = plain(short(placeholder, 150))
    return _optional_input(block_id, label, element, hint=hint)


def _number_input(block_id: str, label: str, initial: int | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "action_id": "value",
        "is_decimal_allowed": False,
    }
    if initial:
        element["initial_value"] = str(initial)
    return _optional_input(block_id, label, element)


def _select(
    block_id: str,
    label: str,
    choices: tuple[str, ...],
    initial: str | None,
    *,
    hint: str | None = None,
) -> dict[str, Any]:
    options = [{"text": plain(c), "value": c} for c in choices]
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
    if initial in choices:
        element["initial_option"] = {"text": plain(initial), "value": initial}
    return _optional_input(block_id, label, element, hint=hint)


def _optional_input(
    block_id: str, label: str, element: dict[str, Any], *, hint: str | None = None
) -> dict[str, Any]:
    """An input block that may be left empty (settings keep their value then)."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label),
        "element": element,
    }
    if hint:
        block["hint"] = plain(short(hint, 2000))
    return block


def _secret_hint(is_set: bool, *, empty: str = "leave empty to keep it") -> str:
    return f"set: {empty}" if is_set else "not set"


def settings_view(snapshot: SettingsSnapshot, *, test_result: str | None = None) -> View:
    m = snapshot.mailbox or MailboxForm(name="support")
    s = snapshot.stored
    admins = [x for x in snapshot.members if x.role in ("admin", "manager")]
    roles_line = ", ".join(f"<@{x.slack_user_id}> ({x.role})" for x in admins[:40]) or "nobody yet"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("Mailbox")},
        *_mailbox_list(snapshot.mailboxes),
        _text_input("mb_name", "Name", m.name),
        _text_input("mb_address", "Support address", m.address, placeholder="support@example.com"),
        _text_input("imap_host", "IMAP host", m.imap_host, placeholder="imap.example.com"),
        _number_input("imap_port", "IMAP port", m.imap_port),
        _text_input("imap_user", "IMAP user", m.imap_user),
        _text_input(
            "imap_password", "IMAP password", placeholder=_secret_hint(m.imap_password_set)
        ),
        _select("imap_tls", "IMAP security", TLS_MODES, m.imap_tls),
        _text_input("smtp_host", "SMTP host", m.smtp_host, placeholder="smtp.example.com"),
        _number_input("smtp_port", "SMTP port", m.smtp_port),
        _text_input("smtp_user", "SMTP user", m.smtp_user, hint="Empty: send without logging in."),
        _text_input(
            "smtp_password",
            "SMTP password",
            placeholder=_secret_hint(m.smtp_password_set, empty="leave empty to keep it")
            if m.smtp_password_set
            else "empty: the IMAP password is used",
        ),
        _select("smtp_tls", "SMTP security", TLS_MODES, m.smtp_tls),
        {
            "type": "actions",
            "block_id": "tests",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{ids.SETTINGS_TEST}_imap",
                    "text": plain("Test IMAP connection"),
                    "value": "imap",
                },
                {
                    "type": "button",
                    "action_id": f"{ids.SETTINGS_TEST}_smtp",
                    "text": plain("Test SMTP connection"),
                    "value": "smtp",
                },
            ],
        },
        {
            "type": "section",
            "block_id": "test_result",
            "text": mrkdwn(
                test_result
                or "_Test results show here. Tests use what is typed above, stored passwords where none is typed._"
            ),
        },
        {"type": "header", "text": plain("AI")},
        _select("ai_provider", "Provider", PROVIDERS, s.get("ai.provider") or None),
        _text_input(
            "ai_api_key", "OpenAI API key", placeholder=_secret_hint(s.get("ai.api_key") == "set")
        ),
        _text_input("ai_model", "Model", s.get("ai.model"), placeholder="gpt-5"),
        _text_input(
            "ai_base_url",
            "Base URL",
            s.get("ai.base_url"),
            placeholder="empty: OpenAI; or any OpenAI-compatible endpoint",
        ),
        {
            "type": "actions",
            "block_id": "ai_tests",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{ids.SETTINGS_TEST}_ai",
                    "text": plain("Test AI connection"),
                    "value": "ai",
                }
            ],
        },
        {"type": "header", "text": plain("Slack and branding")},
        _channel_input(snapshot.triage_channel),
        _text_input("company_name", "Company name", s.get("company_name")),
        _text_input("signature", "Signature", s.get("signature"), multiline=True),
        _text_input(
            "oncall_group",
            "On-call group (mentioned for High urgency new tickets)",
            s.get(ONCALL_GROUP_KEY),
            placeholder="a user group id, like S0123ABCD",
        ),
        _text_input(
            "breach_channel",
            "SLA breach channel (breaches are posted here, mentioning the on-call group)",
            s.get(BREACH_CHANNEL_KEY),
            placeholder="a channel id, like C0123ABCD; empty: none",
            hint="In addition to the breach DMs to the assignee and the managers."
            " Invite the app to the channel.",
        ),
        _text_input(
            "kb_channel",
            "Knowledge-base channel (articles proposed from resolved tickets)",
            s.get(KB_CHANNEL_KEY),
            placeholder="a channel id, like C0123ABCD; empty: the triage channel",
            hint="Each proposal is posted with Publish, Edit and Discard. Invite the app.",
        ),
        {"type": "header", "text": plain("Auto-fetch")},
        _select("auto_fetch", "Fetch mail automatically", AUTO_FETCH, _auto_fetch(s)),
        _number_input(
            "fetch_interval",
            "Every (seconds)",
            int(s[INTERVAL_KEY]) if s.get(INTERVAL_KEY, "").isdecimal() else None,
        ),
        {"type": "header", "text": plain("Assignment")},
        _select(
            "slack_presence",
            "Follow Slack presence",
            SLACK_PRESENCE,
            "on" if s.get(PRESENCE_KEY, "").strip().lower() == "on" else "off",
            hint="On: every 5 minutes agents whom Slack shows away are set away, and back"
            " when Slack shows them active (not those who went away by hand).",
        ),
        {"type": "header", "text": plain("Roles")},
        {
            "type": "context",
            "elements": [mrkdwn(short(f"Admins and managers: {roles_line}", 2900))],
        },
        _optional_input(
            "role_user", "Change the role of", {"type": "users_select", "action_id": "value"}
        ),
        _select("role", "New role", ROLES, None),
    ]
    blocks += sla_blocks(
        snapshot.calendars,
        snapshot.policies,
        room=min(SLA_ROOM, VIEW_BLOCKS - len(blocks) - 5),
        notice=snapshot.sla_notice,
    )
    blocks += users_blocks(
        snapshot.users,
        room=VIEW_BLOCKS - len(blocks),
        notice=snapshot.users_notice,
        ok=snapshot.users_ok,
    )
    return {
        "type": "modal",
        "callback_id": ids.SETTINGS_VIEW,
        "title": plain("Desk settings"),
        "submit": plain("Save"),
        "close": plain("Close"),
        "blocks": blocks,
    }


def mailbox_list_text(mailboxes: list[MailboxLine], *, limit: int = 2900) -> str:
    """The workspace's mailboxes, one line each (an inactive one says it is not fetched),
    as many as fit in ``limit`` characters; the rest counted."""
    lines: list[str] = []
    for i, m in enumerate(mailboxes):
        line = f"• *{escape(short(m.name, 100))}* {escape(short(m.address, 200))} ({m.kind})"
        line += "" if m.active else " · _inactive: not fetched_"
        more = f"… and {len(mailboxes) - i} more: `desk mailbox list`"
        if sum(len(x) + 1 for x in lines) + len(line) + 1 + len(more) > limit:
            lines.append(more)
            break
        lines.append(line)
    return "\n".join(lines)


def _mailbox_list(mailboxes: list[MailboxLine]) -> list[dict[str, Any]]:
    if not mailboxes:
        return []
    return [{"type": "context", "elements": [mrkdwn(mailbox_list_text(mailboxes))]}]


def _auto_fetch(stored: dict[str, str]) -> str:
    off = (stored.get(ENABLED_KEY) or "true").strip().lower() in ("false", "0", "off", "no")
    return "off" if off else "on"


def _channel_input(channel: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "value",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel:
        element["initial_conversation"] = channel
    return _optional_input(
        "triage_channel", "Triage channel (new drafts go here; invite the app to it)", element
    )


def test_result_text(results: dict[str, str]) -> str:
    lines = []
    for which, outcome in results.items():
        if outcome == "ok":
            lines.append(f":white_check_mark: *{which.upper()}*: connected and logged in")
        elif outcome.startswith("OK: "):  # a check that says what it found
            lines.append(
                f":white_check_mark: *{which.upper()}*: {escape(short(outcome[4:], 1400))}"
            )
        else:
            lines.append(f":x: *{which.upper()}*: {escape(short(outcome, 1400))}")
    return "\n".join(lines)


def saved_text(saved: SettingsSaved) -> str:
    """What a save of the form tells the admin: each step stored, and what stopped it."""
    if saved.failed is not None:
        done = f"Saved: {', '.join(saved.done)}. " if saved.done else ""
        return done + f"Not saved: {saved.failed}"
    return f"Saved: {', '.join(saved.done)}." if saved.done else "Nothing changed."
