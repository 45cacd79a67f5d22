"""ASGI entry for gunicorn/uvicorn workers: ``gunicorn server.asgi:app -k uvicorn.workers.UvicornWorker``.

The process's one ``Settings`` is read here, once. The key check runs before the web app
is even imported, and a refusal is one line on stderr and exit code 3, which gunicorn
takes as "the worker failed to boot": it stops instead of starting the worker again.
"""

from __future__ import annotations

import sys

from core.config import Settings
from core.errors import ConfigError
from core.keyguard import refuse_dev_key

BOOT_ERROR = 3  # gunicorn's WORKER_BOOT_ERROR

settings = Settings()
# gunicorn's --bind is not visible here and the Procfile binds every address: treat the
# process as public, so the embedded development key is always refused.
try:
    refuse_dev_key(settings, host="0.0.0.0")
except ConfigError as exc:
    print(f"desk: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(BOOT_ERROR) from None

from server.http.app import create_app  # noqa: E402  (after the check: it loads FastAPI)
from server.wiring import build_desk  # noqa: E402

app = create_app(build_desk(settings))
