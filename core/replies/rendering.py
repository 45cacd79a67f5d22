"""Rendering reply templates in Jinja2's sandbox: the variables, the checks, the render.

No database here, so the offline AI provider can draft from templates cheaply. The service
(storage, usage counts) is ``core.replies.templates``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from core.errors import ValidationError

MAX_BODY_CHARS = 20_000
MAX_OUTPUT_CHARS = 100_000

VARIABLES: dict[str, str] = {
    "customer_name": "the customer's name (or the start of their address)",
    "customer_first_name": "the customer's first name, or their name when unsure",
    "customer_email": "the customer's email address",
    "ticket_id": "the ticket number",
    "subject": "the ticket's subject",
    "category": "the ticket's category (Billing, Technical, ...)",
    "urgency": "the ticket's urgency (Low, Medium, High)",
    "agent_name": "the name of the person sending the reply",
    "agent_email": "the email of the person sending the reply",
    "company_name": "your company's name (settings)",
    "signature": "the reply signature (settings)",
    "today": "today's date, YYYY-MM-DD",
}

SAMPLE: dict[str, Any] = {
    "customer_name": "Alex Example",
    "customer_first_name": "Alex",
    "customer_email": "alex@example.com",
    "ticket_id": 123,
    "subject": "Charged twice this month",
    "category": "Billing",
    "urgency": "Medium",
    "agent_name": "Sam Agent",
    "agent_email": "sam@example.com",
    "company_name": "Example Support",
    "signature": "The Example Support team",
    "today": "2025-01-31",
}


class _Sandbox(SandboxedEnvironment):
    """The Jinja2 sandbox, with ``*`` and ``**`` bounded (``"x" * 10**9`` is refused)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > 1000:
                raise SecurityError("exponent too large in a template")
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and left.bit_length() * abs(right) > 4096
            ):
                raise SecurityError("number too large in a template")
            return operator.pow(left, right)
        for seq, n in ((left, right), (right, left)):
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(n, int)
                and len(seq) * max(n, 0) > MAX_OUTPUT_CHARS
            ):
                raise SecurityError("a repeated text in the template is too long")
        return operator.mul(left, right)


_ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined")


def _syntax_error(exc: TemplateSyntaxError) -> ValidationError:
    return ValidationError(
        f"template syntax error on line {exc.lineno}: {exc.message}",
        field="body",
        line=exc.lineno,
    )


def template_variables(body: str) -> list[str]:
    """The variables a template uses; ValidationError for a syntax error."""
    try:
        ast = _ENV.parse(body)
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc) from exc
    return sorted(meta.find_undeclared_variables(ast))


def check_template(body: str) -> list[str]:
    """Validate a template's text; returns its variables. Names the first unknown one."""
    if not body.strip():
        raise ValidationError("the template is empty", field="body")
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(f"a template is at most {MAX_BODY_CHARS:,} characters", field="body")
    used = template_variables(body)
    unknown = [v for v in used if v not in VARIABLES]
    if unknown:
        raise ValidationError(
            f"unknown variable {{{{ {unknown[0]} }}}} in the template; "
            f"available: {', '.join(VARIABLES)}",
            field="body",
            variable=unknown[0],
            unknown=unknown,
        )
    render_text(body, SAMPLE)  # errors that only show when rendering (bad filter use, ...)
    return used


def render_text(body: str, variables: Mapping[str, Any]) -> str:
    """Render ``body`` with ``variables`` in the sandbox; ValidationError on any problem."""
    try:
        template = _ENV.from_string(body)
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc) from exc
    try:
        text = template.render(**variables)
    except UndefinedError as exc:
        match = _UNDEFINED_NAME.search(exc.message or "")
        name = match.group(1) if match else None
        raise ValidationError(
            f"unknown variable {{{{ {name} }}}} in the template" if name else f"template: {exc}",
            field="body",
            variable=name,
        ) from exc
    except SecurityError as exc:
        raise ValidationError(
            f"the template is not allowed to do that: {exc}", field="body"
        ) from exc
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        raise ValidationError(f"the template failed to render: {exc}", field="body") from exc
    if len(text) > MAX_OUTPUT_CHARS:
        raise ValidationError("the rendered template is too long", field="body")
    return text.strip()


def first_name(name: str) -> str:
    """ "Ann" for "Ann Lee" and for "Lee, Ann"; "" when unsure."""
    name = " ".join(name.replace('"', "").split())
    if "," in name:
        name = name.split(",", 1)[1].strip()
    if not name or "@" in name or len(name) > 60 or not name[0].isalpha():
        return ""
    return name.split(" ")[0]
