"""ASGI entry for gunicorn/uvicorn workers: ``gunicorn server.asgi:app -k uvicorn.workers.UvicornWorker``.

The process's one ``Settings`` is read here, once."""

from __future__ import annotations

from core.config import Settings
from server.http.app import create_app
from server.wiring import build_desk

app = create_app(build_desk(Settings()))
