"""One fetch of one mailbox, with fetch health recorded and errors kept per mailbox.

Who may fetch when (one poller at a time per mailbox, back-off after errors) is
``core.inbound.poller``; this module only fetches."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from core.errors import ConfigError, MailError
from core.inbound.ingest import Ingestor, IngestReport
from core.inbound.mailboxes import MailboxService
from db.models import Mailbox

log = logging.getLogger(__name__)


@dataclass
class FetchResult:
    mailbox: str
    report: IngestReport
    error: str | None = None


class FetchService:
    def __init__(self, *, mailboxes: MailboxService, ingestor: Ingestor) -> None:
        self.mailboxes = mailboxes
        self.ingestor = ingestor

    async def fetch(self, mailbox: Mailbox) -> FetchResult:
        """Fetch new mail; a server or configuration error is recorded, not raised."""
        if mailbox.sent_folder and mailbox.sent_folder == mailbox.imap_folder:
            error = f"mailbox {mailbox.name!r} fetches its own sent folder {mailbox.sent_folder!r}; refusing"
            await self.mailboxes.record_fetch(mailbox.id, error=error)
            return FetchResult(mailbox.name, IngestReport(), error)
        source = None
        try:
            source = self.mailboxes.source(mailbox)
            report = await self.ingestor.fetch(mailbox, source)
        except (MailError, ConfigError) as exc:
            log.warning("fetch of %s failed: %s", mailbox.name, exc)
            await self.mailboxes.record_fetch(mailbox.id, error=str(exc))
            return FetchResult(mailbox.name, IngestReport(), str(exc))
        finally:
            if source is not None:
                await asyncio.to_thread(source.close)
        await self.mailboxes.record_fetch(mailbox.id, error=None)
        return FetchResult(mailbox.name, report)

    async def fetch_all(self, name: str | None = None) -> list[FetchResult]:
        """Every active mailbox (or the one named) now, without the poller's lock or back-off:
        for tests and ``bench/``. The desk's surfaces fetch through
        ``core.workflow.cycle.fetch_and_triage``, which goes through the poller."""
        return [await self.fetch(m) for m in await self.mailboxes.to_poll(name)]
