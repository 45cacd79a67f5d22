"""The engine services the Slack app uses, handed in by the entry point (``server.slack``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.analytics import AnalyticsService
from core.assignments import AssignmentService
from core.bulk import BulkService
from core.classification import ClassificationService
from core.deliveries import DeliveryLog
from core.draft_cards import DraftCardReader
from core.drafts import DraftService
from core.mailbox_settings import MailboxSettings
from core.members import MemberService
from core.permissions import TicketGuard
from core.recipients import RecipientService
from core.response_templates import TemplateService
from core.scheduler import SchedulerControl
from core.sending import Sender
from core.settings import SettingsStore
from core.slack_posts import SlackPostService
from core.stats import StatsService
from core.team_tickets import TeamTicketReader

TRIAGE_CHANNEL_KEY = "slack.triage_channel"


@dataclass
class DeskServices:
    drafts: DraftService
    sender: Sender
    tickets: TeamTicketReader
    store: SettingsStore
    cards: DraftCardReader
    members: MemberService
    guard: TicketGuard
    assignments: AssignmentService
    classification: ClassificationService
    stats: StatsService
    posts: SlackPostService
    deliveries: DeliveryLog
    mailbox_settings: MailboxSettings
    # fetch every mailbox and triage what came in; returns a summary
    fetch_now: Callable[[], Awaitable[dict[str, Any]]]
    analytics: AnalyticsService
    templates: TemplateService
    scheduler: SchedulerControl
    bulk: BulkService
    recipients: RecipientService
