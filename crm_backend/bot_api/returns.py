"""/bot/returns: whether an order may be returned, starting a return, following its refund."""

from fastapi import APIRouter

from crm_backend.bot_api.deps import CustomerOrder, VerifiedCustomer
from crm_backend.bot_api.schemas import BotCustomer, BotReturn, BotReturnEligibility, BotReturnList, ReturnRequest
from crm_backend.bot_api.views import return_view
from crm_backend.core.deps import SessionDep
from crm_backend.core.errors import APIError
from crm_backend.orders.service import get_customer_order
from crm_backend.returns.policy import return_eligibility
from crm_backend.returns.service import NotReturnable, create_return, list_customer_returns

router = APIRouter(prefix="/returns")


@router.get("", response_model=BotReturnList)
def read_my_returns(customer: VerifiedCustomer, db_session: SessionDep) -> BotReturnList:
    """The verified customer's returns and the state of their refunds."""
    returns = list_customer_returns(db_session=db_session, customer_id=customer.id)
    return BotReturnList(customer=BotCustomer.model_validate(customer), returns=[return_view(r) for r in returns])


@router.post(
    "",
    response_model=BotReturn,
    status_code=201,
    responses={404: {"description": "Unknown order"}, 409: {"description": "Not returnable"}},
)
def start_return(request: ReturnRequest, customer: VerifiedCustomer, db_session: SessionDep) -> BotReturn:
    """Open a return for a delivered order inside the return window; answers with its reference."""
    order = get_customer_order(db_session=db_session, customer_id=customer.id, number=request.order_number)
    if order is None:
        raise APIError(404, "order_not_found", "No such order for this customer.")
    try:
        record = create_return(db_session=db_session, order=order, reason=request.reason, skus=request.skus)
    except NotReturnable as error:
        raise APIError(409, f"return_{error.code}", str(error)) from error
    return return_view(record)


@router.get(
    "/eligibility/{number}", response_model=BotReturnEligibility, responses={404: {"description": "Unknown order"}}
)
def read_return_eligibility(order: CustomerOrder, db_session: SessionDep) -> BotReturnEligibility:
    """Whether one of the verified customer's orders may be returned now, why not, and until when."""
    eligibility = return_eligibility(db_session=db_session, order=order)
    return BotReturnEligibility(
        order_number=order.number,
        order_status=order.status,
        eligible=eligibility.eligible,
        verdict=eligibility.verdict,
        window_days=eligibility.window_days,
        deadline=eligibility.deadline,
    )
