"""Bytes to text: declared charsets decoded with fallbacks for the ones mail clients get wrong.

gb2312 is read as gb18030, ks_c_5601-1987 as cp949, Latin-1 as Windows-1252 (as browsers do);
labels that say "unknown" are guessed (UTF-8, then Windows-1252); text that is not valid in
its declared charset falls back to UTF-8, Windows-1252 and at last Latin-1, with a defect
noted each time. Never raises.
"""

from __future__ import annotations

import codecs
import re

# Charsets mail clients declare that Python does not know, or knows as a narrower set.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ks_c_5601-1989": "cp949",
    "ksc5601": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-8859-1": "cp1252",  # as browsers do: the C1 range is Windows punctuation
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "unicode-1-1-utf-7": "utf-7",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "windows-874": "cp874",
    "utf8": "utf-8",
}
# Labels that say "unknown": guess instead (UTF-8, then Windows-1252)
_UNKNOWN_CHARSETS = frozenset(
    {"unknown-8bit", "x-unknown", "unknown", "invalid", "x-user-defined", "default", "8bit"}
    | {"charset", "none", "binary", "7bit", "x-binaryenc", "_autodetect_all", "auto"}
)
_WESTERN = frozenset({"ascii", "cp1252"})
_NOT_MAIL_CODECS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "mbcs", "oem"}
)
_CHARSET_PARAM = re.compile(r"""charset\s{0,5}=\s{0,5}["']?([^"';\s]{1,60})""", re.I)
_META_CHARSET = re.compile(rb"""charset\s{0,5}=\s{0,5}["']?([A-Za-z0-9_.:-]{1,40})""", re.I)


def decode_bytes(data: bytes, charset: str | None, *, defects: list[str]) -> str:
    """Bytes to text with the declared charset, falling back to UTF-8, Windows-1252, Latin-1."""
    if not data:
        return ""
    declared = _normalise_charset(charset)
    if data.isascii() and not _ascii_unsafe(declared):
        return data.decode("ascii")
    if charset and declared and _codec(declared) is None:
        defects.append(f"unknown charset {_printable(charset)!r}")
        declared = None
    if declared in _WESTERN and _is_utf8(data):
        defects.append(f"charset {_printable(charset)} declared, content is UTF-8")
        return data.decode("utf-8")
    for name in (declared, "utf-8", "cp1252"):
        if name is None:
            continue
        try:
            text = data.decode(name)
        except (ValueError, LookupError):  # UnicodeDecodeError, and odd codecs' errors
            continue
        if declared and name != declared:
            defects.append(f"text not valid {_printable(charset)}, decoded as {name}")
        return _without_surrogates(text)
    if declared:
        defects.append(f"text not valid {_printable(charset)}, decoded as latin-1")
    return data.decode("latin-1")


def _without_surrogates(text: str) -> str:
    """UTF-7 (and friends) can decode to lone surrogates, which no database will store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _normalise_charset(charset: str | None) -> str | None:
    """A Python codec name for a declared charset, or None (unknown: guess)."""
    if not charset:
        return None
    name = str(charset).strip().strip("\"'").lower()
    if not name or name in _UNKNOWN_CHARSETS:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    if _codec(name) is None and name.startswith("x-"):
        return _CHARSET_ALIASES.get(name[2:], name[2:])
    return name


def _codec(name: str) -> str | None:
    """The codec's canonical name if ``name`` is a text encoding fit for mail, else None."""
    if not name.isascii() or not name.isprintable() or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_MAIL_CODECS:
        return None
    return info.name


def _printable(value: str | None) -> str:
    return "".join(ch for ch in str(value)[:40] if ch.isprintable() and ch.isascii())


def _ascii_unsafe(charset: str | None) -> bool:
    """Charsets whose ASCII-looking bytes are not ASCII text (UTF-7, ISO-2022, UTF-16)."""
    return charset is not None and any(
        tag in charset for tag in ("2022", "utf-7", "utf7", "16", "32", "hz")
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def charset_param(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value without RFC 2231 parts, lower-case."""
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1).lower() if match else None


def meta_charset(html: bytes) -> str | None:
    """The charset an HTML body declares in its first 4 KB (``<meta charset=...>``)."""
    match = _META_CHARSET.search(html[:4096])
    return match.group(1).decode("ascii") if match else None


def clean_text(text: str) -> str:
    """Decoded text with ``\n`` line ends and no NULs."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text
