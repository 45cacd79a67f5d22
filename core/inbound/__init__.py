"""Mail in: fetch a mailbox, poll it when due (one worker at a time), and ingest what
arrives (parse, guard against loops and noise, thread, store in batches), with the mailboxes'
stored settings and the attachment files. May import the root of core, ``core.mail`` and
``db``; nothing here decides on drafts or talks to chat.

Logs under ``core.inbound`` (each module: ``logging.getLogger(__name__)``).
"""
