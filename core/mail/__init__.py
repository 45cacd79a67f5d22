"""Mail as bytes and protocols: parsing RFC 5322 mail (headers, charsets, MIME, bounces, HTML),
quoted-history stripping, threading rules, the loop guard, composing replies, and the I/O
seams (IMAP on imap-tools, SMTP on aiosmtplib, the embedded Maildirs). Knows nothing of the
database: may import only the root of core.

Logs under ``core.mail`` (each module: ``logging.getLogger(__name__)``).
"""
