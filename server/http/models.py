"""Typed response bodies of the REST API, one model per JSON shape the API returns.

They are the shapes the core already produces (``as_dict``, ``ticket_view``...), declared:
``extra="forbid"`` makes a key the core adds without a field here fail the test suite
instead of vanishing from the API. Timestamps are ISO 8601 strings, as the core writes them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.errors import ValidationError
from core.tickets.drafts import Decision

Number = int | float  # an int stays an int in the JSON, a float a float


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- request bodies ------------------------------------------------------------------------

BY_REMOVED = (
    "the 'by' field was removed: the acting user is the API token's owner (Authorization: Bearer)"
)


class In(BaseModel):
    """Base of every request body. The acting user is the API token's owner: a body that
    still names one (``by``, as before tokens) is refused (422) with a message saying so,
    rather than ignored, so an old client learns why."""

    @model_validator(mode="before")
    @classmethod
    def _no_by(cls, data: Any) -> Any:
        if isinstance(data, dict) and "by" in data:
            raise ValidationError(BY_REMOVED, field="by")
        return data


# --- errors and health ---------------------------------------------------------------------


class ErrorOut(Out):
    error: str = Field(
        description="the error's type, e.g. NotFound, ValidationError; invalid_token (401), "
        "insufficient_scope or forbidden (403), too_many_attempts (429)"
    )
    detail: str


class HealthOut(Out):
    status: str


class NotReadyOut(Out):
    status: str
    detail: str


# --- tickets -------------------------------------------------------------------------------


class SlaMetricOut(Out):
    due: str | None
    breached: bool
    state: str = Field(description="running, paused, met or stopped")


class CitationOut(Out):
    id: int = Field(description="the knowledge-base article (`desk kb show ID`)")
    title: str


class TicketOut(Out):
    """The seed's ticket fields plus the desk's own (the latest draft's where they are its)."""

    id: int
    sender_email: str
    sender_name: str | None
    subject: str
    received_at: str | None
    status: str
    category: str | None
    urgency: str | None
    language: str | None = Field(
        default=None,
        description="the customer's language, ISO 639-1 (de), from their first mail; null when unknown",
    )
    summary: str | None
    fix_steps: list[str]
    citations: list[CitationOut] = Field(
        default_factory=list,
        description="the knowledge-base articles the current draft cites, in its order",
    )
    prompt_variant: str | None = Field(
        default=None,
        description="the prompt variant (A/B) of the current draft; null: the default prompt",
    )
    draft_response: str | None
    draft_id: int | None
    draft_version: int | None
    approval_status: str | None
    approved_by: str | None
    approved_at: str | None
    sent_at: str | None
    confidence: Number | None
    raw_confidence: Number | None = Field(
        default=None,
        description="the provider's own confidence; confidence is the calibrated one when "
        "confidence_calibrated (null on drafts from before calibration)",
    )
    confidence_calibrated: bool = False
    thread_id: str | None
    message_id: str | None
    assigned_to: int | None
    assigned_to_email: str | None
    ai_processed: bool
    escalation_required: bool
    escalation_reason: str | None
    last_message_at: str | None
    first_response_at: str | None
    sla: dict[str, SlaMetricOut] = Field(
        default_factory=dict,
        description="first_response, next_response (its latest cycle), resolution",
    )


class TicketListItemOut(TicketOut):
    """A ticket of a list: its view, and where a search's words matched."""

    snippet: str | None = Field(
        default=None,
        description="a search's words where they matched, each between ** marks; null "
        "without q or for a ticket found by a substring of sender or subject only",
    )


class TicketPage(Out):
    items: list[TicketListItemOut]
    total: int = Field(description="tickets found; with total_capped, more than this")
    total_capped: bool = Field(
        default=False,
        description="true: more than `total` tickets match (counting stops at 1,000)",
    )


class AttachmentOut(Out):
    filename: str | None
    content_type: str | None
    size: int
    sha256: str | None
    stored: bool
    note: str | None


class MessageOut(Out):
    id: int
    direction: str
    kind: str
    is_incoming: bool
    message_id: str | None
    in_reply_to: str | None
    from_: str | None = Field(alias="from")
    from_name: str | None
    to: list[str]
    subject: str | None
    date: str | None
    text: str | None
    reply_text: str | None
    notes: list[str]
    defects: list[str]
    attachments: list[AttachmentOut]


class DraftOut(Out):
    id: int
    status: str
    version: int
    body: str
    category: str | None
    urgency: str | None
    confidence: Number | None
    raw_confidence: Number | None = None
    confidence_calibrated: bool = False
    prompt_variant: str | None = None
    escalation_required: bool
    escalation_reason: str | None
    provider: str | None
    model: str | None
    created_at: str | None
    approved_by: str | None
    approved_at: str | None
    rejected_by: str | None
    rejected_at: str | None
    rejection_reason: str | None
    sent_at: str | None
    failure_reason: str | None
    send_attempts: int
    outgoing_message_id: str | None


class AssignmentEventOut(Out):
    at: str | None
    action: str = Field(description="assigned, returned (to the queue) or left_unassigned")
    by: str = Field(description="who or what decided: a person's address, or worker")
    source: str
    assignee: str | None
    reason: str | None


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]
    drafts: list[DraftOut]
    assignments: list[AssignmentEventOut] = Field(
        default_factory=list, description="who owned the ticket when, and why, oldest first"
    )


