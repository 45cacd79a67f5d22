"""The person's own availability on App Home, as a pure function: where they stand (and
since when, and who set it) with the one button that switches it."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.text import mrkdwn, plain, slack_date
from core.workflow.assignment_settings import BY_PRESENCE, ProfileInfo

Block = dict[str, Any]
AWAY, AVAILABLE = "away", "available"  # the button's values


def availability_blocks(profile: ProfileInfo) -> list[Block]:
    if profile.available:
        text = (
            ":large_green_circle: *Available*: new tickets come to you"
            f" (up to {profile.capacity} open at once)."
        )
        button = {"text": plain("Go away"), "value": AWAY}
    else:
        if profile.away_since is None:  # no profile yet: never set
            text = ":white_circle: *Not taking tickets*: you get none automatically yet."
        else:
            who = "Slack presence" if profile.availability_source == BY_PRESENCE else "you"
            text = (
                f":white_circle: *Away* since {slack_date(profile.away_since)} (set by {who}):"
                " no new tickets come to you; after 30 minutes those you have not decided on"
                " go back to the queue."
            )
        button = {"text": plain("I'm available"), "value": AVAILABLE, "style": "primary"}
    return [
        {
            "type": "section",
            "block_id": "availability",
            "text": mrkdwn(text),
            "accessory": {"type": "button", "action_id": ids.AVAILABILITY, **button},
        }
    ]
