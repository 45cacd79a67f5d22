"""All tables. Import from here: ``from db.models import Ticket, Message, Draft``."""

from db.models.assignment import AgentProfile, MailboxAssignment, ReopenedTicket
from db.models.audit import AuditEvent
from db.models.counts import StatusCount
from db.models.knowledge import KbArticle, KbProposalSource
from db.models.learning import AiCalibration, PromptVariant
from db.models.mail import Attachment, FolderState, Mailbox, Message, Quarantine, Recipient
from db.models.notifications import NotificationPref, NotificationSent, NotificationSettings
from db.models.outcomes import DraftOutcome
from db.models.people import User
from db.models.reports import ReportSnapshot
from db.models.settings import Setting
from db.models.sla import SlaCalendar, SlaClock, SlaPolicy
from db.models.slack import KbProposalPost, SlackDelivery, SlackPost
from db.models.templates import ResponseTemplate, TemplateUse
from db.models.tickets import Draft, DraftEdit, Ticket
from db.models.tokens import ApiToken
from db.models.workers import WorkerStatus

__all__ = [
    "AgentProfile",
    "AiCalibration",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Draft",
    "DraftEdit",
    "DraftOutcome",
    "FolderState",
    "KbArticle",
    "KbProposalPost",
    "KbProposalSource",
    "Mailbox",
    "MailboxAssignment",
    "Message",
    "NotificationPref",
    "NotificationSent",
    "NotificationSettings",
    "PromptVariant",
    "Quarantine",
    "Recipient",
    "ReportSnapshot",
    "ReopenedTicket",
    "ResponseTemplate",
    "Setting",
    "SlaCalendar",
    "SlaClock",
    "SlaPolicy",
    "StatusCount",
    "SlackDelivery",
    "SlackPost",
    "TemplateUse",
    "Ticket",
    "User",
    "WorkerStatus",
]
