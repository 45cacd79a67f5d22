"""What the engine tells people: notifications of new tickets, notices to one person
(``notices``, ``alerts``: the notification service; ``preferences``; the
``notification_sweep``); SLA clocks and their alerts; automatic assignment, agents'
profiles and their availability from Slack presence (``presence``, through a reader
port); the all-time reports computed ahead and kept (``reports_ahead``, over the figures
of ``core.reports``). May import the packages of core below it (``reports`` among them)
and ``db``; it hands messages to a notifier port and never imports a chat library.

Logs under ``core.workflow`` (each module: ``logging.getLogger(__name__)``).
"""
