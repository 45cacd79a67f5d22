"""ASGI entry for gunicorn/uvicorn workers: ``gunicorn server.asgi:app -k uvicorn.workers.UvicornWorker``."""

from __future__ import annotations

from core.config import Settings
from server.api import create_app
from server.wiring import build_desk

app = create_app(build_desk(Settings()))
