"""Who may do what: desk users and their roles, Slack members as desk users, the workspace
a mailbox belongs to, and the permission rules, written once for every surface. May import
the root of core and ``db``.

Logs under ``core.access`` (each module: ``logging.getLogger(__name__)``).
"""
