"""The return policy: which orders may be returned, until when, and why not.

The one place that knows the return window; the CRM's return workflow and the bot's
answers (through /bot/returns/eligibility) both ask it, so they can never disagree.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.orders.models import Order, OrderStatus
from crm_backend.returns.models import Return, ReturnStatus

RETURN_WINDOW_DAYS = 30


class ReturnVerdict(StrEnum):
    """Why an order can or cannot be returned (stable codes the bot phrases)."""

    ELIGIBLE = "eligible"
    NOT_DELIVERED = "not_delivered"
    WINDOW_CLOSED = "window_closed"
    ALREADY_REQUESTED = "already_requested"


@dataclass(frozen=True)
class ReturnEligibility:
    verdict: ReturnVerdict
    window_days: int
    deadline: datetime | None  # end of the window; None until the order is delivered

    @property
    def eligible(self) -> bool:
        return self.verdict is ReturnVerdict.ELIGIBLE


def assess(order: Order, *, now: datetime, already_requested: bool = False) -> ReturnEligibility:
    """The verdict for `order` at `now`, from its status and delivery date alone."""
    delivered_at = order.shipment.delivered_at if order.shipment else None
    if order.status != OrderStatus.DELIVERED or delivered_at is None:
        return ReturnEligibility(ReturnVerdict.NOT_DELIVERED, RETURN_WINDOW_DAYS, None)
    deadline = _aware(delivered_at) + timedelta(days=RETURN_WINDOW_DAYS)
    if now > deadline:
        verdict = ReturnVerdict.WINDOW_CLOSED
    elif already_requested:
        verdict = ReturnVerdict.ALREADY_REQUESTED
    else:
        verdict = ReturnVerdict.ELIGIBLE
    return ReturnEligibility(verdict, RETURN_WINDOW_DAYS, deadline)


def return_eligibility(*, db_session: Session, order: Order, now: datetime | None = None) -> ReturnEligibility:
    """The verdict for `order`, counting a return already open for it (a rejected one does not count)."""
    open_return = select(Return.id).where(Return.order_id == order.id, Return.status != ReturnStatus.REJECTED)
    already = db_session.scalars(open_return).first() is not None
    return assess(order, now=now or datetime.now(UTC), already_requested=already)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; all of ours are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