class DecisionOut(Out):
    ticket_id: int
    draft_id: int
    status: str
    by: str
    at: str

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(
            ticket_id=d.ticket_id,
            draft_id=d.draft_id,
            status=d.status,
            by=d.by,
            at=d.at.isoformat(),
        )


class EditOut(Out):
    ticket_id: int
    draft_id: int
    version: int
    status: str


# --- bulk ----------------------------------------------------------------------------------


class BulkItemOut(Out):
    ticket_id: int
    draft_id: int | None
    reason: str | None = Field(description="why it was skipped (a key of the skip reasons)")
    detail: str


class BulkCounts(Out):
    done: int
    skipped: int
    skipped_by_reason: dict[str, int]


class BulkResultOut(Out):
    action: str
    done: list[BulkItemOut]
    skipped: list[BulkItemOut]
    counts: BulkCounts
    summary: str


class BulkTargetOut(Out):
    ticket_id: int
    draft_id: int | None
    subject: str
    requester: str
    draft_status: str | None
    draft_version: int | None
    escalation_required: bool
    urgency: str | None


class BulkPreviewOut(Out):
    action: str
    act_on: list[BulkTargetOut]
    skip: list[BulkItemOut]


# --- analytics -----------------------------------------------------------------------------


class DurationsOut(Out):
    count: int
    avg_seconds: Number | None
    median_seconds: Number | None


class DraftFigures(Out):
    created: int
    approved: int
    rejected: int
    approval_rate: Number | None
    edited: int
    edit_rate: Number | None
    avg_edit_ratio: Number | None
    escalated: int
    escalation_rate: Number | None


class AgentOut(Out):
    user_id: int
    email: str
    name: str
    approved: int
    rejected: int
    sent: int
    assigned: int
    avg_response_seconds: Number | None
    avg_decision_seconds: Number | None
    handled: int


class TrendPointOut(Out):
    start: str
    received: int
    sent: int


class TrendOut(Out):
    unit: str
    points: list[TrendPointOut]


class TemplateUsageOut(Out):
    template_id: int
    name: str
    uses: int


class SlaFiguresOut(Out):
    met: int
    breached: int
    compliance: Number | None = Field(description="met / (met + breached); null when both are 0")
    open: int
    paused: int
    stopped: int = Field(description="stopped clocks (met or breached) the percentiles are of")
    p50_seconds: Number | None
    p90_seconds: Number | None


class SlaMetricsOut(Out):
    first_response: SlaFiguresOut
    next_response: SlaFiguresOut
    resolution: SlaFiguresOut


class SlaAgentOut(Out):
    user_id: int | None = Field(description="null: the tickets nobody is assigned")
    email: str | None
    name: str | None
    metrics: SlaMetricsOut


class SlaComplianceOut(Out):
    time: str = Field(description="business: the durations are business seconds")
    metrics: SlaMetricsOut
    by_category: dict[str, SlaMetricsOut]
    by_urgency: dict[str, SlaMetricsOut]
    by_agent: list[SlaAgentOut]


class VariantFiguresOut(Out):
    variant: str | None
    drafts: int
    decided: int
    unchanged: int
    edited: int
    rejected: int
    unchanged_rate: Number | None
    edited_rate: Number | None
    rejected_rate: Number | None
    median_approve_seconds: Number | None


class ProviderCalibrationOut(Out):
    provider: str
    reviewed: int = Field(description="drafts people decided on, with a raw confidence")
    min_drafts: int
    fitted: bool
    fitted_at: str | None
    n: int | None = Field(description="the drafts the fit in use was made on")
    ece_before: Number | None = Field(description="expected calibration error, raw values")
    ece_after: Number | None = Field(description="the same, calibrated")
    points: list[list[Number]] = Field(description="[raw, calibrated], ascending")


