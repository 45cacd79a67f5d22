"""The triage result every provider returns, and the request it is given."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.vocabulary import Category, Urgency


class Flags(BaseModel):
    escalation_required: bool = False
    escalation_reason: str | None = None
    safety_findings: list[str] = Field(default_factory=list)
    fallback: bool = False  # produced by the offline fallback while the main provider failed
    fallback_reason: str | None = None  # why the main provider failed (re-triage when it is back)
    # the escalation rules that fired (core.ai.escalation names: "asks_for_human", "legal")
    escalation_rules: list[str] = Field(default_factory=list)


class TriageResult(BaseModel):
    category: Category
    urgency: Urgency
    summary: str
    fix_steps: list[str]
    draft_reply: str
    confidence: float = Field(ge=0.0, le=1.0)
    flags: Flags = Field(default_factory=Flags)
    # ids of the request's sources the draft used; the triager drops ids it did not offer
    citations: list[int] = Field(default_factory=list)


class TriageMeta(BaseModel):
    provider: str
    model: str
    prompt_version: str
    latency_ms: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    # the provider's own confidence when ``result.confidence`` was calibrated
    # (core.ai.calibration); None: the confidence is the provider's own
    raw_confidence: float | None = None


class ContextMessage(BaseModel):
    direction: str  # in|out
    from_email: str
    text: str


class KnowledgeSource(BaseModel):
    """A published knowledge-base article offered to the provider as a numbered source."""

    id: int
    title: str
    text: str
    public_url: str | None = None


class AttachmentInfo(BaseModel):
    """A file attached to the mail: its name, and for a text-like one (a log, a .txt) the
    lines of its text that look like errors, else its start (``core.inbound.attachments``'s
    ``excerpt``, at most ``EXCERPT_CHARS``). Untrusted customer input like ``text``."""

    name: str
    content_type: str = ""
    size: int = 0
    excerpt: str = ""


class Example(BaseModel):
    """A past reply people decided on, retrieved for a new mail like it
    (``core.tickets.similar``): ``approved`` ones (edited or not) are replies the team sent
    to similar mail, ``rejected`` ones (with the reason) are what to avoid. ``similarity``:
    0..1 between that mail's text and the new one's; ``customer_*``, ``ticket_id``,
    ``subject`` and ``customer_text`` are the old mail's, so a provider adapting the reply can swap them."""

    kind: str  # approved|rejected
    category: str
    similarity: float = Field(ge=0.0, le=1.0)
    subject: str = ""
    customer_text: str
    reply_text: str
    reason: str | None = None  # why it was rejected
    edit_class: str = "unchanged"  # unchanged|light|heavy
    customer_name: str = ""
    customer_email: str = ""
    ticket_id: int | None = None


class TriageRequest(BaseModel):
    """Everything a provider may look at. ``text`` is untrusted customer input."""

    subject: str
    text: str
    sender_email: str
    sender_name: str = ""
    ticket_id: int | None = None
    history: list[ContextMessage] = Field(default_factory=list)
    # times the customer reopened the ticket (the audit trail's ticket.reopened_by_customer),
    # read by the escalation rules (core.ai.escalation), never shown to a provider
    reopens: int = Field(default=0, ge=0)
    company_name: str = "Support"
    signature: str = ""
    category_prompts: dict[str, str] = Field(default_factory=dict)
    # prompt variants (A/B) the ticket drew: category value -> the variant's extra
    # instructions, followed when the model picks that category (core.ai.variants)
    variant_prompts: dict[str, str] = Field(default_factory=dict)
    # response templates the offline provider drafts from: category value (or "*" for the
    # general one) -> Jinja2 text (core.replies.rendering variables); see core.replies.templates
    reply_templates: dict[str, str] = Field(default_factory=dict)
    # the knowledge base's best published articles for this mail (core.knowledge.retrieval)
    sources: list[KnowledgeSource] = Field(default_factory=list)
    # the desk has published articles to retrieve from: then a how-to question with no
    # ``sources`` escalates (core.ai.escalation); a desk without a knowledge base does not
    knowledge_base: bool = False
    # privacy toward an external model (core.ai.privacy): personal data is replaced by
    # placeholders before the text leaves the desk (the mailbox's ``ai_redact``), except the
    # desk's own addresses; a local provider (offline) ignores both
    redact: bool = True
    desk_addresses: list[str] = Field(default_factory=list)
    # past replies to mail like this one, up to a few per category, most similar first; a
    # provider uses those of the category it gives the mail (core.tickets.similar)
    examples: list[Example] = Field(default_factory=list)
    # the mail's attachments (names, and text excerpts of text-like ones)
    attachments: list[AttachmentInfo] = Field(default_factory=list)


class Triaged(BaseModel):
    result: TriageResult
    meta: TriageMeta
