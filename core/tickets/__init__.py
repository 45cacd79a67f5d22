"""The ticket lifecycle: reading and searching tickets, drafts and the decisions people take
on them (approve, edit, reject, retry, assign, recategorise), triage of queued messages into
drafts, bulk runs of those decisions, and learning from them (each draft's outcome, and the
similar past replies triage gives the providers). May import the root of core, ``core.access``,
``core.ai``, ``core.mail``, ``core.outbound`` and ``db``; never a chat or web library.

Logs under ``core.tickets`` (each module: ``logging.getLogger(__name__)``).
"""
