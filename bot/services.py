"""The engine services the Slack app uses, handed in by the entry point (``server.slack``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.store.deliveries import DeliveryLog
from bot.store.posts import SlackPostService
from bot.store.proposal_posts import ProposalPostStore
from core.access.members import MemberService
from core.access.tokens import TokenService
from core.ai.config import AISettings
from core.control.mailbox_form import MailboxSettings
from core.control.scheduler import SchedulerControl
from core.control.settings_form import SettingsForm
from core.control.settings_store import SettingsStore
from core.knowledge.articles import KnowledgeBase
from core.knowledge.proposals import ProposalService
from core.outbound.recipients import RecipientService
from core.outbound.sending import Sender
from core.replies.templates import TemplateService
from core.reports.headlines import StatsService
from core.reports.workload import Workload
from core.tickets.bulk import BulkService
from core.tickets.decisions import Decisions
from core.tickets.draft_details import DraftCardReader
from core.tickets.drafts import DraftService
from core.tickets.queries import TeamTicketReader
from core.workflow.assignment_settings import AgentProfiles
from core.workflow.calendar_store import CalendarService
from core.workflow.preferences import PreferenceStore
from core.workflow.reports_ahead import ReportsAhead
from core.workflow.sla_policies import PolicyService

TRIAGE_CHANNEL_KEY = "slack.triage_channel"


@dataclass
class DeskServices:
    drafts: DraftService
    sender: Sender
    tickets: TeamTicketReader
    store: SettingsStore
    cards: DraftCardReader
    members: MemberService
    stats: StatsService
    posts: SlackPostService
    deliveries: DeliveryLog
    mailbox_settings: MailboxSettings
    # fetch every mailbox and triage what came in; returns a summary
    fetch_now: Callable[[], Awaitable[dict[str, Any]]]
    analytics: ReportsAhead
    templates: TemplateService
    scheduler: SchedulerControl
    bulk: BulkService
    recipients: RecipientService
    decisions: Decisions  # every decision on a ticket: check, compare-and-set, audit
    tokens: TokenService  # API tokens: created and revoked from /desk token
    # the environment's AI settings (ai and brand sections); what admins saved goes on top
    ai_defaults: AISettings
    preferences: PreferenceStore  # each person's notification preferences (App Home)
    agent_profiles: AgentProfiles  # /desk away, /desk available
    workload: Workload  # /desk workload
    calendars: CalendarService  # the SLA section of /desk settings
    sla_policies: PolicyService
    settings_form: SettingsForm  # /desk settings: save, test a connection
    knowledge: KnowledgeBase  # /desk kb: search, list, write articles
    proposals: ProposalService  # articles proposed from resolved tickets: Publish, Discard
    proposal_posts: ProposalPostStore  # where each proposal's message is
