"""Text for Block Kit: escaping, Slack's limits, splitting long text without losing any."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Slack's documented limits that the builders enforce
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
INPUT_MAX = 3000


def escape(text: str) -> str:
    """mrkdwn escaping: the three characters Slack reserves for links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, *, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text or " ", "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text or " "}


def short(text: str, limit: int) -> str:
    """For labels only (button texts, titles): visibly shortened with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """Chunks of at most ``limit`` characters whose concatenation is ``text`` exactly.

    Cuts after a paragraph break, else after a line break, else after a space, else hard.
    """
    chunks, _ = split_joinable(text, limit, keep_separators=True)
    return chunks


def split_joinable(
    text: str, limit: int = INPUT_MAX, *, keep_separators: bool = False
) -> tuple[list[str], list[str]]:
    """Split for several inputs: ``chunks`` and the ``seps`` between them.

    ``join_parts(chunks, seps) == text``. Unless ``keep_separators``, the whitespace
    character a cut falls on is taken out of the chunks (inputs may trim it) and kept in
    ``seps``; a hard cut has the separator "".
    """
    if limit < 2:
        raise ValueError("limit too small")
    chunks: list[str] = []
    seps: list[str] = []
    rest = text
    while len(rest) > limit:
        cut, mark = -1, ""
        for mark in ("\n\n", "\n", " "):
            end = limit if keep_separators else limit + len(mark)
            cut = rest.rfind(mark, limit // 2, end)
            if cut != -1:
                break
        if cut == -1:
            chunks.append(rest[:limit])
            seps.append("")
            rest = rest[limit:]
        elif keep_separators:
            chunks.append(rest[: cut + len(mark)])
            seps.append("")
            rest = rest[cut + len(mark) :]
        else:
            chunks.append(rest[:cut])
            seps.append(mark)
            rest = rest[cut + len(mark) :]
    chunks.append(rest)
    return chunks, seps


def join_parts(chunks: list[str], seps: list[str] | tuple[str, ...]) -> str:
    out = []
    for i, chunk in enumerate(chunks):
        out.append(chunk)
        if i < len(chunks) - 1:
            out.append(seps[i] if i < len(seps) else "")
    return "".join(out)


def slack_date(when: datetime | None, *, fmt: str = "{date_short_pretty} {time}") -> str:
    """A date each reader sees in their own time zone, with a UTC fallback."""
    if when is None:
        return "?"
    return f"<!date^{int(when.timestamp())}^{fmt}|{when:%Y-%m-%d %H:%M} UTC>"


def person(slack_user_id: str | None, fallback: str | None) -> str:
    if slack_user_id:
        return f"<@{slack_user_id}>"
    return escape(fallback or "someone")


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
