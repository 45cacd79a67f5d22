"""Keep API tokens out of the logs: a logging filter that blanks their secret part.

A new token is shown once, in the Slack modal that created it. Slack's SDK and Bolt log
what they send and answer at DEBUG level (a ``views.update`` body, an ack's view), so the
loggers of the app's Bolt instance and Web API client carry this filter: a record that
holds ``desk_<public id>_<secret>`` is logged as ``desk_<public id>_[redacted]``.
"""

from __future__ import annotations

import logging
import re

from core.access.tokens import PREFIX

# the secret is 43 characters of URL-safe base64; match any run, to be safe
_TOKEN = re.compile(rf"({PREFIX}_[A-Za-z0-9]{{16}}_)[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    return _TOKEN.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites a record whose message holds a token; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging
            return True
        if PREFIX + "_" in message:
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
        return True


def protected(logger: logging.Logger) -> logging.Logger:
    """``logger`` with the filter (added once)."""
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
    return logger
