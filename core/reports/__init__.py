"""Figures for the people who run the desk: analytics of a period, charts of them, and the
headline counts of a dashboard. Reads only: nothing here writes to the database. May import
the root of core, ``core.access``, ``core.tickets`` and ``db``.

Logs under ``core.reports`` (each module: ``logging.getLogger(__name__)``).
"""
