"""The triage-channel message for one draft, in every state it goes through."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot import ids
from bot.blocks.text import (
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    escape,
    mrkdwn,
    person,
    plain,
    plural,
    short,
    slack_date,
    split_text,
)
from core.tickets.draft_details import Citation, DraftCard
from core.tickets.listing import calibrated
from core.tickets.sla_due import BREACHED, WARNING, SlaDue
from core.vocabulary import URGENCIES

Block = dict[str, Any]
EXCERPT_CHARS = 600
URGENCY_ICON = {"High": ":red_circle:", "Medium": ":large_orange_circle:", "Low": ":white_circle:"}


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str  # the notification text
    blocks: list[Block]


@dataclass(frozen=True, slots=True)
class DraftMessage:
    """The message itself and what follows it in the thread (long texts, in full)."""

    main: SlackMessage
    thread: list[SlackMessage] = field(default_factory=list)


def text_sections(text: str, *, limit: int = SECTION_TEXT) -> list[Block]:
    """Untrusted text as plain_text sections: shown as written, split, never cut."""
    return [
        {"type": "section", "text": plain(chunk, emoji=False)} for chunk in split_text(text, limit)
    ]


def _chunked(blocks: list[Block], *, size: int = MESSAGE_BLOCKS) -> list[list[Block]]:
    return [blocks[i : i + size] for i in range(0, len(blocks), size)]


def state_line(card: DraftCard) -> str:
    """Who did what to the draft and when, as one mrkdwn line."""
    approver = person(
        card.approved_by.slack_user_id if card.approved_by else None,
        card.approved_by.email if card.approved_by else None,
    )
    if card.status in ("approved", "sending"):
        if card.failure_reason and card.send_attempts:
            return (
                f":hourglass_flowing_sand: Approved by {approver} at {slack_date(card.approved_at)}; "
                f"sending failed ({escape(short(card.failure_reason, 300))}), "
                f"retrying at {slack_date(card.next_attempt_at, fmt='{time}')}"
            )
        return (
            f":white_check_mark: Approved by {approver} at {slack_date(card.approved_at)}, sending…"
        )
    if card.status == "sent":
        return (
            f":outbox_tray: *Sent* at {slack_date(card.sent_at)} to {escape(card.requester_email)} "
            f"· approved by {approver}"
        )
    if card.status == "failed":
        return (
            f":warning: *Sending failed*: {escape(short(card.failure_reason or 'unknown error', 1000))} "
            f"(approved by {approver} at {slack_date(card.approved_at)})"
        )
    if card.status == "rejected":
        rejecter = person(
            card.rejected_by.slack_user_id if card.rejected_by else None,
            card.rejected_by.email if card.rejected_by else None,
        )
        return (
            f":x: Rejected by {rejecter} at {slack_date(card.rejected_at)}: "
            f"_{escape(short(card.rejection_reason or '', 1500))}_"
        )
    if card.status == "superseded":
        return ":arrows_counterclockwise: Superseded: the customer wrote again; the newer draft is in the thread."
    return f":memo: Waiting for approval · version {card.version}"


def _fields(card: DraftCard) -> list[Block]:
    sender = escape(short(card.requester_email, 320))
    if card.requester_name:
        sender = f"{escape(short(card.requester_name, 200))} ({sender})"
    confidence = f"{card.confidence:.0%}" if card.confidence is not None else "n/a"
    if calibrated(card.confidence, card.raw_confidence):  # says which value is shown
        confidence += f" calibrated (model said {card.raw_confidence:.0%})"
    urgency = card.urgency or "?"
    return [
        mrkdwn(f"*From*\n{sender}"),
        mrkdwn(f"*Category*\n{escape(card.category or '?')}"),
        mrkdwn(f"*Urgency*\n{URGENCY_ICON.get(urgency, '')} {escape(urgency)}"),
        mrkdwn(f"*AI confidence*\n{confidence}"),
    ]


SLA_METRICS = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}
# the draft states a card is acted on in: its SLA line is kept current (refreshed by the
# sweep); a sent, rejected or superseded card is history and shows none
SLA_SHOWN = ("pending", "approved", "sending", "failed")


def sla_line(due: SlaDue) -> str:
    """The nearest SLA due time as one mrkdwn line: a Slack date token (each reader sees
    their own zone); amber at a warning level, red once breached; a paused clock says it
    waits on the customer. Section text has no colours, so an emoji and words say it."""
    name = _metric(due.metric)
    when = slack_date(due.due_at)
    if due.paused:
        late = f", breached (was due {when})" if due.state == BREACHED else ""
        return f":double_vertical_bar: {name} clock paused{late}: Waiting on customer"
    if due.state == BREACHED:
        line = f":red_circle: {name} breached: was due {when}"
    elif due.state == WARNING:
        used = f" ({due.level}% used)" if due.level is not None else ""
        line = f":large_yellow_circle: {name} due {when}{used}"
    else:
        line = f":stopwatch: {name} due {when}"
    if due.waiting:
        line += f" · {_metric(due.waiting)} paused: Waiting on customer"
    return line


def _metric(metric: str) -> str:
    return SLA_METRICS.get(metric, metric.replace("_", " ").capitalize())


def _sla(card: DraftCard) -> list[str]:
    if card.sla is None or card.status not in SLA_SHOWN:
        return []
    return [sla_line(card.sla)]


def _owner(card: DraftCard) -> str:
    if card.assignee is None:
        return "Owner: nobody yet"
    return f"Owner: {person(card.assignee.slack_user_id, card.assignee.email)}"


def _language(card: DraftCard) -> list[str]:
    """The customer's language, when it is one an English-speaking desk should notice."""
    if card.language is None or card.language == "en":
        return []
    return [f":speech_balloon: Language: *{escape(card.language)}*"]


