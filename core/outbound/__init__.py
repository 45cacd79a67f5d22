"""Mail out: the only path that hands an approved reply to a mailer, and the addresses a
permanent bounce marked undeliverable. May import the root of core, ``core.mail`` and ``db``.

Logs under ``core.outbound`` (each module: ``logging.getLogger(__name__)``).
"""
