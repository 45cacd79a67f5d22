"""The embedded development key is refused unless the whole desk is embedded."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.errors import ConfigError
from core.keyguard import dev_key_problem, refuse_dev_key


def settings(**values: str) -> Settings:
    values.setdefault("DATABASE_URL", "sqlite:///desk.db")
    return Settings(_env_file=None, DESK_SECRET_KEY="", **values)


def test_embedded_setup_may_use_the_dev_key() -> None:
    assert dev_key_problem(settings(), host="127.0.0.1", mailbox_kinds=["maildir"]) is None
    assert dev_key_problem(settings(), host="localhost") is None
    assert dev_key_problem(settings(), host=None) is None


@pytest.mark.parametrize(
    ("values", "host", "kinds", "words"),
    [
        ({}, "0.0.0.0", [], "listen on 0.0.0.0"),
        ({"DATABASE_URL": "postgresql://x@db/desk"}, "127.0.0.1", [], "server database"),
        ({}, None, ["maildir", "imap"], "IMAP mailbox"),
    ],
)
def test_non_embedded_setup_refuses_the_dev_key(
    values: dict[str, str], host: str | None, kinds: list[str], words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        refuse_dev_key(settings(**values), host=host, mailbox_kinds=kinds)
    message = str(caught.value)
    assert words in message and "Fernet.generate_key()" in message and "\n" not in message


def test_a_real_key_is_always_allowed() -> None:
    s = Settings(_env_file=None, DESK_SECRET_KEY="k" * 40, DATABASE_URL="postgresql://x@db/desk")
    assert dev_key_problem(s, host="0.0.0.0", mailbox_kinds=["imap"]) is None
