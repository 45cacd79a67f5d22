"""Response templates: stored reply texts with variables, and their rendering in Jinja2's
sandbox (``rendering`` touches no database, so the offline AI provider can use it). May
import the root of core and ``db``.

Logs under ``core.replies`` (each module: ``logging.getLogger(__name__)``).
"""
