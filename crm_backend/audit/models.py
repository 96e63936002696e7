"""Who read or changed which customer's data, and when."""

from datetime import datetime

from sqlalchemy import JSON, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from crm_backend.core.db import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now(), index=True)
    actor_type: Mapped[str] = mapped_column(String(20))  # agent | bot | system
    actor_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))  # read | create | update | delete | export | erase
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    # Not a foreign key: the trail outlives the customer's erasure.
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict | None] = mapped_column(JSON)
