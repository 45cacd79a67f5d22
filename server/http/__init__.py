"""The REST API (FastAPI), laid out as the FastAPI full-stack template's backend: ``app``
(``create_app``, the error handler), ``deps`` (the desk, sessions, the calling user from
its bearer token, the scope and role each route needs, pagination), ``auth`` (the bearer
scheme, request ids, the 401/403/429 answers), ``models`` (typed request and response
bodies: /openapi.json documents them) and ``routes/<resource>.py``. It may import core and
``server.wiring``/``server.slack``; core never imports it. Every ``/api/v1`` route needs
an API token."""
