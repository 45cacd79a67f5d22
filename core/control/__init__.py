"""How the desk is run: the in-app settings store (secrets encrypted), the auto-fetch
scheduler's switch shared by every worker, and the mailbox form admins edit. May import the
root of core, ``core.access``, ``core.inbound``, ``core.mail`` and ``db``.

Logs under ``core.control`` (each module: ``logging.getLogger(__name__)``).
"""
