from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class ReportSnapshot(Base):
    """A report computed ahead (``core.workflow.reports_ahead``): the all-time ``/desk stats`` of
    one scope and trend unit, as its JSON shape, and when it was computed. The worker
    refreshes every stored key; a read older than the maximum age computes it again."""

    __tablename__ = "report_snapshots"

    key: Mapped[str] = mapped_column(String(1000), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    took_ms: Mapped[int] = mapped_column(default=0)
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
