"""The REST API (FastAPI), laid out as the FastAPI full-stack template's backend: ``app``
(``create_app``, the error handler), ``deps`` (the desk, sessions, the acting user,
pagination), ``models`` (typed response bodies: /openapi.json documents them) and
``routes/<resource>.py``. It may import core and ``server.wiring``/``server.slack``; core
never imports it. Until the API has its own tokens it listens on 127.0.0.1 by default."""
