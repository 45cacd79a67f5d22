"""Schemathesis over every route of the app's own OpenAPI schema, on the test database.

Each operation gets calls generated from its schema, valid and invalid (wrong types, out of
range numbers, NULs, odd unicode), sent through the ASGI app with an admin's token; every
answer must be no 5xx and must match what /openapi.json documents for it (status, content
type, body). Derandomized with 50 examples per operation (``DESK_FUZZ_EXAMPLES``), so a
run is the same run every time and takes well under two minutes per database.

The schema is read over ASGI from ``create_app`` on a desk that is never opened (the
OpenAPI document needs no database), so the operations are known when the module is
collected; each operation then runs against its own seeded desk, whose app must serve the
very same schema. The desk runs on a loop of its own (``asyncio.Runner``): Schemathesis's
cases are generated synchronously by Hypothesis, and the desk's engine must live on the one
loop that sends.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from core.access.users import ensure_user
from core.audit import Actor
from core.replies.templates import TemplateSpec
from server.http.app import create_app
from server.wiring import Desk, build_desk
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.desk import settings_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# per operation; DESK_FUZZ_EXAMPLES=500 for a deeper run by hand (still derandomized)
EXAMPLES = int(os.environ.get("DESK_FUZZ_EXAMPLES", "50"))


@dataclass
class Target:
    """The app over a seeded desk, the loop it runs on and an admin's Authorization."""

    runner: asyncio.Runner
    desk: Desk
    app: Any
    headers: dict[str, str]

    def send(self, case: schemathesis.Case) -> httpx.Response:
        kwargs = case.as_transport_kwargs(base_url="http://desk", headers=self.headers)
        kwargs.pop("cookies", None)
        if "data" in kwargs:  # a raw body (Schemathesis speaks the requests API)
            kwargs["content"] = kwargs.pop("data")

        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://desk") as c:
                response = await c.request(**kwargs)
                await response.aread()
                return response

        return self.runner.run(call())


async def _seed(desk: Desk) -> dict[str, str]:
    """An admin with a token, a drafted ticket and a template: the fuzzer's ids 1 and
    friends reach real rows, not only 404s."""
    admin = await ensure_user(desk.sessions, "admin@team.test", role="admin")
    actor = Actor(name=admin.email, source="cli", user_id=admin.id)
    issued = await desk.tokens.create(
        admin.id, scopes="read,write,admin", expires="30d", name="fuzz", by=actor
    )
    mailbox = await smtp_mailbox(desk)
    await drafted_ticket(
        desk,
        mailbox,
        sender="Ann <ann@cust.test>",
        subject="Refund for double charge",
        body="I was charged twice on my credit card invoice, please refund the payment.",
    )
    await desk.templates.create(
        TemplateSpec(name="refund", body="Hello {{ customer_name }}, your refund is on its way."),
        actor,
    )
    return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture()
def target(database_url: str, tmp_path: Path) -> Iterator[Target]:
    runner = asyncio.Runner()
    desk = build_desk(settings_for(database_url, tmp_path / "data"))
    try:
        headers = runner.run(_seed(desk))
        app = create_app(desk)
        assert app.openapi() == schema.raw_schema  # the schema fuzzed is this app's
        yield Target(runner=runner, desk=desk, app=app, headers=headers)
    finally:
        runner.run(desk.close())
        runner.close()


def _schema() -> schemathesis.BaseSchema:
    unopened = build_desk(settings_for("sqlite://", Path(tempfile.gettempdir()) / "unopened"))
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(unopened))


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=10),
    suppress_health_check=list(HealthCheck),
)
def test_every_route_answers_without_5xx_and_as_documented(
    case: schemathesis.Case, target: Target
) -> None:
    response = target.send(case)
    case.validate_response(response, checks=CHECKS, headers=target.headers)
