"""/bot/offers: what the CRM offers the verified customer, and why."""

from fastapi import APIRouter

from crm_backend.bot_api.deps import VerifiedCustomer
from crm_backend.bot_api.schemas import BotRetentionOffer, BotVoucher
from crm_backend.core.deps import SessionDep
from crm_backend.insights.service import get_score
from crm_backend.offers.service import issue_voucher, retention_offer

router = APIRouter(prefix="/offers")


@router.get("/retention", response_model=BotRetentionOffer)
def read_retention_offer(customer: VerifiedCustomer, db_session: SessionDep) -> BotRetentionOffer:
    """Whether a voucher should keep this customer (e.g. after a complaint), which, and why.
    The voucher is the customer's own: a unique code, stored, expiring, used once."""
    offer = retention_offer(get_score(db_session=db_session, customer_id=customer.id))
    voucher = None
    if offer.percent_off is not None:
        issued = issue_voucher(db_session=db_session, customer_id=customer.id, offer=offer)
        voucher = BotVoucher.model_validate(issued)
    return BotRetentionOffer(applies=voucher is not None, voucher=voucher, reason=offer.reason)
