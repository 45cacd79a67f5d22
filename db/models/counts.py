from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class StatusCount(Base):
    """A signed delta of a status count, written by the database's own triggers (0023), never
    by the app: kind ``ticket`` counts tickets by status, kind ``draft`` tickets by the status
    of their latest draft that is not superseded. A count is the sum of its key's rows;
    ``db.status_counts.compact`` folds them into one row per key."""

    __tablename__ = "status_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    mailbox_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))
    n: Mapped[int]
