"""One error hierarchy for the desk. Errors carry data; entry points render them.

I/O libraries (imap-tools, aiosmtplib, openai, SQLAlchemy drivers) are wrapped where they are
used and re-raised as one of these with ``raise ... from``.
"""

from __future__ import annotations

from typing import Any


class DeskError(Exception):
    """Base of every error the desk raises on purpose."""

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message


class ConfigError(DeskError):
    """Configuration is missing or wrong (bad env var, bad secret key, unknown mailbox)."""


class NotFound(DeskError):
    """A ticket, draft, mailbox or user does not exist."""


class PermissionDenied(DeskError):
    """The actor may not do this."""


class InvalidToken(DeskError):
    """An API token is missing, malformed, unknown, expired or revoked, or its owner is
    no longer an active desk user. The message never holds the token."""


class TooManyAttempts(DeskError):
    """Too many failed sign-ins from a client or for a token id: locked out for now.

    ``data["retry_after"]`` is the number of seconds until the lock-out ends."""


class InvalidTransition(DeskError):
    """A compare-and-set lost, or the object is in a state that forbids the action.

    ``data`` holds ``current`` (the state found) and, where known, ``by`` and ``at``.
    """


class ValidationError(DeskError):
    """Input from a person or a script is not acceptable (empty reason, bad filter)."""


class MailError(DeskError):
    """Base for mail transport errors."""


class MailAuthError(MailError):
    """The server refused the login."""


class MailConnectionError(MailError):
    """The server could not be reached or dropped the connection."""


class MailTemporaryError(MailError):
    """A 4xx SMTP answer or a transient network failure: retry later."""


class MailPermanentError(MailError):
    """A 5xx SMTP answer: do not retry."""


class DeliveryFailed(DeskError):
    """A notification could not be delivered (Slack refused or did not answer a DM).

    ``data`` may hold ``error`` (Slack's error code)."""


class ParseError(DeskError):
    """A message could not be parsed at all (it goes to quarantine)."""


class ThrottledError(DeskError):
    """Outgoing mail to a recipient or ticket is above its limit for now."""


class AIError(DeskError):
    """Base for triage provider failures."""


class AIUnavailable(AIError):
    """The provider could not be reached, timed out or kept answering 429/5xx."""


class AIAuthError(AIError):
    """The provider refused the API key."""


class AIBadResponse(AIError):
    """The provider answered with something that is not a valid triage result."""
