"""Administrators' privacy tools: a customer's data export and erasure."""

from typing import Annotated

from fastapi import APIRouter, Depends

from crm_backend.api.deps import CurrentAdmin, get_current_admin
from crm_backend.api.errors import error_responses
from crm_backend.audit.service import ActorType
from crm_backend.core.deps import SessionDep, from_state
from crm_backend.core.types import IdPath
from crm_backend.customers.service import CustomerNotFound, get_customer_or_raise
from crm_backend.privacy.schemas import CustomerExport, ErasureResult
from crm_backend.privacy.service import erase_customer, export_customer, record_export, tracker_store_status
from crm_backend.privacy.tracker import TrackerStore

router = APIRouter(
    prefix="/customers",
    tags=["privacy"],
    dependencies=[Depends(get_current_admin)],
    responses=error_responses(401, 403, 404, 422),
)
TrackerStoreDep = Annotated[TrackerStore | None, Depends(from_state("tracker_store"))]


@router.get("/{customer_id}/export", response_model=CustomerExport)
def export(customer_id: IdPath, admin: CurrentAdmin, db_session: SessionDep) -> dict:
    """Everything held on the customer, as one JSON document (the right of access)."""
    document = export_customer(db_session=db_session, customer_id=customer_id)
    if document is None:
        raise CustomerNotFound()
    record_export(db_session=db_session, customer_id=customer_id, actor_type=ActorType.AGENT, actor_id=admin.id)
    return document


@router.post("/{customer_id}/erase", response_model=ErasureResult, responses=error_responses(409))
def erase(customer_id: IdPath, admin: CurrentAdmin, db_session: SessionDep, tracker: TrackerStoreDep) -> ErasureResult:
    """Delete or anonymise the customer's personal data everywhere (the right to erasure).
    Orders, returns and tickets stay for the accounts, without personal values; the events of
    the customer's conversations go from Rasa's tracker store (`tracker_store` says whether
    TRACKER_DB_URL let the CRM reach it)."""
    customer = get_customer_or_raise(db_session=db_session, customer_id=customer_id, erased_too=True)
    rows = erase_customer(
        db_session=db_session, customer=customer, actor_type=ActorType.AGENT, actor_id=admin.id, tracker=tracker
    )
    return ErasureResult(
        customer_id=customer_id, erased_at=customer.erased_at, rows=rows, tracker_store=tracker_store_status(tracker)
    )