def _flags(card: DraftCard) -> list[str]:
    out = []
    if card.escalation_required:
        reason = escape(short(card.escalation_reason or "flagged", 500))
        out.append(f":rotating_light: *Escalation*: {reason}")
    for key in ("safety", "guardrail", "fallback"):
        value = card.flags.get(key)
        if value:
            out.append(f":triangular_flag_on_post: {key}: {escape(short(str(value), 300))}")
    return out


# a public link shown as a Slack link: http(s), and nothing that would end the <url|text> token
_LINKABLE = re.compile(r"https?://[^\s<>|]+")


def source(c: Citation) -> str:
    """One cited article in mrkdwn: its public page as a link when it has one, else its title
    with the id that ``desk kb show`` takes."""
    title = escape(short(c.title, 200))
    if c.public_url and _LINKABLE.fullmatch(c.public_url):
        return f"<{c.public_url.replace('&', '&amp;')}|{title}>"
    return f"{title} (`desk kb show {c.article_id}`)"


def sources_line(card: DraftCard) -> list[Block]:
    """``Sources: ...``: the knowledge-base articles the draft cites, as many as fit in one
    context text (the rest counted); none, no block."""
    if not card.citations:
        return []
    shown: list[str] = []
    for c in card.citations:
        item = source(c)
        if sum(len(s) + 2 for s in shown) + len(item) > SECTION_TEXT - 60:
            break
        shown.append(item)
    more = len(card.citations) - len(shown)
    text = ":books: Sources: " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    return [{"type": "context", "elements": [mrkdwn(text)]}]


def _retry_button(card: DraftCard, ref: str) -> Block:
    """Retry; when the address is marked undeliverable a plain retry would fail again, so
    the button clears the mark first, after saying so."""
    if not card.requester_undeliverable:
        return {
            "type": "button",
            "action_id": ids.RETRY,
            "text": plain("Retry sending"),
            "style": "primary",
            "value": ref,
        }
    return {
        "type": "button",
        "action_id": ids.CLEAR_BOUNCE,
        "text": plain("Clear bounce & retry"),
        "style": "primary",
        "value": ref,
        "confirm": {
            "title": plain("Send to a bounced address?"),
            "text": mrkdwn(
                f"{escape(short(card.requester_email, 150))} bounced: mail to it is refused. "
                "Clear that mark (for every ticket) and send this reply again?"
            ),
            "confirm": plain("Clear & retry"),
            "deny": plain("Cancel"),
        },
    }


def _actions(card: DraftCard) -> list[Block]:
    ref = ids.DraftRef(card.draft_id, card.version).value()
    if card.status == "failed":
        return [
            {
                "type": "actions",
                "block_id": f"draft:{card.draft_id}",
                "elements": [
                    _retry_button(card, ref),
                    {
                        "type": "button",
                        "action_id": ids.REJECT,
                        "text": plain("Reject"),
                        "style": "danger",
                        "value": ref,
                    },
                ],
            }
        ]
    if card.status != "pending":
        return []
    assign: Block = {
        "type": "users_select",
        "action_id": ids.ASSIGN,
        "placeholder": plain("Assign…"),
    }
    if card.assignee and card.assignee.slack_user_id:
        assign["initial_user"] = card.assignee.slack_user_id
    more = [
        {"text": plain(f"Urgency: {u}"), "value": ids.more_value("urgency", card.draft_id, u)}
        for u in URGENCIES
        if u != card.urgency
    ] + [
        {"text": plain("Change category…"), "value": ids.more_value("category", card.draft_id)},
        {
            "text": plain("Waiting on customer"),
            "value": ids.more_value("status", card.draft_id, "waiting"),
        },
    ]
    return [
        {
            "type": "actions",
            "block_id": f"draft:{card.draft_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": ids.APPROVE,
                    "text": plain("Approve & Send"),
                    "style": "primary",
                    "value": ref,
                    "confirm": {
                        "title": plain("Send this reply?"),
                        "text": plain(
                            f"It goes to {short(card.requester_email, 200)} as shown (version {card.version})."
                        ),
                        "confirm": plain("Send"),
                        "deny": plain("Cancel"),
                    },
                },
                {"type": "button", "action_id": ids.EDIT, "text": plain("Edit"), "value": ref},
                {
                    "type": "button",
                    "action_id": ids.REJECT,
                    "text": plain("Reject"),
                    "style": "danger",
                    "value": ref,
                },
                assign,
                {"type": "overflow", "action_id": ids.MORE, "options": more},
            ],
        }
    ]


