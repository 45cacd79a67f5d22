"""Property: no sequence of operations sends a word that a person did not approve.

Hypothesis drives random sequences of edit / approve / reject / retry / send (with the mailer
failing temporarily or permanently at random) against the real services and database. The
mailer here records what it is handed; real SMTP is covered in test_approval.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.errors import DeskError, MailPermanentError, MailTemporaryError
from server.wiring import build_desk
from tests.core.flows import agent, drafted_ticket, smtp_mailbox
from tests.support.desk import settings_for


@dataclass
class RecordingMailer:
    outcomes: list[str] = field(default_factory=list)  # "ok" | "temp" | "perm", consumed per send
    sent: list[EmailMessage] = field(default_factory=list)

    async def send(self, message: EmailMessage) -> None:
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == "temp":
            raise MailTemporaryError("451 try later", code=451)
        if outcome == "perm":
            raise MailPermanentError("550 no such user", code=550)
        self.sent.append(message)


ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("edit"), st.sampled_from(["ann", "ben"]), st.text(min_size=1, max_size=40)
        ),
        st.tuples(
            st.just("approve"), st.sampled_from(["ann", "ben"]), st.sampled_from([None, 0, 1, 2, 3])
        ),
        st.tuples(
            st.just("reject"), st.sampled_from(["ann", "ben"]), st.sampled_from(["", "no", "wrong"])
        ),
        st.tuples(st.just("retry"), st.sampled_from(["ann"]), st.none()),
        st.tuples(st.just("send"), st.sampled_from(["ok", "temp", "perm"]), st.none()),
    ),
    max_size=14,
)


async def scenario(database_url: str, data_dir: Path, steps: list[tuple]) -> None:  # type: ignore[type-arg]
    desk = build_desk(settings_for(database_url, data_dir))
    mailer = RecordingMailer()
    desk.sender.mailer_for = lambda _mb: mailer
    try:
        mailbox = await smtp_mailbox(desk, name=f"box-{id(steps)}-{len(steps)}-{data_dir.name}")
        _, draft_id = await drafted_ticket(desk, mailbox)
        approved_text: str | None = None  # what was approved, as the model sees it
        current = (await desk.tickets.get(await _ticket(desk, draft_id)))["draft_response"]
        for op, who, arg in steps:
            try:
                if op == "edit":
                    current = (
                        await desk.drafts.edit(
                            draft_id, await agent(desk, f"{who}@t.test"), body=arg
                        )
                    ).body
                elif op == "approve":
                    await desk.drafts.approve(
                        draft_id, await agent(desk, f"{who}@t.test"), version=arg
                    )
                    approved_text = current
                elif op == "reject":
                    await desk.drafts.reject(
                        draft_id, await agent(desk, f"{who}@t.test"), reason=arg
                    )
                elif op == "retry":
                    await desk.drafts.retry(draft_id, await agent(desk, "ann@t.test"))
                elif op == "send":
                    mailer.outcomes.append(who)
                    await desk.sender.send_due(ignore_backoff=True, only=[draft_id])
            except DeskError:
                pass
        assert len(mailer.sent) <= 1, "a draft went out twice"
        for message in mailer.sent:
            assert approved_text is not None, "sent without any approval"
            assert message.get_content().strip() == approved_text.strip(), (
                "sent text differs from the approved text"
            )
    finally:
        await desk.close()


async def _ticket(desk, draft_id: int) -> int:  # type: ignore[no-untyped-def]
    from db.models import Draft

    async with desk.sessions() as s:
        return (await s.get(Draft, draft_id)).ticket_id  # type: ignore[union-attr]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ops)
# found by Hypothesis: a lone CR in an edit was stored as typed and sent as a line break
@example(steps=[("edit", "ann", "0\r0"), ("approve", "ann", None), ("send", "ok", None)])
def test_no_sequence_sends_an_unapproved_draft(
    database_url: str, tmp_path: Path, steps: list[tuple]
) -> None:  # type: ignore[type-arg]
    asyncio.run(scenario(database_url, tmp_path / f"d{abs(hash(tuple(map(str, steps))))}", steps))
