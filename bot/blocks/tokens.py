"""The API tokens modal (``/desk token``): a new token's form, the person's tokens with a
Revoke button each, and the one screen that shows a new token.

The form offers only the scopes the person's role allows (``scopes_for_role``: ``admin``
for admins); the token service checks it again. A new token is shown once, in the modal,
never in a message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import ids
from bot.blocks.text import VIEW_BLOCKS, escape, mrkdwn, plain, plural, short, slack_date
from core.access.permissions import scopes_for_role
from core.access.tokens import DEFAULT_EXPIRY, IssuedToken, TokenInfo

View = dict[str, Any]
Block = dict[str, Any]
TITLE = "API tokens"
EXPIRIES = ("30d", "90d", "365d")
KINDS = {"personal": "Personal (acts as you)", "service": "Service (an integration)"}
SCOPE_LABELS = {
    "read": "read: list and read tickets, stats, templates",
    "write": "write: decide on drafts, edit, assign, templates",
    "admin": "admin: settings, scheduler, users, tokens",
}
SHOW_TOKENS = 40  # rows in the list; the rest are counted (the CLI lists them all)


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def _input(block_id: str, label: str, element: Block, *, optional: bool, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": {**element, "action_id": "value"},
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def is_live(token: TokenInfo, now: datetime) -> bool:
    return token.revoked_at is None and token.expires_at > now


def token_line(token: TokenInfo) -> Block:
    """One token of the list: what it is, and its Revoke button (with a confirmation)."""
    kind = " · service" if token.kind == "service" else ""
    used = slack_date(token.last_used_at) if token.last_used_at else "never"
    text = (
        f"*{escape(short(token.name or 'unnamed', 80))}*{kind} · `desk_{token.public_id}_…`\n"
        f"{', '.join(token.scopes)} · expires {slack_date(token.expires_at)} · last used {used}"
    )
    return {
        "type": "section",
        "block_id": f"token:{token.id}",
        "text": mrkdwn(text),
        "accessory": {
            "type": "button",
            "action_id": ids.TOKEN_REVOKE,
            "text": plain("Revoke"),
            "style": "danger",
            "value": str(token.id),
            "confirm": {
                "title": plain("Revoke this token?"),
                "text": mrkdwn(
                    f"Anything using *{escape(short(token.name or 'unnamed', 80))}* "
                    "stops working at its next request."
                ),
                "confirm": plain("Revoke"),
                "deny": plain("Keep it"),
            },
        },
    }


def token_view(
    *, role: str, tokens: list[TokenInfo], now: datetime, notice: str | None = None, ok: bool = True
) -> View:
    """The form for a new token and the person's live tokens. ``notice``: the outcome of
    the last step (a revocation, a refusal), shown at the top."""
    allowed = scopes_for_role(role)
    blocks: list[Block] = []
    if notice:
        icon = ":white_check_mark:" if ok else ":warning:"
        blocks.append(
            {"type": "section", "block_id": "notice", "text": mrkdwn(f"{icon} {escape(notice)}")}
        )
    blocks += [
        {"type": "header", "text": plain("New token")},
        _input(
            "token_name",
            "Name",
            {
                "type": "plain_text_input",
                "max_length": 200,
                "placeholder": plain("what it is for, like nightly-report"),
            },
            optional=True,
        ),
        _input(
            "token_scopes",
            "Scopes",
            {
                "type": "checkboxes",
                "options": [_option(s, SCOPE_LABELS[s]) for s in allowed],
                "initial_options": [_option("read", SCOPE_LABELS["read"])],
            },
            optional=False,
            hint="A token never does more than your role allows at the time it is used."
            + ("" if "admin" in allowed else " The admin scope needs the admin role."),
        ),
        _input(
            "token_expiry",
            "Expires after",
            {
                "type": "static_select",
                "options": [_option(e, e) for e in EXPIRIES],
                "initial_option": _option(DEFAULT_EXPIRY, DEFAULT_EXPIRY),
            },
            optional=True,
        ),
        _input(
            "token_expiry_text",
            "Or a duration",
            {"type": "plain_text_input", "placeholder": plain("like 12h or 45d; at most 365d")},
            optional=True,
            hint="Used instead of the choice above when filled in.",
        ),
    ]
    if role == "admin":
        blocks.append(
            _input(
                "token_kind",
                "Kind",
                {
                    "type": "static_select",
                    "options": [_option(k, label) for k, label in KINDS.items()],
                    "initial_option": _option("personal", KINDS["personal"]),
                },
                optional=True,
                hint="A service token is for an integration: it needs its own name and is "
                "owned by you, its admin.",
            )
        )
    blocks.extend(token_list_blocks(tokens, now, room=VIEW_BLOCKS - len(blocks) - 3))
    return {
        "type": "modal",
        "callback_id": ids.TOKEN_VIEW,
        "title": plain(TITLE),
        "submit": plain("Create token"),
        "close": plain("Close"),
        "blocks": blocks,
    }


def token_list_blocks(tokens: list[TokenInfo], now: datetime, *, room: int) -> list[Block]:
    live = [t for t in tokens if is_live(t, now)]
    blocks: list[Block] = [{"type": "header", "text": plain("Your tokens")}]
    if not live:
        blocks.append({"type": "context", "elements": [mrkdwn("No live tokens.")]})
    shown = live[: max(0, min(SHOW_TOKENS, room))]
    blocks += [token_line(t) for t in shown]
    hidden = len(live) - len(shown)
    gone = len(tokens) - len(live)
    notes = []
    if hidden:
        notes.append(f"{plural(hidden, 'more token')} not shown: `desk tokens list` lists all.")
    if gone:
        notes.append(f"{plural(gone, 'revoked or expired token')} not shown.")
    if notes:
        blocks.append({"type": "context", "elements": [mrkdwn(" ".join(notes))]})
    return blocks


def token_shown_view(issued: IssuedToken) -> View:
    """The only time the token is seen: in this modal, with what to do with it."""
    info = issued.info
    name = f"*{escape(short(info.name, 80))}* " if info.name else ""
    return {
        "type": "modal",
        "callback_id": f"{ids.TOKEN_VIEW}_shown",
        "title": plain(TITLE),
        "close": plain("Done"),
        "blocks": [
            {
                "type": "section",
                "text": mrkdwn(
                    f":key: Your new {info.kind} token {name}({', '.join(info.scopes)}), "
                    f"expires {slack_date(info.expires_at)}."
                ),
            },
            {"type": "section", "block_id": "token", "text": mrkdwn(f"```{issued.token}```")},
            {
                "type": "section",
                "text": mrkdwn(
                    ":warning: *Copy it now: it will not be shown again.* The desk keeps only "
                    "a keyed hash of it. Send it as `Authorization: Bearer <token>`."
                ),
            },
        ],
    }
