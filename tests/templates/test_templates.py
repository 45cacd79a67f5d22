"""Response templates: sandboxed rendering, unknown variables named, CRUD, usage counts,
and the offline provider drafting from them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.ai.offline import USER_TEMPLATE_VERSION, OfflineProvider
from core.ai.result import TriageRequest
from core.errors import NotFound, ValidationError
from core.replies.rendering import check_template, render_text
from core.replies.templates import GENERAL, TemplateSpec
from db.models import AuditEvent, Draft
from server.wiring import Desk
from tests.core.flows import agent, drafted_ticket, smtp_mailbox


def test_render_fills_variables() -> None:
    text = render_text(
        "Hi {{ customer_first_name }}, about #{{ ticket_id }}: {{ subject | upper }}",
        {"customer_first_name": "Ann", "ticket_id": 7, "subject": "refund"},
    )
    assert text == "Hi Ann, about #7: REFUND"


def test_unknown_variable_is_named_for_the_author() -> None:
    with pytest.raises(ValidationError) as caught:
        check_template("Dear {{ customer_nmae }}, thanks!")
    assert "customer_nmae" in str(caught.value)
    assert caught.value.data["variable"] == "customer_nmae"
    # and at render time (StrictUndefined), never a blank in the mail
    with pytest.raises(ValidationError, match="customer_name"):
        render_text("Dear {{ customer_name }},", {})


@pytest.mark.parametrize(
    "body",
    [
        "{{ customer_name.__class__.__mro__[1].__subclasses__() }}",
        "{{ customer_name.__init__.__globals__ }}",
        "{{ ('x' * 100000000) }}",
        "{{ 2 ** 64 ** 100 }}",
    ],
)
def test_the_sandbox_refuses_python_internals_and_huge_output(body: str) -> None:
    with pytest.raises(ValidationError):
        render_text(body, {"customer_name": "Ann"})


def test_syntax_errors_say_the_line() -> None:
    with pytest.raises(ValidationError, match="line 2"):
        check_template("Hello\n{{ customer_name }")


async def test_crud_and_category_lookup(desk: Desk) -> None:
    me = await agent(desk, "lead@team.test")
    general = await desk.templates.create(
        TemplateSpec(name="Thanks", body="Thanks {{ customer_name }}!"), me
    )
    billing = await desk.templates.create(
        TemplateSpec(
            name="Refund on its way",
            category="billing",
            body="Hi {{ customer_first_name }}, the refund for #{{ ticket_id }} is on its way.\n{{ agent_name }}",
            description="after a refund was issued",
        ),
        me,
    )
    assert billing.category == "Billing" and billing.variables == [
        "agent_name",
        "customer_first_name",
        "ticket_id",
    ]
    with pytest.raises(ValidationError, match="exists already"):
        await desk.templates.create(TemplateSpec(name="thanks", body="x"), me)
    with pytest.raises(ValidationError, match="unknown category"):
        await desk.templates.create(TemplateSpec(name="x", body="x", category="weather"), me)
    with pytest.raises(ValidationError, match="order_number"):
        await desk.templates.create(TemplateSpec(name="y", body="{{ order_number }}"), me)

    assert [t.name for t in await desk.templates.list(category="Billing")] == [
        "Refund on its way",
        "Thanks",
    ]
    assert [t.name for t in await desk.templates.list(category="Technical")] == ["Thanks"]

    changed = await desk.templates.update(general.id, me, body="Many thanks, {{ customer_name }}.")
    assert changed.body == "Many thanks, {{ customer_name }}." and changed.category is None
    with pytest.raises(ValidationError, match="nope"):
        await desk.templates.update("Thanks", me, body="{{ nope }}")
    assert (await desk.templates.get("thanks")).body == changed.body  # unchanged on error

    await desk.templates.delete("Thanks", me)  # archived, history kept
    assert [t.name for t in await desk.templates.list()] == ["Refund on its way"]
    assert len(await desk.templates.list(include_inactive=True)) == 2
    await desk.templates.delete(general.id, me, purge=True)
    with pytest.raises(NotFound):
        await desk.templates.get(general.id)
    async with desk.sessions() as s:
        actions = list(await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("template.created") == 2 and "template.archived" in actions


async def test_use_renders_for_the_ticket_and_counts(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    ticket_id, draft_id = await drafted_ticket(
        desk, mailbox, sender="Ann Lee <ann@cust.test>", subject="Refund please"
    )
    me = await agent(desk, "sam@team.test")
    t = await desk.templates.create(
        TemplateSpec(
            name="refund",
            body='Hi {{ customer_first_name }} ({{ customer_email }}), re "{{ subject }}" '
            "#{{ ticket_id }}. {{ agent_name }} at {{ company_name }}",
        ),
        me,
    )
    preview = await desk.templates.render(t.id)  # sample values
    assert preview.startswith("Hi Alex (alex@example.com)")
    text = await desk.templates.use(t.id, ticket_id=ticket_id, actor=me, draft_id=draft_id)
    assert text == (
        f'Hi Ann (ann@cust.test), re "Refund please" #{ticket_id}. sam at Example Support'
    )
    await desk.templates.use("refund", ticket_id=ticket_id, actor=me)
    assert (await desk.templates.get(t.id)).uses == 2
    # inserting it into the draft goes through the normal edit, which records how much changed
    edited = await desk.drafts.edit(draft_id, me, body=text)
    assert edited.edit_ratio is not None and 0 < edited.edit_ratio <= 1
    with pytest.raises(NotFound):
        await desk.templates.use(t.id, ticket_id=99999, actor=me)


async def test_only_one_ai_template_per_category(desk: Desk) -> None:
    me = await agent(desk, "lead@team.test")
    await desk.templates.create(
        TemplateSpec(name="a", body="A", category="Billing", ai_draft=True), me
    )
    await desk.templates.create(
        TemplateSpec(name="b", body="B", category="Billing", ai_draft=True), me
    )
    await desk.templates.create(TemplateSpec(name="g", body="G", ai_draft=True), me)
    assert await desk.templates.for_triage() == {"Billing": "B", GENERAL: "G"}


def test_offline_provider_drafts_from_a_user_template() -> None:
    provider = OfflineProvider()
    request = TriageRequest(
        subject="Charged twice",
        text="You took the monthly fee twice from my credit card, please refund one.",
        sender_email="ann@cust.test",
        sender_name="Ann Lee",
        ticket_id=42,
        company_name="Acme",
        reply_templates={
            "Billing": "Dear {{ customer_first_name }}, re #{{ ticket_id }}: we are on it. {{ company_name }}"
        },
    )
    triaged = provider.triage_sync(request)
    assert triaged.result.category.value == "Billing"
    assert triaged.result.draft_reply == "Dear Ann, re #42: we are on it. Acme"
    assert triaged.meta.prompt_version == USER_TEMPLATE_VERSION
    # another category without its own template and no general one: the built-in drafts
    login = provider.triage_sync(
        request.model_copy(
            update={
                "subject": "Locked out",
                "text": "I cannot log in, my password reset link does not work.",
            }
        )
    )
    assert (
        "Dear Ann" not in login.result.draft_reply
        and login.meta.prompt_version != USER_TEMPLATE_VERSION
    )
    # a broken template never breaks triage: the built-in text is used
    broken = provider.triage_sync(
        request.model_copy(update={"reply_templates": {"*": "{{ nope }}"}})
    )
    assert broken.result.draft_reply and broken.meta.prompt_version != USER_TEMPLATE_VERSION


async def test_the_desk_triages_with_its_templates(desk: Desk) -> None:
    me = await agent(desk, "lead@team.test")
    await desk.templates.create(
        TemplateSpec(
            name="any",
            body="Hello {{ customer_first_name }}, we got ticket #{{ ticket_id }}.",
            ai_draft=True,
        ),
        me,
    )
    mailbox = await smtp_mailbox(desk)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox, sender="Bo Diaz <bo@cust.test>")
    async with desk.sessions() as s:
        draft = await s.get(Draft, draft_id)
    assert draft is not None and draft.body == f"Hello Bo, we got ticket #{ticket_id}."
