"""The composition root: builds every service from one Settings and hands them out."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from core.control.settings_store import SettingsStore
from core.inbound.attachments import AttachmentStore
from core.inbound.fetch import FetchService
from core.inbound.ingest import Ingestor
from core.inbound.mailboxes import MailboxService
from core.outbound.sending import Limits, Sender
from core.secrets import SecretBox
from core.tickets.drafts import DraftService
from core.tickets.queries import TicketReader
from db.session import SessionFactory, create_engine, create_session_factory

# What only some commands use is imported where it is used, so `desk tickets` does not load
# the AI providers (scikit-learn), the scheduler or the reports (see server/cli/commands.py).
if TYPE_CHECKING:
    from core.ai.config import AISettings
    from core.ai.service import Triager
    from core.control.scheduler import SchedulerControl
    from core.outbound.recipients import RecipientService
    from core.replies.templates import TemplateService
    from core.reports.analytics import AnalyticsService
    from core.tickets.bulk import BulkService
    from core.tickets.triage import TriageService

log = logging.getLogger(__name__)

TOKEN_PURPOSE = "message-id-token"


@dataclass
class Desk:
    settings: Settings
    sessions: SessionFactory
    secrets: SecretBox
    mailboxes: MailboxService
    ingestor: Ingestor
    fetcher: FetchService
    drafts: DraftService
    sender: Sender
    tickets: TicketReader
    store: SettingsStore
    engine: AsyncEngine

    _triager: Triager | None = None
    _triager_key: str = ""

    async def triage_service(self) -> TriageService:
        """Per cycle, so AI settings changed in the app apply without a restart; the
        triager (and its HTTP client) is kept until those settings change."""
        from core.ai.service import build_triager
        from core.tickets.triage import Branding, TriageService

        stored = await self.store.all()
        ai = ai_settings(self.settings, stored)
        ai = ai.model_copy(update={"reply_templates": await self.templates.for_triage()})
        key = ai.model_dump_json() + (ai.api_key.get_secret_value() if ai.api_key else "")
        if self._triager is None or key != self._triager_key:
            if self._triager is not None:
                await self._triager.aclose()
            self._triager, self._triager_key = build_triager(ai), key
        return TriageService(
            self.sessions,
            provider=self._triager,
            branding=Branding(
                company_name=ai.company_name,
                signature=ai.signature,
                category_prompts=ai.category_prompts,
            ),
            concurrency=ai.concurrency,
        )

    async def warm_up(self) -> None:
        """Once, before a long-running process's first fetch: start the parse workers, make
        the attachment store's directories, then take everything allocated so far (imported
        modules, the wired services) out of the garbage collector's sight. Otherwise each
        full collection re-scans those ~190,000 long-lived objects, several times per large
        fetch: 0.10-0.16 s of a 4,000-mail ingest on bench/ingest.py, 0.02 s once frozen."""
        await self.ingestor.warm_up()
        await asyncio.to_thread(self.ingestor.attachments.prepare)
        gc.collect()
        gc.freeze()

    async def close(self) -> None:
        if self._triager is not None:
            await self._triager.aclose()
        self.ingestor.close()
        await self.engine.dispose()

    # -- issue 5 services: stateless, built on use -----------------------------------------

    @property
    def templates(self) -> TemplateService:
        from core.replies.templates import TemplateService

        return TemplateService(
            self.sessions, branding=self._branding, company_name=self.settings.company_name
        )

    async def _branding(self) -> tuple[str, str]:
        ai = ai_settings(self.settings, await self.store.all())
        return ai.company_name, ai.signature

    @property
    def analytics(self) -> AnalyticsService:
        from core.reports.analytics import AnalyticsService

        return AnalyticsService(self.sessions)

    @property
    def recipients(self) -> RecipientService:
        from core.outbound.recipients import RecipientService

        return RecipientService(self.sessions)

    @property
    def scheduler(self) -> SchedulerControl:
        from core.control.scheduler import SchedulerControl

        return SchedulerControl(self.sessions, store=self.store)

    @property
    def bulk(self) -> BulkService:
        from core.tickets.assignment import AssignmentService
        from core.tickets.bulk import BulkService

        return BulkService(
            self.sessions,
            drafts=self.drafts,
            sender=self.sender,
            assignments=AssignmentService(self.sessions),
            reader=self.tickets,
        )


def ai_settings(settings: Settings, stored: dict[str, str]) -> AISettings:
    """Environment first, then what admins saved in the app on top."""
    from core.ai.config import settings_from_env, with_stored

    return with_stored(settings_from_env(), stored, company_name=settings.company_name)


def build_desk(settings: Settings) -> Desk:
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    secrets = SecretBox(settings.secret_key)
    if secrets.is_default:
        log.warning("DESK_SECRET_KEY is not set: using the embedded development key")
    token_key = secrets.hmac_key(TOKEN_PURPOSE)
    mailboxes = MailboxService(
        sessions, secrets=secrets, fetch_batch_bytes=settings.fetch_batch_bytes
    )
    ingestor = Ingestor(
        sessions,
        token_key=token_key,
        attachments=AttachmentStore(settings.attachments_dir),
        own_addresses=[settings.support_address],
        max_message_bytes=settings.max_message_bytes,
        max_attachment_bytes=settings.max_attachment_bytes,
        batch_size=settings.fetch_batch_size,
        parse_workers=settings.parse_workers,
    )
    desk = Desk(
        settings=settings,
        sessions=sessions,
        secrets=secrets,
        mailboxes=mailboxes,
        ingestor=ingestor,
        fetcher=FetchService(mailboxes=mailboxes, ingestor=ingestor),
        drafts=DraftService(sessions, token_key=token_key),
        sender=Sender(
            sessions,
            mailer_for=mailboxes.mailer,
            limits=Limits(
                max_attempts=settings.send_max_attempts,
                backoff_seconds=settings.send_backoff_seconds,
                per_recipient_hour=settings.throttle_per_recipient_hour,
                per_ticket_hour=settings.throttle_per_ticket_hour,
            ),
            company_name=settings.company_name,
        ),
        tickets=TicketReader(sessions),
        store=SettingsStore(sessions, secrets=secrets),
        engine=engine,
    )
    return desk
