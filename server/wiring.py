"""The composition root: one ``Desk`` per process, built from one ``Settings``.

Each service is built once, on first use, from the same engine, session factory and secret
box, so a command builds only what it needs: ``desk tickets`` opens the database and nothing
else; the Slack app (``server.slack.services_for``) gets these same instances. Importing
this module loads no heavy library (scikit-learn, matplotlib, slack_bolt, fastapi, openai):
the builders that need one import it when they run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from core.ai.config import AISettings, from_sections, with_stored
from core.config import Settings
from server.heap import freeze_startup_heap

if TYPE_CHECKING:  # the builders import what they build, when they first run
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.services import DeskServices
    from core.access.directory import Directory
    from core.access.throttle import AuthThrottle
    from core.access.tokens import TokenService
    from core.ai.service import Triager
    from core.control.escalation_settings import EscalationSettings
    from core.control.mailbox_form import MailboxSettings
    from core.control.scheduler import SchedulerControl
    from core.control.settings_store import SettingsStore
    from core.inbound.fetch import FetchService
    from core.inbound.ingest import Ingestor
    from core.inbound.mailboxes import MailboxService
    from core.knowledge.ai_drafts import RedraftReport
    from core.knowledge.articles import KnowledgeBase
    from core.knowledge.proposals import ProposalService
    from core.outbound.recipients import RecipientService
    from core.outbound.sending import Sender
    from core.replies.templates import TemplateService
    from core.reports.audit_log import AuditLog
    from core.reports.workload import Workload
    from core.secrets import SecretBox
    from core.tickets.assignment import AssignmentService
    from core.tickets.bulk import BulkService
    from core.tickets.calibration import CalibrationCache, CalibrationService
    from core.tickets.decisions import Decisions
    from core.tickets.drafts import DraftService
    from core.tickets.queries import TeamTicketReader, TicketReader
    from core.tickets.triage import TriageService
    from core.tickets.variants import VariantService
    from core.workflow.alerts import NotificationService
    from core.workflow.assignment import AutoAssigner
    from core.workflow.assignment_settings import AgentProfiles, AssignmentRules
    from core.workflow.calendar_store import CalendarService
    from core.workflow.notices import NoticeSink
    from core.workflow.notification_sweep import NotificationSweep
    from core.workflow.preferences import PreferenceStore
    from core.workflow.reports_ahead import ReportsAhead
    from core.workflow.sla import SlaClocks
    from core.workflow.sla_policies import PolicyService
    from db.session import SessionFactory

log = logging.getLogger(__name__)

TOKEN_PURPOSE = "message-id-token"


class Desk:
    """The engine's services for one process. Every attribute below is built on first
    use and kept (``cached_property``); ``close`` releases what was built."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._triager: Triager | None = None
        self._triager_key = ""
        # the Slack app's services, built once by server.slack.services_for
        self.slack_services: DeskServices | None = None

    # -- the database and secrets ---------------------------------------------------------

    @cached_property
    def engine(self) -> AsyncEngine:
        from db.session import create_engine

        return create_engine(self.settings.database.url)

    @cached_property
    def sessions(self) -> SessionFactory:
        from db.session import create_session_factory

        return create_session_factory(self.engine)

    @cached_property
    def secrets(self) -> SecretBox:
        from core.secrets import SecretBox

        data = self.settings.data
        secrets = SecretBox(data.secret_key, old=data.old_keys())
        if secrets.is_default:
            log.warning("DESK_SECRET_KEY is not set: using the embedded development key")
        return secrets

    @cached_property
    def token_key(self) -> bytes:
        """Signs the ticket token in our outgoing Message-IDs (see core.tickets.drafts)."""
        return self.secrets.hmac_key(TOKEN_PURPOSE)

    @cached_property
    def token_keys(self) -> tuple[bytes, ...]:
        """Verify those tokens in replies (see core.inbound.store): the newest key's first,
        then each old key's, so ids signed before a rotation keep threading while the old
        key is configured (``DESK_SECRET_KEY_OLD``)."""
        return self.secrets.hmac_keys(TOKEN_PURPOSE)

    @cached_property
    def tokens(self) -> TokenService:
        """API tokens: created, listed, revoked, and checked on every API request."""
        from core.access.tokens import TokenService

        return TokenService(self.sessions, self.secrets)

    @cached_property
    def directory(self) -> Directory:
        """The desk's users: listed, added, their roles changed, deactivated."""
        from core.access.directory import Directory

        return Directory(self.sessions)

    @cached_property
    def throttle(self) -> AuthThrottle:
        """Failed API sign-ins per client address and token id (one per process)."""
        from core.access.throttle import AuthThrottle

        return AuthThrottle()

    @cached_property
    def store(self) -> SettingsStore:
        from core.control.settings_store import SettingsStore

        return SettingsStore(self.sessions, secrets=self.secrets)

    @cached_property
    def escalation(self) -> EscalationSettings:
        """The escalation rules' refund limit and VIP senders (``desk escalation``)."""
        from core.control.escalation_settings import EscalationSettings

        return EscalationSettings(self.store)

    # -- mail in ------------------------------------------------------------------------------

    @cached_property
    def mailboxes(self) -> MailboxService:
        from core.inbound.mailboxes import MailboxService

        return MailboxService(
            self.sessions,
            secrets=self.secrets,
            fetch_batch_bytes=self.settings.mail.fetch_batch_bytes,
        )

    @cached_property
    def ingestor(self) -> Ingestor:
        from core.inbound.attachments import AttachmentStore
        from core.inbound.ingest import Ingestor

        mail = self.settings.mail
        return Ingestor(
            self.sessions,
            token_key=self.token_keys,
            attachments=AttachmentStore(self.settings.data.attachments_dir),
            own_addresses=[mail.support_address],
            max_message_bytes=mail.max_message_bytes,
            max_attachment_bytes=mail.max_attachment_bytes,
            batch_size=mail.fetch_batch_size,
            parse_workers=mail.parse_workers,
            events=self.sla,
        )

    @cached_property
    def fetcher(self) -> FetchService:
        from core.inbound.fetch import FetchService

        return FetchService(mailboxes=self.mailboxes, ingestor=self.ingestor)

    @cached_property
    def mailbox_settings(self) -> MailboxSettings:
        from core.control.mailbox_form import MailboxSettings

        return MailboxSettings(self.sessions, mailboxes=self.mailboxes, secrets=self.secrets)

    # -- tickets and decisions ----------------------------------------------------------------

    @cached_property
    def tickets(self) -> TicketReader:
        """Every ticket: the REST API and the CLI."""
        from core.tickets.queries import TicketReader

        return TicketReader(self.sessions)

    @cached_property
    def team_tickets(self) -> TeamTicketReader:
        """Also answers team-scoped queries (Slack's App Home, bulk selections by filter);
        a plain ``TicketQuery`` reads exactly as ``tickets`` does."""
        from core.tickets.queries import TeamTicketReader

        return TeamTicketReader(self.sessions)

    @cached_property
    def drafts(self) -> DraftService:
        from core.tickets.drafts import DraftService

        return DraftService(self.sessions, token_key=self.token_key)

    @cached_property
    def assignments(self) -> AssignmentService:
        from core.tickets.assignment import AssignmentService

        return AssignmentService(self.sessions)

    @cached_property
    def decisions(self) -> Decisions:
        """Every decision on a ticket or draft, whichever surface asked."""
        from core.knowledge.proposals import Proposer
        from core.ticket_events import AllEvents
        from core.tickets.decisions import Decisions
        from core.tickets.reclassification import ClassificationService
        from core.tickets.status import StatusService

        return Decisions(
            self.sessions,
            drafts=self.drafts,
            assignments=self.assignments,
            reader=self.tickets,
            classification=ClassificationService(self.sessions, events=self.sla),
            # a resolved ticket whose approved reply was sent proposes an article
            statuses=StatusService(self.sessions, events=AllEvents(self.sla, Proposer())),
        )

    @cached_property
    def bulk(self) -> BulkService:
        from core.tickets.bulk import BulkService

        return BulkService(
            self.sessions,
            drafts=self.drafts,
            sender=self.sender,
            assignments=self.assignments,
            reader=self.team_tickets,
            decisions=self.decisions,
        )

    # -- automatic assignment -----------------------------------------------------------------

    @cached_property
    def assigner(self) -> AutoAssigner:
        """Assigns triaged tickets nobody owns, by skill and load (after each triage and in
        the worker's sweep); shifts from the business calendars, notices to ``notice_sink``."""
        from core.workflow.assignment import AutoAssigner

        return AutoAssigner(self.sessions, self.notice_sink)

    @cached_property
    def agent_profiles(self) -> AgentProfiles:
        """Agents' skills, languages, capacity, time zone and availability."""
        from core.workflow.assignment_settings import AgentProfiles

        return AgentProfiles(self.sessions)

    @cached_property
    def assignment_rules(self) -> AssignmentRules:
        """Each mailbox's assignment strategy and fallback."""
        from core.workflow.assignment_settings import AssignmentRules

        return AssignmentRules(self.sessions)

    @cached_property
    def workload(self) -> Workload:
        """Per agent: open, waiting, capacity, availability (read only)."""
        from core.reports.workload import Workload

        return Workload(self.sessions)

    # -- mail out -----------------------------------------------------------------------------

    @cached_property
    def sender(self) -> Sender:
        from core.outbound.sending import Limits, Sender

        mail = self.settings.mail
        return Sender(
            self.sessions,
            mailer_for=self.mailboxes.mailer,
            limits=Limits(
                max_attempts=mail.send_max_attempts,
                backoff_seconds=mail.send_backoff_seconds,
                per_recipient_hour=mail.throttle_per_recipient_hour,
                per_ticket_hour=mail.throttle_per_ticket_hour,
            ),
            company_name=self.settings.brand.company_name,
            events=self.sla,
        )

    @cached_property
    def recipients(self) -> RecipientService:
        from core.outbound.recipients import RecipientService

        return RecipientService(self.sessions)

    # -- replies, reports, control ------------------------------------------------------------

    @cached_property
    def templates(self) -> TemplateService:
        from core.replies.templates import TemplateService

        return TemplateService(
            self.sessions, branding=self._branding, company_name=self.settings.brand.company_name
        )

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        """The knowledge base: articles and their full-text search."""
        from core.knowledge.articles import KnowledgeBase

        return KnowledgeBase(self.sessions)

    @cached_property
    def proposals(self) -> ProposalService:
        """Articles proposed from resolved tickets: listed, published, discarded."""
        from core.knowledge.proposals import ProposalService

        return ProposalService(self.sessions, self.knowledge)

    async def draft_proposals(
        self, *, clock: Callable[[], datetime] | None = None
    ) -> RedraftReport:
        """The proposals waiting for the AI provider's draft, redrafted by it
        (``core.knowledge.ai_drafts``); with the offline provider their extractive drafts
        stay. The provider is built for the run only when some proposal waits; one worker
        runs at a time (a try-lock: another one's run skips), so no proposal is sent twice."""
        from core.knowledge.ai_drafts import ProposalDrafter, RedraftReport
        from core.locks import LockManager
        from db.base import utcnow

        drafter = ProposalDrafter(self.sessions, writer=None, clock=clock or utcnow)
        if not await drafter.pending():
            return RedraftReport()
        async with LockManager(self.engine).try_lock("kb-drafts", 0) as got:
            if not got:
                return RedraftReport()
            ai = await self.ai_settings()
            if ai.provider == "offline":
                return await drafter.run()
            from core.ai.openai_provider import OpenAIProvider

            drafter.writer = provider = OpenAIProvider(ai)
            try:
                return await drafter.run()
            finally:
                await provider.aclose()

    @cached_property
    def analytics(self) -> ReportsAhead:
        """The figures of a period; all time computed ahead and kept (``ReportsAhead``)."""
        from core.reports.analytics import AnalyticsService
        from core.workflow.reports_ahead import ReportsAhead

        return ReportsAhead(AnalyticsService(self.sessions))

    @cached_property
    def variants(self) -> VariantService:
        """Prompt variants (A/B); the worker gives it the triage channel's alerts."""
        from core.tickets.variants import VariantService

        return VariantService(self.sessions)

    @cached_property
    def calibration(self) -> CalibrationService:
        from core.tickets.calibration import CalibrationService

        return CalibrationService(self.sessions)

    @cached_property
    def calibration_cache(self) -> CalibrationCache:
        """The triager's calibrations, read at most every five minutes."""
        from core.tickets.calibration import CalibrationCache

        return CalibrationCache(self.calibration)

    @cached_property
    def audit_log(self) -> AuditLog:
        """The audit trail, read (``desk audit``, ``GET /api/v1/audit``)."""
        from core.reports.audit_log import AuditLog

        return AuditLog(self.sessions)

    @cached_property
    def scheduler(self) -> SchedulerControl:
        from core.control.scheduler import SchedulerControl

        return SchedulerControl(self.sessions, store=self.store)

    # -- notifications to people ----------------------------------------------------------

    @cached_property
    def preferences(self) -> PreferenceStore:
        """Each user's notification preferences (App Home, the API)."""
        from core.workflow.preferences import PreferenceStore

        return PreferenceStore(self.sessions)

    @cached_property
    def notifications(self) -> NotificationService:
        """The ``NoticeSink`` every producer hands its notices to. Slack DMs once the Slack
        app gives it its port (``server.slack``); until then, and without Slack, by email
        through the desk's first mailbox."""
        from core.outbound.notice_mail import NoticeMailer
        from core.workflow.alerts import NotificationService

        return NotificationService(
            self.sessions,
            port=None,
            mailer=NoticeMailer(
                self.sessions,
                mailer_for=self.mailboxes.mailer,
                from_name=self.settings.brand.company_name or "Support desk",
            ),
            preferences=self.preferences,
        )

    @cached_property
    def notification_sweep(self) -> NotificationSweep:
        """The worker's every-minute look for notices (``core.workflow.notification_sweep``)."""
        from core.workflow.notification_sweep import NotificationSweep

        return NotificationSweep(self.sessions, service=self.notifications)

    # -- SLA ------------------------------------------------------------------------------------

    @cached_property
    def sla(self) -> SlaClocks:
        """The SLA clock rules: told of each ticket event by the store, the sender, triage
        and status changes, in their transactions."""
        from core.workflow.sla import SlaClocks

        return SlaClocks()

    @cached_property
    def notice_sink(self) -> NoticeSink:
        """Where the SLA sweep's and the assigner's notices go: the notification service
        (each person's channel, quiet hours, grouping, each notice once)."""
        return self.notifications

    @cached_property
    def calendars(self) -> CalendarService:
        """Business calendars (SLA policies, shift calendars)."""
        from core.workflow.calendar_store import CalendarService

        return CalendarService(self.sessions)

    @cached_property
    def sla_policies(self) -> PolicyService:
        from core.workflow.sla_policies import PolicyService

        return PolicyService(self.sessions, clocks=self.sla)

    # -- AI triage ----------------------------------------------------------------------------

    async def ai_settings(self) -> AISettings:
        """The environment's AI settings with what admins saved in the app on top."""
        return ai_settings(self.settings, await self.store.all())

    async def _branding(self) -> tuple[str, str]:
        ai = await self.ai_settings()
        return ai.company_name, ai.signature

    async def triage_service(self) -> TriageService:
        """Per cycle, so AI settings changed in the app apply without a restart; the
        triager (and its HTTP client) is kept until those settings change."""
        from core.ai.service import build_triager
        from core.tickets.triage import Branding, TriageService

        ai = await self.ai_settings()
        ai = ai.model_copy(update={"reply_templates": await self.templates.for_triage()})
        key = ai.model_dump_json() + (ai.api_key.get_secret_value() if ai.api_key else "")
        if self._triager is None or key != self._triager_key:
            if self._triager is not None:
                await self._triager.aclose()
            self._triager = build_triager(ai, calibrations=self.calibration_cache)
            self._triager_key = key
        return TriageService(
            self.sessions,
            provider=self._triager,
            branding=Branding(
                company_name=ai.company_name,
                signature=ai.signature,
                category_prompts=ai.category_prompts,
            ),
            concurrency=ai.concurrency,
            events=self.sla,
            attachments=self.ingestor.attachments,
        )

    # -- process life -------------------------------------------------------------------------

    def built(self, name: str) -> bool:
        """Whether the service ``name`` has been built yet (nothing to release otherwise)."""
        return name in self.__dict__

    async def warm_up(self) -> None:
        """Once, before a long-running process's first fetch: start the parse workers, make
        the attachment store's directories, then take everything allocated so far (imported
        modules, the wired services) out of the garbage collector's sight. Otherwise each
        full collection re-scans those ~190,000 long-lived objects, several times per large
        fetch: 0.10-0.16 s of a 4,000-mail ingest on bench/ingest.py, 0.02 s once frozen."""
        for service in ("fetcher", "sender", "drafts", "store", "tickets"):
            getattr(self, service)  # wire them before the freeze
        await self.ingestor.warm_up()
        await asyncio.to_thread(self.ingestor.attachments.prepare)
        freeze_startup_heap()

    async def close(self) -> None:
        if self._triager is not None:
            await self._triager.aclose()
            self._triager = None
        if self.built("ingestor"):
            self.ingestor.close()
        if self.built("engine"):
            await self.engine.dispose()


def ai_settings(settings: Settings, stored: dict[str, str]) -> AISettings:
    """Environment first (the ``ai`` and ``brand`` sections), then what admins saved in the
    app on top."""
    return with_stored(from_sections(settings.ai, settings.brand), stored)


def build_desk(settings: Settings) -> Desk:
    """The desk for ``settings``; nothing is opened until a service is first used."""
    return Desk(settings)
