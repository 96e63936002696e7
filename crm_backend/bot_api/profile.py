"""/bot/me, consents, tickets and decision logging for the verified customer."""

from fastapi import APIRouter, Path

from crm_backend.bot_api.deps import OptionalCustomer, VerifiedCustomer
from crm_backend.bot_api.schemas import (
    BotCustomer,
    BotGreeting,
    BotInsights,
    BotLoyalty,
    BotProfile,
    BotTicket,
    ConsentChange,
    DecisionRequest,
    TicketRequest,
)
from crm_backend.conversations.service import log_decision
from crm_backend.core.deps import SessionDep
from crm_backend.customers.loyalty import standing
from crm_backend.customers.service import set_consent
from crm_backend.insights.service import get_score
from crm_backend.offers.service import greeting
from crm_backend.tickets.judgement import report_issue

router = APIRouter()

CONSENT_PURPOSES = r"^(newsletter|analytics|personalisation)$"


@router.get("/me", response_model=BotCustomer)
def read_me(customer: VerifiedCustomer) -> BotCustomer:
    """Who the verified customer is."""
    return BotCustomer.model_validate(customer)


@router.get("/profile", response_model=BotProfile)
def read_profile(customer: VerifiedCustomer, db_session: SessionDep) -> BotProfile:
    """Everything a personal answer needs in one call: name, loyalty standing, segment and
    risk, consents, and how to greet them."""
    score = get_score(db_session=db_session, customer_id=customer.id)
    newsletter = next((c.granted for c in customer.consents if c.purpose == "newsletter"), False)
    return BotProfile(
        customer=BotCustomer.model_validate(customer),
        email=customer.email,
        loyalty=BotLoyalty.model_validate(standing(customer.loyalty)) if customer.loyalty else None,
        insights=BotInsights.model_validate(score) if score else None,
        newsletter=newsletter,
        greeting=BotGreeting.model_validate(greeting(customer, score)),
    )


@router.put("/consents/{purpose}", response_model=BotProfile)
def change_consent(
    change: ConsentChange,
    customer: VerifiedCustomer,
    db_session: SessionDep,
    purpose: str = Path(pattern=CONSENT_PURPOSES),
) -> BotProfile:
    """Record that the customer gave or withdrew a consent in the chat."""
    set_consent(db_session=db_session, customer=customer, purpose=purpose, granted=change.granted, source="chat")
    return read_profile(customer, db_session)


@router.post("/tickets", response_model=BotTicket, status_code=201)
def open_ticket(request: TicketRequest, customer: OptionalCustomer, db_session: SessionDep) -> BotTicket:
    """Open a ticket from the conversation, or add the message to the one open for the same
    issue, after checking the facts (tickets/judgement.py). Unverified users' tickets have no
    customer."""
    verdict = report_issue(
        db_session=db_session,
        customer_id=customer.id if customer else None,
        category=request.category,
        subject=request.subject,
        body=request.body,
        channel=request.channel,
        conversation_id=request.conversation_id,
        priority=request.priority,
        order_number=request.order_number,
        issue=request.issue,
    )
    ticket, order = verdict.ticket, verdict.order
    return BotTicket(
        id=ticket.id if ticket else None,
        category=ticket.category if ticket else request.category,
        status=ticket.status if ticket else None,
        outcome=verdict.outcome,
        order_number=order.number if order else None,
        order_status=order.status if order else None,
        expected_on=order.estimated_delivery if order else None,
    )


@router.post("/decisions", status_code=204)
def record_decision(request: DecisionRequest, customer: OptionalCustomer, db_session: SessionDep) -> None:
    """Log a personalised choice and its reason, for the agents."""
    log_decision(
        db_session=db_session,
        customer_id=customer.id if customer else None,
        conversation_id=request.conversation_id,
        decision=request.decision,
        reason=request.reason,
    )
