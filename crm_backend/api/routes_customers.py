"""Agents' view of customers: search and the 360° page. Every read is audited."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from crm_backend.api.deps import CurrentAgent, get_current_agent
from crm_backend.api.errors import error_responses
from crm_backend.audit.service import record_customer_reads
from crm_backend.core.deps import SessionDep
from crm_backend.core.types import IdPath
from crm_backend.customers import service
from crm_backend.customers.overview import get_360
from crm_backend.customers.schemas import Customer360, CustomerPage, CustomerSummary

router = APIRouter(
    prefix="/customers",
    tags=["customers"],
    dependencies=[Depends(get_current_agent)],
    responses=error_responses(401, 403),
)


@router.get("", response_model=CustomerPage, responses=error_responses(422))
def search(
    agent: CurrentAgent,
    db_session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CustomerPage:
    """Customers whose first or last name or email contains `q` (case-insensitive), whose
    phone contains its digits, or who placed the order numbered exactly `q`."""
    customers, total = service.search_customers(
        db_session=db_session, query=q, offset=(page - 1) * page_size, limit=page_size
    )
    record_customer_reads(
        db_session=db_session, agent_id=agent.id, customer_ids=[c.id for c in customers], view="search"
    )
    return CustomerPage(
        items=[CustomerSummary.model_validate(c) for c in customers], total=total, page=page, page_size=page_size
    )


@router.get("/{customer_id}", response_model=Customer360, responses=error_responses(404, 422))
def read_360(customer_id: IdPath, agent: CurrentAgent, db_session: SessionDep) -> Customer360:
    """Profile, identities, consents, loyalty, recent orders, returns, tickets, bot decisions,
    conversations, scores and recommendations of one customer."""
    view = get_360(db_session=db_session, customer_id=customer_id)
    record_customer_reads(db_session=db_session, agent_id=agent.id, customer_ids=[customer_id], view="360")
    return view
