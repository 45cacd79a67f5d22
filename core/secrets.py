"""Fernet encryption of secrets stored in the database (mailbox passwords, API keys), with
a key list for rotation.

The box holds the newest key (``DESK_SECRET_KEY``) and any old ones
(``DESK_SECRET_KEY_OLD``, comma separated), newest first. It encrypts with the newest key
only and decrypts with any of them (``cryptography``'s ``MultiFernet``); ``rotate`` says
whether a stored token still needs the newest key. HMAC keys (the signed Message-ID tokens,
the API token hashes) come one per configured key, newest first: sign with the first,
verify with each, so what an old key signed keeps verifying while that key is configured.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from core.errors import ConfigError

# Used only when DESK_SECRET_KEY is unset, so the embedded default runs with no setup.
# Production must set its own key; `desk` warns when this one is in use.
EMBEDDED_DEV_KEY = "embedded-default-key-set-DESK_SECRET_KEY-in-production"


class UnknownKey(ConfigError):
    """A stored secret opens with none of the configured keys."""


def _fernet_key(secret: str) -> bytes:
    """Accept a real Fernet key, or derive one from any passphrase."""
    raw = secret.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


def _plain(secret: SecretStr | str | None) -> str:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return value or ""


class SecretBox:
    """Encrypts and decrypts short secrets; also the HMAC key source for signed ids.

    ``SecretBox(new)`` or ``SecretBox(new, old=[older, oldest])``. Without a new key the
    embedded development key is the only one (``is_default``), and old keys are refused:
    rotating to the public key would be no rotation at all."""

    def __init__(
        self, secret: SecretStr | str | None, *, old: Iterable[SecretStr | str] = ()
    ) -> None:
        value = _plain(secret)
        olds = [k for k in (_plain(o).strip() for o in old) if k]
        if not value and olds:
            raise ConfigError(
                "DESK_SECRET_KEY_OLD is set but DESK_SECRET_KEY is not: set the new key "
                "too (the old keys only open what they sealed)"
            )
        self.is_default = not value
        newest = value or EMBEDDED_DEV_KEY
        self._secrets = list(dict.fromkeys([newest, *olds]))  # newest first, no repeats
        self._fernets = [Fernet(_fernet_key(s)) for s in self._secrets]
        self._multi = MultiFernet(self._fernets)

    @property
    def key_count(self) -> int:
        return len(self._secrets)

    def encrypt(self, plain: str) -> str:
        return self._multi.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise UnknownKey(
                "a stored secret cannot be decrypted: it was saved with a key that is not "
                "configured; add that key to DESK_SECRET_KEY_OLD (or save the secret again)"
            ) from exc

    def rotate(self, token: str) -> str | None:
        """``token`` sealed again with the newest key, or None when it already is.
        UnknownKey (nothing changed) when no configured key opens it."""
        try:
            self._fernets[0].decrypt(token.encode())
            return None
        except InvalidToken:
            pass
        for fernet in self._fernets[1:]:
            try:
                plain = fernet.decrypt(token.encode())
            except InvalidToken:
                continue
            return self._fernets[0].encrypt(plain).decode()
        raise UnknownKey("a stored secret opens with no configured key")

    @staticmethod
    def opens_with_dev_key(token: str) -> bool:
        """True when the embedded development key opens ``token`` (a desk that ran on it
        before a key was set): the hint for an operator whose secrets no key opens."""
        try:
            Fernet(_fernet_key(EMBEDDED_DEV_KEY)).decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def hmac_key(self, purpose: str) -> bytes:
        """The newest key's HMAC key for ``purpose``: sign with this."""
        return self.hmac_keys(purpose)[0]

    def hmac_keys(self, purpose: str) -> tuple[bytes, ...]:
        """Every configured key's HMAC key for ``purpose``, newest first: verify with each.
        The embedded development key among the old keys (a desk moving off it) is left out:
        it is public, so what it signed proves nothing; it only opens stored secrets."""
        verifying = [self._secrets[0]] + [s for s in self._secrets[1:] if s != EMBEDDED_DEV_KEY]
        return tuple(hashlib.sha256(f"{purpose}:{s}".encode()).digest() for s in verifying)
