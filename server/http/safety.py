"""The HTTP edge's own checks, as two pure-ASGI middlewares (a body is read from the client
once, and never more than the limit of it held):

- ``SecurityHeaders`` (every response): ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY`` and a strict
  ``Content-Security-Policy`` (``default-src 'none'; frame-ancestors 'none'``) unless the
  response set its own (``/docs`` allows the Swagger UI it loads from a CDN);
- ``InputGuard`` (``/api/v1`` only): a request body over ``max_body`` bytes (1 MB) gets 413
  before it is read whole (Content-Length is checked first, then the bytes are counted as
  they stream, so chunked bodies too); a path, query string or JSON body holding a NUL, a
  lone surrogate, bytes that are not UTF-8 or a JSON integer beyond 64 bits gets 422. Such
  input breaks the database (PostgreSQL text columns refuse NUL, SQLite and PostgreSQL
  integers stop at 64 bits) and means nothing to the desk.

Both answer errors in the API's ``{"error", "detail"}`` shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api/v1"
MAX_JSON_BYTES = 1024 * 1024
INT64 = 2**63 - 1
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'"
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputRefused(Exception):
    """Input the desk cannot store or use; ``status`` and ``error`` name the answer."""

    def __init__(self, detail: str, *, status: int = 422, error: str = "ValidationError") -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.error = error


def bad_text(value: str) -> str | None:
    """Why ``value`` cannot be taken as text (a NUL, a lone surrogate), or None."""
    if "\x00" in value:
        return "holds a NUL character (\\u0000)"
    if _SURROGATE.search(value):
        return "holds a lone surrogate (\\ud800-\\udfff)"
    return None


def check_text(value: str, where: str) -> None:
    if why := bad_text(value):
        raise InputRefused(f"the {where} {why}")


def check_query(raw: bytes) -> None:
    """Every name and value of a query string, percent-decoded, is UTF-8 text without NUL."""
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            decoded = unquote_to_bytes(piece.replace(b"+", b" "))
            try:
                text = decoded.decode("utf-8")
            except UnicodeDecodeError:
                raise InputRefused("the query string is not UTF-8 text") from None
            check_text(text, "query string")


def check_path(scope: Scope) -> None:
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        try:
            unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise InputRefused("the path is not UTF-8 text") from None
    check_text(str(scope.get("path", "")), "path")


def check_json(body: bytes) -> None:
    """Refuse a body holding what no field takes; a body that is not JSON at all is left to
    the route (which says so in its own 422)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused("the body is not UTF-8 text") from None
    if "\x00" in text:
        raise InputRefused("the body holds a NUL byte")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:  # not JSON: the route answers
        return
    except ValueError:  # an integer of more digits than Python parses
        raise InputRefused("the JSON body holds an integer beyond 64 bits") from None
    for why in _problems(data):
        raise InputRefused(f"the JSON body {why}")


def _problems(value: Any) -> Iterable[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if why := bad_text(item):
                yield why
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not -INT64 - 1 <= item <= INT64:
                yield "holds an integer beyond 64 bits"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def error_body(error: str, detail: str) -> bytes:
    return json.dumps({"error": error, "detail": detail}).encode()


async def answer(send: Send, status: int, error: str, detail: str) -> None:
    body = error_body(error, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", STRICT_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class InputGuard:
    """Checks the path, query string and body of every ``/api/v1`` request before the
    route sees them; the body is read up to ``max_body`` bytes and then handed on whole."""

    def __init__(
        self, app: ASGIApp, *, max_body: int = MAX_JSON_BYTES, prefix: str = API_PREFIX
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.prefix = prefix

    def _guarded(self, scope: Scope) -> bool:
        path = str(scope.get("path", ""))
        return scope["type"] == "http" and (
            path == self.prefix or path.startswith(self.prefix + "/")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._guarded(scope):
            await self.app(scope, receive, send)
            return
        try:
            check_path(scope)
            check_query(scope.get("query_string", b""))
            self._check_length(scope)
            body = await self._read(receive)
            if body is None:
                return  # the client went away
            check_json(body)
        except InputRefused as refused:
            await answer(send, refused.status, refused.error, refused.detail)
            return

        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> InputRefused:
        return InputRefused(
            f"the request body is over {self.max_body} bytes",
            status=413,
            error="PayloadTooLarge",
        )

    def _check_length(self, scope: Scope) -> None:
        for name, value in scope.get("headers", []):
            if name.lower() != b"content-length":
                continue
            if not (value.isascii() and value.strip().isdigit()):
                raise InputRefused("Content-Length is not a number", status=400, error="BadRequest")
            if int(value) > self.max_body:
                raise self._too_large()

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
