"""What the desk learns from people's decisions beyond examples: prompt variants tried
against each other (A/B) and the calibration of each provider's confidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class PromptVariant(Base):
    """Extra prompt instructions tried on a ``share`` (percent) of one category's tickets
    (``category`` ``all``: of every category's). The shares of a category's active variants
    add up to at most 100; the rest of its tickets go to the category's control
    (``is_control``) when it has one, else get the default prompt. ``status``: active|paused; a
    variant paused by the desk says why (``paused_reason``). ``core.tickets.variants``."""

    __tablename__ = "prompt_variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    category: Mapped[str] = mapped_column(String(30))  # a category value, or "all"
    share: Mapped[int] = mapped_column(Integer)  # percent of the category's tickets
    instructions: Mapped[str] = mapped_column(Text, default="")
    is_control: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active|paused
    paused_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AiCalibration(Base):
    """One fit of a provider's raw confidence against "approved without a heavy edit"
    (isotonic regression on ``n`` reviewed drafts): ``points`` ``[[raw, calibrated], ...]``
    ascending, applied by linear interpolation; the expected calibration error of the raw
    values and of the calibrated ones on the same drafts. The newest row per provider is the
    one in use (``core.tickets.calibration``)."""

    __tablename__ = "ai_calibrations"
    __table_args__ = (Index("ix_ai_calibrations_provider", "provider", "fitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(50))
    fitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    n: Mapped[int] = mapped_column(Integer)
    points: Mapped[list[list[float]]] = mapped_column(JSON)
    ece_before: Mapped[float] = mapped_column(Float)
    ece_after: Mapped[float] = mapped_column(Float)
