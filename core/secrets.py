"""Fernet encryption of secrets stored in the database (mailbox passwords, API keys)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from core.errors import ConfigError

# Used only when DESK_SECRET_KEY is unset, so the embedded default runs with no setup.
# Production must set its own key; `desk` warns when this one is in use.
EMBEDDED_DEV_KEY = "embedded-default-key-set-DESK_SECRET_KEY-in-production"


def _fernet_key(secret: str) -> bytes:
    """Accept a real Fernet key, or derive one from any passphrase."""
    raw = secret.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


class SecretBox:
    """Encrypts and decrypts short secrets; also the HMAC key source for signed ids."""

    def __init__(self, secret: SecretStr | str | None) -> None:
        value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        self.is_default = not value
        self._secret = value or EMBEDDED_DEV_KEY
        self._fernet = Fernet(_fernet_key(self._secret))

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ConfigError(
                "a stored secret cannot be decrypted: DESK_SECRET_KEY differs from the key "
                "it was saved with; set the original key or save the secret again"
            ) from exc

    def hmac_key(self, purpose: str) -> bytes:
        return hashlib.sha256(f"{purpose}:{self._secret}".encode()).digest()