def status_text(ticket_id: int, before: str, after: str) -> str:
    """What the person who set a ticket's status is told (only they see it)."""
    if before == after:
        return f"Ticket #{ticket_id} is {after} already."
    if after == "waiting":
        return (
            f"Ticket #{ticket_id} is waiting on the customer: its resolution clock is paused"
            " until they write."
        )
    return f"Ticket #{ticket_id} is {after} now."


def draft_message(card: DraftCard) -> DraftMessage:
    """The message for ``card``; parts that do not fit in 50 blocks go to the thread."""
    head: list[Block] = [
        {
            "type": "header",
            "text": plain(
                short(f"Ticket #{card.ticket_id}: {card.subject or '(no subject)'}", 150)
            ),
        },
        *[
            {
                "type": "section",
                "text": mrkdwn(f"*Subject:* {escape(chunk)}" if i == 0 else escape(chunk)),
            }
            for i, chunk in enumerate(split_text(card.subject or "(no subject)", SECTION_TEXT - 20))
        ],
        {"type": "section", "fields": _fields(card)},
        {
            "type": "context",
            "elements": [
                mrkdwn(line)
                for line in [_owner(card), *_sla(card), *_language(card), *_flags(card)][:10]
            ],
        },
    ]
    if card.summary:
        head.append({"type": "section", "text": mrkdwn("*Summary*")})
        head += text_sections(card.summary)
    if card.fix_steps:
        steps = "\n".join(f"{i}. {s}" for i, s in enumerate(card.fix_steps, 1))
        head.append(
            {"type": "section", "text": mrkdwn("*Suggested fix steps* (for you, not sent)")}
        )
        head += text_sections(steps)
    excerpt, full_customer = _customer(card)
    head += excerpt
    body: list[Block] = [
        {"type": "divider"},
        {
            "type": "section",
            "text": mrkdwn(
                f"*Draft reply* · version {card.version} · {plural(len(card.body), 'character')}"
            ),
        },
        *text_sections(card.body or "(empty)"),
        *sources_line(card),
    ]
    tail: list[Block] = [
        {"type": "context", "elements": [mrkdwn(state_line(card))]},
        *_actions(card),
    ]
    blocks = head + body
    thread_blocks: list[Block] = []
    room = MESSAGE_BLOCKS - len(tail) - 1
    if len(blocks) > room:
        moved = blocks[room:]
        blocks = blocks[:room]
        blocks.append(
            {
                "type": "context",
                "elements": [
                    mrkdwn(
                        f":thread: The rest of this draft ({len(moved)} more blocks) is in the thread, in full."
                    )
                ],
            }
        )
        thread_blocks = moved
    main = SlackMessage(
        text=short(f"Ticket #{card.ticket_id} from {card.requester_email}: {card.subject}", 300),
        blocks=blocks + tail,
    )
    thread = [
        SlackMessage(text=f"Ticket #{card.ticket_id}: draft, continued", blocks=chunk)
        for chunk in _chunked(thread_blocks)
    ]
    if full_customer:
        header: Block = {
            "type": "section",
            "text": mrkdwn(
                f"*{escape(card.customer_from)} wrote* ({plural(len(card.customer_text), 'character')}):"
            ),
        }
        thread += [
            SlackMessage(text=f"Ticket #{card.ticket_id}: the customer's message", blocks=chunk)
            for chunk in _chunked([header, *full_customer])
        ]
    return DraftMessage(main=main, thread=thread)


def _customer(card: DraftCard) -> tuple[list[Block], list[Block]]:
    """An excerpt for the message; the whole text for the thread when it is longer."""
    text = card.customer_text.strip()
    if not text:
        return [], []
    if len(text) <= EXCERPT_CHARS:
        return [
            {"type": "section", "text": mrkdwn(f"*{escape(card.customer_from)} wrote:*")},
            *text_sections(text),
        ], []
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    excerpt = text[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS]
    return [
        {
            "type": "section",
            "text": mrkdwn(
                f"*{escape(card.customer_from)} wrote* (first {len(excerpt):,} of "
                f"{len(text):,} characters; the whole message is in the thread):"
            ),
        },
        *text_sections(excerpt + " …"),
    ], text_sections(text)


def sent_notice(card: DraftCard) -> list[SlackMessage]:
    """Posted in the ticket's thread when a reply went out: the conversation in one place."""
    approver = person(
        card.approved_by.slack_user_id if card.approved_by else None,
        card.approved_by.email if card.approved_by else None,
    )
    blocks: list[Block] = [
        {
            "type": "section",
            "text": mrkdwn(
                f":outbox_tray: Reply sent to {escape(card.requester_email)} at "
                f"{slack_date(card.sent_at)} (approved by {approver}):"
            ),
        },
        *text_sections(card.body),
    ]
    return [
        SlackMessage(text=f"Reply sent on ticket #{card.ticket_id}", blocks=chunk)
        for chunk in _chunked(blocks)
    ]
