"""A loopback OpenAI-compatible HTTP server for tests and benchmarks.

Real HTTP on 127.0.0.1 (port 0), so the real ``AsyncOpenAI`` client is exercised end to end:

    with FakeOpenAI(api_key="test-key") as server:
        server.enqueue(Reply(status=429, body=error_body("slow down"), headers={"Retry-After": "0.2"}))
        client settings: base_url=server.base_url, api_key="test-key"

Chat completions are answered from the queue of scripted replies first, then by
``responder(request)`` (default: a valid triage answer after ``delay`` seconds). Every request
is recorded in ``server.requests``.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from typing import Any

from tests.support.leaks import register_secret


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON, str/bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    def message(self, role: str) -> str:
        for message in (self.body or {}).get("messages", []):
            if message.get("role") == role:
                content = message.get("content")
                return content if isinstance(content, str) else json.dumps(content)
        return ""

    @property
    def user_content(self) -> str:
        return self.message("user")

    @property
    def system_content(self) -> str:
        return self.message("system")


Responder = Callable[[RecordedRequest], Reply]


def triage_content(**overrides: Any) -> str:
    """A valid structured triage answer as the JSON string the model would emit."""
    answer: dict[str, Any] = {
        "category": "Technical",
        "urgency": "Medium",
        "summary": "The customer reports that the app crashes when opening reports.",
        "fix_steps": [
            "Ask for the app version and device.",
            "Reproduce the crash on the reports page.",
            "Check the crash logs for the stack trace.",
            "Send a workaround or an ETA for the fix.",
        ],
        "draft_reply": (
            "Hi,\n\nThank you for reporting this. Could you tell us which app version and device "
            "you use? Our technical team is looking into it.\n\nBest regards,\nThe Example team"
        ),
        "confidence": 0.91,
        "escalation_reason": None,
    }
    answer.update(overrides)
    return json.dumps(answer)


def completion_body(
    content: str | None,
    *,
    refusal: str | None = None,
    finish_reason: str = "stop",
    model: str = "gpt-5-loopback",
    prompt_tokens: int = 321,
    completion_tokens: int = 123,
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error_body(
    message: str, *, code: str | None = None, type_: str = "invalid_request_error"
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


class FakeOpenAI:
    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        delay: float = 0.0,
        responder: Responder | None = None,
        known_models: set[str] | None = None,
    ) -> None:
        self.api_key = api_key
        register_secret(api_key)  # tests.support.leaks: never in a log or a response
        self.delay = delay
        self.responder = responder
        self.known_models = known_models  # None = every model id exists
        self.requests: list[RecordedRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self, "POST")

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self._stop.clear()
        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- scripting ------------------------------------------------------------------------

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # --- handling -------------------------------------------------------------------------

    def _reply_for(self, request: RecordedRequest) -> Reply:
        if (
            self.api_key is not None
            and request.headers.get("authorization") != f"Bearer {self.api_key}"
        ):
            return Reply(
                status=401,
                body=error_body("Incorrect API key provided: sk-***.", code="invalid_api_key"),
            )
        path = request.path.split("?", 1)[0]
        if request.method == "GET" and path.startswith("/v1/models/"):
            model = path.rsplit("/", 1)[1]
            if self.known_models is not None and model not in self.known_models:
                return Reply(
                    status=404,
                    body=error_body(f"The model `{model}` does not exist", code="model_not_found"),
                )
            return Reply(
                body={"id": model, "object": "model", "created": 0, "owned_by": "loopback"}
            )
        if request.method == "GET" and path == "/v1/models":
            ids = sorted(self.known_models or {"gpt-5"})
            return Reply(
                body={
                    "object": "list",
                    "data": [
                        {"id": i, "object": "model", "created": 0, "owned_by": "loopback"}
                        for i in ids
                    ],
                }
            )
        if request.method == "POST" and path == "/v1/chat/completions":
            with self._lock:
                scripted = self._script.popleft() if self._script else None
            if scripted is not None:
                return scripted
            if self.responder is not None:
                return self.responder(request)
            return Reply(body=completion_body(triage_content()), delay=self.delay)
        return Reply(status=404, body=error_body(f"no route for {request.method} {path}"))

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = RecordedRequest(
            method=method,
            path=handler.path,
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
        reply = self._reply_for(request)
        if reply.delay and self._stop.wait(reply.delay):
            return  # shutting down
        if isinstance(reply.body, bytes):
            payload = reply.body
        elif isinstance(reply.body, str):
            payload = reply.body.encode("utf-8")
        else:
            payload = json.dumps(reply.body if reply.body is not None else {}).encode("utf-8")
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


def _serve(api_key: str | None, delay: float, conn: Connection) -> None:
    """Child process body: serve until the parent says stop (or goes away)."""
    with FakeOpenAI(api_key=api_key, delay=delay) as server:
        conn.send(server.base_url)
        with suppress(EOFError):
            conn.recv()


@contextmanager
def serve_in_subprocess(*, api_key: str | None = "test-key", delay: float = 0.0) -> Iterator[str]:
    """A FakeOpenAI with the default responder in its own process; yields its base URL.

    For benchmarks: the server's request handling then does not compete with the client
    for the GIL.
    """
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(api_key, delay, child), daemon=True
    )
    process.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("the loopback OpenAI server did not start")
        yield str(parent.recv())
    finally:
        parent.send("stop")
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
