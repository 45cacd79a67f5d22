"""Adapting a reply people approved to a new mail like it: the agent's sentences stay, the
old customer's name, address, ticket and order numbers and subject go; a close example of
another category, a rejected one or one not close enough is not used."""

from __future__ import annotations

from core.ai.adapt import CLOSE_SIMILARITY, adapt_reply, closest, find_references
from core.ai.offline import LEARNED_VERSION, OfflineProvider
from core.ai.result import Example, TriageRequest

REPLY = (
    "Hi Anna,\n\nThank you for writing about “Charged twice”. We checked invoice INV-1001 "
    "and ticket #12. Refunds reach your card within five business days.\n\n"
    "We will write to anna@example.com once it is done.\n\nBest regards,\nThe team"
)


def _example(**kw: object) -> Example:
    values: dict[str, object] = {
        "kind": "approved",
        "category": "Billing",
        "similarity": 0.9,
        "subject": "Re: Charged twice",
        "customer_text": "I was charged twice for invoice INV-1001.",
        "reply_text": REPLY,
        "customer_name": "Anna Berg",
        "customer_email": "anna@example.com",
        "ticket_id": 12,
    }
    return Example(**{**values, **kw})  # type: ignore[arg-type]


def _request(text: str = "Invoice INV-2002 was charged twice.", **kw: object) -> TriageRequest:
    values: dict[str, object] = {
        "subject": "Double charge",
        "text": text,
        "sender_email": "bob@example.org",
        "sender_name": "Bob Stone",
        "ticket_id": 40,
    }
    return TriageRequest(**{**values, **kw})  # type: ignore[arg-type]


def test_the_old_mails_details_give_way_to_the_new_ones() -> None:
    text = adapt_reply(_example(), _request(), subject="Double charge")
    assert text == REPLY.replace("Anna", "Bob").replace("Charged twice", "Double charge").replace(
        "INV-1001", "INV-2002"
    ).replace("#12", "#40").replace("anna@example.com", "bob@example.org")


def test_a_formal_greeting_takes_the_new_last_name_and_no_name_leaves_none() -> None:
    formal = _example(reply_text="Guten Tag Frau Berg,\n\nWir prüfen es.", subject="")
    assert adapt_reply(formal, _request()) == "Guten Tag Frau Stone,\n\nWir prüfen es."
    nameless = _request(sender_name="")
    assert adapt_reply(_example(reply_text="Hi Anna,\n\nDone.", subject=""), nameless) == (
        "Hi,\n\nDone."
    )


def test_an_old_number_without_a_new_one_is_not_carried_over() -> None:
    assert (
        adapt_reply(_example(), _request("I was charged twice."), subject="Double charge") is None
    )
    # nor the old subject when the new one may not be echoed
    assert adapt_reply(_example(), _request(), subject="") is None
    assert find_references("order 12345, invoice INV-9 and again order 12345") == [
        "12345",
        "INV-9",
    ]


def test_only_a_close_approved_example_of_the_category_is_chosen() -> None:
    near = _example(similarity=CLOSE_SIMILARITY)
    best = _example(similarity=0.95, reply_text="best")
    assert closest([near, best], "Billing") is best
    assert closest([_example(similarity=CLOSE_SIMILARITY - 0.01)], "Billing") is None
    assert closest([_example(kind="rejected", reason="no")], "Billing") is None
    assert closest([best], "Technical") is None


def test_the_offline_provider_drafts_from_a_close_example_of_its_category() -> None:
    provider = OfflineProvider()
    mail = "Hello, I was charged twice for invoice INV-2002. Please refund the duplicate."
    learned = provider.triage_sync(_request(mail, examples=[_example()]))
    assert learned.result.category.value == "Billing"
    assert learned.meta.prompt_version == LEARNED_VERSION
    assert "Refunds reach your card within five business days." in learned.result.draft_reply
    other = provider.triage_sync(_request(mail, examples=[_example(category="Technical")]))
    assert other.meta.prompt_version != LEARNED_VERSION
    assert "five business days" not in other.result.draft_reply
