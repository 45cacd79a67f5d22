"""A loopback fake of the Slack Web API, for tests and benchmarks. No test reaches Slack.

``FakeSlack`` is an aiohttp server on 127.0.0.1, port 0 (the OS picks), serving
``/api/<method>`` the way Slack does (``{"ok": true, ...}``), plus response URLs
(``/respond/<key>``) and file upload URLs. It

- records every call with its parsed body, headers and arrival time (``calls``);
- answers with plausible data: message timestamps, view ids, permalinks, users from
  ``add_user``; unknown methods get ``{"ok": true}``;
- checks every Block Kit payload against Slack's limits and answers ``invalid_blocks``
  like Slack (``invalid`` lists them; the fixture fails the test when any arrived);
- answers ``users.getPresence`` from ``presence`` (user id -> ``active``/``away``; a user
  not in it is ``user_not_found``);
- plays scenarios: ``script(method, Reply(status=429, headers={"Retry-After": "1"}))``
  answers the next calls of ``method`` from the script; ``delay(method, seconds)`` holds
  every answer (timeouts, slow Slack).

Fixture ``fake_slack`` starts one per test.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from tests.support.blockkit import problems, view_problems
from tests.support.leaks import seen

TEAM_ID = "T0FAKE001"
BOT_USER = "UBOTFAKE1"


@dataclass
class Reply:
    """A scripted answer: HTTP status, headers, JSON body, and how long to hold it."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def rate_limited(retry_after: int = 1) -> Reply:
    return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived
    status: int = 200
    reply: dict[str, Any] = field(default_factory=dict)
    done_at: float = 0.0

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks is None and isinstance(self.body.get("view"), dict):
            blocks = self.body["view"].get("blocks")
        return blocks or []

    @property
    def view(self) -> dict[str, Any]:
        view = self.body.get("view") or {}
        return json.loads(view) if isinstance(view, str) else view

    def text_of_blocks(self) -> str:
        """Every text in the blocks, joined: what a reader sees."""
        return "\n".join(block_texts(self.blocks))


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b.get("text"), dict):
            out.append(b["text"]["text"])
        for f in b.get("fields") or []:
            out.append(f["text"])
        for e in b.get("elements") or []:
            if isinstance(e.get("text"), dict):
                out.append(e["text"]["text"])
            elif isinstance(e.get("text"), str):
                out.append(e["text"])
    return out


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.invalid: list[tuple[str, list[str]]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.presence: dict[str, str] = {}  # users.getPresence: user id -> active | away
        self.views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, int] = {}
        # channel -> messages posted there (ts, text, thread_ts, metadata), oldest first
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.team_id = TEAM_ID
        self._scripts: dict[str, list[Reply]] = {}
        self._delays: dict[str, float] = {}
        self._held: asyncio.Event | None = None
        self.released_at = 0.0  # time.monotonic() of release(), after a hold()
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.sockets: list[web.WebSocketResponse] = []

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_users", self._add_user)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"{self.base}/respond/{key or next(self._seq)}"

    # -- scenarios ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        email: str | None,
        name: str,
        *,
        team_id: str | None = None,
        admin: bool = False,
    ) -> None:
        profile: dict[str, Any] = {"real_name": name}
        if email:
            profile["email"] = email
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "is_admin": admin,
            "is_owner": False,
            "profile": profile,
        }

    def script(self, method: str, *replies: Reply) -> None:
        self._scripts.setdefault(method, []).extend(replies)

    def delay(self, method: str, seconds: float) -> None:
        """Hold every answer to ``method`` ("*": every method) for ``seconds``."""
        self._delays[method] = seconds

    def hold(self) -> None:
        """Answer no call (Web API or response_url) until ``release()``: a request handler
        that waited for Slack before acknowledging could then not acknowledge at all."""
        self._held = asyncio.Event()

    def release(self) -> None:
        assert self._held is not None, "release() without hold()"
        self.released_at = time.monotonic()
        self._held.set()

    async def _while_held(self) -> None:
        if self._held is not None:
            await self._held.wait()

    def calls_to(self, method: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (where is None or where(c))]

    async def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls to ``method`` (matching ``where``) were answered."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_to(method, where) if c.done_at]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"{len(found)}/{count} calls to {method} after {timeout}s; calls: {seen}"
                )
            await asyncio.sleep(0.01)

    async def wait_for_any(self, *, since: float, timeout: float = 10.0) -> list[Call]:
        """The calls made since ``since`` (answered or held), once there is at least one or
        ``timeout`` passed: a handler's task may still be on its way to Slack when its
        acknowledgement has come back."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls if c.at >= since]
            if found or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.01)

    # -- handlers ------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if ctype == "application/json":
            raw = await request.read()
            if raw:
                body.update(json.loads(raw))
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                body[key] = (
                    value if isinstance(value, str) else f"<file {getattr(value, 'filename', '')}>"
                )
        return body

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, await self._body(request), dict(request.headers), time.monotonic())
        self.calls.append(call)
        seen(json.dumps(call.body, ensure_ascii=False), f"Slack {method}")  # never a secret
        await self._while_held()
        delay = self._delays.get(method, self._delays.get("*", 0.0))
        script = self._scripts.get(method)
        scripted = script.pop(0) if script else None
        if scripted is not None:
            delay = max(delay, scripted.delay)
        if delay:
            await asyncio.sleep(delay)
        if scripted is not None and (scripted.body is not None or scripted.status != 200):
            reply = scripted.body or {"ok": False, "error": "scripted"}
            call.status, call.reply, call.done_at = scripted.status, reply, time.monotonic()
            return web.json_response(reply, status=scripted.status, headers=scripted.headers)
        if (
            not request.headers.get("Authorization", "").startswith("Bearer ")
            and method != "apps.connections.open"
        ):
            reply = {"ok": False, "error": "not_authed"}
        else:
            reply = self._answer(method, call.body)
        call.reply, call.done_at = reply, time.monotonic()
        return web.json_response(reply)

    def _check(self, method: str, body: dict[str, Any]) -> list[str]:
        found: list[str] = []
        if "blocks" in body:
            blocks = body["blocks"]
            found += problems(json.loads(blocks) if isinstance(blocks, str) else blocks, "message")
        if "view" in body:
            view = body["view"]
            found += view_problems(json.loads(view) if isinstance(view, str) else view)
        if found:
            self.invalid.append((method, found))
        return found

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if bad := self._check(method, body):
            return {"ok": False, "error": "invalid_blocks", "errors": bad}
        n = next(self._seq)
        ts = f"{int(time.time())}.{n:06d}"  # like Slack's: epoch seconds, unique, rising
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake-desk.slack.com/",
                "team": "Fake Desk",
                "user": "desk",
                "team_id": self.team_id,
                "user_id": BOT_USER,
                "bot_id": "BFAKE0001",
            }
        if method == "chat.postMessage":
            if not body.get("text") and not body.get("blocks"):
                return {"ok": False, "error": "no_text"}
            channel = str(body.get("channel", ""))
            if channel.startswith("U"):
                channel = "D" + channel[1:]
            metadata = body.get("metadata")
            self.messages.setdefault(channel, []).append(
                {
                    "type": "message",
                    "ts": ts,
                    "text": body.get("text", ""),
                    "thread_ts": body.get("thread_ts"),
                    "metadata": json.loads(metadata) if isinstance(metadata, str) else metadata,
                }
            )
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"ts": ts, "text": body.get("text", "")},
            }
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, body)
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.getPermalink":
            stamp = str(body.get("message_ts", "")).replace(".", "")
            return {
                "ok": True,
                "permalink": f"https://fake-desk.slack.com/archives/{body.get('channel')}/p{stamp}",
            }
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else dict(view or {})
            view_id = str(body.get("view_id") or f"V{n:08d}")
            view |= {"id": view_id, "hash": f"h{n}"}
            self.views[view_id] = view
            return {"ok": True, "view": view}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "users.info":
            user = self.users.get(str(body.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.getPresence":
            state = self.presence.get(str(body.get("user")))
            if state is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "presence": state, "online": state == "active"}
        if method == "conversations.open":
            users = str(body.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{n:08d}"
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = body.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": True}

    def _history(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        """Newest first, from ``oldest`` on, paged by ``limit`` and ``cursor``; metadata only
        with ``include_all_metadata``, as Slack does. History lists top-level messages,
        replies the thread ``ts`` (its parent first)."""
        channel = str(body.get("channel", ""))
        if channel not in self.messages and not channel.startswith(("C", "G", "D")):
            return {"ok": False, "error": "channel_not_found"}
        posted = self.messages.get(channel, [])
        if method == "conversations.history":
            found = [m for m in posted if not m.get("thread_ts")][::-1]
        else:
            parent = str(body.get("ts", ""))
            found = [m for m in posted if m["ts"] == parent or m.get("thread_ts") == parent]
        oldest = float(body.get("oldest") or 0)
        found = [m for m in found if float(m["ts"]) >= oldest]
        start, limit = int(body.get("cursor") or 0), int(body.get("limit") or 100)
        page = found[start : start + limit]
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("true", "1")
        out = [
            {k: v for k, v in m.items() if v is not None and (with_metadata or k != "metadata")}
            for m in page
        ]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": out,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _respond(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        call = Call("response_url", body, dict(request.headers), time.monotonic())
        self.calls.append(call)
        seen(json.dumps(body, ensure_ascii=False), "Slack response_url")
        await self._while_held()
        delay = self._delays.get("response_url", self._delays.get("*", 0.0))
        if delay:
            await asyncio.sleep(delay)
        bad = self._check("response_url", body)
        call.status = 400 if bad else 200
        call.done_at = time.monotonic()
        return web.Response(status=call.status, text="invalid_blocks" if bad else "ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: hello first; envelopes go out with ``socket_send``; every message the
        app sends back (acks with ``envelope_id``) is recorded as a ``socket_ack`` call."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async for msg in ws:
            if msg.type == web.WSMsgType.TEXT:
                body = json.loads(msg.data)
                now = time.monotonic()
                self.calls.append(Call("socket_ack", body, {}, now, done_at=now))
        self.sockets.remove(ws)
        return ws

    async def socket_send(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver a Socket Mode envelope (``slash_commands``, ``interactive``,
        ``events_api``) to the connected app; returns its envelope id."""
        envelope_id = f"env-{next(self._seq)}"
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
            }
        )
        return envelope_id

    async def _stats(self, request: web.Request) -> web.Response:
        """For a fake in another process (benchmarks): how many calls of each kind."""
        counts: dict[str, int] = {}
        for c in self.calls:
            counts[c.method] = counts.get(c.method, 0) + 1
        return web.json_response(
            {"calls": len(self.calls), "by_method": counts, "invalid": len(self.invalid)}
        )

    async def _add_user(self, request: web.Request) -> web.Response:
        data = await request.json()
        self.add_user(data["id"], data.get("email"), data["name"], admin=bool(data.get("admin")))
        return web.json_response({"ok": True})

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        file_id = request.match_info["file_id"]
        self.files[file_id] = len(data)
        self.calls.append(
            Call(
                "upload",
                {"file_id": file_id, "size": len(data)},
                {},
                time.monotonic(),
                done_at=time.monotonic(),
            )
        )
        return web.Response(text=f"OK - {len(data)}")


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert not fake.invalid, f"the app sent Block Kit that Slack refuses: {fake.invalid}"


async def _serve() -> None:
    fake = await FakeSlack().start()
    print(fake.port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":  # a fake in its own process: prints its port, runs until killed
    asyncio.run(_serve())
