"""The one rule on the embedded development key: it is public (it is in the source), so a
process may use it only when the whole desk is embedded (SQLite, Maildir mail, loopback)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from core.config import Settings
from core.errors import ConfigError

MAKE_KEY = (
    'set DESK_SECRET_KEY (make one: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())")'
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dev_key_problem(
    settings: Settings, *, host: str | None, mailbox_kinds: Iterable[str] = ()
) -> str | None:
    """Why this process may not start with the embedded key, or None when it may.

    ``host`` is the address the process listens on (None: it does not listen)."""
    key = settings.data.secret_key
    if key is not None and key.get_secret_value():
        return None
    if host is not None and not is_loopback(host):
        return f"refusing to listen on {host} with the public development key: {MAKE_KEY}"
    if not settings.database.url.startswith("sqlite"):
        return f"refusing to use the public development key with a server database: {MAKE_KEY}"
    if any(kind != "maildir" for kind in mailbox_kinds):
        return f"refusing to use the public development key with an IMAP mailbox: {MAKE_KEY}"
    return None


def refuse_dev_key(
    settings: Settings, *, host: str | None, mailbox_kinds: Iterable[str] = ()
) -> None:
    problem = dev_key_problem(settings, host=host, mailbox_kinds=mailbox_kinds)
    if problem:
        raise ConfigError(problem)