class CalibrationOut(Out):
    providers: list[ProviderCalibrationOut]


class AnalyticsOut(Out):
    period: str
    since: str | None
    until: str
    tickets: int
    first_response: DurationsOut
    resolution: DurationsOut
    by_category: dict[str, int]
    by_urgency: dict[str, int]
    drafts: DraftFigures
    agents: list[AgentOut]
    trend: TrendOut
    templates: list[TemplateUsageOut]
    sla: SlaComplianceOut
    variants: list[VariantFiguresOut] = Field(
        default_factory=list,
        description="per prompt variant (null: the default prompt): drafts of the period and "
        "the rates of the decisions of the period",
    )
    computed_at: str | None = Field(
        default=None,
        description="when the figures come from a report computed ahead (all time: refreshed "
        "every few minutes), when it was computed; null when computed for this request",
    )


# --- templates -----------------------------------------------------------------------------


class TemplateOut(Out):
    id: int
    name: str
    category: str | None
    description: str
    body: str
    is_active: bool
    ai_draft: bool
    uses: int
    variables: list[str]
    created_at: str
    updated_at: str


class TemplateList(Out):
    items: list[TemplateOut]


class TextOut(Out):
    text: str


# --- knowledge base ------------------------------------------------------------------------


class ArticleOut(Out):
    id: int
    title: str
    body: str = Field(description="Markdown")
    category: str | None
    language: str = Field(description="ISO 639-1, e.g. en, de")
    status: str = Field(description="draft, published or archived")
    origin: str = Field(description="manual, or proposal: drafted from a resolved ticket")
    version: int = Field(description="1, then one more per edit")
    source_ticket_ids: list[int]
    reviewed_by_id: int | None = Field(description="the user who published it")
    helpful: int
    unhelpful: int
    last_cited_at: str | None
    public_url: str | None
    created_at: str
    updated_at: str


class ArticlePage(Out):
    items: list[ArticleOut]
    total: int


class ProposalOut(Out):
    id: int
    title: str
    category: str | None
    language: str
    source_ticket_ids: list[int] = Field(description="the resolved tickets it was drafted from")
    state: str = Field(description="open (a draft), published or discarded (archived)")
    version: int
    reviewed_by_id: int | None
    created_at: str
    updated_at: str


class ProposalPage(Out):
    items: list[ProposalOut]
    total: int


class ArticleHitOut(Out):
    id: int
    title: str
    score: float = Field(description="higher is better; not comparable between databases")
    snippet: str = Field(description="a piece of the body, matched words in **bold**")


class ArticleHits(Out):
    items: list[ArticleHitOut]


# --- scheduler -----------------------------------------------------------------------------


class WorkerOut(Out):
    worker_id: str
    state: str
    alive: bool
    started_at: str | None
    heartbeat_at: str | None
    last_run_at: str | None
    next_run_at: str | None
    last_error: str | None
    last_error_at: str | None


class MailboxScheduleOut(Out):
    name: str
    interval_seconds: int
    last_fetch_at: str | None
    last_success_at: str | None
    next_fetch_at: str | None
    last_error: str | None
    consecutive_failures: int
    active: bool = True  # an inactive mailbox is not fetched (its next_fetch_at is null)


class SchedulerOut(Out):
    state: str
    enabled: bool
    interval_seconds: int
    last_run_at: str | None
    next_run_at: str | None
    last_error: str | None
    last_error_at: str | None
    workers: list[WorkerOut]
    mailboxes: list[MailboxScheduleOut]


# --- recipients ----------------------------------------------------------------------------


class RecipientOut(Out):
    email: str
    reason: str | None
    bounced_at: str | None


# --- the audit log -------------------------------------------------------------------------


class AuditEventOut(Out):
    id: int
    at: str
    actor: str
    actor_id: int | None
    surface: str
    action: str
    target: str | None
    ticket_id: int | None
    draft_id: int | None
    request_id: str | None
    client_addr: str | None
    changes: dict[str, Any]
    data: dict[str, Any]


class AuditPage(Out):
    items: list[AuditEventOut]
    total: int


class AgentLoadOut(Out):
    """One agent's load (``desk workload --json``)."""

    user_id: int
    email: str
    name: str
    open: int
    waiting: int
    at_risk: int
    breached: int
    capacity: int
    available: bool
    away_since: str | None
