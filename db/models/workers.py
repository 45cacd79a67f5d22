from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class WorkerStatus(Base):
    """A scheduler worker's heartbeat: one row per process (``host:pid``), written by the
    worker itself each control tick and after every job. ``desk scheduler status`` reads it;
    rows whose heartbeat is old belong to workers that stopped."""

    __tablename__ = "worker_status"

    worker_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="running")  # running|paused|stopped
    last_run_at: Mapped[datetime | None]
    next_run_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    last_summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
