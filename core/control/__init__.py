"""How the desk is run: the in-app settings store (secrets encrypted), the auto-fetch
scheduler's switch shared by every worker, the mailbox form admins edit, and what the
escalation rules are configured with (refund limit, VIP senders). May import the root of
core, ``core.access``, ``core.ai``, ``core.inbound``, ``core.mail`` and ``db``.

Logs under ``core.control`` (each module: ``logging.getLogger(__name__)``).
"""
