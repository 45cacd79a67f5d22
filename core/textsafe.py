"""Make decoded mail text safe to store on every database (no NULs, no lone surrogates,
no value longer than its column)."""

from __future__ import annotations


def clean(value: str, limit: int | None = None) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    if limit is not None and len(value) > limit:
        value = value[:limit]
    return value


def clean_list(values: list[str], limit: int | None = None) -> list[str]:
    return [clean(v, limit) for v in values]
