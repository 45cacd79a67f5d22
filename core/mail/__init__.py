"""Mail as bytes and protocols: parsing RFC 5322 mail (``parsing`` is the entry point; its
pieces are ``headers``, ``charsets``, ``mime``, ``reports`` for bounces and ``html``),
quoted-history stripping, threading rules, the loop guard, composing replies, and the I/O
seams (IMAP on imap-tools, SMTP on aiosmtplib, the embedded Maildirs). Knows nothing of the
database: may import only the root of core.

Logs under ``core.mail`` (each module: ``logging.getLogger(__name__)``).
"""
