"""ASGI entry for gunicorn/uvicorn workers: ``gunicorn server.asgi:app -k uvicorn.workers.UvicornWorker``.

The process's one ``Settings`` is read here, once."""

from __future__ import annotations

from core.config import Settings
from core.keyguard import refuse_dev_key
from server.http.app import create_app
from server.wiring import build_desk

settings = Settings()
# gunicorn's --bind is not visible here and the Procfile binds every address: treat the
# process as public, so the embedded development key is always refused.
refuse_dev_key(settings, host="0.0.0.0")
app = create_app(build_desk(settings))
