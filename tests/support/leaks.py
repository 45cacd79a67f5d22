"""No secret in any log line, error message, API response, CLI output or Slack view, checked
for every test of the suite.

The secrets are the ones the suite uses: the fake Slack signing secret and bot tokens, the
Dovecot passwords (registered as ``tests.support.dovecot`` makes them), the fake OpenAI
keys, every key a ``SecretBox`` is built with, every ``SecretStr`` a ``Settings`` holds (and the
password in its database URL), and
every API token issued (each ``IssuedToken`` made). Where they are looked for:

- every log record of the desk's own loggers (``core``, ``bot``, ``server``, ``db``, at
  every level: they are set to DEBUG) and every WARNING or worse of any library;
- the message and data of every ``DeskError`` made (what surfaces render as errors);
- every HTTP response body an httpx client in the tests received (the REST API through
  ASGITransport or uvicorn, Bolt's answers to the signed Slack requests);
- every call the app made to the fake Slack Web API (messages, modals, App Home);
- the stdout and stderr of ``desk`` commands run with ``tests.support.cli.run``.

An API token is shown once, where it is issued: it may appear in one output (a response,
a view or a command's output) in its test, never in a log or an error, and never twice.
A finding fails the test at teardown, naming where the secret was seen (masked). The cost
is one precompiled regular expression search per text; values under 8 characters are not
registered (too short to be told from ordinary words).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

MIN_LENGTH = 8
OUR_LOGGERS = ("core", "bot", "server", "db")
TEXT_TYPES = ("json", "text", "html", "xml", "javascript", "x-www-form-urlencoded")


@dataclass
class Registry:
    secrets: set[str] = field(default_factory=set)
    shown_once: set[str] = field(default_factory=set)  # API tokens: one output allowed
    shown: dict[str, int] = field(default_factory=dict)  # this test's outputs, per token
    findings: list[str] = field(default_factory=list)
    _pattern: re.Pattern[str] | None = None

    def add(self, value: str | None, *, once: bool = False) -> None:
        if not value or len(value) < MIN_LENGTH or value in self.secrets:
            if value and once and value in self.secrets:
                self.shown_once.add(value)
            return
        self.secrets.add(value)
        if once:
            self.shown_once.add(value)
        self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self.secrets:
            # longest first, so a secret inside another is reported as the longer one
            ordered = sorted(self.secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered)))
        return self._pattern

    def found_in(self, text: str) -> set[str]:
        pattern = self.pattern()
        if pattern is None or not text:
            return set()
        return set(pattern.findall(text))

    def check(self, text: str, where: str, *, output: bool) -> None:
        """``output``: a response, view or command output (a token may be shown once
        there); otherwise a log line or an error, where nothing may appear."""
        for secret in self.found_in(text):
            if output and secret in self.shown_once:
                self.shown[secret] = self.shown.get(secret, 0) + 1
                if self.shown[secret] == 1:
                    continue
                where = f"{where} (an API token shown a second time)"
            self.findings.append(f"{mask(secret)} in {where}: {excerpt(text, secret)}")


REGISTRY = Registry()


def mask(secret: str) -> str:
    return f"{secret[:4]}…({len(secret)} chars)"


def excerpt(text: str, secret: str) -> str:
    at = text.find(secret)
    start = max(0, at - 60)
    shown = text[start : at + len(secret) + 60].replace(secret, mask(secret))
    return repr(shown)


def register_secret(value: str | None, *, once: bool = False) -> None:
    """A value no log, error or output may show (``once``: an API token, shown once)."""
    REGISTRY.add(value, once=once)


def seen(text: str | bytes | None, where: str, *, output: bool = True) -> None:
    """Look for the registered secrets in ``text``, seen at ``where``."""
    if not text:
        return
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    REGISTRY.check(text, where, output=output)


# -- where the secrets come from ----------------------------------------------------------


def _known() -> None:
    from tests.support.slack_driver import SIGNING_SECRET

    for value in (
        SIGNING_SECRET,
        "xoxb-test-token",  # tests/support/slack_driver.py
        "xapp-test",  # Socket Mode's app token
        "test-secret-key",  # tests/support/desk.py
        "cli-test-key",  # tests/support/cli.py
    ):
        register_secret(value)  # the fake OpenAI registers its keys as it starts


def _wrap_sources(patch: pytest.MonkeyPatch) -> None:
    from pydantic import SecretStr
    from sqlalchemy.engine import make_url

    from core.access.tokens import IssuedToken
    from core.config import Settings
    from core.secrets import EMBEDDED_DEV_KEY, SecretBox

    box_init = SecretBox.__init__

    @functools.wraps(box_init)
    def box(self: SecretBox, secret: Any, *, old: Any = ()) -> None:
        old = list(old)
        box_init(self, secret, old=old)
        for value in (secret, *old):
            plain = value.get_secret_value() if isinstance(value, SecretStr) else value
            if plain != EMBEDDED_DEV_KEY:  # public: it is in the source
                register_secret(plain)

    settings_init = Settings.__init__

    @functools.wraps(settings_init)
    def settings(self: Settings, *args: Any, **kwargs: Any) -> None:
        settings_init(self, *args, **kwargs)
        with contextlib.suppress(Exception):  # an odd URL is the settings tests' business
            register_secret(make_url(self.database.url).password)
        for name in type(self).model_fields:
            section = getattr(self, name)
            for value in vars(section).values():
                if isinstance(value, SecretStr):
                    register_secret(value.get_secret_value())

    # every issued token, whichever path issues it: IssuedToken is made only there
    issued_init = IssuedToken.__init__

    @functools.wraps(issued_init)
    def issued(self: IssuedToken, *args: Any, **kwargs: Any) -> None:
        issued_init(self, *args, **kwargs)
        register_secret(self.token.split("_", 2)[-1], once=True)

    patch.setattr(SecretBox, "__init__", box)
    patch.setattr(Settings, "__init__", settings)
    patch.setattr(IssuedToken, "__init__", issued)


# -- where they are looked for -----------------------------------------------------------


class _Records(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return
        if record.exc_info and record.exc_info[1] is not None:
            text += " | " + " | ".join(_exception_texts(record.exc_info[1]))
        seen(text, f"log {record.name} {record.levelname}", output=False)


def _exception_texts(exc: BaseException) -> Iterator[str]:
    for _ in range(10):  # the chain: raise ... from ...
        yield f"{type(exc).__name__}: {exc}"
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            return
        exc = nxt


def _wrap_outputs(patch: pytest.MonkeyPatch) -> None:
    import httpx

    from core.errors import DeskError

    error_init = DeskError.__init__

    @functools.wraps(error_init)
    def error(self: DeskError, message: str, **data: Any) -> None:
        error_init(self, message, **data)
        text = message if not data else f"{message} {json.dumps(data, default=str)}"
        seen(text, f"{type(self).__name__} error", output=False)

    def body_of(response: httpx.Response) -> str | None:
        kind = response.headers.get("content-type", "")
        if not any(t in kind for t in TEXT_TYPES):
            return None
        with contextlib.suppress(httpx.ResponseNotRead):
            return response.text
        return None

    def where(response: httpx.Response) -> str:
        req = response.request
        return f"HTTP response {response.status_code} to {req.method} {req.url.path}"

    send_async = httpx.AsyncClient.send

    @functools.wraps(send_async)
    async def asend(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> httpx.Response:
        response = await send_async(self, request, **kw)
        if not kw.get("stream"):
            seen(body_of(response), where(response))
        return response

    send_sync = httpx.Client.send

    @functools.wraps(send_sync)
    def send(self: httpx.Client, request: httpx.Request, **kw: Any) -> httpx.Response:
        response = send_sync(self, request, **kw)
        if not kw.get("stream"):
            seen(body_of(response), where(response))
        return response

    patch.setattr(DeskError, "__init__", error)
    patch.setattr(httpx.AsyncClient, "send", asend)
    patch.setattr(httpx.Client, "send", send)


@pytest.fixture(scope="session", autouse=True)
def _secret_watch() -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    handler = _Records(level=logging.NOTSET)
    levels = {name: logging.getLogger(name).level for name in OUR_LOGGERS}
    try:
        _known()
        _wrap_sources(patch)
        _wrap_outputs(patch)
        logging.getLogger().addHandler(handler)
        for name in OUR_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        patch.undo()


@pytest.fixture(autouse=True)
def no_secret_leaks(_secret_watch: None) -> Iterator[None]:
    """Fails the test (at teardown) when a registered secret was seen anywhere."""
    REGISTRY.findings.clear()
    REGISTRY.shown.clear()
    yield
    findings, REGISTRY.findings = REGISTRY.findings, []
    if findings:
        pytest.fail("a secret leaked:\n" + "\n".join(findings[:10]), pytrace=False)
