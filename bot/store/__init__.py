"""The Slack app's own bookkeeping in the database: which Slack message shows which draft
(and which state of it), and which Slack deliveries were already handled. The engine never
reads these tables.

Logs under ``bot.store`` (each module: ``logging.getLogger(__name__)``).
"""
